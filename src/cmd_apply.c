/*
 * cmd_apply.c - `certkeep apply [NAME...] [--force-renew] [--skip-checks]
 * [--wait] [--next-run D]`: plan, then issue or renew every certificate
 * that needs it (one failure does not stop the others), then write the
 * fragments, run reloads and deploy hooks, and send notifications.
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

#include "account.h"
#include "acme.h"
#include "ari.h"
#include "chall.h"
#include "cmd.h"
#include "err.h"
#include "hook.h"
#include "issue.h"
#include "key.h"
#include "lifetime.h"
#include "manifest.h"
#include "notify.h"
#include "plan.h"
#include "render.h"
#include "state.h"
#include "store.h"
#include "util.h"

enum apply_result {
	APPLY_KEPT,
	APPLY_ISSUED,
	APPLY_RENEWED,
	APPLY_FAILED,
	APPLY_HELD_BACK,	/* persisted backoff after failures */
	APPLY_SKIPPED,		/* not selected */
	APPLY__MAX
};
static const char *const apply_result_names[APPLY__MAX] = {
	"kept", "issued", "renewed", "failed", "held-back", "skipped",
};

struct apply_cert {
	struct plan_item	 item;
	struct certstate	 st;
	struct issue_result	 res;
	enum apply_result	 result;
	char			*error;		/* held back / account errors */
};

/* The ACME client of the run, made on first need. */
struct apply_client {
	const struct manifest	*m;
	const struct log	*log;
	struct store		*s;
	struct acme		*a;
	struct key		*account_key;
	int			 tried;
	int			 account_rc;	/* account_open() result */
	char			*error;		/* why there is no client */
};

static struct acme *
client_get(struct apply_client *cl, int account)
{
	struct err e;

	err_clear(&e);
	if (!cl->tried) {
		cl->tried = 1;
		cl->a = acme_new_for(&cl->m->acme, cl->log, &e);
		if (cl->a == NULL) {
			cl->error = xstrdup(e.msg);
			return NULL;
		}
		cl->account_rc = 1;	/* not opened yet */
	}
	if (cl->a == NULL)
		return NULL;
	if (account && cl->account_rc == 1) {
		cl->account_rc = account_open(cl->a, cl->s, &cl->m->acme, 1,
		    &cl->account_key, &e);
		if (cl->account_rc != 0)
			cl->error = xstrdup(e.msg);
	}
	if (account && cl->account_rc != 0)
		return NULL;
	return cl->a;
}

static void
client_free(struct apply_client *cl)
{
	acme_free(cl->a);
	key_free(cl->account_key);
	free(cl->error);
}

/* A failed or held-back renewal of a certificate inside its window:
   the expiring-soon notice, at most once a day (state remembers it). */
static void
notify_expiring(const struct ctx *ctx, const struct manifest *m,
    struct store *s, const struct mcert *c, struct apply_cert *ac)
{
	struct err e;

	if (ac->item.info.status != CERTINFO_OK)
		return;
	if (notify_expiring_maybe(m, c, &ac->item, &ac->st, now_wall(),
	    &ctx->log) == 1 &&
	    certstate_save(s, c->name, &ac->st, &e) == -1)
		log_cert(&ctx->log, LOG_WARN, c->name, "%s", e.msg);
}

static void
notify_done(const struct ctx *ctx, const struct manifest *m,
    struct store *s, const struct mcert *c, const struct apply_cert *ac)
{
	struct notify_info ni;
	struct err e;
	char *path = store_live_path(s, c->name, STORE_CERT);

	memset(&ni, 0, sizeof(ni));
	ni.cert_path = path;
	ni.reason = ac->item.reason_text;
	if (ac->result == APPLY_FAILED) {
		ni.not_after = ac->item.info.not_after;
		ni.renewal = ac->item.info.status != CERTINFO_MISSING;
		ni.stage = ac->res.stage;
		ni.problem_type = ac->res.problem_type;
		ni.problem = ac->res.error != NULL ? ac->res.error : ac->error;
		notify_event(m, c, NOTIFY_FAILED, &ni, &ctx->log, &e);
	} else {
		ni.not_after = ac->res.not_after;
		ni.old_not_after = ac->res.old_not_after;
		ni.serial = ac->res.serial;
		notify_event(m, c, ac->result == APPLY_RENEWED ?
		    NOTIFY_RENEWED : NOTIFY_ISSUED, &ni, &ctx->log, &e);
	}
	free(path);
}

