#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"

void
buf_init(struct buf *b)
{
	*b = (struct buf){ NULL, 0, 0 };
}

void
buf_clear(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

static void
buf_reserve(struct buf *b, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - b->len - 1)
		abort();
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
	b->data = xrealloc(b->data, b->cap);
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_cat(struct buf *b, ...)
{
	va_list ap;
	const char *s;
	int rc = 0;

	va_start(ap, b);
	while ((s = va_arg(ap, const char *)) != NULL)
		if (buf_puts(b, s) == -1)
			rc = -1;
	va_end(ap);
	return rc;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	size_t room;
	int n;

	/* Formatted once into the room there is; a second time only when
	   it did not fit. */
	buf_reserve(b, 128);
	room = b->cap - b->len;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->data[b->len] = '\0';
		va_end(ap2);
		return -1;
	}
	if ((size_t)n >= room) {
		buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
	}
	va_end(ap2);
	b->len += (size_t)n;
	return 0;
}

char *
buf_steal(struct buf *b)
{
	char *p;

	if (b->data == NULL)
		return xstrdup("");
	p = b->data;
	buf_init(b);
	return p;
}
