/*
 * chall.c - the challenge type table and the per-run contexts shared by
 * the orders of one apply (see chall.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "chall/chall.h"

const char *const chall_type_names[CHALL__MAX] = { "http-01", "dns-01" };

/* Indexed by enum chall_type; an entry is NULL while not built. */
static const struct chall_ops *const chall_table[CHALL__MAX] = {
	[CHALL_HTTP01] = &chall_http01,
	[CHALL_DNS01] = &chall_dns01,
};

struct chall_slot {
	const struct chall_conf	*cfg;
	const struct chall_ops	*ops;
	void			*ctx;
	int			 failed;
	char			*failure;	/* the setup error, reused */
};

struct chall_run {
	const struct dns_conf	*dns;
	const struct log	*log;
	const struct chall_publisher *pub;
	pthread_mutex_t		 mu;
	struct chall_slot	*v;
	size_t			 n;
};

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Two configurations that would set up the same thing. */
static int
cfg_same(const struct chall_conf *a, const struct chall_conf *b)
{
	if (a->type != b->type)
		return 0;
	if (a->type == CHALL_HTTP01)
		return str_eq(a->webroot, b->webroot) &&
		    str_eq(a->listen, b->listen) && a->publish == b->publish;
	return str_eq(a->rfc2136_server, b->rfc2136_server) &&
	    str_eq(a->tsig_name, b->tsig_name) &&
	    str_eq(a->tsig_algorithm, b->tsig_algorithm) &&
	    str_eq(a->tsig_secret_file, b->tsig_secret_file) &&
	    a->propagation_timeout == b->propagation_timeout;
}

int
chall_type_from_name(const char *name)
{
	return str_index(chall_type_names, CHALL__MAX, name);
}

void
chall_conf_clear(struct chall_conf *c)
{
	FREE_ALL(c->webroot, c->listen, c->rfc2136_server, c->tsig_name,
	    c->tsig_algorithm, c->tsig_secret_file);
}

char *
chall_key_authz(const char *token, const char *thumbprint)
{
	return xasprintf("%s.%s", token, thumbprint);
}

struct chall_run *
chall_run_new(const struct dns_conf *dns, const struct log *log)
{
	struct chall_run *run = xcalloc(1, sizeof(*run));

	run->dns = dns;
	run->log = log;
	pthread_mutex_init(&run->mu, NULL);
	return run;
}

void
chall_run_set_publisher(struct chall_run *run,
    const struct chall_publisher *pub)
{
	run->pub = pub;
}

void
chall_run_free(struct chall_run *run)
{
	if (run == NULL)
		return;
	for (size_t i = 0; i < run->n; i++) {
		if (run->v[i].ctx != NULL && run->v[i].ops->teardown != NULL)
			run->v[i].ops->teardown(run->v[i].ctx);
		free(run->v[i].failure);
	}
	free(run->v);
	pthread_mutex_destroy(&run->mu);
	free(run);
}

int
chall_run_get(struct chall_run *run, const struct chall_conf *cfg,
    const struct chall_ops **ops, void **ctx, struct err *e)
{
	int rc = -1;

	if ((unsigned)cfg->type >= CHALL__MAX ||
	    chall_table[cfg->type] == NULL) {
		err_set(e, "challenge type %s is not supported by this build",
		    (unsigned)cfg->type < CHALL__MAX ?
		    chall_type_names[cfg->type] : "?");
		return -1;
	}
	pthread_mutex_lock(&run->mu);
	for (size_t i = 0; i < run->n; i++) {
		struct chall_slot *sl = &run->v[i];

		if (!cfg_same(sl->cfg, cfg))
			continue;
		if (sl->failed) {
			err_set(e, "%s", sl->failure);
			goto out;
		}
		*ops = sl->ops;
		*ctx = sl->ctx;
		rc = 0;
		goto out;
	}
	run->v = xrealloc(run->v, (run->n + 1) * sizeof(*run->v));
	struct chall_slot *sl = &run->v[run->n++];
	memset(sl, 0, sizeof(*sl));
	sl->cfg = cfg;
	sl->ops = chall_table[cfg->type];
	if (sl->ops->setup(run->dns, cfg, run->log, &sl->ctx, e) == -1 ||
	    (sl->ops->publish_to != NULL &&
	    sl->ops->publish_to(sl->ctx, run->pub, e) == -1)) {
		if (sl->ctx != NULL && sl->ops->teardown != NULL)
			sl->ops->teardown(sl->ctx);
		sl->failed = 1;
		sl->ctx = NULL;
		sl->failure = xstrdup(e != NULL ? e->msg : "setup failed");
		goto out;
	}
	*ops = sl->ops;
	*ctx = sl->ctx;
	rc = 0;
out:
	pthread_mutex_unlock(&run->mu);
	return rc;
}
