/*
 * etcd_client.c - etcd's v3 JSON gateway over libcurl (etcd_client.h).
 *
 * Every call builds one JSON body with cJSON, posts it to the first
 * endpoint that answers and parses the answer. Revisions and leases are
 * int64 and come back as JSON strings; fields equal to zero or false are
 * left out of the answers (proto3), so absent means 0.
 *
 * This file: the client (endpoints, auth_file), the JSON and base64
 * helpers, the transport (one POST, failover between endpoints, the auth
 * token) and the kv calls (get, range, put, delete, txn). Leases are in
 * etcd_lease.c, the watch in etcd_watch.c; etcd_client_impl.h is what
 * they share.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "base/buf.h"
#include "base/encode.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/secret.h"
#include "base/str.h"
#include "store/etcd_client.h"
#include "store/etcd_client_impl.h"

#define ETCD_AUTH_MAX	4096

static const char *const target_names[ETCD_T__MAX] = {
	"VERSION", "CREATE", "MOD", "VALUE", "LEASE",
};
static const char *const result_names[ETCD_R__MAX] = {
	"EQUAL", "GREATER", "LESS", "NOT_EQUAL",
};

/* 127.0.0.0/8, ::1 and localhost: where plain http stays on this host. */
static int
host_is_loopback(const char *h)
{
	return strncmp(h, "127.", 4) == 0 || strcmp(h, "[::1]") == 0 ||
	    strcmp(h, "localhost") == 0;
}

/* Splits "h:p,h:p" into URLs; refuses plain http off loopback. */
static int
etcd_parse_endpoints(struct etcd *c, const char *list, int tls,
    struct err *e)
{
	char *copy, *tok, *save = NULL, *colon, *end;
	long port;
	int rc = -1;

