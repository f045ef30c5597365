/*
 * check "aaaa": the AAAA records of every hostname, against `addresses` when
 * the certificate lists them (addr_check.c: the code it shares with
 * check "a").
 */
#include "checks/addr_check.h"

static int
check_aaaa_run(const struct check_env *env, const struct mcert *c,
    struct check_results *out)
{
	return addr_check_run(env, c, out, 6);
}

const struct check check_aaaa = {
	.name = "aaaa",
	.run = check_aaaa_run,
};
