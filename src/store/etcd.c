/*
 * etcd.c - the etcd backend of the store: everything the directory
 * backend keeps, under PREFIX in etcd, for several hosts at once.
 *
 *   PREFIX/live/<name>              {"n": N}: the live set is archive N
 *   PREFIX/archive/<name>/<N>       {"cert": ..., "chain": ..., "key": ...,
 *                                    "fullchain": ..., "combined": ...}
 *                                   (N zero-padded; the live set and the
 *                                   STORE_ARCHIVE_KEEP before it kept)
 *   PREFIX/blob/<key>               state/<name>.json, accounts/..., pending/...
 *   PREFIX/rev                      touched by every change of a live set or
 *                                   a state: its mod_revision says whether
 *                                   anything a run reads has changed
 *   PREFIX/locks/<name>             a certificate's lock, bound to the
 *                                   run's lease ("host pid")
 *   PREFIX/tokens/<token>           published http-01 key authorizations
 *
 * Replacing a set is one transaction: if live/<name> still has the
 * mod_revision read, put the new archive entry, move live/<name> to it,
 * touch rev and drop the oldest archive entries; else nothing. Every node
 * sees the old set or the new one.
 *
 * The local mirror (etcd.local_dir) is a directory store (fs.c) holding
 * the live sets and the states; listeners and fragments use it. At open,
 * and whenever a certificate's lock is taken, the mirror is brought up
 * to date: one range of PREFIX/rev, and only when its revision passed the
 * one the mirror recorded (local_dir/etcd-mirror.json), the live pointers
 * and states modified since, then the archive entries they point to.
 * Sets, states and lists are then read from the mirror: a run with
 * nothing to do asks etcd one question. A run that cannot reach etcd
 * fails at open and writes nothing.
 *
 * There is no store-wide lock: the "store" lock is a no-op, so every
 * node runs apply at once and each certificate is decided under its own
 * lock. Locks live as long as the run's lease (lock_ttl, kept alive by a
 * thread); a node killed with -9 lets its locks go when the lease ends.
 *
 * This file: the URL, open and close, sets, blobs and tokens. The mirror
 * is kept by etcd_mirror.c, the locks and the lease by etcd_lock.c;
 * etcd_impl.h is what they share.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/backend.h"
#include "store/etcd_client.h"
#include "store/etcd_impl.h"
#include "store/store.h"
#include "store/token_watch.h"

/* The largest value put (etcd's default request limit is 1.5 MiB). */
#define ETCD_VALUE_MAX	(1024 * 1024)

char *
store_etcd_key(const struct store_etcd *be, const char *a, const char *b)
{
	return xstrcat(be->prefix, a, b, NULL);
}

/* "etcd://H:P,H:P/PREFIX" -> endpoints and "PREFIX/" (token_watch.h). */
int
etcd_parse_url(const char *url, char **endpoints, char **prefix,
    struct err *e)
{
	const char *p = url + strlen(STORE_ETCD_SCHEME), *slash;
	size_t n;

	slash = strchr(p, '/');
	if (slash == NULL || slash == p || slash[1] == '\0') {
		err_set(e, "store %s: not etcd://HOST:PORT[,HOST:PORT...]/"
		    "PREFIX", url);
		return -1;
	}
	*endpoints = xstrndup(p, (size_t)(slash - p));
	while (*slash == '/')
		slash++;
	n = strlen(slash);
	while (n > 0 && slash[n - 1] == '/')
		n--;
	if (n == 0) {
		free(*endpoints);
		err_set(e, "store %s: no PREFIX after the endpoints", url);
		return -1;
	}
	*prefix = xasprintf("%.*s/", (int)n, slash);
	return 0;
}

/* A set as JSON; the key is wiped from the text by the caller. */
static char *
set_to_json(const struct certset *set)
{
	cJSON *j = cJSON_CreateObject();
	char *text;

	cJSON_AddStringToObject(j, "cert", set->cert);
	cJSON_AddStringToObject(j, "chain", set->chain ? set->chain : "");
	cJSON_AddStringToObject(j, "key", set->key);
	cJSON_AddStringToObject(j, "fullchain", set->fullchain);
	cJSON_AddStringToObject(j, "combined", set->combined);
	text = cJSON_PrintUnformatted(j);
	/* The tree's copy of the key goes too. */
	cJSON_Delete(j);
	return text;
}

