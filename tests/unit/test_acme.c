/*
 * test_acme.c - the ACME client itself (acme/acme.c, problem.c, wait.c):
 * problem types and their classes, the wait helper, Retry-After, the
 * directory over verified TLS and the per-endpoint rate limit, against a
 * real Pebble (pebble.h). Keys, accounts and orders have their own tests
 * (test_key.c, test_account.c, test_order.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "acme/acme.h"
#include "acme/http.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/time.h"
#include "pebble.h"
#include "reconcile/issue.h"
#include "reconcile/lifetime.h"
#include "tap.h"

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
	buf_clear(&b);
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

/* The newNonce bucket (20/s, bursts of 20): 30 requests in a row wait
   for the last 10, about half a second, and are counted as such. */
static void
test_bucket(const char *url, const char *trust)
{
	struct err e;
	struct acme *a = acme_new(url, trust, NULL, &e);
	const struct acme_dir *d = NULL;
	struct acme_stats st;
	struct http_resp r;
	long long t0;
	int okn = 0;

	if (a != NULL)
		acme_directory(a, &d, &e);
	ok(d != NULL, "bucket: directory");
	if (d == NULL) {
		acme_free(a);
		return;
	}
	http_resp_init(&r);
	t0 = mono_ms();
	for (int i = 0; i < 30; i++)
		if (acme_get(a, d->new_nonce, &r, &e) == ACME_OK &&
		    r.status < 300)
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

/* The one problem table: every type in it once, the URN prefix, the
   problem type of an answer. */
static void
test_problems(void)
{
	const struct acme_problem *p;
	struct http_resp r;
	char *t;

	is_int(ACME_URN_LEN, 27, "the URN prefix is 27 characters");
	is_str(acme_problem_short(ACME_URN "caa"), "caa", "URN stripped");
	is_str(acme_problem_short("caa"), "caa", "short name kept");
	ok(acme_problem_short(NULL) == NULL, "NULL stays NULL");
	p = acme_problem_find(ACME_URN "unauthorizedAccount");
	ok(p != NULL && p->result == ACME_BAD_INPUT && p->advice != NULL &&
	    strstr(p->advice, "certkeep account show") != NULL,
	    "unauthorizedAccount: bad input, with its advice");
	p = acme_problem_find("badNonce");
	ok(p != NULL && p->advice == NULL, "badNonce: no advice for people");
	ok(acme_problem_find("urn:x:caa") == NULL, "another prefix is not "
	    "an ACME type");
	is_str(acme_result_names[ACME_NEED_TERMS], "need-terms",
	    "result names");

	http_resp_init(&r);
	r.body = xstrdup("{\"type\":\"" ACME_URN "rateLimited\","
	    "\"detail\":\"slow down\"}");
	r.len = strlen(r.body);
	t = acme_answer_type(&r);
	is_str(t, ACME_URN "rateLimited", "the problem type of an answer");
	free(t);
	http_resp_clear(&r);
	r.body = xstrdup("[\"type\"]");
	r.len = strlen(r.body);
	ok(acme_answer_type(&r) == NULL, "no type in a non-object");
	http_resp_clear(&r);
	ok(acme_answer_type(&r) == NULL, "no type without a body");
}

static int
pebble_main(const char *url, const char *trust)
{
	struct err e;

	test_classes();
	test_problems();
	test_retry_after();

	/* Untrusted: the system bundle does not know Pebble's CA. */
	struct acme *bad = acme_new(url, "/etc/ssl/certs/ca-certificates.crt",
	    NULL, &e);
	const struct acme_dir *bd;
	enum acme_result br = acme_directory(bad, &bd, &e);
	ok(br != ACME_OK && bd == NULL &&
	    strstr(e.msg, "not trusted") != NULL,
	    "untrusted CA refused: %s", e.msg);
	is_int(br, ACME_NETWORK, "class network");
	acme_free(bad);

	struct acme *a = acme_new(url, trust, NULL, &e);
	const struct acme_dir *d;
	acme_directory(a, &d, &e);
	ok(d != NULL && d->new_order != NULL, "directory");
	ok(d != NULL && d->terms != NULL, "terms URL in meta");
	acme_free(a);

	test_bucket(url, trust);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
