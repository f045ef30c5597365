/*
 * acme.c - the ACME client core: directory, nonces, the signed-request
 * primitive, problem documents and the wait helper (see acme.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "acme.h"
#include "cabundle.h"
#include "err.h"
#include "key.h"
#include "log.h"
#include "manifest.h"
#include "util.h"

const char *const acme_class_names[ACME__MAX] = {
	"ok", "retryable", "rate-limited", "bad-input", "network", "protocol",
};

/* Every problem type of RFC 8555 6.7 (and later RFCs) and what it means
   for the caller; the one table (mod_md's Problems[]). */
static const struct {
	const char	*name;
	enum acme_class	 cls;
	int		 validation;
} problems[] = {
	{ "accountDoesNotExist",	ACME_BAD_INPUT, 0 },
	{ "alreadyReplaced",		ACME_BAD_INPUT, 0 },
	{ "alreadyRevoked",		ACME_BAD_INPUT, 0 },
	{ "badCSR",			ACME_BAD_INPUT, 0 },
	{ "badNonce",			ACME_RETRYABLE, 0 },
	{ "badPublicKey",		ACME_BAD_INPUT, 0 },
	{ "badRevocationReason",	ACME_BAD_INPUT, 0 },
	{ "badSignatureAlgorithm",	ACME_PROTOCOL, 0 },
	{ "caa",			ACME_BAD_INPUT, 1 },
	{ "compound",			ACME_BAD_INPUT, 0 },
	{ "connection",			ACME_BAD_INPUT, 1 },
	{ "dns",			ACME_BAD_INPUT, 1 },
	{ "externalAccountRequired",	ACME_BAD_INPUT, 0 },
	{ "incorrectResponse",		ACME_BAD_INPUT, 1 },
	{ "invalidContact",		ACME_BAD_INPUT, 0 },
	{ "invalidProfile",		ACME_BAD_INPUT, 0 },
	{ "malformed",			ACME_PROTOCOL, 0 },
	{ "orderNotReady",		ACME_PROTOCOL, 0 },
	{ "rateLimited",		ACME_RATE_LIMITED, 0 },
	{ "rejectedIdentifier",		ACME_BAD_INPUT, 0 },
	{ "serverInternal",		ACME_RETRYABLE, 0 },
	{ "tls",			ACME_BAD_INPUT, 1 },
	{ "unauthorized",		ACME_BAD_INPUT, 1 },
	{ "unsupportedContact",		ACME_BAD_INPUT, 0 },
	{ "unsupportedIdentifier",	ACME_BAD_INPUT, 0 },
	{ "userActionRequired",		ACME_BAD_INPUT, 0 },
};

enum acme_class
acme_problem_class(const char *type, int *validation)
{
	size_t ul = strlen(ACME_URN);

	if (validation != NULL)
		*validation = 0;
	if (type == NULL)
		return ACME_PROTOCOL;
	if (strncmp(type, ACME_URN, ul) == 0)
		type += ul;
	for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++)
		if (strcmp(problems[i].name, type) == 0) {
			if (validation != NULL)
				*validation = problems[i].validation;
			return problems[i].cls;
		}
	return ACME_PROTOCOL;
}

struct acme {
	struct http	*http;
	const struct log *log;
	char		*dir_url;
	struct acme_dir	 dir;
	int		 have_dir;
	/* A failed directory fetch is remembered: a run against an
	   unreachable CA then fails every certificate at once instead of
	   waiting one timeout per certificate. Written before any
	   concurrent reader (the checks' threads) can see it. */
	int		 dir_failed;
	struct err	 dir_err;
	struct strlist	 nonces;
	const struct key *key;
	char		*kid;
	enum acme_class	 last_class;
	char		*last_type;
	long long	 last_retry;
};

static void
dir_clear(struct acme_dir *d)
{
	free(d->url);
	free(d->new_nonce);
	free(d->new_account);
	free(d->new_order);
	free(d->new_authz);
	free(d->revoke_cert);
	free(d->key_change);
	free(d->renewal_info);
	free(d->terms);
	free(d->website);
	strlist_free(&d->caa_identities);
	cJSON_Delete(d->profiles);
	cJSON_Delete(d->raw);
	memset(d, 0, sizeof(*d));
}

