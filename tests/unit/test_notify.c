/*
 * Unit tests for notify.c (recipients, headers, body), mail.c (the SMTP
 * transport, against a real aiosmtpd server on a loopback port started
 * here: tests/lib/smtpd.py) and log.c (the daily check lines, JSON).
 * Runs from the source tree root (tests/run.sh does).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/str.h"
#include "base/time.h"
#include "checks/check.h"
#include "deploy/hook.h"
#include "deploy/mail.h"
#include "deploy/notify.h"
#include "manifest/manifest.h"
#include "reconcile/plan.h"
#include "store/certinfo.h"
#include "store/state.h"
#include "store/store.h"
#include "net.h"
#include "tap.h"

/* notify_event() fails and its message says why. */
static int
notify_refused(const struct manifest *m, const struct mcert *c,
    enum notify_event ev, const struct notify_info *ni, const struct log *lg,
    struct err *e, const char *why)
{
	return notify_event(m, c, ev, ni, lg, e) == -1 &&
	    strstr(e->msg, why) != NULL;
}

/* Writes text to the auth file path (mode mode) and points m at it. */
static void
auth_set(struct manifest *m, char *path, const char *text, mode_t mode)
{
	struct err e;

	file_write_atomic(path, text, strlen(text), mode, &e);
	m->notify.auth_file = path;
}

/* Points m at the SMTP server on 127.0.0.1:port, by scheme. */
static void
smtp_set(struct manifest *m, const char *scheme, int port)
{
	free(m->notify.smtp);
	m->notify.smtp = xasprintf("%s://127.0.0.1:%d", scheme, port);
}

static int
port_open(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return r == 0;
}

/* Starts tests/lib/smtpd.py; returns its pid (0 on failure). */
static pid_t
smtpd_start(int port, const char *out, const char *x1, const char *x2,
    const char *x3, const char *x4, const char *x5, const char *x6)
{
	char ps[16];
	pid_t pid;
	int i;

	snprintf(ps, sizeof(ps), "%d", port);
	if ((pid = fork()) == 0) {
		char *argv[] = { "/usr/bin/python3", "tests/lib/smtpd.py",
		    "--port", ps, "--out", (char *)out, (char *)x1,
		    (char *)x2, (char *)x3, (char *)x4, (char *)x5,
		    (char *)x6, NULL };
		execv(argv[0], argv);
		_exit(127);
	}
	for (i = 0; i < 200 && !port_open(port); i++)
		usleep(50000);
	return port_open(port) ? pid : 0;
}

static void
smtpd_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

static char *
slurp(const char *dir, const char *name)
{
	char *p = path_join(dir, name), *d;
	struct err e;

	d = file_read(p, 1 << 20, NULL, &e);
	free(p);
	return d;
}

/* Whether every line ends in CRLF and none is longer than 998 octets. */
static int
crlf_clean(const char *s)
{
	const char *p, *ls = s;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\n') {
			if (p == s || p[-1] != '\r' || p - ls > 999)
				return 0;
			ls = p + 1;
		}
	}
	return 1;
}

/* The header block's value of name ("To"), unfolded; malloced or NULL. */
static char *
header(const char *msg, const char *name)
{
	const char *p = msg, *end;
	size_t nl = strlen(name);
	struct buf b;

	while (*p != '\0' && strncmp(p, "\r\n", 2) != 0) {
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			buf_init(&b);
			p += nl + 1;
			while (*p == ' ')
				p++;
			for (;;) {
				end = strstr(p, "\r\n");
				buf_append(&b, p, (size_t)(end - p));
				p = end + 2;
				if (*p != ' ' && *p != '\t')
					break;
			}
			return buf_steal(&b);
		}
		p = strstr(p, "\r\n") + 2;
	}
	return NULL;
}

/* A test: msg (may be NULL) has header name with the value want. */
static void
is_header(const char *msg, const char *name, const char *want,
    const char *desc)
{
	char *h = msg != NULL ? header(msg, name) : NULL;

	is_str(h, want, "%s", desc);
	free(h);
}

/* A test: hay (may be NULL) holds needle. */
static void
has(const char *hay, const char *needle, const char *desc)
{
	ok(hay != NULL && strstr(hay, needle) != NULL, "%s", desc);
}

