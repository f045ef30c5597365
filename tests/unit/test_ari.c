/*
 * Unit tests for ari.c (RFC 9773 logic), profile.c and lifetime.c: parsing
 * renewalInfo answers, Retry-After clamping and backoff, the chosen instant
 * kept or re-picked, the renew decision with --next-run, profiles against
 * meta.profiles, and the lifetime-derived sizes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "acme/ari.h"
#include "acme/http.h"
#include "acme/profile.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/time.h"
#include "reconcile/lifetime.h"
#include "reconcile/plan.h"
#include "tap.h"

#define DAY 86400LL

static const char *const body_ok =
    "{\"suggestedWindow\": {\"start\": \"2027-02-01T00:00:00Z\","
    " \"end\": \"2027-02-03T00:00:00Z\"},"
    " \"explanationURL\": \"https://ca.example/why\"}";

static void
test_parse(void)
{
	struct ari_window w;
	struct err e;
	char *warn;
	time_t s, t;
	const char *bad =
	    "{\"suggestedWindow\": {\"start\": \"2027-02-03T00:00:00Z\","
	    " \"end\": \"2027-02-03T00:00:00Z\"}}";
	const char *none = "{\"explanationURL\": \"https://x/\"}";

	time_parse_rfc3339("2027-02-01T00:00:00Z", &s);
	time_parse_rfc3339("2027-02-03T00:00:00Z", &t);
	ok(ari_parse_response(body_ok, strlen(body_ok), "U", &w, &warn,
	    &e) == 0, "window parses");
	is_int(w.start, s, "start");
	is_int(w.end, t, "end");
	is_str(w.explanation_url, "https://ca.example/why", "explanationURL");
	ok(warn == NULL, "no warning for a good window");
	ari_window_clear(&w);

	ok(ari_parse_response(bad, strlen(bad), "U", &w, &warn, &e) == 0,
	    "end == start parses");
	ok(w.start == 0 && w.end == 0, "end <= start window ignored");
	ok(warn != NULL && strstr(warn, "ends before") != NULL,
	    "warning says why: %s", warn ? warn : "(null)");
	free(warn);
	ari_window_clear(&w);

	ok(ari_parse_response(none, strlen(none), "U", &w, &warn, &e) == 0 &&
	    w.start == 0 && warn != NULL, "missing window ignored, warned");
	is_str(w.explanation_url, "https://x/", "explanation kept anyway");
	free(warn);
	ari_window_clear(&w);

	ok(ari_parse_response("<html>", 6, "https://ca/ri/X", &w, &warn,
	    &e) == -1, "non-JSON refused");
	ok(strstr(e.msg, "https://ca/ri/X") != NULL, "error names the URL");
}

static void
test_retry(void)
{
	long long s;
	time_t now = 1800000000;
	char date[64];

	ok(http_retry_after_parse("21600", now, &s) == 0 && s == 21600,
	    "delta-seconds");
	ok(http_retry_after_parse(" 120 ", now, &s) == 0 && s == 120,
	    "spaces around");
	ok(http_retry_after_parse("12x", now, &s) == -1, "garbage refused");
	ok(http_retry_after_parse(NULL, now, &s) == -1, "absent refused");
	/* 1800003600 = Fri, 15 Jan 2027 09:00:00 GMT */
	strcpy(date, "Fri, 15 Jan 2027 09:00:00 GMT");
	ok(http_retry_after_parse(date, now, &s) == 0 && s == 3600,
	    "HTTP-date form (got %lld)", s);

	is_int(ari_retry_clamp(0), 60, "clamped up to 1 minute");
	is_int(ari_retry_clamp(59), 60, "59 s -> 60 s");
	is_int(ari_retry_clamp(3600), 3600, "in range kept");
	is_int(ari_retry_clamp(7 * DAY), DAY, "clamped down to 1 day");
}

