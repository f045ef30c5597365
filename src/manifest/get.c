/*
 * get.c - the typed getters of the manifest loader: key paths for
 * messages, the keys of a mapping, strings, booleans, lists, durations,
 * paths, argv lists, and duplicate detection. Each reports what is wrong
 * with the value as one diagnostic at its position.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/str.h"
#include "base/time.h"
#include "manifest/manifest.h"
#include "manifest/mload.h"
#include "manifest/ytree.h"

/* Appends s to out (of MPATH_MAX) at *len, cut when full. Made for every
   node of the manifest, so it avoids printf. */
static void
mpath_cat(char *out, size_t *len, const char *s, size_t n)
{
	if (n > MPATH_MAX - 1 - *len)
		n = MPATH_MAX - 1 - *len;
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
}

/* Key paths for messages; a path too long is cut (messages only). */
void
mpath_key(char *out, const char *base, const char *key)
{
	size_t len = 0;

	out[0] = '\0';
	if (base[0] != '\0') {
		mpath_cat(out, &len, base, strlen(base));
		mpath_cat(out, &len, ".", 1);
	}
	mpath_cat(out, &len, key, strlen(key));
}

void
mpath_idx(char *out, const char *base, size_t i)
{
	char num[24];
	size_t len = 0, k = sizeof(num);

	num[--k] = ']';
	do
		num[--k] = (char)('0' + i % 10);
	while ((i /= 10) > 0);
	num[--k] = '[';
	out[0] = '\0';
	mpath_cat(out, &len, base, strlen(base));
	mpath_cat(out, &len, num + k, sizeof(num) - k);
}

const char *
ytype_name(const struct ynode *n)
{
	switch (n->type) {
	case YTREE_SEQ:
		return "a list";
	case YTREE_MAP:
		return "a mapping";
	default:
		return "a single value";
	}
}

/*
 * Matches the pairs of a mapping against the known keys. Unknown keys,
 * non-scalar keys and duplicates are reported. A null value counts as an
 * empty mapping. Returns -1 when n is not a mapping (reported).
 */
int
map_fields(struct mload *L, const struct ynode *n, const char *path,
    struct mfield *f, size_t nf)
{
	const struct ynode *k;
	size_t i, j;
	struct buf known;
	char *ek;

	for (j = 0; j < nf; j++)
		f[j].k = f[j].v = NULL;
	if (n == NULL || ytree_is_null(n))
		return 0;
	if (n->type != YTREE_MAP) {
		NDIAG(L, n, "%s: expected a mapping, found %s",
		    path[0] != '\0' ? path : "manifest", ytype_name(n));
		return -1;
	}
	for (i = 0; i + 1 < n->nkids; i += 2) {
		k = n->kids[i];
		if (k->type != YTREE_SCALAR) {
			NDIAG(L, k, "%s: a key must be a plain name, found "
			    "%s", path[0] != '\0' ? path : "manifest",
			    ytype_name(k));
			continue;
		}
		for (j = 0; j < nf; j++)
			if (strcmp(f[j].key, k->str) == 0)
				break;
		ek = str_escape(k->str);
		if (j == nf) {
			buf_init(&known);
			for (j = 0; j < nf; j++)
				buf_printf(&known, "%s%s", j > 0 ? ", " : "",
				    f[j].key);
			if (path[0] != '\0')
				NDIAG(L, k, "%s: unknown key \"%s\" "
				    "(known: %s)", path, ek, known.data);
			else
				NDIAG(L, k, "unknown key \"%s\" (known: %s)",
				    ek, known.data);
			buf_clear(&known);
		} else if (f[j].k != NULL) {
			char p[MPATH_MAX];

			mpath_key(p, path, f[j].key);
			NDIAG(L, k, "%s: duplicate key (first at line %d)",
			    p, f[j].k->line);
		} else {
			f[j].k = k;
			f[j].v = n->kids[i + 1];
		}
		free(ek);
	}
	return 0;
}

/* A scalar as a malloced string; a null value leaves *out NULL. */
int
get_str(struct mload *L, const struct ynode *n, const char *path,
    char **out)
{
	*out = NULL;
	if (n == NULL || ytree_is_null(n))
		return 0;
	if (n->type != YTREE_SCALAR) {
		NDIAG(L, n, "%s: expected a single value, found %s", path,
		    ytype_name(n));
		return -1;
	}
	if (n->len == 0)
		return 0;
	*out = xstrdup(n->str);
	return 0;
}

int
get_bool(struct mload *L, const struct ynode *n, const char *path,
    int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };

	if (n->type == YTREE_SCALAR && n->plain) {
		if (str_index(yes, 3, n->str) >= 0) {
			*out = 1;
			return 0;
		}
		if (str_index(no, 3, n->str) >= 0) {
			*out = 0;
			return 0;
		}
	}
	if (n->type == YTREE_SCALAR)
		mdiag_val(L, n, path, "expected true or false");
	else
		NDIAG(L, n, "%s: expected true or false, found %s", path,
		    ytype_name(n));
	return -1;
}

/*
 * A list of non-empty scalars as a malloced NULL-terminated array (an
 * empty array for a null value). Returns -1 on a wrong type (reported).
 */
