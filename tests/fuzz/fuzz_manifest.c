/*
 * fuzz_manifest.c - libFuzzer target for the manifest loader: any bytes
 * through manifest_load_buf() must give a manifest or diagnostics, never a
 * crash, a leak or unbounded memory (aliases are refused, nesting and node
 * counts are bounded).
 *
 *   make fuzz && build/fuzz/fuzz_manifest tests/manifests/invalid
 *
 * Built with -DFUZZ_REPLAY (tests/unit/test_fuzz_manifest.c does that) the
 * same file gets a main() that feeds the invalid corpus, the example and
 * truncations of it, so `make check` keeps the harness compiling and green
 * without clang.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "manifest.h"
#include "util.h"

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
	strlist_free(&diags);
	return 0;
}

#ifdef FUZZ_REPLAY
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static int replay_n;

static void
replay_buf(const char *what, const char *data, size_t len)
{
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	printf("ok %d - %s\n", ++replay_n, what);
}

static int
replay_file(const char *path, int truncations)
{
	struct err e;
	char *data, what[512];
	size_t len = 0, cut;

	if ((data = file_read(path, MANIFEST_MAX_BYTES, &len, &e)) == NULL) {
		printf("not ok %d - read %s: %s\n", ++replay_n, path, e.msg);
		return -1;
	}
	replay_buf(path, data, len);
	/* Every prefix at a prime stride: unterminated everything. */
	for (cut = 0; truncations && cut < len; cut += 89) {
		snprintf(what, sizeof(what), "%s cut at %zu", path, cut);
		replay_buf(what, data, cut);
	}
	free(data);
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/manifests/invalid";
	const char *example = argc > 2 ? argv[2] : "manifest.example.yaml";
	struct strlist names;
	struct dirent *de;
	DIR *d;
	size_t i;
	int failed = 0;

	strlist_init(&names);
	if ((d = opendir(dir)) == NULL) {
		printf("Bail out! %s: cannot open\n", dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL)
		if (str_endswith(de->d_name, ".yaml"))
			strlist_addf(&names, "%s/%s", dir, de->d_name);
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), name_cmp);
	for (i = 0; i < names.n; i++)
		failed |= replay_file(names.v[i], 0) == -1;
	failed |= replay_file(example, 1) == -1;
	strlist_free(&names);
	printf("1..%d\n", replay_n);
	return failed;
}
#endif
