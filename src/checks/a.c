/* check "a": A records of every hostname (see addrcheck.h). */
#include "checks/addr.h"

static int
check_a_run(const struct check_env *env, const struct mcert *c,
    struct check_results *out)
{
	return addrcheck_run(env, c, out, 4);
}

const struct check check_a = {
	.name = "a",
	.run = check_a_run,
};
