/*
 * check_env.c - what the checks share (resolver, CAA identities, account)
 * and running the checks of many certificates at once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dns.h"
#include "err.h"
#include "manifest.h"
#include "util.h"

#define CHECK_THREADS_DEFAULT	16

/* The host of an https URL, malloced ("acme.example:14000" -> the host). */
static char *
url_host(const char *url)
{
	const char *p = strstr(url, "://"), *end;

	p = p != NULL ? p + 3 : url;
	if (*p == '[') {
		end = strchr(p, ']');
		return end != NULL ? xstrndup(p + 1, (size_t)(end - p - 1)) :
		    xstrdup(p);
	}
	end = p + strcspn(p, ":/?#");
	return xstrndup(p, (size_t)(end - p));
}

int
check_env_init(struct check_env *env, const struct manifest *m,
    const struct log *log, const char *account_url,
    char *const *dir_caa_identities, struct err *e)
{
	const char *dir = m->acme.directory != NULL ? m->acme.directory : "";

	memset(env, 0, sizeof(*env));
	env->m = m;
	env->log = log;
	env->account_url = account_url;
	env->dns = dns_resolver_from_manifest(&m->dns, e);
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

void
check_env_free(struct check_env *env)
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
	pthread_mutex_t		 mu;
	size_t			 next;
};

static void *
check_pool_worker(void *arg)
{
	struct check_pool *p = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->next < p->env->m->ncerts && p->sel != NULL &&
		    !p->sel[p->next])
			p->next++;
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->env->m->ncerts)
			break;
		checks_run(p->env, &p->env->m->certs[i], &p->results[i]);
	}
	return NULL;
}

enum check_status
checks_run_all(const struct check_env *env, const unsigned char *sel,
    struct check_results *results, int threads)
{
	struct check_pool pool;
	pthread_t *tids;
	size_t i, n = env->m->ncerts, want = 0, started = 0;
	enum check_status worst = CHECK_PASS, s;

	for (i = 0; i < n; i++) {
		check_results_init(&results[i]);
		if (sel == NULL || sel[i])
			want++;
	}
	if (threads <= 0)
		threads = CHECK_THREADS_DEFAULT;
	if ((size_t)threads > want)
		threads = (int)want;
	memset(&pool, 0, sizeof(pool));
	pool.env = env;
	pool.sel = sel;
	pool.results = results;
	pthread_mutex_init(&pool.mu, NULL);
	tids = xcalloc((size_t)threads + 1, sizeof(*tids));
	for (i = 0; i < (size_t)threads; i++) {
		if (pthread_create(&tids[i], NULL, check_pool_worker,
		    &pool) != 0)
			break;
		started++;
	}
	if (started == 0)
		check_pool_worker(&pool);	/* no threads: do it here */
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	pthread_mutex_destroy(&pool.mu);
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
	check_env_free(&env);
	return (int)worst;
}
