/*
 * par.h - a loop whose iterations run on a few threads.
 *
 * For work that is many small independent calls (a stat per file of a
 * fleet, say): the kernel side of such work spreads over the cores, the
 * caller's thread is one of the workers, and the call returns when every
 * iteration is done. fn must be safe to run for different i at once.
 */
#ifndef CERTKEEP_PAR_H
#define CERTKEEP_PAR_H

#include <stddef.h>

/* Runs fn(arg, start, count) over [0, n) in ranges of at most chunk
   (>= 1), on up to nthreads threads (the caller's included), each range
   taken by whichever thread is free. Threads that cannot be started
   leave their share to the others; nthreads <= 1 runs the loop in the
   caller. */
void	 par_ranges(size_t n, size_t chunk, int nthreads,
	    void (*fn)(void *arg, size_t start, size_t count), void *arg);

/* par_ranges() of cheap items, one call fn(arg, i) for each: ranges of
   64, so that the threads do not contend for the next one. */
void	 par_for(size_t n, int nthreads, void (*fn)(void *arg, size_t i),
	    void *arg);

/* Threads worth starting for n cheap iterations: 1 below a thousand,
   else the online CPUs, at most 4. */
int	 par_threads(size_t n);

#endif
