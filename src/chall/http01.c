/*
 * http01.c - the http-01 challenge (RFC 8555 section 8.3).
 *
 * webroot: the key authorization is written atomically to
 *   <webroot>/.well-known/acme-challenge/<token> (0644, directories 0755
 *   so the web server can read them) and removed by cleanup. The path
 *   below the webroot is walked with openat(O_NOFOLLOW) and the file made
 *   with *at() calls: the webroot's owner cannot redirect certkeep (root)
 *   through a symlink to a directory of their choice.
 * listen: a responder thread bound to the configured address (both IPv4
 *   and IPv6 for "*:PORT" and "[::]:PORT", every address of a name) serves
 *   exactly GET/HEAD /.well-known/acme-challenge/<token> for the tokens
 *   presented in this run, 404 for anything else, one request per
 *   connection, for as long as the run lasts (teardown stops it). It
 *   polls every connection at once (non-blocking), gives each
 *   CHALL_HTTP01_HEAD_MS to send its request head and holds at most
 *   CHALL_HTTP01_CONN_MAX, dropping the oldest for a new one: idle
 *   connections cannot crowd out the CA's validation requests. The
 *   server itself (http01.h) is shared with `certkeep serve-http01`.
 * publish: the key authorization is put into the store (with a time to
 *   live) through the run's publisher and deleted by cleanup; a separately
 *   running serve-http01 answers it, on this host or any that shares the
 *   store.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/syntax.h"
#include "base/time.h"
#include "chall/chall.h"
#include "chall/http01.h"

struct token {
	char		*token;
	char		*body;
	struct token	*next;
};

/* The per-run context of one http-01 configuration. */
struct h01 {
	const struct log *log;
	char		*webroot;	/* webroot mode */
	char		*listen;	/* listen mode: as configured */
	int		 publish;	/* publish mode */
	const struct chall_publisher *pub;
	struct h01_server *srv;
	int		 wake[2];	/* teardown writes to wake[1] */
	pthread_t	 thread;
	int		 running;
	pthread_mutex_t	 mu;
	struct token	*tokens;
};

static int
token_safe(const char *t)
{
	size_t n;

	for (n = 0; t[n] != '\0'; n++)
		if (!((t[n] >= 'A' && t[n] <= 'Z') ||
		    (t[n] >= 'a' && t[n] <= 'z') ||
		    (t[n] >= '0' && t[n] <= '9') || t[n] == '-' ||
		    t[n] == '_') || n >= H01_TOKEN_MAX)
			return 0;
	return n > 0;
}

/* One client connection of the responder. */
struct conn {
	int		 fd;
	long long	 deadline;	/* mono_ms(): closed then */
	long long	 seq;		/* accept order: lower is older */
	char		*buf;		/* the request head so far, then the
					   answer being sent */
	size_t		 len;
	size_t		 sent;		/* of the answer */
	int		 answering;	/* buf holds the answer */
	char		 peer[48];	/* numeric address of the client */
};

struct h01_server {
	struct h01_lookup lookup;
	int		 lfd[H01_LISTEN_MAX];
	size_t		 nlfd;
	char		*bound;		/* the addresses, one a line */
};

/* The answer to one request head (NUL-terminated); malloced. */
static char *
answer_build(struct h01_server *srv, const char *req, const char *peer,
    size_t *lenp)
{
	char method[8], path[1024], *body = NULL, *out;
	const char *tok = NULL, *reason;
	size_t plen = strlen(CHALL_HTTP01_PREFIX);
	int head = 0, code;

	if (sscanf(req, "%7s %1023s", method, path) != 2) {
		code = 400;
	} else if (strcmp(method, "HEAD") != 0 && strcmp(method, "GET") != 0) {
		code = 404;
	} else {
		head = strcmp(method, "HEAD") == 0;
		if (strncmp(path, CHALL_HTTP01_PREFIX, plen) == 0)
			tok = path + plen;
		if (tok != NULL && token_safe(tok))
			body = srv->lookup.fn(srv->lookup.arg, tok, peer);
		code = body != NULL ? 200 : 404;
	}
	reason = code == 200 ? "OK" : code == 404 ? "Not Found" :
	    "Bad Request";
	out = xasprintf("HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", code, reason,
	    body != NULL ? strlen(body) : (size_t)0,
	    body != NULL && !head ? body : "");
	free(body);
	*lenp = strlen(out);
	return out;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* What the result n of a non-blocking send or recv means: 0 the socket
   would block, 1 the connection is over (end or error), -1 go on (*pos
   advanced by what moved, or nothing when interrupted). */
static int
conn_io(ssize_t n, size_t *pos)
{
	if (n == -1 && errno == EINTR)
		return -1;
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0)
		return 1;
	*pos += (size_t)n;
	return -1;
}

