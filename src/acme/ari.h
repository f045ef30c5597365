/*
 * ari.h - ACME Renewal Information (RFC 9773): when the CA wants a
 * certificate renewed.
 *
 * The logic here is pure (no I/O) so that plan, apply and status agree and
 * the unit tests can drive it with any clock:
 *   - parse a renewalInfo answer (suggestedWindow, explanationURL);
 *   - schedule the next poll: Retry-After clamped to 1 minute .. 1 day,
 *     6 hours after a long-term error, exponential backoff with jitter after
 *     a 5xx or a timeout;
 *   - pick one random instant inside the window, keep it while the window
 *     stays the same, pick again when it changes;
 *   - say whether the chosen instant has passed, or falls before the next
 *     run (plan_decide() weighs that against the lifetime rule).
 * The poll itself (an unauthenticated GET <renewalInfo>/<certID>) is
 * ari_poll() below, through a GET the caller provides (struct ari_http).
 *
 * State lives in the certificate's state JSON as an "ari" object:
 *   {"cert_id", "window_start", "window_end", "chosen", "retry_after",
 *    "explanation_url", "last_poll", "failures", "url"}
 * times in RFC 3339 UTC; absent members mean unknown.
 */
#ifndef CERTKEEP_ARI_H
#define CERTKEEP_ARI_H

#include <stddef.h>
#include <time.h>

struct cJSON;
struct err;

/* Bounds of an honoured Retry-After (RFC 9773 section 4.3). */
#define ARI_RETRY_MIN		60LL
#define ARI_RETRY_MAX		86400LL
/* Without a Retry-After, and after a long-term error. */
#define ARI_RETRY_DEFAULT	21600LL
#define ARI_RETRY_LONG_ERROR	21600LL
/* First step of the backoff after a 5xx or a timeout. */
#define ARI_BACKOFF_BASE	60LL

/* What the CA answered, parsed. */
struct ari_window {
	time_t	 start;		/* 0 when the answer had no usable window */
	time_t	 end;
	char	*explanation_url;	/* malloced or NULL */
};
void	 ari_window_clear(struct ari_window *w);

/* What is kept per certificate (the state JSON "ari" object). */
struct ari_state {
	char	*cert_id;	/* certID the window belongs to; malloced */
	time_t	 window_start;	/* 0: no window known */
	time_t	 window_end;
	time_t	 chosen;	/* the random instant; 0: none */
	time_t	 retry_after;	/* no poll before this; 0: poll when due */
	char	*explanation_url;	/* malloced or NULL; from the CA */
	time_t	 last_poll;	/* 0: never polled */
	int	 failures;	/* consecutive failed polls (backoff step) */
	char	*url;		/* renewalInfo base URL of the last poll, so
				   a run with nothing due needs no directory
				   request; malloced or NULL */
	int	 unsupported;	/* the CA had no renewalInfo when cert_id
				   was checked: not asked again for it */
};
void	 ari_state_clear(struct ari_state *st);	/* frees members, zeroes */

/*
 * Parses a renewalInfo response body. A window whose end is not after its
 * start (or that is missing) is ignored: w->start = w->end = 0 and *warning
 * gets a malloced text saying why (caller frees); the explanation URL is
 * still taken. Returns 0, or -1 when the body is not a JSON object (e
 * says so, naming url).
 */
int	 ari_parse_response(const char *body, size_t len, const char *url,
	    struct ari_window *w, char **warning, struct err *e);

/* A Retry-After header is parsed by http_retry_after_parse() (the one
   parser), then clamped here. */
/* Clamps a Retry-After to [ARI_RETRY_MIN, ARI_RETRY_MAX]. */
long long ari_retry_clamp(long long secs);
/*
 * Delay after the n-th consecutive failed poll (5xx, timeout, network):
 * 60 s doubling each time, capped by ari_backoff_cap(lifetime), with
 * jitter (uniform in the upper half), then clamped to 1 minute .. 1 day.
 */
long long ari_backoff(int failures, long long lifetime);
/* The backoff cap: lifetime/24, within 1 minute .. 6 hours. */
long long ari_backoff_cap(long long lifetime);

/* What a poll came back with, for ari_state_record(). */
enum ari_poll_result {
	ARI_POLL_OK,		/* 200 with a body that parsed */
	ARI_POLL_TEMPORARY,	/* 5xx, timeout, connection failure */
	ARI_POLL_LONG_ERROR,	/* 4xx, unparsable body: 6 hours */
	ARI_POLL__MAX
};
extern const char *const ari_poll_result_names[ARI_POLL__MAX];

/*
 * Records a poll for cert_id in st. On OK, a window that differs from the
 * stored one (or belongs to another certID) replaces it and a new instant
 * is chosen; an unchanged window keeps the chosen instant; an ignored
 * window (start = 0) keeps what was stored for the same certID. retry is
 * the Retry-After in seconds, or -1 when the CA sent none. lifetime sizes
 * the backoff. Returns 1 when the chosen instant changed, else 0.
 */
