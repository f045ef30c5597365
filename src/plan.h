/*
 * plan.h - the reconciler's decision for one certificate: issue, renew or
 * keep, and why. Pure: it reads the manifest entry, what the repository
 * holds (certinfo), the certificate's state (state.h) and the time, and does no
 * I/O, so `plan`, `apply` and `status` agree by construction.
 */
#ifndef CERTKEEP_PLAN_H
#define CERTKEEP_PLAN_H

#include <time.h>

#include "certinfo.h"

struct certstate;
struct manifest;
struct mcert;
struct mrenew;

enum plan_action {
	PLAN_KEEP,
	PLAN_ISSUE,
	PLAN_RENEW,
	PLAN__MAX
};
extern const char *const plan_action_names[PLAN__MAX];	/* keep, issue, renew */

/* Why; the short code goes in JSON "reason", the text is for people. */
enum plan_reason {
	REASON_KEEP,
	REASON_MISSING,
	REASON_CORRUPT,		/* cert or key unreadable, chain broken */
	REASON_KEY_MISMATCH,
	REASON_EXPIRING,	/* inside the SPEC 4 window (or expired) */
	REASON_NAMES_CHANGED,
	REASON_KEY_TYPE_CHANGED,
	REASON_PROFILE_CHANGED,
	REASON_ARI,		/* the CA's renewal window says so */
	REASON_FORCED,		/* --force-renew */
	REASON_REVOKED,		/* revoked by `certkeep revoke` */
	REASON__MAX
};
extern const char *const plan_reason_names[REASON__MAX];

struct plan_item {
	const struct mcert *cert;	/* borrowed from the manifest */
	enum plan_action action;
	enum plan_reason reason;
	char	*reason_text;		/* malloced: "expires in 10 days,
					   inside the 25d window" */
	struct certinfo info;		/* what the repository holds */
	long long window;		/* renewal window used, seconds (0 when
					   no certificate) */
	time_t	 renew_at;		/* when it is (was) due; 0 if unknown */
	/* A persisted backoff (rate limit, repeated failures) holds the
	   action back until then; --force-renew overrides. */
	time_t	 backoff_until;
};

/*
 * The SPEC section 4 window in seconds for a certificate of this lifetime:
 * min(renew_before, lifetime/2) when renew_before is set (days or percent
 * of the lifetime), else min(25 days, lifetime/3).
 */
long long plan_renew_window(const struct mrenew *rb, time_t not_before,
	    time_t not_after);

/*
 * Decides for one certificate. state may be NULL. force: --force-renew.
 * Fills item (free with plan_item_clear()); takes ownership of *info (it
 * is moved into item->info and *info is zeroed). Returns 0 or -1.
 */
int	 plan_decide(const struct manifest *m, const struct mcert *c,
	    struct certinfo *info, const struct certstate *state, time_t now,
	    int force, struct plan_item *item);
void	 plan_item_clear(struct plan_item *item);

#endif
