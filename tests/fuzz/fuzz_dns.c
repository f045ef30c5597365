/*
 * fuzz_dns.c - libFuzzer target for DNS answers on their way into the
 * preflight results. The input is a selector byte, then DNS messages in
 * wire format, each with a 2-byte big-endian length before it (as on
 * TCP). The messages answer, in turn, the questions the checks ask:
 *
 *   selector % 4 == 0  A of mail.example.com     -> the "a" check verdict
 *                   1  AAAA of mail.example.com  -> the "aaaa" check verdict
 *                   2  CAA of mail.example.com, example.com, com (the
 *                      labels up to the TLD) -> the "caa" verdict
 *                   3  the same for *.mail.example.com (issuewild)
 *
 * Each message goes through ldns_wire2pkt() and the resolver's answer
 * handling (dns_parse_answers(): rcodes, the CNAME chain within an answer
 * and across answers, its length limit), then CAA records through
 * caa_parse_rr() and caa_verdict() (caa_parse_value() on every value),
 * addresses through addr_check_judge_answer(). The resolver's queries go
 * to a UDP socket of this process that nobody reads.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/err.h"
#include "base/mem.h"
#include "checks/addr_check.h"
#include "checks/check.h"
#include "dns/caa.h"
#include "dns/dns.h"
#include "manifest/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_MSGS	32

static struct dns_resolver *fz_resolver;

/* A resolver whose server is a socket of ours: queries are sent (and
   dropped), no packet leaves the host. */
static void
fz_init(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	struct err e;
	char server[64], *servers[2] = { server, NULL };
	int fd;

	if (fz_resolver != NULL)
		return;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == -1)
		abort();
	/* fd stays open for the life of the process. */
	snprintf(server, sizeof(server), "127.0.0.1:%u",
	    (unsigned)ntohs(sin.sin_port));
	if ((fz_resolver = dns_resolver_new(servers, 1000, &e)) == NULL)
		abort();
}

/* The CAA lookup of one name, as checks/caa.c turns it into a label. */
struct fz_label {
	struct dns_query	 q;
	struct caa_record	*recs;
	size_t			 nrecs;
};

static void
fz_label_fill(struct fz_label *l, struct caa_label *out)
{
	size_t i, n;

	memset(out, 0, sizeof(*out));
	out->name = l->q.name;
	out->via = l->q.final_name;
	switch (l->q.status) {
	case DNS_OK:
		n = ldns_rr_list_rr_count(l->q.rrs);
		l->recs = xcalloc(n ? n : 1, sizeof(*l->recs));
		for (i = 0; i < n; i++)
			if (caa_parse_rr(ldns_rr_list_rr(l->q.rrs, i),
			    &l->recs[l->nrecs]) == 0)
				l->nrecs++;
		out->kind = l->nrecs ? CAA_LOOKUP_RECORDS : CAA_LOOKUP_EMPTY;
		out->v = l->recs;
		out->n = l->nrecs;
		break;
	case DNS_NODATA:
		out->kind = CAA_LOOKUP_EMPTY;
		break;
	case DNS_NXDOMAIN:
		out->kind = CAA_LOOKUP_NXDOMAIN;
		break;
	default:
		out->kind = CAA_LOOKUP_ERROR;
		out->error = dns_query_describe(&l->q);
		break;
	}
}

static void
fz_caa(int wildcard, const uint8_t *const *msg, const size_t *len,
    size_t n)
{
	static char *const ids[] = { "letsencrypt.org", NULL };
	static const char *const names[] = {
		"mail.example.com", "example.com", "com",
	};
	struct fz_label l[3];
	struct caa_label labels[3];
	struct caa_request req;
	size_t i, j, used = 0;
	char *text = NULL;
	enum caa_outcome st;

	for (i = 0; i < 3; i++) {
		memset(&l[i], 0, sizeof(l[i]));
		dns_query_init(&l[i].q, names[i], LDNS_RR_TYPE_CAA);
		used += dns_parse_answers(fz_resolver, &l[i].q, msg + used,
		    len + used, n - used);
		fz_label_fill(&l[i], &labels[i]);
	}
	memset(&req, 0, sizeof(req));
	req.wildcard = wildcard;
	req.identities = ids;
	req.identity_source = "acme.caa_identities";
	req.account_url = "https://acme-v02.api.letsencrypt.org/acme/acct/1";
	req.method = wildcard ? "dns-01" : "http-01";
	st = caa_verdict("mail.example.com", labels, 3, &req, &text);
	if (st >= CAA__MAX || text == NULL)
		abort();	/* always a verdict and a message */
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "caa %d: %s\n", (int)st, text);
	free(text);
	for (i = 0; i < 3; i++) {
		for (j = 0; j < l[i].nrecs; j++) {
			free(l[i].recs[j].tag);
			free(l[i].recs[j].value);
		}
		free(l[i].recs);
		dns_query_clear(&l[i].q);
	}
}

static void
fz_addr(int family, const uint8_t *const *msg, const size_t *len, size_t n)
{
	static char *hosts[] = { "mail.example.com", NULL };
	static char *addrs[] = { "192.0.2.1", "2001:db8::1", NULL };
	struct mcert c;
	struct dns_query q;
	struct check_results out;

	memset(&c, 0, sizeof(c));
	c.name = "mail";
	c.hostnames = hosts;
	c.nhostnames = 1;
	c.addresses = addrs;
	c.naddresses = 2;
	check_results_init(&out);
	dns_query_init(&q, hosts[0], family == 4 ? LDNS_RR_TYPE_A :
	    LDNS_RR_TYPE_AAAA);
	(void)dns_parse_answers(fz_resolver, &q, msg, len, n);
	if (q.status == DNS_OK) {
		if (q.rrs == NULL || ldns_rr_list_rr_count(q.rrs) == 0)
			abort();	/* OK means records */
		addr_check_judge_answer(&c, hosts[0], &q, family, &out);
		/* With addresses given too (the other branch). */
		c.naddresses = 0;
		addr_check_judge_answer(&c, hosts[0], &q, family, &out);
		if (out.n != 2)
			abort();
		if (getenv("FUZZ_VERBOSE") != NULL)
			fprintf(stderr, "%s\n", out.v[0].message);
	} else if (getenv("FUZZ_VERBOSE") != NULL) {
		fprintf(stderr, "%s\n", dns_query_describe(&q));
	}
	check_results_clear(&out);
	dns_query_clear(&q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *msg[FZ_MAX_MSGS];
	size_t len[FZ_MAX_MSGS], n = 0, off = 1, l;

	if (size < 1)
		return 0;
	fz_init();
	while (n < FZ_MAX_MSGS && off + 2 <= size) {
		l = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (l > size - off)
			l = size - off;
		msg[n] = data + off;
		len[n++] = l;
		off += l;
	}
	switch (data[0] % 4) {
	case 0:
		fz_addr(4, msg, len, n);
		break;
	case 1:
		fz_addr(6, msg, len, n);
		break;
	default:
		fz_caa(data[0] % 4 == 3, msg, len, n);
		break;
	}
	return 0;
}
