#include <string.h>

#include "base/mem.h"
#include "base/path.h"

char *
path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (n > 0 && dir[n - 1] == '/')
		return xstrcat(dir, name, NULL);
	return xstrcat(dir, "/", name, NULL);
}

char *
path_resolve(const char *base, const char *p)
{
	if (p[0] == '/' || base == NULL || base[0] == '\0')
		return xstrdup(p);
	return path_join(base, p);
}

char *
path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}
