/*
 * dnsupdate.c - RFC 2136 update of one TXT record, TSIG-signed (ldns
 * builds and signs; tcp.c carries it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "dns/dns.h"
#include "dns/dnsupdate.h"

#define TSIG_FUDGE	300

/* "hmac-sha256" -> "hmac-sha256." as ldns names it; NULL if unknown. */
static const char *
tsig_alg_name(const char *a)
{
	static const char *const algs[][2] = {
		{ "hmac-md5", "hmac-md5.sig-alg.reg.int." },
		{ "hmac-sha1", "hmac-sha1." },
		{ "hmac-sha224", "hmac-sha224." },
		{ "hmac-sha256", "hmac-sha256." },
		{ "hmac-sha384", "hmac-sha384." },
		{ "hmac-sha512", "hmac-sha512." },
	};
	size_t i, n = a != NULL ? strlen(a) : 0;

	if (a == NULL)
		return "hmac-sha256.";
	if (n > 0 && a[n - 1] == '.')
		n--;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strlen(algs[i][0]) == n && strncmp(algs[i][0], a, n) == 0)
			return algs[i][1];
	return NULL;
}

static char *
fqdn(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '.' ? xstrdup(s) : xasprintf("%s.", s);
}

static const char *
tsig_error_name(unsigned e)
{
	switch (e) {
	case 16:
		return "BADSIG: the secret does not match the server's";
	case 17:
		return "BADKEY: the server does not know this key name or "
		    "algorithm";
	case 18:
		return "BADTIME: the clocks differ by more than 5 minutes";
	case 22:
		return "BADTRUNC";
	default:
		return NULL;
	}
}

int
dnsupdate_txt(const char *server, const struct dnsupdate_key *key,
    const char *zone, const char *name, const char *value, unsigned ttl,
    enum dnsupdate_op op, long long timeout_ms, struct err *e)
{
	ldns_pkt *q = NULL, *a = NULL;
	ldns_rr_list *up = NULL;
	ldns_rr *rr = NULL;
	ldns_rdf *zrdf = NULL;
	const ldns_rdf *qmac = NULL;
	ldns_rr *qt;
	uint8_t *wire = NULL, *awire = NULL;
	size_t wlen = 0, alen = 0;
	char *zfq = fqdn(zone), *nfq = fqdn(name), *txt = NULL, *kn = NULL;
	const char *alg = tsig_alg_name(key->algorithm), *opname;
	uint16_t id;
	int rc = -1;

