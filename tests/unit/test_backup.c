/*
 * Tests for backup and restore: the ustar writer/reader (tar.c), the CMS
 * seal/unseal (backup.c) and the `backup`/`restore` commands ($CERTKEEP,
 * with --store) over a real store filled through the store API with sets
 * made by tests/lib/mkcerts.sh. Also opens an archive by hand with the
 * command docs/backup.md gives (openssl cms -decrypt ... | tar -x).
 * Runs from the source tree root (tests/run.sh does).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/rand.h"
#include "store/backup.h"
#include "store/store.h"
#include "store/tar.h"
#include "sets.h"
#include "tap.h"

static char dir[] = "/tmp/certkeep-backup.XXXXXX";
static const char *certkeep;

/* Runs the shell command line cmd (malloced, freed here); returns its exit
   status. run(FMT, ...): the line made printf-style. */
static int
run_line(char *cmd)
{
	int st = system(cmd);

	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
#define run(...)	run_line(xasprintf(__VA_ARGS__))

/* certkeep ARGS (malloced, freed here) with stdout/stderr in dir/out,
   dir/err; exit status. ck(FMT, ...): ARGS made printf-style. */
static int
ck_line(char *args)
{
	int rc;

	rc = run("%s %s >%s/out 2>%s/err", certkeep, args, dir, dir);
	if (run("grep -q Sanitizer %s/err", dir) == 0) {
		ok(0, "no sanitizer report from certkeep %s", args);
		run("sed 's/^/#   /' %s/err | head -30", dir);
	}
	free(args);
	return rc;
}
#define ck(...)	ck_line(xasprintf(__VA_ARGS__))

static int
err_has(const char *needle)
{
	char *p = path_join(dir, "err"), *d;
	struct err e;
	int r;

	d = file_read(p, 1 << 20, NULL, &e);
	r = d != NULL && strstr(d, needle) != NULL;
	if (!r)
		printf("#   stderr: %s\n", d != NULL ? d : "(none)");
	free(d);
	free(p);
	return r;
}

static char *
slurp(const char *path, size_t *len)
{
	struct err e;

	return file_read(path, 4 << 20, len, &e);
}

/* Whether a and b hold the same bytes and mode (following symlinks). */
static int
same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	char *da, *db;
	size_t la = 0, lb = 0;
	int r;

	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return 0;
	da = slurp(a, &la);
	db = slurp(b, &lb);
	r = da != NULL && db != NULL && la == lb && memcmp(da, db, la) == 0 &&
	    (sa.st_mode & 07777) == (sb.st_mode & 07777);
	if (!r)
		printf("#   differ: %s (%o) %s (%o)\n", a, sa.st_mode & 07777,
		    b, sb.st_mode & 07777);
	free(da);
	free(db);
	return r;
}

/* Whether dir/store/rel and dir/other/rel are the same file. */
static int
same_in(const char *other, const char *rel)
{
	char *a = xasprintf("%s/store/%s", dir, rel);
	char *b = xasprintf("%s/%s/%s", dir, other, rel);
	int r = same_file(a, b);

	free(a);
	free(b);
	return r;
}

/* Whether every file of every set is the same in dir/store/letsencrypt
 * and in dir/other/letsencrypt (bytes and mode). */
static int
sets_same(const char *const *names, const char *const *files,
    const char *other)
{
	char *rel;
	size_t i, j;
	int same = 1;

	for (i = 0; names[i] != NULL; i++)
		for (j = 0; files[j] != NULL; j++) {
			rel = xasprintf("letsencrypt/%s/%s", names[i],
			    files[j]);
			same &= same_in(other, rel);
			free(rel);
		}
	return same;
}

