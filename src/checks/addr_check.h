/*
 * addr_check.h - what the checks "a" (checks/a.c) and "aaaa"
 * (checks/aaaa.c) share: every hostname resolves to an address, and when
 * the certificate lists `addresses`, the answers are covered by them.
 * Each check is the same code for its own record type.
 */
#ifndef CERTKEEP_ADDR_CHECK_H
#define CERTKEEP_ADDR_CHECK_H

#include "checks/check.h"

/*
 * Runs the check for family 4 (check "a", A records) or 6 (check "aaaa",
 * AAAA records): one result per hostname of c in out. Returns 0, or -1
 * when no resolver could be made (a fail result says why).
 */
int	 addr_check_run(const struct check_env *env, const struct mcert *c,
	    struct check_results *out, int family);

/* The result addr_check_run() gives host for an answer with records
   (q->status DNS_OK), added to out; for the fuzzer. */
struct dns_query;
void	 addr_check_judge_answer(const struct mcert *c, const char *host,
	    const struct dns_query *q, int family, struct check_results *out);

#endif
