/*
 * test_secret.c - secret_read_file(): the one reader of secret files
 * (TSIG, EAB, SMTP auth, backup passphrase). Refuses a symbolic link, a
 * FIFO or directory, a file another user owns, a file group or others may
 * access, a file over the size cap; reads a good one whole. Then the
 * callers: the dns-01 TSIG secret and the SMTP auth file go through it.
 * Runs as root (chown to 65534 for "another user").
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/secret.h"
#include "chall/chall.h"
#include "deploy/mail.h"
#include "manifest/manifest.h"

#include "tap.h"

static void
put(const char *path, const char *data, mode_t mode)
{
	struct err e;

	unlink(path);
	file_write_atomic(path, data, strlen(data), mode, &e);
	chmod(path, mode);
}

int
main(void)
{
	char dir[] = "/tmp/certkeep-secret.XXXXXX";
	char *good, *link, *fifo, *big, *other, *grp, *s, *u, *p;
	struct err e;
	size_t len = 0;

	if (mkdtemp(dir) == NULL)
		return 1;
	good = path_join(dir, "good");
	link = path_join(dir, "link");
	fifo = path_join(dir, "fifo");
	big = path_join(dir, "big");
	other = path_join(dir, "other");
	grp = path_join(dir, "grp");

	put(good, "s3cret\n", 0600);
	s = secret_read_file("test secret", good, 64, &len, &e);
	ok(s != NULL && len == 7 && strcmp(s, "s3cret\n") == 0,
	    "a 0600 file of ours is read whole");
	secret_free(s, len);

	ok(symlink(good, link) == 0, "symlink made");
	s = secret_read_file("test secret", link, 64, &len, &e);
	ok(s == NULL && strstr(e.msg, "symbolic link") != NULL &&
	    strstr(e.msg, link) != NULL && strstr(e.msg, "test secret") !=
	    NULL, "a symlink to a good file is refused: %s", e.msg);

	ok(mkfifo(fifo, 0600) == 0, "FIFO made");
	s = secret_read_file("test secret", fifo, 64, &len, &e);
	ok(s == NULL && strstr(e.msg, "not a regular file") != NULL,
	    "a FIFO is refused, without hanging: %s", e.msg);
	s = secret_read_file("test secret", dir, 64, &len, &e);
	ok(s == NULL && strstr(e.msg, "not a regular file") != NULL,
	    "a directory is refused: %s", e.msg);

	put(grp, "s3cret\n", 0640);
	s = secret_read_file("test secret", grp, 64, &len, &e);
	ok(s == NULL && strstr(e.msg, "chmod 600") != NULL &&
	    strstr(e.msg, "0640") != NULL,
	    "group-readable refused: %s", e.msg);
	chmod(grp, 0602);
	s = secret_read_file("test secret", grp, 64, &len, &e);
	ok(s == NULL && strstr(e.msg, "chmod 600") != NULL,
	    "world-writable refused: %s", e.msg);

	put(other, "s3cret\n", 0600);
	ok(chown(other, 65534, 65534) == 0, "file given to uid 65534");
	s = secret_read_file("test secret", other, 64, &len, &e);
	ok(s == NULL && strstr(e.msg, "owned by uid 65534") != NULL,
	    "another user's file is refused: %s", e.msg);

	{
		char buf[200];

		memset(buf, 'x', sizeof(buf) - 1);
		buf[sizeof(buf) - 1] = '\0';
		put(big, buf, 0600);
	}
	s = secret_read_file("test secret", big, 64, &len, &e);
	ok(s == NULL && strstr(e.msg, "larger than 64 bytes") != NULL,
	    "over the cap refused: %s", e.msg);
	s = secret_read_file("test secret", big, 199, &len, &e);
	ok(s != NULL && len == 199, "exactly at the cap: read");
	secret_free(s, len);
	s = secret_read_file("test secret", "/nonexistent/x", 64, &len, &e);
	ok(s == NULL && strstr(e.msg, "/nonexistent/x") != NULL,
	    "missing file: %s", e.msg);

	/* Callers. */
	{
		struct chall_conf cfg;
		struct manifest m;
		void *ctx = NULL;

		memset(&cfg, 0, sizeof(cfg));
		memset(&m, 0, sizeof(m));
		cfg.type = CHALL_DNS01;
		cfg.rfc2136_server = "127.0.0.1:53";
		cfg.tsig_name = "k.";
		cfg.tsig_secret_file = link;
		ok(chall_dns01.setup(&m.dns, &cfg, NULL, &ctx, &e) == -1 &&
		    strstr(e.msg, "symbolic link") != NULL,
		    "dns-01: a symlinked TSIG secret is refused: %s", e.msg);
		cfg.tsig_secret_file = grp;
		chmod(grp, 0644);
		ok(chall_dns01.setup(&m.dns, &cfg, NULL, &ctx, &e) == -1 &&
		    strstr(e.msg, "chmod 600") != NULL,
		    "dns-01: a world-readable TSIG secret is refused: %s",
		    e.msg);
		put(good, "user\npass\n", 0600);
		ok(mail_auth_read(link, &u, &p, &e) == -1 &&
		    strstr(e.msg, "symbolic link") != NULL,
		    "SMTP auth file: a symlink is refused: %s", e.msg);
		ok(mail_auth_read(other, &u, &p, &e) == -1 &&
		    strstr(e.msg, "owned by uid 65534") != NULL,
		    "SMTP auth file: another user's is refused: %s", e.msg);
		ok(mail_auth_read(good, &u, &p, &e) == 0 && u != NULL &&
		    strcmp(u, "user") == 0 && strcmp(p, "pass") == 0,
		    "SMTP auth file: a good one is read");
		free(u);
		secret_free(p, p != NULL ? strlen(p) : 0);
	}

	rm_rf(dir, &e);
	FREE_ALL(good, link, fifo, big, other, grp);
	return tap_done();
}
