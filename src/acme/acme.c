/*
 * acme.c - the ACME client core: the shared pool, rate limits and
 * counters, the directory, nonces, the signed-request primitive and its
 * retries (see acme.h; problem documents are in problem.c, the JWS in
 * jws.c, the wait helper in wait.c).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "acme/acme.h"
#include "acme/cabundle.h"
#include "acme/key.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/rand.h"
#include "base/str.h"
#include "base/syntax.h"
#include "base/time.h"

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
	enum acme_result dir_result;
	struct err	 dir_err;
	struct strlist	 nonces;
	const struct key *key;
	char		*kid;
	struct acme_bucket buckets[ACME_EP__MAX];
	struct acme_stats stats;
	long long	 hint_ms[ACME_HINT__MAX];
};

/* One client: its own HTTP handle (its connection); the rest is the
   pool's. */
struct acme {
	struct acme_pool *p;
	struct http	*http;
	const struct log *log;
	long		 count;		/* requests sent by this client */
	long long	 deadline_ms;	/* retries until; 0: none */
};

static void
dir_clear(struct acme_dir *d)
{
	FREE_ALL(d->url, d->new_nonce, d->new_account, d->new_order,
	    d->new_authz, d->revoke_cert, d->key_change, d->renewal_info,
	    d->terms, d->website);
	strlist_clear(&d->caa_identities);
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
	return a;
}

static void
pool_free(struct acme_pool *p)
{
	dir_clear(&p->dir);
	strlist_clear(&p->nonces);
	FREE_ALL(p->dir_url, p->ca_file, p->kid);
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
acme_new_for(const struct acme_conf *cfg, const struct log *log,
    struct err *e)
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
	acme_sleep_ms(wait);
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
int
acme_retry_wait(struct acme *a, enum acme_result c, long long ra,
    int attempt, const char *url)
{
	long long d, base;

	if (a->deadline_ms == 0)
		return -1;
	if (c != ACME_NETWORK && c != ACME_RETRYABLE &&
	    !(c == ACME_RATE_LIMITED && ra >= 0))
		return -1;
	/* An untrusted certificate or an unknown host stays so (the
	   request that failed was this client's last one). */
	if (c == ACME_NETWORK && !http_last_transient(a->http))
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
		    url, acme_result_names[c], d);
	pthread_mutex_lock(&a->p->mu);
	a->p->stats.retries++;
	pthread_mutex_unlock(&a->p->mu);
	acme_sleep_ms(d);
	return 0;
}

static char *
json_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) && v->valuestring != NULL ?
	    xstrdup(v->valuestring) : NULL;
}

/* Turns a non-2xx answer into its result and one message. */
static enum acme_result
fail_answer(const char *url, const struct http_resp *r, struct err *e)
{
	cJSON *o = NULL;
	struct buf b;
	const char *type = NULL;
	enum acme_result c;

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
	err_set(e, "%s: %s", url, b.data != NULL ? b.data : "");
	buf_clear(&b);
	cJSON_Delete(o);
	return c;
}

/* Fetches and parses the directory into p->dir. dir_mu held. *ra gets
   the answer's Retry-After (seconds, -1 none). */
