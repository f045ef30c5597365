/*
 * lifetime.h - sizes that follow a certificate's real lifetime, so that
 * 6-day, 45-day, 64-day and 90-day certificates all behave: how long a
 * failed renewal waits before the next attempt (the renewal window
 * itself is plan_renew_window(), which the "expires soon" notice also
 * uses). Pure functions of seconds.
 */
#ifndef CERTKEEP_LIFETIME_H
#define CERTKEEP_LIFETIME_H

#include <time.h>

/* notAfter - notBefore in seconds, or 0 when not known / not positive. */
long long lifetime_of(time_t not_before, time_t not_after);

/*
 * The longest a failed renewal (or a rate limit without Retry-After)
 * waits before the next attempt: lifetime/16 within 1 hour .. 1 day
 * (90 days: 1 day, 6 days: 9 hours). Unknown lifetime (0): 1 day.
 */
long long lifetime_retry_cap(long long lifetime);

#endif
