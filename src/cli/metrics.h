/*
 * metrics.h - Prometheus metrics in node_exporter's textfile format
 * (manifest key metrics.textfile). `plan`, `check` and `apply` each
 * rewrite the file atomically at the end of their run:
 *
 *   per certificate (label name):
 *     certkeep_certificate_expiration_timestamp_seconds
 *     certkeep_certificate_not_before_timestamp_seconds
 *     certkeep_certificate_renewal_timestamp_seconds
 *     certkeep_certificate_ready                      1 sound and valid, else 0
 *     certkeep_certificate_last_failure_timestamp_seconds
 *     certkeep_certificate_consecutive_failures
 *     certkeep_certificate_ari_window_start_timestamp_seconds
 *     certkeep_certificate_ari_window_end_timestamp_seconds
 *     certkeep_certificate_preflight_passing          check: 1 pass, 0 fail
 *   per command (label command: plan, check, apply):
 *     certkeep_last_run_timestamp_seconds
 *     certkeep_last_success_timestamp_seconds
 *     certkeep_last_run_success
 *     certkeep_last_run_duration_seconds
 *     certkeep_last_run_acme_requests
 *     certkeep_last_run_certificates{result}          apply only
 *   counters, summed over runs:
 *     certkeep_acme_requests_total{endpoint, status_class}
 *     certkeep_certificate_results_total{result}      issued, renewed, failed
 *
 * A file holds what every command last said: the previous file is read
 * back, so a `plan` keeps the series of the last `apply`, the last
 * success survives failed runs, counters keep counting, and certificates
 * a command did not look at (NAME... given) keep their rows. Rows of
 * certificates no longer in the manifest are dropped.
 */
#ifndef CERTKEEP_METRICS_H
#define CERTKEEP_METRICS_H

#include <time.h>

struct certstate;
struct err;
struct log;
struct manifest;
struct plan_item;
struct store;

/* ACME endpoints, for requests by endpoint (label values: the names). */
enum metrics_endpoint {
	METRICS_EP_DIRECTORY,
	METRICS_EP_NONCE,
	METRICS_EP_ACCOUNT,
	METRICS_EP_ORDER,
	METRICS_EP_AUTHORIZATION,
	METRICS_EP_CHALLENGE,
	METRICS_EP_FINALIZE,
	METRICS_EP_CERTIFICATE,
	METRICS_EP_RENEWAL_INFO,
	METRICS_EP_REVOKE,
	METRICS_EP_OTHER,
	METRICS_EP__MAX
};
extern const char *const metrics_endpoint_names[METRICS_EP__MAX];

/* HTTP status classes; "error": no HTTP answer (network, timeout). */
enum metrics_status {
	METRICS_ST_2XX,
	METRICS_ST_3XX,
	METRICS_ST_4XX,
	METRICS_ST_5XX,
	METRICS_ST_ERROR,
	METRICS_ST__MAX
};
extern const char *const metrics_status_names[METRICS_ST__MAX];

/* What a run reports about itself. */
struct metrics_run {
	const char	*command;	/* "plan", "check", "apply" */
	time_t		 now;		/* when it ran */
	long long	 duration_ms;
	int		 success;	/* the command did what it is for */
	/*
	 * ACME requests of the run: the total, and (when the client counts
	 * them) the split by endpoint and status class. Requests of the
	 * total that the split does not hold are reported as endpoint and
	 * status_class "unclassified", so the series always add up.
	 */
	long		 acme_requests;
	long		 requests[METRICS_EP__MAX][METRICS_ST__MAX];
	/* apply: certificates by result in this run. */
	int		 have_results;
	long		 issued, renewed, failed, kept;
};

/* One certificate of the manifest. Every certificate gets a row (at
   least its name): the others' rows of the previous file are dropped. */
struct metrics_cert {
	const char	*name;		/* borrowed */
	int		 planned;	/* the fields below are known */
	time_t		 not_before;	/* 0: no certificate */
	time_t		 not_after;
	time_t		 renew_at;	/* 0: unknown */
	int		 ready;
	int		 consecutive_failures;
	time_t		 last_failure;	/* 0: none */
	time_t		 ari_start;	/* 0: no window */
	time_t		 ari_end;
	int		 checked;	/* preflight_ok is known */
	int		 preflight_ok;
};

/*
 * Rewrites path (atomically, mode 0644) with run and the n rows, merged
 * with what the file held before (see above). Returns 0 or -1.
 */
int	 metrics_write(const char *path, const struct metrics_run *run,
	    const struct metrics_cert *rows, size_t n, struct err *e);

/*
 * What a command calls at its end: when m has metrics.textfile, one row
 * per certificate of m. The selected ones (sel) come from items/states
 * (one per certificate, as plan_read_cert() filled them) when the run
 * changed nothing, else (items NULL) they are read again from s so that
 * the file shows the repository as the run left it; s NULL: no plan
 * rows. preflight (NULL, or one per certificate: 1 pass, 0 fail, -1 not
 * checked) feeds certkeep_certificate_preflight_passing. Then
 * metrics_update().
 */
void	 metrics_report(const struct manifest *m, struct store *s,
	    const unsigned char *sel, const struct plan_item *items,
	    const struct certstate *states, const signed char *preflight,
	    const struct metrics_run *run, const struct log *log);

#endif
