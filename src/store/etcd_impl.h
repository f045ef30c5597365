/*
 * etcd_impl.h - what the files of the etcd store backend share (backend.h
 * and store.h are its interface; only these files include this):
 *
 *   etcd.c         the key layout, open and close, sets, blobs, tokens,
 *                  the operations table
 *   etcd_mirror.c  the local mirror: its revision, brought up to date
 *   etcd_lock.c    certificate locks, the run's lease and its keepalive
 */
#ifndef CERTKEEP_ETCD_IMPL_H
#define CERTKEEP_ETCD_IMPL_H

#include <pthread.h>
#include <stddef.h>

#include "base/str.h"

struct certset;
struct err;
struct etcd;
struct etcd_kvs;
struct store_lock;

struct store_etcd {
	char		*url;		/* as given */
	char		*prefix;	/* "PREFIX/" */
	char		*local_dir;
	struct etcd	*c;
	/* The keepalive thread's own client: never queued behind the
	   requests of the workers. */
	struct etcd	*kac;
	void		*mirror;	/* fs backend on local_dir */
	long		 lock_ttl;
	pthread_mutex_t	 mu;		/* the lease */
	/* The mirror: one writer at a time in this process, and the etcd
	   revision it is known to be up to date with. */
	pthread_mutex_t	 mmu;
	long long	 mrev;
	long long	 lease;
	int		 ka_started;
	int		 ka_stop;
	pthread_t	 ka;
	pthread_cond_t	 ka_cv;
	char		 owner[128];	/* "host pid" */
	struct etcd_lock *held;		/* locks held (under mu) */
	/* Sets the mirror took from etcd during this run (under mmu). */
	struct strlist	 synced;
};

struct etcd_lock {
	struct store_etcd *be;
	char		*name;
	char		*key;
	long long	 create_rev;
	/* mod_revision of live/<name> when the lock was taken, then after
	   each replacement of ours: a replacement compares against it */
	long long	 live_rev;
	struct etcd_lock *next;		/* be->held */
};

/* etcd.c. The key PREFIX/a/b (b may be NULL), malloced. */
char	*store_etcd_key(const struct store_etcd *be, const char *a,
	    const char *b);
/* PREFIX/archive/<name>/<N> (N zero-padded), malloced. */
char	*store_etcd_archive_key(const struct store_etcd *be,
	    const char *name, long n);
/* The N of a live pointer {"n": N}; 0 when unreadable. */
long	 store_etcd_live_number(const char *data, size_t len);

/* etcd_mirror.c. The revision the mirror recorded for this store (0:
   none, or another store's). */
long long store_etcd_mirror_revision(struct store_etcd *be);
/* Brings the mirror up to date (see the top of etcd.c). 0 or -1. */
int	 store_etcd_mirror_sync(struct store_etcd *be, struct err *e);
/* Writes set into the mirror unless it has it already: 1 written, 0
   already there, -1 on error. */
int	 store_etcd_mirror_put_set(struct store_etcd *be, const char *name,
	    const struct certset *set, struct err *e);
/* After a write of ours that touched rev (caller holds mmu): advances the
   mirror's revision when nothing else moved rev in between. */
void	 store_etcd_mirror_own_write(struct store_etcd *be,
	    const struct etcd_kvs *got, long long txnrev);

/* etcd_lock.c. The lock of name this process holds, or NULL (caller
   holds mu). */
struct etcd_lock *store_etcd_held_lock(struct store_etcd *be,
	    const char *name);
/* Stops the keepalive thread and revokes the run's lease (at close). */
void	 store_etcd_lease_end(struct store_etcd *be);
/* The operations lock and unlock (backend.h). */
int	 store_etcd_lock(void *p, const char *what, int wait,
	    struct store_lock **lkp, struct err *e);
void	 store_etcd_unlock(struct store_lock *lk);

#endif
