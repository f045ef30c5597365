/*
 * record.c - the record of what a fragment directory holds (record.h).
 *
 * The file is text: a header line, then one line per fragment, sorted by
 * name:
 *
 *   certkeep fragments 1
 *   <name> TAB <dev>:<ino>:<size>:<mtime_ns>:<ctime_ns>:<mode> TAB <sha256>
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/par.h"
#include "base/path.h"
#include "render/record.h"
#include "render/render.h"

#define REC_HEADER	"certkeep fragments 1\n"
/* 100,000 certificates of a few fragments each, with room to spare. */
#define REC_MAX		(256 * 1024 * 1024)

struct rec_entry {
	char	*name;		/* malloced */
	struct render_seen id;	/* present: 1 */
	int	 used;		/* checked (and still true) or put this run */
};

struct render_record {
	struct rec_entry *v;	/* sorted by name, then added ones */
	size_t	 n, nsorted, cap;
	int	 dirty;
	/* SHA-256, fetched once: an implicit fetch per fragment costs more
	   than the hash itself; shared by the threads of check_many */
	EVP_MD	*md;
};

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rec_entry *)a)->name,
	    ((const struct rec_entry *)b)->name);
}

static int
name_cmp(const void *key, const void *ent)
{
	return strcmp(key, ((const struct rec_entry *)ent)->name);
}

static int
hex_val(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : -1;
}

/* Parses one line (NUL-terminated, no newline) into ent; -1 if bad. */
static int
parse_line(char *line, struct rec_entry *ent)
{
	char *tab, *idp, *hp, *end;
	unsigned long long v[6];
	int k, hi, lo;

	memset(ent, 0, sizeof(*ent));
	if ((tab = strchr(line, '\t')) == NULL || tab == line)
		return -1;
	*tab = '\0';
	idp = tab + 1;
	if ((hp = strchr(idp, '\t')) == NULL)
		return -1;
	*hp++ = '\0';
	for (k = 0; k < 6; k++) {
		errno = 0;
		v[k] = strtoull(idp, &end, k == 5 ? 8 : 10);
		if (errno != 0 || end == idp || *end != (k < 5 ? ':' : '\0'))
			return -1;
		idp = end + 1;
	}
	if (strlen(hp) != 64)
		return -1;
	for (k = 0; k < 32; k++) {
		if ((hi = hex_val(hp[2 * k])) == -1 ||
		    (lo = hex_val(hp[2 * k + 1])) == -1)
			return -1;
		ent->id.hash[k] = (unsigned char)(hi << 4 | lo);
	}
	ent->id.present = 1;
	ent->id.dev = v[0];
	ent->id.ino = v[1];
	ent->id.size = (long long)v[2];
	ent->id.mtime_ns = (long long)v[3];
	ent->id.ctime_ns = (long long)v[4];
	ent->id.mode = (unsigned int)v[5];
	ent->name = xstrdup(line);
	return 0;
}

static void
rec_add(struct render_record *r, const struct rec_entry *ent)
{
	if (r->n == r->cap) {
		r->cap = r->cap != 0 ? r->cap * 2 : 64;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n++] = *ent;
}

struct render_record *
render_record_load(int dfd, const char *dir)
{
	struct render_record *r;
	struct rec_entry ent;
	struct err e;
	char *data, *p, *nl, *shown;
	size_t len, i;

	r = xcalloc(1, sizeof(*r));
	r->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (dfd == -1)
		return r;
	err_clear(&e);
	shown = path_join(dir, RENDER_RECORD_FILE);
	data = file_read_nofollow_at(dfd, RENDER_RECORD_FILE, shown, REC_MAX,
	    &len, &e);
	free(shown);
	if (data == NULL)
		return r;
	if (len < sizeof(REC_HEADER) - 1 ||
	    memcmp(data, REC_HEADER, sizeof(REC_HEADER) - 1) != 0 ||
	    memchr(data, '\0', len) != NULL) {
		r->dirty = 1;
		free(data);
		return r;
	}
	for (p = data + sizeof(REC_HEADER) - 1; p < data + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(data + len - p))) == NULL) {
			r->dirty = 1;	/* cut short */
			break;
		}
		*nl = '\0';
		if (parse_line(p, &ent) == -1) {
			r->dirty = 1;
			continue;
		}
		rec_add(r, &ent);
	}
	free(data);
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), entry_cmp);
	for (i = 1; i < r->n; i++)
		if (strcmp(r->v[i - 1].name, r->v[i].name) == 0) {
			/* Two lines for one file: neither is trusted. */
			r->v[i - 1].id.present = r->v[i].id.present = 0;
			r->dirty = 1;
		}
	r->nsorted = r->n;
	return r;
}

void
render_record_free(struct render_record *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		free(r->v[i].name);
	free(r->v);
	EVP_MD_free(r->md);
	free(r);
}

static int
seen_same(const struct render_seen *a, const struct render_seen *b)
{
	return a->present && b->present && a->dev == b->dev &&
	    a->ino == b->ino && a->size == b->size &&
	    a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns &&
	    a->mode == b->mode &&
	    memcmp(a->hash, b->hash, sizeof(a->hash)) == 0;
}

