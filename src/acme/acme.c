/*
 * acme.c - the ACME client core: directory, nonces, the signed-request
 * primitive, problem documents and the wait helper (see acme.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "acme/acme.h"
#include "acme/cabundle.h"
#include "acme/key.h"
#include "base/buf.h"
#include "base/encode.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/rand.h"
#include "base/str.h"
#include "base/syntax.h"
#include "base/time.h"
#include "manifest/manifest.h"

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

/* A token bucket: rate requests a second, bursts of up to rate. */
struct acme_bucket {
	double		 rate;
	double		 tokens;
	long long	 last_ms;
};

/* Let's Encrypt's per-IP limits per endpoint (requests a second). */
static const double bucket_rates[ACME_EP__MAX] = {
	[ACME_EP_NONCE] = 20, [ACME_EP_ACCOUNT] = 5, [ACME_EP_ORDER] = 300,
	[ACME_EP_OTHER] = 250,
};

const char *const acme_endpoint_names[ACME_EP__MAX] = {
	"new-nonce", "new-account", "new-order", "other",
};
const char *const acme_status_class_names[ACME_SC__MAX] = {
	"2xx", "4xx", "5xx", "other", "no-answer",
};

/*
 * What a client and its clones (acme_clone(), one per thread) share:
 * the directory, the nonce pool, the account, the rate limiters, the
 * counters, the learnt poll delays and libcurl's TLS sessions and DNS
 * cache. mu guards everything here but the directory, which dir_mu
 * guards (its fetch may take long and must not stall the counters).
 */
struct acme_pool {
	pthread_mutex_t	 mu;
	pthread_mutex_t	 dir_mu;
	int		 refs;
	struct http_share *share;
	char		*ca_file;
	char		*dir_url;
	struct acme_dir	 dir;
	int		 have_dir;
	int		 dir_ready;	/* have_dir, under mu (endpoint_of) */
	/* A failed directory fetch is remembered: a run against an
	   unreachable CA then fails every certificate at once instead of
	   waiting one timeout per certificate. */
	int		 dir_failed;
	struct err	 dir_err;
	struct strlist	 nonces;
	const struct key *key;
	char		*kid;
	struct acme_bucket buckets[ACME_EP__MAX];
	struct acme_stats stats;
	long long	 hint_ms[ACME_HINT__MAX];
};

/* One client: its own HTTP handle (its connection) and its own failure;
   the rest is the pool's. */
struct acme {
	struct acme_pool *p;
	struct http	*http;
	const struct log *log;
	long		 count;		/* requests sent by this client */
	long long	 deadline_ms;	/* retries until; 0: none */
	int		 net_transient;	/* last no-answer may go away */
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

static struct acme *
client_new(struct acme_pool *p, const struct log *log, struct err *e)
{
	struct acme *a;
	struct http *h;

	if ((h = http_new(p->ca_file, p->share, e)) == NULL)
		return NULL;
	a = xcalloc(1, sizeof(*a));
	a->p = p;
	a->http = h;
	a->log = log;
	a->last_retry = -1;
	return a;
}

static void
pool_free(struct acme_pool *p)
{
	dir_clear(&p->dir);
	strlist_free(&p->nonces);
	free(p->dir_url);
	free(p->ca_file);
	free(p->kid);
	http_share_free(p->share);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->dir_mu);
	free(p);
}

struct acme *
acme_new(const char *dir_url, const char *ca_file, const struct log *log,
    struct err *e)
{
	struct acme_pool *p;
	struct acme *a;
	long long now = mono_ms();

