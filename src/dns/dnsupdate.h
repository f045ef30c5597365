/*
 * dnsupdate.h - RFC 2136 dynamic updates signed with TSIG (RFC 8945),
 * for dns-01: add or delete one TXT record in a zone on the primary.
 */
#ifndef CERTKEEP_DNSUPDATE_H
#define CERTKEEP_DNSUPDATE_H

struct err;

struct dnsupdate_key {
	const char	*name;		/* "certkeep." */
	const char	*algorithm;	/* "hmac-sha256" (also 224/384/512,
					   "hmac-sha1", "hmac-md5") */
	const char	*secret;	/* base64 */
};

enum dnsupdate_op {
	DNSUPDATE_ADD,
	DNSUPDATE_DELETE,	/* that one value only */
};

/*
 * Sends one update of zone (no trailing dot needed) to server
 * ("host[:port]") over TCP: add or delete TXT `value` at name with ttl.
 * Returns 0 when the server answered NOERROR signed with the same key
 * over this request (an unsigned or badly signed NOERROR is a failure:
 * anyone on the path could forge it), else -1 with e naming the server,
 * the zone and the key ("... refused the update: NOTAUTH, TSIG BADSIG:
 * the secret of key certkeep. does not match the server's").
 */
int	 dnsupdate_txt(const char *server, const struct dnsupdate_key *key,
	    const char *zone, const char *name, const char *value,
	    unsigned ttl, enum dnsupdate_op op, long long timeout_ms,
	    struct err *e);

#endif
