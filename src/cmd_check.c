#include <stdio.h>

#include "cmd.h"

/* Not built yet: see the open issues. */
int
cmd_check(struct ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	fprintf(stderr, "certkeep %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}
