/*
 * fs_blob.c - the directory backend of the store: blobs (the files under
 * the root named by their key: state, accounts...), their identity, and
 * the listings of sets and of blobs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/str.h"
#include "store/backend.h"
#include "store/fs_impl.h"
#include "store/store.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
fs_list(void *be, struct strlist *names, struct err *e)
{
	struct store_fs *fs = be;
	struct dirent *de;
	struct stat st;
	char *dir;
	DIR *d;
	int rc = -1;

	dir = path_join(fs->root, "letsencrypt");
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			rc = 0;
		else
			err_sys(e, "%s", dir);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')	/* ., .., temporaries */
			continue;
		/* Follows the symlink: a set whose target is gone is not. */
		if (fstatat(dirfd(d), de->d_name, &st, 0) == -1 ||
		    !S_ISDIR(st.st_mode))
			continue;
		strlist_add(names, de->d_name);
	}
	closedir(d);
	if (names->n > 1)
		qsort(names->v, names->n, sizeof(*names->v), cmp_str);
	rc = 0;
out:
	free(dir);
	return rc;
}

int
fs_get_blob(void *be, const char *key, char **data, size_t *len,
    struct err *e)
{
	struct store_fs *fs = be;
	char *path;
	int rc = -1;

	path = path_join(fs->root, key);
	if ((*data = fs->root_fd != -1 ?
	    file_read_nofollow_at(fs->root_fd, key, path, STORE_FILE_MAX, len,
	    e) : file_read_nofollow(path, STORE_FILE_MAX, len, e)) != NULL)
		rc = 1;
	else if (errno == ENOENT)
		rc = 0;
	free(path);
	return rc;
}

int
fs_stat_blob(void *be, const char *key, struct store_fileid *id,
    struct err *e)
{
	struct store_fs *fs = be;
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (fs->root_fd == -1) {
		err_set(e, "%s: not open", fs->root);
		return -1;
	}
	if (fstatat(fs->root_fd, key, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return 0;
		err_sys(e, "%s/%s", fs->root, key);
		return -1;
	}
	/* A state that is a symlink or no regular file is read (and
	   judged) by get_blob, never taken on its identity. */
	if (!S_ISREG(st.st_mode)) {
		err_set(e, "%s/%s: not a regular file", fs->root, key);
		return -1;
	}
	fs_fileid(&st, id);
	return 1;
}

int
fs_put_blob(void *be, const char *key, const void *data, size_t len,
    mode_t mode, struct err *e)
{
	struct store_fs *fs = be;
	char *path, *dir;
	int rc = -1;

	path = path_join(fs->root, key);
	dir = path_dirname(path);
	if (mkdir_p(dir, 0700, e) == 0 &&
	    file_write_atomic(path, data, len, mode, e) == 0)
		rc = 0;
	free(dir);
	free(path);
	return rc;
}

int
fs_del_blob(void *be, const char *key, struct err *e)
{
	struct store_fs *fs = be;
	char *path, *dir;
	int rc = -1;

	path = path_join(fs->root, key);
	dir = path_dirname(path);
	if (unlink(path) == -1) {
		if (errno == ENOENT)
			rc = 0;
		else
			err_sys(e, "%s", path);
		goto out;
	}
	rc = dir_fsync(dir, e);
out:
	free(dir);
	free(path);
	return rc;
}

/* Walks dir (key prefix rel) adding regular files; skips dot names. */
static int
fs_walk_blobs(const char *dir, const char *rel, struct strlist *keys,
    struct buf *modes, struct err *e)
{
	struct dirent *de;
	struct stat st;
	char *sub, *subrel;
	mode_t m;
	DIR *d;
	int rc = -1;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		err_sys(e, "%s", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')	/* ., .., temporaries */
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW)
		    == -1) {
			err_sys(e, "%s/%s", dir, de->d_name);
			goto out;
		}
		sub = path_join(dir, de->d_name);
		subrel = path_join(rel, de->d_name);
		if (S_ISDIR(st.st_mode)) {
			if (fs_walk_blobs(sub, subrel, keys, modes, e) != 0) {
				free(sub);
				free(subrel);
				goto out;
			}
		} else if (S_ISREG(st.st_mode)) {
			strlist_add(keys, subrel);
			m = st.st_mode & 07777;
			buf_append(modes, &m, sizeof(m));
		}
		free(sub);
		free(subrel);
	}
	rc = 0;
out:
	closedir(d);
	return rc;
}

int
fs_list_blobs(void *be, const char *prefix, struct strlist *keys,
    mode_t **modes, struct err *e)
{
	struct store_fs *fs = be;
	struct strlist got;
	struct buf mb;
	mode_t *mv = NULL, *out = NULL;
	char *dir, **order = NULL;
	size_t i, j, n;
	int rc = -1;

	strlist_init(&got);
	buf_init(&mb);
	dir = path_join(fs->root, prefix);
	if (fs_walk_blobs(dir, prefix, &got, &mb, e) != 0)
		goto out;
	n = got.n;
	mv = (mode_t *)(void *)mb.data;
	/* Sort keys, carrying each one's mode along. */
	order = xcalloc(n + 1, sizeof(*order));
	for (i = 0; i < n; i++)
		order[i] = got.v[i];
	if (n > 1)
		qsort(order, n, sizeof(*order), cmp_str);
	out = xcalloc(n + 1, sizeof(*out));
	for (i = 0; i < n; i++) {
		for (j = 0; j < n && got.v[j] != order[i]; j++)
			;
		out[i] = mv[j];
	}
	if (modes != NULL) {
		/* Parallel to the keys this call adds. */
		*modes = out;
		out = NULL;
	}
	for (i = 0; i < n; i++)
		strlist_add(keys, order[i]);
	rc = 0;
out:
	free(out);
	free(order);
	buf_clear(&mb);
	strlist_clear(&got);
	free(dir);
	return rc;
}
