/*
 * check "acme-directory": the manifest's ACME directory answers over
 * verified TLS (cabundle.h trust) with a usable ACME v2 directory. Uses the
 * run's ACME client when there is one (its directory is cached: no extra
 * request), else makes a short-lived client of its own.
 */
#include <stdlib.h>

#include "acme/acme.h"
#include "base/err.h"
#include "base/str.h"
#include "checks/check.h"
#include "manifest/acme_conf.h"
#include "manifest/manifest.h"

static int
check_acme_directory_run(const struct check_env *env, const struct mcert *c,
    struct check_results *out)
{
	const struct manifest *m = env->m;
	struct acme *own = NULL, *a = env->acme;
	const struct acme_dir *d;
	struct err e;
	char *esc = NULL;
	int rc = 0;

	(void)c;
	err_clear(&e);
	if (a == NULL) {
		struct acme_conf conf;

		manifest_acme_conf(&m->acme, &conf);
		if ((own = acme_new_for(&conf, NULL, &e)) == NULL) {
			check_results_add(out, "acme-directory", NULL,
			    CHECK_FAIL, "%s", e.msg);
			rc = -1;
			goto out;
		}
		a = own;
	}
	if (acme_directory(a, &d, &e) != ACME_OK) {
		esc = str_escape(e.msg);
		check_results_add(out, "acme-directory", NULL, CHECK_FAIL,
		    "%s", esc);
		goto out;
	}
	check_results_add(out, "acme-directory", NULL, CHECK_PASS,
	    "%s answers%s", m->acme.directory,
	    d->eab_required && m->acme.eab_kid == NULL ?
	    " (but requires External Account Binding: set acme.eab)" : "");
	if (d->eab_required && m->acme.eab_kid == NULL)
		out->v[out->n - 1].status = CHECK_FAIL;
out:
	free(esc);
	acme_free(own);
	return rc;
}

const struct check check_acme_directory = {
	.name = "acme-directory",
	.run = check_acme_directory_run,
};
