/*
 * addr_check.c - the A/AAAA preflight of checks/a.c and checks/aaaa.c
 * (see addr_check.h).
 *
 * Per hostname and family: an error (SERVFAIL, timeout, REFUSED) fails;
 * NXDOMAIN fails; no record of this family passes when the other family
 * has one (IPv4-only and IPv6-only hosts are fine) and fails when the
 * name has no address at all. With `addresses`, every answer must be one
 * of them (an extra address fails: the CA could connect there); listed
 * addresses that DNS does not return are named but pass ("covered").
 *
 * A wildcard "*.example.com" is validated by dns-01 only, so the CA never
 * connects to it; its check queries the literal "*.example.com", which a
 * DNS wildcard record answers: without one only a warning (the names
 * under it may have records of their own), with `addresses` a mismatch
 * still fails.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "checks/addr_check.h"
#include "dns/dns.h"
#include "manifest/manifest.h"

/* The address in an A/AAAA record as text, malloced ("" if malformed). */
static char *
rr_addr(const ldns_rr *rr)
{
	char buf[INET6_ADDRSTRLEN];
	const ldns_rdf *d = ldns_rr_rdf(rr, 0);

	if (d == NULL)
		return xstrdup("");
	if (ldns_rdf_get_type(d) == LDNS_RDF_TYPE_A &&
	    ldns_rdf_size(d) == 4 &&
	    inet_ntop(AF_INET, ldns_rdf_data(d), buf, sizeof(buf)) != NULL)
		return xstrdup(buf);
	if (ldns_rdf_get_type(d) == LDNS_RDF_TYPE_AAAA &&
	    ldns_rdf_size(d) == 16 &&
	    inet_ntop(AF_INET6, ldns_rdf_data(d), buf, sizeof(buf)) != NULL)
		return xstrdup(buf);
	return xstrdup("");
}

/* Same address (compared in binary, so any spelling of v6 matches). */
static int
addr_eq(const char *a, const char *b, int family)
{
	unsigned char x[16], y[16];
	int af = family == 4 ? AF_INET : AF_INET6;

	if (inet_pton(af, a, x) != 1 || inet_pton(af, b, y) != 1)
		return 0;
	return memcmp(x, y, family == 4 ? 4 : 16) == 0;
}

static int
addr_family(const char *a)
{
	unsigned char x[16];

	if (inet_pton(AF_INET, a, x) == 1)
		return 4;
	if (inet_pton(AF_INET6, a, x) == 1)
		return 6;
	return 0;
}

/* The verdict for one hostname with records of this family. */
static void
judge_records(const struct mcert *c, const char *check, const char *host,
    const struct dns_query *q, int family, struct check_results *out)
{
	struct buf got, extra, missing;
	size_t i, j;
	const char *type = family == 4 ? "A" : "AAAA";
	char *a, *via = NULL;
	int found;

	buf_init(&got);
	buf_init(&extra);
	buf_init(&missing);
	if (q->final_name != NULL)
		via = xasprintf(" (via CNAME %s)", q->final_name);
	for (i = 0; i < ldns_rr_list_rr_count(q->rrs); i++) {
		a = rr_addr(ldns_rr_list_rr(q->rrs, i));
		buf_printf(&got, "%s%s", got.len ? ", " : "", a);
		found = 0;
		for (j = 0; j < c->naddresses; j++)
			if (addr_eq(a, c->addresses[j], family))
				found = 1;
		if (!found)
			buf_printf(&extra, "%s%s", extra.len ? ", " : "", a);
		free(a);
	}
	for (j = 0; j < c->naddresses; j++) {
		if (addr_family(c->addresses[j]) != family)
			continue;
		found = 0;
		for (i = 0; i < ldns_rr_list_rr_count(q->rrs); i++) {
			a = rr_addr(ldns_rr_list_rr(q->rrs, i));
			if (addr_eq(a, c->addresses[j], family))
				found = 1;
			free(a);
		}
		if (!found)
			buf_printf(&missing, "%s%s", missing.len ? ", " : "",
			    c->addresses[j]);
	}
	if (c->naddresses == 0)
		check_results_add(out, check, host, CHECK_PASS, "%s %s%s",
		    type, got.data, via ? via : "");
	else if (extra.len)
		check_results_add(out, check, host, CHECK_FAIL, "%s %s%s: "
		    "%s not in addresses (the CA would connect there)%s%s",
		    type, got.data, via ? via : "", extra.data,
		    missing.len ? "; missing from DNS: " : "",
		    missing.len ? missing.data : "");
	else if (missing.len)
		check_results_add(out, check, host, CHECK_PASS, "%s %s%s: "
		    "covered by addresses (missing from DNS: %s)", type,
		    got.data, via ? via : "", missing.data);
	else
		check_results_add(out, check, host, CHECK_PASS, "%s %s%s: "
		    "matches addresses", type, got.data, via ? via : "");
	free(via);
	buf_clear(&got);
	buf_clear(&extra);
	buf_clear(&missing);
}

