/* test_plan.c - the renewal window at its edges and plan_decide's reasons. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "manifest/manifest.h"
#include "reconcile/plan.h"
#include "store/certinfo.h"
#include "store/state.h"
#include "tap.h"

#define DAY 86400LL

static long long
win(const struct mrenew *rb, long long lifetime)
{
	return plan_renew_window(rb, 1000000000, 1000000000 + lifetime);
}

static void
test_window(void)
{
	struct mrenew rb;

	memset(&rb, 0, sizeof(rb));
	is_int(win(NULL, 90 * DAY), 25 * DAY, "90-day cert: 25d");
	is_int(win(&rb, 90 * DAY), 25 * DAY, "unset renew_before: 25d");
	is_int(win(&rb, 75 * DAY), 25 * DAY, "75 days: 25d = lifetime/3");
	is_int(win(&rb, 74 * DAY), 74 * DAY / 3, "74 days: lifetime/3");
	is_int(win(&rb, 76 * DAY), 25 * DAY, "76 days: capped at 25d");
	is_int(win(&rb, 45 * DAY), 15 * DAY, "45-day cert: 15d");
	is_int(win(&rb, 6 * DAY), 2 * DAY, "6-day cert: 2d");
	is_int(win(&rb, 365 * DAY), 25 * DAY, "1-year cert: 25d");
	is_int(win(&rb, 0), 0, "zero lifetime: 0");
	is_int(win(&rb, -DAY), 0, "negative lifetime: 0");

	rb.set = 1;
	rb.seconds = 30 * DAY;
	is_int(win(&rb, 45 * DAY), 45 * DAY / 2, "30d on 45 days: 22.5d");
	is_int(win(&rb, 90 * DAY), 30 * DAY, "30d on 90 days: 30d");
	is_int(win(&rb, 60 * DAY), 30 * DAY, "30d on 60 days: exactly half");
	is_int(win(&rb, 6 * DAY), 3 * DAY, "30d on 6 days: 3d");
	rb.seconds = 10 * DAY;
	is_int(win(&rb, 90 * DAY), 10 * DAY, "10d on 90 days: 10d");
	rb.is_percent = 1;
	rb.percent = 33;
	is_int(win(&rb, 90 * DAY), 90 * DAY * 33 / 100, "33%% of 90 days");
	is_int(win(&rb, 6 * DAY), 6 * DAY * 33 / 100, "33%% of 6 days");
	rb.percent = 50;
	is_int(win(&rb, 90 * DAY), 45 * DAY, "50%%: half");
	rb.percent = 75;
	is_int(win(&rb, 90 * DAY), 45 * DAY, "75%%: capped at half");
}

/* A parsed, healthy certinfo; sans copied. */
static void
mkinfo(struct certinfo *ci, time_t nb, time_t na, const char *s1,
    const char *s2, int kt)
{
	memset(ci, 0, sizeof(*ci));
	ci->status = CERTINFO_OK;
	ci->not_before = nb;
	ci->not_after = na;
	ci->sans = xcalloc(3, sizeof(char *));
	ci->sans[0] = xstrdup(s1);
	ci->nsans = 1;
	if (s2 != NULL) {
		ci->sans[1] = xstrdup(s2);
		ci->nsans = 2;
	}
	ci->serial = xstrdup("0A0B");
	ci->issuer = xstrdup("CN=Test");
	ci->key_type = kt;
}

/* plan_decide at now, --force-renew or not, no --next-run. */
static void
decide_at(const struct manifest *m, const struct mcert *c,
    struct certinfo *ci, const struct certstate *st, time_t now, int force,
    struct plan_item *it)
{
	struct plan_opts o = { .now = now, .force = force };

	plan_decide(m, c, ci, st, &o, it);
}

/*
 * plan_decide on a healthy set of certificate "mail" (wants
 * mail.example.com and imap.example.com, ec-p256), no state: validity
 * from now+from to now+to, the set's names and key type, renew_before
 * (0: unset), --force-renew, and what the item must say (NA / NULL: not
 * checked).
 */
#define NA (-1)
#define MAIL "mail.example.com"
#define IMAP "imap.example.com"
struct decide_case {
	const char *what;
	long long from, to;
	const char *san1, *san2;
	int key_type;
	long long renew_before;
	int force;
	int action, reason;
	const char *text;	/* reason_text, exactly */
	const char *text_has;	/* a part of reason_text */
};

