/*
 * addrcheck.h - the A/AAAA preflight shared by checks/a.c and
 * checks/aaaa.c: every hostname resolves to an address, and when the
 * certificate lists `addresses`, the answers are covered by them.
 */
#ifndef CERTKEEP_ADDRCHECK_H
#define CERTKEEP_ADDRCHECK_H

#include "check.h"

/* family 4 (check "a", A records) or 6 (check "aaaa", AAAA records). */
int	 addrcheck_run(const struct check_env *env, const struct mcert *c,
	    struct check_results *out, int family);

#endif
