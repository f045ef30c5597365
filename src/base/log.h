/*
 * log.h - progress and diagnostics on stderr: one line per event, for
 * people (text) or programs (--log-format json: one JSON object a line,
 * with "time", "level", "message" and, where known, "certificate",
 * "event" and the event's own fields).
 *
 * Text that came from a server must be escaped by the caller
 * (str_escape); as a second line of defence the text form also escapes
 * any control byte left in a message, so one event is always one line.
 * Never pass key material: a message that contains a PEM private key is
 * withheld.
 *
 * The lines a daily run prints, one per certificate and per action:
 *   certificate webmail.example.com expires 2027-02-22, 54 days left,
 *       next check in 24h                              (event "check")
 *   renewal window reached for webmail.example.com: ... (event "window")
 *   renewed webmail.example.com, expires 2027-05-23    (event "renewed")
 */
#ifndef CERTKEEP_LOG_H
#define CERTKEEP_LOG_H

#include <stdio.h>
#include <time.h>

struct cJSON;

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
	LOG__MAX
};
extern const char *const log_level_names[LOG__MAX];

struct log_progress;

/*
 * Lines never interleave: each is written whole under a lock (several
 * threads log at once during `apply`).
 */
struct log {
	enum log_level	 level;		/* highest level printed */
	int		 json;		/* one JSON object per line */
	FILE		*fp;		/* stderr */
	/* A live status line under the log lines, or NULL (the normal
	   case): set by a command on a copy of its log for a long step. */
	struct log_progress *progress;
};

void	 log_init(struct log *l);	/* INFO, text, stderr */
/*
 * A log line of level lvl, printf-style; name: the certificate it is
 * about (a separate field in JSON) or NULL; event: an event code
 * ("check", "window", "issued", "renewed", "failed", "notify", "backup",
 * ...) or NULL; fields: NULL, else an object whose members are added to
 * the JSON line, consumed (deleted) in every case.
 */
void	 log_event(const struct log *l, enum log_level lvl, const char *name,
	    const char *event, struct cJSON *fields, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));
/* The same without certificate, event or fields. */
#define log_msg(l, lvl, ...) \
	log_event((l), (lvl), NULL, NULL, NULL, __VA_ARGS__)
/* The same with the certificate name only. */
#define log_cert(l, lvl, name, ...) \
	log_event((l), (lvl), (name), NULL, NULL, __VA_ARGS__)

/*
 * The daily check line of one certificate (level lvl: INFO in apply,
 * DEBUG in plan; event "check"):
 *   certificate NAME expires 2027-02-22, 54 days left, next check in 24h
 * next_check: seconds until the next check, or <= 0 to leave that part
 * out. JSON adds "not_after" (RFC 3339), "days_left" and
 * "next_check_seconds". An expired certificate says "expired DAY, N
 * days ago" ("today" within a day); days as days_left() counts them.
 */
void	 log_cert_expiry(const struct log *l, enum log_level lvl,
	    const char *name, time_t not_after, time_t now,
	    long long next_check);
/*
 * "renewal window reached for NAME: WHY" (level lvl, event "window");
 * why is the plan's reason text (may be NULL).
 */
void	 log_cert_window(const struct log *l, enum log_level lvl,
	    const char *name, const char *why);

/*
 * A live status line ("issuing 37/100 ...") kept below the log lines:
 * only when l prints text to a terminal; NULL otherwise (piped, JSON),
 * and then the other functions do nothing. log_progress_set() redraws
 * it; log_progress_free() erases it. Thread-safe.
 */
struct log_progress *log_progress_new(const struct log *l);
void	 log_progress_set(struct log_progress *p, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 log_progress_free(struct log_progress *p);

/*
 * Output from outside (a hook) is logged line by line, so a PEM private
 * key it prints arrives as a BEGIN line, base64 lines and an END line: a
 * filter, one per output stream, withholds the whole block.
 */
struct log_pem_filter {
	int		 in_key;	/* after a BEGIN ... PRIVATE KEY line */
};

/* Returns 1 when the line (len bytes, no newline) must not be logged:
   the armour of a private key or any line between its BEGIN and END. */
int	 log_pem_withhold(struct log_pem_filter *f, const char *line,
	    size_t len);

#define log_error(l, ...)	log_msg((l), LOG_ERROR, __VA_ARGS__)
#define log_warn(l, ...)	log_msg((l), LOG_WARN, __VA_ARGS__)
#define log_info(l, ...)	log_msg((l), LOG_INFO, __VA_ARGS__)
#define log_debug(l, ...)	log_msg((l), LOG_DEBUG, __VA_ARGS__)

#endif
