/*
 * Unit tests for the manifest loader (manifest.c, ytree.c) and the syntax
 * checks (base/syntax.c): defaults, path resolution, the challenge
 * merge, durations and percentages, lower-casing, positions, and every
 * validator at its edges.
 */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/str.h"
#include "manifest/manifest.h"
#include "tap.h"

/* Loads text from a buffer as manifest "t.yaml" in /etc/ck. */
static struct manifest *
load(const char *text, struct strlist *diags)
{
	strlist_clear(diags);
	strlist_init(diags);
	return manifest_load_buf("t.yaml", "/etc/ck", text, strlen(text),
	    diags);
}

/* The one diagnostic of text, or "" when there are none or several. */
static char *
one_diag(const char *text)
{
	struct strlist d;
	struct manifest *m;
	char *r;

	strlist_init(&d);
	m = load(text, &d);
	manifest_free(m);
	r = xstrdup(d.n == 1 ? d.v[0] : "");
	if (d.n != 1)
		for (size_t i = 0; i < d.n; i++)
			printf("# diag: %s\n", d.v[i]);
	strlist_clear(&d);
	return r;
}

#define CERT_WEBROOT \
	"challenge: {http-01: {webroot: www}}\n" \
	"certificates:\n" \
	"  - name: a\n" \
	"    hostnames: [a.example.com]\n"

static const char minimal[] = "version: 1\n" CERT_WEBROOT;

static void
test_defaults(void)
{
	struct strlist d;
	struct manifest *m;

	strlist_init(&d);
	m = load(minimal, &d);
	ok(m != NULL && d.n == 0, "minimal manifest loads");
	if (m == NULL) {
		strlist_clear(&d);
		return;
	}
	is_int(m->version, 1, "version 1");
	is_str(m->path, "t.yaml", "path as given");
	is_str(m->dir, "/etc/ck", "dir");
	is_str(m->acme.directory, LE_DIRECTORY_URL, "default directory");
	is_str(m->acme.directory_alias, "letsencrypt", "default alias");
	is_int(m->acme.account_key, KEY_EC_P256, "account key ec-p256");
	is_int(m->acme.terms_set, 0, "terms not set");
	is_int(m->acme.terms_pos.line, 1, "terms_pos 1:1 without acme");
	is_int(m->acme.ncontact, 0, "no contact");
	ok(m->acme.contact != NULL && m->acme.contact[0] == NULL,
	    "contact is an empty array, not NULL");
	ok(m->acme.caa_identities != NULL, "caa_identities array");
	ok(m->acme.profile == NULL, "no profile");
	is_str(m->store, "/var/opt/certkeep", "default store");
	is_int(m->renew_before.set, 0, "renew_before unset");
	ok(m->domains != NULL && m->ndomains == 0, "no domains");
	is_int(m->dns.timeout_ms, 5000, "dns timeout 5s");
	ok(m->dns.resolvers != NULL && m->dns.nresolvers == 0,
	    "no resolvers");
	is_int(m->notify.enabled, 0, "notify off");
	is_str(m->fragments.dir, "/etc/ck/fragments", "fragments dir");
	is_int(m->fragments.hook_timeout, 300, "hook timeout 300s");
	ok(m->fragments.reload[SERVER_NGINX] == NULL, "no reload");
	is_int(m->challenge.type, CHALL_HTTP01, "default challenge http-01");
	is_str(m->challenge.webroot, "/etc/ck/www", "default webroot");
	is_int(m->ncerts, 1, "one certificate");
	is_str(m->certs[0].name, "a", "name");
	is_int(m->certs[0].key_type, KEY_EC_P256, "key type ec-p256");
	is_int(m->certs[0].reuse_key, 0, "reuse_key false");
	is_int(m->certs[0].challenge.type, CHALL_HTTP01, "cert http-01");
	is_str(m->certs[0].challenge.webroot, "/etc/ck/www",
	    "cert inherits webroot");
	is_str(m->certs[0].challenge.tsig_algorithm, "hmac-sha256",
	    "tsig algorithm default");
	is_int(m->certs[0].challenge.propagation_timeout, 120,
	    "propagation timeout 120s");
	ok(m->certs[0].deploy_hook == NULL, "no deploy hook");
	is_int(m->certs[0].nlisteners, 0, "no listeners");
	is_int(m->certs[0].pos.line, 4, "cert position line");
	is_int(m->certs[0].pos.col, 5, "cert position col");
	ok(manifest_find_cert(m, "a") == &m->certs[0], "find_cert a");
	ok(manifest_find_cert(m, "b") == NULL, "find_cert b: none");
	manifest_free(m);
	strlist_clear(&d);
}

