/*
 * status_html.c - the HTML status page (see status_html.h).
 *
 * Layout: a heading with the counts, a legend, one SVG timeline (a row per
 * certificate: its lifetime as a bar, the renewal window and the ARI
 * window shaded over it, a vertical line for today, month or year ticks on
 * top) and the table. Rows keep manifest order in both, so row N of the
 * timeline is row N of the table. Colours carry meaning only together with
 * text (the state column), so the page reads without them too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/time.h"
#include "base/version.h"
#include "cli/status_html.h"
#include "manifest/manifest.h"
#include "reconcile/plan.h"
#include "store/certinfo.h"
#include "store/state.h"

enum row_level {
	ROW_OK,
	ROW_DUE,	/* to issue or renew: nothing wrong yet */
	ROW_FAIL,	/* a failed attempt, an expired or unusable set */
	ROW__MAX
};
static const char *const row_level_names[ROW__MAX] = { "ok", "due", "fail" };

struct html_row {
	char	*name;
	char	*hosts;		/* comma-separated */
	char	*issuer;
	char	*key;
	char	*listeners;
	const char *state;	/* static: plan_item_state() */
	char	*error;		/* last error, or NULL */
	int	 parsed;	/* the times below are known */
	time_t	 not_before, not_after, renew_at;
	time_t	 ari_start, ari_end;	/* 0: no ARI window */
	long long days;
	enum row_level level;
};

struct status_html {
	char		*manifest;
	time_t		 now;
	struct html_row	*rows;
	size_t		 n, cap;
};

/* Geometry of the timeline, in SVG user units (pixels). */
#define TL_LABEL	250	/* name column */
#define TL_PLOT		900	/* the time axis */
#define TL_RIGHT	20
#define TL_TOP		28	/* tick labels */
#define TL_ROW		18
#define TL_BAR		10	/* bar height inside a row */
#define TL_NAME_MAX	34	/* longer names are cut with an ellipsis */

struct status_html *
status_html_new(const char *manifest_path, time_t now)
{
	struct status_html *h = xcalloc(1, sizeof(*h));

	h->manifest = xstrdup(manifest_path != NULL ? manifest_path : "");
	h->now = now;
	return h;
}

void
status_html_free(struct status_html *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++) {
		FREE_ALL(h->rows[i].name, h->rows[i].hosts, h->rows[i].issuer,
		    h->rows[i].key, h->rows[i].listeners, h->rows[i].error);
	}
	FREE_ALL(h->rows, h->manifest, h);
}

void
status_html_add(struct status_html *h, const struct plan_item *it,
    const struct certstate *st)
{
	const struct mcert *c = it->cert;
	const struct certinfo *ii = &it->info;
	struct html_row *r;
	struct buf b;
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->rows = xrealloc(h->rows, h->cap * sizeof(*h->rows));
	}
	r = &h->rows[h->n++];
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(c->name);
	buf_init(&b);
	for (i = 0; i < c->nhostnames; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", c->hostnames[i]);
	r->hosts = buf_steal(&b);
	buf_init(&b);
	for (i = 0; i < c->nlisteners; i++)
		buf_printf(&b, "%s%s/%s@%s", i ? ", " : "",
		    server_kind_names[c->listeners[i].server],
		    service_kind_names[c->listeners[i].service],
		    c->listeners[i].address);
	r->listeners = buf_steal(&b);
	r->state = plan_item_state(it, h->now);
	r->parsed = ii->status != CERTINFO_MISSING &&
	    ii->status != CERTINFO_CORRUPT_CERT;
	if (r->parsed) {
		r->not_before = ii->not_before;
		r->not_after = ii->not_after;
		r->renew_at = it->renew_at;
		r->days = days_left(ii->not_after, h->now);
		if (ii->issuer_cn != NULL || ii->issuer != NULL)
			r->issuer = xstrdup(ii->issuer_cn != NULL ?
			    ii->issuer_cn : ii->issuer);
		r->key = xstrdup(ii->key_type >= 0 && ii->key_type < KEY__MAX ?
		    key_type_names[ii->key_type] : "other");
	}
	if (st != NULL && st->ari.window_start != 0 &&
	    st->ari.window_end > st->ari.window_start) {
		r->ari_start = st->ari.window_start;
		r->ari_end = st->ari.window_end;
	}
	if (st != NULL && st->consecutive_failures > 0 &&
	    st->last_error_time != 0) {
		char when[32];

		time_format_minute(st->last_error_time, when, sizeof(when));
		r->error = xasprintf("%d failed attempt%s, the last %s: %s%s%s",
		    st->consecutive_failures,
		    st->consecutive_failures == 1 ? "" : "s", when,
		    st->last_error_type != NULL ? st->last_error_type : "",
		    st->last_error_type != NULL &&
		    st->last_error_detail != NULL ? ": " : "",
		    st->last_error_detail != NULL ? st->last_error_detail :
		    "");
	}
	if (r->error != NULL ||
	    (ii->status != CERTINFO_OK && ii->status != CERTINFO_MISSING) ||
	    (r->parsed && ii->not_after <= h->now))
		r->level = ROW_FAIL;
	else if (it->action != PLAN_KEEP)
		r->level = ROW_DUE;
	else
		r->level = ROW_OK;
}

