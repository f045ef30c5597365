/*
 * manifest.c - the manifest loader (SPEC section 2): a YAML tree from
 * ytree.c is walked key by key into the typed structs of manifest.h, with
 * defaults, path resolution and validation. Every problem becomes one
 * diagnostic with its line and column; they are sorted by position and
 * handed to the caller all at once. Loading writes nothing anywhere.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/util.h"
#include "manifest/manifest.h"
#include "manifest/ytree.h"

const char *const chall_type_names[CHALL__MAX] = { "http-01", "dns-01" };
const char *const server_kind_names[SERVER__MAX] = {
	"axigen", "dovecot", "postfix", "nginx", "haproxy",
};
const char *const service_kind_names[SERVICE__MAX] = {
	"webmail", "imap", "pop3", "smtp-in", "webmail-proxy", "imap-proxy",
	"pop3-proxy", "webadmin", "https", "http",
};
/* TSIG algorithms RFC 2136 updates may be signed with (RFC 8945). */
static const char *const tsig_algorithm_names[] = {
	"hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha224",
	"hmac-sha1", "hmac-md5",
};

#define MANIFEST_MAX_DEPTH	32
#define MANIFEST_MAX_NODES	200000
#define MANIFEST_MAX_DIAGS	100
#define MPATH_MAX		256