struct acme *
acme_new(const char *dir_url, const char *ca_file, const struct log *log,
    struct err *e)
{
	struct acme *a;
	struct http *h;

	if ((h = http_new(ca_file, e)) == NULL)
		return NULL;
	a = xcalloc(1, sizeof(*a));
	a->http = h;
	a->log = log;
	a->dir_url = xstrdup(dir_url);
	strlist_init(&a->nonces);
	strlist_init(&a->dir.caa_identities);
	a->last_retry = -1;
	return a;
}

struct acme *
acme_new_for(const struct macme *cfg, const struct log *log, struct err *e)
{
	struct acme *a;
	char *ca;

	if ((ca = cabundle_path(cfg->ca_bundle, e)) == NULL)
		return NULL;
	a = acme_new(cfg->directory, ca, log, e);
	free(ca);
	return a;
}

void
acme_free(struct acme *a)
{
	if (a == NULL)
		return;
	http_free(a->http);
	dir_clear(&a->dir);
	strlist_free(&a->nonces);
	free(a->dir_url);
	free(a->kid);
	free(a->last_type);
	free(a);
}

void
acme_set_failure(struct acme *a, enum acme_class c, const char *type,
    long long retry_after)
{
	a->last_class = c;
	free(a->last_type);
	a->last_type = type != NULL ? xstrdup(type) : NULL;
	a->last_retry = retry_after;
}

enum acme_class
acme_last_class(const struct acme *a)
{
	return a->last_class;
}

const char *
acme_last_type(const struct acme *a)
{
	return a->last_type;
}

long long
acme_last_retry_after(const struct acme *a)
{
	return a->last_retry;
}

long
acme_requests(const struct acme *a)
{
	return http_count(a->http);
}

void
acme_set_account(struct acme *a, const struct key *k, const char *kid)
{
	char *copy = kid != NULL ? xstrdup(kid) : NULL;	/* kid may be a->kid */

	a->key = k;
	free(a->kid);
	a->kid = copy;
}

const char *
acme_kid(const struct acme *a)
{
	return a->kid;
}

const struct key *
acme_key(const struct acme *a)
{
	return a->key;
}

static void
nonce_keep(struct acme *a, const struct http_resp *r)
{
	if (r->nonce != NULL && *r->nonce != '\0')
		strlist_add(&a->nonces, r->nonce);
}

static void
debug_req(const struct acme *a, const char *method, const char *url,
    long status)
{
	if (a->log != NULL)
		log_debug(a->log, "acme: %s %s -> %ld", method, url, status);
}

static char *
json_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) && v->valuestring != NULL ?
	    xstrdup(v->valuestring) : NULL;
}

void
acme_problem_text(const cJSON *o, struct buf *out, const char **type)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "detail");
	const cJSON *subs = cJSON_GetObjectItemCaseSensitive(o, "subproblems");
	const cJSON *sp;
	char *esc;

	*type = cJSON_IsString(t) ? t->valuestring : NULL;
	esc = str_escape(cJSON_IsString(d) ? d->valuestring : "no detail");
	buf_puts(out, esc);
	free(esc);
	if (*type != NULL) {
		esc = str_escape(*type);
		buf_printf(out, " (%s)", esc);
		free(esc);
	}
	cJSON_ArrayForEach(sp, subs) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(sp,
		    "identifier");
		const cJSON *iv = cJSON_GetObjectItemCaseSensitive(id, "value");
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(sp, "type");
		const cJSON *sd = cJSON_GetObjectItemCaseSensitive(sp,
		    "detail");
		char *ei = str_escape(cJSON_IsString(iv) ? iv->valuestring :
		    "?");
		char *ed = str_escape(cJSON_IsString(sd) ? sd->valuestring :
		    "no detail");

		buf_printf(out, "; %s: %s", ei, ed);
		if (cJSON_IsString(st)) {
			char *et = str_escape(st->valuestring);

			buf_printf(out, " (%s)", et);
			free(et);
		}
		free(ei);
		free(ed);
	}
}

