/*
 * chall.h - answering ACME challenges (RFC 8555 section 8). One file per
 * challenge type, each defining one `const struct chall_ops`, listed in
 * chall_table[] (chall.c):
 *
 *   http01.c   http-01: webroot (token file written atomically under
 *                    <webroot>/.well-known/acme-challenge/, removed after)
 *                    or listen (a built-in responder thread on that address
 *                    serving only /.well-known/acme-challenge/<token>)
 *                    or publish (put into the store for serve-http01,
 *                    through the run's struct chall_publisher)
 *   dns01.c    dns-01: TXT _acme-challenge.<name> via RFC 2136
 *              (dns/dnsupdate.c)
 *
 * Settings come as a struct chall_conf per certificate (the manifest
 * fills them, defaults applied) and the resolver settings of the run
 * (struct dns_conf, for dns-01).
 *
 * Lifecycle, driven by order.c for each order (many orders may run at
 * once, in several threads, sharing one struct chall_run):
 *
 *   apply:  run = chall_run_new(&m->dns, log)
 *           chall_run_set_publisher(run, pub)   (the store, for publish)
 *   order:  chall_run_get(run, &cert->challenge, &ops, &ctx)
 *             -> ops->setup() the first time this configuration is seen
 *                in the run (a listen responder is started once and
 *                shared by every certificate using that address), then
 *                ops->publish_to(ctx, the run's publisher) when set
 *           for every pending authorization of the order:
 *             ops->present(ctx, item)        make the answer visible
 *           ops->ready(ctx, items, n)        optional (NULL): wait until
 *                                            every answer is visible (DNS
 *                                            propagation) before the CA
 *                                            is told to validate
 *           POST the challenge URLs, wait for the authorizations
 *           ops->cleanup(ctx, item)          for every presented item,
 *                                            success or not
 *   apply:  chall_run_free(run)  -> ops->teardown(ctx) for every context
 *
 * Thread safety: present/ready/cleanup may be called concurrently for
 * different items on the same ctx; a context protects its own shared data.
 * No global or static mutable state.
 */
#ifndef CERTKEEP_CHALL_H
#define CERTKEEP_CHALL_H

#include <stddef.h>

struct dns_conf;
struct err;
struct log;

enum chall_type {
	CHALL_HTTP01,
	CHALL_DNS01,
	CHALL__MAX
};
/* "http-01", "dns-01"; indexed by enum chall_type. */
extern const char *const chall_type_names[CHALL__MAX];
/* The type named name, or -1. */
int	 chall_type_from_name(const char *name);

/* How certificates answer their challenges (the manifest's challenge
   block merged over the default). Strings are owned by whoever filled
   it; chall_conf_clear() frees them. */
struct chall_conf {
	enum chall_type	 type;
	/* http-01: exactly one of webroot, listen and publish is set. */
	char		*webroot;	/* absolute path, or NULL */
	char		*listen;	/* "host:port" / "[v6]:port", or NULL */
	int		 publish;	/* into the store, for serve-http01 */
	/* dns-01 through RFC 2136 dynamic update. */
	char		*rfc2136_server;	/* "host:port" (port default 53) */
	char		*tsig_name;		/* "certkeep." */
	char		*tsig_algorithm;	/* "hmac-sha256" (default) */
	char		*tsig_secret_file;	/* absolute path: base64 secret */
	long long	 propagation_timeout;	/* seconds; default 120 */
};

/* Frees the strings of c (not c). */
void	 chall_conf_clear(struct chall_conf *c);

/* The key authorization of a token (RFC 8555 section 8.1): token "."
   the account key's JWK thumbprint (base64url). Malloced. */
char	*chall_key_authz(const char *token, const char *thumbprint);

/* dns-01 (RFC 8555 section 8.4): the name of the TXT record for an
   identifier, "_acme-challenge.<identifier>" (a wildcard's "*." left
   out), and its value, base64url(SHA-256(key_authz)). Malloced; the
   value is NULL only when hashing failed. */
char	*chall_dns01_name(const char *identifier);
char	*chall_dns01_value(const char *key_authz);

/*
 * The TSIG key of a dns-01 configuration, for dns/dnsupdate.h: name and
 * algorithm (hmac-sha256 when unset) borrowed from cfg, the secret read
 * from tsig_secret_file (0600, not a symlink; blanks and newlines around
 * it dropped) into *secret, which key->secret points to (free with
 * secret_free(*secret, *secret_len)). Returns 0, or -1 with e (settings
 * missing, the file refused or empty).
 */
