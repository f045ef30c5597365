/*
 * apply.h - `apply` as one pipeline over the whole manifest:
 *
 *   1. plan every selected certificate (plan_read_cert)
 *   2. the ARI polls that are due (certificates the plan keeps)
 *   3. preflight of every certificate that needs an order, all at once
 *      (one check environment, one resolver for the run)
 *   4. issue/renew concurrently: acme.concurrency orders in flight, one
 *      worker thread each, sharing the run's account, nonce pool, rate
 *      limiters and TLS sessions (acme_clone()); each certificate keeps
 *      its own lock, failure and log lines; one progress line per
 *      finished certificate (and a live counter on a terminal)
 *   5. the ACME clients are freed (no socket reaches a hook)
 *   6. render the fragments, run reloads and deploy hooks
 *   7. notifications, in manifest order
 *
 * The command (cmd_apply.c) parses options and prints the outcome kept
 * here: per certificate (manifest order) and per run (struct
 * apply_stats, for a summary line or a metrics writer).
 */
#ifndef CERTKEEP_APPLY_H
#define CERTKEEP_APPLY_H

#include <stddef.h>

#include "acme/acme.h"
#include "reconcile/issue.h"
#include "reconcile/plan.h"
#include "store/state.h"

struct log;
struct manifest;
struct store;

enum apply_result {
	APPLY_KEPT,
	APPLY_ISSUED,
	APPLY_RENEWED,
	APPLY_FAILED,
	APPLY_HELD_BACK,	/* persisted backoff after failures */
	APPLY_SKIPPED,		/* not selected */
	APPLY__MAX
};
/* "kept", "issued", "renewed", "failed", "held-back", "skipped" */
extern const char *const apply_result_names[APPLY__MAX];

struct apply_opts {
	const unsigned char	*sel;		/* selected certificates */
	int			 force;		/* --force-renew */
	int			 skip_checks;	/* --skip-checks */
	long long		 next_run;	/* --next-run seconds, 0: none */
};

/* One certificate's outcome. */
struct apply_cert {
	struct plan_item	 item;
	struct certstate	 st;
	struct issue_result	 res;
	enum apply_result	 result;
	char			*error;		/* held back / account errors */
	int			 changed;	/* a new set is live */
};

/* What one run did, in one place (for the summary and for metrics). */
struct apply_stats {
	size_t			 counts[APPLY__MAX];
	size_t			 ordered;	/* certificates that needed an
						   order (preflight included) */
	int			 concurrency;	/* workers actually started */
	long long		 wall_ms;	/* the whole run */
	long long		 issue_ms;	/* step 4 */
	/* Every ACME request of the run by endpoint and status class,
	   retries, badNonce answers, time waited for the rate limits. */
	struct acme_stats	 acme;
};

struct apply_run {
	struct apply_cert	*certs;		/* one per manifest certificate */
	size_t			 ncerts;
	struct apply_stats	 stats;
	int			 failed;	/* a certificate failed or is
						   held back, or a hook failed */
	/* The account needs acme.terms_accepted: nothing was ordered;
	   terms_error says why (the caller prints it and exits 65). */
	int			 need_terms;
	char			*terms_error;
};

/*
 * Runs the pipeline for manifest m on store s (the caller holds the store
 * lock). Fills run (clear it with apply_run_clear()). Returns 0 when every
 * selected certificate converged, 1 otherwise; with run->need_terms set
 * nothing was issued.
 */
int	 apply_run(struct apply_run *run, const struct manifest *m,
	    struct store *s, const struct log *log,
	    const struct apply_opts *opts);
void	 apply_run_clear(struct apply_run *run);

#endif
