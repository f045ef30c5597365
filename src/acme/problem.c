/*
 * problem.c - ACME problem documents (RFC 8555 6.7): the one table of
 * problem types, their classification and the one message made of a
 * problem document (see acme.h).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "acme/acme.h"
#include "base/buf.h"
#include "base/mem.h"
#include "base/str.h"

const char *const acme_result_names[ACME__MAX] = {
	"ok", "retryable", "rate-limited", "bad-input", "network", "protocol",
	"need-terms",
};

/* Every problem type of RFC 8555 6.7 (and later RFCs), what it means for
   the caller and what a person can do about it. Sorted by name. */
static const struct acme_problem problems[] = {
	{ "accountDoesNotExist", ACME_BAD_INPUT, 0,
	  "The ACME account is gone. Run `certkeep account register`, then "
	  "apply again." },
	{ "alreadyReplaced", ACME_BAD_INPUT, 0, NULL },
	{ "alreadyRevoked", ACME_BAD_INPUT, 0, NULL },
	{ "badCSR", ACME_BAD_INPUT, 0,
	  "The CA rejected the certificate request; check the key_type and "
	  "the hostnames in the manifest." },
	{ "badNonce", ACME_RETRYABLE, 0, NULL },
	{ "badPublicKey", ACME_BAD_INPUT, 0, NULL },
	{ "badRevocationReason", ACME_BAD_INPUT, 0, NULL },
	{ "badSignatureAlgorithm", ACME_PROTOCOL, 0, NULL },
	{ "caa", ACME_BAD_INPUT, 1,
	  "A CAA record forbids this CA for one of the names. Add a CAA "
	  "record that names the CA (for Let's Encrypt: 0 issue "
	  "\"letsencrypt.org\") at the name or its parent domain, or remove "
	  "the restricting record." },
	{ "compound", ACME_BAD_INPUT, 0, NULL },
	{ "connection", ACME_BAD_INPUT, 1,
	  "The CA could not connect to this server to validate. Check that "
	  "port 80 (http-01) is reachable from the Internet and that the "
	  "names point here." },
	{ "dns", ACME_BAD_INPUT, 1,
	  "The CA could not resolve a name. Check that each hostname has "
	  "A/AAAA (http-01) or that the _acme-challenge TXT record is "
	  "published (dns-01), and that the zone's name servers answer." },
	{ "externalAccountRequired", ACME_BAD_INPUT, 0,
	  "The CA requires External Account Binding: set acme.eab in the "
	  "manifest." },
	{ "incorrectResponse", ACME_BAD_INPUT, 1,
	  "The CA found a wrong challenge response. Check that no other ACME "
	  "client or proxy answers for these names." },
	{ "invalidContact", ACME_BAD_INPUT, 0, NULL },
	{ "invalidProfile", ACME_BAD_INPUT, 0, NULL },
	{ "malformed", ACME_PROTOCOL, 0, NULL },
	{ "orderNotReady", ACME_PROTOCOL, 0, NULL },
	{ "rateLimited", ACME_RATE_LIMITED, 0,
	  "The CA's rate limit was reached. certkeep will retry after the "
	  "limit's reset; do not force renewals until then." },
	{ "rejectedIdentifier", ACME_BAD_INPUT, 0,
	  "The CA refuses to issue for one of the names. Check the hostnames "
	  "in the manifest (public, spelled correctly)." },
	{ "serverInternal", ACME_RETRYABLE, 0,
	  "The CA had an internal error. Usually temporary: the next run "
	  "retries." },
	{ "tls", ACME_BAD_INPUT, 1, NULL },
	{ "unauthorized", ACME_BAD_INPUT, 1,
	  "The CA did not find the expected challenge response. Check the "
	  "http-01 webroot (the web server must serve "
	  "/.well-known/acme-challenge/ from it) or the dns-01 record." },
	{ "unauthorizedAccount", ACME_BAD_INPUT, 0,
	  "The ACME account may not order. Check the account with `certkeep "
	  "account show`." },
	{ "unsupportedContact", ACME_BAD_INPUT, 0, NULL },
	{ "unsupportedIdentifier", ACME_BAD_INPUT, 0, NULL },
	{ "userActionRequired", ACME_BAD_INPUT, 0, NULL },
};

const char *
acme_problem_short(const char *type)
{
	if (type != NULL && strncmp(type, ACME_URN, ACME_URN_LEN) == 0)
		type += ACME_URN_LEN;
	return type;
}

const struct acme_problem *
acme_problem_find(const char *type)
{
	if ((type = acme_problem_short(type)) == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++)
		if (strcmp(problems[i].name, type) == 0)
			return &problems[i];
	return NULL;
}

enum acme_result
acme_problem_class(const char *type, int *validation)
{
	const struct acme_problem *p = acme_problem_find(type);

	if (validation != NULL)
		*validation = p != NULL ? p->validation : 0;
	return p != NULL ? p->result : ACME_PROTOCOL;
}

char *
acme_answer_type(const struct http_resp *r)
{
	cJSON *o, *t;
	char *type = NULL;

	if (r->body == NULL || r->len == 0)
		return NULL;
	o = cJSON_ParseWithLength(r->body, r->len);
	t = cJSON_GetObjectItemCaseSensitive(o, "type");
	if (cJSON_IsObject(o) && cJSON_IsString(t) && t->valuestring != NULL)
		type = xstrdup(t->valuestring);
	cJSON_Delete(o);
	return type;
}

void
acme_problem_text(const cJSON *o, struct buf *out, const char **type)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "detail");
	const cJSON *subs = cJSON_GetObjectItemCaseSensitive(o, "subproblems");
	const cJSON *sp;
	char *esc;

	*type = cJSON_IsString(t) ? t->valuestring : NULL;
	esc = str_escape(cJSON_IsString(d) ? d->valuestring : "no detail");
	buf_puts(out, esc);
	free(esc);
	if (*type != NULL) {
		esc = str_escape(*type);
		buf_printf(out, " (%s)", esc);
		free(esc);
	}
	cJSON_ArrayForEach(sp, subs) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(sp,
		    "identifier");
		const cJSON *iv = cJSON_GetObjectItemCaseSensitive(id, "value");
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(sp, "type");
		const cJSON *sd = cJSON_GetObjectItemCaseSensitive(sp,
		    "detail");
		char *ei = str_escape(cJSON_IsString(iv) ? iv->valuestring :
		    "?");
		char *ed = str_escape(cJSON_IsString(sd) ? sd->valuestring :
		    "no detail");

		buf_printf(out, "; %s: %s", ei, ed);
		if (cJSON_IsString(st)) {
			char *et = str_escape(st->valuestring);

			buf_printf(out, " (%s)", et);
			free(et);
		}
		free(ei);
		free(ed);
	}
}
