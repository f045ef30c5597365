/*
 * cmd_store.c - `certkeep store copy --to STORE`: the manifest's
 * repository copied into another backend (a directory, or
 * etcd://H:P[,H:P...]/PREFIX), then read back from a store opened afresh
 * on the copy and compared. An etcd destination is reached with the
 * --ca-file, --cert-file, --key-file and --auth-file given (or, when the
 * manifest's own store is etcd, its etcd: block); the mirror the copy
 * needs is a temporary directory, removed afterwards (every node builds
 * its own on its first run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "cli/cmd.h"
#include "manifest/manifest.h"
#include "store/copy.h"
#include "store/store.h"

static int
is_etcd(const char *s)
{
	return strncmp(s, STORE_ETCD_SCHEME, strlen(STORE_ETCD_SCHEME)) == 0;
}

/* Opens the destination (create) or a fresh view of it; *tmp gets the
   temporary mirror directory to remove (malloced), if any. */
static struct store *
open_dest(const char *to, const struct store_etcd_opts *eo, char **tmp,
    struct err *e)
{
	struct store_etcd_opts o = *eo;
	char tmpl[] = "/tmp/certkeep-copy.XXXXXX";

	*tmp = NULL;
	if (is_etcd(to)) {
		if (mkdtemp(tmpl) == NULL) {
			err_sys(e, "%s", tmpl);
			return NULL;
		}
		*tmp = xstrdup(tmpl);
		o.local_dir = *tmp;
	}
	return store_open_with(to, &o, 1, e);
}

int
cmd_store(struct ctx *ctx, int argc, char **argv)
{
	const char *to = NULL, *ca = NULL, *cert = NULL, *key = NULL,
	    *auth = NULL;
	const struct cmd_opt opts[] = {
		{ "to", 1, &to, NULL },
		{ "ca-file", 1, &ca, NULL },
		{ "cert-file", 1, &cert, NULL },
		{ "key-file", 1, &key, NULL },
		{ "auth-file", 1, &auth, NULL },
		{ NULL, 0, NULL, NULL },
	};
	struct store_copy_summary sum;
	struct store_etcd_opts eo;
	struct manifest *m = NULL;
	struct store *from = NULL, *dst = NULL, *check = NULL;
	struct strlist pos;
	struct err e, ignored;
	char *tmp1 = NULL, *tmp2 = NULL;
	int rc = EXIT_USAGE, r;

	strlist_init(&pos);
	err_clear(&e);
	if (cmd_parse(argv[0], argc, argv, opts, &pos) != 0)
		goto out;
	if (pos.n != 1 || strcmp(pos.v[0], "copy") != 0 || to == NULL ||
	    *to == '\0') {
		fprintf(stderr, "usage: certkeep store copy --to STORE\n");
		goto out;
	}
	if ((r = cmd_open(ctx, &pos, 0, &m, NULL, &from)) != 0) {
		rc = r;
		goto out;
	}
	rc = EXIT_FAIL;
	if (strcmp(to, m->store) == 0) {
		fprintf(stderr, "certkeep store copy: %s is the manifest's own "
		    "store\n", to);
		rc = EXIT_USAGE;
		goto out;
	}
	memset(&eo, 0, sizeof(eo));
	if (m->store_etcd && ca == NULL && cert == NULL && auth == NULL) {
		eo.ca_file = m->etcd.ca_file;
		eo.cert_file = m->etcd.cert_file;
		eo.key_file = m->etcd.key_file;
		eo.auth_file = m->etcd.auth_file;
	} else {
		eo.ca_file = ca;
		eo.cert_file = cert;
		eo.key_file = key;
		eo.auth_file = auth;
	}
	if ((dst = open_dest(to, &eo, &tmp1, &e)) == NULL ||
	    store_copy(from, dst, &sum, &e) == -1) {
		fprintf(stderr, "certkeep store copy: %s\n", e.msg);
		goto out;
	}
	/* Read back through a store opened afresh (etcd: a new mirror). */
	if ((check = open_dest(to, &eo, &tmp2, &e)) == NULL ||
	    store_copy_verify(from, check, &e) == -1) {
		fprintf(stderr, "certkeep store copy: %s\n", e.msg);
		goto out;
	}
	if (ctx->out == OUT_JSON) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "from", m->store);
		cJSON_AddStringToObject(j, "to", to);
		cJSON_AddNumberToObject(j, "sets", (double)sum.sets);
		cJSON_AddNumberToObject(j, "blobs", (double)sum.blobs);
		cJSON_AddTrueToObject(j, "verified");
		cmd_print_json(j);
		cJSON_Delete(j);
	} else
		printf("copied %s to %s: %zu certificate set%s, %zu other "
		    "file%s; verified\n", m->store, to, sum.sets,
		    sum.sets == 1 ? "" : "s", sum.blobs,
		    sum.blobs == 1 ? "" : "s");
	rc = EXIT_OK;
out:
	store_free(check);
	store_free(dst);
	store_free(from);
	if (tmp1 != NULL)
		(void)rm_rf(tmp1, &ignored);
	if (tmp2 != NULL)
		(void)rm_rf(tmp2, &ignored);
	free(tmp1);
	free(tmp2);
	manifest_free(m);
	strlist_clear(&pos);
	return rc;
}
