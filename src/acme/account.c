/*
 * account.c - the ACME account: key, registration, EAB, update, rollover,
 * deactivation (see account.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "acme/account.h"
#include "acme/acme.h"
#include "acme/key.h"
#include "base/encode.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/secret.h"
#include "base/str.h"
#include "base/time.h"

#define ACCOUNT_KEY	"key.pem"
#define ACCOUNT_KEY_NEXT "key.pem.next"
#define ACCOUNT_URL	"url"

char *
account_blob(const char *dir_url, const char *file)
{
	char *host = acme_dir_host(dir_url);
	char *b = xasprintf("accounts/%s/%s", host, file);

	free(host);
	return b;
}

/* Loads the account key, or makes one of type t (0600) when there is none. */
static struct key *
key_load_or_make(const struct account_store *s, const char *dir_url,
    enum key_type t, int *made, struct err *e)
{
	char *blob = account_blob(dir_url, ACCOUNT_KEY), *pem = NULL;
	size_t len = 0;
	struct key *k = NULL;
	int r;

	*made = 0;
	if ((r = s->get(s->arg, blob, &pem, &len, e)) == -1)
		goto out;
	if (r == 1) {
		k = key_load_pem(pem, len, blob, e);
		goto out;
	}
	if ((k = key_generate(t, e)) == NULL)
		goto out;
	if ((pem = key_to_pem(k, e)) == NULL ||
	    s->put(s->arg, blob, pem, strlen(pem), e) == -1) {
		key_free(k);
		k = NULL;
		goto out;
	}
	*made = 1;
out:
	key_pem_free(pem);
	free(blob);
	return k;
}

/* The EAB JWS (RFC 8555 7.3.4): HS256 over the account JWK. */
static cJSON *
eab_jws(const struct acme_conf *cfg, const struct key *k, const char *url,
    struct err *e)
{
	char *raw = NULL, *p64 = NULL, *pl64 = NULL, *ptext = NULL;
	char *jtext = NULL, *input = NULL, *sig = NULL;
	unsigned char *secret = NULL;
	size_t rlen = 0, slen = 0;
	cJSON *prot = NULL, *jwk = NULL, *out = NULL;

	if ((raw = secret_read_file("acme.eab.hmac_key_file",
	    cfg->eab_hmac_key_file, 4096, &rlen, e)) == NULL)
		goto out;
	/* base64url as CAs hand it out; tolerate padding, +/ and spaces. */
	size_t j = 0;
	for (size_t i = 0; i < rlen; i++) {
		char c = raw[i];

		if (isspace((unsigned char)c) || c == '=')
			continue;
		raw[j++] = c == '+' ? '-' : c == '/' ? '_' : c;
	}
	raw[j] = '\0';
	if (j == 0 || (secret = b64url_decode(raw, &slen)) == NULL ||
	    slen == 0) {
		err_set(e, "%s: not a base64url HMAC key",
		    cfg->eab_hmac_key_file);
		goto out;
	}
	prot = cJSON_CreateObject();
	cJSON_AddStringToObject(prot, "alg", "HS256");
	cJSON_AddStringToObject(prot, "kid", cfg->eab_kid);
	cJSON_AddStringToObject(prot, "url", url);
	ptext = cJSON_PrintUnformatted(prot);
	jwk = key_jwk(k);
	jtext = cJSON_PrintUnformatted(jwk);
	p64 = b64url_encode((unsigned char *)ptext, strlen(ptext));
	pl64 = b64url_encode((unsigned char *)jtext, strlen(jtext));
	input = xasprintf("%s.%s", p64, pl64);
	if ((sig = key_hmac_b64url(secret, slen, input, strlen(input), e)) ==
	    NULL)
		goto out;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "protected", p64);
	cJSON_AddStringToObject(out, "payload", pl64);
	cJSON_AddStringToObject(out, "signature", sig);
out:
	secret_free(raw, rlen);
	if (secret != NULL)
		OPENSSL_clear_free(secret, slen);
	free(p64);
	free(pl64);
	cJSON_free(ptext);
	cJSON_free(jtext);
	free(input);
	free(sig);
	cJSON_Delete(prot);
	cJSON_Delete(jwk);
	return out;
}

static cJSON *
contact_array(char *const *contact)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; contact != NULL && contact[i] != NULL; i++) {
		char *m = xasprintf("mailto:%s", contact[i]);

		cJSON_AddItemToArray(arr, cJSON_CreateString(m));
		free(m);
	}
	return arr;
}

/*
 * newAccount: registers (only_existing 0) or finds (1) the account of
 * the key. Returns ACME_OK with *url when found or made (*url stays NULL
 * when only_existing and the CA does not know the key), else the
 * failure.
 */
static enum acme_result
new_account(struct acme *a, const struct acme_dir *d,
    const struct acme_conf *cfg, int only_existing, char **url,
    struct err *e)
{
	cJSON *p = cJSON_CreateObject();
	struct http_resp r;
	enum acme_result rc = ACME_PROTOCOL;
	char *t = NULL;

