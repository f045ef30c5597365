/*
 * statesum.c - the summary of a fleet's states (statesum.h).
 *
 * The blobs "cache/states.<k>" are text, one line per certificate after
 * a header line (chunk k of n):
 *
 *   certkeep state summary 1 <k> <n>
 *   <name> TAB <state id> TAB <cert id> TAB <chain id> TAB <key id>
 *          TAB <certinfo fields> TAB <certstate fields>
 *
 * An id is "dev:ino:size:mtime_ns:ctime_ns" (as in the verified record);
 * a string field is "-" for none or "=" and the text with backslash,
 * tab, newline and carriage return escaped; a number is decimal; a list
 * is its length, then its items (length -1: none). The order of the
 * fields is the order of put_entry() and get_entry(), which must agree;
 * statesum_put() checks that an entry reads back as the state it was
 * made from before keeping it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/par.h"
#include "store/certinfo.h"
#include "store/state.h"
#include "store/statesum.h"
#include "store/store.h"

/* Chunks "cache/states.0", ".1", ...: each small enough for any backend
   (and under the store's limit of a blob); each starts with the header
   and "<k> <n>\n", chunk k of n. */
#define SUM_KEY		"cache/states"
#define SUM_HEADER	"certkeep state summary 1 "
#define SUM_CHUNK_MAX	(768 * 1024)
#define SUM_CHUNKS_MAX	100000

/* The set files an entry vouches for: those the record covers. */
static const enum store_file sum_files[3] = {
	STORE_F_CERT, STORE_F_CHAIN, STORE_F_KEY,
};

/* The identities an entry is checked against: taken at its lookup, or
   ahead of it by statesum_prefetch(). */
struct sum_ids {
	int	 state_rc, set_rc;	/* as store_stat_state(), _set() */
	struct store_fileid sid;
	struct store_setid id;
};

struct sum_entry {
	char	*name;		/* malloced */
	char	*line;		/* the whole line, name first, no newline;
				   malloced */
	int	 used;		/* looked up this run */
	int	 stale;		/* looked up and found out of date */
	int	 made;		/* made (or made again) this run */
	struct sum_ids *pre;	/* taken ahead of the lookup; malloced */
};

struct statesum {
	struct sum_entry *v;	/* sorted by name */
	size_t	 n, cap;
	long	 nchunks;	/* as loaded */
	size_t	 hits;		/* entries statesum_use() vouched for */
	int	 for_save;	/* lines kept after use, to be written */
	struct sum_entry *add;	/* made for names v does not have */
	size_t	 nadd, addcap;
	size_t	 next;		/* where the next lookup looks first */
	int	 dirty;
};

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sum_entry *)a)->name,
	    ((const struct sum_entry *)b)->name);
}

static int
name_cmp(const void *key, const void *ent)
{
	return strcmp(key, ((const struct sum_entry *)ent)->name);
}

static struct sum_entry *
sum_find(struct statesum *sum, const char *name)
{
	struct sum_entry *e;

	/* A manifest lists its certificates in the order the last save
	   wrote them, mostly: try the one after the last first. */
	if (sum->next < sum->n && strcmp(sum->v[sum->next].name, name) == 0)
		e = &sum->v[sum->next];
	else
		e = sum->n == 0 ? NULL :
		    bsearch(name, sum->v, sum->n, sizeof(*sum->v), name_cmp);
	if (e != NULL)
		sum->next = (size_t)(e - sum->v) + 1;
	return e;
}

/* Adds the entries of chunk k (its header says "k n"); -1 when the chunk
   is not the one wanted (n then 0). Lines that cannot be named are left
   out, and the summary is then written afresh. */
