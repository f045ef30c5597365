/*
 * chall_http01.c - the http-01 challenge (RFC 8555 section 8.3).
 *
 * webroot: the key authorization is written atomically to
 *   <webroot>/.well-known/acme-challenge/<token> (0644, directories 0755
 *   so the web server can read them) and removed by cleanup. The path
 *   below the webroot is walked with openat(O_NOFOLLOW) and the file made
 *   with *at() calls: the webroot's owner cannot redirect certkeep (root)
 *   through a symlink to a directory of their choice.
 * listen: a responder thread bound to the configured address serves
 *   exactly GET/HEAD /.well-known/acme-challenge/<token> for the tokens
 *   presented in this run, 404 for anything else, one request per
 *   connection, for as long as the run lasts (teardown stops it).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chall.h"
#include "err.h"
#include "log.h"
#include "util.h"

/* A request line and headers larger than this are refused. */
#define RESP_REQ_MAX	8192
/* How long one client may take to send its request. */
#define RESP_CLIENT_MS	3000

struct token {
	char		*token;
	char		*body;
	struct token	*next;
};

struct h01 {
	const struct log *log;
	char		*webroot;	/* webroot mode */
	char		*listen;	/* listen mode: as configured */
	int		 lfd;
	int		 wake[2];	/* teardown writes to wake[1] */
	pthread_t	 thread;
	int		 running;
	pthread_mutex_t	 mu;
	struct token	*tokens;
	long		 served;	/* 200 answers, for debug */
};

static int
token_safe(const char *t)
{
	if (*t == '\0')
		return 0;
	for (; *t != '\0'; t++)
		if (!((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') ||
		    (*t >= '0' && *t <= '9') || *t == '-' || *t == '_'))
			return 0;
	return 1;
}

static void
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void
respond(int fd, int code, const char *body, int head)
{
	char hdr[256];
	size_t blen = body != NULL ? strlen(body) : 0;
	int n;

	n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: text/plain\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", code,
	    code == 200 ? "OK" : code == 404 ? "Not Found" : "Bad Request",
	    blen);
	send_all(fd, hdr, (size_t)n);
	if (!head && blen > 0)
		send_all(fd, body, blen);
}

/* Reads one request (until the blank line) and answers it. */
static void
serve_client(struct h01 *h, int fd)
{
	char req[RESP_REQ_MAX + 1];
	size_t len = 0;
	long long deadline = mono_ms() + RESP_CLIENT_MS;

	while (len < RESP_REQ_MAX) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - mono_ms();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return;
		r = recv(fd, req + len, RESP_REQ_MAX - len, 0);
		if (r <= 0)
			return;
		len += (size_t)r;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL ||
		    strstr(req, "\n\n") != NULL)
			break;
	}
	req[len] = '\0';

	char method[8], path[1024];
	if (sscanf(req, "%7s %1023s", method, path) != 2) {
		respond(fd, 400, NULL, 0);
		return;
	}
	int head = strcmp(method, "HEAD") == 0;
	if (!head && strcmp(method, "GET") != 0) {
		respond(fd, 404, NULL, 0);
		return;
	}
	const char *tok = NULL;
	size_t plen = strlen(CHALL_HTTP01_PREFIX);
	if (strncmp(path, CHALL_HTTP01_PREFIX, plen) == 0)
		tok = path + plen;
	char *body = NULL;
	if (tok != NULL && token_safe(tok)) {
		pthread_mutex_lock(&h->mu);
		for (struct token *t = h->tokens; t != NULL; t = t->next)
			if (strcmp(t->token, tok) == 0) {
				body = xstrdup(t->body);
				h->served++;
				break;
			}
		pthread_mutex_unlock(&h->mu);
	}
	if (body != NULL)
		respond(fd, 200, body, head);
	else
		respond(fd, 404, NULL, head);
	free(body);
}

static void *
responder(void *arg)
{
	struct h01 *h = arg;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = h->lfd, .events = POLLIN },
			{ .fd = h->wake[0], .events = POLLIN },
		};

		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents != 0)
			break;
		if (p[0].revents & POLLIN) {
			int c = accept4(h->lfd, NULL, NULL, SOCK_CLOEXEC);

			if (c == -1)
				continue;
			serve_client(h, c);
			close(c);
		}
	}
	return NULL;
}

/* "host:port", "[v6]:port" or ":port"; malloced host, caller frees. */
static int
listen_split(const char *s, char **host, int *port)
{
	const char *colon;
	char *end;
	long p;

	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':')
			return -1;
		*host = xstrndup(s + 1, (size_t)(rb - s - 1));
		colon = rb + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return -1;
		*host = xstrndup(s, (size_t)(colon - s));
	}
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535) {
		free(*host);
		*host = NULL;
		return -1;
	}
	*port = (int)p;
	return 0;
}

static int
listen_open(struct h01 *h, struct err *e)
{
	struct addrinfo hints, *res = NULL;
	char *host = NULL, portstr[16];
	int port = 0, fd = -1, one = 1, rc = -1, gai;

	if (listen_split(h->listen, &host, &port) == -1) {
		err_set(e, "http-01 listen %s: not host:port", h->listen);
		goto out;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((gai = getaddrinfo(*host != '\0' ? host : NULL, portstr, &hints,
	    &res)) != 0) {
		err_set(e, "http-01 listen %s: %s", h->listen,
		    gai_strerror(gai));
		goto out;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		err_sys(e, "http-01 listen %s: socket", h->listen);
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1) {
		err_sys(e, "http-01 listen %s: cannot bind", h->listen);
		goto out;
	}
	if (listen(fd, 64) == -1) {
		err_sys(e, "http-01 listen %s: listen", h->listen);
		goto out;
	}
	h->lfd = fd;
	fd = -1;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (res != NULL)
		freeaddrinfo(res);
	free(host);
	return rc;
}

static void h01_teardown(void *ctx);

static int
h01_setup(const struct manifest *m, const struct mchallenge *cfg,
    const struct log *log, void **ctx, struct err *e)
{
	struct h01 *h = xcalloc(1, sizeof(*h));

	(void)m;
	h->log = log;
	h->lfd = -1;
	h->wake[0] = h->wake[1] = -1;
	pthread_mutex_init(&h->mu, NULL);
	if (cfg->webroot != NULL) {
		h->webroot = xstrdup(cfg->webroot);
		*ctx = h;
		return 0;
	}
	if (cfg->listen == NULL) {
		err_set(e, "http-01 needs webroot or listen");
		goto fail;
	}
	h->listen = xstrdup(cfg->listen);
	if (listen_open(h, e) == -1)
		goto fail;
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
		if (mkdirat(dfd, name, 0755) == -1 && errno != EEXIST) {
			err_sys(e, "%s: mkdir", path);
			return -1;
		}
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
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
	if (h->lfd != -1)
		close(h->lfd);
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

const struct chall_ops chall_http01 = {
	.type = CHALL_HTTP01,
	.name = "http-01",
	.setup = h01_setup,
	.present = h01_present,
	.ready = NULL,
	.cleanup = h01_cleanup,
	.teardown = h01_teardown,
};
