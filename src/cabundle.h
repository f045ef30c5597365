/*
 * cabundle.h - which CA certificates a TLS client trusts (SPEC 2.1, the
 * caBundlePath order), shared by every TLS client of certkeep (ACME,
 * SMTP notifications): acme.ca_bundle when set, else cacert_default.pem in
 * the working directory, else the distribution's bundle. Peer
 * verification is never turned off, so "none found" is an error.
 */
#ifndef CERTKEEP_CABUNDLE_H
#define CERTKEEP_CABUNDLE_H

struct err;

/*
 * Returns the malloced path of the bundle to use (caller frees), or NULL
 * with e filled: configured (acme.ca_bundle, may be NULL or "") does not
 * exist, or no bundle is found at all.
 */
char	*cabundle_path(const char *configured, struct err *e);

#endif
