#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cabundle.h"
#include "err.h"
#include "util.h"

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

char *
cabundle_path(const char *configured, struct err *e)
{
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
	if (cabundle_is_file("cacert_default.pem"))
		return xstrdup("cacert_default.pem");
	for (i = 0; cabundle_system[i] != NULL; i++)
		if (cabundle_is_file(cabundle_system[i]))
			return xstrdup(cabundle_system[i]);
	err_set(e, "no CA bundle: set acme.ca_bundle, or install the "
	    "distribution's CA certificates (ca-certificates)");
	return NULL;
}