static const struct decide_case decide_cases[] = {
	{ "SAN order does not matter: keep", -30 * DAY, 60 * DAY, IMAP, MAIL,
	    KEY_EC_P256, 0, 0, PLAN_KEEP, NA, NULL, NULL },
	/* The window's edge: due exactly at notAfter - 25d. */
	{ "25 days left of 90: renew", -65 * DAY, 25 * DAY, MAIL, IMAP,
	    KEY_EC_P256, 0, 0, PLAN_RENEW, REASON_EXPIRING, NULL, NULL },
	{ "one second before the window: keep", -65 * DAY + 1, 25 * DAY + 1,
	    MAIL, IMAP, KEY_EC_P256, 0, 0, PLAN_KEEP, NA, NULL, NULL },
	{ "10 days left: renew", -80 * DAY, 10 * DAY, MAIL, IMAP, KEY_EC_P256,
	    0, 0, PLAN_RENEW, NA, "expires 2027-01-25 (10 days left), inside "
	    "the 25d renewal window", NULL },
	{ "expired: expiring", -100 * DAY, -10 * DAY, MAIL, IMAP, KEY_EC_P256,
	    0, 0, NA, REASON_EXPIRING, "expired 2027-01-05 (10 days ago)",
	    NULL },
	{ "6-day cert, 3 days left: keep", -3 * DAY, 3 * DAY, MAIL, IMAP,
	    KEY_EC_P256, 0, 0, PLAN_KEEP, NA, NULL, NULL },
	{ "6-day cert, 2 days left: renew", -4 * DAY, 2 * DAY, MAIL, IMAP,
	    KEY_EC_P256, 0, 0, PLAN_RENEW, NA, NULL,
	    "inside the 2d renewal window" },
	/* renew_before 30d on a 45-day certificate: 22.5 days. */
	{ "45 days, 23 left, 30d: keep", -22 * DAY, 23 * DAY, MAIL, IMAP,
	    KEY_EC_P256, 30 * DAY, 0, PLAN_KEEP, NA, NULL, NULL },
	{ "45 days, 22 left, 30d: renew", -23 * DAY, 22 * DAY, MAIL, IMAP,
	    KEY_EC_P256, 30 * DAY, 0, PLAN_RENEW, NA, NULL, "22d12h" },
	{ "names changed", -30 * DAY, 60 * DAY, MAIL, "old.example.com",
	    KEY_EC_P256, 0, 0, NA, REASON_NAMES_CHANGED,
	    "hostnames changed: +imap.example.com -old.example.com", NULL },
	{ "key type changed", -30 * DAY, 60 * DAY, MAIL, IMAP, KEY_RSA_2048,
	    0, 0, NA, REASON_KEY_TYPE_CHANGED,
	    "key type rsa-2048, manifest wants ec-p256", NULL },
	{ "other key type changed", -30 * DAY, 60 * DAY, MAIL, IMAP, -1, 0, 0,
	    NA, REASON_KEY_TYPE_CHANGED, NULL, NULL },
	{ "forced", -30 * DAY, 60 * DAY, MAIL, IMAP, KEY_EC_P256, 0, 1,
	    PLAN_RENEW, REASON_FORCED, NULL, NULL },
};

/* plan_decide on a healthy set with the wanted names and key type, valid
 * from now+from to now+to, with state st (may be NULL). */
static void
decide(const struct manifest *m, const struct mcert *c,
    const struct certstate *st, time_t now, long long from, long long to,
    int force, struct plan_item *it)
{
	struct certinfo ci;

	mkinfo(&ci, now + from, now + to, MAIL, IMAP, KEY_EC_P256);
	decide_at(m, c, &ci, st, now, force, it);
}

static void
test_decide_cases(struct manifest *m, const struct mcert *c, time_t now)
{
	const struct decide_case *k;
	struct certinfo ci;
	struct plan_item it;
	size_t i;

	for (i = 0; i < sizeof(decide_cases) / sizeof(decide_cases[0]); i++) {
		k = &decide_cases[i];
		memset(&m->renew_before, 0, sizeof(m->renew_before));
		m->renew_before.set = k->renew_before != 0;
		m->renew_before.seconds = k->renew_before;
		mkinfo(&ci, now + k->from, now + k->to, k->san1, k->san2,
		    k->key_type);
		decide_at(m, c, &ci, NULL, now, k->force, &it);
		if (k->action != NA)
			is_int(it.action, k->action, "%s (action %s)", k->what,
			    plan_action_names[k->action]);
		if (k->reason != NA)
			is_int(it.reason, k->reason, "%s (reason %s)", k->what,
			    plan_reason_names[k->reason]);
		if (k->text != NULL)
			is_str(it.reason_text, k->text, "%s (text)", k->what);
		if (k->text_has != NULL)
			ok(it.reason_text != NULL &&
			    strstr(it.reason_text, k->text_has) != NULL,
			    "%s: text has \"%s\": %s", k->what, k->text_has,
			    it.reason_text ? it.reason_text : "(null)");
		plan_item_clear(&it);
	}
	memset(&m->renew_before, 0, sizeof(m->renew_before));
}