/* Sends what is left of the answer; 1 when done (or failed), 0 when the
   socket is full. */
static int
conn_send(struct conn *c)
{
	int st;

	while (c->sent < c->len)
		if ((st = conn_io(send(c->fd, c->buf + c->sent,
		    c->len - c->sent, MSG_NOSIGNAL), &c->sent)) != -1)
			return st;
	return 1;
}

/* Reads what the client sent; answers once the head is complete. Returns
   1 when the connection is finished. */
static int
conn_read(struct h01_server *srv, struct conn *c)
{
	int st;

	for (;;) {
		if (c->len >= H01_REQ_MAX)
			return 1;	/* a head this long is no ACME VA */
		if ((st = conn_io(recv(c->fd, c->buf + c->len,
		    H01_REQ_MAX - c->len, 0), &c->len)) != -1)
			return st;
		c->buf[c->len] = '\0';
		if (strstr(c->buf, "\r\n\r\n") != NULL ||
		    strstr(c->buf, "\n\n") != NULL)
			break;
	}
	{
		size_t alen;
		char *ans = answer_build(srv, c->buf, c->peer, &alen);

		free(c->buf);
		c->buf = ans;
		c->len = alen;
		c->sent = 0;
		c->answering = 1;
		/* The answer gets its own (short) time to leave. */
		c->deadline = mono_ms() + CHALL_HTTP01_HEAD_MS;
	}
	return conn_send(c);
}

/* The slot of the oldest connection (n > 0). */
static size_t
conn_oldest(const struct conn *conns, size_t n)
{
	size_t i, slot = 0;

	for (i = 1; i < n; i++)
		if (conns[i].seq < conns[slot].seq)
			slot = i;
	return slot;
}

/* Accepts every pending connection of lfd into conns (n in use, cap at
   most), dropping the oldest when full. */
static void
conn_accept(int lfd, struct conn *conns, size_t *n, long long *seq)
{
	int freed = 0;

	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sslen = sizeof(ss);
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sslen,
		    SOCK_CLOEXEC | SOCK_NONBLOCK);
		size_t slot;

		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			/* Out of descriptors: make room once, or the
			   pending connection keeps poll() spinning. */
			if ((errno == EMFILE || errno == ENFILE) && !freed &&
			    *n > 0) {
				slot = conn_oldest(conns, *n);
				conn_close(&conns[slot]);
				conns[slot] = conns[--*n];
				freed = 1;
				continue;
			}
			return;
		}
		if (*n < CHALL_HTTP01_CONN_MAX) {
			slot = (*n)++;
		} else {
			slot = conn_oldest(conns, *n);
			conn_close(&conns[slot]);
		}
		conns[slot].fd = fd;
		conns[slot].seq = (*seq)++;
		conns[slot].deadline = mono_ms() + CHALL_HTTP01_HEAD_MS;
		conns[slot].buf = xmalloc(H01_REQ_MAX + 1);
		conns[slot].len = conns[slot].sent = 0;
		conns[slot].answering = 0;
		if (getnameinfo((struct sockaddr *)&ss, sslen,
		    conns[slot].peer, sizeof(conns[slot].peer), NULL, 0,
		    NI_NUMERICHOST) != 0)
			snprintf(conns[slot].peer, sizeof(conns[slot].peer),
			    "?");
	}
}

