/*
 * apply.c - the apply pipeline (see apply.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "acme/account.h"
#include "acme/acme.h"
#include "acme/ari.h"
#include "acme/key.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/time.h"
#include "chall/chall.h"
#include "checks/check.h"
#include "deploy/hook.h"
#include "deploy/notify.h"
#include "manifest/acme_conf.h"
#include "manifest/manifest.h"
#include "reconcile/apply.h"
#include "reconcile/issue.h"
#include "reconcile/lifetime.h"
#include "reconcile/plan.h"
#include "render/render.h"
#include "store/account_io.h"
#include "store/state.h"
#include "store/statesum.h"
#include "store/store.h"

const char *const apply_result_names[APPLY__MAX] = {
	"kept", "issued", "renewed", "failed", "held-back", "skipped",
};

/* The run's ACME client, made on first need. */
struct apply_client {
	const struct manifest	*m;
	const struct log	*log;
	struct store		*s;
	struct acme		*a;
	struct acme_conf	 conf;
	struct key		*account_key;
	int			 tried;
	int			 opened;	/* account_open() was called */
	enum acme_result	 account_rc;	/* what it returned */
	char			*error;		/* why there is no client */
};

/* How long the ARI polls of a run ride out a faulty CA. */
#define APPLY_ARI_RETRY_MS	10000LL

static struct acme *
client_get(struct apply_client *cl, int account)
{
	struct err e;

	err_clear(&e);
	if (!cl->tried) {
		cl->tried = 1;
		manifest_acme_conf(&cl->m->acme, &cl->conf);
		cl->a = acme_new_for(&cl->conf, cl->log, &e);
		if (cl->a == NULL) {
			cl->error = xstrdup(e.msg);
			return NULL;
		}
		/* Its deadline is set by who uses it first: the ARI polls
		   (short) or the orders (acme.retry_deadline). */
	}
	if (cl->a == NULL)
		return NULL;
	if (account && !cl->opened) {
		struct account_store io;
		struct store_lock *alk = NULL;

		/* Orders get the whole acme.retry_deadline, counted from
		   now (the ARI polls before them had a short one). */
		acme_set_deadline(cl->a, mono_ms() +
		    cl->m->acme.retry_deadline * 1000);
		store_account_io(cl->s, &io);
		cl->opened = 1;
		/* A fleet's nodes starting together make one account. */
		if (store_lock_account(cl->s, &alk, &e) == -1)
			cl->account_rc = ACME_PROTOCOL;
		else
			cl->account_rc = account_open(cl->a, &io, &cl->conf, 1,
			    &cl->account_key, &e);
		store_unlock(alk);
		if (cl->account_rc != ACME_OK)
			cl->error = xstrdup(e.msg);
	}
	if (account && cl->account_rc != ACME_OK)
		return NULL;
	return cl->a;
}

/* Frees the client (its sockets closed): done before any hook runs. */
static void
client_clear(struct apply_client *cl, struct apply_stats *st)
{
	if (cl->a != NULL && st != NULL)
		acme_stats_get(cl->a, &st->acme);
	acme_free(cl->a);
	cl->a = NULL;
	key_free(cl->account_key);
	cl->account_key = NULL;
}

/* A failed or held-back renewal of a certificate inside its window:
   the expiring-soon notice, at most once a day (state remembers it). */
static void
notify_expiring(const struct log *log, const struct manifest *m,
    struct store *s, const struct mcert *c, struct apply_cert *ac)
{
	struct err e;
	time_t now = now_wall();

	if (ac->item.info.status != CERTINFO_OK)
		return;
	if (notify_expiring_maybe(m, c, plan_item_in_window(&ac->item, now),
	    &ac->item.info, &ac->st, now, log) == 1 &&
	    certstate_save(s, c->name, &ac->st, &e) == -1)
		log_cert(log, LOG_WARN, c->name, "%s", e.msg);
}

