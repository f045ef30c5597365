/*
 * cmd_revoke.c - `certkeep revoke NAME [--reason R]`: revokes the live
 * certificate of NAME at the CA (signed by the account key, RFC 8555
 * 7.6) and marks it revoked in its state, so the next apply issues a new
 * one (plan reason "revoked"). Exit 0 / 1; 64 usage; 65 manifest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "acme/account.h"
#include "acme/acme.h"
#include "acme/key.h"
#include "base/encode.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "manifest/acme_conf.h"
#include "manifest/manifest.h"
#include "store/account_io.h"
#include "store/certinfo.h"
#include "store/state.h"
#include "store/store.h"

/* RFC 5280 5.3.1 reason codes a CA accepts from a subscriber. */
static const struct {
	const char	*name;
	int		 code;
} reasons[] = {
	{ "unspecified", 0 },
	{ "keyCompromise", 1 },
	{ "affiliationChanged", 3 },
	{ "superseded", 4 },
	{ "cessationOfOperation", 5 },
	{ "privilegeWithdrawn", 9 },
};

/* base64url of the leaf's DER; malloced, caller frees. */
static char *
cert_der_b64url(const char *pem, struct err *e)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	unsigned char *der = NULL;
	char *out = NULL;
	int n;

	if (x == NULL || (n = i2d_X509(x, &der)) <= 0)
		err_ssl(e, "cannot read the certificate");
	else
		out = b64url_encode(der, (size_t)n);
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(b);
	return out;
}

int
cmd_revoke(struct ctx *ctx, int argc, char **argv)
{
	const char *reason = NULL;
	int wait = 0;
	const struct cmd_opt opts[] = {
		{ "reason", 1, &reason, NULL },
		{ "wait", 0, NULL, &wait },
		{ NULL, 0, NULL, NULL },
	};
	struct certset set;
	struct certinfo ci;
	struct certstate st;
	struct cmd_env ce;
	struct store_lock *lk = NULL;
	struct acme *a = NULL;
	struct key *k = NULL;
	struct http_resp r;
	cJSON *p = NULL;
	char *der = NULL, *warning = NULL;
	const char *name;
	int status = EXIT_FAIL, code = -1, already = 0;

	cmd_env_init(&ce);
	memset(&set, 0, sizeof(set));
	memset(&ci, 0, sizeof(ci));
	certstate_init(&st);
	http_resp_init(&r);
	if ((status = cmd_parse(argv[0], argc, argv, opts, &ce.pos)) != 0 ||
	    (status = cmd_require(ce.pos.n == 1, "certkeep revoke: usage: "
	    "certkeep revoke NAME [--reason REASON]\n")) != 0)
		goto out;
	status = EXIT_FAIL;
	name = ce.pos.v[0];
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reason == NULL || strcmp(reason, reasons[i].name) == 0) {
			code = reason == NULL ? -1 : reasons[i].code;
			break;
		}
	if (reason != NULL && code == -1) {
		fprintf(stderr, "certkeep revoke: --reason %s: one of "
		    "unspecified, keyCompromise, affiliationChanged, "
		    "superseded, cessationOfOperation, privilegeWithdrawn\n",
		    reason);
		status = EXIT_USAGE;
		goto out;
	}
	if ((ce.m = cmd_load_manifest(ctx)) == NULL) {
		status = EXIT_DATAERR;
		goto out;
	}
	size_t ci_idx;
	for (ci_idx = 0; ci_idx < ce.m->ncerts; ci_idx++)
		if (strcmp(ce.m->certs[ci_idx].name, name) == 0)
			break;
	if (ci_idx == ce.m->ncerts) {
		fprintf(stderr, "certkeep revoke: %s is not a certificate of "
		    "%s\n", name, ce.m->path);
		status = EXIT_USAGE;
		goto out;
	}
	if ((ce.s = cmd_store_open(ce.m, 1, &ce.e)) == NULL ||
	    store_lock(ce.s, wait, &lk, &ce.e) == -1) {
		log_error(&ctx->log, "%s", ce.e.msg);
		goto out;
	}
	if (store_read_set(ce.s, name, &set, &ce.e) != 1 || set.cert == NULL) {
		log_error(&ctx->log, "%s: no certificate in the repository%s%s",
		    name, ce.e.msg[0] ? ": " : "", ce.e.msg);
		goto out;
	}
	certinfo_read(&set, &ci);
	if ((der = cert_der_b64url(set.cert, &ce.e)) == NULL) {
		log_error(&ctx->log, "%s: %s", name, ce.e.msg);
		goto out;
	}
	struct acme_conf conf;
	struct account_store io;

	manifest_acme_conf(&ce.m->acme, &conf);
	store_account_io(ce.s, &io);
	if ((a = acme_new_for(&conf, &ctx->log, &ce.e)) == NULL ||
	    account_open(a, &io, &conf, 0, &k, &ce.e) != ACME_OK) {
		log_error(&ctx->log, "%s", ce.e.msg);
		goto out;
	}
	const struct acme_dir *d;
	if (acme_directory(a, &d, &ce.e) != ACME_OK || d->revoke_cert == NULL) {
		log_error(&ctx->log, "%s", d == NULL ? ce.e.msg :
		    "the CA offers no revokeCert");
		goto out;
	}
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "certificate", der);
	if (code >= 0)
		cJSON_AddNumberToObject(p, "reason", code);
	if (acme_post(a, d->revoke_cert, p, ACME_SIGN_KID, &r, &ce.e) !=
	    ACME_OK) {
		char *t = acme_answer_type(&r);

		already = t != NULL && strcmp(t, ACME_URN "alreadyRevoked") == 0;
		free(t);
		if (!already) {
			log_error(&ctx->log, "revoking %s: %s", name, ce.e.msg);
			goto out;
		}
	}
	if (certstate_load(ce.s, name, &st, &warning, &ce.e) == -1) {
		log_error(&ctx->log, "%s", ce.e.msg);
		goto out;
	}
	st.revoked = 1;
	free(st.revoked_serial);
	st.revoked_serial = ci.serial != NULL ? xstrdup(ci.serial) : NULL;
	st.revoked_at = now_wall();
	if (st.serial == NULL && ci.serial != NULL)
		st.serial = xstrdup(ci.serial);
	if (certstate_save(ce.s, name, &st, &ce.e) == -1) {
		log_error(&ctx->log, "%s", ce.e.msg);
		goto out;
	}
	log_info(&ctx->log, "%s %s (serial %s)%s; the next apply issues a "
	    "new certificate", already ? "already revoked:" : "revoked",
	    name, ci.serial ? ci.serial : "?", code >= 0 ? "" : "");
	if (ctx->out == OUT_JSON) {
		cJSON *root = cJSON_CreateObject();
		cJSON *arr = cJSON_AddArrayToObject(root, "certificates");
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "name", name);
		cJSON_AddStringToObject(o, "state", "revoked");
		if (ci.serial != NULL)
			cJSON_AddStringToObject(o, "serial", ci.serial);
		cJSON_AddStringToObject(o, "reason", reason != NULL ? reason :
		    "unspecified");
		cJSON_AddItemToArray(arr, o);
		cmd_print_json(root);
		cJSON_Delete(root);
	}
	status = EXIT_OK;
out:
	cJSON_Delete(p);
	http_resp_clear(&r);
	free(der);
	free(warning);
	certinfo_clear(&ci);
	certset_clear(&set);
	certstate_clear(&st);
	acme_free(a);
	key_free(k);
	store_unlock(lk);
	cmd_env_close(&ce);
	return status;
}
