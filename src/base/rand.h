/*
 * rand.h - random numbers from the OS CSPRNG (OpenSSL).
 */
#ifndef CERTKEEP_RAND_H
#define CERTKEEP_RAND_H

#include <stddef.h>

/* Random bytes from the OS CSPRNG (OpenSSL); 0 or -1. */
int	 rand_bytes(void *p, size_t n);
/* A uniformly random number in [lo, hi] (inclusive). */
long long rand_between(long long lo, long long hi);

#endif
