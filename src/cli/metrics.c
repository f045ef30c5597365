/*
 * metrics.c - the textfile for node_exporter (metrics.h). The new samples
 * of a run are merged with the previous file's, then the whole file is
 * written in one atomic replace: the collector reads it at any moment and
 * must never see half of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/mem.h"
#include "cli/metrics.h"
#include "manifest/manifest.h"
#include "reconcile/plan.h"
#include "store/state.h"

/* Larger previous files are not read back (they are not ours). */
#define METRICS_MAX_BYTES	(16 * 1024 * 1024)

const char *const metrics_endpoint_names[METRICS_EP__MAX] = {
	"directory", "nonce", "account", "order", "authorization",
	"challenge", "finalize", "certificate", "renewal_info", "revoke",
	"other",
};
const char *const metrics_status_names[METRICS_ST__MAX] = {
	"2xx", "3xx", "4xx", "5xx", "error",
};

/* Which rows a family belongs to decides what survives from the old file. */
enum mgroup {
	MG_CERT_PLAN,	/* per certificate, from the plan */
	MG_CERT_CHECK,	/* per certificate, from check */
	MG_RUN,		/* per command */
	MG_COUNTER,	/* summed over runs */
};

enum mfam {
	MF_EXPIRATION,
	MF_NOT_BEFORE,
	MF_RENEWAL,
	MF_READY,
	MF_LAST_FAILURE,
	MF_FAILURES,
	MF_ARI_START,
	MF_ARI_END,
	MF_PREFLIGHT,
	MF_LAST_RUN,
	MF_LAST_SUCCESS,
	MF_RUN_SUCCESS,
	MF_DURATION,
	MF_RUN_REQUESTS,
	MF_RUN_CERTS,
	MF_REQUESTS_TOTAL,
	MF_RESULTS_TOTAL,
	MF__MAX
};

static const struct {
	const char	*name;
	const char	*type;
	enum mgroup	 group;
	const char	*help;
} fams[MF__MAX] = {
	{ "certkeep_certificate_expiration_timestamp_seconds", "gauge",
	  MG_CERT_PLAN, "The live certificate's notAfter." },
	{ "certkeep_certificate_not_before_timestamp_seconds", "gauge",
	  MG_CERT_PLAN, "The live certificate's notBefore." },
	{ "certkeep_certificate_renewal_timestamp_seconds", "gauge",
	  MG_CERT_PLAN, "When the certificate is (was) due for renewal." },
	{ "certkeep_certificate_ready", "gauge", MG_CERT_PLAN,
	  "1 when the live set is sound, unexpired and matches the "
	  "manifest, else 0." },
	{ "certkeep_certificate_last_failure_timestamp_seconds", "gauge",
	  MG_CERT_PLAN, "When the last issuance or renewal attempt failed." },
	{ "certkeep_certificate_consecutive_failures", "gauge", MG_CERT_PLAN,
	  "Failed attempts since the last success." },
	{ "certkeep_certificate_ari_window_start_timestamp_seconds", "gauge",
	  MG_CERT_PLAN, "Start of the CA's suggested renewal window (ARI)." },
	{ "certkeep_certificate_ari_window_end_timestamp_seconds", "gauge",
	  MG_CERT_PLAN, "End of the CA's suggested renewal window (ARI)." },
	{ "certkeep_certificate_preflight_passing", "gauge", MG_CERT_CHECK,
	  "1 when the last check found no failing preflight check, else 0." },
	{ "certkeep_last_run_timestamp_seconds", "gauge", MG_RUN,
	  "When the command last ran." },
	{ "certkeep_last_success_timestamp_seconds", "gauge", MG_RUN,
	  "When the command last succeeded." },
	{ "certkeep_last_run_success", "gauge", MG_RUN,
	  "1 when the command's last run succeeded, else 0." },
	{ "certkeep_last_run_duration_seconds", "gauge", MG_RUN,
	  "How long the command's last run took." },
	{ "certkeep_last_run_acme_requests", "gauge", MG_RUN,
	  "ACME requests sent by the command's last run." },
	{ "certkeep_last_run_certificates", "gauge", MG_RUN,
	  "Certificates by result in the last apply." },
	{ "certkeep_acme_requests_total", "counter", MG_COUNTER,
	  "ACME requests sent, by endpoint and HTTP status class." },
	{ "certkeep_certificate_results_total", "counter", MG_COUNTER,
	  "Issuances, renewals and failed attempts." },
};

