/*
 * fuzz_manifest.c - libFuzzer target for the manifest loader: any bytes
 * through manifest_load_buf() must give a manifest or diagnostics, never a
 * crash, a leak or unbounded memory (aliases are refused, nesting and node
 * counts are bounded).
 *
 *   make fuzz && build/fuzz/fuzz_manifest tests/manifests/invalid
 *
 * tests/unit/test_fuzz_manifest.c replays tests/fuzz/corpus/manifest (the
 * example and what fuzzing found) and tests/manifests/invalid, with every
 * truncation of each, under the sanitizers of `make check` (replay.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/str.h"
#include "manifest/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strlist diags;
	struct manifest *m;

	strlist_init(&diags);
	m = manifest_load_buf("fuzz.yaml", "/nonexistent", (const char *)data,
	    size, &diags);
	/* Exactly one of the two: a manifest, or at least one problem. */
	if ((m == NULL) == (diags.n == 0))
		abort();
	if (m != NULL && m->ncerts == 0)
		abort();	/* a valid manifest has certificates */
	manifest_free(m);
	strlist_clear(&diags);
	return 0;
}
