/*
 * copy.h - a repository copied to another store (directory <-> etcd):
 * every live set, every state, account and pending key, then verified by
 * reading it back.
 */
#ifndef CERTKEEP_STORE_COPY_H
#define CERTKEEP_STORE_COPY_H

#include <stddef.h>

struct err;
struct store;

struct store_copy_summary {
	size_t	 sets;
	size_t	 blobs;
};

/* The blob prefixes a repository holds (besides its sets). */
extern const char *const store_copy_prefixes[];

/*
 * Copies from into to, which must hold no set yet (else nothing is
 * written). 0 and sum filled, or -1 and e (what, where).
 */
int	 store_copy(struct store *from, struct store *to,
	    struct store_copy_summary *sum, struct err *e);
/*
 * Compares every set and blob of from with those of check (a store opened
 * afresh on the copy): 0 when all are there and equal, else -1 and e
 * naming the first difference.
 */
int	 store_copy_verify(struct store *from, struct store *check,
	    struct err *e);

#endif
