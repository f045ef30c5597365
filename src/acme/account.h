/*
 * account.h - the ACME account (RFC 8555 7.3): its key and URL kept as
 * store blobs under accounts/<directory host>/ (key.pem 0600, url), made
 * on first use, reused across runs, re-found with onlyReturnExisting when
 * the URL is lost; registration with contact, termsOfServiceAgreed only
 * when acme.terms_accepted, External Account Binding; update, key
 * rollover (7.3.5) and deactivation.
 */
#ifndef CERTKEEP_ACCOUNT_H
#define CERTKEEP_ACCOUNT_H

struct acme;
struct cJSON;
struct err;
struct key;
struct macme;
struct store;

/* account_open() result when an account must be registered but the
 * terms are not accepted: e says "acme.terms_accepted must be true to
 * register an account (terms: URL)"; the caller adds the manifest place
 * and exits 65. */
#define ACCOUNT_NEED_TERMS	(-2)

/* Blob names of the account of a directory; malloced, caller frees. */
char	*account_blob(const char *dir_url, const char *file);

/*
 * Makes a ready to sign with the account of cfg->directory: loads (or
 * creates, 0600) the key, takes the stored URL, and when there is none
 * finds the account by key (onlyReturnExisting) or, with may_register,
 * registers one. *key receives the key (caller key_free()s it after
 * acme_free(a)). Sends nothing when key and URL are stored.
 * Returns 0, -1 (e), or ACCOUNT_NEED_TERMS.
 */
int	 account_open(struct acme *a, struct store *s, const struct macme *cfg,
	    int may_register, struct key **key, struct err *e);

/* The account object from the CA (POST-as-GET); new tree, caller
   deletes. */
struct cJSON *account_fetch(struct acme *a, struct err *e);
/* Replaces the contact list (NULL-terminated e-mail addresses). */
int	 account_update(struct acme *a, char *const *contact, struct err *e);
/*
 * Rolls the account key over to a new key of type t: the new key is kept
 * as key.pem.next until the CA accepted the change, then replaces
 * key.pem. *key (the current key) is replaced by the new one.
 */
int	 account_rollover(struct acme *a, struct store *s, const char *dir_url,
	    int t, struct key **key, struct err *e);
/* Deactivates the account; its key and URL are moved aside so the next
   run registers a new one. */
int	 account_deactivate(struct acme *a, struct store *s,
	    const char *dir_url, struct err *e);

#endif
