/*
 * etcd_mirror.c - the local mirror of the etcd store (see the top of
 * etcd.c): its recorded revision, and bringing it up to date with etcd
 * (the live sets changed since, their archive entries, the states).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/str.h"
#include "store/backend.h"
#include "store/etcd_client.h"
#include "store/etcd_impl.h"
#include "store/store.h"

#define ETCD_MIRROR_FILE "etcd-mirror.json"
/* Archive entries fetched per transaction (etcd allows 128 ops). */
#define ETCD_TXN_BATCH	64

/* The revision the mirror was brought to, and the store it mirrors. */
long long
store_etcd_mirror_revision(struct store_etcd *be)
{
	char *path, *data;
	size_t len;
	struct err ignored;
	cJSON *j;
	long long rev = 0;
	const cJSON *r, *u;

	path = path_join(be->local_dir, ETCD_MIRROR_FILE);
	data = file_read_nofollow(path, 4096, &len, &ignored);
	free(path);
	if (data == NULL)
		return 0;
	j = cJSON_ParseWithLength(data, len);
	r = cJSON_GetObjectItemCaseSensitive(j, "revision");
	u = cJSON_GetObjectItemCaseSensitive(j, "store");
	/* A mirror of another store starts afresh. */
	if (cJSON_IsNumber(r) && cJSON_IsString(u) &&
	    strcmp(u->valuestring, be->url) == 0)
		rev = (long long)r->valuedouble;
	cJSON_Delete(j);
	free(data);
	return rev;
}

static int
mirror_record(struct store_etcd *be, long long rev, struct err *e)
{
	cJSON *j = cJSON_CreateObject();
	char *path, *text;
	int rc;

	cJSON_AddNumberToObject(j, "revision", (double)rev);
	cJSON_AddStringToObject(j, "store", be->url);
	text = cJSON_Print(j);
	cJSON_Delete(j);
	path = path_join(be->local_dir, ETCD_MIRROR_FILE);
	rc = file_write_atomic(path, text, strlen(text), 0600, e);
	free(path);
	cJSON_free(text);
	return rc;
}

static int
same_str(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int
set_from_json(const char *data, size_t len, struct certset *set,
    const char *what, struct err *e)
{
	static const char *const f[] = {
		"cert", "chain", "key", "fullchain", "combined",
	};
	char **dst[] = {
		&set->cert, &set->chain, &set->key, &set->fullchain,
		&set->combined,
	};
	cJSON *j;
	const cJSON *v;
	size_t i;

	memset(set, 0, sizeof(*set));
	if ((j = cJSON_ParseWithLength(data, len)) == NULL) {
		err_set(e, "%s: not a set (JSON)", what);
		return -1;
	}
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		v = cJSON_GetObjectItemCaseSensitive(j, f[i]);
		if (!cJSON_IsString(v)) {
			err_set(e, "%s: no \"%s\"", what, f[i]);
			cJSON_Delete(j);
			certset_clear(set);
			return -1;
		}
		*dst[i] = xstrdup(v->valuestring);
	}
	cJSON_Delete(j);
	return 0;
}

/* Writes set into the mirror unless the mirror already has it. */
int
store_etcd_mirror_put_set(struct store_etcd *be, const char *name,
    const struct certset *set, struct err *e)
{
	struct certset cur;
	int r, same;

	memset(&cur, 0, sizeof(cur));
	r = store_fs_backend.read_set(be->mirror, name, &cur, e);
	same = r == 1 && same_str(cur.cert, set->cert) &&
	    same_str(cur.key, set->key) && same_str(cur.chain, set->chain) &&
	    same_str(cur.fullchain, set->fullchain) &&
	    same_str(cur.combined, set->combined);
	certset_clear(&cur);
	if (same)
		return 0;
	return store_fs_backend.replace_set(be->mirror, name, set, e) == 0 ?
	    1 : -1;
}

/* Brings the live sets of names (live pointers just read) into the
   mirror: their archive entries fetched a batch per transaction. */
static int
mirror_fetch_sets(struct store_etcd *be, const struct etcd_kvs *live,
    struct err *e)
{
	struct etcd_op ops[ETCD_TXN_BATCH];
	char *keys[ETCD_TXN_BATCH];
	const char *names[ETCD_TXN_BATCH];
	struct etcd_kvs got;
	struct certset set;
	size_t i = 0, k, j, plen, lplen;
	int ok, r, rc = -1;

