#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acme/cabundle.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/path.h"

/* Distribution bundles, first that exists wins (curl's and Go's lists). */
static const char *const cabundle_system[] = {
	"/etc/ssl/certs/ca-certificates.crt",	/* Debian, Ubuntu, Gentoo,
						   Alpine */
	"/etc/pki/tls/certs/ca-bundle.crt",	/* Fedora, RHEL 6 */
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",	/* RHEL 7+ */
	"/etc/ssl/ca-bundle.pem",		/* openSUSE, SLES */
	"/etc/pki/tls/cacert.pem",		/* OpenELEC */
	"/etc/ssl/cert.pem",			/* Alpine, OpenBSD, macOS */
	"/usr/local/share/certs/ca-root-nss.crt",	/* FreeBSD */
	"/usr/local/etc/ssl/cert.pem",		/* FreeBSD (symlink) */
	NULL,
};

static int
cabundle_is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Whether st may be trusted: root's or ours, nobody else may write. */
static int
cabundle_owner_ok(const char *path, const struct stat *st, struct err *e)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		err_set(e, "%s: owned by uid %u; the CA bundle that decides "
		    "whom certkeep trusts must belong to root or uid %u (the "
		    "user certkeep runs as)", path, (unsigned)st->st_uid,
		    (unsigned)geteuid());
		return -1;
	}
	if ((st->st_mode & 022) != 0) {
		err_set(e, "%s: writable by group or others (mode %04o); "
		    "chmod go-w it", path, (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

/*
 * <dir>/cacert_default.pem: 1 and *out (malloced) when present and safe,
 * 0 when absent, -1 with e when present but refused. A symlink is
 * followed when it and its target both pass.
 */
static int
cabundle_default(const char *dir, char **out, struct err *e)
{
	struct stat lst, st;
	char *p = path_join(dir, "cacert_default.pem");
	int rc = -1;

	*out = NULL;
	if (lstat(p, &lst) != 0) {
		if (errno == ENOENT) {
			rc = 0;
			goto out;
		}
		err_sys(e, "%s", p);
		goto out;
	}
	if (S_ISLNK(lst.st_mode) && cabundle_owner_ok(p, &lst, e) == -1)
		goto out;
	if (stat(p, &st) != 0) {
		err_sys(e, "%s", p);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, "%s: not a regular file", p);
		goto out;
	}
	if (cabundle_owner_ok(p, &st, e) == -1)
		goto out;
	*out = p;
	p = NULL;
	rc = 1;
out:
	free(p);
	return rc;
}

char *
cabundle_path(const char *configured, const char *dir, struct err *e)
{
	char *def = NULL;
	struct stat st;
	size_t i;

	if (configured != NULL && *configured != '\0') {
		if (stat(configured, &st) != 0) {
			err_sys(e, "acme.ca_bundle %s", configured);
			return NULL;
		}
		if (!S_ISREG(st.st_mode)) {
			err_set(e, "acme.ca_bundle %s: not a regular file",
			    configured);
			return NULL;
		}
		return xstrdup(configured);
	}
	if (dir != NULL) {
		switch (cabundle_default(dir, &def, e)) {
		case 1:
			return def;
		case -1:
			return NULL;
		default:
			break;
		}
	}
	for (i = 0; cabundle_system[i] != NULL; i++)
		if (cabundle_is_file(cabundle_system[i]))
			return xstrdup(cabundle_system[i]);
	err_set(e, "no CA bundle: set acme.ca_bundle, or install the "
	    "distribution's CA certificates (ca-certificates)");
	return NULL;
}
