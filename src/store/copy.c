/*
 * copy.c - a repository copied between stores (copy.h), through the
 * store's own interface only, so any backend meets any other.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/str.h"
#include "store/copy.h"
#include "store/store.h"

const char *const store_copy_prefixes[] = {
	"accounts", "state", "pending", NULL,
};

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0);
}

/* Appends the keys of every blob under store_copy_prefixes to keys. */
static int
copy_list_blobs(struct store *from, struct strlist *keys, struct err *e)
{
	for (size_t p = 0; store_copy_prefixes[p] != NULL; p++)
		if (store_list_blobs(from, store_copy_prefixes[p], keys, NULL,
		    e) == -1)
			return -1;
	return 0;
}

int
store_copy(struct store *from, struct store *to,
    struct store_copy_summary *sum, struct err *e)
{
	struct strlist names, have, keys;
	struct certset set;
	char *data = NULL;
	size_t i, len = 0;
	int rc = -1, r;

	memset(sum, 0, sizeof(*sum));
	strlist_init(&names);
	strlist_init(&have);
	strlist_init(&keys);
	memset(&set, 0, sizeof(set));
	if (store_list(to, &have, e) == -1)
		goto out;
	if (have.n > 0) {
		err_set(e, "%s already holds %zu certificate set%s (%s...); "
		    "nothing was copied", store_root(to), have.n,
		    have.n == 1 ? "" : "s", have.v[0]);
		goto out;
	}
	if (store_list(from, &names, e) == -1)
		goto out;
	for (i = 0; i < names.n; i++) {
		if ((r = store_read_set(from, names.v[i], &set, e)) == -1)
			goto out;
		if (r == 0 || set.cert == NULL || set.key == NULL) {
			certset_clear(&set);
			continue;	/* nothing sound to copy */
		}
		if (store_replace_set(to, names.v[i], &set, e) == -1)
			goto out;
		certset_clear(&set);
		sum->sets++;
	}
	if (copy_list_blobs(from, &keys, e) == -1)
		goto out;
	for (i = 0; i < keys.n; i++) {
		if ((r = store_get_blob(from, keys.v[i], &data, &len, e)) == -1)
			goto out;
		if (r == 1 && store_put_blob(to, keys.v[i], data, len, 0600,
		    e) == -1)
			goto out;
		if (data != NULL)
			explicit_bzero(data, len);
		free(data);
		data = NULL;
		sum->blobs += r == 1;
	}
	rc = 0;
out:
	if (data != NULL)
		explicit_bzero(data, len);
	free(data);
	certset_clear(&set);
	strlist_clear(&names);
	strlist_clear(&have);
	strlist_clear(&keys);
	return rc;
}

int
store_copy_verify(struct store *from, struct store *check, struct err *e)
{
	struct strlist names, keys;
	struct certset a, b;
	char *da = NULL, *db = NULL;
	size_t i, la = 0, lb = 0;
	int rc = -1;

	strlist_init(&names);
	strlist_init(&keys);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (store_list(from, &names, e) == -1)
		goto out;
	for (i = 0; i < names.n; i++) {
		if (store_read_set(from, names.v[i], &a, e) == -1)
			goto out;
		if (a.cert == NULL || a.key == NULL) {
			certset_clear(&a);
			continue;
		}
		if (store_read_set(check, names.v[i], &b, e) != 1 ||
		    !same(a.cert, b.cert) || !same(a.key, b.key) ||
		    !same(a.chain != NULL && *a.chain ? a.chain : NULL,
		    b.chain != NULL && *b.chain ? b.chain : NULL)) {
			err_set(e, "verify: the set of %s differs in %s",
			    names.v[i], store_root(check));
			goto out;
		}
		certset_clear(&a);
		certset_clear(&b);
	}
	if (copy_list_blobs(from, &keys, e) == -1)
		goto out;
	for (i = 0; i < keys.n; i++) {
		if (store_get_blob(from, keys.v[i], &da, &la, e) != 1 ||
		    store_get_blob(check, keys.v[i], &db, &lb, e) != 1 ||
		    la != lb || memcmp(da, db, la) != 0) {
			err_set(e, "verify: %s differs in %s",
			    keys.v[i], store_root(check));
			goto out;
		}
		explicit_bzero(da, la);
		explicit_bzero(db, lb);
		free(da);
		free(db);
		da = db = NULL;
	}
	rc = 0;
out:
	if (da != NULL)
		explicit_bzero(da, la);
	if (db != NULL)
		explicit_bzero(db, lb);
	free(da);
	free(db);
	certset_clear(&a);
	certset_clear(&b);
	strlist_clear(&names);
	strlist_clear(&keys);
	return rc;
}
