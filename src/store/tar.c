#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/tar.h"

#define TAR_BLOCK	512

/* The ustar header (POSIX.1-1988), one 512-byte block. */
struct tar_hdr {
	char	name[100];
	char	mode[8];
	char	uid[8];
	char	gid[8];
	char	size[12];
	char	mtime[12];
	char	chksum[8];
	char	typeflag;
	char	linkname[100];
	char	magic[6];
	char	version[2];
	char	uname[32];
	char	gname[32];
	char	devmajor[8];
	char	devminor[8];
	char	prefix[155];
	char	pad[12];
};

_Static_assert(sizeof(struct tar_hdr) == TAR_BLOCK, "ustar header size");

/* Largest file the reader accepts: more than any repository file. */
#define TAR_FILE_MAX	(64UL * 1024 * 1024)

void
tar_entries_init(struct tar_entries *t)
{
	memset(t, 0, sizeof(*t));
}

void
tar_entries_clear(struct tar_entries *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->v[i].data != NULL)
			OPENSSL_clear_free(t->v[i].data, t->v[i].len + 1);
		free(t->v[i].path);
	}
	free(t->v);
	tar_entries_init(t);
}

struct tar_entry *
tar_entries_add(struct tar_entries *t, const char *path, const void *data,
    size_t len, mode_t mode, time_t mtime)
{
	struct tar_entry *en;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	en = &t->v[t->n++];
	memset(en, 0, sizeof(*en));
	en->path = xstrdup(path);
	en->mode = mode & 07777;
	en->mtime = mtime;
	if (data != NULL) {
		en->data = xmalloc(len + 1);
		memcpy(en->data, data, len);
		en->data[len] = '\0';
		en->len = len;
	} else
		en->is_dir = 1;
	return en;
}

const struct tar_entry *
tar_entries_find(const struct tar_entries *t, const char *path)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].path, path) == 0)
			return &t->v[i];
	return NULL;
}

/* Writes v as zero-padded octal filling a field of n bytes (NUL last). */
static int
tar_octal(char *field, size_t n, unsigned long long v)
{
	char tmp[32];
	int w = snprintf(tmp, sizeof(tmp), "%0*llo", (int)(n - 1), v);

	if (w < 0 || (size_t)w != n - 1)
		return -1;
	memcpy(field, tmp, n);	/* includes the NUL */
	return 0;
}

static unsigned int
tar_checksum(const struct tar_hdr *h)
{
	const unsigned char *p = (const unsigned char *)h;
	unsigned int sum = 0;
	size_t i;

	for (i = 0; i < TAR_BLOCK; i++)
		sum += (i >= offsetof(struct tar_hdr, chksum) &&
		    i < offsetof(struct tar_hdr, chksum) + 8) ? ' ' : p[i];
	return sum;
}

/* Splits path into ustar prefix and name. Returns 0 or -1. */
static int
tar_split(const char *path, struct tar_hdr *h)
{
	size_t len = strlen(path), i;

	if (len <= sizeof(h->name)) {
		memcpy(h->name, path, len);
		return 0;
	}
	/* The prefix ends at a '/', which is not stored. */
	for (i = len - 1; i > 0; i--) {
		if (path[i] != '/')
			continue;
		if (i <= sizeof(h->prefix) && len - i - 1 <= sizeof(h->name) &&
		    len - i - 1 > 0) {
			memcpy(h->prefix, path, i);
			memcpy(h->name, path + i + 1, len - i - 1);
			return 0;
		}
	}
	return -1;
}

int
tar_write(const struct tar_entries *t, struct buf *out, struct err *e)
{
	static const char zero[TAR_BLOCK * 2];
	struct tar_hdr h;
	const struct tar_entry *en;
	char *p;
	size_t i, pad;

	for (i = 0; i < t->n; i++) {
		en = &t->v[i];
		memset(&h, 0, sizeof(h));
		p = en->is_dir ? xasprintf("%s/", en->path) : xstrdup(en->path);
		if (tar_split(p, &h) != 0) {
			err_set(e, "tar: path too long for ustar: %s", p);
			free(p);
			return -1;
		}
		free(p);
		tar_octal(h.mode, sizeof(h.mode), en->mode & 07777);
		tar_octal(h.uid, sizeof(h.uid), (unsigned long long)getuid() &
		    07777777);
		tar_octal(h.gid, sizeof(h.gid), (unsigned long long)getgid() &
		    07777777);
		if (tar_octal(h.size, sizeof(h.size), en->is_dir ? 0 :
		    en->len) != 0) {
			err_set(e, "tar: %s too large", en->path);
			return -1;
		}
		tar_octal(h.mtime, sizeof(h.mtime), en->mtime > 0 ?
		    (unsigned long long)en->mtime : 0);
		h.typeflag = en->is_dir ? '5' : '0';
		memcpy(h.magic, "ustar", 6);	/* with its NUL */
		memcpy(h.version, "00", 2);
		tar_octal(h.devmajor, sizeof(h.devmajor), 0);
		tar_octal(h.devminor, sizeof(h.devminor), 0);
		snprintf(h.chksum, sizeof(h.chksum), "%06o", tar_checksum(&h));
		h.chksum[7] = ' ';
		buf_append(out, &h, sizeof(h));
		if (!en->is_dir && en->len > 0) {
			buf_append(out, en->data, en->len);
			pad = (TAR_BLOCK - en->len % TAR_BLOCK) % TAR_BLOCK;
			buf_append(out, zero, pad);
		}
	}
	buf_append(out, zero, sizeof(zero));
	return 0;
}

