#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/time.h"

int
duration_parse(const char *s, long long *secs)
{
	long long total = 0, v, mul;
	const char *p = s;
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	while (*p != '\0') {
		if (!isdigit((unsigned char)*p))
			return -1;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno != 0 || v < 0)
			return -1;
		switch (*end) {
		case '\0':
			/* A bare number is seconds, only as the whole value. */
			if (p != s)
				return -1;
			mul = 1;
			end--;
			break;
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		case 'w': mul = 7 * 86400; break;
		default:
			return -1;
		}
		if (v > (LLONG_MAX - total) / mul)
			return -1;
		total += v * mul;
		p = end + 1;
	}
	*secs = total;
	return 0;
}

void
duration_format(long long secs, char *out, size_t outsz)
{
	long long d, h, m;
	int neg = secs < 0;

	if (neg)
		secs = -secs;
	d = secs / 86400;
	h = (secs % 86400) / 3600;
	m = (secs % 3600) / 60;
	if (d > 0 && h > 0)
		snprintf(out, outsz, "%s%lldd%lldh", neg ? "-" : "", d, h);
	else if (d > 0)
		snprintf(out, outsz, "%s%lldd", neg ? "-" : "", d);
	else if (h > 0 && m > 0)
		snprintf(out, outsz, "%s%lldh%lldm", neg ? "-" : "", h, m);
	else if (h > 0)
		snprintf(out, outsz, "%s%lldh", neg ? "-" : "", h);
	else if (m > 0)
		snprintf(out, outsz, "%s%lldm", neg ? "-" : "", m);
	else
		snprintf(out, outsz, "%s%llds", neg ? "-" : "", secs % 60);
}

int
time_parse_rfc3339(const char *s, time_t *t)
{
	struct tm tm;
	const char *p;
	int off = 0, oh, om;
	char *end;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		p = strptime(s, "%Y-%m-%dt%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		oh = (int)strtol(p + 1, &end, 10);
		if (end != p + 3 || *end != ':')
			return -1;
		om = (int)strtol(end + 1, &end, 10);
		if (end != p + 6)
			return -1;
		off = sign * (oh * 3600 + om * 60);
		p = end;
	} else
		return -1;
	if (*p != '\0')
		return -1;
	*t = timegm(&tm) - off;
	return 0;
}

void
time_format_rfc3339(time_t t, char *out, size_t outsz)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The UTC date of t, with the minute when minute; "?" when it does not
   fit. */
static void
time_format_utc(time_t t, int minute, char *out, size_t outsz)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, outsz, minute ?
	    "%Y-%m-%d %H:%M UTC" : "%Y-%m-%d", &tm) == 0)
		snprintf(out, outsz, "?");
}

void
time_format_date(time_t t, char *out, size_t outsz)
{
	time_format_utc(t, 0, out, outsz);
}

void
time_format_minute(time_t t, char *out, size_t outsz)
{
	time_format_utc(t, 1, out, outsz);
}

int
time_parse_http(const char *s, time_t *t)
{
	struct tm tm;
	const char *p;

	memset(&tm, 0, sizeof(tm));
	/* IMF-fixdate, then the obsolete RFC 850 and asctime forms. */
	if ((p = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm)) == NULL &&
	    (p = strptime(s, "%A, %d-%b-%y %H:%M:%S GMT", &tm)) == NULL &&
	    (p = strptime(s, "%a %b %e %H:%M:%S %Y", &tm)) == NULL)
		return -1;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p != '\0')
		return -1;
	*t = timegm(&tm);
	return 0;
}

long long
days_left(time_t t, time_t now)
{
	/* Truncated, so that the days ago of an expired certificate are
	   whole days since its expiry: -10 is "10 days ago". */
	return ((long long)t - (long long)now) / 86400;
}

long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

time_t
now_wall(void)
{
	return time(NULL);
}