static void
test_full(void)
{
	static const char text[] =
	    "version: 1\n"
	    "acme:\n"
	    "  directory: letsencrypt-staging\n"
	    "  contact: [Hostmaster@Example.com]\n"
	    "  terms_accepted: true\n"
	    "  ca_bundle: ca/bundle.pem\n"
	    "  account_key: rsa-3072\n"
	    "  eab: {kid: KID1, hmac_key_file: eab.key}\n"
	    "  profile: classic\n"
	    "  profile_optional: true\n"
	    "  caa_identities: [LetsEncrypt.org]\n"
	    "store: ../store\n"
	    "renew_before: 12h30m\n"
	    "domains: [Example.COM]\n"
	    "dns: {resolvers: [\"127.0.0.1:5353\", \"::1\"], timeout: 2s}\n"
	    "challenge:\n"
	    "  type: http-01\n"
	    "  http-01: {webroot: /var/www/acme}\n"
	    "  dns-01:\n"
	    "    propagation_timeout: 30s\n"
	    "    rfc2136: {server: \"ns1.example.com\", tsig_name: certkeep.,"
	    " tsig_algorithm: HMAC-SHA512, tsig_secret_file: tsig.key}\n"
	    "notify:\n"
	    "  smtp: smtp+starttls://mail.example.com:587\n"
	    "  from: certkeep@example.com\n"
	    "  contact: admin@example.com\n"
	    "  auth_file: smtp.auth\n"
	    "fragments:\n"
	    "  dir: /etc/certkeep/frag\n"
	    "  hook_timeout: 1m\n"
	    "  reload: {dovecot: [doveadm, reload]}\n"
	    "certificates:\n"
	    "  - name: webmail.example.com\n"
	    "    hostnames: [WebMail.Example.com, imap.example.com]\n"
	    "    addresses: [203.0.113.10, \"2001:DB8:0::1\"]\n"
	    "    key_type: rsa-2048\n"
	    "    reuse_key: true\n"
	    "    profile: shortlived\n"
	    "    deploy_hook: [systemctl, reload, axigen]\n"
	    "    listeners:\n"
	    "      - {server: axigen, service: webmail, address: \"0.0.0.0:443\"}\n"
	    "      - {server: axigen, service: webmail, address: \"*:80\","
	    " redirect_to_secure: true}\n"
	    "      - {server: dovecot, service: imap, address: \"[::]:993\"}\n"
	    "  - name: wild\n"
	    "    hostnames: [\"*.Example.com\"]\n"
	    "    challenge: {type: dns-01}\n"
	    "  - name: listen\n"
	    "    hostnames: [l.example.com]\n"
	    "    challenge: {http-01: {listen: \"[::1]:8080\"}}\n"
	    "  - name: ownns\n"
	    "    hostnames: [o.example.com]\n"
	    "    challenge:\n"
	    "      type: dns-01\n"
	    "      dns-01: {rfc2136: {server: \"[2001:db8::53]:5353\","
	    " tsig_name: other, tsig_secret_file: /k}}\n";
	struct strlist d;
	struct manifest *m;
	const struct mcert *c;

	strlist_init(&d);
	m = load(text, &d);
	ok(m != NULL, "full manifest loads");
	for (size_t i = 0; i < d.n; i++)
		printf("# diag: %s\n", d.v[i]);
	if (m == NULL) {
		strlist_clear(&d);
		return;
	}
	is_str(m->acme.directory, LE_STAGING_DIRECTORY_URL, "staging URL");
	is_str(m->acme.directory_alias, "letsencrypt-staging", "alias");
	is_str(m->acme.contact[0], "Hostmaster@Example.com", "contact");
	is_int(m->acme.terms_accepted, 1, "terms accepted");
	is_int(m->acme.terms_set, 1, "terms set");
	is_int(m->acme.terms_pos.line, 5, "terms_pos line");
	is_int(m->acme.terms_pos.col, 3, "terms_pos col");
	is_str(m->acme.ca_bundle, "/etc/ck/ca/bundle.pem", "ca_bundle");
	is_int(m->acme.account_key, KEY_RSA_3072, "account key");
	is_str(m->acme.eab_kid, "KID1", "eab kid");
	is_str(m->acme.eab_hmac_key_file, "/etc/ck/eab.key", "eab file");
	is_str(m->acme.profile, "classic", "profile");
	is_int(m->acme.profile_optional, 1, "profile optional");
	is_str(m->acme.caa_identities[0], "letsencrypt.org",
	    "caa identity lower-cased");
	is_str(m->store, "/etc/ck/../store", "store relative");
	ok(m->renew_before.set && !m->renew_before.is_percent &&
	    m->renew_before.seconds == 12 * 3600 + 1800, "renew 12h30m");
	is_str(m->domains[0], "example.com", "domain lower-cased");
	is_int(m->dns.nresolvers, 2, "two resolvers");
	is_int(m->dns.timeout_ms, 2000, "timeout 2s");
	is_str(m->challenge.rfc2136_server, "ns1.example.com:53",
	    "server port default 53");
	is_str(m->challenge.tsig_algorithm, "hmac-sha512",
	    "algorithm lower-cased");
	is_str(m->challenge.tsig_secret_file, "/etc/ck/tsig.key", "secret");
	is_int(m->challenge.propagation_timeout, 30, "propagation 30s");
	is_str(m->notify.smtp, "smtp+starttls://mail.example.com:587",
	    "smtp");
	is_str(m->notify.auth_file, "/etc/ck/smtp.auth", "auth_file");
	is_int(m->notify.enabled, 1, "notify on");
	is_str(m->fragments.dir, "/etc/certkeep/frag", "absolute kept");
	is_int(m->fragments.hook_timeout, 60, "hook timeout 1m");
	ok(m->fragments.reload[SERVER_DOVECOT] != NULL &&
	    strcmp(m->fragments.reload[SERVER_DOVECOT][1], "reload") == 0 &&
	    m->fragments.reload[SERVER_DOVECOT][2] == NULL, "reload argv");

	c = manifest_find_cert(m, "webmail.example.com");
	ok(c != NULL, "webmail cert");
	if (c != NULL) {
		is_str(c->hostnames[0], "webmail.example.com", "lower-cased");
		is_int(c->nhostnames, 2, "two hostnames");
		is_str(c->addresses[1], "2001:db8::1", "v6 canonical");
		is_int(c->naddresses, 2, "two addresses");
		is_int(c->key_type, KEY_RSA_2048, "rsa-2048");
		is_int(c->reuse_key, 1, "reuse_key");
		is_str(c->profile, "shortlived", "own profile");
		is_str(c->deploy_hook[2], "axigen", "deploy hook");
		is_int(c->nlisteners, 3, "three listeners");
		is_str(c->listeners[1].host, "*", "host *");
		is_int(c->listeners[1].port, 80, "port 80");
		is_int(c->listeners[1].redirect_to_secure, 1, "redirect");
		is_str(c->listeners[2].host, "::", "v6 host unbracketed");
		is_str(c->listeners[2].address, "[::]:993", "address as written");
		is_int(c->listeners[2].server, SERVER_DOVECOT, "dovecot");
		is_int(c->listeners[2].service, SERVICE_IMAP, "imap");
		is_int(c->listeners[2].pos.line, 42, "listener line");
	}
	c = manifest_find_cert(m, "wild");
	ok(c != NULL, "wildcard cert");
	if (c != NULL) {
		is_str(c->hostnames[0], "*.example.com", "wildcard lower");
		is_int(c->challenge.type, CHALL_DNS01, "override type dns-01");
		is_str(c->challenge.rfc2136_server, "ns1.example.com:53",
		    "dns fields from the default");
		is_str(c->challenge.tsig_algorithm, "hmac-sha512",
		    "algorithm from the default");
		is_str(c->profile, "classic", "acme.profile inherited");
		is_int(c->challenge_pos.line, 45, "challenge override pos");
	}
	c = manifest_find_cert(m, "listen");
	ok(c != NULL && c->challenge.type == CHALL_HTTP01 &&
	    c->challenge.webroot == NULL &&
	    strcmp(c->challenge.listen, "[::1]:8080") == 0,
	    "own http-01 block replaces the default webroot");
	c = manifest_find_cert(m, "ownns");
	ok(c != NULL && strcmp(c->challenge.rfc2136_server,
	    "[2001:db8::53]:5353") == 0 &&
	    strcmp(c->challenge.tsig_algorithm, "hmac-sha256") == 0 &&
	    c->challenge.propagation_timeout == 120,
	    "own dns-01 block: its fields, defaults for the rest");
	manifest_free(m);
	strlist_clear(&d);
}

