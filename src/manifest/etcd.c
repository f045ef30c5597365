/*
 * manifest/etcd.c - the manifest's etcd store: `store: etcd://HOST:PORT
 * [,HOST:PORT...]/PREFIX` and the `etcd:` block (TLS files, auth_file,
 * lock_ttl, local_dir). Works on the YAML tree and reports through the
 * loader's diag function, so every problem reads FILE:LINE:COL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/path.h"
#include "base/str.h"
#include "base/time.h"
#include "manifest/manifest.h"
#include "manifest/ytree.h"

#define ETCD_SCHEME	"etcd://"
/* lock_ttl bounds: shorter is lost to a slow request, longer keeps a
   dead node's certificates waiting. */
#define ETCD_TTL_MIN	2
#define ETCD_TTL_MAX	3600

struct ectx {
	manifest_diag_fn diag;
	void		*arg;
	const char	*dir;
};

static void __attribute__((format(printf, 3, 4)))
ediag(const struct ectx *x, const struct ynode *n, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->diag(x->arg, n->line, n->col, msg);
}

static const char *
kind(const struct ynode *n)
{
	return n->type == YTREE_SEQ ? "a list" : n->type == YTREE_MAP ?
	    "a mapping" : "a single value";
}

/* "h:p,h:p/PREFIX": NULL when fine, else why not. */
static const char *
etcd_url_problem(const char *s)
{
	const char *p = s + strlen(ETCD_SCHEME), *slash, *tok, *colon, *q;
	long port;
	char *end;

	if ((slash = strchr(p, '/')) == NULL)
		return "no /PREFIX after the endpoints "
		    "(etcd://HOST:PORT[,HOST:PORT...]/PREFIX)";
	if (slash == p)
		return "no endpoint (etcd://HOST:PORT[,HOST:PORT...]/PREFIX)";
	for (tok = p; tok < slash; tok = q + 1) {
		q = memchr(tok, ',', (size_t)(slash - tok));
		if (q == NULL)
			q = slash;
		colon = NULL;
		for (const char *c = tok; c < q; c++)
			if (*c == ':')
				colon = c;
		if (colon == NULL || colon == tok)
			return "an endpoint is not HOST:PORT";
		port = strtol(colon + 1, &end, 10);
		if (end != q || colon + 1 == q || port < 1 || port > 65535)
			return "an endpoint has no port in 1..65535";
	}
	q = slash + 1;
	if (*q == '\0')
		return "no PREFIX after the endpoints";
	for (; *q != '\0'; q++)
		if (!(*q >= 'a' && *q <= 'z') && !(*q >= 'A' && *q <= 'Z') &&
		    !(*q >= '0' && *q <= '9') && strchr("._-/", *q) == NULL)
			return "PREFIX may hold letters, digits, '.', '_', '-' "
			    "and '/' only";
	if (strstr(slash, "/../") != NULL || strstr(slash, "/./") != NULL ||
	    str_endswith(slash, "/..") || str_endswith(slash, "/."))
		return "PREFIX may not hold \".\" or \"..\" components";
	return NULL;
}

/* Every endpoint on loopback (plain http is allowed there only). */
static int
etcd_url_loopback(const char *s)
{
	const char *p = s + strlen(ETCD_SCHEME), *slash = strchr(p, '/');
	const char *tok;

	for (tok = p; tok != NULL && tok < slash; ) {
		if (strncmp(tok, "127.", 4) != 0 &&
		    strncmp(tok, "[::1]:", 6) != 0 &&
		    strncmp(tok, "localhost:", 10) != 0)
			return 0;
		tok = memchr(tok, ',', (size_t)(slash - tok));
		if (tok != NULL)
			tok++;
	}
	return 1;
}

static void
get_path(const struct ectx *x, const struct ynode *n, const char *path,
    char **out)
{
	if (n->type != YTREE_SCALAR) {
		ediag(x, n, "%s: expected a single value, found %s", path,
		    kind(n));
		return;
	}
	if (n->str[0] == '\0') {
		ediag(x, n, "%s: must not be empty", path);
		return;
	}
	free(*out);
	*out = path_resolve(x->dir, n->str);
}

static void
get_ttl(const struct ectx *x, const struct ynode *n, long long *out)
{
	long long s;
	char *v;

	if (n->type != YTREE_SCALAR) {
		ediag(x, n, "etcd.lock_ttl: expected a duration (90s, 30m, "
		    "12h, 25d), found %s", kind(n));
		return;
	}
	v = str_escape(n->str);
	if (duration_parse(n->str, &s) == -1)
		ediag(x, n, "etcd.lock_ttl: \"%s\": not a duration (90s, 30m, "
		    "12h, 25d)", v);
	else if (s < ETCD_TTL_MIN || s > ETCD_TTL_MAX)
		ediag(x, n, "etcd.lock_ttl: \"%s\": must be %ds .. %dm", v,
		    ETCD_TTL_MIN, ETCD_TTL_MAX / 60);
	else
		*out = s;
	free(v);
}

