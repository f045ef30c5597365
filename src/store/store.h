/*
 * store.h - the certificate repository (docs/store.md), the only code that
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
 * An etcd store (root "etcd://HOST:PORT[,HOST:PORT...]/PREFIX"): how to
 * reach etcd and where this node keeps its local mirror of the live sets.
 * Paths are absolute; NULL members are unset.
 */
struct store_etcd_opts {
	const char	*ca_file;	/* TLS to etcd (peer verified) */
	const char	*cert_file;	/* client certificate */
	const char	*key_file;
	const char	*auth_file;	/* user and password, one a line */
	long		 lock_ttl;	/* seconds; 0: 60 */
	const char	*local_dir;	/* NULL: /var/opt/certkeep */
};
#define STORE_ETCD_SCHEME	"etcd://"
#define STORE_ETCD_LOCK_TTL	60
#define STORE_ETCD_LOCAL_DIR	"/var/opt/certkeep"

/*
 * As store_open(); a root starting with "etcd://" opens the etcd backend
 * with eo (NULL: defaults), which reaches etcd and brings the local mirror
 * up to date first (a store that cannot be reached fails here, the mirror
 * untouched). Any other root is a directory (eo ignored).
 */
struct store *store_open_with(const char *root,
	    const struct store_etcd_opts *eo, int create, struct err *e);
/* 1 when several hosts share the store (etcd): there is no store-wide
   lock, and a certificate's lock is where its work is decided. */
int	 store_is_shared(const struct store *s);
/* Requests sent to the backend's server so far (-1: a directory). */
long	 store_requests(const struct store *s);
/* 1 when name's live set changed during this store's life by the hand of
   another host (etcd: brought into the local mirror), so its listeners
   reload and its deploy hook runs here too; 0 for a directory. */
int	 store_changed_elsewhere(const struct store *s, const char *name);

/*
 * The path a listener uses for a file of a certificate:
 * "<root>/letsencrypt/<name>/<file>" (etcd: root is the local mirror,
 * etcd.local_dir). Malloced, caller frees.
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
 * one can hold then; an etcd store has none: a no-op there);
 * store_lock_cert() a per-certificate lock, taken with the store lock
 * held (etcd: bound to this run's lease, and taking it brings the local
 * mirror up to date, so what is read under it is current). With wait, blocks until free; without, fails
 * at once with a message saying who holds it (pid).
 */
int	 store_lock(struct store *s, int wait, struct store_lock **lk,
	    struct err *e);
int	 store_lock_cert(struct store *s, const char *name, int wait,
	    struct store_lock **lk, struct err *e);
/*
 * The lock under which the ACME account is read, made and registered: in
 * a shared store (etcd), where no store-wide lock keeps two nodes from
 * each registering an account at once (and the key of one ending up with
 * the account URL of the other); it waits. Elsewhere the store-wide lock
 * the caller holds already does that: *lk NULL, 0.
 */
int	 store_lock_account(struct store *s, struct store_lock **lk,
	    struct err *e);
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
/* 1 when the backend can stat a state file (the summary of states
   needs it; etcd keeps its own record in the mirror), else 0. */
int	 store_can_stat_state(const struct store *s);
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

/*
 * http-01 key authorizations published for `certkeep serve-http01` (the
 * manifest's challenge.http-01.publish). token is base64url (at most
 * STORE_TOKEN_MAX characters), keyauth token "." thumbprint; ttl (seconds)
 * bounds how long it is served if it is never deleted. Neither is secret:
 * the directory backend keeps them in <root>/http-01/<token> (0644 in a
 * 0755 directory, the file's mtime its expiry). put replaces; del of a
 * missing token is no error. get returns 0 and *keyauth (malloced, caller
 * frees), 1 when there is no such token or it has expired, -1 on error.
 */
#define STORE_TOKEN_MAX	255
int	 store_put_token(struct store *s, const char *token,
	    const char *keyauth, int ttl, struct err *e);
int	 store_del_token(struct store *s, const char *token, struct err *e);
int	 store_get_token(struct store *s, const char *token, char **keyauth,
	    struct err *e);
/* Whether token may name a published token (base64url, bounded). */
int	 store_token_ok(const char *token);
/*
 * The published tokens of the store at root as serve-http01 reads them,
 * without opening the rest of the store. etcd (root "etcd://..."): a
 * client of its own (eo: TLS files, auth_file) reads PREFIX/tokens/ once
 * and a watch keeps a copy in memory, so that requests are answered from
 * memory; nothing else is read and the local mirror is not touched (the
 * responder needs no write access anywhere, and etcd may grant its user
 * read access to PREFIX/tokens/ alone). A directory: opened as a store
 * (never created), each get reads the token's file. get is as
 * store_get_token(). Returns NULL and fills e when the tokens cannot be
 * read. Close frees it (NULL is a no-op).
 */
struct store_token_watch;
struct store_token_watch *store_token_watch_open(const char *root,
	    const struct store_etcd_opts *eo, struct err *e);
int	 store_token_watch_get(struct store_token_watch *w, const char *token,
	    char **keyauth, struct err *e);
void	 store_token_watch_close(struct store_token_watch *w);

#endif
