/*
 * issue.h - issuing or renewing one certificate, start to finish, for
 * `apply` (which runs the preflight of every certificate first, at
 * once, and several of these at a time): the certificate key (new unless reuse_key),
 * the order (resumed when an earlier run was interrupted), staging and
 * verifying the new set (key matches, chain verifies, names match the
 * manifest) BEFORE it replaces the live one, and the state (order URL,
 * failures, persisted backoff). Everything per call lives in the call, so
 * several certificates can be issued at once with one struct acme each.
 */
#ifndef CERTKEEP_ISSUE_H
#define CERTKEEP_ISSUE_H

#include <time.h>

struct acme;
struct certstate;
struct chall_run;
struct log;
struct manifest;
struct plan_item;
struct plan_opts;
struct store;

/* What one run shares between its certificates (read-only here except
   chall, which is thread-safe). */
struct issue_env {
	const struct manifest	*m;
	struct store		*s;
	const struct log	*log;
	struct chall_run	*chall;
	int			 force;
	/* A shared store (etcd): each certificate is decided again under
	   its lock with these, as another node may have done it. */
	const struct plan_opts	*plan;
};

struct issue_result {
	int		 ok;		/* a new set is live */
	int		 renewal;	/* replaced a live certificate */
	time_t		 not_after;	/* of the new certificate */
	time_t		 old_not_after;
	char		*serial;	/* of the new certificate */
	char		*error;		/* one line, what and where */
	const char	*stage;		/* "preflight", "account", "order",
					   "authorization", "finalize",
					   "download", "verify", "store" */
	char		*problem_type;	/* ACME URN or "check:<name>" */
	long		 requests;	/* ACME requests made for it */
	int		 checks_failed;
};
void	 issue_result_clear(struct issue_result *r);

/*
 * Issues or renews item->cert (the plan said so) with client a (account
 * ready). st is the certificate's state: updated and saved (order URL as
 * soon as known, then the outcome). Returns 0 when the new set is live,
 * -1 when not (res says why; never stops the caller's other work).
 */
int	 issue_cert(const struct issue_env *env, struct acme *a,
	    const struct plan_item *item, struct certstate *st,
	    struct issue_result *res);

struct check_results;
struct mcert;
/*
 * The preflight results cr of certificate c: logs each warning and
 * failure; when one failed, fills res (stage "preflight", problem type
 * "check:<name>", the failures in one line) and returns -1.
 */
int	 issue_preflight_report(const struct issue_env *env,
	    const struct mcert *c, const struct check_results *cr,
	    struct issue_result *res);
/* Records a failure found before any order (res: preflight, account) in
   st, with its backoff, and saves st. */
void	 issue_record_failure(const struct issue_env *env,
	    const struct plan_item *item, struct certstate *st,
	    struct issue_result *res);

struct chall_conf;
struct order_req;
/* How an order answers the challenge of a certificate: through the run's
   challenge contexts. Lives as long as the order. */
struct issue_chall {
	struct chall_run		*run;
	const struct chall_conf		*cfg;
};
/*
 * Fills req with what the order of certificate c needs from the manifest
 * (name, hostnames, challenge type, and how to answer it: ic, filled here
 * with run and c's challenge). The caller sets the rest (key, profile,
 * replaces, resume URL, callbacks).
 */
void	 issue_order_req(const struct mcert *c, struct chall_run *run,
	    struct issue_chall *ic, struct order_req *req);

/* Persisted backoff after a failure: the delay before the next attempt
   for the n-th consecutive failure of this class (seconds, 0: none). */
long long issue_backoff(int rate_limited, int validation,
	    int consecutive_failures, long long retry_after,
	    long long lifetime);

/* An ari_http (ari.h) that GETs through client a (struct acme *). */
struct ari_http;
void	 issue_ari_http(struct acme *a, struct ari_http *h);

#endif
