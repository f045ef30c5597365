/*
 * syntax.c - syntax checks for the values a manifest holds
 * (hostnames, directory names, e-mail addresses, host:port, IP addresses),
 * shared with every module that takes such values from elsewhere.
 *
 * Each *_problem() function returns NULL when the value is fine, else a
 * constant phrase saying what is wrong, for "PATH: "VALUE": phrase".
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/syntax.h"

static int
is_ldh(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/*
 * A DNS name of LDH labels (RFC 952/1123): labels 1..63, no hyphen at
 * either end, total <= 253, at least min_labels labels, no trailing dot,
 * and a last label that is not all digits (that would be an IP address).
 */
static const char *
dnsname_problem(const char *s, size_t min_labels)
{
	size_t len = strlen(s), labels = 0, llen;
	const char *p = s, *dot, *last = s;
	int alldigits;

	if (len == 0)
		return "empty name";
	if (len > 253)
		return "name longer than 253 characters";
	if (s[len - 1] == '.')
		return "trailing dot not allowed";
	for (;;) {
		dot = strchr(p, '.');
		llen = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (llen == 0)
			return "empty label";
		if (llen > 63)
			return "label longer than 63 characters";
		for (size_t i = 0; i < llen; i++) {
			if (p[i] == '*')
				return "'*' is only allowed as the whole "
				    "first label (*.example.com)";
			if (!is_ldh((unsigned char)p[i]))
				return "labels may hold only letters, digits "
				    "and hyphens";
		}
		if (p[0] == '-' || p[llen - 1] == '-')
			return "a label may not begin or end with a hyphen";
		labels++;
		last = p;
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	if (labels < min_labels)
		return "needs at least two labels (host.domain)";
	alldigits = 1;
	for (p = last; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			alldigits = 0;
	if (alldigits)
		return "the last label may not be all digits";
	return NULL;
}

const char *
hostname_problem(const char *s, int allow_wildcard)
{
	if (s[0] == '*' && s[1] == '.') {
		if (!allow_wildcard)
			return "a wildcard is not allowed here";
		if (strlen(s) > 253)
			return "name longer than 253 characters";
		return dnsname_problem(s + 2, 2);
	}
	if (strcmp(s, "*") == 0)
		return "'*' is only allowed as the whole first label "
		    "(*.example.com)";
	return dnsname_problem(s, 2);
}

int
hostname_valid(const char *s, int allow_wildcard)
{
	return hostname_problem(s, allow_wildcard) == NULL;
}

const char *
safe_name_problem(const char *s)
{
	size_t len = strlen(s);

	if (len == 0)
		return "must not be empty";
	if (len > SAFE_NAME_MAX)
		return "longer than 64 characters";
	if (s[0] == '.')
		return "may not begin with a dot";
	if (s[0] == '-')
		return "may not begin with a hyphen";
	for (; *s != '\0'; s++) {
		if (*s == '/')
			return "may not contain '/'";
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' &&
		    *s != '-')
			return "may hold only letters, digits, '.', '_' "
			    "and '-'";
	}
	return NULL;
}

int
safe_name_valid(const char *s)
{
	return safe_name_problem(s) == NULL;
}

/* RFC 5322 atext, the characters of a dot-atom local part. */
static int
is_atext(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c)
	    != NULL);
}

const char *
email_problem(const char *s)
{
	const char *at = strrchr(s, '@'), *p;

	if (at == NULL || at == s)
		return "not an e-mail address (local@domain)";
	if (strlen(s) > 254)
		return "longer than 254 characters";
	if (at - s > 64)
		return "local part longer than 64 characters";
	if (s[0] == '.' || at[-1] == '.')
		return "local part may not begin or end with a dot";
	for (p = s; p < at; p++) {
		if (*p == '.' && p[1] == '.')
			return "local part may not hold two dots in a row";
		if (*p != '.' && !is_atext((unsigned char)*p))
			return "local part holds a character that needs "
			    "quoting";
	}
	if (dnsname_problem(at + 1, 2) != NULL)
		return "the domain is not a valid hostname";
	return NULL;
}

