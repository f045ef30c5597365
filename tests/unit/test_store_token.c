/*
 * test_store_token.c - http-01 tokens in the store (store_put_token,
 * store_get_token, store_del_token) with the directory backend: the
 * syntax checks, <root>/http-01/<token> holding exactly the key
 * authorization (0644 in a 0755 directory inside the 0700 root, mtime the
 * expiry), replace, delete, expiry (not served, swept by the next put),
 * a store whose root does not exist, and what is refused instead of read
 * (a symlink, a FIFO, an oversized file). As root, another user given
 * the token directory reads a token but not the rest of the repository.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "store/store.h"

#include "tap.h"

static void
test_syntax(struct store *s)
{
	char long_tok[STORE_TOKEN_MAX + 2];
	struct err e;
	char *ka = NULL;

	ok(store_token_ok("Ab0-_z"), "base64url is a token");
	ok(!store_token_ok(""), "the empty string is not");
	ok(!store_token_ok("a/b") && !store_token_ok("..") &&
	    !store_token_ok("a.b") && !store_token_ok("a b") &&
	    !store_token_ok("a=") && !store_token_ok(NULL),
	    "slash, dots, space, padding, NULL are not");
	memset(long_tok, 'a', sizeof(long_tok));
	long_tok[STORE_TOKEN_MAX] = '\0';
	ok(store_token_ok(long_tok), "%d characters are", STORE_TOKEN_MAX);
	long_tok[STORE_TOKEN_MAX] = 'a';
	long_tok[STORE_TOKEN_MAX + 1] = '\0';
	ok(!store_token_ok(long_tok), "%d are not", STORE_TOKEN_MAX + 1);

	err_clear(&e);
	ok(store_put_token(s, "../x", "../x.t", 60, &e) == -1 &&
	    strstr(e.msg, "not an http-01 token") != NULL,
	    "put of a path is refused: %s", e.msg);
	ok(store_get_token(s, "a/b", &ka, &e) == -1 && ka == NULL,
	    "get of a path is refused");
	ok(store_del_token(s, "", &e) == -1, "del of \"\" is refused");
	err_clear(&e);
	ok(store_put_token(s, "tok", "other.thumb", 60, &e) == -1 &&
	    strstr(e.msg, "tok.<thumbprint>") != NULL,
	    "a key authorization of another token is refused: %s", e.msg);
	ok(store_put_token(s, "tok", "tok.th\numb", 60, &e) == -1,
	    "a key authorization with a newline is refused");
	ok(store_put_token(s, "tok", "tok.a.b", 60, &e) == -1,
	    "one with two dots is refused");
	ok(store_put_token(s, "tok", "tok.thumb", 0, &e) == -1,
	    "a time to live of 0 is refused");
}

static void
test_put_get_del(struct store *s, const char *root)
{
	char *dir = path_join(root, "http-01");
	char *file = path_join(dir, "tok1");
	struct stat st;
	struct err e;
	char *ka = NULL, *data;
	time_t now = time(NULL);

	err_clear(&e);
	is_int(store_get_token(s, "tok1", &ka, &e), 1,
	    "get before any put: 1 (none)");
	is_int(store_put_token(s, "tok1", "tok1.thumbA", 600, &e), 0,
	    "put: %s", e.msg);
	is_int(store_get_token(s, "tok1", &ka, &e), 0, "get: 0");
	is_str(ka, "tok1.thumbA", "get gives the key authorization");
	free(ka);
	ka = NULL;
	data = file_read(file, 4096, NULL, &e);
	is_str(data, "tok1.thumbA", "http-01/tok1 holds exactly it");
	free(data);
	ok(stat(file, &st) == 0 && (st.st_mode & 07777) == 0644,
	    "the token file is 0644 (%o)", (unsigned)(st.st_mode & 07777));
	ok(st.st_mtime >= now + 590 && st.st_mtime <= now + 610,
	    "its mtime is the expiry, now + 600 s");
	ok(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0755,
	    "http-01/ is 0755 (%o)", (unsigned)(st.st_mode & 07777));
	ok(stat(root, &st) == 0 && (st.st_mode & 07777) == 0700,
	    "the root stays 0700 (%o)", (unsigned)(st.st_mode & 07777));

	is_int(store_put_token(s, "tok1", "tok1.thumbB", 600, &e), 0,
	    "put again");
	store_get_token(s, "tok1", &ka, &e);
	is_str(ka, "tok1.thumbB", "replaces the key authorization");
	free(ka);
	ka = NULL;

	is_int(store_del_token(s, "tok1", &e), 0, "del");
	is_int(store_get_token(s, "tok1", &ka, &e), 1, "gone after del");
	ok(access(file, F_OK) == -1 && errno == ENOENT, "the file is gone");
	is_int(store_del_token(s, "tok1", &e), 0, "del of a missing token: 0");
	free(file);
	free(dir);
}

static void
test_expiry(struct store *s, const char *root)
{
	char *old = xasprintf("%s/http-01/old", root);
	struct timespec ts[2];
	struct err e;
	char *ka = NULL;

	err_clear(&e);
	store_put_token(s, "old", "old.t", 600, &e);
	ts[0].tv_sec = ts[1].tv_sec = time(NULL) - 5;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	ok(utimensat(AT_FDCWD, old, ts, 0) == 0, "expire it by hand");
	is_int(store_get_token(s, "old", &ka, &e), 1,
	    "an expired token is not served");
	ok(ka == NULL, "and nothing is returned");
	ok(access(old, F_OK) == 0, "its file is still there");
	is_int(store_put_token(s, "new", "new.t", 600, &e), 0,
	    "another put");
	ok(access(old, F_OK) == -1, "sweeps the expired one");
	store_del_token(s, "new", &e);
	free(old);
}

static void
test_refused(struct store *s, const char *root)
{
	char *dir = path_join(root, "http-01");
	char *secret = path_join(root, "secret");
	char *lnk = path_join(dir, "lnk"), *fifo = path_join(dir, "fifo");
	char *big = path_join(dir, "big"), *blob = NULL;
	struct err e;
	char *ka = NULL;
	int fd;

	err_clear(&e);
	file_write_atomic(secret, "KEY", 3, 0600, &e);
	ok(symlink(secret, lnk) == 0, "a symlink planted as a token");
	ok(store_get_token(s, "lnk", &ka, &e) == -1 && ka == NULL,
	    "is refused, not followed: %s", e.msg);
	ok(mkfifo(fifo, 0644) == 0, "a FIFO planted as a token");
	ok(store_get_token(s, "fifo", &ka, &e) == -1 && ka == NULL,
	    "is refused without waiting: %s", e.msg);
	blob = xmalloc(2000);
	memset(blob, 'a', 2000);
	fd = open(big, O_WRONLY | O_CREAT, 0644);
	ok(fd != -1 && write(fd, blob, 2000) == 2000, "a 2000-byte token");
	if (fd != -1)
		close(fd);
	{
		struct timespec ts[2] = { { time(NULL) + 60, 0 },
		    { time(NULL) + 60, 0 } };

		utimensat(AT_FDCWD, big, ts, 0);
	}
	ok(store_get_token(s, "big", &ka, &e) == -1 && ka == NULL,
	    "is refused: %s", e.msg);
	unlink(lnk);
	unlink(fifo);
	unlink(big);
	free(blob);
	free(big);
	free(fifo);
	free(lnk);
	free(secret);
	free(dir);
}

/* Another user holding the token directory (as the unit's bind mount
   gives it) reads a token, and nothing else of the repository. */
