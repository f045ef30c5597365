/*
 * The fuzz target for the ACME client reading a CA's answers (tests/fuzz/fuzz_acme.c), replayed over its
 * corpus under the sanitizers of `make check`: one TAP line per input; a
 * crash or a sanitizer report fails the test (tests/fuzz/replay.c).
 */
#define FUZZ_CORPUS "tests/fuzz/corpus/acme", NULL
#include "../fuzz/fuzz_acme.c"
#include "../fuzz/replay.c"
