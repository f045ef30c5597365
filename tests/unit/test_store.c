/* test_store.c - the fs store backend (test_state.c: the certificate state). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/str.h"
#include "base/time.h"
#include "store/state.h"
#include "store/store.h"
#include "tap.h"

static char root[256];

#define mode_of(rel)	tap_mode_of(root, rel)

static int
exists(const char *rel)
{
	return mode_of(rel) != (mode_t)-1;
}

static char *
readlink_of(const char *name)
{
	char p[512], t[512];
	ssize_t n;

	snprintf(p, sizeof(p), "%s/letsencrypt/%s", root, name);
	if ((n = readlink(p, t, sizeof(t) - 1)) < 0)
		return NULL;
	t[n] = '\0';
	return xstrdup(t);
}

/* A test: letsencrypt/name is a symlink to want. */
static void
is_link(const char *name, const char *want, const char *desc)
{
	char *t = readlink_of(name);

	is_str(t, want, "%s", desc);
	free(t);
}

static int
count_archive(const char *name)
{
	char p[512];
	int n = 0;
	char cmd[600];
	FILE *fp;
	char line[256];

	snprintf(p, sizeof(p), "%s/archive/%s", root, name);
	snprintf(cmd, sizeof(cmd), "ls -1 '%s'", p);
	if ((fp = popen(cmd, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		n++;
	pclose(fp);
	return n;
}

static int
replace(struct store *s, const char *name, const char *tag)
{
	struct certset set;
	struct err e;
	int rc;

	memset(&set, 0, sizeof(set));
	set.cert = xasprintf("CERT %s\n", tag);
	set.chain = xasprintf("CHAIN %s", tag);	/* no newline on purpose */
	set.key = xasprintf("KEY %s\n", tag);
	rc = store_replace_set(s, name, &set, &e);
	if (rc == -1)
		printf("# replace: %s\n", e.msg);
	certset_clear(&set);
	return rc;
}

static void
test_open(void)
{
	struct store *s;
	struct certset set;
	struct strlist l;
	struct err e;
	char *missing;

	missing = xasprintf("%s/nothere", root);
	s = store_open(missing, 0, &e);
	ok(s != NULL, "open without create on a missing root");
	is_int(store_read_set(s, "a", &set, &e), 0, "no set in a missing root");
	strlist_init(&l);
	is_int(store_list(s, &l, &e), 0, "list of a missing root");
	is_int(l.n, 0, "lists nothing");
	strlist_clear(&l);
	ok(access(missing, F_OK) == -1, "nothing created without create");
	store_free(s);
	free(missing);

	s = store_open(root, 1, &e);
	ok(s != NULL, "open with create");
	is_int(mode_of("letsencrypt") & 07777, 0700,
	    "letsencrypt/ is 0700");
	is_int(mode_of("locks") & 07777, 0700, "locks/ is 0700");
	is_int(mode_of("state") & 07777, 0700, "state/ is 0700");
	ok(store_read_set(s, "../x", &set, &e) == -1 &&
	    strstr(e.msg, "safe") != NULL, "unsafe name refused: %s", e.msg);
	ok(store_read_set(s, ".hidden", &set, &e) == -1, "dot name refused");
	store_free(s);
}

static void
test_replace(void)
{
	struct store *s;
	struct certset set;
	struct strlist l;
	struct err e;
	char *t, *p;
	int i;

	s = store_open(root, 1, &e);
	is_int(replace(s, "web", "one"), 0, "first replace");
	is_link("web", "../archive/web/1", "live is a symlink to archive 1");
	is_int(store_read_set(s, "web", &set, &e), 1, "read the set");
	is_str(set.cert, "CERT one\n", "cert");
	is_str(set.chain, "CHAIN one\n", "chain gets its newline");
	is_str(set.key, "KEY one\n", "key");
	is_str(set.fullchain, "CERT one\nCHAIN one\n", "fullchain derived");
	is_str(set.combined, "KEY one\nCERT one\nCHAIN one\n",
	    "combined derived");
	certset_clear(&set);
	ok(set.key == NULL, "certset_clear zeroes");
	is_int(mode_of("archive/web/1/key.pem") & 07777, 0600,
	    "key.pem 0600");
	is_int(mode_of("archive/web/1/combined.pem") & 07777, 0600,
	    "combined.pem 0600");
	is_int(mode_of("archive/web/1/cert.pem") & 07777, 0644,
	    "cert.pem 0644");
	is_int(mode_of("archive/web/1") & 07777, 0700,
	    "archive set dir 0700");

	is_int(replace(s, "web", "two"), 0, "second replace");
	is_link("web", "../archive/web/2", "live now archive 2");
	is_int(store_read_set(s, "web", &set, &e), 1, "read again");
	is_str(set.cert, "CERT two\n", "new cert");
	certset_clear(&set);
	ok(exists("archive/web/1/cert.pem"), "old set archived");

	p = store_live_path(s, "web", STORE_KEY);
	t = xasprintf("%s/letsencrypt/web/key.pem", root);
	is_str(p, t, "store_live_path");
	free(p);
	free(t);

	for (i = 0; i < 8; i++)
		replace(s, "web", "more");
	is_link("web", "../archive/web/10", "live is archive 10");
	is_int(count_archive("web"), 6, "live + 5 kept in the archive");
	ok(!exists("archive/web/4") && exists("archive/web/5"), "oldest pruned");

	memset(&set, 0, sizeof(set));
	set.cert = xstrdup("C");
	ok(store_replace_set(s, "web", &set, &e) == -1, "set without key "
	    "refused: %s", e.msg);
	certset_clear(&set);

	replace(s, "alpha", "a");
	strlist_init(&l);
	is_int(store_list(s, &l, &e), 0, "list");
	ok(l.n == 2 && strcmp(l.v[0], "alpha") == 0 &&
	    strcmp(l.v[1], "web") == 0, "list sorted: alpha web");
	strlist_clear(&l);
	store_free(s);
}

static void
write_file(const char *path, const char *data)
{
	FILE *fp = fopen(path, "w");

	if (fp != NULL) {
		fputs(data, fp);
		fclose(fp);
	}
}

static void
test_plain_dir(void)
{
	struct store *s;
	struct certset set;
	struct err e;
	char *d, *f, *t;

	s = store_open(root, 1, &e);
	d = xasprintf("%s/letsencrypt/hand", root);
	mkdir(d, 0700);
	f = path_join(d, "cert.pem");
	write_file(f, "HAND CERT\n");
	free(f);
	f = path_join(d, "key.pem");
	write_file(f, "HAND KEY\n");
	chmod(f, 0600);
	free(f);
	is_int(store_read_set(s, "hand", &set, &e), 1, "plain dir is read");
	is_str(set.cert, "HAND CERT\n", "plain dir cert");
	ok(set.chain == NULL, "missing chain member is NULL");

	is_int(set.key_mode, 0600, "key mode reported");
	certset_clear(&set);
	/* certbot-style: members are symlinks into another tree. */
	f = path_join(d, "cert_auth.pem");
	t = xasprintf("%s/elsewhere.pem", root);
	write_file(t, "CHAIN VIA LINK\n");
	symlink(t, f);
	free(t);
	free(f);
	is_int(store_read_set(s, "hand", &set, &e), 1, "symlinked member");
	is_str(set.chain, "CHAIN VIA LINK\n", "symlinked member is read");
	certset_clear(&set);

	is_int(replace(s, "hand", "new"), 0, "replace over a plain dir");
	is_link("hand", "../archive/hand/2", "now a symlink to archive 2");
	ok(exists("archive/hand/1/cert.pem"),
	    "old plain dir moved to archive 1");
	is_int(store_read_set(s, "hand", &set, &e), 1, "read after migration");
	is_str(set.cert, "CERT new\n", "new set live");
	certset_clear(&set);
	free(d);

	/* A dangling symlink is no set at all. */
	d = xasprintf("%s/letsencrypt/dangling", root);
	symlink("../archive/dangling/7", d);
	is_int(store_read_set(s, "dangling", &set, &e), 0,
	    "dangling symlink reads as no set");
	free(d);
	store_free(s);
}

static void
test_crash(void)
{
	struct store *s;
	struct certset set;
	struct strlist l;
	struct err e;
	char *p, *t;

	s = store_open(root, 1, &e);
	replace(s, "crash", "good");
	/* What a writer killed mid-way leaves behind. */
	p = xasprintf("%s/archive/crash/2.tmp-abcdef", root);
	mkdir(p, 0700);
	t = path_join(p, "cert.pem");
	write_file(t, "HALF");
	free(t);
	free(p);
	p = xasprintf("%s/archive/crash/1/cert.pem.tmp-123456", root);
	write_file(p, "HALF");
	free(p);
	p = xasprintf("%s/letsencrypt/.crash.tmp-aabbcc", root);
	symlink("../archive/crash/2.tmp-abcdef", p);
	free(p);

	is_int(store_read_set(s, "crash", &set, &e), 1, "read after crash");
	is_str(set.cert, "CERT good\n", "reader sees the old complete set");
	certset_clear(&set);
	strlist_init(&l);
	store_list(s, &l, &e);
	ok(!strlist_contains(&l, ".crash.tmp-aabbcc"), "list ignores "
	    "temporaries");
	strlist_clear(&l);

	is_int(replace(s, "crash", "next"), 0, "replace after crash");
	ok(!exists("archive/crash/2.tmp-abcdef"),
	    "temporary set dir cleaned");
	ok(!exists("letsencrypt/.crash.tmp-aabbcc"),
	    "temporary symlink cleaned");
	is_link("crash", "../archive/crash/2", "numbering ignores temporaries");
	store_free(s);
}

static void
test_locks(void)
{
	struct store *s;
	struct store_lock *lk = NULL, *lk2 = NULL;
	struct err e;
	int p2c[2], c2p[2];
	char want[64], c;
	pid_t pid;
	long long t0;

	s = store_open(root, 1, &e);
	if (pipe(p2c) == -1 || pipe(c2p) == -1)
		abort();
	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct store_lock *a = NULL, *b = NULL;
		struct store *cs = store_open(root, 0, &e);
		if (store_lock(cs, 0, &a, &e) == -1 ||
		    store_lock_cert(cs, "web", 0, &b, &e) == -1)
			_exit(1);
		(void)!write(c2p[1], "L", 1);
		(void)!read(p2c[0], &c, 1);	/* hold until told */
		usleep(300 * 1000);
		store_unlock(b);
		store_unlock(a);
		store_free(cs);
		_exit(0);
	}
	is_int(read(c2p[0], &c, 1), 1, "child holds the locks");
	snprintf(want, sizeof(want), "locked by pid %ld", (long)pid);
	ok(store_lock(s, 0, &lk, &e) == -1 && strstr(e.msg, want) != NULL &&
	    strstr(e.msg, "another certkeep apply?") != NULL,
	    "no-wait store lock names the holder: %s", e.msg);
	ok(store_lock_cert(s, "web", 0, &lk, &e) == -1 &&
	    strstr(e.msg, want) != NULL && strstr(e.msg, "web") != NULL,
	    "no-wait cert lock names the holder: %s", e.msg);
	is_int(store_lock_cert(s, "other", 0, &lk2, &e), 0,
	    "another certificate's lock is free");
	store_unlock(lk2);
	(void)!write(p2c[1], "G", 1);
	t0 = mono_ms();
	is_int(store_lock(s, 1, &lk, &e), 0, "waiting lock is granted");
	ok(mono_ms() - t0 >= 200, "after the holder let go (%lld ms)",
	    mono_ms() - t0);
	store_unlock(lk);
	waitpid(pid, NULL, 0);
	store_unlock(NULL);
	close(p2c[0]);
	close(p2c[1]);
	close(c2p[0]);
	close(c2p[1]);
	store_free(s);
}

/*
 * Certificates named like the store's own files: the lock of a certificate
 * named "store" once was the store lock itself (a second flock in the same
 * process: blocked forever with wait, refused without). Old per-certificate
 * lock files (locks/<name>.lock) are removed once the store lock is held.
 */
static void
test_lock_names(void)
{
	static const char *const names[] = { "store", "locks", "cert",
	    "archive", "state", "accounts", "letsencrypt", "pending",
	    "store.lock", NULL };
	struct store *s;
	struct store_lock *lk = NULL, *clk = NULL;
	struct certset set;
	struct err e;
	char p[512];
	size_t i;
	FILE *fp;

	s = store_open(root, 1, &e);
	snprintf(p, sizeof(p), "%s/locks/oldname.lock", root);
	if ((fp = fopen(p, "w")) != NULL)
		fclose(fp);
	ok(exists("locks/oldname.lock"), "an old-layout certificate lock");
	is_int(store_lock(s, 0, &lk, &e), 0, "store lock");
	ok(!exists("locks/oldname.lock"),
	    "old-layout certificate lock removed under the store lock");
	ok(S_ISREG(mode_of("locks/store.lock")), "store lock kept");
	for (i = 0; names[i] != NULL; i++) {
		ok(store_lock_cert(s, names[i], 0, &clk, &e) == 0,
		    "certificate lock \"%s\" free under the store lock%s%s",
		    names[i], clk == NULL ? ": " : "",
		    clk == NULL ? e.msg : "");
		store_unlock(clk);
		clk = NULL;
		is_int(replace(s, names[i], names[i]), 0, "set \"%s\" written",
		    names[i]);
		ok(store_read_set(s, names[i], &set, &e) == 1 && set.cert !=
		    NULL && strstr(set.cert, names[i]) != NULL,
		    "set \"%s\" reads back", names[i]);
		certset_clear(&set);
	}
	is_int(mode_of("locks/cert") & 07777, 0700, "locks/cert/ is 0700");
	ok(S_ISREG(mode_of("locks/cert/store.lock")),
	    "the certificate store's lock is locks/cert/store.lock");
	store_unlock(lk);
	store_free(s);
}

/* A temporary of a certificate whose name extends another's
   ("a.tmp-b" after "a") is not taken for that one's leftover. */
static void
test_tmp_names(void)
{
	struct store *s;
	struct err e;
	char p[512];

	s = store_open(root, 1, &e);
	is_int(replace(s, "a.tmp-b", "x"), 0, "set named a.tmp-b");
	snprintf(p, sizeof(p), "%s/letsencrypt/.a.tmp-b.tmp-0123456789ab",
	    root);
	ok(symlink("../archive/a.tmp-b/1", p) == 0,
	    "an in-flight temporary of a.tmp-b");
	is_int(replace(s, "a", "y"), 0, "set named a");
	ok(exists("letsencrypt/.a.tmp-b.tmp-0123456789ab"),
	    "writing a leaves a.tmp-b's temporary alone");
	is_int(replace(s, "a.tmp-b", "z"), 0, "a.tmp-b again");
	ok(!exists("letsencrypt/.a.tmp-b.tmp-0123456789ab"),
	    "writing a.tmp-b removes its own leftover");
	store_free(s);
}

/* A FIFO or symlink in the store is refused, never waited on. */
static void
test_special_files(void)
{
	struct store *s;
	struct certset set;
	struct err e;
	struct store_lock *lk = NULL;
	char p[1024], q[512], t[256], *data = NULL;
	size_t len;
	long long t0;
	ssize_t n;

	s = store_open(root, 1, &e);
	is_int(replace(s, "fifo", "x"), 0, "set fifo");
	snprintf(p, sizeof(p), "%s/letsencrypt/fifo", root);
	n = readlink(p, t, sizeof(t) - 1);
	t[n > 0 ? n : 0] = '\0';
	snprintf(p, sizeof(p), "%s/letsencrypt/%s/cert.pem", root, t);
	unlink(p);
	ok(mkfifo(p, 0600) == 0, "cert.pem replaced by a FIFO");
	t0 = mono_ms();
	err_clear(&e);
	ok(store_read_set(s, "fifo", &set, &e) == -1 &&
	    strstr(e.msg, "cert.pem: a FIFO, not a regular file; refused") !=
	    NULL, "read_set refuses it: %s", e.msg);
	ok(mono_ms() - t0 < 2000, "at once");
	certset_clear(&set);
	snprintf(q, sizeof(q), "%s/fifo.pem", root);
	rename(p, q);
	ok(symlink(q, p) == 0, "cert.pem a symlink to a FIFO");
	t0 = mono_ms();
	ok(store_read_set(s, "fifo", &set, &e) == -1 &&
	    strstr(e.msg, "a FIFO") != NULL && mono_ms() - t0 < 2000,
	    "read_set refuses it at once: %s", e.msg);
	certset_clear(&set);
	unlink(q);

	snprintf(p, sizeof(p), "%s/state/fifo.json", root);
	ok(mkfifo(p, 0600) == 0, "state as a FIFO");
	err_clear(&e);
	ok(store_get_blob(s, "state/fifo.json", &data, &len, &e) == -1 &&
	    strstr(e.msg, "a FIFO") != NULL, "get_blob refuses it: %s",
	    e.msg);
	free(data);
	data = NULL;
	unlink(p);
	ok(symlink("/etc/hostname", p) == 0, "state as a symlink");
	ok(store_get_blob(s, "state/fifo.json", &data, &len, &e) == -1 &&
	    strstr(e.msg, "symbolic link") != NULL,
	    "get_blob refuses a symlink: %s", e.msg);
	free(data);
	unlink(p);

	snprintf(p, sizeof(p), "%s/locks/store.lock", root);
	unlink(p);
	ok(mkfifo(p, 0600) == 0, "store lock as a FIFO");
	ok(store_lock(s, 0, &lk, &e) == -1 && strstr(e.msg, "a FIFO") !=
	    NULL, "store_lock refuses it: %s", e.msg);
	unlink(p);
	store_free(s);
}

/* Readers racing a writer see whole sets only: cert, key and combined of
   one read always carry the same tag. */
static void
test_race(void)
{
	struct store *s;
	struct certset set;
	struct err e;
	char tag[64], want[256];
	int i, bad = 0, reads = 0, status;
	pid_t pid;

	s = store_open(root, 1, &e);
	replace(s, "race", "0");
	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct store *ws = store_open(root, 0, &e);
		for (i = 1; i <= 60; i++) {
			snprintf(tag, sizeof(tag), "%d", i);
			if (replace(ws, "race", tag) == -1)
				_exit(1);
		}
		store_free(ws);
		_exit(0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (store_read_set(s, "race", &set, &e) != 1 ||
		    set.cert == NULL || set.key == NULL ||
		    set.combined == NULL) {
			bad++;
			certset_clear(&set);
			continue;
		}
		reads++;
		snprintf(tag, sizeof(tag), "%s", set.cert + 5);
		tag[strcspn(tag, "\n")] = '\0';
		snprintf(want, sizeof(want), "KEY %s\n", tag);
		if (strcmp(set.key, want) != 0)
			bad++;
		snprintf(want, sizeof(want), "KEY %s\nCERT %s\nCHAIN %s\n",
		    tag, tag, tag);
		if (strcmp(set.combined, want) != 0)
			bad++;
		certset_clear(&set);
	}
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "writer replaced 60 times");
	ok(reads > 0 && bad == 0, "%d racing reads, %d torn", reads, bad);
	store_free(s);
}

static void
test_blobs(void)
{
	struct store *s;
	struct err e;
	char *data = NULL;
	size_t len = 0;

	s = store_open(root, 1, &e);
	is_int(store_put_blob(s, "accounts/acme.test/key.pem", "SECRET", 6,
	    0600, &e), 0, "put blob");
	is_int(mode_of("accounts/acme.test/key.pem") & 07777, 0600,
	    "blob mode");
	is_int(mode_of("accounts/acme.test") & 07777, 0700,
	    "blob dir 0700");
	is_int(store_get_blob(s, "accounts/acme.test/key.pem", &data, &len,
	    &e), 1, "get blob");
	ok(len == 6 && memcmp(data, "SECRET", 6) == 0, "blob content");
	free(data);
	is_int(store_get_blob(s, "accounts/none", &data, &len, &e), 0,
	    "absent blob");
	is_int(store_del_blob(s, "accounts/acme.test/key.pem", &e), 0,
	    "delete blob");
	is_int(store_get_blob(s, "accounts/acme.test/key.pem", &data, &len,
	    &e), 0, "deleted");
	is_int(store_del_blob(s, "accounts/acme.test/key.pem", &e), 0,
	    "delete absent blob is fine");
	ok(store_put_blob(s, "../escape", "x", 1, 0600, &e) == -1,
	    "'..' refused: %s", e.msg);
	ok(store_put_blob(s, "a/../../escape", "x", 1, 0600, &e) == -1,
	    "inner '..' refused");
	ok(store_put_blob(s, "/etc/x", "x", 1, 0600, &e) == -1,
	    "absolute key refused");
	ok(store_get_blob(s, "a//b", &data, &len, &e) == -1,
	    "empty component refused");
	store_free(s);
}

int
main(void)
{
	if (tap_tmproot(root, sizeof(root), "certkeep-store") == -1)
		return 1;
	test_open();
	test_replace();
	test_plain_dir();
	test_crash();
	test_locks();
	test_lock_names();
	test_tmp_names();
	test_special_files();
	test_race();
	test_blobs();
	return tap_rmroot_done(root);
}
