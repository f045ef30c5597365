/*
 * table.h - aligned text tables for people (status, plan): a header row,
 * then rows of cells, printed with columns padded to their widest cell.
 */
#ifndef CERTKEEP_TABLE_H
#define CERTKEEP_TABLE_H

#include <stdio.h>

#include "base/str.h"

struct table {
	size_t		 ncols;
	struct strlist	 cells;		/* row-major, header first */
};

/* headers: ncols column titles. */
void	 table_init(struct table *t, size_t ncols, const char *const *headers);
/* Adds one row of ncols cells (copied; NULL prints as "-"). */
void	 table_add(struct table *t, const char *const *cells);
/* Prints with two spaces between columns; the last is not padded. */
void	 table_print(const struct table *t, FILE *fp);
void	 table_clear(struct table *t);

#endif
