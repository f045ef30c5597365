/*
 * render_axigen.c - an Axigen CLI script (axigen/listeners.cli) that puts
 * the repository's certificate on every Axigen listener of the manifest.
 *
 * Facts are graded (the script's comments, docs/fragments.md): [V] read in
 * Axigen's CLI reference, [I] inferred, [U] unverified. The script says
 * which is which in its comments, so the admin knows what to check on a
 * test box. Login lines are not in the file: contrib/axigen-cli.sh sends
 * them (password from a file), skips '#' lines, stops at the first -ERR.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "manifest/manifest.h"
#include "render/render.h"

/* CONFIG <context> inside CONFIG SERVER, per service [V S1 "## SERVER"]. */
static const char *const axigen_context[SERVICE__MAX] = {
	[SERVICE_WEBMAIL] = "WEBMAIL",
	[SERVICE_IMAP] = "IMAP",
	[SERVICE_POP3] = "POP3",
	[SERVICE_SMTP_IN] = "SMTP-INCOMING",
	[SERVICE_WEBMAIL_PROXY] = "WEBMAIL-PROXY",
	[SERVICE_IMAP_PROXY] = "IMAP-PROXY",
	[SERVICE_POP3_PROXY] = "POP3-PROXY",
	[SERVICE_WEBADMIN] = "WEBADMIN",
};

static int
is_web(enum service_kind s)
{
	return s == SERVICE_WEBMAIL || s == SERVICE_WEBMAIL_PROXY ||
	    s == SERVICE_WEBADMIN;
}

/*
 * SMTP on 25/587 is a plain listener that offers STARTTLS; the certificate
 * for it comes from that listener's sslControl with sslEnable no [V S13,
 * S14]. Only 465 (SMTPS) is implicit TLS.
 */
static int
ssl_enable(const struct mlistener *l)
{
	return l->service != SERVICE_SMTP_IN || l->port == 465;
}

/* The TLS port a plain web listener of the same certificate redirects to. */
static int
secure_port(const struct render_input *in, const struct render_listener *rl)
{
	size_t i;

	for (i = 0; i < in->nlisteners; i++) {
		const struct mlistener *o = in->listeners[i].lst;

		if (in->listeners[i].cert == rl->cert &&
		    o->service == rl->lst->service && !o->redirect_to_secure)
			return o->port;
	}
	return 443;
}

static void
emit_tls_listener(struct buf *b, const struct render_listener *rl,
    const char *addr)
{
	const struct mlistener *l = rl->lst;

	if (strchr(l->host, ':') != NULL)
		buf_printf(b, "# [U] the IPv6 listener address form "
		    "(\"[::]:993\" as in the manifest).\n");
	buf_printf(b, "CONFIG SERVER\n");
	buf_printf(b, "CONFIG %s\n", axigen_context[l->service]);
	buf_printf(b, "UPDATE Listener %s\n", addr);
	buf_printf(b, "SET sslEnable %s\n", ssl_enable(l) ? "yes" : "no");
	buf_printf(b, "CONFIG SSLCONTROL\n");
	buf_printf(b, "SET certFile \"%s\"\n", rl->cert->combined);
	buf_printf(b, "SET caFile \"%s\"\n", rl->cert->chain);
	buf_printf(b, "SET allowedVersions (tls1_2 tls1_3)\n");
	buf_printf(b, "DONE\n");
	buf_printf(b, "COMMIT\n");
	buf_printf(b, "COMMIT\n");
	buf_printf(b, "COMMIT\n");
}

static void
emit_redirect(struct buf *b, const struct render_input *in,
    const struct render_listener *rl, const char *addr)
{
	const struct mlistener *l = rl->lst;

	buf_printf(b, "# [V] UrlRedirect syntax (S1); [U] meaning of address "
	    "(the plain listener),\n# port/host (where to), auto yes "
	    "(automatic 301): check with LIST UrlRedirects.\n");
	buf_printf(b, "CONFIG SERVER\n");
	buf_printf(b, "CONFIG %s\n", axigen_context[l->service]);
	buf_printf(b, "UPDATE UrlRedirect address %s port %d host %s "
	    "auto yes\n", addr, secure_port(in, rl), rl->cert->hostnames[0]);
	buf_printf(b, "COMMIT\n");
	buf_printf(b, "COMMIT\n");
}

int
render_axigen(const struct render_input *in, struct render_output *out,
    struct err *e)
{
	struct buf b;
	size_t i;
	int pass;
	char *addr = NULL;

	(void)e;
	buf_init(&b);
	render_header(&b, "#", in);
	buf_puts(&b,
	    "#\n"
	    "# Axigen CLI script for the CLI service (port 7000). Feed it with\n"
	    "# contrib/axigen-cli.sh, which logs in first (no USER/password in "
	    "this file),\n"
	    "# skips '#' lines, stops at the first -ERR and sends QUIT after the "
	    "last line.\n"
	    "# [V] verified in Axigen's CLI reference, [I] inferred, [U] "
	    "unverified.\n"
	    "#\n"
	    "# - UPDATE Listener, not ADD [V both exist]: the listener must "
	    "exist; the\n"
	    "#   script only sets its SSL settings, so running it twice gives "
	    "the same\n"
	    "#   configuration. axigen-cli.sh --add-missing retries a failed "
	    "UPDATE as ADD.\n"
	    "# - certFile is the combined PEM: private key, leaf, intermediates "
	    "[I: the\n"
	    "#   \"certification chain file\" holds key and chain; key first "
	    "is [I]].\n"
	    "# - caFile is cert_auth.pem, the seed's \"Certificate Authorities "
	    "file\" [V name;\n"
	    "#   I: Axigen uses it for client certificates].\n"
	    "# - COMMIT at each level: listener [V], service and server [I], "
	    "never BACK\n"
	    "#   (BACK cancels pending changes [V S7]).\n"
	    "# - SMTP-INCOMING on 25/587: sslEnable no; STARTTLS uses this "
	    "sslControl [V S13];\n"
	    "#   \"Allow StartTLS\" itself lives in the SMTP filters "
	    "(allowStartTLS) [V S13].\n"
	    "# - Axigen >= 10.7 also picks certificates by SNI from "
	    "<workdir>/certs/ (PEM files\n"
	    "#   with key and certificate) [V S10]: a deploy_hook may copy "
	    "combined.pem there.\n");
	/* TLS listeners first: WebAdmin offers the secure-login redirect
	   only once an SSL listener exists [V S12]. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < in->nlisteners; i++) {
			const struct render_listener *rl = &in->listeners[i];
			const struct mlistener *l = rl->lst;

			if (!!l->redirect_to_secure != pass)
				continue;
			free(addr);
			addr = render_addr(l);
			buf_printf(&b, "\n# %s %s%s - certificate %s\n",
			    service_kind_names[l->service], addr,
			    pass ? " (redirect to secure login)" : "",
			    rl->cert->name);
			if (!pass)
				emit_tls_listener(&b, rl, addr);
			else if (is_web(l->service))
				emit_redirect(&b, in, rl, addr);
			else
				buf_printf(&b, "# redirect_to_secure: only web "
				    "services have a secure-login redirect; "
				    "nothing to do.\n");
		}
	}
	buf_printf(&b, "\nSAVE CONFIG\n");
	free(addr);
	render_output_add(out, "listeners.cli", buf_steal(&b), 0644);
	return 0;
}
