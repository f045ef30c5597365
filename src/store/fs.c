/*
 * fs.c - the directory-tree backend of the store (layout in store.h): open,
 * close, sets, their replacement, locks and the backend table.
 *
 * A set is written into a fresh archive/<name>/<N> directory (built under a
 * temporary name, renamed when complete), then a new symlink is renamed
 * over letsencrypt/<name>; a reader opens letsencrypt/<name> once and reads
 * every file through that directory handle, so it sees one set, never a
 * mix. Leftovers of a crash (temporary directories and symlinks, all named
 * with ".tmp-") are invisible to readers and removed by the next write.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/rand.h"
#include "base/str.h"
#include "store/backend.h"
#include "store/fs_impl.h"
#include "store/store.h"

static const char *const fs_subdirs[] = {
	"letsencrypt", "archive", "state", "accounts", "locks",
};

/* The store-wide lock, and the directory of per-certificate locks
   (locks/cert/<name>.lock): apart, so that no name meets the other. */
#define FS_STORE_LOCK	"store.lock"
#define FS_CERT_LOCKS	"locks/cert"

static void *
fs_open(const char *root, int create, struct err *e)
{
	struct store_fs *fs;
	char *p;
	size_t i;

	if (create) {
		if (mkdir_p(root, 0700, e) == -1)
			return NULL;
		for (i = 0; i < sizeof(fs_subdirs) / sizeof(fs_subdirs[0]);
		    i++) {
			p = path_join(root, fs_subdirs[i]);
			if (mkdir_p(p, 0700, e) == -1) {
				free(p);
				return NULL;
			}
			free(p);
		}
	}
	fs = xcalloc(1, sizeof(*fs));
	fs->root = xstrdup(root);
	p = path_join(root, "letsencrypt");
	fs->live_fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(p);
	fs->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fs;
}

static void
fs_close(void *be)
{
	struct store_fs *fs = be;

	if (fs == NULL)
		return;
	if (fs->live_fd != -1)
		close(fs->live_fd);
	if (fs->root_fd != -1)
		close(fs->root_fd);
	free(fs->root);
	free(fs);
}

/* What identifies a file's content while it is not rewritten. */
void
fs_fileid(const struct stat *st, struct store_fileid *id)
{
	id->present = 1;
	id->dev = (unsigned long long)st->st_dev;
	id->ino = (unsigned long long)st->st_ino;
	id->size = (long long)st->st_size;
	id->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL +
	    st->st_mtim.tv_nsec;
	id->ctime_ns = (long long)st->st_ctim.tv_sec * 1000000000LL +
	    st->st_ctim.tv_nsec;
	id->mode = st->st_mode & 07777;
}

/* Reads file of the directory dfd; NULL member when it does not exist.
   id gets the identity of what was read (through the same handle). */
static int
fs_read_member(int dfd, const char *dir, const char *file, char **out,
    struct store_fileid *id, struct err *e)
{
	struct buf b;
	struct stat st;
	char chunk[8192], *shown;
	ssize_t n;
	int fd;

	*out = NULL;
	memset(id, 0, sizeof(*id));
	/* Only a regular file: a FIFO planted here would hang the read.
	   Symlinks are followed (a hand-made set may point into a certbot
	   archive), to a file of root or of ours only. */
	shown = xasprintf("%s/%s", dir, file);
	fd = file_open_regular(dfd, file, shown, 0, e);
	if (fd == -1) {
		free(shown);
		return errno == ENOENT ? 0 : -1;
	}
	buf_init(&b);
	if (fstat(fd, &st) == -1 || (st.st_uid != 0 &&
	    st.st_uid != geteuid())) {
		err_set(e, "%s: owned by uid %ld, neither root nor us; "
		    "refused", shown, (long)st.st_uid);
		free(shown);
		goto fail;
	}
	free(shown);
	fs_fileid(&st, id);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err_sys(e, "%s/%s: read", dir, file);
			goto fail;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > STORE_FILE_MAX) {
			err_set(e, "%s/%s: larger than %d bytes", dir, file,
			    STORE_FILE_MAX);
			goto fail;
		}
		buf_append(&b, chunk, (size_t)n);
	}
	close(fd);
	/* An empty file reads as "" so the caller can tell it from absent;
	   buf_steal of an empty buffer may give NULL. */
	*out = b.data != NULL ? buf_steal(&b) : xstrdup("");
	return 0;
