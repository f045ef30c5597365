/*
 * cmd_plan.c - `certkeep plan [NAME...]`: what apply would do for each
 * certificate and why (docs/renewal.md). Reads the store, writes
 * nothing. Exit 0 nothing to do, 2 changes pending, 1 error.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/table.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "cli/metrics.h"
#include "manifest/manifest.h"
#include "reconcile/plan.h"
#include "render/render.h"
#include "store/state.h"
#include "store/statesum.h"
#include "store/store.h"

/*
 * Which fragments would change (plan shows them): render_pending()
 * computes it without writing, treating every
 * certificate about to be issued or renewed as present (a renewal of a set
 * whose key is missing or corrupt leaves a complete set behind). It prints to stdout after the table in text mode, or adds a
 * "fragments" member to root in JSON mode (root NULL in text mode), and
 * returns 1 when fragments would change, 0 when none would, -1 on error.
 */
static int
plan_fragments(const struct ctx *ctx, const struct manifest *m,
    struct store *s, const struct plan_item *items, const unsigned char *sel,
    cJSON *root)
{
	struct render_changes rc;
	const struct store_setid **known;
	unsigned char *will;
	struct err e;
	size_t i;
	int r = -1;

	err_clear(&e);
	render_changes_init(&rc);
	will = xcalloc(m->ncerts + 1, 1);
	known = xcalloc(m->ncerts + 1, sizeof(*known));
	for (i = 0; i < m->ncerts; i++) {
		will[i] = sel[i] && items[i].action != PLAN_KEEP;
		/* What the plan statted a moment ago is not statted again. */
		if (sel[i] && items[i].setid_known)
			known[i] = &items[i].setid;
	}
	if (render_pending_known(m, s, &ctx->log, will, known, &rc, &e) ==
	    -1) {
		log_error(&ctx->log, "%s", e.msg);
		goto out;
	}
	if (root != NULL) {
		cJSON_AddItemToObject(root, "fragments",
		    render_changes_json(&rc));
	} else if (rc.n > 0) {
		printf("\nFragments that would change:\n");
		render_changes_print(&rc, stdout);
	} else {
		printf("\nFragments: up to date (%zu file(s))\n", rc.unchanged);
	}
	r = rc.n > 0 ? 1 : 0;
out:
	free(will);
	free(known);
	render_changes_clear(&rc);
	return r;
}

static void
plan_print_text(const struct manifest *m, const struct plan_item *items,
    const unsigned char *sel)
{
	static const char *const hdr[] = { "NAME", "ACTION", "REASON" };
	const char *row[3];
	struct table t;
	char *reason, when[64];
	size_t i, count[PLAN__MAX] = { 0 };

	table_init(&t, 3, hdr);
	for (i = 0; i < m->ncerts; i++) {
		if (!sel[i])
			continue;
		count[items[i].action]++;
		/* The reason can quote names read from a certificate. */
		reason = str_escape(items[i].reason_text != NULL ?
		    items[i].reason_text : "");
		if (items[i].backoff_until != 0) {
			char *r2;
			time_format_rfc3339(items[i].backoff_until, when,
			    sizeof(when));
			r2 = xasprintf("%s; held back until %s after "
			    "failures", reason, when);
			free(reason);
			reason = r2;
		}
		row[0] = m->certs[i].name;
		row[1] = plan_action_names[items[i].action];
		row[2] = reason;
		table_add(&t, row);
		free(reason);
	}
	table_print(&t, stdout);
	table_clear(&t);
	printf("\n%zu to issue, %zu to renew, %zu to keep\n",
	    count[PLAN_ISSUE], count[PLAN_RENEW], count[PLAN_KEEP]);
}

/* The certificates, one JSON object at a time, then rest's members. */
static void
plan_print_json(const struct plan_item *items, const struct certstate *states,
    const unsigned char *sel, size_t n, const cJSON *rest, time_t now)
{
	struct plan_json_out jo;
	size_t i;

	plan_json_begin(&jo, stdout);
	for (i = 0; i < n; i++)
		if (sel[i])
			plan_json_add(&jo, plan_item_to_json(&items[i],
			    &states[i], now));
	plan_json_end(&jo, rest);
}

