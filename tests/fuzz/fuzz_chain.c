/*
 * fuzz_chain.c - libFuzzer target for the certificate download: any bytes
 * through order_split_chain() give a leaf and a chain made of the input's
 * PEM blocks, or one error. The leaf of one input in four then goes
 * through the certificate reader the store uses (certinfo), as a
 * downloaded chain does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acme/order.h"
#include "base/err.h"
#include "store/certinfo.h"
#include "store/store.h"

/* The replay in `make check` reads every leaf. */
#ifndef FUZZ_CERTINFO_ALL
#define FUZZ_CERTINFO_ALL 0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *leaf = NULL, *chain = NULL;
	struct certset set = { 0 };
	struct certinfo info;
	struct err e;

	if (order_split_chain((const char *)data, size, &leaf, &chain, &e) ==
	    -1) {
		if (leaf != NULL || chain != NULL || e.msg[0] == '\0')
			abort();
		return 0;
	}
	/* Both parts come from the input: never longer than it plus the
	   newline added after each block. */
	if (strncmp(leaf, "-----BEGIN CERTIFICATE-----", 27) != 0 ||
	    strlen(leaf) + strlen(chain) > size + size / 52 + 2)
		abort();
	/* One input in four (by size) also reads the leaf as the store
	   would: X.509 parsing costs most of the time, the split is the
	   target. */
	if ((size & 3) == 0 || FUZZ_CERTINFO_ALL) {
		set.cert = leaf;
		set.chain = chain;
		certinfo_read(&set, &info);
		if (info.status == CERTINFO_OK)
			abort();	/* there is no key: never complete */
		certinfo_clear(&info);
	}
	free(leaf);
	free(chain);
	return 0;
}
