#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/syntax.h"
#include "base/time.h"
#include "base/version.h"
#include "store/backup.h"
#include "store/store.h"
#include "store/tar.h"

/* The files of a set, as the store writes them. */
static const struct {
	const char	*file;
	mode_t		 mode;
	size_t		 off;	/* member of struct certset */
} backup_set_files[] = {
	{ STORE_CERT, 0644, offsetof(struct certset, cert) },
	{ STORE_CHAIN, 0644, offsetof(struct certset, chain) },
	{ STORE_KEY, 0600, offsetof(struct certset, key) },
	{ STORE_FULLCHAIN, 0644, offsetof(struct certset, fullchain) },
	{ STORE_COMBINED, 0600, offsetof(struct certset, combined) },
};
#define BACKUP_NSET (sizeof(backup_set_files) / sizeof(backup_set_files[0]))
/* State and account files, as the store writes them. */
#define BACKUP_BLOB_MODE	0600

static char **
backup_member(struct certset *set, size_t i)
{
	return (char **)(void *)((char *)set + backup_set_files[i].off);
}

/* Adds the directories of path ("a/b/c" -> "a", "a/b") unless there. */
static void
backup_add_dirs(struct tar_entries *t, const char *path, time_t now)
{
	char *p = xstrdup(path), *s;

	for (s = strchr(p, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (tar_entries_find(t, p) == NULL)
			tar_entries_add(t, p, NULL, 0, 0700, now);
		*s = '/';
	}
	free(p);
}

int
backup_collect(struct store *s, struct tar_entries *t,
    struct backup_summary *sum, struct err *e)
{
	struct strlist names, keys;
	struct certset set;
	struct tar_entries body;
	cJSON *idx = NULL, *arr;
	mode_t *modes = NULL;
	char ts[32], *path, *data = NULL, *text = NULL, **m;
	size_t i, j, len, nkeys;
	time_t now = now_wall();
	int rc = -1, r;
	static const char *const prefixes[] = { "state", "accounts", NULL };

	memset(sum, 0, sizeof(*sum));
	memset(&set, 0, sizeof(set));
	strlist_init(&names);
	strlist_init(&keys);
	tar_entries_init(&body);
	if (store_list(s, &names, e) != 0)
		goto out;
	for (i = 0; i < names.n; i++) {
		/* Restore accepts valid names only: say so now, not then. */
		if (safe_name_problem(names.v[i]) != NULL) {
			char *esc = str_escape(names.v[i]);

			err_set(e, "backup: %s/letsencrypt/%s: not a valid "
			    "certificate name (%s), so the backup could not be "
			    "restored; rename or remove it", store_root(s), esc,
			    safe_name_problem(names.v[i]));
			free(esc);
			goto out;
		}
		if ((r = store_read_set(s, names.v[i], &set, e)) < 0)
			goto out;
		if (r == 0)
			continue;
		for (j = 0; j < BACKUP_NSET; j++) {
			m = backup_member(&set, j);
			if (*m == NULL)
				continue;
			path = xasprintf("letsencrypt/%s/%s", names.v[i],
			    backup_set_files[j].file);
			backup_add_dirs(&body, path, now);
			tar_entries_add(&body, path, *m, strlen(*m),
			    backup_set_files[j].mode, now);
			free(path);
		}
		certset_clear(&set);
		sum->ncerts++;
	}
	for (i = 0; prefixes[i] != NULL; i++) {
		nkeys = keys.n;
		free(modes);
		modes = NULL;
		if (store_list_blobs(s, prefixes[i], &keys, &modes, e) != 0)
			goto out;
		for (j = nkeys; j < keys.n; j++) {
			if ((r = store_get_blob(s, keys.v[j], &data, &len, e))
			    < 0)
				goto out;
			if (r == 0)	/* gone meanwhile */
				continue;
			backup_add_dirs(&body, keys.v[j], now);
			tar_entries_add(&body, keys.v[j], data, len,
			    modes[j - nkeys], now);
			OPENSSL_clear_free(data, len);
			data = NULL;
			sum->nblobs++;
		}
	}

	idx = cJSON_CreateObject();
	cJSON_AddStringToObject(idx, "format", BACKUP_FORMAT);
	cJSON_AddNumberToObject(idx, "version", BACKUP_VERSION);
	time_format_rfc3339(now, ts, sizeof(ts));
	cJSON_AddStringToObject(idx, "created", ts);
	cJSON_AddStringToObject(idx, "certkeep", CERTKEEP_VERSION);
	cJSON_AddStringToObject(idx, "store", store_root(s));
	arr = cJSON_AddArrayToObject(idx, "certificates");
	for (i = 0; i < names.n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(names.v[i]));
	arr = cJSON_AddArrayToObject(idx, "files");
	for (i = 0; i < body.n; i++)
		if (!body.v[i].is_dir)
			cJSON_AddItemToArray(arr,
			    cJSON_CreateString(body.v[i].path));
	if ((text = cJSON_Print(idx)) == NULL) {
		err_set(e, "backup: cannot build the index");
		goto out;
	}
	tar_entries_add(t, BACKUP_INDEX, text, strlen(text), 0600, now);
	for (i = 0; i < body.n; i++) {
		tar_entries_add(t, body.v[i].path, body.v[i].is_dir ? NULL :
		    body.v[i].data, body.v[i].len, body.v[i].mode, now);
		if (!body.v[i].is_dir)
			sum->nfiles++;
	}
	sum->nfiles++;	/* the index */
	rc = 0;
out:
	certset_clear(&set);
	if (data != NULL)
		OPENSSL_clear_free(data, len);
	cJSON_free(text);
	cJSON_Delete(idx);
	free(modes);
	tar_entries_clear(&body);
	strlist_clear(&keys);
	strlist_clear(&names);
	return rc;
}

int
backup_seal(const void *data, size_t len, const char *pass, size_t passlen,
    int iter, struct buf *out, struct err *e)
{
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *mem = NULL;
	unsigned char *pw = NULL;
	BUF_MEM *bm;
	int rc = -1;

	if (passlen == 0) {
		err_set(e, "backup: empty passphrase");
		goto out;
	}
	if (iter == 0)
		iter = BACKUP_PBKDF2_ITER;
	if (iter < BACKUP_PBKDF2_ITER_MIN) {
		err_set(e, "backup: %d PBKDF2 iterations: at least %d", iter,
		    BACKUP_PBKDF2_ITER_MIN);
		goto out;
	}
	if ((cms = CMS_AuthEnvelopedData_create_ex(EVP_aes_256_gcm(), NULL,
	    NULL)) == NULL) {
		err_ssl(e, "backup: CMS AuthEnvelopedData");
		goto out;
	}
	/* OpenSSL owns (and wipes) the copy once it is added. */
	pw = OPENSSL_malloc(passlen + 1);
	if (pw == NULL) {
		err_set(e, "backup: out of memory");
		goto out;
	}
	memcpy(pw, pass, passlen);
	pw[passlen] = '\0';
	/* The key-encryption cipher must be CBC (RFC 3211); GCM is for the
	   content only, which OpenSSL 3.0's default (the content cipher)
	   gets wrong. */
	if (CMS_add0_recipient_password(cms, iter,
	    NID_id_alg_PWRI_KEK, NID_id_pbkdf2, pw, (ossl_ssize_t)passlen,
	    EVP_aes_256_cbc()) == NULL) {
		OPENSSL_clear_free(pw, passlen + 1);
		err_ssl(e, "backup: CMS password recipient");
		goto out;
	}
	in = BIO_new_mem_buf(data, (int)len);
	mem = BIO_new(BIO_s_mem());
	if (in == NULL || mem == NULL || len > 0x7fffffffUL) {
		err_set(e, "backup: archive too large or out of memory");
		goto out;
	}
	/* Streaming is what gets OpenSSL 3.0 to emit the content of an
	   AuthEnvelopedData (CMS_final leaves it out). */
	if (!i2d_CMS_bio_stream(mem, cms, in, CMS_STREAM | CMS_BINARY)) {
		err_ssl(e, "backup: CMS encryption");
		goto out;
	}
	BIO_get_mem_ptr(mem, &bm);
	buf_append(out, bm->data, bm->length);
	rc = 0;
out:
	BIO_free(in);
	BIO_free(mem);
	CMS_ContentInfo_free(cms);
	return rc;
}

/* Tells a wrong passphrase (the key does not unwrap) from damage. */
static void
backup_decrypt_error(struct err *e)
{
	unsigned long ec = ERR_peek_last_error();

	if (ERR_GET_LIB(ec) == ERR_LIB_CMS &&
	    ERR_GET_REASON(ec) == CMS_R_UNWRAP_FAILURE) {
		ERR_clear_error();
		err_set(e, "wrong passphrase, or the archive's key block is "
		    "damaged (the content key does not unwrap)");
	} else
		err_ssl(e, "the archive is damaged or was altered "
		    "(authentication failed)");
}

int
backup_unseal(const void *data, size_t len, const char *pass,
    size_t passlen, struct buf *out, struct err *e)
{
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *mem = NULL;
	BUF_MEM *bm;
	int rc = -1;

	if (len > 0x7fffffffUL || (in = BIO_new_mem_buf(data, (int)len)) ==
	    NULL) {
		err_set(e, "archive too large");
		goto out;
	}
	if ((cms = d2i_CMS_bio(in, NULL)) == NULL) {
		err_ssl(e, "not a certkeep backup (no CMS structure), or "
		    "damaged");
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) !=
	    NID_id_smime_ct_authEnvelopedData) {
		err_set(e, "not a certkeep backup: CMS content type %s, want "
		    "authEnvelopedData", OBJ_nid2sn(OBJ_obj2nid(
		    CMS_get0_type(cms))));
		goto out;
	}
	ERR_clear_error();
	/* This already unwraps the content key: a wrong passphrase fails
	   here, damaged content later at the GCM tag. */
	if (!CMS_decrypt_set1_password(cms, (unsigned char *)(uintptr_t)pass,
	    (ossl_ssize_t)passlen)) {
		backup_decrypt_error(e);
		goto out;
	}
	if ((mem = BIO_new(BIO_s_mem())) == NULL) {
		err_set(e, "out of memory");
		goto out;
	}
	if (!CMS_decrypt(cms, NULL, NULL, NULL, mem, CMS_BINARY)) {
		backup_decrypt_error(e);
		goto out;
	}
	BIO_get_mem_ptr(mem, &bm);
	buf_append(out, bm->data, bm->length);
	OPENSSL_cleanse(bm->data, bm->length);
	rc = 0;
out:
	if (rc != 0 && mem != NULL) {
		BIO_get_mem_ptr(mem, &bm);
		if (bm != NULL && bm->data != NULL)
			OPENSSL_cleanse(bm->data, bm->length);
	}
	BIO_free(in);
	BIO_free(mem);
	CMS_ContentInfo_free(cms);
	return rc;
}