static int
name_lookup(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

int
chall_type_from_name(const char *name)
{
	return name_lookup(chall_type_names, CHALL__MAX, name);
}

int
server_kind_from_name(const char *name)
{
	return name_lookup(server_kind_names, SERVER__MAX, name);
}

int
service_kind_from_name(const char *name)
{
	return name_lookup(service_kind_names, SERVICE__MAX, name);
}

int
service_kind_fits(enum server_kind server, enum service_kind service)
{
	switch (server) {
	case SERVER_AXIGEN:
		return service <= SERVICE_WEBADMIN;
	case SERVER_DOVECOT:
		return service == SERVICE_IMAP || service == SERVICE_POP3;
	case SERVER_POSTFIX:
		return service == SERVICE_SMTP_IN;
	case SERVER_NGINX:
	case SERVER_HAPROXY:
		return service == SERVICE_HTTPS || service == SERVICE_HTTP;
	default:
		return 0;
	}
}

/* One problem, kept until all are known so they can be sorted. */
struct mdiag {
	int	 line;
	int	 col;
	size_t	 seq;
	char	*msg;
};

/* The state of one load: where messages go and what was reported. */
struct mload {
	const char	*name;		/* the manifest as given */
	const char	*dir;		/* absolute directory */
	struct mdiag	*d;
	size_t		 nd;
	size_t		 cap;
	size_t		 dropped;
	int		 def_http_reported;
	int		 def_dns_reported;
};

static void __attribute__((format(printf, 4, 5)))
mdiag(struct mload *L, int line, int col, const char *fmt, ...)
{
	va_list ap;
	char tmp[1024];

	if (L->nd >= MANIFEST_MAX_DIAGS) {
		L->dropped++;
		return;
	}
	if (L->nd == L->cap) {
		L->cap = L->cap == 0 ? 16 : L->cap * 2;
		L->d = xrealloc(L->d, L->cap * sizeof(*L->d));
	}
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	L->d[L->nd].line = line > 0 ? line : 1;
	L->d[L->nd].col = col > 0 ? col : 1;
	L->d[L->nd].seq = L->nd;
	L->d[L->nd].msg = xstrdup(tmp);
	L->nd++;
}

#define NDIAG(L, n, ...) mdiag((L), (n)->line, (n)->col, __VA_ARGS__)

/* "PATH: "VALUE": why" at the value. */
static void
mdiag_val(struct mload *L, const struct ynode *n, const char *path,
    const char *why)
{
	char *v = str_escape(n->str != NULL ? n->str : "");

	NDIAG(L, n, "%s: \"%s\": %s", path, v, why);
	free(v);
}

static int
mdiag_cmp(const void *a, const void *b)
{
	const struct mdiag *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

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
static void
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

static void
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

static const char *
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

/* One key a mapping may hold, and what was found for it. */
struct mfield {
	const char		*key;
	const struct ynode	*k;	/* the key node, NULL when absent */
	const struct ynode	*v;
};

/*
 * Matches the pairs of a mapping against the known keys. Unknown keys,
 * non-scalar keys and duplicates are reported. A null value counts as an
 * empty mapping. Returns -1 when n is not a mapping (reported).
 */
static int
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
			buf_free(&known);
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
static int
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

static int
get_bool(struct mload *L, const struct ynode *n, const char *path,
    int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };

	if (n->type == YTREE_SCALAR && n->plain) {
		if (name_lookup(yes, 3, n->str) >= 0) {
			*out = 1;
			return 0;
		}
		if (name_lookup(no, 3, n->str) >= 0) {
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
static int
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
static int
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
static void
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

/* A non-empty token (profile names): printable ASCII, no spaces. */
static int
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

/* The challenge blocks as written, before merging. */
struct rawchall {
	const struct ynode	*key;	/* the "challenge" key, or NULL */
	int			 type_set;
	enum chall_type		 type;
	const struct ynode	*http;	/* the "http-01" key, or NULL */
	char			*webroot;
	char			*listen;
	int			 publish;
	const struct ynode	*dns;	/* the "dns-01" key, or NULL */
	char			*server;
	char			*tsig_name;
	char			*tsig_algorithm;
	char			*tsig_secret_file;
	long long		 propagation_timeout;	/* 0: unset */
};

static void
rawchall_free(struct rawchall *r)
{
	free(r->webroot);
	free(r->listen);
	free(r->server);
	free(r->tsig_name);
	free(r->tsig_algorithm);
	free(r->tsig_secret_file);
	memset(r, 0, sizeof(*r));
}

/* A TSIG key name: a DNS name, trailing dot allowed, any label bytes
 * printable. */
static int
tsig_name_ok(const char *s)
{
	size_t len = strlen(s), llen = 0;

	if (len == 0 || len > 254)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s <= ' ' || *s >= 0x7f)
			return 0;
		if (*s == '.') {
			if (llen == 0 && len > 1)
				return 0;
			llen = 0;
		} else if (++llen > 63)
			return 0;
	}
	return 1;
}

/* http-01.publish: a boolean; true publishes the key authorizations into
   the store for `certkeep serve-http01`. */
static void
parse_http01_publish(struct mload *L, const struct ynode *v,
    const char *path, struct rawchall *r)
{
	char p[MPATH_MAX];

	if (v == NULL || ytree_is_null(v))
		return;
	mpath_key(p, path, "publish");
	/* A wrong value is reported here; counting it as set spares the
	   "needs webroot, listen or publish" that would follow. */
	if (get_bool(L, v, p, &r->publish) == -1)
		r->publish = 1;
}

static void
parse_http01(struct mload *L, const struct ynode *k, const struct ynode *v,
    const char *path, struct rawchall *r)
{
	enum { F_WEBROOT, F_LISTEN, F_PUBLISH };
	struct mfield f[] = { { "webroot", NULL, NULL },
	    { "listen", NULL, NULL }, { "publish", NULL, NULL } };
	char p[MPATH_MAX], *host = NULL;
	const char *why;
	int port;

	r->http = k;
	if (map_fields(L, v, path, f, 3) == -1)
		return;
	if (f[F_WEBROOT].v != NULL) {
		mpath_key(p, path, "webroot");
		get_path(L, f[F_WEBROOT].v, p, &r->webroot);
	}
	if (f[F_LISTEN].v != NULL) {
		mpath_key(p, path, "listen");
		if (get_str(L, f[F_LISTEN].v, p, &r->listen) == 0 &&
		    r->listen != NULL) {
			why = hostport_split(r->listen, -1, &host, &port);
			if (why != NULL) {
				mdiag_val(L, f[F_LISTEN].v, p, why);
				free(r->listen);
				r->listen = NULL;
			}
			free(host);
		}
	}
	parse_http01_publish(L, f[F_PUBLISH].v, path, r);
	if (r->webroot != NULL && r->listen != NULL)
		NDIAG(L, f[F_LISTEN].k, "%s: webroot and listen exclude each "
		    "other; set one", path);
	else if (r->publish && (r->webroot != NULL || r->listen != NULL))
		NDIAG(L, f[F_PUBLISH].k, "%s: publish and %s exclude each "
		    "other; set one", path, r->webroot != NULL ? "webroot" :
		    "listen");
}

static void
parse_dns01(struct mload *L, const struct ynode *k, const struct ynode *v,
    const char *path, struct rawchall *r)
{
	enum { F_RFC2136, F_PROP };
	struct mfield f[] = { { "rfc2136", NULL, NULL },
	    { "propagation_timeout", NULL, NULL } };
	enum { R_SERVER, R_NAME, R_ALG, R_SECRET };
	struct mfield rf[] = { { "server", NULL, NULL },
	    { "tsig_name", NULL, NULL }, { "tsig_algorithm", NULL, NULL },
	    { "tsig_secret_file", NULL, NULL } };
	char p[MPATH_MAX], rp[MPATH_MAX], *host = NULL, *s = NULL;
	const char *why;
	int port;

	r->dns = k;
	if (map_fields(L, v, path, f, 2) == -1)
		return;
	if (f[F_PROP].v != NULL) {
		mpath_key(p, path, "propagation_timeout");
		(void)get_duration(L, f[F_PROP].v, p,
		    &r->propagation_timeout);
	}
	mpath_key(rp, path, "rfc2136");
	if (f[F_RFC2136].v == NULL ||
	    map_fields(L, f[F_RFC2136].v, rp, rf, 4) == -1)
		return;
	if (rf[R_SERVER].v != NULL) {
		mpath_key(p, rp, "server");
		if (get_str(L, rf[R_SERVER].v, p, &s) == 0 && s != NULL) {
			why = hostport_split(s, 53, &host, &port);
			if (why == NULL && strcmp(host, "*") == 0)
				why = "'*' is not a server";
			if (why != NULL)
				mdiag_val(L, rf[R_SERVER].v, p, why);
			else if (strchr(host, ':') != NULL)
				r->server = xasprintf("[%s]:%d", host, port);
			else
				r->server = xasprintf("%s:%d", host, port);
		}
		free(host);
		free(s);
	}
	if (rf[R_NAME].v != NULL) {
		mpath_key(p, rp, "tsig_name");
		if (get_str(L, rf[R_NAME].v, p, &r->tsig_name) == 0 &&
		    r->tsig_name != NULL && !tsig_name_ok(r->tsig_name)) {
			mdiag_val(L, rf[R_NAME].v, p, "not a valid key name");
			free(r->tsig_name);
			r->tsig_name = NULL;
		}
	}
	if (rf[R_ALG].v != NULL) {
		mpath_key(p, rp, "tsig_algorithm");
		if (get_str(L, rf[R_ALG].v, p, &r->tsig_algorithm) == 0 &&
		    r->tsig_algorithm != NULL) {
			str_lower(r->tsig_algorithm);
			if (name_lookup(tsig_algorithm_names,
			    sizeof(tsig_algorithm_names) /
			    sizeof(tsig_algorithm_names[0]),
			    r->tsig_algorithm) < 0) {
				mdiag_val(L, rf[R_ALG].v, p, "unknown TSIG "
				    "algorithm (hmac-sha256, hmac-sha384, "
				    "hmac-sha512, hmac-sha224, hmac-sha1, "
				    "hmac-md5)");
				free(r->tsig_algorithm);
				r->tsig_algorithm = NULL;
			}
		}
	}
	if (rf[R_SECRET].v != NULL) {
		mpath_key(p, rp, "tsig_secret_file");
		get_path(L, rf[R_SECRET].v, p, &r->tsig_secret_file);
	}
}

/* A challenge block (top level or a certificate's override). */
static void
parse_challenge(struct mload *L, const struct ynode *k,
    const struct ynode *v, const char *path, struct rawchall *r)
{
	enum { F_TYPE, F_HTTP, F_DNS };
	struct mfield f[] = { { "type", NULL, NULL },
	    { "http-01", NULL, NULL }, { "dns-01", NULL, NULL } };
	char p[MPATH_MAX];
	int t;

	r->key = k;
	if (map_fields(L, v, path, f, 3) == -1)
		return;
	if (f[F_TYPE].v != NULL) {
		mpath_key(p, path, "type");
		if (f[F_TYPE].v->type != YTREE_SCALAR)
			NDIAG(L, f[F_TYPE].v, "%s: expected http-01 or dns-01, "
			    "found %s", p, ytype_name(f[F_TYPE].v));
		else if ((t = chall_type_from_name(f[F_TYPE].v->str)) < 0)
			mdiag_val(L, f[F_TYPE].v, p, "unknown challenge type "
			    "(http-01, dns-01)");
		else {
			r->type_set = 1;
			r->type = (enum chall_type)t;
		}
	}
	if (f[F_HTTP].k != NULL) {
		mpath_key(p, path, "http-01");
		parse_http01(L, f[F_HTTP].k, f[F_HTTP].v, p, r);
	}
	if (f[F_DNS].k != NULL) {
		mpath_key(p, path, "dns-01");
		parse_dns01(L, f[F_DNS].k, f[F_DNS].v, p, r);
	}
}

static struct mpos
node_pos(const struct ynode *n)
{
	struct mpos p = { 1, 1 };

	if (n != NULL) {
		p.line = n->line;
		p.col = n->col;
	}
	return p;
}

/*
 * The effective challenge of a certificate: the override (ov, may be
 * NULL) over the default. Each of the http-01 and dns-01 blocks is taken
 * whole from the override when it has one, else from the default; then
 * the blocks the chosen type needs are checked. cpath/cnode name the
 * certificate for messages.
 */
static void
merge_challenge(struct mload *L, const struct rawchall *def,
    const struct rawchall *ov, const char *cpath, const struct ynode *cnode,
    struct mchallenge *c)
{
	const struct rawchall *h, *d;
	char missing[128];

	memset(c, 0, sizeof(*c));
	c->type = CHALL_HTTP01;
	if (def != NULL && def->type_set)
		c->type = def->type;
	if (ov != NULL && ov->type_set)
		c->type = ov->type;
	h = ov != NULL && ov->http != NULL ? ov : def;
	d = ov != NULL && ov->dns != NULL ? ov : def;
	if (h != NULL) {
		c->webroot = h->webroot != NULL ? xstrdup(h->webroot) : NULL;
		c->listen = h->listen != NULL ? xstrdup(h->listen) : NULL;
		c->publish = h->publish;
	}
	if (d != NULL) {
		c->rfc2136_server = d->server != NULL ? xstrdup(d->server) :
		    NULL;
		c->tsig_name = d->tsig_name != NULL ? xstrdup(d->tsig_name) :
		    NULL;
		c->tsig_algorithm = d->tsig_algorithm != NULL ?
		    xstrdup(d->tsig_algorithm) : NULL;
		c->tsig_secret_file = d->tsig_secret_file != NULL ?
		    xstrdup(d->tsig_secret_file) : NULL;
		c->propagation_timeout = d->propagation_timeout;
	}
	if (c->tsig_algorithm == NULL)
		c->tsig_algorithm = xstrdup("hmac-sha256");
	if (c->propagation_timeout == 0)
		c->propagation_timeout = 120;
	c->pos = node_pos(ov != NULL ? ov->key : def != NULL ? def->key :
	    NULL);
	if (cnode == NULL)
		return;		/* the top-level default: checked per use */

	if (c->type == CHALL_HTTP01 && c->webroot == NULL &&
	    c->listen == NULL && !c->publish) {
		if (h != NULL && h == ov)
			NDIAG(L, ov->http, "%s.challenge.http-01: needs "
			    "webroot, listen or publish", cpath);
		else if (ov != NULL)
			NDIAG(L, ov->key, "%s.challenge: http-01 needs "
			    "http-01.webroot, http-01.listen or "
			    "http-01.publish (here or in the top-level "
			    "challenge)", cpath);
		else if (def != NULL && def->key != NULL) {
			if (!L->def_http_reported)
				NDIAG(L, def->http != NULL ? def->http :
				    def->key, "challenge%s: http-01 needs "
				    "webroot, listen or publish",
				    def->http != NULL ? ".http-01" : "");
			L->def_http_reported = 1;
		} else
			NDIAG(L, cnode, "%s: uses http-01 but none of "
			    "challenge.http-01.webroot, "
			    "challenge.http-01.listen and "
			    "challenge.http-01.publish is set", cpath);
	}
	if (c->type == CHALL_DNS01 && (c->rfc2136_server == NULL ||
	    c->tsig_name == NULL || c->tsig_secret_file == NULL)) {
		snprintf(missing, sizeof(missing), "%s%s%s",
		    c->rfc2136_server == NULL ? " rfc2136.server" : "",
		    c->tsig_name == NULL ? " rfc2136.tsig_name" : "",
		    c->tsig_secret_file == NULL ?
		    " rfc2136.tsig_secret_file" : "");
		if (d != NULL && d == ov)
			NDIAG(L, ov->dns, "%s.challenge.dns-01: missing%s",
			    cpath, missing);
		else if (ov != NULL)
			NDIAG(L, ov->key, "%s.challenge: dns-01 needs "
			    "dns-01.rfc2136 with server, tsig_name and "
			    "tsig_secret_file (here or in the top-level "
			    "challenge)", cpath);
		else if (def != NULL && def->key != NULL) {
			if (!L->def_dns_reported) {
				if (def->dns != NULL)
					NDIAG(L, def->dns, "challenge.dns-01: "
					    "missing%s", missing);
				else
					NDIAG(L, def->key, "challenge: dns-01 "
					    "needs dns-01.rfc2136 with server, "
					    "tsig_name and tsig_secret_file");
			}
			L->def_dns_reported = 1;
		} else
			NDIAG(L, cnode, "%s: uses dns-01 but challenge.dns-01 "
			    "is not set", cpath);
	}
}

static void
mchallenge_free(struct mchallenge *c)
{
	free(c->webroot);
	free(c->listen);
	free(c->rfc2136_server);
	free(c->tsig_name);
	free(c->tsig_algorithm);
	free(c->tsig_secret_file);
}

/* An https URL with a host (no spaces or control bytes). */
static const char *
https_url_problem(const char *s)
{
	const char *p;

	if (strncmp(s, "https://", 8) != 0)
		return "must be an https:// URL (or letsencrypt, "
		    "letsencrypt-staging)";
	p = s + 8;
	if (*p == '\0' || *p == '/' || *p == ':' || *p == '?' || *p == '#')
		return "the URL has no host";
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s >= 0x7f)
			return "the URL holds a space or a control byte";
	return NULL;
}

static void
parse_acme(struct mload *L, const struct ynode *k, const struct ynode *v,
    struct macme *a)
{
	enum { F_DIR, F_CONTACT, F_TERMS, F_BUNDLE, F_ACCKEY, F_EAB,
	    F_PROFILE, F_PROFOPT, F_CAA, F_CONC, F_RETRY, F__N };
	struct mfield f[F__N] = { { "directory", NULL, NULL },
	    { "contact", NULL, NULL }, { "terms_accepted", NULL, NULL },
	    { "ca_bundle", NULL, NULL }, { "account_key", NULL, NULL },
	    { "eab", NULL, NULL }, { "profile", NULL, NULL },
	    { "profile_optional", NULL, NULL },
	    { "caa_identities", NULL, NULL }, { "concurrency", NULL, NULL },
	    { "retry_deadline", NULL, NULL } };
	char p[MPATH_MAX], *s = NULL;
	const char *why;
	size_t i;
	int t;

	a->directory = xstrdup(LE_DIRECTORY_URL);
	a->directory_alias = xstrdup("letsencrypt");
	a->account_key = KEY_EC_P256;
	a->contact = xcalloc(1, sizeof(char *));
	a->caa_identities = xcalloc(1, sizeof(char *));
	a->concurrency = MACME_CONCURRENCY_DEFAULT;
	a->retry_deadline = MACME_RETRY_DEADLINE_DEFAULT;
	a->pos = node_pos(k);
	a->terms_pos = a->pos;
	if (map_fields(L, v, "acme", f, F__N) == -1)
		return;

	if (f[F_DIR].v != NULL &&
	    get_str(L, f[F_DIR].v, "acme.directory", &s) == 0 && s != NULL) {
		if (strcmp(s, "letsencrypt") == 0) {
			/* the default already */
		} else if (strcmp(s, "letsencrypt-staging") == 0) {
			free(a->directory);
			a->directory = xstrdup(LE_STAGING_DIRECTORY_URL);
			free(a->directory_alias);
			a->directory_alias = xstrdup(s);
		} else if ((why = https_url_problem(s)) != NULL)
			mdiag_val(L, f[F_DIR].v, "acme.directory", why);
		else {
			free(a->directory);
			a->directory = s;
			s = NULL;
			free(a->directory_alias);
			a->directory_alias = NULL;
		}
	}
	free(s);
	s = NULL;

	if (f[F_CONTACT].v != NULL) {
		strv_free(a->contact);
		(void)get_strv(L, f[F_CONTACT].v, "acme.contact", &a->contact,
		    &a->ncontact);
		for (i = 0; f[F_CONTACT].v->type == YTREE_SEQ &&
		    i < f[F_CONTACT].v->nkids; i++) {
			const struct ynode *it = f[F_CONTACT].v->kids[i];
			const char *e;

			if (it->type != YTREE_SCALAR || it->len == 0)
				continue;
			e = it->str;
			if (strncmp(e, "mailto:", 7) == 0)
				e += 7;
			if ((why = email_problem(e)) != NULL) {
				mpath_idx(p, "acme.contact", i);
				mdiag_val(L, it, p, why);
			}
		}
	}
	if (f[F_TERMS].v != NULL) {
		a->terms_pos = node_pos(f[F_TERMS].k);
		if (get_bool(L, f[F_TERMS].v, "acme.terms_accepted",
		    &a->terms_accepted) == 0)
			a->terms_set = 1;
	}
	if (f[F_BUNDLE].v != NULL)
		get_path(L, f[F_BUNDLE].v, "acme.ca_bundle", &a->ca_bundle);
	if (f[F_ACCKEY].v != NULL &&
	    get_str(L, f[F_ACCKEY].v, "acme.account_key", &s) == 0 &&
	    s != NULL) {
		if ((t = key_type_from_name(s)) < 0)
			mdiag_val(L, f[F_ACCKEY].v, "acme.account_key",
			    "unknown key type (ec-p256, ec-p384, rsa-2048, "
			    "rsa-3072, rsa-4096)");
		else
			a->account_key = (enum key_type)t;
	}
	free(s);
	s = NULL;
	if (f[F_EAB].k != NULL && !ytree_is_null(f[F_EAB].v)) {
		struct mfield ef[] = { { "kid", NULL, NULL },
		    { "hmac_key_file", NULL, NULL } };

		if (map_fields(L, f[F_EAB].v, "acme.eab", ef, 2) == 0) {
			if (ef[0].v != NULL)
				(void)get_str(L, ef[0].v, "acme.eab.kid",
				    &a->eab_kid);
			if (ef[1].v != NULL)
				get_path(L, ef[1].v, "acme.eab.hmac_key_file",
				    &a->eab_hmac_key_file);
			if (a->eab_kid == NULL)
				NDIAG(L, f[F_EAB].k, "acme.eab: missing kid");
			if (a->eab_hmac_key_file == NULL)
				NDIAG(L, f[F_EAB].k, "acme.eab: missing "
				    "hmac_key_file");
		}
	}
	if (f[F_PROFILE].v != NULL &&
	    get_str(L, f[F_PROFILE].v, "acme.profile", &a->profile) == 0 &&
	    a->profile != NULL && !token_ok(a->profile)) {
		mdiag_val(L, f[F_PROFILE].v, "acme.profile", "not a profile "
		    "name (1..64 printable characters, no spaces)");
		free(a->profile);
		a->profile = NULL;
	}
	if (f[F_PROFOPT].v != NULL)
		(void)get_bool(L, f[F_PROFOPT].v, "acme.profile_optional",
		    &a->profile_optional);
	if (f[F_CONC].v != NULL) {
		const struct ynode *n = f[F_CONC].v;
		char *end = NULL;
		long c = 0;

		if (n->type == YTREE_SCALAR && n->plain && n->len > 0) {
			errno = 0;
			c = strtol(n->str, &end, 10);
		}
		if (end == NULL || *end != '\0' || errno != 0 ||
		    c < 1 || c > MACME_CONCURRENCY_MAX)
			mdiag_val(L, n, "acme.concurrency", "expected a "
			    "number of orders from 1 to 64");
		else
			a->concurrency = (int)c;
	}
	if (f[F_RETRY].v != NULL)
		(void)get_duration(L, f[F_RETRY].v, "acme.retry_deadline",
		    &a->retry_deadline);
	if (f[F_CAA].v != NULL) {
		strv_free(a->caa_identities);
		(void)get_strv(L, f[F_CAA].v, "acme.caa_identities",
		    &a->caa_identities, &a->ncaa_identities);
		for (i = 0; i < a->ncaa_identities; i++) {
			str_lower(a->caa_identities[i]);
			if ((why = hostname_problem(a->caa_identities[i], 0))
			    != NULL) {
				mpath_idx(p, "acme.caa_identities", i);
				NDIAG(L, f[F_CAA].v, "%s: \"%s\": %s", p,
				    a->caa_identities[i], why);
			}
		}
	}
}

static void
parse_renew_before(struct mload *L, const struct ynode *n,
    struct mrenew *r)
{
	const char *s;
	char *end;
	long v;

	if (ytree_is_null(n))
		return;
	if (n->type != YTREE_SCALAR) {
		NDIAG(L, n, "renew_before: expected a duration (25d) or a "
		    "percentage (33%%), found %s", ytype_name(n));
		return;
	}
	s = n->str;
	if (n->len > 0 && s[n->len - 1] == '%') {
		errno = 0;
		v = strtol(s, &end, 10);
		if (end != s + n->len - 1 || n->len < 2 || errno != 0 ||
		    !(s[0] >= '0' && s[0] <= '9') || v < 1 || v > 99) {
			mdiag_val(L, n, "renew_before", "a percentage must be "
			    "1% .. 99%");
			return;
		}
		r->set = 1;
		r->is_percent = 1;
		r->percent = (int)v;
		return;
	}
	for (end = (char *)s; *end >= '0' && *end <= '9'; end++)
		continue;
	if (*end == '\0' && n->len > 0) {
		mdiag_val(L, n, "renew_before", "needs a unit (25d, 12h) or "
		    "a percent sign (33%)");
		return;
	}
	if (get_duration(L, n, "renew_before", &r->seconds) == 0)
		r->set = 1;
}

static void
parse_dns(struct mload *L, const struct ynode *v, struct mdns *d)
{
	struct mfield f[] = { { "resolvers", NULL, NULL },
	    { "timeout", NULL, NULL } };
	char p[MPATH_MAX], *host = NULL, ip[64];
	const char *why;
	size_t i;
	int port;
	long long secs;

	d->timeout_ms = 5000;
	d->resolvers = xcalloc(1, sizeof(char *));
	if (map_fields(L, v, "dns", f, 2) == -1)
		return;
	if (f[0].v != NULL) {
		strv_free(d->resolvers);
		(void)get_strv(L, f[0].v, "dns.resolvers", &d->resolvers,
		    &d->nresolvers);
		for (i = 0; i < d->nresolvers; i++) {
			why = hostport_split(d->resolvers[i], 53, &host,
			    &port);
			if (why == NULL && ip_canonical(host, ip,
			    sizeof(ip)) < 0)
				why = "a resolver must be an IP address";
			if (why != NULL) {
				mpath_idx(p, "dns.resolvers", i);
				NDIAG(L, f[0].v->kids[i], "%s: \"%s\": %s", p,
				    d->resolvers[i], why);
			}
			free(host);
			host = NULL;
		}
	}
	if (f[1].v != NULL && get_duration(L, f[1].v, "dns.timeout", &secs)
	    == 0)
		d->timeout_ms = secs * 1000;
}

static void
parse_notify(struct mload *L, const struct ynode *k, const struct ynode *v,
    struct mnotify *nt)
{
	enum { F_SMTP, F_FROM, F_CONTACT, F_AUTH, F__N };
	struct mfield f[F__N] = { { "smtp", NULL, NULL },
	    { "from", NULL, NULL }, { "contact", NULL, NULL },
	    { "auth_file", NULL, NULL } };
	static const char *const schemes[] = { "smtp://", "smtps://",
	    "smtp+starttls://" };
	const char *why, *rest;
	char *host = NULL, *hp = NULL;
	size_t i;
	int port;

	if (ytree_is_null(v))
		return;
	nt->enabled = 1;
	if (map_fields(L, v, "notify", f, F__N) == -1)
		return;
	if (f[F_SMTP].v != NULL &&
	    get_str(L, f[F_SMTP].v, "notify.smtp", &nt->smtp) == 0 &&
	    nt->smtp != NULL) {
		rest = NULL;
		for (i = 0; i < 3; i++)
			if (strncmp(nt->smtp, schemes[i], strlen(schemes[i]))
			    == 0)
				rest = nt->smtp + strlen(schemes[i]);
		if (rest == NULL)
			why = "must begin with smtp://, smtps:// or "
			    "smtp+starttls://";
		else {
			hp = xstrdup(rest);
			if (hp[0] != '\0' && hp[strlen(hp) - 1] == '/')
				hp[strlen(hp) - 1] = '\0';
			why = hostport_split(hp, 25, &host, &port);
			if (why == NULL && strcmp(host, "*") == 0)
				why = "'*' is not a host";
		}
		if (why != NULL) {
			mdiag_val(L, f[F_SMTP].v, "notify.smtp", why);
			free(nt->smtp);
			nt->smtp = NULL;
		}
		free(host);
		free(hp);
	}
	if (f[F_SMTP].v == NULL || (f[F_SMTP].v->type == YTREE_SCALAR &&
	    f[F_SMTP].v->len == 0) || ytree_is_null(f[F_SMTP].v))
		NDIAG(L, k, "notify: missing smtp (the server to send "
		    "through)");
	if (f[F_FROM].v != NULL &&
	    get_str(L, f[F_FROM].v, "notify.from", &nt->from) == 0 &&
	    nt->from != NULL && (why = email_problem(nt->from)) != NULL)
		mdiag_val(L, f[F_FROM].v, "notify.from", why);
	if (f[F_FROM].v == NULL || (f[F_FROM].v->type == YTREE_SCALAR &&
	    f[F_FROM].v->len == 0) || ytree_is_null(f[F_FROM].v))
		NDIAG(L, k, "notify: missing from (the sender address)");
	if (f[F_CONTACT].v != NULL &&
	    get_str(L, f[F_CONTACT].v, "notify.contact", &nt->contact) == 0 &&
	    nt->contact != NULL && (why = email_problem(nt->contact)) != NULL)
		mdiag_val(L, f[F_CONTACT].v, "notify.contact", why);
	if (f[F_AUTH].v != NULL)
		get_path(L, f[F_AUTH].v, "notify.auth_file", &nt->auth_file);
	/* smtp:// falls back to plain text when STARTTLS is not offered (or
	   stripped on the way): never with a password. */
	if (nt->auth_file != NULL && nt->smtp != NULL &&
	    strncmp(nt->smtp, "smtp://", 7) == 0)
		mdiag_val(L, f[F_AUTH].v, "notify.auth_file", "SMTP AUTH "
		    "would send the password in clear over smtp:// (STARTTLS "
		    "only when offered): use smtp+starttls:// or smtps://");
}

/* An argv list: at least one non-empty element. */
static void
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

static void
parse_fragments(struct mload *L, const struct ynode *v,
    struct mfragments *fr)
{
	enum { F_DIR, F_RELOAD, F_TIMEOUT };
	struct mfield f[] = { { "dir", NULL, NULL },
	    { "reload", NULL, NULL }, { "hook_timeout", NULL, NULL } };
	struct mfield rf[SERVER__MAX];
	char p[MPATH_MAX];
	size_t i;

	fr->hook_timeout = 300;
	if (map_fields(L, v, "fragments", f, 3) == -1)
		goto out;
	if (f[F_DIR].v != NULL)
		get_path(L, f[F_DIR].v, "fragments.dir", &fr->dir);
	if (f[F_TIMEOUT].v != NULL)
		(void)get_duration(L, f[F_TIMEOUT].v, "fragments.hook_timeout",
		    &fr->hook_timeout);
	if (f[F_RELOAD].v != NULL) {
		for (i = 0; i < SERVER__MAX; i++) {
			rf[i].key = server_kind_names[i];
			rf[i].k = rf[i].v = NULL;
		}
		if (map_fields(L, f[F_RELOAD].v, "fragments.reload", rf,
		    SERVER__MAX) == 0)
			for (i = 0; i < SERVER__MAX; i++) {
				mpath_key(p, "fragments.reload",
				    server_kind_names[i]);
				get_argv(L, rf[i].v, p, &fr->reload[i]);
			}
	}
out:
	if (fr->dir == NULL)
		fr->dir = path_join(L->dir, "fragments");
}

/* Web services are the ones with a plain-HTTP redirect to TLS. */
static int
service_is_web(enum service_kind s)
{
	return s == SERVICE_WEBMAIL || s == SERVICE_WEBMAIL_PROXY ||
	    s == SERVICE_WEBADMIN || s == SERVICE_HTTP;
}

/*
 * The service against the server: nginx and HAProxy read "webmail" as
 * https (http when it redirects); http always redirects (default true),
 * https never does. sv: the service node, rv: redirect_to_secure or NULL.
 */
static void
check_listener_service(struct mload *L, const struct ynode *sv,
    const struct ynode *rv, const char *path, struct mlistener *l)
{
	char p[MPATH_MAX];
	int web = l->server == SERVER_NGINX || l->server == SERVER_HAPROXY;

	if (web && l->service == SERVICE_WEBMAIL)
		l->service = l->redirect_to_secure ? SERVICE_HTTP :
		    SERVICE_HTTPS;
	mpath_key(p, path, "service");
	if (!service_kind_fits(l->server, l->service)) {
		NDIAG(L, sv, "%s: \"%s\" is not a service of %s (%s)", p,
		    service_kind_names[l->service],
		    server_kind_names[l->server],
		    web ? "https, http; webmail means https" :
		    l->server == SERVER_DOVECOT ? "imap, pop3" :
		    l->server == SERVER_POSTFIX ? "smtp-in" :
		    "webmail, imap, pop3, smtp-in, webmail-proxy, imap-proxy, "
		    "pop3-proxy, webadmin");
		return;
	}
	mpath_key(p, path, "redirect_to_secure");
	if (l->service == SERVICE_HTTP && rv == NULL)
		l->redirect_to_secure = 1;
	else if (l->service == SERVICE_HTTP && !l->redirect_to_secure)
		NDIAG(L, rv, "%s: an http listener only redirects to https; "
		    "remove it or say true", p);
	else if (l->service == SERVICE_HTTPS && l->redirect_to_secure)
		NDIAG(L, rv, "%s: https serves TLS; the redirect goes on an "
		    "http listener", p);
}

static void
parse_listener(struct mload *L, const struct ynode *n, const char *path,
    struct mlistener *l)
{
	enum { F_SERVER, F_SERVICE, F_ADDRESS, F_REDIRECT, F__N };
	struct mfield f[F__N] = { { "server", NULL, NULL },
	    { "service", NULL, NULL }, { "address", NULL, NULL },
	    { "redirect_to_secure", NULL, NULL } };
	char p[MPATH_MAX];
	const char *why;
	int t, have_service = 0;

	l->pos = node_pos(n);
	l->server = SERVER__MAX;
	if (map_fields(L, n, path, f, F__N) == -1)
		return;
	if (ytree_is_null(n) || n->nkids == 0) {
		NDIAG(L, n, "%s: an empty listener", path);
		return;
	}
	mpath_key(p, path, "server");
	if (f[F_SERVER].v == NULL || ytree_is_null(f[F_SERVER].v))
		NDIAG(L, n, "%s: missing server (%s)", path,
		    "axigen, dovecot, postfix, nginx, haproxy");
	else if (f[F_SERVER].v->type != YTREE_SCALAR)
		NDIAG(L, f[F_SERVER].v, "%s: expected a single value, found "
		    "%s", p, ytype_name(f[F_SERVER].v));
	else if ((t = server_kind_from_name(f[F_SERVER].v->str)) < 0)
		mdiag_val(L, f[F_SERVER].v, p, "unknown server (axigen, "
		    "dovecot, postfix, nginx, haproxy)");
	else
		l->server = (enum server_kind)t;

	mpath_key(p, path, "service");
	if (f[F_SERVICE].v == NULL || ytree_is_null(f[F_SERVICE].v))
		NDIAG(L, n, "%s: missing service", path);
	else if (f[F_SERVICE].v->type != YTREE_SCALAR)
		NDIAG(L, f[F_SERVICE].v, "%s: expected a single value, found "
		    "%s", p, ytype_name(f[F_SERVICE].v));
	else if ((t = service_kind_from_name(f[F_SERVICE].v->str)) < 0)
		mdiag_val(L, f[F_SERVICE].v, p, "unknown service (webmail, "
		    "imap, pop3, smtp-in, webmail-proxy, imap-proxy, "
		    "pop3-proxy, webadmin, https, http)");
	else {
		l->service = (enum service_kind)t;
		have_service = 1;
	}

	mpath_key(p, path, "address");
	if (f[F_ADDRESS].v == NULL || ytree_is_null(f[F_ADDRESS].v))
		NDIAG(L, n, "%s: missing address (host:port)", path);
	else if (get_str(L, f[F_ADDRESS].v, p, &l->address) == 0) {
		if (l->address == NULL)
			NDIAG(L, f[F_ADDRESS].v, "%s: must not be empty", p);
		else if ((why = hostport_split(l->address, -1, &l->host,
		    &l->port)) != NULL)
			mdiag_val(L, f[F_ADDRESS].v, p, why);
	}

	if (f[F_REDIRECT].v != NULL) {
		mpath_key(p, path, "redirect_to_secure");
		if (get_bool(L, f[F_REDIRECT].v, p, &l->redirect_to_secure)
		    == 0 && l->redirect_to_secure && have_service &&
		    !service_is_web(l->service) && l->service != SERVICE_HTTPS)
			NDIAG(L, f[F_REDIRECT].v, "%s: only web services "
			    "(webmail, webmail-proxy, webadmin, http) redirect "
			    "to TLS; %s has no redirect", p,
			    service_kind_names[l->service]);
	}
	if (have_service && l->server < SERVER__MAX)
		check_listener_service(L, f[F_SERVICE].v, f[F_REDIRECT].v,
		    path, l);
}

/* Index pairs (string, original index), for duplicate detection. */
struct sidx {
	const char	*s;
	size_t		 i;
};

static int
sidx_cmp(const void *a, const void *b)
{
	const struct sidx *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Finds duplicates among n strings in O(n log n); for each later copy
 * calls back with its index and the index of the first one.
 */
static void
find_dups(const char *const *v, size_t n,
    void (*cb)(void *, size_t, size_t), void *arg)
{
	struct sidx *s;
	size_t i, first = 0;

	if (n < 2)
		return;
	s = xcalloc(n, sizeof(*s));
	for (i = 0; i < n; i++) {
		s[i].s = v[i] != NULL ? v[i] : "";
		s[i].i = i;
	}
	qsort(s, n, sizeof(*s), sidx_cmp);
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(s[i].s, s[i - 1].s) != 0)
			first = s[i].i;
		else if (v[s[i].i] != NULL)
			cb(arg, s[i].i, first);
	}
	free(s);
}

