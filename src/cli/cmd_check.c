/*
 * cmd_check.c - `certkeep check [NAME...]`: the preflight checks of
 * checks/ for the selected certificates, run concurrently; a table (or
 * JSON, docs/dns.md) of every result. Places no order. Exit 0 when
 * nothing fails (warnings pass), 1 when a check fails, 64 for an unknown
 * name, 65 for an invalid manifest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "acme/account.h"
#include "acme/acme.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/table.h"
#include "base/time.h"
#include "checks/check.h"
#include "cli/cmd.h"
#include "cli/metrics.h"
#include "manifest/acme_conf.h"
#include "manifest/manifest.h"
#include "store/store.h"

static void
check_print_text(const struct manifest *m, const unsigned char *sel,
    const struct check_results *res, FILE *fp)
{
	static const char *const hdr[] = { "CERTIFICATE", "CHECK", "HOSTNAME",
	    "STATUS", "MESSAGE" };
	struct table t;
	const char *row[5];
	size_t i, j, npass = 0, nwarn = 0, nfail = 0;

	table_init(&t, 5, hdr);
	for (i = 0; i < m->ncerts; i++) {
		if (!sel[i])
			continue;
		switch (check_results_worst(&res[i])) {
		case CHECK_PASS:
			npass++;
			break;
		case CHECK_WARN:
			nwarn++;
			break;
		default:
			nfail++;
			break;
		}
		for (j = 0; j < res[i].n; j++) {
			const struct check_result *r = &res[i].v[j];
			row[0] = m->certs[i].name;
			row[1] = r->check;
			row[2] = r->hostname;
			row[3] = check_status_names[r->status];
			row[4] = r->message;
			table_add(&t, row);
		}
	}
	table_print(&t, fp);
	table_clear(&t);
	fprintf(fp, "%zu certificate%s: %zu pass, %zu with warnings, "
	    "%zu fail\n", npass + nwarn + nfail,
	    npass + nwarn + nfail == 1 ? "" : "s", npass, nwarn, nfail);
}

static int
check_print_json(const struct manifest *m, const unsigned char *sel,
    const struct check_results *res)
{
	cJSON *root, *arr, *c, *hosts, *checks, *o;
	size_t i, j;
	int printed;
	enum check_status worst;

	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "certificates");
	for (i = 0; i < m->ncerts; i++) {
		if (!sel[i])
			continue;
		c = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, c);
		cJSON_AddStringToObject(c, "name", m->certs[i].name);
		hosts = cJSON_AddArrayToObject(c, "hostnames");
		for (j = 0; j < m->certs[i].nhostnames; j++)
			cJSON_AddItemToArray(hosts, cJSON_CreateString(
			    m->certs[i].hostnames[j]));
		worst = check_results_worst(&res[i]);
		cJSON_AddStringToObject(c, "status",
		    check_status_names[worst]);
		checks = cJSON_AddArrayToObject(c, "checks");
		for (j = 0; j < res[i].n; j++) {
			const struct check_result *r = &res[i].v[j];
			o = cJSON_CreateObject();
			cJSON_AddItemToArray(checks, o);
			cJSON_AddStringToObject(o, "check", r->check);
			if (r->hostname != NULL)
				cJSON_AddStringToObject(o, "hostname",
				    r->hostname);
			else
				cJSON_AddNullToObject(o, "hostname");
			cJSON_AddStringToObject(o, "status",
			    check_status_names[r->status]);
			cJSON_AddStringToObject(o, "message", r->message);
		}
	}
	printed = cmd_print_json(root);
	cJSON_Delete(root);
	return printed;
}

/* The account URL of this directory from the repository, if one was
   registered (malloced), else NULL. Reads only. */
static char *
check_account_url(const struct manifest *m)
{
	struct store *s;
	struct err e;
	char *blob, *url = NULL;
	size_t len = 0;

	if ((s = cmd_store_open(m, 0, &e)) == NULL)
		return NULL;
	blob = account_blob(m->acme.directory, "url");
	if (store_get_blob(s, blob, &url, &len, &e) != 1) {
		free(url);
		url = NULL;
	} else {
		url[strcspn(url, "\r\n")] = '\0';
	}
	free(blob);
	store_free(s);
	return url;
}

int
cmd_check(struct ctx *ctx, int argc, char **argv)
{
	struct cmd_env ce;
	struct check_results *res = NULL;
	enum check_status worst;
	struct acme *a = NULL;
	const struct acme_dir *d = NULL;
	struct acme_conf conf;
	char *acct = NULL;
	size_t i;
	int rc = EXIT_FAIL, r;
	long long t0 = mono_ms();
	signed char *pre = NULL;

	cmd_env_init(&ce);
	if ((r = cmd_parse(argv[0], argc, argv, NULL, &ce.pos)) != 0 ||
	    (r = cmd_open(ctx, &ce.pos, 0, &ce.m, &ce.sel, NULL)) != 0) {
		rc = r;
		goto out;
	}
	/*
	 * One directory request for all certificates: its meta.caaIdentities
	 * name the CA in CAA, and the acme-directory check reuses it (read
	 * only once fetched). The account URL (RFC 8657 accounturi) comes
	 * from the repository; nothing else is sent to the CA.
	 */
	manifest_acme_conf(&ce.m->acme, &conf);
	if ((a = acme_new_for(&conf, &ctx->log, &ce.e)) != NULL)
		acme_directory(a, &d, NULL);
	acct = check_account_url(ce.m);
	/* Also when the fetch failed: the client remembers why, and every
	   certificate's acme-directory check reports that (no refetch). */
	res = xcalloc(ce.m->ncerts ? ce.m->ncerts : 1, sizeof(*res));
	if ((r = checks_preflight(ce.m, &ctx->log, acct,
	    d != NULL && d->caa_identities.n > 0 ? d->caa_identities.v : NULL,
	    a, ce.sel, res, 0, &ce.e)) == -1) {
		fprintf(stderr, "certkeep check: %s\n", ce.e.msg);
		rc = EXIT_DATAERR;
		goto out;
	}
	worst = (enum check_status)r;
	log_debug(&ctx->log, "checks took %lld ms", mono_ms() - t0);
	if (ctx->out == OUT_JSON) {
		if (check_print_json(ce.m, ce.sel, res) == -1) {
			fprintf(stderr, "certkeep check: out of memory\n");
			goto out;
		}
	} else {
		check_print_text(ce.m, ce.sel, res, stdout);
	}
	rc = worst == CHECK_FAIL ? EXIT_FAIL : EXIT_OK;
	pre = xcalloc(ce.m->ncerts + 1, 1);
	for (i = 0; i < ce.m->ncerts; i++)
		pre[i] = !ce.sel[i] ? -1 :
		    check_results_worst(&res[i]) != CHECK_FAIL;
	metrics_report(ce.m, NULL, ce.sel, NULL, NULL, pre,
	    &(struct metrics_run){
	    .command = "check", .now = now_wall(),
	    .duration_ms = mono_ms() - t0,
	    .success = rc == EXIT_OK, .acme_requests = a != NULL ?
	    acme_requests(a) : 0 }, &ctx->log);
out:
	free(pre);
	if (res != NULL)
		for (i = 0; i < ce.m->ncerts; i++)
			check_results_clear(&res[i]);
	free(res);
	acme_free(a);
	free(acct);
	cmd_env_close(&ce);
	return rc;
}
