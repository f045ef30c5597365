/*
 * str.h - string lists, NULL-terminated string arrays, and the small
 * string rules: escaping of text that came from outside, lower-casing,
 * suffixes.
 */
#ifndef CERTKEEP_STR_H
#define CERTKEEP_STR_H

#include <stddef.h>

/* A NULL-terminated growable list of malloced strings. */
struct strlist {
	char	**v;		/* v[n] == NULL */
	size_t	  n;
	size_t	  cap;
};

void	 strlist_init(struct strlist *l);
void	 strlist_clear(struct strlist *l);	/* frees strings and array */
int	 strlist_add(struct strlist *l, const char *s);	/* copies s */
int	 strlist_addf(struct strlist *l, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	 strlist_contains(const struct strlist *l, const char *s);

/* Frees a NULL-terminated array of malloced strings and the array. */
void	 strv_free(char **v);
/* Returns a malloced deep copy of a NULL-terminated array, caller frees. */
char	**strv_dup(char *const *v);

/*
 * Makes text that came from outside (a server, DNS, a file) safe to print on
 * a terminal or a log line: control bytes, backslash, non-ASCII and quotes
 * become \n, \\, \xHH escapes. Returns a malloced string, caller frees.
 */
char	*str_escape(const char *s);
char	*str_escape_n(const char *s, size_t n);

/* A string and where it came from (an index), to sort and find twins. */
struct str_ref {
	const char	*s;
	size_t		 i;
};
/* qsort() order of struct str_ref: by string, then by index. */
int	 str_ref_cmp(const void *a, const void *b);

/* The index of s in names[0..n) (a name table), or -1. */
int	 str_index(const char *const *names, size_t n, const char *s);

/* Lower-cases s in place (ASCII). */
void	 str_lower(char *s);
/* Returns 1 if s ends with suffix. */
int	 str_endswith(const char *s, const char *suffix);

#endif
