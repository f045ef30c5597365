/*
 * notify.c - e-mail notifications (see notify.h): recipients, the
 * message, and the events of apply's notify step.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "acme/acme.h"
#include "acme/cabundle.h"
#include "base/buf.h"
#include "base/encode.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/rand.h"
#include "base/str.h"
#include "base/time.h"
#include "base/version.h"
#include "checks/check.h"
#include "deploy/hook.h"
#include "deploy/mail.h"
#include "deploy/notify.h"
#include "manifest/manifest.h"
#include "store/certinfo.h"
#include "store/state.h"
#include "store/store.h"

static const char *const notify_event_names[NOTIFY__MAX] = {
	"issued", "renewed", "failed", "expiring-soon",
};

/* Body lines are wrapped here; RFC 5322 allows 998 octets at most. */
#define NOTIFY_WRAP	72
#define NOTIFY_HARD	900

/* Adds s unless already there (case-insensitive). Returns 1 if added. */
static int
notify_add_unique(struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return 0;
	strlist_add(l, s);
	return 1;
}

static int
notify_is_managed(const struct manifest *m, const char *dom)
{
	size_t i;

	for (i = 0; i < m->ndomains; i++)
		if (strcasecmp(m->domains[i], dom) == 0)
			return 1;
	return 0;
}

size_t
notify_recipients(const struct manifest *m, const struct mcert *c,
    struct strlist *out)
{
	const char *h, *p;
	char *addr;
	size_t i, n = 0;

	for (i = 0; i < c->nhostnames; i++) {
		h = c->hostnames[i];
		if (strncmp(h, "*.", 2) == 0)
			h += 2;
		/* webmail.example.com, example.com, com: first managed. */
		for (p = h; p != NULL && *p != '\0';
		    p = strchr(p, '.') != NULL ? strchr(p, '.') + 1 : NULL) {
			if (!notify_is_managed(m, p))
				continue;
			addr = xasprintf("postmaster+Alerts@%s", p);
			n += (size_t)notify_add_unique(out, addr);
			free(addr);
			break;
		}
	}
	if (m->notify.contact != NULL && *m->notify.contact != '\0')
		n += (size_t)notify_add_unique(out, m->notify.contact);
	return n;
}

