/*
 * time.h - the clock, durations, RFC 3339 and HTTP dates.
 */
#ifndef CERTKEEP_TIME_H
#define CERTKEEP_TIME_H

#include <stddef.h>
#include <time.h>

/*
 * Durations: "90s", "30m", "12h", "25d", "2w"; a bare number is seconds.
 * Returns 0 and the seconds, or -1 on a malformed value.
 */
int	 duration_parse(const char *s, long long *secs);
/* Formats seconds as a short human duration ("25d", "12h30m"). */
void	 duration_format(long long secs, char *out, size_t outsz);

/* RFC 3339 (UTC "2027-02-22T10:00:00Z"; offsets and fractions accepted). */
int	 time_parse_rfc3339(const char *s, time_t *t);
void	 time_format_rfc3339(time_t t, char *out, size_t outsz);	/* >= 21 */
/* The UTC day of t, "2027-02-22" (outsz >= 11); "?" when t has none. */
void	 time_format_date(time_t t, char *out, size_t outsz);
/* The UTC minute of t, "2027-02-22 10:00 UTC" (outsz >= 21); "?" when t
   has none. */
void	 time_format_minute(time_t t, char *out, size_t outsz);
/* HTTP-date (RFC 9110 IMF-fixdate), for Retry-After. */
int	 time_parse_http(const char *s, time_t *t);

/*
 * Whole days from now until t, truncated toward zero: negative once t is
 * past by a full day (an hour after expiry is 0, "expired today"; 10 days
 * and an hour after is -10, "10 days ago"). The one rule for "days left"
 * in status, plan, logs and notifications.
 */
long long days_left(time_t t, time_t now);

/* Monotonic milliseconds, for timeouts and measurements. */
long long mono_ms(void);
/* Wall-clock now; the one place that reads the clock (faketime-friendly). */
time_t	 now_wall(void);

#endif
