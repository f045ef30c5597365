/*
 * key.c - private keys, JWK, JWS signatures and CSRs with OpenSSL 3.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "acme/key.h"
#include "base/encode.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"

const char *const key_type_names[KEY__MAX] = {
	"ec-p256", "ec-p384", "rsa-2048", "rsa-3072", "rsa-4096",
};

int
key_type_from_name(const char *name)
{
	return str_index(key_type_names, KEY__MAX, name);
}

struct key {
	EVP_PKEY	*pk;
	int		 type;		/* enum key_type */
};

/* What each key type is made of. */
static const struct {
	const char	*alg;		/* OpenSSL algorithm name */
	const char	*curve;		/* EC group */
	size_t		 bits;		/* RSA modulus bits */
	size_t		 coord;		/* EC coordinate bytes */
	const char	*jws;
	const char	*crv;		/* JWK crv */
} kt[KEY__MAX] = {
	[KEY_EC_P256] = { "EC", "P-256", 0, 32, "ES256", "P-256" },
	[KEY_EC_P384] = { "EC", "P-384", 0, 48, "ES384", "P-384" },
	[KEY_RSA_2048] = { "RSA", NULL, 2048, 0, "RS256", NULL },
	[KEY_RSA_3072] = { "RSA", NULL, 3072, 0, "RS256", NULL },
	[KEY_RSA_4096] = { "RSA", NULL, 4096, 0, "RS256", NULL },
};

static int
type_of_pkey(EVP_PKEY *pk)
{
	if (EVP_PKEY_is_a(pk, "EC")) {
		char grp[64];
		size_t gl = 0;

		if (!EVP_PKEY_get_utf8_string_param(pk,
		    OSSL_PKEY_PARAM_GROUP_NAME, grp, sizeof(grp), &gl))
			return -1;
		if (strcmp(grp, "prime256v1") == 0 ||
		    strcmp(grp, "P-256") == 0)
			return KEY_EC_P256;
		if (strcmp(grp, "secp384r1") == 0 || strcmp(grp, "P-384") == 0)
			return KEY_EC_P384;
		return -1;
	}
	if (EVP_PKEY_is_a(pk, "RSA")) {
		switch (EVP_PKEY_get_bits(pk)) {
		case 2048: return KEY_RSA_2048;
		case 3072: return KEY_RSA_3072;
		case 4096: return KEY_RSA_4096;
		default: return -1;
		}
	}
	return -1;
}

struct key *
key_generate(int t, struct err *e)
{
	EVP_PKEY *pk;
	struct key *k;

	if (t < 0 || t >= KEY__MAX) {
		err_set(e, "unknown key type %d", t);
		return NULL;
	}
	if (kt[t].curve != NULL)
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", kt[t].curve);
	else
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", kt[t].bits);
	if (pk == NULL) {
		err_ssl(e, "cannot generate a %s key", key_type_names[t]);
		return NULL;
	}
	k = xcalloc(1, sizeof(*k));
	k->pk = pk;
	k->type = t;
	return k;
}

struct key *
key_load_pem(const char *pem, size_t len, const char *what, struct err *e)
{
	BIO *b = NULL;
	EVP_PKEY *pk = NULL;
	struct key *k = NULL;
	int t;

	if (len > INT32_MAX) {
		err_set(e, "%s: too large", what);
		goto out;
	}
	if ((b = BIO_new_mem_buf(pem, (int)len)) == NULL ||
	    (pk = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)) == NULL) {
		err_ssl(e, "%s: not a PEM private key", what);
		goto out;
	}
	if ((t = type_of_pkey(pk)) == -1) {
		err_set(e, "%s: unsupported key (certkeep uses "
		    KEY_TYPE_NAMES_TEXT ")", what);
		goto out;
	}
	k = xcalloc(1, sizeof(*k));
	k->pk = pk;
	k->type = t;
	pk = NULL;
out:
	EVP_PKEY_free(pk);
	BIO_free(b);
	return k;
}

void
key_free(struct key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pk);
	free(k);
}

