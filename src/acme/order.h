/*
 * order.h - one certificate order (RFC 8555 7.4) as an explicit state
 * machine over the order's status: place (or resume) the order, answer
 * the pending authorizations through the challenge interface (chall.h),
 * finalize with a CSR, download the chain and split it into leaf and
 * intermediates. The result is a set ready for staging; nothing is
 * written to the store here except through the callbacks.
 */
#ifndef CERTKEEP_ORDER_H
#define CERTKEEP_ORDER_H

#include <stddef.h>

#include "acme/acme.h"

struct chall_ops;
struct err;
struct key;
struct log;

enum order_stage {
	ORDER_STAGE_ORDER,		/* newOrder / resuming */
	ORDER_STAGE_AUTHZ,		/* challenges and authorizations */
	ORDER_STAGE_FINALIZE,
	ORDER_STAGE_DOWNLOAD,
	ORDER_STAGE__MAX
};
/* "order", "authorization", "finalize", "download" */
extern const char *const order_stage_names[ORDER_STAGE__MAX];

/* What to order; everything borrowed for the order's time. */
struct order_req {
	const char		*name;		/* the certificate, for logs */
	char *const		*hostnames;	/* the identifiers, the CSR's
						   names (NULL-terminated) */
	size_t			 nhostnames;
	const struct key	*key;		/* the certificate key (CSR) */
	const char		*profile;	/* NULL: none */
	const char		*replaces;	/* ARI certID or NULL */
	const char		*resume_url;	/* an earlier order, or NULL */
	/* The challenge type to answer ("http-01", "dns-01"), and how to
	   answer it: chall_get() gives the ops and context (chall.h), asked
	   only when an authorization is pending; 0, or -1 with e. */
	const char		*chall_type;
	int			(*chall_get)(void *arg,
				    const struct chall_ops **ops, void **ctx,
				    struct err *e);
	void			*chall_arg;
	const struct log	*log;
	/* Called with the order URL as soon as the CA assigned it (so an
	   interrupted run can resume); may be NULL. */
	void			(*on_order)(void *arg, const char *url);
	void			*arg;
	long long		 timeout_ms;	/* per wait; 0: 120 s */
};

struct order_result {
	char		*cert;		/* leaf PEM, malloced */
	char		*chain;		/* intermediates PEM ("" when none) */
	char		*order_url;	/* malloced */
	int		 resumed;	/* the order came from resume_url */
	enum order_stage stage;		/* where it failed */
	int		 validation_failed;	/* an authorization was invalid */
	char		*problem_type;	/* of the failure: URN or NULL */
	long long	 retry_after;	/* of the failure: the CA's
					   Retry-After in seconds, -1 none */
	long		 requests;	/* ACME requests this order made */
};
void	 order_result_clear(struct order_result *r);

/*
 * Runs the order to a certificate. Returns ACME_OK with res filled, or
 * the kind of failure with one message in e naming the certificate's
 * hostname that failed and the CA's problem, res->stage where it stopped
 * and res->problem_type and res->retry_after what the CA said.
 */
enum acme_result order_run(struct acme *a, const struct order_req *req,
	    struct order_result *res, struct err *e);

/*
 * Splits a PEM chain: the first certificate goes to *leaf, the others to
 * *chain (malloced, "" when none). Returns 0, or -1 when no certificate.
 */
int	 order_split_chain(const char *pem, size_t len, char **leaf,
	    char **chain, struct err *e);

#endif