/* The entry loaded for name. Entries added in this run are not looked
   at: a directory's files are checked once each per run, and a scan of
   them would make a fleet's first run quadratic. */
static struct rec_entry *
rec_find(struct render_record *r, const char *name)
{
	if (r->nsorted == 0)
		return NULL;
	return bsearch(name, r->v, r->nsorted, sizeof(*r->v), name_cmp);
}

int
render_record_check(struct render_record *r, int dfd, const char *name,
    const char *content, size_t len, mode_t mode, struct render_seen *seen)
{
	struct rec_entry *ent;
	struct stat st;
	unsigned int mdlen = 0;

	memset(seen, 0, sizeof(*seen));
	if (r == NULL || dfd == -1)
		return 0;
	if (r->md == NULL ||
	    EVP_Digest(content, len, seen->hash, &mdlen, r->md, NULL) != 1 ||
	    mdlen != sizeof(seen->hash))
		return 0;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(st.st_mode))
		return 0;
	seen->present = 1;
	seen->dev = (unsigned long long)st.st_dev;
	seen->ino = (unsigned long long)st.st_ino;
	seen->size = (long long)st.st_size;
	seen->mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL +
	    st.st_mtim.tv_nsec;
	seen->ctime_ns = (long long)st.st_ctim.tv_sec * 1000000000LL +
	    st.st_ctim.tv_nsec;
	seen->mode = (unsigned int)(st.st_mode & 07777);
	if ((ent = rec_find(r, name)) == NULL ||
	    seen->mode != (unsigned int)mode || (size_t)seen->size != len ||
	    !seen_same(&ent->id, seen))
		return 0;
	ent->used = 1;
	return 1;
}

struct check_many {
	struct render_record *r;
	int	 dfd;
	const struct render_file *files;
	unsigned char *ok;
	struct render_seen *seen;
};

static void
check_one(void *arg, size_t i)
{
	struct check_many *c = arg;
	const struct render_file *f = &c->files[i];

	c->ok[i] = (unsigned char)render_record_check(c->r, c->dfd, f->name,
	    f->content, strlen(f->content), f->mode, &c->seen[i]);
}

void
render_record_check_many(struct render_record *r, int dfd,
    const struct render_file *files, size_t n, unsigned char *ok,
    struct render_seen *seen)
{
	struct check_many c = { .r = r, .dfd = dfd, .files = files,
	    .ok = ok, .seen = seen };

	par_for(n, par_threads(n), check_one, &c);
}

void
render_record_put(struct render_record *r, const char *name,
    const struct render_seen *seen)
{
	struct rec_entry *ent, add;

	if (r == NULL || !seen->present || strchr(name, '\t') != NULL ||
	    strchr(name, '\n') != NULL)
		return;
	if ((ent = rec_find(r, name)) != NULL) {
		if (seen_same(&ent->id, seen)) {
			ent->used = 1;
			return;
		}
		ent->id = *seen;
	} else {
		memset(&add, 0, sizeof(add));
		add.name = xstrdup(name);
		add.id = *seen;
		rec_add(r, &add);
		ent = &r->v[r->n - 1];
	}
	ent->used = 1;
	r->dirty = 1;
}

static int
ptr_cmp(const void *a, const void *b)
{
	return strcmp((*(struct rec_entry *const *)a)->name,
	    (*(struct rec_entry *const *)b)->name);
}

int
render_record_save(struct render_record *r, const char *dir, struct err *e)
{
	struct rec_entry **keep;
	struct buf b;
	char *path, line[160];
	size_t i, n = 0;
	int k, rc;

	if (r == NULL)
		return 0;
	for (i = 0; i < r->n && !r->dirty; i++)
		if (!r->v[i].used)
			r->dirty = 1;
	if (!r->dirty)
		return 0;
	keep = xcalloc(r->n + 1, sizeof(*keep));
	for (i = 0; i < r->n; i++)
		if (r->v[i].used && r->v[i].id.present)
			keep[n++] = &r->v[i];
	if (n > 1)
		qsort(keep, n, sizeof(*keep), ptr_cmp);
	buf_init(&b);
	buf_puts(&b, REC_HEADER);
	for (i = 0; i < n; i++) {
		const struct render_seen *s = &keep[i]->id;

		buf_puts(&b, keep[i]->name);
		snprintf(line, sizeof(line), "\t%llu:%llu:%lld:%lld:%lld:%o\t",
		    s->dev, s->ino, s->size, s->mtime_ns, s->ctime_ns, s->mode);
		buf_puts(&b, line);
		for (k = 0; k < 32; k++) {
			line[2 * k] = "0123456789abcdef"[s->hash[k] >> 4];
			line[2 * k + 1] = "0123456789abcdef"[s->hash[k] & 15];
		}
		line[64] = '\n';
		line[65] = '\0';
		buf_puts(&b, line);
	}
	free(keep);
	path = path_join(dir, RENDER_RECORD_FILE);
	rc = file_write_atomic(path, b.data, b.len, 0644, e);
	free(path);
	buf_clear(&b);
	if (rc == 0)
		r->dirty = 0;
	return rc;
}
