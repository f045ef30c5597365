/*
 * store.h - the certificate repository (SPEC section 3), the only code that
 * touches <store>/. A small interface (read a set, replace a set atomically,
 * lock a certificate, get/put its state, list, blobs for accounts) with the
 * directory tree as its first backend; an etcd backend comes later, so no
 * other module builds paths under the store except through
 * store_live_path(), which names the files listeners read.
 *
 * Layout of the fs backend:
 *   <root>/letsencrypt/<name>            symlink -> ../archive/<name>/<N>
 *   <root>/archive/<name>/<N>/{cert.pem,cert_auth.pem,fullchain.pem,
 *                              key.pem,combined.pem}  every set ever written
 *   <root>/state/<name>.json             per-certificate state (versioned JSON)
 *   <root>/cache/states.<k>              the summary of the states
 *                                        (statesum.h): derived, rebuilt
 *                                        by apply, never backed up
 *   <root>/accounts/<directory host>/... blobs (account key, URL)
 *   <root>/locks/store.lock              flock: the store-wide lock
 *   <root>/locks/cert/<name>.lock        flock: one per certificate (apart
 *                                        from the store's: any name works)
 * A set is replaced by writing a new archive directory, then renaming a
 * fresh symlink over letsencrypt/<name>: readers see old or new, never a mix.
 */
#ifndef CERTKEEP_STORE_H
#define CERTKEEP_STORE_H

#include <stddef.h>
#include <sys/types.h>

struct cJSON;
struct err;
struct strlist;
struct store;
struct store_lock;

/* The files of a set, in this order in struct store_setid. */
enum store_file {
	STORE_F_CERT,
	STORE_F_CHAIN,
	STORE_F_KEY,
	STORE_F_FULLCHAIN,
	STORE_F_COMBINED,
	STORE_F__MAX
};
extern const char *const store_file_names[STORE_F__MAX];  /* "cert.pem"... */

/*
 * The identity of one file of a set: what changes when the file is
 * replaced or written to (an archive entry is never rewritten, so while
 * it stays the same, so does its content). present 0: no such file.
 */
struct store_fileid {
	int		 present;
	unsigned long long dev;
	unsigned long long ino;
	long long	 size;
	long long	 mtime_ns;
	long long	 ctime_ns;
	mode_t		 mode;		/* permission bits */
};
struct store_setid {
	struct store_fileid f[STORE_F__MAX];
};

/* One certificate set, PEM text. Members are malloced, NUL-terminated. */
struct certset {
	char	*cert;		/* leaf certificate */
	char	*chain;		/* intermediates (may be "" when none) */
	char	*key;		/* private key (PKCS#8 PEM) */
	char	*fullchain;	/* derived on write: cert + chain */
	char	*combined;	/* derived on write: key + cert + chain
				   (HAProxy, Postfix chain_files, Axigen) */
	mode_t	 key_mode;	/* read: permission bits of key.pem (0 when
				   unknown); ignored on write */
	/* read: the identities of the files read, taken from the handles
	   they were read through (all zero when the backend has none) */
	struct store_setid id;
};

/* Frees the members (not the struct) and zeroes them; the key is wiped. */
void	 certset_clear(struct certset *set);

/* The file names inside letsencrypt/<name>/. */
#define STORE_CERT	"cert.pem"
#define STORE_CHAIN	"cert_auth.pem"
#define STORE_KEY	"key.pem"
#define STORE_FULLCHAIN	"fullchain.pem"
#define STORE_COMBINED	"combined.pem"

/*
 * Opens the store at root. With create, makes root (0700) and its
 * subdirectories; without, a missing root is not an error (reads find
 * nothing). Returns NULL and fills e on failure. Free with store_free().
 */
struct store *store_open(const char *root, int create, struct err *e);
void	 store_free(struct store *s);
const char *store_root(const struct store *s);

/*
 * The path a listener uses for a file of a certificate:
 * "<root>/letsencrypt/<name>/<file>". Malloced, caller frees.
 */
