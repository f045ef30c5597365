/*
 * dns.h - a stub resolver on ldns for the preflight checks and dns-01.
 *
 * Queries go to the servers of dns.resolvers (struct dns_conf, or
 * /etc/resolv.conf), each
 * tried in order: one try plus one retry on timeout per server, TCP when
 * the UDP answer is truncated, the next server on SERVFAIL, REFUSED or a
 * network error. An answer ending in a CNAME without the target's records
 * is followed by querying the target (at most DNS_MAX_CNAMES links), as a
 * stub talking to an authoritative server has to. SERVFAIL, REFUSED and
 * timeouts are reported as such, never as "no record"; NXDOMAIN and
 * NODATA are told apart.
 *
 * dns_resolve() runs many queries at once from one thread (non-blocking
 * sockets and poll), so a thousand names are not a thousand round trips
 * in sequence. A struct dns_resolver is read-only after creation (but
 * for its answer cache, which a mutex guards) and may be shared by
 * threads; every query owns its sockets and state. No global state.
 */
#ifndef CERTKEEP_DNS_H
#define CERTKEEP_DNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

struct dns_conf;
struct err;

#define DNS_MAX_CNAMES	8
/* Queries in flight at once per dns_resolve() call. */
#define DNS_INFLIGHT	128
#define DNS_MAX_SERVERS	8

enum dns_status {
	DNS_OK,		/* records of the type at the (final) name */
	DNS_NODATA,	/* the name exists, no records of the type */
	DNS_NXDOMAIN,	/* the (final) name does not exist */
	DNS_SERVFAIL,
	DNS_REFUSED,
	DNS_TIMEOUT,
	DNS_ERROR,	/* network error, bad answer, other rcode, CNAME loop */
	DNS__MAX
};
/* "ok" "nodata" "nxdomain" "servfail" "refused" "timeout" "error" */
extern const char *const dns_status_names[DNS__MAX];

struct dns_resolver;

/*
 * Makes a resolver for servers ("ip", "ip:port", "[v6]:port"; NULL or
 * empty: the nameservers of /etc/resolv.conf, else 127.0.0.1) with a
 * timeout per try. Returns NULL and fills e on a bad server address.
 * Free with dns_resolver_free().
 */
struct dns_resolver *dns_resolver_new(char *const *servers,
	    long long timeout_ms, struct err *e);
/* The resolver of the settings c (the manifest's dns block). */
struct dns_resolver *dns_resolver_from_conf(const struct dns_conf *c,
	    struct err *e);
void	 dns_resolver_free(struct dns_resolver *r);
/*
 * From now on r keeps every answer (name and type, whatever the outcome)
 * until it is freed, and answers the same question again from memory: for
 * one run of checks, where thousands of hostnames share their parents'
 * CAA and the same apex. Not for dns-01, which polls for changes.
 */
void	 dns_resolver_cache_answers(struct dns_resolver *r);
/* Whether r keeps its answers (dns_resolver_cache_answers()). */
int	 dns_resolver_caches(const struct dns_resolver *r);
/* "127.0.0.1:53, [::1]:53": the servers, for messages. Malloced. */
char	*dns_resolver_describe(const struct dns_resolver *r);

/* One question and, after dns_resolve(), its answer. */
struct dns_query {
	/* in */
	char		*name;		/* owned; no trailing dot needed */
	ldns_rr_type	 type;
	/* out */
	enum dns_status	 status;
	ldns_rr_list	*rrs;		/* DNS_OK: the records of type at the
					   final name (owned, deep) */
	char		*final_name;	/* the name after CNAMEs; NULL when
					   no CNAME was followed */
	char		*error;		/* what went wrong and where, for
					   SERVFAIL..ERROR; malloced */
	int		 cnames;	/* CNAME links followed */
};

/* Sets up q for name/type (name is copied). */
void	 dns_query_init(struct dns_query *q, const char *name,
	    ldns_rr_type type);
/* Frees everything q owns. */
void	 dns_query_clear(struct dns_query *q);
/* A one-line description of the outcome ("NXDOMAIN", "SERVFAIL from
   127.0.0.1:53", ...); borrowed from q or a constant. */
const char *dns_query_describe(const struct dns_query *q);

/* Resolves every query of v concurrently; each gets its own status. */
void	 dns_resolve(const struct dns_resolver *r, struct dns_query *v,
	    size_t n);
/* The same with at most inflight questions out at once (1..DNS_INFLIGHT):
   several threads resolving at once share what a server takes in. */
void	 dns_resolve_window(const struct dns_resolver *r,
	    struct dns_query *v, size_t n, size_t inflight);

/*
 * Sends one wire-format message (an update, already signed) to a server
 * "host[:port]" over TCP and returns the parsed answer (free with
 * ldns_pkt_free) and, when answer_wire is not NULL, its wire bytes
 * (malloced, caller frees) for TSIG verification. NULL with e filled
 * ("127.0.0.1:53: no answer in 5s") on failure.
 */
ldns_pkt *dns_exchange_tcp(const char *server, const uint8_t *wire,
	    size_t len, long long timeout_ms, uint8_t **answer_wire,
	    size_t *answer_len, struct err *e);

/* The answer handling of dns_resolve() for packets from memory (wire[i],
   len[i]: the answers in turn, IDs ignored), for the fuzzer. Returns the
   number of packets used. */
size_t	 dns_parse_answers(const struct dns_resolver *r, struct dns_query *q,
	    const uint8_t *const *wire, const size_t *len, size_t n);

/* Splits "ip", "ip:port", "[v6]:port", "v6" (the host:port rule of
   hostport_split()) into a socket address. Returns 0 or -1 (not an IP
   address). */
int	 dns_parse_server(const char *s, int default_port,
	    struct sockaddr_storage *ss, socklen_t *len);

#endif