/* The verdict on one answer with records (DNS_OK), for the fuzzer. */
void
addr_check_judge_answer(const struct mcert *c, const char *host,
    const struct dns_query *q, int family, struct check_results *out)
{
	judge_records(c, family == 4 ? "a" : "aaaa", host, q, family, out);
}

int
addr_check_run(const struct check_env *env, const struct mcert *c,
    struct check_results *out, int family)
{
	const char *check = family == 4 ? "a" : "aaaa";
	const char *type = family == 4 ? "A" : "AAAA";
	const char *other = family == 4 ? "AAAA" : "A";
	struct dns_resolver *own = NULL;
	const struct dns_resolver *r = env->dns;
	struct dns_query *q = NULL, *o = NULL;
	size_t i, n = c->nhostnames, no = 0, *omap = NULL;
	struct err e;

	if (n == 0)
		return 0;
	if (r == NULL) {
		own = dns_resolver_from_conf(&env->m->dns, &e);
		if (own == NULL) {
			check_results_add(out, check, NULL, CHECK_FAIL, "%s",
			    e.msg);
			return -1;
		}
		r = own;
	}
	q = xcalloc(n, sizeof(*q));
	for (i = 0; i < n; i++)
		dns_query_init(&q[i], c->hostnames[i], family == 4 ?
		    LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA);
	dns_resolve(r, q, n);

	/* Names without records of this family: does the other exist? */
	o = xcalloc(n, sizeof(*o));
	omap = xcalloc(n, sizeof(*omap));
	for (i = 0; i < n; i++) {
		if (q[i].status != DNS_NODATA)
			continue;
		dns_query_init(&o[no], c->hostnames[i], family == 4 ?
		    LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A);
		omap[i] = no++;
	}
	dns_resolve(r, o, no);

	for (i = 0; i < n; i++) {
		const char *h = c->hostnames[i];
		int wild = strncmp(h, "*.", 2) == 0;
		const struct dns_query *x;

		switch (q[i].status) {
		case DNS_OK:
			judge_records(c, check, h, &q[i], family, out);
			break;
		case DNS_NXDOMAIN:
			check_results_add(out, check, h, wild ? CHECK_WARN :
			    CHECK_FAIL, "%s does not exist (NXDOMAIN)%s", h,
			    wild ? ": no DNS wildcard record; a wildcard is "
			    "validated by dns-01 only, so this only matters "
			    "to clients" : "");
			break;
		case DNS_NODATA:
			x = &o[omap[i]];
			if (x->status == DNS_OK)
				check_results_add(out, check, h, CHECK_PASS,
				    "no %s record (%s present: IPv%d only)",
				    type, other, family == 4 ? 6 : 4);
			else if (x->status == DNS_NODATA ||
			    x->status == DNS_NXDOMAIN)
				check_results_add(out, check, h, wild ?
				    CHECK_WARN : CHECK_FAIL, "no address: "
				    "neither A nor AAAA record for %s", h);
			else
				check_results_add(out, check, h, CHECK_FAIL,
				    "no %s record, and the %s lookup failed: "
				    "%s", type, other, dns_query_describe(x));
			break;
		default:
			check_results_add(out, check, h, CHECK_FAIL, "%s lookup "
			    "for %s failed: %s", type, h,
			    dns_query_describe(&q[i]));
			break;
		}
	}
	for (i = 0; i < n; i++)
		dns_query_clear(&q[i]);
	for (i = 0; i < no; i++)
		dns_query_clear(&o[i]);
	FREE_ALL(q, o, omap);
	dns_resolver_free(own);
	return 0;
}
