/*
 * http.c - libcurl client for the ACME server (see http.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sys/socket.h>

#include <curl/curl.h>

#include "acme/http.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/time.h"
#include "base/version.h"

struct http_share {
	CURLSH		*sh;
	pthread_mutex_t	 mu[CURL_LOCK_DATA_LAST];
};

struct http {
	CURL		*c;
	struct http_share *share;
	char		*ca_file;
	int		 transient;	/* the last failure may go away */
	char		 errbuf[CURL_ERROR_SIZE];
};

struct rx {
	struct http_resp *r;
	int		 too_big;
};

void
http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
	strlist_init(&r->link_up);
	strlist_init(&r->link_alternate);
}

void
http_resp_clear(struct http_resp *r)
{
	FREE_ALL(r->body, r->content_type, r->nonce, r->location,
	    r->retry_after);
	strlist_clear(&r->link_up);
	strlist_clear(&r->link_alternate);
	http_resp_init(r);
}

static void
share_lock(CURL *c, curl_lock_data d, curl_lock_access acc, void *arg)
{
	struct http_share *sh = arg;

	(void)c;
	(void)acc;
	if ((int)d >= 0 && d < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&sh->mu[d]);
}

static void
share_unlock(CURL *c, curl_lock_data d, void *arg)
{
	struct http_share *sh = arg;

	(void)c;
	if ((int)d >= 0 && d < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&sh->mu[d]);
}

struct http_share *
http_share_new(void)
{
	struct http_share *sh = xcalloc(1, sizeof(*sh));

	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&sh->mu[i], NULL);
	if ((sh->sh = curl_share_init()) == NULL)
		return sh;	/* works unshared */
	curl_share_setopt(sh->sh, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(sh->sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(sh->sh, CURLSHOPT_USERDATA, sh);
	curl_share_setopt(sh->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(sh->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	return sh;
}

void
http_share_free(struct http_share *sh)
{
	if (sh == NULL)
		return;
	if (sh->sh != NULL)
		curl_share_cleanup(sh->sh);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&sh->mu[i]);
	free(sh);
}

/* Every socket close-on-exec: hooks run later must not inherit the
   connection to the CA (libcurl 7.88 does not set the flag itself). */
static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	int fd;

	(void)arg;
	(void)purpose;
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	return fd == -1 ? CURL_SOCKET_BAD : fd;
}

struct http *
http_new(const char *ca_file, struct http_share *sh, struct err *e)
{
	struct http *h;

	if (ca_file == NULL || *ca_file == '\0') {
		err_set(e, "no CA bundle to verify the ACME server with");
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	if ((h->c = curl_easy_init()) == NULL) {
		err_set(e, "cannot initialise libcurl");
		free(h);
		return NULL;
	}
	h->ca_file = xstrdup(ca_file);
	h->share = sh;
	return h;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->c);
	free(h->ca_file);
	free(h);
}

int
http_last_transient(const struct http *h)
{
	return h->transient;
}

/* Failures that may go away by themselves: the peer was there or will
   be (refused while restarting, reset, closed, timed out, answered
   garbage). Trust, name resolution and size problems will not. */
static int
curl_transient(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
		return 1;
	default:
		return 0;
	}
}

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct rx *rx = arg;
	struct http_resp *r = rx->r;
	size_t len = sz * n;

	if (r->len + len > HTTP_BODY_MAX) {
		rx->too_big = 1;
		return 0;
	}
	r->body = xrealloc(r->body, r->len + len + 1);
	memcpy(r->body + r->len, p, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

static char *
trim_dup(const char *p, size_t n)
{
	while (n > 0 && isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	return xstrndup(p, n);
}

/* Link: <url>;rel="up", <url2>;rel=alternate ... */
static void
parse_link(struct http_resp *r, const char *v, size_t n)
{
	const char *end = v + n, *p = v;

	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		const char *gt, *next;

		if (lt == NULL)
			return;
		gt = memchr(lt, '>', (size_t)(end - lt));
		if (gt == NULL)
			return;
		next = memchr(gt, ',', (size_t)(end - gt));
		if (next == NULL)
			next = end;
		char *params = xstrndup(gt + 1, (size_t)(next - gt - 1));
		char *url = xstrndup(lt + 1, (size_t)(gt - lt - 1));
		char *rel = strstr(params, "rel=");
		if (rel != NULL) {
			rel += 4;
			if (*rel == '"')
				rel++;
			if (strncmp(rel, "up", 2) == 0 &&
			    (rel[2] == '"' || rel[2] == ';' || rel[2] == '\0' ||
			    isspace((unsigned char)rel[2])))
				strlist_add(&r->link_up, url);
			else if (strncmp(rel, "alternate", 9) == 0)
				strlist_add(&r->link_alternate, url);
		}
		free(params);
		free(url);
		p = next + 1;
	}
}

/* The headers kept as they are, and where. */
static const struct {
	const char	*name;
	size_t		 off;
} kept[] = {
	{ "Replay-Nonce", offsetof(struct http_resp, nonce) },
	{ "Location", offsetof(struct http_resp, location) },
	{ "Retry-After", offsetof(struct http_resp, retry_after) },
	{ "Content-Type", offsetof(struct http_resp, content_type) },
};

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct rx *rx = arg;
	struct http_resp *r = rx->r;
	size_t len = sz * n;
	const char *colon;
	size_t nl;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* A new response (after 100 Continue): start over. */
		FREE_ALL(r->nonce, r->location, r->retry_after,
		    r->content_type);
		r->nonce = r->location = r->retry_after = NULL;
		r->content_type = NULL;
		strlist_clear(&r->link_up);
		strlist_clear(&r->link_alternate);
		strlist_init(&r->link_up);
		strlist_init(&r->link_alternate);
		return len;
	}
	if ((colon = memchr(p, ':', len)) == NULL)
		return len;
	nl = (size_t)(colon - p);
	const char *v = colon + 1;
	size_t vl = len - nl - 1;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		char **f = (char **)((char *)r + kept[i].off);

		if (nl == strlen(kept[i].name) &&
		    strncasecmp(p, kept[i].name, nl) == 0) {
			free(*f);
			*f = trim_dup(v, vl);
			return len;
		}
	}
	if (nl == 4 && strncasecmp(p, "Link", 4) == 0)
		parse_link(r, v, vl);
	return len;
}