char *
key_to_pem(const struct key *k, struct err *e)
{
	BIO *b = NULL;
	char *out = NULL, *p;
	long n;

	if ((b = BIO_new(BIO_s_secmem())) == NULL)
		b = BIO_new(BIO_s_mem());
	if (b == NULL ||
	    !PEM_write_bio_PKCS8PrivateKey(b, k->pk, NULL, NULL, 0, NULL,
	    NULL)) {
		err_ssl(e, "cannot encode the private key");
		goto out;
	}
	n = BIO_get_mem_data(b, &p);
	if (n <= 0) {
		err_set(e, "cannot encode the private key");
		goto out;
	}
	out = xstrndup(p, (size_t)n);
out:
	BIO_free(b);
	return out;
}

void
key_pem_free(char *pem)
{
	if (pem == NULL)
		return;
	OPENSSL_cleanse(pem, strlen(pem));
	free(pem);
}

int
key_type_of(const struct key *k)
{
	return k->type;
}

const char *
key_jws_alg(const struct key *k)
{
	return kt[k->type].jws;
}

/* base64url of a BIGNUM, left-padded with zeros to pad bytes (0: none). */
static char *
bn_b64url(const BIGNUM *bn, size_t pad)
{
	size_t n = (size_t)BN_num_bytes(bn);
	size_t len = pad > n ? pad : n;
	unsigned char *buf = xcalloc(1, len ? len : 1);
	char *s;

	BN_bn2binpad(bn, buf, (int)len);
	s = b64url_encode(buf, len);
	free(buf);
	return s;
}

static int
bn_param(const struct key *k, const char *name, BIGNUM **bn)
{
	*bn = NULL;
	return EVP_PKEY_get_bn_param(k->pk, name, bn) ? 0 : -1;
}

struct cJSON *
key_jwk(const struct key *k)
{
	cJSON *j = cJSON_CreateObject();
	BIGNUM *a = NULL, *b = NULL;
	char *sa = NULL, *sb = NULL;

	if (kt[k->type].curve != NULL) {
		if (bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &a) == -1 ||
		    bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &b) == -1)
			goto fail;
		sa = bn_b64url(a, kt[k->type].coord);
		sb = bn_b64url(b, kt[k->type].coord);
		cJSON_AddStringToObject(j, "crv", kt[k->type].crv);
		cJSON_AddStringToObject(j, "kty", "EC");
		cJSON_AddStringToObject(j, "x", sa);
		cJSON_AddStringToObject(j, "y", sb);
	} else {
		if (bn_param(k, OSSL_PKEY_PARAM_RSA_E, &a) == -1 ||
		    bn_param(k, OSSL_PKEY_PARAM_RSA_N, &b) == -1)
			goto fail;
		sa = bn_b64url(a, 0);
		sb = bn_b64url(b, 0);
		cJSON_AddStringToObject(j, "e", sa);
		cJSON_AddStringToObject(j, "kty", "RSA");
		cJSON_AddStringToObject(j, "n", sb);
	}
	BN_free(a);
	BN_free(b);
	free(sa);
	free(sb);
	return j;
fail:
	BN_free(a);
	BN_free(b);
	cJSON_Delete(j);
	return NULL;
}

char *
key_sha256_b64url(const void *data, size_t n)
{
	unsigned char md[32];

	SHA256(data, n, md);
	return b64url_encode(md, sizeof(md));
}

char *
key_thumbprint(const struct key *k, struct err *e)
{
	cJSON *j = key_jwk(k);
	char *s, *out;

	if (j == NULL) {
		err_ssl(e, "cannot read the public key");
		return NULL;
	}
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (s == NULL) {
		err_set(e, "out of memory");
		return NULL;
	}
	out = key_sha256_b64url(s, strlen(s));
	cJSON_free(s);
	return out;
}

