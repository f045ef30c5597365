/* Unit tests of the resolver's pure parts: server addresses, statuses. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/err.h"
#include "base/mem.h"
#include "dns/dns.h"
#include "tap.h"

static int
port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* A UDP server on loopback answering every A question with 192.0.2.7,
   counting the questions; stops after "stop.example." is asked. */
struct responder {
	int	 fd;
	int	 port;
	_Atomic int asked;	/* read by the test thread */
};

static void *
responder_run(void *arg)
{
	struct responder *rs = arg;
	struct sockaddr_storage from;
	socklen_t flen;
	uint8_t buf[4096], *out;
	ldns_pkt *q, *a;
	ldns_rr *rr, *question;
	size_t olen;
	ssize_t n;
	char *name;
	int stop;

	for (;;) {
		flen = sizeof(from);
		n = recvfrom(rs->fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &flen);
		if (n <= 0 ||
		    ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
			continue;
		question = ldns_rr_list_rr(ldns_pkt_question(q), 0);
		name = ldns_rdf2str(ldns_rr_owner(question));
		stop = strcmp(name, "stop.example.") == 0;
		rs->asked++;
		a = ldns_pkt_clone(q);
		ldns_pkt_set_qr(a, 1);
		ldns_pkt_set_aa(a, 1);
		if (ldns_rr_get_type(question) == LDNS_RR_TYPE_A) {
			char *txt = xasprintf("%s 60 IN A 192.0.2.7", name);

			if (ldns_rr_new_frm_str(&rr, txt, 0, NULL, NULL) ==
			    LDNS_STATUS_OK)
				ldns_pkt_push_rr(a, LDNS_SECTION_ANSWER, rr);
			free(txt);
		}
		if (ldns_pkt2wire(&out, a, &olen) == LDNS_STATUS_OK) {
			(void)sendto(rs->fd, out, olen, 0,
			    (struct sockaddr *)&from, flen);
			free(out);
		}
		ldns_pkt_free(a);
		ldns_pkt_free(q);
		free(name);
		if (stop)
			break;
	}
	return NULL;
}

/* dns_resolver_cache_answers(): a question asked again (in any case) is
   answered from memory; without the cache it goes out again. */
static void
test_cache(void)
{
	struct responder rs;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	struct dns_resolver *r;
	struct dns_query q[2];
	pthread_t tid;
	struct err e;
	char srv[64], *servers[] = { srv, NULL };
	int i;

	memset(&rs, 0, sizeof(rs));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rs.fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (rs.fd == -1 || bind(rs.fd, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1 || getsockname(rs.fd, (struct sockaddr *)&sin,
	    &sl) == -1 || pthread_create(&tid, NULL, responder_run, &rs) != 0) {
		ok(0, "loopback responder");
		return;
	}
	snprintf(srv, sizeof(srv), "127.0.0.1:%d", ntohs(sin.sin_port));
	r = dns_resolver_new(servers, 2000, &e);
	ok(r != NULL && !dns_resolver_caches(r),
	    "a new resolver keeps nothing");
	dns_resolver_cache_answers(r);
	ok(dns_resolver_caches(r), "until asked to");
	for (i = 0; i < 2; i++) {
		dns_query_init(&q[i], i == 0 ? "www.example" : "WWW.Example.",
		    LDNS_RR_TYPE_A);
		dns_resolve(r, &q[i], 1);
	}
	ok(q[0].status == DNS_OK && q[1].status == DNS_OK &&
	    q[1].rrs != NULL && ldns_rr_list_rr_count(q[1].rrs) == 1,
	    "both answered, the second with the record");
	is_int(rs.asked, 1, "the server was asked once");
	for (i = 0; i < 2; i++)
		dns_query_clear(&q[i]);
	dns_resolver_free(r);

	r = dns_resolver_new(servers, 2000, &e);
	for (i = 0; i < 2; i++) {
		dns_query_init(&q[i], "www.example", LDNS_RR_TYPE_A);
		dns_resolve(r, &q[i], 1);
	}
	is_int(rs.asked, 3, "without the cache: asked again");
	dns_query_clear(&q[0]);
	dns_query_clear(&q[1]);
	dns_query_init(&q[0], "stop.example", LDNS_RR_TYPE_A);
	dns_resolve(r, &q[0], 1);
	dns_query_clear(&q[0]);
	dns_resolver_free(r);
	pthread_join(tid, NULL);
	close(rs.fd);
}

int
main(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct dns_resolver *r;
	struct dns_query q;
	struct err e;
	char *d;
	char *servers[] = { "127.0.0.1:5353", "[::1]:53", "192.0.2.1", NULL };
	char *bad[] = { "ns1.example.com", NULL };

	ok(dns_parse_server("192.0.2.53", 53, &ss, &len) == 0 &&
	    ss.ss_family == AF_INET && port_of(&ss) == 53, "bare v4");
	ok(dns_parse_server("192.0.2.53:5353", 53, &ss, &len) == 0 &&
	    port_of(&ss) == 5353, "v4:port");
	ok(dns_parse_server("2001:db8::53", 53, &ss, &len) == 0 &&
	    ss.ss_family == AF_INET6 && port_of(&ss) == 53, "bare v6");
	ok(dns_parse_server("[2001:db8::53]:54", 53, &ss, &len) == 0 &&
	    ss.ss_family == AF_INET6 && port_of(&ss) == 54, "[v6]:port");
	ok(dns_parse_server("ns1.example.com", 53, &ss, &len) == -1,
	    "a name is not a server address");
	ok(dns_parse_server("192.0.2.1:0", 53, &ss, &len) == -1, "port 0");
	ok(dns_parse_server("192.0.2.1:99999", 53, &ss, &len) == -1,
	    "port too large");
	ok(dns_parse_server("[2001:db8::1", 53, &ss, &len) == -1,
	    "unclosed bracket");

	r = dns_resolver_new(servers, 1000, &e);
	ok(r != NULL, "resolver from three servers");
	d = dns_resolver_describe(r);
	is_str(d, "127.0.0.1:5353, [::1]:53, 192.0.2.1:53", "described");
	free(d);
	dns_resolver_free(r);
	r = dns_resolver_new(bad, 1000, &e);
	ok(r == NULL && strstr(e.msg, "ns1.example.com") != NULL,
	    "a name in dns.resolvers is refused, named");
	r = dns_resolver_new(NULL, 0, &e);
	ok(r != NULL, "no servers: resolv.conf or 127.0.0.1");
	dns_resolver_free(r);

	/* A name that is not a DNS name fails that query only. */
	r = dns_resolver_new(servers, 200, &e);
	dns_query_init(&q, "a..b", LDNS_RR_TYPE_A);
	dns_resolve(r, &q, 1);
	is_str(dns_status_names[q.status], "error", "empty label: error");
	dns_query_clear(&q);
	dns_resolver_free(r);
	test_cache();
	return tap_done();
}
