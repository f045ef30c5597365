/*
 * check "manifest": consistency across certificates that the loader cannot
 * call an error on its own: a hostname claimed by two certificates (the
 * listeners would serve whichever was written last), and one listener
 * address given two different certificates on the same server.
 */
#include <string.h>

#include "check.h"
#include "manifest.h"

static int
check_manifest_run(const struct check_env *env, const struct mcert *c,
    struct check_results *out)
{
	const struct manifest *m = env->m;
	size_t i, j, k, l;
	int problems = 0;

	for (i = 0; i < c->nhostnames; i++) {
		for (j = 0; j < m->ncerts; j++) {
			const struct mcert *o = &m->certs[j];
			if (o == c || strcmp(o->name, c->name) == 0)
				continue;
			for (k = 0; k < o->nhostnames; k++) {
				if (strcmp(o->hostnames[k], c->hostnames[i]))
					continue;
				check_results_add(out, "manifest",
				    c->hostnames[i], CHECK_WARN,
				    "%s is also a hostname of certificate %s",
				    c->hostnames[i], o->name);
				problems++;
			}
		}
	}
	for (i = 0; i < c->nlisteners; i++) {
		const struct mlistener *a = &c->listeners[i];
		for (j = 0; j < m->ncerts; j++) {
			const struct mcert *o = &m->certs[j];
			if (o == c || strcmp(o->name, c->name) == 0)
				continue;
			for (l = 0; l < o->nlisteners; l++) {
				const struct mlistener *b = &o->listeners[l];
				if (a->server != b->server ||
				    a->service != b->service ||
				    strcmp(a->address, b->address) != 0)
					continue;
				check_results_add(out, "manifest", NULL,
				    CHECK_WARN, "listener %s %s %s is also "
				    "given certificate %s (SNI picks by name)",
				    server_kind_names[a->server],
				    service_kind_names[a->service],
				    a->address, o->name);
				problems++;
			}
		}
	}
	if (problems == 0)
		check_results_add(out, "manifest", NULL, CHECK_PASS,
		    "certificate %s is consistent with the others", c->name);
	return 0;
}

const struct check check_manifest = {
	.name = "manifest",
	.run = check_manifest_run,
};