static void
notify_done(const struct log *log, const struct manifest *m,
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
		notify_event(m, c, NOTIFY_FAILED, &ni, log, &e);
	} else {
		ni.not_after = ac->res.not_after;
		ni.old_not_after = ac->res.old_not_after;
		ni.serial = ac->res.serial;
		notify_event(m, c, ac->result == APPLY_RENEWED ?
		    NOTIFY_RENEWED : NOTIFY_ISSUED, &ni, log, &e);
	}
	free(path);
}

/* 2. ARI polls that are due for certificates the plan keeps. */
static void
poll_ari(const struct log *log, const struct manifest *m, struct store *s,
    struct apply_client *cl, struct apply_cert *acs, const unsigned char *sel,
    const struct plan_opts *po)
{
	time_t now = po->now;
	int deadline_set = 0;

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
		/* An ARI poll is a courtesy of the CA: a CA that is down
		   must not hold a run with nothing due for the whole
		   retry deadline (the next run polls again). */
		if (!deadline_set) {
			long long d = cl->m->acme.retry_deadline * 1000;

			acme_set_deadline(a, mono_ms() +
			    (d < APPLY_ARI_RETRY_MS ? d : APPLY_ARI_RETRY_MS));
			deadline_set = 1;
		}
		url = ari_known_url(&ac->st.ari, ci->ari_id,
		    m->acme.directory);
		if (url == NULL) {
			const struct acme_dir *d;

			if (acme_directory(a, &d, &e) != ACME_OK) {
				log_warn(log, "ARI: %s", e.msg);
				return;
			}
			url = d->renewal_info;
		}
		issue_ari_http(a, &ah);
		ari_poll(&ac->st.ari, ci->ari_id, ci->not_after,
		    lifetime_of(ci->not_before, ci->not_after), url, &ah, now,
		    &msg);
		if (msg != NULL)
			log_cert(log, LOG_WARN, m->certs[i].name, "%s", msg);
		free(msg);
		if (certstate_save(s, m->certs[i].name, &ac->st, &e) == -1)
			log_cert(log, LOG_WARN, m->certs[i].name, "%s", e.msg);
		plan_redecide(m, &ac->st, po, &ac->item);
	}
}

static const char *
verb_of(const struct apply_cert *ac)
{
	return ac->item.action == PLAN_ISSUE ? "issuing" : "renewing";
}

/* A certificate failed before its order (account, preflight). */
static void
fail_early(const struct issue_env *env, struct apply_cert *ac,
    const struct mcert *c, const char *stage, const char *msg,
    const char *type)
{
	int record = strcmp(stage, "account") != 0;

	ac->result = APPLY_FAILED;
	if (ac->res.error == NULL)
		ac->res.error = xstrdup(msg);
	if (ac->res.stage == NULL)
		ac->res.stage = stage;
	if (ac->res.problem_type == NULL && type != NULL)
		ac->res.problem_type = xstrdup(type);
	ac->res.renewal = ac->item.info.status != CERTINFO_MISSING;
	/* The certificate's own failure is kept in its state; the run's
	   (no account) is not the certificate's. */
	if (record)
		issue_record_failure(env, &ac->item, &ac->st, &ac->res);
	log_cert(env->log, LOG_ERROR, c->name, "%s %s ... failed (%s): %s",
	    verb_of(ac), c->name, ac->res.stage, ac->res.error);
}

/*
 * 3. Preflight of every certificate in work[] at once: one check
 * environment and resolver. The ones that fail are taken out of work[].
 */
static void
preflight_all(const struct issue_env *env, struct acme *a,
    struct apply_cert *acs, size_t *work, size_t *nwork)
{
	const struct manifest *m = env->m;
	struct check_results *cr = NULL;
	unsigned char *sel = NULL;
	const struct acme_dir *d;
	struct err e;
	size_t i, kept = 0;

	acme_directory(a, &d, NULL);