	http_resp_init(&r);
	if (only_existing) {
		cJSON_AddBoolToObject(p, "onlyReturnExisting", 1);
	} else {
		cJSON_AddBoolToObject(p, "termsOfServiceAgreed", 1);
		if (cfg->contact != NULL && cfg->contact[0] != NULL)
			cJSON_AddItemToObject(p, "contact",
			    contact_array(cfg->contact));
		if (cfg->eab_kid != NULL) {
			cJSON *eab = eab_jws(cfg, acme_key(a), d->new_account,
			    e);

			if (eab == NULL)
				goto out;
			cJSON_AddItemToObject(p, "externalAccountBinding", eab);
		} else if (d->eab_required) {
			rc = ACME_BAD_INPUT;
			err_set(e, "%s requires External Account Binding: set "
			    "acme.eab {kid, hmac_key_file} from your CA",
			    d->url);
			goto out;
		}
	}
	if ((rc = acme_post(a, d->new_account, p, ACME_SIGN_JWK, &r, e)) !=
	    ACME_OK) {
		t = acme_answer_type(&r);
		if (only_existing && t != NULL &&
		    strcmp(t, ACME_URN "accountDoesNotExist") == 0) {
			rc = ACME_OK;
			goto out;
		}
		err_prefix(e, only_existing ? "finding the ACME account" :
		    "registering an ACME account");
		goto out;
	}
	if (r.location == NULL) {
		rc = ACME_PROTOCOL;
		err_set(e, "%s: no Location for the account", d->new_account);
		goto out;
	}
	*url = xstrdup(r.location);
out:
	free(t);
	cJSON_Delete(p);
	http_resp_clear(&r);
	return rc;
}

enum acme_result
account_open(struct acme *a, const struct account_store *s,
    const struct acme_conf *cfg, int may_register, struct key **keyp,
    struct err *e)
{
	const struct acme_dir *d;
	struct key *k = NULL;
	char *ublob = account_blob(cfg->directory, ACCOUNT_URL);
	char *url = NULL;
	size_t len = 0;
	enum acme_result rc = ACME_PROTOCOL;
	int made = 0, r;

	*keyp = NULL;
	if ((k = key_load_or_make(s, cfg->directory, cfg->account_key,
	    &made, e)) == NULL)
		goto out;
	acme_set_account(a, k, NULL);
	if ((r = s->get(s->arg, ublob, &url, &len, e)) == -1)
		goto out;
	if (r == 1) {
		/* Trim the newline a person may have added. */
		while (len > 0 && isspace((unsigned char)url[len - 1]))
			url[--len] = '\0';
		if (len > 0) {
			acme_set_account(a, k, url);
			rc = ACME_OK;
			goto out;
		}
	}
	if ((rc = acme_directory(a, &d, e)) != ACME_OK)
		goto out;
	free(url);
	url = NULL;
	/* A key just made cannot have an account yet: skip the lookup. */
	if (!made) {
		if ((rc = new_account(a, d, cfg, 1, &url, e)) != ACME_OK)
			goto out;
		if (url != NULL)
			goto found;
	}
	if (!may_register) {
		rc = ACME_BAD_INPUT;
		err_set(e, "no ACME account at %s yet (run `certkeep account "
		    "register` or `certkeep apply`)", d->url);
		goto out;
	}
	if (!cfg->terms_accepted) {
		char *t = str_escape(d->terms != NULL ? d->terms :
		    "none published");

		err_set(e, "acme.terms_accepted must be true to register an "
		    "account (terms: %s)", t);
		free(t);
		rc = ACME_NEED_TERMS;
		goto out;
	}
	if ((rc = new_account(a, d, cfg, 0, &url, e)) != ACME_OK)
		goto out;
found:
	rc = ACME_PROTOCOL;
	if (s->put(s->arg, ublob, url, strlen(url), e) == -1)
		goto out;
	acme_set_account(a, k, url);
	rc = ACME_OK;
out:
	if (rc == ACME_OK) {
		*keyp = k;
		k = NULL;
	} else {
		acme_set_account(a, NULL, NULL);
	}
	key_free(k);
	free(url);
	free(ublob);
	return rc;
}

enum acme_result
account_fetch(struct acme *a, cJSON **out, struct err *e)
{
	struct http_resp r;
	enum acme_result rc;
	cJSON *o = NULL;

	*out = NULL;
	http_resp_init(&r);
	if ((rc = acme_post(a, acme_kid(a), NULL, ACME_SIGN_KID, &r, e)) !=
	    ACME_OK) {
		err_prefix(e, "reading the ACME account");
		goto out;
	}
	o = cJSON_ParseWithLength(r.body, r.len);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		rc = ACME_PROTOCOL;
		err_set(e, "%s: the account is not a JSON object", acme_kid(a));
		goto out;
	}
	*out = o;
out:
	http_resp_clear(&r);
	return rc;
}

