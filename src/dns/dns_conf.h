/*
 * dns_conf.h - the resolver's settings (the manifest's dns block), in a
 * header of their own so that the manifest can embed them without
 * pulling ldns into every file that reads it. dns_resolver_from_conf()
 * (dns.h) makes the resolver they describe.
 */
#ifndef CERTKEEP_DNS_CONF_H
#define CERTKEEP_DNS_CONF_H

#include <stddef.h>

struct dns_conf {
	char		**resolvers;	/* NULL-terminated "ip[:port]"; may be
					   empty: use /etc/resolv.conf */
	size_t		 nresolvers;
	long long	 timeout_ms;	/* per try; default 5000 */
};

#endif
