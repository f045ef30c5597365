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

#include "store/store.h"

struct acme;
struct chall_run;
struct err;
struct key;
struct log;
struct mcert;

enum order_stage {
	ORDER_STAGE_ORDER,		/* newOrder / resuming */
	ORDER_STAGE_AUTHZ,		/* challenges and authorizations */
	ORDER_STAGE_FINALIZE,
	ORDER_STAGE_DOWNLOAD,
	ORDER_STAGE__MAX
};
/* "order", "authorization", "finalize", "download" */
extern const char *const order_stage_names[ORDER_STAGE__MAX];

struct order_req {
	const struct mcert	*cert;		/* names, challenge */
	const struct key	*key;		/* the certificate key (CSR) */
	const char		*profile;	/* NULL: none */
	const char		*replaces;	/* ARI certID or NULL */
	const char		*resume_url;	/* an earlier order, or NULL */
	struct chall_run	*chall;
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
	long		 requests;	/* ACME requests this order made */
};
void	 order_result_clear(struct order_result *r);

/*
 * Runs the order to a certificate. Returns 0 with res filled, or -1 with
 * one message in e naming the certificate's hostname that failed and the
 * CA's problem, res->stage where it stopped and acme_last_class(a) saying
 * what kind of failure it was.
 */
int	 order_run(struct acme *a, const struct order_req *req,
	    struct order_result *res, struct err *e);

/*
 * Splits a PEM chain: the first certificate goes to *leaf, the others to
 * *chain (malloced, "" when none). Returns 0, or -1 when no certificate.
 */
int	 order_split_chain(const char *pem, size_t len, char **leaf,
	    char **chain, struct err *e);

#endif