	copy = xstrdup(list);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		colon = strrchr(tok, ':');
		if (colon == NULL || colon == tok || (tok[0] == '[' &&
		    colon[-1] != ']')) {
			err_set(e, "etcd: endpoint \"%s\" is not HOST:PORT", tok);
			goto out;
		}
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno != 0 || *end != '\0' || port < 1 || port > 65535) {
			err_set(e, "etcd: endpoint \"%s\": bad port", tok);
			goto out;
		}
		*colon = '\0';
		if (!tls && !host_is_loopback(tok)) {
			err_set(e, "etcd: endpoint %s:%ld is not a loopback "
			    "address and etcd.ca_file is not set: plain http "
			    "to etcd is only allowed on this host; give "
			    "etcd.ca_file (and cert_file, key_file) for TLS",
			    tok, port);
			goto out;
		}
		c->urls = xrealloc(c->urls, (c->nurls + 2) * sizeof(*c->urls));
		c->urls[c->nurls++] = xasprintf("%s://%s:%ld",
		    tls ? "https" : "http", tok, port);
		c->urls[c->nurls] = NULL;
	}
	if (c->nurls == 0) {
		err_set(e, "etcd: no endpoint given");
		goto out;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

/* "user\npassword\n" from a secret file. */
static int
etcd_read_auth(struct etcd *c, const char *path, struct err *e)
{
	char *data, *nl, *pw;
	size_t len = 0;
	int rc = -1;

	if ((data = secret_read_file("etcd.auth_file", path, ETCD_AUTH_MAX,
	    &len, e)) == NULL)
		return -1;
	nl = strchr(data, '\n');
	if (nl == NULL || nl == data) {
		err_set(e, "%s: etcd.auth_file must hold a user and a "
		    "password, one a line", path);
		goto out;
	}
	*nl = '\0';
	pw = nl + 1;
	pw[strcspn(pw, "\r\n")] = '\0';
	if (*pw == '\0') {
		err_set(e, "%s: etcd.auth_file has no password line", path);
		goto out;
	}
	c->user = xstrdup(data);
	c->password = xstrdup(pw);
	rc = 0;
out:
	secret_free(data, len);
	return rc;
}

struct etcd *
etcd_open(const struct etcd_opts *o, struct err *e)
{
	struct etcd *c;

	c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	c->endpoints = xstrdup(o->endpoints != NULL ? o->endpoints : "");
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
	if ((o->cert_file != NULL) != (o->key_file != NULL)) {
		err_set(e, "etcd: cert_file and key_file go together");
		goto fail;
	}
	if (o->cert_file != NULL && o->ca_file == NULL) {
		err_set(e, "etcd: a client certificate needs etcd.ca_file "
		    "(TLS) too");
		goto fail;
	}
	if (etcd_parse_endpoints(c, c->endpoints, o->ca_file != NULL, e) ==
	    -1)
		goto fail;
	c->ca_file = o->ca_file ? xstrdup(o->ca_file) : NULL;
	c->cert_file = o->cert_file ? xstrdup(o->cert_file) : NULL;
	c->key_file = o->key_file ? xstrdup(o->key_file) : NULL;
	if (o->auth_file != NULL && etcd_read_auth(c, o->auth_file, e) == -1)
		goto fail;
	if ((c->curl = curl_easy_init()) == NULL) {
		err_set(e, "etcd: cannot make a curl handle");
		goto fail;
	}
	return c;
fail:
	etcd_free(c);
	return NULL;
}

void
etcd_str_wipe_free(char *s)
{
	if (s != NULL)
		secret_free(s, strlen(s));
}

void
etcd_free(struct etcd *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	strv_free(c->urls);
	free(c->endpoints);
	free(c->ca_file);
	free(c->cert_file);
	free(c->key_file);
	etcd_str_wipe_free(c->user);
	etcd_str_wipe_free(c->password);
	etcd_str_wipe_free(c->token);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

const char *
etcd_endpoints(const struct etcd *c)
{
	return c->endpoints;
}

long
etcd_requests(const struct etcd *c)
{
	return __atomic_load_n(&c->requests, __ATOMIC_RELAXED);
}

void
etcd_kv_clear(struct etcd_kv *kv)
{
	if (kv == NULL)
		return;
	free(kv->key);
	if (kv->value != NULL)
		explicit_bzero(kv->value, kv->vlen);
	free(kv->value);
	memset(kv, 0, sizeof(*kv));
}

void
etcd_kvs_clear(struct etcd_kvs *kvs)
{
	if (kvs == NULL)
		return;
	for (size_t i = 0; i < kvs->n; i++)
		etcd_kv_clear(&kvs->v[i]);
	free(kvs->v);
	memset(kvs, 0, sizeof(*kvs));
}

/* Base64 of bytes, as the gateway wants them. */
static char *
b64(const void *p, size_t n)
{
	return b64_encode(p, n);
}

/* Standard base64 to bytes (NUL-terminated); NULL when not base64. */
static char *
unb64(const char *s, size_t *n)
{
	char *u, *p;
	unsigned char *out;
	size_t len;

	u = xstrdup(s);
	for (p = u; *p != '\0'; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	}
	len = strlen(u);
	while (len > 0 && u[len - 1] == '=')
		u[--len] = '\0';
	out = b64url_decode(u, n);
	free(u);
	if (out == NULL)
		return NULL;
	p = xmalloc(*n + 1);
	memcpy(p, out, *n);
	p[*n] = '\0';
	explicit_bzero(out, *n);
	free(out);
	return p;
}

/* An int64 of an answer: a string, a number, or absent (0). */
long long
etcd_json_int64(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsString(v))
		return strtoll(v->valuestring, NULL, 10);
	if (cJSON_IsNumber(v))
		return (long long)v->valuedouble;
	return 0;
}

void
etcd_json_add_b64(cJSON *o, const char *name, const void *p, size_t n)
{
	char *s = b64(p, n);

	cJSON_AddStringToObject(o, name, s);
	free(s);
}

void
etcd_json_add_int64(cJSON *o, const char *name, long long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", v);
	cJSON_AddStringToObject(o, name, s);
}

/* The end of the range of every key starting with prefix: the prefix
   with its last byte incremented (bytes of 0xff dropped). */
char *
etcd_prefix_end(const char *prefix, size_t *n)
{
	char *end = xstrdup(prefix);
	size_t len = strlen(end);

	while (len > 0) {
		if ((unsigned char)end[len - 1] < 0xff) {
			end[len - 1]++;
			break;
		}
		len--;
	}
	if (len == 0) {		/* every key: "\0" */
		end[0] = '\0';
		len = 1;
	}
	*n = len;
	return end;
}

static size_t
etcd_write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t n = size * nmemb;

	if (b->len + n > (size_t)ETCD_ANSWER_MAX)
		return 0;
	buf_append(b, ptr, n);
	return n;
}