static void
test_backoff(void)
{
	long long b, cap;
	int i, lo_ok = 1, hi_ok = 1, grows = 1;
	long long prev_max = 0;

	is_int(ari_backoff_cap(90 * DAY), 21600, "cap 6 h for 90 days");
	is_int(ari_backoff_cap(6 * DAY), 21600, "cap 6 h for 6 days");
	is_int(ari_backoff_cap(3600), 150, "cap follows a short lifetime");
	is_int(ari_backoff_cap(0), 21600, "unknown lifetime: 6 h");
	is_int(ari_backoff(1, 90 * DAY), 60, "first backoff 1 minute");
	for (i = 1; i <= 40; i++) {
		cap = ari_backoff_cap(90 * DAY);
		b = ari_backoff(i, 90 * DAY);
		if (b < 60)
			lo_ok = 0;
		if (b > cap)
			hi_ok = 0;
		if (i <= 6 && b < prev_max / 2)
			grows = 0;
		if (b > prev_max)
			prev_max = b;
	}
	ok(lo_ok, "backoff never below 1 minute");
	ok(hi_ok, "backoff never above the cap");
	ok(grows, "backoff grows");
	b = ari_backoff(1000000, 90 * DAY);
	ok(b >= 21600 / 2 && b <= 21600, "huge step stays capped (%lld)", b);
}

static void
test_record(void)
{
	struct ari_state st;
	struct ari_window w = { 0, 0, NULL };
	time_t now = 1800000000, c0;
	int i, same = 1, inside = 1, varied = 0;

	memset(&st, 0, sizeof(st));
	w.start = now + 10 * DAY;
	w.end = now + 12 * DAY;
	w.explanation_url = xstrdup("https://ca/why");
	ok(ari_poll_due(&st, "A.01", now + 30 * DAY, now) == 1,
	    "never polled: due");
	ok(ari_state_record(&st, "A.01", "https://ca/ri", ARI_POLL_OK, &w,
	    -1, 90 * DAY, now) == 1, "first window: chosen");
	ok(st.chosen >= w.start && st.chosen <= w.end, "chosen in window");
	is_int(st.retry_after, now + ARI_RETRY_DEFAULT,
	    "no Retry-After: 6 hours");
	is_str(st.explanation_url, "https://ca/why", "explanation stored");
	is_str(st.url, "https://ca/ri", "URL stored");
	ok(ari_poll_due(&st, "A.01", now + 30 * DAY, now + 60) == 0,
	    "not due before retry_after");
	ok(ari_poll_due(&st, "A.01", now + 30 * DAY, now + 21600) == 1,
	    "due once retry_after passed");
	ok(ari_poll_due(&st, "A.01", now + 30 * DAY, now + 31 * DAY) == 0,
	    "never for an expired certificate");
	ok(ari_poll_due(&st, "B.02", now + 30 * DAY, now + 60) == 1,
	    "a new certificate is polled at once");

	c0 = st.chosen;
	for (i = 0; i < 20; i++) {
		ari_state_record(&st, "A.01", NULL, ARI_POLL_OK, &w, 30000,
		    90 * DAY, now + i);
		if (st.chosen != c0)
			same = 0;
	}
	ok(same, "unchanged window keeps the chosen instant");
	is_int(st.retry_after, now + 19 + 30000, "Retry-After honoured");
	ari_state_record(&st, "A.01", NULL, ARI_POLL_OK, &w, 999999,
	    90 * DAY, now);
	is_int(st.retry_after, now + DAY, "Retry-After clamped to 1 day");
	ari_state_record(&st, "A.01", NULL, ARI_POLL_OK, &w, 1, 90 * DAY,
	    now);
	is_int(st.retry_after, now + 60, "Retry-After clamped to 1 minute");

	/* The window moves (revocation): the instant is picked again. */
	for (i = 0; i < 50; i++) {
		w.start = now - 3600 + i * 1000;
		w.end = now + i * 1000 + 3600;
		ari_state_record(&st, "A.01", NULL, ARI_POLL_OK, &w, -1,
		    90 * DAY, now);
		if (st.chosen < w.start || st.chosen > w.end)
			inside = 0;
		if (st.chosen - w.start != 3600)
			varied = 1;
	}
	ok(inside, "re-picked instant inside the new window");
	ok(varied, "instants are random, not fixed");

	/* An ignored window keeps what was known for this certificate. */
	c0 = st.chosen;
	{
		struct ari_window none = { 0, 0, NULL };

		ari_state_record(&st, "A.01", NULL, ARI_POLL_OK, &none, -1,
		    90 * DAY, now);
	}
	is_int(st.chosen, c0, "ignored window keeps the chosen instant");
	ok(st.explanation_url == NULL, "explanation follows the answer");

	ari_state_record(&st, "A.01", NULL, ARI_POLL_TEMPORARY, NULL, -1,
	    90 * DAY, now);
	is_int(st.failures, 1, "5xx counts a failure");
	is_int(st.retry_after, now + 60, "first backoff 1 minute");
	ari_state_record(&st, "A.01", NULL, ARI_POLL_TEMPORARY, NULL, 600,
	    90 * DAY, now);
	is_int(st.retry_after, now + 600, "503 Retry-After honoured");
	is_int(st.chosen, c0, "failure keeps the window");
	ari_state_record(&st, "A.01", NULL, ARI_POLL_LONG_ERROR, NULL, -1,
	    90 * DAY, now);
	is_int(st.retry_after, now + 21600, "long-term error: 6 hours");
	ok(st.url == NULL, "long-term error forgets the URL");
	ari_state_record(&st, "A.01", NULL, ARI_POLL_OK, &w, -1, 90 * DAY,
	    now);
	is_int(st.failures, 0, "success resets the failures");

	/* Another certificate replaces what was known. */
	ari_state_record(&st, "B.02", NULL, ARI_POLL_TEMPORARY, NULL, -1,
	    90 * DAY, now);
	is_str(st.cert_id, "B.02", "state follows the new certificate");
	ok(st.window_start == 0 && st.chosen == 0,
	    "old window dropped with the old certificate");
	free(w.explanation_url);
	ari_state_clear(&st);
}

