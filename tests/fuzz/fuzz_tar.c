/*
 * fuzz_tar.c - libFuzzer target for the backup archive reader: any bytes
 * through tar_read() give entries or one error, never a crash. What the
 * reader accepts must survive tar_write() and a second tar_read()
 * unchanged (paths, types, modes, contents).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tar_entries t, t2;
	struct buf out;
	struct err e;
	size_t i;

	tar_entries_init(&t);
	tar_entries_init(&t2);
	buf_init(&out);
	if (tar_read((const char *)data, size, &t, &e) == -1) {
		if (t.n != 0 || e.msg[0] == '\0')
			abort();	/* nothing new, one message */
		goto out;
	}
	if (tar_write(&t, &out, &e) == -1)
		goto out;
	if (tar_read(out.data, out.len, &t2, &e) == -1 || t2.n != t.n)
		abort();
	for (i = 0; i < t.n; i++) {
		const struct tar_entry *a = &t.v[i], *b = &t2.v[i];

		if (strcmp(a->path, b->path) != 0 || a->is_dir != b->is_dir ||
		    a->mode != b->mode || a->len != b->len ||
		    (a->len > 0 && memcmp(a->data, b->data, a->len) != 0))
			abort();
	}
out:
	buf_clear(&out);
	tar_entries_clear(&t);
	tar_entries_clear(&t2);
	return 0;
}