/*
 * Text for the page: & < > " ' as entities, control characters dropped,
 * and ':' as &#58; so that no text (an error naming a URL) reads as a
 * reference to fetch; the browser shows the same characters.
 */
static void
html_put(FILE *fp, const char *s)
{
	const char *run = s;
	const char *rep;

	/* Plain bytes a run at a time: stdio locks the stream for every
	   fputc once the run has started threads. */
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case ':': rep = "&#58;"; break;
		case '\t': case '\n': rep = " "; break;
		default:
			if (ch >= 0x20 && ch != 0x7f)
				continue;
			rep = "";
		}
		fwrite(run, 1, (size_t)(s - run), fp);
		fputs(rep, fp);
		run = s + 1;
	}
	if (s != NULL)
		fwrite(run, 1, (size_t)(s - run), fp);
}

static void
put_day(FILE *fp, time_t t)
{
	char day[32];

	time_format_date(t, day, sizeof(day));
	fputs(day, fp);
}

/* x of time t on the plot (clamped to it). */
static double
tl_x(time_t t, time_t lo, time_t hi)
{
	double f = hi > lo ? (double)(t - lo) / (double)(hi - lo) : 0;

	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	return TL_LABEL + f * TL_PLOT;
}

/* The span shown: every certificate's lifetime and today. */
static void
tl_range(const struct status_html *h, time_t *lo, time_t *hi)
{
	size_t i;

	*lo = *hi = h->now;
	for (i = 0; i < h->n; i++) {
		if (!h->rows[i].parsed)
			continue;
		if (h->rows[i].not_before < *lo)
			*lo = h->rows[i].not_before;
		if (h->rows[i].not_after > *hi)
			*hi = h->rows[i].not_after;
	}
	/* A little room on both sides; at least a week shown. */
	if (*hi - *lo < 7 * 86400)
		*hi = *lo + 7 * 86400;
	*lo -= (*hi - *lo) / 50;
	*hi += (*hi - *lo) / 50;
}

/* Ticks on the first of a month, every 1, 3, 6, 12... months. */
static void
tl_ticks(FILE *fp, time_t lo, time_t hi, int height)
{
	static const int steps[] = { 1, 2, 3, 6, 12, 24, 60, 120 };
	struct tm tm;
	time_t t;
	double x;
	long long months = (long long)(hi - lo) / (30LL * 86400) + 1;
	int step = steps[0];
	size_t k;
	char lbl[16];

	for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		step = steps[k];
		if (months / step <= 10)
			break;
	}
	gmtime_r(&lo, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mon = (tm.tm_mon / step) * step % 12;
	if (step > 12)
		tm.tm_year -= tm.tm_year % (step / 12);
	for (;;) {
		tm.tm_mon += step;
		while (tm.tm_mon >= 12) {
			tm.tm_mon -= 12;
			tm.tm_year++;
		}
		if ((t = timegm(&tm)) == (time_t)-1 || t > hi)
			break;
		x = tl_x(t, lo, hi);
		strftime(lbl, sizeof(lbl), step >= 12 ? "%Y" : "%Y-%m", &tm);
		fprintf(fp, "<line class=\"tick\" x1=\"%.1f\" y1=\"%d\" "
		    "x2=\"%.1f\" y2=\"%d\"/><text class=\"tl\" x=\"%.1f\" "
		    "y=\"%d\">%s</text>\n", x, TL_TOP - 6, x, height, x,
		    TL_TOP - 10, lbl);
	}
}

