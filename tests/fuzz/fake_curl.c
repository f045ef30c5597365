/*
 * fake_curl.c - the HTTP transport of the ACME fuzz targets: libcurl's
 * easy interface replaced by a script of answers taken from the fuzz
 * input, so that the real http.c callbacks (headers, body) and everything
 * above them (acme.c, account.c, order.c, ari.c) read hostile answers
 * without a network. Defining these functions in the program makes the
 * linker bind the library's calls to them instead of libcurl's.
 *
 * The script is text: answers separated by a line "%%"; in each, the
 * first line is the status, the next lines up to an empty line are header
 * lines (handed to the header callback as "NAME: VALUE\r\n", one
 * exactly-sized buffer each), the rest is the body. When the script runs
 * out, a request fails as a refused connection would.
 *
 *   200
 *   Replay-Nonce: abc
 *   Location: https://ca.test/order/1
 *
 *   {"status": "pending", ...}
 *   %%
 *   ...
 */
#define CURL_DISABLE_TYPECHECK 1
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "base/mem.h"

struct fake_answer {
	long		 status;
	const char	*head;		/* header lines, '\n'-separated */
	size_t		 headlen;
	const char	*body;
	size_t		 bodylen;
};

#define FAKE_MAX_ANSWERS	64

/* The script of the current input (the fuzz targets are one thread). */
static struct fake_answer fake_v[FAKE_MAX_ANSWERS];
static size_t fake_n, fake_next, fake_sent;

struct fake_handle {
	curl_write_callback	 on_body;
	void			*body_arg;
	curl_write_callback	 on_header;
	void			*header_arg;
	long			 nobody;
	long			 status;
};

/* Cuts data into answers; the answers point into data. */
static void
fake_load(const uint8_t *data, size_t size)
{
	const char *p, *end;

	fake_n = fake_next = fake_sent = 0;
	if (size == 0)
		return;
	p = (const char *)data;
	end = p + size;
	while (p < end && fake_n < FAKE_MAX_ANSWERS) {
		struct fake_answer *a = &fake_v[fake_n++];
		const char *sep = memmem(p, (size_t)(end - p), "\n%%\n", 4);
		const char *stop = sep != NULL ? sep : end;
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		const char *blank;

		a->status = 0;
		for (const char *d = p; d < (nl ? nl : stop) &&
		    *d >= '0' && *d <= '9' && a->status < 1000; d++)
			a->status = a->status * 10 + (*d - '0');
		a->head = a->body = "";
		a->headlen = a->bodylen = 0;
		if (nl != NULL) {
			a->head = nl + 1;
			blank = memmem(a->head, (size_t)(stop - a->head),
			    "\n\n", 2);
			if (a->head < stop && *a->head == '\n') {
				a->headlen = 0;
				a->body = a->head + 1;
			} else if (blank != NULL) {
				a->headlen = (size_t)(blank - a->head);
				a->body = blank + 2;
			} else {
				a->headlen = (size_t)(stop - a->head);
				a->body = stop;
			}
			a->bodylen = (size_t)(stop - a->body);
		}
		p = sep != NULL ? sep + 4 : end;
	}
}

/* Hands len bytes of p to cb in an exactly-sized copy (ASan sees reads
   past the end, as libcurl gives no terminator). */
static size_t
fake_give(curl_write_callback cb, void *arg, const char *p, size_t len)
{
	char *copy = xmalloc(len ? len : 1);
	size_t r;

	memcpy(copy, p, len);
	r = cb(copy, 1, len, arg);
	free(copy);
	return r;
}

CURL *
curl_easy_init(void)
{
	return (CURL *)xcalloc(1, sizeof(struct fake_handle));
}

void
curl_easy_cleanup(CURL *c)
{
	free(c);
}

void
curl_easy_reset(CURL *c)
{
	memset(c, 0, sizeof(struct fake_handle));
}

CURLcode
curl_easy_setopt(CURL *c, CURLoption opt, ...)
{
	struct fake_handle *h = (struct fake_handle *)c;
	va_list ap;

	va_start(ap, opt);
	switch (opt) {
	case CURLOPT_WRITEFUNCTION:
		h->on_body = va_arg(ap, curl_write_callback);
		break;
	case CURLOPT_WRITEDATA:
		h->body_arg = va_arg(ap, void *);
		break;
	case CURLOPT_HEADERFUNCTION:
		h->on_header = va_arg(ap, curl_write_callback);
		break;
	case CURLOPT_HEADERDATA:
		h->header_arg = va_arg(ap, void *);
		break;
	case CURLOPT_NOBODY:
		h->nobody = va_arg(ap, long);
		break;
	default:
		break;
	}
	va_end(ap);
	return CURLE_OK;
}

CURLcode
curl_easy_perform(CURL *c)
{
	struct fake_handle *h = (struct fake_handle *)c;
	const struct fake_answer *a;
	const char *p, *end, *nl;
	char *line;
	size_t n, r;

	fake_sent++;
	if (fake_next >= fake_n)
		return CURLE_COULDNT_CONNECT;
	a = &fake_v[fake_next++];
	h->status = a->status;
	if (h->on_header != NULL) {
		line = xasprintf("HTTP/1.1 %ld Fuzz\r\n", a->status);
		r = fake_give(h->on_header, h->header_arg, line, strlen(line));
		free(line);
		if (r != strlen("HTTP/1.1 000 Fuzz\r\n") &&
		    a->status >= 100 && a->status < 1000)
			return CURLE_WRITE_ERROR;
		for (p = a->head, end = a->head + a->headlen; p < end;
		    p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			n = (size_t)(nl - p);
			line = xmalloc(n + 2);
			memcpy(line, p, n);
			memcpy(line + n, "\r\n", 2);
			r = fake_give(h->on_header, h->header_arg, line, n + 2);
			free(line);
			if (r != n + 2)
				return CURLE_WRITE_ERROR;
		}
		if (fake_give(h->on_header, h->header_arg, "\r\n", 2) != 2)
			return CURLE_WRITE_ERROR;
	}
	if (!h->nobody && h->on_body != NULL && a->bodylen > 0 &&
	    fake_give(h->on_body, h->body_arg, a->body, a->bodylen) !=
	    a->bodylen)
		return CURLE_WRITE_ERROR;
	return CURLE_OK;
}

CURLcode
curl_easy_getinfo(CURL *c, CURLINFO info, ...)
{
	struct fake_handle *h = (struct fake_handle *)c;
	va_list ap;

	va_start(ap, info);
	if (info == CURLINFO_RESPONSE_CODE)
		*va_arg(ap, long *) = h->status;
	va_end(ap);
	return CURLE_OK;
}
