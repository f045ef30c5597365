/*
 * check "manifest": consistency across certificates that the loader cannot
 * call an error on its own: a hostname claimed by two certificates (the
 * listeners would serve whichever was written last). A listener that
 * serves several certificates is normal (SNI): it gets one line, on the
 * certificate the server falls back to when a client names none of them,
 * never one line per pair.
 *
 * Hostnames and listeners of the whole manifest are sorted once per check
 * environment (check_manifest_index_new()), so that each certificate's
 * check is a few binary searches, not a walk over the whole fleet.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/str.h"
#include "checks/check.h"
#include "manifest/manifest.h"

/* Other certificates named in one line, at most. */
#define NAMES_SHOWN	3

struct lst_ref {
	const struct mlistener *l;
	size_t		 cert;
	/* Set on the first entry of each listener (same server, service,
	   address): how many certificates share it, and the default. */
	size_t		 ncerts;
	size_t		 def;
};

struct check_manifest_index {
	const struct manifest	*m;
	struct str_ref		*hosts;	/* hostname, index in m->certs */
	size_t			 nhosts;
	struct lst_ref		*lsts;
	size_t			 nlsts;
};

/* Same server, service and address: the same listening socket. */
static int
cmp_lst_key(const struct mlistener *a, const struct mlistener *b)
{
	if (a->server != b->server)
		return a->server < b->server ? -1 : 1;
	if (a->service != b->service)
		return a->service < b->service ? -1 : 1;
	return strcmp(a->address, b->address);
}

static int
cmp_lst(const void *a, const void *b)
{
	const struct lst_ref *x = a, *y = b;
	int c = cmp_lst_key(x->l, y->l);

	return c != 0 ? c : (x->cert > y->cert) - (x->cert < y->cert);
}

/*
 * Which certificate a listener shared by several falls back to: nginx
 * takes the first server block it reads, and its include glob reads
 * <name>.conf in name order; Axigen's CLI script updates the listener
 * once per certificate, so the last one stays; the other renderers put
 * the manifest's first certificate first.
 */
static size_t
lst_default(const struct check_manifest_index *ix, size_t first, size_t end)
{
	const struct manifest *m = ix->m;
	size_t i, best = ix->lsts[first].cert;

	/* Entries are sorted by certificate index within a listener. */
	if (ix->lsts[first].l->server == SERVER_AXIGEN)
		return ix->lsts[end - 1].cert;
	if (ix->lsts[first].l->server != SERVER_NGINX)
		return best;
	for (i = first + 1; i < end; i++)
		if (strcmp(m->certs[ix->lsts[i].cert].name,
		    m->certs[best].name) < 0)
			best = ix->lsts[i].cert;
	return best;
}

struct check_manifest_index *
check_manifest_index_new(const struct manifest *m)
{
	struct check_manifest_index *ix;
	size_t i, j, nh = 0, nl = 0;

	ix = xcalloc(1, sizeof(*ix));
	ix->m = m;
	for (i = 0; i < m->ncerts; i++) {
		nh += m->certs[i].nhostnames;
		nl += m->certs[i].nlisteners;
	}
	ix->hosts = xcalloc(nh + 1, sizeof(*ix->hosts));
	ix->lsts = xcalloc(nl + 1, sizeof(*ix->lsts));
	for (i = 0; i < m->ncerts; i++) {
		for (j = 0; j < m->certs[i].nhostnames; j++) {
			ix->hosts[ix->nhosts].s = m->certs[i].hostnames[j];
			ix->hosts[ix->nhosts++].i = i;
		}
		for (j = 0; j < m->certs[i].nlisteners; j++) {
			ix->lsts[ix->nlsts].l = &m->certs[i].listeners[j];
			ix->lsts[ix->nlsts++].cert = i;
		}
	}
	qsort(ix->hosts, ix->nhosts, sizeof(*ix->hosts), str_ref_cmp);
	qsort(ix->lsts, ix->nlsts, sizeof(*ix->lsts), cmp_lst);
	for (i = 0; i < ix->nlsts; i = j) {
		struct lst_ref *g = &ix->lsts[i];

		g->ncerts = 1;
		for (j = i + 1; j < ix->nlsts &&
		    cmp_lst_key(ix->lsts[j].l, g->l) == 0; j++)
			if (ix->lsts[j].cert != ix->lsts[j - 1].cert)
				g->ncerts++;
		g->def = lst_default(ix, i, j);
	}
	return ix;
}

void
check_manifest_index_free(struct check_manifest_index *ix)
{
	if (ix == NULL)
		return;
	FREE_ALL(ix->hosts, ix->lsts, ix);
}

/*
 * The first element of the sorted array v[0..n) (elements of sz bytes)
 * that cmp(key, element) finds equal to key, or SIZE_MAX.
 */
static size_t
sorted_first(const void *v, size_t n, size_t sz, const void *key,
    int (*cmp)(const void *, const void *))
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp(key, (const char *)v + mid * sz) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && cmp(key, (const char *)v + lo * sz) == 0 ?
	    lo : SIZE_MAX;
}