struct dnsupdate_key;
int	 chall_dns01_key(const struct chall_conf *cfg,
	    struct dnsupdate_key *key, char **secret, size_t *secret_len,
	    struct err *e);

/* One challenge to answer. All strings are borrowed from the order and
   live until cleanup() returned. */
struct chall_item {
	const char	*identifier;	/* the hostname, "*." already removed */
	int		 wildcard;	/* the order asked for "*.<identifier>" */
	const char	*token;		/* the challenge token (base64url) */
	/* token "." base64url(JWK thumbprint): the http-01 body */
	const char	*key_authz;
	/* base64url(SHA-256(key_authz)): the dns-01 TXT value */
	const char	*dns_value;
	const char	*cert_name;	/* the certificate, for messages */
	void		*priv;		/* free for the challenge type's use
					   between present() and cleanup() */
};

/*
 * Where http-01 with publish puts its key authorizations so that a
 * separately running responder (serve-http01) answers them: the store,
 * handed in by the caller (the challenge layer sits below the store).
 * put publishes token -> keyauth for at most ttl seconds; del removes it.
 */
struct chall_publisher {
	void	*arg;
	int	(*put)(void *arg, const char *token, const char *keyauth,
		    int ttl, struct err *e);
	int	(*del)(void *arg, const char *token, struct err *e);
};
/* How long a published key authorization lives if cleanup never runs (a
   crashed run): longer than any validation takes. */
#define CHALL_HTTP01_PUBLISH_TTL	3600

struct chall_ops {
	enum chall_type	 type;
	const char	*name;		/* == chall_type_names[type] */
	/*
	 * Builds the per-run context for one challenge configuration (cfg
	 * and dns, the run's resolver settings, are borrowed and live as
	 * long as the run). Returns 0 and *ctx, or -1 with e saying what and
	 * where ("http-01 listen 0.0.0.0:80: Address already in use").
	 */
	int	(*setup)(const struct dns_conf *dns,
		    const struct chall_conf *cfg, const struct log *log,
		    void **ctx, struct err *e);
	/* Makes the answer for it visible. 0 or -1 (e names the hostname). */
	int	(*present)(void *ctx, struct chall_item *it, struct err *e);
	/* Optional (NULL: nothing to wait for): returns once every presented
	   answer of items is visible to the CA, -1 on timeout. */
	int	(*ready)(void *ctx, struct chall_item *const *items, size_t n,
		    struct err *e);
	/* Removes the answer. Never fails the order: problems are logged. */
	void	(*cleanup)(void *ctx, struct chall_item *it);
	/* Frees the context (stops a responder). */
	void	(*teardown)(void *ctx);
	/* Optional: called once right after setup with the run's publisher
	   (NULL when the run has none); -1 fails the setup. */
	int	(*publish_to)(void *ctx, const struct chall_publisher *pub,
		    struct err *e);
};

extern const struct chall_ops chall_http01;
extern const struct chall_ops chall_dns01;

/* The contexts of one run (one `apply`), shared by its orders. */
struct chall_run;

/* dns (borrowed, lives as long as the run): the resolver settings. */
struct chall_run *chall_run_new(const struct dns_conf *dns,
	    const struct log *log);
/* Gives the run its publisher (http-01 publish); pub is borrowed and
   must outlive the run. Call before the first chall_run_get(). */
void	 chall_run_set_publisher(struct chall_run *run,
	    const struct chall_publisher *pub);
/* Tears down every context (stops responders, removes leftovers). */
void	 chall_run_free(struct chall_run *run);
/*
 * The ops and context for cfg: an existing context when an equal
 * configuration was set up before in this run, else a new one. Safe to
 * call from several threads. Returns 0, or -1 with e filled (the type is
 * not built, or setup failed; a failed setup is not retried in the run).
 */
int	 chall_run_get(struct chall_run *run, const struct chall_conf *cfg,
	    const struct chall_ops **ops, void **ctx, struct err *e);

/* The listen responder: how long a client may take to send its request
   head, and how many connections it holds at once (when full, the oldest
   is dropped for a new one). */
#define CHALL_HTTP01_HEAD_MS	2000
#define CHALL_HTTP01_CONN_MAX	256

/* The path of the http-01 resource for a token (no leading host). */
#define CHALL_HTTP01_PREFIX	"/.well-known/acme-challenge/"

#endif