/* ARI and --next-run inside the one decision; backoff holds ARI back. */
static void
test_decide_ari(const struct manifest *m, const struct mcert *c, time_t now)
{
	struct certinfo ci;
	struct plan_item it;
	struct certstate st;
	struct plan_opts o = { .now = now };

	certstate_init(&st);
	st.ari.cert_id = xstrdup("A.01");
	st.ari.window_start = now + DAY;
	st.ari.window_end = now + 3 * DAY;
	st.ari.chosen = now + 2 * DAY;
	mkinfo(&ci, now - 30 * DAY, now + 60 * DAY, MAIL, IMAP, KEY_EC_P256);
	ci.ari_id = xstrdup("A.01");
	plan_decide(m, c, &ci, &st, &o, &it);
	ok(it.action == PLAN_KEEP && it.renew_at == now + 2 * DAY,
	    "earlier ARI instant moves renew_at, still keep");
	ok(!plan_item_in_window(&it, now), "not in the lifetime window");
	o.now = now + 2 * DAY;
	plan_redecide(m, &st, &o, &it);
	ok(it.action == PLAN_RENEW && it.reason == REASON_ARI &&
	    it.reason_text != NULL && strstr(it.reason_text, "has passed"),
	    "chosen instant passed: renew, reason ari (%s)",
	    it.reason_text ? it.reason_text : "");
	o.now = now;
	o.next_run = 3 * DAY;
	plan_redecide(m, &st, &o, &it);
	ok(it.action == PLAN_RENEW && it.reason == REASON_ARI &&
	    strstr(it.reason_text, "before the next run") != NULL,
	    "--next-run past the instant: renew now");
	o.next_run = DAY;
	plan_redecide(m, &st, &o, &it);
	is_int(it.action, PLAN_KEEP, "--next-run before the instant: keep");
	o.next_run = 3 * DAY;
	o.force = 1;
	plan_redecide(m, &st, &o, &it);
	is_int(it.reason, REASON_FORCED, "--force-renew: reason forced");
	o.force = 0;
	st.backoff_until = now + 3600;
	plan_redecide(m, &st, &o, &it);
	ok(it.action == PLAN_RENEW && it.reason == REASON_ARI &&
	    it.backoff_until == now + 3600, "backoff holds an ARI renewal");
	st.backoff_until = 0;
	o.next_run = 0;
	free(st.ari.cert_id);
	st.ari.cert_id = xstrdup("B.02");
	plan_redecide(m, &st, &o, &it);
	ok(it.action == PLAN_KEEP && it.renew_at == now + 35 * DAY,
	    "ARI state of another certificate: ignored");
	plan_item_clear(&it);

	/* A later ARI instant never delays the lifetime rule. */
	free(st.ari.cert_id);
	st.ari.cert_id = xstrdup("A.01");
	st.ari.window_start = now + 20 * DAY;
	st.ari.window_end = now + 30 * DAY;
	st.ari.chosen = now + 25 * DAY;
	mkinfo(&ci, now - 80 * DAY, now + 10 * DAY, MAIL, IMAP, KEY_EC_P256);
	ci.ari_id = xstrdup("A.01");
	plan_decide(m, c, &ci, &st, &o, &it);
	ok(it.action == PLAN_RENEW && it.reason == REASON_EXPIRING &&
	    it.renew_at == now - 15 * DAY, "later ARI window never delays");
	ok(plan_item_in_window(&it, now), "inside the lifetime window");
	ok(!plan_item_in_window(&it, now - 16 * DAY),
	    "not yet inside it a day before renew_at");
	plan_item_clear(&it);
	certstate_clear(&st);
}

