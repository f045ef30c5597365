/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 */
#ifndef CERTKEEP_BUF_H
#define CERTKEEP_BUF_H

#include <stddef.h>

/* A growable byte buffer, always NUL-terminated (len excludes the NUL). */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *b);
void	 buf_clear(struct buf *b);		/* frees data, re-inits */
int	 buf_append(struct buf *b, const void *p, size_t n);
int	 buf_puts(struct buf *b, const char *s);
/* Appends every string up to the NULL one: buf_puts() for each. */
int	 buf_cat(struct buf *b, ...) __attribute__((sentinel));
int	 buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Hands the data over to the caller (malloced, caller frees); b is re-inited. */
char	*buf_steal(struct buf *b);

#endif
