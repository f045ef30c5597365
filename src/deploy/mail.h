/*
 * mail.h - the SMTP transport of notifications (libcurl). Composing a
 * message is notify.c's job; this only delivers bytes.
 *
 * URL schemes (notify.smtp):
 *   smtp://host[:25]            STARTTLS when the server offers it
 *   smtp+starttls://host[:587]  STARTTLS required (fails when not offered)
 *   smtps://host[:465]          TLS from the first byte
 * Peer verification is always on (trust: cabundle_path()). The URL's path,
 * when present, is the name sent in EHLO; else this machine's hostname.
 */
#ifndef CERTKEEP_MAIL_H
#define CERTKEEP_MAIL_H

#include <stddef.h>

struct err;

enum mail_tls {
	MAIL_TLS_TRY,		/* smtp:// */
	MAIL_TLS_STARTTLS,	/* smtp+starttls:// */
	MAIL_TLS_IMPLICIT,	/* smtps:// */
	MAIL_TLS__MAX
};

struct mail_server {
	const char	*url;		/* notify.smtp */
	const char	*auth_file;	/* NULL, or "user\npassword\n" (0600) */
	const char	*ca_file;	/* trust for TLS; NULL: cabundle_path() */
	long		 timeout_ms;	/* whole transaction; 0: 60 s */
};

/*
 * Maps a notify.smtp URL to the URL libcurl gets (malloced, caller frees)
 * and the TLS policy. Returns NULL with e filled for another scheme.
 */
char	*mail_url_parse(const char *url, enum mail_tls *tls, struct err *e);

/*
 * Reads an auth file (secret_read_file(): not a symlink, owned by root or
 * the running user, mode 0600): user on line 1, password on line 2. user
 * and pass are malloced (caller frees; pass with secret_free()). Returns 0
 * or -1.
 */
int	 mail_auth_read(const char *path, char **user, char **pass,
	    struct err *e);

/*
 * Sends msg (a complete RFC 5322 message, CRLF line ends) from the
 * envelope sender from to every address in rcpts (NULL-terminated).
 * Returns 0 when the server accepted it, -1 with e saying what failed
 * (the URL and the server's answer).
 */
int	 mail_send(const struct mail_server *srv, const char *from,
	    char *const *rcpts, const char *msg, size_t len, struct err *e);

#endif
