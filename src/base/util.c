#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base/err.h"
#include "base/util.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		abort();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		abort();
	return q;
}

char *
xstrdup(const char *s)
{
	char *p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		abort();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if ((p = strndup(s, n)) == NULL)
		abort();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		abort();
	va_end(ap);
	return p;
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_free(struct buf *b)
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

void
strlist_init(struct strlist *l)
{
	l->v = NULL;
	l->n = l->cap = 0;
}

void
strlist_free(struct strlist *l)
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
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		abort();
	va_end(ap);
	strlist_push(l, p);
	return 0;
}

int
strlist_contains(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
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

size_t
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
path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (n > 0 && dir[n - 1] == '/')
		return xstrcat(dir, name, NULL);
	return xstrcat(dir, "/", name, NULL);
}

char *
xstrcat(const char *first, ...)
{
	va_list ap;
	const char *p;
	size_t n = 0, k;
	char *out, *q;

	va_start(ap, first);
	for (p = first; p != NULL; p = va_arg(ap, const char *))
		n += strlen(p);
	va_end(ap);
	out = q = xmalloc(n + 1);
	va_start(ap, first);
	for (p = first; p != NULL; p = va_arg(ap, const char *)) {
		k = strlen(p);
		memcpy(q, p, k);
		q += k;
	}
	va_end(ap);
	*q = '\0';
	return out;
}

char *
path_resolve(const char *base, const char *p)
{
	if (p[0] == '/' || base == NULL || base[0] == '\0')
		return xstrdup(p);
	return path_join(base, p);
}

char *
path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* What a non-regular file is, for messages. */
static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

