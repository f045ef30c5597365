/*
 * store_backend.h - private to the store module: the operations table a
 * store backend implements. store.c checks names and keys, derives the
 * set's extra files and keeps state JSON on top of blobs; a backend only
 * moves bytes. The directory tree (store_fs.c) is the first backend; an
 * etcd backend adds one table and one file.
 */
#ifndef CERTKEEP_STORE_BACKEND_H
#define CERTKEEP_STORE_BACKEND_H

#include <stddef.h>
#include <sys/types.h>

struct certset;
struct store_fileid;
struct store_setid;
struct err;
struct strlist;
struct store_lock;

struct store_backend {
	const char *name;
	/* Returns the backend's private data, or NULL and fills e. */
	void	*(*open)(const char *root, int create, struct err *e);
	void	 (*close)(void *be);
	/* As store_read_set(); name is already checked. */
	int	 (*read_set)(void *be, const char *name, struct certset *set,
		    struct err *e);
	/* As store_stat_set(); may be NULL (the store then says it cannot
	   tell, and callers read the set). stat_set and stat_blob run on
	   several threads at once (statesum_prefetch()). */
	int	 (*stat_set)(void *be, const char *name,
		    struct store_setid *id, struct err *e);
	/* The identity of blob key (a regular file's, links not
	   followed), without reading it: 1, 0 when absent, -1 on error.
	   May be NULL (the store then says it cannot tell). */
	int	 (*stat_blob)(void *be, const char *key,
		    struct store_fileid *id, struct err *e);
	/* set has all five members set (fullchain, combined derived). */
	int	 (*replace_set)(void *be, const char *name,
		    const struct certset *set, struct err *e);
	/* what is "store" or a certificate name; *lk malloced by backend. */
	int	 (*lock)(void *be, const char *what, int wait,
		    struct store_lock **lk, struct err *e);
	void	 (*unlock)(struct store_lock *lk);
	int	 (*list)(void *be, struct strlist *names, struct err *e);
	/* key is already checked (relative, no "..", no dot-components). */
	int	 (*get_blob)(void *be, const char *key, char **data,
		    size_t *len, struct err *e);
	int	 (*put_blob)(void *be, const char *key, const void *data,
		    size_t len, mode_t mode, struct err *e);
	int	 (*del_blob)(void *be, const char *key, struct err *e);
	/* As store_list_blobs(); prefix is already checked. */
	int	 (*list_blobs)(void *be, const char *prefix,
		    struct strlist *keys, mode_t **modes, struct err *e);
	/* http-01 key authorizations published for serve-http01; ttl in
	   seconds bounds how long a published token lives (etcd: a lease). */
	int	 (*put_token)(void *be, const char *token, const char *keyauth,
		    int ttl, struct err *e);
	int	 (*del_token)(void *be, const char *token, struct err *e);
	/* 0 and *keyauth malloced; 1 when there is no such token. */
	int	 (*get_token)(void *be, const char *token, char **keyauth,
		    struct err *e);
};

/* A held lock; the backend that made it releases it. */
struct store_lock {
	const struct store_backend *be;
	int	 fd;		/* fs: the flocked file */
	void	*priv;
};

extern const struct store_backend store_fs_backend;
extern const struct store_backend store_etcd_backend;

struct store_etcd_opts;
/*
 * The etcd backend's open (root "etcd://H:P[,H:P...]/PREFIX"): it needs
 * more than a root, so store.c calls it instead of the table's open.
 * Reaches etcd and brings the local mirror up to date before it returns.
 */
void	*store_etcd_open(const char *root, const struct store_etcd_opts *o,
	    int create, struct err *e);
/* The local mirror's directory (listeners read the live sets there). */
const char *store_etcd_local_dir(void *be);
/* Requests sent to etcd so far. */
long	 store_etcd_requests(void *be);
/* 1 when this run brought name's live set into the mirror from etcd. */
int	 store_etcd_synced(void *be, const char *name);

/* Sets kept in archive/<name>/ besides the live one. */
#define STORE_ARCHIVE_KEEP	5
/* Largest file read from a set or a blob. */
#define STORE_FILE_MAX		(1024 * 1024)

#endif
