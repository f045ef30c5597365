/* test_plan_read.c - plan_read_cert() over a real store made with openssl
   sets, and plan_item_to_json(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "manifest/manifest.h"
#include "reconcile/plan.h"
#include "store/certinfo.h"
#include "store/state.h"
#include "store/store.h"
#include "sets.h"
#include "tap.h"

static char dir[256];

static const char *
jstr(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

int
main(void)
{
	struct manifest m;
	struct mcert c[3];
	struct mlistener l;
	struct store *s;
	struct plan_item it;
	struct certstate st;
	struct err e;
	char *root, *w, *p;
	char *names[] = { "good.example", NULL };
	char *names2[] = { "missing.example", NULL };
	cJSON *j, *a;
	struct plan_opts po = { 0 };
	time_t now;
	int full = -1;

	snprintf(dir, sizeof(dir), "%s/certkeep-pr-XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	if (mkcerts(dir, "mkcerts_ca ca") != 0 ||
	    mkcerts(dir,
	    "mkcerts_leaf ca good ec-p256 10 90 good.example") != 0) {
		printf("Bail out! openssl failed\n");
		return 1;
	}
	now = time(NULL) + 1;	/* after notBefore + 10 days, to the second */
	po.now = now;
	root = xasprintf("%s/store", dir);
	s = store_open(root, 1, &e);
	p = path_join(dir, "good");
	ok(set_put(s, p, "good") == 0, "set stored");
	free(p);

	memset(&m, 0, sizeof(m));
	memset(c, 0, sizeof(c));
	memset(&l, 0, sizeof(l));
	l.server = SERVER_DOVECOT;
	l.service = SERVICE_IMAP;
	l.address = "0.0.0.0:993";
	c[0].name = "good";
	c[0].hostnames = names;
	c[0].nhostnames = 1;
	c[0].key_type = KEY_EC_P256;
	c[0].listeners = &l;
	c[0].nlisteners = 1;
	c[1].name = "missing";
	c[1].hostnames = names2;
	c[1].nhostnames = 1;
	m.certs = c;
	m.ncerts = 2;

	is_int(plan_read_cert(s, &m, &c[0], &po, &it, &st, &w,
	    NULL, &e), 0,
	    "read good");
	ok(it.action == PLAN_KEEP && w == NULL, "good: keep, no warning");
	j = plan_item_to_json(&it, &st, now);
	is_str(jstr(j, "name"), "good", "json name");
	is_str(jstr(j, "action"), "keep", "json action");
	is_str(jstr(j, "reason"), "keep", "json reason");
	is_str(jstr(j, "state"), "ok", "json state");
	is_str(jstr(j, "issuer"), "Test Int CA", "json issuer");
	is_str(jstr(j, "key_type"), "ec-p256", "json key_type");
	is_int(cJSON_GetObjectItem(j, "days_left")->valuedouble, 79,
	    "json days_left");
	ok(jstr(j, "not_after") != NULL && strlen(jstr(j, "not_after")) == 20,
	    "json not_after RFC 3339: %s", jstr(j, "not_after"));
	a = cJSON_GetObjectItem(j, "listeners");
	ok(cJSON_GetArraySize(a) == 1 && strcmp(jstr(cJSON_GetArrayItem(a, 0),
	    "service"), "imap") == 0, "json listeners");
	ok(cJSON_GetObjectItem(j, "backoff_until") == NULL,
	    "no backoff_until when none");
	is_str(jstr(j, "window"), "25d", "json window");
	cJSON_Delete(j);

	/* The verified record: apply (record) writes it, a later read uses
	   it instead of parsing, a new set is read in full again. */
	plan_item_clear(&it);
	certstate_clear(&st);
	po.record = 1;
	is_int(plan_read_cert(s, &m, &c[0], &po, &it, &st, &w, &full, &e), 0,
	    "read good, recording");
	ok(full == 1 && it.action == PLAN_KEEP, "first read: in full, keep");
	plan_item_clear(&it);
	certstate_clear(&st);
	po.record = 0;
	is_int(plan_read_cert(s, &m, &c[0], &po, &it, &st, &w, &full, &e), 0,
	    "read good again");
	ok(full == 0 && it.action == PLAN_KEEP && it.info.serial != NULL &&
	    it.info.key_type == KEY_EC_P256 && it.info.nsans == 1,
	    "second read: from the record, same decision (no key decoded)");
	plan_item_clear(&it);
	certstate_clear(&st);
	p = path_join(dir, "good");
	ok(set_put(s, p, "good") == 0, "the set written again (new files)");
	free(p);
	is_int(plan_read_cert(s, &m, &c[0], &po, &it, &st, &w, &full, &e), 0,
	    "read the new set");
	ok(full == 1 && it.action == PLAN_KEEP, "new files: read in full");

	/* ARI: a window whose chosen instant has passed renews now. */
	st.ari.cert_id = xstrdup(it.info.ari_id);
	st.ari.window_start = now - 7200;
	st.ari.window_end = now - 3600;
	st.ari.chosen = now - 5000;
	st.serial = xstrdup(it.info.serial);
	st.consecutive_failures = 1;
	st.last_error_time = now - 60;
	st.last_error_detail = xstrdup("boom");
	ok(certstate_save(s, "good", &st, &e) == 0, "state saved");
	plan_item_clear(&it);
	certstate_clear(&st);
	is_int(plan_read_cert(s, &m, &c[0], &po, &it, &st, &w,
	    NULL, &e), 0,
	    "read good with ARI state");
	ok(it.action == PLAN_RENEW && it.reason == REASON_ARI,
	    "ARI advances the renewal: %s", it.reason_text);
	j = plan_item_to_json(&it, &st, now);
	ok(cJSON_IsObject(cJSON_GetObjectItem(j, "ari")), "json ari");
	is_str(jstr(cJSON_GetObjectItem(j, "last_error"), "detail"), "boom",
	    "json last_error");
	cJSON_Delete(j);
	plan_item_clear(&it);
	certstate_clear(&st);

	is_int(plan_read_cert(s, &m, &c[1], &po, &it, &st, &w,
	    NULL, &e), 0,
	    "read missing");
	ok(it.action == PLAN_ISSUE, "missing: issue");
	j = plan_item_to_json(&it, &st, now);
	ok(cJSON_IsNull(cJSON_GetObjectItem(j, "not_after")),
	    "missing: not_after null");
	is_str(jstr(j, "state"), "missing", "missing: state");
	cJSON_Delete(j);
	plan_item_clear(&it);
	certstate_clear(&st);

	/* A corrupt state warns and does not hold anything back. */
	p = xasprintf("%s/state/missing.json", root);
	file_write_atomic(p, "{{{", 3, 0600, &e);
	free(p);
	is_int(plan_read_cert(s, &m, &c[1], &po, &it, &st, &w,
	    NULL, &e), 0,
	    "read with corrupt state");
	ok(w != NULL && it.action == PLAN_ISSUE, "warned, still issue: %s", w);
	free(w);
	plan_item_clear(&it);
	certstate_clear(&st);
	store_free(s);

	/* A store that does not exist reads as all missing, creates nothing. */
	p = xasprintf("%s/nostore", dir);
	s = store_open(p, 0, &e);
	is_int(plan_read_cert(s, &m, &c[0], &po, &it, &st, &w,
	    NULL, &e), 0,
	    "read from a missing store");
	ok(it.action == PLAN_ISSUE, "missing store: issue");
	ok(access(p, F_OK) == -1, "missing store not created");
	plan_item_clear(&it);
	certstate_clear(&st);
	store_free(s);
	free(p);

	free(root);
	p = xasprintf("rm -rf '%s'", dir);
	if (system(p) != 0)
		printf("# could not remove %s\n", dir);
	free(p);
	return tap_done();
}