	sel = xcalloc(m->ncerts + 1, 1);
	for (i = 0; i < *nwork; i++)
		sel[work[i]] = 1;
	cr = xcalloc(m->ncerts + 1, sizeof(*cr));
	if (checks_preflight(m, env->log, acme_kid(a),
	    d != NULL && d->caa_identities.n > 0 ? d->caa_identities.v : NULL,
	    a, sel, cr, 0, &e) == -1) {
		char *msg = xasprintf("preflight: %s", e.msg);

		for (i = 0; i < *nwork; i++) {
			acs[work[i]].res.checks_failed = 1;
			fail_early(env, &acs[work[i]], &m->certs[work[i]],
			    "preflight", msg, "check:dns");
		}
		free(msg);
		*nwork = 0;
		goto out;
	}
	for (i = 0; i < *nwork; i++) {
		size_t k = work[i];
		struct apply_cert *ac = &acs[k];

		if (issue_preflight_report(env, &m->certs[k], &cr[k],
		    &ac->res) == -1)
			fail_early(env, ac, &m->certs[k], "preflight",
			    ac->res.error, NULL);
		else
			work[kept++] = k;
	}
	*nwork = kept;
out:
	for (i = 0; i < m->ncerts; i++)
		check_results_clear(&cr[i]);
	free(cr);
	free(sel);
}

/* 4. The workers: each takes the next certificate of work[]. */
struct apply_pool {
	const struct issue_env	*env;
	struct apply_cert	*acs;
	const size_t		*work;
	size_t			 nwork;
	struct acme		*main;
	long long		 deadline_s;
	pthread_mutex_t		 mu;
	size_t			 next;
	size_t			 done;
};

/*
 * Under the certificate's lock on a shared store: decides again on what
 * the store holds now (the lock brought the local mirror up to date).
 * Returns 1 when another node has done the work meanwhile (kept), else 0
 * with ac's plan and state replaced by the current ones (a state another
 * node left holds the order to resume).
 */
static int
replan_locked(const struct issue_env *env, struct apply_cert *ac,
    const struct mcert *c)
{
	struct plan_item item;
	struct certstate st;
	struct plan_opts po = *env->plan;
	struct err e;
	char *warning = NULL;

	po.record = 1;		/* the lock is held */
	memset(&item, 0, sizeof(item));
	certstate_init(&st);
	err_clear(&e);
	if (plan_read_cert(env->s, env->m, c, &po, &item, &st, &warning,
	    NULL, &e) == -1) {
		plan_item_clear(&item);
		certstate_clear(&st);
		return 0;
	}
	free(warning);
	if (item.action == PLAN_KEEP && !env->force) {
		ac->result = APPLY_KEPT;
		log_cert(env->log, LOG_INFO, c->name, "%s: done by another "
		    "node meanwhile; kept", c->name);
		plan_item_clear(&ac->item);
		ac->item = item;
		certstate_clear(&st);
		return 1;
	}
	plan_item_clear(&ac->item);
	certstate_clear(&ac->st);
	ac->item = item;
	ac->st = st;
	return 0;
}

