/*
 * json.h - the cJSON members that the state, ARI and plan JSON read and
 * write alike: optional strings and RFC 3339 times, where "none" is a
 * missing member or null.
 */
#ifndef CERTKEEP_JSON_H
#define CERTKEEP_JSON_H

#include <time.h>

struct cJSON;

/* Member name of o: a malloced copy (caller frees), or NULL when it is
   missing, not a string or empty. */
char	*json_get_str(const struct cJSON *o, const char *name);
/* Member name of o as an RFC 3339 time, or 0 when missing or not one. */
time_t	 json_get_time(const struct cJSON *o, const char *name);
/* Adds name: s to o, or name: null when s is NULL. */
void	 json_add_str(struct cJSON *o, const char *name, const char *s);
/* Adds name: t in RFC 3339 to o, or name: null when t is 0. */
void	 json_add_time(struct cJSON *o, const char *name, time_t t);

#endif
