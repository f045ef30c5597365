/*
 * query.c - the transactions of the stub resolver (see dns.h): a question
 * goes to each server in turn over UDP (one retry on timeout, TCP when
 * truncated, the next server on SERVFAIL, REFUSED or a network error),
 * and many questions wait in one poll(). ldns parses the answers
 * (answer.c); the sockets are our own so that a timeout, a refused
 * connection and a server's SERVFAIL stay distinguishable.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/rand.h"
#include "base/time.h"
#include "dns/dns.h"
#include "dns/dns_impl.h"

void
dns_tx_fail_server(struct dns_tx *t, enum dns_status st, char *msg)
{
	t->last_status = st;
	free(t->last_error);
	t->last_error = msg;
}

void
dns_tx_close(struct dns_tx *t)
{
	if (t->fd != -1)
		close(t->fd);
	t->fd = -1;
}

void
dns_tx_finish(struct dns_tx *t, enum dns_status st, char *error)
{
	dns_tx_close(t);
	t->q->status = st;
	free(t->q->error);
	t->q->error = error;
	t->state = TX_DONE;
}

/*
 * The query for t->cur with a fresh random ID, written directly: header
 * (RD set, one question, one additional), the question, and an OPT record
 * advertising DNS_UDP_BUFSIZE. Thousands are built per run, and the
 * generic packet encoder costs more than the rest of the exchange.
 */
int
dns_tx_build(struct dns_tx *t)
{
	const uint8_t *name = ldns_rdf_data(t->cur);
	size_t nlen = ldns_rdf_size(t->cur);
	uint16_t id, type = (uint16_t)t->q->type;
	uint8_t *w;

	free(t->wire);
	t->wire = NULL;
	if (t->nids > 0)
		id = t->ids[--t->nids];
	else if (rand_bytes(&id, sizeof(id)) == -1)
		return -1;
	if (name == NULL || nlen == 0 || nlen > 255 ||
	    ldns_rdf_get_type(t->cur) != LDNS_RDF_TYPE_DNAME)
		return -1;
	t->wirelen = 12 + nlen + 4 + 11;
	w = t->wire = xmalloc(t->wirelen);
	w[0] = (uint8_t)(id >> 8);
	w[1] = (uint8_t)id;
	w[2] = 0x01;			/* RD */
	w[3] = 0;
	w[4] = 0, w[5] = 1;		/* QDCOUNT */
	w[6] = w[7] = w[8] = w[9] = 0;	/* ANCOUNT, NSCOUNT */
	w[10] = 0, w[11] = 1;		/* ARCOUNT: the OPT record */
	memcpy(w + 12, name, nlen);
	w += 12 + nlen;
	w[0] = (uint8_t)(type >> 8);
	w[1] = (uint8_t)type;
	w[2] = 0, w[3] = LDNS_RR_CLASS_IN;
	w += 4;
	w[0] = 0;			/* root */
	w[1] = 0, w[2] = LDNS_RR_TYPE_OPT;
	w[3] = (uint8_t)(DNS_UDP_BUFSIZE >> 8);
	w[4] = (uint8_t)(DNS_UDP_BUFSIZE & 0xff);
	w[5] = w[6] = w[7] = w[8] = 0;	/* extended RCODE, version, flags */
	w[9] = w[10] = 0;		/* no options */
	t->id = id;
	return 0;
}

/* Sends the UDP query to the current server. 0, or -1 (server failed:
   the caller moves on). */
