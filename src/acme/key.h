/*
 * key.h - the only module that touches private keys (docs/design.md): makes
 * them, reads and writes PKCS#8 PEM, and signs for the protocol code (JWS,
 * CSR) so that nothing else ever sees key material. Key types are those of
 * enum key_type below.
 */
#ifndef CERTKEEP_KEY_H
#define CERTKEEP_KEY_H

#include <stddef.h>

/* The key types certkeep makes; the manifest names them. */
enum key_type {
	KEY_EC_P256,
	KEY_EC_P384,
	KEY_RSA_2048,
	KEY_RSA_3072,
	KEY_RSA_4096,
	KEY__MAX
};
/* "ec-p256", ...; indexed by enum key_type. */
extern const char *const key_type_names[KEY__MAX];
/* The same names as one text, for messages (the table's order). */
#define KEY_TYPE_NAMES_TEXT \
	"ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096"
/* Returns the key type for a name, or -1. */
int	 key_type_from_name(const char *name);

struct cJSON;
struct err;
struct key;

/* A new key of type t (enum key_type). Free with key_free(). */
struct key *key_generate(int t, struct err *e);
/* Parses a PEM private key (PKCS#8 or traditional); what names it in
   messages. Only EC P-256/P-384 and RSA 2048..4096 are accepted. */
struct key *key_load_pem(const char *pem, size_t len, const char *what,
	    struct err *e);
void	 key_free(struct key *k);	/* NULL is a no-op */

/* Unencrypted PKCS#8 PEM; malloced, caller frees with key_pem_free(). */
char	*key_to_pem(const struct key *k, struct err *e);
/* Wipes and frees a PEM returned by key_to_pem(). */
void	 key_pem_free(char *pem);

/* enum key_type of k, or -1 for a size/curve certkeep does not make. */
int	 key_type_of(const struct key *k);
/* The JWS "alg": "ES256", "ES384" or "RS256". */
const char *key_jws_alg(const struct key *k);

/*
 * The public key as a JWK (RFC 7517), members in the lexicographic order
 * RFC 7638 hashes them. New object, caller deletes.
 */
struct cJSON *key_jwk(const struct key *k);
/* RFC 7638 thumbprint: base64url(SHA-256(JWK)); malloced, caller frees. */
char	*key_thumbprint(const struct key *k, struct err *e);

/*
 * Signs data for JWS (RFC 7518): ES256/ES384 as raw r||s, RS256 as
 * PKCS#1 v1.5. Returns the base64url signature (malloced, caller frees).
 */
char	*key_sign_b64url(const struct key *k, const void *data, size_t n,
	    struct err *e);
/* HS256 (EAB): base64url(HMAC-SHA256(secret, data)); malloced. */
char	*key_hmac_b64url(const unsigned char *secret, size_t slen,
	    const void *data, size_t n, struct err *e);
/* base64url(SHA-256(data)) (dns-01 TXT value); malloced, caller frees. */
char	*key_sha256_b64url(const void *data, size_t n);

/*
 * A CSR for names (NULL-terminated, the first becomes the CN when it fits)
 * with every name as a DNS SAN, signed by k: base64url of the DER, as
 * finalize wants it. Malloced, caller frees.
 */
char	*key_csr_b64url(const struct key *k, char *const *names,
	    struct err *e);

#endif
