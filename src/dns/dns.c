/*
 * dns.c - the stub resolver (see dns.h). ldns builds and parses the
 * messages; the sockets are our own so that a timeout, a refused
 * connection and a server's SERVFAIL stay distinguishable, and so that
 * many queries can wait in one poll().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/err.h"
#include "base/util.h"
#include "dns/dns.h"
#include "dns/dns_conf.h"

const char *const dns_status_names[DNS__MAX] = {
	"ok", "nodata", "nxdomain", "servfail", "refused", "timeout", "error",
};

#define DNS_UDP_BUFSIZE	1232	/* EDNS payload size we advertise */
#define DNS_MAX_MSG	65535
#define RESOLV_CONF	"/etc/resolv.conf"

struct dns_server {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 label[INET6_ADDRSTRLEN + 10];
};

/* An answer kept for the rest of the run (dns_resolver_cache_answers()). */
struct dns_cached {
	struct dns_cached *next;	/* same bucket */
	char		*name;	/* lower case, no trailing dot */
	ldns_rr_type	 type;
	enum dns_status	 status;
	ldns_rr_list	*rrs;
	char		*final_name;
	char		*error;
	int		 cnames;
};

struct dns_cache {
	pthread_mutex_t	 mu;
	struct dns_cached **buckets;
	size_t		 nbuckets;	/* a power of two */
	size_t		 n;
};

struct dns_resolver {
	struct dns_server	 v[DNS_MAX_SERVERS];
	size_t			 n;
	long long		 timeout_ms;
	struct dns_cache	*cache;		/* NULL: every query is sent */
};

int
dns_parse_server(const char *s, int default_port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN + 1];
	const char *p, *port = NULL;
	size_t hl;
	long pn = default_port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		if ((p = strchr(s, ']')) == NULL)
			return -1;
		hl = (size_t)(p - s - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (p[1] == ':')
			port = p + 2;
		else if (p[1] != '\0')
			return -1;
	} else {
		p = strchr(s, ':');
		if (p != NULL && strchr(p + 1, ':') == NULL) {
			hl = (size_t)(p - s);
			port = p + 1;
		} else {
			hl = strlen(s);	/* bare v4 or bare v6 */
		}
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
		host[hl] = '\0';
	}
	if (port != NULL) {
		errno = 0;
		pn = strtol(port, &end, 10);
		if (*port == '\0' || *end != '\0' || errno || pn < 1 ||
		    pn > 65535)
			return -1;
	}
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)pn);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		memset(ss, 0, sizeof(*ss));
		inet_pton(AF_INET6, host, &in6->sin6_addr);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)pn);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

static void
server_label(struct dns_server *sv)
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
	server_label(sv);
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

/* ---- the answer cache ---- */

static void
cached_free(struct dns_cached *c)
{
	free(c->name);
	if (c->rrs != NULL)
		ldns_rr_list_deep_free(c->rrs);
	free(c->final_name);
	free(c->error);
	free(c);
}

static void
cache_free(struct dns_cache *c)
{
	struct dns_cached *e, *next;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nbuckets; i++)
		for (e = c->buckets[i]; e != NULL; e = next) {
			next = e->next;
			cached_free(e);
		}
	free(c->buckets);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* The name as the cache keys it: lower case, without the trailing dot. */
static char *
cache_key(const char *name)
{
	char *k = xstrdup(name);
	size_t n = strlen(k);

	if (n > 1 && k[n - 1] == '.')
		k[n - 1] = '\0';
	str_lower(k);
	return k;
}

static size_t
cache_hash(const char *key, ldns_rr_type type)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)type;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return (size_t)h;
}

/* With c->mu held. */
static struct dns_cached *
cache_find(struct dns_cache *c, const char *key, ldns_rr_type type)
{
	struct dns_cached *e;

	for (e = c->buckets[cache_hash(key, type) & (c->nbuckets - 1)];
	    e != NULL; e = e->next)
		if (e->type == type && strcmp(e->name, key) == 0)
			return e;
	return NULL;
}

/* With c->mu held: doubles the table when it gets crowded. */
static void
cache_grow(struct dns_cache *c)
{
	struct dns_cached **nb, *e, *next;
	size_t i, n = c->nbuckets * 2, h;

	nb = xcalloc(n, sizeof(*nb));
	for (i = 0; i < c->nbuckets; i++)
		for (e = c->buckets[i]; e != NULL; e = next) {
			next = e->next;
			h = cache_hash(e->name, e->type) & (n - 1);
			e->next = nb[h];
			nb[h] = e;
		}
	free(c->buckets);
	c->buckets = nb;
	c->nbuckets = n;
}