	if (ca_file == NULL || *ca_file == '\0') {
		err_set(e, "no CA bundle to verify the ACME server with");
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->dir_mu, NULL);
	p->refs = 1;
	p->share = http_share_new();
	p->ca_file = xstrdup(ca_file);
	p->dir_url = xstrdup(dir_url);
	strlist_init(&p->nonces);
	strlist_init(&p->dir.caa_identities);
	for (int i = 0; i < ACME_EP__MAX; i++) {
		p->buckets[i].rate = bucket_rates[i];
		p->buckets[i].tokens = bucket_rates[i];
		p->buckets[i].last_ms = now;
	}
	for (int i = 0; i < ACME_HINT__MAX; i++)
		p->hint_ms[i] = ACME_WAIT_FIRST_MS;
	if ((a = client_new(p, log, e)) == NULL)
		pool_free(p);
	return a;
}

struct acme *
acme_clone(struct acme *parent, struct err *e)
{
	struct acme *a;

	if ((a = client_new(parent->p, parent->log, e)) == NULL)
		return NULL;
	pthread_mutex_lock(&parent->p->mu);
	parent->p->refs++;
	pthread_mutex_unlock(&parent->p->mu);
	a->deadline_ms = parent->deadline_ms;
	return a;
}

struct acme *
acme_new_for(const struct macme *cfg, const struct log *log, struct err *e)
{
	struct acme *a;
	char *ca;

	if ((ca = cabundle_path(cfg->ca_bundle, cfg->manifest_dir, e)) == NULL)
		return NULL;
	a = acme_new(cfg->directory, ca, log, e);
	free(ca);
	return a;
}

void
acme_free(struct acme *a)
{
	int last;

	if (a == NULL)
		return;
	http_free(a->http);
	free(a->last_type);
	pthread_mutex_lock(&a->p->mu);
	last = --a->p->refs == 0;
	pthread_mutex_unlock(&a->p->mu);
	if (last)
		pool_free(a->p);
	free(a);
}

void
acme_set_deadline(struct acme *a, long long deadline_ms)
{
	a->deadline_ms = deadline_ms;
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
	return a->count;
}

void
acme_stats_get(const struct acme *a, struct acme_stats *out)
{
	pthread_mutex_lock(&a->p->mu);
	*out = a->p->stats;
	pthread_mutex_unlock(&a->p->mu);
}

long
acme_stats_total(const struct acme_stats *st)
{
	long n = 0;

	for (int i = 0; i < ACME_EP__MAX; i++)
		for (int j = 0; j < ACME_SC__MAX; j++)
			n += st->requests[i][j];
	return n;
}

void
acme_set_account(struct acme *a, const struct key *k, const char *kid)
{
	char *copy = kid != NULL ? xstrdup(kid) : NULL;

	pthread_mutex_lock(&a->p->mu);
	a->p->key = k;
	free(a->p->kid);
	a->p->kid = copy;
	pthread_mutex_unlock(&a->p->mu);
}

/* Set once before the clones run (acme_set_account), then only read. */
const char *
acme_kid(const struct acme *a)
{
	const char *k;

	pthread_mutex_lock(&a->p->mu);
	k = a->p->kid;
	pthread_mutex_unlock(&a->p->mu);
	return k;
}

const struct key *
acme_key(const struct acme *a)
{
	const struct key *k;

	pthread_mutex_lock(&a->p->mu);
	k = a->p->key;
	pthread_mutex_unlock(&a->p->mu);
	return k;
}

long long
acme_wait_hint(struct acme *a, enum acme_hint h)
{
	long long v;

	pthread_mutex_lock(&a->p->mu);
	v = a->p->hint_ms[h];
	pthread_mutex_unlock(&a->p->mu);
	return v;
}

void
acme_wait_learn(struct acme *a, enum acme_hint h, long long took_ms,
    int first_poll)
{
	long long *v = &a->p->hint_ms[h];

	pthread_mutex_lock(&a->p->mu);
	/* Done at the first poll: try a little shorter next time; not
	   done: wait about as long as it took, so the next first poll
	   finds it done. */
	if (first_poll)
		*v = *v * 9 / 10;
	else
		*v = took_ms + took_ms / 8;
	if (*v < ACME_WAIT_MIN_MS)
		*v = ACME_WAIT_MIN_MS;
	if (*v > ACME_WAIT_CAP_MS)
		*v = ACME_WAIT_CAP_MS;
	pthread_mutex_unlock(&a->p->mu);
}

