/*
 * log.h - progress and diagnostics on stderr: one line per event, for
 * people (text) or programs (--log-format json: one JSON object a line).
 * Text that came from a server must be escaped by the caller (str_escape).
 * Never pass key material.
 */
#ifndef CERTKEEP_LOG_H
#define CERTKEEP_LOG_H

#include <stdio.h>

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
	LOG__MAX
};
extern const char *const log_level_names[LOG__MAX];

struct log {
	enum log_level	 level;		/* highest level printed */
	int		 json;		/* one JSON object per line */
	FILE		*fp;		/* stderr */
};

void	 log_init(struct log *l);	/* INFO, text, stderr */
void	 log_msg(const struct log *l, enum log_level lvl, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Same, with the certificate name as a separate field in JSON. */
void	 log_cert(const struct log *l, enum log_level lvl, const char *name,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define log_error(l, ...)	log_msg((l), LOG_ERROR, __VA_ARGS__)
#define log_warn(l, ...)	log_msg((l), LOG_WARN, __VA_ARGS__)
#define log_info(l, ...)	log_msg((l), LOG_INFO, __VA_ARGS__)
#define log_debug(l, ...)	log_msg((l), LOG_DEBUG, __VA_ARGS__)

#endif
