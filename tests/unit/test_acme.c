/*
 * test_acme.c - key, acme, account and order against a real Pebble.
 *
 * Without PEBBLE_URL in the environment the program starts Pebble itself
 * through tests/lib/pebble.sh (run from the source tree, as tests/run.sh
 * does) and runs again under it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "acme.h"
#include "certinfo.h"
#include "chall.h"
#include "err.h"
#include "key.h"
#include "manifest.h"
#include "order.h"
#include "store.h"
#include "tap.h"
#include "util.h"

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
	struct chall_run *run = chall_run_new(&m, NULL);
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
