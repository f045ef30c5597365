/*
 * statesum.h - one file that sums up the states of a fleet, so that a run
 * with nothing due reads one file instead of one state file per
 * certificate, and parses no JSON.
 *
 * An entry holds, for one certificate, what certstate_load() made of its
 * state file and what the state's verified record says of its live set
 * (certinfo), with the identities (store_fileid) of the state file and of
 * the set's cert.pem, cert_auth.pem and key.pem at the time. An entry is
 * used only while all four files still have those identities; anything
 * else (a state saved since, a set replaced, a file edited or touched, an
 * entry or a summary that does not parse) sends the reader back to the
 * state file and the record, as without a summary. Only `apply` writes
 * the summary (store blobs "cache/states.0", ".1", ..., each under 1 MB),
 * under the store lock, and only when an entry changed.
 */
#ifndef CERTKEEP_STATESUM_H
#define CERTKEEP_STATESUM_H

#include <stddef.h>

struct certinfo;
struct certstate;
struct err;
struct store;
struct store_fileid;
struct store_setid;

struct statesum;

/*
 * The summary of s as stored. Never fails: no summary or a damaged one
 * gives an empty summary (saving it then writes a fresh one); a backend
 * that cannot stat a state gives NULL (no summary: every function here
 * takes NULL). Without for_save (plan, status), a line is
 * freed once used: a fleet's summary is not held through the run.
 * Free with statesum_free().
 */
struct statesum *statesum_load(struct store *s, int for_save);
void	 statesum_free(struct statesum *sum);	/* NULL is a no-op */

/*
 * The entry of name, if its four files still have the identities it was
 * made from: returns 1 and fills st (as certstate_load() would, with
 * st->lean set: the state's other members were not read), info (as
 * certinfo_record_match() would) and id (the set's identities, just
 * taken). Returns 0 when there is no valid entry (st, info, id then
 * zeroed: the caller reads the state and the set).
 */
int	 statesum_use(struct statesum *sum, struct store *s, const char *name,
	    struct certstate *st, struct certinfo *info, struct store_setid *id);

/*
 * Takes, on a few threads, the identities statesum_use() will compare
 * for each of names[0..n) the summary has an entry for (a NULL name is
 * skipped): on a fleet, the stats that are most of a run with nothing
 * due spread over the cores. Worth it for thousands of names only; for
 * fewer it does nothing. Never fails: a stat that fails makes that
 * entry stale at its statesum_use().
 */
void	 statesum_prefetch(struct statesum *sum, struct store *s,
	    const char *const *names, size_t n);

/* How many times statesum_use() returned 1 (for -v). */
size_t	 statesum_hits(const struct statesum *sum);

/*
 * Makes the entry of name: sid is the identity the state file had before
 * it was read into st; info is what st's verified record said of the set
 * whose identities are id. Nothing is made when the summary cannot say
 * everything st says (every member round trips, or no entry).
 */
void	 statesum_put(struct statesum *sum, const char *name,
	    const struct store_fileid *sid, const struct certstate *st,
	    const struct certinfo *info, const struct store_setid *id);

/*
 * Writes the summary atomically when an entry was made, or one was found
 * stale. Entries neither used nor made in this run are kept with
 * keep_untouched (a run over some certificates only), else dropped
 * (certificates no longer in the manifest). Returns 0 or -1.
 */
int	 statesum_save(struct statesum *sum, struct store *s,
	    int keep_untouched, struct err *e);

#endif
