/*
 * chall.h - answering ACME challenges (RFC 8555 section 8). One file per
 * challenge type, each defining one `const struct chall_ops`, listed in
 * chall_table[] (chall.c):
 *
 *   chall_http01.c   http-01: webroot (token file written atomically under
 *                    <webroot>/.well-known/acme-challenge/, removed after)
 *                    or listen (a built-in responder thread on that address
 *                    serving only /.well-known/acme-challenge/<token>)
 *                    or publish (put into the store for serve-http01,
 *                    through the run's struct chall_publisher)
 *   chall_dns01.c    dns-01: TXT _acme-challenge.<name> via RFC 2136
 *                    (written by the DNS module)
 *
 * Lifecycle, driven by order.c for each order (many orders may run at
 * once, in several threads, sharing one struct chall_run):
 *
 *   apply:  run = chall_run_new(m, log)
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

#include "manifest/manifest.h"

struct err;
struct log;

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
	 * Builds the per-run context for one challenge configuration (cfg,
	 * borrowed from the manifest, lives as long as the run). Returns 0
	 * and *ctx, or -1 with e saying what and where ("http-01 listen
	 * 0.0.0.0:80: Address already in use").
	 */
	int	(*setup)(const struct manifest *m, const struct mchallenge *cfg,
		    const struct log *log, void **ctx, struct err *e);
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

/* Indexed by enum chall_type; an entry is NULL while not built. */
extern const struct chall_ops *const chall_table[CHALL__MAX];

extern const struct chall_ops chall_http01;
extern const struct chall_ops chall_dns01;

/* The contexts of one run (one `apply`), shared by its orders. */
struct chall_run;

struct chall_run *chall_run_new(const struct manifest *m,
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
int	 chall_run_get(struct chall_run *run, const struct mchallenge *cfg,
	    const struct chall_ops **ops, void **ctx, struct err *e);

/* The listen responder: how long a client may take to send its request
   head, and how many connections it holds at once (when full, the oldest
   is dropped for a new one). */
#define CHALL_HTTP01_HEAD_MS	2000
#define CHALL_HTTP01_CONN_MAX	256

/* The path of the http-01 resource for a token (no leading host). */
#define CHALL_HTTP01_PREFIX	"/.well-known/acme-challenge/"

#endif