fail:
	if (b.data != NULL)
		explicit_bzero(b.data, b.len);
	buf_clear(&b);
	close(fd);
	return -1;
}

static int
fs_read_set(void *be, const char *name, struct certset *set, struct err *e)
{
	struct store_fs *fs = be;
	struct stat held, now;
	char *dir;
	int dfd = -1, rc = -1, tries;

	dir = xasprintf("%s/letsencrypt/%s", fs->root, name);
	/*
	 * One handle on the directory pins one set even if a writer swaps
	 * the symlink while we read. But a writer that replaces the set
	 * several times meanwhile prunes the archive entry we hold, and its
	 * files vanish under us: when the live set is no longer the one we
	 * read, read again (the newer set is the one wanted anyway).
	 */
	for (tries = 0; tries < 10; tries++) {
		if (dfd != -1) {
			close(dfd);
			certset_clear(set);
		}
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd == -1) {
			if (errno == ENOENT) {	/* none, or a dangling symlink */
				rc = 0;
				goto out;
			}
			err_sys(e, "%s", dir);
			goto out;
		}
		if (fs_read_member(dfd, dir, STORE_CERT, &set->cert,
		    &set->id.f[STORE_F_CERT], e) == -1 ||
		    fs_read_member(dfd, dir, STORE_CHAIN, &set->chain,
		    &set->id.f[STORE_F_CHAIN], e) == -1 ||
		    fs_read_member(dfd, dir, STORE_KEY, &set->key,
		    &set->id.f[STORE_F_KEY], e) == -1 ||
		    fs_read_member(dfd, dir, STORE_FULLCHAIN, &set->fullchain,
		    &set->id.f[STORE_F_FULLCHAIN], e) == -1 ||
		    fs_read_member(dfd, dir, STORE_COMBINED, &set->combined,
		    &set->id.f[STORE_F_COMBINED], e) == -1) {
			certset_clear(set);
			goto out;
		}
		set->key_mode = set->id.f[STORE_F_KEY].mode;
		if (fstat(dfd, &held) == -1 || stat(dir, &now) == -1 ||
		    (held.st_dev == now.st_dev && held.st_ino == now.st_ino))
			break;
	}
	rc = 1;
out:
	if (dfd != -1)
		close(dfd);
	free(dir);
	return rc;
}

/* The identities of the live set's files, through one directory handle. */
static int
fs_stat_set(void *be, const char *name, struct store_setid *id,
    struct err *e)
{
	struct store_fs *fs = be;
	struct stat st;
	char *dir = NULL;
	int dfd, i, rc = -1;

	/* Called for every certificate of a run: the path is made only for
	   a message. */
	memset(id, 0, sizeof(*id));
	if (fs->live_fd != -1)
		dfd = openat(fs->live_fd, name, O_PATH | O_DIRECTORY |
		    O_CLOEXEC);
	else {
		dir = xasprintf("%s/letsencrypt/%s", fs->root, name);
		dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (dfd == -1) {
		if (errno == ENOENT)
			rc = 0;
		else
			err_sys(e, "%s/letsencrypt/%s", fs->root, name);
		goto out;
	}
	for (i = 0; i < STORE_F__MAX; i++) {
		if (fstatat(dfd, store_file_names[i], &st, 0) == 0) {
			/* A FIFO or device is no set member: the caller's
			   full read names it. */
			if (!S_ISREG(st.st_mode)) {
				err_set(e, "%s/letsencrypt/%s/%s: not a regular "
				    "file", fs->root, name, store_file_names[i]);
				goto out;
			}
			fs_fileid(&st, &id->f[i]);
		} else if (errno != ENOENT) {
			err_sys(e, "%s/letsencrypt/%s/%s", fs->root, name,
			    store_file_names[i]);
			goto out;
		}
	}
	rc = 1;
out:
	if (dfd != -1)
		close(dfd);
	free(dir);
	return rc;
}

/* "12" -> 12; anything else (temporaries, strays) -> -1. */
static long
fs_archive_number(const char *s)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > INT_MAX)
		return -1;
	return n;
}

