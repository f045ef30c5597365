/*
 * record.h - private to render: what a server's fragment directory was
 * last found to hold, so that a run with nothing to change stats each
 * fragment instead of opening and reading it.
 *
 * <dir>/.certkeep-verified lists, per fragment, the identity the file
 * had (device, inode, size, modification and change times, mode) when
 * it was compared and found to hold exactly what certkeep renders, with
 * the SHA-256 of that content. While the file keeps that identity it
 * still holds that content (any write, replacement or chmod changes it),
 * so a fragment whose identity and rendered content both match needs no
 * read. Anything else (no record, a damaged one, a file touched, edited
 * or replaced, other content to write) falls back to reading the file.
 * Only `apply` writes the record, and only when it changed; a fragment
 * is recorded when it was read and found the same, never right after it
 * was written (the next run reads it once more).
 */
#ifndef CERTKEEP_RENDER_RECORD_H
#define CERTKEEP_RENDER_RECORD_H

#include <stddef.h>
#include <sys/types.h>

struct err;
struct render_record;

#define RENDER_RECORD_FILE	".certkeep-verified"

/* What render_record_check() saw of a file, for render_record_put(). */
struct render_seen {
	int	 present;	/* a regular file was statted */
	unsigned long long dev, ino;
	long long size, mtime_ns, ctime_ns;
	unsigned int mode;
	unsigned char hash[32];
};

/* The record of the directory dfd (dir: its path, for messages); never
   fails: none or a damaged one is an empty record. NULL dfd (-1): empty. */
struct render_record *render_record_load(int dfd, const char *dir);
void	 render_record_free(struct render_record *r);	/* NULL: no-op */

/*
 * 1 when name (in dfd) still has the identity recorded for it, is a
 * regular file of mode, and content is what was recorded: it holds
 * content. Else 0, and seen says what was found (stat taken before any
 * read, hash of content), for render_record_put() once the caller has
 * compared the file.
 */
int	 render_record_check(struct render_record *r, int dfd,
	    const char *name, const char *content, size_t len, mode_t mode,
	    struct render_seen *seen);
/*
 * render_record_check() of each of the n files (ok[i] its result, seen[i]
 * what it saw), on a few threads when there are thousands: a hash and a
 * stat per fragment is most of a run with nothing to write.
 */
struct render_file;
void	 render_record_check_many(struct render_record *r, int dfd,
	    const struct render_file *files, size_t n, unsigned char *ok,
	    struct render_seen *seen);
/* Records that name, as seen, holds what was hashed. */
void	 render_record_put(struct render_record *r, const char *name,
	    const struct render_seen *seen);
/*
 * Writes <dir>/.certkeep-verified atomically when an entry was added or
 * one was not used in this run (a fragment gone or no longer the same).
 * Returns 0 or -1.
 */
int	 render_record_save(struct render_record *r, const char *dir,
	    struct err *e);

#endif
