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
 * The RFC 9773 certID: base64url(AKI keyIdentifier) "." base64url(the
 * DER content octets of the serial, leading 0x00 included). Malloced,
 * caller frees.
 */
char	*certinfo_ari_id(const unsigned char *aki, size_t akilen,
	    const unsigned char *serial_der_content, size_t n);

#endif
