/*
 * etcd_client_impl.h - what the files of the etcd client share
 * (etcd_client.h is its interface; only these files include this):
 *
 *   etcd_client.c  the client, JSON and base64 helpers, the transport
 *                  (POST, failover, auth token), get/range/put/delete/txn
 *   etcd_lease.c   lease grant, keepalive, revoke
 *   etcd_watch.c   the watch stream
 */
#ifndef CERTKEEP_ETCD_CLIENT_IMPL_H
#define CERTKEEP_ETCD_CLIENT_IMPL_H

#include <pthread.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

struct err;
struct etcd_kv;

/* The largest answer taken (a range of every set of a big fleet). */
#define ETCD_ANSWER_MAX	(256L * 1024 * 1024)

struct etcd {
	char		*endpoints;	/* as given */
	char		**urls;		/* "http(s)://host:port", NULL-ended */
	size_t		 nurls;
	size_t		 first;		/* the one that answered last */
	char		*ca_file, *cert_file, *key_file;
	char		*user, *password;
	char		*token;
	long		 timeout_ms;
	long		 requests;
	CURL		*curl;
	pthread_mutex_t	 mu;
};

/* Wipes and frees a NUL-terminated secret (NULL: nothing). */
void	 etcd_str_wipe_free(char *s);

/* An int64 of an answer: a string, a number, or absent (0). */
long long etcd_json_int64(const cJSON *o, const char *name);
/* Adds bytes as base64, an int64 as a string, as the gateway wants. */
void	 etcd_json_add_b64(cJSON *o, const char *name, const void *p,
	    size_t n);
void	 etcd_json_add_int64(cJSON *o, const char *name, long long v);
/* The revision of an answer's header. */
long long etcd_header_revision(const cJSON *ans);
/* The end of the range of every key starting with prefix (malloced, *n
   bytes, caller frees). */
char	*etcd_prefix_end(const char *prefix, size_t *n);

/* The options every handle gets: protocols, peer verification, TLS
   files, the connect timeout. */
void	 etcd_curl_common(struct etcd *c, CURL *h);
/* Gets a token with auth_file's user and password (caller holds mu). */
int	 etcd_authenticate(struct etcd *c, struct err *e);
/* Posts req to path on the first endpoint that answers (authenticating
   when needed); 0 with *answer parsed (caller deletes) or -1. */
int	 etcd_post(struct etcd *c, const char *path, cJSON *req,
	    cJSON **answer, struct err *e);
/* Posts req (consumed) to path: etcd_post() without the answer; member:
   *val is that integer member of it (of its "result" in a stream); rev:
   *rev is its header's revision. 0 or -1. */
int	 etcd_call(struct etcd *c, const char *path, cJSON *req,
	    const char *member, long long *val, long long *rev, struct err *e);
/* Fills kv (caller clears) from one "kvs" entry of an answer. */
int	 etcd_kv_from_json(const cJSON *o, struct etcd_kv *kv,
	    struct err *e);

#endif
