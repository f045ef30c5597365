#include <limits.h>
#include <stdlib.h>
#include <openssl/rand.h>

#include "base/rand.h"

int
rand_bytes(void *p, size_t n)
{
	if (n > INT_MAX)
		return -1;
	return RAND_bytes(p, (int)n) == 1 ? 0 : -1;
}

long long
rand_between(long long lo, long long hi)
{
	unsigned long long range, r, limit;

	if (hi <= lo)
		return lo;
	range = (unsigned long long)(hi - lo) + 1;
	/* Rejection sampling keeps the draw uniform. */
	limit = range == 0 ? 0 : (~0ULL / range) * range;
	do {
		if (rand_bytes(&r, sizeof(r)) == -1)
			abort();
	} while (limit != 0 && r >= limit);
	return lo + (long long)(range == 0 ? r : r % range);
}
