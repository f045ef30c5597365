/*
 * test_chall.c - the challenge types (src/chall) on their own.
 *
 * What the CA checks: the key authorization is token "." thumbprint; the
 * dns-01 record is TXT _acme-challenge.<name> (a wildcard's "*." left
 * out) holding base64url(SHA-256(key authorization)), checked against
 * values computed with the openssl command line.
 *
 * dns-01 settings: the TSIG key's name, its algorithm (hmac-sha256 when
 * unset) and the secret read from its file with the blanks and newlines
 * around it dropped; missing settings and an empty file are refused with
 * a message; setup with an IP address as server needs no DNS.
 *
 * http-01 webroot: the token file holds the key authorization, is 0644
 * in directories made 0755, no temporary file stays behind, cleanup
 * removes it; a token that is not base64url (path separators, dots,
 * padding, empty) is refused before anything is written.
 *
 * http-01 listen: GET of a presented token answers 200 with the key
 * authorization, HEAD the same headers without a body; other tokens,
 * other paths and other methods 404; after cleanup 404.
 *
 * The run: an equal configuration gets the same context, another a new
 * one; a failed setup is not tried again in the run (same message).
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
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
#include "base/secret.h"
#include "base/str.h"
#include "chall/chall.h"
#include "dns/dns_conf.h"
#include "dns/dnsupdate.h"

#include "net.h"
#include "tap.h"

#define TOKEN	"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
#define THUMB	"nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcerQ"
/* printf '%s.%s' TOKEN THUMB | openssl dgst -sha256 -binary |
   basenc --base64url | tr -d = */
#define TXT	"NGwKoXBgCT8JhEa0bK7AwfSqHyu_ZWeugV07fLGIVq0"

static void
test_names(void)
{
	char *s;

	is_int(chall_type_from_name("http-01"), CHALL_HTTP01, "http-01");
	is_int(chall_type_from_name("dns-01"), CHALL_DNS01, "dns-01");
	is_int(chall_type_from_name("tls-alpn-01"), -1, "tls-alpn-01: none");
	is_str(chall_type_names[CHALL_DNS01], "dns-01", "names by type");

	s = chall_key_authz(TOKEN, THUMB);
	is_str(s, TOKEN "." THUMB, "key authorization: token.thumbprint");
	free(s);
	s = chall_dns01_value(TOKEN "." THUMB);
	is_str(s, TXT, "dns-01 value: base64url(SHA-256(key authorization))");
	free(s);
	s = chall_dns01_value("tok.thumb");
	is_str(s, "sYAwVrqDtVOuJZvAHurSAYPoEt5fFV_C4bdSOOW-o5Y",
	    "and for another one");
	free(s);
	s = chall_dns01_name("www.example.com");
	is_str(s, "_acme-challenge.www.example.com", "dns-01 record name");
	free(s);
	s = chall_dns01_name("*.example.com");
	is_str(s, "_acme-challenge.example.com",
	    "a wildcard shares its base name's record");
	free(s);
}

static void
put(const char *path, const char *data, mode_t mode)
{
	struct err e;

	if (file_write_atomic(path, data, strlen(data), mode, &e) == -1)
		printf("# %s\n", e.msg);
	chmod(path, mode);
}

static void
test_dns01_settings(const char *tmp)
{
	struct chall_conf cfg;
	struct dnsupdate_key key;
	struct dns_conf dc;
	struct err e;
	char *file = path_join(tmp, "tsig.key"), *secret = NULL;
	char *servers[] = { "127.0.0.1:9", NULL };
	size_t len = 0;
	void *ctx = NULL;

	memset(&cfg, 0, sizeof(cfg));
	memset(&key, 0, sizeof(key));
	cfg.type = CHALL_DNS01;
	cfg.tsig_name = "certkeep.";
	cfg.tsig_secret_file = file;
	err_clear(&e);
	ok(chall_dns01_key(&cfg, &key, &secret, &len, &e) == -1 &&
	    strstr(e.msg, "needs server, tsig_name and tsig_secret_file"),
	    "no rfc2136 server: refused: %s", e.msg);
	cfg.rfc2136_server = "127.0.0.1:5353";
	put(file, "", 0600);
	ok(chall_dns01_key(&cfg, &key, &secret, &len, &e) == -1 &&
	    strstr(e.msg, "empty TSIG secret") && strstr(e.msg, file),
	    "an empty secret file: refused: %s", e.msg);
	put(file, " \t\n", 0600);
	ok(chall_dns01_key(&cfg, &key, &secret, &len, &e) == -1 &&
	    strstr(e.msg, "empty TSIG secret"), "blanks only: refused");
	put(file, "\n  c2VjcmV0IHNlY3JldA==  \r\n\n", 0600);
	ok(chall_dns01_key(&cfg, &key, &secret, &len, &e) == 0,
	    "a secret with blanks around: read: %s", e.msg);
	is_str(key.secret, "c2VjcmV0IHNlY3JldA==", "  the blanks dropped");
	ok(key.secret == secret, "  the key points at the secret returned");
	is_str(key.name, "certkeep.", "  the key's name");
	is_str(key.algorithm, "hmac-sha256", "  algorithm: hmac-sha256 "
	    "when unset");
	is_int(len, 28, "  the length as read (all of it is wiped)");
	secret_free(secret, len);
	cfg.tsig_algorithm = "hmac-sha512";
	ok(chall_dns01_key(&cfg, &key, &secret, &len, &e) == 0 &&
	    strcmp(key.algorithm, "hmac-sha512") == 0,
	    "  the algorithm when set");
	secret_free(secret, len);

	/* The whole setup: an IP address as server needs no DNS. */
	memset(&dc, 0, sizeof(dc));
	dc.resolvers = servers;
	dc.nresolvers = 1;
	dc.timeout_ms = 200;
	ok(chall_dns01.setup(&dc, &cfg, NULL, &ctx, &e) == 0 && ctx != NULL,
	    "dns-01 setup with server 127.0.0.1:5353: %s", e.msg);
	chall_dns01.teardown(ctx);
	ctx = NULL;
	cfg.tsig_secret_file = "/nonexistent/tsig.key";
	ok(chall_dns01.setup(&dc, &cfg, NULL, &ctx, &e) == -1 &&
	    ctx == NULL && strstr(e.msg, "TSIG secret of key certkeep.") &&
	    strstr(e.msg, "/nonexistent/tsig.key"),
	    "a missing secret file fails setup: %s", e.msg);
	free(file);
}

