#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "checks/check.h"

const char *const check_status_names[CHECK__MAX] = { "pass", "warn", "fail" };

void
check_results_init(struct check_results *r)
{
	memset(r, 0, sizeof(*r));
}

void
check_results_clear(struct check_results *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		FREE_ALL(r->v[i].check, r->v[i].hostname, r->v[i].message);
	free(r->v);
	check_results_init(r);
}

void
check_results_add(struct check_results *r, const char *check,
    const char *hostname, enum check_status status, const char *fmt, ...)
{
	struct check_result *res;
	va_list ap;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	res = &r->v[r->n++];
	res->check = xstrdup(check);
	res->hostname = hostname != NULL ? xstrdup(hostname) : NULL;
	res->status = status;
	va_start(ap, fmt);
	if (vasprintf(&res->message, fmt, ap) < 0)
		abort();
	va_end(ap);
}

enum check_status
check_results_worst(const struct check_results *r)
{
	enum check_status worst = CHECK_PASS;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].status > worst)
			worst = r->v[i].status;
	return worst;
}

enum check_status
checks_run(const struct check_env *env, const struct mcert *c,
    struct check_results *out)
{
	size_t i;

	for (i = 0; check_table[i] != NULL; i++)
		check_table[i]->run(env, c, out);
	return check_results_worst(out);
}