int
get_strv(struct mload *L, const struct ynode *n, const char *path,
    char ***out, size_t *nout)
{
	char p[MPATH_MAX];
	char **v;
	size_t i, cnt = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (n != NULL && !ytree_is_null(n) && n->type != YTREE_SEQ) {
		NDIAG(L, n, "%s: expected a list, found %s", path,
		    ytype_name(n));
		return -1;
	}
	v = xcalloc((n != NULL ? n->nkids : 0) + 1, sizeof(*v));
	for (i = 0; n != NULL && i < n->nkids; i++) {
		const struct ynode *it = n->kids[i];

		mpath_idx(p, path, i);
		if (it->type != YTREE_SCALAR) {
			NDIAG(L, it, "%s: expected a single value, found %s",
			    p, ytype_name(it));
			rc = -1;
			continue;
		}
		if (it->len == 0 || ytree_is_null(it)) {
			NDIAG(L, it, "%s: must not be empty", p);
			rc = -1;
			continue;
		}
		v[cnt++] = xstrdup(it->str);
	}
	*out = v;
	*nout = cnt;
	return rc;
}

/* A duration ("25d", "12h", "30m", "90s"; a bare number is seconds). */
int
get_duration(struct mload *L, const struct ynode *n, const char *path,
    long long *out)
{
	long long s;

	if (n->type != YTREE_SCALAR) {
		NDIAG(L, n, "%s: expected a duration (90s, 30m, 12h, 25d), "
		    "found %s", path, ytype_name(n));
		return -1;
	}
	if (duration_parse(n->str, &s) == -1) {
		mdiag_val(L, n, path, "not a duration (90s, 30m, 12h, 25d)");
		return -1;
	}
	if (s <= 0) {
		mdiag_val(L, n, path, "must be longer than zero");
		return -1;
	}
	/* Bounded so that milliseconds and date arithmetic never wrap. */
	if (s > 10LL * 365 * 86400) {
		mdiag_val(L, n, path, "longer than ten years");
		return -1;
	}
	*out = s;
	return 0;
}

static char *
resolve_path(struct mload *L, const char *p)
{
	return path_resolve(L->dir, p);
}

/* A path value resolved against the manifest directory, or NULL. */
void
get_path(struct mload *L, const struct ynode *n, const char *path,
    char **out)
{
	char *s = NULL;

	*out = NULL;
	if (n == NULL || get_str(L, n, path, &s) == -1 || s == NULL)
		return;
	*out = resolve_path(L, s);
	free(s);
}

/* An argv list: at least one non-empty element. */
void
get_argv(struct mload *L, const struct ynode *n, const char *path,
    char ***out)
{
	size_t cnt;

	*out = NULL;
	if (n == NULL || ytree_is_null(n))
		return;
	if (n->type != YTREE_SEQ) {
		NDIAG(L, n, "%s: expected a list (argv, run without a shell: "
		    "[systemctl, reload, nginx]), found %s", path,
		    ytype_name(n));
		return;
	}
	if (get_strv(L, n, path, out, &cnt) == -1 || cnt == 0) {
		if (cnt == 0 && n->nkids == 0)
			NDIAG(L, n, "%s: must not be empty", path);
		strv_free(*out);
		*out = NULL;
	}
}

/* A non-empty token (profile names): printable ASCII, no spaces. */
int
token_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s >= 0x7f)
			return 0;
	return 1;
}

struct mpos
node_pos(const struct ynode *n)
{
	struct mpos p = { 1, 1 };

	if (n != NULL) {
		p.line = n->line;
		p.col = n->col;
	}
	return p;
}

/* What a duplicate is reported at (list_dups_report()). */
struct dups {
	struct mload		*L;
	const struct ynode	*list;
	const int		*orig;
	const char		*base, *member, *what;
};

/* The value of key in the map n; NULL if none (or n is no map). */
static const struct ynode *
map_value(const struct ynode *n, const char *key)
{
	size_t i;

	if (n->type != YTREE_MAP)
		return NULL;
	for (i = 0; i + 1 < n->nkids; i += 2)
		if (n->kids[i]->type == YTREE_SCALAR &&
		    strcmp(n->kids[i]->str, key) == 0)
			return n->kids[i + 1];
	return NULL;
}

/* Item i's node, and its path into q (MPATH_MAX). */
static const struct ynode *
dups_place(const struct dups *d, size_t i, char *q)
{
	const struct ynode *kid;
	char k[MPATH_MAX];

	if (d->orig != NULL)
		i = (size_t)d->orig[i];
	kid = d->list->kids[i];
	mpath_idx(q, d->base, i);
	if (d->member == NULL)
		return kid;
	memcpy(k, q, MPATH_MAX);
	mpath_key(q, k, d->member);
	return map_value(kid, d->member);
}

static void
dups_report(struct dups *d, size_t i, size_t first)
{
	const struct ynode *n, *f;
	char q[MPATH_MAX], qf[MPATH_MAX];

	n = dups_place(d, i, q);
	f = dups_place(d, first, qf);
	NDIAG(d->L, n, "%s: duplicate %s (first at line %d)", q, d->what,
	    f->line);
}

void
list_dups_report(struct mload *L, const struct ynode *list,
    const char *const *keys, size_t n, const int *orig, const char *base,
    const char *member, const char *what)
{
	struct dups d = { .L = L, .list = list, .orig = orig, .base = base,
	    .member = member, .what = what };
	struct str_ref *s;
	size_t i, first = 0;

	/* Sorted: O(n log n) for a fleet's names; each later copy is
	   reported at its place, with the line of the first. */
	if (n < 2)
		return;
	s = xcalloc(n, sizeof(*s));
	for (i = 0; i < n; i++) {
		s[i].s = keys[i] != NULL ? keys[i] : "";
		s[i].i = i;
	}
	qsort(s, n, sizeof(*s), str_ref_cmp);
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(s[i].s, s[i - 1].s) != 0)
			first = s[i].i;
		else if (keys[s[i].i] != NULL)
			dups_report(&d, s[i].i, first);
	}
	free(s);
}
