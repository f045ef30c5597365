/*
 * The fuzz target for the headers of an ACME server's answer (tests/fuzz/fuzz_http_headers.c), replayed over its
 * corpus under the sanitizers of `make check`: one TAP line per input; a
 * crash or a sanitizer report fails the test (tests/fuzz/replay.c).
 */
#define FUZZ_CORPUS "tests/fuzz/corpus/http_headers", NULL
#include "../fuzz/fuzz_http_headers.c"
#include "../fuzz/replay.c"