/* What find_dups() reports about: per string, its node and key path. */
struct dupctx {
	struct mload		 *L;
	const struct ynode	**nodes;
	char			**paths;
	const char		 *what;
};

static void
dup_report(void *arg, size_t i, size_t first)
{
	struct dupctx *c = arg;

	NDIAG(c->L, c->nodes[i], "%s: duplicate %s (first at line %d)",
	    c->paths[i], c->what, c->nodes[first]->line);
}

static void
dupctx_init(struct dupctx *c, struct mload *L, size_t n, const char *what)
{
	c->L = L;
	c->nodes = xcalloc(n + 1, sizeof(*c->nodes));
	c->paths = xcalloc(n + 1, sizeof(*c->paths));
	c->what = what;
}

static void
dupctx_free(struct dupctx *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(c->paths[i]);
	free(c->paths);
	free(c->nodes);
}

/* The value of a certificate's name key, for messages; NULL if none. */
static const struct ynode *
cert_name_node(const struct ynode *n)
{
	size_t i;

	if (n->type != YTREE_MAP)
		return NULL;
	for (i = 0; i + 1 < n->nkids; i += 2)
		if (n->kids[i]->type == YTREE_SCALAR &&
		    strcmp(n->kids[i]->str, "name") == 0)
			return n->kids[i + 1];
	return NULL;
}