static enum acme_result
dir_fetch(struct acme *a, long long *ra, struct err *e)
{
	struct acme_pool *p = a->p;
	struct acme_dir *d = &p->dir;
	struct http_resp r;
	cJSON *o = NULL, *meta, *v;
	enum acme_result rc;

	*ra = -1;
	http_resp_init(&r);
	if (send_req(a, "GET", p->dir_url, NULL, &r, e) == -1) {
		rc = ACME_NETWORK;
		err_prefix(e, "ACME directory");
		goto out;
	}
	if (r.status != 200) {
		rc = fail_answer(p->dir_url, &r, e);
		*ra = http_retry_after(&r, now_wall());
		err_prefix(e, "ACME directory");
		goto out;
	}
	o = cJSON_ParseWithLength(r.body, r.len);
	if (!cJSON_IsObject(o)) {
		/* Cut short on the way, most likely: worth another try. */
		rc = ACME_RETRYABLE;
		*ra = http_retry_after(&r, now_wall());
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
		rc = ACME_PROTOCOL;
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
	rc = ACME_OK;
out:
	cJSON_Delete(o);
	http_resp_clear(&r);
	return rc;
}

enum acme_result
acme_directory(struct acme *a, const struct acme_dir **dp, struct err *eout)
{
	struct acme_pool *p = a->p;
	enum acme_result rc;
	struct err le;
	long long ra;

	*dp = NULL;
	err_clear(&le);
	pthread_mutex_lock(&p->dir_mu);
	if (p->have_dir) {
		*dp = &p->dir;
		rc = ACME_OK;
		goto out;
	}
	if (p->dir_failed) {
		le = p->dir_err;
		rc = p->dir_result;
		goto out;
	}
	for (int attempt = 0;; attempt++) {
		if ((rc = dir_fetch(a, &ra, &le)) == ACME_OK) {
			p->have_dir = 1;
			pthread_mutex_lock(&p->mu);
			p->dir_ready = 1;
			pthread_mutex_unlock(&p->mu);
			*dp = &p->dir;
			goto out;
		}
		if (acme_retry_wait(a, rc, ra, attempt, p->dir_url) == -1)
			break;
	}
	p->dir_failed = 1;
	p->dir_result = rc;
	p->dir_err = le;
out:
	pthread_mutex_unlock(&p->dir_mu);
	if (rc != ACME_OK && eout != NULL)
		*eout = le;
	return rc;
}

/* A nonce from the pool, else from newNonce (*np, malloced). *final is
   set when the directory failed (kept for the run: no use retrying). */
static enum acme_result
nonce_take(struct acme *a, char **np, long long *ra, int *final,
    struct err *e)
{
	struct acme_pool *p = a->p;
	const struct acme_dir *d;
	struct http_resp r;
	enum acme_result rc;
	char *n = NULL;

	*np = NULL;
	pthread_mutex_lock(&p->mu);
	if (p->nonces.n > 0) {
		/* The newest: the least likely to have expired. */
		n = p->nonces.v[--p->nonces.n];
		p->nonces.v[p->nonces.n] = NULL;
	}
	pthread_mutex_unlock(&p->mu);
	if (n != NULL) {
		*np = n;
		return ACME_OK;
	}
	if ((rc = acme_directory(a, &d, e)) != ACME_OK) {
		*final = 1;
		return rc;
	}
	http_resp_init(&r);
	if (send_req(a, "HEAD", d->new_nonce, NULL, &r, e) == -1) {
		rc = ACME_NETWORK;
		goto out;
	}
	if (r.nonce == NULL || *r.nonce == '\0') {
		rc = r.status >= 500 || r.status == 429 ? ACME_RETRYABLE :
		    ACME_PROTOCOL;
		*ra = http_retry_after(&r, now_wall());
		err_set(e, "%s: no Replay-Nonce (HTTP %ld)", d->new_nonce,
		    r.status);
		goto out;
	}
	*np = r.nonce;
	r.nonce = NULL;
	rc = ACME_OK;
out:
	http_resp_clear(&r);
	return rc;
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

/*
 * One signed POST, with the badNonce retries. *ra gets the Retry-After
 * of a failed answer (-1 none); *final is set when trying again cannot
 * help (the directory's failure is kept for the run).
 */
static enum acme_result
post_once(struct acme *a, const char *url, const char *ptext,
    enum acme_signer signer, struct http_resp *r, long long *ra, int *final,
    struct err *e)
{
	const struct key *k = acme_key(a);
	const char *kid = acme_kid(a);
	char *nonce = NULL, *body = NULL;
	enum acme_result rc;

	*ra = -1;
	/* r holds this attempt's answer or none (status 0), never an
	   earlier attempt's. */
	http_resp_clear(r);
	for (int attempt = 0;; attempt++) {
		free(nonce);
		free(body);
		body = NULL;
		if ((rc = nonce_take(a, &nonce, ra, final, e)) != ACME_OK)
			goto out;
		body = acme_jws(k, signer == ACME_SIGN_KID ? kid : NULL, nonce,
		    url, ptext, e);
		if (body == NULL) {
			rc = ACME_PROTOCOL;
			goto out;
		}
		if (send_req(a, "POST", url, body, r, e) == -1) {
			rc = ACME_NETWORK;
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
		*ra = http_retry_after(r, now_wall());
		if (body_broken_json(r)) {
			rc = ACME_RETRYABLE;
			err_set(e, "%s: HTTP %ld with a cut or malformed "
			    "problem document", url, r->status);
		} else
			rc = fail_answer(url, r, e);
		goto out;
	}
	/* A cut answer; but with a Location (a new order) the caller can
	   read the object itself instead of creating a second one. */
	if (r->location == NULL && body_broken_json(r)) {
		rc = ACME_RETRYABLE;
		err_set(e, "%s: the answer is cut short or not JSON", url);
		goto out;
	}
	rc = ACME_OK;
out:
	free(nonce);
	free(body);
	return rc;
}

enum acme_result
acme_post(struct acme *a, const char *url, const cJSON *payload,
    enum acme_signer signer, struct http_resp *r, struct err *e)
{
	enum acme_result rc;
	char *ptext;
	long long ra;
	int final = 0;

	if (acme_key(a) == NULL ||
	    (signer == ACME_SIGN_KID && acme_kid(a) == NULL)) {
		err_set(e, "%s: no ACME account to sign with", url);
		return ACME_PROTOCOL;
	}
	ptext = payload != NULL ? cJSON_PrintUnformatted(payload) :
	    xstrdup("");
	for (int attempt = 0;; attempt++) {
		rc = post_once(a, url, ptext, signer, r, &ra, &final, e);
		if (rc == ACME_OK || final ||
		    acme_retry_wait(a, rc, ra, attempt, url) == -1)
			break;
	}
	if (payload != NULL)
		cJSON_free(ptext);
	else
		free(ptext);
	return rc;
}

enum acme_result
acme_get(struct acme *a, const char *url, struct http_resp *r,
    struct err *e)
{
	if (send_req(a, "GET", url, NULL, r, e) == -1)
		return ACME_NETWORK;
	nonce_keep(a, r);
	return ACME_OK;
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
