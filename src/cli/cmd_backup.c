/*
 * cmd_backup.c - `certkeep backup FILE` and `certkeep restore FILE
 * [--force]`: the repository in one passphrase-protected archive
 * (backup.h says what is in it and how to open it by hand).
 *
 * The passphrase comes from --passphrase-file F (0600, owned by root or
 * the running user, not a symlink; one line) or $CERTKEEP_PASSPHRASE (then
 * removed from the environment), never from argv. Restore decrypts,
 * authenticates and checks the whole archive in memory before it writes
 * anything, refuses a repository that already holds certificates
 * or accounts unless --force, and replaces each certificate atomically.
 * --store DIR names the repository without a manifest (a new machine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/secret.h"
#include "base/str.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "manifest/manifest.h"
#include "store/backup.h"
#include "store/store.h"
#include "store/tar.h"

#define PASSPHRASE_MAX	4096

/* Reads the passphrase; malloced (caller wipes and frees) or NULL. */
static char *
backup_passphrase(const char *cmd, const char *file, size_t *len)
{
	struct err e;
	char *env;
	char *p = NULL;
	size_t n = 0;

	if (file != NULL) {
		if ((p = secret_read_file("--passphrase-file", file,
		    PASSPHRASE_MAX, &n, &e)) == NULL) {
			fprintf(stderr, "certkeep %s: %s\n", cmd, e.msg);
			return NULL;
		}
		/* One line: the line end is not part of it. */
		if (n > 0 && p[n - 1] == '\n')
			p[--n] = '\0';
		if (n > 0 && p[n - 1] == '\r')
			p[--n] = '\0';
		if (memchr(p, '\n', n) != NULL) {
			fprintf(stderr, "certkeep %s: --passphrase-file %s: "
			    "more than one line\n", cmd, file);
			OPENSSL_clear_free(p, n);
			return NULL;
		}
	} else if ((env = getenv("CERTKEEP_PASSPHRASE")) != NULL) {
		p = xstrdup(env);
		n = strlen(p);
		/* Gone from this process: nothing started later inherits it,
		   and /proc/PID/environ no longer shows it. */
		OPENSSL_cleanse(env, n);
		unsetenv("CERTKEEP_PASSPHRASE");
	} else {
		fprintf(stderr, "certkeep %s: no passphrase: use "
		    "--passphrase-file F or set CERTKEEP_PASSPHRASE\n", cmd);
		return NULL;
	}
	if (n == 0) {
		fprintf(stderr, "certkeep %s: the passphrase is empty\n", cmd);
		secret_free(p, n);
		return NULL;
	}
	*len = n;
	return p;
}

/* Frees the passphrase and the plaintext archive, wiped first: neither
   may linger in freed memory. */
static void
backup_wipe(char *pass, size_t passlen, struct buf *tarb)
{
	if (pass != NULL)
		OPENSSL_clear_free(pass, passlen);
	if (tarb->data != NULL)
		OPENSSL_cleanse(tarb->data, tarb->len);
	buf_clear(tarb);
}

/* The -o json object of both commands: file, store and one {name,
   state} per certificate; the caller adds to it, prints and deletes it. */
static cJSON *
backup_json(const char *file, const struct store *s,
    const struct strlist *names, const char *state)
{
	cJSON *j = cJSON_CreateObject(), *arr, *c;
	size_t i;

	cJSON_AddStringToObject(j, "file", file);
	cJSON_AddStringToObject(j, "store", store_root(s));
	arr = cJSON_AddArrayToObject(j, "certificates");
	for (i = 0; i < names->n; i++) {
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "name", names->v[i]);
		cJSON_AddStringToObject(c, "state", state);
		cJSON_AddItemToArray(arr, c);
	}
	return j;
}

/* Parses the common options and reads the passphrase into *pass
   (malloced, caller wipes and frees); returns 0 or EXIT_USAGE after a
   message. */