static int
sum_parse_chunk(struct statesum *sum, char *data, size_t len, long k,
    long *n)
{
	char *p, *nl, *tab, *end;
	long got;

	*n = 0;
	if (len < sizeof(SUM_HEADER) || data[len - 1] != '\n' ||
	    memcmp(data, SUM_HEADER, sizeof(SUM_HEADER) - 1) != 0 ||
	    memchr(data, '\0', len) != NULL)
		return -1;
	p = data + sizeof(SUM_HEADER) - 1;
	errno = 0;
	got = strtol(p, &end, 10);
	if (errno != 0 || end == p || got != k || *end != ' ')
		return -1;
	p = end + 1;
	*n = strtol(p, &end, 10);
	if (errno != 0 || end == p || *end != '\n' || *n <= k ||
	    *n > SUM_CHUNKS_MAX) {
		*n = 0;
		return -1;
	}
	for (p = end + 1; p < data + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(data + len - p));
		if ((tab = memchr(p, '\t', (size_t)(nl - p))) == NULL ||
		    tab == p) {
			sum->dirty = 1;
			continue;
		}
		if (sum->n == sum->cap) {
			sum->cap = sum->cap != 0 ? sum->cap * 2 : 256;
			sum->v = xrealloc(sum->v, sum->cap * sizeof(*sum->v));
		}
		memset(&sum->v[sum->n], 0, sizeof(*sum->v));
		sum->v[sum->n].name = xstrndup(p, (size_t)(tab - p));
		sum->v[sum->n].line = xstrndup(p, (size_t)(nl - p));
		sum->n++;
	}
	return 0;
}

static char *
chunk_key(long k)
{
	char num[32];

	snprintf(num, sizeof(num), "%ld", k);
	return xstrcat(SUM_KEY ".", num, NULL);
}

struct statesum *
statesum_load(struct store *s, int for_save)
{
	struct statesum *sum;
	struct err e;
	char *data, *key;
	size_t len, i;
	long k, n, nk;
	int r;

	if (!store_can_stat_state(s))
		return NULL;	/* not even a read: a no-op run asks etcd once */
	sum = xcalloc(1, sizeof(*sum));
	sum->for_save = for_save;
	err_clear(&e);
	for (k = 0, n = 1; k < n; k++) {
		data = NULL;
		key = chunk_key(k);
		r = store_get_blob(s, key, &data, &len, &e);
		free(key);
		if (r != 1) {
			/* None at all is an empty summary; a chunk missing
			   (a save cut short) is written again. */
			sum->dirty |= k > 0;
			free(data);
			break;
		}
		if (sum_parse_chunk(sum, data, len, k, &nk) == -1) {
			sum->dirty = 1;
			free(data);
			break;
		}
		free(data);
		if (k == 0)
			n = nk;
		else if (nk != n)
			sum->dirty = 1;
		sum->nchunks = n;
	}
	if (sum->n > 1)
		qsort(sum->v, sum->n, sizeof(*sum->v), entry_cmp);
	for (i = 1; i < sum->n; i++)
		if (strcmp(sum->v[i - 1].name, sum->v[i].name) == 0) {
			/* Two entries for one name: neither is trusted. */
			sum->v[i - 1].stale = sum->v[i].stale = 1;
			sum->dirty = 1;
		}
	return sum;
}

void
statesum_free(struct statesum *sum)
{
	size_t i;

	if (sum == NULL)
		return;
	for (i = 0; i < sum->n; i++) {
		free(sum->v[i].name);
		free(sum->v[i].line);
		free(sum->v[i].pre);
	}
	for (i = 0; i < sum->nadd; i++) {
		free(sum->add[i].name);
		free(sum->add[i].line);
	}
	free(sum->v);
	free(sum->add);
	free(sum);
}

/* --- writing an entry --- */

static void
put_str(struct buf *b, const char *s)
{
	const char *p, *run;

	if (s == NULL) {
		buf_puts(b, "\t-");
		return;
	}
	buf_puts(b, "\t=");
	for (p = run = s; *p != '\0'; p++) {
		if (*p != '\\' && *p != '\t' && *p != '\n' && *p != '\r')
			continue;
		buf_append(b, run, (size_t)(p - run));
		buf_puts(b, *p == '\\' ? "\\\\" : *p == '\t' ? "\\t" :
		    *p == '\n' ? "\\n" : "\\r");
		run = p + 1;
	}
	buf_append(b, run, (size_t)(p - run));
}

static void
put_num(struct buf *b, long long v)
{
	buf_printf(b, "\t%lld", v);
}

static void
put_list(struct buf *b, char *const *v)
{
	size_t n;

	if (v == NULL) {
		put_num(b, -1);
		return;
	}
	for (n = 0; v[n] != NULL; n++)
		;
	put_num(b, (long long)n);
	for (n = 0; v[n] != NULL; n++)
		put_str(b, v[n]);
}

