/*
 * certinfo.c - reads a certificate set with OpenSSL: validity, SANs,
 * issuer, serial, key type, whether key and chain belong to the leaf.
 * Every problem becomes a status; nothing here fails on bad input.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cjson/cJSON.h>

#include "acme/key.h"
#include "base/encode.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/certinfo.h"
#include "store/store.h"

const char *const certinfo_status_names[CERTINFO__MAX] = {
	"ok", "missing", "corrupt-cert", "missing-key", "corrupt-key",
	"key-mismatch", "corrupt-chain",
};

/* Most certificates a chain file may hold before we call it garbage. */
#define CHAIN_MAX	16

void
certinfo_clear(struct certinfo *info)
{
	if (info == NULL)
		return;
	free(info->problem);
	strv_free(info->sans);
	FREE_ALL(info->issuer, info->issuer_cn, info->serial, info->ari_id,
	    info->warning);
	memset(info, 0, sizeof(*info));
	info->key_type = -1;
}

char *
certinfo_ari_id(const unsigned char *aki, size_t akilen,
    const unsigned char *serial, size_t n)
{
	char *a, *b, *id;

	a = b64url_encode(aki, akilen);
	b = b64url_encode(serial, n);
	id = xasprintf("%s.%s", a, b);
	free(a);
	free(b);
	return id;
}

/* Never prompt on a terminal for an encrypted key: it is just corrupt. */
static int
no_passphrase(char *buf, int size, int rw, void *u)
{
	(void)buf;
	(void)size;
	(void)rw;
	(void)u;
	return 0;
}

static X509 *
pem_first_cert(const char *pem)
{
	BIO *bio;
	X509 *x;

	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	return x;
}

static int
asn1_to_time(const ASN1_TIME *a, time_t *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (a == NULL || ASN1_TIME_to_tm(a, &tm) != 1)
		return -1;
	*t = timegm(&tm);
	return 0;
}

static void
read_sans(X509 *x, struct certinfo *info)
{
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	struct strlist l;
	const unsigned char *d;
	char *s;
	int i, len;

	strlist_init(&l);
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS)
			continue;
		d = ASN1_STRING_get0_data(g->d.dNSName);
		len = ASN1_STRING_length(g->d.dNSName);
		if (len <= 0 || memchr(d, '\0', (size_t)len) != NULL)
			continue;	/* a NUL inside is an attack, not a name */
		s = xstrndup((const char *)d, (size_t)len);
		str_lower(s);
		if (!strlist_contains(&l, s))
			strlist_add(&l, s);
		free(s);
	}
	GENERAL_NAMES_free(gens);
	info->sans = l.v != NULL ? l.v : xcalloc(1, sizeof(char *));
	info->nsans = l.n;
}

