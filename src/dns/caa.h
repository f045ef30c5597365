/*
 * caa.h - the CAA verdict Let's Encrypt's CA (Boulder, va/caa.go) would
 * give, as pure functions of the looked-up records, so that every rule is
 * unit-tested without DNS. checks/caa.c does the lookups (dns.h), calls
 * these and turns their outcome into a check result.
 *
 * Rules (RFC 8659, RFC 8657, and where Boulder is stricter, Boulder):
 *   - every label of the name up to the TLD is queried; the relevant set
 *     is the first non-empty one walking up; a lookup error at or below
 *     it fails (it could hide records); NXDOMAIN is an empty set, except
 *     at the bare TLD, where it fails;
 *   - tags case-insensitive; iodef, issuemail, issuevmc are known; any
 *     other tag with flag bit 128 or bit 1 forbids every CA;
 *   - a wildcard uses issuewild when the set has one, else issue; an empty
 *     applicable set permits;
 *   - a record authorizes only if it parses, its issuer domain equals one
 *     of the identities exactly (case-sensitive, no trailing dot), its
 *     accounturi (at most one) equals the account URL and its
 *     validationmethods (at most one) lists the challenge type.
 */
#ifndef CERTKEEP_CAA_H
#define CERTKEEP_CAA_H

#include <stddef.h>

/* What the CA would decide. */
enum caa_outcome {
	CAA_ALLOWED,	/* the CA may issue */
	CAA_UNCERTAIN,	/* it may, unless what certkeep cannot know yet (the
			   account, the CA's identity) or a parameter the CA
			   ignores says otherwise */
	CAA_FORBIDDEN,	/* it may not, or a failed lookup could hide a
			   record that forbids it */
	CAA__MAX
};
/* "allowed" "uncertain" "forbidden" */
extern const char *const caa_outcome_names[CAA__MAX];

struct caa_record {
	unsigned	 flags;
	char		*tag;		/* as in DNS (any case) */
	char		*value;		/* bytes of the value, NUL added */
	size_t		 value_len;
};

/* The outcome of the CAA query of one label. */
enum caa_lookup {
	CAA_LOOKUP_RECORDS,	/* at least one CAA record */
	CAA_LOOKUP_EMPTY,	/* NOERROR without CAA records */
	CAA_LOOKUP_NXDOMAIN,
	CAA_LOOKUP_ERROR,	/* SERVFAIL, REFUSED, timeout, ... */
	CAA_LOOKUP__MAX
};

struct caa_label {
	const char		*name;		/* "mail.example.com" */
	enum caa_lookup		 kind;
	const char		*error;		/* CAA_LOOKUP_ERROR: why */
	const char		*via;		/* the CNAME target the answer
						   came from, or NULL */
	const struct caa_record	*v;
	size_t			 n;
};

/* What is being asked for. */
struct caa_request {
	int		 wildcard;	/* the certificate names "*.<name>" */
	char *const	*identities;	/* NULL-terminated issuer domains */
	/* Where the identities came from, for the message ("acme.
	   caa_identities", "the directory's meta.caaIdentities", ...). */
	const char	*identity_source;
	/* 1: the CA's identity is a guess; a record naming another issuer
	   then only warns (issue ";" and critical tags still fail). */
	int		 identity_guessed;
	const char	*account_url;	/* NULL: no account yet */
	const char	*method;	/* "http-01", "dns-01" */
};

/*
 * Picks the relevant set from labels[0] (the name) up to labels[n-1] (the
 * TLD). Returns the index of the relevant set, -1 when no label has CAA
 * records (issuance allowed), or -2 when a lookup error (or NXDOMAIN at
 * the TLD) decides: then *msg says which (malloced, caller frees).
 */
int	 caa_select(const struct caa_label *labels, size_t n, char **msg);

/*
 * The verdict for the relevant set (NULL: none found; labels, n say what
 * was searched for the message). *msg gets a malloced message (caller
 * frees), record values escaped.
 */
enum caa_outcome caa_evaluate(const struct caa_label *set,
	    const struct caa_request *req, char **msg);

/*
 * Both: select, then evaluate. labels/n as for caa_select; the message
 * names the hostname.
 */
enum caa_outcome caa_verdict(const char *hostname,
	    const struct caa_label *labels, size_t n,
	    const struct caa_request *req, char **msg);

/* Parses an issue/issuewild value as Boulder does: 0 and the issuer domain
   (malloced, may be "") or -1 with *why (malloced) saying what is wrong.
   Parameters go to *params as "tag=value" strings (NULL-terminated,
   malloced, free with strv_free); params may be NULL. */
int	 caa_parse_value(const char *value, size_t len, char **domain,
	    char ***params, char **why);

/* The CAA record of a DNS answer's RR: 0, or -1 when it is not flags,
   tag, value; out's members are malloced. */
struct ldns_struct_rr;
int	 caa_parse_rr(const struct ldns_struct_rr *rr, struct caa_record *out);

#endif
