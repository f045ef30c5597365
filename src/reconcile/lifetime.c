/* lifetime.c - sizes derived from a certificate's lifetime (lifetime.h). */
#include "reconcile/lifetime.h"

#define HOUR	3600LL
#define DAY	86400LL

static long long
clamp(long long v, long long lo, long long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

long long
lifetime_of(time_t not_before, time_t not_after)
{
	if (not_before <= 0 || not_after <= not_before)
		return 0;
	return (long long)not_after - (long long)not_before;
}

long long
lifetime_retry_cap(long long lifetime)
{
	if (lifetime <= 0)
		return DAY;
	return clamp(lifetime / 16, HOUR, DAY);
}
