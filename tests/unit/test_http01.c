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

#include "chall.h"
#include "err.h"
#include "manifest.h"
#include "util.h"

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
	struct mchallenge cfg;
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
	ok(chall_http01.setup(&m, &cfg, NULL, &ctx, &e) == 0, "setup");

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
	free(web);
	free(out);
	free(wk);
	free(ac);
	free(tok);
	free(outtok);
	free(rootdir);
	free(roottok);
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
	rm_rf(tmp, &e);
	return tap_done();
}
