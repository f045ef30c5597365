/*
 * cmd_render.c - `certkeep render`: writes every fragment from the
 * repository as it is (no ACME traffic), then runs the reload command of
 * each server whose fragments changed. No deploy_hook runs: no
 * certificate changed.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "base/err.h"
#include "base/str.h"
#include "cli/cmd.h"
#include "deploy/hook.h"
#include "manifest/manifest.h"
#include "render/render.h"
#include "store/store.h"

/* Prints what changed (text) or adds it to root (JSON). */
static void
render_report(const struct ctx *ctx, const struct render_changes *rc,
    const struct hook_report *hr, cJSON *root)
{
	cJSON *arr, *o;
	size_t i;

	if (ctx->out == OUT_JSON) {
		cJSON_AddItemToObject(root, "fragments", render_changes_json(rc));
		cJSON_AddNumberToObject(root, "unchanged",
		    (double)rc->unchanged);
		arr = cJSON_AddArrayToObject(root, "missing");
		for (i = 0; i < rc->missing.n; i++)
			cJSON_AddItemToArray(arr,
			    cJSON_CreateString(rc->missing.v[i]));
		o = cJSON_AddObjectToObject(root, "hooks");
		cJSON_AddNumberToObject(o, "run", hr->nrun);
		cJSON_AddNumberToObject(o, "failed", hr->nfailed);
		arr = cJSON_AddArrayToObject(o, "failures");
		for (i = 0; i < hr->failures.n; i++)
			cJSON_AddItemToArray(arr,
			    cJSON_CreateString(hr->failures.v[i]));
		return;
	}
	render_changes_print(rc, stdout);
	printf("%zu fragment file(s) changed, %zu unchanged", rc->n,
	    rc->unchanged);
	if (rc->missing.n > 0)
		printf(", %zu certificate(s) not in the repository yet",
		    rc->missing.n);
	if (hr->nrun > 0)
		printf("; %d hook(s) run, %d failed", hr->nrun, hr->nfailed);
	printf("\n");
}

int
cmd_render(struct ctx *ctx, int argc, char **argv)
{
	struct cmd_env ce;
	struct render_changes rc;
	struct hook_report hr;
	cJSON *root = NULL;
	int status = EXIT_FAIL, failed = 0, r;

	cmd_env_init(&ce);
	render_changes_init(&rc);
	hook_report_init(&hr);
	if ((r = cmd_parse(argv[0], argc, argv, NULL, &ce.pos)) != 0 ||
	    (r = cmd_require(ce.pos.n == 0, "certkeep render: takes no "
	    "arguments (it renders every listener)\n")) != 0 ||
	    (r = cmd_open(ctx, NULL, 0, &ce.m, NULL, &ce.s)) != 0) {
		status = r;
		goto out;
	}
	if (render_all(ce.m, ce.s, &ctx->log, &rc, &ce.e) == -1)
		failed = 1;	/* logged; the other servers were written */
	if (hooks_after_apply(ce.m, ce.s, &ctx->log, &rc, NULL, &hr) == -1)
		failed = 1;
	if (ctx->out == OUT_JSON)
		root = cJSON_CreateObject();
	render_report(ctx, &rc, &hr, root);
	if (root != NULL) {
		cJSON_AddBoolToObject(root, "ok", !failed);
		cmd_print_json(root);
	}
	status = failed ? EXIT_FAIL : EXIT_OK;
out:
	cJSON_Delete(root);
	render_changes_clear(&rc);
	hook_report_clear(&hr);
	cmd_env_close(&ce);
	return status;
}
