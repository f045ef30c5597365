/*
 * store.c - the repository interface (docs/store.md): checks names and
 * blob keys, derives fullchain/combined, keeps the per-certificate state
 * JSON on top of blobs, and hands the bytes to a backend (store_backend.h).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/backend.h"
#include "store/etcd_client.h"
#include "store/store.h"
#include "store/token_watch.h"

struct store {
	char	*root;
	char	*live_root;	/* where listeners read the live sets */
	const struct store_backend *be;
	void	*data;
};

const char *const store_file_names[STORE_F__MAX] = {
	STORE_CERT, STORE_CHAIN, STORE_KEY, STORE_FULLCHAIN, STORE_COMBINED,
};

void
certset_clear(struct certset *set)
{
	if (set == NULL)
		return;
	/* Key material does not outlive its use in freed heap memory. */
	if (set->key != NULL)
		explicit_bzero(set->key, strlen(set->key));
	if (set->combined != NULL)
		explicit_bzero(set->combined, strlen(set->combined));
	free(set->cert);
	free(set->chain);
	free(set->key);
	free(set->fullchain);
	free(set->combined);
	memset(set, 0, sizeof(*set));
}

/* A certificate name is one safe path component (the manifest checks the
   same; the store does not trust its callers with paths). */
static int
store_name_ok(const char *name, struct err *e)
{
	if (name == NULL || *name == '\0' || name[0] == '.' ||
	    strchr(name, '/') != NULL || strlen(name) > 255) {
		err_set(e, "store: \"%s\" is not a safe certificate name",
		    name != NULL ? name : "");
		return 0;
	}
	return 1;
}

/* A blob key is a relative path whose components are plain names. */
static int
store_key_ok(const char *key, struct err *e)
{
	const char *p, *slash;
	size_t n;

	if (key == NULL || *key == '\0' || key[0] == '/' ||
	    strlen(key) > 1024)
		goto bad;
	for (p = key; ; p = slash + 1) {
		slash = strchr(p, '/');
		n = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || p[0] == '.')	/* "", ".", "..", dot-files */
			goto bad;
		if (slash == NULL)
			break;
	}
	return 1;
bad:
	err_set(e, "store: blob key \"%s\" is not a relative path of plain "
	    "names", key != NULL ? key : "");
	return 0;
}

struct store *
store_open(const char *root, int create, struct err *e)
{
	return store_open_with(root, NULL, create, e);
}