/* Splits "letsencrypt/<name>/<file>"; returns 1 when path is one. */
static int
backup_set_path(const char *path, char **name, const char **file)
{
	const char *p, *s;

	if (strncmp(path, "letsencrypt/", 12) != 0)
		return 0;
	p = path + 12;
	if ((s = strchr(p, '/')) == NULL || strchr(s + 1, '/') != NULL)
		return 0;
	*name = xstrndup(p, (size_t)(s - p));
	*file = s + 1;
	return 1;
}

/* An account path component: what acme_dir_host() and the account
   module write (letters, digits, '.', '_', '-'; no leading dot). */
static int
backup_account_part_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 255 || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

/*
 * Whether path is one the store writes, named the way it names things:
 * "letsencrypt/<name>/<set file>", "state/<name>.json",
 * "accounts/<host>/<file>" (files) and the directories above them, with
 * <name> a valid certificate name. Fills e (the path escaped) when not.
 */
static int
backup_path_ok(const char *path, int is_dir, struct err *e)
{
	const char *p, *s, *why = NULL;
	char *name = NULL, *esc;
	size_t k, n;
	int known = 0;

	if (is_dir && (strcmp(path, "letsencrypt") == 0 ||
	    strcmp(path, "state") == 0 || strcmp(path, "accounts") == 0))
		return 1;
	if (strncmp(path, "letsencrypt/", 12) == 0) {
		p = path + 12;
		s = strchr(p, '/');
		name = xstrndup(p, s != NULL ? (size_t)(s - p) : strlen(p));
		if ((why = safe_name_problem(name)) != NULL)
			;
		else if (is_dir && s == NULL)
			known = 1;
		else if (!is_dir && s != NULL && strchr(s + 1, '/') == NULL) {
			for (k = 0; k < BACKUP_NSET; k++)
				if (strcmp(s + 1, backup_set_files[k].file) ==
				    0)
					known = 1;
		}
	} else if (strncmp(path, "state/", 6) == 0 && !is_dir) {
		p = path + 6;
		n = strlen(p);
		if (n > 5 && strcmp(p + n - 5, ".json") == 0) {
			name = xstrndup(p, n - 5);
			if ((why = safe_name_problem(name)) == NULL)
				known = 1;
		}
	} else if (strncmp(path, "accounts/", 9) == 0) {
		p = path + 9;
		s = strchr(p, '/');
		if (s == NULL)
			known = is_dir && backup_account_part_ok(p, strlen(p));
		else
			known = !is_dir && backup_account_part_ok(p,
			    (size_t)(s - p)) && strchr(s + 1, '/') == NULL &&
			    backup_account_part_ok(s + 1, strlen(s + 1));
	}
	free(name);
	if (known)
		return 1;
	esc = str_escape(path);
	if (why != NULL)
		err_set(e, "backup: %s: not a valid certificate name (%s)",
		    esc, why);
	else
		err_set(e, "backup: unexpected %s %s (not one the repository "
		    "writes)", is_dir ? "directory" : "file", esc);
	free(esc);
	return 0;
}

