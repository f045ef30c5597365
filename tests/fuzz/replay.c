/*
 * replay.c - the replay driver of the fuzz targets, for `make check`
 * (no clang, no libFuzzer): a main() that feeds every file of the target's
 * corpus to LLVMFuzzerTestOneInput(), one TAP line per file. A crash or a
 * sanitizer report (the san build aborts on both) ends the process, so the
 * test runner reports the target as failed.
 *
 * A unit test includes the target and then this file, after defining
 * FUZZ_CORPUS as a NULL-terminated list of directories or files:
 *
 *   #define FUZZ_CORPUS "tests/fuzz/corpus/tar", NULL
 *   #include "../fuzz/fuzz_tar.c"
 *   #include "../fuzz/replay.c"
 *
 * With FUZZ_TRUNCATE defined (a stride), every prefix of each file at
 * that stride is fed too: unterminated everything.
 *
 * Arguments, when given, replace that list (replay a crash file by hand).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/str.h"

/* Inputs larger than this are not read (libFuzzer's -max_len is 4096). */
#define REPLAY_MAX	(1024 * 1024)

static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds path, or the regular files of the directory path, to l. */
static int
replay_collect(const char *path, struct strlist *l)
{
	struct stat st;
	struct dirent *de;
	DIR *d;

	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return strlist_add(l, path);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			strlist_addf(l, "%s/%s", path, de->d_name);
	closedir(d);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const def[] = { FUZZ_CORPUS };
	struct strlist files;
	struct err e;
	size_t i, len;
	char *data;
	int n = 0, failed = 0;

	strlist_init(&files);
	if (argc > 1) {
		for (i = 1; i < (size_t)argc; i++)
			if (replay_collect(argv[i], &files) == -1) {
				printf("Bail out! %s: cannot open\n", argv[i]);
				return 1;
			}
	} else {
		for (i = 0; def[i] != NULL; i++)
			if (replay_collect(def[i], &files) == -1) {
				printf("Bail out! %s: cannot open\n", def[i]);
				return 1;
			}
	}
	if (files.n == 0) {
		printf("Bail out! empty corpus\n");
		return 1;
	}
	qsort(files.v, files.n, sizeof(*files.v), replay_cmp);
	for (i = 0; i < files.n; i++) {
		len = 0;
		if ((data = file_read(files.v[i], REPLAY_MAX, &len, &e)) ==
		    NULL) {
			printf("not ok %d - %s: %s\n", ++n, files.v[i], e.msg);
			failed = 1;
			continue;
		}
		/* Named first: a crash report then says which input. */
		printf("# %s (%zu bytes)\n", files.v[i], len);
		fflush(stdout);
		/* A copy of exactly len bytes, so ASan sees reads past it. */
		uint8_t *copy = xmalloc(len ? len : 1);
		memcpy(copy, data, len);
		free(data);
		LLVMFuzzerTestOneInput(copy, len);
#ifdef FUZZ_TRUNCATE
		for (size_t cut = 0; cut < len; cut += FUZZ_TRUNCATE)
			LLVMFuzzerTestOneInput(copy, cut);
#endif
		free(copy);
		fflush(stderr);
		printf("ok %d - %s\n", ++n, files.v[i]);
		fflush(stdout);
	}
	printf("1..%d\n", n);
	strlist_clear(&files);
	return failed;
}