int
cmd_plan(struct ctx *ctx, int argc, char **argv)
{
	const char *next_run_arg = NULL;
	const struct cmd_opt opts[] = {
		{ "next-run", 1, &next_run_arg, NULL },
		{ NULL, 0, NULL, NULL },
	};
	long long next_run = 0;
	struct cmd_env ce;
	struct plan_item *items = NULL;
	struct certstate *states = NULL;
	cJSON *root = NULL;
	char *warning;
	struct plan_opts po = { 0 };
	time_t now;
	size_t i, nfull = 0, nread = 0;
	int status = EXIT_FAIL, failed = 0, pending = 0, r, full;
	long long t0 = mono_ms();

	cmd_env_init(&ce);
	/* Without create: plan never makes the store appear. */
	if ((r = cmd_open_run(ctx, argc, argv, opts, &next_run_arg,
	    &next_run, 0, &ce)) != 0) {
		status = r;
		goto out;
	}
	items = xcalloc(ce.m->ncerts + 1, sizeof(*items));
	states = xcalloc(ce.m->ncerts + 1, sizeof(*states));
	now = now_wall();
	po.now = now;
	po.next_run = next_run;
	po.sum = statesum_load(ce.s, 0);
	plan_read_prefetch(ce.s, ce.m, ce.sel, &po);
	for (i = 0; i < ce.m->ncerts; i++) {
		certstate_init(&states[i]);
		if (!ce.sel[i])
			continue;
		if (plan_read_cert(ce.s, ce.m, &ce.m->certs[i], &po, &items[i],
		    &states[i], &warning, &full, &ce.e) == -1) {
			log_cert(&ctx->log, LOG_ERROR, ce.m->certs[i].name,
			    "%s", ce.e.msg);
			failed = 1;
			ce.sel[i] = 0;
			continue;
		}
		nfull += (size_t)full;
		nread++;
		certstate_shed(&states[i]);	/* plan never saves */
		if (warning != NULL)
			log_cert(&ctx->log, LOG_WARN, ce.m->certs[i].name, "%s",
			    warning);
		free(warning);
		/* -v: the daily check lines, as apply logs them. */
		if (items[i].info.status != CERTINFO_MISSING &&
		    items[i].info.status != CERTINFO_CORRUPT_CERT)
			log_cert_expiry(&ctx->log, LOG_DEBUG,
			    ce.m->certs[i].name, items[i].info.not_after, now,
			    next_run);
		if (items[i].action == PLAN_RENEW)
			log_cert_window(&ctx->log, LOG_DEBUG,
			    ce.m->certs[i].name, items[i].reason_text);
		if (items[i].action != PLAN_KEEP)
			pending = 1;
	}

	log_debug(&ctx->log, "plan: %zu live set(s) read in full, %zu from "
	    "what an earlier run verified (%zu through the summary of "
	    "states)", nfull, nread - nfull, statesum_hits(po.sum));
	if (ctx->out == OUT_JSON) {
		/* The certificates are printed one by one at the end. */
		root = cJSON_CreateObject();
	} else {
		plan_print_text(ce.m, items, ce.sel);
		cmd_print_ari(ce.m, items, states, ce.sel);
	}
	switch (plan_fragments(ctx, ce.m, ce.s, items, ce.sel, root)) {
	case -1:
		failed = 1;
		break;
	case 1:
		pending = 1;
		break;
	default:
		break;
	}
	if (root != NULL) {
		cJSON_AddBoolToObject(root, "changes_pending", pending);
		plan_print_json(items, states, ce.sel, ce.m->ncerts, root, now);
	}
	status = failed ? EXIT_FAIL : pending ? EXIT_PENDING : EXIT_OK;
	metrics_report(ce.m, ce.s, ce.sel, items, states, NULL,
	    &(struct metrics_run){
	    .command = "plan", .now = now, .duration_ms = mono_ms() - t0,
	    .success = !failed }, &ctx->log);
out:
	cJSON_Delete(root);
	for (i = 0; items != NULL && i < ce.m->ncerts; i++) {
		plan_item_clear(&items[i]);
		certstate_clear(&states[i]);
	}
	FREE_ALL(items, states);
	statesum_free(po.sum);
	cmd_env_close(&ce);
	return status;
}
