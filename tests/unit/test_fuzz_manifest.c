/*
 * The manifest fuzz target (tests/fuzz/fuzz_manifest.c), replayed over its
 * corpus and the invalid manifests, each also cut every 89 bytes, under
 * the sanitizers of `make check`: one TAP line per file; a crash or a
 * sanitizer report fails the test (tests/fuzz/replay.c).
 */
#define FUZZ_CORPUS "tests/fuzz/corpus/manifest", "tests/manifests/invalid", \
	NULL
#define FUZZ_TRUNCATE 89
#include "../fuzz/fuzz_manifest.c"
#include "../fuzz/replay.c"
