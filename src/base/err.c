#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "base/err.h"

/* The message of e (when not NULL) from fmt and ap. */
static void __attribute__((format(printf, 2, 0)))
err_vset(struct err *e, const char *fmt, va_list ap)
{
	if (e != NULL)
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

void
err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, fmt, ap);
	va_end(ap);
}

void
err_sys(struct err *e, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;
	size_t n;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	err_vset(e, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(saved));
	errno = saved;
}

void
err_ssl(struct err *e, const char *fmt, ...)
{
	va_list ap;
	unsigned long code;
	size_t n;
	char buf[256];

	if (e == NULL) {
		ERR_clear_error();
		return;
	}
	va_start(ap, fmt);
	err_vset(e, fmt, ap);
	va_end(ap);
	/* The last error in the queue is usually the most specific one. */
	while ((code = ERR_get_error()) != 0) {
		ERR_error_string_n(code, buf, sizeof(buf));
		n = strlen(e->msg);
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", buf);
	}
}

void
err_prefix(struct err *e, const char *fmt, ...)
{
	va_list ap;
	char pre[ERR_MSG_MAX];
	size_t plen, olen;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	plen = strlen(pre);
	if (plen > sizeof(e->msg) / 2)
		plen = sizeof(e->msg) / 2;
	olen = strnlen(e->msg, sizeof(e->msg) - 1);
	if (plen + 2 + olen > sizeof(e->msg) - 1)
		olen = sizeof(e->msg) - 1 - plen - 2;
	memmove(e->msg + plen + 2, e->msg, olen);
	memcpy(e->msg, pre, plen);
	e->msg[plen] = ':';
	e->msg[plen + 1] = ' ';
	e->msg[plen + 2 + olen] = '\0';
}

void
err_clear(struct err *e)
{
	if (e != NULL)
		e->msg[0] = '\0';
}