static void
read_issuer(X509 *x, struct certinfo *info)
{
	const X509_NAME *name = X509_get_issuer_name(x);
	const X509_NAME_ENTRY *ent;
	unsigned char *utf8 = NULL;
	BIO *bio;
	char *p;
	long n;
	int i;

	if ((bio = BIO_new(BIO_s_mem())) != NULL) {
		if (X509_NAME_print_ex(bio, name, 0,
		    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
			n = BIO_get_mem_data(bio, &p);
			info->issuer = xstrndup(p, n > 0 ? (size_t)n : 0);
		}
		BIO_free(bio);
	}
	i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (i >= 0 && (ent = X509_NAME_get_entry(name, i)) != NULL &&
	    (n = ASN1_STRING_to_UTF8(&utf8,
	    X509_NAME_ENTRY_get_data(ent))) >= 0) {
		info->issuer_cn = xstrndup((const char *)utf8, (size_t)n);
		OPENSSL_free(utf8);
	}
}

/* Serial as hex, and the ARI certID when the AKI is there. */
static void
read_serial(X509 *x, struct certinfo *info)
{
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	const ASN1_OCTET_STRING *aki;
	unsigned char *der = NULL;
	BIGNUM *bn;
	char *hex;
	int n;

	if ((bn = ASN1_INTEGER_to_BN(sn, NULL)) == NULL)
		return;
	if ((hex = BN_bn2hex(bn)) != NULL) {
		info->serial = xstrdup(hex[0] == '-' ? hex + 1 : hex);
		OPENSSL_free(hex);
	}
	aki = X509_get0_authority_key_id(x);
	if (aki != NULL && !BN_is_negative(bn)) {
		/* DER content octets: big-endian, 0x00 first when the top
		   bit would read as a sign. */
		n = BN_num_bytes(bn);
		der = xcalloc(1, (size_t)n + 2);
		if (n == 0) {
			n = 1;
		} else {
			BN_bn2bin(bn, der + 1);
			if (der[1] & 0x80)
				n++;
			else
				memmove(der, der + 1, (size_t)n);
		}
		info->ari_id = certinfo_ari_id(ASN1_STRING_get0_data(aki),
		    (size_t)ASN1_STRING_length(aki), der, (size_t)n);
		free(der);
	}
	BN_free(bn);
}

static void
read_key_type(X509 *x, struct certinfo *info)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	char group[64];
	size_t glen = 0;

	info->key_type = -1;
	if (pk == NULL)
		return;
	info->key_bits = EVP_PKEY_get_bits(pk);
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		if (info->key_bits == 2048)
			info->key_type = KEY_RSA_2048;
		else if (info->key_bits == 3072)
			info->key_type = KEY_RSA_3072;
		else if (info->key_bits == 4096)
			info->key_type = KEY_RSA_4096;
		break;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(pk,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		    &glen) != 1)
			break;
		if (strcmp(group, "prime256v1") == 0 ||
		    strcmp(group, "P-256") == 0)
			info->key_type = KEY_EC_P256;
		else if (strcmp(group, "secp384r1") == 0 ||
		    strcmp(group, "P-384") == 0)
			info->key_type = KEY_EC_P384;
		break;
	default:
		break;
	}
}

static void
set_status(struct certinfo *info, enum certinfo_status st, const char *text)
{
	info->status = st;
	free(info->problem);
	info->problem = xstrdup(text);
}

/* Checks that chain starts with the leaf's issuer and links up. */
static void
check_chain(X509 *leaf, const char *pem, struct certinfo *info)
{
	X509 *certs[CHAIN_MAX];
	X509 *x;
	BIO *bio;
	EVP_PKEY *pk;
	unsigned long err;
	int n = 0, i;
	char *msg = NULL;

	if (pem == NULL) {
		set_status(info, CERTINFO_CORRUPT_CHAIN, STORE_CHAIN
		    " is missing");
		return;
	}
	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return;
	ERR_clear_error();
	while (n < CHAIN_MAX && (x = PEM_read_bio_X509(bio, NULL,
	    no_passphrase, NULL)) != NULL)
		certs[n++] = x;
	err = ERR_peek_last_error();
	BIO_free(bio);
	if (n == CHAIN_MAX)
		msg = xstrdup(STORE_CHAIN " holds too many certificates");
	else if (err != 0 && !(ERR_GET_LIB(err) == ERR_LIB_PEM &&
	    ERR_GET_REASON(err) == PEM_R_NO_START_LINE))
		msg = xasprintf(STORE_CHAIN " does not parse after %d "
		    "certificate(s)", n);
	else if (n == 0)
		msg = xstrdup(STORE_CHAIN " holds no certificate");
	for (i = 0; msg == NULL && i < n; i++) {
		x = i == 0 ? leaf : certs[i - 1];
		pk = X509_get0_pubkey(certs[i]);
		if (X509_check_issued(certs[i], x) != X509_V_OK ||
		    pk == NULL || X509_verify(x, pk) != 1)
			msg = i == 0 ?
			    xstrdup(STORE_CHAIN " does not start with the "
			    "issuer of " STORE_CERT) :
			    xasprintf(STORE_CHAIN ": certificate %d did not "
			    "issue certificate %d", i + 1, i);
	}
	if (msg != NULL) {
		set_status(info, CERTINFO_CORRUPT_CHAIN, msg);
		free(msg);
	}
	for (i = 0; i < n; i++)
		X509_free(certs[i]);
}

