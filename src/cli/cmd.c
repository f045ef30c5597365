#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "cli/cmd.h"
#include "manifest/manifest.h"
#include "store/store.h"

const struct command command_table[] = {
	{ "check", cmd_check, "check [NAME...]",
	  "preflight only: manifest, DNS A/AAAA, CAA, ACME directory" },
	{ "plan", cmd_plan, "plan [NAME...] [--next-run DURATION]",
	  "show what apply would do (exit 0 nothing, 2 changes pending)" },
	{ "apply", cmd_apply,
	  "apply [NAME...] [--force-renew] [--skip-checks] [--wait] "
	  "[--next-run DURATION]",
	  "check, issue/renew, write fragments, run hooks, notify" },
	{ "render", cmd_render, "render",
	  "write fragments from the repository as it is" },
	{ "status", cmd_status, "status [NAME...]",
	  "one row per certificate" },
	{ "revoke", cmd_revoke, "revoke NAME [--reason R]",
	  "revoke at the CA; the next apply re-issues" },
	{ "backup", cmd_backup,
	  "backup FILE [--passphrase-file F] [--kdf-iterations N]",
	  "password-protected archive of the repository" },
	{ "restore", cmd_restore, "restore FILE [--passphrase-file F] [--force]",
	  "restore the repository from a backup" },
	{ "store", cmd_store, "store copy --to STORE [--ca-file F] "
	  "[--cert-file F] [--key-file F] [--auth-file F]",
	  "copy the repository to another backend (directory <-> etcd), "
	  "verified" },
	{ "account", cmd_account,
	  "account [show|register|update|rollover|deactivate]",
	  "ACME account management" },
	{ "import", cmd_import, "import certbot|axigen DIR",
	  "adopt certbot's or Axigen's certificates; print their entries" },
	{ "serve-http01", cmd_serve_http01,
	  "serve-http01 --listen ADDR[,ADDR...]",
	  "answer http-01 from the tokens apply publishes (long-running)" },
	{ NULL, NULL, NULL, NULL },
};

const struct command *
command_find(const char *name)
{
	size_t i;

	for (i = 0; command_table[i].name != NULL; i++)
		if (strcmp(command_table[i].name, name) == 0)
			return &command_table[i];
	return NULL;
}

int
cmd_parse(const char *cmd, int argc, char **argv, const struct cmd_opt *opts,
    struct strlist *pos)
{
	const struct cmd_opt *o;
	const char *arg, *eq;
	size_t namelen;
	int i, only_pos = 0;

	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (only_pos || arg[0] != '-' || arg[1] == '\0') {
			strlist_add(pos, arg);
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (arg[1] != '-') {
			fprintf(stderr, "certkeep %s: unknown option %s\n",
			    cmd, arg);
			return EXIT_USAGE;
		}
		arg += 2;
		eq = strchr(arg, '=');
		namelen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		for (o = opts; o != NULL && o->name != NULL; o++)
			if (strlen(o->name) == namelen &&
			    strncmp(o->name, arg, namelen) == 0)
				break;
		if (o == NULL || o->name == NULL) {
			fprintf(stderr, "certkeep %s: unknown option --%.*s\n",
			    cmd, (int)namelen, arg);
			return EXIT_USAGE;
		}
		if (!o->has_arg) {
			if (eq != NULL) {
				fprintf(stderr, "certkeep %s: --%s takes no "
				    "value\n", cmd, o->name);
				return EXIT_USAGE;
			}
			*o->flag = 1;
		} else if (eq != NULL) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			fprintf(stderr, "certkeep %s: --%s needs a value\n",
			    cmd, o->name);
			return EXIT_USAGE;
		}
	}
	return 0;
}

