/*
 * backup.h - the repository in one passphrase-protected archive, in a
 * format an admin can open without certkeep:
 *
 *   CMS AuthEnvelopedData (RFC 5083), content AES-256-GCM, one password
 *   recipient (RFC 3211 PWRI: PBKDF2, key wrapped with AES-256-CBC),
 *   DER/BER, holding a POSIX ustar stream:
 *     certkeep-backup.json                index (format, version, time,
 *                                         certificates, files)
 *     letsencrypt/<name>/{cert.pem,cert_auth.pem,key.pem,
 *                         fullchain.pem,combined.pem}   the live sets
 *     state/<name>.json                   per-certificate state
 *     accounts/...                        ACME accounts
 *   dirs 0700, key.pem and combined.pem 0600.
 *
 *   openssl cms -decrypt -inform DER -in FILE -pwri_password PASS \
 *       -out backup.tar && tar -xpf backup.tar
 *
 * GCM authenticates everything: a wrong passphrase (the key unwrap fails)
 * and a damaged archive (the tag does not match) are both found before a
 * byte is written anywhere. Earlier sets kept in archive/ are not part of
 * a backup: only what is live.
 */
#ifndef CERTKEEP_BACKUP_H
#define CERTKEEP_BACKUP_H

#include <stddef.h>

struct buf;
struct err;
struct log;
struct store;
struct strlist;
struct tar_entries;

#define BACKUP_INDEX		"certkeep-backup.json"
#define BACKUP_FORMAT		"certkeep-backup"
#define BACKUP_VERSION		1
/* PBKDF2 rounds (HMAC-SHA1, the PRF OpenSSL's PWRI uses): OWASP 2023.
   backup --kdf-iterations may choose another count (at least the
   minimum); the count is in the archive, so restore needs no option. */
#define BACKUP_PBKDF2_ITER	1300000
#define BACKUP_PBKDF2_ITER_MIN	1000
/* Largest archive restore reads. */
#define BACKUP_MAX_BYTES	(512UL * 1024 * 1024)

struct backup_summary {
	size_t	 ncerts;	/* live sets */
	size_t	 nblobs;	/* state and account files */
	size_t	 nfiles;	/* regular files in the archive */
	size_t	 tar_bytes;
};

/*
 * Reads the whole repository of s into t (appended), with the index
 * first. Returns 0 or -1.
 */
int	 backup_collect(struct store *s, struct tar_entries *t,
	    struct backup_summary *sum, struct err *e);

/*
 * Encrypts data for the passphrase (AuthEnvelopedData, see above) with
 * iter PBKDF2 rounds (0: BACKUP_PBKDF2_ITER); appends the DER to out.
 * Returns 0 or -1.
 */
int	 backup_seal(const void *data, size_t len, const char *pass,
	    size_t passlen, int iter, struct buf *out, struct err *e);
/*
 * Decrypts and authenticates an archive into out (appended); nothing is
 * appended unless the whole archive verified. Returns 0, or -1 with e
 * saying "wrong passphrase" or "damaged" as OpenSSL tells them apart.
 */
int	 backup_unseal(const void *data, size_t len, const char *pass,
	    size_t passlen, struct buf *out, struct err *e);

/*
 * Checks decrypted entries: the index is there and of a known version,
 * every path is one backup writes, every set has cert.pem and key.pem.
 * Adds the certificate names to names. Returns 0 or -1.
 */
int	 backup_check(const struct tar_entries *t, struct strlist *names,
	    struct err *e);

/*
 * What s already holds: certificate names with a live set, plus
 * "accounts/..." and "state/..." keys. Returns 0 or -1.
 */
int	 backup_store_contents(struct store *s, struct strlist *what,
	    struct err *e);

/*
 * Writes checked entries into s: per certificate, under its lock, the set
 * (store_replace_set: atomic) then its state (or removes a stale one);
 * then the account files with their modes. Logs one line per certificate.
 * Returns 0, or -1 at the first failure (earlier certificates stay
 * restored, each complete).
 */
int	 backup_restore(struct store *s, const struct tar_entries *t,
	    const struct log *log, struct err *e);

#endif
