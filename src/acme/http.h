/*
 * http.h - HTTPS for the ACME client (libcurl). One struct http per client
 * (per thread): its curl handle is reused so requests share connections.
 * Peer and host verification are always on; trust is exactly the bundle
 * given (resolved by cabundle_path()).
 */
#ifndef CERTKEEP_HTTP_H
#define CERTKEEP_HTTP_H

#include <stddef.h>
#include <time.h>

#include "base/err.h"
#include "base/str.h"

struct err;
struct http;

/* Response bodies larger than this are refused (a chain is a few KiB). */
#define HTTP_BODY_MAX	(2 * 1024 * 1024)
#define HTTP_CONNECT_TIMEOUT_MS	10000L
#define HTTP_TIMEOUT_MS		60000L

struct http_resp {
	long		 status;	/* HTTP status */
	char		*body;		/* malloced, NUL-terminated */
	size_t		 len;
	char		*content_type;	/* malloced or NULL */
	char		*nonce;		/* Replay-Nonce, or NULL */
	char		*location;	/* Location, or NULL */
	char		*retry_after;	/* Retry-After as sent, or NULL */
	struct strlist	 link_up;	/* Link: <url>;rel="up" */
	struct strlist	 link_alternate;	/* rel="alternate" */
};

void	 http_resp_init(struct http_resp *r);
void	 http_resp_clear(struct http_resp *r);	/* frees and re-inits */

/*
 * What several clients (one per thread) share: TLS sessions and DNS
 * answers (libcurl's share interface, with its locks). Connections are
 * not shared (libcurl cannot share a connection cache between threads);
 * each client keeps its own. Free after every client using it.
 */
struct http_share;
struct http_share *http_share_new(void);
void	 http_share_free(struct http_share *sh);

/*
 * A client trusting the CA file ca_file (a path, must exist), sharing sh
 * (NULL: nothing shared). Its sockets are close-on-exec, so hooks never
 * inherit them. Returns NULL and fills e on failure. Free with
 * http_free().
 */
struct http *http_new(const char *ca_file, struct http_share *sh,
	    struct err *e);
void	 http_free(struct http *h);

/*
 * Sends one request: method "GET", "HEAD" or "POST"; body (may be NULL)
 * with content type ctype. Fills r (caller inits and clears). Returns 0
 * when the server answered (any status), -1 when there was no answer
 * (DNS, connect, TLS — e says which, naming the URL and the trust file
 * for a certificate problem).
 */
int	 http_request(struct http *h, const char *method, const char *url,
	    const char *ctype, const void *body, size_t len,
	    struct http_resp *r, struct err *e);

/* Whether the last http_request() without an answer failed in a way
   that may go away (refused, reset, timeout, no or a garbled answer),
   as opposed to TLS trust, name resolution or an oversized answer. */
int	 http_last_transient(const struct http *h);

/*
 * The one parser of Retry-After (RFC 9110 10.2.3): delta-seconds or an
 * HTTP-date, in seconds from now into *secs, never negative and at most
 * HTTP_RETRY_AFTER_MAX (a larger or overflowing value is clamped, so a
 * caller may add it to a time without wrapping). Blanks around the value
 * are allowed. Returns 0, or -1 when hdr is NULL or malformed.
 */
#define HTTP_RETRY_AFTER_MAX	(366LL * 86400)
int	 http_retry_after_parse(const char *hdr, time_t now, long long *secs);
/* The Retry-After of r parsed as above, or -1 when absent or malformed. */
long long http_retry_after(const struct http_resp *r, time_t now);

#endif
