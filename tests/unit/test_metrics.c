/*
 * test_metrics.c - the textfile writer: exact lines of one run, label
 * escaping, and the merge with the previous file (other commands' series
 * and the last success kept, counters summed, rows of certificates not
 * looked at kept, rows of certificates gone dropped, requests the split
 * does not hold reported as unclassified, junk dropped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/file.h"
#include "base/mem.h"
#include "base/path.h"
#include "cli/metrics.h"
#include "tap.h"

/* Series name prefixes, to keep the tables readable. */
#define CERT	"certkeep_certificate_"
#define RUN	"certkeep_last_run_"
#define REQ	"certkeep_acme_requests_total"
#define UNCL	REQ "{endpoint=\"unclassified\",status_class=\"unclassified\"}"
#define ODD	"{name=\"q\\\"b\\\\s\\nn\"}"	/* q"b\s<newline>n, escaped */

struct want {
	const char	*line;		/* a whole line the file must hold */
	const char	*what;
};

/* Whether text holds line as a whole line. */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while (p != NULL && (p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' ||
		    p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* Writes, reads the file back (caller frees) and checks every line. */
static char *
write_check(const char *path, const struct metrics_run *run,
    const struct metrics_cert *rows, size_t nrows, const struct want *w,
    size_t nw, const char *step)
{
	struct err e;
	char *t;
	size_t i;

	ok(metrics_write(path, run, rows, nrows, &e) == 0, "%s: written",
	    step);
	if ((t = file_read(path, 1 << 20, NULL, &e)) == NULL)
		t = xstrdup("");
	for (i = 0; i < nw; i++)
		if (!has_line(t, w[i].line))
			break;
	ok(i == nw, "%s: %zu lines as expected", step, nw);
	if (i < nw)
		printf("#   missing (%s): %s\n# in:\n%s", w[i].what, w[i].line,
		    t);
	return t;
}

int
main(void)
{
	static const struct want w1[] = {
		{ "# TYPE " CERT "expiration_timestamp_seconds gauge", "TYPE" },
		{ CERT "expiration_timestamp_seconds{name=\"a\"} 7876000",
		  "expiry" },
		{ CERT "not_before_timestamp_seconds{name=\"a\"} 100",
		  "not_before" },
		{ CERT "renewal_timestamp_seconds{name=\"a\"} 5716000",
		  "renewal time" },
		{ CERT "ari_window_start_timestamp_seconds{name=\"a\"} 5000000",
		  "ARI start" },
		{ CERT "ari_window_end_timestamp_seconds{name=\"a\"} 5100000",
		  "ARI end" },
		{ CERT "ready{name=\"a\"} 1", "ready" },
		{ CERT "ready" ODD " 0", "escaped label value" },
		{ CERT "consecutive_failures" ODD " 2", "failures" },
		{ CERT "last_failure_timestamp_seconds" ODD " 900",
		  "last failure" },
		{ RUN "timestamp_seconds{command=\"apply\"} 1000", "last run" },
		{ "certkeep_last_success_timestamp_seconds{command=\"apply\"} "
		  "1000", "last success" },
		{ RUN "duration_seconds{command=\"apply\"} 1.5", "seconds" },
		{ RUN "certificates{command=\"apply\",result=\"issued\"} 2",
		  "issued in the run" },
		{ REQ "{endpoint=\"order\",status_class=\"2xx\"} 3",
		  "by endpoint and class" },
		{ REQ "{endpoint=\"nonce\",status_class=\"4xx\"} 1",
		  "by endpoint and class" },
		{ UNCL " 8", "the rest of the total is unclassified" },
		{ "# TYPE " REQ " counter", "a counter" },
		{ CERT "results_total{result=\"issued\"} 2", "results" },
	};
	static const struct want w2[] = {
		{ RUN "timestamp_seconds{command=\"apply\"} 2000", "last run" },
		{ "certkeep_last_success_timestamp_seconds{command=\"apply\"} "
		  "1000", "last success kept across a failed run" },
		{ RUN "success{command=\"apply\"} 0", "the run failed" },
		{ UNCL " 12", "counter summed over runs" },
		{ REQ "{endpoint=\"order\",status_class=\"2xx\"} 3",
		  "counter without new requests kept" },
		{ CERT "results_total{result=\"issued\"} 2", "issued kept" },
		{ CERT "results_total{result=\"failed\"} 1", "failed added" },
		{ CERT "expiration_timestamp_seconds{name=\"a\"} 7876000",
		  "rows of a certificate not looked at kept" },
		{ CERT "consecutive_failures" ODD " 3",
		  "escaped name read back and replaced" },
	};
	static const struct want w3[] = {
		{ CERT "ready{name=\"c\"} 0", "new certificate" },
		{ RUN "timestamp_seconds{command=\"plan\"} 3000", "plan" },
		{ RUN "timestamp_seconds{command=\"apply\"} 2000",
		  "apply beside it" },
		{ RUN "certificates{command=\"apply\",result=\"failed\"} 1",
		  "the apply's results survive a plan" },
		{ UNCL " 12", "a plan adds no request" },
	};
	static const struct want w4[] = {
		{ RUN "success{command=\"plan\"} 1", "fresh series" },
	};
	char dir[] = "/tmp/test_metrics.XXXXXX", *path, *t, *junk;
	struct metrics_run run;
	struct metrics_cert rows[2];
	struct err e;

	if (mkdtemp(dir) == NULL)
		return 1;
	path = path_join(dir, "certkeep.prom");

	/* 1. An apply: two certificates, one with an awkward name. */
	memset(&run, 0, sizeof(run));
	memset(rows, 0, sizeof(rows));
	run.command = "apply";
	run.now = 1000;
	run.duration_ms = 1500;
	run.success = 1;
	run.acme_requests = 12;
	run.requests[METRICS_EP_ORDER][METRICS_ST_2XX] = 3;
	run.requests[METRICS_EP_NONCE][METRICS_ST_4XX] = 1;
	run.have_results = 1;
	run.issued = 2;
	rows[0] = (struct metrics_cert){ .name = "a", .planned = 1,
	    .not_before = 100, .not_after = 7876000, .renew_at = 5716000,
	    .ready = 1, .ari_start = 5000000, .ari_end = 5100000 };
	rows[1] = (struct metrics_cert){ .name = "q\"b\\s\nn", .planned = 1,
	    .consecutive_failures = 2, .last_failure = 900 };
	t = write_check(path, &run, rows, 2, w1, sizeof(w1) / sizeof(w1[0]),
	    "apply");
	ok(strstr(t, "expiration_timestamp_seconds{name=\"q") == NULL,
	    "no expiry without a certificate");
	free(t);

	/* 2. A failed apply that looked at "q..." only. */
	run = (struct metrics_run){ .command = "apply", .now = 2000,
	    .acme_requests = 4, .have_results = 1, .failed = 1, .kept = 1 };
	rows[0].planned = 0;
	rows[1].consecutive_failures = 3;
	t = write_check(path, &run, rows, 2, w2, sizeof(w2) / sizeof(w2[0]),
	    "failed apply");
	free(t);

	/* 3. A plan, with "a" gone from the manifest and a new "c". */
	run = (struct metrics_run){ .command = "plan", .now = 3000,
	    .success = 1 };
	rows[0] = (struct metrics_cert){ .name = "c", .planned = 1 };
	rows[1].planned = 0;
	t = write_check(path, &run, rows, 2, w3, sizeof(w3) / sizeof(w3[0]),
	    "plan");
	ok(strstr(t, "name=\"a\"") == NULL, "rows of a removed certificate "
	    "dropped");
	free(t);

	/* 4. A damaged previous file: rewritten, its junk dropped. */
	junk = xstrdup("garbage{\nx y\n" RUN "success{command=\"x} 1\n");
	if (file_write_atomic(path, junk, strlen(junk), 0644, &e) == -1)
		printf("# %s\n", e.msg);
	free(junk);
	t = write_check(path, &run, rows, 2, w4, 1, "over junk");
	ok(strstr(t, "garbage") == NULL && strstr(t, "command=\"x") == NULL,
	    "junk not carried over");
	free(t);

	/* 5. No directory: an error naming the file. */
	unlink(path);
	free(path);
	path = path_join(dir, "missing/certkeep.prom");
	ok(metrics_write(path, &run, rows, 2, &e) == -1 &&
	    strstr(e.msg, "missing/certkeep.prom") != NULL,
	    "a missing directory is an error naming the path (%s)", e.msg);
	free(path);
	rmdir(dir);
	return tap_done();
}
