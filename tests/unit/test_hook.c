/*
 * test_hook.c - hook_run() in isolation: descriptors the caller leaked
 * (not close-on-exec) do not reach the hook; CERTKEEP_PASSPHRASE is not in
 * its environment; a private key it prints is withheld from the log as a
 * block; a status lost to SIGCHLD ignored is a failure, never a success.
 * And log_pem_withhold() on every armour kind; before those, the basics:
 * exit status, output capture, environment, timeout, a missing program.
 */
#include <sys/socket.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/time.h"
#include "deploy/hook.h"

#include "tap.h"

/* Runs argv with env and a timeout, the log (lines labelled label) in a
   memory buffer; returns hook_run's result, the log in *logged (caller
   frees). */
static int
run_as(const char *label, char *const *argv, char *const *env,
    long long timeout, struct hook_result *res, struct err *e, char **logged)
{
	struct log lg;
	size_t len = 0;
	FILE *fp;
	int rc;

	*logged = NULL;
	fp = open_memstream(logged, &len);
	log_init(&lg);
	lg.fp = fp;
	rc = hook_run(argv, env, timeout, label, &lg, res, e);
	fclose(fp);
	return rc;
}

#define run_full(argv, env, timeout, res, e, logged) \
	run_as("t", argv, env, timeout, res, e, logged)

/* The defaults, the log labelled "h". */
static int
run(char *const *argv, char **text, struct err *e)
{
	struct hook_result res;

	return run_as("h", argv, NULL, 10, &res, e, text);
}

static void
test_hooks(void)
{
	char *const ok_argv[] = { "sh", "-c",
	    "echo out-line; echo err-line >&2; printf 'a\\033b'", NULL };
	char *const fail_argv[] = { "sh", "-c", "exit 3", NULL };
	char *const env_argv[] = { "sh", "-c",
	    "echo \"N=$CERTKEEP_NAME H=$CERTKEEP_HOSTNAMES P=${PATH:+set}\"",
	    NULL };
	char *const env[] = { "CERTKEEP_NAME=demo",
	    "CERTKEEP_HOSTNAMES=a.example b.example", NULL };
	char *const slow_argv[] = { "sh", "-c",
	    "trap '' TERM; sleep 30; echo never", NULL };
	char *const missing_argv[] = { "certkeep-no-such-program", NULL };
	struct hook_result res;
	struct err e;
	char *logged = NULL;
	long long t0;

	err_clear(&e);
	is_int(run_full(ok_argv, NULL, 10, &res, &e, &logged), 0,
	    "a hook exiting 0 succeeds");
	ok(strstr(logged, "t: out-line") != NULL, "its stdout is logged");
	ok(strstr(logged, "t: err-line") != NULL, "its stderr is logged");
	ok(strstr(logged, "a\\x1bb") != NULL && strchr(logged, 033) == NULL,
	    "control bytes are escaped in the log");
	free(logged);

	is_int(run_full(fail_argv, NULL, 10, &res, &e, &logged), -1,
	    "exit status 3 fails");
	is_int(res.status, 3, "the exit status is reported");
	ok(strstr(e.msg, "exit status 3") != NULL, "message: %s", e.msg);
	free(logged);

	is_int(run_full(env_argv, env, 10, &res, &e, &logged), 0, "env hook runs");
	ok(strstr(logged, "N=demo H=a.example b.example P=set") != NULL,
	    "CERTKEEP_* added, inherited environment kept");
	free(logged);

	t0 = mono_ms();
	is_int(run_full(slow_argv, NULL, 1, &res, &e, &logged), -1,
	    "an overrunning hook fails");
	ok(res.timed_out, "and is reported as timed out: %s", e.msg);
	ok(mono_ms() - t0 < (1 + HOOK_KILL_GRACE + 3) * 1000,
	    "SIGTERM ignored: SIGKILL after the grace (%lld ms)",
	    mono_ms() - t0);
	ok(strstr(logged, "never") == NULL, "it did not run to the end");
	free(logged);

	is_int(run_full(missing_argv, NULL, 10, &res, &e, &logged), -1,
	    "a missing program fails");
	ok(!res.started && strstr(e.msg, "not found in PATH") != NULL,
	    "with a clear message: %s", e.msg);
	free(logged);
}

