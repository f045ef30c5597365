/* Unit tests of the CAA verdict (caa.c): every rule, no DNS. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/str.h"
#include "dns/caa.h"
#include "tap.h"

static char *ids_le[] = { "letsencrypt.org", NULL };
#define ACCT "https://acme-v02.api.letsencrypt.org/acme/acct/42"

/* Evaluates one set of records (tag/value pairs with flags) at "ex.com". */
static enum caa_outcome
eval(const char *const *spec, int wildcard, const char *method,
    const char *account, int guessed, char **msg)
{
	struct caa_record recs[16];
	struct caa_label l;
	struct caa_request req;
	size_t n = 0;
	enum caa_outcome st;

	for (; spec[0] != NULL; spec += 3, n++) {
		recs[n].flags = (unsigned)atoi(spec[0]);
		recs[n].tag = (char *)spec[1];
		recs[n].value = (char *)spec[2];
		recs[n].value_len = strlen(spec[2]);
	}
	memset(&l, 0, sizeof(l));
	l.name = "ex.com";
	l.kind = CAA_LOOKUP_RECORDS;
	l.v = recs;
	l.n = n;
	memset(&req, 0, sizeof(req));
	req.wildcard = wildcard;
	req.identities = ids_le;
	req.identity_source = "test";
	req.identity_guessed = guessed;
	req.account_url = account;
	req.method = method;
	st = caa_evaluate(&l, &req, msg);
	return st;
}

/* Values caa_parse_value() refuses, and a part of the reason it gives. */
static const struct {
	const char *value;
	size_t len;
	const char *why_has;	/* NULL: not checked */
	const char *what;
} refused[] = {
	{ "le.org; acc-ount=1", 18, "acc-ount", "hyphen in a tag" },
	{ "le.org; a_b=1", 13, NULL, "underscore in a tag" },
	{ "le.org; a=b c", 13, "disallowed", "space in a value" },
	{ "le.org; a=\xc3\xa9", 12, "\\x", "non-ASCII value, escaped" },
	{ "le.org; novalue", 15, "tag=value", "parameter without =" },
	{ "le.org; a=1;", 12, NULL,
	    "empty parameter after ; (Boulder: not tag=value)" },
	{ "le.org\0x", 8, NULL, "NUL byte in the value" },
};

static void
test_parse(void)
{
	char *d, **p, *why;
	size_t i;

	ok(caa_parse_value("letsencrypt.org", 15, &d, &p, &why) == 0 &&
	    strcmp(d, "letsencrypt.org") == 0 && p[0] == NULL, "plain");
	free(d);
	strv_free(p);
	ok(caa_parse_value(" letsencrypt.org ; ", 19, &d, &p, &why) == 0 &&
	    strcmp(d, "letsencrypt.org") == 0 && p[0] == NULL,
	    "trailing ; with blanks: no parameters");
	free(d);
	strv_free(p);
	ok(caa_parse_value(";", 1, &d, &p, &why) == 0 && d[0] == '\0',
	    "\";\" is an empty issuer");
	free(d);
	strv_free(p);
	ok(caa_parse_value("le.org; a=1; b = 2", 18, &d, &p, &why) == 0 &&
	    p[0] != NULL && strcmp(p[0], "a=1") == 0 &&
	    strcmp(p[1], "b=2") == 0, "parameters trimmed");
	free(d);
	strv_free(p);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		why = NULL;
		ok(caa_parse_value(refused[i].value, refused[i].len, &d, &p,
		    &why) == -1 && (refused[i].why_has == NULL ||
		    (why != NULL && strstr(why, refused[i].why_has) != NULL)),
		    "%s", refused[i].what);
		free(why);
	}
}

