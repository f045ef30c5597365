/*
 * test_acme.c - key, acme, account and order against a real Pebble.
 *
 * Without PEBBLE_URL in the environment the program starts Pebble itself
 * through tests/lib/pebble.sh (run from the source tree, as tests/run.sh
 * does) and runs again under it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "acme/account.h"
#include "acme/acme.h"
#include "acme/http.h"
#include "acme/key.h"
#include "acme/order.h"
#include "base/err.h"
#include "chall/chall.h"
#include "manifest/manifest.h"
#include "reconcile/issue.h"
#include "reconcile/lifetime.h"
#include "store/certinfo.h"
#include "store/store.h"
#include "tap.h"
#include "base/util.h"

static void
test_keys(void)
{
	static const int types[] = { KEY_EC_P256, KEY_EC_P384, KEY_RSA_2048 };

	for (size_t ti = 0; ti < 3; ti++) {
		int t = types[ti];
		struct err e;
		struct key *k = key_generate(t, &e), *k2;
		char *pem, *th, *th2, *sig;
		char *names[] = { "a.example.com", "b.example.com", NULL };

		ok(k != NULL, "generate %s", key_type_names[t]);
		if (k == NULL)
			continue;
		is_int(key_type_of(k), t, "type of %s", key_type_names[t]);
		pem = key_to_pem(k, &e);
		ok(pem != NULL && strstr(pem, "BEGIN PRIVATE KEY") != NULL,
		    "%s: PKCS#8 PEM", key_type_names[t]);
		k2 = key_load_pem(pem, strlen(pem), "test", &e);
		th = key_thumbprint(k, &e);
		th2 = k2 ? key_thumbprint(k2, &e) : NULL;
		is_str(th2, th, "%s: reloaded key has the same thumbprint",
		    key_type_names[t]);
		ok(th != NULL && strlen(th) == 43, "thumbprint is 43 chars");
		sig = key_sign_b64url(k, "abc", 3, &e);
		size_t want = t == KEY_EC_P256 ? 86 : t == KEY_EC_P384 ? 128 :
		    0;
		if (want)
			is_int(sig ? strlen(sig) : 0, want,
			    "%s: raw r||s signature", key_type_names[t]);
		else
			ok(sig != NULL, "%s: RS256 signature",
			    key_type_names[t]);
		char *csr = key_csr_b64url(k, names, &e);
		ok(csr != NULL, "%s: CSR", key_type_names[t]);
		free(csr);
		free(sig);
		free(th);
		free(th2);
		key_pem_free(pem);
		key_free(k);
		key_free(k2);
	}
	/* RFC 7638 section 3.1 example. */
	const char *rsa = "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw\"}";
	char *tp = key_sha256_b64url(rsa, strlen(rsa));
	is_str(tp, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
	    "RFC 7638 example thumbprint");
	free(tp);
}

static void
test_classes(void)
{
	int v;

	is_int(acme_problem_class(ACME_URN "badNonce", &v), ACME_RETRYABLE,
	    "badNonce is retryable");
	is_int(acme_problem_class(ACME_URN "rateLimited", &v),
	    ACME_RATE_LIMITED, "rateLimited");
	is_int(acme_problem_class(ACME_URN "rejectedIdentifier", &v),
	    ACME_BAD_INPUT, "rejectedIdentifier is bad input");
	is_int(acme_problem_class("incorrectResponse", &v), ACME_BAD_INPUT,
	    "short names work");
	is_int(v, 1, "incorrectResponse is a validation failure");
	is_int(acme_problem_class("urn:x:unknown", &v), ACME_PROTOCOL,
	    "unknown types are protocol errors");

	cJSON *o = cJSON_Parse("{\"type\":\"urn:ietf:params:acme:error:"
	    "compound\",\"detail\":\"two problems\",\"subproblems\":["
	    "{\"type\":\"urn:ietf:params:acme:error:caa\",\"detail\":\"CAA "
	    "forbids\",\"identifier\":{\"type\":\"dns\",\"value\":"
	    "\"a.example.com\"}}]}");
	struct buf b;
	const char *t;
	buf_init(&b);
	acme_problem_text(o, &b, &t);
	ok(b.data && strstr(b.data, "a.example.com: CAA forbids") != NULL,
	    "subproblem names its identifier: %s", b.data);
	buf_free(&b);
	cJSON_Delete(o);

	struct acme_wait w;
	long long t0 = mono_ms();
	acme_wait_init(&w, 10000);
	acme_wait_next(&w, -1);
	long long d = mono_ms() - t0;
	ok(d >= 50 && d <= 260, "first poll comes fast (%lld ms)", d);
	acme_wait_init(&w, 100);
	ok(acme_wait_next(&w, 5) == -1, "Retry-After beyond the deadline "
	    "ends the wait");
	char *h = acme_dir_host("https://127.0.0.1:14000/dir");
	is_str(h, "127.0.0.1_14000", "directory host with port");
	free(h);
}