char *
key_sign_b64url(const struct key *k, const void *data, size_t n,
    struct err *e)
{
	EVP_MD_CTX *md = NULL;
	unsigned char *sig = NULL, *raw = NULL;
	const unsigned char *sp;
	size_t slen = 0;
	ECDSA_SIG *es = NULL;
	char *out = NULL;
	const EVP_MD *h = k->type == KEY_EC_P384 ? EVP_sha384() : EVP_sha256();

	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, h, NULL, k->pk) != 1 ||
	    EVP_DigestSign(md, NULL, &slen, data, n) != 1) {
		err_ssl(e, "cannot sign");
		goto out;
	}
	sig = xmalloc(slen);
	if (EVP_DigestSign(md, sig, &slen, data, n) != 1) {
		err_ssl(e, "cannot sign");
		goto out;
	}
	if (kt[k->type].curve == NULL) {
		out = b64url_encode(sig, slen);
		goto out;
	}
	/* JWS wants r||s, each left-padded to the coordinate size. */
	sp = sig;
	if ((es = d2i_ECDSA_SIG(NULL, &sp, (long)slen)) == NULL) {
		err_ssl(e, "cannot decode the ECDSA signature");
		goto out;
	}
	size_t c = kt[k->type].coord;
	raw = xcalloc(2, c);
	if (BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, (int)c) < 0 ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + c, (int)c) < 0) {
		err_set(e, "ECDSA signature too long");
		goto out;
	}
	out = b64url_encode(raw, 2 * c);
out:
	ECDSA_SIG_free(es);
	free(sig);
	free(raw);
	EVP_MD_CTX_free(md);
	return out;
}

char *
key_hmac_b64url(const unsigned char *secret, size_t slen, const void *data,
    size_t n, struct err *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (slen > INT32_MAX ||
	    HMAC(EVP_sha256(), secret, (int)slen, data, n, md, &mdlen) ==
	    NULL) {
		err_ssl(e, "HMAC-SHA256 failed");
		return NULL;
	}
	return b64url_encode(md, mdlen);
}

char *
key_csr_b64url(const struct key *k, char *const *names, struct err *e)
{
	X509_REQ *req = NULL;
	X509_NAME *subj = NULL;
	GENERAL_NAMES *gens = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_EXTENSION *ext = NULL;
	unsigned char *der = NULL;
	char *out = NULL;
	int dlen;

	if (names == NULL || names[0] == NULL) {
		err_set(e, "a CSR needs at least one name");
		goto out;
	}
	if ((req = X509_REQ_new()) == NULL ||
	    !X509_REQ_set_version(req, 0) ||
	    (subj = X509_NAME_new()) == NULL)
		goto ssl;
	/* The CN is optional for the CA; it only fits up to 64 bytes. */
	if (strlen(names[0]) <= 64 &&
	    !X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC,
	    (const unsigned char *)names[0], -1, -1, 0))
		goto ssl;
	if (!X509_REQ_set_subject_name(req, subj))
		goto ssl;
	if ((gens = GENERAL_NAMES_new()) == NULL)
		goto ssl;
	for (size_t i = 0; names[i] != NULL; i++) {
		GENERAL_NAME *g = GENERAL_NAME_new();
		ASN1_IA5STRING *s = ASN1_IA5STRING_new();

		if (g == NULL || s == NULL ||
		    !ASN1_STRING_set(s, names[i], (int)strlen(names[i]))) {
			GENERAL_NAME_free(g);
			ASN1_IA5STRING_free(s);
			goto ssl;
		}
		GENERAL_NAME_set0_value(g, GEN_DNS, s);
		if (!sk_GENERAL_NAME_push(gens, g)) {
			GENERAL_NAME_free(g);
			goto ssl;
		}
	}
	if ((ext = X509V3_EXT_i2d(NID_subject_alt_name, 0, gens)) == NULL ||
	    (exts = sk_X509_EXTENSION_new_null()) == NULL ||
	    !sk_X509_EXTENSION_push(exts, ext))
		goto ssl;
	ext = NULL;	/* owned by exts now */
	if (!X509_REQ_add_extensions(req, exts) ||
	    !X509_REQ_set_pubkey(req, k->pk) ||
	    X509_REQ_sign(req, k->pk, k->type == KEY_EC_P384 ? EVP_sha384() :
	    EVP_sha256()) <= 0)
		goto ssl;
	if ((dlen = i2d_X509_REQ(req, &der)) <= 0)
		goto ssl;
	out = b64url_encode(der, (size_t)dlen);
	goto out;
ssl:
	err_ssl(e, "cannot make the CSR for %s", names[0]);
out:
	OPENSSL_free(der);
	X509_EXTENSION_free(ext);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	GENERAL_NAMES_free(gens);
	X509_NAME_free(subj);
	X509_REQ_free(req);
	return out;
}
