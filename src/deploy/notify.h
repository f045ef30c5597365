/*
 * notify.h - e-mail notifications (docs/notify.md): who gets told, what
 * the message says, and sending it through mail.c.
 *
 * Recipients of a certificate: for each hostname, its suffixes are tried
 * in order (webmail.example.com, example.com, com); the first one listed
 * in the manifest's `domains` gets postmaster+Alerts@<domain>. The union
 * over the certificate's hostnames, then notify.contact; deduplicated
 * (case-insensitive), in that order. No managed domain: the contact only.
 *
 * One message per event and certificate. Sending never fails a run: a
 * notification that cannot be sent is logged (warning) and the caller goes
 * on; notify_event() returns -1 only so that tests can see it.
 */
#ifndef CERTKEEP_NOTIFY_H
#define CERTKEEP_NOTIFY_H

#include <stddef.h>
#include <time.h>

struct certinfo;
struct certstate;
struct check_results;
struct err;
struct hook_report;
struct log;
struct manifest;
struct mcert;
struct store;
struct strlist;

enum notify_event {
	NOTIFY_ISSUED,		/* first certificate for this name */
	NOTIFY_RENEWED,		/* replaced a live certificate */
	NOTIFY_FAILED,		/* issue or renewal failed (or its preflight) */
	NOTIFY_EXPIRING,	/* inside its window and still not renewed */
	NOTIFY__MAX
};

/* What the message tells; every member is optional (0 / NULL). */
struct notify_info {
	time_t		 now;		/* 0: now_wall() */
	time_t		 not_after;	/* issued/renewed: the new expiry;
					   failed/expiring: the live one's */
	time_t		 old_not_after;	/* renewed: the replaced one's */
	const char	*serial;	/* the new certificate's */
	const char	*issuer;
	const char	*reason;	/* why it was (re)issued: plan text */
	int		 renewal;	/* failed: 1 renewing, 0 first issue */
	const char	*stage;		/* failed: "preflight", "order",
					   "authorization", "finalize", ... */
	const char	*problem_type;	/* failed: ACME problem URN or check
					   name ("caa", "a", ...) */
	const char	*problem;	/* failed: the CA's detail or the
					   check's message, raw (escaped
					   here) */
	const char	*advice;	/* failed: what to do; NULL: from the
					   problem type */
	const char	*cert_path;	/* live cert.pem path, for the body */
	const char	*host;		/* this machine's name; NULL: uname */
};

/*
 * Adds the recipients of c to out (see above). Returns the number added.
 */
size_t	 notify_recipients(const struct manifest *m, const struct mcert *c,
	    struct strlist *out);

/*
 * Composes the message for one event: RFC 5322 headers (Date,
 * Message-ID, From, To, Subject, MIME-Version, Content-Type text/plain;
 * charset=utf-8, ...) and a plain-text body, CRLF line ends, lines under
 * 998 octets. rcpts: the To addresses. Returns a malloced message (caller
 * frees), length in *len; NULL only when m has no notify block (e says).
 */
char	*notify_compose(const struct manifest *m, const struct mcert *c,
	    enum notify_event ev, const struct notify_info *info,
	    char *const *rcpts, size_t *len, struct err *e);

/*
 * What to do after a failure with this problem type (ACME URN, check name
 * or "check:<name>"), one or two sentences; a static string. Unknown or
 * NULL type: a generic one for the stage.
 */
const char *notify_advice(const char *problem_type, const char *stage);

/*
 * Composes and sends one event's message to c's recipients, and logs the
 * outcome (INFO "notified ..." / WARNING "notification ... failed: ...").
 * Does nothing (returns 0) without a notify block. Returns 0 when sent,
 * -1 when not (already logged; never a reason to fail the run).
 */
int	 notify_event(const struct manifest *m, const struct mcert *c,
	    enum notify_event ev, const struct notify_info *info,
	    const struct log *log, struct err *e);

/*
 * Expiring-soon at most once a day per certificate: due when no notice was
 * sent yet (last = 0) or the last one (persisted in the certificate's
 * state as last_expiring_notice) is on an earlier UTC day and at least 12
 * hours ago, so that a daily timer with jitter neither skips a day nor
 * sends two in a row.
 */
int	 notify_expiring_due(time_t last, time_t now);

/*
 * For apply, after a certificate's turn: when the renewal decision put it
 * inside its renewal window (or expired: in_window, from the caller's
 * plan_item_in_window()) and it still was not renewed, sends
 * expiring-soon about the live certificate ci if
 * notify_expiring_due(st->last_expiring_notice, now), and then sets
 * st->last_expiring_notice = now (the caller saves the state; a notice
 * that could not be sent is not recorded, so the next run tries again).
 * Returns 1 when sent, 0 when not due or not needed, -1 when sending
 * failed.
 */
int	 notify_expiring_maybe(const struct manifest *m,
	    const struct mcert *c, int in_window, const struct certinfo *ci,
	    struct certstate *st, time_t now, const struct log *log);

/*
 * For apply: a failed preflight. The message lists every failing check
 * ("caa webmail.example.com: ..."); problem_type is the first failing
 * check's name. renewal: a live certificate exists (ci may be NULL).
 * Returns as notify_event().
 */
int	 notify_preflight_failed(const struct manifest *m,
	    const struct mcert *c, const struct check_results *r,
	    const struct certinfo *ci, int renewal, const struct log *log);

/*
 * For apply, after the hooks (hooks_after_apply() filled rep): tells the
 * recipients of every certificate whose deploy_hook, or the reload of a
 * server it is on, failed that the new certificate is in the repository
 * (s) but may not be in use. Sending never fails the run (logged).
 */
void	 notify_hooks_failed(const struct manifest *m, struct store *s,
	    const struct hook_report *rep, const struct log *log);

#endif