void
etcd_curl_common(struct etcd *c, CURL *h)
{
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	if (c->cert_file != NULL) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert_file);
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->key_file);
	}
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    c->timeout_ms < 2000 ? c->timeout_ms : 2000L);
}

/*
 * Posts body to path on one endpoint. Returns 0 with *answer parsed, 1
 * when this endpoint did not answer usefully (try the next: *why says
 * why, malloced), -1 on an error etcd gave (e filled; not retried
 * elsewhere).
 */
static int
etcd_post_one(struct etcd *c, const char *url, const char *path,
    const char *body, cJSON **answer, char **why, struct err *e)
{
	struct curl_slist *hdrs = NULL;
	struct buf b;
	char *full, *auth = NULL, *msg;
	long status = 0;
	CURLcode cc;
	cJSON *j = NULL, *m;
	int rc = 1;

	*answer = NULL;
	buf_init(&b);
	full = xstrcat(url, path, NULL);
	curl_easy_reset(c->curl);
	etcd_curl_common(c, c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, full);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, etcd_write_cb);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &b);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	if (c->token != NULL) {
		auth = xstrcat("Authorization: ", c->token, NULL);
		hdrs = curl_slist_append(hdrs, auth);
	}
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdrs);
	__atomic_add_fetch(&c->requests, 1, __ATOMIC_RELAXED);
	cc = curl_easy_perform(c->curl);
	if (cc != CURLE_OK) {
		*why = xasprintf("%s: %s", url, curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	buf_append(&b, "", 1);
	j = cJSON_Parse(b.data);
	if (status >= 500 || status == 0 || j == NULL) {
		m = cJSON_GetObjectItemCaseSensitive(j, "message");
		msg = str_escape(cJSON_IsString(m) ? m->valuestring : "");
		*why = xasprintf("%s: HTTP %ld%s%s", url, status,
		    *msg ? ": " : "", msg);
		free(msg);
		goto out;
	}
	if (status != 200) {
		m = cJSON_GetObjectItemCaseSensitive(j, "message");
		if (!cJSON_IsString(m))
			m = cJSON_GetObjectItemCaseSensitive(j, "error");
		msg = str_escape(cJSON_IsString(m) ? m->valuestring : "");
		err_set(e, "etcd %s%s: HTTP %ld: %s", url, path, status, msg);
		free(msg);
		rc = -1;
		goto out;
	}
	*answer = j;
	j = NULL;
	rc = 0;
out:
	cJSON_Delete(j);
	curl_slist_free_all(hdrs);
	if (auth != NULL)
		secret_free(auth, strlen(auth));
	buf_clear(&b);
	free(full);
	return rc;
}

/* Tries every endpoint in turn, the one that answered last first. */
static int
etcd_post_locked(struct etcd *c, const char *path, const char *body,
    cJSON **answer, struct err *e)
{
	struct buf tried;
	char *why = NULL;
	size_t i, k;
	int r;

	buf_init(&tried);
	for (i = 0; i < c->nurls; i++) {
		k = (c->first + i) % c->nurls;
		r = etcd_post_one(c, c->urls[k], path, body, answer, &why, e);
		if (r == 0)
			c->first = k;
		if (r <= 0) {
			buf_clear(&tried);
			free(why);
			return r;
		}
		buf_printf(&tried, "%s%s", tried.len ? "; " : "", why);
		free(why);
		why = NULL;
	}
	buf_append(&tried, "", 1);
	err_set(e, "etcd: no endpoint answered (%s)", tried.data);
	buf_clear(&tried);
	return -1;
}

/* Gets a token with the user and password of auth_file. */
int
etcd_authenticate(struct etcd *c, struct err *e)
{
	cJSON *req, *ans = NULL, *t;
	char *body;
	int rc = -1;

	etcd_str_wipe_free(c->token);
	c->token = NULL;
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "name", c->user);
	cJSON_AddStringToObject(req, "password", c->password);
	body = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);	/* the password is in body only now */
	if (etcd_post_locked(c, "/v3/auth/authenticate", body, &ans, e) != 0)
		goto out;
	t = cJSON_GetObjectItemCaseSensitive(ans, "token");
	if (!cJSON_IsString(t)) {
		err_set(e, "etcd %s: authentication gave no token",
		    c->endpoints);
		goto out;
	}
	c->token = xstrdup(t->valuestring);
	rc = 0;
