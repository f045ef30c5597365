/* Unit tests for base/time.c: the days-left rule, the date formats, and
   the daily check line that uses both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "base/log.h"
#include "base/time.h"
#include "tap.h"

#define DAY	86400
#define H	3600

/* 2027-02-22T10:00:00Z */
#define T0	((time_t)1803290400)

static void
test_days_left(void)
{
	static const struct {
		long long delta;	/* not_after - now */
		long long want;
		const char *what;
	} c[] = {
		{ 0, 0, "at expiry: 0" },
		{ 1, 0, "a second before expiry: 0" },
		{ DAY - 1, 0, "a second short of a day: 0" },
		{ DAY, 1, "exactly a day: 1" },
		{ 54 * DAY + H, 54, "54 days and an hour: 54" },
		{ -1, 0, "a second after expiry: 0 (today)" },
		{ -H, 0, "an hour after expiry: 0 (today)" },
		{ -DAY + 1, 0, "a second short of a day after expiry: 0" },
		{ -DAY, -1, "exactly a day after expiry: -1" },
		{ -DAY - 1, -1, "a day and a second after expiry: -1" },
		{ -10 * DAY - H, -10, "10 days and an hour after: -10" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		is_int(days_left(T0 + (time_t)c[i].delta, T0), c[i].want,
		    "days_left: %s", c[i].what);
	/* Truncated, so the same span either way: "10 days left" and
	   "10 days ago" are both 10 whole days. */
	is_int(days_left(T0 + 10 * DAY + H, T0),
	    -days_left(T0, T0 + 10 * DAY + H), "symmetric around now");
}

static void
test_formats(void)
{
	char out[32], small[4];

	time_format_date(T0, out, sizeof(out));
	is_str(out, "2027-02-22", "date: YYYY-MM-DD (UTC)");
	time_format_date(T0 - 10 * H - 1, out, sizeof(out));
	is_str(out, "2027-02-21", "date: the UTC day, not the local one");
	time_format_minute(T0 + 59, out, sizeof(out));
	is_str(out, "2027-02-22 10:00 UTC", "minute: seconds dropped");
	time_format_rfc3339(T0, out, sizeof(out));
	is_str(out, "2027-02-22T10:00:00Z", "RFC 3339");
	time_format_date(T0, small, sizeof(small));
	is_str(small, "?", "date: a buffer too small says ?");
	time_format_minute(T0, small, sizeof(small));
	is_str(small, "?", "minute: a buffer too small says ?");
}

/* Points lg at a new memory stream (text in *text after fclose), JSON
   when json; NULL (a failed test) when there is none. */
static FILE *
log_memstream(struct log *lg, int json, char **text, size_t *len)
{
	FILE *fp = open_memstream(text, len);

	if (fp == NULL)
		ok(0, "open_memstream");
	lg->fp = fp;
	lg->json = json;
	return fp;
}

/* The check line an hour after expiry: its JSON days_left is the rule's
   (0), its text says "today", as plan does. */
static void
test_check_line(void)
{
	struct log lg;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;
	cJSON *j, *d;

	log_init(&lg);
	if ((fp = log_memstream(&lg, 1, &text, &len)) == NULL)
		return;
	log_cert_expiry(&lg, LOG_INFO, "web", T0, T0 + H, 0);
	fclose(fp);
	j = cJSON_Parse(text);
	d = j != NULL ? cJSON_GetObjectItem(j, "days_left") : NULL;
	ok(d != NULL && d->valuedouble == (double)days_left(T0, T0 + H) &&
	    d->valuedouble == 0, "JSON check line: days_left 0");
	cJSON_Delete(j);
	free(text);

	text = NULL;
	if ((fp = log_memstream(&lg, 0, &text, &len)) == NULL)
		return;
	log_cert_expiry(&lg, LOG_INFO, "web", T0, T0 + H, 0);
	log_cert_expiry(&lg, LOG_INFO, "web", T0, T0 + 10 * DAY + H, 0);
	log_cert_expiry(&lg, LOG_INFO, "web", T0, T0 - 54 * DAY - H, 0);
	fclose(fp);
	ok(strstr(text, "certificate web expired 2027-02-22, today\n") !=
	    NULL, "text: an hour after expiry is today");
	ok(strstr(text, "certificate web expired 2027-02-22, 10 days ago\n")
	    != NULL, "text: 10 days and an hour after is 10 days ago");
	ok(strstr(text, "certificate web expires 2027-02-22, 54 days left\n")
	    != NULL, "text: 54 days and an hour before is 54 days left");
	free(text);
}

int
main(void)
{
	test_days_left();
	test_formats();
	test_check_line();
	return tap_done();
}
