/*
 * secret.c - reads secret files the same way everywhere: the checks are
 * made on the descriptor that is read (fstat), never on the path before
 * opening it, so a file swapped in between is not read either.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/secret.h"

void
secret_free(char *s, size_t len)
{
	if (s != NULL)
		OPENSSL_clear_free(s, len);
}

char *
secret_read_file(const char *what, const char *path, size_t max,
    size_t *lenp, struct err *e)
{
	struct stat st;
	char *buf = NULL, *ret = NULL;
	size_t len = 0;
	ssize_t n;
	int fd = -1;

	/* O_NONBLOCK: a FIFO planted there must not hang the open. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK);
	if (fd == -1) {
		if (errno == ELOOP)
			err_set(e, "%s %s: a symbolic link; name the file "
			    "itself", what, path);
		else
			err_sys(e, "%s %s", what, path);
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		err_sys(e, "%s %s", what, path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, "%s %s: not a regular file", what, path);
		goto out;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		err_set(e, "%s %s: owned by uid %u; want root or uid %u (the "
		    "user certkeep runs as)", what, path, (unsigned)st.st_uid,
		    (unsigned)geteuid());
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		err_set(e, "%s %s: readable or writable by group or others (mode "
		    "%04o); chmod 600 it", what, path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
		err_set(e, "%s %s: larger than %zu bytes", what, path, max);
		goto out;
	}
	/* One buffer of the final size: no realloc leaves copies behind. */
	buf = xmalloc(max + 2);
	for (;;) {
		n = read(fd, buf + len, max + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_sys(e, "%s %s: read", what, path);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			err_set(e, "%s %s: larger than %zu bytes", what, path,
			    max);
			goto out;
		}
	}
	buf[len] = '\0';
	*lenp = len;
	ret = buf;
	buf = NULL;
out:
	if (buf != NULL)
		OPENSSL_clear_free(buf, max + 2);
	if (fd != -1)
		close(fd);
	return ret;
}