/* The N of a live pointer {"n": N}; 0 when unreadable. */
long
store_etcd_live_number(const char *data, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(data, len);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "n");
	long v = cJSON_IsNumber(n) ? (long)n->valuedouble : 0;

	cJSON_Delete(j);
	return v;
}

char *
store_etcd_archive_key(const struct store_etcd *be, const char *name, long n)
{
	char num[32];

	snprintf(num, sizeof(num), "%010ld", n);
	return xstrcat(be->prefix, "archive/", name, "/", num, NULL);
}

/* Says which store could not be reached and that nothing was written. */
static void
etcd_unreachable(struct store_etcd *be, struct err *e)
{
	char *msg = xstrdup(e->msg);

	err_set(e, "store %s: %s; the local mirror %s was left as it was",
	    be->url, msg, be->local_dir);
	free(msg);
}

static void etcd_close(void *p);

void *
store_etcd_open(const char *root, const struct store_etcd_opts *o,
    int create, struct err *e)
{
	struct store_etcd_opts none;
	struct etcd_opts co;
	struct store_etcd *be;
	char *endpoints = NULL, *prefix = NULL, host[64];

	if (o == NULL) {
		memset(&none, 0, sizeof(none));
		o = &none;
	}
	if (etcd_parse_url(root, &endpoints, &prefix, e) == -1)
		return NULL;
	be = xcalloc(1, sizeof(*be));
	pthread_mutex_init(&be->mu, NULL);
	pthread_mutex_init(&be->mmu, NULL);
	pthread_cond_init(&be->ka_cv, NULL);
	strlist_init(&be->synced);
	be->url = xstrdup(root);
	be->prefix = prefix;
	be->local_dir = xstrdup(o->local_dir != NULL ? o->local_dir :
	    STORE_ETCD_LOCAL_DIR);
	be->lock_ttl = o->lock_ttl > 0 ? o->lock_ttl : STORE_ETCD_LOCK_TTL;
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	snprintf(be->owner, sizeof(be->owner), "%s %ld", host,
	    (long)getpid());
	memset(&co, 0, sizeof(co));
	co.endpoints = endpoints;
	co.ca_file = o->ca_file;
	co.cert_file = o->cert_file;
	co.key_file = o->key_file;
	co.auth_file = o->auth_file;
	if ((be->c = etcd_open(&co, e)) == NULL ||
	    (be->kac = etcd_open(&co, e)) == NULL)
		goto fail;
	/* The mirror is always made: listeners read it. */
	(void)create;
	if ((be->mirror = store_fs_backend.open(be->local_dir, 1, e)) == NULL)
		goto fail;
	be->mrev = store_etcd_mirror_revision(be);
	if (store_etcd_mirror_sync(be, e) == -1) {
		etcd_unreachable(be, e);
		goto fail;
	}
	free(endpoints);
	return be;
fail:
	free(endpoints);
	etcd_close(be);
	return NULL;
}

const char *
store_etcd_local_dir(void *p)
{
	return ((struct store_etcd *)p)->local_dir;
}

long
store_etcd_requests(void *p)
{
	return etcd_requests(((struct store_etcd *)p)->c);
}

int
store_etcd_synced(void *p, const char *name)
{
	struct store_etcd *be = p;
	int r;

	pthread_mutex_lock(&be->mmu);
	r = strlist_contains(&be->synced, name);
	pthread_mutex_unlock(&be->mmu);
	return r;
}

static void
etcd_close(void *p)
{
	struct store_etcd *be = p;

	if (be == NULL)
		return;
	store_etcd_lease_end(be);
	if (be->mirror != NULL)
		store_fs_backend.close(be->mirror);
	etcd_free(be->c);
	etcd_free(be->kac);
	pthread_cond_destroy(&be->ka_cv);
	pthread_mutex_destroy(&be->mmu);
	pthread_mutex_destroy(&be->mu);
	strlist_clear(&be->synced);
	free(be->url);
	free(be->prefix);
	free(be->local_dir);
	free(be);
}

