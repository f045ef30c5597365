/*
 * certkeep - keeps the TLS certificates of mail and web server listeners
 * issued, valid and wired in. main() parses the global options (accepted
 * before or after the command) and dispatches; everything else lives in
 * the library.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/version.h"
#include "cli/cmd.h"

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: certkeep [-m FILE] [-o text|json|html] [-v] [-q] "
	    "[--log-format text|json] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; command_table[i].name != NULL; i++)
		fprintf(fp, "  %-55s %s\n", command_table[i].usage,
		    command_table[i].help);
	fprintf(fp, "  %-55s %s\n", "version", "print the version");
	fprintf(fp, "  %-55s %s\n", "help [COMMAND]", "this text");
}

/* Returns the value of a global option at argv[*i], advancing *i. */
static const char *
optval(int argc, char **argv, int *i, const char *inl)
{
	if (inl != NULL && *inl != '\0')
		return inl;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

int
main(int argc, char **argv)
{
	struct ctx ctx;
	const struct command *cmd;
	const char *out = NULL, *logfmt = NULL, *v;
	char **rest;
	int i, n = 0, verbose = 0, quiet = 0, after_dashdash = 0;

	/* Inherited SIG_IGN makes the kernel reap children itself: waitpid()
	   on a hook would fail with ECHILD and lose its exit status. */
	signal(SIGCHLD, SIG_DFL);
	memset(&ctx, 0, sizeof(ctx));
	log_init(&ctx.log);
	rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (rest == NULL)
		return EXIT_FAIL;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (after_dashdash || a[0] != '-' || a[1] == '\0') {
			rest[n++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			after_dashdash = 1;
			rest[n++] = argv[i];
		} else if (strncmp(a, "-m", 2) == 0 &&
		    (a[2] == '\0' || a[1] == 'm')) {
			if ((v = optval(argc, argv, &i, a + 2)) == NULL)
				goto missing;
			ctx.manifest_path = v;
		} else if (strcmp(a, "--manifest") == 0) {
			if ((v = optval(argc, argv, &i, NULL)) == NULL)
				goto missing;
			ctx.manifest_path = v;
		} else if (strncmp(a, "-o", 2) == 0) {
			if ((out = optval(argc, argv, &i, a + 2)) == NULL)
				goto missing;
		} else if (strncmp(a, "--output", 8) == 0 &&
		    (a[8] == '\0' || a[8] == '=')) {
			if ((out = optval(argc, argv, &i,
			    a[8] == '=' ? a + 9 : NULL)) == NULL)
				goto missing;
		} else if (strncmp(a, "--log-format", 12) == 0 &&
		    (a[12] == '\0' || a[12] == '=')) {
			if ((logfmt = optval(argc, argv, &i,
			    a[12] == '=' ? a + 13 : NULL)) == NULL)
				goto missing;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			verbose++;
		} else if (strcmp(a, "-vv") == 0) {
			verbose += 2;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			quiet = 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			free(rest);
			return EXIT_OK;
		} else if (strcmp(a, "--version") == 0) {
			printf("certkeep %s\n", CERTKEEP_VERSION);
			free(rest);
			return EXIT_OK;
		} else {
			/* A command's own option. */
			rest[n++] = argv[i];
		}
	}

	if (out == NULL || strcmp(out, "text") == 0)
		ctx.out = OUT_TEXT;
	else if (strcmp(out, "json") == 0)
		ctx.out = OUT_JSON;
	else if (strcmp(out, "html") == 0)
		ctx.out = OUT_HTML;
	else {
		fprintf(stderr, "certkeep: -o %s: must be text, json or html\n",
		    out);
		goto usage_err;
	}
	if (logfmt != NULL && strcmp(logfmt, "json") == 0)
		ctx.log.json = 1;
	else if (logfmt != NULL && strcmp(logfmt, "text") != 0) {
		fprintf(stderr, "certkeep: --log-format %s: must be text or "
		    "json\n", logfmt);
		goto usage_err;
	}
	if (quiet)
		ctx.log.level = LOG_WARN;
	else if (verbose > 0)
		ctx.log.level = LOG_DEBUG;
	if (ctx.manifest_path == NULL)
		ctx.manifest_path = getenv("CERTKEEP_MANIFEST");
	if (ctx.manifest_path == NULL || *ctx.manifest_path == '\0')
		ctx.manifest_path = "certkeep.yaml";

	if (n == 0) {
		usage(stderr);
		goto usage_err;
	}
	if (ctx.out == OUT_HTML && strcmp(rest[0], "status") != 0) {
		fprintf(stderr, "certkeep: -o html is for status only\n");
		goto usage_err;
	}
	if (strcmp(rest[0], "version") == 0) {
		printf("certkeep %s\n", CERTKEEP_VERSION);
		free(rest);
		return EXIT_OK;
	}
	if (strcmp(rest[0], "help") == 0) {
		if (n > 1 && (cmd = command_find(rest[1])) != NULL)
			printf("usage: certkeep %s\n  %s\n", cmd->usage,
			    cmd->help);
		else if (n > 1) {
			fprintf(stderr, "certkeep: help: unknown command %s\n",
			    rest[1]);
			goto usage_err;
		} else
			usage(stdout);
		free(rest);
		return EXIT_OK;
	}
	if ((cmd = command_find(rest[0])) == NULL) {
		fprintf(stderr, "certkeep: unknown command %s\n", rest[0]);
		usage(stderr);
		goto usage_err;
	}
	i = cmd->fn(&ctx, n, rest);
	free(rest);
	return i;
missing:
	fprintf(stderr, "certkeep: %s needs a value\n", argv[i]);
usage_err:
	free(rest);
	return EXIT_USAGE;
}
