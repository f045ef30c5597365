/*
 * cmd_apply.c - `certkeep apply [NAME...] [--force-renew] [--skip-checks]
 * [--wait] [--next-run D]`: parses the options, runs the pipeline
 * (apply.c: plan, ARI, preflight, concurrent orders, render, hooks,
 * notify) and prints its outcome: the summary line and, with --json, one
 * object per certificate in manifest order.
 * Exit 0 converged, 1 any certificate failed (or is held back), 65 an
 * invalid manifest or terms not accepted, 64 usage.
 *
 * A run with nothing due creates no ACME client at all: it sends the CA
 * nothing but the ARI polls that are due.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "acme/acme.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "cli/metrics.h"
#include "manifest/manifest.h"
#include "reconcile/apply.h"
#include "reconcile/plan.h"
#include "store/state.h"
#include "store/store.h"

/* One certificate as --json shows it: a changed one as it is now. */
static cJSON *
cert_json(const struct manifest *m, struct store *s, size_t i,
    const struct apply_cert *ac)
{
	struct plan_item it;
	struct certstate st2;
	struct err e;
	char *w = NULL;
	cJSON *o;
	const char *err;

	memset(&it, 0, sizeof(it));
	certstate_init(&st2);
	struct plan_opts po = { .now = now_wall() };

	if (ac->changed && plan_read_cert(s, m, &m->certs[i], &po,
	    &it, &st2, &w, NULL, &e) == 0) {
		it.action = ac->item.action;
		it.reason = ac->item.reason;
		free(it.reason_text);
		it.reason_text = ac->item.reason_text != NULL ?
		    xstrdup(ac->item.reason_text) : NULL;
		o = plan_item_to_json(&it, &st2, now_wall());
	} else
		o = plan_item_to_json(&ac->item, &ac->st, now_wall());
	plan_item_clear(&it);
	certstate_clear(&st2);
	free(w);
	cJSON_AddStringToObject(o, "result", apply_result_names[ac->result]);
	err = ac->res.error != NULL ? ac->res.error : ac->error;
	if (err != NULL)
		cJSON_AddStringToObject(o, "error", err);
	if (ac->res.stage != NULL)
		cJSON_AddStringToObject(o, "stage", ac->res.stage);
	if (ac->res.problem_type != NULL)
		cJSON_AddStringToObject(o, "problem_type",
		    ac->res.problem_type);
	cJSON_AddNumberToObject(o, "requests", (double)ac->res.requests);
	return o;
}

/* The run's figures for metrics.textfile (when the manifest has one). The
   ACME client counts by rate-limit class (newNonce, newAccount, newOrder,
   the rest), so the finer endpoints stay empty. */
static void
report_metrics(const struct ctx *ctx, const struct manifest *m,
    struct store *s, const unsigned char *sel, const struct apply_stats *st,
    int success)
{
	static const int ep[ACME_EP__MAX] = {
		[ACME_EP_NONCE] = METRICS_EP_NONCE,
		[ACME_EP_ACCOUNT] = METRICS_EP_ACCOUNT,
		[ACME_EP_ORDER] = METRICS_EP_ORDER,
		[ACME_EP_OTHER] = METRICS_EP_OTHER,
	};
	static const int sc[ACME_SC__MAX] = {
		[ACME_SC_2XX] = METRICS_ST_2XX,
		[ACME_SC_4XX] = METRICS_ST_4XX,
		[ACME_SC_5XX] = METRICS_ST_5XX,
		[ACME_SC_OTHER] = METRICS_ST_3XX,
		[ACME_SC_NONE] = METRICS_ST_ERROR,
	};
	struct metrics_run mr;

	if (m->metrics_textfile == NULL)
		return;
	memset(&mr, 0, sizeof(mr));
	mr.command = "apply";
	mr.now = now_wall();
	mr.duration_ms = st->wall_ms;
	mr.success = success;
	mr.acme_requests = acme_stats_total(&st->acme);
	for (int i = 0; i < ACME_EP__MAX; i++)
		for (int j = 0; j < ACME_SC__MAX; j++)
			mr.requests[ep[i]][sc[j]] += st->acme.requests[i][j];
	mr.have_results = 1;
	mr.issued = (long)st->counts[APPLY_ISSUED];
	mr.renewed = (long)st->counts[APPLY_RENEWED];
	mr.failed = (long)(st->counts[APPLY_FAILED] +
	    st->counts[APPLY_HELD_BACK]);
	mr.kept = (long)st->counts[APPLY_KEPT];
	/* items NULL: the rows are read again, as the run left the store. */
	metrics_report(m, s, sel, NULL, NULL, NULL, &mr, &ctx->log);
}

