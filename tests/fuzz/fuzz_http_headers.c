/*
 * fuzz_http_headers.c - libFuzzer target for the headers of an ACME
 * server's answer: the input is one answer (see fake_curl.c: a status
 * line, header lines, a body), read by the real http_request() callbacks
 * (Replay-Nonce, Location, Retry-After, Content-Type, Link rel="up" and
 * rel="alternate"), then Retry-After is interpreted by the one parser,
 * both as the ACME client does (http_retry_after()) and on the raw header
 * as renewalInfo does (http_retry_after_parse()).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acme/ari.h"
#include "acme/http.h"
#include "base/err.h"

#include "fake_curl.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const time_t now = 1795586400;	/* 2026-11-25T06:00:00Z */
	struct http *h;
	struct http_resp r;
	struct err e;
	long long s1, s2;
	size_t i;

	fake_load(data, size);
	if ((h = http_new("/nonexistent/ca.pem", NULL, &e)) == NULL)
		abort();
	http_resp_init(&r);
	if (http_request(h, "GET", "https://ca.test/acme/dir", NULL, NULL, 0,
	    &r, &e) == 0) {
		if (r.body == NULL || strlen(r.body) > r.len)
			abort();
		/* Never negative: a date in the past is "now" (0). */
		if ((s1 = http_retry_after(&r, now)) < -1)
			abort();
		(void)http_retry_after_parse(r.retry_after, now, &s2);
		for (i = 0; i < r.link_up.n; i++)
			if (strchr(r.link_up.v[i], '>') != NULL)
				abort();
		for (i = 0; i < r.link_alternate.n; i++)
			if (strchr(r.link_alternate.v[i], '>') != NULL)
				abort();
	}
	http_resp_clear(&r);
	http_free(h);
	return 0;
}
