/*
 * challenge.c - the challenge blocks of the manifest (top level and a
 * certificate's override): http-01 (webroot or listen) and dns-01 (RFC
 * 2136 with TSIG), then the effective challenge of each certificate, the
 * override over the default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/str.h"
#include "base/syntax.h"
#include "manifest/manifest.h"
#include "manifest/mload.h"
#include "manifest/ytree.h"

/* TSIG algorithms RFC 2136 updates may be signed with (RFC 8945). */
static const char *const tsig_algorithm_names[] = {
	"hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha224",
	"hmac-sha1", "hmac-md5",
};

void
rawchall_clear(struct rawchall *r)
{
	FREE_ALL(r->webroot, r->listen, r->server, r->tsig_name,
	    r->tsig_algorithm, r->tsig_secret_file);
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
			else
				r->server = hostport_join(host, port);
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
			if (str_index(tsig_algorithm_names,
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
void
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

/*
 * The effective challenge of a certificate: the override (ov, may be
 * NULL) over the default. Each of the http-01 and dns-01 blocks is taken
 * whole from the override when it has one, else from the default; then
 * the blocks the chosen type needs are checked. cpath/cnode name the
 * certificate for messages.
 */
void
merge_challenge(struct mload *L, const struct rawchall *def,
    const struct rawchall *ov, const char *cpath, const struct ynode *cnode,
    struct chall_conf *c, struct mpos *pos)
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
	*pos = node_pos(ov != NULL ? ov->key : def != NULL ? def->key :
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

