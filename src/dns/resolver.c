/*
 * resolver.c - the stub resolver (see dns.h): its servers (dns.resolvers, else
 * /etc/resolv.conf, else 127.0.0.1), its life, and the queries' set-up and
 * descriptions. The exchanges are in query.c, answer.c and tcp.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/syntax.h"
#include "dns/dns.h"
#include "dns/dns_conf.h"
#include "dns/dns_impl.h"

const char *const dns_status_names[DNS__MAX] = {
	"ok", "nodata", "nxdomain", "servfail", "refused", "timeout", "error",
};

#define RESOLV_CONF	"/etc/resolv.conf"

int
dns_parse_server(const char *s, int default_port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char *host = NULL;
	int port, rc = -1;

	memset(ss, 0, sizeof(*ss));
	if (hostport_split(s, default_port, &host, &port) != NULL)
		return -1;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
		rc = 0;
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		rc = 0;
	}
	free(host);
	return rc;
}

void
dns_server_label(struct dns_server *sv)
{
	char a[INET6_ADDRSTRLEN];

	if (sv->ss.ss_family == AF_INET) {
		const struct sockaddr_in *in4 =
		    (const struct sockaddr_in *)&sv->ss;
		inet_ntop(AF_INET, &in4->sin_addr, a, sizeof(a));
		snprintf(sv->label, sizeof(sv->label), "%s:%u", a,
		    ntohs(in4->sin_port));
	} else {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)&sv->ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		snprintf(sv->label, sizeof(sv->label), "[%s]:%u", a,
		    ntohs(in6->sin6_port));
	}
}

static int
resolver_add(struct dns_resolver *r, const char *s, struct err *e)
{
	struct dns_server *sv;

	if (r->n == DNS_MAX_SERVERS)
		return 0;	/* like resolv.conf's MAXNS: the rest unused */
	sv = &r->v[r->n];
	if (dns_parse_server(s, 53, &sv->ss, &sv->len) == -1) {
		err_set(e, "DNS resolver \"%s\": not an IP address with an "
		    "optional port (\"192.0.2.53\", \"192.0.2.53:5353\", "
		    "\"[2001:db8::53]:53\")", s);
		return -1;
	}
	dns_server_label(sv);
	r->n++;
	return 0;
}

/* The nameserver lines of /etc/resolv.conf; none is fine (127.0.0.1). */
static int
resolver_add_resolv_conf(struct dns_resolver *r, struct err *e)
{
	struct err e2;
	char *data, *line, *save = NULL, *tok, *save2;

	data = file_read(RESOLV_CONF, 1 << 20, NULL, &e2);
	if (data == NULL)
		return 0;
	for (line = strtok_r(data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		tok = strtok_r(line, " \t\r", &save2);
		if (tok == NULL || strcmp(tok, "nameserver") != 0)
			continue;
		tok = strtok_r(NULL, " \t\r", &save2);
		if (tok == NULL)
			continue;
		/* A scoped address ("fe80::1%eth0") is not ours to use. */
		if (strchr(tok, '%') != NULL)
			continue;
		if (resolver_add(r, tok, e) == -1) {
			err_prefix(e, "%s", RESOLV_CONF);
			free(data);
			return -1;
		}
	}
	free(data);
	return 0;
}

struct dns_resolver *
dns_resolver_new(char *const *servers, long long timeout_ms, struct err *e)
{
	struct dns_resolver *r;
	size_t i;

	r = xcalloc(1, sizeof(*r));
	r->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
	for (i = 0; servers != NULL && servers[i] != NULL; i++)
		if (resolver_add(r, servers[i], e) == -1)
			goto fail;
	if (r->n == 0 && resolver_add_resolv_conf(r, e) == -1)
		goto fail;
	if (r->n == 0 && resolver_add(r, "127.0.0.1", e) == -1)
		goto fail;
	return r;
fail:
	free(r);
	return NULL;
}

struct dns_resolver *
dns_resolver_from_conf(const struct dns_conf *c, struct err *e)
{
	return dns_resolver_new(c->resolvers, c->timeout_ms, e);
}

void
dns_resolver_free(struct dns_resolver *r)
{
	if (r == NULL)
		return;
	dns_cache_free(r->cache);
	free(r);
}

char *
dns_resolver_describe(const struct dns_resolver *r)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < r->n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", r->v[i].label);
	return buf_steal(&b);
}

void
dns_query_init(struct dns_query *q, const char *name, ldns_rr_type type)
{
	memset(q, 0, sizeof(*q));
	q->name = xstrdup(name);
	q->type = type;
	q->status = DNS_ERROR;
}

void
dns_query_clear(struct dns_query *q)
{
	free(q->name);
	if (q->rrs != NULL)
		ldns_rr_list_deep_free(q->rrs);
	free(q->final_name);
	free(q->error);
	memset(q, 0, sizeof(*q));
}

const char *
dns_query_describe(const struct dns_query *q)
{
	switch (q->status) {
	case DNS_OK:
		return "answer";
	case DNS_NODATA:
		return "no record of that type (NODATA)";
	case DNS_NXDOMAIN:
		return "the name does not exist (NXDOMAIN)";
	default:
		return q->error != NULL ? q->error : dns_status_names[q->status];
	}
}
