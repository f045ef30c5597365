/* profile.c - checking an ACME profile against the directory (profile.h). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "acme/profile.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"

/*
 * The names a directory offers, comma-separated in directory order
 * ("default, shortlived"); malloced, caller frees; "" when none.
 */
static char *
profile_list(const cJSON *profiles)
{
	const cJSON *p;
	struct buf b;
	char *esc;

	buf_init(&b);
	buf_puts(&b, "");
	if (!cJSON_IsObject(profiles))
		return buf_steal(&b);
	cJSON_ArrayForEach(p, profiles) {
		if (p->string == NULL)
			continue;
		/* Names come from the CA: escaped for the terminal. */
		esc = str_escape(p->string);
		if (b.len > 0)
			buf_puts(&b, ", ");
		buf_puts(&b, esc);
		free(esc);
	}
	return buf_steal(&b);
}

int
profile_resolve(const char *wanted, int optional, const cJSON *profiles,
    const char *dir_url, const char **use, char **warning, struct err *e)
{
	char *names = NULL, *esc = NULL;
	int rc = -1;

	*use = NULL;
	*warning = NULL;
	if (wanted == NULL || wanted[0] == '\0')
		return 0;
	esc = str_escape(wanted);
	if (!cJSON_IsObject(profiles) || profiles->child == NULL) {
		if (optional) {
			*warning = xasprintf("profile \"%s\": %s offers no "
			    "profiles; ordering without one "
			    "(acme.profile_optional)", esc, dir_url);
			rc = 0;
		} else
			err_set(e, "profile \"%s\" is set but %s offers no "
			    "profiles (its directory has no meta.profiles): "
			    "remove it, or set acme.profile_optional: true",
			    esc, dir_url);
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(profiles, wanted) != NULL) {
		*use = wanted;
		rc = 0;
		goto out;
	}
	names = profile_list(profiles);
	if (optional) {
		*warning = xasprintf("profile \"%s\" is not offered by %s "
		    "(it offers %s); ordering without a profile "
		    "(acme.profile_optional)", esc, dir_url, names);
		rc = 0;
	} else
		err_set(e, "profile \"%s\" is not offered by %s: choose one "
		    "of %s", esc, dir_url, names);
out:
	free(names);
	free(esc);
	return rc;
}