/* The names in dir, "" when empty, "?" when it cannot be read. */
static char *
dir_list(const char *dir)
{
	struct buf b;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return xstrdup("?");
	buf_init(&b);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			buf_printf(&b, "%s%s", b.len ? " " : "", de->d_name);
	closedir(d);
	return b.data != NULL ? buf_steal(&b) : xstrdup("");
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

/* An http-01 setting (where: the caller's) and the challenge of
   www.example.com, e cleared. */
static void
http01_item(struct chall_conf *cfg, struct chall_item *it, struct err *e)
{
	memset(cfg, 0, sizeof(*cfg));
	memset(it, 0, sizeof(*it));
	cfg->type = CHALL_HTTP01;
	it->identifier = "www.example.com";
	it->token = TOKEN;
	it->key_authz = TOKEN "." THUMB;
	err_clear(e);
}

static void
test_webroot(const char *tmp)
{
	static const char *const bad[] = {
		"../../etc/passwd", "a/b", "a.b", "", "tok=", "t k", "t\nk",
	};
	struct chall_conf cfg;
	struct chall_item it;
	struct err e;
	void *ctx = NULL;
	char *web = path_join(tmp, "www");
	char *ac = path_join(web, ".well-known/acme-challenge");
	char *tok = path_join(ac, TOKEN), *data, *l;
	size_t i;
	mode_t old = umask(077);

	http01_item(&cfg, &it, &e);
	cfg.webroot = web;
	ok(chall_http01.setup(NULL, &cfg, NULL, &ctx, &e) == 0, "setup");
	ok(chall_http01.present(ctx, &it, &e) == 0, "present: %s", e.msg);
	data = file_read(tok, 4096, NULL, &e);
	is_str(data, TOKEN "." THUMB, "the token file holds the key "
	    "authorization");
	free(data);
	is_int(mode_of(tok), 0644, "the file is 0644 (umask 077)");
	is_int(mode_of(ac), 0755, "acme-challenge made 0755");
	l = dir_list(ac);
	is_str(l, TOKEN, "no temporary file left beside it");
	free(l);
	chall_http01.cleanup(ctx, &it);
	ok(access(tok, F_OK) != 0, "cleanup removes it");
	chall_http01.cleanup(ctx, &it);
	l = dir_list(ac);
	is_str(l, "", "a second cleanup of a removed token: nothing else "
	    "touched");
	free(l);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *esc = str_escape(bad[i]);

		it.token = bad[i];
		ok(chall_http01.present(ctx, &it, &e) == -1 &&
		    strstr(e.msg, "unusable http-01 token") != NULL &&
		    strstr(e.msg, "www.example.com") != NULL,
		    "token \"%s\": refused: %s", esc, e.msg);
		free(esc);
	}
	l = dir_list(ac);
	is_str(l, "", "  and nothing written");
	free(l);
	it.token = "AZaz09-_";
	ok(chall_http01.present(ctx, &it, &e) == 0, "every base64url "
	    "character is fine");
	chall_http01.cleanup(ctx, &it);
	chall_http01.teardown(ctx);
	umask(old);
	free(web);
	free(ac);
	free(tok);
}

/* Sends req to 127.0.0.1:port; the whole answer (malloced) or NULL. */
static char *
http(int port, const char *req)
{
	struct sockaddr_in a;
	struct pollfd p;
	struct buf b;
	char chunk[1024];
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)port);
	if (fd == -1 || connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		if (fd != -1)
			close(fd);
		return NULL;
	}
	buf_init(&b);
	p.fd = fd;
	p.events = POLLIN;
	while (poll(&p, 1, 3000) == 1 &&
	    (n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&b, chunk, (size_t)n);
	close(fd);
	return b.data != NULL ? buf_steal(&b) : xstrdup("");
}

