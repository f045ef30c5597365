/*
 * tap.h - a tiny TAP producer for the unit tests (header-only; test
 * programs may keep their counters in statics, the library may not).
 */
#ifndef CERTKEEP_TAP_H
#define CERTKEEP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int tap_n, tap_failed;

static void __attribute__((format(printf, 2, 3)))
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
}

#define ok(cond, ...) tap_ok(!!(cond), __VA_ARGS__)

#define is_int(got, want, ...) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	tap_ok(g_ == w_, __VA_ARGS__);					\
	if (g_ != w_)							\
		printf("#   got %lld, want %lld\n", g_, w_);		\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *g_ = (got), *w_ = (want);				\
	int c_ = (g_ == NULL && w_ == NULL) ||				\
	    (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0);		\
	tap_ok(c_, __VA_ARGS__);					\
	if (!c_)							\
		printf("#   got \"%s\"\n#  want \"%s\"\n",		\
		    g_ ? g_ : "(null)", w_ ? w_ : "(null)");		\
} while (0)

static void __attribute__((unused))
tap_skip(const char *why)
{
	tap_n++;
	printf("ok %d # SKIP %s\n", tap_n, why);
}

/* The mode of root/rel (lstat), or (mode_t)-1 when there is none. */
static mode_t __attribute__((unused))
tap_mode_of(const char *root, const char *rel)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return lstat(p, &st) == -1 ? (mode_t)-1 : st.st_mode;
}

/* A fresh directory for a test's files: root (of size n) becomes
   $TMPDIR/NAME-XXXXXX/s, not yet made; 0, or -1 when none can be made. */
static int __attribute__((unused))
tap_tmproot(char *root, size_t n, const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, n, "%s/%s-XXXXXX", tmp != NULL ? tmp : "/tmp", name);
	if (mkdtemp(root) == NULL)
		return -1;
	strncat(root, "/s", n - strlen(root) - 1);
	return 0;
}

/* Removes what tap_tmproot() made, then ends the test (tap_done()). */
static int __attribute__((unused))
tap_rmroot_done(char *root)
{
	char cmd[600];

	root[strlen(root) - 2] = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

static int __attribute__((unused))
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