int
manifest_parse_etcd(const struct ynode *store, const struct ynode *ekey,
    const struct ynode *eval, const char *dir, struct manifest *m,
    manifest_diag_fn diag, void *arg)
{
	static const char *const keys[] = {
		"ca_file", "cert_file", "key_file", "auth_file", "lock_ttl",
		"local_dir",
	};
	enum { K_CA, K_CERT, K_KEY, K_AUTH, K_TTL, K_LOCAL, K__N };
	const struct ynode *v[K__N] = { NULL }, *k[K__N] = { NULL };
	struct ectx x = { diag, arg, dir };
	const char *why;
	char *esc;
	size_t i, j;
	int is_etcd;

	is_etcd = store != NULL && store->type == YTREE_SCALAR &&
	    strncmp(store->str, ETCD_SCHEME, strlen(ETCD_SCHEME)) == 0;
	m->etcd.lock_ttl = 60;
	if (is_etcd) {
		if ((why = etcd_url_problem(store->str)) != NULL) {
			esc = str_escape(store->str);
			ediag(&x, store, "store: \"%s\": %s", esc, why);
			free(esc);
		}
		m->store = xstrdup(store->str);
		m->store_etcd = 1;
	}
	if (eval != NULL && !ytree_is_null(eval)) {
		if (!is_etcd)
			ediag(&x, ekey, "etcd: only with an etcd:// store "
			    "(store: etcd://HOST:PORT[,HOST:PORT...]/PREFIX)");
		if (eval->type != YTREE_MAP) {
			ediag(&x, eval, "etcd: expected a mapping, found %s",
			    kind(eval));
			eval = NULL;
		}
	} else
		eval = NULL;
	for (i = 0; eval != NULL && i + 1 < eval->nkids; i += 2) {
		const struct ynode *kn = eval->kids[i];

		for (j = 0; j < K__N; j++)
			if (kn->type == YTREE_SCALAR &&
			    strcmp(kn->str, keys[j]) == 0)
				break;
		if (j == K__N) {
			esc = str_escape(kn->str != NULL ? kn->str : "");
			ediag(&x, kn, "etcd: unknown key \"%s\" (known: "
			    "ca_file, cert_file, key_file, auth_file, "
			    "lock_ttl, local_dir)", esc);
			free(esc);
		} else if (k[j] != NULL)
			ediag(&x, kn, "etcd.%s: duplicate key (first at line "
			    "%d)", keys[j], k[j]->line);
		else {
			k[j] = kn;
			v[j] = eval->kids[i + 1];
		}
	}
	if (v[K_CA] != NULL)
		get_path(&x, v[K_CA], "etcd.ca_file", &m->etcd.ca_file);
	if (v[K_CERT] != NULL)
		get_path(&x, v[K_CERT], "etcd.cert_file", &m->etcd.cert_file);
	if (v[K_KEY] != NULL)
		get_path(&x, v[K_KEY], "etcd.key_file", &m->etcd.key_file);
	if (v[K_AUTH] != NULL)
		get_path(&x, v[K_AUTH], "etcd.auth_file", &m->etcd.auth_file);
	if (v[K_LOCAL] != NULL)
		get_path(&x, v[K_LOCAL], "etcd.local_dir", &m->etcd.local_dir);
	if (v[K_TTL] != NULL)
		get_ttl(&x, v[K_TTL], &m->etcd.lock_ttl);
	if ((k[K_CERT] != NULL) != (k[K_KEY] != NULL))
		ediag(&x, k[K_CERT] != NULL ? k[K_CERT] : k[K_KEY],
		    "etcd: cert_file and key_file go together (the client "
		    "certificate and its key)");
	if (k[K_CERT] != NULL && k[K_CA] == NULL)
		ediag(&x, k[K_CERT], "etcd.cert_file: needs etcd.ca_file "
		    "(TLS to etcd)");
	if (is_etcd && k[K_CA] == NULL && etcd_url_problem(store->str) ==
	    NULL && !etcd_url_loopback(store->str))
		ediag(&x, store, "store: plain http to etcd is only allowed "
		    "to loopback addresses; give etcd.ca_file (TLS)");
	if (is_etcd && m->etcd.local_dir == NULL)
		m->etcd.local_dir = xstrdup("/var/opt/certkeep");
	return is_etcd;
}

void
manifest_etcd_clear(struct metcd *e)
{
	free(e->ca_file);
	free(e->cert_file);
	free(e->key_file);
	free(e->auth_file);
	free(e->local_dir);
	memset(e, 0, sizeof(*e));
}