static int
backup_args(const char *cmd, int argc, char **argv, int restore,
    const char **file, char **pass, size_t *passlen, const char **storedir,
    int *force, int *iter)
{
	const char *argv_pass = NULL, *it = NULL, *passfile = NULL;
	struct cmd_opt opts[] = {
		{ "passphrase-file", 1, &passfile, NULL },
		{ "store", 1, storedir, NULL },
		{ "passphrase", 1, &argv_pass, NULL },
		{ restore ? "force" : "kdf-iterations", !restore, &it, force },
		{ NULL, 0, NULL, NULL },
	};
	char *end;
	long v;
	struct strlist pos;
	int rc = EXIT_USAGE, i;

	strlist_init(&pos);
	if (cmd_parse(cmd, argc, argv, opts, &pos) != 0)
		goto out;
	if (argv_pass != NULL) {
		fprintf(stderr, "certkeep %s: a passphrase is never taken "
		    "from the command line (other users see it): use "
		    "--passphrase-file F or CERTKEEP_PASSPHRASE\n", cmd);
		goto out;
	}
	if (pos.n != 1) {
		fprintf(stderr, "usage: certkeep %s FILE [--passphrase-file F]"
		    "%s [--store DIR]\n", cmd, restore ? " [--force]" :
		    " [--kdf-iterations N]");
		goto out;
	}
	if (it != NULL) {
		v = strtol(it, &end, 10);
		if (*it == '\0' || *end != '\0' ||
		    v < BACKUP_PBKDF2_ITER_MIN || v > 100000000L) {
			fprintf(stderr, "certkeep %s: --kdf-iterations %s: "
			    "want a number from %d to 100000000\n", cmd, it,
			    BACKUP_PBKDF2_ITER_MIN);
			goto out;
		}
		*iter = (int)v;
	}
	/* pos holds copies: keep a pointer into argv, which outlives it. */
	for (i = argc - 1; i >= 1 && *file == NULL; i--)
		if (strcmp(argv[i], pos.v[0]) == 0)
			*file = argv[i];
	if (*file != NULL &&
	    (*pass = backup_passphrase(cmd, passfile, passlen)) != NULL)
		rc = 0;
out:
	strlist_clear(&pos);
	return rc;
}

/* Opens the repository named by --store or the manifest. */
static struct store *
backup_open_store(const struct ctx *ctx, const char *cmd,
    const char *storedir, int create, int *rc)
{
	struct manifest *m = NULL;
	struct store *s;
	struct err e;

	if (storedir == NULL) {
		if ((m = cmd_load_manifest(ctx)) == NULL) {
			*rc = EXIT_DATAERR;
			return NULL;
		}
		storedir = m->store;
	}
	if ((s = m != NULL && storedir == m->store ?
	    cmd_store_open(m, create, &e) : store_open(storedir, create, &e)) == NULL) {
		fprintf(stderr, "certkeep %s: %s\n", cmd, e.msg);
		*rc = EXIT_FAIL;
	}
	manifest_free(m);
	return s;
}

int
cmd_backup(struct ctx *ctx, int argc, char **argv)
{
	const char *file = NULL, *storedir = NULL;
	struct backup_summary sum;
	struct tar_entries t;
	struct store *s = NULL;
	struct store_lock *lk = NULL;
	struct buf tarb, out;
	struct err e;
	char *pass = NULL;
	size_t passlen = 0;
	long long t0 = mono_ms();
	int rc, force = 0, iter = 0;
	size_t i;
	struct strlist names;
	cJSON *j;

	tar_entries_init(&t);
	strlist_init(&names);
	buf_init(&tarb);
	buf_init(&out);
	if ((rc = backup_args("backup", argc, argv, 0, &file, &pass, &passlen,
	    &storedir, &force, &iter)) != 0)
		goto out;
	if ((s = backup_open_store(ctx, "backup", storedir, 0, &rc)) == NULL)
		goto out;
	rc = EXIT_FAIL;
	/* A consistent copy: no apply may change sets meanwhile. */
	if (store_lock(s, 0, &lk, &e) != 0) {
		log_info(&ctx->log, "backup: waiting for the store lock (%s)",
		    e.msg);
		if (store_lock(s, 1, &lk, &e) != 0) {
			fprintf(stderr, "certkeep backup: %s\n", e.msg);
			goto out;
		}
	}
	if (backup_collect(s, &t, &sum, &e) != 0 ||
	    tar_write(&t, &tarb, &e) != 0) {
		fprintf(stderr, "certkeep backup: %s\n", e.msg);
		goto out;
	}
	store_unlock(lk);
	lk = NULL;
	if (sum.ncerts == 0 && sum.nblobs == 0)
		log_warn(&ctx->log, "backup: the repository %s is empty",
		    store_root(s));
	if (backup_seal(tarb.data, tarb.len, pass, passlen, iter, &out,
	    &e) != 0 ||
	    file_write_atomic(file, out.data, out.len, 0600, &e) != 0) {
		fprintf(stderr, "certkeep backup: %s\n", e.msg);
		goto out;
	}
	sum.tar_bytes = tarb.len;
	if (ctx->out == OUT_JSON) {
		for (i = 0; i < t.n; i++) {
			const char *pth = t.v[i].path, *sl;
			char *nm;

			/* letsencrypt/<name>/cert.pem: one per set. */
			if (strncmp(pth, "letsencrypt/", 12) != 0 ||
			    (sl = strchr(pth + 12, '/')) == NULL ||
			    strcmp(sl + 1, STORE_CERT) != 0)
				continue;
			nm = xstrndup(pth + 12, (size_t)(sl - (pth + 12)));
			strlist_add(&names, nm);
			free(nm);
		}
		j = backup_json(file, s, &names, "backed-up");
		cJSON_AddNumberToObject(j, "files", (double)sum.nfiles);
		cJSON_AddNumberToObject(j, "tar_bytes", (double)tarb.len);
		cJSON_AddNumberToObject(j, "bytes", (double)out.len);
		cJSON_AddNumberToObject(j, "milliseconds",
		    (double)(mono_ms() - t0));
		cmd_print_json(j);
		cJSON_Delete(j);
	} else
		printf("backup %s: %zu certificate%s, %zu files, %zu bytes "
		    "(tar %zu), %lld ms\n", file, sum.ncerts,
		    sum.ncerts == 1 ? "" : "s", sum.nfiles, out.len, tarb.len,
		    mono_ms() - t0);
	log_event(&ctx->log, LOG_INFO, NULL, "backup", NULL,
	    "backup of %s written to %s", store_root(s), file);
	rc = EXIT_OK;
out:
	store_unlock(lk);
	store_free(s);
	backup_wipe(pass, passlen, &tarb);
	buf_clear(&out);
	tar_entries_clear(&t);
	strlist_clear(&names);
	return rc;
}