static int
tx_send_udp(const struct dns_resolver *r, struct dns_tx *t)
{
	const struct dns_server *sv = &r->v[t->server];

	dns_tx_close(t);
	t->fd = socket(sv->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (t->fd == -1 ||
	    connect(t->fd, (const struct sockaddr *)&sv->ss, sv->len) == -1 ||
	    send(t->fd, t->wire, t->wirelen, 0) != (ssize_t)t->wirelen) {
		dns_tx_fail_server(t, DNS_ERROR, xasprintf("%s: %s", sv->label,
		    strerror(errno)));
		dns_tx_close(t);
		return -1;
	}
	t->deadline = mono_ms() + r->timeout_ms;
	t->state = TX_SENT;
	return 0;
}

/* Moves to the next server (or finishes with the last failure). */
void
dns_tx_next_server(const struct dns_resolver *r, struct dns_tx *t)
{
	dns_tx_close(t);
	for (;;) {
		t->server++;
		t->try = 0;
		if (t->server >= r->n) {
			char *m = t->last_error;
			t->last_error = NULL;
			dns_tx_finish(t, t->last_status, m);
			return;
		}
		if (tx_send_udp(r, t) == 0)
			return;
	}
}

/* Starts asking t->cur from the first server. */
void
dns_tx_start(const struct dns_resolver *r, struct dns_tx *t)
{
	t->server = 0;
	t->try = 0;
	if (dns_tx_build(t) == -1) {
		dns_tx_finish(t, DNS_ERROR, xasprintf("%s: cannot build a DNS "
		    "query", t->q->name));
		return;
	}
	if (tx_send_udp(r, t) == -1)
		dns_tx_next_server(r, t);	/* advances past this one */
}

/* The UDP answer was truncated: the same question over TCP. */
static void
tx_tcp(const struct dns_resolver *r, struct dns_tx *t)
{
	const struct dns_server *sv = &r->v[t->server];
	uint8_t *ans;
	size_t alen = 0;
	ldns_pkt *p = NULL;

	dns_tx_close(t);
	ans = dns_tcp_exchange(&sv->ss, sv->len, t->wire, t->wirelen,
	    r->timeout_ms, &alen);
	if (ans == NULL) {
		dns_tx_fail_server(t, errno == ETIMEDOUT ? DNS_TIMEOUT :
		    DNS_ERROR, xasprintf("truncated UDP answer from %s and "
		    "TCP failed: %s", sv->label, strerror(errno)));
		dns_tx_next_server(r, t);
		return;
	}
	if (ldns_wire2pkt(&p, ans, alen) != LDNS_STATUS_OK ||
	    dns_tx_handle(r, t, p) == 0) {
		dns_tx_fail_server(t, DNS_ERROR, xasprintf("malformed TCP "
		    "answer from %s", sv->label));
		dns_tx_next_server(r, t);
	}
	if (p != NULL)
		ldns_pkt_free(p);
	free(ans);
}

static void
tx_readable(const struct dns_resolver *r, struct dns_tx *t, uint8_t *buf)
{
	const struct dns_server *sv = &r->v[t->server];
	ldns_pkt *p = NULL;
	ssize_t k;

	for (;;) {
		k = recv(t->fd, buf, DNS_MAX_MSG, 0);
		if (k == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			/* ICMP port unreachable and friends */
			dns_tx_fail_server(t, DNS_ERROR, xasprintf("%s: %s",
			    sv->label, strerror(errno)));
			dns_tx_next_server(r, t);
			return;
		}
		if (ldns_wire2pkt(&p, buf, (size_t)k) != LDNS_STATUS_OK)
			continue;	/* garbage: keep waiting */
		if (ldns_pkt_id(p) == t->id && ldns_pkt_tc(p)) {
			ldns_pkt_free(p);
			tx_tcp(r, t);
			return;
		}
		if (dns_tx_handle(r, t, p)) {
			ldns_pkt_free(p);
			return;
		}
		ldns_pkt_free(p);
		p = NULL;
	}
}

static void
tx_timeout(const struct dns_resolver *r, struct dns_tx *t)
{
	const struct dns_server *sv = &r->v[t->server];

	if (t->try == 0) {
		t->try = 1;
		if (send(t->fd, t->wire, t->wirelen, 0) ==
		    (ssize_t)t->wirelen) {
			t->deadline = mono_ms() + r->timeout_ms;
			return;
		}
	}
	dns_tx_fail_server(t, DNS_TIMEOUT, xasprintf("no answer from %s in "
	    "%lld ms (2 tries)", sv->label, r->timeout_ms));
	dns_tx_next_server(r, t);
}

void
dns_resolve(const struct dns_resolver *r, struct dns_query *v, size_t n)
{
	dns_resolve_window(r, v, n, DNS_INFLIGHT);
}

void
dns_resolve_window(const struct dns_resolver *r, struct dns_query *v,
    size_t n, size_t inflight)
{
	struct dns_tx *tx;
	struct pollfd *pfd;
	uint16_t *ids;
	size_t *act;
	uint8_t *buf;
	size_t next = 0, done = 0, nact = 0, i, np;
	long long now, wait;
	int k;

	if (n == 0)
		return;
	tx = xcalloc(n, sizeof(*tx));
	/* Random IDs for all at once: one call into the generator, not one
	   per query (its lock is shared by every checking thread). */
	ids = xcalloc(n, sizeof(tx[0].ids));
	if (rand_bytes(ids, n * sizeof(tx[0].ids)) == 0)
		for (i = 0; i < n; i++) {
			memcpy(tx[i].ids, &ids[i * 4], sizeof(tx[i].ids));
			tx[i].nids = 4;
		}
	free(ids);
	if (inflight == 0 || inflight > DNS_INFLIGHT)
		inflight = DNS_INFLIGHT;
	pfd = xcalloc(DNS_INFLIGHT, sizeof(*pfd));
	act = xcalloc(DNS_INFLIGHT, sizeof(*act));
	buf = xmalloc(DNS_MAX_MSG);
	for (i = 0; i < n; i++) {
		tx[i].q = &v[i];
		tx[i].fd = -1;
		tx[i].last_status = DNS_ERROR;
		v[i].status = DNS_ERROR;
		v[i].cnames = 0;
		if (r->cache != NULL && dns_cache_get(r->cache, &v[i])) {
			tx[i].state = TX_DONE;
			tx[i].cached = 1;
			continue;
		}
		if (ldns_str2rdf_dname(&tx[i].cur, v[i].name) !=
		    LDNS_STATUS_OK) {
			tx[i].cur = NULL;
			dns_tx_finish(&tx[i], DNS_ERROR, xasprintf("%s: not a "
			    "valid DNS name", v[i].name));
		}
	}
	/* The questions out are kept in act, so that a round costs what is
	   in flight, not the length of the list (thousands of names). */
	for (i = 0; i < n; i++)
		if (tx[i].state == TX_DONE)
			done++;
	while (done < n) {
		/* Keep up to inflight questions out. */
		while (nact < inflight && next < n) {
			if (tx[next].state == TX_WAITING) {
				dns_tx_start(r, &tx[next]);
				if (tx[next].state == TX_SENT)
					act[nact++] = next;
				else if (tx[next].state == TX_DONE)
					done++;
			}
			next++;
		}
		if (nact == 0)
			break;
		now = mono_ms();
		wait = r->timeout_ms;
		for (i = 0; i < nact; i++) {
			pfd[i].fd = tx[act[i]].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
			if (tx[act[i]].deadline - now < wait)
				wait = tx[act[i]].deadline - now;
		}
		np = nact;
		if (wait < 0)
			wait = 0;
		k = poll(pfd, (nfds_t)np, (int)wait);
		if (k == -1 && errno != EINTR)
			break;
		now = mono_ms();
		for (i = 0; i < np; i++) {
			struct dns_tx *t = &tx[act[i]];
			if (t->state != TX_SENT || t->fd != pfd[i].fd)
				continue;
			if (pfd[i].revents & (POLLIN | POLLERR))
				tx_readable(r, t, buf);
			else if (now >= t->deadline)
				tx_timeout(r, t);
		}
		/* Those answered leave act; a retry stays. */
		for (i = 0, np = 0; i < nact; i++) {
			if (tx[act[i]].state == TX_SENT)
				act[np++] = act[i];
			else if (tx[act[i]].state == TX_DONE)
				done++;
		}
		nact = np;
	}
	for (i = 0; i < n; i++) {
		if (tx[i].state != TX_DONE)
			dns_tx_finish(&tx[i], DNS_ERROR, xasprintf("%s: "
			    "resolver stopped: %s", v[i].name,
			    strerror(errno)));
		else if (r->cache != NULL && !tx[i].cached)
			dns_cache_put(r->cache, &v[i]);
		if (tx[i].cur != NULL)
			ldns_rdf_deep_free(tx[i].cur);
		free(tx[i].wire);
		free(tx[i].last_error);
	}
	FREE_ALL(buf, act, pfd, tx);
}