/* ARI polls that are due for certificates the plan keeps. */
static void
poll_ari(const struct ctx *ctx, const struct manifest *m, struct store *s,
    struct apply_client *cl, struct apply_cert *acs, const unsigned char *sel,
    const struct plan_opts *po)
{
	time_t now = po->now;

	for (size_t i = 0; i < m->ncerts; i++) {
		struct apply_cert *ac = &acs[i];
		const struct certinfo *ci = &ac->item.info;
		const char *url;
		struct acme *a;
		struct ari_http ah;
		struct err e;
		char *msg = NULL;

		if (!sel[i] || ac->item.action != PLAN_KEEP ||
		    ci->status != CERTINFO_OK || ci->ari_id == NULL ||
		    !ari_poll_due(&ac->st.ari, ci->ari_id, ci->not_after, now))
			continue;
		if ((a = client_get(cl, 0)) == NULL)
			return;
		url = ari_known_url(&ac->st.ari, ci->ari_id,
		    m->acme.directory);
		if (url == NULL) {
			const struct acme_dir *d = acme_directory(a, &e);

			if (d == NULL) {
				log_warn(&ctx->log, "ARI: %s", e.msg);
				return;
			}
			url = d->renewal_info;
		}
		issue_ari_http(a, &ah);
		ari_poll(&ac->st.ari, ci->ari_id, ci->not_after,
		    lifetime_of(ci->not_before, ci->not_after), url, &ah, now,
		    &msg);
		if (msg != NULL)
			log_cert(&ctx->log, LOG_WARN, m->certs[i].name, "%s",
			    msg);
		free(msg);
		if (certstate_save(s, m->certs[i].name, &ac->st, &e) == -1)
			log_cert(&ctx->log, LOG_WARN, m->certs[i].name, "%s",
			    e.msg);
		plan_redecide(m, &ac->st, po, &ac->item);
	}
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
	long long next_run = 0;
	struct plan_opts po = { 0 };
	struct manifest *m = NULL;
	struct store *s = NULL;
	struct store_lock *lk = NULL;
	struct apply_cert *acs = NULL;
	struct apply_client cl;
	struct chall_run *run = NULL;
	struct render_changes rc;
	struct hook_report rep;
	unsigned char *sel = NULL, *changed = NULL;
	struct strlist pos;
	struct err e;
	char *warning;
	time_t now;
	size_t i, nwork = 0, counts[APPLY__MAX] = { 0 };
	int status = EXIT_FAIL, failed = 0, r;
	long long t0 = mono_ms();

	memset(&cl, 0, sizeof(cl));
	strlist_init(&pos);
	render_changes_init(&rc);
	hook_report_init(&rep);
	err_clear(&e);
	if (cmd_parse(argv[0], argc, argv, opts, &pos) == -1) {
		status = EXIT_USAGE;
		goto out;
	}
	if (next_run_arg != NULL && cmd_parse_next_run(argv[0], next_run_arg,
	    &next_run) == -1) {
		status = EXIT_USAGE;
		goto out;
	}
	if ((r = cmd_open(ctx, &pos, 1, &m, &sel, &s)) != 0) {
		status = r;
		goto out;
	}
	if (store_lock(s, wait, &lk, &e) == -1) {
		log_error(&ctx->log, "%s%s", e.msg, wait ? "" :
		    " (use --wait to wait for it)");
		goto out;
	}
	cl.m = m;
	cl.log = &ctx->log;
	cl.s = s;

	/* 1. Plan every selected certificate. */
	acs = xcalloc(m->ncerts + 1, sizeof(*acs));
	changed = xcalloc(m->ncerts + 1, 1);
	now = now_wall();
	po.now = now;
	po.next_run = next_run;
	po.force = force;
	po.record = 1;
	for (i = 0; i < m->ncerts; i++) {
		certstate_init(&acs[i].st);
		acs[i].result = APPLY_SKIPPED;
		if (!sel[i])
			continue;
		if (plan_read_cert(s, m, &m->certs[i], &po, &acs[i].item,
		    &acs[i].st, &warning, NULL, &e) == -1) {
			log_cert(&ctx->log, LOG_ERROR, m->certs[i].name, "%s",
			    e.msg);
			acs[i].result = APPLY_FAILED;
			acs[i].error = xstrdup(e.msg);
			sel[i] = 0;
			failed = 1;
			continue;
		}
		if (warning != NULL)
			log_cert(&ctx->log, LOG_WARN, m->certs[i].name, "%s",
			    warning);
		free(warning);
	}
	poll_ari(ctx, m, s, &cl, acs, sel, &po);

	/* 2. Act on what needs it. */
	for (i = 0; i < m->ncerts; i++) {
		struct apply_cert *ac = &acs[i];
		const struct mcert *c = &m->certs[i];
		const char *verb;
		struct acme *a;

		if (!sel[i])
			continue;
		if (ac->item.action == PLAN_KEEP) {
			ac->result = APPLY_KEPT;
			log_cert_expiry(&ctx->log, LOG_INFO, c->name,
			    ac->item.info.not_after, now, 0);
			continue;
		}
		verb = ac->item.action == PLAN_ISSUE ? "issuing" : "renewing";
		/* The daily line of a certificate that is due (log.h). */
		if (ac->item.action == PLAN_RENEW)
			log_cert_window(&ctx->log, LOG_INFO, c->name,
			    ac->item.reason_text);
		if (ac->item.backoff_until > now) {
			char when[32];

			time_format_rfc3339(ac->item.backoff_until, when,
			    sizeof(when));
			ac->result = APPLY_HELD_BACK;
			ac->error = xasprintf("held back until %s after "
			    "failures (last: %s); --force-renew overrides",
			    when, ac->st.last_error_detail != NULL ?
			    ac->st.last_error_detail : "unknown");
			log_cert(&ctx->log, LOG_ERROR, c->name, "%s %s ... %s",
			    verb, c->name, ac->error);
			failed = 1;
			notify_expiring(ctx, m, s, c, ac);
			continue;
		}
		nwork++;
		if (ac->item.action != PLAN_RENEW)
			log_cert(&ctx->log, LOG_DEBUG, c->name, "%s %s: %s",
			    verb, c->name, ac->item.reason_text ?
			    ac->item.reason_text : "");
		if ((a = client_get(&cl, 1)) == NULL) {
			if (cl.account_rc == ACCOUNT_NEED_TERMS) {
				cmd_print_terms_error(m, cl.error);
				status = EXIT_DATAERR;
				goto out;
			}
			ac->result = APPLY_FAILED;
			ac->error = xstrdup(cl.error ? cl.error :
			    "no ACME client");
			ac->res.stage = "account";
			log_cert(&ctx->log, LOG_ERROR, c->name,
			    "%s %s ... failed: %s", verb, c->name, ac->error);
			failed = 1;
			notify_done(ctx, m, s, c, ac);
			continue;
		}
		if (run == NULL)
			run = chall_run_new(m, &ctx->log);
		struct issue_env env = {
			.m = m, .s = s, .log = &ctx->log, .chall = run,
			.skip_checks = skip_checks, .force = force,
		};
		/* The per-certificate lock (a shared store's unit of work);
		   this run already holds the store lock, so it is free. */
		struct store_lock *clk = NULL;
		int issued;

		if (store_lock_cert(s, c->name, 1, &clk, &e) == -1)
			log_cert(&ctx->log, LOG_WARN, c->name, "%s", e.msg);
		issued = issue_cert(&env, a, &ac->item, &ac->st, &ac->res);
		store_unlock(clk);
		if (issued == 0) {
			char full[32], day[16];
			cJSON *f = cJSON_CreateObject();

			ac->result = ac->res.renewal ? APPLY_RENEWED :
			    APPLY_ISSUED;
			changed[i] = 1;
			time_format_rfc3339(ac->res.not_after, full,
			    sizeof(full));
			snprintf(day, sizeof(day), "%.10s", full);
			cJSON_AddStringToObject(f, "not_after", full);
			if (ac->res.serial != NULL)
				cJSON_AddStringToObject(f, "serial",
				    ac->res.serial);
			cJSON_AddNumberToObject(f, "requests",
			    (double)ac->res.requests);
			log_event(&ctx->log, LOG_INFO, c->name,
			    ac->res.renewal ? "renewed" : "issued", f,
			    "%s %s ... done, expires %s", verb, c->name, day);
		} else {
			ac->result = APPLY_FAILED;
			failed = 1;
			log_cert(&ctx->log, LOG_ERROR, c->name,
			    "%s %s ... failed (%s): %s", verb, c->name,
			    ac->res.stage ? ac->res.stage : "?",
			    ac->res.error ? ac->res.error : "unknown error");
		}
		notify_done(ctx, m, s, c, ac);
		if (ac->result == APPLY_FAILED)
			notify_expiring(ctx, m, s, c, ac);
	}
	chall_run_free(run);
	run = NULL;

	/* 3. Fragments, reloads, deploy hooks. */
	if (render_all(m, s, &ctx->log, &rc, &e) == -1) {
		log_error(&ctx->log, "%s", e.msg);
		failed = 1;
	}
	if (hooks_after_apply(m, s, &ctx->log, &rc, changed, &rep) == -1)
		failed = 1;

	for (i = 0; i < m->ncerts; i++)
		counts[acs[i].result]++;
	if (cl.a != NULL)
		log_debug(&ctx->log, "ACME requests this run: %ld (%zu "
		    "certificate(s) worked on, %lld ms)", acme_requests(cl.a),
		    nwork, mono_ms() - t0);
	else
		log_debug(&ctx->log, "ACME requests this run: 0 (%lld ms)",
		    mono_ms() - t0);
	if (ctx->out == OUT_JSON) {
		cJSON *root = cJSON_CreateObject();
		cJSON *arr = cJSON_AddArrayToObject(root, "certificates");

		for (i = 0; i < m->ncerts; i++) {
			struct apply_cert *ac = &acs[i];
			cJSON *o;

			if (ac->result == APPLY_SKIPPED)
				continue;
			if (changed[i]) {
				/* Show the new set, not the old one. */
				struct plan_item it;
				struct certstate st2;
				struct plan_opts po2 = { .now = now_wall() };
				char *w = NULL;

				if (plan_read_cert(s, m, &m->certs[i], &po2,
				    &it, &st2, &w, NULL, &e) == 0) {
					it.action = ac->item.action;
					it.reason = ac->item.reason;
					free(it.reason_text);
					it.reason_text =
					    ac->item.reason_text != NULL ?
					    xstrdup(ac->item.reason_text) :
					    NULL;
					o = plan_item_to_json(&it, &st2,
					    now_wall());
				} else {
					o = plan_item_to_json(&ac->item,
					    &ac->st, now);
				}
				plan_item_clear(&it);
				certstate_clear(&st2);
				free(w);
			} else {
				o = plan_item_to_json(&ac->item, &ac->st, now);
			}
			cJSON_AddStringToObject(o, "result",
			    apply_result_names[ac->result]);
			const char *err = ac->res.error != NULL ?
			    ac->res.error : ac->error;
			if (err != NULL)
				cJSON_AddStringToObject(o, "error", err);
			if (ac->res.stage != NULL)
				cJSON_AddStringToObject(o, "stage",
				    ac->res.stage);
			if (ac->res.problem_type != NULL)
				cJSON_AddStringToObject(o, "problem_type",
				    ac->res.problem_type);
			cJSON_AddNumberToObject(o, "requests",
			    (double)ac->res.requests);
			cJSON_AddItemToArray(arr, o);
		}
		cJSON_AddNumberToObject(root, "acme_requests",
		    cl.a != NULL ? (double)acme_requests(cl.a) : 0);
		cmd_print_json(root);
		cJSON_Delete(root);
	}
	if (counts[APPLY_ISSUED] + counts[APPLY_RENEWED] +
	    counts[APPLY_FAILED] + counts[APPLY_HELD_BACK] > 0)
		log_info(&ctx->log, "apply: %zu issued, %zu renewed, %zu "
		    "kept, %zu failed, %zu held back", counts[APPLY_ISSUED],
		    counts[APPLY_RENEWED], counts[APPLY_KEPT],
		    counts[APPLY_FAILED], counts[APPLY_HELD_BACK]);
	status = failed ? EXIT_FAIL : EXIT_OK;
out:
	chall_run_free(run);
	for (i = 0; acs != NULL && i < m->ncerts; i++) {
		plan_item_clear(&acs[i].item);
		certstate_clear(&acs[i].st);
		issue_result_clear(&acs[i].res);
		free(acs[i].error);
	}
	free(acs);
	free(changed);
	client_free(&cl);
	render_changes_clear(&rc);
	hook_report_clear(&rep);
	store_unlock(lk);
	store_free(s);
	free(sel);
	strlist_free(&pos);
	manifest_free(m);
	return status;
}
