/*
 * dns01.c - dns-01 (RFC 8555 section 8.4): TXT _acme-challenge.<name>
 * added and removed by RFC 2136 dynamic update signed with TSIG
 * (dnsupdate.h), then waited for on the zone's authoritative servers.
 *
 * present: follows a CNAME at _acme-challenge.<name> (delegation to
 *          another zone), finds the zone of the final name by its SOA
 *          (walking up), sends the signed update to the rfc2136 server.
 *          "*.x" and "x" share one TXT name: both values are added (an
 *          update adds a record, it never replaces the set).
 * ready:   polls the rfc2136 server and the zone's NS (port 53) until
 *          every value is visible at each one that answers, up to
 *          propagation_timeout.
 * cleanup: deletes exactly the value it added.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/encode.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/secret.h"
#include "base/str.h"
#include "base/syntax.h"
#include "base/time.h"
#include "chall/chall.h"
#include "dns/dns.h"
#include "dns/dnsupdate.h"

#define DNS01_TTL		60
#define DNS01_UPDATE_TIMEOUT	10000	/* ms */
#define DNS01_POLL_MS		1000

struct dns01 {
	const struct chall_conf	*cfg;
	const struct log	*log;
	struct dns_resolver	*res;		/* the run's resolvers */
	long long		 timeout_ms;
	char			*secret;
	size_t			 secret_len;	/* as read: wiped whole */
	struct dnsupdate_key	 key;
	char			*server;	/* rfc2136 server as ip:port */
};

/* What present() learnt, kept for ready() and cleanup() in it->priv. */
struct dns01_item {
	char	*name;		/* where the TXT lives (after CNAMEs) */
	char	*zone;
};

/* The rfc2136 server as "ip:port": a host name ("ns1.example.com:53")
   is resolved once, here. Malloced, or NULL with e filled. */
static char *
server_address(const struct dns_resolver *r, const char *server,
    struct err *e)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct dns_query q[2];
	char *host = NULL, *out = NULL, *a;
	const char *why;
	size_t i;
	int port;

	if (dns_parse_server(server, 53, &ss, &len) == 0)
		return xstrdup(server);
	if ((why = hostport_split(server, 53, &host, &port)) != NULL) {
		err_set(e, "dns-01 rfc2136 server %s: %s", server, why);
		return NULL;
	}
	dns_query_init(&q[0], host, LDNS_RR_TYPE_A);
	dns_query_init(&q[1], host, LDNS_RR_TYPE_AAAA);
	dns_resolve(r, q, 2);
	for (i = 0; i < 2 && out == NULL; i++) {
		if (q[i].status != DNS_OK)
			continue;
		a = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(q[i].rrs, 0), 0));
		if (a != NULL)
			out = hostport_join(a, port);
		free(a);
	}
	if (out == NULL)
		err_set(e, "dns-01 rfc2136 server %s: no address for %s (%s)",
		    server, host, dns_query_describe(&q[0]));
	dns_query_clear(&q[0]);
	dns_query_clear(&q[1]);
	free(host);
	return out;
}

char *
chall_dns01_name(const char *identifier)
{
	if (strncmp(identifier, "*.", 2) == 0)
		identifier += 2;
	return xasprintf("_acme-challenge.%s", identifier);
}

char *
chall_dns01_value(const char *key_authz)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(key_authz, strlen(key_authz), md, &mdlen,
	    EVP_sha256(), NULL) != 1)
		return NULL;
	return b64url_encode(md, mdlen);
}