static void
test_select(void)
{
	struct caa_record r = { 0, "issue", "x.org", 5 };
	struct caa_label l[4];
	char *msg = NULL;

	memset(l, 0, sizeof(l));
	l[0].name = "a.b.ex.com";
	l[1].name = "b.ex.com";
	l[2].name = "ex.com";
	l[3].name = "com";
	l[0].kind = CAA_LOOKUP_EMPTY;
	l[1].kind = CAA_LOOKUP_NXDOMAIN;
	l[2].kind = CAA_LOOKUP_RECORDS;
	l[2].v = &r;
	l[2].n = 1;
	l[3].kind = CAA_LOOKUP_ERROR;
	l[3].error = "SERVFAIL";
	is_int(caa_select(l, 4, &msg), 2,
	    "climbs past empty and NXDOMAIN to the first set; error above "
	    "it ignored");
	l[1].kind = CAA_LOOKUP_ERROR;
	l[1].error = "SERVFAIL from 127.0.0.1:53";
	is_int(caa_select(l, 4, &msg), -2, "error below the set fails");
	ok(msg && strstr(msg, "b.ex.com") && strstr(msg, "SERVFAIL"),
	    "message names the label and error");
	free(msg);
	l[1].kind = CAA_LOOKUP_EMPTY;
	l[2].kind = CAA_LOOKUP_EMPTY;
	l[3].kind = CAA_LOOKUP_ERROR;
	is_int(caa_select(l, 4, &msg), -2, "error at the TLD with no set "
	    "below fails");
	free(msg);
	l[3].kind = CAA_LOOKUP_EMPTY;
	is_int(caa_select(l, 4, &msg), -1, "no records anywhere");
	l[3].kind = CAA_LOOKUP_NXDOMAIN;
	is_int(caa_select(l, 4, &msg), -2, "NXDOMAIN at the bare TLD fails");
	ok(msg && strstr(msg, "top-level domain does not exist"), "says so");
	free(msg);
}

/*
 * One record set at "ex.com" (flags, tag, value triples) and its verdict;
 * the message must hold phrase. Unless opts say otherwise: a plain name,
 * method http-01, the account ACCT, the CA identity configured.
 */