static void
test_values(void)
{
	struct strlist d;
	struct manifest *m;
	char *s;

	strlist_init(&d);
	m = load("version: 1\nrenew_before: 33%\n" CERT_WEBROOT, &d);
	ok(m != NULL && m->renew_before.is_percent &&
	    m->renew_before.percent == 33, "33%%");
	manifest_free(m);
	m = load("version: 1\nrenew_before: 25d\n" CERT_WEBROOT, &d);
	ok(m != NULL && m->renew_before.seconds == 25 * 86400, "25d");
	manifest_free(m);
	m = load("version: 1\nrenew_before: 99%\n" CERT_WEBROOT, &d);
	ok(m != NULL && m->renew_before.percent == 99, "99%%");
	manifest_free(m);

	s = one_diag("version: 1\nrenew_before: 0%\n" CERT_WEBROOT);
	is_str(s, "t.yaml:2:15: renew_before: \"0%\": a percentage must be "
	    "1% .. 99%", "0%% refused");
	free(s);
	s = one_diag("version: 1\nrenew_before: 100%\n" CERT_WEBROOT);
	ok(strstr(s, "1% .. 99%") != NULL, "100%% refused");
	free(s);
	s = one_diag("version: 1\nrenew_before: 25\n" CERT_WEBROOT);
	ok(strstr(s, "needs a unit") != NULL, "bare number refused");
	free(s);
	s = one_diag("version: 1\nrenew_before: 3y\n" CERT_WEBROOT);
	ok(strstr(s, "not a duration") != NULL, "3y refused");
	free(s);
	s = one_diag("version: 1\ndns: {timeout: 0s}\n" CERT_WEBROOT);
	ok(strstr(s, "longer than zero") != NULL, "0s refused");
	free(s);
	s = one_diag("version: 1\nacme: {directory: http://x.example/d}\n"
	    CERT_WEBROOT);
	ok(strstr(s, "must be an https:// URL") != NULL, "http refused");
	free(s);
	s = one_diag("version: 1\nacme: {directory: \"https:///dir\"}\n"
	    CERT_WEBROOT);
	ok(strstr(s, "no host") != NULL, "https without host refused");
	free(s);
	m = load("version: 1\nacme: {directory: \"https://127.0.0.1:14000/dir\""
	    "}\n" CERT_WEBROOT, &d);
	ok(m != NULL && strcmp(m->acme.directory,
	    "https://127.0.0.1:14000/dir") == 0 &&
	    m->acme.directory_alias == NULL, "own https URL kept");
	manifest_free(m);
	s = one_diag("version: \"1\"\n" CERT_WEBROOT);
	ok(strstr(s, "version") != NULL, "quoted version refused");
	free(s);
	s = one_diag("version: 1\nacme: {terms_accepted: \"true\"}\n"
	    CERT_WEBROOT);
	ok(strstr(s, "expected true or false") != NULL,
	    "quoted bool refused");
	free(s);
	s = one_diag("version: 1\nacme: {terms_accepted: false}\n"
	    CERT_WEBROOT);
	is_str(s, "", "terms_accepted false loads");
	free(s);
	strlist_clear(&d);
}