static mode_t
mode_of(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

/* mode_of() of p, a malloced path freed here. */
static mode_t
mode_at(char *p)
{
	mode_t m = mode_of(p);

	free(p);
	return m;
}

static void
test_tar(void)
{
	struct tar_entries t, r;
	struct buf b;
	struct err e;
	char longp[300], *bad;
	const struct tar_entry *en;

	tar_entries_init(&t);
	tar_entries_init(&r);
	buf_init(&b);
	tar_entries_add(&t, "a", NULL, 0, 0700, 1000);
	tar_entries_add(&t, "a/key.pem", "secret\n", 7, 0600, 1000);
	memset(longp, 'x', sizeof(longp));
	memcpy(longp, "a/", 2);
	longp[150] = '/';
	longp[220] = '\0';
	tar_entries_add(&t, longp, "", 0, 0644, 1000);
	ok(tar_write(&t, &b, &e) == 0, "tar written");
	ok(b.len % 512 == 0 && b.len == 512 * 6,
	    "ustar blocks: 3 headers, 1 data, 2 end (%zu)", b.len);
	ok(tar_read(b.data, b.len, &r, &e) == 0, "tar read back: %s", e.msg);
	is_int(r.n, 3, "three entries");
	en = tar_entries_find(&r, "a/key.pem");
	ok(en != NULL && en->len == 7 && memcmp(en->data, "secret\n", 7) == 0
	    && en->mode == 0600, "file bytes and mode kept");
	ok(tar_entries_find(&r, longp) != NULL, "220-byte path via prefix");
	en = tar_entries_find(&r, "a");
	ok(en != NULL && en->is_dir && en->mode == 0700, "directory kept");
	tar_entries_clear(&r);

	/* Damage: a header byte, a truncation, an unsafe path. */
	b.data[1] ^= 1;
	ok(tar_read(b.data, b.len, &r, &e) == -1 && r.n == 0 &&
	    strstr(e.msg, "checksum") != NULL, "header damage: %s", e.msg);
	b.data[1] ^= 1;
	ok(tar_read(b.data, b.len - 1024 - 512, &r, &e) == -1,
	    "truncated: %s", e.msg);
	tar_entries_clear(&t);
	tar_entries_add(&t, "../etc/passwd", "x", 1, 0644, 0);
	buf_clear(&b);
	tar_write(&t, &b, &e);
	ok(tar_read(b.data, b.len, &r, &e) == -1 && strstr(e.msg, "unsafe")
	    != NULL, "../ refused: %s", e.msg);
	tar_entries_clear(&t);
	buf_clear(&b);
	tar_entries_add(&t, "/abs", "x", 1, 0644, 0);
	tar_write(&t, &b, &e);
	ok(tar_read(b.data, b.len, &r, &e) == -1, "absolute path refused");
	/* A symlink entry. */
	b.data[156] = '2';
	bad = b.data;
	(void)bad;
	ok(tar_read(b.data, b.len, &r, &e) == -1, "link refused: %s", e.msg);
	tar_entries_clear(&t);
	tar_entries_clear(&r);
	buf_clear(&b);
}

/* tar_read on mutated streams: never a crash, never an unsafe path. */
static void
test_tar_mutations(void)
{
	struct tar_entries t, r;
	struct buf b;
	struct err e;
	size_t i, k, pos, accepted = 0, bad = 0;
	char *copy;

	tar_entries_init(&t);
	buf_init(&b);
	tar_entries_add(&t, "letsencrypt", NULL, 0, 0700, 1);
	tar_entries_add(&t, "letsencrypt/x", NULL, 0, 0700, 1);
	tar_entries_add(&t, "letsencrypt/x/key.pem", "0123456789abcdef\n", 17,
	    0600, 1);
	tar_entries_add(&t, "state/x.json", "{}", 2, 0600, 1);
	tar_write(&t, &b, &e);
	copy = xmalloc(b.len);
	for (i = 0; i < 3000; i++) {
		memcpy(copy, b.data, b.len);
		for (k = 0; k < 1 + i % 4; k++) {
			pos = (size_t)rand_between(0, (long long)b.len - 1);
			copy[pos] = (char)rand_between(0, 255);
		}
		tar_entries_init(&r);
		if (tar_read(copy, (size_t)rand_between((long long)b.len / 2,
		    (long long)b.len), &r, &e) == 0) {
			accepted++;
			for (k = 0; k < r.n; k++)
				if (r.v[k].path[0] == '/' ||
				    strstr(r.v[k].path, "..") != NULL)
					bad++;
		}
		tar_entries_clear(&r);
	}
	ok(bad == 0, "3000 mutated streams: no unsafe path accepted "
	    "(%zu accepted as intact)", accepted);
	free(copy);
	buf_clear(&b);
	tar_entries_clear(&t);
}

static void
test_seal(void)
{
	struct buf out, back;
	struct err e;
	const char *msg = "hello, archive";

	buf_init(&out);
	buf_init(&back);
	ok(backup_seal(msg, strlen(msg), "pw", 2, 1000, &out, &e) == 0,
	    "sealed: %s", e.msg);
	ok(backup_unseal(out.data, out.len, "pw", 2, &back, &e) == 0 &&
	    back.len == strlen(msg) && memcmp(back.data, msg, back.len) == 0,
	    "unsealed: %s", e.msg);
	/* Wrong passphrase and damage: through the commands below (each
	   attempt costs a full key derivation). */
	ok(backup_seal(msg, strlen(msg), "", 0, 1000, &out, &e) == -1,
	    "empty passphrase refused");
	buf_clear(&out);
	buf_clear(&back);
}

/* Mode of dir/craft/store-V/rel (following symlinks). */
static mode_t
craft_mode(const char *v, const char *rel)
{
	char *p = xasprintf("%s/craft/store-%s/%s", dir, v, rel);
	mode_t m = mode_of(p);

	free(p);
	return m;
}

/*
 * Hand-made archives (tests/unit/backup_craft.py writes the tar streams,
 * sealed here with backup_seal() as `backup` seals them): modes come from
 * the store's rules, never from the archive; a path or name the store
 * would not write is refused before anything is written.
 */
static void
test_restore_crafted(void)
{
	static const char *const good[] = { "modes", "setuid", NULL };
	/* Each with what the refusal says. */
	static const char *const bad[] = {
	    "dotdot", "unsafe path", "dotdot_inner", "unsafe path",
	    "absolute", "unsafe path", "symlink", "type '2' not allowed",
	    "hardlink", "type '1' not allowed", "device", "type '3'",
	    "fifo", "type '6'", "name_space", "not a valid certificate name",
	    "name_hyphen", "not a valid certificate name",
	    "name_ctrl", "a\\x1b[31m", "name_long", "longer than 64",
	    "state_nested", "state/sub/n1.json: not a valid certificate name",
	    "state_name", "not a valid certificate name",
	    "state_suffix", "unexpected file state/n1.txt",
	    "account_dot", "unexpected file accounts/acme.test/.hidden",
	    "account_top", "unexpected file accounts/key.pem",
	    "stray_dir", "unexpected directory etc", NULL };
	static const struct {
		const char *rel;
		mode_t mode;
	} want[] = {
		{ "letsencrypt", 0700 },
		{ "letsencrypt/n1", 0700 },
		{ "letsencrypt/n1/key.pem", 0600 },
		{ "letsencrypt/n1/combined.pem", 0600 },
		{ "letsencrypt/n1/cert.pem", 0644 },
		{ "letsencrypt/n1/cert_auth.pem", 0644 },
		{ "letsencrypt/n1/fullchain.pem", 0644 },
		{ "state", 0700 },
		{ "state/n1.json", 0600 },
		{ "accounts", 0700 },
		{ "accounts/acme.test", 0700 },
		{ "accounts/acme.test/key.pem", 0600 },
	};
	struct buf out;
	struct err e;
	char *tarp, *cms, *data, *p;
	const char *v;
	size_t i, k, len;
	int pass;

	ok(run("mkdir -p %s/craft && /usr/bin/python3 "
	    "tests/unit/backup_craft.py %s/sets/other %s/craft >/dev/null",
	    dir, dir, dir) == 0, "crafted tar streams written");
	setenv("CERTKEEP_PASSPHRASE", "craft pw", 1);
	for (i = 0; i < 2 || bad[2 * (i - 2)] != NULL; i++) {
		v = i < 2 ? good[i] : bad[2 * (i - 2)];
		tarp = xasprintf("%s/craft/%s.tar", dir, v);
		cms = xasprintf("%s/craft/%s.cms", dir, v);
		buf_init(&out);
		data = slurp(tarp, &len);
		ok(data != NULL && backup_seal(data, len, "craft pw", 8, 1000,
		    &out, &e) == 0 && file_write_atomic(cms, out.data,
		    out.len, 0600, &e) == 0, "%s: sealed", v);
		free(data);
		buf_clear(&out);
		if (i < 2) {
			is_int(ck("restore %s --store %s/craft/store-%s", cms,
			    dir, v), 0, "%s: restored", v);
			pass = 1;
			for (k = 0; k < sizeof(want) / sizeof(want[0]); k++)
				if (craft_mode(v, want[k].rel) !=
				    want[k].mode) {
					printf("#   %s: %o, want %o\n",
					    want[k].rel, craft_mode(v,
					    want[k].rel), want[k].mode);
					pass = 0;
				}
			ok(pass, "%s: every mode is the store's (archive "
			    "said %s)", v, i == 0 ? "0777" : "06755");
		} else {
			is_int(ck("restore %s --store %s/craft/store-%s", cms,
			    dir, v), 1, "%s: refused", v);
			ok(err_has("nothing was written"), "%s: nothing was "
			    "written, it says", v);
			ok(err_has(bad[2 * (i - 2) + 1]), "%s: says \"%s\"", v,
			    bad[2 * (i - 2) + 1]);
			p = xasprintf("%s/craft/store-%s", dir, v);
			ok(access(p, F_OK) != 0, "%s: no store made", v);
			free(p);
		}
		free(tarp);
		free(cms);
	}
	p = xasprintf("%s/craft/x", dir);
	ok(access(p, F_OK) != 0, "nothing written beside the stores");
	free(p);
	p = xasprintf("%s/x", dir);
	ok(access(p, F_OK) != 0, "nor above them");
	free(p);
	p = xasprintf("%s/craft/abs-x", dir);
	ok(access(p, F_OK) != 0, "nor at an absolute path");
	free(p);
	unsetenv("CERTKEEP_PASSPHRASE");
}

int
main(void)
{
	static const char *const names[] = { "webmail.example.com",
	    "mx.example.com", "other", NULL };
	static const char *const files[] = { "cert.pem", "cert_auth.pem",
	    "key.pem", "fullchain.pem", "combined.pem", NULL };
	struct store *s;
	struct err e;
	cJSON *st;
	char *a, *b, *p, *arch;
	size_t i, len;

	if ((certkeep = getenv("CERTKEEP")) == NULL)
		certkeep = "./certkeep";
	if (mkdtemp(dir) == NULL)
		return 1;
	test_tar();
	test_tar_mutations();
	test_seal();

	/* A store with three sets, two states and an account. */
	ok(run("sh tests/lib/mkcerts.sh mkcerts_ca %s/ca", dir) == 0,
	    "test CA");
	for (i = 0; names[i] != NULL; i++)
		ok(run("sh tests/lib/mkcerts.sh mkcerts_leaf %s/ca %s/sets/%s "
		    "ec-p256 10 90 %s", dir, dir, names[i], names[i]) == 0,
		    "set %s made", names[i]);
	p = path_join(dir, "store");
	s = store_open(p, 1, &e);
	free(p);
	ok(s != NULL, "store opened");
	for (i = 0; names[i] != NULL; i++) {
		p = xasprintf("%s/sets/%s", dir, names[i]);
		ok(set_put(s, p, names[i]) == 0, "set %s stored", names[i]);
		free(p);
	}
	st = cJSON_Parse("{\"version\":1,\"serial\":\"0A\","
	    "\"last_expiring_notice\":\"2026-11-24T06:00:00Z\"}");
	ok(store_put_state(s, names[0], st, &e) == 0, "state stored");
	ok(store_put_state(s, names[2], st, &e) == 0, "state stored");
	cJSON_Delete(st);
	ok(store_put_blob(s, "accounts/acme.test/key.pem", "-----BEGIN "
	    "PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n", 57, 0600, &e)
	    == 0 && store_put_blob(s, "accounts/acme.test/account.json",
	    "{\"url\":\"https://acme.test/acct/1\"}\n", 35, 0644, &e) == 0,
	    "account stored");
	store_free(s);

	test_restore_crafted();

	/* backup with the passphrase from the environment. */
	setenv("CERTKEEP_PASSPHRASE", "correct horse battery", 1);
	arch = path_join(dir, "b.cms");
	/* Few rounds: PBKDF2 under ASan's malloc is slow; the default is
	   measured by tests/bench/backup.sh. */
	is_int(ck("backup %s --store %s/store --kdf-iterations 2000", arch,
	    dir), 0, "backup exit 0");
	ok(run("openssl cms -cmsout -print -inform DER -in %s | "
	    "grep -q 'INTEGER *:07D0'", arch) == 0,
	    "the archive carries its PBKDF2 count (2000)");
	ok(run("openssl cms -cmsout -print -inform DER -in %s | grep -q "
	    "'id-smime-ct-authEnvelopedData'", arch) == 0 &&
	    run("openssl cms -cmsout -print -inform DER -in %s | grep -q "
	    "'aes-256-gcm'", arch) == 0,
	    "AuthEnvelopedData with AES-256-GCM");
	is_int(mode_of(arch), 0600, "archive is 0600");
	ok(run("grep -q 'backup %s: 3 certificates' %s/out", arch, dir) == 0,
	    "backup says what it wrote");
	is_int(ck("-o json backup %s.json --store %s/store --kdf-iterations "
	    "1000", arch, dir), 0, "backup -o json");
	ok(run("/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));"
	    " assert sorted(c[\"name\"] for c in d[\"certificates\"]) == "
	    "[\"mx.example.com\", \"other\", \"webmail.example.com\"]' "
	    "%s/out", dir) == 0, "JSON: a certificates array with the names");
	a = slurp(arch, &len);
	ok(a != NULL && len > 0 && memmem(a, len, "PRIVATE KEY", 11) == NULL
	    && memmem(a, len, "BEGIN CERTIFICATE", 17) == NULL,
	    "nothing readable in the archive");
	free(a);

	/* The manual command of docs/backup.md. */
	ok(run("cd %s && openssl cms -decrypt -inform DER -in b.cms "
	    "-pwri_password 'correct horse battery' -out manual.tar && "
	    "mkdir manual && tar -xpf manual.tar -C manual", dir) == 0,
	    "openssl cms -decrypt -pwri_password | tar -x opens it");
	ok(sets_same(names, files, "manual"),
	    "manual extraction: every set file identical, modes too");
	is_int(mode_at(xasprintf("%s/manual/letsencrypt/%s/key.pem",
	    dir, names[0])),
	    0600, "manual extraction: key 0600");
	is_int(mode_at(xasprintf("%s/manual/accounts/acme.test", dir)),
	    0700, "manual extraction: dirs 0700");
	ok(run("tar -tvf %s/manual.tar | grep -q ' certkeep-backup.json$'",
	    dir) == 0, "GNU tar lists the index");

	/* Round trip into an empty store. */
	is_int(ck("restore %s --store %s/store2", arch, dir), 0,
	    "restore exit 0");
	ok(sets_same(names, files, "store2"),
	    "restored sets byte-identical with modes");
	p = xasprintf("state/%s.json", names[0]);
	ok(same_in("store2", p), "state restored byte-identical");
	free(p);
	a = xasprintf("%s/store2/state/%s.json", dir, names[1]);
	ok(access(a, F_OK) != 0, "no state invented");
	free(a);
	ok(same_in("store2", "accounts/acme.test/key.pem"),
	    "account key restored, 0600");
	a = xasprintf("%s/store/accounts/acme.test/account.json", dir);
	b = xasprintf("%s/store2/accounts/acme.test/account.json", dir);
	{
		char *da = slurp(a, NULL), *db = slurp(b, NULL);

		ok(da != NULL && db != NULL && strcmp(da, db) == 0,
		    "account file restored byte-identical");
		free(da);
		free(db);
	}
	is_int(mode_of(b), 0600, "account file restored 0600, the store's "
	    "mode (it was 0644)");
	free(a);
	free(b);
	is_int(mode_at(xasprintf("%s/store2/letsencrypt/%s/key.pem",
	    dir, names[1])),
	    0600, "restored key 0600");
	is_int(mode_at(xasprintf("%s/store2/letsencrypt/%s/", dir, names[1])),
	    0700, "restored set directory 0700");
	is_int(mode_at(xasprintf("%s/store2/accounts/acme.test", dir)),
	    0700, "restored account directory 0700");

	/* Not over an existing repository without --force. */
	a = xasprintf("%s/store2/letsencrypt/%s/cert.pem", dir, names[0]);
	b = slurp(a, NULL);
	is_int(ck("restore %s --store %s/store2", arch, dir), 1,
	    "restore into a non-empty store: exit 1");
	ok(err_has("not empty") && err_has("--force"), "says why and --force");
	is_int(ck("restore %s --store %s/store2 --force", arch, dir), 0,
	    "restore --force: exit 0");
	p = slurp(a, NULL);
	ok(p != NULL && b != NULL && strcmp(p, b) == 0,
	    "after --force the set is the backup's");
	free(p);
	free(b);
	free(a);

	/* Wrong passphrase, damaged archives: refused, nothing written. */
	setenv("CERTKEEP_PASSPHRASE", "wrong horse", 1);
	is_int(ck("restore %s --store %s/store3", arch, dir), 1,
	    "wrong passphrase: exit 1");
	ok(err_has("wrong passphrase") && err_has("nothing was written"),
	    "wrong passphrase said");
	p = path_join(dir, "store3");
	ok(access(p, F_OK) != 0, "wrong passphrase: nothing written");
	setenv("CERTKEEP_PASSPHRASE", "correct horse battery", 1);
	a = slurp(arch, &len);
	{
		/* Flip one byte: in the content, in the tag, in the
		   recipient info. */
		size_t at[] = { len / 2, len - 10, 60 };
		char *bad = path_join(dir, "bad.cms");

		for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
			a[at[i]] ^= 0x40;
			file_write_atomic(bad, a, len, 0600, &e);
			a[at[i]] ^= 0x40;
			is_int(ck("restore %s --store %s/store3", bad, dir), 1,
			    "byte %zu of %zu flipped: exit 1", at[i], len);
			ok(err_has("nothing was written") && access(p, F_OK)
			    != 0, "byte %zu flipped: nothing written", at[i]);
		}
		file_write_atomic(bad, a, len / 2, 0600, &e);
		is_int(ck("restore %s --store %s/store3", bad, dir), 1,
		    "truncated archive: exit 1");
		ok(access(p, F_OK) != 0, "truncated: nothing written");
		free(bad);
	}
	free(a);
	free(p);

	/* Passphrase sources. */
	unsetenv("CERTKEEP_PASSPHRASE");
	is_int(ck("restore %s --store %s/store3", arch, dir), 64,
	    "no passphrase: usage error");
	is_int(ck("backup %s --store %s/store --passphrase secret", arch, dir),
	    64, "--passphrase on argv refused");
	ok(err_has("never taken from the command line"), "and says why");
	p = path_join(dir, "pass");
	file_write_atomic(p, "correct horse battery\n", 22, 0644, &e);
	is_int(ck("restore %s --store %s/store3 --passphrase-file %s", arch,
	    dir, p), 64, "group-readable passphrase file refused");
	ok(err_has("chmod 600"), "says chmod 600");
	chmod(p, 0600);
	is_int(ck("restore %s --store %s/store3 --passphrase-file %s", arch,
	    dir, p), 0, "passphrase file (one line, newline stripped) works");
	{
		char *l = path_join(dir, "pass.link");

		ok(symlink(p, l) == 0, "symlink to the passphrase file made");
		is_int(ck("restore %s --store %s/store3 --force "
		    "--passphrase-file %s", arch, dir, l), 64,
		    "a symlinked passphrase file is refused");
		ok(err_has("symbolic link"), "and says it is a symlink");
		ok(chown(p, 65534, 65534) == 0, "passphrase file given to "
		    "uid 65534");
		is_int(ck("restore %s --store %s/store3 --force "
		    "--passphrase-file %s", arch, dir, p), 64,
		    "another user's passphrase file is refused");
		ok(err_has("owned by uid 65534"), "and says whose it is");
		free(l);
	}
	file_write_atomic(p, "\n", 1, 0600, &e);
	is_int(ck("backup %s --store %s/store --passphrase-file %s", arch,
	    dir, p), 64, "empty passphrase refused");
	is_int(ck("backup %s --store %s/store --kdf-iterations 10", arch,
	    dir), 64, "too few PBKDF2 iterations refused");
	setenv("CERTKEEP_PASSPHRASE", "", 1);
	is_int(ck("backup %s --store %s/store --kdf-iterations 2000", arch,
	    dir), 64,
	    "empty CERTKEEP_PASSPHRASE refused");
	free(p);

	/* A hand-made set whose name restore would refuse: backup says so
	   instead of writing an archive that cannot be restored. */
	setenv("CERTKEEP_PASSPHRASE", "correct horse battery", 1);
	p = xasprintf("%s/store/letsencrypt/bad name", dir);
	ok(run("mkdir '%s' && cp %s/sets/other/cert.pem %s/sets/other/key.pem "
	    "'%s'/", p, dir, dir, p) == 0, "a hand-made set \"bad name\"");
	is_int(ck("backup %s.bad --store %s/store --kdf-iterations 1000",
	    arch, dir), 1, "backup of it: exit 1");
	ok(err_has("letsencrypt/bad name: not a valid certificate name"),
	    "and says which name and why");
	free(p);
	free(arch);

	rm_rf(dir, &e);
	return tap_done();
}
