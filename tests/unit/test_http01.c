/*
 * test_http01.c - the http-01 challenge on its own.
 *
 * webroot: the token file is written under <webroot>/.well-known/
 * acme-challenge and removed after; a symlink in that path is followed
 * only when it and the directory it leads to belong to root or the running
 * user, otherwise present() fails naming the link and nothing is written
 * (or removed) outside. Runs as root: "another user" is uid 65534.
 *
 * listen: the responder answers on IPv4 and IPv6 for "*:PORT" and
 * "[::]:PORT"; 200 idle connections do not delay an answer; an idle
 * connection is closed after the request-head deadline; when the
 * connection cap is reached the oldest idle ones are dropped first.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/time.h"
#include "chall/chall.h"
#include "manifest/manifest.h"

#include "tap.h"

static int
file_is(const char *path, const char *want)
{
	struct err e;
	char *d = file_read(path, 4096, NULL, &e);
	int r = d != NULL && strcmp(d, want) == 0;

	free(d);
	return r;
}

static int
dir_empty(const char *path)
{
	char *cmd = xasprintf("test -z \"$(ls -A '%s')\"", path);
	int r = system(cmd) == 0;

	free(cmd);
	return r;
}

static void
test_webroot(const char *tmp)
{
	struct chall_conf cfg;
	struct manifest m;
	struct chall_item it;
	struct err e;
	void *ctx = NULL;
	char *web = path_join(tmp, "www"), *out = path_join(tmp, "outside");
	char *wk = path_join(web, ".well-known");
	char *ac = path_join(wk, "acme-challenge");
	char *tok = path_join(ac, "tok1");
	char *outtok = path_join(out, "tok1");
	char *rootdir = path_join(tmp, "rootdir");
	char *roottok = path_join(rootdir, "tok1");

	err_clear(&e);
	memset(&cfg, 0, sizeof(cfg));
	memset(&m, 0, sizeof(m));
	memset(&it, 0, sizeof(it));
	cfg.type = CHALL_HTTP01;
	cfg.webroot = web;
	it.identifier = "a.example.com";
	it.token = "tok1";
	it.key_authz = "tok1.thumb";
	mkdir(web, 0755);
	mkdir(out, 0755);
	ok(chown(web, 65534, 65534) == 0 && chown(out, 65534, 65534) == 0,
	    "webroot and an outside directory belong to uid 65534");
	ok(chall_http01.setup(&m.dns, &cfg, NULL, &ctx, &e) == 0, "setup");

	/* Plain directories. */
	ok(chall_http01.present(ctx, &it, &e) == 0, "present: %s", e.msg);
	ok(file_is(tok, "tok1.thumb"), "token file written");
	chall_http01.cleanup(ctx, &it);
	ok(access(tok, F_OK) != 0, "and removed by cleanup");

	/* The webroot's owner plants acme-challenge -> outside. */
	rm_rf(ac, &e);
	ok(symlink(out, ac) == 0 && lchown(ac, 65534, 65534) == 0,
	    "acme-challenge: a symlink of uid 65534");
	ok(chall_http01.present(ctx, &it, &e) == -1 &&
	    strstr(e.msg, ac) != NULL && strstr(e.msg, "symlink") != NULL,
	    "another user's symlink is not followed: %s", e.msg);
	ok(dir_empty(out), "nothing written outside");

	/* Root's symlink to root's directory: followed. */
	unlink(ac);
	mkdir(rootdir, 0755);
	ok(symlink(rootdir, ac) == 0, "acme-challenge: root's symlink to "
	    "root's directory");
	ok(chall_http01.present(ctx, &it, &e) == 0 &&
	    file_is(roottok, "tok1.thumb"), "followed: %s", e.msg);
	chall_http01.cleanup(ctx, &it);
	ok(access(roottok, F_OK) != 0, "and the token removed there");

	/* Root's symlink to another user's directory: not followed. */
	unlink(ac);
	ok(symlink(out, ac) == 0, "acme-challenge: root's symlink to uid "
	    "65534's directory");
	ok(chall_http01.present(ctx, &it, &e) == -1 &&
	    strstr(e.msg, ac) != NULL, "refused: %s", e.msg);
	ok(dir_empty(out), "nothing written outside");

	/* .well-known itself a planted symlink. */
	unlink(ac);
	rm_rf(wk, &e);
	ok(symlink(out, wk) == 0 && lchown(wk, 65534, 65534) == 0,
	    ".well-known: a symlink of uid 65534");
	ok(chall_http01.present(ctx, &it, &e) == -1 &&
	    strstr(e.msg, wk) != NULL, "refused: %s", e.msg);
	ok(dir_empty(out), "nothing created outside");

	/* Swapped after present: cleanup must not unlink outside. */
	unlink(wk);
	ok(chall_http01.present(ctx, &it, &e) == 0 && file_is(tok,
	    "tok1.thumb"), "present in plain directories again: %s", e.msg);
	rm_rf(ac, &e);
	ok(symlink(out, ac) == 0 && lchown(ac, 65534, 65534) == 0,
	    "acme-challenge swapped for a symlink of uid 65534");
	file_write_atomic(outtok, "keep", 4, 0644, &e);
	chall_http01.cleanup(ctx, &it);
	ok(file_is(outtok, "keep"), "cleanup left the outside file alone");

	chall_http01.teardown(ctx);
	FREE_ALL(web, out, wk, ac, tok, outtok, rootdir, roottok);
}