static void *
etcd_open_table(const char *root, int create, struct err *e)
{
	return store_etcd_open(root, NULL, create, e);
}

static int
etcd_read_set(void *p, const char *name, struct certset *set, struct err *e)
{
	struct store_etcd *be = p;

	return store_fs_backend.read_set(be->mirror, name, set, e);
}

static int
etcd_stat_set(void *p, const char *name, struct store_setid *id,
    struct err *e)
{
	struct store_etcd *be = p;

	return store_fs_backend.stat_set(be->mirror, name, id, e);
}

static int
etcd_list(void *p, struct strlist *names, struct err *e)
{
	struct store_etcd *be = p;

	return store_fs_backend.list(be->mirror, names, e);
}

/* Puts {"n": N} for live/<name>. */
static char *
live_json(long n)
{
	return xasprintf("{\"n\":%ld}", n);
}

static int
etcd_replace_set(void *p, const char *name, const struct certset *set,
    struct err *e)
{
	struct store_etcd *be = p;
	struct etcd_kv cur;
	struct etcd_cmp cmp[2];
	struct etcd_lock *el;
	struct etcd_op ops[5];
	struct etcd_kvs got;
	char *lkey, *akey = NULL, *val = NULL, *ptr = NULL, *rkey, *from = NULL,
	    *to = NULL;
	long n = 0;
	long long modrev = 0;
	int r, ok = 0, rc = -1;

	lkey = xstrcat(be->prefix, "live/", name, NULL);
	rkey = store_etcd_key(be, "rev", NULL);
	memset(&cur, 0, sizeof(cur));
	memset(&got, 0, sizeof(got));
	pthread_mutex_lock(&be->mmu);
	if ((r = etcd_get(be->c, lkey, &cur, NULL, e)) == -1)
		goto out;
	if (r == 1) {
		n = store_etcd_live_number(cur.value, cur.vlen);
		modrev = cur.mod_rev;
	}
	n++;
	/* Under the certificate's lock: the set must be the one seen when
	   the lock was taken, and the lock still ours (a lease lost while
	   etcd was away lets another node in). */
	memset(cmp, 0, sizeof(cmp));
	pthread_mutex_lock(&be->mu);
	if ((el = store_etcd_held_lock(be, name)) != NULL) {
		modrev = el->live_rev;
		cmp[1].key = el->key;
		cmp[1].target = ETCD_T_CREATE;
		cmp[1].result = ETCD_R_EQUAL;
		cmp[1].n = el->create_rev;
	}
	pthread_mutex_unlock(&be->mu);
	val = set_to_json(set);
	if (strlen(val) > ETCD_VALUE_MAX) {
		err_set(e, "store %s: the set of %s is larger than %d bytes",
		    be->url, name, ETCD_VALUE_MAX);
		goto out;
	}
	akey = store_etcd_archive_key(be, name, n);
	ptr = live_json(n);
	/* Entries below n - STORE_ARCHIVE_KEEP go in the same step. */
	from = store_etcd_archive_key(be, name, 0);
	to = store_etcd_archive_key(be, name, n - STORE_ARCHIVE_KEEP > 0 ?
	    n - STORE_ARCHIVE_KEEP : 0);
	cmp[0].key = lkey;
	cmp[0].target = ETCD_T_MOD;
	cmp[0].result = ETCD_R_EQUAL;
	cmp[0].n = modrev;
	memset(ops, 0, sizeof(ops));
	/* rev as it was: see store_etcd_mirror_own_write() */
	ops[0].kind = ETCD_OP_GET;
	ops[0].key = rkey;
	ops[1].kind = ETCD_OP_PUT;
	ops[1].key = akey;
	ops[1].value = val;
	ops[1].vlen = strlen(val);
	ops[2].kind = ETCD_OP_PUT;
	ops[2].key = lkey;
	ops[2].value = ptr;
	ops[2].vlen = strlen(ptr);
	ops[3].kind = ETCD_OP_PUT;
	ops[3].key = rkey;
	ops[3].value = "";
	ops[4].kind = ETCD_OP_DELETE_RANGE;
	ops[4].key = from;
	ops[4].range_end = to;
	if (etcd_txn(be->c, cmp, cmp[1].key != NULL ? 2 : 1, ops,
	    strcmp(from, to) < 0 ? 5 : 4, NULL, 0, &ok, &got, NULL, e) == -1)
		goto out;
	if (!ok) {
		err_set(e, "store %s: the live set of %s changed, or its lock "
		    "was lost, while it was being replaced (another node?); "
		    "not replaced", be->url, name);
		goto out;
	}
	pthread_mutex_lock(&be->mu);
	if ((el = store_etcd_held_lock(be, name)) != NULL)
		el->live_rev = got.revision;
	pthread_mutex_unlock(&be->mu);
	/* 1 (written) or 0 (the mirror had it already). */
	if (store_etcd_mirror_put_set(be, name, set, e) == -1)
		goto out;
	store_etcd_mirror_own_write(be, &got, got.revision);
	rc = 0;
out:
	pthread_mutex_unlock(&be->mmu);
	etcd_kvs_clear(&got);
	etcd_kv_clear(&cur);
	if (val != NULL) {
		explicit_bzero(val, strlen(val));
		cJSON_free(val);
	}
	free(lkey);
	free(rkey);
	free(akey);
	free(ptr);
	free(from);
	free(to);
	return rc;
}

