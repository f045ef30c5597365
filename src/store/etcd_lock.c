/*
 * etcd_lock.c - the certificate locks of the etcd store (see the top of
 * etcd.c): PREFIX/locks/<name> bound to the run's lease, granted at the
 * first lock and kept alive by a thread until close.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/backend.h"
#include "store/etcd_client.h"
#include "store/etcd_impl.h"
#include "store/store.h"

/* The lock of name this process holds, or NULL (caller holds mu). */
struct etcd_lock *
store_etcd_held_lock(struct store_etcd *be, const char *name)
{
	struct etcd_lock *el;

	for (el = be->held; el != NULL; el = el->next)
		if (strcmp(el->name, name) == 0)
			return el;
	return NULL;
}

/* Keeps the run's lease alive until close. */
static void *
etcd_keepalive(void *arg)
{
	struct store_etcd *be = arg;
	struct timespec ts;
	struct err ignored;
	long every = be->lock_ttl / 3 > 0 ? be->lock_ttl / 3 : 1;
	long long id;

	pthread_mutex_lock(&be->mu);
	while (!be->ka_stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += every;
		while (!be->ka_stop && pthread_cond_timedwait(&be->ka_cv,
		    &be->mu, &ts) == 0)
			;
		if (be->ka_stop)
			break;
		id = be->lease;
		pthread_mutex_unlock(&be->mu);
		(void)etcd_lease_keepalive(be->kac, id, NULL, &ignored);
		pthread_mutex_lock(&be->mu);
	}
	pthread_mutex_unlock(&be->mu);
	return NULL;
}

/* The run's lease, granted at the first lock. */
static int
etcd_lease(struct store_etcd *be, long long *id, struct err *e)
{
	int rc = 0;

	pthread_mutex_lock(&be->mu);
	if (be->lease == 0) {
		if (etcd_lease_grant(be->c, be->lock_ttl, &be->lease, e) ==
		    -1)
			rc = -1;
		else if (pthread_create(&be->ka, NULL, etcd_keepalive, be) ==
		    0)
			be->ka_started = 1;
	}
	*id = be->lease;
	pthread_mutex_unlock(&be->mu);
	return rc;
}

/* Stops the keepalive thread and revokes the run's lease: every lock
   still held goes with it. */
void
store_etcd_lease_end(struct store_etcd *be)
{
	struct err ignored;

	if (be->ka_started) {
		pthread_mutex_lock(&be->mu);
		be->ka_stop = 1;
		pthread_cond_signal(&be->ka_cv);
		pthread_mutex_unlock(&be->mu);
		pthread_join(be->ka, NULL);
	}
	if (be->lease != 0)
		(void)etcd_lease_revoke(be->c, be->lease, &ignored);
}

int
store_etcd_lock(void *p, const char *what, int wait, struct store_lock **lkp,
    struct err *e)
{
	struct store_etcd *be = p;
	struct store_lock *lk;
	struct etcd_lock *el;
	struct etcd_cmp cmp;
	struct etcd_op put[2], get;
	struct etcd_kvs got;
	struct etcd_kv kv;
	struct timespec nap;
	char *key = NULL, *live = NULL, *holder;
	long long lease;
	int ok, r, rc = -1;

	*lkp = NULL;
	lk = xcalloc(1, sizeof(*lk));
	lk->be = &store_etcd_backend;
	lk->fd = -1;
	if (what == NULL) {	/* no store-wide lock: every node runs */
		*lkp = lk;
		return 0;
	}
	if (etcd_lease(be, &lease, e) == -1)
		goto out;
	key = xstrcat(be->prefix, "locks/", what, NULL);
	live = xstrcat(be->prefix, "live/", what, NULL);
	memset(&cmp, 0, sizeof(cmp));
	cmp.key = key;
	cmp.target = ETCD_T_CREATE;
	cmp.result = ETCD_R_EQUAL;
	cmp.n = 0;
	/* Taken: the live pointer as it is now comes back too. */
	memset(put, 0, sizeof(put));
	put[0].kind = ETCD_OP_PUT;
	put[0].key = key;
	put[0].value = be->owner;
	put[0].vlen = strlen(be->owner);
	put[0].lease = lease;
	put[1].kind = ETCD_OP_GET;
	put[1].key = live;
	memset(&get, 0, sizeof(get));
	get.kind = ETCD_OP_GET;
	get.key = key;
	for (;;) {
		memset(&got, 0, sizeof(got));
		if (etcd_txn(be->c, &cmp, 1, put, 2, &get, 1, &ok, &got,
		    NULL, e) == -1)
			goto out;
		if (ok) {
			el = xcalloc(1, sizeof(*el));
			el->be = be;
			el->name = xstrdup(what);
			el->key = key;
			key = NULL;
			el->create_rev = got.revision;
			el->live_rev = got.n > 0 ? got.v[0].mod_rev : 0;
			etcd_kvs_clear(&got);
			lk->priv = el;
			pthread_mutex_lock(&be->mu);
			el->next = be->held;
			be->held = el;
			pthread_mutex_unlock(&be->mu);
			break;
		}
		if (!wait) {
			holder = got.n > 0 && got.v[0].value != NULL ?
			    str_escape(got.v[0].value) : xstrdup("unknown");
			err_set(e, "certificate %s in store %s is locked by %s "
			    "(another certkeep apply?)", what, be->url, holder);
			free(holder);
			etcd_kvs_clear(&got);
			goto out;
		}
		etcd_kvs_clear(&got);
		/* The holder ends or its lease does: polled with plain reads
		   (a transaction that writes goes through the cluster's log
		   even when it fails), the transaction again once it is free. */
		nap.tv_sec = 0;
		nap.tv_nsec = 250 * 1000 * 1000;
		do {
			nanosleep(&nap, NULL);
			memset(&kv, 0, sizeof(kv));
			if ((r = etcd_get(be->c, key, &kv, NULL, e)) == -1)
				goto out;
			etcd_kv_clear(&kv);
		} while (r == 1);
	}
	/* Under the lock, the mirror is what the others left. */
	if (store_etcd_mirror_sync(be, e) == -1) {
		store_etcd_backend.unlock(lk);
		lk = NULL;
		goto out;
	}
	*lkp = lk;
	lk = NULL;
	rc = 0;
out:
	free(lk);
	free(key);
	free(live);
	return rc;
}

void
store_etcd_unlock(struct store_lock *lk)
{
	struct etcd_lock *el = lk->priv;
	struct etcd_cmp cmp;
	struct etcd_op del;
	struct err ignored;
	int ok;

	if (el != NULL) {
		struct etcd_lock **pp;

		pthread_mutex_lock(&el->be->mu);
		for (pp = &el->be->held; *pp != NULL; pp = &(*pp)->next)
			if (*pp == el) {
				*pp = el->next;
				break;
			}
		pthread_mutex_unlock(&el->be->mu);
		/* Only the lock we made: after a lease lost, another's. */
		memset(&cmp, 0, sizeof(cmp));
		cmp.key = el->key;
		cmp.target = ETCD_T_CREATE;
		cmp.result = ETCD_R_EQUAL;
		cmp.n = el->create_rev;
		memset(&del, 0, sizeof(del));
		del.kind = ETCD_OP_DELETE;
		del.key = el->key;
		(void)etcd_txn(el->be->c, &cmp, 1, &del, 1, NULL, 0, &ok, NULL,
		    NULL, &ignored);
		free(el->name);
		free(el->key);
		free(el);
	}
	free(lk);
}