/* A port free on both 127.0.0.1 and ::1 (a dual-stack bind to port 0). */
static int
port_free(void)
{
	struct sockaddr_in6 a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET6, SOCK_STREAM, 0), off = 0, port = -1;

	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_any;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
		port = ntohs(a.sin6_port);
	close(fd);
	return port;
}

/* A connected socket to host (an IPv4 or IPv6 literal) and port, or -1
   when it does not connect within 2 s. */
static int
conn_open(const char *host, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	struct pollfd p;
	socklen_t alen, elen = sizeof(int);
	int fd, err = 0, fl;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((unsigned short)port);
		alen = sizeof(*a4);
	} else {
		inet_pton(AF_INET6, host, &a6->sin6_addr);
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((unsigned short)port);
		alen = sizeof(*a6);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, alen) == -1) {
		p.fd = fd;
		p.events = POLLOUT;
		if (errno != EINPROGRESS || poll(&p, 1, 2000) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1 ||
		    err != 0) {
			close(fd);
			return -1;
		}
	}
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

/* Whether fd is closed by the peer within ms (EOF or reset). */
static int
conn_closed_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	return recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

/* GET path from host:port; the whole answer (malloced) or NULL after 3 s. */
static char *
http_get(const char *host, int port, const char *path)
{
	struct buf b;
	char chunk[1024], *req;
	long long until = mono_ms() + 3000;
	int fd = conn_open(host, port);
	ssize_t n;

	if (fd == -1)
		return NULL;
	req = xasprintf("GET %s HTTP/1.1\r\nHost: a.example.com\r\n"
	    "Connection: close\r\n\r\n", path);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		free(req);
		close(fd);
		return NULL;
	}
	free(req);
	buf_init(&b);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = until - mono_ms();

		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			buf_clear(&b);
			close(fd);
			return NULL;
		}
		if ((n = recv(fd, chunk, sizeof(chunk), 0)) <= 0)
			break;
		buf_append(&b, chunk, (size_t)n);
	}
	close(fd);
	if (b.len == 0) {
		buf_clear(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static int
answer_ok(char *resp, const char *body)
{
	int r = resp != NULL && strncmp(resp, "HTTP/1.1 200", 12) == 0 &&
	    strlen(resp) >= strlen(body) &&
	    strcmp(resp + strlen(resp) - strlen(body), body) == 0;

	free(resp);
	return r;
}

static void
test_listen(void)
{
	struct chall_conf cfg;
	struct manifest m;
	struct chall_item it;
	struct err e;
	void *ctx = NULL;
	const char *forms[] = { "*", "[::]" };
	int port, i, k, idle[CHALL_HTTP01_CONN_MAX + 20], nidle;
	long long t0, ms;

	err_clear(&e);
	memset(&cfg, 0, sizeof(cfg));
	memset(&m, 0, sizeof(m));
	memset(&it, 0, sizeof(it));
	cfg.type = CHALL_HTTP01;
	it.identifier = "a.example.com";
	it.token = "tokL";
	it.key_authz = "tokL.thumb";

	/* Both families for the wildcard forms. */
	for (k = 0; k < 2; k++) {
		port = port_free();
		cfg.listen = xasprintf("%s:%d", forms[k], port);
		ctx = NULL;
		ok(chall_http01.setup(&m.dns, &cfg, NULL, &ctx, &e) == 0,
		    "listen %s: %s", cfg.listen, e.msg);
		if (ctx == NULL) {
			free(cfg.listen);
			continue;
		}
		chall_http01.present(ctx, &it, &e);
		ok(answer_ok(http_get("127.0.0.1", port, CHALL_HTTP01_PREFIX
		    "tokL"), "tokL.thumb"), "%s: answers on 127.0.0.1",
		    cfg.listen);
		ok(answer_ok(http_get("::1", port, CHALL_HTTP01_PREFIX "tokL"),
		    "tokL.thumb"), "%s: answers on ::1", cfg.listen);
		chall_http01.cleanup(ctx, &it);
		chall_http01.teardown(ctx);
		free(cfg.listen);
	}

	port = port_free();
	cfg.listen = xasprintf("127.0.0.1:%d", port);
	ctx = NULL;
	if (chall_http01.setup(&m.dns, &cfg, NULL, &ctx, &e) == -1) {
		ok(0, "listen %s: %s", cfg.listen, e.msg);
		free(cfg.listen);
		return;
	}
	chall_http01.present(ctx, &it, &e);

	/* 200 idle connections do not delay an answer. */
	for (nidle = 0; nidle < 200; nidle++)
		if ((idle[nidle] = conn_open("127.0.0.1", port)) == -1)
			break;
	is_int(nidle, 200, "200 idle connections open");
	t0 = mono_ms();
	ok(answer_ok(http_get("127.0.0.1", port, CHALL_HTTP01_PREFIX "tokL"),
	    "tokL.thumb"), "answered while they are held");
	ms = mono_ms() - t0;
	ok(ms < 1000, "at once (%lld ms)", ms);
	ok(answer_ok(http_get("127.0.0.1", port, CHALL_HTTP01_PREFIX "nope"),
	    "") == 0, "an unknown token is not served");

	/* The request-head deadline closes idle connections. */
	t0 = mono_ms();
	ok(conn_closed_within(idle[0], CHALL_HTTP01_HEAD_MS + 3000),
	    "an idle connection is closed by the server");
	ms = mono_ms() - t0;
	ok(ms <= CHALL_HTTP01_HEAD_MS + 1000, "within the %d ms deadline "
	    "(%lld ms)", CHALL_HTTP01_HEAD_MS, ms);
	for (i = 0; i < nidle; i++)
		close(idle[i]);

	/* The cap: the oldest idle connections make room. */
	for (nidle = 0; nidle < CHALL_HTTP01_CONN_MAX + 20; nidle++) {
		if ((idle[nidle] = conn_open("127.0.0.1", port)) == -1)
			break;
		if (nidle == 19)
			usleep(100 * 1000);	/* surely the oldest */
	}
	is_int(nidle, CHALL_HTTP01_CONN_MAX + 20, "%d connections open",
	    CHALL_HTTP01_CONN_MAX + 20);
	{
		int dropped = 0, last_open;

		for (i = 0; i < 20; i++)
			dropped += conn_closed_within(idle[i], 1000);
		last_open = !conn_closed_within(idle[nidle - 1], 0);
		is_int(dropped, 20, "over the cap: the 20 oldest dropped");
		ok(last_open, "the newest kept");
	}
	ok(answer_ok(http_get("127.0.0.1", port, CHALL_HTTP01_PREFIX "tokL"),
	    "tokL.thumb"), "and a new request is answered");
	for (i = 0; i < nidle; i++)
		close(idle[i]);
	chall_http01.cleanup(ctx, &it);
	chall_http01.teardown(ctx);
	free(cfg.listen);
}

int
main(void)
{
	char tmp[] = "/tmp/certkeep-http01.XXXXXX";
	struct err e;

	if (mkdtemp(tmp) == NULL)
		return 1;
	chmod(tmp, 0755);
	test_webroot(tmp);
	test_listen();
	rm_rf(tmp, &e);
	return tap_done();
}
