/*
 * err.h - the error carried out of every function that can fail.
 *
 * A function that fails fills one struct err with exactly one message that
 * says what failed and where (file, hostname, URL), and returns -1 or NULL.
 * Callers add context with err_prefix() rather than overwriting.
 */
#ifndef CERTKEEP_ERR_H
#define CERTKEEP_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 2048

struct err {
	char msg[ERR_MSG_MAX];
};

/* Sets the message (printf format). A NULL err is allowed and ignored. */
void err_set(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Sets the message and appends ": strerror(errno)". */
void err_sys(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Sets the message and appends the OpenSSL error queue (and clears it). */
void err_ssl(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prepends "prefix: " to the current message. */
void err_prefix(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);

#endif
