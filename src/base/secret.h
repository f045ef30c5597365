/*
 * secret.h - the one reader of secret files (TSIG secret, EAB HMAC key,
 * SMTP auth file, backup passphrase file): no symlinks, only regular
 * files that root or the running user owns and nobody else may access,
 * a size cap, and buffers wiped before they are freed.
 */
#ifndef CERTKEEP_SECRET_H
#define CERTKEEP_SECRET_H

#include <stddef.h>

struct err;

/*
 * Reads the secret file at path (what names it in messages, e.g.
 * "notify.auth_file"). The file is opened with O_NOFOLLOW (a symlink is
 * refused) and checked on the open descriptor: a regular file, owned by
 * root or the running user, no group or other permission bits, at most
 * max bytes. Returns the contents NUL-terminated in a malloced buffer,
 * its length in *lenp; free it with secret_free(). NULL with e naming the
 * file and the reason.
 */
char	*secret_read_file(const char *what, const char *path, size_t max,
	    size_t *lenp, struct err *e);

/* Wipes len bytes of s, then frees it. secret_free(NULL, n) is a no-op. */
void	 secret_free(char *s, size_t len);

#endif
