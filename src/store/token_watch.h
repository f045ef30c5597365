/*
 * token_watch.h - private to the store module: the published http-01
 * tokens of an etcd store kept in memory by a watch, for serve-http01
 * (store_token_watch_* in store.h is the interface).
 */
#ifndef CERTKEEP_STORE_TOKEN_WATCH_H
#define CERTKEEP_STORE_TOKEN_WATCH_H

struct err;
struct etcd;
struct etcd_token_watch;

/* etcd.c: "etcd://H:P,H:P/PREFIX" -> endpoints and "PREFIX/" (both
   malloced, caller frees); -1 and e when it is not such a URL. */
int	 etcd_parse_url(const char *url, char **endpoints, char **prefix,
	    struct err *e);

/* Reads every key under prefix ("PREFIX/tokens/") through c (borrowed,
   outlives the watch) and starts a thread that keeps the copy current.
   NULL and e when the first read fails. */
struct etcd_token_watch *etcd_token_watch_start(struct etcd *c,
	    const char *prefix, struct err *e);
/* 0 and *keyauth (malloced) or 1 when not published. */
int	 etcd_token_watch_get(struct etcd_token_watch *w, const char *token,
	    char **keyauth);
/* Stops the thread (within the watch's poll period) and frees w. */
void	 etcd_token_watch_stop(struct etcd_token_watch *w);

#endif
