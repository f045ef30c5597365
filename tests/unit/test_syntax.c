/* Unit tests for base/syntax.c: the host:port rule (and the parsers built
   on it), the host of a URL, and the key type names in messages. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "acme/key.h"
#include "base/buf.h"
#include "base/syntax.h"
#include "dns/dns.h"
#include "tap.h"

static void
test_hostport(void)
{
	static const struct {
		const char *s;
		int def;
		const char *host;	/* NULL: refused */
		int port;
	} c[] = {
		{ "192.0.2.1:53", 53, "192.0.2.1", 53 },
		{ "192.0.2.1", 53, "192.0.2.1", 53 },
		{ "[2001:db8::1]:5353", 53, "2001:db8::1", 5353 },
		{ "2001:db8::1", 53, "2001:db8::1", 53 },
		{ "2001:db8::1", -1, NULL, 0 },
		{ "ns1.example.com:5353", 53, "ns1.example.com", 5353 },
		{ "*:80", -1, "*", 80 },
		{ "[::]:80", -1, "::", 80 },
		{ ":80", -1, NULL, 0 },
		{ "192.0.2.1", -1, NULL, 0 },
		{ "192.0.2.1:0", 53, NULL, 0 },
		{ "192.0.2.1:65536", 53, NULL, 0 },
		{ "192.0.2.1:+53", 53, NULL, 0 },
		{ "[2001:db8::1", 53, NULL, 0 },
		{ "[192.0.2.1]:53", 53, NULL, 0 },
	};
	char *host;
	const char *why;
	size_t i;
	int port;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		host = NULL;
		port = 0;
		why = hostport_split(c[i].s, c[i].def, &host, &port);
		if (c[i].host == NULL)
			ok(why != NULL && host == NULL, "%s (default %d) "
			    "refused: %s", c[i].s, c[i].def, why);
		else
			ok(why == NULL && host != NULL &&
			    strcmp(host, c[i].host) == 0 &&
			    port == c[i].port, "%s (default %d) -> %s %d",
			    c[i].s, c[i].def, host != NULL ? host : "(null)",
			    port);
		free(host);
	}
}

/* The way back: what hostport_split() reads again. */
static void
test_hostport_join(void)
{
	static const char *const in[] = { "192.0.2.1", "2001:db8::1", "*",
	    "ns1.example.com" };
	char *s, *host;
	size_t i;
	int port;

	s = hostport_join("2001:db8::1", 53);
	is_str(s, "[2001:db8::1]:53", "join: IPv6 in brackets");
	free(s);
	s = hostport_join("192.0.2.1", 853);
	is_str(s, "192.0.2.1:853", "join: IPv4 plain");
	free(s);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		s = hostport_join(in[i], 8053);
		host = NULL;
		ok(hostport_split(s, -1, &host, &port) == NULL &&
		    strcmp(host, in[i]) == 0 && port == 8053,
		    "join then split: %s", s);
		free(host);
		free(s);
	}
}

/* dns_parse_server() reads the same rule, then wants an IP address. */
static void
test_dns_server(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;

	ok(dns_parse_server("[2001:db8::53]:54", 53, &ss, &len) == 0 &&
	    ss.ss_family == AF_INET6 && ntohs(in6->sin6_port) == 54,
	    "dns server: [v6]:port");
	ok(dns_parse_server("192.0.2.1:+53", 53, &ss, &len) == -1,
	    "dns server: a signed port is refused, as the manifest does");
	ok(dns_parse_server("[192.0.2.1]:53", 53, &ss, &len) == -1,
	    "dns server: brackets only around IPv6, as the manifest says");
	ok(dns_parse_server("ns1.example.com:53", 53, &ss, &len) == -1,
	    "dns server: a name is not an address");
}

static void
test_url(void)
{
	static const struct {
		const char *url, *authority, *host;
	} c[] = {
		{ "https://acme.example/dir", "acme.example", "acme.example" },
		{ "https://127.0.0.1:14000/dir", "127.0.0.1:14000",
		    "127.0.0.1" },
		{ "https://[::1]:14000/dir", "[::1]:14000", "::1" },
		{ "https://ACME.example?x=1", "ACME.example", "ACME.example" },
		{ "https://h.example#f", "h.example", "h.example" },
		{ "acme.example:443/dir", "acme.example:443", "acme.example" },
		{ "https://", "", "" },
		{ "https:///dir", "", "" },
		{ "https://:443/", ":443", "" },
	};
	const char *a;
	char *h;
	size_t i, n;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		a = url_authority(c[i].url, &n);
		ok(n == strlen(c[i].authority) &&
		    strncmp(a, c[i].authority, n) == 0,
		    "authority of %s: %.*s", c[i].url, (int)n, a);
		h = url_host(c[i].url);
		is_str(h, c[i].host, "host of %s", c[i].url);
		free(h);
	}
}

/* The text in messages lists the table, in its order. */
static void
test_key_type_names(void)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < KEY__MAX; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", key_type_names[i]);
	is_str(b.data, KEY_TYPE_NAMES_TEXT, "key type names: one list");
	buf_clear(&b);
}

int
main(void)
{
	test_hostport();
	test_hostport_join();
	test_dns_server();
	test_url();
	test_key_type_names();
	return tap_done();
}