/* One of several orders run at once by test_concurrent(). */
struct conc {
	struct acme		*a;
	struct mcert		 c;
	char			*hn[2];
	struct key		*k;
	struct chall_run	*run;
	struct order_result	 res;
	struct err		 e;
	int			 rc;
};

static void *
conc_order(void *arg)
{
	struct conc *cc = arg;
	struct order_req req = { .cert = &cc->c, .key = cc->k,
	    .chall = cc->run };

	cc->rc = order_run(cc->a, &req, &cc->res, &cc->e);
	return NULL;
}

/* Four orders at once, each with a clone of a: one pool (directory,
   nonces, account, counters), one challenge run. */
static void
test_concurrent(struct acme *a, struct chall_run *run, const char *listen)
{
	struct conc cs[4];
	pthread_t t[4];
	struct acme_stats st0, st1;
	struct err e;
	int okn = 0;

	acme_stats_get(a, &st0);
	for (int i = 0; i < 4; i++) {
		memset(&cs[i], 0, sizeof(cs[i]));
		cs[i].a = acme_clone(a, &e);
		cs[i].hn[0] = xasprintf("conc%d.example.com", i);
		cs[i].c.name = cs[i].hn[0];
		cs[i].c.hostnames = cs[i].hn;
		cs[i].c.nhostnames = 1;
		cs[i].c.key_type = KEY_EC_P256;
		cs[i].c.challenge.type = CHALL_HTTP01;
		cs[i].c.challenge.listen = (char *)listen;
		cs[i].k = key_generate(KEY_EC_P256, &e);
		cs[i].run = run;
		pthread_create(&t[i], NULL, conc_order, &cs[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		if (cs[i].rc == 0 && cs[i].res.cert != NULL)
			okn++;
		else
			printf("# conc%d: %s\n", i, cs[i].e.msg);
	}
	is_int(okn, 4, "four orders at once, one clone each");
	acme_stats_get(a, &st1);
	long sum = 0;
	for (int i = 0; i < 4; i++)
		sum += cs[i].res.requests;
	is_int(acme_stats_total(&st1) - acme_stats_total(&st0), sum,
	    "the clones' requests are counted in the shared pool (%ld)", sum);
	ok(sum <= 4 * 7 + 4, "at most 7 requests per order, plus a nonce "
	    "each at most (%ld)", sum);
	for (int i = 0; i < 4; i++) {
		order_result_clear(&cs[i].res);
		key_free(cs[i].k);
		free(cs[i].hn[0]);
		acme_free(cs[i].a);
	}
}

/* The newNonce bucket (20/s, bursts of 20): 30 requests in a row wait
   for the last 10, about half a second, and are counted as such. */
static void
test_bucket(const char *url, const char *trust)
{
	struct err e;
	struct acme *a = acme_new(url, trust, NULL, &e);
	const struct acme_dir *d = a != NULL ? acme_directory(a, &e) : NULL;
	struct acme_stats st;
	struct http_resp r;
	long long t0;
	int okn = 0;

	ok(d != NULL, "bucket: directory");
	if (d == NULL) {
		acme_free(a);
		return;
	}
	http_resp_init(&r);
	t0 = mono_ms();
	for (int i = 0; i < 30; i++)
		if (acme_get(a, d->new_nonce, &r, &e) == 0 && r.status < 300)
			okn++;
	long long took = mono_ms() - t0;
	http_resp_clear(&r);
	acme_stats_get(a, &st);
	is_int(okn, 30, "30 newNonce requests answered");
	is_int(st.requests[ACME_EP_NONCE][ACME_SC_2XX], 30,
	    "counted as new-nonce 2xx");
	/* 10 tokens come back at 20/s: the run takes 450 ms at least,
	   however fast Pebble answers; how much of it was spent in the
	   bucket depends on the machine's load (slow answers refill it). */
	ok(took >= 450 && st.throttled_ms > 0, "the last 10 waited for the "
	    "20/s limit (%lld ms, %lld ms throttled)", took, st.throttled_ms);
	acme_free(a);
}

/* Retry-After: one parser, bounded; every wait capped; the rateLimited
   backoff capped by the lifetime rule. */
static void
test_retry_after(void)
{
	time_t now = 1800000000;
	long long s = -7, t0;
	struct acme_wait w;

	ok(http_retry_after_parse(" 120 ", now, &s) == 0 && s == 120,
	    "delta-seconds with blanks (%lld)", s);
	ok(http_retry_after_parse("99999999999999999999999", now, &s) == 0 &&
	    s == HTTP_RETRY_AFTER_MAX, "an overflowing number is clamped "
	    "(%lld)", s);
	ok(http_retry_after_parse("9223372036854775807", now, &s) == 0 &&
	    s == HTTP_RETRY_AFTER_MAX, "LLONG_MAX is clamped (%lld)", s);
	ok(http_retry_after_parse("Fri, 31 Dec 9999 23:59:59 GMT", now,
	    &s) == 0 && s == HTTP_RETRY_AFTER_MAX,
	    "a far HTTP-date is clamped (%lld)", s);
	ok(http_retry_after_parse("Thu, 01 Jan 1970 00:00:00 GMT", now,
	    &s) == 0 && s == 0, "a past HTTP-date is 0");
	ok(http_retry_after_parse("-5", now, &s) == -1, "negative refused");
	ok(http_retry_after_parse("12abc", now, &s) == -1, "junk refused");
	ok(http_retry_after_parse(NULL, now, &s) == -1, "absent");
	/* A huge Retry-After neither overflows nor sleeps past the
	   deadline. */
	t0 = mono_ms();
	acme_wait_init(&w, 2000);
	ok(acme_wait_next(&w, HTTP_RETRY_AFTER_MAX) == -1 &&
	    mono_ms() - t0 < 500, "a year-long Retry-After ends the wait at "
	    "once");
	acme_wait_init(&w, 2000);
	ok(acme_wait_next(&w, 9223372036854775807LL) == -1,
	    "LLONG_MAX Retry-After: no overflow");
	/* 6-day certificate: capped at lifetime/16 = 9 hours. */
	long long life = 6 * 86400, cap = lifetime_retry_cap(life);
	ok(issue_backoff(1, 0, 1, 30LL * 86400, life) == cap,
	    "rateLimited for 30 days on a 6-day certificate: %lld s",
	    issue_backoff(1, 0, 1, 30LL * 86400, life));
	ok(issue_backoff(1, 0, 1, 600, life) == 600,
	    "a short Retry-After is honoured");
}

int
main(int argc, char **argv)
{
	const char *url = getenv("PEBBLE_URL");
	const char *trust = getenv("PEBBLE_TRUST");
	const char *hport = getenv("PEBBLE_HTTP_PORT");
	char tmpl[] = "/tmp/test_acme.XXXXXX";
	struct err e;

	(void)argc;
	if (url == NULL) {
		char *cmd = xasprintf("TESTS_DIR=\"$PWD/tests\"; "
		    ". tests/lib.sh >/dev/null; "
		    ". tests/lib/pebble.sh; start_pebble >&2 || exit 1; "
		    "'%s'; exit $?", argv[0]);
		int rc;

		setenv("CERTKEEP", "/bin/true", 0);
		rc = system(cmd);
		free(cmd);
		return WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
	}
	test_keys();
	test_classes();
	test_retry_after();

	char *dir = mkdtemp(tmpl);
	struct store *s = store_open(dir, 1, &e);
	ok(s != NULL, "store");

	/* Untrusted: the system bundle does not know Pebble's CA. */
	struct acme *bad = acme_new(url, "/etc/ssl/certs/ca-certificates.crt",
	    NULL, &e);
	ok(acme_directory(bad, &e) == NULL &&
	    strstr(e.msg, "not trusted") != NULL,
	    "untrusted CA refused: %s", e.msg);
	is_int(acme_last_class(bad), ACME_NETWORK, "class network");
	acme_free(bad);

	struct macme cfg;
	memset(&cfg, 0, sizeof(cfg));
	char *contact[] = { "hostmaster@example.com", NULL };
	cfg.directory = (char *)url;
	cfg.contact = contact;
	cfg.ncontact = 1;
	cfg.account_key = KEY_EC_P256;
	cfg.terms_accepted = 0;

	struct acme *a = acme_new(url, trust, NULL, &e);
	const struct acme_dir *d = acme_directory(a, &e);
	ok(d != NULL && d->new_order != NULL, "directory");
	ok(d != NULL && d->terms != NULL, "terms URL in meta");

	struct key *ak = NULL;
	int r = account_open(a, s, &cfg, 1, &ak, &e);
	is_int(r, ACCOUNT_NEED_TERMS, "terms not accepted: %s", e.msg);
	ok(strstr(e.msg, "(terms: ") != NULL, "message names terms");

	cfg.terms_accepted = 1;
	r = account_open(a, s, &cfg, 1, &ak, &e);
	is_int(r, 0, "account registered %s", r ? e.msg : "");
	ok(acme_kid(a) != NULL, "kid %s", acme_kid(a));
	char *kid = acme_kid(a) ? xstrdup(acme_kid(a)) : NULL;
	acme_free(a);
	key_free(ak);

	a = acme_new(url, trust, NULL, &e);
	r = account_open(a, s, &cfg, 1, &ak, &e);
	is_int(acme_requests(a), 0, "stored account: no request");
	is_str(acme_kid(a), kid, "same account");
	acme_free(a);
	key_free(ak);

	char *ub = account_blob(url, "url");
	store_del_blob(s, ub, &e);
	free(ub);
	a = acme_new(url, trust, NULL, &e);
	r = account_open(a, s, &cfg, 0, &ak, &e);
	is_int(r, 0, "refound without the url blob %s", r ? e.msg : "");
	is_str(acme_kid(a), kid, "onlyReturnExisting finds the same account");

	/* An order through the listen responder. */
	struct mcert c;
	memset(&c, 0, sizeof(c));
	char *hn[] = { "one.example.com", "two.example.com", NULL };
	c.name = "one";
	c.hostnames = hn;
	c.nhostnames = 2;
	c.key_type = KEY_EC_P256;
	c.challenge.type = CHALL_HTTP01;
	char *listen = xasprintf("127.0.0.1:%s", hport);
	c.challenge.listen = listen;
	struct manifest m;
	memset(&m, 0, sizeof(m));
	struct chall_run *run = chall_run_new(&m.dns, NULL);
	struct key *ck = key_generate(KEY_EC_P256, &e);
	struct order_req req = { .cert = &c, .key = ck, .chall = run };
	struct order_result res;
	long t0 = mono_ms();
	r = order_run(a, &req, &res, &e);
	is_int(r, 0, "order issued %s", r ? e.msg : "");
	printf("# order: %ld requests, %lld ms\n", res.requests,
	    mono_ms() - t0);
	ok(res.cert && strstr(res.cert, "BEGIN CERTIFICATE"), "leaf");
	ok(res.chain && strstr(res.chain, "BEGIN CERTIFICATE"), "chain");

	struct certset set;
	memset(&set, 0, sizeof(set));
	set.cert = res.cert;
	set.chain = res.chain;
	set.key = key_to_pem(ck, &e);
	struct certinfo info;
	certinfo_read(&set, &info);
	is_str(certinfo_status_names[info.status], "ok", "set is sound");
	is_int(info.nsans, 2, "two SANs");
	certinfo_clear(&info);
	key_pem_free(set.key);

	test_concurrent(a, run, listen);
	test_bucket(url, trust);

	/* Resuming a valid order downloads again without a new order. */
	req.resume_url = res.order_url;
	struct order_result res2;
	r = order_run(a, &req, &res2, &e);
	ok(r == 0 && res2.resumed, "valid order resumed");
	is_str(res2.cert, res.cert, "same certificate");
	order_result_clear(&res2);
	order_result_clear(&res);

	/* Rollover, then the account still works with the new key. */
	r = account_rollover(a, s, url, KEY_EC_P384, &ak, &e);
	is_int(r, 0, "rollover %s", r ? e.msg : "");
	cJSON *acct = account_fetch(a, &e);
	ok(acct != NULL, "account readable with the new key %s",
	    acct ? "" : e.msg);
	cJSON_Delete(acct);

	key_free(ck);
	chall_run_free(run);
	free(listen);
	acme_free(a);
	key_free(ak);
	free(kid);
	store_free(s);
	rm_rf(dir, &e);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
