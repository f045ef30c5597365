/*
 * state.c - the per-certificate state (state.h) to and from JSON, kept in
 * the store.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "acme/key.h"
#include "base/err.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/time.h"
#include "store/state.h"
#include "store/store.h"

void
certstate_init(struct certstate *st)
{
	memset(st, 0, sizeof(*st));
	st->key_type = -1;
}

void
certstate_clear(struct certstate *st)
{
	if (st == NULL)
		return;
	strv_free(st->hostnames);
	free(st->profile);
	free(st->serial);
	free(st->order_url);
	free(st->last_error_type);
	free(st->last_error_detail);
	free(st->revoked_serial);
	ari_state_clear(&st->ari);
	cJSON_Delete(st->extra);
	free(st->extra_text);
	certstate_init(st);
}

static int
st_int(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
	    v->valuedouble < 1e9)
		return v->valueint;
	return 0;
}

/* As certstate_from_json(); *own (a tree of the caller's) becomes
   st->extra when it is kept, and *own is then NULL. */
static int
state_from_tree(const cJSON *o, cJSON **own, struct certstate *st,
    char **why)
{
	const cJSON *v, *h;
	struct strlist names;
	char *s;
	size_t i;

	certstate_init(st);
	if (why != NULL)
		*why = NULL;
	if (o == NULL)
		return 0;
	if (!cJSON_IsObject(o)) {
		if (why != NULL)
			*why = xstrdup("not a JSON object");
		return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "version");
	if (!cJSON_IsNumber(v) || v->valuedouble != CERTSTATE_VERSION) {
		if (why != NULL)
			*why = cJSON_IsNumber(v) ?
			    xasprintf("version %g is not %d", v->valuedouble,
			    CERTSTATE_VERSION) :
			    xstrdup("no version number");
		return -1;
	}
	if (own != NULL) {
		st->extra = *own;
		*own = NULL;
	} else if ((st->extra = cJSON_Duplicate(o, 1)) == NULL)
		abort();

	v = cJSON_GetObjectItemCaseSensitive(o, "hostnames");
	if (cJSON_IsArray(v)) {
		strlist_init(&names);
		cJSON_ArrayForEach(h, v)
			if (cJSON_IsString(h) && h->valuestring[0] != '\0')
				strlist_add(&names, h->valuestring);
		st->hostnames = names.v != NULL ? names.v :
		    xcalloc(1, sizeof(char *));
		st->nhostnames = names.n;
	}
	if ((s = json_get_str(o, "key_type")) != NULL) {
		for (i = 0; i < KEY__MAX; i++)
			if (strcmp(s, key_type_names[i]) == 0)
				st->key_type = (int)i;
		free(s);
	}
	st->profile = json_get_str(o, "profile");
	st->serial = json_get_str(o, "serial");
	st->issued_at = json_get_time(o, "issued_at");
	st->order_url = json_get_str(o, "order_url");
	st->order_started = json_get_time(o, "order_started");
	st->consecutive_failures = st_int(o, "consecutive_failures");
	st->backoff_until = json_get_time(o, "backoff_until");
	v = cJSON_GetObjectItemCaseSensitive(o, "last_error");
	if (cJSON_IsObject(v)) {
		st->last_error_time = json_get_time(v, "time");
		st->last_error_type = json_get_str(v, "type");
		st->last_error_detail = json_get_str(v, "detail");
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "revoked");
	if (cJSON_IsObject(v)) {
		st->revoked = 1;
		st->revoked_serial = json_get_str(v, "serial");
		st->revoked_at = json_get_time(v, "time");
	}
	st->last_expiring_notice = json_get_time(o, "last_expiring_notice");
	ari_state_from_json(cJSON_GetObjectItemCaseSensitive(o, "ari"),
	    &st->ari);
	v = cJSON_GetObjectItemCaseSensitive(st->extra, "verified");
	st->verified = cJSON_IsObject(v) ? v : NULL;
	return 0;
}

int
certstate_from_json(const cJSON *o, struct certstate *st, char **why)
{
	return state_from_tree(o, NULL, st, why);
}

/* Sets member name of o to v (NULL: removes it), replacing what was
   (every copy: a duplicate left behind would be read first next time). */