struct sample {
	enum mfam	 fam;
	char		*labels;	/* as written between the braces */
	double		 value;
};

struct samples {
	struct sample	*v;
	size_t		 n;
	size_t		 cap;
};

static void
samples_add(struct samples *ss, enum mfam fam, char *labels, double value)
{
	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? ss->cap * 2 : 64;
		ss->v = xrealloc(ss->v, ss->cap * sizeof(*ss->v));
	}
	ss->v[ss->n].fam = fam;
	ss->v[ss->n].labels = labels;	/* owned from here */
	ss->v[ss->n].value = value;
	ss->n++;
}

static void
samples_clear(struct samples *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		free(ss->v[i].labels);
	free(ss->v);
}


/* A label value escaped as the exposition format asks: \\, \" and \n. */
static void
buf_label(struct buf *b, const char *key, const char *val)
{
	if (b->len > 0)
		buf_puts(b, ",");
	buf_printf(b, "%s=\"", key);
	for (; *val != '\0'; val++) {
		if (*val == '\\')
			buf_puts(b, "\\\\");
		else if (*val == '"')
			buf_puts(b, "\\\"");
		else if (*val == '\n')
			buf_puts(b, "\\n");
		else
			buf_append(b, val, 1);
	}
	buf_puts(b, "\"");
}

/* Labels from up to two key/value pairs (k2 may be NULL); malloced. */
static char *
labels_make(const char *k1, const char *v1, const char *k2, const char *v2)
{
	struct buf b;

	buf_init(&b);
	buf_label(&b, k1, v1);
	if (k2 != NULL)
		buf_label(&b, k2, v2);
	return buf_steal(&b);
}

/*
 * The unescaped value of label key in a labels text, malloced, or NULL
 * when absent or malformed.
 */
static char *
labels_get(const char *labels, const char *key)
{
	struct buf b;
	const char *p = labels;
	size_t klen = strlen(key);
	int match;

	buf_init(&b);
	while (*p != '\0') {
		const char *eq = strchr(p, '=');

		if (eq == NULL || eq[1] != '"')
			break;
		match = (size_t)(eq - p) == klen && strncmp(p, key, klen) == 0;
		b.len = 0;
		if (b.data != NULL)
			b.data[0] = '\0';
		for (p = eq + 2; *p != '\0' && *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0') {
				p++;
				buf_append(&b, *p == 'n' ? "\n" : p, 1);
			} else {
				buf_append(&b, p, 1);
			}
		}
		if (*p != '"')
			break;
		if (match)
			return buf_steal(&b);
		p++;
		if (*p == ',')
			p++;
	}
	buf_clear(&b);
	return NULL;
}

/* Parses one sample line of a previous file; 0 when it is one of ours. */
static int
line_parse(char *line, enum mfam *fam, char **labels, double *value)
{
	char *brace, *close, *end, *q;
	size_t i, nlen;
	int inq = 0;

	if ((brace = strchr(line, '{')) == NULL)
		return -1;	/* every family of ours has labels */
	nlen = (size_t)(brace - line);
	for (i = 0; i < MF__MAX; i++)
		if (strlen(fams[i].name) == nlen &&
		    strncmp(fams[i].name, line, nlen) == 0)
			break;
	if (i == MF__MAX)
		return -1;
	/* The closing brace outside quotes (values may hold braces). */
	for (close = NULL, q = brace + 1; *q != '\0'; q++) {
		if (inq && *q == '\\' && q[1] != '\0')
			q++;
		else if (*q == '"')
			inq = !inq;
		else if (!inq && *q == '}') {
			close = q;
			break;
		}
	}
	if (close == NULL || close[1] != ' ')
		return -1;
	errno = 0;
	*value = strtod(close + 2, &end);
	if (errno != 0 || end == close + 2 || (*end != '\0' && *end != ' '))
		return -1;
	*fam = (enum mfam)i;
	*labels = xstrndup(brace + 1, (size_t)(close - brace - 1));
	return 0;
}

