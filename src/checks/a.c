/*
 * check "a": the A records of every hostname, against `addresses` when
 * the certificate lists them (addr_check.c: the code it shares with
 * check "aaaa").
 */
#include "checks/addr_check.h"

static int
check_a_run(const struct check_env *env, const struct mcert *c,
    struct check_results *out)
{
	return addr_check_run(env, c, out, 4);
}

const struct check check_a = {
	.name = "a",
	.run = check_a_run,
};
