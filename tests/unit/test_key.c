/*
 * test_key.c - acme/key.c: generating, writing and reading keys of every
 * type, thumbprints (RFC 7638), JWS signatures and CSRs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/key.h"
#include "base/err.h"
#include "base/mem.h"
#include "tap.h"

static void
test_keys(void)
{
	static const int types[] = { KEY_EC_P256, KEY_EC_P384, KEY_RSA_2048 };

	for (size_t ti = 0; ti < 3; ti++) {
		int t = types[ti];
		struct err e;
		struct key *k = key_generate(t, &e), *k2;
		char *pem, *th, *th2, *sig;
		char *names[] = { "a.example.com", "b.example.com", NULL };

		ok(k != NULL, "generate %s", key_type_names[t]);
		if (k == NULL)
			continue;
		is_int(key_type_of(k), t, "type of %s", key_type_names[t]);
		pem = key_to_pem(k, &e);
		ok(pem != NULL && strstr(pem, "BEGIN PRIVATE KEY") != NULL,
		    "%s: PKCS#8 PEM", key_type_names[t]);
		k2 = key_load_pem(pem, strlen(pem), "test", &e);
		th = key_thumbprint(k, &e);
		th2 = k2 ? key_thumbprint(k2, &e) : NULL;
		is_str(th2, th, "%s: reloaded key has the same thumbprint",
		    key_type_names[t]);
		ok(th != NULL && strlen(th) == 43, "thumbprint is 43 chars");
		sig = key_sign_b64url(k, "abc", 3, &e);
		size_t want = t == KEY_EC_P256 ? 86 : t == KEY_EC_P384 ? 128 :
		    0;
		if (want)
			is_int(sig ? strlen(sig) : 0, want,
			    "%s: raw r||s signature", key_type_names[t]);
		else
			ok(sig != NULL, "%s: RS256 signature",
			    key_type_names[t]);
		char *csr = key_csr_b64url(k, names, &e);
		ok(csr != NULL, "%s: CSR", key_type_names[t]);
		FREE_ALL(csr, sig, th, th2);
		key_pem_free(pem);
		key_free(k);
		key_free(k2);
	}
	/* RFC 7638 section 3.1 example. */
	const char *rsa = "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw\"}";
	char *tp = key_sha256_b64url(rsa, strlen(rsa));
	is_str(tp, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
	    "RFC 7638 example thumbprint");
	free(tp);
}

int
main(void)
{
	test_keys();
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
