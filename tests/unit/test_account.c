/*
 * test_account.c - acme/account.c against a real Pebble: registration
 * only with the terms accepted, the account kept in the repository and
 * reused without a request, found again by key when its URL is lost, key
 * rollover.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "acme/account.h"
#include "acme/acme.h"
#include "acme/key.h"
#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "pebble.h"
#include "store/account_io.h"
#include "store/store.h"
#include "tap.h"

/* A repository that cannot be read, or not written. */
static int
bad_get(void *arg, const char *name, char **data, size_t *len,
    struct err *e)
{
	(void)arg;
	(void)data;
	(void)len;
	err_set(e, "%s: cannot read", name);
	return -1;
}

static int
absent_get(void *arg, const char *name, char **data, size_t *len,
    struct err *e)
{
	(void)arg;
	(void)name;
	(void)data;
	(void)len;
	(void)e;
	return 0;
}

static int
bad_put(void *arg, const char *name, const char *data, size_t len,
    struct err *e)
{
	(void)arg;
	(void)data;
	(void)len;
	err_set(e, "%s: cannot write", name);
	return -1;
}

static int
any_del(void *arg, const char *name, struct err *e)
{
	(void)arg;
	(void)name;
	(void)e;
	return 0;
}

/* The account's blobs go only through the caller's struct account_store:
   its failures are the account's, before any request. */
static void
test_store_failures(const char *url, const char *trust,
    const struct acme_conf *cfg)
{
	struct account_store io = { bad_get, bad_put, any_del, NULL };
	struct key *k = NULL;
	struct acme *a;
	struct err e;
	enum acme_result r;

	a = acme_new(url, trust, NULL, &e);
	r = account_open(a, &io, cfg, 1, &k, &e);
	ok(r != ACME_OK && k == NULL, "unreadable store: no account (%s)",
	    e.msg);
	ok(strstr(e.msg, "accounts/") != NULL && strstr(e.msg, "key.pem"),
	    "the message names the key blob");
	is_int(acme_requests(a), 0, "unreadable store: no request");
	ok(acme_key(a) == NULL && acme_kid(a) == NULL, "nothing to sign "
	    "with");
	io.get = absent_get;
	r = account_open(a, &io, cfg, 1, &k, &e);
	ok(r != ACME_OK && strstr(e.msg, "cannot write") != NULL,
	    "a new key that cannot be kept is refused (%s)", e.msg);
	is_int(acme_requests(a), 0, "unwritable store: no request");
	acme_free(a);
}

static int
pebble_main(const char *url, const char *trust)
{
	char tmpl[] = "/tmp/test_account.XXXXXX";
	struct err e;

	char *dir = mkdtemp(tmpl);
	struct store *s = store_open(dir, 1, &e);
	ok(s != NULL, "store");

	struct acme_conf cfg;
	memset(&cfg, 0, sizeof(cfg));
	char *contact[] = { "hostmaster@example.com", NULL };
	cfg.directory = url;
	cfg.contact = contact;
	cfg.account_key = KEY_EC_P256;
	cfg.terms_accepted = 0;
	struct account_store io;
	store_account_io(s, &io);

	test_store_failures(url, trust, &cfg);

	struct acme *a = acme_new(url, trust, NULL, &e);
	struct key *ak = NULL;
	enum acme_result r = account_open(a, &io, &cfg, 1, &ak, &e);
	is_int(r, ACME_NEED_TERMS, "terms not accepted: %s", e.msg);
	ok(strstr(e.msg, "(terms: ") != NULL, "message names terms");

	cfg.terms_accepted = 1;
	r = account_open(a, &io, &cfg, 1, &ak, &e);
	is_int(r, 0, "account registered %s", r ? e.msg : "");
	ok(acme_kid(a) != NULL, "kid %s", acme_kid(a));
	char *kid = acme_kid(a) ? xstrdup(acme_kid(a)) : NULL;
	acme_free(a);
	key_free(ak);

	a = acme_new(url, trust, NULL, &e);
	r = account_open(a, &io, &cfg, 1, &ak, &e);
	is_int(acme_requests(a), 0, "stored account: no request");
	is_str(acme_kid(a), kid, "same account");
	acme_free(a);
	key_free(ak);

	char *ub = account_blob(url, "url");
	store_del_blob(s, ub, &e);
	free(ub);
	a = acme_new(url, trust, NULL, &e);
	r = account_open(a, &io, &cfg, 0, &ak, &e);
	is_int(r, 0, "refound without the url blob %s", r ? e.msg : "");
	is_str(acme_kid(a), kid, "onlyReturnExisting finds the same account");

	/* Rollover, then the account still works with the new key. */
	r = account_rollover(a, &io, url, KEY_EC_P384, &ak, &e);
	is_int(r, 0, "rollover %s", r ? e.msg : "");
	cJSON *acct;
	account_fetch(a, &acct, &e);
	ok(acct != NULL, "account readable with the new key %s",
	    acct ? "" : e.msg);
	cJSON_Delete(acct);

	acme_free(a);
	key_free(ak);
	free(kid);
	store_free(s);
	rm_rf(dir, &e);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