static void
put_id(struct buf *b, const struct store_fileid *f)
{
	buf_printf(b, "\t%llu:%llu:%lld:%lld:%lld", f->dev, f->ino, f->size,
	    f->mtime_ns, f->ctime_ns);
}

/* The fields after the identities. */
static void
put_entry(struct buf *b, const struct certstate *st,
    const struct certinfo *info)
{
	const struct ari_state *a = &st->ari;

	put_num(b, (long long)info->not_before);
	put_num(b, (long long)info->not_after);
	put_num(b, info->key_type);
	put_num(b, info->key_bits);
	put_str(b, info->issuer);
	put_str(b, info->issuer_cn);
	put_str(b, info->serial);
	put_str(b, info->ari_id);
	put_list(b, info->sans);

	put_list(b, st->hostnames);
	put_num(b, st->key_type);
	put_str(b, st->profile);
	put_str(b, st->serial);
	put_num(b, (long long)st->issued_at);
	put_str(b, st->order_url);
	put_num(b, (long long)st->order_started);
	put_num(b, st->consecutive_failures);
	put_num(b, (long long)st->backoff_until);
	put_num(b, (long long)st->last_error_time);
	put_str(b, st->last_error_type);
	put_str(b, st->last_error_detail);
	put_num(b, st->revoked);
	put_str(b, st->revoked_serial);
	put_num(b, (long long)st->revoked_at);
	put_num(b, (long long)st->last_expiring_notice);
	put_str(b, a->cert_id);
	put_num(b, (long long)a->window_start);
	put_num(b, (long long)a->window_end);
	put_num(b, (long long)a->chosen);
	put_num(b, (long long)a->retry_after);
	put_str(b, a->explanation_url);
	put_num(b, (long long)a->last_poll);
	put_num(b, a->failures);
	put_str(b, a->url);
	put_num(b, a->unsupported);
}

/* --- reading an entry: a cursor over one line's fields --- */

struct cursor {
	const char *p;		/* at the tab before the next field */
	int	 bad;
};

/* The next field's text and length; NULL (and c->bad) at the end. */
static const char *
field(struct cursor *c, size_t *n)
{
	const char *f, *end;

	if (c->bad || *c->p != '\t') {
		c->bad = 1;
		return NULL;
	}
	f = c->p + 1;
	for (end = f; *end != '\0' && *end != '\t'; end++)
		;
	*n = (size_t)(end - f);
	c->p = end;
	return f;
}

static long long
get_num(struct cursor *c, long long lo, long long hi)
{
	const char *f;
	char tmp[32], *end;
	long long v;
	size_t n;

	if ((f = field(c, &n)) == NULL)
		return 0;
	if (n == 0 || n >= sizeof(tmp)) {
		c->bad = 1;
		return 0;
	}
	memcpy(tmp, f, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi) {
		c->bad = 1;
		return 0;
	}
	return v;
}

#define T_MIN	(-(1LL << 52))
#define T_MAX	(1LL << 52)

static time_t
get_time(struct cursor *c)
{
	return (time_t)get_num(c, T_MIN, T_MAX);
}

/* A malloced string, or NULL for "-" (and on error, c->bad). */
static char *
get_str(struct cursor *c)
{
	const char *f;
	char *out, *q;
	size_t n, i;

	if ((f = field(c, &n)) == NULL)
		return NULL;
	if (n == 1 && f[0] == '-')
		return NULL;
	if (n == 0 || f[0] != '=') {
		c->bad = 1;
		return NULL;
	}
	out = q = xmalloc(n);
	for (i = 1; i < n; i++) {
		if (f[i] != '\\') {
			*q++ = f[i];
			continue;
		}
		if (++i == n) {
			c->bad = 1;
			break;
		}
		*q++ = f[i] == 't' ? '\t' : f[i] == 'n' ? '\n' :
		    f[i] == 'r' ? '\r' : f[i];
	}
	*q = '\0';
	return out;
}

/* A NULL-terminated malloced list; NULL for none (length -1). */
static char **
get_list(struct cursor *c, size_t *np)
{
	long long n, i;
	char **v;

	*np = 0;
	n = get_num(c, -1, 100000);
	if (c->bad || n < 0)
		return NULL;
	v = xcalloc((size_t)n + 1, sizeof(*v));
	for (i = 0; i < n && !c->bad; i++)
		if ((v[i] = get_str(c)) == NULL)
			c->bad = 1;
	*np = (size_t)n;
	return v;
}