char	*store_live_path(const struct store *s, const char *name,
	    const char *file);

/*
 * Reads the live set of name. Returns 1 and fills set (caller clears) when
 * it exists, 0 when there is no set at all, -1 on an I/O error. A set with
 * some files missing is returned with those members NULL (the reader
 * decides what that means).
 */
int	 store_read_set(struct store *s, const char *name, struct certset *set,
	    struct err *e);
/*
 * The identities of the files of the live set of name, without reading
 * them (cheap: no content is read). Returns 1 and fills id when the set
 * exists, 0 when there is none, -1 on an I/O error or when the backend
 * cannot tell (e says so): the caller then reads the set.
 */
int	 store_stat_set(struct store *s, const char *name,
	    struct store_setid *id, struct err *e);
/*
 * The caller holds store_lock_cert(name) (apply: under store_lock()).
 * Replaces the live set of name with cert/chain/key of set atomically
 * (deriving fullchain and combined), keeping the previous set in the
 * archive. Directories 0700, files 0600 (key, combined) or 0644.
 */
int	 store_replace_set(struct store *s, const char *name,
	    const struct certset *set, struct err *e);

/*
 * Locks. store_lock() takes the store-wide lock that one `apply` holds
 * (and removes per-certificate lock files of the older layout, which no
 * one can hold then); store_lock_cert() a per-certificate lock, taken
 * with the store lock held. With wait, blocks until free; without, fails
 * at once with a message saying who holds it (pid).
 */
int	 store_lock(struct store *s, int wait, struct store_lock **lk,
	    struct err *e);
int	 store_lock_cert(struct store *s, const char *name, int wait,
	    struct store_lock **lk, struct err *e);
void	 store_unlock(struct store_lock *lk);	/* NULL is a no-op */

/*
 * Per-certificate state JSON. get returns 1 and a new tree in *state
 * (caller deletes), 0 when there is none, and also 0 (with a warning in
 * *warning, malloced) when the file was corrupt and has been discarded;
 * -1 on I/O error. put replaces it atomically.
 */
int	 store_get_state(struct store *s, const char *name,
	    struct cJSON **state, char **warning, struct err *e);
/* As store_get_state(); with text non-NULL, *text also gets the file as
   read (malloced, NUL-terminated) when 1 is returned. */
int	 store_get_state_text(struct store *s, const char *name,
	    struct cJSON **state, char **text, char **warning, struct err *e);
int	 store_put_state(struct store *s, const char *name,
	    const struct cJSON *state, struct err *e);
/*
 * The identity of the state of name without reading it (a state is
 * replaced, never rewritten in place, so while it stays the same, so does
 * the content). Returns 1, 0 when there is none, -1 on an error or when
 * the backend cannot tell (e says so).
 */
int	 store_stat_state(struct store *s, const char *name,
	    struct store_fileid *id, struct err *e);

/* Names of all certificates that have a live set (sorted). */
int	 store_list(struct store *s, struct strlist *names, struct err *e);

/*
 * Small named blobs (account key, account URL, ...). key is a relative
 * path such as "accounts/acme.example/key.pem". get returns 1 and a
 * malloced buffer, 0 when absent, -1 on error.
 */
int	 store_get_blob(struct store *s, const char *key, char **data,
	    size_t *len, struct err *e);
int	 store_put_blob(struct store *s, const char *key, const void *data,
	    size_t len, mode_t mode, struct err *e);
int	 store_del_blob(struct store *s, const char *key, struct err *e);
/*
 * Keys of every blob under prefix (a relative directory such as
 * "accounts" or "state"), recursively, sorted; appended to keys. With
 * modes non-NULL, *modes gets a malloced array of their permission bits,
 * parallel to the keys added (caller frees). Used by backup. Returns 0 or
 * -1; a missing prefix is no blob at all.
 */
int	 store_list_blobs(struct store *s, const char *prefix,
	    struct strlist *keys, mode_t **modes, struct err *e);

#endif