int
backup_check(const struct tar_entries *t, struct strlist *names,
    struct err *e)
{
	const struct tar_entry *idx, *en;
	const cJSON *fmt, *ver;
	cJSON *j = NULL;
	char *name = NULL, *p;
	const char *file;
	size_t i;
	int rc = -1;

	if ((idx = tar_entries_find(t, BACKUP_INDEX)) == NULL ||
	    idx->is_dir) {
		err_set(e, "not a certkeep backup: no %s", BACKUP_INDEX);
		goto out;
	}
	j = cJSON_ParseWithLength(idx->data, idx->len);
	fmt = cJSON_GetObjectItemCaseSensitive(j, "format");
	ver = cJSON_GetObjectItemCaseSensitive(j, "version");
	if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring,
	    BACKUP_FORMAT) != 0 || !cJSON_IsNumber(ver)) {
		err_set(e, "not a certkeep backup: %s is not its index",
		    BACKUP_INDEX);
		goto out;
	}
	if (ver->valuedouble != BACKUP_VERSION) {
		err_set(e, "backup format version %g: this certkeep reads "
		    "version %d", ver->valuedouble, BACKUP_VERSION);
		goto out;
	}
	for (i = 0; i < t->n; i++) {
		en = &t->v[i];
		if (!en->is_dir && strcmp(en->path, BACKUP_INDEX) == 0)
			continue;
		/* Names and paths as the store makes them, or nothing. */
		if (!backup_path_ok(en->path, en->is_dir, e))
			goto out;
		if (en->is_dir)
			continue;
		if (backup_set_path(en->path, &name, &file)) {
			if (!strlist_contains(names, name)) {
				strlist_add(names, name);
				p = xasprintf("letsencrypt/%s/%s", name,
				    STORE_CERT);
				en = tar_entries_find(t, p);
				free(p);
				p = xasprintf("letsencrypt/%s/%s", name,
				    STORE_KEY);
				if (en == NULL || tar_entries_find(t, p) ==
				    NULL) {
					err_set(e, "backup: the set of %s has "
					    "no %s or no %s", name,
					    STORE_CERT, STORE_KEY);
					free(p);
					goto out;
				}
				free(p);
			}
			free(name);
			name = NULL;
		}
	}
	rc = 0;