int
h01_server_run(struct h01_server *srv, int stopfd, struct err *e)
{
	struct conn *conns = xcalloc(CHALL_HTTP01_CONN_MAX, sizeof(*conns));
	struct pollfd *p = xcalloc(CHALL_HTTP01_CONN_MAX + H01_LISTEN_MAX + 1,
	    sizeof(*p));
	size_t n = 0, np, i, j, base = 1 + srv->nlfd;
	long long seq = 0, now, next;
	int timeout, rc = 0;

	for (;;) {
		/* Stop descriptor, listeners, then every connection. */
		p[0].fd = stopfd;
		p[0].events = POLLIN;
		for (i = 0; i < srv->nlfd; i++) {
			p[1 + i].fd = srv->lfd[i];
			p[1 + i].events = POLLIN;
		}
		now = mono_ms();
		next = -1;
		for (i = 0; i < n; i++) {
			p[base + i].fd = conns[i].fd;
			p[base + i].events = conns[i].answering ? POLLOUT :
			    POLLIN;
			if (next == -1 || conns[i].deadline < next)
				next = conns[i].deadline;
		}
		np = base + n;
		for (i = 0; i < np; i++)
			p[i].revents = 0;
		timeout = next == -1 ? -1 : next <= now ? 0 : (int)(next - now);
		if (poll(p, (nfds_t)np, timeout) == -1) {
			if (errno == EINTR)
				continue;
			err_sys(e, "http-01 responder: poll");
			rc = -1;
			break;
		}
		if (p[0].revents != 0)
			break;
		now = mono_ms();
		for (i = 0; i < n; i++) {
			struct conn *c = &conns[i];
			int fin = 0;

			if (p[base + i].revents != 0)
				fin = c->answering ? conn_send(c) :
				    conn_read(srv, c);
			if (fin || now >= c->deadline)
				conn_close(c);
		}
		/* Compact: closed slots out, order kept. */
		for (i = j = 0; i < n; i++)
			if (conns[i].fd != -1)
				conns[j++] = conns[i];
		n = j;
		for (i = 0; i < srv->nlfd; i++)
			if (p[1 + i].revents & POLLIN)
				conn_accept(srv->lfd[i], conns, &n, &seq);
	}
	for (i = 0; i < n; i++)
		conn_close(&conns[i]);
	free(conns);
	free(p);
	return rc;
}

/* Binds one listening socket (non-blocking, IPv6 ones IPv6 only, so that
   the IPv4 one can share the port) into srv->lfd. */
static int
listen_one(struct h01_server *srv, const char *spec, const struct sockaddr *sa,
    socklen_t salen, int optional, struct err *e)
{
	char host[64] = "?", port[16] = "?", *line;
	int fd, one = 1;

	getnameinfo(sa, salen, host, sizeof(host), port, sizeof(port),
	    NI_NUMERICHOST | NI_NUMERICSERV);
	if (srv->nlfd >= H01_LISTEN_MAX) {
		err_set(e, "http-01 listen %s (%s): more than %d addresses",
		    spec, host, H01_LISTEN_MAX);
		return -1;
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd == -1) {
		/* "*:80" on a host without IPv6: IPv4 alone will do. */
		if (optional && (errno == EAFNOSUPPORT ||
		    errno == EPROTONOSUPPORT))
			return 0;
		err_sys(e, "http-01 listen %s (%s): socket", spec, host);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, sa, salen) == -1) {
		if (optional && errno == EADDRNOTAVAIL) {
			close(fd);
			return 0;
		}
		err_sys(e, "http-01 listen %s (%s): cannot bind", spec, host);
		close(fd);
		return -1;
	}
	if (listen(fd, SOMAXCONN) == -1) {
		err_sys(e, "http-01 listen %s (%s): listen", spec, host);
		close(fd);
		return -1;
	}
	srv->lfd[srv->nlfd++] = fd;
	line = xasprintf("%s%s%s%s:%s\n", srv->bound != NULL ? srv->bound : "",
	    sa->sa_family == AF_INET6 ? "[" : "", host,
	    sa->sa_family == AF_INET6 ? "]" : "", port);
	free(srv->bound);
	srv->bound = line;
	return 0;
}