/* RFC 5322 date-time in UTC, independent of the locale. */
static void
notify_date(time_t t, char *out, size_t outsz)
{
	static const char *const wd[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
	};
	static const char *const mo[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
		"Sep", "Oct", "Nov", "Dec",
	};
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(out, outsz, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    wd[tm.tm_wday % 7], tm.tm_mday, mo[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Appends text wrapped at NOTIFY_WRAP columns, each line after indent. */
static void
notify_wrap(struct buf *b, const char *indent, const char *text)
{
	const char *p = text, *sp, *end;
	size_t col, ilen = strlen(indent), wlen;

	while (*p == ' ')
		p++;
	buf_puts(b, indent);
	col = ilen;
	while (*p != '\0') {
		end = p;
		while (*end != '\0' && *end != ' ')
			end++;
		wlen = (size_t)(end - p);
		if (col > ilen && col + 1 + wlen > NOTIFY_WRAP) {
			buf_puts(b, "\r\n");
			buf_puts(b, indent);
			col = ilen;
		} else if (col > ilen) {
			buf_puts(b, " ");
			col++;
		}
		/* A word longer than a line is cut, never over 998. */
		while (wlen > NOTIFY_HARD) {
			buf_append(b, p, NOTIFY_HARD);
			buf_puts(b, "\r\n");
			buf_puts(b, indent);
			p += NOTIFY_HARD;
			wlen -= NOTIFY_HARD;
		}
		buf_append(b, p, wlen);
		col += wlen;
		sp = end;
		while (*sp == ' ')
			sp++;
		p = sp;
	}
	buf_puts(b, "\r\n");
}

/*
 * Text from outside (the CA, a check) for the body: control bytes and
 * non-ASCII become \xHH (\r\n as \r, \n), so it can never start a line
 * of its own; backslashes and quotes stay as they are, so text another
 * module already escaped is not escaped twice. Malloced, caller frees.
 */
static char *
notify_clean(const char *s)
{
	struct buf b;
	const unsigned char *p;

	buf_init(&b);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\n')
			buf_puts(&b, "\\n");
		else if (*p == '\r')
			buf_puts(&b, "\\r");
		else if (*p < 0x20 || *p >= 0x7f)
			buf_printf(&b, "\\x%02x", *p);
		else
			buf_append(&b, p, 1);
	}
	if (b.data == NULL)
		return xstrdup("");
	return buf_steal(&b);
}

/* One "Label: value" line of the summary block. */
static void
notify_field(struct buf *b, const char *label, const char *value)
{
	char *pad;

	pad = xasprintf("%-17s", label);
	buf_puts(b, pad);
	free(pad);
	notify_wrap(b, "", value);
}

/* Check names with no ACME problem type of the same name -> what to do
   (the advice for ACME problem types is in the acme module's table). */
static const struct {
	const char	*type;
	const char	*advice;
} notify_advice_table[] = {
	{ "a", "A hostname does not resolve to the addresses listed in the "
	  "manifest. Fix the A record in DNS or the `addresses` entry." },
	{ "aaaa", "A hostname's AAAA records do not match the manifest. "
	  "Fix the AAAA record (a wrong AAAA breaks http-01 validation), "
	  "or the `addresses` entry." },
	{ "acme-directory", "The ACME directory could not be reached. Check "
	  "the network and acme.directory; the next run retries." },
	{ NULL, NULL },
};

const char *
notify_advice(const char *problem_type, const char *stage)
{
	const char *t = problem_type;
	size_t i;

	if (t != NULL) {
		const struct acme_problem *p;

		if (acme_problem_short(t) != t)
			t = acme_problem_short(t);
		else if (strncmp(t, "check:", 6) == 0)	/* state's form */
			t += 6;
		if ((p = acme_problem_find(t)) != NULL && p->advice != NULL)
			return p->advice;
		for (i = 0; notify_advice_table[i].type != NULL; i++)
			if (strcmp(notify_advice_table[i].type, t) == 0)
				return notify_advice_table[i].advice;
	}
	if (stage != NULL && strcmp(stage, "preflight") == 0)
		return "Fix what the checks report; `certkeep check` runs "
		    "them all again and shows each result.";
	return "Read the error above and fix its cause.";
}

static void
notify_hostnames(struct buf *b, const struct mcert *c)
{
	size_t i;

	for (i = 0; i < c->nhostnames; i++)
		buf_printf(b, "%s%s", i > 0 ? ", " : "", c->hostnames[i]);
}

/* The Subject of an event's message; malloced, caller frees. */
static char *
notify_subject(const struct mcert *c, enum notify_event ev,
    const struct notify_info *info)
{
	time_t now = info->now != 0 ? info->now : now_wall();

	switch (ev) {
	case NOTIFY_ISSUED:
		return xasprintf("[certkeep] Certificate issued: %s", c->name);
	case NOTIFY_RENEWED:
		return xasprintf("[certkeep] Certificate renewed: %s", c->name);
	case NOTIFY_FAILED:
		return xasprintf("[certkeep] FAILED to %s certificate: %s",
		    info->renewal ? "renew" : "issue", c->name);
	case NOTIFY_EXPIRING:
	default:
		if (info->not_after != 0 && info->not_after <= now)
			return xasprintf("[certkeep] Certificate EXPIRED, not "
			    "renewed: %s", c->name);
		return xasprintf("[certkeep] Certificate expiring in %lld "
		    "days, not renewed: %s",
		    info->not_after != 0 ?
		    days_left(info->not_after, now) : 0LL, c->name);
	}
}

static void
notify_expiry_line(struct buf *b, const char *label, time_t t, time_t now)
{
	char when[48], *v;
	long long d = days_left(t, now);

	time_format_minute(t, when, sizeof(when));
	if (t <= now)
		v = xasprintf("%s (expired)", when);
	else
		v = xasprintf("%s (%lld day%s from now)", when, d,
		    d == 1 ? "" : "s");
	notify_field(b, label, v);
	free(v);
}

static void
notify_body(struct buf *b, const struct manifest *m, const struct mcert *c,
    enum notify_event ev, const struct notify_info *info, time_t now)
{
	struct buf hn;
	struct utsname un;
	const char *host = info->host;
	char *esc, *line;
	size_t i;

	buf_init(&hn);
	notify_hostnames(&hn, c);
	switch (ev) {
	case NOTIFY_ISSUED:
		line = xasprintf("certkeep obtained a new certificate for "
		    "\"%s\".", c->name);
		break;
	case NOTIFY_RENEWED:
		line = xasprintf("certkeep renewed the certificate \"%s\"; "
		    "the listeners below now use the new one.", c->name);
		break;
	case NOTIFY_FAILED:
		line = xasprintf("certkeep could not %s the certificate "
		    "\"%s\".", info->renewal ? "renew" : "issue", c->name);
		break;
	case NOTIFY_EXPIRING:
	default:
		line = xasprintf("The certificate \"%s\" is inside its "
		    "renewal window and has not been renewed yet.", c->name);
		break;
	}
	notify_wrap(b, "", line);
	free(line);
	buf_puts(b, "\r\n");

	notify_field(b, "Certificate:", c->name);
	notify_field(b, "Hostnames:", hn.data != NULL ? hn.data : "");
	if ((ev == NOTIFY_ISSUED || ev == NOTIFY_RENEWED) &&
	    info->not_after != 0)
		notify_expiry_line(b, "New expiry:", info->not_after, now);
	if (ev == NOTIFY_RENEWED && info->old_not_after != 0)
		notify_expiry_line(b, "Previous expiry:", info->old_not_after,
		    now);
	if ((ev == NOTIFY_FAILED || ev == NOTIFY_EXPIRING) &&
	    info->not_after != 0)
		notify_expiry_line(b, "Current expiry:", info->not_after,
		    now);
	if ((ev == NOTIFY_FAILED || ev == NOTIFY_EXPIRING) &&
	    info->not_after == 0)
		notify_field(b, "Current expiry:",
		    "none (no certificate in place yet)");
	if (info->reason != NULL) {
		esc = notify_clean(info->reason);
		notify_field(b, "Reason:", esc);
		free(esc);
	}
	if (info->issuer != NULL) {
		esc = notify_clean(info->issuer);
		notify_field(b, "Issuer:", esc);
		free(esc);
	}
	if (info->serial != NULL) {
		esc = notify_clean(info->serial);
		notify_field(b, "Serial:", esc);
		free(esc);
	}
	if (info->cert_path != NULL)
		notify_field(b, "File:", info->cert_path);
	if (ev == NOTIFY_FAILED) {
		if (info->stage != NULL)
			notify_field(b, "Failed at:", info->stage);
		if (info->problem_type != NULL) {
			esc = notify_clean(info->problem_type);
			notify_field(b, "Error type:", esc);
			free(esc);
		}
		buf_puts(b, "\r\n");
		buf_puts(b, strncmp(info->stage != NULL ? info->stage : "",
		    "preflight", 9) == 0 ? "What the check found:\r\n" :
		    "What went wrong:\r\n");
		esc = notify_clean(info->problem != NULL ? info->problem :
		    "(no detail)");
		notify_wrap(b, "  ", esc);
		free(esc);
		buf_puts(b, "\r\nWhat to do next:\r\n");
		notify_wrap(b, "  ", info->advice != NULL ? info->advice :
		    notify_advice(info->problem_type, info->stage));
		line = xasprintf("Then run `certkeep apply %s`, or wait for "
		    "the next scheduled run.%s", c->name,
		    info->renewal && info->not_after != 0 ?
		    " The current certificate stays in place until then." :
		    "");
		notify_wrap(b, "  ", line);
		free(line);
	}
	if (ev == NOTIFY_EXPIRING) {
		buf_puts(b, "\r\nWhat to do next:\r\n");
		line = xasprintf("Look at the earlier failure messages or run "
		    "`certkeep -v apply %s` to see why renewal does not "
		    "succeed; `certkeep status` shows every certificate. "
		    "This reminder is sent at most once a day.", c->name);
		notify_wrap(b, "  ", line);
		free(line);
	}
	buf_puts(b, "\r\n");
	if (c->nlisteners > 0) {
		buf_puts(b, ev == NOTIFY_ISSUED || ev == NOTIFY_RENEWED ?
		    "Listeners affected:\r\n" : "Listeners using it:\r\n");
		for (i = 0; i < c->nlisteners; i++)
			buf_printf(b, "  %s %s %s%s\r\n",
			    server_kind_names[c->listeners[i].server],
			    service_kind_names[c->listeners[i].service],
			    c->listeners[i].address,
			    c->listeners[i].redirect_to_secure ?
			    " (redirect to secure)" : "");
	} else
		buf_puts(b, "Listeners affected: none listed in the "
		    "manifest.\r\n");
	if (host == NULL && uname(&un) == 0)
		host = un.nodename;
	buf_printf(b, "\r\n-- \r\ncertkeep %s on %s, manifest %s\r\n",
	    CERTKEEP_VERSION, host != NULL ? host : "?",
	    m->path != NULL ? m->path : "?");
	buf_clear(&hn);
}

char *
notify_compose(const struct manifest *m, const struct mcert *c,
    enum notify_event ev, const struct notify_info *info,
    char *const *rcpts, size_t *len, struct err *e)
{
	struct buf b;
	unsigned char rnd[12];
	char date[64], *subject, *hex, *dom;
	time_t now;
	size_t i;

	if (!m->notify.enabled || m->notify.from == NULL) {
		err_set(e, "no notify block in %s", m->path);
		return NULL;
	}
	now = info->now != 0 ? info->now : now_wall();
	buf_init(&b);
	notify_date(now, date, sizeof(date));
	subject = notify_subject(c, ev, info);
	if (rand_bytes(rnd, sizeof(rnd)) != 0)
		memset(rnd, 0, sizeof(rnd));
	hex = b64url_encode(rnd, sizeof(rnd));
	dom = strchr(m->notify.from, '@');
	buf_printf(&b, "Date: %s\r\n", date);
	buf_printf(&b, "From: certkeep <%s>\r\n", m->notify.from);
	buf_puts(&b, "To: ");
	for (i = 0; rcpts != NULL && rcpts[i] != NULL; i++)
		buf_printf(&b, "%s%s", i > 0 ? ",\r\n " : "", rcpts[i]);
	buf_puts(&b, "\r\n");
	buf_printf(&b, "Subject: %s\r\n", subject);
	buf_printf(&b, "Message-ID: <certkeep.%lld.%s@%s>\r\n",
	    (long long)now, hex, dom != NULL ? dom + 1 : "localhost");
	buf_puts(&b, "MIME-Version: 1.0\r\n");
	buf_puts(&b, "Content-Type: text/plain; charset=utf-8\r\n");
	buf_puts(&b, "Content-Transfer-Encoding: 8bit\r\n");
	buf_puts(&b, "Auto-Submitted: auto-generated\r\n");
	buf_printf(&b, "X-Certkeep-Event: %s\r\n", notify_event_names[ev]);
	buf_printf(&b, "X-Certkeep-Certificate: %s\r\n", c->name);
	buf_puts(&b, "\r\n");
	notify_body(&b, m, c, ev, info, now);
	free(subject);
	free(hex);
	*len = b.len;
	return buf_steal(&b);
}

int
notify_event(const struct manifest *m, const struct mcert *c,
    enum notify_event ev, const struct notify_info *info,
    const struct log *log, struct err *e)
{
	struct notify_info none;
	struct mail_server srv;
	struct strlist rcpts;
	struct buf to;
	struct err e2;
	char *msg = NULL, *ca = NULL;
	size_t len = 0, i;
	int rc = -1;
	cJSON *f;

	if (!m->notify.enabled)
		return 0;
	if (e == NULL)
		e = &e2;
	err_clear(e);
	if (info == NULL) {
		memset(&none, 0, sizeof(none));
		info = &none;
	}
	strlist_init(&rcpts);
	buf_init(&to);
	if (notify_recipients(m, c, &rcpts) == 0) {
		err_set(e, "no recipients (set notify.contact or domains)");
		goto out;
	}
	for (i = 0; i < rcpts.n; i++)
		buf_printf(&to, "%s%s", i > 0 ? ", " : "", rcpts.v[i]);
	if ((msg = notify_compose(m, c, ev, info, rcpts.v, &len, e)) == NULL)
		goto out;
	memset(&srv, 0, sizeof(srv));
	srv.url = m->notify.smtp;
	srv.auth_file = m->notify.auth_file;
	/* Trust as for the ACME server (docs/security.md). */
	if ((ca = cabundle_path(m->acme.ca_bundle, m->dir, e)) == NULL)
		goto out;
	srv.ca_file = ca;
	rc = mail_send(&srv, m->notify.from, rcpts.v, msg, len, e);
out:
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "notification", notify_event_names[ev]);
	cJSON_AddStringToObject(f, "recipients", to.data != NULL ?
	    to.data : "");
	if (rc == 0)
		log_event(log, LOG_INFO, c->name, "notify", f,
		    "notified %s of %s %s", to.data, c->name,
		    notify_event_names[ev]);
	else {
		cJSON_AddStringToObject(f, "error", e->msg);
		log_event(log, LOG_WARN, c->name, "notify", f,
		    "notification (%s) for %s not sent: %s",
		    notify_event_names[ev], c->name, e->msg);
	}
	free(msg);
	free(ca);
	buf_clear(&to);
	strlist_clear(&rcpts);
	return rc;
}

int
notify_expiring_due(time_t last, time_t now)
{
	struct tm a, b;

	if (last == 0)
		return 1;
	if (now - last < 12 * 3600)
		return 0;
	if (gmtime_r(&last, &a) == NULL || gmtime_r(&now, &b) == NULL)
		return 1;
	return a.tm_year != b.tm_year || a.tm_yday != b.tm_yday;
}

/* Fills not_after, serial and issuer of info from what the repository
   holds (info borrows from ci; nothing when the leaf did not parse). */
static void
notify_info_from_certinfo(struct notify_info *info, const struct certinfo *ci)
{
	if (ci == NULL || ci->status == CERTINFO_MISSING ||
	    ci->status == CERTINFO_CORRUPT_CERT)
		return;
	info->not_after = ci->not_after;
	info->serial = ci->serial;
	info->issuer = ci->issuer_cn != NULL ? ci->issuer_cn : ci->issuer;
}

int
notify_expiring_maybe(const struct manifest *m, const struct mcert *c,
    int in_window, const struct certinfo *ci, struct certstate *st,
    time_t now, const struct log *log)
{
	struct notify_info ni;

	/* The window is the renewal decision's, not recomputed here. */
	if (!m->notify.enabled || !in_window)
		return 0;
	if (!notify_expiring_due(st->last_expiring_notice, now))
		return 0;
	memset(&ni, 0, sizeof(ni));
	ni.now = now;
	notify_info_from_certinfo(&ni, ci);
	if (notify_event(m, c, NOTIFY_EXPIRING, &ni, log, NULL) != 0)
		return -1;
	st->last_expiring_notice = now;
	return 1;
}

int
notify_preflight_failed(const struct manifest *m, const struct mcert *c,
    const struct check_results *r, const struct certinfo *ci, int renewal,
    const struct log *log)
{
	struct notify_info ni;
	struct buf b;
	const char *first = NULL;
	size_t i;
	int rc;

	if (!m->notify.enabled)
		return 0;
	buf_init(&b);
	for (i = 0; i < r->n; i++) {
		if (r->v[i].status != CHECK_FAIL)
			continue;
		if (first == NULL)
			first = r->v[i].check;
		buf_printf(&b, "%s%s%s%s: %s", b.len > 0 ? "; " : "",
		    r->v[i].check, r->v[i].hostname != NULL ? " " : "",
		    r->v[i].hostname != NULL ? r->v[i].hostname : "",
		    r->v[i].message != NULL ? r->v[i].message : "failed");
	}
	memset(&ni, 0, sizeof(ni));
	notify_info_from_certinfo(&ni, ci);
	ni.renewal = renewal;
	ni.stage = "preflight";
	ni.problem_type = first;
	ni.problem = b.data != NULL ? b.data : "a preflight check failed";
	rc = notify_event(m, c, NOTIFY_FAILED, &ni, log, NULL);
	buf_clear(&b);
	return rc;
}

/*
 * Tells the certificate's recipients (any failure is told) that the new
 * certificate is in the repository but a hook after it failed.
 */
static void
notify_hook_failed(const struct manifest *m, struct store *s,
    const struct log *log, const struct mcert *c, const char *why)
{
	struct notify_info info;
	struct err e;
	char *path;

	memset(&info, 0, sizeof(info));
	path = store_live_path(s, c->name, STORE_CERT);
	info.renewal = 1;
	info.stage = "deploy";
	info.problem_type = "hook";
	info.problem = why;
	info.advice = "The new certificate is in the repository, but a hook "
	    "after it failed, so a server may still use the old one. Fix the "
	    "hook (see the log), then run it by hand.";
	info.cert_path = path;
	err_clear(&e);
	notify_event(m, c, NOTIFY_FAILED, &info, log, &e);
	free(path);
}

void
notify_hooks_failed(const struct manifest *m, struct store *s,
    const struct hook_report *rep, const struct log *log)
{
	size_t i;

	for (i = 0; rep->cert_failed != NULL && i < rep->ncerts &&
	    i < m->ncerts; i++)
		if (rep->cert_failed[i])
			notify_hook_failed(m, s, log, &m->certs[i],
			    rep->cert_why[i]);
}