/* Turns a non-2xx answer into the client's failure and one message. */
static void
fail_answer(struct acme *a, const char *url, const struct http_resp *r,
    struct err *e)
{
	cJSON *o = NULL;
	struct buf b;
	const char *type = NULL;
	enum acme_class c;

	buf_init(&b);
	if (r->body != NULL && r->len > 0)
		o = cJSON_ParseWithLength(r->body, r->len);
	if (cJSON_IsObject(o) &&
	    cJSON_GetObjectItemCaseSensitive(o, "type") != NULL) {
		acme_problem_text(o, &b, &type);
		c = acme_problem_class(type, NULL);
	} else {
		char *esc = str_escape_n(r->body != NULL ? r->body : "",
		    r->len > 200 ? 200 : r->len);

		buf_printf(&b, "HTTP %ld%s%s", r->status, *esc ? ": " : "",
		    esc);
		free(esc);
		c = r->status >= 500 || r->status == 429 ? ACME_RETRYABLE :
		    ACME_PROTOCOL;
	}
	if (r->status == 429 && c != ACME_RATE_LIMITED && type == NULL)
		c = ACME_RATE_LIMITED;
	acme_set_failure(a, c, type, http_retry_after(r, now_wall()));
	err_set(e, "%s: %s", url, b.data != NULL ? b.data : "");
	buf_free(&b);
	cJSON_Delete(o);
}

const struct acme_dir *
acme_directory(struct acme *a, struct err *eout)
{
	struct http_resp r;
	cJSON *o = NULL, *meta, *v;
	struct acme_dir *d = &a->dir;
	struct err le, *e = &le;

	if (a->have_dir)
		return d;
	if (a->dir_failed) {
		if (eout != NULL)
			*eout = a->dir_err;
		return NULL;
	}
	err_clear(&le);
	http_resp_init(&r);
	if (http_request(a->http, "GET", a->dir_url, NULL, NULL, 0, &r, e) ==
	    -1) {
		acme_set_failure(a, ACME_NETWORK, NULL, -1);
		err_prefix(e, "ACME directory");
		goto fail;
	}
	debug_req(a, "GET", a->dir_url, r.status);
	if (r.status != 200) {
		fail_answer(a, a->dir_url, &r, e);
		err_prefix(e, "ACME directory");
		goto fail;
	}
	o = cJSON_ParseWithLength(r.body, r.len);
	if (!cJSON_IsObject(o)) {
		acme_set_failure(a, ACME_PROTOCOL, NULL, -1);
		err_set(e, "ACME directory %s: not a JSON object", a->dir_url);
		goto fail;
	}
	dir_clear(d);
	strlist_init(&d->caa_identities);
	d->url = xstrdup(a->dir_url);
	d->new_nonce = json_str(o, "newNonce");
	d->new_account = json_str(o, "newAccount");
	d->new_order = json_str(o, "newOrder");
	d->new_authz = json_str(o, "newAuthz");
	d->revoke_cert = json_str(o, "revokeCert");
	d->key_change = json_str(o, "keyChange");
	d->renewal_info = json_str(o, "renewalInfo");
	if (d->new_nonce == NULL || d->new_account == NULL ||
	    d->new_order == NULL) {
		acme_set_failure(a, ACME_PROTOCOL, NULL, -1);
		err_set(e, "ACME directory %s: newNonce, newAccount or "
		    "newOrder missing (is this an ACME v2 directory?)",
		    a->dir_url);
		goto fail;
	}
	meta = cJSON_GetObjectItemCaseSensitive(o, "meta");
	if (cJSON_IsObject(meta)) {
		d->terms = json_str(meta, "termsOfService");
		d->website = json_str(meta, "website");
		v = cJSON_GetObjectItemCaseSensitive(meta,
		    "externalAccountRequired");
		d->eab_required = cJSON_IsTrue(v);
		v = cJSON_GetObjectItemCaseSensitive(meta, "caaIdentities");
		const cJSON *ci;
		cJSON_ArrayForEach(ci, v)
			if (cJSON_IsString(ci))
				strlist_add(&d->caa_identities,
				    ci->valuestring);
		v = cJSON_GetObjectItemCaseSensitive(meta, "profiles");
		if (cJSON_IsObject(v))
			d->profiles = cJSON_Duplicate(v, 1);
	}
	d->raw = o;
	o = NULL;
	nonce_keep(a, &r);
	a->have_dir = 1;
	http_resp_clear(&r);
	return d;
fail:
	a->dir_failed = 1;
	a->dir_err = le;
	if (eout != NULL)
		*eout = le;
	cJSON_Delete(o);
	http_resp_clear(&r);
	return NULL;
}

