/*
 * util.h - small helpers shared by every module: growable buffers, string
 * lists, file I/O with the atomic-replace rule, durations and RFC 3339 time,
 * base64url and escaping of text that came from a server.
 */
#ifndef CERTKEEP_UTIL_H
#define CERTKEEP_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct stat;

struct err;

/* A growable byte buffer, always NUL-terminated (len excludes the NUL). */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *b);
void	 buf_free(struct buf *b);		/* frees data, re-inits */
int	 buf_append(struct buf *b, const void *p, size_t n);
int	 buf_puts(struct buf *b, const char *s);
int	 buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Hands the data over to the caller (malloced, caller frees); b is re-inited. */
char	*buf_steal(struct buf *b);

/* A NULL-terminated growable list of malloced strings. */
struct strlist {
	char	**v;		/* v[n] == NULL */
	size_t	  n;
	size_t	  cap;
};

void	 strlist_init(struct strlist *l);
void	 strlist_free(struct strlist *l);	/* frees strings and array */
int	 strlist_add(struct strlist *l, const char *s);	/* copies s */
int	 strlist_addf(struct strlist *l, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	 strlist_contains(const struct strlist *l, const char *s);

/* Frees a NULL-terminated array of malloced strings and the array. */
void	 strv_free(char **v);
/* Returns a malloced deep copy of a NULL-terminated array, caller frees. */
char	**strv_dup(char *const *v);
size_t	 strv_len(char *const *v);

/* malloc wrappers: abort() on out-of-memory, which a CLI cannot recover. */
void	*xmalloc(size_t n);
void	*xcalloc(size_t n, size_t sz);
void	*xrealloc(void *p, size_t n);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
/* Returns a malloced formatted string, caller frees. */
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The strings up to a NULL, end to end (cheaper than xasprintf in loops). */
char	*xstrcat(const char *first, ...) __attribute__((sentinel));

/* Joins a directory and a name; returns a malloced string, caller frees. */
char	*path_join(const char *dir, const char *name);
/* Resolves p against base unless p is absolute; malloced, caller frees. */
char	*path_resolve(const char *base, const char *p);
/* Returns the malloced directory part of path ("." if none), caller frees. */
char	*path_dirname(const char *path);

/*
 * Reads a whole file into a malloced NUL-terminated buffer (caller frees).
 * Refuses files larger than max bytes, and anything but a regular file (a
 * FIFO is refused, never waited on). Returns NULL and fills e on failure;
 * errno is ENOENT when the file does not exist.
 */
char	*file_read(const char *path, size_t max, size_t *lenp, struct err *e);
/* As file_read(), and a symbolic link is refused too (errno ELOOP). */
char	*file_read_nofollow(const char *path, size_t max, size_t *lenp,
	    struct err *e);
/* As file_read_nofollow(), path relative to dfd (a held directory: no
   walk of the whole path), shown in messages (NULL: path). */
char	*file_read_nofollow_at(int dfd, const char *path, const char *shown,
	    size_t max, size_t *lenp, struct err *e);
/*
 * Opens path (relative to dfd: AT_FDCWD or a directory) read-only,
 * close-on-exec and without blocking on a FIFO, then refuses (closes) it
 * unless it is a regular file; with nofollow a symbolic link is refused
 * too. shown names the file in messages (NULL: path). Returns the
 * descriptor, or -1 with e set and errno ENOENT when it does not exist,
 * ELOOP for a link, EINVAL for another kind of file.
 */
int	 file_open_regular(int dfd, const char *path, const char *shown,
	    int nofollow, struct err *e);
/* As file_open_regular(), and st holds what fstat said of it; the
   descriptor keeps O_NONBLOCK (no difference for reading a regular file,
   two system calls saved). */
int	 file_open_regular_st(int dfd, const char *path, const char *shown,
	    int nofollow, struct stat *st, struct err *e);
/* 0 when fd is a regular file; else -1, e names path and what it is. */
int	 file_check_regular(int fd, const char *path, struct err *e);
/*
 * Replaces path atomically: temp file in the same directory (O_EXCL, mode),
 * write, fsync, rename, fsync the directory. A crash leaves either the old
 * or the new file, never a mix. Returns 0 or -1.
 */
int	 file_write_atomic(const char *path, const void *data, size_t len,
	    mode_t mode, struct err *e);
/* As file_write_atomic but does nothing (and sets *changed = 0) when the
 * file already holds exactly these bytes and mode. */
int	 file_update(const char *path, const void *data, size_t len,
	    mode_t mode, int *changed, struct err *e);
/* fsyncs a directory so that a rename inside it is durable. */
int	 dir_fsync(const char *dir, struct err *e);
/* Creates dir and its parents with mode (existing ones are kept). */
int	 mkdir_p(const char *dir, mode_t mode, struct err *e);
/* Removes a directory tree (no symlinks followed). */
int	 rm_rf(const char *path, struct err *e);

/*
 * Durations: "90s", "30m", "12h", "25d", "2w"; a bare number is seconds.
 * Returns 0 and the seconds, or -1 on a malformed value.
 */
int	 duration_parse(const char *s, long long *secs);
/* Formats seconds as a short human duration ("25d", "12h30m"). */
void	 duration_format(long long secs, char *out, size_t outsz);

/* RFC 3339 (UTC "2027-02-22T10:00:00Z"; offsets and fractions accepted). */
int	 time_parse_rfc3339(const char *s, time_t *t);
void	 time_format_rfc3339(time_t t, char *out, size_t outsz);	/* >= 21 */
/* HTTP-date (RFC 9110 IMF-fixdate), for Retry-After. */
int	 time_parse_http(const char *s, time_t *t);

/* base64url without padding. Returns malloced strings/bytes, caller frees. */
char	*b64url_encode(const unsigned char *p, size_t n);
unsigned char *b64url_decode(const char *s, size_t *outlen);
/* Standard base64 with padding, no newlines; malloced, caller frees. */
char	*b64_encode(const unsigned char *p, size_t n);

/*
 * Makes text that came from outside (a server, DNS, a file) safe to print on
 * a terminal or a log line: control bytes, backslash, non-ASCII and quotes
 * become \n, \\, \xHH escapes. Returns a malloced string, caller frees.
 */
char	*str_escape(const char *s);
char	*str_escape_n(const char *s, size_t n);

/* Lower-cases s in place (ASCII). */
void	 str_lower(char *s);
/* Returns 1 if s ends with suffix. */
int	 str_endswith(const char *s, const char *suffix);

/* Random bytes from the OS CSPRNG (OpenSSL); 0 or -1. */
int	 rand_bytes(void *p, size_t n);
/* A uniformly random number in [lo, hi] (inclusive). */
long long rand_between(long long lo, long long hi);

/* Monotonic milliseconds, for timeouts and measurements. */
long long mono_ms(void);
/* Wall-clock now; the one place that reads the clock (faketime-friendly). */
time_t	 now_wall(void);

#endif
