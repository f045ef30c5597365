/*
 * dnsupdate.c - RFC 2136 update of one TXT record, TSIG-signed (ldns
 * builds and signs; tcp.c carries it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/rand.h"
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

/* Whether the secret is base64: its alphabet, then at most two '='. */
static int
secret_is_base64(const char *secret)
{
	size_t n = strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/");
	size_t pad = strspn(secret + n, "=");

	return n > 0 && pad <= 2 && secret[n + pad] == '\0';
}

void
dnsupdate_msg_clear(struct dnsupdate_msg *m)
{
	FREE_ALL(m->wire, m->mac, m->what, m->zone);
	memset(m, 0, sizeof(*m));
}

int
dnsupdate_build(const struct dnsupdate_key *key, const char *zone,
    const char *name, const char *value, unsigned ttl, enum dnsupdate_op op,
    struct dnsupdate_msg *out, struct err *e)
{
	ldns_pkt *q = NULL;
	ldns_rr_list *up = NULL;
	ldns_rr *rr = NULL, *qt;
	ldns_rdf *zrdf = NULL;
	const ldns_rdf *qmac = NULL;
	char *zfq = fqdn(zone), *nfq = fqdn(name), *txt = NULL, *kn = NULL;
	const char *alg = tsig_alg_name(key->algorithm);
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->what = xasprintf("%s TXT %s in zone %s", op == DNSUPDATE_ADD ?
	    "add" : "delete", name, zone);
	out->zone = xstrdup(zone);
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
	if (q == NULL || rand_bytes(&out->id, sizeof(out->id)) == -1) {
		err_set(e, "dns-01: cannot build the update for %s", name);
		goto out;
	}
	ldns_pkt_set_id(q, out->id);
	kn = fqdn(key->name);
	/* Checked first: ldns leaks what it made when signing fails. */
	if (!secret_is_base64(key->secret) ||
	    ldns_pkt_tsig_sign(q, kn, key->secret, TSIG_FUDGE, alg, NULL) !=
	    LDNS_STATUS_OK) {
		err_set(e, "dns-01: cannot sign the update with TSIG key %s "
		    "(%s): is the secret valid base64?", key->name,
		    key->algorithm != NULL ? key->algorithm : "hmac-sha256");
		goto out;
	}
	/* The answer's MAC covers ours (RFC 8945 5.3): kept to verify it. */
	if ((qt = ldns_pkt_tsig(q)) != NULL && ldns_rr_rd_count(qt) > 3)
		qmac = ldns_rr_rdf(qt, 3);
	if (qmac == NULL ||
	    ldns_pkt2wire(&out->wire, q, &out->len) != LDNS_STATUS_OK) {
		err_set(e, "dns-01: cannot encode the update for %s", name);
		goto out;
	}
	out->mac_len = ldns_rdf_size(qmac);
	out->mac = xmalloc(out->mac_len ? out->mac_len : 1);
	memcpy(out->mac, ldns_rdf_data(qmac), out->mac_len);
	rc = 0;
out:
	FREE_ALL(zfq, nfq, txt, kn);
	if (rr != NULL)
		ldns_rr_free(rr);
	if (zrdf != NULL)
		ldns_rdf_deep_free(zrdf);
	if (q != NULL)
		ldns_pkt_free(q);
	if (up != NULL)
		ldns_rr_list_deep_free(up);	/* q holds a clone */
	if (rc == -1)
		dnsupdate_msg_clear(out);
	return rc;
}

int
dnsupdate_check_answer(const struct dnsupdate_msg *req,
    const struct dnsupdate_key *key, const uint8_t *answer, size_t len,
    const char *server, struct err *e)
{
	ldns_pkt *a = NULL;
	ldns_rdf *qmac = NULL;
	char *kn = fqdn(key->name);
	int rc = -1;

	if (ldns_wire2pkt(&a, answer, len) != LDNS_STATUS_OK) {
		a = NULL;
		err_set(e, "RFC 2136 update (%s): malformed answer from %s",
		    req->what, server);
		goto out;
	}
	if (ldns_pkt_id(a) != req->id) {
		err_set(e, "RFC 2136 update of zone %s at %s: answer with the "
		    "wrong ID", req->zone, server);
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
		err_set(e, "RFC 2136 update (%s) at %s with TSIG key %s "
		    "refused: %s%s%s", req->what, server, key->name,
		    rc_name != NULL ? rc_name->name : "error",
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
		err_set(e, "RFC 2136 update (%s): %s answered NOERROR without "
		    "a TSIG signature; not trusted (a server that knows key %s "
		    "signs its answer: a middlebox or an impostor answered)",
		    req->what, server, key->name);
		goto out;
	}
	qmac = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, req->mac_len,
	    req->mac);
	if (qmac == NULL ||
	    !ldns_pkt_tsig_verify(a, answer, len, kn, key->secret, qmac)) {
		err_set(e, "RFC 2136 update (%s): the TSIG signature of the "
		    "answer from %s does not verify with key %s; not trusted "
		    "(forged or altered answer)", req->what, server,
		    key->name);
		goto out;
	}
	rc = 0;
out:
	if (qmac != NULL)
		ldns_rdf_deep_free(qmac);
	if (a != NULL)
		ldns_pkt_free(a);
	free(kn);
	return rc;
}

int
dnsupdate_txt(const char *server, const struct dnsupdate_key *key,
    const char *zone, const char *name, const char *value, unsigned ttl,
    enum dnsupdate_op op, long long timeout_ms, struct err *e)
{
	struct dnsupdate_msg req;
	ldns_pkt *a = NULL;
	uint8_t *awire = NULL;
	size_t alen = 0;
	int rc = -1;

	if (dnsupdate_build(key, zone, name, value, ttl, op, &req, e) == -1)
		return -1;
	a = dns_exchange_tcp(server, req.wire, req.len, timeout_ms, &awire,
	    &alen, e);
	if (a == NULL) {
		err_prefix(e, "RFC 2136 update (%s)", req.what);
		goto out;
	}
	rc = dnsupdate_check_answer(&req, key, awire, alen, server, e);
out:
	if (a != NULL)
		ldns_pkt_free(a);
	free(awire);
	dnsupdate_msg_clear(&req);
	return rc;
}