/* Binds every address of one spec. */
static int
listen_open(struct h01_server *srv, const char *spec, struct err *e)
{
	struct addrinfo hints, *res = NULL, *ai;
	char *host = NULL, portstr[16];
	size_t before = srv->nlfd;
	int port = 0, rc = -1, gai;

	if (hostport_split(spec, -1, &host, &port) != NULL) {
		err_set(e, "http-01 listen %s: not host:port", spec);
		goto out;
	}
	if (*host == '\0' || strcmp(host, "*") == 0 ||
	    strcmp(host, "::") == 0) {
		/* Every address: both families. */
		struct sockaddr_in6 a6;
		struct sockaddr_in a4;

		memset(&a6, 0, sizeof(a6));
		a6.sin6_family = AF_INET6;
		a6.sin6_addr = in6addr_any;
		a6.sin6_port = htons((unsigned short)port);
		memset(&a4, 0, sizeof(a4));
		a4.sin_family = AF_INET;
		a4.sin_addr.s_addr = htonl(INADDR_ANY);
		a4.sin_port = htons((unsigned short)port);
		if (listen_one(srv, spec, (struct sockaddr *)&a6, sizeof(a6),
		    1, e) == -1 || listen_one(srv, spec,
		    (struct sockaddr *)&a4, sizeof(a4), 0, e) == -1)
			goto out;
		rc = 0;
		goto out;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((gai = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		err_set(e, "http-01 listen %s: %s", spec, gai_strerror(gai));
		goto out;
	}
	/* Every address of a name ("localhost": ::1 and 127.0.0.1). */
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		int dup = 0;

		for (struct addrinfo *b = res; b != ai; b = b->ai_next)
			if (b->ai_addrlen == ai->ai_addrlen &&
			    memcmp(b->ai_addr, ai->ai_addr, ai->ai_addrlen) ==
			    0)
				dup = 1;
		if (!dup && listen_one(srv, spec, ai->ai_addr, ai->ai_addrlen,
		    ai->ai_next != NULL || srv->nlfd > before, e) == -1)
			goto out;
	}
	if (srv->nlfd == before) {
		err_set(e, "http-01 listen %s: no address to bind", spec);
		goto out;
	}
	rc = 0;
out:
	if (res != NULL)
		freeaddrinfo(res);
	free(host);
	return rc;
}

struct h01_server *
h01_server_open(const char *const *specs, size_t n,
    const struct h01_lookup *lookup, struct err *e)
{
	struct h01_server *srv = xcalloc(1, sizeof(*srv));
	size_t i;

	srv->lookup = *lookup;
	if (n == 0) {
		err_set(e, "http-01 listen: no address given");
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (listen_open(srv, specs[i], e) == -1)
			goto fail;
	return srv;
fail:
	h01_server_free(srv);
	return NULL;
}

char *
h01_server_addresses(const struct h01_server *srv)
{
	return xstrdup(srv->bound != NULL ? srv->bound : "");
}

void
h01_server_free(struct h01_server *srv)
{
	if (srv == NULL)
		return;
	for (size_t i = 0; i < srv->nlfd; i++)
		close(srv->lfd[i]);
	free(srv->bound);
	free(srv);
}

/* listen mode: the tokens presented in this run. */
static char *
h01_lookup_run(void *arg, const char *token, const char *peer)
{
	struct h01 *h = arg;
	char *body = NULL;

	(void)peer;
	pthread_mutex_lock(&h->mu);
	for (struct token *t = h->tokens; t != NULL; t = t->next)
		if (strcmp(t->token, token) == 0) {
			body = xstrdup(t->body);
			break;
		}
	pthread_mutex_unlock(&h->mu);
	return body;
}

static void *
responder(void *arg)
{
	struct h01 *h = arg;
	struct err e;

	err_clear(&e);
	if (h01_server_run(h->srv, h->wake[0], &e) == -1 && h->log != NULL)
		log_warn(h->log, "%s", e.msg);
	return NULL;
}

static void h01_teardown(void *ctx);

static int
h01_setup(const struct dns_conf *dns, const struct chall_conf *cfg,
    const struct log *log, void **ctx, struct err *e)
{
	struct h01 *h = xcalloc(1, sizeof(*h));

	(void)dns;
	h->log = log;
	h->wake[0] = h->wake[1] = -1;
	pthread_mutex_init(&h->mu, NULL);
	if (cfg->webroot != NULL) {
		h->webroot = xstrdup(cfg->webroot);
		*ctx = h;
		return 0;
	}
	if (cfg->publish) {
		h->publish = 1;		/* publish_to() brings the store */
		*ctx = h;
		return 0;
	}
	if (cfg->listen == NULL) {
		err_set(e, "http-01 needs webroot, listen or publish");
		goto fail;
	}
	h->listen = xstrdup(cfg->listen);
	{
		const char *spec = h->listen;
		struct h01_lookup lk = { h01_lookup_run, h };

		if ((h->srv = h01_server_open(&spec, 1, &lk, e)) == NULL)
			goto fail;
	}
	if (pipe2(h->wake, O_CLOEXEC) == -1) {
		err_sys(e, "http-01 listen %s: pipe", h->listen);
		goto fail;
	}
	if (pthread_create(&h->thread, NULL, responder, h) != 0) {
		err_set(e, "http-01 listen %s: cannot start the responder",
		    h->listen);
		goto fail;
	}
	h->running = 1;
	if (log != NULL)
		log_debug(log, "http-01 responder listening on %s", h->listen);
	*ctx = h;
	return 0;
fail:
	h01_teardown(h);
	return -1;
}

/* Whether a directory or link of this owner may be followed. */
static int
owner_trusted(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/*
 * Opens the directory name below dfd (path: its full name, for messages),
 * creating it (0755) when create is set and it is missing. A symlink is
 * followed only when it and the directory it leads to belong to root or
 * the running user: the webroot's owner must not be able to point certkeep
 * (root) at a directory of their choice. Returns the descriptor or -1.
 */
static int
webroot_openat(int dfd, const char *name, const char *path, int create,
    struct err *e)
{
	struct stat lst, st;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1 && errno == ENOENT && create) {
		int made = mkdirat(dfd, name, 0755) == 0;

		if (!made && errno != EEXIST) {
			err_sys(e, "%s: mkdir", path);
			return -1;
		}
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		/* Readable by the web server whatever the umask. */
		if (fd != -1 && made && fchmod(fd, 0755) == -1) {
			err_sys(e, "%s: chmod", path);
			close(fd);
			return -1;
		}
	}
	if (fd != -1)
		return fd;
	if (errno != ELOOP && errno != ENOTDIR) {
		err_sys(e, "%s", path);
		return -1;
	}
	if (fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW) == -1) {
		err_sys(e, "%s", path);
		return -1;
	}
	if (!S_ISLNK(lst.st_mode)) {
		err_set(e, "%s: not a directory", path);
		return -1;
	}
	if (!owner_trusted(lst.st_uid)) {
		err_set(e, "%s: a symlink owned by uid %u; only symlinks of "
		    "root or uid %u are followed", path, (unsigned)lst.st_uid,
		    (unsigned)geteuid());
		return -1;
	}
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1) {
		err_sys(e, "%s (a symlink)", path);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !owner_trusted(st.st_uid)) {
		err_set(e, "%s: a symlink to a directory owned by uid %u; only "
		    "directories of root or uid %u are followed through a "
		    "symlink", path, (unsigned)st.st_uid, (unsigned)geteuid());
		close(fd);
		return -1;
	}
	return fd;
}