int	 ari_state_record(struct ari_state *st, const char *cert_id,
	    const char *url, enum ari_poll_result res,
	    const struct ari_window *w, long long retry, long long lifetime,
	    time_t now);


/*
 * Whether to poll now for the live certificate cert_id (its notAfter
 * given): never for an expired one or when st belongs to another (older,
 * already replaced) certificate that is not this one — then the new one
 * is polled at once; otherwise when retry_after has passed.
 */
int	 ari_poll_due(const struct ari_state *st, const char *cert_id,
	    time_t not_after, time_t now);

/*
 * Whether ARI says renew now: st holds a window for cert_id and its chosen
 * instant has passed (chosen <= now) or falls before the next run
 * (chosen < now + next_run; next_run 0 when unknown). *at gets the chosen
 * instant (0 when ARI has nothing to say). Returns 1 renew, 0 not.
 */
int	 ari_says_renew(const struct ari_state *st, const char *cert_id,
	    time_t now, long long next_run, time_t *at);

/*
 * The state JSON "ari" object. from_json accepts NULL (st zeroed) and
 * ignores members of the wrong type. to_json returns a new object (caller
 * deletes). Times are RFC 3339.
 */
void	 ari_state_from_json(const struct cJSON *o, struct ari_state *st);
struct cJSON *ari_state_to_json(const struct ari_state *st);
/*
 * The "ari" object of plan/status JSON output: window_start, window_end,
 * chosen, retry_after, explanation_url (null when unknown). New object,
 * caller deletes; NULL when st has no certID at all or the CA has no ARI.
 */
struct cJSON *ari_state_to_output(const struct ari_state *st);

/*
 * The renewalInfo base URL to poll cert_id with when it is already known
 * from the last poll and lives at the same origin (scheme://host:port) as
 * dir_url, the manifest's directory (borrowed from st); else NULL: the
 * caller takes it from the directory.
 */
const char *ari_known_url(const struct ari_state *st, const char *cert_id,
	    const char *dir_url);

/* An unauthenticated GET, as the acme module's HTTP layer makes it. */
struct ari_http {
	/*
	 * Fills *status (0 when there was no answer: connection failure,
	 * timeout), *retry_after (the header, malloced, or NULL), *body
	 * (malloced, NUL-terminated, or NULL) and *len. Returns 0 when an
	 * answer came, -1 when none did (e says why).
	 */
	int	(*get)(void *arg, const char *url, long *status,
		    char **retry_after, char **body, size_t *len,
		    struct err *e);
	void	*arg;
};

/*
 * Polls the CA for cert_id (the live certificate, notAfter and lifetime
 * given) when ari_poll_due() says so: GET <renewal_info>/<cert_id> and
 * ari_handle_answer(). renewal_info NULL means the CA offers no ARI: st
 * records that and this certificate is not asked about again. Returns 1
 * when a request was sent, 0 when none was due or possible; *msg gets a
 * malloced warning line or NULL.
 */
int	 ari_poll(struct ari_state *st, const char *cert_id, time_t not_after,
	    long long lifetime, const char *renewal_info,
	    const struct ari_http *http, time_t now, char **msg);

/*
 * Takes the HTTP answer to GET <url>/<cert_id> (status 0: no answer at
 * all — connection failure or timeout; retry_hdr: the Retry-After header
 * or NULL) and records it in st: 200 with a parsable body is a window;
 * 5xx, 429 and no answer back off; any other status, or a body that does
 * not parse, is a long-term error (6 hours). url is the renewalInfo base.
 * Returns 1 when the chosen instant changed, else 0; *msg gets a malloced
 * line for the log (a warning), or NULL.
 */
int	 ari_handle_answer(struct ari_state *st, const char *cert_id,
	    const char *url, long status, const char *retry_hdr,
	    const char *body, size_t len, long long lifetime, time_t now,
	    char **msg);

/*
 * One line for people about what ARI knows of cert_id: "window A .. B,
 * renew at C, next poll D, explanation URL" (server text escaped).
 * Malloced, caller frees; NULL when nothing is known for that certificate.
 */
char	*ari_state_describe(const struct ari_state *st, const char *cert_id);

/*
 * Whether the order replacing the certificate with hostnames old may carry
 * `replaces`: they share at least one hostname (RFC 9773 section 5).
 */
int	 ari_may_replace(char *const *old, char *const *new_names);

/*
 * Whether a newOrder that carried `replaces` and failed with this HTTP
 * status and problem type (NULL when none) should be sent again once
 * without it. The CA refuses a stale `replaces` in several ways: 409
 * alreadyReplaced/conflict (Let's Encrypt, Pebble: "already has a
 * replacement order"), 403 when another account ordered the predecessor,
 * 404/500 when it no longer knows it (Pebble after a restart). Every
 * problem answer counts except those that would fail again anyway:
 * badNonce (retried by the request layer) and rateLimited; no answer at
 * all (status 0) does not count.
 */
int	 ari_replaces_refused(long status, const char *problem_type);

#endif