static void
parse_cert(struct mload *L, const struct ynode *n, const char *path,
    const struct rawchall *def, const char *acme_profile, struct mcert *c)
{
	enum { F_NAME, F_HOSTNAMES, F_ADDRESSES, F_KEYTYPE, F_REUSE,
	    F_PROFILE, F_CHALL, F_HOOK, F_LISTENERS, F__N };
	struct mfield f[F__N] = { { "name", NULL, NULL },
	    { "hostnames", NULL, NULL }, { "addresses", NULL, NULL },
	    { "key_type", NULL, NULL }, { "reuse_key", NULL, NULL },
	    { "profile", NULL, NULL }, { "challenge", NULL, NULL },
	    { "deploy_hook", NULL, NULL }, { "listeners", NULL, NULL } };
	struct rawchall ov;
	char p[MPATH_MAX], ip[64], *s = NULL;
	const char *why;
	int t, *orig = NULL, have_ov = 0;
	size_t i, nok;

	memset(&ov, 0, sizeof(ov));
	c->pos = node_pos(n);
	c->key_type = KEY_EC_P256;
	if (map_fields(L, n, path, f, F__N) == -1 || ytree_is_null(n)) {
		if (ytree_is_null(n))
			NDIAG(L, n, "%s: an empty certificate", path);
		goto defaults;
	}

	mpath_key(p, path, "name");
	if (f[F_NAME].v == NULL || ytree_is_null(f[F_NAME].v))
		NDIAG(L, n, "%s: missing name (the repository directory "
		    "name)", path);
	else if (get_str(L, f[F_NAME].v, p, &c->name) == 0) {
		if (c->name == NULL)
			NDIAG(L, f[F_NAME].v, "%s: must not be empty", p);
		else if ((why = safe_name_problem(c->name)) != NULL)
			mdiag_val(L, f[F_NAME].v, p, why);
	}

	mpath_key(p, path, "hostnames");
	if (f[F_HOSTNAMES].v == NULL || ytree_is_null(f[F_HOSTNAMES].v) ||
	    (f[F_HOSTNAMES].v->type == YTREE_SEQ &&
	    f[F_HOSTNAMES].v->nkids == 0))
		NDIAG(L, f[F_HOSTNAMES].v != NULL ? f[F_HOSTNAMES].v : n,
		    "%s: at least one hostname is needed", p);
	else if (f[F_HOSTNAMES].v->type != YTREE_SEQ)
		NDIAG(L, f[F_HOSTNAMES].v, "%s: expected a list, found %s", p,
		    ytype_name(f[F_HOSTNAMES].v));
	else {
		const struct ynode *hl = f[F_HOSTNAMES].v;
		char q[MPATH_MAX];

		c->hostnames = xcalloc(hl->nkids + 1, sizeof(char *));
		orig = xcalloc(hl->nkids + 1, sizeof(int));
		for (i = 0; i < hl->nkids; i++) {
			const struct ynode *it = hl->kids[i];

			mpath_idx(q, p, i);
			if (it->type != YTREE_SCALAR) {
				NDIAG(L, it, "%s: expected a hostname, found "
				    "%s", q, ytype_name(it));
				continue;
			}
			if ((why = hostname_problem(it->str, 1)) != NULL) {
				mdiag_val(L, it, q, why);
				continue;
			}
			orig[c->nhostnames] = (int)i;
			c->hostnames[c->nhostnames] = xstrdup(it->str);
			str_lower(c->hostnames[c->nhostnames++]);
		}
		{
			struct dupctx dc;

			dupctx_init(&dc, L, c->nhostnames, "hostname");
			for (i = 0; i < c->nhostnames; i++) {
				dc.nodes[i] = hl->kids[orig[i]];
				mpath_idx(q, p, (size_t)orig[i]);
				dc.paths[i] = xstrdup(q);
			}
			find_dups((const char *const *)c->hostnames,
			    c->nhostnames, dup_report, &dc);
			dupctx_free(&dc, c->nhostnames);
		}
	}

	c->addresses = xcalloc(1, sizeof(char *));
	if (f[F_ADDRESSES].v != NULL) {
		mpath_key(p, path, "addresses");
		strv_free(c->addresses);
		(void)get_strv(L, f[F_ADDRESSES].v, p, &c->addresses,
		    &c->naddresses);
		/* get_strv skipped bad items, so walk the nodes. */
		for (i = 0, nok = 0; f[F_ADDRESSES].v->type == YTREE_SEQ &&
		    i < f[F_ADDRESSES].v->nkids; i++) {
			const struct ynode *it = f[F_ADDRESSES].v->kids[i];
			char q[MPATH_MAX];

			if (it->type != YTREE_SCALAR || it->len == 0 ||
			    ytree_is_null(it))
				continue;
			if (ip_canonical(it->str, ip, sizeof(ip)) < 0) {
				mpath_idx(q, p, i);
				mdiag_val(L, it, q, "not an IPv4 or IPv6 "
				    "address");
				continue;
			}
			free(c->addresses[nok]);
			c->addresses[nok++] = xstrdup(ip);
		}
		for (i = nok; i < c->naddresses; i++) {
			free(c->addresses[i]);
			c->addresses[i] = NULL;
		}
		c->naddresses = nok;
	}

	if (f[F_KEYTYPE].v != NULL) {
		mpath_key(p, path, "key_type");
		if (get_str(L, f[F_KEYTYPE].v, p, &s) == 0 && s != NULL) {
			if ((t = key_type_from_name(s)) < 0)
				mdiag_val(L, f[F_KEYTYPE].v, p, "unknown key "
				    "type (ec-p256, ec-p384, rsa-2048, "
				    "rsa-3072, rsa-4096)");
			else
				c->key_type = (enum key_type)t;
		}
		free(s);
		s = NULL;
	}
	if (f[F_REUSE].v != NULL) {
		mpath_key(p, path, "reuse_key");
		(void)get_bool(L, f[F_REUSE].v, p, &c->reuse_key);
	}
	if (f[F_PROFILE].v != NULL) {
		mpath_key(p, path, "profile");
		if (get_str(L, f[F_PROFILE].v, p, &c->profile) == 0 &&
		    c->profile != NULL && !token_ok(c->profile)) {
			mdiag_val(L, f[F_PROFILE].v, p, "not a profile name "
			    "(1..64 printable characters, no spaces)");
			free(c->profile);
			c->profile = NULL;
		}
	}
	if (f[F_CHALL].k != NULL && !ytree_is_null(f[F_CHALL].v)) {
		mpath_key(p, path, "challenge");
		parse_challenge(L, f[F_CHALL].k, f[F_CHALL].v, p, &ov);
		have_ov = 1;
	}
	if (f[F_HOOK].v != NULL) {
		mpath_key(p, path, "deploy_hook");
		get_argv(L, f[F_HOOK].v, p, &c->deploy_hook);
	}
	if (f[F_LISTENERS].v != NULL && !ytree_is_null(f[F_LISTENERS].v)) {
		const struct ynode *ll = f[F_LISTENERS].v;

		mpath_key(p, path, "listeners");
		if (ll->type != YTREE_SEQ)
			NDIAG(L, ll, "%s: expected a list, found %s", p,
			    ytype_name(ll));
		else {
			char q[MPATH_MAX];
			char **keys;
			struct dupctx dc;

			c->listeners = xcalloc(ll->nkids + 1,
			    sizeof(*c->listeners));
			keys = xcalloc(ll->nkids + 1, sizeof(char *));
			dupctx_init(&dc, L, ll->nkids, "listener");
			for (i = 0; i < ll->nkids; i++) {
				mpath_idx(q, p, i);
				dc.nodes[i] = ll->kids[i];
				dc.paths[i] = xstrdup(q);
				parse_listener(L, ll->kids[i], q,
				    &c->listeners[i]);
				c->nlisteners++;
				if (c->listeners[i].host != NULL &&
				    c->listeners[i].server < SERVER__MAX)
					keys[i] = xasprintf("%d/%d/%s/%d",
					    (int)c->listeners[i].server,
					    (int)c->listeners[i].service,
					    c->listeners[i].host,
					    c->listeners[i].port);
			}
			find_dups((const char *const *)keys, ll->nkids,
			    dup_report, &dc);
			dupctx_free(&dc, ll->nkids);
			for (i = 0; i < ll->nkids; i++)
				free(keys[i]);
			free(keys);
		}
	}

defaults:
	if (c->hostnames == NULL)
		c->hostnames = xcalloc(1, sizeof(char *));
	if (c->addresses == NULL)
		c->addresses = xcalloc(1, sizeof(char *));
	if (c->profile == NULL && acme_profile != NULL)
		c->profile = xstrdup(acme_profile);
	merge_challenge(L, def, have_ov ? &ov : NULL, path, n, &c->challenge);
	if (have_ov)
		c->challenge.pos = node_pos(ov.key);
	else
		c->challenge.pos = c->pos;
	if (c->challenge.type == CHALL_HTTP01 && f[F_HOSTNAMES].v != NULL &&
	    f[F_HOSTNAMES].v->type == YTREE_SEQ) {
		for (i = 0; i < c->nhostnames; i++) {
			char q[MPATH_MAX];

			if (strncmp(c->hostnames[i], "*.", 2) != 0)
				continue;
			mpath_key(p, path, "hostnames");
			mpath_idx(q, p, (size_t)orig[i]);
			NDIAG(L, f[F_HOSTNAMES].v->kids[orig[i]], "%s: \"%s\": "
			    "a wildcard needs the dns-01 challenge (http-01 "
			    "cannot validate it)", q, c->hostnames[i]);
		}
	}
	free(orig);
	rawchall_free(&ov);
}