int
cmd_require(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return 0;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

struct manifest *
cmd_load_manifest(const struct ctx *ctx)
{
	struct strlist diags;
	struct manifest *m;
	size_t i;

	strlist_init(&diags);
	m = manifest_load(ctx->manifest_path, &diags);
	if (m == NULL) {
		for (i = 0; i < diags.n; i++)
			fprintf(stderr, "%s\n", diags.v[i]);
		if (diags.n == 0)
			fprintf(stderr, "%s: invalid manifest\n",
			    ctx->manifest_path);
	}
	strlist_clear(&diags);
	return m;
}

/*
 * Checks that each NAME in pos is a certificate of m; fills sel[i] = 1 for
 * selected certificates (all when pos is empty). Prints the error and
 * returns -1 for an unknown name.
 */
static int
cmd_select(const struct manifest *m, const struct strlist *pos,
    unsigned char *sel)
{
	size_t i, j;

	memset(sel, pos->n == 0 ? 1 : 0, m->ncerts);
	for (i = 0; i < pos->n; i++) {
		for (j = 0; j < m->ncerts; j++)
			if (strcmp(m->certs[j].name, pos->v[i]) == 0)
				break;
		if (j == m->ncerts) {
			fprintf(stderr, "certkeep: %s: no certificate of that "
			    "name in %s\n", pos->v[i], m->path);
			return -1;
		}
		sel[j] = 1;
	}
	return 0;
}

void
cmd_etcd_opts(const struct manifest *m, struct store_etcd_opts *eo)
{
	memset(eo, 0, sizeof(*eo));
	eo->ca_file = m->etcd.ca_file;
	eo->cert_file = m->etcd.cert_file;
	eo->key_file = m->etcd.key_file;
	eo->auth_file = m->etcd.auth_file;
	eo->lock_ttl = (long)m->etcd.lock_ttl;
	eo->local_dir = m->etcd.local_dir;
}

struct store *
cmd_store_open(const struct manifest *m, int create, struct err *e)
{
	struct store_etcd_opts eo;

	cmd_etcd_opts(m, &eo);
	return store_open_with(m->store, &eo, create, e);
}

int
cmd_open(const struct ctx *ctx, const struct strlist *pos, int create,
    struct manifest **m, unsigned char **sel, struct store **s)
{
	struct err e;

	if ((*m = cmd_load_manifest(ctx)) == NULL)
		return EXIT_DATAERR;
	if (sel != NULL) {
		*sel = xcalloc((*m)->ncerts + 1, 1);
		if (cmd_select(*m, pos, *sel) == -1)
			return EXIT_USAGE;
	}
	if (s != NULL && (*s = cmd_store_open(*m, create, &e)) == NULL) {
		log_error(&ctx->log, "%s", e.msg);
		return EXIT_FAIL;
	}
	return 0;
}

int
cmd_open_run(const struct ctx *ctx, int argc, char **argv,
    const struct cmd_opt *opts, const char *const *next_run_arg,
    long long *next_run, int create, struct cmd_env *ce)
{
	int r;

	if ((r = cmd_parse(argv[0], argc, argv, opts, &ce->pos)) == 0 &&
	    (r = cmd_parse_next_run(argv[0], *next_run_arg, next_run)) == 0)
		r = cmd_open(ctx, &ce->pos, create, &ce->m, &ce->sel, &ce->s);
	return r;
}

void
cmd_env_init(struct cmd_env *ce)
{
	/* All zero is an empty strlist and a clear err. */
	memset(ce, 0, sizeof(*ce));
}

void
cmd_env_close(struct cmd_env *ce)
{
	store_free(ce->s);
	free(ce->sel);
	strlist_clear(&ce->pos);
	manifest_free(ce->m);
}

void
cmd_print_terms_error(const struct manifest *m, const char *msg)
{
	fprintf(stderr, "%s:%d:%d: %s\n", m->path, m->acme.terms_pos.line,
	    m->acme.terms_pos.col, msg);
}

int
cmd_print_json(const cJSON *root)
{
	char *txt = cJSON_Print(root);

	if (txt == NULL)
		return -1;
	printf("%s\n", txt);
	cJSON_free(txt);
	return 0;
}