static void
test_listen(void)
{
	struct chall_conf cfg;
	struct chall_item it;
	struct err e;
	void *ctx = NULL;
	char listen[32], *r;
	int port = port_free();

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	http01_item(&cfg, &it, &e);
	cfg.listen = listen;
	if (chall_http01.setup(NULL, &cfg, NULL, &ctx, &e) == -1) {
		ok(0, "listen on %s: %s", listen, e.msg);
		return;
	}
	ok(ctx != NULL, "listen on %s", listen);
	ok(chall_http01.present(ctx, &it, &e) == 0, "present");
	r = http(port, "GET " CHALL_HTTP01_PREFIX TOKEN " HTTP/1.1\r\n"
	    "Host: www.example.com\r\n\r\n");
	ok(r != NULL && strncmp(r, "HTTP/1.1 200 ", 13) == 0, "GET: 200");
	ok(r != NULL && strstr(r, "\r\n\r\n" TOKEN "." THUMB) != NULL &&
	    strstr(r, "Content-Length: 87\r\n") != NULL,
	    "  the body is the key authorization");
	free(r);
	r = http(port, "HEAD " CHALL_HTTP01_PREFIX TOKEN " HTTP/1.1\r\n\r\n");
	ok(r != NULL && strncmp(r, "HTTP/1.1 200 ", 13) == 0 &&
	    strstr(r, "Content-Length: 87\r\n") != NULL &&
	    strstr(r, "\r\n\r\n")[4] == '\0', "HEAD: 200, the length, no "
	    "body");
	free(r);
	r = http(port, "GET " CHALL_HTTP01_PREFIX "other HTTP/1.1\r\n\r\n");
	ok(r != NULL && strncmp(r, "HTTP/1.1 404 ", 13) == 0,
	    "another token: 404");
	free(r);
	r = http(port, "GET /" TOKEN " HTTP/1.1\r\n\r\n");
	ok(r != NULL && strncmp(r, "HTTP/1.1 404 ", 13) == 0,
	    "the token outside the challenge path: 404");
	free(r);
	r = http(port, "GET " CHALL_HTTP01_PREFIX "../" TOKEN
	    " HTTP/1.1\r\n\r\n");
	ok(r != NULL && strncmp(r, "HTTP/1.1 404 ", 13) == 0,
	    "a path with ..: 404");
	free(r);
	r = http(port, "POST " CHALL_HTTP01_PREFIX TOKEN " HTTP/1.1\r\n\r\n");
	ok(r != NULL && strncmp(r, "HTTP/1.1 404 ", 13) == 0, "POST: 404");
	free(r);
	chall_http01.cleanup(ctx, &it);
	r = http(port, "GET " CHALL_HTTP01_PREFIX TOKEN " HTTP/1.1\r\n\r\n");
	ok(r != NULL && strncmp(r, "HTTP/1.1 404 ", 13) == 0,
	    "after cleanup: 404");
	free(r);
	chall_http01.teardown(ctx);
}

static void
test_run(const char *tmp)
{
	struct chall_conf a, b, c, none;
	const struct chall_ops *ops = NULL;
	struct chall_run *run = chall_run_new(NULL, NULL);
	struct err e;
	void *ca = NULL, *cb = NULL, *cc = NULL;
	char *w1 = path_join(tmp, "w1"), *w2 = path_join(tmp, "w2");
	char *first;

	memset(&a, 0, sizeof(a));
	a.type = CHALL_HTTP01;
	a.webroot = w1;
	b = a;
	b.webroot = xstrdup(w1);	/* equal, not the same pointer */
	c = a;
	c.webroot = w2;
	memset(&none, 0, sizeof(none));
	none.type = CHALL_HTTP01;
	err_clear(&e);
	ok(chall_run_get(run, &a, &ops, &ca, &e) == 0 && ops == &chall_http01,
	    "http-01: the http-01 ops");
	ok(chall_run_get(run, &b, &ops, &cb, &e) == 0 && cb == ca,
	    "an equal configuration shares the context");
	ok(chall_run_get(run, &c, &ops, &cc, &e) == 0 && cc != ca,
	    "another webroot gets its own");
	ok(chall_run_get(run, &none, &ops, &cc, &e) == -1 &&
	    strstr(e.msg, "needs webroot, listen or publish") != NULL,
	    "none of webroot, listen, publish: %s", e.msg);
	first = xstrdup(e.msg);
	err_clear(&e);
	ok(chall_run_get(run, &none, &ops, &cc, &e) == -1 &&
	    strcmp(e.msg, first) == 0, "the failed setup is remembered");
	chall_run_free(run);
	FREE_ALL(first, b.webroot, w1, w2);
}

int
main(void)
{
	char tmp[] = "/tmp/certkeep-chall.XXXXXX";
	struct err e;

	if (mkdtemp(tmp) == NULL)
		return 1;
	test_names();
	test_dns01_settings(tmp);
	test_webroot(tmp);
	test_listen();
	test_run(tmp);
	(void)rm_rf(tmp, &e);
	return tap_done();
}
