/*
 * fuzz_acme.c - libFuzzer target for what an ACME server answers: the
 * input is a script of HTTP answers (fake_curl.c) played to the real
 * client, after a first byte that picks what the client does:
 *
 * ('0' to '4', or any byte modulo 5 counted from '0'; for the order, the
 * byte divided by 5 also says: 1 resume an earlier order, 2 replace a
 * certificate with a profile, 3 both):
 *
 *   0  read the directory (meta, profiles, caaIdentities, renewalInfo)
 *   1  find or register the account (newAccount with onlyReturnExisting,
 *      then registration; problem documents such as accountDoesNotExist),
 *      read it and update its contact
 *   2  run an order: newOrder, the order object, its authorizations and
 *      challenges (http-01 answered in a webroot under /dev/shm), finalize,
 *      download and split the chain; invalid orders and authorizations
 *      carry problem documents with subproblems
 *   3  poll ARI renewalInfo for a certificate (suggestedWindow,
 *      explanationURL, Retry-After) into its state
 *   4  a problem document on its own (acme_problem_text and its class)
 *
 * Every non-2xx answer in any of them is read as a problem document. The
 * waits of the order are bounded by a 1 ms timeout, so a "pending" or
 * "processing" answer ends the order at once instead of sleeping.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "acme/account.h"
#include "acme/acme.h"
#include "acme/ari.h"
#include "acme/key.h"
#include "acme/order.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "chall/chall.h"
#include "manifest/acme_conf.h"
#include "manifest/manifest.h"
#include "reconcile/issue.h"
#include "store/account_io.h"
#include "store/store.h"

#include "fake_curl.c"
#ifdef FUZZ_FAST_CRYPTO
#include "fake_key.c"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_DIR	"https://ca.test/dir"

/* What an input ended with, for writing seeds (FUZZ_VERBOSE=1). */
#define FZ_SAY(what, rc, e) do {					\
	if (fz.verbose)							\
		fprintf(stderr, "%s: %s%s (%zu requests)\n", what,		\
		    (rc) == 0 ? "ok" : "failed: ", (rc) == 0 ? "" : (e)->msg, \
		    fake_sent);						\
} while (0)

/* Made once per process: keys are slow to generate. */
struct fz_world {
	char		 root[64];	/* /dev/shm/certkeep-fuzz-XXXXXX */
	struct manifest	*m;
	struct key	*acct;
	struct key	*cert;
	struct store	*s;
	struct acme_conf conf;
	struct account_store io;
	int		 verbose;	/* FUZZ_VERBOSE set: say how it ended */
};
static struct fz_world fz;

