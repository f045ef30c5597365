/*
 * render_dovecot.c - dovecot/ssl.conf, Dovecot 2.3 syntax: the first
 * certificate is the default (ssl_cert/ssl_key); when one Dovecot serves
 * several certificates, every hostname also gets a local_name block, so a
 * client's SNI picks its certificate.
 *
 * ssl_cert is the full chain (Dovecot sends what the file holds; ssl_ca is
 * only for client certificates). "ssl = yes", not "required": certkeep
 * wires certificates and leaves the admin's policy for plaintext
 * connections alone (Dovecot's default disable_plaintext_auth = yes
 * already refuses passwords without TLS).
 */
#include "base/buf.h"
#include "base/err.h"
#include "manifest/manifest.h"
#include "render/render.h"

int
render_dovecot(const struct render_input *in, struct render_output *out,
    struct err *e)
{
	struct buf b;
	size_t i, j;

	(void)e;
	buf_init(&b);
	render_header(&b, "#", in);
	buf_printf(&b, "#\n# Dovecot 2.3. Include it at the end of dovecot.conf:"
	    "\n#   !include %s/ssl.conf\n# Listeners:\n", in->dir);
	render_listeners_comment(&b, "#", in);
	buf_printf(&b, "\nssl = yes\n");
	buf_printf(&b, "ssl_cert = <%s\n", in->certs[0].fullchain);
	buf_printf(&b, "ssl_key = <%s\n", in->certs[0].key);
	if (in->ncerts > 1) {
		buf_printf(&b, "\n# One Dovecot, several certificates: the "
		    "client's SNI picks one.\n");
		for (i = 0; i < in->ncerts; i++) {
			for (j = 0; in->certs[i].hostnames[j] != NULL; j++) {
				const char *h = in->certs[i].hostnames[j];

				if (render_host_seen(in, i, h))
					continue;
				buf_printf(&b, "local_name %s {\n"
				    "  ssl_cert = <%s\n  ssl_key = <%s\n}\n", h,
				    in->certs[i].fullchain, in->certs[i].key);
			}
		}
	}
	render_output_add(out, "ssl.conf", buf_steal(&b), 0644);
	return 0;
}