enum {
	WILD = 1,	/* a wildcard (method dns-01) */
	DNS01 = 2,	/* method dns-01 */
	NOACCT = 4,	/* no ACME account yet */
	GUESS = 8	/* the CA identity is a guess */
};
static const struct eval_case {
	enum caa_outcome want;
	const char *phrase;
	int opts;
	const char *recs[7];	/* NULL ends */
} eval_cases[] = {
	{ CAA_ALLOWED, "authorizes letsencrypt.org", 0,
	    { "0", "issue", "letsencrypt.org" } },
	{ CAA_FORBIDDEN, "names issuer \"sectigo.com\", not this CA", 0,
	    { "0", "issue", "sectigo.com" } },
	{ CAA_ALLOWED, "authorizes", 0, { "0", "ISSUE", "letsencrypt.org" } },
	{ CAA_FORBIDDEN, "write \"letsencrypt.org\"", 0,
	    { "0", "issue", "LetsEncrypt.org" } },
	{ CAA_FORBIDDEN, "write \"letsencrypt.org\"", 0,
	    { "0", "issue", "letsencrypt.org." } },
	{ CAA_FORBIDDEN, "authorizes nobody", 0, { "0", "issue", ";" } },
	{ CAA_ALLOWED, "authorizes", 0,
	    { "0", "issue", ";", "0", "issue", "letsencrypt.org" } },
	{ CAA_FORBIDDEN, "unknown property marked critical", 0,
	    { "128", "tbs", "x", "0", "issue", "letsencrypt.org" } },
	{ CAA_FORBIDDEN, "flag 1", 0,
	    { "1", "tbs", "x", "0", "issue", "letsencrypt.org" } },
	{ CAA_ALLOWED, "authorizes", 0,
	    { "0", "tbs", "x", "0", "issue", "letsencrypt.org" } },
	{ CAA_ALLOWED, "authorizes", 0, { "128", "iodef", "mailto:x@ex.com",
	    "0", "issue", "letsencrypt.org" } },
	{ CAA_ALLOWED, "authorizes", 0,
	    { "128", "IssueMail", "x.org", "0", "issue", "letsencrypt.org" } },
	{ CAA_ALLOWED, "no issue property", 0,
	    { "0", "issuewild", "sectigo.com" } },
	{ CAA_FORBIDDEN, "for a wildcard", WILD, { "0", "issuewild",
	    "sectigo.com", "0", "issue", "letsencrypt.org" } },
	{ CAA_ALLOWED, "authorizes", WILD, { "0", "issuewild",
	    "letsencrypt.org", "0", "issue", "sectigo.com" } },
	{ CAA_ALLOWED, "authorizes", WILD, { "0", "issue", "letsencrypt.org" } },
	{ CAA_FORBIDDEN, "forbids", WILD, { "0", "issue", "sectigo.com" } },
	{ CAA_ALLOWED, "no issue or issuewild", WILD,
	    { "0", "iodef", "mailto:x@ex.com" } },
	/* RFC 8657 */
	{ CAA_ALLOWED, "authorizes", 0,
	    { "0", "issue", "letsencrypt.org; accounturi=" ACCT } },
	{ CAA_FORBIDDEN, "is not this account", 0, { "0", "issue",
	    "letsencrypt.org; accounturi=https://acme-v02.api."
	    "letsencrypt.org/acme/acct/7" } },
	{ CAA_UNCERTAIN, "no ACME account yet", NOACCT, { "0", "issue",
	    "letsencrypt.org; accounturi=https://x/acct/7" } },
	{ CAA_FORBIDDEN, "twice", 0, { "0", "issue", "letsencrypt.org; "
	    "accounturi=" ACCT "; accounturi=https://x/1" } },
	{ CAA_ALLOWED, "authorizes", DNS01, { "0", "issue",
	    "letsencrypt.org; validationmethods=http-01,dns-01" } },
	{ CAA_FORBIDDEN, "does not include dns-01", DNS01, { "0", "issue",
	    "letsencrypt.org; validationmethods=http-01" } },
	{ CAA_FORBIDDEN, "malformed", 0, { "0", "issue",
	    "letsencrypt.org; validationmethods=http-01,,x" } },
	{ CAA_ALLOWED, "authorizes", 0, { "0", "issue",
	    "letsencrypt.org; validationmethods=foo-01,http-01" } },
	{ CAA_UNCERTAIN, "AccountURI= is ignored", 0, { "0", "issue",
	    "letsencrypt.org; AccountURI=https://x/acct/7" } },
	{ CAA_UNCERTAIN, "ValidationMethods= is ignored", 0, { "0", "issue",
	    "letsencrypt.org; ValidationMethods=dns-01" } },
	{ CAA_ALLOWED, "authorizes", 0,
	    { "0", "issue", "letsencrypt.org; unknownparam=1" } },
	{ CAA_FORBIDDEN, "unparseable", 0,
	    { "0", "issue", "letsencrypt.org; account-uri=1" } },
	{ CAA_FORBIDDEN, "evil\\n.org", 0, { "0", "issue", "evil\n.org" } },
	/* The identity is only a guess: another issuer warns, ";" fails. */
	{ CAA_UNCERTAIN, "is a guess", GUESS, { "0", "issue", "sectigo.com" } },
	{ CAA_FORBIDDEN, "authorizes nobody", GUESS, { "0", "issue", ";" } },
};

/* Each case: the verdict, and the phrase in its message. */
static void
test_eval(void)
{
	const struct eval_case *k;
	struct buf what;
	char *m, *v;
	size_t i, j;
	enum caa_outcome st;

	for (i = 0; i < sizeof(eval_cases) / sizeof(eval_cases[0]); i++) {
		k = &eval_cases[i];
		buf_init(&what);
		for (j = 0; k->recs[j] != NULL; j++) {
			v = str_escape(k->recs[j]);
			buf_printf(&what, "%s\"%s\"", j > 0 ? ", " : "", v);
			free(v);
		}
		if (k->opts & WILD)
			buf_printf(&what, " (wildcard)");
		m = NULL;
		st = eval(k->recs, (k->opts & WILD) != 0,
		    (k->opts & (WILD | DNS01)) ? "dns-01" : "http-01",
		    (k->opts & NOACCT) ? NULL : ACCT, (k->opts & GUESS) != 0,
		    &m);
		is_str(caa_outcome_names[st], caa_outcome_names[k->want],
		    "%s: %s", what.data, caa_outcome_names[k->want]);
		ok(m != NULL && strstr(m, k->phrase) != NULL,
		    "  message has \"%s\"", k->phrase);
		if (m == NULL || strstr(m, k->phrase) == NULL)
			printf("#   message: %s\n", m ? m : "(null)");
		free(m);
		buf_clear(&what);
	}
}

int
main(void)
{
	test_parse();
	test_select();

	test_eval();
	return tap_done();
}