out:
	cJSON_Delete(ans);
	secret_free(body, strlen(body));
	return rc;
}

/* One request: authenticates first when needed, and again once when the
   token has expired. */
int
etcd_post(struct etcd *c, const char *path, cJSON *req, cJSON **answer,
    struct err *e)
{
	char *body;
	int r, tries;

	body = cJSON_PrintUnformatted(req);
	pthread_mutex_lock(&c->mu);
	for (tries = 0; ; tries++) {
		if (c->user != NULL && c->token == NULL &&
		    etcd_authenticate(c, e) == -1) {
			r = -1;
			break;
		}
		r = etcd_post_locked(c, path, body, answer, e);
		if (r == 0 || c->user == NULL || tries > 0 ||
		    strstr(e->msg, "token") == NULL)
			break;
		etcd_str_wipe_free(c->token);
		c->token = NULL;
	}
	pthread_mutex_unlock(&c->mu);
	free(body);
	return r;
}

int
etcd_call(struct etcd *c, const char *path, cJSON *req, const char *member,
    long long *val, long long *rev, struct err *e)
{
	cJSON *ans = NULL;
	const cJSON *res;
	int rc;

	rc = etcd_post(c, path, req, &ans, e) == 0 ? 0 : -1;
	if (rc == 0 && member != NULL) {
		/* A stream of one answer: {"result": {...}}. */
		res = cJSON_GetObjectItemCaseSensitive(ans, "result");
		*val = etcd_json_int64(res != NULL ? res : ans, member);
	}
	if (rc == 0 && rev != NULL)
		*rev = etcd_header_revision(ans);
	cJSON_Delete(req);
	cJSON_Delete(ans);
	return rc;
}

/* Fills kv from one "kvs" entry of an answer. */
int
etcd_kv_from_json(const cJSON *o, struct etcd_kv *kv, struct err *e)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "key");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "value");
	size_t n = 0;

	memset(kv, 0, sizeof(*kv));
	if (!cJSON_IsString(k) || (kv->key = unb64(k->valuestring, &n)) ==
	    NULL) {
		err_set(e, "etcd: an answer holds a key that is not base64");
		return -1;
	}
	if (cJSON_IsString(v)) {
		if ((kv->value = unb64(v->valuestring, &kv->vlen)) == NULL) {
			err_set(e, "etcd: the value of %s is not base64",
			    kv->key);
			etcd_kv_clear(kv);
			return -1;
		}
	}
	kv->create_rev = etcd_json_int64(o, "create_revision");
	kv->mod_rev = etcd_json_int64(o, "mod_revision");
	kv->version = etcd_json_int64(o, "version");
	kv->lease = etcd_json_int64(o, "lease");
	return 0;
}

/* Appends the "kvs" of a range answer to out. */
static int
etcd_kvs_append(const cJSON *range, struct etcd_kvs *out, int keys_only,
    struct err *e)
{
	const cJSON *kvs = cJSON_GetObjectItemCaseSensitive(range, "kvs");
	const cJSON *it;
	size_t n = (size_t)cJSON_GetArraySize(kvs);