static void
get_id(struct cursor *c, struct store_fileid *id)
{
	const char *f;
	char tmp[128], *p, *end;
	long long v[5];
	size_t n;
	int k;

	memset(id, 0, sizeof(*id));
	if ((f = field(c, &n)) == NULL)
		return;
	if (n >= sizeof(tmp)) {
		c->bad = 1;
		return;
	}
	memcpy(tmp, f, n);
	tmp[n] = '\0';
	for (k = 0, p = tmp; k < 5; k++, p = end + 1) {
		errno = 0;
		v[k] = k < 2 ? (long long)strtoull(p, &end, 10) :
		    strtoll(p, &end, 10);
		if (errno != 0 || end == p || *end != (k < 4 ? ':' : '\0')) {
			c->bad = 1;
			return;
		}
	}
	id->present = 1;
	id->dev = (unsigned long long)v[0];
	id->ino = (unsigned long long)v[1];
	id->size = v[2];
	id->mtime_ns = v[3];
	id->ctime_ns = v[4];
}

/* Fills st and info from the fields of c (after the identities); -1
   when a field is missing, malformed or left over. */
static int
get_entry(struct cursor *c, struct certstate *st, struct certinfo *info)
{
	struct ari_state *a = &st->ari;

	certstate_init(st);
	memset(info, 0, sizeof(*info));
	info->not_before = get_time(c);
	info->not_after = get_time(c);
	info->key_type = (int)get_num(c, -1, 1000);
	info->key_bits = (int)get_num(c, 0, 1 << 20);
	info->issuer = get_str(c);
	info->issuer_cn = get_str(c);
	info->serial = get_str(c);
	info->ari_id = get_str(c);
	info->sans = get_list(c, &info->nsans);

	st->hostnames = get_list(c, &st->nhostnames);
	st->key_type = (int)get_num(c, -1, 1000);
	st->profile = get_str(c);
	st->serial = get_str(c);
	st->issued_at = get_time(c);
	st->order_url = get_str(c);
	st->order_started = get_time(c);
	st->consecutive_failures = (int)get_num(c, 0, 1000000000);
	st->backoff_until = get_time(c);
	st->last_error_time = get_time(c);
	st->last_error_type = get_str(c);
	st->last_error_detail = get_str(c);
	st->revoked = (int)get_num(c, 0, 1);
	st->revoked_serial = get_str(c);
	st->revoked_at = get_time(c);
	st->last_expiring_notice = get_time(c);
	a->cert_id = get_str(c);
	a->window_start = get_time(c);
	a->window_end = get_time(c);
	a->chosen = get_time(c);
	a->retry_after = get_time(c);
	a->explanation_url = get_str(c);
	a->last_poll = get_time(c);
	a->failures = (int)get_num(c, 0, 1000000000);
	a->url = get_str(c);
	a->unsupported = (int)get_num(c, 0, 1);
	/* What a verified record always has. */
	if (c->bad || *c->p != '\0' || info->issuer == NULL ||
	    info->serial == NULL || info->sans == NULL) {
		certstate_clear(st);
		certinfo_clear(info);
		return -1;
	}
	info->status = CERTINFO_OK;
	st->lean = 1;
	return 0;
}

/* Stats name's state file and set (from several threads at once: see
   backend.h). */
static void
ids_take(struct store *s, const char *name, struct sum_ids *ids)
{
	struct err e;

	err_clear(&e);
	ids->state_rc = store_stat_state(s, name, &ids->sid, &e);
	ids->set_rc = store_stat_set(s, name, &ids->id, &e);
}

