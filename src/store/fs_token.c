/*
 * fs_token.c - the directory backend of the store: the http-01 token files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/rand.h"
#include "base/str.h"
#include "store/fs_impl.h"

/*
 * http-01 tokens: <root>/http-01/<token>, the key authorization and
 * nothing else, mode 0644 in a 0755 directory, so that a responder running
 * as another user reads them once it is given that one directory (the
 * systemd unit bind-mounts it over an empty repository: the 0700 root
 * keeps the keys out of its reach). Tokens and key authorizations are
 * public (the CA fetches them over plain http). The file's mtime is set to
 * its expiry: an expired token is not served, and the next put removes it.
 */
#define FS_TOKENS	"http-01"
/* A key authorization is token "." thumbprint: far below this. */
#define FS_TOKEN_MAX	1024

/* The token directory, created 0755 when create is set; -1 and errno
   ENOENT (e unset) when it does not exist and create is not set. */
static int
fs_token_dir(struct store_fs *fs, int create, struct err *e)
{
	char *path = path_join(fs->root, FS_TOKENS);
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT && create) {
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			err_sys(e, "%s: mkdir", path);
			goto out;
		}
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		/* Readable by the responder whatever the umask. */
		if (fd != -1 && fchmod(fd, 0755) == -1) {
			err_sys(e, "%s: chmod", path);
			close(fd);
			fd = -1;
			goto out;
		}
	}
	if (fd == -1 && (errno != ENOENT || create))
		err_sys(e, "%s", path);
out:
	free(path);
	return fd;
}

/* Removes the expired tokens of dfd (best effort: a leftover is not
   served anyway). */
static void
fs_token_sweep(int dfd, time_t now)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd2 = dup(dfd);

	if (fd2 == -1 || (d = fdopendir(fd2)) == NULL) {
		if (fd2 != -1)
			close(fd2);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_mtime <= now)
			unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

int
fs_put_token(void *be, const char *token, const char *keyauth, int ttl,
    struct err *e)
{
	struct store_fs *fs = be;
	struct timespec ts[2];
	unsigned char rnd[6];
	char tmp[32];
	size_t len = strlen(keyauth), off = 0;
	time_t now = time(NULL);
	ssize_t w;
	int dfd, fd = -1, rc = -1;

	if ((dfd = fs_token_dir(fs, 1, e)) == -1)
		return -1;
	fs_token_sweep(dfd, now);
	if (rand_bytes(rnd, sizeof(rnd)) == -1) {
		err_set(e, "%s/%s: no randomness for a temporary name",
		    fs->root, FS_TOKENS);
		goto out;
	}
	snprintf(tmp, sizeof(tmp), ".tmp-%02x%02x%02x%02x%02x%02x", rnd[0],
	    rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1) {
		err_sys(e, "%s/%s/%s", fs->root, FS_TOKENS, tmp);
		goto out;
	}
	while (off < len) {
		w = write(fd, keyauth + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			err_sys(e, "%s/%s/%s: write", fs->root, FS_TOKENS, tmp);
			goto out;
		}
		off += (size_t)w;
	}
	/* The expiry is the mtime, set before the name appears. */
	ts[0].tv_sec = now;
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = now + (ttl > 0 ? ttl : 1);
	ts[1].tv_nsec = 0;
	if (fchmod(fd, 0644) == -1 || futimens(fd, ts) == -1 ||
	    fsync(fd) == -1) {
		err_sys(e, "%s/%s/%s", fs->root, FS_TOKENS, tmp);
		goto out;
	}
	if (renameat(dfd, tmp, dfd, token) == -1) {
		err_sys(e, "%s/%s/%s: rename", fs->root, FS_TOKENS, token);
		goto out;
	}
	tmp[0] = '\0';
	if (fsync(dfd) == -1) {
		err_sys(e, "%s/%s: fsync", fs->root, FS_TOKENS);
		goto out;
	}
	rc = 0;
out:
	if (fd != -1) {
		close(fd);
		if (tmp[0] != '\0')
			unlinkat(dfd, tmp, 0);
	}
	close(dfd);
	return rc;
}

int
fs_del_token(void *be, const char *token, struct err *e)
{
	struct store_fs *fs = be;
	int dfd, rc = -1;

	if ((dfd = fs_token_dir(fs, 0, e)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (unlinkat(dfd, token, 0) == -1 && errno != ENOENT) {
		err_sys(e, "%s/%s/%s", fs->root, FS_TOKENS, token);
		goto out;
	}
	rc = 0;
out:
	close(dfd);
	return rc;
}

int
fs_get_token(void *be, const char *token, char **keyauth, struct err *e)
{
	struct store_fs *fs = be;
	struct stat st;
	char buf[FS_TOKEN_MAX + 1], *shown = NULL;
	ssize_t n;
	size_t len = 0;
	int fd, rc = -1;

	*keyauth = NULL;
	/* Through the held root, or the path when the root was missing at
	   open (it may have been made since). */
	shown = xstrcat(fs->root, "/" FS_TOKENS "/", token, NULL);
	if (fs->root_fd != -1) {
		char *rel = xstrcat(FS_TOKENS "/", token, NULL);

		fd = file_open_regular_st(fs->root_fd, rel, shown, 1, &st, e);
		free(rel);
	} else
		fd = file_open_regular_st(AT_FDCWD, shown, shown, 1, &st, e);
	if (fd == -1) {
		rc = errno == ENOENT || errno == ENOTDIR ? 1 : -1;
		goto out;
	}
	if (st.st_mtime <= time(NULL)) {
		rc = 1;		/* expired: as good as gone */
		goto out_fd;
	}
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1) {
			err_sys(e, "%s: read", shown);
			goto out_fd;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > FS_TOKEN_MAX) {
		err_set(e, "%s: larger than %d bytes", shown, FS_TOKEN_MAX);
		goto out_fd;
	}
	*keyauth = xstrndup(buf, len);
	rc = 0;
out_fd:
	close(fd);
out:
	if (rc != -1)
		err_clear(e);
	free(shown);
	return rc;
}
