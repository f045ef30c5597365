/*
 * sets.h - for unit tests over certificate sets made by tests/lib/mkcerts.sh
 * (header-only, like tap.h; the tests run from the source tree root, as
 * tests/run.sh starts them).
 */
#ifndef CERTKEEP_TEST_SETS_H
#define CERTKEEP_TEST_SETS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "store/store.h"

/* Runs `sh tests/lib/mkcerts.sh ARGS` (e.g. "mkcerts_ca ca") in dir;
 * returns its exit status (-1 when the source tree is not found). */
static int __attribute__((unused))
mkcerts(const char *dir, const char *args)
{
	char cwd[1024], *cmd;
	int st;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -1;
	cmd = xasprintf("cd '%s' && sh '%s/tests/lib/mkcerts.sh' %s", dir,
	    cwd, args);
	st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Reads the set mkcerts_leaf wrote in setdir (cert.pem, key.pem,
 * cert_auth.pem) into *set; members NULL where files are absent. The
 * caller certset_clear()s it. */
static void __attribute__((unused))
set_load(const char *setdir, struct certset *set)
{
	static const char *const files[] = { STORE_CERT, STORE_KEY,
	    STORE_CHAIN };
	char **member[] = { &set->cert, &set->key, &set->chain };
	struct err e;
	char *p;
	size_t i;

	memset(set, 0, sizeof(*set));
	for (i = 0; i < 3; i++) {
		p = path_join(setdir, files[i]);
		*member[i] = file_read(p, 1 << 20, NULL, &e);
		free(p);
	}
}

/* Puts the set in setdir into store s as name; 0, or -1 (said in a TAP
 * comment). */
static int __attribute__((unused))
set_put(struct store *s, const char *setdir, const char *name)
{
	struct certset set;
	struct err e;
	int rc;

	set_load(setdir, &set);
	rc = store_replace_set(s, name, &set, &e);
	if (rc != 0)
		printf("# set_put %s: %s\n", name, e.msg);
	certset_clear(&set);
	return rc;
}

#endif
