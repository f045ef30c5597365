/*
 * file.h - file I/O with the atomic-replace rule: reading regular files
 * only, replacing a file so that a crash leaves the old or the new one,
 * directories made durable, created and removed.
 */
#ifndef CERTKEEP_FILE_H
#define CERTKEEP_FILE_H

#include <stddef.h>
#include <sys/types.h>

struct stat;

struct err;

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

#endif
