/*
 * ari.c - ACME Renewal Information (RFC 9773): the pure part (ari.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "acme/acme.h"
#include "acme/ari.h"
#include "acme/http.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/rand.h"
#include "base/str.h"
#include "base/syntax.h"
#include "base/time.h"

const char *const ari_poll_result_names[ARI_POLL__MAX] = {
	"ok", "temporary-error", "long-term-error",
};

void
ari_window_clear(struct ari_window *w)
{
	if (w == NULL)
		return;
	free(w->explanation_url);
	memset(w, 0, sizeof(*w));
}

void
ari_state_clear(struct ari_state *st)
{
	if (st == NULL)
		return;
	FREE_ALL(st->cert_id, st->explanation_url, st->url);
	memset(st, 0, sizeof(*st));
}

int
ari_parse_response(const char *body, size_t len, const char *url,
    struct ari_window *w, char **warning, struct err *e)
{
	cJSON *root = NULL;
	const cJSON *sw, *js, *je, *ex;
	time_t start, end;
	int rc = -1;

	memset(w, 0, sizeof(*w));
	*warning = NULL;
	root = cJSON_ParseWithLength(body, len);
	if (root == NULL || !cJSON_IsObject(root)) {
		err_set(e, "%s: renewalInfo answer is not a JSON object", url);
		goto out;
	}
	ex = cJSON_GetObjectItemCaseSensitive(root, "explanationURL");
	if (cJSON_IsString(ex) && ex->valuestring[0] != '\0')
		w->explanation_url = xstrdup(ex->valuestring);
	sw = cJSON_GetObjectItemCaseSensitive(root, "suggestedWindow");
	js = cJSON_GetObjectItemCaseSensitive(sw, "start");
	je = cJSON_GetObjectItemCaseSensitive(sw, "end");
	if (!cJSON_IsString(js) || !cJSON_IsString(je) ||
	    time_parse_rfc3339(js->valuestring, &start) == -1 ||
	    time_parse_rfc3339(je->valuestring, &end) == -1) {
		*warning = xasprintf("%s: renewalInfo answer has no usable "
		    "suggestedWindow (start and end in RFC 3339): ignored",
		    url);
	} else if (end <= start) {
		/* RFC 9773 4.2: such a window is invalid, the client
		   ignores it. */
		*warning = xasprintf("%s: renewalInfo suggestedWindow ends "
		    "before it starts: ignored", url);
	} else {
		w->start = start;
		w->end = end;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

long long
ari_retry_clamp(long long secs)
{
	if (secs < ARI_RETRY_MIN)
		return ARI_RETRY_MIN;
	if (secs > ARI_RETRY_MAX)
		return ARI_RETRY_MAX;
	return secs;
}

long long
ari_backoff_cap(long long lifetime)
{
	long long cap;

	if (lifetime <= 0)
		return ARI_RETRY_LONG_ERROR;
	cap = lifetime / 24;
	if (cap < ARI_RETRY_MIN)
		cap = ARI_RETRY_MIN;
	if (cap > ARI_RETRY_LONG_ERROR)
		cap = ARI_RETRY_LONG_ERROR;
	return cap;
}

long long
ari_backoff(int failures, long long lifetime)
{
	long long cap = ari_backoff_cap(lifetime), d = ARI_BACKOFF_BASE;
	int i;

	for (i = 1; i < failures && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	/* Jitter in the upper half keeps many clients from polling in
	   lockstep after a CA outage. */
	return ari_retry_clamp(rand_between(d / 2, d));
}

/* Picks the instant for [start, end] (uniform, inclusive). */
static time_t
ari_choose(time_t start, time_t end)
{
	return (time_t)rand_between((long long)start, (long long)end);
}

static void
set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src != NULL ? xstrdup(src) : NULL;
}

int
ari_state_record(struct ari_state *st, const char *cert_id, const char *url,
    enum ari_poll_result res, const struct ari_window *w, long long retry,
    long long lifetime, time_t now)
{
	int changed = 0;

	if (st->cert_id == NULL || strcmp(st->cert_id, cert_id) != 0) {
		/* Another certificate: what was known belongs to the one
		   it replaced. */
		ari_state_clear(st);
		st->cert_id = xstrdup(cert_id);
	}
	st->last_poll = now;
	if (url != NULL)
		set_str(&st->url, url);
	switch (res) {
	case ARI_POLL_OK:
		st->failures = 0;
		if (w != NULL && w->start != 0) {
			if (w->start != st->window_start ||
			    w->end != st->window_end ||
			    st->chosen < w->start || st->chosen > w->end) {
				st->window_start = w->start;
				st->window_end = w->end;
				st->chosen = ari_choose(w->start, w->end);
				changed = 1;
			}
		}
		if (w != NULL)
			set_str(&st->explanation_url, w->explanation_url);
		st->retry_after = now + (retry >= 0 ? ari_retry_clamp(retry) :
		    ARI_RETRY_DEFAULT);
		break;
	case ARI_POLL_TEMPORARY:
		if (st->failures < INT_MAX)
			st->failures++;
		st->retry_after = now + (retry >= 0 ? ari_retry_clamp(retry) :
		    ari_backoff(st->failures, lifetime));
		break;
	case ARI_POLL_LONG_ERROR:
	default:
		if (st->failures < INT_MAX)
			st->failures++;
		st->retry_after = now + ARI_RETRY_LONG_ERROR;
		/* The URL may have moved: take it from the directory
		   again next time. */
		set_str(&st->url, NULL);
		break;
	}
	return changed;
}

int
ari_poll_due(const struct ari_state *st, const char *cert_id,
    time_t not_after, time_t now)
{
	if (cert_id == NULL || not_after <= now)
		return 0;
	if (st == NULL || st->cert_id == NULL ||
	    strcmp(st->cert_id, cert_id) != 0)
		return 1;
	if (st->unsupported)
		return 0;
	return st->retry_after <= now;
}

int
ari_says_renew(const struct ari_state *st, const char *cert_id, time_t now,
    long long next_run, time_t *at)
{
	*at = 0;
	if (st == NULL || cert_id == NULL || st->cert_id == NULL ||
	    strcmp(st->cert_id, cert_id) != 0 || st->window_start == 0 ||
	    st->chosen == 0)
		return 0;
	*at = st->chosen;
	if (st->chosen <= now)
		return 1;
	if (next_run > 0 && (long long)st->chosen < (long long)now + next_run)
		return 1;
	return 0;
}

void
ari_state_from_json(const cJSON *o, struct ari_state *st)
{
	const cJSON *v;

	memset(st, 0, sizeof(*st));
	if (!cJSON_IsObject(o))
		return;
	st->cert_id = json_get_str(o, "cert_id");
	st->window_start = json_get_time(o, "window_start");
	st->window_end = json_get_time(o, "window_end");
	if (st->window_end <= st->window_start)
		st->window_start = st->window_end = 0;
	st->chosen = json_get_time(o, "chosen");
	st->retry_after = json_get_time(o, "retry_after");
	st->explanation_url = json_get_str(o, "explanation_url");
	st->last_poll = json_get_time(o, "last_poll");
	st->unsupported = cJSON_IsTrue(
	    cJSON_GetObjectItemCaseSensitive(o, "unsupported"));
	v = cJSON_GetObjectItemCaseSensitive(o, "failures");
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
	    v->valuedouble < 1000000)
		st->failures = v->valueint;
	st->url = json_get_str(o, "url");
}

