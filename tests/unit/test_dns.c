/* Unit tests of the resolver's pure parts: server addresses, statuses. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "err.h"
#include "tap.h"
#include "util.h"

static int
port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
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
	return tap_done();
}
