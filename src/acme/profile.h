/*
 * profile.h - ACME profiles (draft-aaron-acme-profiles): the profile a
 * certificate asks for (manifest acme.profile or its own `profile`) is
 * checked against the directory's meta.profiles before any order.
 */
#ifndef CERTKEEP_PROFILE_H
#define CERTKEEP_PROFILE_H

struct cJSON;
struct err;

/*
 * Decides which profile newOrder carries. wanted: the certificate's
 * effective profile (NULL or "" for none); optional: acme.profile_optional;
 * profiles: the directory's meta.profiles object (name -> description), or
 * NULL when the directory has none; dir_url names the CA in messages.
 *
 * Returns 0 and sets *use (borrowed from wanted, or NULL: order without a
 * profile) and *warning (malloced, caller frees, or NULL) when the order may
 * go ahead; -1 with e filled when it must not:
 *   profile "foo" is not offered by URL: choose one of default, shortlived
 * With optional, an unknown or unsupported profile orders without one and
 * *warning says so.
 */
int	 profile_resolve(const char *wanted, int optional,
	    const struct cJSON *profiles, const char *dir_url,
	    const char **use, char **warning, struct err *e);

#endif