static int
cmp_long_desc(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * Lists the numbered sets of archive/<name> (sorted newest first, malloced
 * into *nums) and removes the temporaries a crashed writer left behind.
 */
static int
fs_archive_scan(const char *adir, long **nums, size_t *n, struct err *e)
{
	struct dirent *de;
	DIR *d;
	char *p;
	size_t cap = 0;
	long v;
	struct err ignored;

	*nums = NULL;
	*n = 0;
	if ((d = opendir(adir)) == NULL) {
		err_sys(e, "%s", adir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".tmp-") != NULL) {
			p = path_join(adir, de->d_name);
			(void)rm_rf(p, &ignored);
			free(p);
			continue;
		}
		if ((v = fs_archive_number(de->d_name)) < 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*nums = xrealloc(*nums, cap * sizeof(**nums));
		}
		(*nums)[(*n)++] = v;
	}
	closedir(d);
	if (*n > 0)
		qsort(*nums, *n, sizeof(**nums), cmp_long_desc);
	return 0;
}

/* Removes letsencrypt/.<name>.tmp-* symlinks left by a crashed writer. */
static void
fs_clean_live_tmp(const char *ldir, const char *name)
{
	struct dirent *de;
	DIR *d;
	char *prefix, *p;
	size_t plen;

	if ((d = opendir(ldir)) == NULL)
		return;
	prefix = xasprintf(".%s.tmp-", name);
	plen = strlen(prefix);
	while ((de = readdir(d)) != NULL) {
		/* ".<name>.tmp-" and hex digits only: the temporaries of
		   "a.tmp-b" are not those of "a". */
		if (strncmp(de->d_name, prefix, plen) != 0 ||
		    de->d_name[plen] == '\0' ||
		    de->d_name[plen + strspn(de->d_name + plen,
		    "0123456789abcdef")] != '\0')
			continue;
		p = path_join(ldir, de->d_name);
		/* Only our symlinks, or a directory swapped out by a
		   RENAME_EXCHANGE whose move to the archive was cut short. */
		if (unlinkat(AT_FDCWD, p, 0) == -1 && errno == EISDIR) {
			struct err ignored;
			(void)rm_rf(p, &ignored);
		}
		free(p);
	}
	free(prefix);
	closedir(d);
}

/* Writes the five files into a fresh directory, fsynced. */
static int
fs_write_files(const char *dir, const struct certset *set, struct err *e)
{
	static const struct {
		const char *file;
		size_t off;
		mode_t mode;
	} files[] = {
		{ STORE_KEY, offsetof(struct certset, key), 0600 },
		{ STORE_CERT, offsetof(struct certset, cert), 0644 },
		{ STORE_CHAIN, offsetof(struct certset, chain), 0644 },
		{ STORE_FULLCHAIN, offsetof(struct certset, fullchain), 0644 },
		{ STORE_COMBINED, offsetof(struct certset, combined), 0600 },
	};
	const char *data;
	char *p;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		data = *(char *const *)((const char *)set + files[i].off);
		p = path_join(dir, files[i].file);
		rc = file_write_atomic(p, data, strlen(data), files[i].mode, e);
		free(p);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* Renames the temporary symlink tmp over live, which is a real directory:
   exchange them atomically, then file the old directory as archive n. */
static int
fs_swap_plain_dir(const char *tmp, const char *live, const char *old_dest,
    struct err *e)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, live, RENAME_EXCHANGE) == 0) {
		if (rename(tmp, old_dest) == -1) {
			err_sys(e, "rename %s to %s", tmp, old_dest);
			return -1;
		}
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS) {
		err_sys(e, "exchange %s and %s", tmp, live);
		return -1;
	}
	/* A file system without RENAME_EXCHANGE: a short gap without a
	   live set is the best it allows; once only, at migration. */
	if (rename(live, old_dest) == -1) {
		err_sys(e, "rename %s to %s", live, old_dest);
		return -1;
	}
	if (rename(tmp, live) == -1) {
		err_sys(e, "rename %s to %s", tmp, live);
		return -1;
	}
	return 0;
}