int
main(void)
{
	struct manifest m;
	struct mcert c;
	struct certinfo ci;
	struct plan_item it;
	struct certstate st;
	char *names[] = { "mail.example.com", "imap.example.com", NULL };
	time_t now = 1800000000;	/* 2027-01-15 08:00 UTC */

	test_window();

	memset(&m, 0, sizeof(m));
	memset(&c, 0, sizeof(c));
	c.name = "mail";
	c.hostnames = names;
	c.nhostnames = 2;
	c.key_type = KEY_EC_P256;

	/* Missing. */
	memset(&ci, 0, sizeof(ci));
	ci.status = CERTINFO_MISSING;
	decide_at(&m, &c, &ci, NULL, now, 0, &it);
	is_int(it.action, PLAN_ISSUE, "missing: issue");
	is_int(it.reason, REASON_MISSING, "reason missing");
	is_str(plan_reason_names[it.reason], "missing", "reason name");
	is_str(plan_action_names[it.action], "issue", "action name");
	plan_item_clear(&it);

	/* Valid, 60 days left of 90: keep, renew_at = notAfter - 25d. */
	mkinfo(&ci, now - 30 * DAY, now + 60 * DAY, "mail.example.com",
	    "imap.example.com", KEY_EC_P256);
	decide_at(&m, &c, &ci, NULL, now, 0, &it);
	ok(ci.sans == NULL, "info moved into the item");
	is_int(it.action, PLAN_KEEP, "60 days left: keep");
	is_int(it.reason, REASON_KEEP, "reason keep");
	is_int(it.window, 25 * DAY, "window 25d");
	is_int(it.renew_at, now + 35 * DAY, "renew_at");
	ok(strstr(it.reason_text, "60 days left") != NULL, "keep text: %s",
	    it.reason_text);
	plan_item_clear(&it);

	test_decide_cases(&m, &c, now);
	test_decide_ari(&m, &c, now);

	/* Corrupt states. */
	mkinfo(&ci, now - 30 * DAY, now + 60 * DAY, "mail.example.com",
	    "imap.example.com", KEY_EC_P256);
	ci.status = CERTINFO_KEY_MISMATCH;
	ci.problem = xstrdup("key.pem is not the key of cert.pem");
	decide_at(&m, &c, &ci, NULL, now, 0, &it);
	ok(it.action == PLAN_RENEW && it.reason == REASON_KEY_MISMATCH,
	    "key mismatch: renew");
	is_str(it.reason_text, "key.pem is not the key of cert.pem",
	    "mismatch text");
	plan_item_clear(&it);
	mkinfo(&ci, now - 30 * DAY, now + 60 * DAY, "mail.example.com",
	    "imap.example.com", KEY_EC_P256);
	ci.status = CERTINFO_CORRUPT_CHAIN;
	ci.problem = xstrdup("cert_auth.pem is missing");
	decide_at(&m, &c, &ci, NULL, now, 0, &it);
	ok(it.action == PLAN_RENEW && it.reason == REASON_CORRUPT,
	    "broken chain: renew corrupt");
	plan_item_clear(&it);
	memset(&ci, 0, sizeof(ci));
	ci.status = CERTINFO_CORRUPT_CERT;
	ci.problem = xstrdup("cert.pem does not hold a PEM certificate");
	decide_at(&m, &c, &ci, NULL, now, 0, &it);
	ok(it.action == PLAN_RENEW && it.reason == REASON_CORRUPT &&
	    it.renew_at == 0, "garbage cert: renew corrupt, no renew_at");
	plan_item_clear(&it);

	/* State: profile changed, revoked, backoff. */
	certstate_init(&st);
	st.serial = xstrdup("0a0b");
	st.profile = xstrdup("classic");
	c.profile = "shortlived";
	decide(&m, &c, &st, now, -30 * DAY, 60 * DAY, 0, &it);
	is_int(it.reason, REASON_PROFILE_CHANGED, "profile changed");
	is_str(it.reason_text, "profile classic, manifest wants shortlived",
	    "profile text");
	plan_item_clear(&it);
	free(st.serial);
	st.serial = xstrdup("FFFF");
	decide(&m, &c, &st, now, -30 * DAY, 60 * DAY, 0, &it);
	is_int(it.reason, REASON_KEEP, "state of another serial: no profile "
	    "judgement");
	plan_item_clear(&it);
	c.profile = "classic";
	free(st.serial);
	st.serial = xstrdup("0A0B");
	st.revoked = 1;
	decide(&m, &c, &st, now, -30 * DAY, 60 * DAY, 0, &it);
	is_int(it.reason, REASON_REVOKED, "revoked");
	plan_item_clear(&it);
	st.revoked = 0;
	st.backoff_until = now + 3600;
	decide(&m, &c, &st, now, -80 * DAY, 10 * DAY, 0, &it);
	ok(it.action == PLAN_RENEW && it.backoff_until == now + 3600,
	    "backoff kept with the action");
	plan_item_clear(&it);
	decide(&m, &c, &st, now, -80 * DAY, 10 * DAY, 1, &it);
	is_int(it.backoff_until, 0, "--force-renew overrides backoff");
	plan_item_clear(&it);
	st.backoff_until = now - 1;
	decide(&m, &c, &st, now, -80 * DAY, 10 * DAY, 0, &it);
	is_int(it.backoff_until, 0, "past backoff is over");
	plan_item_clear(&it);
	certstate_clear(&st);
	return tap_done();
}