int
chall_dns01_key(const struct chall_conf *cfg, struct dnsupdate_key *key,
    char **secret, size_t *secret_len, struct err *e)
{
	char *data, *p;
	size_t len = 0;

	*secret = NULL;
	*secret_len = 0;
	if (cfg->rfc2136_server == NULL || cfg->tsig_name == NULL ||
	    cfg->tsig_secret_file == NULL) {
		err_set(e, "dns-01: challenge.dns-01.rfc2136 needs server, "
		    "tsig_name and tsig_secret_file");
		return -1;
	}
	data = secret_read_file("tsig_secret_file", cfg->tsig_secret_file,
	    64 * 1024, &len, e);
	if (data == NULL) {
		err_prefix(e, "dns-01 TSIG secret of key %s", cfg->tsig_name);
		return -1;
	}
	/* The file holds the base64 secret; blanks and newlines around it
	   are not part of it. Its length as read is kept: wiped whole. */
	for (p = data; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
	    p++)
		;
	memmove(data, p, strlen(p) + 1);
	data[strcspn(data, " \t\r\n")] = '\0';
	if (*data == '\0') {
		err_set(e, "%s: empty TSIG secret for key %s",
		    cfg->tsig_secret_file, cfg->tsig_name);
		secret_free(data, len);
		return -1;
	}
	key->name = cfg->tsig_name;
	key->algorithm = cfg->tsig_algorithm != NULL ?
	    cfg->tsig_algorithm : "hmac-sha256";
	key->secret = data;
	*secret = data;
	*secret_len = len;
	return 0;
}

static int
d01_setup(const struct dns_conf *dns, const struct chall_conf *cfg,
    const struct log *log, void **ctx, struct err *e)
{
	struct dns01 *d = xcalloc(1, sizeof(*d));

	*ctx = NULL;
	if (chall_dns01_key(cfg, &d->key, &d->secret, &d->secret_len,
	    e) == -1)
		goto fail;
	d->cfg = cfg;
	d->log = log;
	d->timeout_ms = (cfg->propagation_timeout > 0 ?
	    cfg->propagation_timeout : 120) * 1000;
	if ((d->res = dns_resolver_from_conf(dns, e)) == NULL) {
		err_prefix(e, "dns.resolvers");
		goto fail;
	}
	if ((d->server = server_address(d->res, cfg->rfc2136_server, e)) ==
	    NULL)
		goto fail;
	*ctx = d;
	return 0;
fail:
	dns_resolver_free(d->res);
	secret_free(d->secret, d->secret_len);
	free(d);
	return -1;
}

/* The zone holding name: the deepest label whose SOA query answers with
   the SOA itself (the apex). Malloced, or NULL with e filled. */
static char *
zone_find(const struct dns_resolver *r, const char *name, struct err *e)
{
	struct dns_query q[64];
	const char *p;
	char *zone = NULL;
	size_t n = 0, i;

	for (p = name; p != NULL && *p != '\0' && n < 64;
	    p = strchr(p, '.') != NULL ? strchr(p, '.') + 1 : NULL)
		dns_query_init(&q[n++], p, LDNS_RR_TYPE_SOA);
	dns_resolve(r, q, n);
	for (i = 0; i < n && zone == NULL; i++) {
		if (q[i].status == DNS_OK && q[i].final_name == NULL) {
			zone = xstrdup(q[i].name);
		} else if (q[i].status != DNS_OK &&
		    q[i].status != DNS_NODATA &&
		    q[i].status != DNS_NXDOMAIN) {
			err_set(e, "dns-01: finding the zone of %s: SOA query "
			    "for %s: %s", name, q[i].name,
			    dns_query_describe(&q[i]));
			break;
		}
	}
	if (zone == NULL && i == n)
		err_set(e, "dns-01: no zone (SOA) found for %s", name);
	for (i = 0; i < n; i++)
		dns_query_clear(&q[i]);
	return zone;
}

