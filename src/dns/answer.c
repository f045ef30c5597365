/*
 * answer.c - what an answer says (see dns.h): the rcode, the records of the
 * type asked at the name asked, or a CNAME chain to follow, within the
 * answer or by asking for its target.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "dns/dns.h"
#include "dns/dns_impl.h"

static int
dname_eq(const ldns_rdf *a, const ldns_rdf *b)
{
	return ldns_dname_compare(a, b) == 0;
}

static char *
dname_str(const ldns_rdf *d)
{
	char *s = ldns_rdf2str(d), *r;
	size_t n;

	if (s == NULL)
		return xstrdup("?");
	n = strlen(s);
	if (n > 1 && s[n - 1] == '.')
		s[n - 1] = '\0';
	r = xstrdup(s);
	free(s);
	return r;
}

/*
 * Handles a parsed answer for t. Returns 1 when t is finished or moved on
 * (new question, next server), 0 when the packet was not ours (keep
 * waiting).
 */
int
dns_tx_handle(const struct dns_resolver *r, struct dns_tx *t, ldns_pkt *p)
{
	const struct dns_server *sv = &r->v[t->server];
	ldns_rr_list *q = ldns_pkt_question(p), *an = ldns_pkt_answer(p);
	ldns_rr_list *out = NULL;
	ldns_rr *rr;
	ldns_rdf *cur = NULL;
	size_t i;
	int moved, found;

	if (ldns_pkt_id(p) != t->id || !ldns_pkt_qr(p) ||
	    ldns_rr_list_rr_count(q) != 1 ||
	    ldns_rr_get_type(ldns_rr_list_rr(q, 0)) != t->q->type ||
	    !dname_eq(ldns_rr_owner(ldns_rr_list_rr(q, 0)), t->cur))
		return 0;
	switch (ldns_pkt_get_rcode(p)) {
	case LDNS_RCODE_NOERROR:
	case LDNS_RCODE_NXDOMAIN:
		break;
	case LDNS_RCODE_SERVFAIL:
		dns_tx_fail_server(t, DNS_SERVFAIL,
		    xasprintf("SERVFAIL from %s", sv->label));
		dns_tx_next_server(r, t);
		return 1;
	case LDNS_RCODE_REFUSED:
		dns_tx_fail_server(t, DNS_REFUSED, xasprintf("REFUSED by %s",
		    sv->label));
		dns_tx_next_server(r, t);
		return 1;
	default:
		dns_tx_fail_server(t, DNS_ERROR, xasprintf("rcode %d from %s",
		    (int)ldns_pkt_get_rcode(p), sv->label));
		dns_tx_next_server(r, t);
		return 1;
	}

	/* Walk the chain from the name asked: records of the type at the
	   current name, else a CNAME at it moves us on. */
	cur = ldns_rdf_clone(t->cur);
	moved = 0;
	for (;;) {
		found = 0;
		for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
			rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) != t->q->type ||
			    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
			    !dname_eq(ldns_rr_owner(rr), cur))
				continue;
			if (out == NULL)
				out = ldns_rr_list_new();
			ldns_rr_list_push_rr(out, ldns_rr_clone(rr));
			found = 1;
		}
		if (found || t->q->type == LDNS_RR_TYPE_CNAME)
			break;
		for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
			rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			    dname_eq(ldns_rr_owner(rr), cur) &&
			    ldns_rr_rd_count(rr) == 1)
				break;
		}
		if (i == ldns_rr_list_rr_count(an))
			break;
		if (++t->q->cnames > DNS_MAX_CNAMES) {
			char *n = dname_str(t->cur);
			dns_tx_finish(t, DNS_ERROR, xasprintf("%s: CNAME chain "
			    "longer than %d", n, DNS_MAX_CNAMES));
			free(n);
			ldns_rdf_deep_free(cur);
			return 1;
		}
		ldns_rdf_deep_free(cur);
		cur = ldns_rdf_clone(ldns_rr_rdf(rr, 0));
		moved = 1;
	}
	if (moved) {
		free(t->q->final_name);
		t->q->final_name = dname_str(cur);
	}
	if (out != NULL) {
		t->q->rrs = out;
		dns_tx_finish(t, DNS_OK, NULL);
		ldns_rdf_deep_free(cur);
		return 1;
	}
	if (moved && ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR) {
		/* The chain ends in a CNAME whose target's records are not
		   here (another zone): ask for the target. */
		ldns_rdf_deep_free(t->cur);
		t->cur = cur;
		dns_tx_close(t);
		dns_tx_start(r, t);
		return 1;
	}
	ldns_rdf_deep_free(cur);
	dns_tx_finish(t, ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN ?
	    DNS_NXDOMAIN : DNS_NODATA, NULL);
	return 1;
}

/*
 * The answer handling of dns_resolve() fed from memory (for the fuzzer):
 * each packet of wire[] is taken as the answer to the question then in
 * flight, its ID made to match; r gets the queries for CNAME targets.
 * Returns how many packets were used.
 */
size_t
dns_parse_answers(const struct dns_resolver *r, struct dns_query *q,
    const uint8_t *const *wire, const size_t *len, size_t n)
{
	struct dns_tx t = { .q = q, .fd = -1, .last_status = DNS_ERROR };
	ldns_pkt *p;
	size_t i;

	q->status = DNS_ERROR;
	if (ldns_str2rdf_dname(&t.cur, q->name) != LDNS_STATUS_OK)
		return 0;
	/* The first question is not sent (a CNAME to another zone is). */
	if (dns_tx_build(&t) == 0)
		t.state = TX_SENT;
	for (i = 0; i < n && t.state == TX_SENT; i++) {
		p = NULL;
		if (ldns_wire2pkt(&p, wire[i], len[i]) != LDNS_STATUS_OK)
			continue;
		ldns_pkt_set_id(p, t.id);
		(void)dns_tx_handle(r, &t, p);
		ldns_pkt_free(p);
	}
	if (t.state != TX_DONE)
		dns_tx_finish(&t, DNS_TIMEOUT, xstrdup("no answer"));
	ldns_rdf_deep_free(t.cur);
	free(t.wire);
	free(t.last_error);
	return i;
}
