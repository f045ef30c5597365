/*
 * pebble.h - for the unit tests that talk to a real Pebble: without
 * PEBBLE_URL in the environment, the program starts Pebble itself through
 * tests/lib/pebble.sh (run from the source tree, as tests/run.sh does)
 * and runs again under it.
 */
#ifndef CERTKEEP_TEST_PEBBLE_H
#define CERTKEEP_TEST_PEBBLE_H

#include <stdlib.h>
#include <sys/wait.h>

#include "base/mem.h"

/* Returns -1 when PEBBLE_URL is set (go on), else the exit status of the
   run under a fresh Pebble. */
static int
pebble_reexec(const char *argv0)
{
	char *cmd;
	int rc;

	if (getenv("PEBBLE_URL") != NULL)
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

#endif
