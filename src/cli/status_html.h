/*
 * status_html.h - `certkeep status -o html`: one self-contained page (inline
 * CSS and SVG, no script, nothing fetched) with a timeline of every
 * certificate from not-before to not-after, a line for today, the renewal
 * window and the CA's ARI window shaded, failures in red, and the status
 * table below. For a CI artifact or a report mailed from cron.
 *
 * status reads one certificate at a time and hands each to
 * status_html_add(), which keeps only the few strings and times of its row;
 * status_html_write() then prints the page in one pass. Every string that
 * reaches the page (names, hostnames, issuer, error text) is escaped.
 */
#ifndef CERTKEEP_STATUS_HTML_H
#define CERTKEEP_STATUS_HTML_H

#include <stdio.h>
#include <time.h>

struct certstate;
struct plan_item;
struct status_html;

/* A page for the manifest at path (shown in the heading), as of now. */
struct status_html *status_html_new(const char *manifest_path, time_t now);
void	 status_html_free(struct status_html *h);	/* NULL is a no-op */

/* Adds the row of one certificate (st may be NULL). Copies what it needs. */
void	 status_html_add(struct status_html *h, const struct plan_item *it,
	    const struct certstate *st);

/* Writes the page to fp. Returns 0, or -1 when writing failed. */
int	 status_html_write(const struct status_html *h, FILE *fp);

#endif
