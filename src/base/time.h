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
/* HTTP-date (RFC 9110 IMF-fixdate), for Retry-After. */
int	 time_parse_http(const char *s, time_t *t);

/* Monotonic milliseconds, for timeouts and measurements. */
long long mono_ms(void);
/* Wall-clock now; the one place that reads the clock (faketime-friendly). */
time_t	 now_wall(void);

#endif