int
certinfo_read(const struct certset *set, struct certinfo *info)
{
	X509 *leaf = NULL;
	EVP_PKEY *key = NULL;
	BIO *bio;

	memset(info, 0, sizeof(*info));
	info->key_type = -1;
	if (set == NULL || set->cert == NULL) {
		set_status(info, CERTINFO_MISSING, "no " STORE_CERT);
		goto out;
	}
	if ((leaf = pem_first_cert(set->cert)) == NULL) {
		set_status(info, CERTINFO_CORRUPT_CERT, STORE_CERT
		    " does not hold a PEM certificate");
		goto out;
	}
	if (asn1_to_time(X509_get0_notBefore(leaf), &info->not_before) ==
	    -1 || asn1_to_time(X509_get0_notAfter(leaf), &info->not_after) ==
	    -1) {
		set_status(info, CERTINFO_CORRUPT_CERT, STORE_CERT
		    " has an unreadable validity period");
		goto out;
	}
	read_sans(leaf, info);
	read_issuer(leaf, info);
	read_serial(leaf, info);
	read_key_type(leaf, info);

	if (set->key == NULL) {
		set_status(info, CERTINFO_MISSING_KEY, STORE_KEY " is missing");
		goto out;
	}
	if ((bio = BIO_new_mem_buf(set->key, -1)) != NULL) {
		key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
		BIO_free(bio);
	}
	if (key == NULL) {
		set_status(info, CERTINFO_CORRUPT_KEY, STORE_KEY
		    " does not hold an unencrypted PEM private key");
		goto out;
	}
	certinfo_key_mode_warn(info, set->key_mode);
	if (X509_check_private_key(leaf, key) != 1) {
		set_status(info, CERTINFO_KEY_MISMATCH, STORE_KEY
		    " is not the key of " STORE_CERT);
		goto out;
	}
	check_chain(leaf, set->chain, info);
out:
	EVP_PKEY_free(key);
	X509_free(leaf);
	ERR_clear_error();
	return 0;
}

void
certinfo_key_mode_warn(struct certinfo *info, unsigned int mode)
{
	if ((mode & 077) == 0)
		return;
	free(info->warning);
	info->warning = xasprintf(STORE_KEY " is readable by group or others "
	    "(mode %04o); it should be 0600", mode);
}

#define RECORD_VERSION	1
/* The files whose content certinfo_read() looks at. */
static const enum store_file record_files[] = {
	STORE_F_CERT, STORE_F_CHAIN, STORE_F_KEY,
};
#define NRECORD_FILES	(sizeof(record_files) / sizeof(record_files[0]))

/* Appends v in decimal at p, returns the end; minus first when neg. */
static char *
fileid_num(char *p, unsigned long long v, int neg)
{
	char tmp[24];
	size_t k = sizeof(tmp);

	do
		tmp[--k] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	if (neg)
		*p++ = '-';
	memcpy(p, tmp + k, sizeof(tmp) - k);
	return p + (sizeof(tmp) - k);
}

static char *
fileid_snum(char *p, long long v)
{
	return fileid_num(p, v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v, v < 0);
}

/* "dev:ino:size:mtime_ns:ctime_ns"; out holds at least 128 bytes. Made
   for every certificate of every run, so without printf. */
static void
fileid_format(const struct store_fileid *f, char *out, size_t outsz)
{
	char *p = out;

	if (outsz < 128)
		abort();
	p = fileid_num(p, f->dev, 0);
	*p++ = ':';
	p = fileid_num(p, f->ino, 0);
	*p++ = ':';
	p = fileid_snum(p, f->size);
	*p++ = ':';
	p = fileid_snum(p, f->mtime_ns);
	*p++ = ':';
	p = fileid_snum(p, f->ctime_ns);
	*p = '\0';
}

cJSON *
certinfo_record_to_json(const struct certinfo *info,
    const struct store_setid *id)
{
	cJSON *o, *files, *a;
	char buf[128];
	size_t i;

	if (info->status != CERTINFO_OK || info->serial == NULL ||
	    info->issuer == NULL || info->sans == NULL)
		return NULL;
	for (i = 0; i < NRECORD_FILES; i++)
		if (!id->f[record_files[i]].present)
			return NULL;
	if ((o = cJSON_CreateObject()) == NULL)
		abort();
	cJSON_AddNumberToObject(o, "version", RECORD_VERSION);
	files = cJSON_AddObjectToObject(o, "files");
	for (i = 0; i < NRECORD_FILES; i++) {
		fileid_format(&id->f[record_files[i]], buf, sizeof(buf));
		cJSON_AddStringToObject(files,
		    store_file_names[record_files[i]], buf);
	}
	cJSON_AddNumberToObject(o, "not_before", (double)info->not_before);
	cJSON_AddNumberToObject(o, "not_after", (double)info->not_after);
	a = cJSON_AddArrayToObject(o, "sans");
	for (i = 0; info->sans[i] != NULL; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(info->sans[i]));
	cJSON_AddStringToObject(o, "issuer", info->issuer);
	json_add_str(o, "issuer_cn", info->issuer_cn);
	cJSON_AddStringToObject(o, "serial", info->serial);
	cJSON_AddNumberToObject(o, "key_type", info->key_type);
	cJSON_AddNumberToObject(o, "key_bits", info->key_bits);
	json_add_str(o, "ari_id", info->ari_id);
	return o;
}

