/*
 * render_write.c - builds each server's renderer input from the manifest
 * and the store, runs the pure renderers of render_table[] and writes
 * their files under <fragments.dir>/<server>/ with file_update() (atomic,
 * only when the content changed). Stale files that carry certkeep's
 * header are removed, so the directory converges on the manifest like the
 * repository does.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/str.h"
#include "manifest/manifest.h"
#include "render/record.h"
#include "render/render.h"
#include "store/store.h"

#define RENDER_MAX_FILE	(1024 * 1024)

void
render_changes_init(struct render_changes *c)
{
	memset(c, 0, sizeof(*c));
	strlist_init(&c->missing);
}

void
render_changes_clear(struct render_changes *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].path);
	free(c->v);
	strlist_clear(&c->missing);
	render_changes_init(c);
}

static void
changes_add(struct render_changes *c, enum server_kind server,
    enum render_action action, const char *path)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n].server = server;
	c->v[c->n].action = action;
	c->v[c->n].path = xstrdup(path);
	c->n++;
	c->server_changed[server] = 1;
}

/* The live paths of one certificate; owns its strings. */
struct cert_paths {
	struct render_cert rc;
	char	*p[5];
	int	 present;
};

static void
cert_paths_clear(struct cert_paths *cp)
{
	size_t i;

	for (i = 0; i < 5; i++)
		free(cp->p[i]);
	memset(cp, 0, sizeof(*cp));
}

/*
 * Server configs take these paths unquoted or in double quotes: refuse
 * what they cannot carry rather than write a fragment that means
 * something else.
 */
static int
path_safe(const char *p, struct err *e)
{
	const char *s;

	for (s = p; *s != '\0'; s++) {
		if ((unsigned char)*s <= ' ' || *s == '"' || *s == '\\' ||
		    *s == '\'' || *s == ';' || *s == '{' || *s == '}' ||
		    *s == '#' || *s == 0x7f) {
			char *esc = str_escape(p);

			err_set(e, "%s: a path with spaces, quotes or config "
			    "syntax characters cannot go into a server "
			    "fragment", esc);
			free(esc);
			return -1;
		}
	}
	return 0;
}

/* Fills cp for certificate c; present when the store has a usable set. */
static int
cert_paths_fill(struct cert_paths *cp, const struct mcert *c, struct store *s,
    int assume, const struct store_setid *known, struct err *e)
{
	static const char *const files[5] = { STORE_CERT, STORE_CHAIN,
	    STORE_KEY, STORE_FULLCHAIN, STORE_COMBINED };
	struct certset set;
	struct store_setid id;
	struct err e2;
	size_t i;
	int r;

	memset(cp, 0, sizeof(*cp));
	memset(&set, 0, sizeof(set));
	for (i = 0; i < 5; i++) {
		cp->p[i] = store_live_path(s, c->name, files[i]);
		if (path_safe(cp->p[i], e) == -1)
			return -1;
	}
	cp->rc.name = c->name;
	cp->rc.hostnames = c->hostnames;
	cp->rc.cert = cp->p[0];
	cp->rc.chain = cp->p[1];
	cp->rc.key = cp->p[2];
	cp->rc.fullchain = cp->p[3];
	cp->rc.combined = cp->p[4];
	if (assume) {
		cp->present = 1;
		return 0;
	}
	/* Whether the five files are there: their identities suffice, no
	   content is read (a backend that cannot tell reads the set). */
	if (known != NULL) {
		id = *known;
		r = 1;
	} else
		r = store_stat_set(s, c->name, &id, &e2);
	if (r == 1) {
		for (i = 0, cp->present = 1; i < STORE_F__MAX; i++)
			cp->present &= id.f[i].present;
		return 0;
	}
	if (r == 0)
		return 0;
	r = store_read_set(s, c->name, &set, e);
	if (r == -1)
		return -1;
	cp->present = r == 1 && set.cert != NULL && set.key != NULL &&
	    set.chain != NULL && set.fullchain != NULL && set.combined != NULL;
	certset_clear(&set);
	return 0;
}

/*
 * 1 when the file at path is a regular file that starts with certkeep's
 * header, 0 when it is not ours, -1 when it is no regular file (a FIFO,
 * a symlink, a device: never opened in a way that could block, never
 * followed; e says what it is).
 */
static int
file_is_ours(const char *path, struct err *e)
{
	char *data, *nl;
	size_t len;
	int ours = 0;

	data = file_read_nofollow(path, RENDER_MAX_FILE, &len, e);
	if (data == NULL)
		return errno == ELOOP || errno == EINVAL ? -1 : 0;
	nl = strchr(data, '\n');
	if (nl != NULL)
		*nl = '\0';
	ours = strstr(data, RENDER_MARK) != NULL;
	free(data);
	return ours;
}

/* 1 when name in dfd (path: the same file) already holds exactly content
   with mode. */
