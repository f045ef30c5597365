/* Unit tests for util.c: durations, time, base64url, escaping, files. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "tap.h"
#include "util.h"

int
main(void)
{
	long long s;
	time_t t;
	char out[64], dir[] = "/tmp/certkeep-ut.XXXXXX", *p, *path, *data;
	unsigned char *dec;
	size_t n;
	struct err e;
	struct stat st;
	int changed;

	ok(duration_parse("25d", &s) == 0 && s == 25 * 86400, "25d");
	ok(duration_parse("12h", &s) == 0 && s == 12 * 3600, "12h");
	ok(duration_parse("30m", &s) == 0 && s == 1800, "30m");
	ok(duration_parse("90s", &s) == 0 && s == 90, "90s");
	ok(duration_parse("90", &s) == 0 && s == 90, "bare seconds");
	ok(duration_parse("1h30m", &s) == 0 && s == 5400, "1h30m");
	ok(duration_parse("", &s) == -1, "empty refused");
	ok(duration_parse("5x", &s) == -1, "unknown unit refused");
	ok(duration_parse("-5d", &s) == -1, "negative refused");
	ok(duration_parse("99999999999999999999d", &s) == -1, "overflow refused");
	duration_format(25 * 86400, out, sizeof(out));
	is_str(out, "25d", "format 25d");

	ok(time_parse_rfc3339("2027-02-22T10:00:00Z", &t) == 0 &&
	    t == 1803290400, "rfc3339 Z");
	ok(time_parse_rfc3339("2027-02-22T12:00:00.123+02:00", &t) == 0 &&
	    t == 1803290400, "rfc3339 offset and fraction");
	ok(time_parse_rfc3339("2027-02-22", &t) == -1, "date only refused");
	time_format_rfc3339(1803290400, out, sizeof(out));
	is_str(out, "2027-02-22T10:00:00Z", "format rfc3339");
	ok(time_parse_http("Wed, 21 Oct 2015 07:28:00 GMT", &t) == 0 &&
	    t == 1445412480, "http-date");

	p = b64url_encode((const unsigned char *)"\xfb\xff", 2);
	is_str(p, "-_8", "b64url uses - and _ without padding");
	dec = b64url_decode(p, &n);
	ok(dec != NULL && n == 2 && memcmp(dec, "\xfb\xff", 2) == 0,
	    "b64url round trip");
	free(p);
	free(dec);
	ok(b64url_decode("a", &n) == NULL, "b64url: impossible length refused");

	p = str_escape("a\nb\x1b[31m\xc3\xa9\"");
	is_str(p, "a\\nb\\x1b[31m\\xc3\\xa9\\\"", "escape control and non-ASCII");
	free(p);

	ok(mkdtemp(dir) != NULL, "temp dir");
	path = path_join(dir, "f.pem");
	ok(file_write_atomic(path, "abc", 3, 0600, &e) == 0, "atomic write");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode 0600");
	data = file_read(path, 100, &n, &e);
	ok(data != NULL && n == 3 && strcmp(data, "abc") == 0, "read back");
	free(data);
	ok(file_update(path, "abc", 3, 0600, &changed, &e) == 0 && !changed,
	    "unchanged content is not rewritten");
	ok(file_update(path, "abcd", 4, 0600, &changed, &e) == 0 && changed,
	    "changed content is rewritten");
	ok(file_read(path, 2, &n, &e) == NULL, "size limit enforced");
	ok(rm_rf(dir, &e) == 0 && access(dir, F_OK) == -1, "rm_rf");
	free(path);

	for (int i = 0; i < 1000; i++) {
		long long r = rand_between(5, 7);
		if (r < 5 || r > 7) {
			ok(0, "rand_between in range");
			break;
		}
	}
	ok(1, "rand_between stays in range");
	return tap_done();
}
