/* test_certinfo.c - the repository reader over sets made with openssl
   (tests/lib/mkcerts.sh) and over garbage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/str.h"
#include "manifest/manifest.h"
#include "store/certinfo.h"
#include "store/store.h"
#include "sets.h"
#include "tap.h"

static char dir[256];
static char *
slurp(const char *sub, const char *file)
{
	char *p, *data;
	struct err e;

	p = xasprintf("%s/%s/%s", dir, sub, file);
	data = file_read(p, 1 << 20, NULL, &e);
	free(p);
	return data;
}

/* Loads the set in dir/sub; members NULL where files are absent. */
static void
load(const char *sub, struct certset *set)
{
	char *p = path_join(dir, sub);

	set_load(p, set);
	free(p);
}

/* Frees *member and puts val (malloced, or NULL) in its place. */
static void
replace(char **member, char *val)
{
	free(*member);
	*member = val;
}

static enum certinfo_status
status_of(struct certset *set, struct certinfo *info)
{
	certinfo_read(set, info);
	return info->status;
}

static void
test_ari_id(void)
{
	/* RFC 9773 section 4.1's example. */
	static const unsigned char aki[] = {
		0x69, 0x88, 0x5B, 0x6B, 0x87, 0x46, 0x40, 0x41, 0xE1, 0xB3,
		0x7B, 0x84, 0x7B, 0xA0, 0xAE, 0x2C, 0xDE, 0x01, 0xC8, 0xD4,
	};
	static const unsigned char serial[] = { 0x00, 0x87, 0x65, 0x43, 0x21 };
	char *id = certinfo_ari_id(aki, sizeof(aki), serial, sizeof(serial));

	is_str(id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", "RFC 9773 certID");
	free(id);
}

/* A identity set as a store read would give it. */
static void
mkid(struct store_setid *id)
{
	int i;

	memset(id, 0, sizeof(*id));
	for (i = 0; i < STORE_F__MAX; i++) {
		id->f[i].present = 1;
		id->f[i].dev = 65024;
		id->f[i].ino = 1000 + (unsigned long long)i;
		id->f[i].size = 500 + i;
		id->f[i].mtime_ns = 1795966226682534747LL + i;
		id->f[i].ctime_ns = 1795966226682534747LL + i;
		id->f[i].mode = i == STORE_F_KEY ? 0600 : 0644;
	}
}

/* How a record or the set's files can differ from what was recorded. */
enum damage {
	DMG_NONE, DMG_INO, DMG_DEV, DMG_SIZE, DMG_MTIME, DMG_CTIME,
	DMG_KEY_GONE, DMG_CHAIN_INO, DMG_VERSION, DMG_NO_FILES,
	DMG_FILE_TYPE, DMG_EXTRA_FILE, DMG_NO_SANS, DMG_SAN_TYPE,
	DMG_NOT_AFTER_STR, DMG_NOT_AFTER_FRAC, DMG_KEY_TYPE_RANGE,
	DMG_NO_SERIAL, DMG_ISSUER_NUM, DMG_NOT_OBJECT,
};
static const struct {
	enum damage d;
	const char *what;
} damages[] = {
	{ DMG_INO, "cert.pem replaced (inode)" },
	{ DMG_DEV, "another device" },
	{ DMG_SIZE, "cert.pem size" },
	{ DMG_MTIME, "cert.pem rewritten in place (mtime)" },
	{ DMG_CTIME, "key.pem touched (ctime)" },
	{ DMG_KEY_GONE, "key.pem gone" },
	{ DMG_CHAIN_INO, "cert_auth.pem replaced" },
	{ DMG_VERSION, "record of another version" },
	{ DMG_NO_FILES, "record without files" },
	{ DMG_FILE_TYPE, "file identity not a string" },
	{ DMG_EXTRA_FILE, "record with a file too many" },
	{ DMG_NO_SANS, "record without sans" },
	{ DMG_SAN_TYPE, "a SAN that is not a string" },
	{ DMG_NOT_AFTER_STR, "not_after a string" },
	{ DMG_NOT_AFTER_FRAC, "not_after not whole" },
	{ DMG_KEY_TYPE_RANGE, "key_type out of range" },
	{ DMG_NO_SERIAL, "record without serial" },
	{ DMG_ISSUER_NUM, "issuer a number" },
	{ DMG_NOT_OBJECT, "record not an object" },
};

/* certinfo_record_*: a record matches only the identities it was made
   from, and a damaged one never matches (the set is read again). */
static void
test_record(const struct certinfo *good)
{
	struct store_setid id, now;
	struct certinfo got;
	cJSON *rec, *r2, *f;
	size_t i;

	mkid(&id);
	rec = certinfo_record_to_json(good, &id);
	ok(rec != NULL, "record of a sound set");
	now = id;
	is_int(certinfo_record_match(rec, &now, &got), 1, "same files: used");
	ok(got.status == CERTINFO_OK && got.not_after == good->not_after &&
	    got.not_before == good->not_before && got.nsans == good->nsans &&
	    strcmp(got.sans[0], good->sans[0]) == 0 &&
	    strcmp(got.serial, good->serial) == 0 &&
	    strcmp(got.issuer, good->issuer) == 0 &&
	    got.key_type == good->key_type && got.key_bits == good->key_bits &&
	    got.ari_id != NULL && strcmp(got.ari_id, good->ari_id) == 0,
	    "record gives back what was read");
	ok(got.warning == NULL, "0600 key: no warning");
	certinfo_clear(&got);
	now.f[STORE_F_KEY].mode = 0640;
	certinfo_record_match(rec, &now, &got);
	ok(got.warning != NULL, "key mode warning made from the live mode");
	certinfo_clear(&got);
	now = id;
	now.f[STORE_F_FULLCHAIN].ino++;
	is_int(certinfo_record_match(rec, &now, &got), 1,
	    "fullchain.pem is not what certinfo reads: still used");
	certinfo_clear(&got);

	for (i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		now = id;
		r2 = cJSON_Duplicate(rec, 1);
		f = cJSON_GetObjectItem(r2, "files");
		switch (damages[i].d) {
		case DMG_INO: now.f[STORE_F_CERT].ino++; break;
		case DMG_DEV: now.f[STORE_F_CHAIN].dev++; break;
		case DMG_SIZE: now.f[STORE_F_CERT].size++; break;
		case DMG_MTIME: now.f[STORE_F_CERT].mtime_ns++; break;
		case DMG_CTIME: now.f[STORE_F_KEY].ctime_ns++; break;
		case DMG_KEY_GONE: now.f[STORE_F_KEY].present = 0; break;
		case DMG_CHAIN_INO: now.f[STORE_F_CHAIN].ino += 7; break;
		case DMG_VERSION:
			cJSON_ReplaceItemInObject(r2, "version",
			    cJSON_CreateNumber(2));
			break;
		case DMG_NO_FILES:
			cJSON_DeleteItemFromObject(r2, "files");
			break;
		case DMG_FILE_TYPE:
			cJSON_ReplaceItemInObject(f, STORE_KEY,
			    cJSON_CreateNumber(1));
			break;
		case DMG_EXTRA_FILE:
			cJSON_AddStringToObject(f, STORE_COMBINED, "1:2:3:4:5");
			break;
		case DMG_NO_SANS: cJSON_DeleteItemFromObject(r2, "sans"); break;
		case DMG_SAN_TYPE:
			cJSON_AddItemToArray(cJSON_GetObjectItem(r2, "sans"),
			    cJSON_CreateNumber(3));
			break;
		case DMG_NOT_AFTER_STR:
			cJSON_ReplaceItemInObject(r2, "not_after",
			    cJSON_CreateString("tomorrow"));
			break;
		case DMG_NOT_AFTER_FRAC:
			cJSON_ReplaceItemInObject(r2, "not_after",
			    cJSON_CreateNumber(1.5));
			break;
		case DMG_KEY_TYPE_RANGE:
			cJSON_ReplaceItemInObject(r2, "key_type",
			    cJSON_CreateNumber(KEY__MAX));
			break;
		case DMG_NO_SERIAL:
			cJSON_DeleteItemFromObject(r2, "serial");
			break;
		case DMG_ISSUER_NUM:
			cJSON_ReplaceItemInObject(r2, "issuer",
			    cJSON_CreateNumber(7));
			break;
		case DMG_NOT_OBJECT:
			cJSON_Delete(r2);
			r2 = cJSON_CreateString("verified");
			break;
		default:
			break;
		}
		is_int(certinfo_record_match(r2, &now, &got), 0, "%s: not used",
		    damages[i].what);
		ok(got.status == CERTINFO_OK && got.sans == NULL &&
		    got.serial == NULL, "%s: nothing filled", damages[i].what);
		certinfo_clear(&got);
		cJSON_Delete(r2);
	}
	is_int(certinfo_record_match(NULL, &id, &got), 0, "no record");
	certinfo_clear(&got);
	cJSON_Delete(rec);

	/* Nothing is recorded of an unsound set or a partial identity. */
	got = *good;
	got.status = CERTINFO_KEY_MISMATCH;
	ok(certinfo_record_to_json(&got, &id) == NULL,
	    "no record of a key mismatch");
	now = id;
	now.f[STORE_F_CHAIN].present = 0;
	ok(certinfo_record_to_json(good, &now) == NULL,
	    "no record without cert_auth.pem's identity");
}

int
main(void)
{
	struct certset set, other;
	struct certinfo info;
	time_t now = time(NULL);
	char *p;

	test_ari_id();
	snprintf(dir, sizeof(dir), "%s/certkeep-ci-XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	if (mkcerts(dir, "mkcerts_ca ca") != 0 ||
	    mkcerts(dir, "mkcerts_leaf ca good ec-p256 10 90 "
	    "Web.Example.com,imap.example.com 0x87654321") != 0 ||
	    mkcerts(dir, "mkcerts_leaf ca rsa rsa-2048 0 30 rsa.example") ||
	    mkcerts(dir, "mkcerts_leaf ca p384 ec-p384 0 30 p384.example") ||
	    mkcerts(dir, "mkcerts_leaf ca ed ed25519 0 30 ed.example") ||
	    mkcerts(dir, "mkcerts_ca ca2") != 0) {
		printf("Bail out! openssl could not make the test certificates\n");
		return 1;
	}

	load("good", &set);
	is_int(status_of(&set, &info), CERTINFO_OK, "valid set is ok");
	ok(info.problem == NULL, "no problem text");
	is_int(info.nsans, 2, "two SANs");
	is_str(info.sans[0], "web.example.com", "SAN lower-cased");
	is_str(info.sans[1], "imap.example.com", "second SAN");
	ok(info.sans[2] == NULL, "SANs NULL-terminated");
	ok(info.not_before > now - 10 * 86400 - 120 &&
	    info.not_before < now - 10 * 86400 + 120, "notBefore 10 days ago");
	is_int(info.not_after - info.not_before, 90 * 86400, "90-day lifetime");
	is_str(info.issuer, "CN=Test Int CA,O=Test", "issuer RFC 2253");
	is_str(info.issuer_cn, "Test Int CA", "issuer CN");
	is_str(info.serial, "87654321", "serial hex");
	is_int(info.key_type, KEY_EC_P256, "ec-p256");
	is_int(info.key_bits, 256, "256 bits");
	ok(info.ari_id != NULL && str_endswith(info.ari_id, ".AIdlQyE"),
	    "ari_id ends with the serial with its 0x00: %s", info.ari_id);
	test_record(&info);
	certinfo_clear(&info);

	set.key_mode = 0644;
	is_int(status_of(&set, &info), CERTINFO_OK, "world-readable key: ok");
	ok(info.warning != NULL && strstr(info.warning, "0644") != NULL,
	    "but warned: %s", info.warning);
	certinfo_clear(&info);
	set.key_mode = 0600;
	certinfo_read(&set, &info);
	ok(info.warning == NULL, "0600 key: no warning");
	certinfo_clear(&info);

	/* Key mismatch: the key of another set. */
	load("rsa", &other);
	replace(&set.key, other.key);
	other.key = NULL;
	is_int(status_of(&set, &info), CERTINFO_KEY_MISMATCH, "key mismatch");
	ok(info.problem != NULL && strstr(info.problem, "key.pem") != NULL,
	    "mismatch says key.pem: %s", info.problem);
	ok(info.nsans == 2, "fields still read on mismatch");
	certinfo_clear(&info);
	certset_clear(&other);
	certset_clear(&set);

	load("good", &set);
	replace(&set.key, NULL);
	is_int(status_of(&set, &info), CERTINFO_MISSING_KEY, "missing key");
	certinfo_clear(&info);
	set.key = xstrdup("-----BEGIN PRIVATE KEY-----\nAAAA\n"
	    "-----END PRIVATE KEY-----\n");
	is_int(status_of(&set, &info), CERTINFO_CORRUPT_KEY, "garbage key");
	certinfo_clear(&info);
	certset_clear(&set);

	/* An encrypted key must not prompt: it is corrupt for us. */
	load("good", &set);
	p = xasprintf("cd '%s' && openssl pkey -in good/key.pem -aes256 "
	    "-passout pass:x -out good/enc.pem", dir);
	ok(system(p) == 0, "made an encrypted key");
	free(p);
	replace(&set.key, slurp("good", "enc.pem"));
	is_int(status_of(&set, &info), CERTINFO_CORRUPT_KEY,
	    "encrypted key is corrupt, no prompt");
	certinfo_clear(&info);
	certset_clear(&set);

	load("good", &set);
	replace(&set.chain, NULL);
	is_int(status_of(&set, &info), CERTINFO_CORRUPT_CHAIN, "missing chain");
	ok(strstr(info.problem, "missing") != NULL, "says missing: %s",
	    info.problem);
	certinfo_clear(&info);
	set.chain = xstrdup("");
	is_int(status_of(&set, &info), CERTINFO_CORRUPT_CHAIN, "empty chain");
	certinfo_clear(&info);
	replace(&set.chain, slurp("ca2", "int.pem"));
	is_int(status_of(&set, &info), CERTINFO_CORRUPT_CHAIN,
	    "chain of another CA");
	ok(strstr(info.problem, "issuer") != NULL, "says issuer: %s",
	    info.problem);
	certinfo_clear(&info);
	free(set.chain);
	p = slurp("ca", "int.pem");
	set.chain = xasprintf("%s%s", p, "garbage\n-----BEGIN CERTIFICATE-----"
	    "\nnot base64 !!\n-----END CERTIFICATE-----\n");
	free(p);
	is_int(status_of(&set, &info), CERTINFO_CORRUPT_CHAIN,
	    "garbage after the intermediate");
	certinfo_clear(&info);
	replace(&set.chain, slurp("ca", "root.pem"));
	p = slurp("ca", "int.pem");
	set.chain = xrealloc(set.chain, strlen(set.chain) + strlen(p) + 1);
	memmove(set.chain + strlen(p), set.chain, strlen(set.chain) + 1);
	memcpy(set.chain, p, strlen(p));
	free(p);
	is_int(status_of(&set, &info), CERTINFO_OK, "int + root chains");
	certinfo_clear(&info);
	free(set.chain);
	p = slurp("ca2", "root.pem");
	set.chain = slurp("ca", "int.pem");
	set.chain = xrealloc(set.chain, strlen(set.chain) + strlen(p) + 1);
	strcat(set.chain, p);
	free(p);
	is_int(status_of(&set, &info), CERTINFO_CORRUPT_CHAIN,
	    "second chain link from another CA");
	certinfo_clear(&info);
	certset_clear(&set);

	/* Garbage where the certificate should be. */
	memset(&set, 0, sizeof(set));
	set.cert = xstrdup("this is not a certificate\n\x01\x02\xff");
	is_int(status_of(&set, &info), CERTINFO_CORRUPT_CERT, "garbage cert");
	ok(info.sans == NULL && info.not_after == 0, "nothing filled");
	certinfo_clear(&info);
	replace(&set.cert, xstrdup("-----BEGIN CERTIFICATE-----\n"
	    "MIIBkTCB+wIJAK\n-----END CERTIFICATE-----\n"));
	is_int(status_of(&set, &info), CERTINFO_CORRUPT_CERT,
	    "truncated DER");
	certinfo_clear(&info);
	replace(&set.cert, xstrdup(""));
	is_int(status_of(&set, &info), CERTINFO_CORRUPT_CERT, "empty cert");
	certinfo_clear(&info);
	certset_clear(&set);
	is_int(status_of(NULL, &info), CERTINFO_MISSING, "no set: missing");
	certinfo_clear(&info);
	memset(&set, 0, sizeof(set));
	is_int(status_of(&set, &info), CERTINFO_MISSING, "no cert: missing");
	certinfo_clear(&info);

	load("rsa", &set);
	is_int(status_of(&set, &info), CERTINFO_OK, "rsa set ok");
	is_int(info.key_type, KEY_RSA_2048, "rsa-2048");
	is_int(info.key_bits, 2048, "2048 bits");
	certinfo_clear(&info);
	certset_clear(&set);
	load("p384", &set);
	certinfo_read(&set, &info);
	is_int(info.key_type, KEY_EC_P384, "ec-p384");
	certinfo_clear(&info);
	certset_clear(&set);
	load("ed", &set);
	is_int(status_of(&set, &info), CERTINFO_OK, "ed25519 set ok");
	is_int(info.key_type, -1, "ed25519 is no manifest key type");
	certinfo_clear(&info);
	certset_clear(&set);

	/* Mutated PEM never crashes the reader (ASan watches). */
	{
		char *orig[3];
		char **m[3];
		int k, r, crashes = 0;

		load("good", &set);
		orig[0] = xstrdup(set.cert);
		orig[1] = xstrdup(set.key);
		orig[2] = xstrdup(set.chain);
		m[0] = &set.cert;
		m[1] = &set.key;
		m[2] = &set.chain;
		srand(42);
		for (r = 0; r < 300; r++) {
			for (k = 0; k < 3; k++) {
				size_t len = strlen(orig[k]), pos;
				int flips = 1 + rand() % 4;
				free(*m[k]);
				*m[k] = xstrdup(orig[k]);
				/* Cut at random sometimes. */
				if (rand() % 5 == 0)
					(*m[k])[rand() % len] = '\0';
				while (flips-- > 0 && strlen(*m[k]) > 0) {
					pos = (size_t)rand() % strlen(*m[k]);
					(*m[k])[pos] = "AZaz09+/=\n-x"[rand() % 13];
				}
			}
			if (certinfo_read(&set, &info) != 0)
				crashes++;
			certinfo_clear(&info);
		}
		ok(crashes == 0, "300 mutated sets read without failure");
		for (k = 0; k < 3; k++)
			free(orig[k]);
		certset_clear(&set);
	}

	is_str(certinfo_status_names[CERTINFO_KEY_MISMATCH], "key-mismatch",
	    "status names");
	p = xasprintf("rm -rf '%s'", dir);
	if (system(p) != 0)
		printf("# could not remove %s\n", dir);
	free(p);
	return tap_done();
}
