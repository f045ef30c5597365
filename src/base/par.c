/*
 * par.c - a loop whose iterations run on a few threads (par.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/par.h"

/* Iterations a worker takes at once: few enough to share the tail,
   many enough that the counter is not contended. */
#define PAR_CHUNK	64
#define PAR_MIN		1000
#define PAR_MAX		4

struct par_job {
	size_t	 n;
	atomic_size_t next;
	void	(*fn)(void *, size_t);
	void	*arg;
};

static void *
par_worker(void *p)
{
	struct par_job *job = p;
	size_t i, end;

	for (;;) {
		i = atomic_fetch_add(&job->next, PAR_CHUNK);
		if (i >= job->n)
			break;
		end = job->n - i < PAR_CHUNK ? job->n : i + PAR_CHUNK;
		for (; i < end; i++)
			job->fn(job->arg, i);
	}
	return NULL;
}

void
par_for(size_t n, int nthreads, void (*fn)(void *arg, size_t i), void *arg)
{
	struct par_job job;
	pthread_t *tids;
	int k, started = 0;

	job.n = n;
	atomic_init(&job.next, 0);
	job.fn = fn;
	job.arg = arg;
	if (nthreads > 1 && (size_t)nthreads > (n + PAR_CHUNK - 1) / PAR_CHUNK)
		nthreads = (int)((n + PAR_CHUNK - 1) / PAR_CHUNK);
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
