/*
 * issue.c - one certificate from plan to live set (see issue.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "acme/acme.h"
#include "acme/ari.h"
#include "acme/key.h"
#include "acme/order.h"
#include "acme/profile.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/time.h"
#include "chall/chall.h"
#include "checks/check.h"
#include "manifest/manifest.h"
#include "reconcile/issue.h"
#include "reconcile/lifetime.h"
#include "reconcile/plan.h"
#include "store/certinfo.h"
#include "store/state.h"
#include "store/store.h"

/* The first backoff step after repeated validation failures. */
#define ISSUE_BACKOFF_BASE	3600LL

void
issue_result_clear(struct issue_result *r)
{
	FREE_ALL(r->serial, r->error, r->problem_type);
	memset(r, 0, sizeof(*r));
}

long long
issue_backoff(int rate_limited, int validation, int n, long long retry_after,
    long long lifetime)
{
	long long cap = lifetime_retry_cap(lifetime), d;

	/* A CA's Retry-After is honoured up to the lifetime rule: a
	   6-day certificate must not sit out a week-long answer. */
	if (rate_limited)
		return retry_after > 0 && retry_after < cap ? retry_after : cap;
	/* One failed validation may be a fix in progress: retry at once;
	   from the second one on, wait 1h, 2h, 4h ... up to the cap. */
	if (!validation || n < 2)
		return 0;
	d = ISSUE_BACKOFF_BASE;
	for (int i = 2; i < n && d < cap; i++)
		d *= 2;
	return d < cap ? d : cap;
}

static int
ari_get(void *arg, const char *url, long *status, char **retry_after,
    char **body, size_t *len, struct err *e)
{
	struct http_resp r;

	http_resp_init(&r);
	*status = 0;
	*retry_after = NULL;
	*body = NULL;
	*len = 0;
	if (acme_get(arg, url, &r, e) != ACME_OK) {
		http_resp_clear(&r);
		return -1;
	}
	*status = r.status;
	*retry_after = r.retry_after;
	r.retry_after = NULL;
	*body = r.body;
	*len = r.len;
	r.body = NULL;
	http_resp_clear(&r);
	return 0;
}

void
issue_ari_http(struct acme *a, struct ari_http *h)
{
	h->get = ari_get;
	h->arg = a;
}

/* The pending key of an order in flight: kept until the set is live. */
static char *
pending_blob(const char *name)
{
	return xasprintf("pending/%s/key.pem", name);
}

struct on_order_arg {
	const struct issue_env	*env;
	struct certstate	*st;
	const char		*name;
};

static int
chall_get(void *arg, const struct chall_ops **ops, void **ctx,
    struct err *e)
{
	const struct issue_chall *ic = arg;

	return chall_run_get(ic->run, ic->cfg, ops, ctx, e);
}

void
issue_order_req(const struct mcert *c, struct chall_run *run,
    struct issue_chall *ic, struct order_req *req)
{
	ic->run = run;
	ic->cfg = &c->challenge;
	memset(req, 0, sizeof(*req));
	req->name = c->name;
	req->hostnames = c->hostnames;
	req->nhostnames = c->nhostnames;
	req->chall_type = chall_type_names[c->challenge.type];
	req->chall_get = chall_get;
	req->chall_arg = ic;
}

/* Saves the order URL as soon as the CA assigned it (resume after a
   crash). */
static void
remember_order(void *arg, const char *url)
{
	struct on_order_arg *oa = arg;
	struct err e;

	free(oa->st->order_url);
	oa->st->order_url = xstrdup(url);
	oa->st->order_started = now_wall();
	if (certstate_save(oa->env->s, oa->name, oa->st, &e) == -1)
		log_cert(oa->env->log, LOG_WARN, oa->name, "%s", e.msg);
}

/* The manifest's names and the certificate's SANs are the same set. */
static int
names_match(const struct mcert *c, const struct certinfo *ci)
{
	if (ci->nsans != c->nhostnames)
		return 0;
	for (size_t i = 0; i < c->nhostnames; i++) {
		int found = 0;

		for (size_t j = 0; j < ci->nsans; j++)
			if (strcasecmp(c->hostnames[i], ci->sans[j]) == 0)
				found = 1;
		if (!found)
			return 0;
	}
	return 1;
}

/* The key for the new certificate: the pending one of a resumed order,
   the live one with reuse_key, else a new one (saved as pending first). */
