/*
 * cache.c - the answers a resolver keeps for a run, once
 * dns_resolver_cache_answers() asked for it: a hash table keyed by name
 * (lower case, no trailing dot) and type, guarded by a mutex so that the
 * checking threads share it.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/str.h"
#include "dns/dns.h"
#include "dns/dns_impl.h"

/* An answer kept for the rest of the run (dns_resolver_cache_answers()). */
struct dns_cached {
	struct dns_cached *next;	/* same bucket */
	char		*name;	/* lower case, no trailing dot */
	ldns_rr_type	 type;
	enum dns_status	 status;
	ldns_rr_list	*rrs;
	char		*final_name;
	char		*error;
	int		 cnames;
};

struct dns_cache {
	pthread_mutex_t	 mu;
	struct dns_cached **buckets;
	size_t		 nbuckets;	/* a power of two */
	size_t		 n;
};

static void
cached_free(struct dns_cached *c)
{
	free(c->name);
	if (c->rrs != NULL)
		ldns_rr_list_deep_free(c->rrs);
	FREE_ALL(c->final_name, c->error, c);
}

void
dns_cache_free(struct dns_cache *c)
{
	struct dns_cached *e, *next;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nbuckets; i++)
		for (e = c->buckets[i]; e != NULL; e = next) {
			next = e->next;
			cached_free(e);
		}
	free(c->buckets);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* The name as the cache keys it: lower case, without the trailing dot. */
static char *
cache_key(const char *name)
{
	char *k = xstrdup(name);
	size_t n = strlen(k);

	if (n > 1 && k[n - 1] == '.')
		k[n - 1] = '\0';
	str_lower(k);
	return k;
}

static size_t
cache_hash(const char *key, ldns_rr_type type)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)type;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return (size_t)h;
}

/* With c->mu held. */
static struct dns_cached *
cache_find(struct dns_cache *c, const char *key, ldns_rr_type type)
{
	struct dns_cached *e;

	for (e = c->buckets[cache_hash(key, type) & (c->nbuckets - 1)];
	    e != NULL; e = e->next)
		if (e->type == type && strcmp(e->name, key) == 0)
			return e;
	return NULL;
}

/* With c->mu held: doubles the table when it gets crowded. */
static void
cache_grow(struct dns_cache *c)
{
	struct dns_cached **nb, *e, *next;
	size_t i, n = c->nbuckets * 2, h;

	nb = xcalloc(n, sizeof(*nb));
	for (i = 0; i < c->nbuckets; i++)
		for (e = c->buckets[i]; e != NULL; e = next) {
			next = e->next;
			h = cache_hash(e->name, e->type) & (n - 1);
			e->next = nb[h];
			nb[h] = e;
		}
	free(c->buckets);
	c->buckets = nb;
	c->nbuckets = n;
}

/* Fills q from the cache; 1 when it was there. */
int
dns_cache_get(struct dns_cache *c, struct dns_query *q)
{
	struct dns_cached *e;
	char *key = cache_key(q->name);
	int hit = 0;

	pthread_mutex_lock(&c->mu);
	if ((e = cache_find(c, key, q->type)) != NULL) {
		q->status = e->status;
		q->rrs = e->rrs != NULL ? ldns_rr_list_clone(e->rrs) : NULL;
		q->final_name = e->final_name != NULL ?
		    xstrdup(e->final_name) : NULL;
		free(q->error);
		q->error = e->error != NULL ? xstrdup(e->error) : NULL;
		q->cnames = e->cnames;
		hit = 1;
	}
	pthread_mutex_unlock(&c->mu);
	free(key);
	return hit;
}

void
dns_cache_put(struct dns_cache *c, const struct dns_query *q)
{
	struct dns_cached *e;
	size_t h;

	e = xcalloc(1, sizeof(*e));
	e->name = cache_key(q->name);
	e->type = q->type;
	e->status = q->status;
	e->rrs = q->rrs != NULL ? ldns_rr_list_clone(q->rrs) : NULL;
	e->final_name = q->final_name != NULL ? xstrdup(q->final_name) : NULL;
	e->error = q->error != NULL ? xstrdup(q->error) : NULL;
	e->cnames = q->cnames;
	pthread_mutex_lock(&c->mu);
	if (cache_find(c, e->name, e->type) != NULL) {
		/* Another thread asked the same meanwhile. */
		pthread_mutex_unlock(&c->mu);
		cached_free(e);
		return;
	}
	if (c->n >= c->nbuckets * 2)
		cache_grow(c);
	h = cache_hash(e->name, e->type) & (c->nbuckets - 1);
	e->next = c->buckets[h];
	c->buckets[h] = e;
	c->n++;
	pthread_mutex_unlock(&c->mu);
}

void
dns_resolver_cache_answers(struct dns_resolver *r)
{
	struct dns_cache *c;

	if (r->cache != NULL)
		return;
	c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	c->nbuckets = 1024;
	c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
	r->cache = c;
}

int
dns_resolver_caches(const struct dns_resolver *r)
{
	return r->cache != NULL;
}

