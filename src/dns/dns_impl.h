/*
 * dns_impl.h - what the files of the stub resolver share (dns.h is its
 * interface; nothing outside src/dns includes this):
 *
 *   resolver.c  servers (dns.resolvers, /etc/resolv.conf), the resolver's
 *               life, queries' set-up and descriptions
 *   cache.c     the answers kept for a run (dns_resolver_cache_answers())
 *   query.c     the transactions: a question sent to the servers in turn
 *               over UDP (retry, timeout, TCP when truncated), many at
 *               once in one poll()
 *   answer.c    reading an answer: rcodes, records of the type, CNAME
 *               chains (and dns_parse_answers() for the fuzzer)
 *   tcp.c       one exchange over TCP (truncated answers, and
 *               dns_exchange_tcp() for RFC 2136 updates)
 */
#ifndef CERTKEEP_DNS_IMPL_H
#define CERTKEEP_DNS_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "dns/dns.h"

#define DNS_UDP_BUFSIZE	1232	/* EDNS payload size we advertise */
#define DNS_MAX_MSG	65535

struct dns_cache;

struct dns_server {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 label[INET6_ADDRSTRLEN + 10];
};

struct dns_resolver {
	struct dns_server	 v[DNS_MAX_SERVERS];
	size_t			 n;
	long long		 timeout_ms;
	struct dns_cache	*cache;		/* NULL: every query is sent */
};

/* Sets sv->label ("192.0.2.53:53", "[2001:db8::53]:53") from sv->ss. */
void	 dns_server_label(struct dns_server *sv);

/* The answer cache (cache.c). dns_cache_get() fills q and returns 1 when
   its answer is kept; dns_cache_put() keeps q's. */
int	 dns_cache_get(struct dns_cache *c, struct dns_query *q);
void	 dns_cache_put(struct dns_cache *c, const struct dns_query *q);
void	 dns_cache_free(struct dns_cache *c);

/* One transaction: a question to the servers in turn (query.c). */
enum dns_tx_state {
	TX_WAITING,	/* not started */
	TX_SENT,	/* UDP query out, fd open */
	TX_DONE,
};

struct dns_tx {
	struct dns_query *q;
	enum dns_tx_state state;
	ldns_rdf	*cur;		/* the name being asked now */
	int		 fd;
	size_t		 server;	/* index into the resolver's servers */
	int		 try;		/* 0 or 1 (the retry) */
	uint16_t	 id;
	uint8_t		*wire;		/* the query as sent */
	size_t		 wirelen;
	long long	 deadline;
	/* the outcome of the last server tried, used if none answers */
	enum dns_status	 last_status;
	char		*last_error;
	int		 cached;	/* answered from the cache */
	uint16_t	 ids[4];	/* random IDs drawn for it in advance */
	int		 nids;
};

/* The outcome of the server just tried (msg malloced, taken), used when
   no other server answers. */
void	 dns_tx_fail_server(struct dns_tx *t, enum dns_status st, char *msg);
void	 dns_tx_close(struct dns_tx *t);
/* Done with status st (error malloced, taken, may be NULL). */
void	 dns_tx_finish(struct dns_tx *t, enum dns_status st, char *error);
/* The wire query for t->cur with a fresh ID. 0 or -1. */
int	 dns_tx_build(struct dns_tx *t);
/* On to the next server, or finished with the last failure. */
void	 dns_tx_next_server(const struct dns_resolver *r, struct dns_tx *t);
/* Starts asking t->cur from the first server. */
void	 dns_tx_start(const struct dns_resolver *r, struct dns_tx *t);

/*
 * Handles a parsed answer for t (answer.c). Returns 1 when t is finished
 * or moved on (new question, next server), 0 when the packet was not
 * ours (keep waiting).
 */
int	 dns_tx_handle(const struct dns_resolver *r, struct dns_tx *t,
	    ldns_pkt *p);

/* One TCP exchange with a server (tcp.c): the answer's bytes (malloced,
   length in *outlen) or NULL with errno (ETIMEDOUT on the deadline). */
uint8_t	*dns_tcp_exchange(const struct sockaddr_storage *ss, socklen_t sslen,
	    const uint8_t *wire, size_t len, long long timeout_ms,
	    size_t *outlen);

#endif