static int
fz_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The webroot and store go when the process ends normally. */
static void
fz_cleanup(void)
{
	if (fz.root[0] != '\0')
		(void)nftw(fz.root, fz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

static void
fz_init(void)
{
	struct strlist diags;
	struct err e;
	char *yaml, *dir;

	if (fz.m != NULL)
		return;
	fz.verbose = getenv("FUZZ_VERBOSE") != NULL;
	/* tmpfs: the webroot and the store are written for every input. */
	snprintf(fz.root, sizeof(fz.root), "/dev/shm/certkeep-fuzz-XXXXXX");
	if (mkdtemp(fz.root) == NULL) {
		snprintf(fz.root, sizeof(fz.root), "/tmp/certkeep-fuzz-XXXXXX");
		if (mkdtemp(fz.root) == NULL)
			abort();
	}
	atexit(fz_cleanup);
	dir = xasprintf("%s/www", fz.root);
	if (mkdir(dir, 0755) == -1)
		abort();
	free(dir);
	yaml = xasprintf(
	    "version: 1\n"
	    "acme:\n"
	    "  directory: " FZ_DIR "\n"
	    "  ca_bundle: /nonexistent/ca.pem\n"
	    "  contact: [hostmaster@example.com]\n"
	    "  terms_accepted: true\n"
	    "store: %s/store\n"
	    "challenge: {type: http-01, http-01: {webroot: %s/www}}\n"
	    "certificates:\n"
	    "  - name: mail\n"
	    "    hostnames: [mail.example.com, www.example.com]\n",
	    fz.root, fz.root);
	strlist_init(&diags);
	fz.m = manifest_load_buf("fuzz.yaml", fz.root, yaml, strlen(yaml),
	    &diags);
	free(yaml);
	if (fz.m == NULL) {
		for (size_t i = 0; i < diags.n; i++)
			fprintf(stderr, "%s\n", diags.v[i]);
		abort();
	}
	strlist_clear(&diags);
	if ((fz.acct = key_generate(KEY_EC_P256, &e)) == NULL ||
	    (fz.cert = key_generate(KEY_EC_P256, &e)) == NULL ||
	    (fz.s = store_open(fz.m->store, 1, &e)) == NULL) {
		fprintf(stderr, "%s\n", e.msg);
		abort();
	}
	manifest_acme_conf(&fz.m->acme, &fz.conf);
	store_account_io(fz.s, &fz.io);
	/* The account key exists from the start, as in a store in use, so
	   that every input takes the same path (no answers: no account). */
	{
		struct acme *a = acme_new(FZ_DIR, "/nonexistent/ca.pem", NULL,
		    &e);
		struct key *k = NULL;

		fake_load(NULL, 0);
		if (a == NULL || account_open(a, &fz.io, &fz.conf, 1, &k,
		    &e) == ACME_OK)
			abort();
		acme_free(a);
	}
}

static void
fz_directory(struct acme *a)
{
	const struct acme_dir *d;
	struct err e;

	const struct acme_dir *d2;
	enum acme_result rc;

	rc = acme_directory(a, &d, &e);
	FZ_SAY("directory", rc == ACME_OK ? 0 : -1, &e);
	if ((rc == ACME_OK) != (d != NULL))
		abort();	/* a directory exactly when ACME_OK */
	if (d == NULL)
		return;
	if (d->new_nonce == NULL || d->new_account == NULL ||
	    d->new_order == NULL)
		abort();	/* promised by acme_directory() */
	if (acme_directory(a, &d2, &e) != ACME_OK || d2 != d)
		abort();	/* cached */
}

static void
fz_account(struct acme *a)
{
	struct key *k = NULL;
	struct err e;
	char *blob;
	cJSON *o;
	enum acme_result rc;

	rc = account_open(a, &fz.io, &fz.conf, 1, &k, &e);
	FZ_SAY("account", rc == ACME_OK ? 0 : -1, &e);
	if (rc == ACME_OK) {
		if (acme_kid(a) == NULL)
			abort();
		if (account_fetch(a, &o, &e) == ACME_OK) {
			if (!cJSON_IsObject(o))
				abort();
			cJSON_Delete(o);
		}
		(void)account_update(a, fz.m->acme.contact, &e);
	}
	key_free(k);
	/* Forget the URL: the next input finds or registers again. */
	blob = account_blob(FZ_DIR, "url");
	(void)store_del_blob(fz.s, blob, &e);
	free(blob);
}

static void
fz_order(struct acme *a, unsigned flags)
{
	struct chall_run *run = chall_run_new(&fz.m->dns, NULL);
	struct issue_chall ic;
	struct order_req req;
	struct order_result res;
	struct err e;
	enum acme_result rc;

	acme_set_account(a, fz.acct, "https://ca.test/acct/1");
	issue_order_req(&fz.m->certs[0], run, &ic, &req);
	req.key = fz.cert;
	req.timeout_ms = 1;
	/* Resuming an earlier order; replacing a certificate (ARI), with a
	   profile: the paths that read the order before placing one, or
	   place it twice. */
	if (flags & 1)
		req.resume_url = "https://ca.test/order/earlier";
	if (flags & 2) {
		req.replaces = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.A6s";
		req.profile = "shortlived";
	}
	rc = order_run(a, &req, &res, &e);
	FZ_SAY("order", rc == ACME_OK ? 0 : -1, &e);
	if (rc == ACME_OK &&
	    (res.cert == NULL || res.chain == NULL || res.order_url == NULL))
		abort();
	order_result_clear(&res);
	chall_run_free(run);
}

static void
fz_ari(struct acme *a)
{
	const time_t now = 1795586400;	/* 2026-11-25T06:00:00Z */
	struct ari_state st;
	struct ari_http ah;
	char *msg = NULL, *desc;
	time_t at;

	memset(&st, 0, sizeof(st));
	issue_ari_http(a, &ah);
	(void)ari_poll(&st, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.A6s", now + 86400 * 60,
	    86400 * 90, "https://ca.test/renewalInfo", &ah, now, &msg);
	if (fz.verbose)
		fprintf(stderr, "ari: %s; window %lld..%lld retry_after %lld\n",
		    msg != NULL ? msg : "ok", (long long)st.window_start,
		    (long long)st.window_end, (long long)st.retry_after);
	free(msg);
	if (st.window_start != 0 && (st.chosen < st.window_start ||
	    st.chosen > st.window_end))
		abort();	/* the instant lies inside the window */
	desc = ari_state_describe(&st, st.cert_id);
	free(desc);
	(void)ari_says_renew(&st, st.cert_id, now, 3600, &at);
	ari_state_clear(&st);
}

static void
fz_problem(const uint8_t *data, size_t size)
{
	cJSON *o = cJSON_ParseWithLength((const char *)data, size);
	const char *type = NULL;
	struct buf b;
	int validation = 0;

	buf_init(&b);
	if (cJSON_IsObject(o)) {
		acme_problem_text(o, &b, &type);
		(void)acme_problem_class(type, &validation);
		if (b.data == NULL)
			abort();
	}
	buf_clear(&b);
	cJSON_Delete(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acme *a;
	struct err e;
	size_t skip;
	unsigned sel;

	if (size < 1)
		return 0;
	fz_init();
	/* "2\n200\n...": the selector may stand on its own line. */
	skip = size > 1 && data[1] == '\n' ? 2 : 1;
	fake_load(data + skip, size - skip);
	if ((a = acme_new(FZ_DIR, "/nonexistent/ca.pem", NULL, &e)) == NULL)
		abort();
	sel = (uint8_t)(data[0] - '0');
	switch (sel % 5) {
	case 0:
		fz_directory(a);
		break;
	case 1:
		fz_account(a);
		break;
	case 2:
		fz_order(a, sel / 5u);
		break;
	case 3:
		fz_ari(a);
		break;
	default:
		fz_problem(data + skip, size - skip);
		break;
	}
	acme_free(a);
	return 0;
}