static int
cmp_host_name(const void *name, const void *ref)
{
	return strcmp(name, ((const struct str_ref *)ref)->s);
}

static int
cmp_lst_ref(const void *l, const void *ref)
{
	return cmp_lst_key(l, ((const struct lst_ref *)ref)->l);
}

/* The first entry of hosts whose name is name (SIZE_MAX: none). */
static size_t
host_first(const struct check_manifest_index *ix, const char *name)
{
	return sorted_first(ix->hosts, ix->nhosts, sizeof(*ix->hosts), name,
	    cmp_host_name);
}

static size_t
lst_first(const struct check_manifest_index *ix, const struct mlistener *l)
{
	return sorted_first(ix->lsts, ix->nlsts, sizeof(*ix->lsts), l,
	    cmp_lst_ref);
}

/* "certificate b" or "certificates b, c, d and 7 more". */
static void
names_line(struct buf *b, const struct manifest *m, const size_t *certs,
    size_t n)
{
	size_t i;

	buf_printf(b, "certificate%s ", n == 1 ? "" : "s");
	for (i = 0; i < n && i < NAMES_SHOWN; i++)
		buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " :
		    ", ", m->certs[certs[i]].name);
	if (n > NAMES_SHOWN)
		buf_printf(b, " and %zu more", n - NAMES_SHOWN);
}

static int
check_hostnames(const struct check_manifest_index *ix, size_t ci,
    struct check_results *out)
{
	const struct mcert *c = &ix->m->certs[ci];
	size_t i, k, n, *others;
	struct buf b;
	int problems = 0;

	others = xcalloc(ix->m->ncerts + 1, sizeof(*others));
	for (i = 0; i < c->nhostnames; i++) {
		n = 0;
		for (k = host_first(ix, c->hostnames[i]); k < ix->nhosts &&
		    strcmp(ix->hosts[k].s, c->hostnames[i]) == 0; k++)
			if (ix->hosts[k].i != ci &&
			    strcmp(ix->m->certs[ix->hosts[k].i].name,
			    c->name) != 0 &&
			    (n == 0 || others[n - 1] != ix->hosts[k].i))
				others[n++] = ix->hosts[k].i;
		if (n == 0)
			continue;
		buf_init(&b);
		names_line(&b, ix->m, others, n);
		check_results_add(out, "manifest", c->hostnames[i], CHECK_WARN,
		    "%s is also a hostname of %s", c->hostnames[i], b.data);
		buf_clear(&b);
		problems++;
	}
	free(others);
	return problems;
}

/* One line per shared listener, on its default certificate only. */
static void
check_listeners(const struct check_manifest_index *ix, size_t ci,
    struct check_results *out)
{
	const struct manifest *m = ix->m;
	const struct mcert *c = &m->certs[ci];
	size_t i, j, k;

	for (i = 0; i < c->nlisteners; i++) {
		const struct mlistener *l = &c->listeners[i];

		for (j = 0; j < i; j++)		/* listed twice: once */
			if (cmp_lst_key(&c->listeners[j], l) == 0)
				break;
		if (j < i || (k = lst_first(ix, l)) == SIZE_MAX ||
		    ix->lsts[k].ncerts < 2 || ix->lsts[k].def != ci)
			continue;
		check_results_add(out, "manifest", NULL, CHECK_PASS,
		    "%s %s %s serves %zu certificates by SNI; %s is the "
		    "default", server_kind_names[l->server],
		    service_kind_names[l->service], l->address,
		    ix->lsts[k].ncerts, c->name);
	}
}

static int
check_manifest_run(const struct check_env *env, const struct mcert *c,
    struct check_results *out)
{
	struct check_manifest_index *own = NULL;
	const struct check_manifest_index *ix = env->manifest_index;
	const struct manifest *m = env->m;
	size_t ci;

	if (ix == NULL)
		ix = own = check_manifest_index_new(m);
	/* c is one of m->certs (checks_run_all passes them), else look it
	   up by name. */
	if ((uintptr_t)c >= (uintptr_t)m->certs && (uintptr_t)c <
	    (uintptr_t)(m->certs + m->ncerts))
		ci = (size_t)((uintptr_t)c - (uintptr_t)m->certs) /
		    sizeof(*c);
	else
		for (ci = 0; ci < m->ncerts &&
		    strcmp(m->certs[ci].name, c->name) != 0; ci++)
			;
	if (ci == m->ncerts) {
		check_manifest_index_free(own);
		return 0;	/* not a certificate of this manifest */
	}
	if (check_hostnames(ix, ci, out) == 0)
		check_results_add(out, "manifest", NULL, CHECK_PASS,
		    "certificate %s is consistent with the others", c->name);
	check_listeners(ix, ci, out);
	check_manifest_index_free(own);
	return 0;
}

const struct check check_manifest = {
	.name = "manifest",
	.run = check_manifest_run,
};
