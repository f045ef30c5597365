/*
 * cmd_account.c - `certkeep account [show|register|update|rollover|
 * deactivate]`: the ACME account of the manifest's directory.
 *   show        the stored account and what the CA says about it
 *   register    find or register the account (terms_accepted needed)
 *   update      send the manifest's acme.contact to the CA
 *   rollover    a new account key (acme.account_key type), RFC 8555 7.3.5
 *   deactivate  deactivate at the CA; the next apply registers anew
 * Exit 0 / 1; 65 invalid manifest or terms not accepted; 64 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "acme/account.h"
#include "acme/acme.h"
#include "acme/key.h"
#include "base/err.h"
#include "base/str.h"
#include "cli/cmd.h"
#include "manifest/acme_conf.h"
#include "manifest/manifest.h"
#include "store/account_io.h"
#include "store/store.h"

static void
print_account(const struct ctx *ctx, const char *url, const struct key *k,
    const cJSON *acct, const char *dir)
{
	char *thumb = k != NULL ? key_thumbprint(k, NULL) : NULL;
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(acct, "status");
	const cJSON *contact = cJSON_GetObjectItemCaseSensitive(acct,
	    "contact");
	const cJSON *c;

	if (ctx->out == OUT_JSON) {
		cJSON *root = cJSON_CreateObject();
		cJSON *o = cJSON_AddObjectToObject(root, "account");

		cJSON_AddStringToObject(o, "directory", dir);
		if (url != NULL)
			cJSON_AddStringToObject(o, "url", url);
		else
			cJSON_AddNullToObject(o, "url");
		if (k != NULL) {
			cJSON_AddStringToObject(o, "key_type",
			    key_type_names[key_type_of(k)]);
			cJSON_AddStringToObject(o, "thumbprint", thumb);
		}
		if (cJSON_IsString(st))
			cJSON_AddStringToObject(o, "status", st->valuestring);
		if (cJSON_IsArray(contact))
			cJSON_AddItemToObject(o, "contact",
			    cJSON_Duplicate(contact, 1));
		cmd_print_json(root);
		cJSON_Delete(root);
	} else {
		char *e;

		printf("directory   %s\n", dir);
		e = str_escape(url != NULL ? url : "(none registered)");
		printf("account     %s\n", e);
		free(e);
		if (k != NULL)
			printf("key         %s, thumbprint %s\n",
			    key_type_names[key_type_of(k)], thumb);
		if (cJSON_IsString(st)) {
			e = str_escape(st->valuestring);
			printf("status      %s\n", e);
			free(e);
		}
		cJSON_ArrayForEach(c, contact) {
			if (!cJSON_IsString(c))
				continue;
			e = str_escape(c->valuestring);
			printf("contact     %s\n", e);
			free(e);
		}
	}
	free(thumb);
}

/* The subcommand named in pos (show when none), or NULL when unknown. */
static const char *
account_sub(const struct strlist *pos)
{
	static const char *const subs[] = { "show", "register", "update",
	    "rollover", "deactivate" };

	if (pos->n == 0)
		return subs[0];
	if (pos->n > 1 ||
	    str_index(subs, sizeof(subs) / sizeof(subs[0]), pos->v[0]) < 0)
		return NULL;
	return pos->v[0];
}

int
cmd_account(struct ctx *ctx, int argc, char **argv)
{
	int wait = 0;
	const struct cmd_opt opts[] = {
		{ "wait", 0, NULL, &wait },
		{ NULL, 0, NULL, NULL },
	};
	struct cmd_env ce;
	struct store_lock *lk = NULL, *alk = NULL;
	struct acme *a = NULL;
	struct key *k = NULL;
	struct acme_conf conf;
	struct account_store io;
	enum acme_result ar;
	cJSON *acct = NULL;
	const char *sub;
	int status = EXIT_FAIL, r;

	cmd_env_init(&ce);
	if ((r = cmd_parse(argv[0], argc, argv, opts, &ce.pos)) != 0 ||
	    (r = cmd_require((sub = account_sub(&ce.pos)) != NULL,
	    "certkeep account: usage: certkeep account "
	    "[show|register|update|rollover|deactivate]\n")) != 0 ||
	    (r = cmd_open(ctx, NULL, 1, &ce.m, NULL, &ce.s)) != 0) {
		status = r;
		goto out;
	}
	manifest_acme_conf(&ce.m->acme, &conf);
	store_account_io(ce.s, &io);
	if (store_lock(ce.s, wait, &lk, &ce.e) == -1 ||
	    store_lock_account(ce.s, &alk, &ce.e) == -1 ||
	    (a = acme_new_for(&conf, &ctx->log, &ce.e)) == NULL) {
		log_error(&ctx->log, "%s", ce.e.msg);
		goto out;
	}
	ar = account_open(a, &io, &conf, strcmp(sub, "register") == 0, &k,
	    &ce.e);
	if (ar == ACME_NEED_TERMS) {
		cmd_print_terms_error(ce.m, ce.e.msg);
		status = EXIT_DATAERR;
		goto out;
	}
	if (ar != ACME_OK) {
		log_error(&ctx->log, "%s", ce.e.msg);
		goto out;
	}
	if (strcmp(sub, "update") == 0) {
		if (account_update(a, ce.m->acme.contact, &ce.e) !=
		    ACME_OK) {
			log_error(&ctx->log, "%s", ce.e.msg);
			goto out;
		}
		log_info(&ctx->log, "account contact updated");
	} else if (strcmp(sub, "rollover") == 0) {
		if (account_rollover(a, &io, ce.m->acme.directory,
		    ce.m->acme.account_key, &k, &ce.e) != ACME_OK) {
			log_error(&ctx->log, "%s", ce.e.msg);
			goto out;
		}
		log_info(&ctx->log, "account key rolled over to a new %s key",
		    key_type_names[key_type_of(k)]);
	} else if (strcmp(sub, "deactivate") == 0) {
		if (account_deactivate(a, &io, ce.m->acme.directory, &ce.e) !=
		    ACME_OK) {
			log_error(&ctx->log, "%s", ce.e.msg);
			goto out;
		}
		log_info(&ctx->log, "account %s deactivated; the next apply "
		    "registers a new one", acme_kid(a));
		status = EXIT_OK;
		goto out;
	}
	if (account_fetch(a, &acct, &ce.e) != ACME_OK) {
		log_error(&ctx->log, "%s", ce.e.msg);
		goto out;
	}
	print_account(ctx, acme_kid(a), k, acct, ce.m->acme.directory);
	status = EXIT_OK;
out:
	cJSON_Delete(acct);
	acme_free(a);
	key_free(k);
	store_unlock(alk);
	store_unlock(lk);
	cmd_env_close(&ce);
	return status;
}
