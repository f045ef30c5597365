/*
 * The fuzz target for the backup archive reader (tests/fuzz/fuzz_tar.c), replayed over its
 * corpus under the sanitizers of `make check`: one TAP line per input; a
 * crash or a sanitizer report fails the test (tests/fuzz/replay.c).
 */
#define FUZZ_CORPUS "tests/fuzz/corpus/tar", NULL
#include "../fuzz/fuzz_tar.c"
#include "../fuzz/replay.c"
