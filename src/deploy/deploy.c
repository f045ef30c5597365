/*
 * deploy.c - which hooks run after `apply` or `render`: each server's
 * reload once when its fragments or certificates changed, then the
 * deploy_hook of each changed certificate (hook.c runs them). What
 * failed is in the report, for the notify step of apply.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "deploy/hook.h"
#include "manifest/manifest.h"
#include "render/render.h"
#include "store/store.h"

/*
 * Adds CERTKEEP_NAME, CERTKEEP_CERT, CERTKEEP_KEY, CERTKEEP_CHAIN,
 * CERTKEEP_FULLCHAIN and CERTKEEP_HOSTNAMES (space-separated) for
 * certificate c to env ("NAME=value" strings).
 */
static void
hook_env_cert(struct strlist *env, struct store *s, const struct mcert *c)
{
	static const struct {
		const char *var, *file;
	} files[] = {
		{ "CERTKEEP_CERT", STORE_CERT },
		{ "CERTKEEP_KEY", STORE_KEY },
		{ "CERTKEEP_CHAIN", STORE_CHAIN },
		{ "CERTKEEP_FULLCHAIN", STORE_FULLCHAIN },
	};
	struct buf b;
	char *p;
	size_t i;

	strlist_addf(env, "CERTKEEP_NAME=%s", c->name);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		p = store_live_path(s, c->name, files[i].file);
		strlist_addf(env, "%s=%s", files[i].var, p);
		free(p);
	}
	buf_init(&b);
	for (i = 0; c->hostnames != NULL && c->hostnames[i] != NULL; i++)
		buf_printf(&b, "%s%s", i ? " " : "", c->hostnames[i]);
	strlist_addf(env, "CERTKEEP_HOSTNAMES=%s", b.data ? b.data : "");
	buf_clear(&b);
}

static int
cert_on_server(const struct mcert *c, int server)
{
	size_t j;

	for (j = 0; j < c->nlisteners; j++)
		if ((int)c->listeners[j].server == server)
			return 1;
	return 0;
}

static void
report_failure(struct hook_report *rep, const struct log *log,
    const char *name, const struct err *e)
{
	rep->nfailed++;
	strlist_add(&rep->failures, e->msg);
	if (name != NULL)
		log_cert(log, LOG_ERROR, name, "%s", e->msg);
	else
		log_error(log, "%s", e->msg);
}

int
hooks_after_apply(const struct manifest *m, struct store *s,
    const struct log *log, const struct render_changes *rc,
    const unsigned char *cert_changed, struct hook_report *rep)
{
	struct strlist env;
	struct hook_result res;
	struct err e;
	struct buf names;
	char *label = NULL, **why;
	size_t i, on, last = 0;
	int k, run;

	free(rep->cert_failed);
	for (i = 0; rep->cert_why != NULL && i < rep->ncerts; i++)
		free(rep->cert_why[i]);
	free(rep->cert_why);
	rep->cert_failed = xcalloc(m->ncerts + 1, 1);
	rep->cert_why = why = xcalloc(m->ncerts + 1, sizeof(*why));
	rep->ncerts = m->ncerts;
	for (k = 0; k < SERVER__MAX; k++) {
		if (m->fragments.reload[k] == NULL)
			continue;
		run = rc != NULL && rc->server_changed[k];
		buf_init(&names);
		on = 0;
		for (i = 0; i < m->ncerts; i++) {
			if (!cert_on_server(&m->certs[i], k))
				continue;
			on++;
			last = i;
			if (cert_changed != NULL && cert_changed[i]) {
				run = 1;
				buf_printf(&names, "%s%s", names.len ? " " :
				    "", m->certs[i].name);
			}
		}
		if (!run) {
			buf_clear(&names);
			continue;
		}
		strlist_init(&env);
		strlist_addf(&env, "CERTKEEP_SERVER=%s", server_kind_names[k]);
		strlist_addf(&env, "CERTKEEP_NAMES=%s",
		    names.data != NULL ? names.data : "");
		if (on == 1)
			hook_env_cert(&env, s, &m->certs[last]);
		free(label);
		label = xasprintf("reload %s", server_kind_names[k]);
		log_info(log, "%s", label);
		rep->nrun++;
		err_clear(&e);
		if (hook_run(m->fragments.reload[k], env.v,
		    m->fragments.hook_timeout, label, log, &res, &e) == -1) {
			report_failure(rep, log, NULL, &e);
			rep->reload[k] = -1;
			for (i = 0; i < m->ncerts; i++)
				if (cert_on_server(&m->certs[i], k) &&
				    cert_changed != NULL && cert_changed[i] &&
				    !rep->cert_failed[i]) {
					rep->cert_failed[i] = 1;
					why[i] = xstrdup(e.msg);
				}
		} else {
			rep->reload[k] = 1;
		}
		strlist_clear(&env);
		buf_clear(&names);
	}
	for (i = 0; cert_changed != NULL && i < m->ncerts; i++) {
		const struct mcert *c = &m->certs[i];

		if (!cert_changed[i] || c->deploy_hook == NULL)
			continue;
		strlist_init(&env);
		hook_env_cert(&env, s, c);
		free(label);
		label = xasprintf("deploy_hook %s", c->name);
		log_cert(log, LOG_INFO, c->name, "%s", label);
		rep->nrun++;
		err_clear(&e);
		if (hook_run(c->deploy_hook, env.v, m->fragments.hook_timeout,
		    label, log, &res, &e) == -1) {
			report_failure(rep, log, c->name, &e);
			if (!rep->cert_failed[i])
				why[i] = xstrdup(e.msg);
			rep->cert_failed[i] = 1;
		}
		strlist_clear(&env);
	}
	free(label);
	return rep->nfailed > 0 ? -1 : 0;
}