/* What the CA said, as both the stored state and the output show it. */
static void
ari_add_window(cJSON *o, const struct ari_state *st)
{
	json_add_str(o, "cert_id", st->cert_id);
	json_add_time(o, "window_start", st->window_start);
	json_add_time(o, "window_end", st->window_end);
	json_add_time(o, "chosen", st->chosen);
	json_add_time(o, "retry_after", st->retry_after);
	json_add_str(o, "explanation_url", st->explanation_url);
}

cJSON *
ari_state_to_json(const struct ari_state *st)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		abort();
	ari_add_window(o, st);
	json_add_time(o, "last_poll", st->last_poll);
	cJSON_AddNumberToObject(o, "failures", st->failures);
	json_add_str(o, "url", st->url);
	if (st->unsupported)
		cJSON_AddTrueToObject(o, "unsupported");
	return o;
}

cJSON *
ari_state_to_output(const struct ari_state *st)
{
	cJSON *o;

	if (st == NULL || st->cert_id == NULL || st->unsupported)
		return NULL;
	if ((o = cJSON_CreateObject()) == NULL)
		abort();
	ari_add_window(o, st);
	return o;
}

int
ari_may_replace(char *const *old, char *const *new_names)
{
	size_t i, j;

	if (old == NULL || new_names == NULL)
		return 0;
	for (i = 0; old[i] != NULL; i++)
		for (j = 0; new_names[j] != NULL; j++)
			if (strcmp(old[i], new_names[j]) == 0)
				return 1;
	return 0;
}

