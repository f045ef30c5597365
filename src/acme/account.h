/*
 * account.h - the ACME account (RFC 8555 7.3): its key and URL kept as
 * store blobs under accounts/<directory host>/ (key.pem 0600, url), made
 * on first use, reused across runs, re-found with onlyReturnExisting when
 * the URL is lost; registration with contact, termsOfServiceAgreed only
 * when acme.terms_accepted, External Account Binding; update, key
 * rollover (7.3.5) and deactivation. The blobs are read and written
 * through the caller's struct account_store.
 */
#ifndef CERTKEEP_ACCOUNT_H
#define CERTKEEP_ACCOUNT_H

#include <stddef.h>

#include "acme/acme.h"

struct cJSON;
struct err;
struct key;

/*
 * Where the account's key and URL are kept (the caller's storage, e.g.
 * the repository), as named blobs. Every blob is a secret or next to
 * one: put writes it atomically, mode 0600.
 */
struct account_store {
	/* 1 with *data (malloced, caller frees) and *len when found, 0
	   when absent, -1 on error (e). */
	int	(*get)(void *arg, const char *name, char **data, size_t *len,
		    struct err *e);
	int	(*put)(void *arg, const char *name, const char *data,
		    size_t len, struct err *e);
	/* Absent is not an error. e may be NULL. */
	int	(*del)(void *arg, const char *name, struct err *e);
	void	*arg;
};

/* Blob names of the account of a directory; malloced, caller frees. */
char	*account_blob(const char *dir_url, const char *file);

/*
 * Makes a ready to sign with the account of cfg->directory: loads (or
 * creates) the key, takes the stored URL, and when there is none finds
 * the account by key (onlyReturnExisting) or, with may_register,
 * registers one. *key receives the key (caller key_free()s it after
 * acme_free(a)). Sends nothing when key and URL are stored.
 * Returns ACME_OK; ACME_NEED_TERMS when an account must be registered but
 * cfg->terms_accepted is not set (e says "acme.terms_accepted must be
 * true to register an account (terms: URL)"; the caller adds the
 * manifest place); else the failure, e saying why.
 */
enum acme_result account_open(struct acme *a, const struct account_store *st,
	    const struct acme_conf *cfg, int may_register, struct key **key,
	    struct err *e);

/* The account object from the CA (POST-as-GET) into *out: a new tree,
   caller deletes. */
enum acme_result account_fetch(struct acme *a, struct cJSON **out,
	    struct err *e);
/* Replaces the contact list (NULL-terminated e-mail addresses). */
enum acme_result account_update(struct acme *a, char *const *contact,
	    struct err *e);
/*
 * Rolls the account key over to a new key of type t: the new key is kept
 * as key.pem.next until the CA accepted the change, then replaces
 * key.pem. *key (the current key) is replaced by the new one.
 */
enum acme_result account_rollover(struct acme *a,
	    const struct account_store *st, const char *dir_url,
	    enum key_type t, struct key **key, struct err *e);
/* Deactivates the account; its key and URL are moved aside so the next
   run registers a new one. */
enum acme_result account_deactivate(struct acme *a,
	    const struct account_store *st, const char *dir_url,
	    struct err *e);

#endif
