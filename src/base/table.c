/* table.c - aligned text tables (table.h). */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/str.h"
#include "base/table.h"

void
table_init(struct table *t, size_t ncols, const char *const *headers)
{
	t->ncols = ncols;
	strlist_init(&t->cells);
	table_add(t, headers);
}

void
table_add(struct table *t, const char *const *cells)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		strlist_add(&t->cells, cells[i] != NULL ? cells[i] : "-");
}

void
table_print(const struct table *t, FILE *fp)
{
	size_t *w, i, n, rows;

	w = xcalloc(t->ncols, sizeof(*w));
	rows = t->cells.n / t->ncols;
	for (i = 0; i < t->cells.n; i++)
		if ((n = strlen(t->cells.v[i])) > w[i % t->ncols])
			w[i % t->ncols] = n;
	for (i = 0; i < rows * t->ncols; i++) {
		if (i % t->ncols == t->ncols - 1)
			fprintf(fp, "%s\n", t->cells.v[i]);
		else
			fprintf(fp, "%-*s  ", (int)w[i % t->ncols],
			    t->cells.v[i]);
	}
	free(w);
}

void
table_clear(struct table *t)
{
	strlist_clear(&t->cells);
}
