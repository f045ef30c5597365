/*
 * etcd_watch.c - the watch of etcd's v3 JSON gateway (etcd_client.h): a
 * stream of newline-separated JSON messages on a connection of its own,
 * read as it comes and handed to the caller event by event.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/secret.h"
#include "store/etcd_client.h"
#include "store/etcd_client_impl.h"

/* The watch stream: newline-separated JSON messages. */
struct watch_ctx {
	struct buf	 b;
	etcd_watch_fn	 fn;
	void		*arg;
	long long	 last_rev;
	int		 stopped;
	int		 canceled;
	struct err	*e;
	int		 bad;
};

static int
watch_message(struct watch_ctx *w, const char *line)
{
	cJSON *j, *res, *ev, *kvj;
	struct etcd_kv kv;
	const char *type;
	int put, r = 0;

	if ((j = cJSON_Parse(line)) == NULL)
		return 0;
	res = cJSON_GetObjectItemCaseSensitive(j, "result");
	if (res == NULL) {
		err_set(w->e, "etcd: the watch stream failed");
		w->bad = 1;
		cJSON_Delete(j);
		return 1;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "canceled"))) {
		err_set(w->e, "etcd: the watch was canceled (compacted?)");
		w->bad = 1;
		cJSON_Delete(j);
		return 1;
	}
	if (etcd_header_revision(res) > w->last_rev)
		w->last_rev = etcd_header_revision(res);
	cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(res,
	    "events")) {
		type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		    ev, "type"));
		put = type == NULL || strcmp(type, "DELETE") != 0;
		kvj = cJSON_GetObjectItemCaseSensitive(ev, "kv");
		if (etcd_kv_from_json(kvj, &kv, w->e) == -1) {
			w->bad = 1;
			r = 1;
			break;
		}
		if (!put && kv.value != NULL) {
			free(kv.value);
			kv.value = NULL;
		}
		if (kv.mod_rev > w->last_rev)
			w->last_rev = kv.mod_rev;
		r = w->fn(w->arg, put, &kv);
		etcd_kv_clear(&kv);
		if (r != 0) {
			w->stopped = 1;
			break;
		}
	}
	cJSON_Delete(j);
	return r;
}

static size_t
watch_write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct watch_ctx *w = arg;
	size_t n = size * nmemb;
	char *nl, *line;

	if (w->b.len + n > (size_t)ETCD_ANSWER_MAX)
		return 0;
	buf_append(&w->b, ptr, n);
	for (;;) {
		nl = w->b.len > 0 ? memchr(w->b.data, '\n', w->b.len) : NULL;
		if (nl == NULL)
			break;
		line = xstrndup(w->b.data, (size_t)(nl - w->b.data));
		memmove(w->b.data, nl + 1, w->b.len - (size_t)(nl -
		    w->b.data) - 1);
		w->b.len -= (size_t)(nl - w->b.data) + 1;
		if (watch_message(w, line) != 0) {
			free(line);
			return 0;	/* stops the transfer */
		}
		free(line);
	}
	return n;
}

int
etcd_watch(struct etcd *c, const char *prefix, long long start_rev,
    long timeout_ms, etcd_watch_fn fn, void *arg, long long *last_rev,
    struct err *e)
{
	struct watch_ctx w;
	struct curl_slist *hdrs = NULL;
	cJSON *req, *cr;
	CURL *h = NULL;
	CURLcode cc;
	char *body = NULL, *end, *url = NULL, *auth = NULL, *token = NULL;
	size_t elen;
	int rc = -1;

	memset(&w, 0, sizeof(w));
	buf_init(&w.b);
	w.fn = fn;
	w.arg = arg;
	w.e = e;
	w.last_rev = start_rev > 0 ? start_rev - 1 : 0;
	req = cJSON_CreateObject();
	cr = cJSON_AddObjectToObject(req, "create_request");
	etcd_json_add_b64(cr, "key", prefix, strlen(prefix));
	end = etcd_prefix_end(prefix, &elen);
	etcd_json_add_b64(cr, "range_end", end, elen);
	free(end);
	if (start_rev > 0)
		etcd_json_add_int64(cr, "start_revision", start_rev);
	cJSON_AddTrueToObject(cr, "progress_notify");
	body = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);

	pthread_mutex_lock(&c->mu);
	if (c->user != NULL && c->token == NULL &&
	    etcd_authenticate(c, e) == -1) {
		pthread_mutex_unlock(&c->mu);
		goto out;
	}
	url = xstrcat(c->urls[c->first], "/v3/watch", NULL);
	token = c->token != NULL ? xstrdup(c->token) : NULL;
	pthread_mutex_unlock(&c->mu);

	if ((h = curl_easy_init()) == NULL) {
		err_set(e, "etcd: cannot make a curl handle");
		goto out;
	}
	etcd_curl_common(c, h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	if (timeout_ms > 0)
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, watch_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &w);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	if (token != NULL) {
		auth = xstrcat("Authorization: ", token, NULL);
		hdrs = curl_slist_append(hdrs, auth);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	__atomic_add_fetch(&c->requests, 1, __ATOMIC_RELAXED);
	cc = curl_easy_perform(h);
	if (w.stopped) {
		rc = 0;
	} else if (w.bad) {
		rc = -1;
	} else if (cc == CURLE_OPERATION_TIMEDOUT && timeout_ms > 0) {
		rc = 0;
	} else {
		err_set(e, "etcd %s: watch: %s", url, cc == CURLE_OK ?
		    "the stream ended" : curl_easy_strerror(cc));
		/* The next watch starts at the next endpoint. */
		pthread_mutex_lock(&c->mu);
		c->first = (c->first + 1) % c->nurls;
		pthread_mutex_unlock(&c->mu);
	}
	if (last_rev != NULL)
		*last_rev = w.last_rev;
out:
	if (h != NULL)
		curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	if (auth != NULL)
		secret_free(auth, strlen(auth));
	etcd_str_wipe_free(token);
	buf_clear(&w.b);
	free(url);
	free(body);
	return rc;
}