static void
put(cJSON *o, const char *name, cJSON *v)
{
	while (cJSON_GetObjectItemCaseSensitive(o, name) != NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(o, name);
	if (v != NULL)
		cJSON_AddItemToObject(o, name, v);
}

static cJSON *
jstr(const char *s)
{
	return s != NULL ? cJSON_CreateString(s) : NULL;
}

static cJSON *
jtime(time_t t)
{
	char buf[64];

	if (t == 0)
		return NULL;
	time_format_rfc3339(t, buf, sizeof(buf));
	return cJSON_CreateString(buf);
}

cJSON *
certstate_to_json(const struct certstate *st)
{
	cJSON *o, *a;
	size_t i;

	o = st->extra != NULL ? cJSON_Duplicate(st->extra, 1) :
	    st->extra_text != NULL ? cJSON_Parse(st->extra_text) :
	    cJSON_CreateObject();
	if (o == NULL)
		abort();
	put(o, "version", cJSON_CreateNumber(CERTSTATE_VERSION));
	a = NULL;
	if (st->hostnames != NULL) {
		a = cJSON_CreateArray();
		for (i = 0; st->hostnames[i] != NULL; i++)
			cJSON_AddItemToArray(a,
			    cJSON_CreateString(st->hostnames[i]));
	}
	put(o, "hostnames", a);
	put(o, "key_type", st->key_type >= 0 && st->key_type < KEY__MAX ?
	    cJSON_CreateString(key_type_names[st->key_type]) : NULL);
	put(o, "profile", jstr(st->profile));
	put(o, "serial", jstr(st->serial));
	put(o, "issued_at", jtime(st->issued_at));
	put(o, "order_url", jstr(st->order_url));
	put(o, "order_started", jtime(st->order_started));
	put(o, "consecutive_failures",
	    cJSON_CreateNumber(st->consecutive_failures));
	put(o, "backoff_until", jtime(st->backoff_until));
	a = NULL;
	if (st->last_error_time != 0 || st->last_error_type != NULL ||
	    st->last_error_detail != NULL) {
		a = cJSON_CreateObject();
		put(a, "time", jtime(st->last_error_time));
		put(a, "type", jstr(st->last_error_type));
		put(a, "detail", jstr(st->last_error_detail));
	}
	put(o, "last_error", a);
	a = NULL;
	if (st->revoked) {
		a = cJSON_CreateObject();
		put(a, "serial", jstr(st->revoked_serial));
		put(a, "time", jtime(st->revoked_at));
	}
	put(o, "revoked", a);
	put(o, "last_expiring_notice", jtime(st->last_expiring_notice));
	put(o, "ari", ari_state_to_json(&st->ari));
	return o;
}

void
certstate_set_verified(struct certstate *st, cJSON *rec)
{
	if (st->extra == NULL && st->extra_text != NULL) {
		st->extra = cJSON_Parse(st->extra_text);
		free(st->extra_text);
		st->extra_text = NULL;
	}
	if (st->extra == NULL && (st->extra = cJSON_CreateObject()) == NULL)
		abort();
	free(st->extra_text);		/* the tree is the newer one now */
	st->extra_text = NULL;
	put(st->extra, "verified", rec);
	st->verified = rec;
}

void
certstate_shed(struct certstate *st)
{
	cJSON_Delete(st->extra);
	free(st->extra_text);
	st->extra = NULL;
	st->extra_text = NULL;
	st->verified = NULL;
}

void
certstate_compact(struct certstate *st)
{
	if (st->extra == NULL)
		return;
	if (st->extra_text == NULL) {
		if ((st->extra_text = cJSON_PrintUnformatted(st->extra)) ==
		    NULL)
			abort();
	}
	/* Else the file as read stays, layout and all: squeezing it costs
	   more time across a fleet than the little memory it saves. */
	cJSON_Delete(st->extra);
	st->extra = NULL;
	st->verified = NULL;
}

int
certstate_load(struct store *s, const char *name, struct certstate *st,
    char **warning, struct err *e)
{
	cJSON *j = NULL;
	char *why = NULL, *text = NULL;
	int r;

	certstate_init(st);
	*warning = NULL;
	if ((r = store_get_state_text(s, name, &j, &text, warning, e)) != 1)
		return r;
	/* The parsed tree is kept as it is, not copied. */
	if (state_from_tree(j, &j, st, &why) == -1) {
		*warning = xasprintf("%s/state/%s.json: %s; state discarded",
		    store_root(s), name, why);
		free(why);
		certstate_clear(st);
		r = 0;
	} else {
		/* Kept for certstate_compact(): no need to print it again. */
		st->extra_text = text;
		text = NULL;
	}
	free(text);
	cJSON_Delete(j);
	return r;
}

int
certstate_save(struct store *s, const char *name, const struct certstate *st,
    struct err *e)
{
	struct certstate full;
	cJSON *j, *old = NULL;
	char *text = NULL, *warning = NULL;
	int rc;

	if (st->lean && st->extra == NULL && st->extra_text == NULL) {
		/* The members the summary left out are the file's: read
		   them, so that a save keeps them (apply holds the lock). */
		if (store_get_state_text(s, name, &old, &text, &warning, e) ==
		    -1)
			return -1;
		free(warning);
		full = *st;
		full.extra = old;
		j = certstate_to_json(&full);
		cJSON_Delete(old);
		free(text);
	} else
		j = certstate_to_json(st);
	rc = store_put_state(s, name, j, e);
	cJSON_Delete(j);
	return rc;
}

void
certstate_set_error(struct certstate *st, time_t now, const char *type,
    const char *detail)
{
	st->consecutive_failures++;
	st->last_error_time = now;
	free(st->last_error_type);
	free(st->last_error_detail);
	st->last_error_type = type != NULL ? xstrdup(type) : NULL;
	st->last_error_detail = detail != NULL ? xstrdup(detail) : NULL;
}