void
manifest_free(struct manifest *m)
{
	size_t i, j;

	if (m == NULL)
		return;
	free(m->path);
	free(m->dir);
	free(m->acme.directory);
	free(m->acme.directory_alias);
	strv_free(m->acme.contact);
	free(m->acme.ca_bundle);
	free(m->acme.eab_kid);
	free(m->acme.eab_hmac_key_file);
	free(m->acme.profile);
	strv_free(m->acme.caa_identities);
	free(m->store);
	manifest_etcd_free(&m->etcd);
	free(m->metrics_textfile);
	strv_free(m->domains);
	strv_free(m->dns.resolvers);
	mchallenge_free(&m->challenge);
	free(m->notify.smtp);
	free(m->notify.from);
	free(m->notify.contact);
	free(m->notify.auth_file);
	free(m->fragments.dir);
	for (i = 0; i < SERVER__MAX; i++)
		strv_free(m->fragments.reload[i]);
	for (i = 0; i < m->ncerts; i++) {
		struct mcert *c = &m->certs[i];

		free(c->name);
		strv_free(c->hostnames);
		strv_free(c->addresses);
		free(c->profile);
		mchallenge_free(&c->challenge);
		strv_free(c->deploy_hook);
		for (j = 0; j < c->nlisteners; j++) {
			free(c->listeners[j].address);
			free(c->listeners[j].host);
		}
		free(c->listeners);
	}
	free(m->certs);
	free(m);
}