	opname = op == DNSUPDATE_ADD ? "add" : "delete";
	if (alg == NULL) {
		err_set(e, "TSIG algorithm \"%s\" of key %s is not supported "
		    "(hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha224, "
		    "hmac-sha1, hmac-md5)", key->algorithm, key->name);
		goto out;
	}
	/* The value is base64url: no quotes or backslashes to escape. */
	txt = xasprintf("%s %u IN TXT \"%s\"", nfq, op == DNSUPDATE_ADD ?
	    ttl : 0, value);
	if (ldns_rr_new_frm_str(&rr, txt, 0, NULL, NULL) != LDNS_STATUS_OK ||
	    ldns_str2rdf_dname(&zrdf, zfq) != LDNS_STATUS_OK) {
		err_set(e, "dns-01: cannot build the TXT record for %s", name);
		goto out;
	}
	if (op == DNSUPDATE_DELETE)
		ldns_rr_set_class(rr, LDNS_RR_CLASS_NONE);	/* RFC 2136 2.5.4 */
	up = ldns_rr_list_new();
	ldns_rr_list_push_rr(up, rr);
	rr = NULL;
	q = ldns_update_pkt_new(zrdf, LDNS_RR_CLASS_IN, NULL, up, NULL);
	zrdf = NULL;	/* owned by q */
	if (q == NULL || rand_bytes(&id, sizeof(id)) == -1) {
		err_set(e, "dns-01: cannot build the update for %s", name);
		goto out;
	}
	ldns_pkt_set_id(q, id);
	kn = fqdn(key->name);
	if (ldns_pkt_tsig_sign(q, kn, key->secret, TSIG_FUDGE, alg, NULL) !=
	    LDNS_STATUS_OK) {
		err_set(e, "dns-01: cannot sign the update with TSIG key %s "
		    "(%s): is the secret valid base64?", key->name,
		    key->algorithm != NULL ? key->algorithm : "hmac-sha256");
		goto out;
	}
	/* The answer's MAC covers ours (RFC 8945 5.3): kept to verify it. */
	if ((qt = ldns_pkt_tsig(q)) != NULL && ldns_rr_rd_count(qt) > 3)
		qmac = ldns_rr_rdf(qt, 3);
	if (qmac == NULL || ldns_pkt2wire(&wire, q, &wlen) != LDNS_STATUS_OK) {
		err_set(e, "dns-01: cannot encode the update for %s", name);
		goto out;
	}
	a = dns_exchange_tcp(server, wire, wlen, timeout_ms, &awire, &alen,
	    e);
	if (a == NULL) {
		err_prefix(e, "RFC 2136 update (%s TXT %s in zone %s)", opname,
		    name, zone);
		goto out;
	}
	if (ldns_pkt_id(a) != id) {
		err_set(e, "RFC 2136 update of zone %s at %s: answer with the "
		    "wrong ID", zone, server);
		goto out;
	}
	if (ldns_pkt_get_rcode(a) != LDNS_RCODE_NOERROR) {
		ldns_lookup_table *rc_name = ldns_lookup_by_id(ldns_rcodes,
		    (int)ldns_pkt_get_rcode(a));
		ldns_rr *t = ldns_pkt_tsig(a);
		const char *terr = NULL;
		if (t != NULL && ldns_rr_rd_count(t) > 5 &&
		    ldns_rr_rdf(t, 5) != NULL &&
		    ldns_rdf_size(ldns_rr_rdf(t, 5)) == 2)
			terr = tsig_error_name(ldns_rdf2native_int16(
			    ldns_rr_rdf(t, 5)));
		err_set(e, "RFC 2136 update (%s TXT %s in zone %s) at %s with "
		    "TSIG key %s refused: %s%s%s", opname, name, zone, server,
		    key->name, rc_name != NULL ? rc_name->name : "error",
		    terr != NULL ? ", TSIG " : "", terr != NULL ? terr :
		    (ldns_pkt_get_rcode(a) == LDNS_RCODE_NOTAUTH ? " (wrong "
		    "key or secret, or the key may not update this zone)" :
		    ldns_pkt_get_rcode(a) == LDNS_RCODE_REFUSED ? " (the "
		    "server does not allow this key to update the zone)" :
		    ""));
		goto out;
	}
	/* A NOERROR counts only when signed with our key over our request:
	   anyone on the path can forge an unsigned one. */
	if (ldns_pkt_tsig(a) == NULL) {
		err_set(e, "RFC 2136 update (%s TXT %s in zone %s): %s "
		    "answered NOERROR without a TSIG signature; not trusted "
		    "(a server that knows key %s signs its answer: a "
		    "middlebox or an impostor answered)", opname, name, zone,
		    server, key->name);
		goto out;
	}
	if (!ldns_pkt_tsig_verify(a, awire, alen, kn, key->secret, qmac)) {
		err_set(e, "RFC 2136 update (%s TXT %s in zone %s): the TSIG "
		    "signature of the answer from %s does not verify with key "
		    "%s; not trusted (forged or altered answer)", opname,
		    name, zone, server, key->name);
		goto out;
	}
	rc = 0;
out:
	free(wire);
	free(awire);
	free(zfq);
	free(nfq);
	free(txt);
	free(kn);
	if (rr != NULL)
		ldns_rr_free(rr);
	if (zrdf != NULL)
		ldns_rdf_deep_free(zrdf);
	if (q != NULL)
		ldns_pkt_free(q);
	if (up != NULL)
		ldns_rr_list_deep_free(up);	/* q holds a clone */
	if (a != NULL)
		ldns_pkt_free(a);
	return rc;
}
