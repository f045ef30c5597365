/*
 * cert.c - one certificate of the manifest: its name, hostnames,
 * addresses, key and profile, challenge override, deploy hook and the
 * listeners (server, service, address) its fragments are rendered for.
 */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/str.h"
#include "base/syntax.h"
#include "manifest/manifest.h"
#include "manifest/mload.h"
#include "manifest/ytree.h"

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

/* name: present, not empty, safe as a directory name. */
static void
cert_parse_name(struct mload *L, const struct ynode *n,
    const struct ynode *v, const char *path, struct mcert *c)
{
	char p[MPATH_MAX];
	const char *why;

	mpath_key(p, path, "name");
	if (v == NULL || ytree_is_null(v))
		NDIAG(L, n, "%s: missing name (the repository directory "
		    "name)", path);
	else if (get_str(L, v, p, &c->name) == 0) {
		if (c->name == NULL)
			NDIAG(L, v, "%s: must not be empty", p);
		else if ((why = safe_name_problem(c->name)) != NULL)
			mdiag_val(L, v, p, why);
	}
}

/*
 * hostnames: a non-empty list of valid names, lower-cased, no duplicate.
 * *origp (malloced, caller frees) maps each kept name to its index in
 * the list, for messages about it later.
 */
static void
cert_parse_hostnames(struct mload *L, const struct ynode *n,
    const struct ynode *hl, const char *path, struct mcert *c, int **origp)
{
	char p[MPATH_MAX], q[MPATH_MAX];
	const char *why;
	int *orig;
	size_t i;

	mpath_key(p, path, "hostnames");
	if (hl == NULL || ytree_is_null(hl) ||
	    (hl->type == YTREE_SEQ && hl->nkids == 0)) {
		NDIAG(L, hl != NULL ? hl : n,
		    "%s: at least one hostname is needed", p);
		return;
	}
	if (hl->type != YTREE_SEQ) {
		NDIAG(L, hl, "%s: expected a list, found %s", p,
		    ytype_name(hl));
		return;
	}
	c->hostnames = xcalloc(hl->nkids + 1, sizeof(char *));
	orig = *origp = xcalloc(hl->nkids + 1, sizeof(int));
	for (i = 0; i < hl->nkids; i++) {
		const struct ynode *it = hl->kids[i];

		mpath_idx(q, p, i);
		if (it->type != YTREE_SCALAR) {
			NDIAG(L, it, "%s: expected a hostname, found %s", q,
			    ytype_name(it));
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
	list_dups_report(L, hl, (const char *const *)c->hostnames,
	    c->nhostnames, orig, p, NULL, "hostname");
}

/* addresses: IP addresses, kept in canonical form. */
static void
cert_parse_addresses(struct mload *L, const struct ynode *v,
    const char *path, struct mcert *c)
{
	char p[MPATH_MAX], q[MPATH_MAX], ip[64];
	size_t i, nok;

	mpath_key(p, path, "addresses");
	strv_free(c->addresses);
	(void)get_strv(L, v, p, &c->addresses, &c->naddresses);
	/* get_strv skipped bad items, so walk the nodes. */
	for (i = 0, nok = 0; v->type == YTREE_SEQ && i < v->nkids; i++) {
		const struct ynode *it = v->kids[i];

		if (it->type != YTREE_SCALAR || it->len == 0 ||
		    ytree_is_null(it))
			continue;
		if (ip_canonical(it->str, ip, sizeof(ip)) < 0) {
			mpath_idx(q, p, i);
			mdiag_val(L, it, q, "not an IPv4 or IPv6 address");
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

/* key_type: one of the key type names. */
static void
cert_parse_key_type(struct mload *L, const struct ynode *v,
    const char *path, struct mcert *c)
{
	char p[MPATH_MAX], *s = NULL;
	int t;

	mpath_key(p, path, "key_type");
	if (get_str(L, v, p, &s) == 0 && s != NULL) {
		if ((t = key_type_from_name(s)) < 0)
			mdiag_val(L, v, p, "unknown key type ("
			    KEY_TYPE_NAMES_TEXT ")");
		else
			c->key_type = (enum key_type)t;
	}
	free(s);
}

/* profile: a profile name token. */
static void
cert_parse_profile(struct mload *L, const struct ynode *v,
    const char *path, struct mcert *c)
{
	char p[MPATH_MAX];

	mpath_key(p, path, "profile");
	if (get_str(L, v, p, &c->profile) == 0 && c->profile != NULL &&
	    !token_ok(c->profile)) {
		mdiag_val(L, v, p, "not a profile name (1..64 printable "
		    "characters, no spaces)");
		free(c->profile);
		c->profile = NULL;
	}
}

/* listeners: a list of listeners, no two for one server, service and
   address. */
static void
cert_parse_listeners(struct mload *L, const struct ynode *ll,
    const char *path, struct mcert *c)
{
	char p[MPATH_MAX], q[MPATH_MAX];
	char **keys;
	size_t i;

	mpath_key(p, path, "listeners");
	if (ll->type != YTREE_SEQ) {
		NDIAG(L, ll, "%s: expected a list, found %s", p,
		    ytype_name(ll));
		return;
	}
	c->listeners = xcalloc(ll->nkids + 1, sizeof(*c->listeners));
	keys = xcalloc(ll->nkids + 1, sizeof(char *));
	for (i = 0; i < ll->nkids; i++) {
		mpath_idx(q, p, i);
		parse_listener(L, ll->kids[i], q, &c->listeners[i]);
		c->nlisteners++;
		/* One listener has no duplicate: no key to make. */
		if (ll->nkids > 1 && c->listeners[i].host != NULL &&
		    c->listeners[i].server < SERVER__MAX)
			keys[i] = xasprintf("%d/%d/%s/%d",
			    (int)c->listeners[i].server,
			    (int)c->listeners[i].service,
			    c->listeners[i].host, c->listeners[i].port);
	}
	list_dups_report(L, ll, (const char *const *)keys, ll->nkids, NULL, p,
	    NULL, "listener");
	for (i = 0; i < ll->nkids; i++)
		free(keys[i]);
	free(keys);
}

/* http-01 cannot validate a wildcard: each one is reported at its item
   of hl (orig: see cert_parse_hostnames()). */
static void
cert_check_wildcards(struct mload *L, const struct ynode *hl,
    const char *path, const struct mcert *c, const int *orig)
{
	char p[MPATH_MAX], q[MPATH_MAX];
	size_t i;

	for (i = 0; i < c->nhostnames; i++) {
		if (strncmp(c->hostnames[i], "*.", 2) != 0)
			continue;
		mpath_key(p, path, "hostnames");
		mpath_idx(q, p, (size_t)orig[i]);
		NDIAG(L, hl->kids[orig[i]], "%s: \"%s\": a wildcard needs the "
		    "dns-01 challenge (http-01 cannot validate it)", q,
		    c->hostnames[i]);
	}
}

/*
 * One certificate: each key in the order of the field table, then the
 * defaults (empty lists, acme.profile), the challenge merged over the
 * top-level one, and the checks that need it (wildcards).
 */
void
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
	char p[MPATH_MAX];
	int *orig = NULL, have_ov = 0;

	memset(&ov, 0, sizeof(ov));
	c->pos = node_pos(n);
	c->key_type = KEY_EC_P256;
	if (map_fields(L, n, path, f, F__N) == -1 || ytree_is_null(n)) {
		if (ytree_is_null(n))
			NDIAG(L, n, "%s: an empty certificate", path);
		goto defaults;
	}

	cert_parse_name(L, n, f[F_NAME].v, path, c);
	cert_parse_hostnames(L, n, f[F_HOSTNAMES].v, path, c, &orig);
	c->addresses = xcalloc(1, sizeof(char *));
	if (f[F_ADDRESSES].v != NULL)
		cert_parse_addresses(L, f[F_ADDRESSES].v, path, c);
	if (f[F_KEYTYPE].v != NULL)
		cert_parse_key_type(L, f[F_KEYTYPE].v, path, c);
	if (f[F_REUSE].v != NULL) {
		mpath_key(p, path, "reuse_key");
		(void)get_bool(L, f[F_REUSE].v, p, &c->reuse_key);
	}
	if (f[F_PROFILE].v != NULL)
		cert_parse_profile(L, f[F_PROFILE].v, path, c);
	if (f[F_CHALL].k != NULL && !ytree_is_null(f[F_CHALL].v)) {
		mpath_key(p, path, "challenge");
		parse_challenge(L, f[F_CHALL].k, f[F_CHALL].v, p, &ov);
		have_ov = 1;
	}
	if (f[F_HOOK].v != NULL) {
		mpath_key(p, path, "deploy_hook");
		get_argv(L, f[F_HOOK].v, p, &c->deploy_hook);
	}
	if (f[F_LISTENERS].v != NULL && !ytree_is_null(f[F_LISTENERS].v))
		cert_parse_listeners(L, f[F_LISTENERS].v, path, c);

defaults:
	if (c->hostnames == NULL)
		c->hostnames = xcalloc(1, sizeof(char *));
	if (c->addresses == NULL)
		c->addresses = xcalloc(1, sizeof(char *));
	if (c->profile == NULL && acme_profile != NULL)
		c->profile = xstrdup(acme_profile);
	merge_challenge(L, def, have_ov ? &ov : NULL, path, n, &c->challenge,
	    &c->challenge_pos);
	if (have_ov)
		c->challenge_pos = node_pos(ov.key);
	else
		c->challenge_pos = c->pos;
	if (c->challenge.type == CHALL_HTTP01 && f[F_HOSTNAMES].v != NULL &&
	    f[F_HOSTNAMES].v->type == YTREE_SEQ)
		cert_check_wildcards(L, f[F_HOSTNAMES].v, path, c, orig);
	free(orig);
	rawchall_clear(&ov);
}
