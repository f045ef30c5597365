/*
 * token_watch.c - serve-http01's copy of the tokens published in an etcd
 * store: one range of PREFIX/tokens/ at start, then a watch from the
 * revision read, so that a request is answered from memory and a token
 * put by any node is served as soon as etcd has it. A put sets the copy,
 * a delete (by cleanup or by the end of the token's lease) removes it.
 * When the watch fails (etcd away, the revision compacted), the thread
 * reads the whole prefix again and watches from there; meanwhile the
 * copy it has keeps being served.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/mem.h"
#include "store/etcd_client.h"
#include "store/token_watch.h"

/* How long one watch request lasts: also how long a stop may take. */
#define TW_POLL_MS	1000
/* Pause after a failed watch or read, in TW_POLL_MS steps. */
#define TW_RETRY_STEPS	2

struct tw_token {
	char		*token;
	char		*keyauth;
	struct tw_token	*next;
};

struct etcd_token_watch {
	struct etcd	*c;
	char		*prefix;	/* "PREFIX/tokens/" */
	pthread_mutex_t	 mu;
	struct tw_token	*tokens;
	long long	 rev;		/* the copy is as of this revision */
	int		 stop;		/* under mu */
	int		 started;
	pthread_t	 thread;
};

static void
tw_clear(struct etcd_token_watch *w)
{
	while (w->tokens != NULL) {
		struct tw_token *t = w->tokens;

		w->tokens = t->next;
		free(t->token);
		free(t->keyauth);
		free(t);
	}
}

/* Sets (keyauth non-NULL) or removes token; under mu. */
static void
tw_set(struct etcd_token_watch *w, const char *token, const char *keyauth)
{
	struct tw_token **pp, *t;

	for (pp = &w->tokens; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->token, token) == 0)
			break;
	if (*pp != NULL && keyauth == NULL) {
		t = *pp;
		*pp = t->next;
		free(t->token);
		free(t->keyauth);
		free(t);
	} else if (*pp != NULL) {
		free((*pp)->keyauth);
		(*pp)->keyauth = xstrdup(keyauth);
	} else if (keyauth != NULL) {
		t = xcalloc(1, sizeof(*t));
		t->token = xstrdup(token);
		t->keyauth = xstrdup(keyauth);
		t->next = w->tokens;
		w->tokens = t;
	}
}

/* Replaces the copy with every token under the prefix. */
static int
tw_load(struct etcd_token_watch *w, struct err *e)
{
	struct etcd_kvs kvs;
	size_t plen = strlen(w->prefix), i;

	memset(&kvs, 0, sizeof(kvs));
	if (etcd_range_prefix(w->c, w->prefix, 0, 0, 0, &kvs, e) == -1)
		return -1;
	pthread_mutex_lock(&w->mu);
	tw_clear(w);
	for (i = 0; i < kvs.n; i++)
		if (strlen(kvs.v[i].key) > plen && kvs.v[i].value != NULL)
			tw_set(w, kvs.v[i].key + plen, kvs.v[i].value);
	w->rev = kvs.revision;
	pthread_mutex_unlock(&w->mu);
	etcd_kvs_clear(&kvs);
	return 0;
}

static int
tw_stopping(struct etcd_token_watch *w)
{
	int s;

	pthread_mutex_lock(&w->mu);
	s = w->stop;
	pthread_mutex_unlock(&w->mu);
	return s;
}

/* One watch event; non-zero ends the watch (stop asked). */
static int
tw_event(void *arg, int put, const struct etcd_kv *kv)
{
	struct etcd_token_watch *w = arg;
	size_t plen = strlen(w->prefix);
	int stop;

	pthread_mutex_lock(&w->mu);
	if (strncmp(kv->key, w->prefix, plen) == 0 && kv->key[plen] != '\0')
		tw_set(w, kv->key + plen, put ? kv->value : NULL);
	if (kv->mod_rev > w->rev)
		w->rev = kv->mod_rev;
	stop = w->stop;
	pthread_mutex_unlock(&w->mu);
	return stop;
}

static void *
tw_thread(void *arg)
{
	struct etcd_token_watch *w = arg;
	struct err e;
	long long rev, last;
	int i, fresh = 1;

	while (!tw_stopping(w)) {
		err_clear(&e);
		if (!fresh && tw_load(w, &e) == -1)
			goto pause;
		fresh = 1;
		pthread_mutex_lock(&w->mu);
		rev = w->rev;
		pthread_mutex_unlock(&w->mu);
		last = rev;
		if (etcd_watch(w->c, w->prefix, rev + 1, TW_POLL_MS, tw_event,
		    w, &last, &e) == 0) {
			pthread_mutex_lock(&w->mu);
			if (last > w->rev)
				w->rev = last;
			pthread_mutex_unlock(&w->mu);
			continue;
		}
		fresh = 0;	/* read everything again before watching */
pause:
		for (i = 0; i < TW_RETRY_STEPS && !tw_stopping(w); i++)
			usleep(TW_POLL_MS * 1000);
	}
	return NULL;
}

struct etcd_token_watch *
etcd_token_watch_start(struct etcd *c, const char *prefix, struct err *e)
{
	struct etcd_token_watch *w = xcalloc(1, sizeof(*w));

	w->c = c;
	w->prefix = xstrdup(prefix);
	pthread_mutex_init(&w->mu, NULL);
	if (tw_load(w, e) == -1)
		goto fail;
	if (pthread_create(&w->thread, NULL, tw_thread, w) != 0) {
		err_set(e, "etcd: cannot start the token watch");
		goto fail;
	}
	w->started = 1;
	return w;
fail:
	etcd_token_watch_stop(w);
	return NULL;
}

int
etcd_token_watch_get(struct etcd_token_watch *w, const char *token,
    char **keyauth)
{
	*keyauth = NULL;
	pthread_mutex_lock(&w->mu);
	for (struct tw_token *t = w->tokens; t != NULL; t = t->next)
		if (strcmp(t->token, token) == 0) {
			*keyauth = xstrdup(t->keyauth);
			break;
		}
	pthread_mutex_unlock(&w->mu);
	return *keyauth != NULL ? 0 : 1;
}

void
etcd_token_watch_stop(struct etcd_token_watch *w)
{
	if (w == NULL)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->mu);
		w->stop = 1;
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
	}
	tw_clear(w);
	pthread_mutex_destroy(&w->mu);
	free(w->prefix);
	free(w);
}