/* As file_check_regular(), and st holds what fstat said. */
static int
file_check_regular_st(int fd, const char *path, struct stat *st,
    struct err *e)
{
	if (fstat(fd, st) == -1) {
		err_sys(e, "%s: stat", path);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		err_set(e, "%s: %s, not a regular file; refused", path,
		    file_kind(st->st_mode));
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
file_check_regular(int fd, const char *path, struct err *e)
{
	struct stat st;

	return file_check_regular_st(fd, path, &st, e);
}

int
file_open_regular_st(int dfd, const char *path, const char *shown,
    int nofollow, struct stat *st, struct err *e)
{
	int fd, flags;

	if (shown == NULL)
		shown = path;
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer.
	   It stays set here: reads of a regular file never block nor
	   return EAGAIN for it, and the readers of this file read at once
	   (file_open_regular() clears it for callers that keep the fd). */
	flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
	    (nofollow ? O_NOFOLLOW : 0);
	if ((fd = openat(dfd, path, flags)) == -1) {
		if (errno == ELOOP && nofollow) {
			err_set(e, "%s: a symbolic link, not a regular file; "
			    "refused", shown);
			errno = ELOOP;
		} else
			err_sys(e, "%s", shown);
		return -1;
	}
	if (file_check_regular_st(fd, shown, st, e) == -1) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int
file_open_regular(int dfd, const char *path, const char *shown,
    int nofollow, struct err *e)
{
	struct stat st;
	int fd, flags;

	if ((fd = file_open_regular_st(dfd, path, shown, nofollow, &st, e)) ==
	    -1)
		return -1;
	/* A regular file never blocks; reads are plain from here on. */
	if ((flags = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

/*
 * Reads the regular file open on fd (closed here), whose size was size
 * when it was opened: one read of size + 1 bytes says it all unless the
 * file grew meanwhile.
 */
static char *
file_read_fd(int fd, const char *path, off_t size, size_t max,
    size_t *lenp, struct err *e)
{
	char *p;
	size_t cap, len = 0;
	ssize_t n;
	int saved;

	cap = size > 0 && (unsigned long long)size < max ?
	    (size_t)size + 1 : 8192;
	p = xmalloc(cap + 1);
	for (;;) {
		n = read(fd, p + len, cap - len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err_sys(e, "%s: read", path);
			goto fail;
		}
		if (n == 0)
			break;
		if (len + (size_t)n > max) {
			err_set(e, "%s: larger than %zu bytes", path, max);
			errno = EFBIG;
			goto fail;
		}
		len += (size_t)n;
		/* Short of what was asked: the end of a regular file. */
		if (len < cap)
			break;
		cap *= 2;
		p = xrealloc(p, cap + 1);
	}
	close(fd);
	p[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return p;
fail:
	saved = errno;
	close(fd);
	free(p);
	errno = saved;
	return NULL;
}

char *
file_read(const char *path, size_t max, size_t *lenp, struct err *e)
{
	struct stat st;
	int fd;

	if ((fd = file_open_regular_st(AT_FDCWD, path, NULL, 0, &st, e)) ==
	    -1)
		return NULL;
	return file_read_fd(fd, path, st.st_size, max, lenp, e);
}

char *
file_read_nofollow(const char *path, size_t max, size_t *lenp,
    struct err *e)
{
	return file_read_nofollow_at(AT_FDCWD, path, NULL, max, lenp, e);
}

char *
file_read_nofollow_at(int dfd, const char *path, const char *shown,
    size_t max, size_t *lenp, struct err *e)
{
	struct stat st;
	int fd;

	if (shown == NULL)
		shown = path;
	if ((fd = file_open_regular_st(dfd, path, shown, 1, &st, e)) == -1)
		return NULL;
	return file_read_fd(fd, shown, st.st_size, max, lenp, e);
}

int
dir_fsync(const char *dir, struct err *e)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		err_sys(e, "%s", dir);
		return -1;
	}
	if (fsync(fd) == -1 && errno != EINVAL) {
		err_sys(e, "%s: fsync", dir);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
file_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, struct err *e)
{
	char *dir = NULL, *tmp = NULL;
	const char *p = data;
	unsigned char rnd[6];
	int fd = -1, rc = -1;
	ssize_t n;

	dir = path_dirname(path);
	if (rand_bytes(rnd, sizeof(rnd)) == -1) {
		err_set(e, "%s: no randomness for a temporary name", path);
		goto out;
	}
	tmp = xasprintf("%s.tmp-%02x%02x%02x%02x%02x%02x", path, rnd[0],
	    rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1) {
		err_sys(e, "%s", tmp);
		goto out;
	}
	/* open() honours the umask; the mode asked for is the mode we want. */
	if (fchmod(fd, mode) == -1) {
		err_sys(e, "%s: chmod", tmp);
		goto out;
	}
	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err_sys(e, "%s: write", tmp);
			goto out;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) == -1) {
		err_sys(e, "%s: fsync", tmp);
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		err_sys(e, "%s: close", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		err_sys(e, "rename %s to %s", tmp, path);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if (dir_fsync(dir, e) == -1)
		goto out;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(dir);
	return rc;
}

int
file_update(const char *path, const void *data, size_t len, mode_t mode,
    int *changed, struct err *e)
{
	struct stat st;
	size_t oldlen;
	char *old;

	*changed = 0;
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 07777) == mode && (size_t)st.st_size == len) {
		old = file_read(path, len + 1, &oldlen, NULL);
		if (old != NULL && oldlen == len && memcmp(old, data, len) == 0) {
			free(old);
			return 0;
		}
		free(old);
	}
	if (file_write_atomic(path, data, len, mode, e) == -1)
		return -1;
	*changed = 1;
	return 0;
}

int
mkdir_p(const char *dir, mode_t mode, struct err *e)
{
	char *p, *s;
	struct stat st;
	int rc = -1;

	p = xstrdup(dir);
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) == -1) {
			if (errno != EEXIST) {
				err_sys(e, "%s", p);
				goto out;
			}
			if (stat(p, &st) == -1 || !S_ISDIR(st.st_mode)) {
				err_set(e, "%s: exists and is not a directory",
				    p);
				goto out;
			}
		}
		*s = c;
		if (c == '\0')
			break;
	}
	rc = 0;
out:
	free(p);
	return rc;
}

int
rm_rf(const char *path, struct err *e)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	char *sub;
	int rc = 0;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		err_sys(e, "%s", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) == -1) {
			err_sys(e, "%s", path);
			return -1;
		}
		return 0;
	}
	if ((d = opendir(path)) == NULL) {
		err_sys(e, "%s", path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		sub = path_join(path, de->d_name);
		if (rm_rf(sub, e) == -1)
			rc = -1;
		free(sub);
	}
	closedir(d);
	if (rc == 0 && rmdir(path) == -1) {
		err_sys(e, "%s", path);
		rc = -1;
	}
	return rc;
}

int
duration_parse(const char *s, long long *secs)
{
	long long total = 0, v, mul;
	const char *p = s;
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	while (*p != '\0') {
		if (!isdigit((unsigned char)*p))
			return -1;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno != 0 || v < 0)
			return -1;
		switch (*end) {
		case '\0':
			/* A bare number is seconds, only as the whole value. */
			if (p != s)
				return -1;
			mul = 1;
			end--;
			break;
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		case 'w': mul = 7 * 86400; break;
		default:
			return -1;
		}
		if (v > (LLONG_MAX - total) / mul)
			return -1;
		total += v * mul;
		p = end + 1;
	}
	*secs = total;
	return 0;
}

