/*
 * plan_read.c - gathers what plan_decide() needs from the store (set,
 * certinfo, state, ARI) and turns a decision into the JSON every command
 * prints, so that plan, status and apply agree by construction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "acme/ari.h"
#include "base/err.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/time.h"
#include "manifest/manifest.h"
#include "reconcile/plan.h"
#include "store/certinfo.h"
#include "store/state.h"
#include "store/statesum.h"
#include "store/store.h"

/* Appends line to the malloced *warning ("a; b"). */
static void
warning_add(char **warning, const char *line)
{
	char *both;

	if (line == NULL)
		return;
	both = *warning == NULL ? xstrdup(line) :
	    xasprintf("%s; %s", *warning, line);
	free(*warning);
	*warning = both;
}

/*
 * What the live set holds: from the record in st when the files are still
 * the ones it was made from, else read and verified in full (and, with
 * record, the new record saved in the state). Returns 1 read in full, 0
 * from the record, -1 on a store error.
 */
/*
 * plan_read_info() on a shared store: the verification record is kept in
 * the blob local/verified/<name>.json, which only this host holds (its
 * mirror's files are not another host's), and is written whenever it
 * changed (no lock needed: no other host reads it).
 */
static int
plan_read_info_local(struct store *s, const struct mcert *c,
    struct certinfo *info, struct store_setid *id, int *id_known,
    struct err *e)
{
	struct certset set;
	struct err e2;
	cJSON *rec = NULL, *old = NULL;
	char *key, *data = NULL, *text;
	size_t len = 0;
	int r, rc = 1;

	err_clear(&e2);
	key = xstrcat("local/verified/", c->name, ".json", NULL);
	if (store_get_blob(s, key, &data, &len, &e2) == 1)
		old = cJSON_ParseWithLength(data, len);
	free(data);
	if (old != NULL &&
	    (*id_known = store_stat_set(s, c->name, id, &e2) == 1) &&
	    certinfo_record_match(old, id, info) == 1) {
		rc = 0;
		goto out;
	}
	if ((r = store_read_set(s, c->name, &set, e)) == -1) {
		rc = -1;
		goto out;
	}
	certinfo_read(r == 1 ? &set : NULL, info);
	rec = r == 1 ? certinfo_record_to_json(info, &set.id) : NULL;
	certset_clear(&set);
	if (rec != NULL && (old == NULL || !cJSON_Compare(rec, old, 1)) &&
	    (text = cJSON_PrintUnformatted(rec)) != NULL) {
		(void)store_put_blob(s, key, text, strlen(text), 0600, &e2);
		cJSON_free(text);
	}
out:
	cJSON_Delete(rec);
	cJSON_Delete(old);
	free(key);
	return rc;
}

static int
plan_read_info(struct store *s, const struct mcert *c, struct certstate *st,
    int record, struct certinfo *info, struct store_setid *id, int *id_known,
    char **warning, struct err *e)
{
	struct certset set;
	struct err e2;
	cJSON *rec;
	int r;

	err_clear(&e2);
	*id_known = 0;
	/* A shared store (etcd): the files verified are this host's mirror,
	   so the record stays on this host (local/, never sent). */
	if (store_is_shared(s))
		return plan_read_info_local(s, c, info, id, id_known, e);
	if (st->verified != NULL &&
	    (*id_known = store_stat_set(s, c->name, id, &e2) == 1) &&
	    certinfo_record_match(st->verified, id, info) == 1)
		return 0;
	if ((r = store_read_set(s, c->name, &set, e)) == -1)
		return -1;
	certinfo_read(r == 1 ? &set : NULL, info);
	rec = r == 1 ? certinfo_record_to_json(info, &set.id) : NULL;
	certset_clear(&set);
	if (rec == NULL)
		return 1;
	if (record && (st->verified == NULL ||
	    !cJSON_Compare(rec, st->verified, 1))) {
		certstate_set_verified(st, rec);
		rec = NULL;
		if (certstate_save(s, c->name, st, &e2) == -1)
			warning_add(warning, e2.msg);
	}
	cJSON_Delete(rec);
	return 1;
}