static void
tl_row(FILE *fp, const struct html_row *r, size_t i, time_t lo, time_t hi,
    time_t now)
{
	double y = TL_TOP + (double)i * TL_ROW, by = y + (TL_ROW - TL_BAR) / 2.0;
	double x0, x1, w0, w1;
	size_t len = strlen(r->name);

	fprintf(fp, "<g class=\"row %s\"><title>", row_level_names[r->level]);
	html_put(fp, r->name);
	fputs(" \xe2\x80\x94 ", fp);
	html_put(fp, r->state);
	if (r->parsed) {
		fputs(", ", fp);
		put_day(fp, r->not_before);
		fputs(" .. ", fp);
		put_day(fp, r->not_after);
	}
	if (r->error != NULL) {
		fputs(", ", fp);
		html_put(fp, r->error);
	}
	fprintf(fp, "</title><text class=\"name\" x=\"4\" y=\"%.1f\">",
	    y + TL_ROW - 5);
	if (len > TL_NAME_MAX) {
		char *cut = xstrndup(r->name, TL_NAME_MAX - 1);

		html_put(fp, cut);
		fputs("\xe2\x80\xa6", fp);
		free(cut);
	} else
		html_put(fp, r->name);
	fputs("</text>", fp);
	if (!r->parsed) {
		/* Nothing to draw but where it should be: from today. */
		x0 = tl_x(now, lo, hi);
		fprintf(fp, "<rect class=\"none\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"90\" height=\"%d\"/><text class=\"tn\" "
		    "x=\"%.1f\" y=\"%.1f\">", x0, by, TL_BAR, x0 + 4,
		    by + TL_BAR - 1);
		html_put(fp, r->state);
		fputs("</text></g>\n", fp);
		return;
	}
	x0 = tl_x(r->not_before, lo, hi);
	x1 = tl_x(r->not_after, lo, hi);
	fprintf(fp, "<rect class=\"life\" x=\"%.1f\" y=\"%.1f\" "
	    "width=\"%.1f\" height=\"%d\"/>", x0, by, x1 - x0 > 1 ? x1 - x0 :
	    1, TL_BAR);
	if (r->renew_at > 0 && r->renew_at < r->not_after) {
		w0 = tl_x(r->renew_at, lo, hi);
		fprintf(fp, "<rect class=\"win\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%d\"/>", w0, by, x1 - w0, TL_BAR);
	}
	if (r->ari_end > 0) {
		w0 = tl_x(r->ari_start, lo, hi);
		w1 = tl_x(r->ari_end, lo, hi);
		fprintf(fp, "<rect class=\"ari\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%d\"/>", w0, by - 2,
		    w1 - w0 > 2 ? w1 - w0 : 2, TL_BAR + 4);
	}
	fputs("</g>\n", fp);
}

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}\n"
    "h1{font-size:1.4em;margin:0 0 .2em}\n"
    ".sum span{margin-right:1.2em}\n"
    ".legend span{display:inline-block;margin-right:1.2em}\n"
    ".sw{display:inline-block;width:1.4em;height:.8em;margin-right:.3em;"
    "vertical-align:middle}\n"
    "svg{display:block;margin:1em 0;max-width:100%;height:auto}\n"
    "svg .name{font-size:12px}\n"
    "svg .tl,svg .tn{font-size:11px;fill:#555}\n"
    ".life,.sw.life{fill:#7aa6d6;background:#7aa6d6}\n"
    ".fail .life{fill:#d64545}\n"
    ".win,.sw.win{fill:#f2b134;background:#f2b134}\n"
    ".ari,.sw.ari{fill:#3a7d44;fill-opacity:.55;background:#3a7d44;"
    "opacity:.8}\n"
    ".none{fill:#f3d0d0}\n"
    ".tick{stroke:#ddd}\n"
    ".today,.sw.today{stroke:#111;stroke-width:2;background:#111}\n"
    ".sw.today{width:3px}\n"
    ".sw.fail{background:#d64545}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #ddd;"
    "vertical-align:top}\n"
    "th{background:#f4f4f4;position:sticky;top:0}\n"
    "td.num{text-align:right}\n"
    "td.nw{white-space:nowrap}\n"
    "tr.fail td{background:#fbe3e3}\n"
    "tr.fail td.state{color:#a40000;font-weight:bold}\n"
    "tr.due td.state{color:#8a5a00;font-weight:bold}\n"
    ".err{color:#a40000;font-size:.9em}\n"
    "footer{margin-top:1em;color:#777;font-size:.85em}\n";

