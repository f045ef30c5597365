/*
 * certinfo.h - the repository reader: what a certificate set holds, read
 * with OpenSSL. A missing, corrupt or mismatched set is a status, never a
 * crash or an error return.
 */
#ifndef CERTKEEP_CERTINFO_H
#define CERTKEEP_CERTINFO_H

#include <stddef.h>
#include <time.h>

struct certset;
struct cJSON;
struct store_setid;

enum certinfo_status {
	CERTINFO_OK,
	CERTINFO_MISSING,	/* no cert.pem */
	CERTINFO_CORRUPT_CERT,	/* cert.pem does not parse */
	CERTINFO_MISSING_KEY,
	CERTINFO_CORRUPT_KEY,
	CERTINFO_KEY_MISMATCH,	/* key.pem is not the certificate's key */
	CERTINFO_CORRUPT_CHAIN,	/* cert_auth.pem missing/unparsable or does
				   not chain to the leaf */
	CERTINFO__MAX
};
/* "ok", "missing", "corrupt-cert", ...; indexed by the enum. */
extern const char *const certinfo_status_names[CERTINFO__MAX];

struct certinfo {
	enum certinfo_status status;
	char	*problem;	/* malloced human text when status != OK */
	/* Valid when the leaf parsed (status not MISSING/CORRUPT_CERT): */
	time_t	 not_before;
	time_t	 not_after;
	char	**sans;		/* NULL-terminated DNS SANs, lower-case */
	size_t	 nsans;
	char	*issuer;	/* one-line issuer DN (RFC 2253) */
	char	*issuer_cn;	/* issuer CN or NULL */
	char	*serial;	/* hex, upper-case, no separators */
	int	 key_type;	/* enum key_type of the leaf's key, or -1 */
	int	 key_bits;
	char	*ari_id;	/* RFC 9773 certID (AKI.serial) or NULL */
	char	*warning;	/* malloced, or NULL: a problem that needs no
				   new certificate (key.pem readable by
				   others) */
};

/*
 * Fills info from a set read by store_read_set() (set may be NULL: missing).
 * Returns 0; -1 only when memory or OpenSSL itself fails (fills nothing
 * useful). Free members with certinfo_clear().
 */
int	 certinfo_read(const struct certset *set, struct certinfo *info);
void	 certinfo_clear(struct certinfo *info);

/*
 * What certinfo_read() found in a sound set, recorded so that a later run
 * need not parse it again (plan_read_cert() keeps it in the certificate's
 * state as "verified"). The files of an archive entry are never rewritten,
 * so while cert.pem, cert_auth.pem and key.pem keep the identities they had
 * when they were read (device, inode, size, mtime, ctime), what was read
 * from them still holds.
 *
 * to_json: a new object {"version", "files": {"cert.pem": "dev:ino:size:
 * mtime_ns:ctime_ns", ...}, "not_before", "not_after", "sans", "issuer",
 * "issuer_cn", "serial", "key_type", "key_bits", "ari_id"} (caller
 * deletes), or NULL when info is not OK or id lacks one of the three files.
 *
 * match: fills info (clear it with certinfo_clear()) and returns 1 when rec
 * is whole, of this version, and names exactly the identities in id (the
 * live set now); returns 0 otherwise (missing, damaged or stale record;
 * info is left empty): then the set must be read. The key.pem mode warning
 * is made from id.
 */
struct cJSON *certinfo_record_to_json(const struct certinfo *info,
	    const struct store_setid *id);
int	 certinfo_record_match(const struct cJSON *rec,
	    const struct store_setid *id, struct certinfo *info);
/* Sets info->warning when the key file mode lets group or others read. */
void	 certinfo_key_mode_warn(struct certinfo *info, unsigned int mode);

/*
 * The RFC 9773 certID: base64url(AKI keyIdentifier) "." base64url(the
 * DER content octets of the serial, leading 0x00 included). Malloced,
 * caller frees.
 */
char	*certinfo_ari_id(const unsigned char *aki, size_t akilen,
	    const unsigned char *serial_der_content, size_t n);

#endif