/* Fills q from the cache; 1 when it was there. */
static int
cache_get(struct dns_cache *c, struct dns_query *q)
{
	struct dns_cached *e;
	char *key = cache_key(q->name);
	int hit = 0;

	pthread_mutex_lock(&c->mu);
	if ((e = cache_find(c, key, q->type)) != NULL) {
		q->status = e->status;
		q->rrs = e->rrs != NULL ? ldns_rr_list_clone(e->rrs) : NULL;
		q->final_name = e->final_name != NULL ?
		    xstrdup(e->final_name) : NULL;
		free(q->error);
		q->error = e->error != NULL ? xstrdup(e->error) : NULL;
		q->cnames = e->cnames;
		hit = 1;
	}
	pthread_mutex_unlock(&c->mu);
	free(key);
	return hit;
}

static void
cache_put(struct dns_cache *c, const struct dns_query *q)
{
	struct dns_cached *e;
	size_t h;

	e = xcalloc(1, sizeof(*e));
	e->name = cache_key(q->name);
	e->type = q->type;
	e->status = q->status;
	e->rrs = q->rrs != NULL ? ldns_rr_list_clone(q->rrs) : NULL;
	e->final_name = q->final_name != NULL ? xstrdup(q->final_name) : NULL;
	e->error = q->error != NULL ? xstrdup(q->error) : NULL;
	e->cnames = q->cnames;
	pthread_mutex_lock(&c->mu);
	if (cache_find(c, e->name, e->type) != NULL) {
		/* Another thread asked the same meanwhile. */
		pthread_mutex_unlock(&c->mu);
		cached_free(e);
		return;
	}
	if (c->n >= c->nbuckets * 2)
		cache_grow(c);
	h = cache_hash(e->name, e->type) & (c->nbuckets - 1);
	e->next = c->buckets[h];
	c->buckets[h] = e;
	c->n++;
	pthread_mutex_unlock(&c->mu);
}

void
dns_resolver_cache_answers(struct dns_resolver *r)
{
	struct dns_cache *c;

	if (r->cache != NULL)
		return;
	c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	c->nbuckets = 1024;
	c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
	r->cache = c;
}

int
dns_resolver_caches(const struct dns_resolver *r)
{
	return r->cache != NULL;
}

