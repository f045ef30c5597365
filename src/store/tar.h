/*
 * tar.h - a small POSIX ustar writer and reader for backups: regular files
 * and directories only, paths up to 255 bytes (prefix + name), modes kept.
 * Whatever the reader returns has been checked: checksums, sizes inside
 * the data, no absolute path, no "." or ".." component, no links or
 * devices, no duplicate path. GNU tar and bsdtar read what the writer
 * writes (tar -tvf / tar -xpf).
 */
#ifndef CERTKEEP_TAR_H
#define CERTKEEP_TAR_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct buf;
struct err;

struct tar_entry {
	char	*path;		/* relative; directories end without '/' */
	int	 is_dir;
	mode_t	 mode;		/* permission bits (07777) */
	time_t	 mtime;
	char	*data;		/* malloced, NUL-terminated; NULL for dirs */
	size_t	 len;
};

struct tar_entries {
	struct tar_entry *v;
	size_t	 n;
	size_t	 cap;
};

void	 tar_entries_init(struct tar_entries *t);
/* Frees every entry; data is wiped first (it may hold keys). */
void	 tar_entries_clear(struct tar_entries *t);
/* Adds a copy of data (dir when data is NULL). Returns the new entry. */
struct tar_entry *tar_entries_add(struct tar_entries *t, const char *path,
	    const void *data, size_t len, mode_t mode, time_t mtime);
/* The entry for path, or NULL (borrowed). */
const struct tar_entry *tar_entries_find(const struct tar_entries *t,
	    const char *path);

/*
 * Appends the ustar stream of t (in order) with its end-of-archive blocks
 * to out. Returns 0, or -1 when a path does not fit ustar.
 */
int	 tar_write(const struct tar_entries *t, struct buf *out, struct err *e);
/*
 * Parses a whole ustar stream into t (appended). Returns 0, or -1 with e
 * naming the offset and the problem; t then holds nothing new.
 */
int	 tar_read(const char *data, size_t len, struct tar_entries *t,
	    struct err *e);

#endif
