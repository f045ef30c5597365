/*
 * check.h - the preflight checks. Each check is one file under checks/
 * that defines one `const struct check check_<name>`, listed in the table
 * in checks/registry.c. Adding a check is adding a file and a table line.
 */
#ifndef CERTKEEP_CHECK_H
#define CERTKEEP_CHECK_H

#include <stddef.h>

struct check_manifest_index;
struct manifest;
struct mcert;
struct log;

enum check_status {
	CHECK_PASS,
	CHECK_WARN,
	CHECK_FAIL,
	CHECK__MAX
};
extern const char *const check_status_names[CHECK__MAX];	/* pass warn fail */

struct check_result {
	char		*check;		/* "a", "aaaa", "caa", "acme-directory" */
	char		*hostname;	/* NULL when not about one hostname */
	enum check_status status;
	char		*message;	/* human text, already escaped */
};

struct check_results {
	struct check_result *v;
	size_t		 n;
	size_t		 cap;
};

/* What a check may use. Grows as checks need more (resolver, account). */
struct check_env {
	const struct manifest	*m;
	const struct log	*log;
	const char		*account_url;	/* NULL when no account yet */
	/* Issuer domains CAA must name (caa_identities, else the
	   directory's, else letsencrypt.org); NULL-terminated. */
	char *const		*caa_identities;
	/* Where caa_identities came from, for messages; and whether they
	   are only a guess (no setting, no meta.caaIdentities, not Let's
	   Encrypt): then a record naming another issuer only warns. */
	const char		*caa_identity_source;
	int			 caa_identity_guessed;
	void			*dns;		/* struct dns_resolver * (dns.h);
						   NULL: each check makes one */
	/* An ACME client (struct acme *) whose directory checks may read
	   (cached: no extra request); NULL: a check makes its own. */
	void			*acme;
	/* Hostnames and listeners of m sorted once (checks/manifest.c);
	   NULL: the manifest check sorts them itself. */
	const struct check_manifest_index *manifest_index;
	/* Owned by the environment (checks/env.c); do not touch. */
	struct check_manifest_index *manifest_index_owned;
	char			**caa_identities_owned;
	char			*caa_identity_source_owned;
};

struct check {
	const char	*name;
	/* Appends results for certificate c; returns 0, or -1 when the check
	   itself could not run (then it has added a fail result saying why). */
	int		(*run)(const struct check_env *env,
			    const struct mcert *c, struct check_results *out);
};

struct err;
/*
 * Runs checks_run() for every selected certificate (sel[i] != 0; NULL:
 * all) of env->m concurrently (up to `threads` at once; 0: a default),
 * results[i] for certificate i (init'ed here; the caller clears them).
 * Returns the worst status.
 */
enum check_status checks_run_all(const struct check_env *env,
	    const unsigned char *sel, struct check_results *results,
	    int threads);

/*
 * The manifest check's view of m across certificates (hostnames and
 * listeners sorted), made once per run. Borrows m. Free with
 * check_manifest_index_free() (NULL is a no-op).
 */
struct check_manifest_index *check_manifest_index_new(
	    const struct manifest *m);
void	 check_manifest_index_free(struct check_manifest_index *ix);

/*
 * The preflight of a list of certificates at once (check, and apply for
 * the certificates that need an order): one check environment for all of
 * them (one resolver whose answers are shared across names, the manifest
 * index, the CAA identities as checks/env.c picks them from
 * dir_caa_identities), and their checks run concurrently (threads, 0: a
 * default). sel marks the certificates of m->certs to check (NULL: all);
 * results must hold m->ncerts entries: results[i] gets certificate i's
 * (init'ed here; the caller clears them). account_url may be NULL; acme
 * (a struct acme *, may be NULL) lends its directory to the
 * acme-directory check. Returns the worst status of the selected, or -1
 * with e when no environment could be made (a bad dns.resolvers entry).
 */
int	 checks_preflight(const struct manifest *m, const struct log *log,
	    const char *account_url, char *const *dir_caa_identities,
	    void *acme, const unsigned char *sel,
	    struct check_results *results, int threads, struct err *e);

/* NULL-terminated table of all checks, in the order they run. */
extern const struct check *const check_table[];

void	 check_results_init(struct check_results *r);
void	 check_results_clear(struct check_results *r);
void	 check_results_add(struct check_results *r, const char *check,
	    const char *hostname, enum check_status status, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* The worst status of all results (PASS when empty). */
enum check_status check_results_worst(const struct check_results *r);
/* Runs every check of the table on c. Returns the worst status. */
enum check_status checks_run(const struct check_env *env,
	    const struct mcert *c, struct check_results *out);

#endif