enum acme_result
account_update(struct acme *a, char *const *contact, struct err *e)
{
	cJSON *p = cJSON_CreateObject();
	struct http_resp r;
	enum acme_result rc;

	http_resp_init(&r);
	cJSON_AddItemToObject(p, "contact", contact_array(contact));
	if ((rc = acme_post(a, acme_kid(a), p, ACME_SIGN_KID, &r, e)) !=
	    ACME_OK)
		err_prefix(e, "updating the ACME account");
	cJSON_Delete(p);
	http_resp_clear(&r);
	return rc;
}

enum acme_result
account_rollover(struct acme *a, const struct account_store *s,
    const char *dir_url, enum key_type t, struct key **keyp, struct err *e)
{
	const struct acme_dir *d;
	struct key *nk = NULL;
	char *pem = NULL, *inner = NULL;
	char *kblob = account_blob(dir_url, ACCOUNT_KEY);
	char *nblob = account_blob(dir_url, ACCOUNT_KEY_NEXT);
	cJSON *payload = NULL, *outer = NULL;
	struct http_resp r;
	enum acme_result rc;

	http_resp_init(&r);
	if ((rc = acme_directory(a, &d, e)) != ACME_OK)
		goto out;
	rc = ACME_PROTOCOL;
	if (d->key_change == NULL) {
		err_set(e, "%s offers no keyChange", d->url);
		goto out;
	}
	if ((nk = key_generate(t, e)) == NULL ||
	    (pem = key_to_pem(nk, e)) == NULL)
		goto out;
	/* Kept first, so a crash after the CA switched keys loses nothing. */
	if (s->put(s->arg, nblob, pem, strlen(pem), e) == -1)
		goto out;
	/* RFC 8555 7.3.5: inner JWS by the new key (jwk, no nonce). */
	payload = cJSON_CreateObject();
	cJSON_AddStringToObject(payload, "account", acme_kid(a));
	cJSON_AddItemToObject(payload, "oldKey", key_jwk(*keyp));
	char *ptext = cJSON_PrintUnformatted(payload);
	inner = acme_jws(nk, NULL, NULL, d->key_change, ptext, e);
	cJSON_free(ptext);
	if (inner == NULL || (outer = cJSON_Parse(inner)) == NULL)
		goto out;
	if ((rc = acme_post(a, d->key_change, outer, ACME_SIGN_KID, &r,
	    e)) != ACME_OK) {
		err_prefix(e, "account key rollover");
		s->del(s->arg, nblob, NULL);
		goto out;
	}
	if (s->put(s->arg, kblob, pem, strlen(pem), e) == -1) {
		rc = ACME_PROTOCOL;
		err_prefix(e, "the CA switched to the new key, kept in %s",
		    nblob);
		goto out;
	}
	s->del(s->arg, nblob, NULL);
	acme_set_account(a, nk, acme_kid(a));
	key_free(*keyp);
	*keyp = nk;
	nk = NULL;
out:
	key_free(nk);
	key_pem_free(pem);
	FREE_ALL(inner, kblob, nblob);
	cJSON_Delete(payload);
	cJSON_Delete(outer);
	http_resp_clear(&r);
	return rc;
}

enum acme_result
account_deactivate(struct acme *a, const struct account_store *s,
    const char *dir_url, struct err *e)
{
	cJSON *p = cJSON_CreateObject();
	struct http_resp r;
	char *ublob = account_blob(dir_url, ACCOUNT_URL);
	char *kblob = account_blob(dir_url, ACCOUNT_KEY);
	char *old = NULL, *oblob = NULL, *data = NULL;
	size_t len = 0;
	enum acme_result rc;

	http_resp_init(&r);
	cJSON_AddStringToObject(p, "status", "deactivated");
	if ((rc = acme_post(a, acme_kid(a), p, ACME_SIGN_KID, &r, e)) !=
	    ACME_OK) {
		err_prefix(e, "deactivating the ACME account");
		goto out;
	}
	rc = ACME_PROTOCOL;
	/* Keep the old key and URL aside (never reusable), start afresh. */
	char ts[32];
	time_format_rfc3339(now_wall(), ts, sizeof(ts));
	for (char *q = ts; *q; q++)
		if (*q == ':')
			*q = '-';
	old = xasprintf("deactivated-%s", ts);
	if (s->get(s->arg, kblob, &data, &len, e) == 1) {
		oblob = account_blob(dir_url, old);
		char *kb = xasprintf("%s/key.pem", oblob);
		if (s->put(s->arg, kb, data, len, e) == -1) {
			free(kb);
			goto out;
		}
		free(kb);
		kb = xasprintf("%s/url", oblob);
		s->put(s->arg, kb, acme_kid(a), strlen(acme_kid(a)), NULL);
		free(kb);
	}
	if (s->del(s->arg, ublob, e) == -1 || s->del(s->arg, kblob, e) == -1)
		goto out;
	rc = ACME_OK;
out:
	OPENSSL_clear_free(data, len);
	FREE_ALL(old, oblob, ublob, kblob);
	cJSON_Delete(p);
	http_resp_clear(&r);
	return rc;
}
