/* test_state.c - the certificate state (store/state.c): what a save
 * keeps, what a load gives back, unknown members kept, damaged and future
 * files discarded with a warning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/state.h"
#include "store/store.h"
#include "tap.h"

static char root[256];

#define mode_of(rel)	tap_mode_of(root, rel)

/* A state file as another program (or a damaged disk) left it. */
static void
write_file(const char *path, const char *data)
{
	struct err e;

	if (file_write_atomic(path, data, strlen(data), 0600, &e) == -1)
		printf("# %s\n", e.msg);
}

static void
test_state(void)
{
	struct store *s;
	struct certstate st, st2;
	struct err e;
	char *w = NULL, *p;
	cJSON *j;
	char *const names[] = { "b.example", "a.example", NULL };

	s = store_open(root, 1, &e);
	is_int(certstate_load(s, "web", &st, &w, &e), 0, "no state yet");
	ok(w == NULL && st.key_type == -1, "empty state, no warning");

	st.hostnames = strv_dup(names);
	st.nhostnames = 2;
	st.key_type = 1;
	st.profile = xstrdup("shortlived");
	st.serial = xstrdup("03AB");
	st.issued_at = 1700000000;
	st.order_url = xstrdup("https://ca.test/order/1");
	st.order_started = 1700000100;
	certstate_set_error(&st, 1700000200,
	    "urn:ietf:params:acme:error:rateLimited", "too many");
	certstate_set_error(&st, 1700000300,
	    "urn:ietf:params:acme:error:rateLimited", "too many again");
	st.backoff_until = 1700003600;
	st.revoked = 1;
	st.revoked_serial = xstrdup("0102");
	st.revoked_at = 1700000400;
	st.last_expiring_notice = 1700000500;
	st.ari.cert_id = xstrdup("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
	st.ari.window_start = 1700100000;
	st.ari.window_end = 1700200000;
	is_int(certstate_save(s, "web", &st, &e), 0, "save state");
	is_int(mode_of("state/web.json") & 07777, 0600,
	    "state file 0600");
	certstate_clear(&st);

	is_int(certstate_load(s, "web", &st2, &w, &e), 1, "load state");
	ok(st2.nhostnames == 2 && strcmp(st2.hostnames[0], "b.example") == 0
	    && strcmp(st2.hostnames[1], "a.example") == 0,
	    "hostnames in issued order");
	is_int(st2.key_type, 1, "key_type");
	is_str(st2.profile, "shortlived", "profile");
	is_str(st2.serial, "03AB", "serial");
	is_int(st2.issued_at, 1700000000, "issued_at");
	is_str(st2.order_url, "https://ca.test/order/1", "order_url");
	is_int(st2.order_started, 1700000100, "order_started");
	is_int(st2.consecutive_failures, 2, "failures counted");
	is_int(st2.backoff_until, 1700003600, "backoff_until");
	is_int(st2.last_error_time, 1700000300, "last error time");
	is_str(st2.last_error_type, "urn:ietf:params:acme:error:rateLimited",
	    "last error type");
	is_str(st2.last_error_detail, "too many again", "last error detail");
	ok(st2.revoked && st2.revoked_at == 1700000400, "revoked");
	is_str(st2.revoked_serial, "0102", "revoked serial");
	is_int(st2.last_expiring_notice, 1700000500, "last_expiring_notice");
	is_str(st2.ari.cert_id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
	    "ari cert_id");
	is_int(st2.ari.window_end, 1700200000, "ari window_end");
	certstate_clear(&st2);

	/* Unknown members survive a load/save. */
	p = xasprintf("%s/state/keep.json", root);
	write_file(p, "{\"version\": 1, \"serial\": \"AA\", \"future\": "
	    "{\"x\": [1, 2]}}");
	is_int(certstate_load(s, "keep", &st, &w, &e), 1, "load with unknown");
	free(st.serial);
	st.serial = xstrdup("BB");
	certstate_save(s, "keep", &st, &e);
	certstate_clear(&st);
	j = NULL;
	is_int(store_get_state(s, "keep", &j, &w, &e), 1, "raw state");
	ok(cJSON_IsObject(cJSON_GetObjectItem(j, "future")),
	    "unknown member kept");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(j, "serial")), "BB",
	    "known member updated");
	cJSON_Delete(j);
	free(p);

	/* Corrupt and future files are discarded with a warning. */
	p = xasprintf("%s/state/bad.json", root);
	write_file(p, "{\"version\": 1, \"serial\": ");
	is_int(certstate_load(s, "bad", &st, &w, &e), 0, "corrupt state: 0");
	ok(w != NULL && strstr(w, "bad.json") != NULL &&
	    strstr(w, "discarded") != NULL, "corrupt warns: %s", w);
	ok(st.serial == NULL, "corrupt state is empty");
	free(w);
	certstate_clear(&st);
	write_file(p, "{\"version\": 7, \"serial\": \"AA\"}");
	is_int(certstate_load(s, "bad", &st, &w, &e), 0, "future version: 0");
	ok(w != NULL && strstr(w, "version 7") != NULL, "future version "
	    "warns: %s", w);
	ok(st.serial == NULL, "future state is empty");
	free(w);
	certstate_clear(&st);
	write_file(p, "[1,2]");
	is_int(certstate_load(s, "bad", &st, &w, &e), 0, "array state: 0");
	ok(w != NULL, "array warns");
	free(w);
	certstate_clear(&st);
	free(p);
	store_free(s);
}

int
main(void)
{
	if (tap_tmproot(root, sizeof(root), "certkeep-state") == -1)
		return 1;
	test_state();
	return tap_rmroot_done(root);
}
