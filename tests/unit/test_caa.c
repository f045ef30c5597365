/* Unit tests of the CAA verdict (caa.c): every rule, no DNS. */
#include <stdlib.h>
#include <string.h>

#include "caa.h"
#include "tap.h"
#include "util.h"

static char *ids_le[] = { "letsencrypt.org", NULL };
static const char *ACCT = "https://acme-v02.api.letsencrypt.org/acme/acct/42";

/* Evaluates one set of records (tag/value pairs with flags) at "ex.com". */
static enum check_status
eval(const char *const *spec, int wildcard, const char *method,
    const char *account, int guessed, char **msg)
{
	struct caa_record recs[16];
	struct caa_label l;
	struct caa_request req;
	size_t n = 0;
	enum check_status st;

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

#define EVAL(want, phrase, wild, method, acct, guessed, ...) do {	\
	static const char *const s_[] = { __VA_ARGS__, NULL };		\
	char *m_ = NULL;						\
	enum check_status st_ = eval(s_, wild, method, acct, guessed, &m_); \
	is_str(check_status_names[st_], check_status_names[want],	\
	    "%s: %s", #__VA_ARGS__, check_status_names[want]);		\
	ok(m_ != NULL && strstr(m_, phrase) != NULL,			\
	    "  message has \"%s\"", phrase);				\
	if (m_ == NULL || strstr(m_, phrase) == NULL)			\
		printf("#   message: %s\n", m_ ? m_ : "(null)");	\
	free(m_);							\
} while (0)

static void
test_parse(void)
{
	char *d, **p, *why;

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
	ok(caa_parse_value("le.org; acc-ount=1", 18, &d, &p, &why) == -1 &&
	    strstr(why, "acc-ount") != NULL, "hyphen in a tag");
	free(why);
	ok(caa_parse_value("le.org; a_b=1", 13, &d, &p, &why) == -1,
	    "underscore in a tag");
	free(why);
	ok(caa_parse_value("le.org; a=b c", 13, &d, &p, &why) == -1 &&
	    strstr(why, "disallowed") != NULL, "space in a value");
	free(why);
	ok(caa_parse_value("le.org; a=\xc3\xa9", 12, &d, &p, &why) == -1 &&
	    strstr(why, "\\x") != NULL, "non-ASCII value, escaped");
	free(why);
	ok(caa_parse_value("le.org; novalue", 15, &d, &p, &why) == -1 &&
	    strstr(why, "tag=value") != NULL, "parameter without =");
	free(why);
	ok(caa_parse_value("le.org; a=1;", 12, &d, &p, &why) == -1,
	    "empty parameter after ; (Boulder: not tag=value)");
	free(why);
	ok(caa_parse_value("le.org\0x", 8, &d, &p, &why) == -1,
	    "NUL byte in the value");
	free(why);
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

int
main(void)
{
	test_parse();
	test_select();

	EVAL(CHECK_PASS, "authorizes letsencrypt.org", 0, "http-01", ACCT,
	    0, "0", "issue", "letsencrypt.org");
	EVAL(CHECK_FAIL, "names issuer \"sectigo.com\", not this CA", 0, "http-01",
	    ACCT, 0, "0", "issue", "sectigo.com");
	EVAL(CHECK_PASS, "authorizes", 0, "http-01", ACCT, 0,
	    "0", "ISSUE", "letsencrypt.org");
	EVAL(CHECK_FAIL, "write \"letsencrypt.org\"", 0, "http-01", ACCT, 0,
	    "0", "issue", "LetsEncrypt.org");
	EVAL(CHECK_FAIL, "write \"letsencrypt.org\"", 0, "http-01", ACCT, 0,
	    "0", "issue", "letsencrypt.org.");
	EVAL(CHECK_FAIL, "authorizes nobody", 0, "http-01", ACCT, 0,
	    "0", "issue", ";");
	EVAL(CHECK_PASS, "authorizes", 0, "http-01", ACCT, 0,
	    "0", "issue", ";", "0", "issue", "letsencrypt.org");
	EVAL(CHECK_FAIL, "unknown property marked critical", 0, "http-01",
	    ACCT, 0, "128", "tbs", "x", "0", "issue", "letsencrypt.org");
	EVAL(CHECK_FAIL, "flag 1", 0, "http-01", ACCT, 0,
	    "1", "tbs", "x", "0", "issue", "letsencrypt.org");
	EVAL(CHECK_PASS, "authorizes", 0, "http-01", ACCT, 0,
	    "0", "tbs", "x", "0", "issue", "letsencrypt.org");
	EVAL(CHECK_PASS, "authorizes", 0, "http-01", ACCT, 0,
	    "128", "iodef", "mailto:x@ex.com", "0", "issue",
	    "letsencrypt.org");
	EVAL(CHECK_PASS, "authorizes", 0, "http-01", ACCT, 0,
	    "128", "IssueMail", "x.org", "0", "issue", "letsencrypt.org");
	EVAL(CHECK_PASS, "no issue property", 0, "http-01", ACCT, 0,
	    "0", "issuewild", "sectigo.com");
	EVAL(CHECK_FAIL, "for a wildcard", 1, "dns-01", ACCT, 0,
	    "0", "issuewild", "sectigo.com", "0", "issue", "letsencrypt.org");
	EVAL(CHECK_PASS, "authorizes", 1, "dns-01", ACCT, 0,
	    "0", "issuewild", "letsencrypt.org", "0", "issue", "sectigo.com");
	EVAL(CHECK_PASS, "authorizes", 1, "dns-01", ACCT, 0,
	    "0", "issue", "letsencrypt.org");
	EVAL(CHECK_FAIL, "forbids", 1, "dns-01", ACCT, 0,
	    "0", "issue", "sectigo.com");
	EVAL(CHECK_PASS, "no issue or issuewild", 1, "dns-01", ACCT, 0,
	    "0", "iodef", "mailto:x@ex.com");
	/* RFC 8657 */
	EVAL(CHECK_PASS, "authorizes", 0, "http-01", ACCT, 0,
	    "0", "issue", "letsencrypt.org; accounturi=https://acme-v02.api."
	    "letsencrypt.org/acme/acct/42");
	EVAL(CHECK_FAIL, "is not this account", 0, "http-01", ACCT, 0,
	    "0", "issue", "letsencrypt.org; accounturi=https://acme-v02.api."
	    "letsencrypt.org/acme/acct/7");
	EVAL(CHECK_WARN, "no ACME account yet", 0, "http-01", NULL, 0,
	    "0", "issue", "letsencrypt.org; accounturi=https://x/acct/7");
	EVAL(CHECK_FAIL, "twice", 0, "http-01", ACCT, 0,
	    "0", "issue", "letsencrypt.org; accounturi=https://acme-v02.api."
	    "letsencrypt.org/acme/acct/42; accounturi=https://x/1");
	EVAL(CHECK_PASS, "authorizes", 0, "dns-01", ACCT, 0,
	    "0", "issue", "letsencrypt.org; validationmethods=http-01,dns-01");
	EVAL(CHECK_FAIL, "does not include dns-01", 0, "dns-01", ACCT, 0,
	    "0", "issue", "letsencrypt.org; validationmethods=http-01");
	EVAL(CHECK_FAIL, "malformed", 0, "http-01", ACCT, 0,
	    "0", "issue", "letsencrypt.org; validationmethods=http-01,,x");
	EVAL(CHECK_PASS, "authorizes", 0, "http-01", ACCT, 0,
	    "0", "issue", "letsencrypt.org; validationmethods=foo-01,http-01");
	EVAL(CHECK_WARN, "AccountURI= is ignored", 0, "http-01", ACCT, 0,
	    "0", "issue", "letsencrypt.org; AccountURI=https://x/acct/7");
	EVAL(CHECK_WARN, "ValidationMethods= is ignored", 0, "http-01", ACCT,
	    0, "0", "issue", "letsencrypt.org; ValidationMethods=dns-01");
	EVAL(CHECK_PASS, "authorizes", 0, "http-01", ACCT, 0,
	    "0", "issue", "letsencrypt.org; unknownparam=1");
	EVAL(CHECK_FAIL, "unparseable", 0, "http-01", ACCT, 0,
	    "0", "issue", "letsencrypt.org; account-uri=1");
	EVAL(CHECK_FAIL, "evil\\n.org", 0, "http-01", ACCT, 0,
	    "0", "issue", "evil\n.org");
	/* The identity is only a guess: another issuer warns, ";" fails. */
	EVAL(CHECK_WARN, "is a guess", 0, "http-01", ACCT, 1,
	    "0", "issue", "sectigo.com");
	EVAL(CHECK_FAIL, "authorizes nobody", 0, "http-01", ACCT, 1,
	    "0", "issue", ";");
	return tap_done();
}
