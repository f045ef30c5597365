/*
 * acme.h - the ACME protocol client (RFC 8555): the directory and its
 * meta, the nonce pool, ONE signed-request primitive (acme_post: JWS with
 * jwk or kid, POST-as-GET, transparent badNonce retry, Location capture),
 * problem documents turned into one clear message and classified in one
 * table, and ONE wait helper for every poll.
 *
 * A struct acme is one client: one HTTP handle (its connection, reused).
 * What a run shares lives in the client's pool, which acme_clone() hands
 * to more clients, one per thread: the directory, the nonce pool, the
 * account, a token bucket per endpoint class (Let's Encrypt's per-IP
 * limits), the request counters, the poll delays learnt from the CA, TLS
 * sessions and DNS answers. The pool is
 * thread-safe; a client is used by one thread at a time. No global state.
 *
 * Transient failures (no answer, 5xx, 429/503 with Retry-After, a body
 * cut short) are retried inside acme_post() with exponential backoff and
 * jitter until the client's deadline (acme_set_deadline(); none: no
 * retry). Definitive problems are returned at once. Every call that talks
 * to the CA returns an enum acme_result.
 *
 * Every protocol step (account.c, order.c, revoke) is a small function
 * built on acme_post().
 */
#ifndef CERTKEEP_ACME_H
#define CERTKEEP_ACME_H

#include <stddef.h>
#include <time.h>

#include "acme/http.h"
#include "acme/key.h"

struct buf;
struct cJSON;
struct err;
struct log;

/*
 * What an ACME call ended with: every function of the protocol layer that
 * talks to the CA returns one (ldns_status style), with e holding the one
 * message. Nothing about a failure is kept on the client.
 */
enum acme_result {
	ACME_OK,
	ACME_RETRYABLE,		/* badNonce, serverInternal, 5xx: try later */
	ACME_RATE_LIMITED,	/* rateLimited: back off, persisted */
	ACME_BAD_INPUT,		/* the CA refuses what we asked (names, CAA,
				   validation, contact, EAB, ...), or the
				   challenge cannot be answered */
	ACME_NETWORK,		/* no answer: DNS, connect, TLS */
	ACME_PROTOCOL,		/* malformed answers, unexpected states, and
				   local failures (keys, CSR, storage) */
	ACME_NEED_TERMS,	/* an account must be registered and the
				   CA's terms are not accepted */
	ACME__MAX
};
/* "ok", "retryable", "rate-limited", "bad-input", "network", "protocol",
   "need-terms" */
extern const char *const acme_result_names[ACME__MAX];

/* The prefix of every ACME problem type (RFC 8555 6.7). */
#define ACME_URN	"urn:ietf:params:acme:error:"
#define ACME_URN_LEN	(sizeof(ACME_URN) - 1)

/*
 * The one table of ACME problem types (mod_md's Problems[]): each short
 * name, what it means for the caller, whether a failed challenge
 * validation yields it (caa, dns, connection, incorrectResponse,
 * unauthorized, tls), and what a person should do about it (for
 * notifications; NULL when there is nothing specific to say).
 */
struct acme_problem {
	const char		*name;
	enum acme_result	 result;
	int			 validation;
	const char		*advice;
};
/* type (full URN or short name) without the ACME URN prefix; borrowed
   from type. NULL stays NULL. */
const char *acme_problem_short(const char *type);
/* The table entry of type (full URN or short name), or NULL. */
const struct acme_problem *acme_problem_find(const char *type);
/*
 * The result for an ACME problem type (full URN or the short name);
 * unknown types are ACME_PROTOCOL. *validation (may be NULL) is set as
 * in the table.
 */
enum acme_result acme_problem_class(const char *type, int *validation);
/* The problem type of a CA's answer (the "type" of its problem
   document), malloced, or NULL when it has none. */
char	*acme_answer_type(const struct http_resp *r);

/* The settings of the ACME layer, filled by the caller from its
   configuration (strings borrowed, they outlive the client). */
struct acme_conf {
	const char	*directory;	/* https URL */
	const char	*ca_bundle;	/* NULL: cabundle_path()'s fallbacks */
	const char	*manifest_dir;	/* where cacert_default.pem may be */
	char *const	*contact;	/* NULL-terminated e-mail addresses */
	int		 terms_accepted;
	enum key_type	 account_key;	/* for a new account key */
	const char	*eab_kid;	/* NULL: no External Account Binding */
	const char	*eab_hmac_key_file;
};