static int
d01_present(void *ctx, struct chall_item *it, struct err *e)
{
	struct dns01 *d = ctx;
	struct dns01_item *di = NULL;
	struct dns_query q;
	char *name = chall_dns01_name(it->identifier);

	/* A CNAME here delegates the challenge to another name (and
	   maybe another zone): update there. */
	dns_query_init(&q, name, LDNS_RR_TYPE_TXT);
	dns_resolve(d->res, &q, 1);
	if (q.status != DNS_OK && q.status != DNS_NODATA &&
	    q.status != DNS_NXDOMAIN) {
		err_set(e, "dns-01 %s: TXT lookup of %s: %s", it->identifier,
		    name, dns_query_describe(&q));
		goto fail;
	}
	di = xcalloc(1, sizeof(*di));
	di->name = q.final_name != NULL ? xstrdup(q.final_name) :
	    xstrdup(name);
	if (q.final_name != NULL)
		log_cert(d->log, LOG_INFO, it->cert_name, "dns-01 %s: %s is a "
		    "CNAME to %s: updating that", it->identifier, name,
		    q.final_name);
	if ((di->zone = zone_find(d->res, di->name, e)) == NULL)
		goto fail;
	if (dnsupdate_txt(d->server, &d->key, di->zone,
	    di->name, it->dns_value, DNS01_TTL, DNSUPDATE_ADD,
	    DNS01_UPDATE_TIMEOUT, e) == -1)
		goto fail;
	log_cert(d->log, LOG_INFO, it->cert_name, "dns-01 %s: added TXT %s "
	    "in zone %s at %s", it->identifier, di->name, di->zone,
	    d->server);
	it->priv = di;
	dns_query_clear(&q);
	free(name);
	return 0;
fail:
	if (di != NULL) {
		FREE_ALL(di->name, di->zone, di);
	}
	dns_query_clear(&q);
	free(name);
	return -1;
}

/* Is value among the TXT records of q? */
static int
txt_has(const struct dns_query *q, const char *value)
{
	size_t i, j, vl = strlen(value);
	const ldns_rr *rr;
	const ldns_rdf *rd;

	if (q->status != DNS_OK)
		return 0;
	for (i = 0; i < ldns_rr_list_rr_count(q->rrs); i++) {
		rr = ldns_rr_list_rr(q->rrs, i);
		for (j = 0; j < ldns_rr_rd_count(rr); j++) {
			rd = ldns_rr_rdf(rr, j);
			/* <character-string>: length byte, then text */
			if (ldns_rdf_size(rd) == vl + 1 &&
			    memcmp(ldns_rdf_data(rd) + 1, value, vl) == 0)
				return 1;
		}
	}
	return 0;
}

/* The servers to ask: the rfc2136 server, and the zone's NS on port 53.
   Adds "host:port" strings to l. */
static void
auth_servers(struct dns01 *d, const char *zone, struct strlist *l)
{
	struct dns_query ns, *addr = NULL;
	size_t i, n = 0, k;
	char buf[128];

	strlist_add(l, d->server);
	dns_query_init(&ns, zone, LDNS_RR_TYPE_NS);
	dns_resolve(d->res, &ns, 1);
	if (ns.status == DNS_OK) {
		n = ldns_rr_list_rr_count(ns.rrs);
		addr = xcalloc(n * 2 + 1, sizeof(*addr));
		for (i = 0; i < n; i++) {
			char *h = ldns_rdf2str(ldns_rr_rdf(
			    ldns_rr_list_rr(ns.rrs, i), 0));
			dns_query_init(&addr[2 * i], h ? h : ".",
			    LDNS_RR_TYPE_A);
			dns_query_init(&addr[2 * i + 1], h ? h : ".",
			    LDNS_RR_TYPE_AAAA);
			free(h);
		}
		dns_resolve(d->res, addr, 2 * n);
		for (i = 0; i < 2 * n; i++) {
			if (addr[i].status != DNS_OK)
				continue;
			for (k = 0; k < ldns_rr_list_rr_count(addr[i].rrs);
			    k++) {
				char *a = ldns_rdf2str(ldns_rr_rdf(
				    ldns_rr_list_rr(addr[i].rrs, k), 0));
				if (a == NULL)
					continue;
				snprintf(buf, sizeof(buf), strchr(a, ':') ?
				    "[%s]:53" : "%s:53", a);
				if (!strlist_contains(l, buf))
					strlist_add(l, buf);
				free(a);
			}
		}
		for (i = 0; i < 2 * n; i++)
			dns_query_clear(&addr[i]);
		free(addr);
	}
	dns_query_clear(&ns);
}