static void
test_other_user(struct store *s, const char *root)
{
	char *dir = path_join(root, "http-01");
	struct err e;
	pid_t pid;
	int dfd, rfd, status = -1;

	if (geteuid() != 0) {
		tap_skip("not root: cannot switch to another user");
		free(dir);
		return;
	}
	err_clear(&e);
	store_put_token(s, "pub", "pub.t", 600, &e);
	{
		char *st = path_join(root, "state/x.json");

		file_write_atomic(st, "{}", 2, 0600, &e);
		free(st);
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	rfd = open(root, O_RDONLY | O_DIRECTORY);
	pid = fork();
	if (pid == 0) {
		char buf[16];
		int fd, okread, denied;

		if (setgid(65534) == -1 || setuid(65534) == -1)
			_exit(9);
		fd = openat(dfd, "pub", O_RDONLY);
		okread = fd != -1 && read(fd, buf, sizeof(buf)) == 5 &&
		    memcmp(buf, "pub.t", 5) == 0;
		denied = openat(rfd, "state/x.json", O_RDONLY) == -1 &&
		    errno == EACCES;
		_exit(okread && denied ? 0 : okread ? 2 : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "uid 65534 with the token directory reads the token and not the "
	    "state (exit %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	close(dfd);
	close(rfd);
	store_del_token(s, "pub", &e);
	free(dir);
}

int
main(void)
{
	char tmp[] = "/tmp/certkeep-token.XXXXXX";
	struct store *s, *none;
	struct err e;
	char *root, *missing, *ka = NULL;

	if (mkdtemp(tmp) == NULL)
		return 1;
	root = path_join(tmp, "store");
	missing = path_join(tmp, "missing");
	err_clear(&e);
	s = store_open(root, 1, &e);
	ok(s != NULL, "store_open: %s", e.msg);
	if (s == NULL)
		return tap_done();
	test_syntax(s);
	test_put_get_del(s, root);
	test_expiry(s, root);
	test_refused(s, root);
	test_other_user(s, root);

	none = store_open(missing, 0, &e);
	ok(none != NULL && store_get_token(none, "tok", &ka, &e) == 1,
	    "a store whose root does not exist: no token (1)");
	store_free(none);
	store_free(s);
	{
		char *cmd = xasprintf("rm -rf '%s'", tmp);

		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmp);
		free(cmd);
	}
	free(root);
	free(missing);
	return tap_done();
}
