/*
 * test_order.c - acme/order.c: the chain split (pure), then orders
 * against a real Pebble through the http-01 listen responder: one order
 * to a sound set, four at once on clones of one client, resuming a valid
 * order.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acme/account.h"
#include "acme/acme.h"
#include "acme/key.h"
#include "acme/order.h"
#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/time.h"
#include "chall/chall.h"
#include "manifest/manifest.h"
#include "pebble.h"
#include "reconcile/issue.h"
#include "store/account_io.h"
#include "store/certinfo.h"
#include "store/store.h"
#include "tap.h"

#define BEGIN	"-----BEGIN CERTIFICATE-----"
#define END	"-----END CERTIFICATE-----"
#define PEM(x)	BEGIN "\n" x "\n" END

/* order_split_chain() of in succeeds (desc) and returns want_leaf and
   want_chain (each assertion with its own description). */
static void
split_check(const char *in, const char *desc, const char *want_leaf,
    const char *leaf_desc, const char *want_chain, const char *chain_desc)
{
	char *leaf = NULL, *chain = NULL;
	struct err e;

	ok(order_split_chain(in, strlen(in), &leaf, &chain, &e) == 0, "%s",
	    desc);
	is_str(leaf, want_leaf, "%s", leaf_desc);
	is_str(chain, want_chain, "%s", chain_desc);
	free(leaf);
	free(chain);
}

/* order_split_chain(): the first certificate is the leaf, the others the
   chain, whatever lies around or between them. */
static void
test_split_chain(void)
{
	char *leaf = NULL, *chain = NULL;
	struct err e;
	const char *in;

	split_check(PEM("AAAA") "\n",
	    "one certificate",
	    PEM("AAAA") "\n", "one certificate: the leaf",
	    "", "one certificate: an empty chain");

	split_check(PEM("LEAF") "\n" PEM("INT1") "\n" PEM("INT2") "\n",
	    "leaf and chain",
	    PEM("LEAF") "\n", "leaf and chain: the first is the "
	    "leaf",
	    PEM("INT1") "\n" PEM("INT2") "\n",
	    "leaf and chain: the others, in order");

	split_check("junk before\n" PEM("LEAF") "\nsome text between\n"
	    PEM("INT1") "trailing junk",
	    "junk around and between",
	    PEM("LEAF") "\n", "junk: not in the leaf",
	    PEM("INT1") "\n", "junk: not in the chain");

	split_check(BEGIN "\r\nLEAF\r\n" END "\r\n"
	    BEGIN "\r\nINT1\r\n" END "\r\n",
	    "CRLF line ends",
	    BEGIN "\r\nLEAF\r\n" END "\n", "CRLF: the leaf keeps "
	    "its lines, one newline after END",
	    BEGIN "\r\nINT1\r\n" END "\n", "CRLF: the chain");

	/* A second certificate cut short is not part of the chain. */
	split_check(PEM("LEAF") "\n" BEGIN "\nINT1 cut",
	    "truncated second certificate",
	    PEM("LEAF") "\n", "truncated: the leaf is whole",
	    "", "truncated: the cut certificate is dropped");

	leaf = chain = NULL;
	in = BEGIN "\nLEAF cut";
	ok(order_split_chain(in, strlen(in), &leaf, &chain, &e) == -1,
	    "only a cut certificate: refused");
	ok(leaf == NULL && chain == NULL, "refused: nothing returned");
	ok(strstr(e.msg, "no PEM certificate") != NULL, "refused: says why "
	    "(%s)", e.msg);
	ok(order_split_chain("", 0, &leaf, &chain, &e) == -1,
	    "empty download: refused");
	/* The length bounds the search: a NUL-free buffer is not read past
	   len. */
	in = PEM("LEAF") "\n" PEM("INT1") "\n";
	ok(order_split_chain(in, strlen(PEM("LEAF")), &leaf, &chain, &e) ==
	    0, "len bounds the input");
	is_str(chain, "", "len bounds the input: no chain beyond it");
	free(leaf);
	free(chain);
}

/* One of several orders run at once by test_concurrent(). */
struct conc {
	struct acme		*a;
	struct mcert		 c;
	char			*hn[2];
	struct key		*k;
	struct chall_run	*run;
	struct order_result	 res;
	struct err		 e;
	int			 rc;
};

static void *
conc_order(void *arg)
{
	struct conc *cc = arg;
	struct issue_chall ic;
	struct order_req req;

	issue_order_req(&cc->c, cc->run, &ic, &req);
	req.key = cc->k;
	cc->rc = order_run(cc->a, &req, &cc->res, &cc->e);
	return NULL;
}

/* Four orders at once, each with a clone of a: one pool (directory,
   nonces, account, counters), one challenge run. */
