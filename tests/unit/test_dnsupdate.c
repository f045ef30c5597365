/*
 * test_dnsupdate.c - RFC 2136 updates signed with TSIG.
 *
 * The message: dnsupdate_build() makes an UPDATE of the zone with the
 * TXT record to add (class IN, the TTL) or delete (class NONE, TTL 0),
 * signed so that the key's secret verifies it and another does not;
 * unknown algorithms and secrets that are not base64 are refused.
 *
 * The answer: dnsupdate_check_answer() grants only a NOERROR with the
 * request's ID, signed with the key over the request's MAC (answers made
 * here with ldns): unsigned, a flipped MAC byte, another secret, a MAC
 * not over this request, another ID, NOTAUTH and REFUSED are refused,
 * each with its reason.
 *
 * Over TCP, dnsupdate_txt() believes only a NOERROR signed with
 * the request's TSIG key: against tests/lib/dns_fake_update.py (NOERROR
 * unsigned, or with a random MAC; no real server answers a signed update
 * like that, so the fake stands in for a forged answer) it fails with a
 * message. Knot's signed answers are accepted in tests/t/dns_apply.sh and
 * tests/t/dns_tsig_answer.sh. Runs from the source tree root.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "dns/dnsupdate.h"
#include "tap.h"

/* Starts the fake in mode; its port in *port. Returns its pid or -1. */
static pid_t
fake_start(const char *dir, const char *mode, int *port)
{
	char *pf = xasprintf("%s/%s.port", dir, mode), *data = NULL;
	struct err e;
	pid_t pid;
	int i;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		execl("/usr/bin/python3", "python3",
		    "tests/lib/dns_fake_update.py", mode, pf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && pid > 0; i++) {
		if ((data = file_read(pf, 64, NULL, &e)) != NULL)
			break;
		usleep(50 * 1000);
	}
	*port = data != NULL ? atoi(data) : 0;
	free(data);
	free(pf);
	return *port > 0 ? pid : -1;
}

static void
fake_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}


#define SECRET	"c2VjcmV0IHNlY3JldCBzZWNyZXQgc2VjcmV0IDMyYg=="
#define OTHER	"b3RoZXIgc2VjcmV0IG90aGVyIHNlY3JldCAzMmJ5dGU="

/* The one RR of the update section, or NULL. */
static ldns_rr *
update_rr(ldns_pkt *p)
{
	/* ldns keeps the update section as the authority section. */
	if (ldns_rr_list_rr_count(ldns_pkt_authority(p)) != 1)
		return NULL;
	return ldns_rr_list_rr(ldns_pkt_authority(p), 0);
}

