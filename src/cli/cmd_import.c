/*
 * cmd_import.c - `certkeep import certbot|axigen DIR`: adopts certificates
 * another tool issued as live sets of the repository (no new order) and
 * prints their manifest entries on stdout, as YAML to paste under
 * "certificates:" (or JSON with -o json). The state written with each set
 * records the hostnames and key type it carries, so that the next plan
 * keeps it while the pasted entry matches.
 *
 * A name whose live set is already this certificate is left as it is; a
 * name holding another certificate is not replaced. Exit 0 when every
 * certificate found was adopted (or already was), 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "cli/import.h"
#include "manifest/manifest.h"
#include "store/certinfo.h"
#include "store/state.h"
#include "store/store.h"

/*
 * Writes c as the live set of its name with its state. Returns 1 when
 * written, 0 when the repository already held this very certificate, -1
 * (e says why) otherwise.
 */
static int
import_adopt(struct store *s, const struct manifest *m,
    enum import_source src, const struct import_cert *c, struct err *e)
{
	struct store_lock *lk = NULL;
	struct certset old;
	struct certinfo oi;
	struct certstate st;
	char *warning = NULL, when[32];
	cJSON *imp;
	int r, rc = -1;

	memset(&old, 0, sizeof(old));
	memset(&oi, 0, sizeof(oi));
	certstate_init(&st);
	if (store_lock_cert(s, c->name, 0, &lk, e) == -1)
		goto out;
	if ((r = store_read_set(s, c->name, &old, e)) == -1)
		goto out;
	if (r == 1) {
		certinfo_read(&old, &oi);
		if (oi.serial != NULL && c->info.serial != NULL &&
		    strcmp(oi.serial, c->info.serial) == 0) {
			rc = 0;
			goto out;
		}
		err_set(e, "the repository already holds a certificate named "
		    "%s (serial %s); not replaced", c->name,
		    oi.serial != NULL ? oi.serial : "unknown");
		goto out;
	}
	if (certstate_load(s, c->name, &st, &warning, e) == -1 ||
	    store_replace_set(s, c->name, &c->set, e) == -1)
		goto out;
	/* What plan compares: the names and key type the set carries. */
	strv_free(st.hostnames);
	st.hostnames = strv_dup(c->info.sans);
	st.nhostnames = c->info.nsans;
	st.key_type = c->info.key_type;
	free(st.profile);
	st.profile = m->acme.profile != NULL ? xstrdup(m->acme.profile) :
	    NULL;
	free(st.serial);
	st.serial = c->info.serial != NULL ? xstrdup(c->info.serial) : NULL;
	st.issued_at = c->info.not_before;
	if (st.extra == NULL)
		st.extra = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(st.extra, "imported");
	imp = cJSON_AddObjectToObject(st.extra, "imported");
	time_format_rfc3339(now_wall(), when, sizeof(when));
	cJSON_AddStringToObject(imp, "from", import_source_names[src]);
	cJSON_AddStringToObject(imp, "path", c->path);
	cJSON_AddStringToObject(imp, "time", when);
	if (certstate_save(s, c->name, &st, e) == -1)
		goto out;
	rc = 1;
out:
	store_unlock(lk);
	certset_clear(&old);
	certinfo_clear(&oi);
	certstate_clear(&st);
	free(warning);
	return rc;
}

int
cmd_import(struct ctx *ctx, int argc, char **argv)
{
	struct cmd_env ce;
	struct store_lock *lk = NULL;
	struct import_list l = { NULL, 0 };
	struct buf out;
	cJSON *root = NULL, *arr = NULL, *o;
	int src = -1, r, status = EXIT_FAIL, failed = 0, adopted = 0;
	size_t i;

	cmd_env_init(&ce);
	buf_init(&out);
	if ((r = cmd_parse(argv[0], argc, argv, NULL, &ce.pos)) != 0 ||
	    (r = cmd_require(ce.pos.n == 2 &&
	    (src = import_source_from_name(ce.pos.v[0])) >= 0,
	    "usage: certkeep import certbot|axigen DIR\n")) != 0 ||
	    (r = cmd_open(ctx, &ce.pos, 1, &ce.m, NULL, &ce.s)) != 0) {
		status = r;
		goto out;
	}
	if (import_scan((enum import_source)src, ce.pos.v[1], &l,
	    &ce.e) == -1) {
		log_error(&ctx->log, "import %s: %s", ce.pos.v[0], ce.e.msg);
		goto out;
	}
	if (l.n == 0) {
		log_error(&ctx->log, "import %s: no certificate found under %s",
		    ce.pos.v[0], ce.pos.v[1]);
		goto out;
	}
	/* One apply at a time, and not while one runs. */
	if (store_lock(ce.s, 0, &lk, &ce.e) == -1) {
		log_error(&ctx->log, "%s", ce.e.msg);
		goto out;
	}
	if (ctx->out == OUT_JSON) {
		root = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(root, "certificates");
	} else
		buf_printf(&out, "# certkeep import %s: manifest entries; "
		    "paste them under certificates:\n",
		    import_source_names[src]);
	for (i = 0; i < l.n; i++) {
		struct import_cert *c = &l.v[i];

		if (c->problem == NULL) {
			r = import_adopt(ce.s, ce.m, (enum import_source)src,
			    c, &ce.e);
			if (r == -1)
				c->problem = xstrdup(ce.e.msg);
			else
				log_cert(&ctx->log, LOG_INFO, c->name, "%s: %s %s "
				    "(serial %s, %lld days left)", c->name, r == 1 ?
				    "adopted from" : "already in the "
				    "repository, from", c->path,
				    c->info.serial != NULL ? c->info.serial :
				    "?", days_left(c->info.not_after,
				    now_wall()));
			adopted += r == 1;
		}
		if (c->problem != NULL) {
			log_cert(&ctx->log, LOG_ERROR, c->name, "%s: not "
			    "imported from %s: %s", c->name, c->path,
			    c->problem);
			failed = 1;
		}
		if (arr != NULL) {
			o = import_entry_json(c);
			cJSON_AddBoolToObject(o, "imported", c->problem == NULL);
			cJSON_AddItemToArray(arr, o);
		} else if (c->problem == NULL)
			import_entry_yaml(&out, c);
	}
	if (root != NULL)
		cmd_print_json(root);
	else
		fputs(out.data != NULL ? out.data : "", stdout);
	log_info(&ctx->log, "import %s: %d certificate(s) written to the "
	    "repository, %zu found", import_source_names[src], adopted, l.n);
	status = failed ? EXIT_FAIL : EXIT_OK;
out:
	store_unlock(lk);
	cJSON_Delete(root);
	import_list_clear(&l);
	buf_clear(&out);
	cmd_env_close(&ce);
	return status;
}
