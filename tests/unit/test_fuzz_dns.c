/*
 * The fuzz target for DNS answers into the a, aaaa and caa verdicts (tests/fuzz/fuzz_dns.c), replayed over its
 * corpus under the sanitizers of `make check`: one TAP line per input; a
 * crash or a sanitizer report fails the test (tests/fuzz/replay.c).
 */
#define FUZZ_CORPUS "tests/fuzz/corpus/dns", NULL
#include "../fuzz/fuzz_dns.c"
#include "../fuzz/replay.c"