static void
nonce_keep(struct acme *a, const struct http_resp *r)
{
	if (r->nonce == NULL || *r->nonce == '\0')
		return;
	pthread_mutex_lock(&a->p->mu);
	/* Nonces age at the CA: keep the newest few. */
	if (a->p->nonces.n >= ACME_NONCE_POOL_MAX) {
		free(a->p->nonces.v[0]);
		memmove(a->p->nonces.v, a->p->nonces.v + 1,
		    (a->p->nonces.n - 1) * sizeof(char *));
		a->p->nonces.n--;
		a->p->nonces.v[a->p->nonces.n] = NULL;
	}
	strlist_add(&a->p->nonces, r->nonce);
	pthread_mutex_unlock(&a->p->mu);
}

static void
sleep_ms(long long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The endpoint class of url, for the rate limiter and the counters. */
static enum acme_endpoint
endpoint_of(struct acme *a, const char *url)
{
	enum acme_endpoint ep = ACME_EP_OTHER;

	/* mu, not dir_mu: this runs inside the directory fetch too. */
	pthread_mutex_lock(&a->p->mu);
	if (a->p->dir_ready) {
		if (a->p->dir.new_nonce != NULL &&
		    strcmp(url, a->p->dir.new_nonce) == 0)
			ep = ACME_EP_NONCE;
		else if (strcmp(url, a->p->dir.new_account) == 0)
			ep = ACME_EP_ACCOUNT;
		else if (strcmp(url, a->p->dir.new_order) == 0)
			ep = ACME_EP_ORDER;
	}
	pthread_mutex_unlock(&a->p->mu);
	return ep;
}

/* Takes a token of ep's bucket, sleeping until there is one. */
static void
bucket_take(struct acme *a, enum acme_endpoint ep)
{
	struct acme_bucket *b = &a->p->buckets[ep];
	long long now, wait = 0;

	pthread_mutex_lock(&a->p->mu);
	now = mono_ms();
	b->tokens += (double)(now - b->last_ms) * b->rate / 1000.0;
	if (b->tokens > b->rate)
		b->tokens = b->rate;
	b->last_ms = now;
	/* Going below zero reserves a slot in the future. */
	b->tokens -= 1.0;
	if (b->tokens < 0) {
		wait = (long long)(-b->tokens * 1000.0 / b->rate) + 1;
		a->p->stats.throttled_ms += wait;
	}
	pthread_mutex_unlock(&a->p->mu);
	sleep_ms(wait);
}

/* One HTTP request through the rate limiter, counted. */
static int
send_req(struct acme *a, const char *method, const char *url,
    const char *body, struct http_resp *r, struct err *e)
{
	enum acme_endpoint ep = endpoint_of(a, url);
	enum acme_status_class sc;
	int rc;

	bucket_take(a, ep);
	rc = http_request(a->http, method, url, body != NULL ?
	    "application/jose+json" : NULL, body, body != NULL ?
	    strlen(body) : 0, r, e);
	a->count++;
	a->net_transient = rc == -1 && http_last_transient(a->http);
	if (rc == -1)
		sc = ACME_SC_NONE;
	else if (r->status >= 200 && r->status <= 299)
		sc = ACME_SC_2XX;
	else if (r->status >= 400 && r->status <= 499)
		sc = ACME_SC_4XX;
	else if (r->status >= 500 && r->status <= 599)
		sc = ACME_SC_5XX;
	else
		sc = ACME_SC_OTHER;
	pthread_mutex_lock(&a->p->mu);
	a->p->stats.requests[ep][sc]++;
	pthread_mutex_unlock(&a->p->mu);
	if (a->log != NULL)
		log_debug(a->log, "acme: %s %s -> %ld", method, url,
		    rc == -1 ? 0L : r->status);
	return rc;
}

/*
 * After a failed request: whether to try again, and the wait (done
 * here). Only transient failures are retried (no answer, 5xx, 429 or
 * 503 with a Retry-After, a cut or non-JSON body), with exponential
 * backoff and jitter, a Retry-After honoured, each wait capped, all
 * within the client's deadline. Returns 0 after the wait, -1 to give up.
 */
static int
retry_wait(struct acme *a, int attempt, const char *url)
{
	enum acme_class c = a->last_class;
	long long ra = a->last_retry, d, base;

	if (a->deadline_ms == 0)
		return -1;
	if (c != ACME_NETWORK && c != ACME_RETRYABLE &&
	    !(c == ACME_RATE_LIMITED && ra >= 0))
		return -1;
	/* An untrusted certificate or an unknown host stays so. */
	if (c == ACME_NETWORK && !a->net_transient)
		return -1;
	/* A Retry-After longer than one wait is a real backoff: not
	   something to sit out inside the run. */
	if (ra > ACME_RETRY_WAIT_CAP_MS / 1000)
		return -1;
	base = ACME_RETRY_FIRST_MS;
	for (int i = 0; i < attempt && base < ACME_RETRY_WAIT_CAP_MS; i++)
		base *= 2;
	if (base > ACME_RETRY_WAIT_CAP_MS)
		base = ACME_RETRY_WAIT_CAP_MS;
	d = rand_between(base / 2, base);
	if (ra >= 0 && ra * 1000 > d)
		d = ra * 1000;
	if (mono_ms() + d > a->deadline_ms)
		return -1;
	if (a->log != NULL)
		log_debug(a->log, "acme: %s: %s, trying again in %lld ms",
		    url, acme_class_names[c], d);
	pthread_mutex_lock(&a->p->mu);
	a->p->stats.retries++;
	pthread_mutex_unlock(&a->p->mu);
	sleep_ms(d);
	return 0;
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
	/* A 5xx is the server's trouble, whatever its document says. */
	if (r->status >= 500 && c != ACME_RATE_LIMITED)
		c = ACME_RETRYABLE;
	acme_set_failure(a, c, type, http_retry_after(r, now_wall()));
	err_set(e, "%s: %s", url, b.data != NULL ? b.data : "");
	buf_free(&b);
	cJSON_Delete(o);
}

/* Fetches and parses the directory into p->dir. dir_mu held. */
static int
dir_fetch(struct acme *a, struct err *e)
{
	struct acme_pool *p = a->p;
	struct acme_dir *d = &p->dir;
	struct http_resp r;
	cJSON *o = NULL, *meta, *v;
	int rc = -1;

	http_resp_init(&r);
	if (send_req(a, "GET", p->dir_url, NULL, &r, e) == -1) {
		acme_set_failure(a, ACME_NETWORK, NULL, -1);
		err_prefix(e, "ACME directory");
		goto out;
	}
	if (r.status != 200) {
		fail_answer(a, p->dir_url, &r, e);
		err_prefix(e, "ACME directory");
		goto out;
	}
	o = cJSON_ParseWithLength(r.body, r.len);
	if (!cJSON_IsObject(o)) {
		/* Cut short on the way, most likely: worth another try. */
		acme_set_failure(a, ACME_RETRYABLE, NULL,
		    http_retry_after(&r, now_wall()));
		err_set(e, "ACME directory %s: not a JSON object", p->dir_url);
		goto out;
	}
	dir_clear(d);
	strlist_init(&d->caa_identities);
	d->url = xstrdup(p->dir_url);
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
		    p->dir_url);
		goto out;
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
	rc = 0;
out:
	cJSON_Delete(o);
	http_resp_clear(&r);
	return rc;
}