int
cmd_apply(struct ctx *ctx, int argc, char **argv)
{
	int force = 0, skip_checks = 0, wait = 0;
	const char *next_run_arg = NULL;
	const struct cmd_opt opts[] = {
		{ "force-renew", 0, NULL, &force },
		{ "skip-checks", 0, NULL, &skip_checks },
		{ "wait", 0, NULL, &wait },
		{ "next-run", 1, &next_run_arg, NULL },
		{ NULL, 0, NULL, NULL },
	};
	struct cmd_env ce;
	struct store_lock *lk = NULL;
	struct apply_opts ao;
	struct apply_run run;
	const struct apply_stats *st = &run.stats;
	long long next_run = 0;
	long total;
	int status = EXIT_FAIL, r;

	memset(&run, 0, sizeof(run));
	cmd_env_init(&ce);
	if ((r = cmd_open_run(ctx, argc, argv, opts, &next_run_arg,
	    &next_run, 1, &ce)) != 0) {
		status = r;
		goto out;
	}
	if (store_lock(ce.s, wait, &lk, &ce.e) == -1) {
		log_error(&ctx->log, "%s%s", ce.e.msg, wait ? "" :
		    " (use --wait to wait for it)");
		goto out;
	}
	memset(&ao, 0, sizeof(ao));
	ao.sel = ce.sel;
	ao.force = force;
	ao.skip_checks = skip_checks;
	ao.next_run = next_run;
	r = apply_run(&run, ce.m, ce.s, &ctx->log, &ao);
	if (run.need_terms) {
		cmd_print_terms_error(ce.m, run.terms_error);
		status = EXIT_DATAERR;
		goto out;
	}
	total = acme_stats_total(&st->acme);
	log_debug(&ctx->log, "ACME requests this run: %ld (%zu certificate(s) "
	    "worked on, %d at a time, %ld retried, %lld ms waited for rate "
	    "limits, %lld ms)", total, st->ordered, st->concurrency,
	    st->acme.retries, st->acme.throttled_ms, st->wall_ms);
	if (store_requests(ce.s) >= 0)
		log_debug(&ctx->log, "etcd requests this run: %ld",
		    store_requests(ce.s));
	if (ctx->out == OUT_JSON) {
		cJSON *root = cJSON_CreateObject();
		cJSON *arr = cJSON_AddArrayToObject(root, "certificates");

		for (size_t i = 0; i < run.ncerts; i++)
			if (run.certs[i].result != APPLY_SKIPPED)
				cJSON_AddItemToArray(arr, cert_json(ce.m, ce.s,
				    i, &run.certs[i]));
		cJSON_AddNumberToObject(root, "acme_requests", (double)total);
		cmd_print_json(root);
		cJSON_Delete(root);
	}
	if (st->counts[APPLY_ISSUED] + st->counts[APPLY_RENEWED] +
	    st->counts[APPLY_FAILED] + st->counts[APPLY_HELD_BACK] > 0)
		log_info(&ctx->log, "apply: %zu issued, %zu renewed, %zu "
		    "kept, %zu failed, %zu held back", st->counts[APPLY_ISSUED],
		    st->counts[APPLY_RENEWED], st->counts[APPLY_KEPT],
		    st->counts[APPLY_FAILED], st->counts[APPLY_HELD_BACK]);
	status = r == 0 ? EXIT_OK : EXIT_FAIL;
	report_metrics(ctx, ce.m, ce.s, ce.sel, st, r == 0);
out:
	apply_run_clear(&run);
	store_unlock(lk);
	cmd_env_close(&ce);
	return status;
}