void
dns_resolver_free(struct dns_resolver *r)
{
	if (r == NULL)
		return;
	cache_free(r->cache);
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

/* ---- one transaction: a question to the servers in turn ---- */

enum tx_state {
	TX_WAITING,	/* not started */
	TX_SENT,	/* UDP query out, fd open */
	TX_DONE,
};

struct tx {
	struct dns_query *q;
	enum tx_state	 state;
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

static void
tx_fail_server(struct tx *t, enum dns_status st, char *msg)
{
	t->last_status = st;
	free(t->last_error);
	t->last_error = msg;
}

static void
tx_close(struct tx *t)
{
	if (t->fd != -1)
		close(t->fd);
	t->fd = -1;
}

static void
tx_finish(struct tx *t, enum dns_status st, char *error)
{
	tx_close(t);
	t->q->status = st;
	free(t->q->error);
	t->q->error = error;
	t->state = TX_DONE;
}

/* Builds the wire query for t->cur with a fresh random ID. */
/*
 * The query for t->cur with a fresh random ID, written directly: header
 * (RD set, one question, one additional), the question, and an OPT record
 * advertising DNS_UDP_BUFSIZE. Thousands are built per run, and the
 * generic packet encoder costs more than the rest of the exchange.
 */
static int
tx_build(struct tx *t)
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
tx_send_udp(const struct dns_resolver *r, struct tx *t)
{
	const struct dns_server *sv = &r->v[t->server];

	tx_close(t);
	t->fd = socket(sv->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (t->fd == -1 ||
	    connect(t->fd, (const struct sockaddr *)&sv->ss, sv->len) == -1 ||
	    send(t->fd, t->wire, t->wirelen, 0) != (ssize_t)t->wirelen) {
		tx_fail_server(t, DNS_ERROR, xasprintf("%s: %s", sv->label,
		    strerror(errno)));
		tx_close(t);
		return -1;
	}
	t->deadline = mono_ms() + r->timeout_ms;
	t->state = TX_SENT;
	return 0;
}

/* Moves to the next server (or finishes with the last failure). */
static void
tx_next_server(const struct dns_resolver *r, struct tx *t)
{
	tx_close(t);
	for (;;) {
		t->server++;
		t->try = 0;
		if (t->server >= r->n) {
			char *m = t->last_error;
			t->last_error = NULL;
			tx_finish(t, t->last_status, m);
			return;
		}
		if (tx_send_udp(r, t) == 0)
			return;
	}
}

/* Starts asking t->cur from the first server. */
static void
tx_start(const struct dns_resolver *r, struct tx *t)
{
	t->server = 0;
	t->try = 0;
	if (tx_build(t) == -1) {
		tx_finish(t, DNS_ERROR, xasprintf("%s: cannot build a DNS "
		    "query", t->q->name));
		return;
	}
	if (tx_send_udp(r, t) == -1)
		tx_next_server(r, t);	/* advances past this one */
}

static int
wait_fd(int fd, short ev, long long deadline)
{
	struct pollfd p;
	long long left;
	int n;

	for (;;) {
		left = deadline - mono_ms();
		if (left <= 0)
			return 0;
		p.fd = fd;
		p.events = ev;
		n = poll(&p, 1, (int)left);
		if (n == -1 && errno == EINTR)
			continue;
		return n;
	}
}

/* Reads or writes exactly n bytes before deadline. 0, or -1 with errno
   (ETIMEDOUT on the deadline). */
static int
io_full(int fd, void *p, size_t n, int writing, long long deadline)
{
	size_t done = 0;
	ssize_t k;
	int w;

	while (done < n) {
		if (writing)
			k = send(fd, (char *)p + done, n - done, MSG_NOSIGNAL);
		else
			k = recv(fd, (char *)p + done, n - done, 0);
		if (k > 0) {
			done += (size_t)k;
			continue;
		}
		if (k == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		w = wait_fd(fd, writing ? POLLOUT : POLLIN, deadline);
		if (w == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (w < 0)
			return -1;
	}
	return 0;
}

/* One TCP exchange with a server: the answer's bytes or NULL (errno). */
static uint8_t *
tcp_exchange(const struct sockaddr_storage *ss, socklen_t sslen,
    const uint8_t *wire, size_t len, long long timeout_ms, size_t *outlen)
{
	long long deadline = mono_ms() + timeout_ms;
	uint8_t hdr[2], *ans = NULL;
	size_t alen;
	int fd, w, soerr = 0, saved;
	socklen_t sl = sizeof(soerr);

	if (len > DNS_MAX_MSG) {
		errno = EMSGSIZE;
		return NULL;
	}
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return NULL;
	if (connect(fd, (const struct sockaddr *)ss, sslen) == -1) {
		if (errno != EINPROGRESS)
			goto fail;
		w = wait_fd(fd, POLLOUT, deadline);
		if (w == 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if (w < 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
			goto fail;
		if (soerr != 0) {
			errno = soerr;
			goto fail;
		}
	}
	hdr[0] = (uint8_t)(len >> 8);
	hdr[1] = (uint8_t)len;
	if (io_full(fd, hdr, 2, 1, deadline) == -1 ||
	    io_full(fd, (void *)wire, len, 1, deadline) == -1 ||
	    io_full(fd, hdr, 2, 0, deadline) == -1)
		goto fail;
	alen = ((size_t)hdr[0] << 8) | hdr[1];
	ans = xmalloc(alen ? alen : 1);
	if (io_full(fd, ans, alen, 0, deadline) == -1)
		goto fail;
	close(fd);
	*outlen = alen;
	return ans;
fail:
	saved = errno;
	free(ans);
	close(fd);
	errno = saved;
	return NULL;
}

static int
dname_eq(const ldns_rdf *a, const ldns_rdf *b)
{
	return ldns_dname_compare(a, b) == 0;
}

static char *
dname_str(const ldns_rdf *d)
{
	char *s = ldns_rdf2str(d), *r;
	size_t n;

	if (s == NULL)
		return xstrdup("?");
	n = strlen(s);
	if (n > 1 && s[n - 1] == '.')
		s[n - 1] = '\0';
	r = xstrdup(s);
	free(s);
	return r;
}

/*
 * Handles a parsed answer for t. Returns 1 when t is finished or moved on
 * (new question, next server), 0 when the packet was not ours (keep
 * waiting).
 */
static int
tx_handle(const struct dns_resolver *r, struct tx *t, ldns_pkt *p)
{
	const struct dns_server *sv = &r->v[t->server];
	ldns_rr_list *q = ldns_pkt_question(p), *an = ldns_pkt_answer(p);
	ldns_rr_list *out = NULL;
	ldns_rr *rr;
	ldns_rdf *cur = NULL;
	size_t i;
	int moved, found;

	if (ldns_pkt_id(p) != t->id || !ldns_pkt_qr(p) ||
	    ldns_rr_list_rr_count(q) != 1 ||
	    ldns_rr_get_type(ldns_rr_list_rr(q, 0)) != t->q->type ||
	    !dname_eq(ldns_rr_owner(ldns_rr_list_rr(q, 0)), t->cur))
		return 0;
	switch (ldns_pkt_get_rcode(p)) {
	case LDNS_RCODE_NOERROR:
	case LDNS_RCODE_NXDOMAIN:
		break;
	case LDNS_RCODE_SERVFAIL:
		tx_fail_server(t, DNS_SERVFAIL, xasprintf("SERVFAIL from %s",
		    sv->label));
		tx_next_server(r, t);
		return 1;
	case LDNS_RCODE_REFUSED:
		tx_fail_server(t, DNS_REFUSED, xasprintf("REFUSED by %s",
		    sv->label));
		tx_next_server(r, t);
		return 1;
	default:
		tx_fail_server(t, DNS_ERROR, xasprintf("rcode %d from %s",
		    (int)ldns_pkt_get_rcode(p), sv->label));
		tx_next_server(r, t);
		return 1;
	}

	/* Walk the chain from the name asked: records of the type at the
	   current name, else a CNAME at it moves us on. */
	cur = ldns_rdf_clone(t->cur);
	moved = 0;
	for (;;) {
		found = 0;
		for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
			rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) != t->q->type ||
			    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
			    !dname_eq(ldns_rr_owner(rr), cur))
				continue;
			if (out == NULL)
				out = ldns_rr_list_new();
			ldns_rr_list_push_rr(out, ldns_rr_clone(rr));
			found = 1;
		}
		if (found || t->q->type == LDNS_RR_TYPE_CNAME)
			break;
		for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
			rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			    dname_eq(ldns_rr_owner(rr), cur) &&
			    ldns_rr_rd_count(rr) == 1)
				break;
		}
		if (i == ldns_rr_list_rr_count(an))
			break;
		if (++t->q->cnames > DNS_MAX_CNAMES) {
			char *n = dname_str(t->cur);
			tx_finish(t, DNS_ERROR, xasprintf("%s: CNAME chain "
			    "longer than %d", n, DNS_MAX_CNAMES));
			free(n);
			ldns_rdf_deep_free(cur);
			return 1;
		}
		ldns_rdf_deep_free(cur);
		cur = ldns_rdf_clone(ldns_rr_rdf(rr, 0));
		moved = 1;
	}
	if (moved) {
		free(t->q->final_name);
		t->q->final_name = dname_str(cur);
	}
	if (out != NULL) {
		t->q->rrs = out;
		tx_finish(t, DNS_OK, NULL);
		ldns_rdf_deep_free(cur);
		return 1;
	}
	if (moved && ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR) {
		/* The chain ends in a CNAME whose target's records are not
		   here (another zone): ask for the target. */
		ldns_rdf_deep_free(t->cur);
		t->cur = cur;
		tx_close(t);
		tx_start(r, t);
		return 1;
	}
	ldns_rdf_deep_free(cur);
	tx_finish(t, ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN ?
	    DNS_NXDOMAIN : DNS_NODATA, NULL);
	return 1;
}

/* The UDP answer was truncated: the same question over TCP. */
static void
tx_tcp(const struct dns_resolver *r, struct tx *t)
{
	const struct dns_server *sv = &r->v[t->server];
	uint8_t *ans;
	size_t alen = 0;
	ldns_pkt *p = NULL;

	tx_close(t);
	ans = tcp_exchange(&sv->ss, sv->len, t->wire, t->wirelen,
	    r->timeout_ms, &alen);
	if (ans == NULL) {
		tx_fail_server(t, errno == ETIMEDOUT ? DNS_TIMEOUT : DNS_ERROR,
		    xasprintf("truncated UDP answer from %s and TCP failed: "
		    "%s", sv->label, strerror(errno)));
		tx_next_server(r, t);
		return;
	}
	if (ldns_wire2pkt(&p, ans, alen) != LDNS_STATUS_OK ||
	    tx_handle(r, t, p) == 0) {
		tx_fail_server(t, DNS_ERROR, xasprintf("malformed TCP answer "
		    "from %s", sv->label));
		tx_next_server(r, t);
	}
	if (p != NULL)
		ldns_pkt_free(p);
	free(ans);
}

static void
tx_readable(const struct dns_resolver *r, struct tx *t, uint8_t *buf)
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
			tx_fail_server(t, DNS_ERROR, xasprintf("%s: %s",
			    sv->label, strerror(errno)));
			tx_next_server(r, t);
			return;
		}
		if (ldns_wire2pkt(&p, buf, (size_t)k) != LDNS_STATUS_OK)
			continue;	/* garbage: keep waiting */
		if (ldns_pkt_id(p) == t->id && ldns_pkt_tc(p)) {
			ldns_pkt_free(p);
			tx_tcp(r, t);
			return;
		}
		if (tx_handle(r, t, p)) {
			ldns_pkt_free(p);
			return;
		}
		ldns_pkt_free(p);
		p = NULL;
	}
}