/* manifest/etcd.c reports through this. */
static void
etcd_diag(void *arg, int line, int col, const char *msg)
{
	mdiag(arg, line, col, "%s", msg);
}

/* The top level: every section in turn, then cross-checks. */
static void
manifest_build(struct mload *L, const struct ynode *root,
    struct manifest *m)
{
	enum { F_VERSION, F_ACME, F_STORE, F_ETCD, F_METRICS, F_RENEW,
	    F_DOMAINS, F_DNS, F_CHALL, F_NOTIFY, F_FRAGMENTS, F_CERTS, F__N };
	struct mfield f[F__N] = { { "version", NULL, NULL },
	    { "acme", NULL, NULL }, { "store", NULL, NULL },
	    { "etcd", NULL, NULL },
	    { "metrics", NULL, NULL },
	    { "renew_before", NULL, NULL }, { "domains", NULL, NULL },
	    { "dns", NULL, NULL }, { "challenge", NULL, NULL },
	    { "notify", NULL, NULL }, { "fragments", NULL, NULL },
	    { "certificates", NULL, NULL } };
	struct mfield mf[] = { { "textfile", NULL, NULL } };
	struct rawchall def;
	struct dupctx dc;
	char p[MPATH_MAX], **names = NULL;
	const char *why;
	size_t i;
	int rootok;