/* The acme-challenge directory of the webroot, walked without following
   untrusted symlinks (webroot_openat). Returns a descriptor or -1. */
static int
webroot_dir(const struct h01 *h, int create, struct err *e)
{
	char *wk = path_join(h->webroot, ".well-known");
	char *ac = path_join(wk, "acme-challenge");
	int root = -1, wfd = -1, afd = -1;

	/* The webroot itself is the administrator's choice: followed. */
	if (create && mkdir_p(h->webroot, 0755, e) == -1)
		goto out;
	root = open(h->webroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root == -1) {
		err_sys(e, "%s", h->webroot);
		goto out;
	}
	if ((wfd = webroot_openat(root, ".well-known", wk, create, e)) == -1)
		goto out;
	afd = webroot_openat(wfd, "acme-challenge", ac, create, e);
out:
	if (root != -1)
		close(root);
	if (wfd != -1)
		close(wfd);
	free(wk);
	free(ac);
	return afd;
}

/* Writes the token file in dfd: temp file, fsync, rename. */
static int
webroot_write(int dfd, const char *token, const char *body, struct err *e)
{
	char tmp[64];
	unsigned char rnd[8];
	size_t len = strlen(body), off = 0;
	ssize_t w;
	int fd, rc = -1;

	/* A fresh unguessable name, created exclusively: the directory may
	   belong to someone else, who must not pre-plant it (a hard link to
	   a file of root's would be truncated). */
	if (getentropy(rnd, sizeof(rnd)) == -1) {
		err_sys(e, "getentropy");
		return -1;
	}
	snprintf(tmp, sizeof(tmp), ".tmp-%02x%02x%02x%02x%02x%02x%02x%02x",
	    rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1) {
		err_sys(e, "%s: create", tmp);
		return -1;
	}
	while (off < len) {
		w = write(fd, body + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			err_sys(e, "%s: write", tmp);
			goto out;
		}
		off += (size_t)w;
	}
	/* Readable by the web server whatever the umask. */
	if (fchmod(fd, 0644) == -1 || fsync(fd) == -1) {
		err_sys(e, "%s", tmp);
		goto out;
	}
	if (renameat(dfd, tmp, dfd, token) == -1) {
		err_sys(e, "%s: rename", token);
		goto out;
	}
	rc = 0;
out:
	close(fd);
	if (rc == -1)
		unlinkat(dfd, tmp, 0);
	return rc;
}