static void
tx_timeout(const struct dns_resolver *r, struct tx *t)
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
	tx_fail_server(t, DNS_TIMEOUT, xasprintf("no answer from %s in "
	    "%lld ms (2 tries)", sv->label, r->timeout_ms));
	tx_next_server(r, t);
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
	struct tx *tx;
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
		if (r->cache != NULL && cache_get(r->cache, &v[i])) {
			tx[i].state = TX_DONE;
			tx[i].cached = 1;
			continue;
		}
		if (ldns_str2rdf_dname(&tx[i].cur, v[i].name) !=
		    LDNS_STATUS_OK) {
			tx[i].cur = NULL;
			tx_finish(&tx[i], DNS_ERROR, xasprintf("%s: not a "
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
				tx_start(r, &tx[next]);
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
			struct tx *t = &tx[act[i]];
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
			tx_finish(&tx[i], DNS_ERROR, xasprintf("%s: resolver "
			    "stopped: %s", v[i].name, strerror(errno)));
		else if (r->cache != NULL && !tx[i].cached)
			cache_put(r->cache, &v[i]);
		if (tx[i].cur != NULL)
			ldns_rdf_deep_free(tx[i].cur);
		free(tx[i].wire);
		free(tx[i].last_error);
	}
	free(buf);
	free(act);
	free(pfd);
	free(tx);
}

ldns_pkt *
dns_exchange_tcp(const char *server, const uint8_t *wire, size_t len,
    long long timeout_ms, uint8_t **answer_wire, size_t *answer_len,
    struct err *e)
{
	struct dns_server sv;
	ldns_pkt *p = NULL;
	uint8_t *ans;
	size_t alen = 0;

	if (dns_parse_server(server, 53, &sv.ss, &sv.len) == -1) {
		err_set(e, "DNS server \"%s\": not an IP address with an "
		    "optional port", server);
		return NULL;
	}
	server_label(&sv);
	ans = tcp_exchange(&sv.ss, sv.len, wire, len, timeout_ms, &alen);
	if (ans == NULL) {
		if (errno == ETIMEDOUT)
			err_set(e, "%s: no answer in %lld ms", sv.label,
			    timeout_ms);
		else
			err_sys(e, "%s", sv.label);
		return NULL;
	}
	if (ldns_wire2pkt(&p, ans, alen) != LDNS_STATUS_OK) {
		err_set(e, "%s: malformed DNS answer", sv.label);
		free(ans);
		return NULL;
	}
	if (answer_wire != NULL) {
		*answer_wire = ans;
		*answer_len = alen;
	} else {
		free(ans);
	}
	return p;
}

/*
 * The answer handling of dns_resolve() fed from memory (for the fuzzer):
 * each packet of wire[] is taken as the answer to the question then in
 * flight, its ID made to match; r gets the queries for CNAME targets.
 * Returns how many packets were used.
 */
size_t
dns_parse_answers(const struct dns_resolver *r, struct dns_query *q,
    const uint8_t *const *wire, const size_t *len, size_t n)
{
	struct tx t = { .q = q, .fd = -1, .last_status = DNS_ERROR };
	ldns_pkt *p;
	size_t i;

	q->status = DNS_ERROR;
	if (ldns_str2rdf_dname(&t.cur, q->name) != LDNS_STATUS_OK)
		return 0;
	/* The first question is not sent (a CNAME to another zone is). */
	if (tx_build(&t) == 0)
		t.state = TX_SENT;
	for (i = 0; i < n && t.state == TX_SENT; i++) {
		p = NULL;
		if (ldns_wire2pkt(&p, wire[i], len[i]) != LDNS_STATUS_OK)
			continue;
		ldns_pkt_set_id(p, t.id);
		(void)tx_handle(r, &t, p);
		ldns_pkt_free(p);
	}
	if (t.state != TX_DONE)
		tx_finish(&t, DNS_TIMEOUT, xstrdup("no answer"));
	ldns_rdf_deep_free(t.cur);
	free(t.wire);
	free(t.last_error);
	return i;
}
