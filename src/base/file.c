#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/rand.h"

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