static int
file_same(int dfd, const char *name, const char *path, const char *content,
    mode_t mode)
{
	struct stat st;
	struct err e;
	char *data;
	size_t len, want = strlen(content);
	ssize_t n;
	int fd, same = 0;

	/* Never followed, never a FIFO; a size that differs needs no
	   read, and one read of one byte more than expected says it all. */
	err_clear(&e);
	if ((fd = file_open_regular_st(dfd, name, path, 1, &st, &e)) == -1)
		return 0;
	if ((st.st_mode & 07777) != mode ||
	    st.st_size < 0 || (unsigned long long)st.st_size != want) {
		close(fd);
		return 0;
	}
	data = xmalloc(want + 1);
	/* A read of a regular file short of what was asked ends it. */
	while ((n = read(fd, data, want + 1)) == -1 && errno == EINTR)
		;
	len = n > 0 ? (size_t)n : 0;
	if (n != -1 && len == want)
		same = memcmp(data, content, want) == 0;
	close(fd);
	free(data);
	return same;
}

static int
cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Removes (or, dry, reports) certkeep files in dir not in out. */
static int
render_prune(enum server_kind server, const char *dir,
    const struct render_output *o, int dry, const struct log *log,
    struct render_changes *c, struct err *e)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	struct err e1;
	const char *key;
	char *path, **names;
	size_t i;
	int rc = 0, removed = 0, ours;

	d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		err_sys(e, "%s", dir);
		return -1;
	}
	/* Sorted, so that a directory of many files is not n x n. */
	names = xcalloc(o->n + 1, sizeof(*names));
	for (i = 0; i < o->n; i++)
		names[i] = o->files[i].name;
	qsort(names, o->n, sizeof(*names), cmp_str_ptr);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strstr(de->d_name, ".tmp-") != NULL)
			continue;
		key = de->d_name;
		if (o->n > 0 && bsearch(&key, names, o->n, sizeof(*names),
		    cmp_str_ptr) != NULL)
			continue;
		/* A subdirectory is the admin's: not worth a warning. */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		    0 && S_ISDIR(st.st_mode))
			continue;
		path = path_join(dir, de->d_name);
		err_clear(&e1);
		if ((ours = file_is_ours(path, &e1)) == -1)
			log_warn(log, "%s; left alone (not pruned)", e1.msg);
		else if (ours) {
			if (!dry && unlink(path) == -1) {
				err_sys(e, "%s: remove", path);
				rc = -1;
			} else {
				changes_add(c, server, RENDER_REMOVE, path);
				removed = 1;
			}
		}
		free(path);
	}
	closedir(d);
	free(names);
	if (removed && !dry && dir_fsync(dir, e) == -1)
		rc = -1;
	return rc;
}

/* Renders and writes (or compares, dry) one server's files. */
static int
render_server(const struct render_input *in, int dry, const struct log *log,
    struct render_changes *c, struct err *e)
{
	struct render_output o;
	struct render_record *rec = NULL;
	struct render_seen *seen = NULL;
	unsigned char *ok = NULL;
	char *path = NULL;
	size_t i, len;
	int rc = -1, changed, dfd = -1;