int
main(void)
{
	char *text = NULL;
	struct err e;
	int leak[3], sv[2], i;

	err_clear(&e);
	test_hooks();

	/* Descriptors: three files and a socket pair, inheritable. */
	for (i = 0; i < 3; i++)
		leak[i] = open("/dev/null", O_RDONLY);
	ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	{
		char *argv[] = { "sh", "-c", "ls /proc/$$/fd; true", NULL };

		ok(run(argv, &text, &e) == 0, "fd hook ran: %s", e.msg);
		ok(text != NULL && strcmp(text, "certkeep: h: 0\n"
		    "certkeep: h: 1\ncertkeep: h: 2\n") == 0,
		    "the hook sees descriptors 0, 1, 2 only:\n%s",
		    text ? text : "");
		free(text);
	}
	for (i = 0; i < 3; i++)
		close(leak[i]);
	close(sv[0]);
	close(sv[1]);

	/* Environment. */
	setenv("CERTKEEP_PASSPHRASE", "hunter2", 1);
	{
		char *argv[] = { "sh", "-c",
		    "echo \"pp=${CERTKEEP_PASSPHRASE-unset}\"", NULL };

		ok(run(argv, &text, &e) == 0, "env hook ran");
		ok(text != NULL && strstr(text, "pp=unset") != NULL &&
		    strstr(text, "hunter2") == NULL,
		    "CERTKEEP_PASSPHRASE is not passed on: %s",
		    text ? text : "");
		free(text);
	}
	unsetenv("CERTKEEP_PASSPHRASE");

	/* A key printed line by line, between two ordinary lines. */
	{
		char *argv[] = { "sh", "-c", "echo before; "
		    "printf '%s\\n' '-----BEGIN EC PRIVATE KEY-----' "
		    "MHcCAQEEIBODYLINEONE 'BODYLINETWO+/=' "
		    "'-----END EC PRIVATE KEY-----'; echo after", NULL };

		ok(run(argv, &text, &e) == 0, "key hook ran");
		ok(text != NULL && strstr(text, "BODYLINE") == NULL &&
		    strstr(text, "MHcC") == NULL &&
		    strstr(text, "PRIVATE KEY") == NULL,
		    "no line of the key is logged:\n%s", text ? text : "");
		ok(text != NULL && strstr(text, "h: before\n") != NULL &&
		    strstr(text, "h: after\n") != NULL &&
		    strstr(text, "withheld") != NULL,
		    "the lines around it are, and the gap is said");
		free(text);
	}

	/* SIGCHLD ignored: the kernel reaps the hook, its status is lost. */
	signal(SIGCHLD, SIG_IGN);
	{
		char *argv[] = { "sh", "-c", "exit 0", NULL };

		ok(run(argv, &text, &e) == -1 &&
		    strstr(e.msg, "exit status was lost") != NULL,
		    "a lost exit status is a failure: %s", e.msg);
		free(text);
	}
	signal(SIGCHLD, SIG_DFL);

	/* The filter. */
	{
		static const char *const begins[] = {
			"-----BEGIN PRIVATE KEY-----",
			"-----BEGIN RSA PRIVATE KEY-----",
			"-----BEGIN ENCRYPTED PRIVATE KEY-----",
			"-----BEGIN OPENSSH PRIVATE KEY-----",
			"prefix: -----BEGIN EC PRIVATE KEY-----",
		};
		struct log_pem_filter f = { 0 };
		size_t k;

		for (k = 0; k < sizeof(begins) / sizeof(begins[0]); k++) {
			ok(log_pem_withhold(&f, begins[k], strlen(begins[k]))
			    && log_pem_withhold(&f, "QUJD", 4) &&
			    log_pem_withhold(&f, "", 0) &&
			    log_pem_withhold(&f, "-----END X-----", 15) &&
			    !log_pem_withhold(&f, "QUJD", 4),
			    "block from \"%s\" to END withheld, not after",
			    begins[k]);
		}
		ok(!log_pem_withhold(&f, "-----BEGIN CERTIFICATE-----", 27) &&
		    !log_pem_withhold(&f, "MIIB", 4),
		    "a certificate is not withheld");
	}
	return tap_done();
}