int
status_html_write(const struct status_html *h, FILE *fp)
{
	size_t i, count[ROW__MAX] = { 0, 0, 0 };
	time_t lo, hi;
	int height, width = TL_LABEL + TL_PLOT + TL_RIGHT;
	double xt;
	const struct html_row *r;

	for (i = 0; i < h->n; i++)
		count[h->rows[i].level]++;
	tl_range(h, &lo, &hi);
	height = TL_TOP + (int)h->n * TL_ROW + 4;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>certkeep status: ", fp);
	html_put(fp, h->manifest);
	fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n"
	    "<h1>Certificates of ", css);
	html_put(fp, h->manifest);
	fputs("</h1>\n<p class=\"sum\"><span>as of ", fp);
	put_day(fp, h->now);
	fprintf(fp, "</span><span id=\"count\">%zu certificate(s)</span>"
	    "<span>%zu ok</span><span>%zu to issue or renew</span>"
	    "<span>%zu failing</span></p>\n", h->n, count[ROW_OK],
	    count[ROW_DUE], count[ROW_FAIL]);
	fputs("<p class=\"legend\"><span><i class=\"sw life\"></i>lifetime "
	    "(not-before to not-after)</span><span><i class=\"sw win\"></i>"
	    "renewal window</span><span><i class=\"sw ari\"></i>the CA's ARI "
	    "window</span><span><i class=\"sw today\"></i>today</span><span>"
	    "<i class=\"sw fail\"></i>failing</span></p>\n", fp);

	fprintf(fp, "<svg class=\"timeline\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"timeline\">"
	    "\n", width, height, width, height);
	tl_ticks(fp, lo, hi, height);
	for (i = 0; i < h->n; i++)
		tl_row(fp, &h->rows[i], i, lo, hi, h->now);
	xt = tl_x(h->now, lo, hi);
	fprintf(fp, "<line class=\"today\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
	    "y2=\"%d\"><title>today</title></line>\n</svg>\n", xt,
	    TL_TOP - 8, xt, height);

	fputs("<table id=\"certificates\">\n<thead><tr><th>Name</th>"
	    "<th>Hostnames</th><th>Not after</th><th>Days left</th>"
	    "<th>Issuer</th><th>Key</th><th>Listeners</th><th>State</th>"
	    "</tr></thead>\n<tbody>\n", fp);
	for (i = 0; i < h->n; i++) {
		r = &h->rows[i];
		fprintf(fp, "<tr class=\"cert %s\"><td class=\"name\">",
		    row_level_names[r->level]);
		html_put(fp, r->name);
		fputs("</td><td>", fp);
		html_put(fp, r->hosts);
		fputs("</td><td class=\"nw\">", fp);
		if (r->parsed)
			put_day(fp, r->not_after);
		else
			fputs("-", fp);
		fputs("</td><td class=\"num\">", fp);
		if (r->parsed)
			fprintf(fp, "%lld", r->days);
		else
			fputs("-", fp);
		fputs("</td><td>", fp);
		html_put(fp, r->issuer != NULL ? r->issuer : "-");
		fputs("</td><td class=\"nw\">", fp);
		html_put(fp, r->key != NULL ? r->key : "-");
		fputs("</td><td>", fp);
		html_put(fp, r->listeners[0] != '\0' ? r->listeners : "-");
		fputs("</td><td class=\"state\">", fp);
		html_put(fp, r->state);
		if (r->error != NULL) {
			fputs("<div class=\"err\">", fp);
			html_put(fp, r->error);
			fputs("</div>", fp);
		}
		fputs("</td></tr>\n", fp);
	}
	fprintf(fp, "</tbody>\n</table>\n<footer>certkeep %s</footer>\n"
	    "</body>\n</html>\n", CERTKEEP_VERSION);
	return fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
}
