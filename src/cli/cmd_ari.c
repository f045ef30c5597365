/*
 * cmd_ari.c - the ARI parts shared by the plan, status and apply commands:
 * the --next-run option and the lines that show what the CA's renewal
 * window says (the tables stay one row per certificate).
 */
#include <stdio.h>
#include <stdlib.h>

#include "acme/ari.h"
#include "base/str.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "manifest/manifest.h"
#include "reconcile/plan.h"
#include "store/state.h"

int
cmd_parse_next_run(const char *cmd, const char *arg, long long *secs)
{
	if (arg != NULL && (duration_parse(arg, secs) == -1 || *secs <= 0)) {
		fprintf(stderr, "certkeep %s: --next-run %s: expected a "
		    "duration such as 24h, 12h or 1d\n", cmd, arg);
		return EXIT_USAGE;
	}
	return 0;
}

void
cmd_add_ari_line(struct strlist *lines, const char *name,
    const struct ari_state *st, const char *cert_id)
{
	char *line = ari_state_describe(st, cert_id);

	if (line != NULL)
		strlist_addf(lines, "  %s: %s", name, line);
	free(line);
}

void
cmd_print_ari_lines(const struct strlist *lines)
{
	size_t i;

	if (lines->n > 0)
		printf("\nRenewal information from the CA (ARI):\n");
	for (i = 0; i < lines->n; i++)
		printf("%s\n", lines->v[i]);
}

void
cmd_print_ari(const struct manifest *m, const struct plan_item *items,
    const struct certstate *states, const unsigned char *sel)
{
	struct strlist lines;
	size_t i;

	strlist_init(&lines);
	for (i = 0; i < m->ncerts; i++)
		if (sel[i])
			cmd_add_ari_line(&lines, m->certs[i].name,
			    &states[i].ari, items[i].info.ari_id);
	cmd_print_ari_lines(&lines);
	strlist_clear(&lines);
}