static void
test_concurrent(struct acme *a, struct chall_run *run, const char *listen)
{
	struct conc cs[4];
	pthread_t t[4];
	struct acme_stats st0, st1;
	struct err e;
	int okn = 0;

	acme_stats_get(a, &st0);
	for (int i = 0; i < 4; i++) {
		memset(&cs[i], 0, sizeof(cs[i]));
		cs[i].a = acme_clone(a, &e);
		cs[i].hn[0] = xasprintf("conc%d.example.com", i);
		cs[i].c.name = cs[i].hn[0];
		cs[i].c.hostnames = cs[i].hn;
		cs[i].c.nhostnames = 1;
		cs[i].c.key_type = KEY_EC_P256;
		cs[i].c.challenge.type = CHALL_HTTP01;
		cs[i].c.challenge.listen = (char *)listen;
		cs[i].k = key_generate(KEY_EC_P256, &e);
		cs[i].run = run;
		pthread_create(&t[i], NULL, conc_order, &cs[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		if (cs[i].rc == 0 && cs[i].res.cert != NULL)
			okn++;
		else
			printf("# conc%d: %s\n", i, cs[i].e.msg);
	}
	is_int(okn, 4, "four orders at once, one clone each");
	acme_stats_get(a, &st1);
	long sum = 0;
	for (int i = 0; i < 4; i++)
		sum += cs[i].res.requests;
	is_int(acme_stats_total(&st1) - acme_stats_total(&st0), sum,
	    "the clones' requests are counted in the shared pool (%ld)", sum);
	ok(sum <= 4 * 7 + 4, "at most 7 requests per order, plus a nonce "
	    "each at most (%ld)", sum);
	for (int i = 0; i < 4; i++) {
		order_result_clear(&cs[i].res);
		key_free(cs[i].k);
		free(cs[i].hn[0]);
		acme_free(cs[i].a);
	}
}

static int
pebble_main(const char *url, const char *trust)
{
	const char *hport;
	char tmpl[] = "/tmp/test_order.XXXXXX";
	struct err e;

	test_split_chain();
	hport = getenv("PEBBLE_HTTP_PORT");

	char *dir = mkdtemp(tmpl);
	struct store *s = store_open(dir, 1, &e);
	ok(s != NULL, "store");
	struct acme_conf cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.directory = url;
	cfg.account_key = KEY_EC_P256;
	cfg.terms_accepted = 1;
	struct account_store io;
	store_account_io(s, &io);
	struct acme *a = acme_new(url, trust, NULL, &e);
	struct key *ak = NULL;
	enum acme_result r = account_open(a, &io, &cfg, 1, &ak, &e);
	is_int(r, ACME_OK, "an account for the orders %s", r ? e.msg : "");

	/* An order through the listen responder. */
	struct mcert c;
	memset(&c, 0, sizeof(c));
	char *hn[] = { "one.example.com", "two.example.com", NULL };
	c.name = "one";
	c.hostnames = hn;
	c.nhostnames = 2;
	c.key_type = KEY_EC_P256;
	c.challenge.type = CHALL_HTTP01;
	char *listen = xasprintf("127.0.0.1:%s", hport);
	c.challenge.listen = listen;
	struct manifest m;
	memset(&m, 0, sizeof(m));
	struct chall_run *run = chall_run_new(&m.dns, NULL);
	struct key *ck = key_generate(KEY_EC_P256, &e);
	struct issue_chall ic;
	struct order_req req;
	issue_order_req(&c, run, &ic, &req);
	req.key = ck;
	struct order_result res;
	long t0 = mono_ms();
	r = order_run(a, &req, &res, &e);
	is_int(r, 0, "order issued %s", r ? e.msg : "");
	printf("# order: %ld requests, %lld ms\n", res.requests,
	    mono_ms() - t0);
	ok(res.cert && strstr(res.cert, "BEGIN CERTIFICATE"), "leaf");
	ok(res.chain && strstr(res.chain, "BEGIN CERTIFICATE"), "chain");
	ok(res.problem_type == NULL && res.retry_after == -1,
	    "no failure recorded");

	struct certset set;
	memset(&set, 0, sizeof(set));
	set.cert = res.cert;
	set.chain = res.chain;
	set.key = key_to_pem(ck, &e);
	struct certinfo info;
	certinfo_read(&set, &info);
	is_str(certinfo_status_names[info.status], "ok", "set is sound");
	is_int(info.nsans, 2, "two SANs");
	certinfo_clear(&info);
	key_pem_free(set.key);

	test_concurrent(a, run, listen);

	/* Resuming a valid order downloads again without a new order. */
	req.resume_url = res.order_url;
	struct order_result res2;
	r = order_run(a, &req, &res2, &e);
	ok(r == 0 && res2.resumed, "valid order resumed");
	is_str(res2.cert, res.cert, "same certificate");
	order_result_clear(&res2);
	order_result_clear(&res);

	/* A name the CA cannot validate: the failure is returned (the
	   problem type in the result), nothing is kept on the client. */
	char *bad[] = { "bad..example.com", NULL };
	struct mcert cb = c;
	cb.name = "bad";
	cb.hostnames = bad;
	cb.nhostnames = 1;
	issue_order_req(&cb, run, &ic, &req);
	req.key = ck;
	r = order_run(a, &req, &res, &e);
	is_int(r, ACME_BAD_INPUT, "a name the CA cannot validate: bad input "
	    "(%s)", e.msg);
	ok(res.problem_type != NULL &&
	    strstr(res.problem_type, ACME_URN) == res.problem_type,
	    "cannot validate: the problem type is kept in the result (%s)",
	    res.problem_type ? res.problem_type : "none");
	order_result_clear(&res);

	key_free(ck);
	chall_run_free(run);
	free(listen);
	acme_free(a);
	key_free(ak);
	store_free(s);
	rm_rf(dir, &e);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
