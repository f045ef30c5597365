/*
 * state.h - what certkeep remembers about one certificate between runs,
 * typed, kept by the store as <store>/state/<name>.json:
 *
 *   {
 *     "version": 1,
 *     "hostnames": ["a.example", "b.example"],   as issued, in order
 *     "key_type": "ec-p256",
 *     "profile": "shortlived",                   or absent: none
 *     "serial": "03AB...",                       of the live certificate
 *     "issued_at": "2026-11-25T06:00:00Z",
 *     "order_url": "https://ca/order/1",         an order in flight
 *     "order_started": "2026-11-25T06:00:00Z",
 *     "consecutive_failures": 2,
 *     "backoff_until": "2026-11-25T07:00:00Z",
 *     "last_error": {"time": "...", "type": "urn:ietf:params:acme:error:caa"
 *                    | "check:caa" | ..., "detail": "..."},
 *     "revoked": {"serial": "03AB...", "time": "..."},
 *     "last_expiring_notice": "...",
 *     "ari": {see ari.h},
 *     "verified": {see certinfo_record_to_json()}  what a full read of the
 *                                                  live set found
 *   }
 *
 * Times are RFC 3339 UTC; absent members mean "none". Members this version
 * does not know are kept as they were on save. A file that is not JSON, or
 * that says a version other than 1, is discarded with a warning: a bad
 * state file must never hold a renewal back.
 */
#ifndef CERTKEEP_STATE_H
#define CERTKEEP_STATE_H

#include <time.h>

#include "acme/ari.h"

struct cJSON;
struct err;
struct store;

#define CERTSTATE_VERSION	1

struct certstate {
	char	**hostnames;	/* NULL-terminated, as issued; NULL: unknown */
	size_t	 nhostnames;
	int	 key_type;	/* enum key_type, -1 unknown */
	char	*profile;	/* NULL: none */
	char	*serial;	/* hex, upper-case; NULL unknown */
	time_t	 issued_at;

	char	*order_url;	/* an order that was interrupted */
	time_t	 order_started;

	int	 consecutive_failures;
	time_t	 backoff_until;	/* no new attempt before; 0 none */
	time_t	 last_error_time;	/* 0: no error recorded */
	char	*last_error_type;	/* ACME problem URN or "check:<name>" */
	char	*last_error_detail;

	int	 revoked;
	char	*revoked_serial;
	time_t	 revoked_at;

	time_t	 last_expiring_notice;

	struct ari_state ari;

	/* The record of what was read and verified from the live set, with
	   the identities of its files (certinfo.h); NULL: none. Borrowed
	   from extra (its "verified" member); set with
	   certstate_set_verified(). */
	const struct cJSON *verified;

	/* Filled from the summary of the fleet's states (statesum.h): the
	   typed members only, extra and verified not read. A save reads
	   the file's other members first. */
	int	 lean;

	struct cJSON *extra;	/* the file as loaded: unknown members */
	char	*extra_text;	/* the same as JSON text (the file as read,
				   or certstate_compact()'s); when extra is
				   set too, extra is the one that counts */
};

/* Zeroes st (key_type -1). */
void	 certstate_init(struct certstate *st);
/* Frees the members and re-inits. */
void	 certstate_clear(struct certstate *st);

/*
 * Fills st from a state JSON object (NULL: empty state). Members of the
 * wrong type are ignored. Returns 0, or -1 when the version is not
 * CERTSTATE_VERSION (st is then empty and *why gets a malloced reason).
 */
int	 certstate_from_json(const struct cJSON *o, struct certstate *st,
	    char **why);
/* A new JSON object (caller deletes): extra, overlaid with st. */
struct cJSON *certstate_to_json(const struct certstate *st);

/*
 * Loads the state of name. Returns 1 when there was one, 0 when none (st
 * empty) — also when the file was corrupt or of another version, which
 * sets *warning (malloced, caller frees) — and -1 on I/O error. st is
 * always initialised (certstate_clear() it).
 */
int	 certstate_load(struct store *s, const char *name,
	    struct certstate *st, char **warning, struct err *e);
/* Replaces the state of name atomically. */
int	 certstate_save(struct store *s, const char *name,
	    const struct certstate *st, struct err *e);

/* Replaces the verified record with rec (taken; NULL removes it). */
void	 certstate_set_verified(struct certstate *st, struct cJSON *rec);
/*
 * Frees what only a save needs (the unknown members, the verified record):
 * for readers that keep the states of a whole fleet and never save them.
 */
void	 certstate_shed(struct certstate *st);
/*
 * Keeps the unknown members as JSON text instead of a tree (a tenth of the
 * memory, for a fleet's states held through a run); st->verified is NULL
 * afterwards. Saving and certstate_set_verified() still work.
 */
void	 certstate_compact(struct certstate *st);

/* Records a failure: count, time, type, detail (copied). */
void	 certstate_set_error(struct certstate *st, time_t now,
	    const char *type, const char *detail);

#endif
