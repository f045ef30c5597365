/*
 * fake_key.c - for fuzz_acme only, when built by tests/fuzz/Makefile
 * (FUZZ_FAST_CRYPTO, linked with --allow-multiple-definition so that these
 * replace key.c's): the signatures, the CSR and the thumbprint of the
 * requests are constants. The fake server never checks them, and they
 * cost most of an input's time (OpenSSL), so fuzzing reaches ten times as
 * many answers. The replay in `make check` links the real ones.
 */
#include <stddef.h>

#include "acme/key.h"
#include "base/mem.h"

char *
key_sign_b64url(const struct key *k, const void *data, size_t n,
    struct err *e)
{
	(void)k;
	(void)data;
	(void)n;
	(void)e;
	return xstrdup("c2lnbmF0dXJl");
}

char *
key_thumbprint(const struct key *k, struct err *e)
{
	(void)k;
	(void)e;
	return xstrdup("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

char *
key_csr_b64url(const struct key *k, char *const *names, struct err *e)
{
	(void)k;
	(void)names;
	(void)e;
	return xstrdup("MIIBCjCBsgIBADAbMRkwFwYDVQQDExBtYWlsLmV4YW1wbGUuY29t");
}

/*
 * No sleeping either: the token buckets (a newAccount beyond 5 a second)
 * and the wait helper still compute their waits, but an input that would
 * wait 200 ms for a bucket must not hold the fuzzer for that long (it held
 * fuzz_acme to some 150 inputs a second once the corpus had many).
 */
void
acme_sleep_ms(long long ms)
{
	(void)ms;
}