out:
	free(name);
	cJSON_Delete(j);
	return rc;
}

int
backup_store_contents(struct store *s, struct strlist *what, struct err *e)
{
	if (store_list(s, what, e) != 0 ||
	    store_list_blobs(s, "accounts", what, NULL, e) != 0 ||
	    store_list_blobs(s, "state", what, NULL, e) != 0)
		return -1;
	return 0;
}

int
backup_restore(struct store *s, const struct tar_entries *t,
    const struct log *log, struct err *e)
{
	struct strlist names;
	struct store_lock *lk = NULL;
	struct certset set;
	const struct tar_entry *en;
	char *p;
	size_t i, k, nacc = 0;
	int rc = -1;

	strlist_init(&names);
	memset(&set, 0, sizeof(set));
	if (backup_check(t, &names, e) != 0)
		goto out;
	for (i = 0; i < names.n; i++) {
		/* Only cert, chain and key: the store derives the rest. */
		for (k = 0; k < BACKUP_NSET; k++) {
			if (backup_set_files[k].off !=
			    offsetof(struct certset, cert) &&
			    backup_set_files[k].off !=
			    offsetof(struct certset, chain) &&
			    backup_set_files[k].off !=
			    offsetof(struct certset, key))
				continue;
			p = xasprintf("letsencrypt/%s/%s", names.v[i],
			    backup_set_files[k].file);
			en = tar_entries_find(t, p);
			free(p);
			*backup_member(&set, k) = en != NULL ?
			    xstrndup(en->data, en->len) : NULL;
		}
		if (store_lock_cert(s, names.v[i], 1, &lk, e) != 0)
			goto out;
		if (store_replace_set(s, names.v[i], &set, e) != 0)
			goto out;
		p = xasprintf("state/%s.json", names.v[i]);
		en = tar_entries_find(t, p);
		/* Modes are the store's, never the archive's. */
		if ((en != NULL ? store_put_blob(s, p, en->data, en->len,
		    BACKUP_BLOB_MODE, e) : store_del_blob(s, p, e)) != 0) {
			free(p);
			goto out;
		}
		free(p);
		store_unlock(lk);
		lk = NULL;
		certset_clear(&set);
		log_event(log, LOG_INFO, names.v[i], "restore", NULL,
		    "restored %s", names.v[i]);
	}
	for (i = 0; i < t->n; i++) {
		en = &t->v[i];
		if (en->is_dir)
			continue;
		if (strncmp(en->path, "accounts/", 9) == 0)
			nacc++;
		else if (strncmp(en->path, "state/", 6) == 0) {
			/* States of certificates without a set. */
			p = xstrndup(en->path + 6, strlen(en->path + 6) -
			    (str_endswith(en->path, ".json") ? 5 : 0));
			k = strlist_contains(&names, p);
			free(p);
			if (k)
				continue;
		} else
			continue;
		if (store_put_blob(s, en->path, en->data, en->len,
		    BACKUP_BLOB_MODE, e) != 0)
			goto out;
	}
	if (nacc > 0)
		log_event(log, LOG_INFO, NULL, "restore", NULL,
		    "restored %zu account file%s", nacc, nacc == 1 ? "" : "s");
	rc = 0;
out:
	store_unlock(lk);
	certset_clear(&set);
	strlist_clear(&names);
	return rc;
}
