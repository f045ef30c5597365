/*
 * json.c - optional strings and times in cJSON objects (json.h).
 */
#include <cjson/cJSON.h>

#include "base/json.h"
#include "base/mem.h"
#include "base/time.h"

char *
json_get_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsString(v) && v->valuestring[0] != '\0')
		return xstrdup(v->valuestring);
	return NULL;
}

time_t
json_get_time(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	time_t t;

	if (cJSON_IsString(v) && time_parse_rfc3339(v->valuestring, &t) == 0)
		return t;
	return 0;
}

void
json_add_str(cJSON *o, const char *name, const char *s)
{
	if (s == NULL)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddStringToObject(o, name, s);
}

void
json_add_time(cJSON *o, const char *name, time_t t)
{
	char buf[64];

	if (t == 0) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	time_format_rfc3339(t, buf, sizeof(buf));
	cJSON_AddStringToObject(o, name, buf);
}