int
email_valid(const char *s)
{
	return email_problem(s) == NULL;
}

int
ip_canonical(const char *s, char *out, size_t outsz)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		return inet_ntop(AF_INET, a, out, (socklen_t)outsz) != NULL ?
		    4 : -1;
	if (inet_pton(AF_INET6, s, a) == 1)
		return inet_ntop(AF_INET6, a, out, (socklen_t)outsz) != NULL ?
		    6 : -1;
	return -1;
}

const char *
hostport_split(const char *s, int default_port, char **hostp, int *portp)
{
	const char *colon, *portstr = NULL, *why = NULL;
	char *host = NULL, buf[64];
	long port;
	size_t i, plen;

	*hostp = NULL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL)
			return "missing ']' after the IPv6 address";
		host = xstrndup(s + 1, (size_t)(close - s - 1));
		if (ip_canonical(host, buf, sizeof(buf)) != 6) {
			why = "not a valid IPv6 address in brackets";
			goto out;
		}
		if (close[1] == ':')
			portstr = close + 2;
		else if (close[1] != '\0') {
			why = "expected ':PORT' after ']'";
			goto out;
		}
	} else {
		colon = strchr(s, ':');
		/* A bare IPv6 address is whole when the port may be left out. */
		if (colon != NULL && default_port > 0 &&
		    ip_canonical(s, buf, sizeof(buf)) == 6) {
			*hostp = xstrdup(s);
			*portp = default_port;
			return NULL;
		}
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			why = "an IPv6 address needs brackets ([::1]:443)";
			goto out;
		}
		if (colon != NULL) {
			host = xstrndup(s, (size_t)(colon - s));
			portstr = colon + 1;
		} else
			host = xstrdup(s);
		if (host[0] == '\0') {
			why = "missing host";
			goto out;
		}
		if (strcmp(host, "*") != 0 &&
		    ip_canonical(host, buf, sizeof(buf)) != 4 &&
		    dnsname_problem(host, 1) != NULL) {
			why = "the host is neither an IP address nor a "
			    "hostname";
			goto out;
		}
	}
	if (portstr == NULL) {
		if (default_port <= 0) {
			why = "missing ':PORT'";
			goto out;
		}
		port = default_port;
	} else {
		plen = strlen(portstr);
		if (plen == 0 || plen > 5) {
			why = plen == 0 ? "missing port after ':'" :
			    "port must be 1..65535";
			goto out;
		}
		for (i = 0; i < plen; i++)
			if (!isdigit((unsigned char)portstr[i])) {
				why = "port must be a number";
				goto out;
			}
		port = strtol(portstr, NULL, 10);
		if (port < 1 || port > 65535) {
			why = "port must be 1..65535";
			goto out;
		}
	}
	*hostp = host;
	host = NULL;
	*portp = (int)port;
out:
	free(host);
	return why;
}

const char *
url_authority(const char *url, size_t *len)
{
	const char *p = strstr(url, "://");

	p = p != NULL ? p + 3 : url;
	*len = strcspn(p, "/?#");
	return p;
}

char *
url_host(const char *url)
{
	const char *a, *end;
	size_t n;

	a = url_authority(url, &n);
	if (n > 0 && a[0] == '[') {
		end = memchr(a, ']', n);
		return end != NULL ? xstrndup(a + 1, (size_t)(end - a - 1)) :
		    xstrndup(a, n);
	}
	end = memchr(a, ':', n);
	return xstrndup(a, end != NULL ? (size_t)(end - a) : n);
}

char *
hostport_join(const char *host, int port)
{
	if (strchr(host, ':') != NULL)
		return xasprintf("[%s]:%d", host, port);
	return xasprintf("%s:%d", host, port);
}

int
hostport_parse(const char *s, int default_port, char **host, int *port)
{
	return hostport_split(s, default_port, host, port) == NULL ? 0 : -1;
}