static int
is_state_key(const char *key)
{
	return strncmp(key, "state/", 6) == 0;
}

/* local/...: what this host keeps for itself (the mirror only). */
static int
is_local_key(const char *key)
{
	return strncmp(key, "local/", 6) == 0;
}

static int
etcd_get_blob(void *p, const char *key, char **data, size_t *len,
    struct err *e)
{
	struct store_etcd *be = p;
	struct etcd_kv kv;
	char *k;
	int r;

	/* States are mirrored (read every run), local/ is this host's; the
	   rest is asked for. */
	if (is_state_key(key) || is_local_key(key))
		return store_fs_backend.get_blob(be->mirror, key, data, len, e);
	k = store_etcd_key(be, "blob/", key);
	r = etcd_get(be->c, k, &kv, NULL, e);
	free(k);
	if (r != 1)
		return r;
	*data = kv.value;
	if (len != NULL)
		*len = kv.vlen;
	kv.value = NULL;
	etcd_kv_clear(&kv);
	return 1;
}

/* Puts (data non-NULL) or deletes a blob; a state also touches rev and
   the mirror. */
static int
etcd_set_blob(struct store_etcd *be, const char *key, const void *data,
    size_t len, struct err *e)
{
	struct etcd_op ops[3];
	struct etcd_kvs got;
	char *k, *rkey;
	int ok, rc = -1, state = is_state_key(key);

	if (is_local_key(key))
		return data != NULL ? store_fs_backend.put_blob(be->mirror, key,
		    data, len, 0600, e) : store_fs_backend.del_blob(be->mirror,
		    key, e);
	if (data != NULL && len > ETCD_VALUE_MAX) {
		err_set(e, "store %s: %s is larger than %d bytes", be->url, key,
		    ETCD_VALUE_MAX);
		return -1;
	}
	k = store_etcd_key(be, "blob/", key);
	rkey = store_etcd_key(be, "rev", NULL);
	memset(ops, 0, sizeof(ops));
	memset(&got, 0, sizeof(got));
	ops[0].kind = data != NULL ? ETCD_OP_PUT : ETCD_OP_DELETE;
	ops[0].key = k;
	ops[0].value = data;
	ops[0].vlen = len;
	if (!state) {
		rc = etcd_txn(be->c, NULL, 0, ops, 1, NULL, 0, &ok, NULL, NULL,
		    e);
		goto out;
	}
	/* A state: rev as it was, the state, rev touched; and the mirror. */
	ops[2] = ops[0];
	memset(&ops[0], 0, sizeof(ops[0]));
	ops[0].kind = ETCD_OP_GET;
	ops[0].key = rkey;
	ops[1].kind = ETCD_OP_PUT;
	ops[1].key = rkey;
	ops[1].value = "";
	pthread_mutex_lock(&be->mmu);
	if (etcd_txn(be->c, NULL, 0, ops, 3, NULL, 0, &ok, &got, NULL, e) ==
	    0 && (rc = data != NULL ? store_fs_backend.put_blob(be->mirror,
	    key, data, len, 0600, e) : store_fs_backend.del_blob(be->mirror,
	    key, e)) == 0)
		store_etcd_mirror_own_write(be, &got, got.revision);
	pthread_mutex_unlock(&be->mmu);
	etcd_kvs_clear(&got);
out:
	free(k);
	free(rkey);
	return rc;
}