static void
test_build(void)
{
	struct dnsupdate_key key = { "certkeep.", NULL, SECRET };
	struct dnsupdate_key bad;
	struct dnsupdate_msg m;
	struct err e;
	ldns_pkt *p = NULL;
	ldns_rr *rr, *z, *t;
	char *s;

	err_clear(&e);
	ok(dnsupdate_build(&key, "example.test", "_acme-challenge.x.example.test",
	    "dGVzdA", 60, DNSUPDATE_ADD, &m, &e) == 0, "build an add: %s",
	    e.msg);
	ok(ldns_wire2pkt(&p, m.wire, m.len) == LDNS_STATUS_OK,
	    "the message parses");
	is_int(ldns_pkt_get_opcode(p), LDNS_PACKET_UPDATE, "opcode UPDATE");
	is_int(ldns_pkt_id(p), m.id, "the ID it says");
	z = ldns_rr_list_rr_count(ldns_pkt_question(p)) == 1 ?
	    ldns_rr_list_rr(ldns_pkt_question(p), 0) : NULL;
	s = z != NULL ? ldns_rdf2str(ldns_rr_owner(z)) : NULL;
	is_str(s, "example.test.", "the zone section names the zone");
	free(s);
	ok(z != NULL && ldns_rr_get_type(z) == LDNS_RR_TYPE_SOA,
	    "zone section of type SOA");
	rr = update_rr(p);
	s = rr != NULL ? ldns_rdf2str(ldns_rr_owner(rr)) : NULL;
	is_str(s, "_acme-challenge.x.example.test.", "the record's name");
	free(s);
	ok(rr != NULL && ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT &&
	    ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN &&
	    ldns_rr_ttl(rr) == 60, "TXT, class IN, TTL 60");
	s = rr != NULL ? ldns_rdf2str(ldns_rr_rdf(rr, 0)) : NULL;
	is_str(s, "\"dGVzdA\"", "the value");
	free(s);
	t = ldns_pkt_tsig(p);
	s = t != NULL ? ldns_rdf2str(ldns_rr_owner(t)) : NULL;
	is_str(s, "certkeep.", "signed with the key's name");
	free(s);
	s = t != NULL ? ldns_rdf2str(ldns_rr_rdf(t, 0)) : NULL;
	is_str(s, "hmac-sha256.", "the default algorithm hmac-sha256");
	free(s);
	ok(ldns_pkt_tsig_verify(p, m.wire, m.len, "certkeep.", SECRET, NULL),
	    "the secret verifies the signature");
	ok(!ldns_pkt_tsig_verify(p, m.wire, m.len, "certkeep.", OTHER, NULL),
	    "another secret does not");
	ok(m.what != NULL && strcmp(m.what, "add TXT _acme-challenge.x."
	    "example.test in zone example.test") == 0, "what: %s", m.what);
	ldns_pkt_free(p);
	p = NULL;
	dnsupdate_msg_clear(&m);

	key.algorithm = "hmac-sha512";
	ok(dnsupdate_build(&key, "example.test.", "_acme-challenge.x."
	    "example.test.", "dGVzdA", 60, DNSUPDATE_DELETE, &m, &e) == 0 &&
	    ldns_wire2pkt(&p, m.wire, m.len) == LDNS_STATUS_OK,
	    "build a delete (names with a trailing dot): %s", e.msg);
	rr = p != NULL ? update_rr(p) : NULL;
	ok(rr != NULL && ldns_rr_get_class(rr) == LDNS_RR_CLASS_NONE &&
	    ldns_rr_ttl(rr) == 0, "delete: class NONE, TTL 0 (that value "
	    "only)");
	t = p != NULL ? ldns_pkt_tsig(p) : NULL;
	s = t != NULL ? ldns_rdf2str(ldns_rr_rdf(t, 0)) : NULL;
	is_str(s, "hmac-sha512.", "the algorithm asked for");
	free(s);
	if (p != NULL)
		ldns_pkt_free(p);
	dnsupdate_msg_clear(&m);

	bad = key;
	bad.algorithm = "hmac-sha3";
	ok(dnsupdate_build(&bad, "example.test", "x.example.test", "v", 60,
	    DNSUPDATE_ADD, &m, &e) == -1 && strstr(e.msg, "not supported"),
	    "an unknown algorithm is refused: %s", e.msg);
	ok(m.wire == NULL, "and nothing is left to send");
	bad = key;
	bad.secret = "not base64 at all!";
	ok(dnsupdate_build(&bad, "example.test", "x.example.test", "v", 60,
	    DNSUPDATE_ADD, &m, &e) == -1 && strstr(e.msg, "base64"),
	    "a secret that is not base64 is refused: %s", e.msg);
}

/* An answer to req: rcode, ID, signed with secret over req's MAC (NULL
   secret: unsigned; over_mac 0: signed as if there was no request).
   Returns wire bytes (malloced), length in *len. */
static uint8_t *
answer_make(const struct dnsupdate_msg *req, uint16_t id, ldns_pkt_rcode rc,
    const char *secret, int over_mac, size_t *len)
{
	ldns_pkt *a = ldns_pkt_new();
	ldns_rdf *qmac = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA,
	    req->mac_len, req->mac);
	uint8_t *w = NULL;

	ldns_pkt_set_id(a, id);
	ldns_pkt_set_qr(a, 1);
	ldns_pkt_set_opcode(a, LDNS_PACKET_UPDATE);
	ldns_pkt_set_rcode(a, (uint8_t)rc);
	if (secret != NULL && ldns_pkt_tsig_sign(a, "certkeep.", secret, 300,
	    "hmac-sha256.", over_mac ? qmac : NULL) != LDNS_STATUS_OK)
		printf("# signing the answer failed\n");
	if (ldns_pkt2wire(&w, a, len) != LDNS_STATUS_OK)
		w = NULL;
	ldns_pkt_free(a);
	ldns_rdf_deep_free(qmac);
	return w;
}

