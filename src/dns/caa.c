/*
 * caa.c - the CAA verdict, pure (see caa.h). Mirrors Boulder va/caa.go:
 * selectCAA, filterCAA, validateCAA, parseCAARecord, caaDomainMatches,
 * caaAccountURIMatches, caaValidationMethodMatches.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/str.h"
#include "dns/caa.h"

const char *const caa_outcome_names[CAA__MAX] = {
	"allowed", "uncertain", "forbidden",
};

/* Tags Boulder knows; any other with flag 128 or 1 forbids issuance. */
static const char *const caa_known_tags[] = {
	"issue", "issuewild", "iodef", "issuemail", "issuevmc", NULL,
};

/* Validation methods Boulder knows (core.AcmeChallenge). */
static const char *const caa_known_methods[] = {
	"http-01", "dns-01", "tls-alpn-01", "dns-account-01", NULL,
};

static int
in_list(const char *const *l, const char *s)
{
	for (; *l != NULL; l++)
		if (strcmp(*l, s) == 0)
			return 1;
	return 0;
}

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* A malloced copy of s[0..n) without leading/trailing space and tab. */
static char *
trim_wsp(const char *s, size_t n)
{
	while (n > 0 && is_wsp(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_wsp(s[n - 1]))
		n--;
	return xstrndup(s, n);
}

int
caa_parse_value(const char *value, size_t len, char **domain, char ***params,
    char **why)
{
	struct strlist pl;
	const char *p, *end = value + len, *semi, *eq;
	char *tag = NULL, *val = NULL, *esc;
	size_t i;
	int nparts = 0;

	*domain = NULL;
	*why = NULL;
	strlist_init(&pl);
	if (memchr(value, '\0', len) != NULL) {
		*why = xstrdup("the value contains a NUL byte");
		goto fail;
	}
	semi = memchr(value, ';', len);
	*domain = trim_wsp(value, semi != NULL ? (size_t)(semi - value) : len);
	if (semi == NULL)
		goto done;
	/* Only "domain;" (and blanks): no parameters. */
	p = semi + 1;
	if (memchr(p, ';', (size_t)(end - p)) == NULL) {
		char *rest = trim_wsp(p, (size_t)(end - p));
		int blank = rest[0] == '\0';
		free(rest);
		if (blank)
			goto done;
	}
	while (p <= end) {
		const char *pe;
		semi = memchr(p, ';', (size_t)(end - p));
		pe = semi != NULL ? semi : end;
		nparts++;
		eq = memchr(p, '=', (size_t)(pe - p));
		if (eq == NULL) {
			char *raw = xstrndup(p, (size_t)(pe - p));
			esc = str_escape(raw);
			*why = xasprintf("parameter \"%s\" is not tag=value",
			    esc);
			free(esc);
			free(raw);
			goto fail;
		}
		tag = trim_wsp(p, (size_t)(eq - p));
		val = trim_wsp(eq + 1, (size_t)(pe - eq - 1));
		for (i = 0; tag[i] != '\0'; i++) {
			if (!isascii((unsigned char)tag[i]) ||
			    !isalnum((unsigned char)tag[i])) {
				esc = str_escape(tag);
				*why = xasprintf("parameter tag \"%s\" contains "
				    "a disallowed character (only letters and "
				    "digits)", esc);
				free(esc);
				goto fail;
			}
		}
		for (i = 0; val[i] != '\0'; i++) {
			unsigned char c = (unsigned char)val[i];
			if (c < 0x21 || c > 0x7e || c == ';') {
				esc = str_escape(val);
				*why = xasprintf("parameter value \"%s\" "
				    "contains a disallowed character (space, "
				    "control or non-ASCII)", esc);
				free(esc);
				goto fail;
			}
		}
		strlist_addf(&pl, "%s=%s", tag, val);
		free(tag);
		free(val);
		tag = val = NULL;
		if (semi == NULL)
			break;
		p = semi + 1;
	}
done:
	if (params != NULL) {
		*params = pl.v != NULL ? pl.v : xcalloc(1, sizeof(char *));
		strlist_init(&pl);	/* moved to *params */
	}
	strlist_clear(&pl);
	return 0;
fail:
	FREE_ALL(tag, val, *domain);
	*domain = NULL;
	strlist_clear(&pl);
	if (params != NULL)
		*params = NULL;
	return -1;
}

int
caa_select(const struct caa_label *labels, size_t n, char **msg)
{
	size_t i;

	*msg = NULL;
	for (i = 0; i < n; i++) {
		switch (labels[i].kind) {
		case CAA_LOOKUP_ERROR:
			*msg = xasprintf("CAA lookup for %s failed: %s "
			    "(Let's Encrypt refuses to issue when a lookup at "
			    "or below the relevant record set fails: it could "
			    "hide records)", labels[i].name,
			    labels[i].error != NULL ? labels[i].error :
			    "error");
			return -2;
		case CAA_LOOKUP_NXDOMAIN:
			if (i == n - 1) {
				*msg = xasprintf("CAA lookup for %s: the "
				    "top-level domain does not exist "
				    "(NXDOMAIN)", labels[i].name);
				return -2;
			}
			break;
		case CAA_LOOKUP_RECORDS:
			return (int)i;
		default:
			break;
		}
	}
	return -1;
}

/* "0 issue \"letsencrypt.org\"" with the value escaped; malloced. */
static char *
record_str(const struct caa_record *r)
{
	char *t = str_escape(r->tag), *v = str_escape_n(r->value,
	    r->value_len), *s;

	s = xasprintf("%u %s \"%s\"", r->flags, t, v);
	free(t);
	free(v);
	return s;
}

static char *
lower_dup(const char *s)
{
	char *d = xstrdup(s);

	str_lower(d);
	return d;
}

enum rec_verdict {
	REC_AUTH,		/* authorizes */
	REC_AUTH_NO_ACCOUNT,	/* would, if accounturi is our account */
	REC_NOBODY,		/* issue ";" */
	REC_UNPARSEABLE,
	REC_OTHER_ISSUER,
	REC_ACCOUNT,		/* accounturi names another account */
	REC_METHOD,		/* validationmethods lacks ours */
	REC_DUP,		/* a parameter given twice */
};

/*
 * Judges one issue/issuewild record. *why gets a malloced explanation
 * (NULL for REC_AUTH without remarks); *warn a malloced remark about
 * parameters Boulder ignores, or NULL.
 */
static enum rec_verdict
record_judge(const struct caa_record *r, const struct caa_request *req,
    char **why, char **warn)
{
	char *domain = NULL, **params = NULL, *perr = NULL, *esc;
	const char *acct = NULL, *methods = NULL, *eqs;
	enum rec_verdict v;
	struct buf w;
	size_t i;
	int nacct = 0, nmeth = 0, matched = 0;

	*why = NULL;
	*warn = NULL;
	buf_init(&w);
	if (caa_parse_value(r->value, r->value_len, &domain, &params,
	    &perr) == -1) {
		*why = xasprintf("unparseable, so it authorizes nobody: %s",
		    perr);
		free(perr);
		return REC_UNPARSEABLE;
	}
	for (i = 0; params[i] != NULL; i++) {
		eqs = strchr(params[i], '=');
		if (strncmp(params[i], "accounturi=", 11) == 0) {
			acct = eqs + 1;
			nacct++;
		} else if (strncmp(params[i], "validationmethods=", 18) == 0) {
			methods = eqs + 1;
			nmeth++;
		} else if (strncasecmp(params[i], "accounturi=", 11) == 0 ||
		    strncasecmp(params[i], "validationmethods=", 18) == 0) {
			esc = str_escape_n(params[i], (size_t)(eqs - params[i]));
			buf_printf(&w, "%sparameter %s= is ignored by Let's "
			    "Encrypt (parameter tags are case-sensitive), so "
			    "it restricts nothing: write it in lower case",
			    w.len ? "; " : "", esc);
			free(esc);
		}
	}
	if (w.len)
		*warn = buf_steal(&w);
	buf_clear(&w);

	if (domain[0] == '\0') {
		*why = xstrdup("authorizes nobody (but does not veto the "
		    "other records)");
		v = REC_NOBODY;
		goto out;
	}
	for (i = 0; req->identities != NULL && req->identities[i]; i++)
		if (strcmp(domain, req->identities[i]) == 0)
			matched = 1;
	if (!matched) {
		char *ld = lower_dup(domain);
		size_t n = strlen(ld);
		const char *near = NULL;
		if (n > 0 && ld[n - 1] == '.')
			ld[n - 1] = '\0';
		for (i = 0; req->identities != NULL && req->identities[i];
		    i++)
			if (strcasecmp(ld, req->identities[i]) == 0)
				near = req->identities[i];
		esc = str_escape(domain);
		if (near != NULL)
			*why = xasprintf("issuer domain \"%s\" does not match: "
			    "Let's Encrypt compares it exactly (case-"
			    "sensitive, no trailing dot); write \"%s\"", esc,
			    near);
		else
			*why = xasprintf("names issuer \"%s\", not this CA",
			    esc);
		free(esc);
		free(ld);
		v = REC_OTHER_ISSUER;
		goto out;
	}
	if (nacct > 1 || nmeth > 1) {
		*why = xasprintf("gives %s twice (RFC 8657 allows one)",
		    nacct > 1 ? "accounturi" : "validationmethods");
		v = REC_DUP;
		goto out;
	}
	if (methods != NULL) {
		const char *p = methods;
		int ok = 0, bad = 0;
		while (*p != '\0' && !bad) {
			size_t l = strcspn(p, ",");
			char *m = xstrndup(p, l);
			size_t k;
			if (l == 0)
				bad = 1;
			for (k = 0; k < l; k++)
				if (!isalnum((unsigned char)m[k]) &&
				    m[k] != '-')
					bad = 1;
			if (!bad && in_list(caa_known_methods, m) &&
			    req->method != NULL && strcmp(m, req->method) == 0)
				ok = 1;
			free(m);
			p += l;
			if (*p == ',')
				p++;
		}
		if (bad || !ok) {
			esc = str_escape(methods);
			if (bad)
				*why = xasprintf("validationmethods=%s is "
				    "malformed, so the record authorizes "
				    "nobody", esc);
			else
				*why = xasprintf("validationmethods=%s does "
				    "not include %s, the challenge type of this "
				    "certificate", esc, req->method != NULL ?
				    req->method : "(unknown)");
			free(esc);
			v = REC_METHOD;
			goto out;
		}
	}
	if (acct != NULL) {
		esc = str_escape(acct);
		if (req->account_url == NULL) {
			*why = xasprintf("accounturi=%s: no ACME account yet, "
			    "so certkeep cannot tell whether it will match "
			    "the account it registers", esc);
			free(esc);
			v = REC_AUTH_NO_ACCOUNT;
			goto out;
		}
		if (strcmp(acct, req->account_url) != 0) {
			*why = xasprintf("accounturi=%s is not this account "
			    "(%s)", esc, req->account_url);
			free(esc);
			v = REC_ACCOUNT;
			goto out;
		}
		free(esc);
	}
	v = REC_AUTH;
out:
	free(domain);
	strv_free(params);
	return v;
}

static const char *
ident_list(const struct caa_request *req, struct buf *b)
{
	size_t i;

	for (i = 0; req->identities != NULL && req->identities[i]; i++)
		buf_printf(b, "%s%s", i ? ", " : "", req->identities[i]);
	if (b->len == 0)
		buf_puts(b, "(none)");
	if (req->identity_source != NULL)
		buf_printf(b, " (%s)", req->identity_source);
	return b->data;
}

enum caa_outcome
caa_evaluate(const struct caa_label *set, const struct caa_request *req,
    char **msg)
{
	struct buf b, ids, why_all;
	const struct caa_record **recs = NULL;
	size_t i, n = 0, nissue = 0, nwild = 0;
	enum caa_outcome st = CAA_FORBIDDEN;
	const char *kind;
	char *tag, *rs, *why, *warn, *auth_rec = NULL, *auth_warn = NULL;
	char *pending = NULL;
	int other = 0;

	buf_init(&b);
	buf_init(&ids);
	buf_init(&why_all);
	*msg = NULL;
	ident_list(req, &ids);

	for (i = 0; i < set->n; i++) {
		const struct caa_record *r = &set->v[i];
		tag = lower_dup(r->tag);
		if (strcmp(tag, "issue") == 0)
			nissue++;
		else if (strcmp(tag, "issuewild") == 0)
			nwild++;
		else if (!in_list(caa_known_tags, tag) &&
		    (r->flags & (128 | 1)) != 0) {
			rs = record_str(r);
			buf_printf(&b, "CAA at %s has %s: an unknown property "
			    "marked critical forbids every CA%s", set->name,
			    rs, (r->flags & 128) ? "" : " (flag 1: Let's "
			    "Encrypt treats bit 1 as critical too, RFC 8659 "
			    "does not)");
			free(rs);
			free(tag);
			goto out;
		}
		free(tag);
	}
	if (!req->wildcard && nissue == 0) {
		buf_printf(&b, "CAA at %s has no issue property (%zu record%s:"
		    " issuewild, iodef or non-critical tags only): any CA may "
		    "issue", set->name, set->n, set->n == 1 ? "" : "s");
		st = CAA_ALLOWED;
		goto out;
	}
	kind = req->wildcard && nwild > 0 ? "issuewild" : "issue";
	if (req->wildcard && nwild == 0 && nissue == 0) {
		buf_printf(&b, "CAA at %s has no issue or issuewild property: "
		    "any CA may issue", set->name);
		st = CAA_ALLOWED;
		goto out;
	}
	recs = xcalloc(set->n, sizeof(*recs));
	for (i = 0; i < set->n; i++) {
		tag = lower_dup(set->v[i].tag);
		if (strcmp(tag, kind) == 0)
			recs[n++] = &set->v[i];
		free(tag);
	}
	for (i = 0; i < n; i++) {
		enum rec_verdict v = record_judge(recs[i], req, &why, &warn);
		rs = record_str(recs[i]);
		if (v == REC_AUTH && auth_rec == NULL) {
			auth_rec = rs;
			auth_warn = warn;
			rs = NULL;
			warn = NULL;
		} else if (v == REC_AUTH_NO_ACCOUNT && pending == NULL) {
			pending = xasprintf("%s: %s", rs, why);
		} else {
			if (v == REC_OTHER_ISSUER)
				other = 1;
			buf_printf(&why_all, "; %s: %s", rs, why != NULL ? why :
			    "does not authorize");
			if (warn != NULL)
				buf_printf(&why_all, " (%s)", warn);
		}
		FREE_ALL(rs, why, warn);
	}
	if (auth_rec != NULL) {
		if (auth_warn != NULL) {
			buf_printf(&b, "CAA at %s authorizes %s for %s by %s, "
			    "but %s", set->name, ids.data, req->method,
			    auth_rec, auth_warn);
			st = CAA_UNCERTAIN;
		} else {
			buf_printf(&b, "CAA at %s authorizes %s for %s by %s",
			    set->name, ids.data, req->method, auth_rec);
			st = CAA_ALLOWED;
		}
		goto out;
	}
	if (pending != NULL) {
		buf_printf(&b, "CAA at %s %s%s", set->name, pending,
		    why_all.data != NULL ? why_all.data : "");
		st = CAA_UNCERTAIN;
		goto out;
	}
	if (other && req->identity_guessed) {
		buf_printf(&b, "CAA at %s (%s) does not name %s, but that "
		    "identity is a guess: set acme.caa_identities to the CA's "
		    "CAA identity%s", set->name, kind, ids.data,
		    why_all.data != NULL ? why_all.data : "");
		st = CAA_UNCERTAIN;
		goto out;
	}
	buf_printf(&b, "CAA at %s forbids issuance by %s%s: no %s record "
	    "authorizes it%s", set->name, ids.data,
	    req->wildcard ? " for a wildcard" : "", kind,
	    why_all.data != NULL ? why_all.data : "");
	st = CAA_FORBIDDEN;
out:
	if (set->via != NULL && b.data != NULL)
		buf_printf(&b, " (records of %s, via CNAME)", set->via);
	*msg = buf_steal(&b);
	buf_clear(&ids);
	buf_clear(&why_all);
	FREE_ALL(auth_rec, auth_warn, pending, recs);
	return st;
}

enum caa_outcome
caa_verdict(const char *hostname, const struct caa_label *labels, size_t n,
    const struct caa_request *req, char **msg)
{
	char *m = NULL;
	int idx;

	idx = caa_select(labels, n, &m);
	if (idx == -2) {
		*msg = m;
		return CAA_FORBIDDEN;
	}
	if (idx == -1) {
		*msg = xasprintf("no CAA records for %s or its parents up to "
		    "%s: any CA may issue", hostname, n > 0 ?
		    labels[n - 1].name : hostname);
		return CAA_ALLOWED;
	}
	return caa_evaluate(&labels[idx], req, msg);
}

/* The CAA record of an ldns RR: flags, tag (length-prefixed), value. */
int
caa_parse_rr(const ldns_rr *rr, struct caa_record *out)
{
	const ldns_rdf *f, *t, *v;
	const uint8_t *td;
	size_t tl;

	memset(out, 0, sizeof(*out));
	if (ldns_rr_rd_count(rr) != 3)
		return -1;
	f = ldns_rr_rdf(rr, 0);
	t = ldns_rr_rdf(rr, 1);
	v = ldns_rr_rdf(rr, 2);
	if (ldns_rdf_size(f) != 1 || ldns_rdf_size(t) < 1)
		return -1;
	td = ldns_rdf_data(t);
	tl = ldns_rdf_size(t);
	if ((size_t)td[0] == tl - 1) {	/* <character-string> form */
		td++;
		tl--;
	}
	out->flags = ldns_rdf_data(f)[0];
	out->tag = xstrndup((const char *)td, tl);
	out->value_len = ldns_rdf_size(v);
	out->value = xmalloc(out->value_len + 1);
	memcpy(out->value, ldns_rdf_data(v), out->value_len);
	out->value[out->value_len] = '\0';
	return 0;
}
