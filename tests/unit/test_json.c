/* Unit tests for json.c: optional strings and RFC 3339 times. */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "base/json.h"
#include "tap.h"

int
main(void)
{
	cJSON *o = cJSON_Parse("{\"s\":\"x\",\"empty\":\"\",\"n\":3,"
	    "\"t\":\"2027-02-22T10:00:00Z\",\"bad\":\"2027-02-22\"}");
	cJSON *w = cJSON_CreateObject();
	char *p, *txt;

	p = json_get_str(o, "s");
	is_str(p, "x", "string read as a copy");
	free(p);
	ok(json_get_str(o, "empty") == NULL, "empty string is none");
	ok(json_get_str(o, "n") == NULL, "number is not a string");
	ok(json_get_str(o, "missing") == NULL, "missing member is none");
	is_int(json_get_time(o, "t"), 1803290400, "RFC 3339 time read");
	is_int(json_get_time(o, "bad"), 0, "date without time is none");
	is_int(json_get_time(o, "n"), 0, "number is not a time");

	json_add_str(w, "s", "y");
	json_add_str(w, "ns", NULL);
	json_add_time(w, "t", 1803290400);
	json_add_time(w, "nt", 0);
	txt = cJSON_PrintUnformatted(w);
	is_str(txt, "{\"s\":\"y\",\"ns\":null,\"t\":\"2027-02-22T10:00:00Z\","
	    "\"nt\":null}", "strings and times written, null for none");
	is_int(json_get_time(w, "t"), 1803290400, "a written time reads back");
	free(txt);
	cJSON_Delete(w);
	cJSON_Delete(o);
	return tap_done();
}