	plen = strlen(be->prefix);
	lplen = plen + strlen("live/");
	memset(&got, 0, sizeof(got));
	while (i < live->n) {
		for (k = 0; k < ETCD_TXN_BATCH && i < live->n; i++) {
			long n = store_etcd_live_number(live->v[i].value,
			    live->v[i].vlen);

			if (n <= 0)
				continue;
			names[k] = live->v[i].key + lplen;
			keys[k] = store_etcd_archive_key(be, names[k], n);
			memset(&ops[k], 0, sizeof(ops[k]));
			ops[k].kind = ETCD_OP_GET;
			ops[k].key = keys[k];
			k++;
		}
		ok = 0;
		memset(&got, 0, sizeof(got));
		rc = etcd_txn(be->c, NULL, 0, ops, k, NULL, 0, &ok, &got,
		    NULL, e);
		for (j = 0; rc == 0 && j < got.n; j++) {
			const char *nm = NULL;
			size_t q;

			for (q = 0; q < k; q++)
				if (strcmp(got.v[j].key, keys[q]) == 0)
					nm = names[q];
			if (nm == NULL)
				continue;
			if (set_from_json(got.v[j].value, got.v[j].vlen, &set,
			    got.v[j].key, e) == -1)
				rc = -1;
			else if ((r = store_etcd_mirror_put_set(be, nm, &set, e)) == -1)
				rc = -1;
			else if (r == 1 && !strlist_contains(&be->synced, nm))
				strlist_add(&be->synced, nm);
			certset_clear(&set);
		}
		for (j = 0; j < k; j++)
			free(keys[j]);
		etcd_kvs_clear(&got);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* Brings the mirror's states to etcd's: those modified since, and those
   deleted. */
static int
mirror_sync_states(struct store_etcd *be, long long since, struct err *e)
{
	struct etcd_kvs got, all;
	struct strlist have;
	char *pfx;
	size_t i, j, blen;
	int rc = -1, found;

	memset(&got, 0, sizeof(got));
	memset(&all, 0, sizeof(all));
	strlist_init(&have);
	pfx = store_etcd_key(be, "blob/state/", NULL);
	blen = strlen(be->prefix) + strlen("blob/");
	if (etcd_range_prefix(be->c, pfx, 0, 0, since + 1, &got, e) == -1)
		goto out;
	for (i = 0; i < got.n; i++)
		if (store_fs_backend.put_blob(be->mirror, got.v[i].key + blen,
		    got.v[i].value, got.v[i].vlen, 0600, e) == -1)
			goto out;
	/* What etcd no longer has, the mirror drops. */
	if (etcd_range_prefix(be->c, pfx, 0, 1, 0, &all, e) == -1 ||
	    store_fs_backend.list_blobs(be->mirror, "state", &have, NULL,
	    e) == -1)
		goto out;
	for (i = 0; i < have.n; i++) {
		found = 0;
		for (j = 0; j < all.n && !found; j++)
			found = strcmp(all.v[j].key + blen, have.v[i]) == 0;
		if (!found && store_fs_backend.del_blob(be->mirror, have.v[i],
		    e) == -1)
			goto out;
	}
	rc = 0;
out:
	strlist_clear(&have);
	etcd_kvs_clear(&got);
	etcd_kvs_clear(&all);
	free(pfx);
	return rc;
}

/* Brings the mirror up to date (see the top of etcd.c). */
int
store_etcd_mirror_sync(struct store_etcd *be, struct err *e)
{
	struct etcd_kv kv;
	struct etcd_kvs live;
	char *key = NULL, *pfx = NULL;
	long long have, rev = 0;
	int r, rc = -1;

	memset(&live, 0, sizeof(live));
	pthread_mutex_lock(&be->mmu);
	key = store_etcd_key(be, "rev", NULL);
	if ((r = etcd_get(be->c, key, &kv, NULL, e)) == -1)
		goto out;
	if (r == 1) {
		rev = kv.mod_rev;
		etcd_kv_clear(&kv);
	}
	have = be->mrev;
	if (rev == have) {	/* nothing changed since */
		rc = 0;
		goto out;
	}
	pfx = store_etcd_key(be, "live/", NULL);
	if (etcd_range_prefix(be->c, pfx, 0, 0, have + 1, &live, e) == -1 ||
	    mirror_fetch_sets(be, &live, e) == -1 ||
	    mirror_sync_states(be, have, e) == -1 ||
	    mirror_record(be, rev, e) == -1)
		goto out;
	be->mrev = rev;
	rc = 0;
out:
	pthread_mutex_unlock(&be->mmu);
	etcd_kvs_clear(&live);
	free(pfx);
	free(key);
	return rc;
}

/*
 * After a write of ours that touched rev (the caller holds mmu): when rev
 * had not moved since the mirror was brought up to date (got holds rev as
 * it was before the write, or nothing when it did not exist), the mirror,
 * which the caller has just written too, is up to date with the write:
 * advance its revision, so that the next run need not look again.
 */
void
store_etcd_mirror_own_write(struct store_etcd *be, const struct etcd_kvs *got,
    long long txnrev)
{
	struct err ignored;
	long long before = got->n > 0 ? got->v[0].mod_rev : 0;

	if (before != be->mrev || txnrev <= 0)
		return;
	if (mirror_record(be, txnrev, &ignored) == 0)
		be->mrev = txnrev;
}
