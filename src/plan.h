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

/* Whole days from now until not_after, truncated (negative once past). */
long long plan_days_left(time_t not_after, time_t now);
/*
 * One word for a certificate's condition, for status and JSON "state":
 * the certinfo status when the set is not sound ("missing",
 * "corrupt-cert", "key-mismatch", ...), else "expired", else the reason
 * when it is due ("expiring", "names-changed", ...), else "ok".
 */
const char *plan_item_state(const struct plan_item *item, time_t now);

/*
 * The I/O side (plan_read.c), shared by plan, status and apply: reads the
 * live set and the state of c from the store, decides with plan_decide()
 * and lets ARI advance it (ari_plan_adjust(), next_run 0). st receives the
 * state (caller certstate_clear()s it, even on error); *warning a
 * malloced line about a discarded state file or a key.pem readable by
 * others, or NULL. Only reads.
 * Returns 0, or -1 when the store cannot be read (e says where).
 */
struct store;
struct err;
int	 plan_read_cert(struct store *s, const struct manifest *m,
	    const struct mcert *c, time_t now, int force,
	    struct plan_item *item, struct certstate *st, char **warning,
	    struct err *e);
/*
 * The JSON object of one certificate for plan/status/apply output: name,
 * hostnames, action, reason, reason_text, state, not_before, not_after,
 * days_left, issuer, issuer_dn, key_type, serial, sans, problem,
 * listeners, window, renew_at, backoff_until (when set), last_error and
 * ari (when known). st may be NULL. New object, caller deletes.
 */
struct cJSON *plan_item_to_json(const struct plan_item *item,
	    const struct certstate *st, time_t now);

#endif