	if (n == 0)
		return 0;
	out->v = xrealloc(out->v, (out->n + n) * sizeof(*out->v));
	cJSON_ArrayForEach(it, kvs) {
		if (etcd_kv_from_json(it, &out->v[out->n], e) == -1)
			return -1;
		if (keys_only && out->v[out->n].value == NULL)
			out->v[out->n].vlen = 0;
		else if (out->v[out->n].value == NULL)
			out->v[out->n].value = xstrdup("");
		out->n++;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(range, "more")))
		out->more = 1;
	return 0;
}

long long
etcd_header_revision(const cJSON *ans)
{
	return etcd_json_int64(cJSON_GetObjectItemCaseSensitive(ans, "header"),
	    "revision");
}

int
etcd_get(struct etcd *c, const char *key, struct etcd_kv *kv,
    long long *rev, struct err *e)
{
	struct etcd_kvs got;
	cJSON *req, *ans = NULL;
	int rc = -1;

	memset(kv, 0, sizeof(*kv));
	memset(&got, 0, sizeof(got));
	req = cJSON_CreateObject();
	etcd_json_add_b64(req, "key", key, strlen(key));
	if (etcd_post(c, "/v3/kv/range", req, &ans, e) != 0 ||
	    etcd_kvs_append(ans, &got, 0, e) == -1)
		goto out;
	if (rev != NULL)
		*rev = etcd_header_revision(ans);
	if (got.n == 0) {
		rc = 0;
		goto out;
	}
	*kv = got.v[0];
	memset(&got.v[0], 0, sizeof(got.v[0]));
	rc = 1;
out:
	etcd_kvs_clear(&got);
	cJSON_Delete(req);
	cJSON_Delete(ans);
	return rc;
}

int
etcd_range_prefix(struct etcd *c, const char *prefix, long limit,
    int keys_only, long long min_mod_rev, struct etcd_kvs *out,
    struct err *e)
{
	cJSON *req, *ans = NULL;
	char *end;
	size_t elen;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (prefix == NULL || *prefix == '\0') {
		err_set(e, "etcd: a range needs a prefix");
		return -1;
	}
	req = cJSON_CreateObject();
	etcd_json_add_b64(req, "key", prefix, strlen(prefix));
	end = etcd_prefix_end(prefix, &elen);
	etcd_json_add_b64(req, "range_end", end, elen);
	free(end);
	if (limit > 0)
		etcd_json_add_int64(req, "limit", limit);
	if (keys_only)
		cJSON_AddTrueToObject(req, "keys_only");
	if (min_mod_rev > 0)
		etcd_json_add_int64(req, "min_mod_revision", min_mod_rev);
	if (etcd_post(c, "/v3/kv/range", req, &ans, e) != 0 ||
	    etcd_kvs_append(ans, out, keys_only, e) == -1) {
		etcd_kvs_clear(out);
		goto out;
	}
	out->revision = etcd_header_revision(ans);
	rc = 0;
out:
	cJSON_Delete(req);
	cJSON_Delete(ans);
	return rc;
}

int
etcd_put(struct etcd *c, const char *key, const void *value, size_t vlen,
    long long lease, long long *rev, struct err *e)
{
	cJSON *req = cJSON_CreateObject();

	etcd_json_add_b64(req, "key", key, strlen(key));
	etcd_json_add_b64(req, "value", value, vlen);
	if (lease != 0)
		etcd_json_add_int64(req, "lease", lease);
	return etcd_call(c, "/v3/kv/put", req, NULL, NULL, rev, e);
}

int
etcd_delete(struct etcd *c, const char *key, int prefix, long long *deleted,
    struct err *e)
{
	cJSON *req = cJSON_CreateObject();
	long long n = 0;
	char *end;
	size_t elen;
	int rc;