/* A whole number in [lo, hi] (doubles hold times and small ints exactly). */
static int
rec_num(const cJSON *o, const char *name, double lo, double hi, double *v)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(j) || j->valuedouble < lo || j->valuedouble > hi ||
	    j->valuedouble != (double)(long long)j->valuedouble)
		return -1;
	*v = j->valuedouble;
	return 0;
}

/* A string member (NULL when absent and optional); -1 when of wrong type. */
static int
rec_str(const cJSON *o, const char *name, int optional, char **out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);

	*out = NULL;
	if ((j == NULL || cJSON_IsNull(j)) && optional)
		return 0;
	if (!cJSON_IsString(j) || j->valuestring == NULL)
		return -1;
	*out = xstrdup(j->valuestring);
	return 0;
}

int
certinfo_record_match(const cJSON *rec, const struct store_setid *id,
    struct certinfo *info)
{
	const cJSON *files, *f, *a, *v;
	struct strlist sans;
	char buf[128];
	double d;
	size_t i;

	memset(info, 0, sizeof(*info));
	info->key_type = -1;
	strlist_init(&sans);
	if (!cJSON_IsObject(rec) || rec_num(rec, "version", RECORD_VERSION,
	    RECORD_VERSION, &d) == -1)
		goto stale;
	files = cJSON_GetObjectItemCaseSensitive(rec, "files");
	if (!cJSON_IsObject(files) || cJSON_GetArraySize(files) !=
	    (int)NRECORD_FILES)
		goto stale;
	for (i = 0; i < NRECORD_FILES; i++) {
		if (!id->f[record_files[i]].present)
			goto stale;
		f = cJSON_GetObjectItemCaseSensitive(files,
		    store_file_names[record_files[i]]);
		fileid_format(&id->f[record_files[i]], buf, sizeof(buf));
		if (!cJSON_IsString(f) || strcmp(f->valuestring, buf) != 0)
			goto stale;
	}
	if (rec_num(rec, "not_before", -1e15, 1e15, &d) == -1)
		goto stale;
	info->not_before = (time_t)d;
	if (rec_num(rec, "not_after", -1e15, 1e15, &d) == -1)
		goto stale;
	info->not_after = (time_t)d;
	if (rec_num(rec, "key_type", -1, KEY__MAX - 1, &d) == -1)
		goto stale;
	info->key_type = (int)d;
	if (rec_num(rec, "key_bits", 0, 1 << 20, &d) == -1)
		goto stale;
	info->key_bits = (int)d;
	a = cJSON_GetObjectItemCaseSensitive(rec, "sans");
	if (!cJSON_IsArray(a))
		goto stale;
	cJSON_ArrayForEach(v, a) {
		if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
			goto stale;
		strlist_add(&sans, v->valuestring);
	}
	info->sans = sans.v != NULL ? sans.v : xcalloc(1, sizeof(char *));
	info->nsans = sans.n;
	strlist_init(&sans);
	if (rec_str(rec, "issuer", 0, &info->issuer) == -1 ||
	    rec_str(rec, "issuer_cn", 1, &info->issuer_cn) == -1 ||
	    rec_str(rec, "serial", 0, &info->serial) == -1 ||
	    rec_str(rec, "ari_id", 1, &info->ari_id) == -1)
		goto stale;
	info->status = CERTINFO_OK;
	certinfo_key_mode_warn(info, id->f[STORE_F_KEY].mode);
	return 1;
stale:
	strlist_clear(&sans);
	certinfo_clear(info);
	return 0;
}
