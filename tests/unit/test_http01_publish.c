/*
 * test_http01_publish.c - http-01 with publish: true, through the
 * challenge's ops and a chall_run as apply drives them: the run's
 * publisher gets put(token, key authorization, CHALL_HTTP01_PUBLISH_TTL)
 * on present and del(token) on cleanup; a run without a publisher fails
 * the setup (and says so again for the next order); a put that fails
 * fails present naming the hostname; a del that fails does not fail
 * cleanup. No port is bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "chall/chall.h"
#include "manifest/manifest.h"

#include "tap.h"

struct fake {
	char	 token[64];
	char	 keyauth[128];
	int	 ttl;
	int	 puts;
	int	 dels;
	int	 fail_put;
	int	 fail_del;
};

static int
fake_put(void *arg, const char *token, const char *keyauth, int ttl,
    struct err *e)
{
	struct fake *f = arg;

	f->puts++;
	if (f->fail_put) {
		err_set(e, "store: disk full");
		return -1;
	}
	snprintf(f->token, sizeof(f->token), "%s", token);
	snprintf(f->keyauth, sizeof(f->keyauth), "%s", keyauth);
	f->ttl = ttl;
	return 0;
}

static int
fake_del(void *arg, const char *token, struct err *e)
{
	struct fake *f = arg;

	f->dels++;
	if (f->fail_del) {
		err_set(e, "store: gone away");
		return -1;
	}
	if (strcmp(token, f->token) == 0)
		f->token[0] = '\0';
	return 0;
}

int
main(void)
{
	struct fake f;
	struct chall_publisher pub = { &f, fake_put, fake_del };
	struct chall_conf cfg;
	struct manifest m;
	struct chall_item it;
	struct chall_run *run;
	const struct chall_ops *ops = NULL;
	void *ctx = NULL;
	struct err e;

	memset(&f, 0, sizeof(f));
	memset(&cfg, 0, sizeof(cfg));
	memset(&m, 0, sizeof(m));
	memset(&it, 0, sizeof(it));
	cfg.type = CHALL_HTTP01;
	cfg.publish = 1;
	it.identifier = "a.example.com";
	it.token = "tok_1";
	it.key_authz = "tok_1.thumb";
	err_clear(&e);

	/* No publisher: the setup fails, and again for the next order. */
	run = chall_run_new(&m.dns, NULL);
	ok(chall_run_get(run, &cfg, &ops, &ctx, &e) == -1 &&
	    strstr(e.msg, "no store to publish into") != NULL,
	    "publish without a publisher fails the setup: %s", e.msg);
	err_clear(&e);
	ok(chall_run_get(run, &cfg, &ops, &ctx, &e) == -1 &&
	    strstr(e.msg, "no store to publish into") != NULL,
	    "and says so again for the next order");
	chall_run_free(run);

	run = chall_run_new(&m.dns, NULL);
	chall_run_set_publisher(run, &pub);
	err_clear(&e);
	ok(chall_run_get(run, &cfg, &ops, &ctx, &e) == 0 && ops != NULL,
	    "with a publisher: set up (%s)", e.msg);
	if (ops == NULL)
		return tap_done();
	ok(ops->present(ctx, &it, &e) == 0, "present");
	is_str(f.token, "tok_1", "put: the token");
	is_str(f.keyauth, "tok_1.thumb", "put: the key authorization");
	is_int(f.ttl, CHALL_HTTP01_PUBLISH_TTL, "put: with the publish ttl");
	ops->cleanup(ctx, &it);
	is_int(f.dels, 1, "cleanup deletes it");
	is_str(f.token, "", "the deleted token is the one put");

	f.fail_put = 1;
	err_clear(&e);
	ok(ops->present(ctx, &it, &e) == -1 &&
	    strstr(e.msg, "a.example.com") != NULL &&
	    strstr(e.msg, "disk full") != NULL,
	    "a failed put fails present, naming the host: %s", e.msg);
	f.fail_put = 0;
	f.fail_del = 1;
	ops->present(ctx, &it, &e);
	ops->cleanup(ctx, &it);
	is_int(f.dels, 2, "a failed del is tried and does not stop cleanup");
	{
		void *ctx2 = NULL;
		const struct chall_ops *ops2 = NULL;

		ok(chall_run_get(run, &cfg, &ops2, &ctx2, &e) == 0 &&
		    ctx2 == ctx, "the same configuration shares the context");
	}
	chall_run_free(run);
	return tap_done();
}
