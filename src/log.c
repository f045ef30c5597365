#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "util.h"

const char *const log_level_names[LOG__MAX] = {
	"error", "warning", "info", "debug",
};

void
log_init(struct log *l)
{
	l->level = LOG_INFO;
	l->json = 0;
	l->fp = stderr;
}

static void
log_emit(const struct log *l, enum log_level lvl, const char *name,
    const char *fmt, va_list ap)
{
	char *msg, ts[32], *line;
	cJSON *o;

	if (l == NULL || lvl > l->level)
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	if (l->json) {
		time_format_rfc3339(now_wall(), ts, sizeof(ts));
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "time", ts);
		cJSON_AddStringToObject(o, "level", log_level_names[lvl]);
		if (name != NULL)
			cJSON_AddStringToObject(o, "certificate", name);
		cJSON_AddStringToObject(o, "message", msg);
		line = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (line != NULL) {
			fprintf(l->fp, "%s\n", line);
			free(line);
		}
	} else if (lvl == LOG_INFO) {
		fprintf(l->fp, "certkeep: %s\n", msg);
	} else {
		fprintf(l->fp, "certkeep: %s: %s\n", log_level_names[lvl],
		    msg);
	}
	fflush(l->fp);
	free(msg);
}

void
log_msg(const struct log *l, enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(l, lvl, NULL, fmt, ap);
	va_end(ap);
}

void
log_cert(const struct log *l, enum log_level lvl, const char *name,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(l, lvl, name, fmt, ap);
	va_end(ap);
}