static void
test_diagnostics(void)
{
	struct strlist d;
	struct manifest *m;
	char *big;

	strlist_init(&d);
	m = load("version: 1\nbogus: 1\nacme: {bogus: 2}\n" CERT_WEBROOT
	    "    bogus: 3\n", &d);
	ok(m == NULL, "unknown keys fail");
	is_int(d.n, 3, "three problems, all reported");
	if (d.n == 3) {
		ok(strncmp(d.v[0], "t.yaml:2:1: unknown key \"bogus\"", 31) ==
		    0, "first at 2:1");
		ok(strncmp(d.v[1], "t.yaml:3:8: acme: unknown key", 29) == 0,
		    "second at 3:8");
		ok(strncmp(d.v[2], "t.yaml:8:5: certificates[0]: unknown key",
		    40) == 0, "third at 8:5");
	}
	m = load("version: 1\nversion: 1\n" CERT_WEBROOT, &d);
	ok(m == NULL && d.n == 1 && strcmp(d.v[0], "t.yaml:2:1: version: "
	    "duplicate key (first at line 1)") == 0, "duplicate key");
	m = load("a: &x 1\n", &d);
	ok(m == NULL && d.n == 1 && strcmp(d.v[0], "t.yaml:1:4: YAML aliases "
	    "and anchors are not allowed") == 0, "anchor refused");
	m = load("", &d);
	ok(m == NULL && d.n == 1, "empty refused");
	big = xmalloc(MANIFEST_MAX_BYTES + 2);
	memset(big, '#', MANIFEST_MAX_BYTES + 1);
	big[MANIFEST_MAX_BYTES + 1] = '\0';
	strlist_clear(&d);
	strlist_init(&d);
	m = manifest_load_buf("big.yaml", "/", big, MANIFEST_MAX_BYTES + 1,
	    &d);
	ok(m == NULL && d.n == 1 && strstr(d.v[0], "larger than") != NULL,
	    "over the size limit refused before parsing");
	free(big);
	strlist_clear(&d);
	strlist_init(&d);
	m = manifest_load("/nonexistent/certkeep.yaml", &d);
	ok(m == NULL && d.n == 1 && strncmp(d.v[0],
	    "/nonexistent/certkeep.yaml: ", 28) == 0, "missing file");
	strlist_clear(&d);
}

