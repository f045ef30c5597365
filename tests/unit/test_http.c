/*
 * test_http.c - acme/http.c: what the ACME client reads from an answer's
 * headers (Replay-Nonce, Location, Retry-After, Content-Type, Link
 * rel="up" and rel="alternate") through the real libcurl callbacks, fed
 * by scripted answers (tests/fuzz/fake_curl.c replaces libcurl's easy
 * interface in this program), and the one Retry-After parser.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/http.h"
#include "base/err.h"
#include "tap.h"

#include "../fuzz/fake_curl.c"

#define URL	"https://ca.test/acme/x"

/* Plays one scripted answer to a GET; returns http_request()'s result. */
static int
answer(struct http *h, const char *script, struct http_resp *r,
    struct err *e)
{
	fake_load((const uint8_t *)script, strlen(script));
	return http_request(h, "GET", URL, NULL, NULL, 0, r, e);
}

static void
test_headers(struct http *h)
{
	struct http_resp r;
	struct err e;

	http_resp_init(&r);
	ok(answer(h, "201\n"
	    "Replay-Nonce:   nonce-1 \n"
	    "location: https://ca.test/order/7\n"
	    "Content-Type: application/json\n"
	    "Retry-After: 30\n"
	    "\n"
	    "{\"status\":\"pending\"}", &r, &e) == 0, "an answer");
	is_int(r.status, 201, "status");
	is_str(r.nonce, "nonce-1", "Replay-Nonce, blanks trimmed");
	is_str(r.location, "https://ca.test/order/7",
	    "Location, the header name in any case");
	is_str(r.content_type, "application/json", "Content-Type");
	is_str(r.retry_after, "30", "Retry-After as sent");
	is_int(http_retry_after(&r, 1800000000), 30, "Retry-After parsed");
	is_str(r.body, "{\"status\":\"pending\"}", "body");
	is_int(r.len, strlen("{\"status\":\"pending\"}"), "body length");

	/* The next answer on the same response starts clean. */
	ok(answer(h, "200\nX-Other: 1\n\n", &r, &e) == 0, "second answer");
	ok(r.nonce == NULL && r.location == NULL && r.retry_after == NULL,
	    "nothing left from the previous answer");
	is_int(http_retry_after(&r, 1800000000), -1, "no Retry-After: -1");
	is_str(r.body, "", "empty body is \"\", not NULL");

	/* Link: rel="up" (the issuer chain), rel="alternate" (other
	   chains), several in one header or in several headers. */
	ok(answer(h, "200\n"
	    "Link: <https://ca.test/dir>;rel=\"index\"\n"
	    "Link: <https://ca.test/issuer>;rel=\"up\"\n"
	    "Link: <https://ca.test/alt/1>;rel=\"alternate\", "
	    "<https://ca.test/alt/2> ; rel=alternate\n"
	    "Link: <https://ca.test/upper>;rel=\"upper\"\n"
	    "Link: <https://ca.test/up2>;rel=up\n"
	    "\n", &r, &e) == 0, "Link answer");
	is_int(r.link_up.n, 2, "two rel=up links (upper is not up)");
	is_str(r.link_up.n > 0 ? r.link_up.v[0] : NULL,
	    "https://ca.test/issuer", "rel=\"up\" quoted");
	is_str(r.link_up.n > 1 ? r.link_up.v[1] : NULL, "https://ca.test/up2",
	    "rel=up bare");
	is_int(r.link_alternate.n, 2, "two alternates");
	is_str(r.link_alternate.n > 1 ? r.link_alternate.v[1] : NULL,
	    "https://ca.test/alt/2", "second alternate of one header");

	/* A Link without its closing '>' is ignored, not read past. */
	ok(answer(h, "200\nLink: <https://ca.test/cut;rel=\"up\"\n\n", &r,
	    &e) == 0 && r.link_up.n == 0, "a cut Link is ignored");

	/* An interim answer (100 Continue) then the real one: only the
	   real one's headers count. */
	ok(answer(h, "200\n"
	    "Replay-Nonce: from-100\n"
	    "Location: https://ca.test/interim\n"
	    "HTTP/1.1 200 OK\n"
	    "Replay-Nonce: final\n"
	    "\n", &r, &e) == 0, "interim answer");
	is_str(r.nonce, "final", "the final answer's nonce");
	ok(r.location == NULL, "no Location from the interim answer");

	/* A header line without a colon, an empty value. */
	ok(answer(h, "200\nnot a header\nReplay-Nonce:\n\n", &r, &e) == 0,
	    "odd header lines");
	is_str(r.nonce, "", "an empty Replay-Nonce is empty");

	http_resp_clear(&r);
}