static void
test_answer(void)
{
	struct dnsupdate_key key = { "certkeep.", "hmac-sha256", SECRET };
	struct dnsupdate_msg m;
	struct err e;
	uint8_t *w;
	size_t len;

	err_clear(&e);
	if (dnsupdate_build(&key, "example.test", "_acme-challenge.x."
	    "example.test", "dGVzdA", 60, DNSUPDATE_ADD, &m, &e) == -1) {
		ok(0, "build: %s", e.msg);
		return;
	}
	w = answer_make(&m, m.id, LDNS_RCODE_NOERROR, SECRET, 1, &len);
	ok(w != NULL && dnsupdate_check_answer(&m, &key, w, len, "ns",
	    &e) == 0, "NOERROR signed with the key over the request: "
	    "granted (%s)", e.msg);
	/* One byte of the MAC (before ID, error and other length). */
	if (w != NULL && len > 7)
		w[len - 7] ^= 0x01;
	ok(w != NULL && dnsupdate_check_answer(&m, &key, w, len, "ns",
	    &e) == -1 && strstr(e.msg, "does not verify with key certkeep.; "
	    "not trusted") != NULL, "a MAC with one bit flipped: refused: %s",
	    e.msg);
	free(w);

	w = answer_make(&m, m.id, LDNS_RCODE_NOERROR, NULL, 0, &len);
	ok(w != NULL && dnsupdate_check_answer(&m, &key, w, len,
	    "127.0.0.1:53", &e) == -1 && strstr(e.msg, "127.0.0.1:53 "
	    "answered NOERROR without a TSIG signature; not trusted") != NULL,
	    "unsigned NOERROR: refused: %s", e.msg);
	free(w);

	w = answer_make(&m, m.id, LDNS_RCODE_NOERROR, OTHER, 1, &len);
	ok(w != NULL && dnsupdate_check_answer(&m, &key, w, len, "ns",
	    &e) == -1 && strstr(e.msg, "does not verify") != NULL,
	    "signed with another secret: refused");
	free(w);

	w = answer_make(&m, m.id, LDNS_RCODE_NOERROR, SECRET, 0, &len);
	ok(w != NULL && dnsupdate_check_answer(&m, &key, w, len, "ns",
	    &e) == -1 && strstr(e.msg, "does not verify") != NULL,
	    "signed with the key but not over this request: refused");
	free(w);

	w = answer_make(&m, (uint16_t)(m.id + 1), LDNS_RCODE_NOERROR, SECRET,
	    1, &len);
	ok(w != NULL && dnsupdate_check_answer(&m, &key, w, len, "ns",
	    &e) == -1 && strstr(e.msg, "wrong ID") != NULL,
	    "another ID: refused: %s", e.msg);
	free(w);

	w = answer_make(&m, m.id, LDNS_RCODE_NOTAUTH, NULL, 0, &len);
	ok(w != NULL && dnsupdate_check_answer(&m, &key, w, len, "ns",
	    &e) == -1 && strstr(e.msg, "refused: NOTAUTH (wrong key or "
	    "secret") != NULL, "NOTAUTH: %s", e.msg);
	free(w);
	w = answer_make(&m, m.id, LDNS_RCODE_REFUSED, SECRET, 1, &len);
	ok(w != NULL && dnsupdate_check_answer(&m, &key, w, len, "ns",
	    &e) == -1 && strstr(e.msg, "refused: REFUSED (the server does "
	    "not allow") != NULL, "REFUSED, even signed: %s", e.msg);
	free(w);
	ok(dnsupdate_check_answer(&m, &key, (const uint8_t *)"\1\2\3", 3,
	    "ns", &e) == -1 && strstr(e.msg, "malformed") != NULL,
	    "garbage: refused: %s", e.msg);
	dnsupdate_msg_clear(&m);
}

int
main(void)
{
	static const char *const modes[] = { "unsigned", "badmac" };
	static const char *const says[] = {
	    "answered NOERROR without a TSIG signature; not trusted",
	    "does not verify with key certkeep.; not trusted" };
	struct dnsupdate_key key = { "certkeep.", "hmac-sha256",
	    "c2VjcmV0IHNlY3JldCBzZWNyZXQgc2VjcmV0IDMyYg==" };
	char dir[] = "/tmp/certkeep-dnsupdate.XXXXXX", server[64];
	struct err e;
	size_t i;
	pid_t pid;
	int port, rc;

	test_build();
	test_answer();
	if (mkdtemp(dir) == NULL)
		return 1;
	for (i = 0; i < 2; i++) {
		pid = fake_start(dir, modes[i], &port);
		ok(pid > 0, "%s: stand-in server on port %d", modes[i], port);
		snprintf(server, sizeof(server), "127.0.0.1:%d", port);
		err_clear(&e);
		rc = dnsupdate_txt(server, &key, "example.test",
		    "_acme-challenge.x.example.test", "dGVzdA", 60,
		    DNSUPDATE_ADD, 5000, &e);
		is_int(rc, -1, "%s NOERROR: the update is a failure", modes[i]);
		ok(strstr(e.msg, says[i]) != NULL && strstr(e.msg, server) !=
		    NULL, "%s: the message says why: %s", modes[i], e.msg);
		err_clear(&e);
		rc = dnsupdate_txt(server, &key, "example.test",
		    "_acme-challenge.x.example.test", "dGVzdA", 60,
		    DNSUPDATE_DELETE, 5000, &e);
		is_int(rc, -1, "%s NOERROR to a delete: a failure too",
		    modes[i]);
		fake_stop(pid);
	}
	(void)rm_rf(dir, &e);
	return tap_done();
}
