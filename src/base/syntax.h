/*
 * syntax.h - the lexical rules of names certkeep accepts from anywhere
 * (manifest, command line, archives, DNS): hostnames, repository names,
 * e-mail addresses, host:port and IP address text.
 */
#ifndef CERTKEEP_SYNTAX_H
#define CERTKEEP_SYNTAX_H

#include <stddef.h>

/*
 * Syntax checks, shared with other modules (DNS, CLI arguments); in
 * syntax.c. The *_valid() functions return 1 when valid, else 0;
 * the *_problem() ones return NULL when valid, else a constant phrase
 * saying what is wrong.
 *
 * Hostnames: LDH labels of 1..63, total <= 253, at least two labels, no
 * trailing dot, last label not all digits; with allow_wildcard one leading
 * "*." (no other '*'). Upper case is accepted (callers lower-case).
 */
int	 hostname_valid(const char *s, int allow_wildcard);
const char *hostname_problem(const char *s, int allow_wildcard);
/* A repository directory name: 1..64 of [A-Za-z0-9._-], no leading '.'
 * or '-' (so never "." or ".."), no '/'. */
#define SAFE_NAME_MAX	64
int	 safe_name_valid(const char *s);
const char *safe_name_problem(const char *s);
/* local@domain: dot-atom local part <= 64, domain a valid hostname. */
int	 email_valid(const char *s);
const char *email_problem(const char *s);
/*
 * Splits "host:port" or "[v6]:port"; host is an IPv4 address, a bracketed
 * IPv6 address, "*" or a DNS name; port 1..65535, or default_port when
 * missing and default_port > 0. On success *host is malloced (no
 * brackets), caller frees.
 */
int	 hostport_parse(const char *s, int default_port, char **host,
	    int *port);
const char *hostport_split(const char *s, int default_port, char **host,
	    int *port);
/* The other way: "host:port", "[v6]:port" for an IPv6 address (a host
   with a ':'). Returns a malloced string, caller frees. */
char	*hostport_join(const char *host, int port);
/*
 * The authority of url ("host:port" of "https://host:port/path?q"): a
 * pointer into url, and its length in *len (0 when there is none);
 * without "://" the authority starts at url.
 */
const char *url_authority(const char *url, size_t *len);
/* The host of url: its authority without the port or the IPv6 brackets
   (maybe empty). Returns a malloced string, caller frees. */
char	*url_host(const char *url);
/* Writes the canonical text of IP address s (v4 or v6, no brackets) to
 * out (>= 46 bytes); returns 4 or 6, or -1 when s is not an address. */
int	 ip_canonical(const char *s, char *out, size_t outsz);

#endif