int
plan_read_cert(struct store *s, const struct manifest *m,
    const struct mcert *c, const struct plan_opts *o, struct plan_item *item,
    struct certstate *st, char **warning, int *full_read, struct err *e)
{
	struct certinfo info;
	struct store_setid id;
	struct store_fileid sid;
	struct err e2;
	int r, loaded, id_known;

	memset(item, 0, sizeof(*item));
	*warning = NULL;
	if (full_read != NULL)
		*full_read = 0;
	/* The summary first: one stat of the state file and of the set,
	   no JSON; anything it cannot vouch for is read below. */
	if (statesum_use(o->sum, s, c->name, st, &info, &id) == 1) {
		r = 0;
		id_known = 1;
		goto decide;
	}
	certstate_clear(st);
	certinfo_clear(&info);
	/* The identity before the read: a change after it shows next time
	   as a state that is no longer the summary's. */
	memset(&sid, 0, sizeof(sid));
	err_clear(&e2);
	if (o->sum != NULL && o->record &&
	    store_stat_state(s, c->name, &sid, &e2) != 1)
		sid.present = 0;
	if ((loaded = certstate_load(s, c->name, st, warning, e)) == -1)
		return -1;
	if ((r = plan_read_info(s, c, st, o->record, &info, &id, &id_known,
	    warning, e)) == -1)
		return -1;
	/* Summed up only as the state file stands: read, and not saved
	   since (a new record rewrote it). */
	if (loaded == 1 && r == 0 && *warning == NULL && sid.present)
		statesum_put(o->sum, c->name, &sid, st, &info, &id);
decide:
	if (full_read != NULL)
		*full_read = r;
	plan_decide(m, c, &info, st, o, item);
	item->setid = id;
	item->setid_known = id_known;
	warning_add(warning, item->info.warning);
	/* apply holds a fleet's states through the run, to save them: as
	   text, not trees. */
	if (o->record)
		certstate_compact(st);
	return 0;
}

void
plan_read_prefetch(struct store *s, const struct manifest *m,
    const unsigned char *sel, const struct plan_opts *o)
{
	const char **names;
	size_t i;

	if (o->sum == NULL)
		return;
	names = xcalloc(m->ncerts + 1, sizeof(*names));
	for (i = 0; i < m->ncerts; i++)
		if (sel == NULL || sel[i])
			names[i] = m->certs[i].name;
	statesum_prefetch(o->sum, s, names, m->ncerts);
	free(names);
}

static cJSON *
str_array(char *const *v)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

