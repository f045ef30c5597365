/*
 * addrcheck.h - the A/AAAA preflight shared by checks/a.c and
 * checks/aaaa.c: every hostname resolves to an address, and when the
 * certificate lists `addresses`, the answers are covered by them.
 */
#ifndef CERTKEEP_ADDRCHECK_H
#define CERTKEEP_ADDRCHECK_H

#include "checks/check.h"

/* family 4 (check "a", A records) or 6 (check "aaaa", AAAA records). */
int	 addrcheck_run(const struct check_env *env, const struct mcert *c,
	    struct check_results *out, int family);

/* The verdict addrcheck_run() gives host for an answer with records
   (q->status DNS_OK), added to out; for the fuzzer. */
struct dns_query;
void	 addrcheck_parse_answer(const struct mcert *c, const char *host,
	    const struct dns_query *q, int family, struct check_results *out);

#endif
