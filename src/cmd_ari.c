/*
 * cmd_ari.c - the ARI parts shared by the plan, status and apply commands:
 * the --next-run option and the lines that show what the CA's renewal
 * window says (the tables stay one row per certificate).
 */
#include <stdio.h>
#include <stdlib.h>

#include "ari.h"
#include "cmd.h"
#include "manifest.h"
#include "plan.h"
#include "state.h"
#include "util.h"

int
cmd_parse_next_run(const char *cmd, const char *arg, long long *secs)
{
	if (duration_parse(arg, secs) == -1 || *secs <= 0) {
		fprintf(stderr, "certkeep %s: --next-run %s: expected a "
		    "duration such as 24h, 12h or 1d\n", cmd, arg);
		return -1;
	}
	return 0;
}

void
cmd_print_ari(const struct manifest *m, const struct plan_item *items,
    const struct certstate *states, const unsigned char *sel)
{
	size_t i;
	char *line;
	int header = 0;

	for (i = 0; i < m->ncerts; i++) {
		if (!sel[i])
			continue;
		line = ari_state_describe(&states[i].ari, items[i].info.ari_id);
		if (line == NULL)
			continue;
		if (!header)
			printf("\nRenewal information from the CA (ARI):\n");
		header = 1;
		printf("  %s: %s\n", m->certs[i].name, line);
		free(line);
	}
}