int
http_request(struct http *h, const char *method, const char *url,
    const char *ctype, const void *body, size_t len, struct http_resp *r,
    struct err *e)
{
	struct curl_slist *hdrs = NULL;
	struct rx rx = { .r = r, .too_big = 0 };
	CURLcode cc;
	char *ct = NULL;
	int rc = -1;

	if (strncmp(url, "https://", 8) != 0) {
		err_set(e, "%s: only https:// URLs are used for ACME", url);
		return -1;
	}
	http_resp_clear(r);
	curl_easy_reset(h->c);
	h->errbuf[0] = '\0';
	curl_easy_setopt(h->c, CURLOPT_URL, url);
	curl_easy_setopt(h->c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h->c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h->c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h->c, CURLOPT_CAINFO, h->ca_file);
	curl_easy_setopt(h->c, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(h->c, CURLOPT_CONNECTTIMEOUT_MS,
	    HTTP_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h->c, CURLOPT_TIMEOUT_MS, HTTP_TIMEOUT_MS);
	curl_easy_setopt(h->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	if (h->share != NULL && h->share->sh != NULL)
		curl_easy_setopt(h->c, CURLOPT_SHARE, h->share->sh);
	curl_easy_setopt(h->c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->c, CURLOPT_USERAGENT, "certkeep/" CERTKEEP_VERSION);
	curl_easy_setopt(h->c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->c, CURLOPT_WRITEDATA, &rx);
	curl_easy_setopt(h->c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->c, CURLOPT_HEADERDATA, &rx);
	curl_easy_setopt(h->c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)HTTP_BODY_MAX);
	hdrs = curl_slist_append(hdrs, "Accept-Language: en");
	if (strcmp(method, "POST") == 0) {
		ct = xasprintf("Content-Type: %s",
		    ctype != NULL ? ctype : "application/jose+json");
		hdrs = curl_slist_append(hdrs, ct);
		hdrs = curl_slist_append(hdrs, "Expect:");
		curl_easy_setopt(h->c, CURLOPT_POST, 1L);
		curl_easy_setopt(h->c, CURLOPT_POSTFIELDS, body != NULL ?
		    (const char *)body : "");
		curl_easy_setopt(h->c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	} else if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h->c, CURLOPT_NOBODY, 1L);
	}
	curl_easy_setopt(h->c, CURLOPT_HTTPHEADER, hdrs);
	h->transient = 0;
	cc = curl_easy_perform(h->c);
	if (cc != CURLE_OK) {
		h->transient = curl_transient(cc) && !rx.too_big;
		const char *why = h->errbuf[0] != '\0' ? h->errbuf :
		    curl_easy_strerror(cc);

		if (rx.too_big || cc == CURLE_FILESIZE_EXCEEDED)
			err_set(e, "%s: response larger than %d bytes", url,
			    HTTP_BODY_MAX);
		else if (cc == CURLE_PEER_FAILED_VERIFICATION ||
		    cc == CURLE_SSL_CACERT_BADFILE ||
		    cc == CURLE_SSL_CERTPROBLEM)
			err_set(e, "%s: the server's TLS certificate is not "
			    "trusted (%s); trusted CAs come from %s (set "
			    "acme.ca_bundle for a private CA)", url, why,
			    h->ca_file);
		else
			err_set(e, "%s: %s", url, why);
		goto out;
	}
	curl_easy_getinfo(h->c, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->body == NULL) {
		r->body = xstrdup("");
		r->len = 0;
	}
	rc = 0;
out:
	free(ct);
	curl_slist_free_all(hdrs);
	return rc;
}

int
http_retry_after_parse(const char *hdr, time_t now, long long *secs)
{
	char *end;
	long long v;
	time_t t;

	if (hdr == NULL)
		return -1;
	while (*hdr == ' ' || *hdr == '\t')
		hdr++;
	if (isdigit((unsigned char)*hdr)) {
		errno = 0;
		v = strtoll(hdr, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\r' ||
		    *end == '\n')
			end++;
		if (*end != '\0')
			return -1;
		/* ERANGE: a number too large for long long, clamped. */
		if (errno == ERANGE || v > HTTP_RETRY_AFTER_MAX)
			v = HTTP_RETRY_AFTER_MAX;
		*secs = v;
		return 0;
	}
	if (time_parse_http(hdr, &t) == -1)
		return -1;
	if (t <= now)
		*secs = 0;
	else if ((long long)t - (long long)now > HTTP_RETRY_AFTER_MAX)
		*secs = HTTP_RETRY_AFTER_MAX;
	else
		*secs = (long long)t - (long long)now;
	return 0;
}

long long
http_retry_after(const struct http_resp *r, time_t now)
{
	long long s;

	if (r->retry_after == NULL || *r->retry_after == '\0' ||
	    http_retry_after_parse(r->retry_after, now, &s) == -1)
		return -1;
	return s;
}