static int
h01_present(void *ctx, struct chall_item *it, struct err *e)
{
	struct h01 *h = ctx;

	if (!token_safe(it->token)) {
		err_set(e, "%s: the CA sent an unusable http-01 token",
		    it->identifier);
		return -1;
	}
	if (h->publish) {
		if (h->pub->put(h->pub->arg, it->token, it->key_authz,
		    CHALL_HTTP01_PUBLISH_TTL, e) == -1) {
			err_prefix(e, "http-01 for %s (publish)",
			    it->identifier);
			return -1;
		}
		return 0;
	}
	if (h->webroot != NULL) {
		int dfd, rc = -1;

		if ((dfd = webroot_dir(h, 1, e)) != -1) {
			rc = webroot_write(dfd, it->token, it->key_authz, e);
			close(dfd);
		}
		if (rc == -1)
			err_prefix(e, "http-01 for %s (webroot)",
			    it->identifier);
		return rc;
	}
	struct token *t = xcalloc(1, sizeof(*t));
	t->token = xstrdup(it->token);
	t->body = xstrdup(it->key_authz);
	pthread_mutex_lock(&h->mu);
	t->next = h->tokens;
	h->tokens = t;
	pthread_mutex_unlock(&h->mu);
	return 0;
}

static void
h01_cleanup(void *ctx, struct chall_item *it)
{
	struct h01 *h = ctx;

	if (h->publish) {
		struct err e;

		err_clear(&e);
		if (h->pub->del(h->pub->arg, it->token, &e) == -1 &&
		    h->log != NULL)
			log_warn(h->log, "the published http-01 token %s is "
			    "not removed (it expires in %d s): %s", it->token,
			    CHALL_HTTP01_PUBLISH_TTL, e.msg);
		return;
	}
	if (h->webroot != NULL) {
		struct err e;
		int dfd;

		err_clear(&e);
		if ((dfd = webroot_dir(h, 0, &e)) == -1) {
			if (h->log != NULL)
				log_warn(h->log, "http-01 token %s not removed: "
				    "%s", it->token, e.msg);
			return;
		}
		if (unlinkat(dfd, it->token, 0) == -1 && errno != ENOENT &&
		    h->log != NULL)
			log_warn(h->log, "cannot remove the http-01 token %s "
			    "in %s/.well-known/acme-challenge: %s", it->token,
			    h->webroot, strerror(errno));
		close(dfd);
		return;
	}
	pthread_mutex_lock(&h->mu);
	for (struct token **pp = &h->tokens; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->token, it->token) == 0) {
			struct token *t = *pp;

			*pp = t->next;
			free(t->token);
			free(t->body);
			free(t);
			break;
		}
	pthread_mutex_unlock(&h->mu);
}

static void
h01_teardown(void *ctx)
{
	struct h01 *h = ctx;

	if (h == NULL)
		return;
	if (h->running) {
		ssize_t w;

		do
			w = write(h->wake[1], "x", 1);
		while (w == -1 && errno == EINTR);
		pthread_join(h->thread, NULL);
	}
	h01_server_free(h->srv);
	if (h->wake[0] != -1)
		close(h->wake[0]);
	if (h->wake[1] != -1)
		close(h->wake[1]);
	while (h->tokens != NULL) {
		struct token *t = h->tokens;

		h->tokens = t->next;
		free(t->token);
		free(t->body);
		free(t);
	}
	pthread_mutex_destroy(&h->mu);
	free(h->webroot);
	free(h->listen);
	free(h);
}

/* publish: the run must have somewhere to publish. */
static int
h01_publish_to(void *ctx, const struct chall_publisher *pub, struct err *e)
{
	struct h01 *h = ctx;

	if (!h->publish)
		return 0;
	if (pub == NULL) {
		err_set(e, "http-01 publish: this run has no store to publish "
		    "into");
		return -1;
	}
	h->pub = pub;
	return 0;
}

const struct chall_ops chall_http01 = {
	.type = CHALL_HTTP01,
	.name = "http-01",
	.setup = h01_setup,
	.present = h01_present,
	.ready = NULL,
	.cleanup = h01_cleanup,
	.teardown = h01_teardown,
	.publish_to = h01_publish_to,
};