static void
test_syntax(void)
{
	char l63[64], l64[65], n253[300], n254[300], *h = NULL;
	int port = 0;

	memset(l63, 'a', 63);
	l63[63] = '\0';
	memset(l64, 'a', 64);
	l64[64] = '\0';
	snprintf(n253, sizeof(n253), "%s.%s.%s.%.61s", l63, l63, l63, l63);
	snprintf(n254, sizeof(n254), "%s.%s.%s.%.62s", l63, l63, l63, l63);
	is_int(strlen(n253), 253, "253-char name built");
	{
		char tmp[300];

		snprintf(tmp, sizeof(tmp), "%s.example.com", l63);
		ok(hostname_valid(tmp, 0), "63-char label ok");
		snprintf(tmp, sizeof(tmp), "%s.example.com", l64);
		ok(!hostname_valid(tmp, 0), "64-char label refused");
	}
	ok(hostname_valid(n253, 0), "253 total ok");
	ok(!hostname_valid(n254, 0), "254 total refused");
	ok(hostname_valid("Mail.Example.COM", 0), "upper case accepted");
	ok(!hostname_valid("localhost", 0), "one label refused");
	ok(!hostname_valid("example.com.", 0), "trailing dot refused");
	ok(!hostname_valid("a..example.com", 0), "empty label refused");
	ok(!hostname_valid("-a.example.com", 0), "leading hyphen refused");
	ok(!hostname_valid("a-.example.com", 0), "trailing hyphen refused");
	ok(!hostname_valid("a_b.example.com", 0), "underscore refused");
	ok(!hostname_valid("1.2.3.4", 0), "IP address refused");
	ok(hostname_valid("*.example.com", 1), "wildcard ok");
	ok(!hostname_valid("*.example.com", 0), "wildcard where not allowed");
	ok(!hostname_valid("*.*.example.com", 1), "two wildcards refused");
	ok(!hostname_valid("a.*.example.com", 1), "inner * refused");
	ok(!hostname_valid("*a.example.com", 1), "partial * refused");
	ok(!hostname_valid("*.com", 1), "wildcard of a TLD refused");
	ok(!hostname_valid("*", 1), "bare * refused");
	ok(!hostname_valid("", 1), "empty refused");

	ok(safe_name_valid("webmail.example.com"), "safe name");
	ok(safe_name_valid("a_b-c.1"), "safe name chars");
	ok(!safe_name_valid(".."), "..");
	ok(!safe_name_valid("."), ".");
	ok(!safe_name_valid(".hidden"), ".hidden");
	ok(!safe_name_valid("a/b"), "a/b");
	ok(!safe_name_valid(""), "empty");
	ok(!safe_name_valid("-x"), "leading hyphen");
	ok(!safe_name_valid("a b"), "space");
	ok(safe_name_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaa"), "64 chars");
	ok(!safe_name_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaa"), "65 chars");

	ok(email_valid("admin@example.com"), "email");
	ok(email_valid("postmaster+Alerts@mail.example.com"), "plus tag");
	ok(!email_valid("admin"), "no @");
	ok(!email_valid("@example.com"), "no local part");
	ok(!email_valid("admin@"), "no domain");
	ok(!email_valid("admin@localhost"), "one-label domain");
	ok(!email_valid("a..b@example.com"), "double dot");
	ok(!email_valid("a b@example.com"), "space");

	ok(hostport_parse("0.0.0.0:443", -1, &h, &port) == 0 &&
	    strcmp(h, "0.0.0.0") == 0 && port == 443, "v4:port");
	free(h);
	h = NULL;
	ok(hostport_parse("[::]:993", -1, &h, &port) == 0 &&
	    strcmp(h, "::") == 0 && port == 993, "[v6]:port");
	free(h);
	h = NULL;
	ok(hostport_parse("[2001:db8::1]:65535", -1, &h, &port) == 0 &&
	    port == 65535, "port 65535");
	free(h);
	h = NULL;
	ok(hostport_parse("mail.example.com", 25, &h, &port) == 0 &&
	    port == 25, "default port");
	free(h);
	h = NULL;
	ok(hostport_parse("*:80", -1, &h, &port) == 0 && strcmp(h, "*") == 0,
	    "*:80");
	free(h);
	h = NULL;
	ok(hostport_parse("0.0.0.0:0", -1, &h, &port) == -1 && h == NULL,
	    "port 0 refused");
	ok(hostport_parse("0.0.0.0:65536", -1, &h, &port) == -1, "65536");
	ok(hostport_parse("0.0.0.0:99999", -1, &h, &port) == -1, "99999");
	ok(hostport_parse("0.0.0.0:44a", -1, &h, &port) == -1, "44a");
	ok(hostport_parse("0.0.0.0", -1, &h, &port) == -1, "port required");
	ok(hostport_parse("::1:443", -1, &h, &port) == -1, "unbracketed v6");
	ok(hostport_parse("::1", 53, &h, &port) == 0 && strcmp(h, "::1") == 0 &&
	    port == 53, "bare v6 with a default port");
	free(h);
	h = NULL;
	ok(hostport_parse("[::g]:443", -1, &h, &port) == -1, "bad v6");
	ok(hostport_parse("[::1]443", -1, &h, &port) == -1, "] without :");
	ok(hostport_parse("[::1:443", -1, &h, &port) == -1, "no ]");
	ok(hostport_parse(":443", -1, &h, &port) == -1, "no host");
	ok(hostport_parse("a_b:443", -1, &h, &port) == -1, "bad host");
	{
		char out[64];

		ok(ip_canonical("2001:DB8:0:0::1", out, sizeof(out)) == 6 &&
		    strcmp(out, "2001:db8::1") == 0, "v6 canonical");
		ok(ip_canonical("192.0.2.1", out, sizeof(out)) == 4, "v4");
		ok(ip_canonical("192.0.2.256", out, sizeof(out)) == -1,
		    "bad v4");
		ok(ip_canonical("[::1]", out, sizeof(out)) == -1,
		    "brackets are not an address");
	}
	is_int(key_type_from_name("rsa-4096"), KEY_RSA_4096, "key type");
	is_int(key_type_from_name("rsa-1024"), -1, "unknown key type");
	is_int(server_kind_from_name("haproxy"), SERVER_HAPROXY, "server");
	is_int(service_kind_from_name("pop3-proxy"), SERVICE_POP3_PROXY,
	    "service");
	is_int(chall_type_from_name("dns-01"), CHALL_DNS01, "challenge");
	is_int(chall_type_from_name("tls-alpn-01"), -1, "unknown challenge");
}

/* nginx/HAProxy services: https, http (always a redirect), webmail alias. */
static void
test_web_services(void)
{
	static const char text[] = "version: 1\n" CERT_WEBROOT
	    "    listeners:\n"
	    "      - {server: nginx, service: https, address: \"[::]:443\"}\n"
	    "      - {server: nginx, service: http, address: \"[::]:80\"}\n"
	    "      - {server: haproxy, service: webmail, address: \"0.0.0.0:443\"}\n"
	    "      - {server: haproxy, service: webmail, address: \"0.0.0.0:80\", "
	    "redirect_to_secure: true}\n"
	    "      - {server: axigen, service: webmail, address: \"0.0.0.0:444\"}\n"
	    "      - {server: dovecot, service: pop3, address: \"0.0.0.0:995\"}\n"
	    "      - {server: postfix, service: smtp-in, address: \"0.0.0.0:25\"}\n";
	struct strlist d;
	struct manifest *m;
	const struct mlistener *l;
	char *msg;

	strlist_init(&d);
	m = load(text, &d);
	ok(m != NULL && d.n == 0, "natural service names load");
	if (m != NULL && m->certs[0].nlisteners == 7) {
		l = m->certs[0].listeners;
		ok(l[0].service == SERVICE_HTTPS && !l[0].redirect_to_secure,
		    "nginx https");
		ok(l[1].service == SERVICE_HTTP && l[1].redirect_to_secure,
		    "nginx http redirects without saying so");
		ok(l[2].service == SERVICE_HTTPS, "haproxy webmail is https");
		ok(l[3].service == SERVICE_HTTP && l[3].redirect_to_secure,
		    "haproxy webmail with a redirect is http");
		ok(l[4].service == SERVICE_WEBMAIL, "axigen webmail stays");
	} else
		ok(0, "seven listeners");
	manifest_free(m);
	strlist_clear(&d);
	msg = one_diag("version: 1\n" CERT_WEBROOT "    listeners:\n"
	    "      - {server: axigen, service: http, address: \"0.0.0.0:80\"}\n");
	is_str(msg, "t.yaml:7:35: certificates[0].listeners[0].service: "
	    "\"http\" is not a service of axigen (webmail, imap, pop3, "
	    "smtp-in, webmail-proxy, imap-proxy, pop3-proxy, webadmin)",
	    "http is no Axigen service, with its place");
	free(msg);
	ok(service_kind_fits(SERVER_NGINX, SERVICE_HTTPS) &&
	    !service_kind_fits(SERVER_NGINX, SERVICE_IMAP) &&
	    service_kind_fits(SERVER_AXIGEN, SERVICE_WEBADMIN) &&
	    !service_kind_fits(SERVER_DOVECOT, SERVICE_SMTP_IN),
	    "service_kind_fits");
}

int
main(void)
{
	test_defaults();
	test_full();
	test_values();
	test_diagnostics();
	test_syntax();
	test_web_services();
	return tap_done();
}
