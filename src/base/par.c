/*
 * par.c - a loop whose iterations run on a few threads (par.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/par.h"

/* Items par_for() hands out at once: few enough to share the tail,
   many enough that the counter is not contended. */
#define PAR_CHUNK	64
#define PAR_MIN		1000
#define PAR_MAX		4

struct par_job {
	size_t	 n, chunk;
	atomic_size_t next;
	void	(*fn)(void *, size_t, size_t);
	void	*arg;
};

static void *
par_worker(void *p)
{
	struct par_job *job = p;
	size_t i;

	for (;;) {
		i = atomic_fetch_add(&job->next, job->chunk);
		if (i >= job->n)
			break;
		job->fn(job->arg, i, job->n - i < job->chunk ? job->n - i :
		    job->chunk);
	}
	return NULL;
}

void
par_ranges(size_t n, size_t chunk, int nthreads,
    void (*fn)(void *arg, size_t start, size_t count), void *arg)
{
	struct par_job job;
	pthread_t *tids;
	size_t nranges;
	int k, started = 0;

	job.n = n;
	job.chunk = chunk > 0 ? chunk : 1;
	atomic_init(&job.next, 0);
	job.fn = fn;
	job.arg = arg;
	nranges = n / job.chunk + (n % job.chunk != 0);
	if (nthreads > 1 && (size_t)nthreads > nranges)
		nthreads = (int)nranges;
	tids = nthreads > 1 ? xcalloc((size_t)nthreads, sizeof(*tids)) : NULL;
	for (k = 1; k < nthreads; k++) {
		if (pthread_create(&tids[started], NULL, par_worker, &job) != 0)
			break;
		started++;
	}
	par_worker(&job);
	for (k = 0; k < started; k++)
		pthread_join(tids[k], NULL);
	free(tids);
}

struct par_each {
	void	(*fn)(void *, size_t);
	void	*arg;
};

static void
par_each_range(void *arg, size_t start, size_t count)
{
	struct par_each *pe = arg;
	size_t i;

	for (i = start; i < start + count; i++)
		pe->fn(pe->arg, i);
}

void
par_for(size_t n, int nthreads, void (*fn)(void *arg, size_t i), void *arg)
{
	struct par_each pe = { .fn = fn, .arg = arg };

	par_ranges(n, PAR_CHUNK, nthreads, par_each_range, &pe);
}

int
par_threads(size_t n)
{
	long cpus;

	if (n < PAR_MIN)
		return 1;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		return 1;
	return cpus > PAR_MAX ? PAR_MAX : (int)cpus;
}