int
ari_handle_answer(struct ari_state *st, const char *cert_id, const char *url,
    long status, const char *retry_hdr, const char *body, size_t len,
    long long lifetime, time_t now, char **msg)
{
	struct ari_window w;
	struct err e;
	enum ari_poll_result res;
	char *warning = NULL, *full;
	long long retry = -1;
	int changed;

	memset(&w, 0, sizeof(w));
	*msg = NULL;
	full = xasprintf("%s/%s", url, cert_id);
	if (retry_hdr != NULL &&
	    http_retry_after_parse(retry_hdr, now, &retry) == -1)
		retry = -1;
	if (status == 200) {
		if (ari_parse_response(body != NULL ? body : "", len, full, &w,
		    &warning, &e) == 0) {
			res = ARI_POLL_OK;
			*msg = warning;
			warning = NULL;
		} else {
			res = ARI_POLL_LONG_ERROR;
			*msg = xstrdup(e.msg);
		}
	} else if (status == 0 || status >= 500 || status == 429) {
		res = ARI_POLL_TEMPORARY;
		*msg = status == 0 ?
		    xasprintf("%s: no answer; will ask again later", full) :
		    xasprintf("%s: HTTP %ld; will ask again later", full,
		    status);
	} else {
		res = ARI_POLL_LONG_ERROR;
		*msg = xasprintf("%s: HTTP %ld; will ask again in 6 hours",
		    full, status);
	}
	changed = ari_state_record(st, cert_id, url, res, &w, retry, lifetime,
	    now);
	ari_window_clear(&w);
	free(warning);
	free(full);
	return changed;
}

int
ari_replaces_refused(long status, const char *problem_type)
{
	const char *t = problem_type;

	if (status < 400)
		return 0;
	t = acme_problem_short(t);
	if (t != NULL && (strcmp(t, "badNonce") == 0 ||
	    strcmp(t, "rateLimited") == 0))
		return 0;
	return 1;
}

/* Length of "scheme://authority" of url, or 0. */
static size_t
origin_len(const char *url)
{
	const char *a;
	size_t n;

	if (strstr(url, "://") == NULL)
		return 0;
	a = url_authority(url, &n);
	return (size_t)(a - url) + n;
}

const char *
ari_known_url(const struct ari_state *st, const char *cert_id,
    const char *dir_url)
{
	size_t n;

	if (st == NULL || cert_id == NULL || st->cert_id == NULL ||
	    st->url == NULL || strcmp(st->cert_id, cert_id) != 0)
		return NULL;
	/* Another CA (the manifest's directory changed): ask it. */
	n = origin_len(st->url);
	if (dir_url == NULL || n == 0 || origin_len(dir_url) != n ||
	    strncmp(st->url, dir_url, n) != 0)
		return NULL;
	return st->url;
}

int
ari_poll(struct ari_state *st, const char *cert_id, time_t not_after,
    long long lifetime, const char *renewal_info,
    const struct ari_http *http, time_t now, char **msg)
{
	struct err e;
	char *url = NULL, *retry = NULL, *body = NULL;
	size_t len = 0;
	long status = 0;

	*msg = NULL;
	if (!ari_poll_due(st, cert_id, not_after, now))
		return 0;
	if (renewal_info == NULL || renewal_info[0] == '\0') {
		/* No ARI at this CA: remember it for this certificate so
		   that runs with nothing due send nothing. */
		if (st->cert_id == NULL || strcmp(st->cert_id, cert_id) != 0) {
			ari_state_clear(st);
			st->cert_id = xstrdup(cert_id);
		}
		st->unsupported = 1;
		return 0;
	}
	/* A trailing slash in the directory would double it. */
	url = xstrdup(renewal_info);
	while (url[0] != '\0' && url[strlen(url) - 1] == '/')
		url[strlen(url) - 1] = '\0';
	{
		char *full = xasprintf("%s/%s", url, cert_id);

		err_clear(&e);
		if (http->get(http->arg, full, &status, &retry, &body, &len,
		    &e) == -1)
			status = 0;
		free(full);
	}
	st->unsupported = 0;
	ari_handle_answer(st, cert_id, url, status, retry, body, len,
	    lifetime, now, msg);
	if (status == 0 && e.msg[0] != '\0') {
		free(*msg);
		*msg = xasprintf("%s/%s: %s; will ask again later", url,
		    cert_id, e.msg);
	}
	FREE_ALL(url, retry, body);
	return 1;
}

char *
ari_state_describe(const struct ari_state *st, const char *cert_id)
{
	char a[64], b[64];
	struct buf out;
	char *esc;

	if (st == NULL || cert_id == NULL || st->cert_id == NULL ||
	    strcmp(st->cert_id, cert_id) != 0 || st->unsupported)
		return NULL;
	buf_init(&out);
	if (st->window_start != 0) {
		time_format_rfc3339(st->window_start, a, sizeof(a));
		time_format_rfc3339(st->window_end, b, sizeof(b));
		buf_printf(&out, "window %s .. %s", a, b);
		time_format_rfc3339(st->chosen, a, sizeof(a));
		buf_printf(&out, ", renew at %s", a);
	} else
		buf_puts(&out, "no window yet");
	if (st->retry_after != 0) {
		time_format_rfc3339(st->retry_after, a, sizeof(a));
		buf_printf(&out, ", next poll %s", a);
	}
	if (st->failures > 0)
		buf_printf(&out, " (%d failed poll%s)", st->failures,
		    st->failures == 1 ? "" : "s");
	if (st->explanation_url != NULL) {
		esc = str_escape(st->explanation_url);
		buf_printf(&out, ", explanation %s", esc);
		free(esc);
	}
	return buf_steal(&out);
}