static int
etcd_put_blob(void *p, const char *key, const void *data, size_t len,
    mode_t mode, struct err *e)
{
	(void)mode;	/* every blob the store keeps is 0600 */
	return etcd_set_blob(p, key, data != NULL ? data : "", len, e);
}

static int
etcd_del_blob(void *p, const char *key, struct err *e)
{
	return etcd_set_blob(p, key, NULL, 0, e);
}

static int
etcd_list_blobs(void *p, const char *prefix, struct strlist *keys,
    mode_t **modes, struct err *e)
{
	struct store_etcd *be = p;
	struct etcd_kvs got;
	mode_t *m;
	char *pfx;
	size_t i, blen;

	pfx = xstrcat(be->prefix, "blob/", prefix, "/", NULL);
	blen = strlen(be->prefix) + strlen("blob/");
	if (etcd_range_prefix(be->c, pfx, 0, 1, 0, &got, e) == -1) {
		free(pfx);
		return -1;
	}
	free(pfx);
	m = xcalloc(got.n + 1, sizeof(*m));
	for (i = 0; i < got.n; i++) {
		strlist_add(keys, got.v[i].key + blen);
		m[i] = 0600;
	}
	etcd_kvs_clear(&got);
	if (modes != NULL)
		*modes = m;
	else
		free(m);
	return 0;
}

static int
etcd_put_token(void *p, const char *token, const char *keyauth, int ttl,
    struct err *e)
{
	struct store_etcd *be = p;
	long long lease;
	char *k;
	int rc;

	if (etcd_lease_grant(be->c, ttl > 0 ? ttl : 600, &lease, e) == -1)
		return -1;
	k = store_etcd_key(be, "tokens/", token);
	rc = etcd_put(be->c, k, keyauth, strlen(keyauth), lease, NULL, e);
	free(k);
	return rc;
}

/* Revokes the token's lease (which deletes the key with it), so that
   leases do not pile up for an hour after every order; a key without a
   lease is deleted. */
static int
etcd_del_token(void *p, const char *token, struct err *e)
{
	struct store_etcd *be = p;
	struct etcd_kv kv;
	char *k = store_etcd_key(be, "tokens/", token);
	int r, rc = -1;

	memset(&kv, 0, sizeof(kv));
	if ((r = etcd_get(be->c, k, &kv, NULL, e)) == -1)
		goto out;
	if (r == 0) {
		rc = 0;
		goto out;
	}
	if (kv.lease != 0 && etcd_lease_revoke(be->c, kv.lease, e) == 0) {
		rc = 0;
		goto out;
	}
	rc = etcd_delete(be->c, k, 0, NULL, e);
out:
	etcd_kv_clear(&kv);
	free(k);
	return rc;
}

static int
etcd_get_token(void *p, const char *token, char **keyauth, struct err *e)
{
	struct store_etcd *be = p;
	struct etcd_kv kv;
	char *k = store_etcd_key(be, "tokens/", token);
	int r;

	*keyauth = NULL;
	r = etcd_get(be->c, k, &kv, NULL, e);
	free(k);
	if (r != 1)
		return r == 0 ? 1 : -1;
	*keyauth = kv.value;
	kv.value = NULL;
	etcd_kv_clear(&kv);
	return 0;
}

const struct store_backend store_etcd_backend = {
	.name = "etcd",
	.open = etcd_open_table,
	.close = etcd_close,
	.read_set = etcd_read_set,
	.stat_set = etcd_stat_set,
	.replace_set = etcd_replace_set,
	.lock = store_etcd_lock,
	.unlock = store_etcd_unlock,
	.list = etcd_list,
	.get_blob = etcd_get_blob,
	.put_blob = etcd_put_blob,
	.del_blob = etcd_del_blob,
	.list_blobs = etcd_list_blobs,
	.put_token = etcd_put_token,
	.del_token = etcd_del_token,
	.get_token = etcd_get_token,
};
