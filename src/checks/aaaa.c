/* check "aaaa": AAAA records of every hostname (see addrcheck.h). */
#include "checks/addr.h"

static int
check_aaaa_run(const struct check_env *env, const struct mcert *c,
    struct check_results *out)
{
	return addrcheck_run(env, c, out, 6);
}

const struct check check_aaaa = {
	.name = "aaaa",
	.run = check_aaaa_run,
};
