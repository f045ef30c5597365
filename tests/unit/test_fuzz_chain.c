/*
 * The fuzz target for the certificate chain split (tests/fuzz/fuzz_chain.c), replayed over its
 * corpus under the sanitizers of `make check`: one TAP line per input; a
 * crash or a sanitizer report fails the test (tests/fuzz/replay.c).
 */
#define FUZZ_CERTINFO_ALL 1
#define FUZZ_CORPUS "tests/fuzz/corpus/chain", NULL
#include "../fuzz/fuzz_chain.c"
#include "../fuzz/replay.c"