static char *
nonce_take(struct acme *a, struct err *e)
{
	struct http_resp r;
	char *n = NULL;

	if (a->nonces.n > 0) {
		n = a->nonces.v[--a->nonces.n];
		a->nonces.v[a->nonces.n] = NULL;
		return n;
	}
	if (acme_directory(a, e) == NULL)
		return NULL;
	http_resp_init(&r);
	if (http_request(a->http, "HEAD", a->dir.new_nonce, NULL, NULL, 0,
	    &r, e) == -1) {
		acme_set_failure(a, ACME_NETWORK, NULL, -1);
		goto out;
	}
	debug_req(a, "HEAD", a->dir.new_nonce, r.status);
	if (r.nonce == NULL || *r.nonce == '\0') {
		acme_set_failure(a, ACME_PROTOCOL, NULL, -1);
		err_set(e, "%s: no Replay-Nonce (HTTP %ld)", a->dir.new_nonce,
		    r.status);
		goto out;
	}
	n = r.nonce;
	r.nonce = NULL;
out:
	http_resp_clear(&r);
	return n;
}

char *
acme_jws(const struct key *k, const char *kid, const char *nonce,
    const char *url, const char *payload, struct err *e)
{
	cJSON *prot = cJSON_CreateObject(), *jws = NULL;
	char *ptext = NULL, *p64 = NULL, *pl64 = NULL, *sig = NULL;
	char *input = NULL, *out = NULL;

	cJSON_AddStringToObject(prot, "alg", key_jws_alg(k));
	if (kid != NULL) {
		cJSON_AddStringToObject(prot, "kid", kid);
	} else {
		cJSON *jwk = key_jwk(k);

		if (jwk == NULL) {
			err_ssl(e, "cannot read the account public key");
			goto out;
		}
		cJSON_AddItemToObject(prot, "jwk", jwk);
	}
	if (nonce != NULL)
		cJSON_AddStringToObject(prot, "nonce", nonce);
	cJSON_AddStringToObject(prot, "url", url);
	ptext = cJSON_PrintUnformatted(prot);
	p64 = b64url_encode((const unsigned char *)ptext, strlen(ptext));
	pl64 = b64url_encode((const unsigned char *)payload, strlen(payload));
	input = xasprintf("%s.%s", p64, pl64);
	if ((sig = key_sign_b64url(k, input, strlen(input), e)) == NULL)
		goto out;
	jws = cJSON_CreateObject();
	cJSON_AddStringToObject(jws, "protected", p64);
	cJSON_AddStringToObject(jws, "payload", pl64);
	cJSON_AddStringToObject(jws, "signature", sig);
	out = cJSON_PrintUnformatted(jws);
out:
	cJSON_Delete(prot);
	cJSON_Delete(jws);
	cJSON_free(ptext);
	free(p64);
	free(pl64);
	free(input);
	free(sig);
	return out;
}

static int
is_bad_nonce(const struct http_resp *r)
{
	cJSON *o, *t;
	int bad = 0;

	if (r->status != 400 || r->body == NULL)
		return 0;
	o = cJSON_ParseWithLength(r->body, r->len);
	t = cJSON_GetObjectItemCaseSensitive(o, "type");
	if (cJSON_IsString(t) &&
	    strcmp(t->valuestring, ACME_URN "badNonce") == 0)
		bad = 1;
	cJSON_Delete(o);
	return bad;
}