/* The directory (RFC 8555 7.1.1) and its meta, all kept. */
struct acme_dir {
	char	*url;
	char	*new_nonce;
	char	*new_account;
	char	*new_order;
	char	*new_authz;	/* NULL: pre-authorization not offered */
	char	*revoke_cert;
	char	*key_change;
	char	*renewal_info;	/* RFC 9773; NULL when not offered */
	/* meta */
	char	*terms;		/* termsOfService URL or NULL */
	char	*website;
	int	 eab_required;	/* externalAccountRequired */
	struct strlist caa_identities;
	struct cJSON *profiles;	/* meta.profiles object (owned) or NULL */
	struct cJSON *raw;	/* the whole directory (owned) */
};

struct acme;

/*
 * A client for the directory at dir_url (https), trusting ca_file. log
 * may be NULL. Nothing is sent yet. Free with acme_free().
 */
struct acme *acme_new(const char *dir_url, const char *ca_file,
	    const struct log *log, struct err *e);
/*
 * The client for cfg->directory, trusting cfg->ca_bundle, else the
 * fallbacks of cabundle_path(). Same contract as acme_new().
 */
struct acme *acme_new_for(const struct acme_conf *cfg,
	    const struct log *log, struct err *e);
/*
 * Another client on parent's pool (directory, nonces, account, limits,
 * counters shared), with its own connection and the parent's deadline.
 * For another thread. Free with acme_free(), in any order.
 */
struct acme *acme_clone(struct acme *parent, struct err *e);
void	 acme_free(struct acme *a);
/* Transient failures are retried until deadline_ms (mono_ms()); 0: never
   (the default). */
void	 acme_set_deadline(struct acme *a, long long deadline_ms);
#define ACME_RETRY_FIRST_MS	250
#define ACME_RETRY_WAIT_CAP_MS	60000LL

/*
 * Fetches the directory once; later calls (of any clone) return the
 * cached one, or the cached failure. *d is borrowed from the pool.
 */
enum acme_result acme_directory(struct acme *a, const struct acme_dir **d,
	    struct err *e);

/*
 * The account key (borrowed: keep it alive while a uses it) and its URL
 * (kid, copied; NULL until registered). Requests other than newAccount and
 * revoke-by-certificate-key are signed with kid.
 */
void	 acme_set_account(struct acme *a, const struct key *k,
	    const char *kid);
const char *acme_kid(const struct acme *a);
const struct key *acme_key(const struct acme *a);

/* How the signed request identifies its signer. */
enum acme_signer {
	ACME_SIGN_KID,		/* "kid": the account URL */
	ACME_SIGN_JWK,		/* "jwk": the account key (newAccount) */
};

/*
 * The signed-request primitive: POSTs payload (a JSON value; NULL for
 * POST-as-GET) to url as a flattened JWS signed with the account key,
 * with a nonce from the pool (HEAD newNonce when it is empty). A badNonce
 * answer is retried with the fresh nonce it carries (up to
 * ACME_NONCE_RETRIES times); every Replay-Nonce feeds the pool.
 *
 * Returns ACME_OK for a 2xx answer (r holds it: body, Location, Link,
 * ...). Otherwise the kind of failure, with e holding one message ("what:
 * detail (problem type)", subproblems naming their identifiers); r holds
 * the CA's answer when there was one (acme_answer_type(),
 * http_retry_after()), else its status is 0.
 */
enum acme_result acme_post(struct acme *a, const char *url,
	    const struct cJSON *payload, enum acme_signer signer,
	    struct http_resp *r, struct err *e);
#define ACME_NONCE_RETRIES	25

/* Unauthenticated GET (renewalInfo): ACME_OK when the server answered
   (any status), else ACME_NETWORK. */
enum acme_result acme_get(struct acme *a, const char *url,
	    struct http_resp *r, struct err *e);

/*
 * A flattened JWS (as a JSON text, malloced, caller frees) of payload
 * (JSON text, or "" for POST-as-GET) for url, signed by k, identified by
 * kid (NULL: by jwk), with nonce (NULL: none, for the inner JWS of a key
 * change).
 */
char	*acme_jws(const struct key *k, const char *kid, const char *nonce,
	    const char *url, const char *payload, struct err *e);

/* Requests sent by this client so far (HTTP, all kinds). */
long	 acme_requests(const struct acme *a);