static void
test_decide(void)
{
	struct ari_state st;
	time_t now = 1800000000, at;

	memset(&st, 0, sizeof(st));
	ok(ari_says_renew(&st, "A.01", now, 0, &at) == 0 && at == 0,
	    "no window: nothing to say");
	st.cert_id = xstrdup("A.01");
	st.window_start = now + DAY;
	st.window_end = now + 3 * DAY;
	st.chosen = now + 2 * DAY;
	ok(ari_says_renew(&st, "A.01", now, 0, &at) == 0 &&
	    at == now + 2 * DAY, "before the chosen instant: keep");
	ok(ari_says_renew(&st, "A.01", now + 2 * DAY, 0, &at) == 1,
	    "at the chosen instant: renew");
	ok(ari_says_renew(&st, "A.01", now + DAY + 1, DAY, &at) == 1,
	    "chosen before the next run (--next-run 24h): renew now");
	ok(ari_says_renew(&st, "A.01", now + DAY - 1, DAY, &at) == 0,
	    "chosen after the next run: keep");
	ok(ari_says_renew(&st, "B.02", now + 3 * DAY, 0, &at) == 0,
	    "a window of another certificate is not used");
	ari_state_clear(&st);
}

static void
test_json(void)
{
	struct ari_state st, back;
	cJSON *j, *out;
	time_t now = 1800000000;

	memset(&st, 0, sizeof(st));
	st.cert_id = xstrdup("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
	st.window_start = now;
	st.window_end = now + DAY;
	st.chosen = now + 100;
	st.retry_after = now + 21600;
	st.last_poll = now;
	st.failures = 2;
	st.url = xstrdup("https://ca/ri");
	j = ari_state_to_json(&st);
	ari_state_from_json(j, &back);
	ok(back.window_start == st.window_start &&
	    back.window_end == st.window_end && back.chosen == st.chosen &&
	    back.retry_after == st.retry_after &&
	    back.last_poll == st.last_poll && back.failures == 2,
	    "state JSON round trip");
	is_str(back.cert_id, st.cert_id, "certID round trip");
	is_str(back.url, "https://ca/ri", "URL round trip");
	ok(back.explanation_url == NULL, "absent explanation stays absent");
	out = ari_state_to_output(&st);
	ok(cJSON_IsString(cJSON_GetObjectItem(out, "window_start")) &&
	    cJSON_IsString(cJSON_GetObjectItem(out, "chosen")) &&
	    cJSON_IsNull(cJSON_GetObjectItem(out, "explanation_url")) &&
	    cJSON_GetObjectItem(out, "url") == NULL,
	    "output object carries the window, not internals");
	cJSON_Delete(out);
	cJSON_Delete(j);
	ari_state_clear(&back);
	ari_state_from_json(NULL, &back);
	ok(back.cert_id == NULL && back.chosen == 0, "NULL JSON: empty");
	j = cJSON_Parse("{\"cert_id\": 5, \"window_start\": \"x\","
	    " \"failures\": \"y\"}");
	ari_state_from_json(j, &back);
	ok(back.cert_id == NULL && back.window_start == 0 &&
	    back.failures == 0, "wrong types ignored");
	cJSON_Delete(j);
	ari_state_clear(&st);
}

static void
test_replace(void)
{
	char *a[] = { "a.example", "b.example", NULL };
	char *b[] = { "c.example", "b.example", NULL };
	char *c[] = { "d.example", NULL };

	ok(ari_may_replace(a, b), "one shared hostname: replaces");
	ok(!ari_may_replace(a, c), "no shared hostname: no replaces");
	ok(!ari_may_replace(NULL, c), "no predecessor: no replaces");
	ok(ari_replaces_refused(409, "urn:ietf:params:acme:error:malformed"),
	    "409 already replaced: retry without");
	ok(ari_replaces_refused(409,
	    "urn:ietf:params:acme:error:alreadyReplaced"), "alreadyReplaced");
	ok(ari_replaces_refused(500,
	    "urn:ietf:params:acme:error:serverInternal"),
	    "500 unknown predecessor: retry without");
	ok(ari_replaces_refused(403, NULL), "403 other account");
	ok(!ari_replaces_refused(429,
	    "urn:ietf:params:acme:error:rateLimited"), "rate limit: no");
	ok(!ari_replaces_refused(400, "urn:ietf:params:acme:error:badNonce"),
	    "badNonce: no");
	ok(!ari_replaces_refused(0, NULL), "no answer: no");
}

static void
test_profile(void)
{
	cJSON *p = cJSON_Parse("{\"default\": \"classic\","
	    " \"shortlived\": \"6 days\"}");
	cJSON *empty = cJSON_CreateObject();
	const char *use;
	char *warn;
	struct err e;

	ok(profile_resolve(NULL, 0, p, "U", &use, &warn, &e) == 0 &&
	    use == NULL && warn == NULL, "no profile: none sent");
	ok(profile_resolve("shortlived", 0, p, "U", &use, &warn, &e) == 0 &&
	    use != NULL && strcmp(use, "shortlived") == 0 && warn == NULL,
	    "offered profile sent");
	ok(profile_resolve("foo", 0, p, "https://ca/dir", &use, &warn,
	    &e) == -1, "unknown profile refused");
	is_str(e.msg, "profile \"foo\" is not offered by https://ca/dir: "
	    "choose one of default, shortlived", "error lists the offered");
	ok(profile_resolve("foo", 1, p, "U", &use, &warn, &e) == 0 &&
	    use == NULL && warn != NULL && strstr(warn, "without") != NULL,
	    "profile_optional: ordered without, warned");
	free(warn);
	ok(profile_resolve("x", 0, NULL, "https://ca/dir", &use, &warn,
	    &e) == -1 && strstr(e.msg, "offers no profiles") != NULL,
	    "no meta.profiles: clear failure (%s)", e.msg);
	ok(profile_resolve("x", 0, empty, "U", &use, &warn, &e) == -1,
	    "empty meta.profiles: failure");
	ok(profile_resolve("x", 1, NULL, "U", &use, &warn, &e) == 0 &&
	    use == NULL && warn != NULL, "no meta.profiles, optional: warn");
	free(warn);
	cJSON_Delete(p);
	cJSON_Delete(empty);
}

static void
test_lifetime(void)
{
	is_int(lifetime_of(1000, 1000 + 90 * DAY), 90 * DAY, "lifetime");
	is_int(lifetime_of(1000, 900), 0, "inverted: unknown");
	is_int(lifetime_retry_cap(90 * DAY), DAY, "90 days: retry cap 1 d");
	is_int(lifetime_retry_cap(6 * DAY), 9 * 3600, "6 days: retry 9 h");
	is_int(lifetime_retry_cap(3600), 3600, "retry cap at least 1 h");
}

static void
test_answer(void)
{
	struct ari_state st;
	time_t now = 1800000000;
	char *msg;

	memset(&st, 0, sizeof(st));
	ok(ari_handle_answer(&st, "A.01", "https://ca/ri", 200, "21600",
	    body_ok, strlen(body_ok), 90 * DAY, now, &msg) == 1,
	    "200: window recorded");
	ok(msg == NULL, "no message for a good answer");
	is_int(st.retry_after, now + 21600, "Retry-After from the header");
	ok(st.window_start != 0 && st.chosen != 0, "window and instant");
	ari_handle_answer(&st, "A.01", "https://ca/ri", 503, NULL, "", 0,
	    90 * DAY, now, &msg);
	ok(st.failures == 1 && st.retry_after == now + 60 && msg != NULL,
	    "503: backoff 1 minute, warned");
	free(msg);
	ari_handle_answer(&st, "A.01", "https://ca/ri", 0, NULL, NULL, 0,
	    90 * DAY, now, &msg);
	ok(st.failures == 2 && st.retry_after >= now + 60 &&
	    st.retry_after <= now + 120, "no answer: backoff grows");
	free(msg);
	ari_handle_answer(&st, "A.01", "https://ca/ri", 404, "30", "{}", 2,
	    90 * DAY, now, &msg);
	ok(st.retry_after == now + 21600 && msg != NULL &&
	    strstr(msg, "https://ca/ri/A.01") != NULL,
	    "404: long-term error, 6 hours, message names the URL");
	free(msg);
	ari_handle_answer(&st, "A.01", "https://ca/ri", 200, NULL, "nope", 4,
	    90 * DAY, now, &msg);
	ok(st.retry_after == now + 21600 && msg != NULL,
	    "unparsable 200: long-term error");
	free(msg);
	ok(st.window_start != 0, "errors keep the last window");
	ari_state_clear(&st);
}

struct fake {
	int	 calls;
	long	 status;
	const char *retry;
	const char *body;
	char	 last_url[256];
};

static int
fake_get(void *arg, const char *url, long *status, char **retry, char **body,
    size_t *len, struct err *e)
{
	struct fake *f = arg;

	f->calls++;
	snprintf(f->last_url, sizeof(f->last_url), "%s", url);
	*status = f->status;
	*retry = f->retry != NULL ? xstrdup(f->retry) : NULL;
	*body = f->body != NULL ? xstrdup(f->body) : NULL;
	*len = f->body != NULL ? strlen(f->body) : 0;
	if (f->status == 0) {
		err_set(e, "connection refused");
		return -1;
	}
	return 0;
}

static void
test_poll(void)
{
	struct fake f;
	struct ari_http h = { fake_get, &f };
	struct ari_state st;
	time_t now = 1800000000, na = now + 90 * DAY;
	char *msg;

	memset(&f, 0, sizeof(f));
	memset(&st, 0, sizeof(st));
	f.status = 200;
	f.retry = "21600";
	f.body = body_ok;
	ok(ari_poll(&st, "A.01", na, 90 * DAY, "https://ca/ri/", &h, now,
	    &msg) == 1 && f.calls == 1, "first poll sent");
	is_str(f.last_url, "https://ca/ri/A.01", "GET <renewalInfo>/<certID>");
	is_str(ari_known_url(&st, "A.01", "https://ca/dir"), "https://ca/ri",
	    "URL kept");
	ok(ari_known_url(&st, "A.01", "https://ca:8443/dir") == NULL,
	    "not for another CA");
	ok(ari_known_url(&st, "A.01", "https://cab/dir") == NULL,
	    "not for another host with the same prefix");
	ok(ari_poll(&st, "A.01", na, 90 * DAY, "https://ca/ri", &h, now + 60,
	    &msg) == 0 && f.calls == 1, "not again before Retry-After");
	ok(ari_poll(&st, "A.01", na, 90 * DAY, "https://ca/ri", &h,
	    now + 21600, &msg) == 1 && f.calls == 2, "again once it passed");
	ok(ari_poll(&st, "A.01", na, 90 * DAY, "https://ca/ri", &h, na + 1,
	    &msg) == 0 && f.calls == 2, "never for an expired certificate");
	f.status = 0;
	ok(ari_poll(&st, "A.01", na, 90 * DAY, "https://ca/ri", &h,
	    now + 2 * 21600, &msg) == 1 && msg != NULL &&
	    strstr(msg, "connection refused") != NULL,
	    "no answer: recorded and said (%s)", msg ? msg : "");
	free(msg);
	ok(st.failures == 1 && st.window_start != 0, "failure keeps window");
	/* A CA without renewalInfo: remembered, nothing sent again. */
	ok(ari_poll(&st, "B.02", na, 90 * DAY, NULL, &h, now, &msg) == 0 &&
	    f.calls == 3 && st.unsupported, "no renewalInfo: nothing sent");
	ok(ari_poll_due(&st, "B.02", na, now + 30 * DAY) == 0,
	    "and never due for that certificate");
	ok(ari_known_url(&st, "B.02", "https://ca/dir") == NULL,
	    "no URL known");
	ok(ari_poll_due(&st, "C.03", na, now) == 1,
	    "the next certificate is asked again");
	ari_state_clear(&st);
}

int
main(void)
{
	test_parse();
	test_retry();
	test_backoff();
	test_record();
	test_decide();
	test_json();
	test_replace();
	test_profile();
	test_lifetime();
	test_answer();
	test_poll();
	return tap_done();
}
