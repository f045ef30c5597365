/*
 * etcd_client.h - a small client of etcd's v3 JSON gateway (etcd 3.4:
 * /v3/kv/range|put|txn|deleterange, /v3/lease/grant|keepalive|revoke,
 * /v3/watch, /v3/auth/authenticate) over libcurl and cJSON. Keys and
 * values are bytes (base64 on the wire, done here).
 *
 * Endpoints are tried in order: a request that cannot reach one (connect
 * error, timeout, 5xx) goes to the next, and the one that answered is
 * tried first next time. TLS when ca_file is given (the peer is always
 * verified; cert_file/key_file for a client certificate); plain http only
 * to loopback addresses. With auth_file (user and password, one a line,
 * a secret file), the client authenticates and sends the token.
 *
 * One client may be used from several threads: requests are serialised
 * on its own lock (a watch holds a connection of its own).
 */
#ifndef CERTKEEP_ETCD_CLIENT_H
#define CERTKEEP_ETCD_CLIENT_H

#include <stddef.h>

struct err;
struct etcd;

struct etcd_opts {
	const char	*endpoints;	/* "host:port[,host:port...]" */
	const char	*ca_file;	/* NULL: plain http (loopback only) */
	const char	*cert_file;	/* client certificate, or NULL */
	const char	*key_file;
	const char	*auth_file;	/* "user\npassword\n", or NULL */
	long		 timeout_ms;	/* per request; 0: 5000 */
};

/* One key as read. key and value are malloced, NUL-terminated (value may
   hold NULs: vlen is its length). */
struct etcd_kv {
	char		*key;
	char		*value;
	size_t		 vlen;
	long long	 create_rev;
	long long	 mod_rev;
	long long	 version;
	long long	 lease;
};

struct etcd_kvs {
	struct etcd_kv	*v;
	size_t		 n;
	long long	 revision;	/* the store's revision when read */
	int		 more;		/* a limit cut the answer short */
};

/*
 * Checks the options (endpoints parse; plain http only to loopback
 * addresses; the TLS files and auth_file readable) and returns a client,
 * or NULL and fills e. Nothing is sent yet.
 */
struct etcd *etcd_open(const struct etcd_opts *o, struct err *e);
void	 etcd_free(struct etcd *c);
/* The endpoints as given, for messages (borrowed). */
const char *etcd_endpoints(const struct etcd *c);
/* Requests sent so far (every attempt on every endpoint counts). */
long	 etcd_requests(const struct etcd *c);

void	 etcd_kv_clear(struct etcd_kv *kv);
void	 etcd_kvs_clear(struct etcd_kvs *kvs);

/*
 * One key: 1 and kv filled (caller clears), 0 when absent, -1 on error.
 * rev (may be NULL) gets the store's revision.
 */
int	 etcd_get(struct etcd *c, const char *key, struct etcd_kv *kv,
	    long long *rev, struct err *e);

/*
 * Every key starting with prefix ("" is refused), sorted by key, at most
 * limit (0: all); with keys_only, values are not fetched (value NULL);
 * with min_mod_rev > 0, only keys modified at or after it. 0 or -1.
 */
int	 etcd_range_prefix(struct etcd *c, const char *prefix, long limit,
	    int keys_only, long long min_mod_rev, struct etcd_kvs *out,
	    struct err *e);

/* Puts key=value (lease 0: none). rev (may be NULL) gets the new
   revision. 0 or -1. */
int	 etcd_put(struct etcd *c, const char *key, const void *value,
	    size_t vlen, long long lease, long long *rev, struct err *e);

/* Deletes key, or with prefix every key starting with it. *deleted (may
   be NULL) gets how many. 0 or -1. */
int	 etcd_delete(struct etcd *c, const char *key, int prefix,
	    long long *deleted, struct err *e);

/* Transactions: if every compare holds, the success ops run, else the
   failure ops; all at one revision. */
enum etcd_target {
	ETCD_T_VERSION,
	ETCD_T_CREATE,		/* create_revision */
	ETCD_T_MOD,		/* mod_revision */
	ETCD_T_VALUE,
	ETCD_T_LEASE,
	ETCD_T__MAX
};
enum etcd_result {
	ETCD_R_EQUAL,
	ETCD_R_GREATER,
	ETCD_R_LESS,
	ETCD_R_NOT_EQUAL,
	ETCD_R__MAX
};
struct etcd_cmp {
	const char	*key;
	enum etcd_target target;
	enum etcd_result result;
	long long	 n;		/* version, revision or lease */
	const char	*value;		/* ETCD_T_VALUE */
	size_t		 vlen;
};

enum etcd_op_kind {
	ETCD_OP_PUT,
	ETCD_OP_DELETE,		/* one key */
	ETCD_OP_DELETE_PREFIX,	/* every key starting with key */
	ETCD_OP_DELETE_RANGE,	/* [key, range_end) */
	ETCD_OP_GET,		/* one key; its kvs come back in results */
	ETCD_OP__MAX
};
struct etcd_op {
	enum etcd_op_kind kind;
	const char	*key;
	const void	*value;		/* PUT */
	size_t		 vlen;
	long long	 lease;		/* PUT: 0 none */
	const char	*range_end;	/* DELETE_RANGE */
};

/*
 * Runs one transaction. *succeeded gets 1 when the compares held. With
 * got non-NULL, the kvs of the GET ops of the branch that ran are appended
 * to it (caller clears), and got->revision is the revision of the txn.
 * rev (may be NULL) gets the revision. 0 (whether or not it succeeded) or
 * -1 on error.
 */
int	 etcd_txn(struct etcd *c, const struct etcd_cmp *cmp, size_t ncmp,
	    const struct etcd_op *ok, size_t nok, const struct etcd_op *ko,
	    size_t nko, int *succeeded, struct etcd_kvs *got, long long *rev,
	    struct err *e);

/* Leases. grant: *id gets a new lease of ttl seconds. keepalive: *ttl
   (may be NULL) gets the seconds left; a lease that has expired is an
   error. revoke: deletes the lease and every key bound to it. */
int	 etcd_lease_grant(struct etcd *c, long ttl, long long *id,
	    struct err *e);
int	 etcd_lease_keepalive(struct etcd *c, long long id, long *ttl,
	    struct err *e);
int	 etcd_lease_revoke(struct etcd *c, long long id, struct err *e);

/*
 * Watches every key starting with prefix from revision start_rev (0: from
 * now), on a connection of its own, calling fn for each event (put: 1,
 * delete: 0; kv->value is NULL for a delete) until fn returns non-zero
 * (etcd_watch returns 0), timeout_ms passes (0: none; returns 0), or the
 * stream fails (-1). *last_rev (may be NULL) gets the revision of the last
 * event or progress seen, to resume from last_rev + 1.
 */
typedef int (*etcd_watch_fn)(void *arg, int put, const struct etcd_kv *kv);
int	 etcd_watch(struct etcd *c, const char *prefix, long long start_rev,
	    long timeout_ms, etcd_watch_fn fn, void *arg, long long *last_rev,
	    struct err *e);

#endif
