#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/time.h"

const char *const log_level_names[LOG__MAX] = {
	"error", "warning", "info", "debug",
};

struct log_progress {
	pthread_mutex_t	 mu;
	FILE		*fp;
	char		 line[128];	/* "" while nothing is shown */
};

void
log_init(struct log *l)
{
	l->level = LOG_INFO;
	l->json = 0;
	l->fp = stderr;
	l->progress = NULL;
}

struct log_progress *
log_progress_new(const struct log *l)
{
	struct log_progress *p;

	if (l == NULL || l->fp == NULL || l->json || !isatty(fileno(l->fp)))
		return NULL;
	p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	p->fp = l->fp;
	return p;
}

void
log_progress_set(struct log_progress *p, const char *fmt, ...)
{
	va_list ap;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	va_start(ap, fmt);
	vsnprintf(p->line, sizeof(p->line), fmt, ap);
	va_end(ap);
	fprintf(p->fp, "\r\033[K%s", p->line);
	fflush(p->fp);
	pthread_mutex_unlock(&p->mu);
}

void
log_progress_free(struct log_progress *p)
{
	if (p == NULL)
		return;
	if (p->line[0] != '\0') {
		fputs("\r\033[K", p->fp);
		fflush(p->fp);
	}
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* Writes one whole line; the status line, if any, is taken down first
   and drawn again below. */
static void
log_write(const struct log *l, const char *prefix, const char *line)
{
	struct log_progress *p = l->progress;

	if (p != NULL)
		pthread_mutex_lock(&p->mu);
	flockfile(l->fp);
	if (p != NULL && p->line[0] != '\0')
		fputs("\r\033[K", l->fp);
	fprintf(l->fp, "%s%s\n", prefix, line);
	if (p != NULL && p->line[0] != '\0')
		fputs(p->line, l->fp);
	fflush(l->fp);
	funlockfile(l->fp);
	if (p != NULL)
		pthread_mutex_unlock(&p->mu);
}

/* Whether msg carries a PEM private key (any kind: "PRIVATE KEY-----"
   ends every such armour line). */
static int
log_has_key(const char *msg)
{
	return strstr(msg, "PRIVATE KEY-----") != NULL;
}

int
log_pem_withhold(struct log_pem_filter *f, const char *line, size_t len)
{
	if (f->in_key) {
		if (memmem(line, len, "-----END ", 9) != NULL)
			f->in_key = 0;
		return 1;
	}
	/* "PRIVATE KEY-----" ends the armour of every kind of key (PKCS#8,
	   RSA, EC, ENCRYPTED, OPENSSH). */
	if (memmem(line, len, "PRIVATE KEY-----", 16) == NULL)
		return 0;
	if (memmem(line, len, "-----BEGIN ", 11) != NULL &&
	    memmem(line, len, "-----END ", 9) == NULL)
		f->in_key = 1;
	return 1;
}

/* Text form: control bytes escaped so that one event is one line. */
static char *
log_text_clean(const char *msg)
{
	struct buf b;
	const unsigned char *p, *run;

	buf_init(&b);
	/* Plain bytes are copied a run at a time (a line per certificate
	   in a run over a fleet). */
	for (p = run = (const unsigned char *)msg; *p != '\0'; p++) {
		if (*p >= 0x20 && *p != 0x7f)
			continue;
		buf_append(&b, run, (size_t)(p - run));
		run = p + 1;
		if (*p == '\n')
			buf_puts(&b, "\\n");
		else
			buf_printf(&b, "\\x%02x", *p);
	}
	buf_append(&b, run, (size_t)(p - run));
	return buf_steal(&b);
}

static void
log_emit(const struct log *l, enum log_level lvl, const char *name,
    const char *event, cJSON *fields, const char *fmt, va_list ap)
{
	char *msg = NULL, ts[32], *line = NULL;
	cJSON *o = NULL, *it;

	if (l == NULL || l->fp == NULL || lvl > l->level)
		goto out;
	if (vasprintf(&msg, fmt, ap) < 0) {
		msg = NULL;
		goto out;
	}
	if (log_has_key(msg)) {
		free(msg);
		msg = xstrdup("(message withheld: it contained key material)");
	}
	if (l->json) {
		time_format_rfc3339(now_wall(), ts, sizeof(ts));
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "time", ts);
		cJSON_AddStringToObject(o, "level", log_level_names[lvl]);
		if (name != NULL)
			cJSON_AddStringToObject(o, "certificate", name);
		if (event != NULL)
			cJSON_AddStringToObject(o, "event", event);
		cJSON_AddStringToObject(o, "message", msg);
		while (fields != NULL && (it = fields->child) != NULL) {
			cJSON_DetachItemViaPointer(fields, it);
			if (it->string == NULL ||
			    cJSON_GetObjectItemCaseSensitive(o, it->string) !=
			    NULL) {
				cJSON_Delete(it);
				continue;
			}
			cJSON_AddItemToObject(o, it->string, it);
		}
		line = cJSON_PrintUnformatted(o);
		if (line != NULL)
			log_write(l, "", line);
	} else {
		char pre[32];

		line = log_text_clean(msg);
		if (lvl == LOG_INFO)
			snprintf(pre, sizeof(pre), "certkeep: ");
		else
			snprintf(pre, sizeof(pre), "certkeep: %s: ",
			    log_level_names[lvl]);
		log_write(l, pre, line);
	}
out:
	cJSON_Delete(fields);
	cJSON_Delete(o);
	free(line);
	free(msg);
}

void
log_event(const struct log *l, enum log_level lvl, const char *name,
    const char *event, cJSON *fields, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(l, lvl, name, event, fields, fmt, ap);
	va_end(ap);
}

void
log_cert_expiry(const struct log *l, enum log_level lvl, const char *name,
    time_t not_after, time_t now, long long next_check)
{
	char day[32], ts[32], nc[32], tail[64];
	long long left = days_left(not_after, now);
	cJSON *f;

	if (l == NULL || l->level < lvl)
		return;
	time_format_date(not_after, day, sizeof(day));
	tail[0] = '\0';
	if (next_check > 0) {
		duration_format(next_check, nc, sizeof(nc));
		snprintf(tail, sizeof(tail), ", next check in %s", nc);
	}
	/* The fields go only into JSON lines (one per certificate). */
	f = NULL;
	if (l->json) {
		time_format_rfc3339(not_after, ts, sizeof(ts));
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "not_after", ts);
		cJSON_AddNumberToObject(f, "days_left", (double)left);
		if (next_check > 0)
			cJSON_AddNumberToObject(f, "next_check_seconds",
			    (double)next_check);
	}
	if (not_after <= now && left == 0)
		log_event(l, lvl, name, "check", f,
		    "certificate %s expired %s, today%s", name, day, tail);
	else if (not_after <= now)
		log_event(l, lvl, name, "check", f,
		    "certificate %s expired %s, %lld day%s ago%s", name, day,
		    -left, -left == 1 ? "" : "s", tail);
	else
		log_event(l, lvl, name, "check", f,
		    "certificate %s expires %s, %lld day%s left%s", name, day,
		    left, left == 1 ? "" : "s", tail);
}

void
log_cert_window(const struct log *l, enum log_level lvl, const char *name,
    const char *why)
{
	if (why != NULL && *why != '\0')
		log_event(l, lvl, name, "window", NULL,
		    "renewal window reached for %s: %s", name, why);
	else
		log_event(l, lvl, name, "window", NULL,
		    "renewal window reached for %s", name);
}