static void
test_no_answer(struct http *h)
{
	struct http_resp r;
	struct err e;

	http_resp_init(&r);
	fake_load(NULL, 0);
	ok(http_request(h, "GET", URL, NULL, NULL, 0, &r, &e) == -1,
	    "no answer: -1");
	ok(http_last_transient(h), "a refused connection may go away");
	ok(strstr(e.msg, URL) != NULL, "the message names the URL (%s)",
	    e.msg);
	err_clear(&e);
	ok(http_request(h, "GET", "http://ca.test/x", NULL, NULL, 0, &r,
	    &e) == -1 && strstr(e.msg, "only https://") != NULL,
	    "plain http refused: %s", e.msg);
	http_resp_clear(&r);
}

/* The one Retry-After parser: delta-seconds or HTTP-date, never
   negative, bounded. */
static void
test_retry_after(void)
{
	const time_t now = 1800000000;	/* 2027-01-15T08:00:00Z */
	long long s;

	ok(http_retry_after_parse("0", now, &s) == 0 && s == 0, "zero");
	ok(http_retry_after_parse("120\r\n", now, &s) == 0 && s == 120,
	    "trailing CRLF (%lld)", s);
	ok(http_retry_after_parse("31622400", now, &s) == 0 &&
	    s == HTTP_RETRY_AFTER_MAX, "exactly the bound (%lld)", s);
	ok(http_retry_after_parse("31622401", now, &s) == 0 &&
	    s == HTTP_RETRY_AFTER_MAX, "one past the bound is clamped");
	ok(http_retry_after_parse("18446744073709551616", now, &s) == 0 &&
	    s == HTTP_RETRY_AFTER_MAX, "2^64 is clamped, no wrap (%lld)", s);
	ok(http_retry_after_parse("1e9", now, &s) == -1, "exponent refused");
	ok(http_retry_after_parse("+5", now, &s) == -1, "sign refused");
	ok(http_retry_after_parse("5 5", now, &s) == -1, "two numbers "
	    "refused");
	ok(http_retry_after_parse("", now, &s) == -1, "empty refused");
	ok(http_retry_after_parse("0x10", now, &s) == -1, "hex refused");
	/* HTTP-date in its three forms (RFC 9110 5.6.7). */
	ok(http_retry_after_parse("Fri, 15 Jan 2027 09:00:00 GMT", now,
	    &s) == 0 && s == 3600, "IMF-fixdate (%lld)", s);
	ok(http_retry_after_parse("Friday, 15-Jan-27 09:00:00 GMT", now,
	    &s) == 0 && s == 3600, "RFC 850 date (%lld)", s);
	ok(http_retry_after_parse("Fri Jan 15 09:00:00 2027", now, &s) ==
	    0 && s == 3600, "asctime date (%lld)", s);
	ok(http_retry_after_parse("Fri, 15 Jan 2027 09:00:00 GMT junk", now,
	    &s) == -1, "a date with junk after it refused");
	ok(http_retry_after_parse("Fri, 32 Jan 2027 09:00:00 GMT", now,
	    &s) == -1, "an impossible date refused");
	ok(http_retry_after_parse("Fri, 15 Jan 2027 08:00:00 GMT", now,
	    &s) == 0 && s == 0, "the date now: 0");
}

int
main(void)
{
	struct http *h;
	struct err e;

	if ((h = http_new("/nonexistent/ca.pem", NULL, &e)) == NULL) {
		printf("not ok 1 - http_new: %s\n1..1\n", e.msg);
		return 1;
	}
	test_headers(h);
	test_no_answer(h);
	test_retry_after();
	http_free(h);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
