/*
 * check.h - the preflight checks. Each check is one file under checks/
 * that defines one `const struct check check_<name>`, listed in the table
 * in checks/registry.c. Adding a check is adding a file and a table line.
 */
#ifndef CERTKEEP_CHECK_H
#define CERTKEEP_CHECK_H

#include <stddef.h>

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
	void			*dns;		/* struct resolver *, DNS module */
};

struct check {
	const char	*name;
	/* Appends results for certificate c; returns 0, or -1 when the check
	   itself could not run (then it has added a fail result saying why). */
	int		(*run)(const struct check_env *env,
			    const struct mcert *c, struct check_results *out);
};

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