static int
id_same(const struct store_fileid *a, const struct store_fileid *b)
{
	return a->present && b->present && a->dev == b->dev &&
	    a->ino == b->ino && a->size == b->size &&
	    a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* A reader that never saves needs a line once only. */
static void
sum_drop_line(struct statesum *sum, struct sum_entry *ent)
{
	if (sum->for_save)
		return;
	free(ent->line);
	ent->line = NULL;
	ent->stale = 1;		/* not to be used again */
}

int
statesum_use(struct statesum *sum, struct store *s, const char *name,
    struct certstate *st, struct certinfo *info, struct store_setid *id)
{
	struct store_fileid want[4];
	struct sum_ids now;
	struct sum_entry *ent;
	struct cursor c;
	size_t k;

	certstate_init(st);
	memset(info, 0, sizeof(*info));
	info->key_type = -1;
	memset(id, 0, sizeof(*id));
	if (sum == NULL || (ent = sum_find(sum, name)) == NULL || ent->stale)
		return 0;
	ent->used = 1;
	c.p = ent->line + strlen(ent->name);	/* the tab after the name */
	c.bad = 0;
	for (k = 0; k < 4; k++)
		get_id(&c, &want[k]);
	if (c.bad)
		goto stale;
	/* Taken by statesum_prefetch() before this lookup, or now. */
	if (ent->pre != NULL) {
		now = *ent->pre;
		free(ent->pre);
		ent->pre = NULL;
	} else
		ids_take(s, name, &now);
	*id = now.id;
	if (now.state_rc != 1 || !id_same(&now.sid, &want[0]) ||
	    now.set_rc != 1)
		goto stale;
	for (k = 0; k < 3; k++)
		if (!id_same(&id->f[sum_files[k]], &want[k + 1]))
			goto stale;
	if (get_entry(&c, st, info) == -1)
		goto stale;
	certinfo_key_mode_warn(info, id->f[STORE_F_KEY].mode);
	sum->hits++;
	sum_drop_line(sum, ent);
	return 1;
stale:
	ent->stale = 1;
	sum->dirty = 1;
	memset(id, 0, sizeof(*id));
	sum_drop_line(sum, ent);
	return 0;
}

struct prefetch {
	struct store *s;
	struct sum_entry **ents;
};

static void
prefetch_one(void *arg, size_t i)
{
	struct prefetch *p = arg;

	ids_take(p->s, p->ents[i]->name, p->ents[i]->pre);
}

void
statesum_prefetch(struct statesum *sum, struct store *s,
    const char *const *names, size_t n)
{
	struct prefetch p;
	struct sum_entry *ent;
	size_t i, k = 0;
	int threads;

	if (sum == NULL || (threads = par_threads(n)) <= 1)
		return;
	p.s = s;
	p.ents = xcalloc(n + 1, sizeof(*p.ents));
	for (i = 0; i < n; i++) {
		if (names[i] == NULL ||
		    (ent = sum_find(sum, names[i])) == NULL ||
		    ent->stale || ent->pre != NULL)
			continue;
		ent->pre = xcalloc(1, sizeof(*ent->pre));
		p.ents[k++] = ent;
	}
	par_for(k, threads, prefetch_one, &p);
	free(p.ents);
}

/* The whole line of an entry (no newline); malloced. */
static char *
entry_line(const char *name, const struct store_fileid *sid,
    const struct certstate *st, const struct certinfo *info,
    const struct store_setid *id)
{
	struct buf b;
	size_t k;

	buf_init(&b);
	buf_puts(&b, name);
	put_id(&b, sid);
	for (k = 0; k < 3; k++)
		put_id(&b, &id->f[sum_files[k]]);
	put_entry(&b, st, info);
	return buf_steal(&b);
}

/* Whether line reads back as st and info: every member the state would
   save, and every member of info a record gives. */
static int
entry_round_trips(const char *line, const char *name,
    const struct certstate *st, const struct certinfo *info)
{
	struct certstate st2;
	struct certinfo info2;
	struct store_fileid ids[4];
	struct cursor c;
	cJSON *a = NULL, *b = NULL;
	char *again = NULL;
	size_t k;
	int same = 0;

	c.p = line + strlen(name);
	c.bad = 0;
	for (k = 0; k < 4; k++)
		get_id(&c, &ids[k]);
	if (c.bad || get_entry(&c, &st2, &info2) == -1)
		return 0;
	/* The unknown members are the file's in both. */
	st2.extra = st->extra;
	st2.extra_text = st->extra_text;
	a = certstate_to_json(st);
	b = certstate_to_json(&st2);
	st2.extra = NULL;
	st2.extra_text = NULL;
	same = cJSON_Compare(a, b, 1) &&
	    info2.not_before == info->not_before &&
	    info2.not_after == info->not_after &&
	    info2.key_type == info->key_type &&
	    info2.key_bits == info->key_bits;
	if (same) {
		struct store_setid id2;

		memset(&id2, 0, sizeof(id2));
		for (k = 0; k < 3; k++)
			id2.f[sum_files[k]] = ids[k + 1];
		again = entry_line(name, &ids[0], st, &info2, &id2);
		same = strcmp(again, line) == 0;
	}
	free(again);
	cJSON_Delete(a);
	cJSON_Delete(b);
	certstate_clear(&st2);
	certinfo_clear(&info2);
	return same;
}

void
statesum_put(struct statesum *sum, const char *name,
    const struct store_fileid *sid, const struct certstate *st,
    const struct certinfo *info, const struct store_setid *id)
{
	struct sum_entry *ent;
	char *line;
	size_t k;

	if (sum == NULL || info->status != CERTINFO_OK || !sid->present ||
	    strchr(name, '\t') != NULL || strchr(name, '\n') != NULL)
		return;
	for (k = 0; k < 3; k++)
		if (!id->f[sum_files[k]].present)
			return;
	line = entry_line(name, sid, st, info, id);
	if (!entry_round_trips(line, name, st, info)) {
		free(line);
		return;
	}
	if ((ent = sum_find(sum, name)) != NULL) {
		if (!ent->stale && strcmp(ent->line, line) == 0) {
			ent->used = 1;
			free(line);
			return;
		}
		free(ent->line);
	} else {
		if (sum->nadd == sum->addcap) {
			sum->addcap = sum->addcap != 0 ? sum->addcap * 2 : 64;
			sum->add = xrealloc(sum->add, sum->addcap *
			    sizeof(*sum->add));
		}
		ent = &sum->add[sum->nadd++];
		memset(ent, 0, sizeof(*ent));
		ent->name = xstrdup(name);
	}
	ent->line = line;
	ent->used = ent->made = 1;
	ent->stale = 0;
	sum->dirty = 1;
}

size_t
statesum_hits(const struct statesum *sum)
{
	return sum != NULL ? sum->hits : 0;
}

/* Appends the line of ent to the chunks in b (a new chunk when it would
   pass SUM_CHUNK_MAX); *nb counts them. */
static void
sum_add_line(struct buf **b, size_t *nb, const char *line)
{
	size_t n = strlen(line) + 1;

	if (n + 64 > SUM_CHUNK_MAX)
		return;		/* an entry this large is not summed up */
	if (*nb == 0 || (*b)[*nb - 1].len + n > SUM_CHUNK_MAX) {
		*b = xrealloc(*b, (*nb + 1) * sizeof(**b));
		buf_init(&(*b)[(*nb)++]);
	}
	buf_puts(&(*b)[*nb - 1], line);
	buf_puts(&(*b)[*nb - 1], "\n");
}

int
statesum_save(struct statesum *sum, struct store *s, int keep_untouched,
    struct err *e)
{
	struct buf *b = NULL, out;
	char *key, num[64];
	size_t i, nb = 0;
	long k;
	int rc = 0;

	if (sum == NULL)
		return 0;
	for (i = 0; i < sum->n && !sum->dirty; i++)
		if (!sum->v[i].used && !keep_untouched)
			sum->dirty = 1;
	if (!sum->dirty)
		return 0;
	for (i = 0; i < sum->n; i++)
		if (!sum->v[i].stale && (sum->v[i].used || keep_untouched))
			sum_add_line(&b, &nb, sum->v[i].line);
	for (i = 0; i < sum->nadd; i++)
		sum_add_line(&b, &nb, sum->add[i].line);
	/* Chunk by chunk: a save cut short leaves chunks of two saves,
	   and each entry is still checked against its files on use. */
	for (k = 0; k < (long)nb || (k == 0 && nb == 0); k++) {
		buf_init(&out);
		snprintf(num, sizeof(num), "%ld %ld\n", k, nb > 0 ? (long)nb :
		    1L);
		buf_puts(&out, SUM_HEADER);
		buf_puts(&out, num);
		if (k < (long)nb)
			buf_append(&out, b[k].data, b[k].len);
		key = chunk_key(k);
		if (rc == 0)
			rc = store_put_blob(s, key, out.data, out.len, 0600, e);
		free(key);
		buf_clear(&out);
	}
	for (; rc == 0 && k < sum->nchunks; k++) {
		key = chunk_key(k);
		rc = store_del_blob(s, key, e);
		free(key);
	}
	for (i = 0; i < nb; i++)
		buf_clear(&b[i]);
	free(b);
	if (rc == 0)
		sum->dirty = 0;
	return rc;
}
