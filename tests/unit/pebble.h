/*
 * pebble.h - for the unit tests that talk to a real Pebble: without
 * PEBBLE_URL in the environment, the program starts Pebble itself through
 * tests/lib/pebble.sh (run from the source tree, as tests/run.sh does)
 * and runs again under it. It holds main(): the test defines
 * pebble_main(), run with Pebble's directory URL and CA file.
 */
#ifndef CERTKEEP_TEST_PEBBLE_H
#define CERTKEEP_TEST_PEBBLE_H

#include <stdlib.h>
#include <sys/wait.h>

#include "base/mem.h"

/* Returns -1 when PEBBLE_URL is set (go on: *url and *trust are Pebble's
   directory URL and CA file), else the exit status of the run under a
   fresh Pebble. */
static int
pebble_reexec(const char *argv0, const char **url, const char **trust)
{
	char *cmd;
	int rc;

	*url = getenv("PEBBLE_URL");
	*trust = getenv("PEBBLE_TRUST");
	if (*url != NULL)
		return -1;
	cmd = xasprintf("TESTS_DIR=\"$PWD/tests\"; "
	    ". tests/lib.sh >/dev/null; "
	    ". tests/lib/pebble.sh; start_pebble >&2 || exit 1; "
	    "'%s'; exit $?", argv0);
	setenv("CERTKEEP", "/bin/true", 0);
	rc = system(cmd);
	free(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
}

static int	pebble_main(const char *url, const char *trust);

int
main(int argc, char **argv)
{
	const char *url, *trust;
	int rc;

	(void)argc;
	if ((rc = pebble_reexec(argv[0], &url, &trust)) != -1)
		return rc;
	return pebble_main(url, trust);
}

#endif