/* Endpoint classes: one token bucket each, and the counters. */
enum acme_endpoint {
	ACME_EP_NONCE,		/* newNonce: 20/s */
	ACME_EP_ACCOUNT,	/* newAccount: 5/s */
	ACME_EP_ORDER,		/* newOrder: 300/s */
	ACME_EP_OTHER,		/* everything else: 250/s */
	ACME_EP__MAX
};
extern const char *const acme_endpoint_names[ACME_EP__MAX];
enum acme_status_class {
	ACME_SC_2XX,
	ACME_SC_4XX,
	ACME_SC_5XX,
	ACME_SC_OTHER,
	ACME_SC_NONE,		/* no answer */
	ACME_SC__MAX
};
extern const char *const acme_status_class_names[ACME_SC__MAX];
/* What a pool (a client and its clones) sent, for logs and metrics. */
struct acme_stats {
	long		 requests[ACME_EP__MAX][ACME_SC__MAX];
	long		 retries;	/* after transient failures */
	long		 bad_nonces;
	long long	 throttled_ms;	/* waited for the token buckets */
};
/* A snapshot of the pool's counters. */
void	 acme_stats_get(const struct acme *a, struct acme_stats *out);
long	 acme_stats_total(const struct acme_stats *st);

/*
 * Formats a problem document (a JSON object) into out: "detail (type)"
 * with each subproblem as "; IDENTIFIER: detail (type)". Text from the CA
 * is escaped. Sets *type (borrowed from o) to the problem type.
 */
void	 acme_problem_text(const struct cJSON *o, struct buf *out,
	    const char **type);

/*
 * The wait helper, for every poll: the first wait is short (ACME servers
 * like Pebble answer in milliseconds), each next one doubles with jitter
 * up to cap_ms, a Retry-After from the server is honoured, and the total
 * is bounded by timeout_ms.
 */
struct acme_wait {
	long long	 deadline_ms;	/* mono_ms() bound */
	long long	 next_ms;	/* the next base delay */
	long long	 cap_ms;
	long long	 first_ms;	/* > 0: the first wait, exactly */
	int		 polls;
};
#define ACME_WAIT_FIRST_MS	150
#define ACME_WAIT_MIN_MS	20
#define ACME_WAIT_CAP_MS	5000
/* No single poll wait is longer, whatever Retry-After says. */
#define ACME_POLL_WAIT_CAP_MS	60000LL
/* Nonces kept in the pool (the newest). */
#define ACME_NONCE_POOL_MAX	64

/*
 * Poll delays tuned to the CA: how long the first wait after a step
 * should be, learnt from the run's earlier orders (shared by clones).
 */
enum acme_hint {
	ACME_HINT_VALIDATION,	/* challenge posted -> authorization done */
	ACME_HINT_ISSUANCE,	/* finalized -> certificate ready */
	ACME_HINT__MAX
};
long long acme_wait_hint(struct acme *a, enum acme_hint h);
/* Learns: the step took took_ms; first_poll: the first poll found it
   done (so the next first wait may be shorter). */
void	 acme_wait_learn(struct acme *a, enum acme_hint h, long long took_ms,
	    int first_poll);
void	 acme_wait_init(struct acme_wait *w, long long timeout_ms);
/* Same, with a first wait of exactly first_ms (a learnt hint), the next
   ones doubling from there. */
void	 acme_wait_init_first(struct acme_wait *w, long long timeout_ms,
	    long long first_ms);

/*
 * After a failure res (retry_after: the server's, in seconds, -1 none)
 * of the attempt-th try at url: waits like acme_post() does before its
 * retries (also for a caller that found a transient failure itself, e.g.
 * a certificate download cut short). Returns 0 after the wait, -1 when
 * the failure is not transient or the deadline is near.
 */
int	 acme_retry_wait(struct acme *a, enum acme_result res,
	    long long retry_after, int attempt, const char *url);
/* Sleeps ms milliseconds (none when ms <= 0), through signals. */
void	 acme_sleep_ms(long long ms);
/*
 * Sleeps before the next poll: retry_after is the server's Retry-After in
 * seconds (-1: none). Returns 0, or -1 when the next poll would come
 * after the deadline (no sleep then).
 */
int	 acme_wait_next(struct acme_wait *w, long long retry_after);

/* The host of a directory URL, made safe for a path component
   ("acme-v02.api.letsencrypt.org", "127.0.0.1_14000"); malloced. */
char	*acme_dir_host(const char *dir_url);

#endif
