/*
 * dnsupdate.h - RFC 2136 dynamic updates signed with TSIG (RFC 8945),
 * for dns-01: add or delete one TXT record in a zone on the primary.
 */
#ifndef CERTKEEP_DNSUPDATE_H
#define CERTKEEP_DNSUPDATE_H

#include <stddef.h>
#include <stdint.h>

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
 * One update message, built and signed: its wire form, ID and the
 * request's MAC (which the answer's MAC must cover, RFC 8945 5.3), and
 * what it does, for messages. Filled by dnsupdate_build(); free the
 * members with dnsupdate_msg_clear().
 */
struct dnsupdate_msg {
	uint8_t		*wire;
	size_t		 len;
	uint16_t	 id;
	uint8_t		*mac;		/* the request's MAC */
	size_t		 mac_len;
	char		*what;		/* "add TXT NAME in zone ZONE" */
	char		*zone;
};

/*
 * Builds the update of zone (no trailing dot needed): add or delete TXT
 * `value` at name with ttl (0 for a delete, class NONE: that value only,
 * RFC 2136 2.5.4), signed with key. Returns 0, or -1 with e (an unknown
 * algorithm, a secret that is not base64, a name that is not one).
 */
int	 dnsupdate_build(const struct dnsupdate_key *key, const char *zone,
	    const char *name, const char *value, unsigned ttl,
	    enum dnsupdate_op op, struct dnsupdate_msg *out, struct err *e);
void	 dnsupdate_msg_clear(struct dnsupdate_msg *m);

/*
 * Whether the answer (wire bytes, from server, for messages) to req
 * grants it: 0 for a NOERROR with req's ID signed with key over req's
 * MAC; else -1 with e saying why (another rcode, with the TSIG error when
 * there is one; unsigned; a MAC that does not verify; another ID).
 */
int	 dnsupdate_check_answer(const struct dnsupdate_msg *req,
	    const struct dnsupdate_key *key, const uint8_t *answer,
	    size_t len, const char *server, struct err *e);

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