static int
fs_replace_set(void *be, const char *name, const struct certset *set,
    struct err *e)
{
	struct store_fs *fs = be;
	char *ldir = NULL, *adir = NULL, *live = NULL, *tmpdir = NULL;
	char *newdir = NULL, *target = NULL, *tmplink = NULL;
	char *olddest = NULL, *p;
	long *nums = NULL, next, newn, oldn = -1;
	size_t n = 0, i, kept;
	unsigned char rnd[6];
	struct stat st;
	struct err ignored;
	int plain = 0, rc = -1;

	ldir = path_join(fs->root, "letsencrypt");
	adir = xasprintf("%s/archive/%s", fs->root, name);
	live = path_join(ldir, name);
	if (mkdir_p(ldir, 0700, e) == -1 || mkdir_p(adir, 0700, e) == -1)
		goto out;
	fs_clean_live_tmp(ldir, name);
	if (fs_archive_scan(adir, &nums, &n, e) == -1)
		goto out;
	next = n > 0 ? nums[0] + 1 : 1;

	if (lstat(live, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			plain = 1;
		else if (!S_ISLNK(st.st_mode)) {
			err_set(e, "%s: neither a directory nor a symlink",
			    live);
			goto out;
		}
	} else if (errno != ENOENT) {
		err_sys(e, "%s", live);
		goto out;
	}
	if (plain) {	/* the old directory becomes archive <next> */
		oldn = next;
		olddest = xasprintf("%s/%ld", adir, oldn);
		next++;
	}
	newn = next;

	/* Build the new set under a temporary name, then publish it. */
	tmpdir = xasprintf("%s/%ld.tmp-XXXXXX", adir, newn);
	if (mkdtemp(tmpdir) == NULL) {
		err_sys(e, "%s", tmpdir);
		free(tmpdir);
		tmpdir = NULL;
		goto out;
	}
	if (fs_write_files(tmpdir, set, e) == -1)
		goto out;
	newdir = xasprintf("%s/%ld", adir, newn);
	if (rename(tmpdir, newdir) == -1) {
		err_sys(e, "rename %s to %s", tmpdir, newdir);
		goto out;
	}
	free(tmpdir);
	tmpdir = NULL;
	if (dir_fsync(adir, e) == -1)
		goto out;

	if (rand_bytes(rnd, sizeof(rnd)) == -1) {
		err_set(e, "%s: no randomness for a temporary name", ldir);
		goto out;
	}
	tmplink = xasprintf("%s/.%s.tmp-%02x%02x%02x%02x%02x%02x", ldir, name,
	    rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
	target = xasprintf("../archive/%s/%ld", name, newn);
	if (symlink(target, tmplink) == -1) {
		err_sys(e, "%s", tmplink);
		free(tmplink);
		tmplink = NULL;
		goto out;
	}
	if (plain) {
		if (fs_swap_plain_dir(tmplink, live, olddest, e) == -1)
			goto out;
	} else if (rename(tmplink, live) == -1) {
		err_sys(e, "rename %s to %s", tmplink, live);
		goto out;
	}
	free(tmplink);
	tmplink = NULL;
	if (dir_fsync(ldir, e) == -1 || dir_fsync(adir, e) == -1)
		goto out;
	rc = 0;

	/* Housekeeping: keep the live set and the STORE_ARCHIVE_KEEP newest
	   others; a failure here loses nothing. */
	if (oldn >= 0) {
		nums = xrealloc(nums, (n + 1) * sizeof(*nums));
		nums[n++] = oldn;
		qsort(nums, n, sizeof(*nums), cmp_long_desc);
	}
	for (i = 0, kept = 0; i < n; i++) {
		if (nums[i] == newn)
			continue;
		if (++kept <= STORE_ARCHIVE_KEEP)
			continue;
		p = xasprintf("%s/%ld", adir, nums[i]);
		(void)rm_rf(p, &ignored);
		free(p);
	}
out:
	if (tmpdir != NULL)
		(void)rm_rf(tmpdir, &ignored);
	if (tmplink != NULL)
		(void)unlink(tmplink);
	free(nums);
	free(ldir);
	free(adir);
	free(live);
	free(tmpdir);
	free(newdir);
	free(target);
	free(tmplink);
	free(olddest);
	return rc;
}

/*
 * Before per-certificate locks moved to locks/cert/, they were
 * locks/<name>.lock beside the store lock. Every holder of a certificate
 * lock holds the store lock first, so with the store lock held no one
 * holds those: remove them (a certificate named "store" had shared the
 * store's own lock file, which is kept).
 */
static void
fs_migrate_locks(struct store_fs *fs)
{
	struct dirent *de;
	char *dir;
	DIR *d;
	size_t n;

	dir = path_join(fs->root, "locks");
	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n <= 5 ||
		    strcmp(de->d_name + n - 5, ".lock") != 0 ||
		    strcmp(de->d_name, FS_STORE_LOCK) == 0)
			continue;
		(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	free(dir);
}

static int
fs_lock(void *be, const char *what, int wait, struct store_lock **lkp,
    struct err *e)
{
	struct store_fs *fs = be;
	struct store_lock *lk;
	char *dir = NULL, *path = NULL, pidbuf[32];
	ssize_t n;
	int fd = -1, rc = -1, r;

	/* Certificates lock in a directory of their own: no name can meet
	   the store-wide lock file. */
	dir = what == NULL ? path_join(fs->root, "locks") :
	    path_join(fs->root, FS_CERT_LOCKS);
	if (mkdir_p(dir, 0700, e) == -1)
		goto out;
	path = what == NULL ? path_join(dir, FS_STORE_LOCK) :
	    xasprintf("%s/%s.lock", dir, what);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK, 0600);
	if (fd == -1) {
		err_sys(e, "%s", path);
		goto out;
	}
	if (file_check_regular(fd, path, e) == -1)
		goto out;
	while ((r = flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB))) == -1 &&
	    errno == EINTR)
		;
	if (r == -1) {
		if (errno != EWOULDBLOCK) {
			err_sys(e, "%s: lock", path);
			goto out;
		}
		n = pread(fd, pidbuf, sizeof(pidbuf) - 1, 0);
		pidbuf[n > 0 ? n : 0] = '\0';
		pidbuf[strcspn(pidbuf, "\n")] = '\0';
		if (what == NULL)
			err_set(e, "store %s is locked by pid %s (another "
			    "certkeep apply?)", fs->root,
			    *pidbuf ? pidbuf : "unknown");
		else
			err_set(e, "certificate %s in store %s is locked by "
			    "pid %s (another certkeep apply?)", what,
			    fs->root, *pidbuf ? pidbuf : "unknown");
		goto out;
	}
	if (what == NULL)
		fs_migrate_locks(fs);
	/* Say who holds it, for the message of the one who waits. */
	n = snprintf(pidbuf, sizeof(pidbuf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pidbuf, (size_t)n, 0) != n) {
		err_sys(e, "%s: write", path);
		goto out;
	}
	lk = xcalloc(1, sizeof(*lk));
	lk->be = &store_fs_backend;
	lk->fd = fd;
	fd = -1;
	*lkp = lk;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	free(path);
	free(dir);
	return rc;
}

static void
fs_unlock(struct store_lock *lk)
{
	/* The pid stays in the file; only a flock makes it meaningful. */
	if (lk->fd != -1)
		close(lk->fd);
	free(lk);
}

const struct store_backend store_fs_backend = {
	.name = "fs",
	.open = fs_open,
	.close = fs_close,
	.read_set = fs_read_set,
	.stat_set = fs_stat_set,
	.stat_blob = fs_stat_blob,
	.replace_set = fs_replace_set,
	.lock = fs_lock,
	.unlock = fs_unlock,
	.list = fs_list,
	.get_blob = fs_get_blob,
	.put_blob = fs_put_blob,
	.del_blob = fs_del_blob,
	.list_blobs = fs_list_blobs,
	.put_token = fs_put_token,
	.del_token = fs_del_token,
	.get_token = fs_get_token,
};
