/*
 * check_env.c - what the checks share (resolver, CAA identities, account)
 * and running the checks of many certificates at once.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/par.h"
#include "base/str.h"
#include "base/syntax.h"
#include "checks/check.h"
#include "dns/dns.h"
#include "manifest/manifest.h"

#define CHECK_THREADS_DEFAULT	16
/* Warming the cache: questions per dns_resolve_window() call, and threads
   (each with half of DNS_INFLIGHT out: more at once and a server on
   loopback starts dropping them, which costs a whole timeout). */
#define PREFETCH_CHUNK		1024
#define PREFETCH_THREADS	2

/*
 * Fills env for manifest m: the resolver of m's dns block, the CAA
 * identities (acme.caa_identities; else dir_caa_identities, the
 * directory's meta.caaIdentities, when not NULL and not empty; else
 * letsencrypt.org for Let's Encrypt's directories; else a guess: the
 * directory URL's host, flagged as such), account_url (may be NULL).
 * Everything is borrowed from the arguments or owned by env: free with
 * check_env_clear(). Returns 0, or -1 with e (a bad dns.resolvers entry).
 */
static int
check_env_init(struct check_env *env, const struct manifest *m,
    const struct log *log, const char *account_url,
    char *const *dir_caa_identities, struct err *e)
{
	const char *dir = m->acme.directory != NULL ? m->acme.directory : "";

	memset(env, 0, sizeof(*env));
	env->m = m;
	env->log = log;
	env->account_url = account_url;
	env->dns = dns_resolver_from_conf(&m->dns, e);
	if (env->dns == NULL) {
		err_prefix(e, "dns.resolvers");
		return -1;
	}
	/* One run: names share their parents' and the apex's answers. */
	dns_resolver_cache_answers(env->dns);
	if (m->acme.ncaa_identities > 0) {
		env->caa_identities = m->acme.caa_identities;
		env->caa_identity_source = "acme.caa_identities";
	} else if (dir_caa_identities != NULL &&
	    dir_caa_identities[0] != NULL) {
		env->caa_identities = dir_caa_identities;
		env->caa_identity_source = "the directory's meta.caaIdentities";
	} else if (strcmp(dir, LE_DIRECTORY_URL) == 0 ||
	    strcmp(dir, LE_STAGING_DIRECTORY_URL) == 0) {
		env->caa_identities_owned = xcalloc(2, sizeof(char *));
		env->caa_identities_owned[0] = xstrdup("letsencrypt.org");
		env->caa_identities = env->caa_identities_owned;
		env->caa_identity_source = "Let's Encrypt's CAA identity";
	} else {
		/* Nothing says who this CA is in CAA: guess its host name and
		   say so; a mismatch then only warns. */
		env->caa_identities_owned = xcalloc(2, sizeof(char *));
		env->caa_identities_owned[0] = url_host(dir);
		env->caa_identities = env->caa_identities_owned;
		env->caa_identity_source_owned = xasprintf("a guess: the "
		    "directory host, as acme.caa_identities is not set and "
		    "the directory has no meta.caaIdentities");
		env->caa_identity_source = env->caa_identity_source_owned;
		env->caa_identity_guessed = 1;
	}
	env->manifest_index_owned = check_manifest_index_new(m);
	env->manifest_index = env->manifest_index_owned;
	return 0;
}

/* Frees what env owns (not env). */
static void
check_env_clear(struct check_env *env)
{
	dns_resolver_free(env->dns);
	check_manifest_index_free(env->manifest_index_owned);
	strv_free(env->caa_identities_owned);
	free(env->caa_identity_source_owned);
	memset(env, 0, sizeof(*env));
}

struct check_pool {
	const struct check_env	*env;
	const unsigned char	*sel;
	struct check_results	*results;
};

/* One certificate's checks (par_ranges() hands them out one by one). */
static void
check_pool_run(void *arg, size_t i, size_t count)
{
	struct check_pool *p = arg;

	for (; count > 0; i++, count--)
		if (p->sel == NULL || p->sel[i])
			checks_run(p->env, &p->env->m->certs[i],
			    &p->results[i]);
}

/* ---- asking every DNS question of the run at once ---- */