int
acme_post(struct acme *a, const char *url, const cJSON *payload,
    enum acme_signer signer, struct http_resp *r, struct err *e)
{
	char *ptext = NULL, *nonce = NULL, *body = NULL;
	int rc = -1;

	acme_set_failure(a, ACME_OK, NULL, -1);
	if (a->key == NULL || (signer == ACME_SIGN_KID && a->kid == NULL)) {
		acme_set_failure(a, ACME_PROTOCOL, NULL, -1);
		err_set(e, "%s: no ACME account to sign with", url);
		return -1;
	}
	ptext = payload != NULL ? cJSON_PrintUnformatted(payload) :
	    xstrdup("");
	for (int attempt = 0;; attempt++) {
		free(nonce);
		free(body);
		body = NULL;
		if ((nonce = nonce_take(a, e)) == NULL)
			goto out;
		body = acme_jws(a->key, signer == ACME_SIGN_KID ? a->kid :
		    NULL, nonce, url, ptext, e);
		if (body == NULL) {
			acme_set_failure(a, ACME_PROTOCOL, NULL, -1);
			goto out;
		}
		if (http_request(a->http, "POST", url,
		    "application/jose+json", body, strlen(body), r, e) == -1) {
			acme_set_failure(a, ACME_NETWORK, NULL, -1);
			goto out;
		}
		debug_req(a, "POST", url, r->status);
		nonce_keep(a, r);
		if (is_bad_nonce(r) && attempt < ACME_NONCE_RETRIES) {
			if (a->log != NULL)
				log_debug(a->log, "acme: badNonce from %s, "
				    "retrying with a fresh nonce", url);
			continue;
		}
		break;
	}
	if (r->status < 200 || r->status > 299) {
		fail_answer(a, url, r, e);
		goto out;
	}
	rc = 0;
out:
	if (payload != NULL)
		cJSON_free(ptext);
	else
		free(ptext);
	free(nonce);
	free(body);
	return rc;
}

int
acme_get(struct acme *a, const char *url, struct http_resp *r,
    struct err *e)
{
	if (http_request(a->http, "GET", url, NULL, NULL, 0, r, e) == -1) {
		acme_set_failure(a, ACME_NETWORK, NULL, -1);
		return -1;
	}
	debug_req(a, "GET", url, r->status);
	nonce_keep(a, r);
	return 0;
}

void
acme_wait_init(struct acme_wait *w, long long timeout_ms)
{
	w->deadline_ms = mono_ms() + timeout_ms;
	w->next_ms = ACME_WAIT_FIRST_MS;
	w->cap_ms = ACME_WAIT_CAP_MS;
	w->polls = 0;
}

int
acme_wait_next(struct acme_wait *w, long long retry_after)
{
	long long d, now = mono_ms();
	struct timespec ts;

	/* A Retry-After past the deadline ends here, before * 1000 can
	   overflow. */
	if (retry_after > (w->deadline_ms - now) / 1000)
		return -1;
	/* Jitter: uniform in [base/2, base], so parallel pollers spread. */
	d = rand_between(w->next_ms / 2, w->next_ms);
	if (retry_after >= 0 && retry_after * 1000 > d)
		d = retry_after * 1000;
	if (now + d > w->deadline_ms)
		return -1;
	w->next_ms = w->next_ms * 2 > w->cap_ms ? w->cap_ms : w->next_ms * 2;
	w->polls++;
	ts.tv_sec = d / 1000;
	ts.tv_nsec = (d % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	return 0;
}

char *
acme_dir_host(const char *dir_url)
{
	const char *p = strstr(dir_url, "://");
	size_t n;
	char *h;

	p = p != NULL ? p + 3 : dir_url;
	n = strcspn(p, "/?#");
	h = xstrndup(p, n);
	for (char *q = h; *q != '\0'; q++) {
		if (*q == ':')
			*q = '_';
		else if (!((*q >= 'a' && *q <= 'z') ||
		    (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
		    *q == '.' || *q == '-' || *q == '_'))
			*q = '_';
	}
	str_lower(h);
	if (*h == '\0' || *h == '.') {
		free(h);
		h = xstrdup("_");
	}
	return h;
}
