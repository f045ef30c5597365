/*
 * test_import.c - the manifest entries `certkeep import` prints load back
 * through the manifest loader as the same certificate: names, hostnames
 * (wildcards quoted), key type and a challenge whose path holds YAML's
 * special characters.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/str.h"
#include "cli/import.h"
#include "manifest/manifest.h"
#include "tap.h"

/* Loads the head + the entry of c; returns the manifest or NULL. */
static struct manifest *
load_entry(const struct import_cert *c, const char *head)
{
	struct strlist d;
	struct manifest *m;
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_puts(&b, head);
	import_entry_yaml(&b, c);
	strlist_init(&d);
	m = manifest_load_buf("t.yaml", "/etc/ck", b.data, b.len, &d);
	for (i = 0; i < d.n; i++)
		printf("# diag: %s\n", d.v[i]);
	if (m == NULL)
		printf("# yaml:\n%s", b.data);
	strlist_clear(&d);
	buf_clear(&b);
	return m;
}

int
main(void)
{
	static const char head[] = "version: 1\n"
	    "challenge: {http-01: {webroot: /var/www}}\n"
	    "certificates:\n";
	static const char head_dns[] = "version: 1\n"
	    "challenge: {dns-01: {rfc2136: {server: \"127.0.0.1:53\", "
	    "tsig_name: k., tsig_secret_file: k}}}\n"
	    "certificates:\n";
	char *sans[] = { "a.example.com", "www.a.example.com", NULL };
	char *wild[] = { "*.b.example.com", "b.example.com", NULL };
	struct import_cert c;
	struct manifest *m;
	const char *odd = "/srv/we b/\"q\"\\x: #y, [z]";

	memset(&c, 0, sizeof(c));
	c.name = "a.example.com";
	c.info.sans = sans;
	c.info.nsans = 2;
	c.info.key_type = KEY_RSA_3072;
	c.authenticator = "webroot";
	c.webroot = (char *)odd;
	m = load_entry(&c, head);
	ok(m != NULL, "webroot entry loads");
	if (m != NULL) {
		const struct mcert *mc = &m->certs[0];

		ok(strcmp(mc->name, "a.example.com") == 0 &&
		    mc->nhostnames == 2 &&
		    strcmp(mc->hostnames[1], "www.a.example.com") == 0,
		    "name and hostnames");
		ok(mc->key_type == KEY_RSA_3072, "key type");
		ok(mc->challenge.type == CHALL_HTTP01 &&
		    mc->challenge.webroot != NULL &&
		    strcmp(mc->challenge.webroot, odd) == 0,
		    "webroot with quotes, backslash, colon, hash kept exactly");
	}
	manifest_free(m);

	c.authenticator = "standalone";
	c.webroot = NULL;
	c.listen = "[::1]:8080";
	m = load_entry(&c, head);
	ok(m != NULL && m->certs[0].challenge.listen != NULL &&
	    strcmp(m->certs[0].challenge.listen, "[::1]:8080") == 0,
	    "standalone -> http-01 listen");
	manifest_free(m);

	c.name = "b.example.com";
	c.info.sans = wild;
	c.authenticator = "dns-rfc2136";
	c.listen = NULL;
	c.info.key_type = KEY_EC_P384;
	m = load_entry(&c, head_dns);
	ok(m != NULL && m->certs[0].challenge.type == CHALL_DNS01 &&
	    strcmp(m->certs[0].hostnames[0], "*.b.example.com") == 0,
	    "dns plugin -> dns-01, the wildcard quoted");
	manifest_free(m);

	c.authenticator = "nginx";
	c.info.sans = sans;
	m = load_entry(&c, head);
	ok(m != NULL && m->certs[0].challenge.type == CHALL_HTTP01 &&
	    m->certs[0].challenge.webroot != NULL,
	    "another plugin: the top-level challenge applies");
	manifest_free(m);

	ok(import_source_from_name("certbot") == IMPORT_CERTBOT &&
	    import_source_from_name("axigen") == IMPORT_AXIGEN &&
	    import_source_from_name("acme.sh") == -1, "source names");
	return tap_done();
}