struct store *
store_open_with(const char *root, const struct store_etcd_opts *eo,
    int create, struct err *e)
{
	struct store *s;

	if (root == NULL || *root == '\0') {
		err_set(e, "store: no root directory given");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->root = xstrdup(root);
	if (strncmp(root, STORE_ETCD_SCHEME, strlen(STORE_ETCD_SCHEME)) == 0) {
		s->be = &store_etcd_backend;
		s->data = store_etcd_open(root, eo, create, e);
		if (s->data != NULL)
			s->live_root = xstrdup(store_etcd_local_dir(s->data));
	} else {
		s->be = &store_fs_backend;
		s->data = s->be->open(root, create, e);
		s->live_root = xstrdup(root);
	}
	if (s->data == NULL) {
		free(s->live_root);
		free(s->root);
		free(s);
		return NULL;
	}
	return s;
}

int
store_is_shared(const struct store *s)
{
	return s->be == &store_etcd_backend;
}

int
store_changed_elsewhere(const struct store *s, const char *name)
{
	return s->be == &store_etcd_backend ? store_etcd_synced(s->data,
	    name) : 0;
}

long
store_requests(const struct store *s)
{
	return s->be == &store_etcd_backend ? store_etcd_requests(s->data) :
	    -1;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	s->be->close(s->data);
	free(s->live_root);
	free(s->root);
	free(s);
}

const char *
store_root(const struct store *s)
{
	return s->root;
}

char *
store_live_path(const struct store *s, const char *name, const char *file)
{
	return xstrcat(s->live_root, "/letsencrypt/", name, "/", file, NULL);
}

int
store_read_set(struct store *s, const char *name, struct certset *set,
    struct err *e)
{
	memset(set, 0, sizeof(*set));
	if (!store_name_ok(name, e))
		return -1;
	return s->be->read_set(s->data, name, set, e);
}

int
store_stat_set(struct store *s, const char *name, struct store_setid *id,
    struct err *e)
{
	memset(id, 0, sizeof(*id));
	if (!store_name_ok(name, e))
		return -1;
	if (s->be->stat_set == NULL) {
		err_set(e, "store: the %s backend cannot stat a set",
		    s->be->name);
		return -1;
	}
	return s->be->stat_set(s->data, name, id, e);
}

/* Appends PEM text, making sure it ends with a newline. */
static void
pem_append(struct buf *b, const char *pem)
{
	size_t n;

	if (pem == NULL || *pem == '\0')
		return;
	n = strlen(pem);
	buf_append(b, pem, n);
	if (pem[n - 1] != '\n')
		buf_puts(b, "\n");
}

int
store_replace_set(struct store *s, const char *name,
    const struct certset *set, struct err *e)
{
	struct certset full;
	struct buf b;
	int rc;

	if (!store_name_ok(name, e))
		return -1;
	if (set->cert == NULL || *set->cert == '\0' || set->key == NULL ||
	    *set->key == '\0') {
		err_set(e, "store: set for %s has no certificate or no key",
		    name);
		return -1;
	}
	memset(&full, 0, sizeof(full));
	buf_init(&b);
	pem_append(&b, set->cert);
	full.cert = buf_steal(&b);
	pem_append(&b, set->chain);
	full.chain = buf_steal(&b);
	pem_append(&b, set->key);
	full.key = buf_steal(&b);
	pem_append(&b, set->cert);
	pem_append(&b, set->chain);
	full.fullchain = buf_steal(&b);
	pem_append(&b, set->key);
	pem_append(&b, set->cert);
	pem_append(&b, set->chain);
	full.combined = buf_steal(&b);
	rc = s->be->replace_set(s->data, name, &full, e);
	certset_clear(&full);
	return rc;
}

int
store_lock(struct store *s, int wait, struct store_lock **lk, struct err *e)
{
	*lk = NULL;
	return s->be->lock(s->data, NULL, wait, lk, e);
}

int
store_lock_cert(struct store *s, const char *name, int wait,
    struct store_lock **lk, struct err *e)
{
	*lk = NULL;
	if (!store_name_ok(name, e))
		return -1;
	return s->be->lock(s->data, name, wait, lk, e);
}

int
store_lock_account(struct store *s, struct store_lock **lk, struct err *e)
{
	*lk = NULL;
	if (!store_is_shared(s))
		return 0;
	/* No certificate name begins with a dot. */
	return s->be->lock(s->data, ".account", 1, lk, e);
}

void
store_unlock(struct store_lock *lk)
{
	if (lk != NULL)
		lk->be->unlock(lk);
}

int
store_list(struct store *s, struct strlist *names, struct err *e)
{
	return s->be->list(s->data, names, e);
}

int
store_get_blob(struct store *s, const char *key, char **data, size_t *len,
    struct err *e)
{
	*data = NULL;
	if (len != NULL)
		*len = 0;
	if (!store_key_ok(key, e))
		return -1;
	return s->be->get_blob(s->data, key, data, len, e);
}

int
store_put_blob(struct store *s, const char *key, const void *data,
    size_t len, mode_t mode, struct err *e)
{
	if (!store_key_ok(key, e))
		return -1;
	return s->be->put_blob(s->data, key, data, len, mode, e);
}

int
store_del_blob(struct store *s, const char *key, struct err *e)
{
	if (!store_key_ok(key, e))
		return -1;
	return s->be->del_blob(s->data, key, e);
}

int
store_list_blobs(struct store *s, const char *prefix, struct strlist *keys,
    mode_t **modes, struct err *e)
{
	if (modes != NULL)
		*modes = NULL;
	if (!store_key_ok(prefix, e))
		return -1;
	return s->be->list_blobs(s->data, prefix, keys, modes, e);
}

int
store_get_state(struct store *s, const char *name, struct cJSON **state,
    char **warning, struct err *e)
{
	return store_get_state_text(s, name, state, NULL, warning, e);
}

int
store_get_state_text(struct store *s, const char *name, struct cJSON **state,
    char **text, char **warning, struct err *e)
{
	char *key = NULL, *data = NULL;
	size_t len = 0;
	cJSON *j = NULL;
	int rc = -1, r;

	*state = NULL;
	if (text != NULL)
		*text = NULL;
	if (warning != NULL)
		*warning = NULL;
	if (!store_name_ok(name, e))
		return -1;
	key = xstrcat("state/", name, ".json", NULL);
	if ((r = store_get_blob(s, key, &data, &len, e)) != 1) {
		rc = r;
		goto out;
	}
	j = cJSON_ParseWithLength(data, len);
	if (j == NULL || !cJSON_IsObject(j)) {
		/* A damaged state must never block renewals: start afresh;
		   the next put replaces the file. */
		if (warning != NULL)
			*warning = xasprintf("%s/%s: not a JSON object; state "
			    "discarded", s->root, key);
		rc = 0;
		goto out;
	}
	*state = j;
	j = NULL;
	if (text != NULL) {
		*text = data;
		data = NULL;
	}
	rc = 1;
out:
	cJSON_Delete(j);
	free(data);
	free(key);
	return rc;
}

int
store_put_state(struct store *s, const char *name, const struct cJSON *state,
    struct err *e)
{
	char *key = NULL, *text = NULL;
	int rc = -1;

	if (!store_name_ok(name, e))
		return -1;
	key = xstrcat("state/", name, ".json", NULL);
	if ((text = cJSON_Print(state)) == NULL) {
		err_set(e, "%s: cannot serialise the state of %s", s->root,
		    name);
		goto out;
	}
	rc = store_put_blob(s, key, text, strlen(text), 0600, e);
out:
	cJSON_free(text);
	free(key);
	return rc;
}

int
store_token_ok(const char *token)
{
	size_t n;

	if (token == NULL)
		return 0;
	for (n = 0; token[n] != '\0'; n++) {
		char c = token[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		if (n >= STORE_TOKEN_MAX)
			return 0;
	}
	return n > 0;
}

/* A key authorization: base64url and one ".", printable, bounded. */
static int
store_keyauth_ok(const char *ka)
{
	size_t n, dots = 0;

	for (n = 0; ka[n] != '\0'; n++) {
		char c = ka[n];

		if (c == '.')
			dots++;
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		if (n >= 2 * STORE_TOKEN_MAX)
			return 0;
	}
	return n > 0 && dots == 1;
}

static int
store_token_check(struct store *s, const char *token, struct err *e)
{
	if (!store_token_ok(token)) {
		err_set(e, "store: \"%s\" is not an http-01 token (base64url, "
		    "1 to %d characters)", token != NULL ? token : "",
		    STORE_TOKEN_MAX);
		return 0;
	}
	if (s->be->put_token == NULL || s->be->get_token == NULL ||
	    s->be->del_token == NULL) {
		err_set(e, "store: the %s backend cannot publish http-01 "
		    "tokens", s->be->name);
		return 0;
	}
	return 1;
}

int
store_put_token(struct store *s, const char *token, const char *keyauth,
    int ttl, struct err *e)
{
	if (!store_token_check(s, token, e))
		return -1;
	if (keyauth == NULL || !store_keyauth_ok(keyauth) ||
	    strncmp(keyauth, token, strlen(token)) != 0 ||
	    keyauth[strlen(token)] != '.') {
		err_set(e, "store: the key authorization of token %s is not "
		    "\"%s.<thumbprint>\"", token, token);
		return -1;
	}
	if (ttl < 1) {
		err_set(e, "store: token %s: a time to live of %d s", token,
		    ttl);
		return -1;
	}
	return s->be->put_token(s->data, token, keyauth, ttl, e);
}

int
store_del_token(struct store *s, const char *token, struct err *e)
{
	if (!store_token_check(s, token, e))
		return -1;
	return s->be->del_token(s->data, token, e);
}

int
store_get_token(struct store *s, const char *token, char **keyauth,
    struct err *e)
{
	*keyauth = NULL;
	if (!store_token_check(s, token, e))
		return -1;
	return s->be->get_token(s->data, token, keyauth, e);
}

struct store_token_watch {
	struct store		*s;	/* a directory: read each time */
	struct etcd		*c;	/* etcd: the client, */
	struct etcd_token_watch	*ew;	/* and the copy it keeps */
};

struct store_token_watch *
store_token_watch_open(const char *root, const struct store_etcd_opts *eo,
    struct err *e)
{
	struct store_token_watch *w = xcalloc(1, sizeof(*w));
	struct etcd_opts co;
	char *endpoints = NULL, *prefix = NULL, *tokens = NULL;

	if (root == NULL || strncmp(root, STORE_ETCD_SCHEME,
	    strlen(STORE_ETCD_SCHEME)) != 0) {
		char *probe = NULL;

		if ((w->s = store_open(root, 0, e)) == NULL)
			goto fail;
		/* A token directory this user cannot read fails now, not as
		   a 404 to every request. */
		if (store_get_token(w->s, "certkeep-probe", &probe, e) == -1)
			goto fail;
		free(probe);
		return w;
	}
	if (etcd_parse_url(root, &endpoints, &prefix, e) == -1)
		goto fail;
	memset(&co, 0, sizeof(co));
	co.endpoints = endpoints;
	if (eo != NULL) {
		co.ca_file = eo->ca_file;
		co.cert_file = eo->cert_file;
		co.key_file = eo->key_file;
		co.auth_file = eo->auth_file;
	}
	if ((w->c = etcd_open(&co, e)) == NULL)
		goto fail;
	tokens = xstrcat(prefix, "tokens/", NULL);
	if ((w->ew = etcd_token_watch_start(w->c, tokens, e)) == NULL) {
		err_prefix(e, "store %s", root);
		goto fail;
	}
	free(tokens);
	free(prefix);
	free(endpoints);
	return w;
fail:
	free(tokens);
	free(prefix);
	free(endpoints);
	store_token_watch_close(w);
	return NULL;
}

int
store_token_watch_get(struct store_token_watch *w, const char *token,
    char **keyauth, struct err *e)
{
	*keyauth = NULL;
	if (!store_token_ok(token)) {
		err_set(e, "store: \"%s\" is not an http-01 token", token);
		return -1;
	}
	if (w->ew != NULL)
		return etcd_token_watch_get(w->ew, token, keyauth);
	return store_get_token(w->s, token, keyauth, e);
}

void
store_token_watch_close(struct store_token_watch *w)
{
	if (w == NULL)
		return;
	etcd_token_watch_stop(w->ew);
	etcd_free(w->c);
	store_free(w->s);
	free(w);
}

int
store_can_stat_state(const struct store *s)
{
	return s->be->stat_blob != NULL;
}

int
store_stat_state(struct store *s, const char *name, struct store_fileid *id,
    struct err *e)
{
	char *key;
	int rc;

	memset(id, 0, sizeof(*id));
	if (!store_name_ok(name, e))
		return -1;
	if (s->be->stat_blob == NULL) {
		err_set(e, "store: the %s backend cannot stat a state",
		    s->be->name);
		return -1;
	}
	key = xstrcat("state/", name, ".json", NULL);
	rc = s->be->stat_blob(s->data, key, id, e);
	free(key);
	return rc;
}
