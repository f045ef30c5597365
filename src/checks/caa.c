/*
 * check "caa": would Let's Encrypt's CA software (Boulder) allow issuance
 * for each hostname? The CAA of every label up to the TLD is queried for
 * all hostnames of the certificate at once (each name once), then the
 * pure evaluation of dns/caa.h gives the CA's decision: allowed passes,
 * uncertain warns, forbidden fails.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "checks/check.h"
#include "dns/caa.h"
#include "dns/dns.h"
#include "manifest/manifest.h"

/* One queried name and its records, shared by the hostnames under it. */
struct caa_name {
	struct dns_query	 q;
	struct caa_label	 label;
	struct caa_record	*recs;
	size_t			 nrecs;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The check's status for the CA's decision. */
static enum check_status
caa_check_status(enum caa_outcome o)
{
	switch (o) {
	case CAA_ALLOWED:
		return CHECK_PASS;
	case CAA_UNCERTAIN:
		return CHECK_WARN;
	default:
		return CHECK_FAIL;
	}
}

static void
caa_name_fill(struct caa_name *cn)
{
	const struct dns_query *q = &cn->q;
	size_t i, n;

	cn->label.name = q->name;
	cn->label.via = q->final_name;
	switch (q->status) {
	case DNS_OK:
		n = ldns_rr_list_rr_count(q->rrs);
		cn->recs = xcalloc(n ? n : 1, sizeof(*cn->recs));
		for (i = 0; i < n; i++)
			if (caa_parse_rr(ldns_rr_list_rr(q->rrs, i),
			    &cn->recs[cn->nrecs]) == 0)
				cn->nrecs++;
		cn->label.kind = cn->nrecs ? CAA_LOOKUP_RECORDS :
		    CAA_LOOKUP_EMPTY;
		cn->label.v = cn->recs;
		cn->label.n = cn->nrecs;
		break;
	case DNS_NODATA:
		cn->label.kind = CAA_LOOKUP_EMPTY;
		break;
	case DNS_NXDOMAIN:
		cn->label.kind = CAA_LOOKUP_NXDOMAIN;
		break;
	default:
		cn->label.kind = CAA_LOOKUP_ERROR;
		cn->label.error = dns_query_describe(q);
		break;
	}
}

static void
caa_name_clear(struct caa_name *cn)
{
	size_t i;

	for (i = 0; i < cn->nrecs; i++)
		FREE_ALL(cn->recs[i].tag, cn->recs[i].value);
	free(cn->recs);
	dns_query_clear(&cn->q);
}

/* The name a hostname's CAA is looked up for ("*." removed). */
static const char *
caa_base(const char *h)
{
	return strncmp(h, "*.", 2) == 0 ? h + 2 : h;
}

static int
check_caa_run(const struct check_env *env, const struct mcert *c,
    struct check_results *out)
{
	struct dns_resolver *own = NULL;
	const struct dns_resolver *r = env->dns;
	struct strlist all;
	struct caa_name *names = NULL;
	struct caa_label *labels = NULL;
	struct caa_request req;
	char **uniq = NULL, *msg, **hit;
	const char *p;
	size_t i, j, nu = 0, nl;
	enum caa_outcome o;
	struct err e;

	if (c->nhostnames == 0)
		return 0;
	if (r == NULL) {
		own = dns_resolver_from_conf(&env->m->dns, &e);
		if (own == NULL) {
			check_results_add(out, "caa", NULL, CHECK_FAIL, "%s",
			    e.msg);
			return -1;
		}
		r = own;
	}
	/* Every label of every hostname, each name once. */
	strlist_init(&all);
	for (i = 0; i < c->nhostnames; i++)
		for (p = caa_base(c->hostnames[i]); p != NULL && *p != '\0';
		    p = strchr(p, '.') != NULL ? strchr(p, '.') + 1 : NULL)
			strlist_add(&all, p);
	uniq = xcalloc(all.n + 1, sizeof(*uniq));
	if (all.n > 0) {
		qsort(all.v, all.n, sizeof(*all.v), cmp_str);
		for (i = 0; i < all.n; i++)
			if (nu == 0 || strcmp(uniq[nu - 1], all.v[i]) != 0)
				uniq[nu++] = all.v[i];
	}
	names = xcalloc(nu ? nu : 1, sizeof(*names));
	{
		struct dns_query *qs = xcalloc(nu ? nu : 1, sizeof(*qs));
		for (i = 0; i < nu; i++)
			dns_query_init(&qs[i], uniq[i], LDNS_RR_TYPE_CAA);
		dns_resolve(r, qs, nu);
		for (i = 0; i < nu; i++) {
			names[i].q = qs[i];	/* moves the answer */
			caa_name_fill(&names[i]);
		}
		free(qs);
	}

	memset(&req, 0, sizeof(req));
	req.identities = env->caa_identities;
	req.identity_source = env->caa_identity_source;
	req.identity_guessed = env->caa_identity_guessed;
	req.account_url = env->account_url;
	req.method = chall_type_names[c->challenge.type];
	labels = xcalloc(64, sizeof(*labels));
	for (i = 0; i < c->nhostnames; i++) {
		const char *h = c->hostnames[i];
		nl = 0;
		req.wildcard = strncmp(h, "*.", 2) == 0;
		for (p = caa_base(h); p != NULL && *p != '\0' && nl < 64;
		    p = strchr(p, '.') != NULL ? strchr(p, '.') + 1 : NULL) {
			char *key = (char *)p;
			hit = bsearch(&key, uniq, nu, sizeof(*uniq), cmp_str);
			if (hit == NULL)
				continue;	/* cannot happen */
			j = (size_t)(hit - uniq);
			labels[nl++] = names[j].label;
		}
		msg = NULL;
		o = caa_verdict(caa_base(h), labels, nl, &req, &msg);
		check_results_add(out, "caa", h, caa_check_status(o), "%s",
		    msg);
		free(msg);
	}
	for (i = 0; i < nu; i++)
		caa_name_clear(&names[i]);
	FREE_ALL(names, labels, uniq);
	strlist_clear(&all);
	dns_resolver_free(own);
	return 0;
}

const struct check check_caa = {
	.name = "caa",
	.run = check_caa_run,
};
