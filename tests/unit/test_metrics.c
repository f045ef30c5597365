/*
 * test_metrics.c - the textfile writer: exact output of one run, label
 * escaping, and the merge with the previous file (other commands' series
 * and the last success kept, counters summed, rows of certificates not
 * looked at kept, rows of certificates gone dropped, requests the split
 * does not hold reported as unclassified).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "metrics.h"
#include "util.h"
#include "tap.h"

static char *
slurp(const char *path)
{
	struct err e;

	return file_read(path, 1 << 20, NULL, &e);
}

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

int
main(void)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", *path, *t;
	struct metrics_run run;
	struct metrics_cert rows[3];
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
	rows[0].name = "a";
	rows[0].planned = 1;
	rows[0].not_before = 100;
	rows[0].not_after = 7876000;
	rows[0].renew_at = 5716000;
	rows[0].ready = 1;
	rows[0].ari_start = 5000000;
	rows[0].ari_end = 5100000;
	rows[1].name = "q\"b\\s\nn";
	rows[1].planned = 1;
	rows[1].consecutive_failures = 2;
	rows[1].last_failure = 900;
	ok(metrics_write(path, &run, rows, 2, &e) == 0, "first write");
	t = slurp(path);
	ok(t != NULL, "file written");
	if (t == NULL)
		return tap_done();
	ok(has_line(t, "# TYPE certkeep_certificate_expiration_timestamp_seconds gauge"),
	    "TYPE line for the expiration");
	ok(has_line(t, "certkeep_certificate_expiration_timestamp_seconds{name=\"a\"} 7876000"),
	    "expiration of a");
	ok(has_line(t, "certkeep_certificate_not_before_timestamp_seconds{name=\"a\"} 100"),
	    "not_before of a");
	ok(has_line(t, "certkeep_certificate_renewal_timestamp_seconds{name=\"a\"} 5716000"),
	    "renewal time of a");
	ok(has_line(t, "certkeep_certificate_ari_window_start_timestamp_seconds{name=\"a\"} 5000000") &&
	    has_line(t, "certkeep_certificate_ari_window_end_timestamp_seconds{name=\"a\"} 5100000"),
	    "ARI window of a");
	ok(has_line(t, "certkeep_certificate_ready{name=\"a\"} 1"), "a ready");
	ok(has_line(t, "certkeep_certificate_ready{name=\"q\\\"b\\\\s\\nn\"} 0"),
	    "label value escaped (quote, backslash, newline)");
	ok(has_line(t, "certkeep_certificate_consecutive_failures{name=\"q\\\"b\\\\s\\nn\"} 2"),
	    "consecutive failures");
	ok(has_line(t, "certkeep_certificate_last_failure_timestamp_seconds{name=\"q\\\"b\\\\s\\nn\"} 900"),
	    "last failure");
	ok(strstr(t, "expiration_timestamp_seconds{name=\"q") == NULL,
	    "no expiration without a certificate");
	ok(has_line(t, "certkeep_last_run_timestamp_seconds{command=\"apply\"} 1000"),
	    "last run");
	ok(has_line(t, "certkeep_last_success_timestamp_seconds{command=\"apply\"} 1000"),
	    "last success");
	ok(has_line(t, "certkeep_last_run_duration_seconds{command=\"apply\"} 1.5"),
	    "duration in seconds");
	ok(has_line(t, "certkeep_last_run_certificates{command=\"apply\",result=\"issued\"} 2"),
	    "issued in the run");
	ok(has_line(t, "certkeep_acme_requests_total{endpoint=\"order\",status_class=\"2xx\"} 3") &&
	    has_line(t, "certkeep_acme_requests_total{endpoint=\"nonce\",status_class=\"4xx\"} 1"),
	    "requests by endpoint and status class");
	ok(has_line(t, "certkeep_acme_requests_total{endpoint=\"unclassified\",status_class=\"unclassified\"} 8"),
	    "the rest of the total is unclassified");
	ok(has_line(t, "# TYPE certkeep_acme_requests_total counter"),
	    "requests are a counter");
	ok(has_line(t, "certkeep_certificate_results_total{result=\"issued\"} 2"),
	    "results counter");
	free(t);

	/* 2. A failed apply: counters add up, the last success stays. */
	memset(&run, 0, sizeof(run));
	run.command = "apply";
	run.now = 2000;
	run.acme_requests = 4;
	run.have_results = 1;
	run.failed = 1;
	run.kept = 1;
	rows[0].planned = 0;	/* not looked at: its rows stay */
	rows[1].consecutive_failures = 3;
	ok(metrics_write(path, &run, rows, 2, &e) == 0, "second write");
	t = slurp(path);
	ok(has_line(t, "certkeep_last_run_timestamp_seconds{command=\"apply\"} 2000"),
	    "last run moves");
	ok(has_line(t, "certkeep_last_success_timestamp_seconds{command=\"apply\"} 1000"),
	    "last success kept across a failed run");
	ok(has_line(t, "certkeep_last_run_success{command=\"apply\"} 0"),
	    "the run failed");
	ok(has_line(t, "certkeep_acme_requests_total{endpoint=\"unclassified\",status_class=\"unclassified\"} 12"),
	    "counter summed over runs");
	ok(has_line(t, "certkeep_acme_requests_total{endpoint=\"order\",status_class=\"2xx\"} 3"),
	    "counter without new requests kept");
	ok(has_line(t, "certkeep_certificate_results_total{result=\"issued\"} 2") &&
	    has_line(t, "certkeep_certificate_results_total{result=\"failed\"} 1"),
	    "results counters");
	ok(has_line(t, "certkeep_certificate_expiration_timestamp_seconds{name=\"a\"} 7876000"),
	    "rows of a certificate not looked at are kept");
	ok(has_line(t, "certkeep_certificate_consecutive_failures{name=\"q\\\"b\\\\s\\nn\"} 3"),
	    "escaped name read back and replaced");
	free(t);

	/* 3. A plan, with "a" gone from the manifest and a new "c". */
	memset(&run, 0, sizeof(run));
	run.command = "plan";
	run.now = 3000;
	run.success = 1;
	rows[0].name = "c";
	rows[0].planned = 1;
	rows[0].not_before = 0;
	rows[0].not_after = 0;
	rows[0].renew_at = 0;
	rows[0].ari_start = rows[0].ari_end = 0;
	rows[0].ready = 0;
	rows[1].planned = 0;
	ok(metrics_write(path, &run, rows, 2, &e) == 0, "third write");
	t = slurp(path);
	ok(strstr(t, "name=\"a\"") == NULL, "rows of a removed certificate dropped");
	ok(has_line(t, "certkeep_certificate_ready{name=\"c\"} 0"), "new certificate");
	ok(has_line(t, "certkeep_last_run_timestamp_seconds{command=\"plan\"} 3000") &&
	    has_line(t, "certkeep_last_run_timestamp_seconds{command=\"apply\"} 2000"),
	    "plan and apply side by side");
	ok(has_line(t, "certkeep_last_run_certificates{command=\"apply\",result=\"failed\"} 1"),
	    "the apply's results survive a plan");
	ok(has_line(t, "certkeep_acme_requests_total{endpoint=\"unclassified\",status_class=\"unclassified\"} 12"),
	    "a plan adds no request");
	free(t);

	/* 4. A damaged previous file: rewritten, its junk dropped. */
	t = xstrdup("garbage{\nx y\ncertkeep_last_run_success{command=\"x} 1\n");
	if (file_write_atomic(path, t, strlen(t), 0644, &e) == -1)
		printf("# %s\n", e.msg);
	free(t);
	ok(metrics_write(path, &run, rows, 2, &e) == 0, "write over junk");
	t = slurp(path);
	ok(strstr(t, "garbage") == NULL && strstr(t, "command=\"x") == NULL,
	    "junk not carried over");
	ok(has_line(t, "certkeep_last_run_success{command=\"plan\"} 1"),
	    "fresh series written");
	free(t);

	/* 5. No directory: an error naming the file. */
	free(path);
	path = path_join(dir, "missing/certkeep.prom");
	ok(metrics_write(path, &run, rows, 2, &e) == -1 &&
	    strstr(e.msg, "missing/certkeep.prom") != NULL,
	    "a missing directory is an error naming the path (%s)", e.msg);
	free(path);
	path = path_join(dir, "certkeep.prom");
	unlink(path);
	rmdir(dir);
	free(path);
	return tap_done();
}
