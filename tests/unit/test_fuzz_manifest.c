/*
 * The manifest fuzz target in replay mode (see tests/fuzz/fuzz_manifest.c):
 * the invalid corpus, the example and its truncations, under the sanitizers
 * of `make check`, so the harness cannot rot when clang is absent.
 */
#define FUZZ_REPLAY 1
#include "../fuzz/fuzz_manifest.c"