/* The previous file's samples of our families (none when unreadable). */
static void
samples_read(const char *path, struct samples *old)
{
	struct err e;
	char *data, *line, *save = NULL, *labels;
	enum mfam fam;
	double v;

	if ((data = file_read(path, METRICS_MAX_BYTES, NULL, &e)) == NULL)
		return;
	for (line = strtok_r(data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (line[0] != '#' && line_parse(line, &fam, &labels, &v) == 0)
			samples_add(old, fam, labels, v);
	free(data);
}

static void
add_cert(struct samples *ss, enum mfam fam, const char *name, double v)
{
	samples_add(ss, fam, labels_make("name", name, NULL, NULL), v);
}

static void
add_run(struct samples *ss, enum mfam fam, const char *cmd, const char *k2,
    const char *v2, double v)
{
	samples_add(ss, fam, labels_make("command", cmd, k2, v2), v);
}

/* This run's samples. */
static void
samples_build(struct samples *ss, const struct metrics_run *run,
    const struct metrics_cert *rows, size_t n)
{
	const struct metrics_cert *r;
	const char *cmd = run->command;
	long split = 0, c;
	size_t i, j;

	for (i = 0; i < n; i++) {
		r = &rows[i];
		if (r->checked)
			add_cert(ss, MF_PREFLIGHT, r->name, r->preflight_ok);
		if (!r->planned)
			continue;
		add_cert(ss, MF_READY, r->name, r->ready);
		add_cert(ss, MF_FAILURES, r->name, r->consecutive_failures);
		if (r->not_after != 0) {
			add_cert(ss, MF_EXPIRATION, r->name,
			    (double)r->not_after);
			add_cert(ss, MF_NOT_BEFORE, r->name,
			    (double)r->not_before);
		}
		if (r->renew_at != 0)
			add_cert(ss, MF_RENEWAL, r->name, (double)r->renew_at);
		if (r->last_failure != 0)
			add_cert(ss, MF_LAST_FAILURE, r->name,
			    (double)r->last_failure);
		if (r->ari_start != 0) {
			add_cert(ss, MF_ARI_START, r->name,
			    (double)r->ari_start);
			add_cert(ss, MF_ARI_END, r->name, (double)r->ari_end);
		}
	}

	add_run(ss, MF_LAST_RUN, cmd, NULL, NULL, (double)run->now);
	if (run->success)
		add_run(ss, MF_LAST_SUCCESS, cmd, NULL, NULL,
		    (double)run->now);
	add_run(ss, MF_RUN_SUCCESS, cmd, NULL, NULL, run->success != 0);
	add_run(ss, MF_DURATION, cmd, NULL, NULL,
	    (double)run->duration_ms / 1000.0);
	add_run(ss, MF_RUN_REQUESTS, cmd, NULL, NULL,
	    (double)run->acme_requests);
	if (run->have_results) {
		add_run(ss, MF_RUN_CERTS, cmd, "result", "issued",
		    (double)run->issued);
		add_run(ss, MF_RUN_CERTS, cmd, "result", "renewed",
		    (double)run->renewed);
		add_run(ss, MF_RUN_CERTS, cmd, "result", "failed",
		    (double)run->failed);
		add_run(ss, MF_RUN_CERTS, cmd, "result", "kept",
		    (double)run->kept);
		/* The counters always carry the three results. */
		samples_add(ss, MF_RESULTS_TOTAL, labels_make("result",
		    "issued", NULL, NULL), (double)run->issued);
		samples_add(ss, MF_RESULTS_TOTAL, labels_make("result",
		    "renewed", NULL, NULL), (double)run->renewed);
		samples_add(ss, MF_RESULTS_TOTAL, labels_make("result",
		    "failed", NULL, NULL), (double)run->failed);
	}
	/* Counter increments of this run; only what happened. */
	for (i = 0; i < METRICS_EP__MAX; i++)
		for (j = 0; j < METRICS_ST__MAX; j++) {
			if ((c = run->requests[i][j]) <= 0)
				continue;
			split += c;
			samples_add(ss, MF_REQUESTS_TOTAL, labels_make(
			    "endpoint", metrics_endpoint_names[i],
			    "status_class", metrics_status_names[j]),
			    (double)c);
		}
	if (run->acme_requests > split)
		samples_add(ss, MF_REQUESTS_TOTAL, labels_make("endpoint",
		    "unclassified", "status_class", "unclassified"),
		    (double)(run->acme_requests - split));
}

/* The row of a certificate name in this run, or NULL (not in the
   manifest any more). */
static const struct metrics_cert *
row_find(const struct metrics_cert *rows, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].name != NULL && strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

/* Whether an old sample no new one replaces stays in the file. */
static int
old_keep(const struct sample *o, const struct metrics_cert *rows, size_t n)
{
	const struct metrics_cert *r;
	char *name;

	switch (fams[o->fam].group) {
	case MG_RUN:
		/* Other commands' series, and the last success of this
		   command when this run failed. */
		return 1;
	case MG_COUNTER:
		return 1;
	case MG_CERT_PLAN:
	case MG_CERT_CHECK:
		break;
	}
	if ((name = labels_get(o->labels, "name")) == NULL)
		return 0;
	r = row_find(rows, n, name);
	free(name);
	if (r == NULL)
		return 0;
	return fams[o->fam].group == MG_CERT_PLAN ? !r->planned : !r->checked;
}

static int
sample_cmp(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;

	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	return strcmp(x->labels, y->labels);
}

struct sample_key {
	enum mfam	 fam;
	const char	*labels;
};

static int
sample_key_cmp(const void *a, const void *b)
{
	const struct sample_key *k = a;
	const struct sample *y = b;

	if (k->fam != y->fam)
		return k->fam < y->fam ? -1 : 1;
	return strcmp(k->labels, y->labels);
}

/* The sample of fam and labels among the first n of ss (sorted), or NULL. */
static struct sample *
samples_find(struct samples *ss, size_t n, enum mfam fam, const char *labels)
{
	struct sample_key key = { fam, labels };

	return bsearch(&key, ss->v, n, sizeof(*ss->v), sample_key_cmp);
}

int
metrics_write(const char *path, const struct metrics_run *run,
    const struct metrics_cert *rows, size_t n, struct err *e)
{
	struct samples cur, old;
	struct sample *s, *o;
	struct buf out;
	size_t i, ncur;
	int rc;

	memset(&cur, 0, sizeof(cur));
	memset(&old, 0, sizeof(old));
	buf_init(&out);
	samples_build(&cur, run, rows, n);
	samples_read(path, &old);
	/* Old samples are looked up among this run's (sorted, binary
	   search); the ones kept are appended, then all sorted again. */
	qsort(cur.v, cur.n, sizeof(*cur.v), sample_cmp);
	ncur = cur.n;
	for (i = 0; i < old.n; i++) {
		o = &old.v[i];
		s = samples_find(&cur, ncur, o->fam, o->labels);
		if (s != NULL && fams[o->fam].group == MG_COUNTER) {
			s->value += o->value;
		} else if (s == NULL && old_keep(o, rows, n)) {
			samples_add(&cur, o->fam, o->labels, o->value);
			o->labels = NULL;	/* moved */
		}
	}
	qsort(cur.v, cur.n, sizeof(*cur.v), sample_cmp);
	for (i = 0; i < cur.n; i++) {
		s = &cur.v[i];
		if (i == 0 || cur.v[i - 1].fam != s->fam)
			buf_printf(&out, "# HELP %s %s\n# TYPE %s %s\n",
			    fams[s->fam].name, fams[s->fam].help,
			    fams[s->fam].name, fams[s->fam].type);
		buf_printf(&out, "%s{%s} %.15g\n", fams[s->fam].name,
		    s->labels, s->value);
	}
	rc = file_write_atomic(path, out.data != NULL ? out.data : "",
	    out.len, 0644, e);
	buf_clear(&out);
	samples_clear(&cur);
	samples_clear(&old);
	return rc;
}

/* metrics_write() when path is not NULL; a failure is a warning in log
   (metrics never fail the command). */
static void
metrics_update(const char *path, const struct metrics_run *run,
    const struct metrics_cert *rows, size_t n, const struct log *log)
{
	struct err e;

	if (path == NULL)
		return;
	err_clear(&e);
	if (metrics_write(path, run, rows, n, &e) == -1)
		log_warn(log, "metrics: %s", e.msg);
}

/* Fills the plan fields of row from a plan decision and the state. */
static void
metrics_cert_from_plan(struct metrics_cert *row, const struct plan_item *it,
    const struct certstate *st, time_t now)
{
	const struct certinfo *ci = &it->info;
	int parsed = ci->status != CERTINFO_MISSING &&
	    ci->status != CERTINFO_CORRUPT_CERT;

	row->planned = 1;
	row->not_before = parsed ? ci->not_before : 0;
	row->not_after = parsed ? ci->not_after : 0;
	row->renew_at = it->renew_at;
	/* Ready: what the manifest asks for is live and valid. Being due
	   for renewal does not make it unready. */
	row->ready = ci->status == CERTINFO_OK && now < ci->not_after &&
	    (it->action == PLAN_KEEP || it->reason == REASON_EXPIRING ||
	    it->reason == REASON_ARI || it->reason == REASON_FORCED);
	row->consecutive_failures = st != NULL ? st->consecutive_failures : 0;
	row->last_failure = st != NULL ? st->last_error_time : 0;
	/* Only the window of the live certificate (a stale one would raise
	   a false "past its window" alert). */
	if (st != NULL && st->ari.window_start != 0 &&
	    st->ari.cert_id != NULL && ci->ari_id != NULL &&
	    strcmp(st->ari.cert_id, ci->ari_id) == 0) {
		row->ari_start = st->ari.window_start;
		row->ari_end = st->ari.window_end;
	}
}

void
metrics_report(const struct manifest *m, struct store *s,
    const unsigned char *sel, const struct plan_item *items,
    const struct certstate *states, const signed char *preflight,
    const struct metrics_run *run, const struct log *log)
{
	struct metrics_cert *rows;
	struct plan_item it;
	struct certstate st;
	struct err e;
	char *warning;
	size_t i;

	if (m->metrics_textfile == NULL)
		return;
	rows = xcalloc(m->ncerts + 1, sizeof(*rows));
	for (i = 0; i < m->ncerts; i++) {
		rows[i].name = m->certs[i].name;
		if (preflight != NULL && preflight[i] >= 0) {
			rows[i].checked = 1;
			rows[i].preflight_ok = preflight[i];
		}
		if (sel == NULL || !sel[i])
			continue;
		if (items != NULL) {
			metrics_cert_from_plan(&rows[i], &items[i],
			    states != NULL ? &states[i] : NULL, run->now);
			continue;
		}
		if (s == NULL)
			continue;
		struct plan_opts po = { .now = run->now };

		memset(&it, 0, sizeof(it));
		certstate_init(&st);
		warning = NULL;
		/* Errors were reported by the command itself. */
		if (plan_read_cert(s, m, &m->certs[i], &po, &it, &st,
		    &warning, NULL, &e) == 0)
			metrics_cert_from_plan(&rows[i], &it, &st, run->now);
		free(warning);
		plan_item_clear(&it);
		certstate_clear(&st);
	}
	metrics_update(m->metrics_textfile, run, rows, m->ncerts, log);
	free(rows);
}