/* Closes the log stream lf, frees what it held and points lg (text or
 * JSON lines) at a new one in memory, which it returns. */
static FILE *
log_restart(struct log *lg, FILE *lf, char **buf, size_t *len, int json)
{
	fclose(lf);
	free(*buf);
	*buf = NULL;
	lf = open_memstream(buf, len);
	lg->json = json;
	lg->fp = lf;
	return lf;
}

int
main(void)
{
	char *hn1[] = { "webmail.example.com", "mail.example.org",
	    "other.net", NULL };
	char *hn2[] = { "host.unmanaged.net", NULL };
	char *hn3[] = { "a.example.com", "b.example.com", NULL };
	char *hn4[] = { "webmail.mail.example.com", NULL };
	char *doms[] = { "example.com", "example.org", "mail.example.com",
	    NULL };
	struct mlistener ls[2];
	struct mcert c1, c2, c3, c4;
	struct manifest m;
	struct strlist r;
	struct notify_info ni;
	struct err e;
	struct log lg;
	char dir[] = "/tmp/certkeep-notify.XXXXXX", *msg, *h, *d, *p, *out;
	char *path, *logbuf = NULL, *cmd, *tlscert, *tlskey, *path_join_tmp;
	size_t len, loglen = 0;
	time_t now = 1800000000;	/* 2027-01-15T08:00:00Z */
	int port;
	pid_t pid;
	FILE *lf;

	memset(&m, 0, sizeof(m));
	m.path = "/etc/certkeep/certkeep.yaml";
	m.domains = doms;
	m.ndomains = 3;
	m.notify.enabled = 1;
	m.notify.from = "certkeep@example.com";
	m.notify.contact = "admin@example.net";
	memset(ls, 0, sizeof(ls));
	ls[0].server = SERVER_AXIGEN;
	ls[0].service = SERVICE_WEBMAIL;
	ls[0].address = "0.0.0.0:443";
	ls[1].server = SERVER_DOVECOT;
	ls[1].service = SERVICE_IMAP;
	ls[1].address = "0.0.0.0:993";
	memset(&c1, 0, sizeof(c1));
	c1.name = "webmail.example.com";
	c1.hostnames = hn1;
	c1.nhostnames = 3;
	c1.listeners = ls;
	c1.nlisteners = 2;
	c2 = c1;
	c2.name = "unmanaged";
	c2.hostnames = hn2;
	c2.nhostnames = 1;
	c3 = c1;
	c3.hostnames = hn3;
	c3.nhostnames = 2;
	c4 = c1;
	c4.hostnames = hn4;
	c4.nhostnames = 1;

	/* Recipients. */
	strlist_init(&r);
	is_int(notify_recipients(&m, &c1, &r), 3, "c1: three recipients");
	is_str(r.v[0], "postmaster+Alerts@example.com",
	    "webmail.example.com -> example.com postmaster");
	is_str(r.v[1], "postmaster+Alerts@example.org",
	    "mail.example.org -> example.org postmaster");
	is_str(r.v[2], "admin@example.net", "contact always, last");
	strlist_clear(&r);
	strlist_init(&r);
	is_int(notify_recipients(&m, &c2, &r), 1,
	    "no managed domain: one recipient");
	is_str(r.v[0], "admin@example.net", "no managed domain: contact only");
	strlist_clear(&r);
	strlist_init(&r);
	is_int(notify_recipients(&m, &c3, &r), 2, "same domain twice: deduped");
	strlist_clear(&r);
	strlist_init(&r);
	notify_recipients(&m, &c4, &r);
	is_str(r.v[0], "postmaster+Alerts@mail.example.com",
	    "the first (closest) managed suffix wins");
	is_int(r.n, 2, "only the first managed suffix gets a postmaster");
	strlist_clear(&r);
	m.notify.contact = "POSTMASTER+Alerts@example.com";
	strlist_init(&r);
	notify_recipients(&m, &c3, &r);
	is_int(r.n, 1, "contact equal to a postmaster address: deduped");
	strlist_clear(&r);
	m.notify.contact = "admin@example.net";

	/* Composition: renewed. */
	memset(&ni, 0, sizeof(ni));
	ni.now = now;
	ni.not_after = now + 90 * 86400;
	ni.old_not_after = now + 10 * 86400;
	ni.serial = "04A1B2";
	ni.reason = "expires in 10 days, inside the 25d window";
	ni.host = "mx1.example.com";
	strlist_init(&r);
	notify_recipients(&m, &c1, &r);
	msg = notify_compose(&m, &c1, NOTIFY_RENEWED, &ni, r.v, &len, &e);
	ok(msg != NULL && len == strlen(msg), "renewed message composed");
	ok(crlf_clean(msg), "CRLF line ends, lines <= 998 octets");
	is_header(msg, "Date", "Fri, 15 Jan 2027 08:00:00 +0000",
	    "Date is RFC 5322");
	is_header(msg, "From", "certkeep <certkeep@example.com>", "From");
	is_header(msg, "To", "postmaster+Alerts@example.com, "
	    "postmaster+Alerts@example.org, admin@example.net",
	    "To lists the recipients");
	is_header(msg, "Subject",
	    "[certkeep] Certificate renewed: webmail.example.com",
	    "Subject names event and certificate");
	h = header(msg, "Message-ID");
	ok(h != NULL && h[0] == '<' && str_endswith(h, "@example.com>"),
	    "Message-ID <...@from-domain>: %s", h ? h : "");
	free(h);
	is_header(msg, "MIME-Version", "1.0", "MIME-Version");
	is_header(msg, "Content-Type", "text/plain; charset=utf-8",
	    "Content-Type");
	p = strstr(msg, "\r\n\r\n");
	has(p, "renewed the certificate \"webmail.example.com\"",
	    "body: what happened");
	has(p, "webmail.example.com, mail.example.org, other.net",
	    "body: every hostname");
	has(p, "2027-04-15 08:00 UTC (90 days from now)", "body: new expiry");
	has(p, "2027-01-25 08:00 UTC", "body: previous expiry");
	ok(p != NULL && strstr(p, "axigen webmail 0.0.0.0:443") != NULL &&
	    strstr(p, "dovecot imap 0.0.0.0:993") != NULL,
	    "body: listeners affected");
	has(p, "inside the 25d window", "body: reason");
	free(msg);

	/* Failure: the CA's problem (hostile text escaped) and advice. */
	memset(&ni, 0, sizeof(ni));
	ni.now = now;
	ni.renewal = 1;
	ni.not_after = now + 5 * 86400;
	ni.stage = "finalize";
	ni.problem_type = "urn:ietf:params:acme:error:caa";
	ni.problem = "CAA record for example.com prevents issuance\r\n"
	    "Bcc: evil@example.net\x1b[31m";
	msg = notify_compose(&m, &c1, NOTIFY_FAILED, &ni, r.v, &len, &e);
	ok(msg != NULL && crlf_clean(msg), "failure message composed, clean");
	is_header(msg, "Subject", "[certkeep] FAILED to renew certificate: "
	    "webmail.example.com", "failure Subject");
	ok(header(msg, "Bcc") == NULL && strstr(msg, "\r\nBcc:") == NULL,
	    "server text cannot inject a header or a line");
	ok(strstr(msg, "issuance\\r\\nBcc:") != NULL &&
	    strstr(msg, "\\x1b[31m") != NULL, "server text escaped in the body");
	has(msg, "urn:ietf:params:acme:error:caa", "body: error type");
	has(msg, "letsencrypt.org", "body: what to do next (CAA advice)");
	has(msg, "2027-01-20 08:00 UTC (5 days from now)",
	    "body: current expiry");
	has(msg, "certkeep apply webmail.example.com",
	    "body: the command to run");
	free(msg);

	/* A very long single word is cut below 998 octets. */
	d = xmalloc(5000);
	memset(d, 'x', 4999);
	d[4999] = '\0';
	ni.problem = d;
	msg = notify_compose(&m, &c1, NOTIFY_FAILED, &ni, r.v, &len, &e);
	ok(msg != NULL && crlf_clean(msg), "5000-octet word wrapped");
	free(msg);
	free(d);

	/* Preflight failure, first issue. */
	memset(&ni, 0, sizeof(ni));
	ni.now = now;
	ni.stage = "preflight";
	ni.problem_type = "aaaa";
	ni.problem = "webmail.example.com AAAA 2001:db8::1 not in addresses";
	msg = notify_compose(&m, &c2, NOTIFY_FAILED, &ni, r.v, &len, &e);
	is_header(msg, "Subject",
	    "[certkeep] FAILED to issue certificate: unmanaged",
	    "preflight failure Subject");
	ok(strstr(msg, "What the check found:") != NULL &&
	    strstr(msg, "AAAA 2001:db8::1") != NULL, "check message in body");
	has(msg, "a wrong AAAA breaks http-01",
	    "AAAA advice for a failed aaaa check");
	has(msg, "no certificate in place yet", "no current certificate said");
	free(msg);

	/* Expiring soon. */
	memset(&ni, 0, sizeof(ni));
	ni.now = now;
	ni.not_after = now + 3 * 86400 + 60;
	msg = notify_compose(&m, &c1, NOTIFY_EXPIRING, &ni, r.v, &len, &e);
	is_header(msg, "Subject", "[certkeep] Certificate expiring in 3 days, "
	    "not renewed: webmail.example.com", "expiring-soon Subject");
	free(msg);
	strlist_clear(&r);

	is_str(notify_advice("check:caa", "preflight"),
	    notify_advice("caa", NULL), "state's check:NAME form has advice");
	ok(notify_expiring_due(0, now), "expiring: first notice due");
	ok(!notify_expiring_due(now - 3600, now), "expiring: not twice in an "
	    "hour");
	ok(!notify_expiring_due(now - 6 * 3600, now), "expiring: not 6h later "
	    "on the same day");
	ok(notify_expiring_due(now - 86400, now), "expiring: a day later");
	ok(notify_expiring_due(now - 23 * 3600 - 50 * 60, now),
	    "expiring: daily timer 10 minutes early still sends");
	ok(!notify_expiring_due(now - 11 * 3600, now),
	    "expiring: the day before but only 11 hours ago: not yet");
	ok(notify_expiring_due(now - 13 * 3600, now),
	    "expiring: the day before and 13 hours ago: due");
	ok(!notify_expiring_due(now - 30, now), "expiring: same day twice no");

	m.notify.enabled = 0;
	ok(notify_compose(&m, &c1, NOTIFY_ISSUED, &ni, NULL, &len, &e) ==
	    NULL, "no notify block: nothing composed");
	ok(notify_event(&m, &c1, NOTIFY_ISSUED, &ni, NULL, &e) == 0,
	    "no notify block: notify_event is a no-op");
	m.notify.enabled = 1;

	/* The transport, against a real SMTP server. */
	if (mkdtemp(dir) == NULL)
		return 1;
	out = path_join(dir, "mail");
	port = port_free();
	pid = smtpd_start(port, out, NULL, NULL, NULL, NULL, NULL, NULL);
	ok(pid > 0, "aiosmtpd started on 127.0.0.1:%d", port);
	m.notify.smtp = xasprintf("smtp://127.0.0.1:%d", port);
	lf = open_memstream(&logbuf, &loglen);
	lg.level = LOG_INFO;
	lg.json = 1;
	lg.fp = lf;
	lg.progress = NULL;
	memset(&ni, 0, sizeof(ni));
	ni.not_after = now_wall() + 90 * 86400;
	ok(notify_event(&m, &c1, NOTIFY_ISSUED, &ni, &lg, &e) == 0,
	    "notify_event sent: %s", e.msg);
	fflush(lf);
	d = slurp(out, "0001.json");
	has(d, "\"mail_from\": \"certkeep@example.com\"", "envelope sender");
	has(d, "\"postmaster+Alerts@example.com\", "
	    "\"postmaster+Alerts@example.org\", \"admin@example.net\"",
	    "envelope recipients");
	{
		char hn[256], *want;

		gethostname(hn, sizeof(hn));
		hn[sizeof(hn) - 1] = '\0';
		want = xasprintf("\"helo\": \"%s\"", hn);
		ok(d != NULL && strstr(d, want) != NULL,
		    "EHLO with this machine's name (%s)", hn);
		free(want);
	}
	free(d);
	d = slurp(out, "0001.eml");
	is_header(d, "Subject",
	    "[certkeep] Certificate issued: webmail.example.com",
	    "server received the issued message");
	free(d);
	ok(logbuf != NULL && strstr(logbuf, "\"event\":\"notify\"") != NULL &&
	    strstr(logbuf, "\"level\":\"info\"") != NULL,
	    "sending logged as JSON event notify");

	/* apply's helpers: expiring-soon once a day, preflight failure. */
	{
		struct certinfo ci;
		struct certstate cs;
		struct check_results cr;
		struct plan_item it;
		time_t t = now_wall();
		struct plan_opts po = { .now = t };

		memset(&ci, 0, sizeof(ci));
		ci.status = CERTINFO_OK;
		ci.not_before = t - 80 * 86400;
		ci.not_after = t + 10 * 86400;
		ci.serial = xstrdup("0ABC");
		certstate_init(&cs);
		/* The notice follows the renewal decision. */
		plan_decide(&m, &c1, &ci, &cs, &po, &it);
		is_int(notify_expiring_maybe(&m, &c1,
		    plan_item_in_window(&it, t), &it.info, &cs, t, &lg), 1,
		    "inside the window: expiring-soon sent");
		ok(cs.last_expiring_notice == t, "and recorded in the state");
		is_int(notify_expiring_maybe(&m, &c1,
		    plan_item_in_window(&it, t + 3600), &it.info, &cs, t + 3600,
		    &lg),
		    0, "an hour later: not again");
		is_int(notify_expiring_maybe(&m, &c1,
		    plan_item_in_window(&it, t + 86400), &it.info, &cs,
		    t + 86400, &lg),
		    1, "a day later: again");
		it.info.not_after = t + 60 * 86400;
		plan_redecide(&m, &cs, &po, &it);
		cs.last_expiring_notice = 0;
		is_int(notify_expiring_maybe(&m, &c1,
		    plan_item_in_window(&it, t), &it.info, &cs, t, &lg), 0,
		    "outside the window: nothing");
		d = slurp(out, "0002.eml");
		h = d != NULL ? header(d, "Subject") : NULL;
		ok(h != NULL && strstr(h, "expiring in 10 days") != NULL,
		    "expiring-soon received: %s", h ? h : "");
		free(h);
		free(d);
		check_results_init(&cr);
		check_results_add(&cr, "a", "webmail.example.com", CHECK_PASS,
		    "ok");
		check_results_add(&cr, "caa", "webmail.example.com",
		    CHECK_FAIL, "CAA example.com 0 issue \"ca.example\" "
		    "does not permit letsencrypt.org");
		is_int(notify_preflight_failed(&m, &c1, &cr, &it.info, 1, &lg),
		    0,
		    "preflight failure sent");
		check_results_clear(&cr);
		d = slurp(out, "0004.eml");
		ok(d != NULL && strstr(d, "caa webmail.example.com: CAA "
		    "example.com") != NULL && strstr(d, "What the check "
		    "found:") != NULL && strstr(d, "letsencrypt.org\"") !=
		    NULL, "preflight message: the check, and CAA advice");
		is_header(d, "Subject", "[certkeep] FAILED to renew "
		    "certificate: webmail.example.com",
		    "preflight failure Subject");
		free(d);
		plan_item_clear(&it);
		certstate_clear(&cs);
	}

	/* The notify step after the hooks: one mail per certificate whose
	   hook failed, saying why and where the new certificate is. */
	{
		struct hook_report hr;
		struct mcert certs[2];
		struct store *st;
		char *root = path_join(dir, "store"), *live;

		memcpy(&certs[0], &c1, sizeof(c1));
		memcpy(&certs[1], &c2, sizeof(c2));
		m.certs = certs;
		m.ncerts = 2;
		st = store_open(root, 1, &e);
		ok(st != NULL, "a store for the paths: %s", e.msg);
		hook_report_init(&hr);
		hr.ncerts = 2;
		hr.cert_failed = xcalloc(2, 1);
		hr.cert_why = xcalloc(2, sizeof(*hr.cert_why));
		hr.cert_failed[1] = 1;
		hr.cert_why[1] = xstrdup("deploy_hook mail.example.org: exit "
		    "status 4");
		notify_hooks_failed(&m, st, &hr, &lg);
		d = slurp(out, "0005.eml");
		live = store_live_path(st, c2.name, STORE_CERT);
		is_header(d, "Subject", "[certkeep] FAILED to renew "
		    "certificate: unmanaged", "hook failure: the "
		    "certificate whose hook failed");
		ok(d != NULL && strstr(d, "exit status 4") != NULL &&
		    strstr(d, "deploy") != NULL && strstr(d, "a hook after "
		    "it failed") != NULL && strstr(d, live) != NULL,
		    "  why, the stage, the advice and the live path");
		free(d);
		ok(access(path_join_tmp = path_join(out, "0006.eml"), F_OK) !=
		    0, "  and no mail for the one whose hooks ran");
		free(path_join_tmp);
		hook_report_clear(&hr);
		store_free(st);
		m.certs = NULL;
		m.ncerts = 0;
		free(live);
		free(root);
	}

	/* Auth file with the wrong mode is refused, before connecting. */
	path = path_join(dir, "auth");
	auth_set(&m, path, "user\nsecret\n", 0644);
	smtp_set(&m, "smtp+starttls", port);
	ok(notify_refused(&m, &c1, NOTIFY_ISSUED, &ni, &lg, &e, "chmod 600"),
	    "group-readable auth file refused: %s", e.msg);
	fflush(lf);
	ok(strstr(logbuf, "\"level\":\"warning\"") != NULL &&
	    strstr(logbuf, "not sent") != NULL, "failure logged as warning");
	ok(strstr(logbuf, "secret") == NULL, "password never logged");
	m.notify.auth_file = NULL;
	smtpd_stop(pid);

	/* AUTH over smtp:// (STARTTLS only when offered) is refused before
	   connecting: a man in the middle who strips STARTTLS would read the
	   password. */
	port = port_free();
	free(out);
	out = path_join(dir, "mail2");
	pid = smtpd_start(port, out, "--auth", "user:s3cret", NULL, NULL,
	    NULL, NULL);
	smtp_set(&m, "smtp", port);
	auth_set(&m, path, "user\ns3cret\n", 0600);
	ok(notify_refused(&m, &c2, NOTIFY_RENEWED, &ni, &lg, &e, "in clear"),
	    "smtp:// with an auth file: refused (%s)", e.msg);
	ok(access(path_join_tmp = path_join(out, "0001.json"), F_OK) != 0,
	    "nothing sent in clear");
	free(path_join_tmp);
	m.notify.auth_file = NULL;

	/* STARTTLS required, not offered. */
	smtp_set(&m, "smtp+starttls", port);
	ok(notify_refused(&m, &c2, NOTIFY_RENEWED, &ni, &lg, &e, "STARTTLS"),
	    "smtp+starttls:// without STARTTLS refused: %s", e.msg);
	smtpd_stop(pid);

	/* TLS: a self-signed certificate for 127.0.0.1 as the trust. */
	cmd = xasprintf("cd %s && openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:P-256 -nodes -keyout tls.key -out tls.pem "
	    "-subj /CN=127.0.0.1 -days 2 -addext "
	    "subjectAltName=IP:127.0.0.1 2>/dev/null", dir);
	ok(system(cmd) == 0, "test TLS certificate made");
	free(cmd);
	tlscert = path_join(dir, "tls.pem");
	tlskey = path_join(dir, "tls.key");
	/* Authenticated, over STARTTLS (required). */
	port = port_free();
	free(out);
	out = path_join(dir, "mail2tls");
	pid = smtpd_start(port, out, "--auth", "user:s3cret", "--tls-cert",
	    tlscert, "--tls-key", tlskey);
	smtp_set(&m, "smtp+starttls", port);
	m.acme.ca_bundle = tlscert;
	auth_set(&m, path, "user\ns3cret\n", 0600);
	ok(notify_event(&m, &c2, NOTIFY_RENEWED, &ni, &lg, &e) == 0,
	    "sent with AUTH from the auth file over STARTTLS: %s", e.msg);
	d = slurp(out, "0001.json");
	ok(d != NULL && strstr(d, "\"auth_user\": \"user\"") != NULL &&
	    strstr(d, "\"tls\": true") != NULL &&
	    strstr(d, "[\"admin@example.net\"]") != NULL,
	    "authenticated as user over TLS; only the contact for an "
	    "unmanaged name");
	free(d);
	file_write_atomic(path, "user\nwrong\n", 11, 0600, &e);
	ok(notify_event(&m, &c2, NOTIFY_RENEWED, &ni, &lg, &e) == -1,
	    "wrong password: not sent (%s)", e.msg);
	m.notify.auth_file = NULL;
	m.acme.ca_bundle = NULL;
	smtpd_stop(pid);

	free(out);
	out = path_join(dir, "mail3");
	port = port_free();
	pid = smtpd_start(port, out, "--tls-cert", tlscert, "--tls-key", tlskey,
	    NULL, NULL);
	smtp_set(&m, "smtp+starttls", port);
	m.acme.ca_bundle = tlscert;
	ok(notify_event(&m, &c2, NOTIFY_RENEWED, &ni, &lg, &e) == 0,
	    "smtp+starttls:// with a trusted certificate: sent (%s)", e.msg);
	d = slurp(out, "0001.json");
	has(d, "\"tls\": true", "the message went over TLS");
	free(d);
	m.acme.ca_bundle = NULL;
	smtp_set(&m, "smtp", port);
	ok(notify_event(&m, &c2, NOTIFY_RENEWED, &ni, &lg, &e) == -1,
	    "smtp:// offered STARTTLS with an untrusted certificate: "
	    "refused, no fallback to plain text (%s)", e.msg);
	ok(access(path_join_tmp = path_join(out, "0002.eml"), F_OK) != 0,
	    "nothing delivered without verification");
	free(path_join_tmp);
	smtpd_stop(pid);
	port = port_free();
	pid = smtpd_start(port, out, "--tls-cert", tlscert, "--tls-key", tlskey,
	    "--implicit-tls", NULL);
	smtp_set(&m, "smtps", port);
	m.acme.ca_bundle = tlscert;
	ok(notify_event(&m, &c2, NOTIFY_RENEWED, &ni, &lg, &e) == 0,
	    "smtps:// implicit TLS: sent (%s)", e.msg);
	m.acme.ca_bundle = NULL;
	smtpd_stop(pid);
	free(tlscert);
	free(tlskey);

	/* Server down. */
	smtp_set(&m, "smtp", port);
	ok(notify_refused(&m, &c2, NOTIFY_RENEWED, &ni, &lg, &e, m.notify.smtp),
	    "server down: error names the URL: %s", e.msg);
	ok(mail_url_parse("http://x", &(enum mail_tls){0}, &e) == NULL,
	    "http:// refused as notify.smtp");
	free(m.notify.smtp);

	/* Log lines. */
	lf = log_restart(&lg, lf, &logbuf, &loglen, 0);
	log_cert_expiry(&lg, LOG_INFO, "webmail.example.com", 1803290400,
	    1803290400 - 54 * 86400 - 3600, 86400);
	log_cert_window(&lg, LOG_INFO, "webmail.example.com", "expires in 10 days");
	log_info(&lg, "server said: evil\nforged line");
	log_info(&lg, "-----BEGIN PRIVATE KEY-----\nMIIB");
	fflush(lf);
	has(logbuf, "certkeep: certificate webmail.example.com expires "
	    "2027-02-22, 54 days left, next check in 1d\n", "daily check line");
	has(logbuf, "renewal window reached for webmail.example.com: "
	    "expires in 10 days\n", "window line");
	has(logbuf, "evil\\nforged line",
	    "text log: newline in a message escaped");
	ok(strstr(logbuf, "MIIB") == NULL && strstr(logbuf, "withheld") !=
	    NULL, "a key is never logged");
	lf = log_restart(&lg, lf, &logbuf, &loglen, 1);
	log_cert_expiry(&lg, LOG_INFO, "webmail.example.com", 1803290400,
	    1803290400 - 54 * 86400 - 3600, 86400);
	fclose(lf);
	{
		cJSON *j = cJSON_Parse(logbuf), *it;

		ok(j != NULL, "JSON log line parses");
		it = cJSON_GetObjectItem(j, "days_left");
		ok(it != NULL && it->valuedouble == 54, "JSON days_left");
		it = cJSON_GetObjectItem(j, "not_after");
		ok(it != NULL && strcmp(it->valuestring,
		    "2027-02-22T10:00:00Z") == 0, "JSON not_after");
		it = cJSON_GetObjectItem(j, "event");
		ok(it != NULL && strcmp(it->valuestring, "check") == 0,
		    "JSON event");
		it = cJSON_GetObjectItem(j, "certificate");
		ok(it != NULL, "JSON certificate");
		cJSON_Delete(j);
	}
	free(logbuf);

	free(path);
	free(out);
	rm_rf(dir, &e);
	return tap_done();
}