static void
issue_one(struct apply_pool *p, struct acme *a, const char *clone_error,
    size_t k)
{
	const struct issue_env *env = p->env;
	struct apply_cert *ac = &p->acs[k];
	const struct mcert *c = &env->m->certs[k];
	const char *verb = verb_of(ac);
	struct store_lock *clk = NULL;
	struct err e;
	char full[32], day[16];
	cJSON *f;

	if (a == NULL) {
		fail_early(env, ac, c, "account", clone_error, NULL);
		return;
	}
	/* The per-certificate lock (a shared store's unit of work); this
	   run already holds the store lock, so it is free, unless several
	   hosts share the store (etcd): then it waits for the one at work
	   and its lease. */
	if (store_lock_cert(env->s, c->name, 1, &clk, &e) == -1) {
		if (store_is_shared(env->s)) {
			fail_early(env, ac, c, "lock", e.msg, NULL);
			return;
		}
		log_cert(env->log, LOG_WARN, c->name, "%s", e.msg);
	}
	if (clk != NULL && store_is_shared(env->s) && env->plan != NULL &&
	    replan_locked(env, ac, c)) {
		store_unlock(clk);
		return;
	}
	acme_set_deadline(a, mono_ms() + p->deadline_s * 1000);
	if (issue_cert(env, a, &ac->item, &ac->st, &ac->res) == -1) {
		store_unlock(clk);
		ac->result = APPLY_FAILED;
		log_cert(env->log, LOG_ERROR, c->name,
		    "%s %s ... failed (%s): %s", verb, c->name,
		    ac->res.stage ? ac->res.stage : "?",
		    ac->res.error ? ac->res.error : "unknown error");
		return;
	}
	store_unlock(clk);
	ac->result = ac->res.renewal ? APPLY_RENEWED : APPLY_ISSUED;
	ac->changed = 1;
	time_format_rfc3339(ac->res.not_after, full, sizeof(full));
	time_format_date(ac->res.not_after, day, sizeof(day));
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "not_after", full);
	if (ac->res.serial != NULL)
		cJSON_AddStringToObject(f, "serial", ac->res.serial);
	cJSON_AddNumberToObject(f, "requests", (double)ac->res.requests);
	log_event(env->log, LOG_INFO, c->name,
	    ac->res.renewal ? "renewed" : "issued", f,
	    "%s %s ... done, expires %s", verb, c->name, day);
}

static void *
apply_worker(void *arg)
{
	struct apply_pool *p = arg;
	struct acme *a;
	struct err e;
	size_t k;

	err_clear(&e);
	a = acme_clone(p->main, &e);
	for (;;) {
		pthread_mutex_lock(&p->mu);
		k = p->next < p->nwork ? p->work[p->next++] : SIZE_MAX;
		pthread_mutex_unlock(&p->mu);
		if (k == SIZE_MAX)
			break;
		issue_one(p, a, e.msg, k);
		pthread_mutex_lock(&p->mu);
		p->done++;
		log_progress_set(p->env->log->progress, "issuing %zu/%zu ...",
		    p->done, p->nwork);
		pthread_mutex_unlock(&p->mu);
	}
	acme_free(a);
	return NULL;
}

static int
issue_all(const struct issue_env *env, struct acme *main_client,
    struct apply_cert *acs, const size_t *work, size_t nwork)
{
	struct apply_pool pool;
	pthread_t *tids;
	int want = env->m->acme.concurrency, started = 0;

	if (want < 1)
		want = 1;
	if ((size_t)want > nwork)
		want = (int)nwork;
	pool = (struct apply_pool){ .env = env, .acs = acs, .work = work,
	    .nwork = nwork, .main = main_client,
	    .deadline_s = env->m->acme.retry_deadline };
	pthread_mutex_init(&pool.mu, NULL);
	log_progress_set(env->log->progress, "issuing 0/%zu ...", nwork);
	tids = xcalloc((size_t)want + 1, sizeof(*tids));
	for (int i = 0; i < want; i++) {
		if (pthread_create(&tids[i], NULL, apply_worker, &pool) != 0)
			break;
		started++;
	}
	if (started == 0)
		apply_worker(&pool);	/* no threads: do it here */
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	pthread_mutex_destroy(&pool.mu);
	return started > 0 ? started : 1;
}

/* http-01 publish: the key authorizations go into the store, where
   serve-http01 finds them. */
static int
apply_publish_put(void *arg, const char *token, const char *keyauth,
    int ttl, struct err *e)
{
	return store_put_token(arg, token, keyauth, ttl, e);
}

static int
apply_publish_del(void *arg, const char *token, struct err *e)
{
	return store_del_token(arg, token, e);
}

