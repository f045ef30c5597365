/*
 * fuzz_state.c - libFuzzer target for a certificate's state file
 * (state/<name>.json): the bytes are parsed as the store does
 * (cJSON_ParseWithLength, an object or discarded) and go through
 * certstate_from_json(), the ARI decisions and texts that plan and status
 * derive from it, and back through certstate_to_json(). What was loaded
 * must load again from what would be saved, with the same values.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "acme/ari.h"
#include "store/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
str_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* 2026-11-25T06:00:00Z: a fixed clock keeps runs reproducible. */
	const time_t now = 1795586400;
	struct certstate st, st2;
	cJSON *j, *out = NULL, *j2 = NULL;
	char *why = NULL, *text = NULL, *desc;
	time_t at;
	size_t i;

	certstate_init(&st);
	certstate_init(&st2);
	j = cJSON_ParseWithLength((const char *)data, size);
	if (j == NULL || !cJSON_IsObject(j))
		goto done;
	if (certstate_from_json(j, &st, &why) == -1) {
		if (why == NULL)
			abort();	/* a refusal says why */
		goto done;
	}
	/* What plan and status derive from the ARI part. */
	desc = ari_state_describe(&st.ari, st.ari.cert_id);
	free(desc);
	cJSON_Delete(ari_state_to_output(&st.ari));
	(void)ari_poll_due(&st.ari, st.ari.cert_id, now + 86400, now);
	(void)ari_says_renew(&st.ari, st.ari.cert_id, now, 3600, &at);

	/* Saved and loaded again: the same state. */
	out = certstate_to_json(&st);
	if ((text = cJSON_PrintUnformatted(out)) == NULL)
		abort();
	j2 = cJSON_Parse(text);
	if (certstate_from_json(j2, &st2, NULL) == -1)
		abort();
	if (st.nhostnames != st2.nhostnames || st.key_type != st2.key_type ||
	    !str_same(st.serial, st2.serial) ||
	    !str_same(st.profile, st2.profile) ||
	    !str_same(st.order_url, st2.order_url) ||
	    st.issued_at != st2.issued_at ||
	    st.backoff_until != st2.backoff_until ||
	    st.consecutive_failures != st2.consecutive_failures ||
	    st.revoked != st2.revoked ||
	    !str_same(st.ari.cert_id, st2.ari.cert_id) ||
	    st.ari.window_start != st2.ari.window_start ||
	    st.ari.chosen != st2.ari.chosen)
		abort();
	for (i = 0; i < st.nhostnames; i++)
		if (strcmp(st.hostnames[i], st2.hostnames[i]) != 0)
			abort();
done:
	free(why);
	free(text);
	cJSON_Delete(j);
	cJSON_Delete(j2);
	cJSON_Delete(out);
	certstate_clear(&st);
	certstate_clear(&st2);
	return 0;
}