/* Parses an octal field (spaces and NULs around it allowed). */
static int
tar_parse_octal(const char *f, size_t n, unsigned long long *v)
{
	size_t i = 0;
	int digits = 0;

	*v = 0;
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
		if (*v > (ULLONG_MAX >> 3))
			return -1;
		*v = (*v << 3) | (unsigned long long)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	return digits > 0 ? 0 : -1;
}

/* Whether path is relative and has no empty, "." or ".." component. */
static int
tar_path_ok(const char *path)
{
	const char *p = path, *s;
	size_t n;

	if (*p == '\0' || *p == '/')
		return 0;
	while (*p != '\0') {
		s = strchr(p, '/');
		n = s != NULL ? (size_t)(s - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
		if (*p == '/')
			p++;
	}
	return 1;
}

static int
tar_is_zero(const char *b)
{
	size_t i;

	for (i = 0; i < TAR_BLOCK; i++)
		if (b[i] != '\0')
			return 0;
	return 1;
}

int
tar_read(const char *data, size_t len, struct tar_entries *t, struct err *e)
{
	struct tar_hdr h;
	struct tar_entries got;
	unsigned long long mode, size, mtime, sum;
	char path[sizeof(h.prefix) + 1 + sizeof(h.name) + 1];
	size_t off = 0, nlen, plen, i;
	int rc = -1, ended = 0;

	tar_entries_init(&got);
	while (off + TAR_BLOCK <= len) {
		if (tar_is_zero(data + off)) {
			ended = 1;
			break;
		}
		memcpy(&h, data + off, sizeof(h));
		if (memcmp(h.magic, "ustar", 5) != 0) {
			err_set(e, "tar: offset %zu: not a ustar header", off);
			goto out;
		}
		if (tar_parse_octal(h.chksum, sizeof(h.chksum), &sum) != 0 ||
		    sum != tar_checksum(&h)) {
			err_set(e, "tar: offset %zu: header checksum mismatch",
			    off);
			goto out;
		}
		if (tar_parse_octal(h.mode, sizeof(h.mode), &mode) != 0 ||
		    tar_parse_octal(h.size, sizeof(h.size), &size) != 0 ||
		    tar_parse_octal(h.mtime, sizeof(h.mtime), &mtime) != 0) {
			err_set(e, "tar: offset %zu: bad numeric field", off);
			goto out;
		}
		nlen = strnlen(h.name, sizeof(h.name));
		plen = strnlen(h.prefix, sizeof(h.prefix));
		if (plen > 0)
			snprintf(path, sizeof(path), "%.*s/%.*s", (int)plen,
			    h.prefix, (int)nlen, h.name);
		else
			snprintf(path, sizeof(path), "%.*s", (int)nlen, h.name);
		if (h.typeflag == '5') {
			if (*path != '\0' && path[strlen(path) - 1] == '/')
				path[strlen(path) - 1] = '\0';
			size = 0;
		} else if (h.typeflag != '0' && h.typeflag != '\0') {
			err_set(e, "tar: %s: entry type '%c' not allowed "
			    "(files and directories only)", path,
			    h.typeflag >= 0x20 && h.typeflag < 0x7f ?
			    h.typeflag : '?');
			goto out;
		}
		if (!tar_path_ok(path)) {
			char *esc = str_escape(path);

			err_set(e, "tar: unsafe path \"%s\"", esc);
			free(esc);
			goto out;
		}
		if (tar_entries_find(&got, path) != NULL) {
			err_set(e, "tar: %s appears twice", path);
			goto out;
		}
		off += TAR_BLOCK;
		if (size > TAR_FILE_MAX || size > len - off) {
			err_set(e, "tar: %s: size %llu runs past the end", path,
			    size);
			goto out;
		}
		tar_entries_add(&got, path, h.typeflag == '5' ? NULL :
		    data + off, (size_t)size, (mode_t)(mode & 07777),
		    (time_t)mtime);
		off += ((size_t)size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
		if (off > len) {
			err_set(e, "tar: %s: truncated", path);
			goto out;
		}
	}
	if (!ended) {
		err_set(e, "tar: no end-of-archive marker (truncated)");
		goto out;
	}
	for (i = 0; i < got.n; i++) {
		struct tar_entry *en = &got.v[i];

		tar_entries_add(t, en->path, en->is_dir ? NULL : en->data,
		    en->len, en->mode, en->mtime);
	}
	rc = 0;
out:
	tar_entries_clear(&got);
	return rc;
}
