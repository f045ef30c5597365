/*
 * The fuzz target for a certificate's state file (tests/fuzz/fuzz_state.c), replayed over its
 * corpus under the sanitizers of `make check`: one TAP line per input; a
 * crash or a sanitizer report fails the test (tests/fuzz/replay.c).
 */
#define FUZZ_CORPUS "tests/fuzz/corpus/state", NULL
#include "../fuzz/fuzz_state.c"
#include "../fuzz/replay.c"
