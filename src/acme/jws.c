/*
 * jws.c - the flattened JWS of every signed ACME request (RFC 8555 6.2,
 * RFC 7515), signed by the key module (see acme.h).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "acme/acme.h"
#include "acme/key.h"
#include "base/encode.h"
#include "base/err.h"
#include "base/mem.h"

char *
acme_jws(const struct key *k, const char *kid, const char *nonce,
    const char *url, const char *payload, struct err *e)
{
	cJSON *prot = cJSON_CreateObject(), *jws = NULL;
	char *ptext = NULL, *p64 = NULL, *pl64 = NULL, *sig = NULL;
	char *input = NULL, *out = NULL;

	cJSON_AddStringToObject(prot, "alg", key_jws_alg(k));
	if (kid != NULL) {
		cJSON_AddStringToObject(prot, "kid", kid);
	} else {
		cJSON *jwk = key_jwk(k);

		if (jwk == NULL) {
			err_ssl(e, "cannot read the account public key");
			goto out;
		}
		cJSON_AddItemToObject(prot, "jwk", jwk);
	}
	if (nonce != NULL)
		cJSON_AddStringToObject(prot, "nonce", nonce);
	cJSON_AddStringToObject(prot, "url", url);
	ptext = cJSON_PrintUnformatted(prot);
	p64 = b64url_encode((const unsigned char *)ptext, strlen(ptext));
	pl64 = b64url_encode((const unsigned char *)payload, strlen(payload));
	input = xasprintf("%s.%s", p64, pl64);
	if ((sig = key_sign_b64url(k, input, strlen(input), e)) == NULL)
		goto out;
	jws = cJSON_CreateObject();
	cJSON_AddStringToObject(jws, "protected", p64);
	cJSON_AddStringToObject(jws, "payload", pl64);
	cJSON_AddStringToObject(jws, "signature", sig);
	out = cJSON_PrintUnformatted(jws);
out:
	cJSON_Delete(prot);
	cJSON_Delete(jws);
	cJSON_free(ptext);
	FREE_ALL(p64, pl64, input, sig);
	return out;
}
