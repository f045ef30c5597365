/*
 * manifest.c - the manifest loader (certkeep.yaml(5)): a YAML tree from
 * ytree.c is walked key by key into the typed structs of manifest.h, with
 * defaults, path resolution and validation. Every problem becomes one
 * diagnostic with its line and column; they are sorted by position and
 * handed to the caller all at once. Loading writes nothing anywhere.
 *
 * This file holds the load itself (file, YAML tree, diagnostics, the top
 * level); get.c the typed getters, challenge.c the challenge blocks,
 * settings.c the other top-level sections, cert.c the certificates.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/str.h"
#include "manifest/manifest.h"
#include "manifest/mload.h"
#include "manifest/ytree.h"

#define MANIFEST_MAX_DEPTH	32
#define MANIFEST_MAX_NODES	4000000	/* 100,000 certificates of a few names */
#define MANIFEST_MAX_DIAGS	100

const char *const server_kind_names[SERVER__MAX] = {
	"axigen", "dovecot", "postfix", "nginx", "haproxy",
};

const char *const service_kind_names[SERVICE__MAX] = {
	"webmail", "imap", "pop3", "smtp-in", "webmail-proxy", "imap-proxy",
	"pop3-proxy", "webadmin", "https", "http",
};

int
server_kind_from_name(const char *name)
{
	return str_index(server_kind_names, SERVER__MAX, name);
}

int
service_kind_from_name(const char *name)
{
	return str_index(service_kind_names, SERVICE__MAX, name);
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

void
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
void
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

void
manifest_free(struct manifest *m)
{
	size_t i, j;

	if (m == NULL)
		return;
	FREE_ALL(m->path, m->dir, m->acme.directory, m->acme.directory_alias);
	strv_free(m->acme.contact);
	FREE_ALL(m->acme.ca_bundle, m->acme.eab_kid, m->acme.eab_hmac_key_file,
	    m->acme.profile);
	strv_free(m->acme.caa_identities);
	free(m->store);
	manifest_etcd_clear(&m->etcd);
	free(m->metrics_textfile);
	strv_free(m->domains);
	strv_free(m->dns.resolvers);
	chall_conf_clear(&m->challenge);
	FREE_ALL(m->notify.smtp, m->notify.from, m->notify.contact,
	    m->notify.auth_file, m->fragments.dir);
	for (i = 0; i < SERVER__MAX; i++)
		strv_free(m->fragments.reload[i]);
	for (i = 0; i < m->ncerts; i++) {
		struct mcert *c = &m->certs[i];

		free(c->name);
		strv_free(c->hostnames);
		strv_free(c->addresses);
		free(c->profile);
		chall_conf_clear(&c->challenge);
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
	merge_challenge(L, &def, NULL, "challenge", NULL, &m->challenge,
	    &m->challenge_pos);

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
		for (i = 0; i < cl->nkids; i++) {
			mpath_idx(p, "certificates", i);
			parse_cert(L, cl->kids[i], p, &def, m->acme.profile,
			    &m->certs[i]);
			m->ncerts++;
			names[i] = m->certs[i].name;
		}
		list_dups_report(L, cl, (const char *const *)names,
		    cl->nkids, NULL, "certificates", "name",
		    "certificate name");
		free(names);
	}
	rawchall_clear(&def);
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