void
duration_format(long long secs, char *out, size_t outsz)
{
	long long d, h, m;
	int neg = secs < 0;

	if (neg)
		secs = -secs;
	d = secs / 86400;
	h = (secs % 86400) / 3600;
	m = (secs % 3600) / 60;
	if (d > 0 && h > 0)
		snprintf(out, outsz, "%s%lldd%lldh", neg ? "-" : "", d, h);
	else if (d > 0)
		snprintf(out, outsz, "%s%lldd", neg ? "-" : "", d);
	else if (h > 0 && m > 0)
		snprintf(out, outsz, "%s%lldh%lldm", neg ? "-" : "", h, m);
	else if (h > 0)
		snprintf(out, outsz, "%s%lldh", neg ? "-" : "", h);
	else if (m > 0)
		snprintf(out, outsz, "%s%lldm", neg ? "-" : "", m);
	else
		snprintf(out, outsz, "%s%llds", neg ? "-" : "", secs % 60);
}

int
time_parse_rfc3339(const char *s, time_t *t)
{
	struct tm tm;
	const char *p;
	int off = 0, oh, om;
	char *end;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		p = strptime(s, "%Y-%m-%dt%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		oh = (int)strtol(p + 1, &end, 10);
		if (end != p + 3 || *end != ':')
			return -1;
		om = (int)strtol(end + 1, &end, 10);
		if (end != p + 6)
			return -1;
		off = sign * (oh * 3600 + om * 60);
		p = end;
	} else
		return -1;
	if (*p != '\0')
		return -1;
	*t = timegm(&tm) - off;
	return 0;
}

void
time_format_rfc3339(time_t t, char *out, size_t outsz)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
time_parse_http(const char *s, time_t *t)
{
	struct tm tm;
	const char *p;

	memset(&tm, 0, sizeof(tm));
	/* IMF-fixdate, then the obsolete RFC 850 and asctime forms. */
	if ((p = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm)) == NULL &&
	    (p = strptime(s, "%A, %d-%b-%y %H:%M:%S GMT", &tm)) == NULL &&
	    (p = strptime(s, "%a %b %e %H:%M:%S %Y", &tm)) == NULL)
		return -1;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p != '\0')
		return -1;
	*t = timegm(&tm);
	return 0;
}

char *
b64_encode(const unsigned char *p, size_t n)
{
	char *out;
	int len;

	if (n > (SIZE_MAX / 4) - 4 || n > INT_MAX / 2)
		abort();
	out = xmalloc(4 * ((n + 2) / 3) + 1);
	len = EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	out[len] = '\0';
	return out;
}

char *
b64url_encode(const unsigned char *p, size_t n)
{
	char *s = b64_encode(p, n);
	size_t i, len = strlen(s);

	while (len > 0 && s[len - 1] == '=')
		s[--len] = '\0';
	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			s[i] = '-';
		else if (s[i] == '/')
			s[i] = '_';
	}
	return s;
}

unsigned char *
b64url_decode(const char *s, size_t *outlen)
{
	size_t n = strlen(s), i, padded;
	char *tmp;
	unsigned char *out;
	int len;

	if (n > INT_MAX / 2)
		return NULL;
	padded = (n + 3) / 4 * 4;
	tmp = xmalloc(padded + 1);
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (c == '+' || c == '/' || c == '=') {
			free(tmp);
			return NULL;
		}
		tmp[i] = c;
	}
	for (; i < padded; i++)
		tmp[i] = '=';
	tmp[padded] = '\0';
	if (n % 4 == 1) {
		free(tmp);
		return NULL;
	}
	out = xmalloc(padded / 4 * 3 + 1);
	len = EVP_DecodeBlock(out, (unsigned char *)tmp, (int)padded);
	free(tmp);
	if (len < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes; take them off. */
	len -= (int)(padded - n) ;
	*outlen = (size_t)len;
	return out;
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
rand_bytes(void *p, size_t n)
{
	if (n > INT_MAX)
		return -1;
	return RAND_bytes(p, (int)n) == 1 ? 0 : -1;
}

long long
rand_between(long long lo, long long hi)
{
	unsigned long long range, r, limit;

	if (hi <= lo)
		return lo;
	range = (unsigned long long)(hi - lo) + 1;
	/* Rejection sampling keeps the draw uniform. */
	limit = range == 0 ? 0 : (~0ULL / range) * range;
	do {
		if (rand_bytes(&r, sizeof(r)) == -1)
			abort();
	} while (limit != 0 && r >= limit);
	return lo + (long long)(range == 0 ? r : r % range);
}

long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

time_t
now_wall(void)
{
	return time(NULL);
}