	memset(&def, 0, sizeof(def));
	rootok = map_fields(L, root, "", f, F__N) == 0;

	if (rootok && f[F_VERSION].v == NULL)
		mdiag(L, root->line, root->col, "version: missing (this "
		    "certkeep reads version: 1)");
	else if (f[F_VERSION].v != NULL) {
		const struct ynode *v = f[F_VERSION].v;

		if (v->type == YTREE_SCALAR && v->plain &&
		    strcmp(v->str, "1") == 0)
			m->version = 1;
		else if (v->type == YTREE_SCALAR)
			mdiag_val(L, v, "version", "unsupported version (this "
			    "certkeep reads version: 1)");
		else
			NDIAG(L, v, "version: expected the number 1, found %s",
			    ytype_name(v));
	}

	parse_acme(L, f[F_ACME].k, f[F_ACME].v, &m->acme);

	/* An etcd:// store and the etcd: block: manifest/etcd.c. */
	if (manifest_parse_etcd(f[F_STORE].v, f[F_ETCD].k, f[F_ETCD].v, L->dir,
	    m, etcd_diag, L) == 0 && f[F_STORE].v != NULL)
		get_path(L, f[F_STORE].v, "store", &m->store);
	if (m->store == NULL)
		m->store = xstrdup("/var/opt/certkeep");