static struct key *
cert_key(const struct issue_env *env, const struct mcert *c,
    const struct certstate *st, struct err *e)
{
	char *blob = pending_blob(c->name), *pem = NULL;
	struct key *k = NULL;
	struct certset set;
	size_t len = 0;
	int r;

	memset(&set, 0, sizeof(set));
	if ((r = store_get_blob(env->s, blob, &pem, &len, e)) == -1)
		goto out;
	if (r == 1) {
		k = key_load_pem(pem, len, blob, e);
		if (k != NULL && (st->order_url != NULL || c->reuse_key) &&
		    key_type_of(k) == (int)c->key_type)
			goto out;
		/* A stale pending key (no order to resume): a fresh one. */
		key_free(k);
		k = NULL;
	}
	key_pem_free(pem);
	pem = NULL;
	if (c->reuse_key && store_read_set(env->s, c->name, &set, NULL) == 1 &&
	    set.key != NULL) {
		struct err e2;

		k = key_load_pem(set.key, strlen(set.key), c->name, &e2);
		if (k != NULL && key_type_of(k) != (int)c->key_type) {
			key_free(k);
			k = NULL;
		}
	}
	if (k == NULL && (k = key_generate((int)c->key_type, e)) == NULL)
		goto out;
	if ((pem = key_to_pem(k, e)) == NULL ||
	    store_put_blob(env->s, blob, pem, strlen(pem), 0600, e) == -1) {
		key_free(k);
		k = NULL;
	}
out:
	certset_clear(&set);
	key_pem_free(pem);
	free(blob);
	return k;
}

int
issue_preflight_report(const struct issue_env *env, const struct mcert *c,
    const struct check_results *cr, struct issue_result *res)
{
	struct buf b;
	enum check_status worst = check_results_worst(cr);

	buf_init(&b);
	for (size_t i = 0; i < cr->n; i++) {
		const struct check_result *r = &cr->v[i];

		if (r->status == CHECK_PASS)
			continue;
		log_cert(env->log, r->status == CHECK_FAIL ? LOG_ERROR :
		    LOG_WARN, c->name, "preflight %s%s%s: %s: %s", r->check,
		    r->hostname ? " " : "", r->hostname ? r->hostname : "",
		    check_status_names[r->status], r->message);
		if (r->status == CHECK_FAIL) {
			if (b.len > 0)
				buf_puts(&b, "; ");
			buf_printf(&b, "%s%s%s: %s", r->check,
			    r->hostname ? " " : "",
			    r->hostname ? r->hostname : "", r->message);
			if (res->problem_type == NULL)
				res->problem_type = xasprintf("check:%s",
				    r->check);
		}
	}
	if (worst == CHECK_FAIL) {
		res->checks_failed = 1;
		res->stage = "preflight";
		res->error = xasprintf("preflight failed: %s", b.data);
	}
	buf_clear(&b);
	return worst == CHECK_FAIL ? -1 : 0;
}

/* Records the failure (cls: what the ACME layer said, ACME_OK when the
   failure was not its; retry_after: the CA's, -1 none) in the state with
   its backoff, and saves it. */
static void
record_failure(const struct issue_env *env, enum acme_result cls,
    long long retry_after, const struct plan_item *item,
    struct certstate *st, int validation, struct issue_result *res)
{
	const struct mcert *c = item->cert;
	time_t now = now_wall();
	long long lifetime = lifetime_of(item->info.not_before,
	    item->info.not_after), back;
	struct err e;

	certstate_set_error(st, now, res->problem_type, res->error);
	back = issue_backoff(cls == ACME_RATE_LIMITED, validation,
	    st->consecutive_failures, retry_after, lifetime);
	if (back > 0) {
		char d[32], when[32];

		st->backoff_until = now + (time_t)back;
		duration_format(back, d, sizeof(d));
		time_format_rfc3339(st->backoff_until, when, sizeof(when));
		log_cert(env->log, LOG_WARN, c->name, "%s: no new attempt "
		    "before %s (%s; --force-renew overrides)", c->name, when,
		    cls == ACME_RATE_LIMITED ? "rate limited" :
		    "repeated validation failures");
	}
	/* An order that can still complete is kept for the next run. */
	if (cls != ACME_NETWORK && cls != ACME_RETRYABLE) {
		free(st->order_url);
		st->order_url = NULL;
	}
	if (certstate_save(env->s, c->name, st, &e) == -1)
		log_cert(env->log, LOG_WARN, c->name, "%s", e.msg);
}

void
issue_record_failure(const struct issue_env *env,
    const struct plan_item *item, struct certstate *st,
    struct issue_result *res)
{
	record_failure(env, ACME_OK, -1, item, st, 0, res);
}