int
apply_run(struct apply_run *run, const struct manifest *m, struct store *s,
    const struct log *log_in, const struct apply_opts *o)
{
	struct apply_client cl;
	struct chall_run *chall = NULL;
	struct chall_publisher pub = { s, apply_publish_put,
	    apply_publish_del };
	struct render_changes rc;
	struct hook_report rep;
	struct log runlog = *log_in;
	const struct log *log = &runlog;
	unsigned char *sel = NULL, *changed = NULL;
	const struct store_setid **known = NULL;
	size_t *work = NULL, nwork = 0, i;
	struct err e;
	char *warning;
	time_t now;
	struct plan_opts po;
	long long t0 = mono_ms(), t1;

	memset(run, 0, sizeof(*run));
	memset(&cl, 0, sizeof(cl));
	memset(&po, 0, sizeof(po));
	render_changes_init(&rc);
	hook_report_init(&rep);
	err_clear(&e);
	runlog.progress = NULL;
	cl.m = m;
	cl.log = log;
	cl.s = s;
	run->ncerts = m->ncerts;
	run->certs = xcalloc(m->ncerts + 1, sizeof(*run->certs));
	sel = xcalloc(m->ncerts + 1, 1);
	changed = xcalloc(m->ncerts + 1, 1);
	work = xcalloc(m->ncerts + 1, sizeof(*work));

	/* 1. Plan every selected certificate. */
	now = now_wall();
	po.now = now;
	po.next_run = o->next_run;
	po.force = o->force;
	/* The store lock is held: keep what was verified. A shared store
	   has none: a state is written only under its certificate's lock. */
	po.record = !store_is_shared(s);
	po.sum = statesum_load(s, 1);
	plan_read_prefetch(s, m, o->sel, &po);
	for (i = 0; i < m->ncerts; i++) {
		struct apply_cert *ac = &run->certs[i];

		certstate_init(&ac->st);
		ac->result = APPLY_SKIPPED;
		if (o->sel != NULL && !o->sel[i])
			continue;
		if (plan_read_cert(s, m, &m->certs[i], &po,
		    &ac->item, &ac->st, &warning, NULL, &e) == -1) {
			log_cert(log, LOG_ERROR, m->certs[i].name, "%s", e.msg);
			ac->result = APPLY_FAILED;
			ac->error = xstrdup(e.msg);
			continue;
		}
		sel[i] = 1;
		if (warning != NULL)
			log_cert(log, LOG_WARN, m->certs[i].name, "%s",
			    warning);
		free(warning);
	}

	/* The summary of the states as this step read them; a state saved
	   later in the run no longer matches its entry, and is read in
	   full next time. */
	if (statesum_save(po.sum, s, o->sel != NULL, &e) == -1)
		log_warn(log, "%s", e.msg);
	statesum_free(po.sum);
	po.sum = NULL;

	/* 2. The ARI polls that are due. */
	poll_ari(log, m, s, &cl, run->certs, sel, &po);

	/* What needs an order; what is kept or held back. */
	for (i = 0; i < m->ncerts; i++) {
		struct apply_cert *ac = &run->certs[i];
		const struct mcert *c = &m->certs[i];

		if (!sel[i])
			continue;
		if (ac->item.action == PLAN_KEEP) {
			ac->result = APPLY_KEPT;
			log_cert_expiry(log, LOG_INFO, c->name,
			    ac->item.info.not_after, now, 0);
			continue;
		}
		/* The daily line of a certificate that is due (log.h). */
		if (ac->item.action == PLAN_RENEW)
			log_cert_window(log, LOG_INFO, c->name,
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
			log_cert(log, LOG_ERROR, c->name, "%s %s ... %s",
			    verb_of(ac), c->name, ac->error);
			continue;
		}
		if (ac->item.action != PLAN_RENEW)
			log_cert(log, LOG_DEBUG, c->name, "%s %s: %s",
			    verb_of(ac), c->name, ac->item.reason_text ?
			    ac->item.reason_text : "");
		work[nwork++] = i;
	}
	run->stats.ordered = nwork;

	if (nwork > 0) {
		struct acme *a = client_get(&cl, 1);
		struct issue_env env;

		if (a == NULL && cl.account_rc == ACME_NEED_TERMS) {
			run->need_terms = 1;
			run->terms_error = xstrdup(cl.error);
			goto out;
		}
		chall = chall_run_new(&m->dns, log);
		chall_run_set_publisher(chall, &pub);
		memset(&env, 0, sizeof(env));
		env.m = m;
		env.s = s;
		env.log = log;
		env.chall = chall;
		env.force = o->force;
		env.plan = &po;
		if (a == NULL) {
			for (i = 0; i < nwork; i++) {
				struct apply_cert *ac = &run->certs[work[i]];

				ac->error = xstrdup(cl.error ? cl.error :
				    "no ACME client");
				fail_early(&env, ac, &m->certs[work[i]],
				    "account", ac->error, NULL);
			}
			nwork = 0;
		}
		/* 3. Preflight, all at once. */
		if (nwork > 0 && !o->skip_checks)
			preflight_all(&env, a, run->certs, work, &nwork);
		/* 4. Issue and renew, concurrently. */
		t1 = mono_ms();
		if (nwork > 0) {
			runlog.progress = log_progress_new(log_in);
			run->stats.concurrency = issue_all(&env, a, run->certs,
			    work, nwork);
			log_progress_free(runlog.progress);
			runlog.progress = NULL;
		}
		run->stats.issue_ms = mono_ms() - t1;
		chall_run_free(chall);
		chall = NULL;
	}
	/* 5. No ACME socket is left open for the hooks. */
	client_clear(&cl, &run->stats);

	/* 6. Fragments, reloads, deploy hooks. */
	known = xcalloc(m->ncerts + 1, sizeof(*known));
	for (i = 0; i < m->ncerts; i++) {
		changed[i] = (unsigned char)run->certs[i].changed;
		/* A shared store: another node's set came into this one's
		   mirror; its servers reload here too. */
		if (store_changed_elsewhere(s, m->certs[i].name))
			changed[i] = 1;
		/* A set kept untouched is as step 1 statted it (not on a
		   shared store: the mirror may have changed since). */
		if (sel[i] && run->certs[i].result == APPLY_KEPT &&
		    !changed[i] && run->certs[i].item.setid_known &&
		    !store_is_shared(s))
			known[i] = &run->certs[i].item.setid;
	}
	if (render_all_known(m, s, log, known, &rc, &e) == -1) {
		log_error(log, "%s", e.msg);
		run->failed = 1;
	}
	if (hooks_after_apply(m, s, log, &rc, changed, &rep) == -1)
		run->failed = 1;
	notify_hooks_failed(m, s, &rep, log);

	/* 7. Notifications, in manifest order. */
	for (i = 0; i < m->ncerts; i++) {
		struct apply_cert *ac = &run->certs[i];
		const struct mcert *c = &m->certs[i];

		if (!sel[i])
			continue;
		if (ac->result == APPLY_ISSUED || ac->result == APPLY_RENEWED ||
		    ac->result == APPLY_FAILED)
			notify_done(log, m, s, c, ac);
		if (ac->result == APPLY_FAILED ||
		    ac->result == APPLY_HELD_BACK)
			notify_expiring(log, m, s, c, ac);
	}
out:
	statesum_free(po.sum);
	chall_run_free(chall);
	client_clear(&cl, run->need_terms ? NULL : &run->stats);
	free(cl.error);
	for (i = 0; i < m->ncerts; i++) {
		run->stats.counts[run->certs[i].result]++;
		if (run->certs[i].result == APPLY_FAILED ||
		    run->certs[i].result == APPLY_HELD_BACK)
			run->failed = 1;
	}
	run->stats.wall_ms = mono_ms() - t0;
	render_changes_clear(&rc);
	hook_report_clear(&rep);
	FREE_ALL(sel, changed, known, work);
	return run->failed || run->need_terms ? 1 : 0;
}

void
apply_run_clear(struct apply_run *run)
{
	for (size_t i = 0; run->certs != NULL && i < run->ncerts; i++) {
		plan_item_clear(&run->certs[i].item);
		certstate_clear(&run->certs[i].st);
		issue_result_clear(&run->certs[i].res);
		free(run->certs[i].error);
	}
	free(run->certs);
	free(run->terms_error);
	memset(run, 0, sizeof(*run));
}