struct prefetch {
	const struct dns_resolver *r;
	struct dns_query	*q;
};

static void
prefetch_range(void *arg, size_t i, size_t n)
{
	struct prefetch *p = arg;

	dns_resolve_window(p->r, &p->q[i], n,
	    DNS_INFLIGHT / PREFETCH_THREADS);
}

static int
cmp_query(const void *a, const void *b)
{
	const struct dns_query *x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
prefetch_add(struct dns_query **v, size_t *n, size_t *cap, const char *name,
    ldns_rr_type type)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	dns_query_init(&(*v)[(*n)++], name, type);
}

/*
 * Asks the questions the DNS checks (checks/a.c, aaaa.c, caa.c) will ask
 * for the selected certificates: A and AAAA of every hostname, CAA of
 * every label up to the top (without a leading "*."), each once, many in
 * flight at once. The answers land in the resolver's cache, so the
 * certificates' checks then wait for no round trip of their own (a few
 * sequential rounds per certificate add up on a busy machine).
 */
static void
checks_prefetch(const struct check_env *env, const unsigned char *sel)
{
	const struct manifest *m = env->m;
	struct prefetch p;
	struct dns_query *v = NULL;
	const char *h;
	size_t i, j, k, n = 0, cap = 0;

	for (i = 0; i < m->ncerts; i++) {
		if (sel != NULL && !sel[i])
			continue;
		for (j = 0; j < m->certs[i].nhostnames; j++) {
			h = m->certs[i].hostnames[j];
			prefetch_add(&v, &n, &cap, h, LDNS_RR_TYPE_A);
			prefetch_add(&v, &n, &cap, h, LDNS_RR_TYPE_AAAA);
			if (strncmp(h, "*.", 2) == 0)
				h += 2;
			for (; h != NULL && *h != '\0'; h = strchr(h, '.') !=
			    NULL ? strchr(h, '.') + 1 : NULL)
				prefetch_add(&v, &n, &cap, h,
				    LDNS_RR_TYPE_CAA);
		}
	}
	if (n == 0) {
		free(v);
		return;
	}
	qsort(v, n, sizeof(*v), cmp_query);
	for (i = 1, k = 1; i < n; i++) {	/* each question once */
		if (cmp_query(&v[k - 1], &v[i]) == 0)
			dns_query_clear(&v[i]);
		else
			v[k++] = v[i];
	}
	n = k;
	p.r = env->dns;
	p.q = v;
	par_ranges(n, PREFETCH_CHUNK, PREFETCH_THREADS, prefetch_range, &p);
	for (i = 0; i < n; i++)
		dns_query_clear(&v[i]);
	free(v);
}

enum check_status
checks_run_all(const struct check_env *env, const unsigned char *sel,
    struct check_results *results, int threads)
{
	struct check_pool pool;
	size_t i, n = env->m->ncerts, want = 0;
	enum check_status worst = CHECK_PASS, s;

	for (i = 0; i < n; i++) {
		check_results_init(&results[i]);
		if (sel == NULL || sel[i])
			want++;
	}
	if (threads <= 0)
		threads = CHECK_THREADS_DEFAULT;
	/* A resolver that keeps its answers: ask everything up front. */
	if (env->dns != NULL && dns_resolver_caches(env->dns))
		checks_prefetch(env, sel);
	if ((size_t)threads > want)
		threads = (int)want;
	pool = (struct check_pool){ .env = env, .sel = sel,
	    .results = results };
	par_ranges(n, 1, threads, check_pool_run, &pool);
	for (i = 0; i < n; i++) {
		if (sel != NULL && !sel[i])
			continue;
		s = check_results_worst(&results[i]);
		if (s > worst)
			worst = s;
	}
	return worst;
}

int
checks_preflight(const struct manifest *m, const struct log *log,
    const char *account_url, char *const *dir_caa_identities, void *acme,
    const unsigned char *sel, struct check_results *results, int threads,
    struct err *e)
{
	struct check_env env;
	enum check_status worst;

	if (check_env_init(&env, m, log, account_url, dir_caa_identities,
	    e) == -1)
		return -1;
	env.acme = acme;
	worst = checks_run_all(&env, sel, results, threads);
	check_env_clear(&env);
	return (int)worst;
}