int
cmd_restore(struct ctx *ctx, int argc, char **argv)
{
	const char *file = NULL, *storedir = NULL;
	struct tar_entries t;
	struct strlist names, have;
	struct store *s = NULL;
	struct store_lock *lk = NULL;
	struct buf tarb;
	struct err e;
	char *pass = NULL, *data = NULL;
	size_t passlen = 0, len = 0;
	int rc, force = 0, iter = 0;
	cJSON *j;

	tar_entries_init(&t);
	strlist_init(&names);
	strlist_init(&have);
	buf_init(&tarb);
	if ((rc = backup_args("restore", argc, argv, 1, &file, &pass,
	    &passlen, &storedir, &force, &iter)) != 0)
		goto out;
	rc = EXIT_FAIL;
	if ((data = file_read(file, BACKUP_MAX_BYTES, &len, &e)) == NULL) {
		fprintf(stderr, "certkeep restore: %s\n", e.msg);
		goto out;
	}
	/* Without create: a repository that is not there stays absent
	   until the archive has been verified. */
	if ((s = backup_open_store(ctx, "restore", storedir, 0, &rc)) == NULL)
		goto out;
	rc = EXIT_FAIL;
	/* Refused at once, before the (slow) key derivation. */
	if (backup_store_contents(s, &have, &e) != 0) {
		fprintf(stderr, "certkeep restore: %s\n", e.msg);
		goto out;
	}
	if (have.n > 0 && !force) {
		fprintf(stderr, "certkeep restore: the repository %s is not "
		    "empty (%s%s); nothing was written: restore --force "
		    "replaces what the backup holds\n", store_root(s),
		    have.v[0], have.n > 1 ? ", ..." : "");
		goto out;
	}
	/* Everything is checked in memory before the store is touched. */
	if (backup_unseal(data, len, pass, passlen, &tarb, &e) != 0 ||
	    tar_read(tarb.data, tarb.len, &t, &e) != 0 ||
	    backup_check(&t, &names, &e) != 0) {
		fprintf(stderr, "certkeep restore: %s: %s; nothing was "
		    "written\n", file, e.msg);
		goto out;
	}
	store_free(s);
	if ((s = backup_open_store(ctx, "restore", storedir, 1, &rc)) == NULL)
		goto out;
	rc = EXIT_FAIL;
	if (store_lock(s, 0, &lk, &e) != 0) {
		fprintf(stderr, "certkeep restore: %s\n", e.msg);
		goto out;
	}
	/* Again under the lock: an apply may have run meanwhile. */
	strlist_clear(&have);
	strlist_init(&have);
	if (backup_store_contents(s, &have, &e) != 0) {
		fprintf(stderr, "certkeep restore: %s\n", e.msg);
		goto out;
	}
	if (have.n > 0 && !force) {
		fprintf(stderr, "certkeep restore: the repository %s is no "
		    "longer empty (%s); nothing was written\n", store_root(s),
		    have.v[0]);
		goto out;
	}
	if (backup_restore(s, &t, &ctx->log, &e) != 0) {
		fprintf(stderr, "certkeep restore: %s\n", e.msg);
		goto out;
	}
	if (ctx->out == OUT_JSON) {
		j = backup_json(file, s, &names, "restored");
		cmd_print_json(j);
		cJSON_Delete(j);
	} else
		printf("restored %zu certificate%s from %s into %s\n",
		    names.n, names.n == 1 ? "" : "s", file, store_root(s));
	rc = EXIT_OK;
out:
	store_unlock(lk);
	store_free(s);
	backup_wipe(pass, passlen, &tarb);
	free(data);
	tar_entries_clear(&t);
	strlist_clear(&names);
	strlist_clear(&have);
	return rc;
}