const struct acme_dir *
acme_directory(struct acme *a, struct err *eout)
{
	struct acme_pool *p = a->p;
	const struct acme_dir *d = NULL;
	struct err le;

	err_clear(&le);
	pthread_mutex_lock(&p->dir_mu);
	if (p->have_dir) {
		d = &p->dir;
		goto out;
	}
	if (p->dir_failed) {
		le = p->dir_err;
		goto out;
	}
	for (int attempt = 0;; attempt++) {
		if (dir_fetch(a, &le) == 0) {
			p->have_dir = 1;
			pthread_mutex_lock(&p->mu);
			p->dir_ready = 1;
			pthread_mutex_unlock(&p->mu);
			d = &p->dir;
			goto out;
		}
		if (retry_wait(a, attempt, p->dir_url) == -1)
			break;
	}
	p->dir_failed = 1;
	p->dir_err = le;
out:
	pthread_mutex_unlock(&p->dir_mu);
	if (d == NULL && eout != NULL)
		*eout = le;
	return d;
}

static char *
nonce_take(struct acme *a, struct err *e)
{
	struct acme_pool *p = a->p;
	const struct acme_dir *d;
	struct http_resp r;
	char *n = NULL;

	pthread_mutex_lock(&p->mu);
	if (p->nonces.n > 0) {
		/* The newest: the least likely to have expired. */
		n = p->nonces.v[--p->nonces.n];
		p->nonces.v[p->nonces.n] = NULL;
	}
	pthread_mutex_unlock(&p->mu);
	if (n != NULL)
		return n;
	if ((d = acme_directory(a, e)) == NULL)
		return NULL;
	http_resp_init(&r);
	if (send_req(a, "HEAD", d->new_nonce, NULL, &r, e) == -1) {
		acme_set_failure(a, ACME_NETWORK, NULL, -1);
		goto out;
	}
	if (r.nonce == NULL || *r.nonce == '\0') {
		acme_set_failure(a, r.status >= 500 || r.status == 429 ?
		    ACME_RETRYABLE : ACME_PROTOCOL, NULL,
		    http_retry_after(&r, now_wall()));
		err_set(e, "%s: no Replay-Nonce (HTTP %ld)", d->new_nonce,
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

/* A body that says it is JSON (or looks like it) but does not parse:
   cut short on the way, or not from the CA. */
static int
body_broken_json(const struct http_resp *r)
{
	cJSON *o;
	int json;

	json = (r->content_type != NULL &&
	    strstr(r->content_type, "json") != NULL) ||
	    (r->len > 0 && (r->body[0] == '{' || r->body[0] == '['));
	if (!json)
		return 0;
	if (r->len == 0)
		return 1;
	o = cJSON_ParseWithLength(r->body, r->len);
	cJSON_Delete(o);
	return o == NULL;
}

/* One signed POST, with the badNonce retries. */
static int
post_once(struct acme *a, const char *url, const char *ptext,
    enum acme_signer signer, struct http_resp *r, struct err *e)
{
	const struct key *k = acme_key(a);
	const char *kid = acme_kid(a);
	char *nonce = NULL, *body = NULL;
	int rc = -1;

	for (int attempt = 0;; attempt++) {
		free(nonce);
		free(body);
		body = NULL;
		if ((nonce = nonce_take(a, e)) == NULL)
			goto out;
		body = acme_jws(k, signer == ACME_SIGN_KID ? kid : NULL, nonce,
		    url, ptext, e);
		if (body == NULL) {
			acme_set_failure(a, ACME_PROTOCOL, NULL, -1);
			goto out;
		}
		if (send_req(a, "POST", url, body, r, e) == -1) {
			acme_set_failure(a, ACME_NETWORK, NULL, -1);
			goto out;
		}
		nonce_keep(a, r);
		if (is_bad_nonce(r) && attempt < ACME_NONCE_RETRIES) {
			if (a->log != NULL)
				log_debug(a->log, "acme: badNonce from %s, "
				    "retrying with a fresh nonce", url);
			pthread_mutex_lock(&a->p->mu);
			a->p->stats.bad_nonces++;
			pthread_mutex_unlock(&a->p->mu);
			continue;
		}
		break;
	}
	if (r->status < 200 || r->status > 299) {
		if (body_broken_json(r)) {
			acme_set_failure(a, ACME_RETRYABLE, NULL,
			    http_retry_after(r, now_wall()));
			err_set(e, "%s: HTTP %ld with a cut or malformed "
			    "problem document", url, r->status);
		} else
			fail_answer(a, url, r, e);
		goto out;
	}
	/* A cut answer; but with a Location (a new order) the caller can
	   read the object itself instead of creating a second one. */
	if (r->location == NULL && body_broken_json(r)) {
		acme_set_failure(a, ACME_RETRYABLE, NULL, -1);
		err_set(e, "%s: the answer is cut short or not JSON", url);
		goto out;
	}
	rc = 0;
out:
	free(nonce);
	free(body);
	return rc;
}

int
acme_post(struct acme *a, const char *url, const cJSON *payload,
    enum acme_signer signer, struct http_resp *r, struct err *e)
{
	char *ptext;
	int rc = -1;

	acme_set_failure(a, ACME_OK, NULL, -1);
	if (acme_key(a) == NULL ||
	    (signer == ACME_SIGN_KID && acme_kid(a) == NULL)) {
		acme_set_failure(a, ACME_PROTOCOL, NULL, -1);
		err_set(e, "%s: no ACME account to sign with", url);
		return -1;
	}
	ptext = payload != NULL ? cJSON_PrintUnformatted(payload) :
	    xstrdup("");
	for (int attempt = 0;; attempt++) {
		if ((rc = post_once(a, url, ptext, signer, r, e)) == 0)
			break;
		if (retry_wait(a, attempt, url) == -1)
			break;
	}
	if (payload != NULL)
		cJSON_free(ptext);
	else
		free(ptext);
	return rc;
}

int
acme_get(struct acme *a, const char *url, struct http_resp *r,
    struct err *e)
{
	if (send_req(a, "GET", url, NULL, r, e) == -1) {
		acme_set_failure(a, ACME_NETWORK, NULL, -1);
		return -1;
	}
	nonce_keep(a, r);
	return 0;
}

void
acme_wait_init(struct acme_wait *w, long long timeout_ms)
{
	w->deadline_ms = mono_ms() + timeout_ms;
	w->next_ms = ACME_WAIT_FIRST_MS;
	w->cap_ms = ACME_WAIT_CAP_MS;
	w->first_ms = 0;
	w->polls = 0;
}

void
acme_wait_init_first(struct acme_wait *w, long long timeout_ms,
    long long first_ms)
{
	acme_wait_init(w, timeout_ms);
	w->first_ms = first_ms;
	if (first_ms > w->next_ms)
		w->next_ms = first_ms > w->cap_ms ? w->cap_ms : first_ms;
}

int
acme_retry_wait(struct acme *a, int attempt, const char *url)
{
	return retry_wait(a, attempt, url);
}

int
acme_wait_next(struct acme_wait *w, long long retry_after)
{
	long long d, now = mono_ms();

	/* Jitter: uniform in [base/2, base], so parallel pollers spread;
	   a learnt first wait is taken as it is. */
	if (w->first_ms > 0) {
		d = w->first_ms;
		w->first_ms = 0;
	} else
		d = rand_between(w->next_ms / 2, w->next_ms);
	/* Retry-After honoured, but no single wait beyond the cap (the
	   check keeps the multiplication from overflowing). */
	if (retry_after >= 0) {
		if (retry_after > ACME_POLL_WAIT_CAP_MS / 1000)
			d = ACME_POLL_WAIT_CAP_MS;
		else if (retry_after * 1000 > d)
			d = retry_after * 1000;
	}
	if (now + d > w->deadline_ms)
		return -1;
	w->next_ms = w->next_ms * 2 > w->cap_ms ? w->cap_ms : w->next_ms * 2;
	w->polls++;
	sleep_ms(d);
	return 0;
}

char *
acme_dir_host(const char *dir_url)
{
	const char *p;
	size_t n;
	char *h;

	p = url_authority(dir_url, &n);
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