cJSON *
plan_item_to_json(const struct plan_item *item, const struct certstate *st,
    time_t now)
{
	const struct mcert *c = item->cert;
	const struct certinfo *ii = &item->info;
	int parsed = ii->status != CERTINFO_MISSING &&
	    ii->status != CERTINFO_CORRUPT_CERT;
	cJSON *o, *a, *l, *ari;
	char win[32];
	size_t i;

	if ((o = cJSON_CreateObject()) == NULL)
		abort();
	cJSON_AddStringToObject(o, "name", c->name);
	cJSON_AddItemToObject(o, "hostnames", str_array(c->hostnames));
	cJSON_AddStringToObject(o, "action", plan_action_names[item->action]);
	cJSON_AddStringToObject(o, "reason", plan_reason_names[item->reason]);
	json_add_str(o, "reason_text", item->reason_text);
	cJSON_AddStringToObject(o, "state", plan_item_state(item, now));
	json_add_str(o, "problem", ii->problem);
	if (ii->warning != NULL)
		cJSON_AddStringToObject(o, "warning", ii->warning);
	json_add_time(o, "not_before", parsed ? ii->not_before : 0);
	json_add_time(o, "not_after", parsed ? ii->not_after : 0);
	if (parsed)
		cJSON_AddNumberToObject(o, "days_left",
		    (double)days_left(ii->not_after, now));
	else
		cJSON_AddNullToObject(o, "days_left");
	json_add_str(o, "issuer", ii->issuer_cn != NULL ? ii->issuer_cn :
	    ii->issuer);
	json_add_str(o, "issuer_dn", ii->issuer);
	json_add_str(o, "key_type", !parsed ? NULL : ii->key_type >= 0 &&
	    ii->key_type < KEY__MAX ? key_type_names[ii->key_type] : "other");
	if (parsed)
		cJSON_AddNumberToObject(o, "key_bits", ii->key_bits);
	else
		cJSON_AddNullToObject(o, "key_bits");
	json_add_str(o, "serial", ii->serial);
	if (parsed)
		cJSON_AddItemToObject(o, "sans", str_array(ii->sans));
	else
		cJSON_AddNullToObject(o, "sans");
	a = cJSON_AddArrayToObject(o, "listeners");
	for (i = 0; i < c->nlisteners; i++) {
		l = cJSON_CreateObject();
		cJSON_AddStringToObject(l, "server",
		    server_kind_names[c->listeners[i].server]);
		cJSON_AddStringToObject(l, "service",
		    service_kind_names[c->listeners[i].service]);
		cJSON_AddStringToObject(l, "address", c->listeners[i].address);
		cJSON_AddItemToArray(a, l);
	}
	if (item->window > 0) {
		duration_format(item->window, win, sizeof(win));
		cJSON_AddStringToObject(o, "window", win);
	} else
		cJSON_AddNullToObject(o, "window");
	json_add_time(o, "renew_at", item->renew_at);
	if (item->backoff_until != 0)
		json_add_time(o, "backoff_until", item->backoff_until);
	if (st != NULL && (st->last_error_time != 0 ||
	    st->last_error_detail != NULL)) {
		l = cJSON_AddObjectToObject(o, "last_error");
		json_add_time(l, "time", st->last_error_time);
		json_add_str(l, "type", st->last_error_type);
		json_add_str(l, "detail", st->last_error_detail);
		cJSON_AddNumberToObject(l, "consecutive_failures",
		    st->consecutive_failures);
	}
	if (st != NULL && (ari = ari_state_to_output(&st->ari)) != NULL)
		cJSON_AddItemToObject(o, "ari", ari);
	return o;
}

/* Prints s with indent tabs (at most 8) after each newline (a nested
   value). A line at a time: once a run has started threads, stdio locks
   the stream for every putc. */
static void
print_indented(FILE *fp, const char *s, int indent)
{
	static const char tabs[8] = "\t\t\t\t\t\t\t\t";
	const char *nl;
	size_t n = indent < 0 ? 0 : indent > 8 ? 8 : (size_t)indent;

	while ((nl = strchr(s, '\n')) != NULL) {
		fwrite(s, 1, (size_t)(nl - s) + 1, fp);
		fwrite(tabs, 1, n, fp);
		s = nl + 1;
	}
	fputs(s, fp);
}

void
plan_json_begin(struct plan_json_out *o, FILE *fp)
{
	o->fp = fp;
	o->n = 0;
	fputs("{\n\t\"certificates\":\t[", fp);
}

void
plan_json_add(struct plan_json_out *o, cJSON *item)
{
	char *txt;

	/* Inside the array inside the document: two levels deeper. */
	if ((txt = cJSON_Print(item)) == NULL)
		abort();
	if (o->n++ > 0)
		fputs(", ", o->fp);
	print_indented(o->fp, txt, 2);
	cJSON_free(txt);
	cJSON_Delete(item);
}

void
plan_json_end(struct plan_json_out *o, const cJSON *rest)
{
	const cJSON *v;
	char *txt;

	putc(']', o->fp);
	cJSON_ArrayForEach(v, rest) {
		if ((txt = cJSON_Print(v)) == NULL)
			abort();
		fprintf(o->fp, ",\n\t\"%s\":\t", v->string);
		print_indented(o->fp, txt, 1);
		cJSON_free(txt);
	}
	fputs("\n}\n", o->fp);
}
