/*
 * test_dnsupdate.c - dnsupdate_txt() believes only a NOERROR signed with
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
