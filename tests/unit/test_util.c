/* Unit tests for the base/ helpers: durations, time, base64url, escaping,
   files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/encode.h"
#include "base/err.h"
#include "base/file.h"
#include "base/par.h"
#include "base/path.h"
#include "base/rand.h"
#include "base/str.h"
#include "base/time.h"
#include "tap.h"

/* 1000 draws in [5, 7]: none outside, and both ends reached (a range
   that excludes hi, or a constant, fails). */
static void
test_rand_between(void)
{
	int seen[3] = { 0, 0, 0 }, out = 0, i;
	long long r;

	for (i = 0; i < 1000; i++) {
		r = rand_between(5, 7);
		if (r < 5 || r > 7)
			out++;
		else
			seen[r - 5]++;
	}
	is_int(out, 0, "rand_between(5, 7): no draw outside [5, 7]");
	ok(seen[0] > 0 && seen[1] > 0 && seen[2] > 0,
	    "rand_between(5, 7): 5, 6 and 7 all drawn (%d, %d, %d)", seen[0],
	    seen[1], seen[2]);
	is_int(rand_between(3, 3), 3, "rand_between(3, 3) is 3");
}

/* file_read refuses what is not a regular file, at once: a FIFO without
   a writer would block a plain open() forever. */
static void
test_file_read_special(void)
{
	char dir[] = "/tmp/certkeep-ut-fifo.XXXXXX", *fifo, *link, *file;
	char *data;
	struct err e;
	long long t0;
	size_t n;
	int fd;

	if (mkdtemp(dir) == NULL)
		abort();
	fifo = path_join(dir, "fifo");
	link = path_join(dir, "link");
	file = path_join(dir, "file");
	ok(mkfifo(fifo, 0600) == 0, "FIFO made");
	(void)file_write_atomic(file, "abc", 3, 0600, &e);
	ok(symlink(file, link) == 0, "symlink made");

	t0 = mono_ms();
	err_clear(&e);
	data = file_read(fifo, 100, &n, &e);
	ok(data == NULL && strstr(e.msg, "a FIFO, not a regular file") !=
	    NULL, "file_read refuses a FIFO: %s", e.msg);
	ok(mono_ms() - t0 < 2000, "without waiting for a writer");
	free(data);
	err_clear(&e);
	data = file_read_nofollow(fifo, 100, &n, &e);
	ok(data == NULL && strstr(e.msg, "a FIFO") != NULL,
	    "file_read_nofollow refuses a FIFO");
	free(data);
	err_clear(&e);
	data = file_read(dir, 100, &n, &e);
	ok(data == NULL && strstr(e.msg, "a directory") != NULL,
	    "file_read refuses a directory: %s", e.msg);
	free(data);

	data = file_read(link, 100, &n, &e);
	ok(data != NULL && n == 3, "file_read follows a symlink to a file");
	free(data);
	err_clear(&e);
	data = file_read_nofollow(link, 100, &n, &e);
	ok(data == NULL && errno == ELOOP && strstr(e.msg, link) != NULL &&
	    strstr(e.msg, "symbolic link") != NULL,
	    "file_read_nofollow refuses a symlink: %s", e.msg);
	free(data);
	data = file_read_nofollow(file, 100, &n, &e);
	ok(data != NULL && n == 3, "file_read_nofollow reads a regular file");
	free(data);
	data = file_read_nofollow(dir, 100, &n, &e);
	ok(data == NULL, "file_read_nofollow refuses a directory");
	free(data);
	errno = 0;
	ok(file_read_nofollow("/nonexistent/certkeep", 100, &n, &e) == NULL &&
	    errno == ENOENT, "absent file: errno ENOENT");

	fd = file_open_regular(AT_FDCWD, fifo, "shown-name", 1, &e);
	ok(fd == -1 && strstr(e.msg, "shown-name") != NULL,
	    "file_open_regular names the file as asked: %s", e.msg);
	fd = file_open_regular(AT_FDCWD, file, NULL, 1, &e);
	ok(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) == 0 &&
	    (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0,
	    "file_open_regular: a blocking, close-on-exec descriptor");
	if (fd >= 0)
		close(fd);
	(void)rm_rf(dir, &e);
	free(fifo);
	free(link);
	free(file);
}

/* par_for(): every index exactly once, whatever the threads. */
static void
par_mark(void *arg, size_t i)
{
	unsigned char *seen = arg;

	seen[i]++;
}

struct par_ranges_seen {
	unsigned char *seen;
	size_t	 chunk;
	int	 too_long;	/* a range longer than chunk (one writer) */
};

static void
par_mark_range(void *arg, size_t start, size_t count)
{
	struct par_ranges_seen *r = arg;
	size_t i;

	if (count == 0 || count > r->chunk)
		r->too_long = 1;
	for (i = start; i < start + count; i++)
		r->seen[i]++;
}

static void
test_par(void)
{
	static const size_t ns[] = { 0, 1, 63, 64, 65, 1000, 100003 };
	static const int ts[] = { 1, 2, 4, 64 };
	unsigned char *seen;
	size_t a, b, i, bad;

	for (a = 0; a < sizeof(ns) / sizeof(ns[0]); a++)
		for (b = 0; b < sizeof(ts) / sizeof(ts[0]); b++) {
			seen = calloc(ns[a] + 1, 1);
			par_for(ns[a], ts[b], par_mark, seen);
			for (i = 0, bad = 0; i < ns[a] + 1; i++)
				bad += seen[i] != (i < ns[a]);
			ok(bad == 0, "par_for n=%zu threads=%d: each index once",
			    ns[a], ts[b]);
			free(seen);
		}
	for (a = 0; a < sizeof(ns) / sizeof(ns[0]); a++) {
		struct par_ranges_seen r = { .chunk = a % 2 ? 1 : 1024 };

		r.seen = calloc(ns[a] + 1, 1);
		par_ranges(ns[a], r.chunk, 3, par_mark_range, &r);
		for (i = 0, bad = 0; i < ns[a] + 1; i++)
			bad += r.seen[i] != (i < ns[a]);
		ok(bad == 0 && !r.too_long, "par_ranges n=%zu chunk=%zu: each "
		    "index once, no range empty or over the chunk", ns[a],
		    r.chunk);
		free(r.seen);
	}
	ok(par_threads(10) == 1, "par_threads: one thread for a few items");
	ok(par_threads(100000) >= 1 && par_threads(100000) <= 4,
	    "par_threads: 1 to 4 for many");
}

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

	test_rand_between();
	test_file_read_special();
	test_par();
	return tap_done();
}