static int
d01_ready(void *ctx, struct chall_item *const *items, size_t n,
    struct err *e)
{
	struct dns01 *d = ctx;
	struct strlist servers;
	long long deadline = mono_ms() + d->timeout_ms;
	size_t i, s, pending;
	const char *missing_at = NULL, *missing_name = NULL;
	int rc = -1;

	if (n == 0)
		return 0;
	strlist_init(&servers);
	for (i = 0; i < n; i++) {
		struct dns01_item *di = items[i]->priv;
		if (di != NULL)
			auth_servers(d, di->zone, &servers);
	}
	for (;;) {
		pending = 0;
		for (s = 0; s < servers.n; s++) {
			struct err e2;
			struct dns_resolver *one;
			struct dns_query *q;
			char *sv[2] = { servers.v[s], NULL };
			one = dns_resolver_new(sv, 2000, &e2);
			if (one == NULL)
				continue;
			q = xcalloc(n, sizeof(*q));
			for (i = 0; i < n; i++) {
				struct dns01_item *di = items[i]->priv;
				dns_query_init(&q[i], di != NULL ? di->name :
				    ".", LDNS_RR_TYPE_TXT);
			}
			dns_resolve(one, q, n);
			for (i = 0; i < n; i++) {
				/* A server that does not answer cannot be
				   checked from here; the primary must. */
				if (s > 0 && (q[i].status == DNS_TIMEOUT ||
				    q[i].status == DNS_ERROR ||
				    q[i].status == DNS_REFUSED))
					continue;
				if (!txt_has(&q[i], items[i]->dns_value)) {
					pending++;
					missing_at = servers.v[s];
					missing_name = items[i]->identifier;
				}
			}
			for (i = 0; i < n; i++)
				dns_query_clear(&q[i]);
			free(q);
			dns_resolver_free(one);
		}
		if (pending == 0) {
			rc = 0;
			break;
		}
		if (mono_ms() + DNS01_POLL_MS > deadline) {
			err_set(e, "dns-01 %s: TXT record not visible at %s "
			    "after %lld s (propagation_timeout)", missing_name,
			    missing_at, d->timeout_ms / 1000);
			break;
		}
		usleep(DNS01_POLL_MS * 1000);
	}
	strlist_clear(&servers);
	return rc;
}

static void
d01_cleanup(void *ctx, struct chall_item *it)
{
	struct dns01 *d = ctx;
	struct dns01_item *di = it->priv;
	struct err e;

	if (di == NULL)
		return;
	if (dnsupdate_txt(d->server, &d->key, di->zone,
	    di->name, it->dns_value, DNS01_TTL, DNSUPDATE_DELETE,
	    DNS01_UPDATE_TIMEOUT, &e) == -1)
		log_cert(d->log, LOG_WARN, it->cert_name, "dns-01 cleanup: %s",
		    e.msg);
	FREE_ALL(di->name, di->zone, di);
	it->priv = NULL;
}

static void
d01_teardown(void *ctx)
{
	struct dns01 *d = ctx;

	if (d == NULL)
		return;
	dns_resolver_free(d->res);
	free(d->server);
	secret_free(d->secret, d->secret_len);
	free(d);
}

const struct chall_ops chall_dns01 = {
	.type = CHALL_DNS01,
	.name = "dns-01",
	.setup = d01_setup,
	.present = d01_present,
	.ready = d01_ready,
	.cleanup = d01_cleanup,
	.teardown = d01_teardown,
};
