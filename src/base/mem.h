/*
 * mem.h - malloc wrappers that abort() on out-of-memory (a CLI cannot
 * recover from it), and the string constructors built on them.
 */
#ifndef CERTKEEP_MEM_H
#define CERTKEEP_MEM_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t n);
void	*xcalloc(size_t n, size_t sz);
void	*xrealloc(void *p, size_t n);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
/* Returns a malloced formatted string, caller frees. */
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *fmt, va_list ap)
	    __attribute__((format(printf, 1, 0)));
/* The strings up to a NULL, end to end (cheaper than xasprintf in loops). */
char	*xstrcat(const char *first, ...) __attribute__((sentinel));

/*
 * Frees each pointer of the list (NULL ones too): the owned members of a
 * struct in its _clear function, in one line rather than one line each.
 */
void	 mem_free_each(void *const *p, size_t n);
#define FREE_ALL(...)	mem_free_each((void *const[]){ __VA_ARGS__ }, \
			    sizeof((void *[]){ __VA_ARGS__ }) / sizeof(void *))

#endif
