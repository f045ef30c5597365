/*
 * test_etcd_client.c - the etcd v3 JSON gateway client against a real
 * one-member etcd: put/get of bytes, prefix ranges (keys only, modified
 * since), transactions both ways, deletes, leases, a watch, failover to
 * the next endpoint, errors that name every endpoint, plain http refused
 * off loopback, and authentication with an auth_file (checked like every
 * secret).
 *
 * Without ETCD_ENDPOINTS in the environment the program starts etcd
 * itself through tests/lib/etcd.sh (run from the source tree, as
 * tests/run.sh does) and runs again under it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/mem.h"
#include "store/etcd_client.h"
#include "tap.h"

static struct etcd *
client(const char *endpoints, const char *auth_file, struct err *e)
{
	struct etcd_opts o;

	memset(&o, 0, sizeof(o));
	o.endpoints = endpoints;
	o.auth_file = auth_file;
	o.timeout_ms = 3000;
	return etcd_open(&o, e);
}

struct seen {
	int	 puts;
	int	 dels;
	char	 last[64];
};

static int
on_event(void *arg, int put, const struct etcd_kv *kv)
{
	struct seen *s = arg;

	if (put)
		s->puts++;
	else
		s->dels++;
	snprintf(s->last, sizeof(s->last), "%s", kv->key);
	return s->puts + s->dels >= 2;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd != -1) {
		if (write(fd, text, strlen(text)) < 0)
			perror(path);
		fchmod(fd, mode);
		close(fd);
	}
}

int
main(int argc, char **argv)
{
	const char *ep = getenv("ETCD_ENDPOINTS");
	struct etcd *c, *d;
	struct etcd_kv kv;
	struct etcd_kvs kvs;
	struct etcd_cmp cmp;
	struct etcd_op op, get;
	struct seen seen;
	struct err e;
	long long rev, rev2, lease, n;
	long ttl;
	int ok_, r;
	char *two, *cmd, dir[] = "/tmp/test_etcd.XXXXXX";

	(void)argc;
	if (ep == NULL) {
		cmd = xasprintf("TESTS_DIR=\"$PWD/tests\"; "
		    ". tests/lib.sh >/dev/null; "
		    ". tests/lib/etcd.sh; start_etcd 1 >&2 || exit 1; "
		    "'%s'; exit $?", argv[0]);
		setenv("CERTKEEP", "/bin/true", 0);
		r = system(cmd);
		free(cmd);
		return WIFEXITED(r) ? WEXITSTATUS(r) : 1;
	}

	/* Options. */
	ok(client("10.0.0.1:2379", NULL, &e) == NULL &&
	    strstr(e.msg, "not a loopback address") != NULL,
	    "plain http off loopback refused: %s", e.msg);
	ok(client("127.0.0.1", NULL, &e) == NULL &&
	    strstr(e.msg, "not HOST:PORT") != NULL, "no port: %s", e.msg);
	ok(client("127.0.0.1:0", NULL, &e) == NULL, "port 0: %s", e.msg);

	c = client(ep, NULL, &e);
	ok(c != NULL, "client for %s", ep);
	if (c == NULL)
		return tap_done();

	/* Bytes in, bytes out. */
	ok(etcd_put(c, "t/a", "x\0y", 3, 0, &rev, &e) == 0 && rev > 0,
	    "put t/a (revision %lld)", rev);
	r = etcd_get(c, "t/a", &kv, NULL, &e);
	ok(r == 1 && kv.vlen == 3 && memcmp(kv.value, "x\0y", 3) == 0 &&
	    kv.mod_rev == rev && kv.version == 1, "get t/a: the bytes put");
	etcd_kv_clear(&kv);
	is_int(etcd_get(c, "t/none", &kv, NULL, &e), 0, "absent key: 0");

	/* Ranges. */
	ok(etcd_put(c, "t/b", "b", 1, 0, &rev2, &e) == 0, "put t/b");
	ok(etcd_put(c, "u/c", "c", 1, 0, NULL, &e) == 0, "put u/c");
	ok(etcd_range_prefix(c, "t/", 0, 0, 0, &kvs, &e) == 0 && kvs.n == 2 &&
	    strcmp(kvs.v[0].key, "t/a") == 0 && strcmp(kvs.v[1].key, "t/b")
	    == 0, "range t/: t/a and t/b, sorted, not u/c");
	etcd_kvs_clear(&kvs);
	ok(etcd_range_prefix(c, "t/", 0, 1, 0, &kvs, &e) == 0 && kvs.n == 2 &&
	    kvs.v[0].value == NULL, "keys only: no values");
	etcd_kvs_clear(&kvs);
	ok(etcd_range_prefix(c, "t/", 0, 0, rev2, &kvs, &e) == 0 &&
	    kvs.n == 1 && strcmp(kvs.v[0].key, "t/b") == 0,
	    "modified since revision %lld: t/b only", rev2);
	etcd_kvs_clear(&kvs);
	ok(etcd_range_prefix(c, "t/", 1, 0, 0, &kvs, &e) == 0 && kvs.n == 1 &&
	    kvs.more, "limit 1: one key, more");
	etcd_kvs_clear(&kvs);
	ok(etcd_range_prefix(c, "", 0, 0, 0, &kvs, &e) == -1,
	    "an empty prefix is refused");

	/* Transactions. */
	memset(&cmp, 0, sizeof(cmp));
	cmp.key = "t/lock";
	cmp.target = ETCD_T_CREATE;
	cmp.result = ETCD_R_EQUAL;
	memset(&op, 0, sizeof(op));
	op.kind = ETCD_OP_PUT;
	op.key = "t/lock";
	op.value = "me";
	op.vlen = 2;
	memset(&get, 0, sizeof(get));
	get.kind = ETCD_OP_GET;
	get.key = "t/lock";
	memset(&kvs, 0, sizeof(kvs));
	ok(etcd_txn(c, &cmp, 1, &op, 1, &get, 1, &ok_, &kvs, NULL, &e) == 0 &&
	    ok_ && kvs.n == 0, "txn: create if absent succeeds");
	etcd_kvs_clear(&kvs);
	op.value = "you";
	op.vlen = 3;
	ok(etcd_txn(c, &cmp, 1, &op, 1, &get, 1, &ok_, &kvs, NULL, &e) == 0 &&
	    !ok_ && kvs.n == 1 && strcmp(kvs.v[0].value, "me") == 0,
	    "txn again: fails, the failure branch reads the holder");
	etcd_kvs_clear(&kvs);
	cmp.target = ETCD_T_VALUE;
	cmp.value = "me";
	cmp.vlen = 2;
	ok(etcd_txn(c, &cmp, 1, &op, 1, NULL, 0, &ok_, NULL, NULL, &e) == 0 &&
	    ok_, "txn on the value: succeeds");
	r = etcd_get(c, "t/lock", &kv, NULL, &e);
	ok(r == 1 && strcmp(kv.value, "you") == 0, "and put");
	etcd_kv_clear(&kv);

	/* Deletes. */
	ok(etcd_delete(c, "t/", 1, &n, &e) == 0 && n == 3,
	    "delete prefix t/: 3 keys (%lld)", n);
	ok(etcd_delete(c, "u/c", 0, &n, &e) == 0 && n == 1, "delete u/c");

	/* Leases. */
	ok(etcd_lease_grant(c, 30, &lease, &e) == 0 && lease != 0,
	    "lease granted");
	ok(etcd_lease_keepalive(c, lease, &ttl, &e) == 0 && ttl > 0 &&
	    ttl <= 30, "keepalive: %ld s left", ttl);
	ok(etcd_put(c, "l/k", "v", 1, lease, NULL, &e) == 0, "put on lease");
	r = etcd_get(c, "l/k", &kv, NULL, &e);
	ok(r == 1 && kv.lease == lease, "the key carries the lease");
	etcd_kv_clear(&kv);
	ok(etcd_lease_revoke(c, lease, &e) == 0, "lease revoked");
	is_int(etcd_get(c, "l/k", &kv, NULL, &e), 0,
	    "its key went with it");
	ok(etcd_lease_keepalive(c, lease, NULL, &e) == -1,
	    "keepalive of a revoked lease fails: %s", e.msg);

	/* Watch: two events from a revision in the past. */
	ok(etcd_put(c, "w/1", "a", 1, 0, &rev, &e) == 0 &&
	    etcd_delete(c, "w/1", 0, NULL, &e) == 0, "put and delete w/1");
	memset(&seen, 0, sizeof(seen));
	ok(etcd_watch(c, "w/", rev, 5000, on_event, &seen, &rev2, &e) == 0 &&
	    seen.puts == 1 && seen.dels == 1 && strcmp(seen.last, "w/1") == 0
	    && rev2 > rev, "watch from revision %lld: the put and the delete "
	    "(last %lld)", rev, rev2);
	memset(&seen, 0, sizeof(seen));
	ok(etcd_watch(c, "w/", 0, 300, on_event, &seen, NULL, &e) == 0 &&
	    seen.puts == 0, "watch with nothing happening: ends at its "
	    "timeout");

	/* Failover: a dead endpoint first. */
	two = xasprintf("127.0.0.1:1,%s", ep);
	d = client(two, NULL, &e);
	ok(d != NULL && etcd_put(d, "f/1", "1", 1, 0, NULL, &e) == 0,
	    "a dead first endpoint: the next answers");
	is_int(etcd_requests(d), 2, "two requests for the first call");
	ok(etcd_get(d, "f/1", &kv, NULL, &e) == 1, "then the live one first");
	etcd_kv_clear(&kv);
	is_int(etcd_requests(d), 3, "one request for the next call");
	etcd_free(d);
	free(two);
	d = client("127.0.0.1:1,127.0.0.1:2", NULL, &e);
	ok(d != NULL && etcd_get(d, "f/1", &kv, NULL, &e) == -1 &&
	    strstr(e.msg, "no endpoint answered") != NULL &&
	    strstr(e.msg, "http://127.0.0.1:1") != NULL &&
	    strstr(e.msg, "http://127.0.0.1:2") != NULL,
	    "none answers: both named: %s", e.msg);
	etcd_free(d);

	/* Authentication. */
	ok(mkdtemp(dir) != NULL, "temporary directory");
	cmd = xasprintf("ETCDCTL_API=3 etcdctl --endpoints %s user add "
	    "root:s3cret >/dev/null 2>&1 && ETCDCTL_API=3 etcdctl "
	    "--endpoints %s auth enable >/dev/null 2>&1", ep, ep);
	ok(system(cmd) == 0, "auth enabled (user root)");
	free(cmd);
	ok(etcd_get(c, "f/1", &kv, NULL, &e) == -1, "no token: refused: %s",
	    e.msg);
	two = xasprintf("%s/auth", dir);
	write_file(two, "root\ns3cret\n", 0644);
	ok(client(ep, two, &e) == NULL, "an auth_file others may read is "
	    "refused: %s", e.msg);
	write_file(two, "root\ns3cret\n", 0600);
	d = client(ep, two, &e);
	r = d != NULL ? etcd_get(d, "f/1", &kv, NULL, &e) : -1;
	ok(r == 1 && strcmp(kv.value, "1") == 0, "with auth_file: read");
	etcd_kv_clear(&kv);
	etcd_free(d);
	write_file(two, "root\nwrong\n", 0600);
	d = client(ep, two, &e);
	ok(d != NULL && etcd_get(d, "f/1", &kv, NULL, &e) == -1,
	    "a wrong password: refused: %s", e.msg);
	etcd_free(d);
	unlink(two);
	rmdir(dir);
	free(two);
	etcd_free(c);
	return tap_done();
}
