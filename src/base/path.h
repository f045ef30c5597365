/*
 * path.h - joining and splitting file names (no file system access).
 */
#ifndef CERTKEEP_PATH_H
#define CERTKEEP_PATH_H

/* Joins a directory and a name; returns a malloced string, caller frees. */
char	*path_join(const char *dir, const char *name);
/* Resolves p against base unless p is absolute; malloced, caller frees. */
char	*path_resolve(const char *base, const char *p);
/* Returns the malloced directory part of path ("." if none), caller frees. */
char	*path_dirname(const char *path);

#endif
