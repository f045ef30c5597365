/*
 * cmd_status.c - `certkeep status [NAME...]`: one row per certificate
 * (name, hostnames, not-after, days left, issuer, key type, listeners,
 * state), or the same as JSON. Reads the store, writes nothing. Exit 0
 * (1 only when the store cannot be read).
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "base/table.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "cli/status_html.h"
#include "manifest/manifest.h"
#include "reconcile/plan.h"
#include "store/certinfo.h"
#include "store/state.h"
#include "store/statesum.h"
#include "store/store.h"

/* Adds the row of one certificate. */
static void
status_row(struct table *t, const struct plan_item *it, time_t now)
{
	const struct mcert *c = it->cert;
	const struct certinfo *ii = &it->info;
	int parsed = ii->status != CERTINFO_MISSING &&
	    ii->status != CERTINFO_CORRUPT_CERT;
	const char *row[8];
	struct buf hosts, lis;
	char day[32], left[32], *issuer = NULL;
	size_t i;

	buf_init(&hosts);
	buf_init(&lis);
	for (i = 0; i < c->nhostnames; i++)
		buf_printf(&hosts, "%s%s", i ? "," : "", c->hostnames[i]);
	for (i = 0; i < c->nlisteners; i++)
		buf_printf(&lis, "%s%s/%s@%s", i ? "," : "",
		    server_kind_names[c->listeners[i].server],
		    service_kind_names[c->listeners[i].service],
		    c->listeners[i].address);
	row[0] = c->name;
	row[1] = hosts.data;
	row[2] = row[3] = row[4] = row[5] = NULL;
	if (parsed) {
		time_format_date(ii->not_after, day, sizeof(day));
		snprintf(left, sizeof(left), "%lld",
		    days_left(ii->not_after, now));
		row[2] = day;
		row[3] = left;
		/* Read from a file: escaped before it reaches a terminal. */
		if (ii->issuer_cn != NULL || ii->issuer != NULL)
			issuer = str_escape(ii->issuer_cn != NULL ?
			    ii->issuer_cn : ii->issuer);
		row[4] = issuer;
		row[5] = ii->key_type >= 0 && ii->key_type < KEY__MAX ?
		    key_type_names[ii->key_type] : "other";
	}
	row[6] = c->nlisteners > 0 ? lis.data : NULL;
	row[7] = plan_item_state(it, now);
	table_add(t, row);
	free(issuer);
	buf_clear(&hosts);
	buf_clear(&lis);
}

int
cmd_status(struct ctx *ctx, int argc, char **argv)
{
	static const char *const hdr[] = { "NAME", "HOSTNAMES", "NOT-AFTER",
	    "DAYS", "ISSUER", "KEY", "LISTENERS", "STATE" };
	struct cmd_env ce;
	struct status_html *html = NULL;
	struct plan_item item;
	struct certstate st;
	struct table t;
	struct strlist ari_lines;
	struct plan_json_out jo;
	char *warning;
	struct plan_opts po = { 0 };
	time_t now;
	size_t i, nfull = 0, nread = 0;
	int status = EXIT_FAIL, failed = 0, r, full;

	cmd_env_init(&ce);
	strlist_init(&ari_lines);
	table_init(&t, 8, hdr);
	if ((r = cmd_parse(argv[0], argc, argv, NULL, &ce.pos)) != 0 ||
	    (r = cmd_open(ctx, &ce.pos, 0, &ce.m, &ce.sel, &ce.s)) != 0) {
		status = r;
		goto out;
	}
	/* JSON: one certificate at a time, never the fleet as one tree. */
	if (ctx->out == OUT_JSON)
		plan_json_begin(&jo, stdout);
	now = now_wall();
	if (ctx->out == OUT_HTML)
		html = status_html_new(ce.m->path, now);
	po.now = now;
	po.sum = statesum_load(ce.s, 0);
	plan_read_prefetch(ce.s, ce.m, ce.sel, &po);
	for (i = 0; i < ce.m->ncerts; i++) {
		if (!ce.sel[i])
			continue;
		if (plan_read_cert(ce.s, ce.m, &ce.m->certs[i], &po, &item, &st,
		    &warning, &full, &ce.e) == -1) {
			log_cert(&ctx->log, LOG_ERROR, ce.m->certs[i].name,
			    "%s", ce.e.msg);
			failed = 1;
			certstate_clear(&st);
			continue;
		}
		if (warning != NULL)
			log_cert(&ctx->log, LOG_WARN, ce.m->certs[i].name, "%s",
			    warning);
		free(warning);
		nfull += (size_t)full;
		nread++;
		if (html != NULL)
			status_html_add(html, &item, &st);
		else if (ctx->out == OUT_JSON)
			plan_json_add(&jo, plan_item_to_json(&item, &st, now));
		else {
			status_row(&t, &item, now);
			cmd_add_ari_line(&ari_lines, ce.m->certs[i].name,
			    &st.ari, item.info.ari_id);
		}
		plan_item_clear(&item);
		certstate_clear(&st);
	}
	log_debug(&ctx->log, "status: %zu live set(s) read in full, %zu from "
	    "what an earlier run verified (%zu through the summary of "
	    "states)", nfull, nread - nfull, statesum_hits(po.sum));
	if (html != NULL) {
		if (status_html_write(html, stdout) == -1)
			failed = 1;
	} else if (ctx->out == OUT_JSON) {
		plan_json_end(&jo, NULL);
	} else {
		table_print(&t, stdout);
		cmd_print_ari_lines(&ari_lines);
	}
	status = failed ? EXIT_FAIL : EXIT_OK;
out:
	status_html_free(html);
	table_clear(&t);
	strlist_clear(&ari_lines);
	statesum_free(po.sum);
	cmd_env_close(&ce);
	return status;
}
