/*
 * cabundle.h - which CA certificates a TLS client trusts (in this
 * order), shared by every TLS client of certkeep (ACME,
 * SMTP notifications): acme.ca_bundle when set, else cacert_default.pem in
 * the manifest's directory (refused when another user owns it or may
 * write it), else the distribution's bundle. Peer verification is never
 * turned off, so "none found" is an error.
 */
#ifndef CERTKEEP_CABUNDLE_H
#define CERTKEEP_CABUNDLE_H

struct err;

/*
 * Returns the malloced path of the bundle to use (caller frees), or NULL
 * with e filled: configured (acme.ca_bundle, may be NULL or "") does not
 * exist, <dir>/cacert_default.pem (dir: the manifest's directory, NULL:
 * not looked for) is owned by another user than root or the running one
 * or writable by group or others, or no bundle is found at all.
 */
char	*cabundle_path(const char *configured, const char *dir,
	    struct err *e);

#endif
