/*
 * settings.c - the top-level sections of the manifest besides the
 * challenge and the certificates: acme, renew_before, dns, notify and
 * fragments.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/path.h"
#include "base/str.h"
#include "base/syntax.h"
#include "manifest/manifest.h"
#include "manifest/mload.h"
#include "manifest/ytree.h"

/* An https URL with a host (no spaces or control bytes). */
static const char *
https_url_problem(const char *s)
{
	char *host;
	int nohost;

	if (strncmp(s, "https://", 8) != 0)
		return "must be an https:// URL (or letsencrypt, "
		    "letsencrypt-staging)";
	host = url_host(s);
	nohost = host[0] == '\0';
	free(host);
	if (nohost)
		return "the URL has no host";
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s >= 0x7f)
			return "the URL holds a space or a control byte";
	return NULL;
}

void
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
			    "unknown key type (" KEY_TYPE_NAMES_TEXT ")");
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

void
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

void
parse_dns(struct mload *L, const struct ynode *v, struct dns_conf *d)
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

void
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

void
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