	if (f[F_METRICS].v != NULL &&
	    map_fields(L, f[F_METRICS].v, "metrics", mf, 1) == 0 &&
	    mf[0].v != NULL)
		get_path(L, mf[0].v, "metrics.textfile", &m->metrics_textfile);
	/* node_exporter's textfile collector reads only *.prom files. */
	if (m->metrics_textfile != NULL &&
	    !str_endswith(m->metrics_textfile, ".prom"))
		mdiag_val(L, mf[0].v, "metrics.textfile", "must end in .prom "
		    "(the textfile collector reads only *.prom files)");

	if (f[F_RENEW].v != NULL)
		parse_renew_before(L, f[F_RENEW].v, &m->renew_before);

	m->domains = xcalloc(1, sizeof(char *));
	if (f[F_DOMAINS].v != NULL) {
		strv_free(m->domains);
		(void)get_strv(L, f[F_DOMAINS].v, "domains", &m->domains,
		    &m->ndomains);
		for (i = 0; i < m->ndomains; i++) {
			str_lower(m->domains[i]);
			if ((why = hostname_problem(m->domains[i], 0)) !=
			    NULL) {
				mpath_idx(p, "domains", i);
				NDIAG(L, f[F_DOMAINS].v, "%s: \"%s\": %s", p,
				    m->domains[i], why);
			}
		}
	}

	parse_dns(L, f[F_DNS].v, &m->dns);

	if (f[F_CHALL].k != NULL && !ytree_is_null(f[F_CHALL].v))
		parse_challenge(L, f[F_CHALL].k, f[F_CHALL].v, "challenge",
		    &def);
	merge_challenge(L, &def, NULL, "challenge", NULL, &m->challenge);

	if (f[F_NOTIFY].k != NULL)
		parse_notify(L, f[F_NOTIFY].k, f[F_NOTIFY].v, &m->notify);

	parse_fragments(L, f[F_FRAGMENTS].v, &m->fragments);

	if (rootok && (f[F_CERTS].v == NULL || ytree_is_null(f[F_CERTS].v)))
		mdiag(L, f[F_CERTS].k != NULL ? f[F_CERTS].k->line :
		    root->line, f[F_CERTS].k != NULL ? f[F_CERTS].k->col :
		    root->col, "certificates: missing (at least one "
		    "certificate)");
	else if (f[F_CERTS].v != NULL && f[F_CERTS].v->type != YTREE_SEQ)
		NDIAG(L, f[F_CERTS].v, "certificates: expected a list, found "
		    "%s", ytype_name(f[F_CERTS].v));
	else if (f[F_CERTS].v != NULL) {
		const struct ynode *cl = f[F_CERTS].v;

		if (cl->nkids == 0)
			NDIAG(L, cl, "certificates: the list is empty");
		m->certs = xcalloc(cl->nkids + 1, sizeof(*m->certs));
		names = xcalloc(cl->nkids + 1, sizeof(char *));
		dupctx_init(&dc, L, cl->nkids, "certificate name");
		for (i = 0; i < cl->nkids; i++) {
			mpath_idx(p, "certificates", i);
			parse_cert(L, cl->kids[i], p, &def, m->acme.profile,
			    &m->certs[i]);
			m->ncerts++;
			names[i] = m->certs[i].name;
			dc.nodes[i] = cert_name_node(cl->kids[i]);
			dc.paths[i] = xasprintf("%s.name", p);
		}
		find_dups((const char *const *)names, cl->nkids, dup_report,
		    &dc);
		dupctx_free(&dc, cl->nkids);
		free(names);
	}
	rawchall_free(&def);
}

static char *
dir_absolute(const char *dir)
{
	char cwd[PATH_MAX];

	if (dir[0] == '/')
		return xstrdup(dir);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(dir);
	if (strcmp(dir, ".") == 0)
		return xstrdup(cwd);
	if (strncmp(dir, "./", 2) == 0)
		dir += 2;
	return path_join(cwd, dir);
}

struct manifest *
manifest_load_buf(const char *name, const char *dir, const char *data,
    size_t len, struct strlist *diags)
{
	struct ytree_limits lim = { MANIFEST_MAX_DEPTH, MANIFEST_MAX_NODES };
	struct ytree_error ye;
	struct ynode *root = NULL;
	struct manifest *m = NULL;
	struct mload L;
	size_t i;

	memset(&L, 0, sizeof(L));
	L.name = name;
	m = xcalloc(1, sizeof(*m));
	m->path = xstrdup(name);
	m->dir = dir_absolute(dir != NULL ? dir : ".");
	m->acme.manifest_dir = m->dir;
	L.dir = m->dir;

	if (len > MANIFEST_MAX_BYTES)
		mdiag(&L, 1, 1, "the manifest is larger than %d bytes",
		    MANIFEST_MAX_BYTES);
	else if (ytree_parse(data, len, &lim, &root, &ye) == -1)
		mdiag(&L, ye.line, ye.col, "%s", ye.msg);
	else if (root == NULL)
		mdiag(&L, 1, 1, "the manifest is empty (expected version: 1 "
		    "and certificates)");
	else
		manifest_build(&L, root, m);
	ytree_free(root);

	if (L.nd > 0)
		qsort(L.d, L.nd, sizeof(*L.d), mdiag_cmp);
	for (i = 0; i < L.nd; i++) {
		strlist_addf(diags, "%s:%d:%d: %s", name, L.d[i].line,
		    L.d[i].col, L.d[i].msg);
		free(L.d[i].msg);
	}
	if (L.dropped > 0)
		strlist_addf(diags, "%s: %zu more problems not shown", name,
		    L.dropped);
	free(L.d);
	if (L.nd > 0) {
		manifest_free(m);
		return NULL;
	}
	return m;
}

struct manifest *
manifest_load(const char *path, struct strlist *diags)
{
	struct err e;
	struct manifest *m;
	char *data, *dir;
	size_t len = 0;

	err_clear(&e);
	data = file_read(path, MANIFEST_MAX_BYTES, &len, &e);
	if (data == NULL) {
		if (errno == EFBIG)
			strlist_addf(diags, "%s:1:1: the manifest is larger "
			    "than %d bytes", path, MANIFEST_MAX_BYTES);
		else
			strlist_addf(diags, "%s", e.msg);
		return NULL;
	}
	dir = path_dirname(path);
	m = manifest_load_buf(path, dir, data, len, diags);
	free(dir);
	free(data);
	return m;
}

const struct mcert *
manifest_find_cert(const struct manifest *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->ncerts; i++)
		if (m->certs[i].name != NULL &&
		    strcmp(m->certs[i].name, name) == 0)
			return &m->certs[i];
	return NULL;
}
