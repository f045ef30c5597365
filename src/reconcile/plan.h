/*
 * plan.h - the reconciler's decision for one certificate: issue, renew or
 * keep, and why. Pure: it reads the manifest entry, what the repository
 * holds (certinfo), the certificate's state (state.h) and the time, and does no
 * I/O, so `plan`, `apply` and `status` agree by construction.
 */
#ifndef CERTKEEP_PLAN_H
#define CERTKEEP_PLAN_H

#include <stdio.h>
#include <time.h>

#include "store/certinfo.h"
#include "store/store.h"

struct certstate;
struct manifest;
struct statesum;
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
	REASON_EXPIRING,	/* inside the renewal window (or expired) */
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
	/* The identities of the live set's files as plan_read_cert() found
	   them (setid_known 0 when it did not stat them): render reuses
	   them instead of statting the set again. */
	struct store_setid setid;
	int	 setid_known;
};

/*
 * The renewal window in seconds for a certificate of this lifetime:
 * min(renew_before, lifetime/2) when renew_before is set (days or percent
 * of the lifetime), else min(25 days, lifetime/3).
 */
long long plan_renew_window(const struct mrenew *rb, time_t not_before,
	    time_t not_after);

/*
 * What a decision depends on besides the certificate and its state: the
 * time, --next-run and --force-renew. record is for plan_read_cert() only.
 */
struct plan_opts {
	time_t	 now;
	long long next_run;	/* --next-run: seconds to the next run, 0
				   when unknown; an ARI instant before it
				   renews now */
	int	 force;		/* --force-renew */
	int	 record;	/* plan_read_cert(): save what was verified
				   (apply, under the store lock) */
	/* plan_read_cert(): the summary of the fleet's states
	   (statesum.h), or NULL: entries still valid are used instead of
	   the state files; with record, entries are made for the states
	   read in full (the caller saves the summary). */
	struct statesum *sum;
};

/*
 * The renewal decision: the one function plan, status, apply and the
 * expiring-soon notice go through. In this order: a missing or unsound
 * set is issued or renewed; then revocation, changed names, key type or
 * profile; then the window (plan_renew_window()); --force-renew; ARI (a
 * chosen instant that has passed, or comes before now + next_run, renews;
 * an earlier instant moves renew_at; ARI never delays); last, a persisted
 * backoff (st->backoff_until) holds any action back unless forced. state
 * may be NULL. Fills item (free with plan_item_clear()); takes ownership
 * of *info (moved into item->info, *info zeroed). Returns 0.
 */
int	 plan_decide(const struct manifest *m, const struct mcert *c,
	    struct certinfo *info, const struct certstate *state,
	    const struct plan_opts *o, struct plan_item *item);
/*
 * Decides again for item->cert from item->info, which is kept (apply,
 * after an ARI poll changed state). Returns 0.
 */
int	 plan_redecide(const struct manifest *m, const struct certstate *state,
	    const struct plan_opts *o, struct plan_item *item);
/*
 * Whether the certificate of a decided item is inside its renewal window
 * by the lifetime rule, or expired, at now (the expiring-soon notice);
 * 0 when there is no parsed certificate.
 */
int	 plan_item_in_window(const struct plan_item *item, time_t now);
void	 plan_item_clear(struct plan_item *item);

/*
 * One word for a certificate's condition, for status and JSON "state":
 * the certinfo status when the set is not sound ("missing",
 * "corrupt-cert", "key-mismatch", ...), else "expired", else the reason
 * when it is due ("expiring", "names-changed", ...), else "ok".
 */
const char *plan_item_state(const struct plan_item *item, time_t now);

/*
 * The I/O side (plan_read.c), shared by plan, status and apply: reads the
 * state and the live set of c from the store and decides with
 * plan_decide(). What a full read verified of the set (certinfo) is
 * recorded in the state with the identities of the files it came from and
 * reused while they still match, so a run with nothing due decodes no key
 * and verifies no chain again; with o->record, a new record is saved
 * (apply holds the store lock; plan and status never write). st receives
 * the state (caller certstate_clear()s it, even on error); *warning a
 * malloced line about a discarded state file or a key.pem readable by
 * others, or NULL. *full_read (may be NULL) is set to 1 when the set was
 * parsed, 0 when the record was used.
 * Returns 0, or -1 when the store cannot be read (e says where).
 */
struct store;
struct err;
int	 plan_read_cert(struct store *s, const struct manifest *m,
	    const struct mcert *c, const struct plan_opts *o,
	    struct plan_item *item, struct certstate *st, char **warning,
	    int *full_read, struct err *e);
/*
 * Before a loop of plan_read_cert() over the certificates of m that sel
 * selects (NULL: all): takes the identities the summary o->sum will be
 * checked against on a few threads (statesum_prefetch()).
 */
void	 plan_read_prefetch(struct store *s, const struct manifest *m,
	    const unsigned char *sel, const struct plan_opts *o);
/*
 * The JSON object of one certificate for plan/status/apply output: name,
 * hostnames, action, reason, reason_text, state, not_before, not_after,
 * days_left, issuer, issuer_dn, key_type, serial, sans, problem,
 * listeners, window, renew_at, backoff_until (when set), last_error and
 * ari (when known). st may be NULL. New object, caller deletes.
 */
struct cJSON *plan_item_to_json(const struct plan_item *item,
	    const struct certstate *st, time_t now);

/*
 * {"certificates": [...], ...} printed byte for byte as cJSON_Print()
 * prints the whole tree, but one certificate at a time, so that a fleet's
 * output is never one tree in memory: plan_json_begin(), plan_json_add()
 * for each certificate object (printed, then deleted), plan_json_end()
 * with the other members of the document (rest, may be NULL).
 */
struct plan_json_out {
	FILE	*fp;
	int	 n;		/* objects printed so far */
};
void	 plan_json_begin(struct plan_json_out *o, FILE *fp);
void	 plan_json_add(struct plan_json_out *o, struct cJSON *item);
void	 plan_json_end(struct plan_json_out *o, const struct cJSON *rest);

#endif