	render_output_init(&o);
	if (in->nlisteners > 0 &&
	    render_table[in->server].render(in, &o, e) == -1) {
		err_prefix(e, "%s fragments", render_table[in->server].name);
		goto out;
	}
	if (o.n > 0 && !dry && mkdir_p(in->dir, 0755, e) == -1)
		goto out;
	/* The files are compared relative to their directory, held open:
	   no walk of the whole path for each of thousands. */
	if (o.n > 0)
		dfd = open(in->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* What an earlier run found these files to hold (record.h): a
	   file that still has that identity is not read again. */
	if (o.n > 0)
		rec = render_record_load(dfd, in->dir);
	ok = xcalloc(o.n + 1, 1);
	seen = xcalloc(o.n + 1, sizeof(*seen));
	render_record_check_many(rec, dfd, o.files, o.n, ok, seen);
	for (i = 0; i < o.n; i++) {
		if (ok[i]) {
			c->unchanged++;
			continue;
		}
		len = strlen(o.files[i].content);
		free(path);
		path = path_join(in->dir, o.files[i].name);
		if (file_same(dfd != -1 ? dfd : AT_FDCWD,
		    dfd != -1 ? o.files[i].name : path, path,
		    o.files[i].content, o.files[i].mode)) {
			/* Identity taken before the read: a change since
			   shows next time. */
			render_record_put(rec, o.files[i].name, &seen[i]);
			c->unchanged++;
			continue;
		}
		if (!dry) {
			if (file_update(path, o.files[i].content, len,
			    o.files[i].mode, &changed, e) == -1)
				goto out;
		}
		changes_add(c, in->server, RENDER_WRITE, path);
	}
	if (render_prune(in->server, in->dir, &o, dry, log, c, e) == -1)
		goto out;
	/* Only apply writes it; plan's comparisons are not kept. */
	if (!dry && render_record_save(rec, in->dir, e) == -1)
		goto out;
	rc = 0;
out:
	render_record_free(rec);
	if (dfd != -1)
		close(dfd);
	FREE_ALL(path, ok, seen);
	render_output_clear(&o);
	return rc;
}

static int
render_run(const struct manifest *m, struct store *s, const struct log *log,
    const unsigned char *will_exist, const struct store_setid *const *known,
    int dry, struct render_changes *out, struct err *e)
{
	struct cert_paths *cps = NULL;
	struct render_cert *rcs = NULL;
	struct render_listener *rls = NULL;
	struct render_input in;
	struct err e1;
	char *mpath = NULL, *dir = NULL;
	size_t i, j, nl = 0, total = 0;
	int k, rc = -1, failed = 0, has;

	err_clear(&e1);
	mpath = render_manifest_path(m);
	cps = xcalloc(m->ncerts + 1, sizeof(*cps));
	rcs = xcalloc(m->ncerts + 1, sizeof(*rcs));
	for (i = 0; i < m->ncerts; i++)
		total += m->certs[i].nlisteners;
	rls = xcalloc(total + 1, sizeof(*rls));
	for (i = 0; i < m->ncerts; i++) {
		if (m->certs[i].nlisteners == 0)
			continue;
		if (cert_paths_fill(&cps[i], &m->certs[i], s,
		    will_exist != NULL && will_exist[i],
		    known != NULL ? known[i] : NULL, e) == -1) {
			err_prefix(e, "certificate %s", m->certs[i].name);
			/* Said here: callers count on render to log. */
			log_error(log, "%s", e->msg);
			goto out;
		}
		if (!cps[i].present) {
			strlist_add(&out->missing, m->certs[i].name);
			log_cert(log, LOG_WARN, m->certs[i].name, "%s: no "
			    "certificate in the repository yet; its listeners "
			    "are left out of the fragments", m->certs[i].name);
		}
	}
	if (path_safe(m->fragments.dir, e) == -1)
		goto out;
	for (k = 0; k < SERVER__MAX; k++) {
		size_t nc = 0;

		nl = 0;
		for (i = 0; i < m->ncerts; i++) {
			if (!cps[i].present)
				continue;
			has = 0;
			for (j = 0; j < m->certs[i].nlisteners; j++) {
				if ((int)m->certs[i].listeners[j].server != k)
					continue;
				if (!has)
					rcs[nc++] = cps[i].rc;
				has = 1;
				rls[nl].lst = &m->certs[i].listeners[j];
				rls[nl].cert = &rcs[nc - 1];
				nl++;
			}
		}
		free(dir);
		dir = path_join(m->fragments.dir, render_table[k].name);
		memset(&in, 0, sizeof(in));
		in.server = (enum server_kind)k;
		in.manifest = mpath;
		in.dir = dir;
		in.certs = rcs;
		in.ncerts = nc;
		in.listeners = rls;
		in.nlisteners = nl;
		if (render_server(&in, dry, log, out, &e1) == -1) {
			log_error(log, "%s", e1.msg);
			if (!failed)
				err_set(e, "%s", e1.msg);
			failed = 1;
		}
	}
	rc = failed ? -1 : 0;
out:
	if (cps != NULL)
		for (i = 0; i < m->ncerts; i++)
			cert_paths_clear(&cps[i]);
	FREE_ALL(cps, rcs, rls, dir, mpath);
	return rc;
}

int
render_all(const struct manifest *m, struct store *s, const struct log *log,
    struct render_changes *out, struct err *e)
{
	return render_run(m, s, log, NULL, NULL, 0, out, e);
}

int
render_all_known(const struct manifest *m, struct store *s,
    const struct log *log, const struct store_setid *const *known,
    struct render_changes *out, struct err *e)
{
	return render_run(m, s, log, NULL, known, 0, out, e);
}

int
render_pending(const struct manifest *m, struct store *s,
    const struct log *log, const unsigned char *will_exist,
    struct render_changes *out, struct err *e)
{
	return render_run(m, s, log, will_exist, NULL, 1, out, e);
}

int
render_pending_known(const struct manifest *m, struct store *s,
    const struct log *log, const unsigned char *will_exist,
    const struct store_setid *const *known, struct render_changes *out,
    struct err *e)
{
	return render_run(m, s, log, will_exist, known, 1, out, e);
}

struct cJSON *
render_changes_json(const struct render_changes *c)
{
	cJSON *arr, *o;
	size_t i;

	arr = cJSON_CreateArray();
	for (i = 0; i < c->n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "server",
		    server_kind_names[c->v[i].server]);
		cJSON_AddStringToObject(o, "path", c->v[i].path);
		cJSON_AddStringToObject(o, "action",
		    render_action_names[c->v[i].action]);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

void
render_changes_print(const struct render_changes *c, FILE *fp)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		fprintf(fp, "%-7s %-7s %s\n", render_action_names[c->v[i].action],
		    server_kind_names[c->v[i].server], c->v[i].path);
}