int
issue_cert(const struct issue_env *env, struct acme *a,
    const struct plan_item *item, struct certstate *st,
    struct issue_result *res)
{
	const struct mcert *c = item->cert;
	const struct acme_dir *d;
	struct key *k = NULL;
	struct order_req req;
	struct order_result ord;
	struct certset set;
	struct certinfo ci;
	struct err e;
	const char *profile = NULL;
	char *warning = NULL, *blob = NULL;
	long start = acme_requests(a);
	enum acme_result ar = ACME_OK;
	int validation = 0, rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&ord, 0, sizeof(ord));
	ord.retry_after = -1;
	memset(&set, 0, sizeof(set));
	memset(&ci, 0, sizeof(ci));
	err_clear(&e);
	res->renewal = item->info.status != CERTINFO_MISSING;
	res->old_not_after = item->info.not_after;
	res->stage = "order";
	if ((ar = acme_directory(a, &d, &e)) != ACME_OK)
		goto fail_e;
	if (profile_resolve(c->profile, env->m->acme.profile_optional,
	    d->profiles, d->url, &profile, &warning, &e) == -1)
		goto fail_e;
	if (warning != NULL)
		log_cert(env->log, LOG_WARN, c->name, "%s", warning);
	if ((k = cert_key(env, c, st, &e)) == NULL) {
		res->stage = "key";
		goto fail_e;
	}

	struct on_order_arg oa = { .env = env, .st = st, .name = c->name };
	struct issue_chall ic;
	issue_order_req(c, env->chall, &ic, &req);
	req.key = k;
	req.profile = profile;
	req.resume_url = st->order_url;
	req.log = env->log;
	req.on_order = remember_order;
	req.arg = &oa;
	/* RFC 9773: name the certificate this one replaces. */
	if (d->renewal_info != NULL && item->info.ari_id != NULL &&
	    item->info.status == CERTINFO_OK &&
	    ari_may_replace(item->info.sans, c->hostnames))
		req.replaces = item->info.ari_id;
	if ((ar = order_run(a, &req, &ord, &e)) != ACME_OK) {
		res->stage = order_stage_names[ord.stage];
		validation = ord.validation_failed;
		goto fail_e;
	}

	/* Stage and verify BEFORE the live set is replaced. */
	res->stage = "verify";
	set.cert = ord.cert;
	set.chain = ord.chain;
	ord.cert = ord.chain = NULL;
	if ((set.key = key_to_pem(k, &e)) == NULL)
		goto fail_e;
	if (certinfo_read(&set, &ci) == -1 || ci.status != CERTINFO_OK) {
		err_set(&e, "the CA's certificate is not usable: %s",
		    ci.problem != NULL ? ci.problem : "cannot read it");
		goto fail_e;
	}
	if (!names_match(c, &ci)) {
		err_set(&e, "the CA's certificate does not carry exactly the "
		    "manifest's hostnames");
		goto fail_e;
	}
	res->stage = "store";
	if (store_replace_set(env->s, c->name, &set, &e) == -1)
		goto fail_e;

	/* The set is live: record it, forget the order and failures. */
	strv_free(st->hostnames);
	st->hostnames = strv_dup(c->hostnames);
	st->nhostnames = c->nhostnames;
	st->key_type = (int)c->key_type;
	free(st->profile);
	st->profile = c->profile != NULL ? xstrdup(c->profile) : NULL;
	free(st->serial);
	st->serial = ci.serial != NULL ? xstrdup(ci.serial) : NULL;
	st->issued_at = now_wall();
	free(st->order_url);
	st->order_url = NULL;
	st->order_started = 0;
	st->consecutive_failures = 0;
	st->backoff_until = 0;
	st->last_error_time = 0;
	free(st->last_error_type);
	free(st->last_error_detail);
	st->last_error_type = st->last_error_detail = NULL;
	st->revoked = 0;
	free(st->revoked_serial);
	st->revoked_serial = NULL;
	st->revoked_at = 0;
	/* ARI: ask for the new certificate's window now (one request). */
	if (ci.ari_id != NULL) {
		struct ari_http ah;
		char *msg = NULL;

		issue_ari_http(a, &ah);
		ari_poll(&st->ari, ci.ari_id, ci.not_after,
		    lifetime_of(ci.not_before, ci.not_after), d->renewal_info,
		    &ah, now_wall(), &msg);
		if (msg != NULL)
			log_cert(env->log, LOG_WARN, c->name, "%s", msg);
		free(msg);
	}
	if (certstate_save(env->s, c->name, st, &e) == -1)
		log_cert(env->log, LOG_WARN, c->name, "%s", e.msg);
	blob = pending_blob(c->name);
	store_del_blob(env->s, blob, NULL);
	res->ok = 1;
	res->not_after = ci.not_after;
	res->serial = ci.serial != NULL ? xstrdup(ci.serial) : NULL;
	res->stage = NULL;
	rc = 0;
	goto out;
fail_e:
	res->error = xstrdup(e.msg);
	if (ord.problem_type != NULL && res->problem_type == NULL)
		res->problem_type = xstrdup(ord.problem_type);
	record_failure(env, ar, ord.retry_after, item, st, validation, res);
out:
	res->requests = acme_requests(a) - start;
	certinfo_clear(&ci);
	certset_clear(&set);
	order_result_clear(&ord);
	key_free(k);
	free(warning);
	free(blob);
	return rc;
}
