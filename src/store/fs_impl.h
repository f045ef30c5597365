/*
 * fs_impl.h - private to the directory backend of the store: what its
 * parts share. fs.c opens and closes the store and holds the sets, their
 * replacement, the locks and the backend table; fs_blob.c the blobs and
 * the listings; fs_token.c the http-01 token files.
 */
#ifndef CERTKEEP_STORE_FS_IMPL_H
#define CERTKEEP_STORE_FS_IMPL_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct err;
struct store_fileid;
struct strlist;

struct store_fs {
	char	*root;
	/* <root>/letsencrypt opened at fs_open() (stats without a path
	   walk each), or -1 */
	int	 live_fd;
	/* <root> itself, for the state files read every run, or -1 */
	int	 root_fd;
};

/* fs.c */
void	 fs_fileid(const struct stat *st, struct store_fileid *id);

/* fs_blob.c: the operations of the same names of struct store_backend. */
int	 fs_list(void *be, struct strlist *names, struct err *e);
int	 fs_get_blob(void *be, const char *key, char **data, size_t *len,
	    struct err *e);
int	 fs_stat_blob(void *be, const char *key, struct store_fileid *id,
	    struct err *e);
int	 fs_put_blob(void *be, const char *key, const void *data, size_t len,
	    mode_t mode, struct err *e);
int	 fs_del_blob(void *be, const char *key, struct err *e);
int	 fs_list_blobs(void *be, const char *prefix, struct strlist *keys,
	    mode_t **modes, struct err *e);

/* fs_token.c: likewise. */
int	 fs_put_token(void *be, const char *token, const char *keyauth,
	    int ttl, struct err *e);
int	 fs_del_token(void *be, const char *token, struct err *e);
int	 fs_get_token(void *be, const char *token, char **keyauth,
	    struct err *e);

#endif
