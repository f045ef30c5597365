/*
 * plan.c - the reconciler's decision (plan.h): the renewal window
 * and the order in which reasons to act are looked for.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acme/ari.h"
#include "base/buf.h"
#include "base/mem.h"
#include "base/time.h"
#include "manifest/manifest.h"
#include "reconcile/plan.h"
#include "store/certinfo.h"
#include "store/state.h"

const char *const plan_action_names[PLAN__MAX] = { "keep", "issue", "renew" };
const char *const plan_reason_names[REASON__MAX] = {
	"keep", "missing", "corrupt", "key-mismatch", "expiring",
	"names-changed", "key-type-changed", "profile-changed", "ari",
	"forced", "revoked",
};

#define DAY	86400LL

long long
plan_renew_window(const struct mrenew *rb, time_t not_before,
    time_t not_after)
{
	long long lifetime = (long long)not_after - (long long)not_before;
	long long w;

	if (lifetime <= 0)
		return 0;
	if (rb != NULL && rb->set) {
		w = rb->is_percent ? lifetime * rb->percent / 100 : rb->seconds;
		return w < lifetime / 2 ? w : lifetime / 2;
	}
	return 25 * DAY < lifetime / 3 ? 25 * DAY : lifetime / 3;
}

/* "+new.example -old.example" when the sets differ, else NULL. */
static char *
names_diff(const struct mcert *c, char *const *sans)
{
	struct buf b;
	size_t i, j;
	int found;

	buf_init(&b);
	for (i = 0; i < c->nhostnames; i++) {
		found = 0;
		for (j = 0; sans != NULL && sans[j] != NULL && !found; j++)
			found = strcmp(c->hostnames[i], sans[j]) == 0;
		if (!found)
			buf_printf(&b, "%s+%s", b.len ? " " : "",
			    c->hostnames[i]);
	}
	for (j = 0; sans != NULL && sans[j] != NULL; j++) {
		found = 0;
		for (i = 0; i < c->nhostnames && !found; i++)
			found = strcmp(c->hostnames[i], sans[j]) == 0;
		if (!found)
			buf_printf(&b, "%s-%s", b.len ? " " : "", sans[j]);
	}
	if (b.len == 0) {
		buf_clear(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static int
same_profile(const char *a, const char *b)
{
	if (a == NULL)
		a = "";
	if (b == NULL)
		b = "";
	return strcmp(a, b) == 0;
}

/* Whether st speaks of the certificate described by info. */
static int
state_is_for(const struct certstate *st, const struct certinfo *info)
{
	return st != NULL && st->serial != NULL && info->serial != NULL &&
	    strcasecmp(st->serial, info->serial) == 0;
}

static void
decide(struct plan_item *it, enum plan_action a, enum plan_reason r,
    char *text)
{
	it->action = a;
	it->reason = r;
	free(it->reason_text);
	it->reason_text = text;
}

/*
 * ARI may advance the decision of the lifetime rule, never delay it: a
 * kept certificate whose chosen instant has passed (or falls before the
 * next run) is renewed with reason ari; an earlier chosen instant moves
 * renew_at.
 */
static void
decide_ari(struct plan_item *it, const struct ari_state *ari,
    const struct plan_opts *o)
{
	char a[64], b[64], c[64];
	time_t at;
	int says;

	says = ari_says_renew(ari, it->info.ari_id, o->now, o->next_run, &at);
	if (at == 0)
		return;
	if (it->renew_at == 0 || at < it->renew_at)
		it->renew_at = at;
	if (it->action != PLAN_KEEP || !says)
		return;
	time_format_rfc3339(ari->window_start, a, sizeof(a));
	time_format_rfc3339(ari->window_end, b, sizeof(b));
	time_format_rfc3339(at, c, sizeof(c));
	decide(it, PLAN_RENEW, REASON_ARI, at <= o->now ?
	    xasprintf("the CA's renewal window %s .. %s says renew "
	    "(chosen instant %s has passed)", a, b, c) :
	    xasprintf("the CA's renewal window %s .. %s says renew "
	    "(chosen instant %s comes before the next run)", a, b, c));
}

/* The lifetime rule and what overrides it, on it->info. */
static void
decide_all(const struct manifest *m, const struct certstate *st,
    const struct plan_opts *o, struct plan_item *item)
{
	const struct mcert *c = item->cert;
	const struct certinfo *ii = &item->info;
	char day[32], due[32], win[32], *diff = NULL;
	time_t now = o->now;
	long long left;

	item->window = 0;
	item->renew_at = 0;
	item->backoff_until = 0;
	if (ii->status == CERTINFO_MISSING) {
		decide(item, PLAN_ISSUE, REASON_MISSING,
		    xstrdup("no certificate in the repository"));
		goto backoff;
	}
	if (ii->status == CERTINFO_CORRUPT_CERT) {
		decide(item, PLAN_RENEW, REASON_CORRUPT, xstrdup(ii->problem));
		goto backoff;
	}
	item->window = plan_renew_window(&m->renew_before, ii->not_before,
	    ii->not_after);
	item->renew_at = ii->not_after - (time_t)item->window;
	duration_format(item->window, win, sizeof(win));
	time_format_date(ii->not_after, day, sizeof(day));
	left = days_left(ii->not_after, now);

	if (ii->status == CERTINFO_KEY_MISMATCH)
		decide(item, PLAN_RENEW, REASON_KEY_MISMATCH,
		    xstrdup(ii->problem));
	else if (ii->status != CERTINFO_OK)
		decide(item, PLAN_RENEW, REASON_CORRUPT, xstrdup(ii->problem));
	else if (state_is_for(st, ii) && st->revoked &&
	    (st->revoked_serial == NULL ||
	    strcasecmp(st->revoked_serial, ii->serial) == 0))
		decide(item, PLAN_RENEW, REASON_REVOKED,
		    xasprintf("revoked (serial %s)", ii->serial));
	else if ((diff = names_diff(c, ii->sans)) != NULL)
		decide(item, PLAN_RENEW, REASON_NAMES_CHANGED,
		    xasprintf("hostnames changed: %s", diff));
	else if (ii->key_type != (int)c->key_type)
		decide(item, PLAN_RENEW, REASON_KEY_TYPE_CHANGED,
		    xasprintf("key type %s, manifest wants %s",
		    ii->key_type >= 0 && ii->key_type < KEY__MAX ?
		    key_type_names[ii->key_type] : "other",
		    key_type_names[c->key_type]));
	else if (state_is_for(st, ii) && !same_profile(st->profile,
	    c->profile))
		decide(item, PLAN_RENEW, REASON_PROFILE_CHANGED,
		    xasprintf("profile %s, manifest wants %s",
		    st->profile != NULL ? st->profile : "(none)",
		    c->profile != NULL ? c->profile : "(none)"));
	else if (now >= item->renew_at)
		decide(item, PLAN_RENEW, REASON_EXPIRING,
		    now >= ii->not_after && left == 0 ?
		    xasprintf("expired %s (today)", day) :
		    now >= ii->not_after ?
		    xasprintf("expired %s (%lld day%s ago)", day, -left,
		    left == -1 ? "" : "s") :
		    xasprintf("expires %s (%lld day%s left), inside the %s "
		    "renewal window", day, left, left == 1 ? "" : "s", win));
	else if (o->force)
		decide(item, PLAN_RENEW, REASON_FORCED,
		    xasprintf("renewal forced (expires %s, %lld days left)",
		    day, left));
	else {
		time_format_date(item->renew_at, due, sizeof(due));
		decide(item, PLAN_KEEP, REASON_KEEP,
		    xasprintf("valid until %s (%lld day%s left); renewal from "
		    "%s", day, left, left == 1 ? "" : "s", due));
	}
	free(diff);
	if (st != NULL && !o->force)
		decide_ari(item, &st->ari, o);
backoff:
	if (st != NULL && !o->force && item->action != PLAN_KEEP &&
	    st->backoff_until > now)
		item->backoff_until = st->backoff_until;
}

int
plan_decide(const struct manifest *m, const struct mcert *c,
    struct certinfo *info, const struct certstate *st,
    const struct plan_opts *o, struct plan_item *item)
{
	memset(item, 0, sizeof(*item));
	item->cert = c;
	item->info = *info;		/* moved */
	memset(info, 0, sizeof(*info));
	info->key_type = -1;
	decide_all(m, st, o, item);
	return 0;
}

int
plan_redecide(const struct manifest *m, const struct certstate *st,
    const struct plan_opts *o, struct plan_item *item)
{
	decide_all(m, st, o, item);
	return 0;
}

int
plan_item_in_window(const struct plan_item *item, time_t now)
{
	const struct certinfo *ii = &item->info;

	if (ii->status == CERTINFO_MISSING ||
	    ii->status == CERTINFO_CORRUPT_CERT)
		return 0;
	return (long long)now >= (long long)ii->not_after - item->window;
}

const char *
plan_item_state(const struct plan_item *item, time_t now)
{
	if (item->info.status != CERTINFO_OK)
		return certinfo_status_names[item->info.status];
	if (item->info.not_after <= now)
		return "expired";
	if (item->action != PLAN_KEEP && item->reason != REASON_FORCED)
		return plan_reason_names[item->reason];
	return "ok";
}

void
plan_item_clear(struct plan_item *item)
{
	if (item == NULL)
		return;
	free(item->reason_text);
	certinfo_clear(&item->info);
	memset(item, 0, sizeof(*item));
}
