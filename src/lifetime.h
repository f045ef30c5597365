/*
 * lifetime.h - sizes that follow a certificate's real lifetime, so that
 * 6-day, 45-day, 64-day and 90-day certificates all behave: how long a
 * failed renewal waits before the next attempt, and when a certificate
 * "expires soon" for notifications. Pure functions of seconds.
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

/*
 * "Expires soon" threshold for notifications: half of the default SPEC 4
 * window, min(25 days, lifetime/3) / 2 (90 days: 12.5 days, 45 days:
 * 7.5 days, 6 days: 1 day). Unknown lifetime (0): 7 days.
 */
long long lifetime_expiring_soon(long long lifetime);

#endif
