#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/str.h"

void
strlist_init(struct strlist *l)
{
	*l = (struct strlist){ NULL, 0, 0 };
}

void
strlist_clear(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	strlist_init(l);
}

static void
strlist_push(struct strlist *l, char *s)
{
	if (l->n + 2 > l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

int
strlist_add(struct strlist *l, const char *s)
{
	strlist_push(l, xstrdup(s));
	return 0;
}

int
strlist_addf(struct strlist *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strlist_push(l, xvasprintf(fmt, ap));
	va_end(ap);
	return 0;
}

int
strlist_contains(const struct strlist *l, const char *s)
{
	return str_index((const char *const *)l->v, l->n, s) >= 0;
}

void
strv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static size_t
strv_len(char *const *v)
{
	size_t n = 0;

	if (v != NULL)
		while (v[n] != NULL)
			n++;
	return n;
}

char **
strv_dup(char *const *v)
{
	size_t i, n = strv_len(v);
	char **c;

	if (v == NULL)
		return NULL;
	c = xcalloc(n + 1, sizeof(*c));
	for (i = 0; i < n; i++)
		c[i] = xstrdup(v[i]);
	return c;
}

char *
str_escape_n(const char *s, size_t n)
{
	struct buf b;
	size_t i, run = 0;

	buf_init(&b);
	/* Plain bytes are copied a run at a time (plan escapes a text per
	   certificate). */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
			continue;
		buf_append(&b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '\n': buf_puts(&b, "\\n"); break;
		case '\r': buf_puts(&b, "\\r"); break;
		case '\t': buf_puts(&b, "\\t"); break;
		case '\\': buf_puts(&b, "\\\\"); break;
		case '"': buf_puts(&b, "\\\""); break;
		default:
			buf_printf(&b, "\\x%02x", c);
		}
	}
	buf_append(&b, s + run, n - run);
	return buf_steal(&b);
}

char *
str_escape(const char *s)
{
	if (s == NULL)
		return xstrdup("(null)");
	return str_escape_n(s, strlen(s));
}

void
str_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

int
str_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int
str_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

int
str_ref_cmp(const void *a, const void *b)
{
	const struct str_ref *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	return c != 0 ? c : (x->i > y->i) - (x->i < y->i);
}