	etcd_json_add_b64(req, "key", key, strlen(key));
	if (prefix) {
		end = etcd_prefix_end(key, &elen);
		etcd_json_add_b64(req, "range_end", end, elen);
		free(end);
	}
	rc = etcd_call(c, "/v3/kv/deleterange", req, "deleted", &n, NULL, e);
	if (rc == 0 && deleted != NULL)
		*deleted = n;
	return rc;
}

static cJSON *
txn_op_json(const struct etcd_op *op)
{
	cJSON *o = cJSON_CreateObject(), *r;
	char *end;
	size_t elen;

	switch (op->kind) {
	case ETCD_OP_PUT:
		r = cJSON_AddObjectToObject(o, "request_put");
		etcd_json_add_b64(r, "key", op->key, strlen(op->key));
		etcd_json_add_b64(r, "value", op->value != NULL ? op->value :
		    "", op->vlen);
		if (op->lease != 0)
			etcd_json_add_int64(r, "lease", op->lease);
		break;
	case ETCD_OP_GET:
		r = cJSON_AddObjectToObject(o, "request_range");
		etcd_json_add_b64(r, "key", op->key, strlen(op->key));
		break;
	default:
		r = cJSON_AddObjectToObject(o, "request_delete_range");
		etcd_json_add_b64(r, "key", op->key, strlen(op->key));
		if (op->kind == ETCD_OP_DELETE_PREFIX) {
			end = etcd_prefix_end(op->key, &elen);
			etcd_json_add_b64(r, "range_end", end, elen);
			free(end);
		} else if (op->kind == ETCD_OP_DELETE_RANGE)
			etcd_json_add_b64(r, "range_end", op->range_end,
			    strlen(op->range_end));
		break;
	}
	return o;
}

int
etcd_txn(struct etcd *c, const struct etcd_cmp *cmp, size_t ncmp,
    const struct etcd_op *ok, size_t nok, const struct etcd_op *ko,
    size_t nko, int *succeeded, struct etcd_kvs *got, long long *rev,
    struct err *e)
{
	cJSON *req, *arr, *o, *ans = NULL, *it, *rr;
	size_t i;
	int rc = -1;

	*succeeded = 0;
	req = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(req, "compare");
	for (i = 0; i < ncmp; i++) {
		o = cJSON_CreateObject();
		etcd_json_add_b64(o, "key", cmp[i].key, strlen(cmp[i].key));
		cJSON_AddStringToObject(o, "target",
		    target_names[cmp[i].target]);
		cJSON_AddStringToObject(o, "result",
		    result_names[cmp[i].result]);
		switch (cmp[i].target) {
		case ETCD_T_VERSION:
			etcd_json_add_int64(o, "version", cmp[i].n);
			break;
		case ETCD_T_CREATE:
			etcd_json_add_int64(o, "create_revision", cmp[i].n);
			break;
		case ETCD_T_MOD:
			etcd_json_add_int64(o, "mod_revision", cmp[i].n);
			break;
		case ETCD_T_LEASE:
			etcd_json_add_int64(o, "lease", cmp[i].n);
			break;
		default:
			etcd_json_add_b64(o, "value", cmp[i].value,
			    cmp[i].vlen);
			break;
		}
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(req, "success");
	for (i = 0; i < nok; i++)
		cJSON_AddItemToArray(arr, txn_op_json(&ok[i]));
	arr = cJSON_AddArrayToObject(req, "failure");
	for (i = 0; i < nko; i++)
		cJSON_AddItemToArray(arr, txn_op_json(&ko[i]));
	if (etcd_post(c, "/v3/kv/txn", req, &ans, e) != 0)
		goto out;
	*succeeded = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ans,
	    "succeeded"));
	if (rev != NULL)
		*rev = etcd_header_revision(ans);
	if (got != NULL) {
		got->revision = etcd_header_revision(ans);
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(ans,
		    "responses")) {
			rr = cJSON_GetObjectItemCaseSensitive(it,
			    "response_range");
			if (rr != NULL && etcd_kvs_append(rr, got, 0, e) == -1)
				goto out;
		}
	}
	rc = 0;
out:
	cJSON_Delete(req);
	cJSON_Delete(ans);
	return rc;
}
