/*
 * render_postfix.c - postfix/tls.postconf: main.cf settings as
 * "name=value" lines, one per line, ready for `postconf -e`:
 *
 *   grep -v '^#' tls.postconf | xargs -d '\n' postconf -e
 *
 * smtpd_tls_chain_files (Postfix >= 3.4) names the combined PEM (key, leaf,
 * intermediates: the key must come first). smtpd_tls_cert_file and
 * smtpd_tls_key_file are emptied because chain_files overrides them with a
 * warning. With several certificates, tls_server_sni_maps points at
 * sni.map, a "texthash:" table: Postfix reads it at run time, so no
 * `postmap -F` is needed, and the value is a list of chain files like
 * smtpd_tls_chain_files (postconf(5)). A wildcard "*.example.com" becomes
 * the key ".example.com" (an ancestor domain with a leading dot).
 */
#include "base/buf.h"
#include "base/err.h"
#include "manifest/manifest.h"
#include "render/render.h"

int
render_postfix(const struct render_input *in, struct render_output *out,
    struct err *e)
{
	struct buf b, m;
	size_t i, j;

	(void)e;
	buf_init(&b);
	render_header(&b, "#", in);
	buf_printf(&b, "#\n# main.cf settings for postconf -e (Postfix >= "
	    "3.4). Apply with:\n#   grep -v '^#' %s/tls.postconf | xargs -d "
	    "'\\n' postconf -e\n# Listeners:\n", in->dir);
	render_listeners_comment(&b, "#", in);
	buf_printf(&b, "smtpd_tls_chain_files=%s\n", in->certs[0].combined);
	buf_printf(&b, "smtpd_tls_cert_file=\n");
	buf_printf(&b, "smtpd_tls_key_file=\n");
	buf_printf(&b, "smtpd_tls_security_level=may\n");
	if (in->ncerts > 1) {
		buf_printf(&b, "tls_server_sni_maps=texthash:%s/sni.map\n",
		    in->dir);
		buf_init(&m);
		render_header(&m, "#", in);
		buf_printf(&m, "#\n# tls_server_sni_maps (texthash): SNI name "
		    "-> key and chain file.\n");
		for (i = 0; i < in->ncerts; i++) {
			for (j = 0; in->certs[i].hostnames[j] != NULL; j++) {
				const char *h = in->certs[i].hostnames[j];

				if (render_host_seen(in, i, h))
					continue;
				buf_printf(&m, "%s %s\n", h[0] == '*' ? h + 1 :
				    h, in->certs[i].combined);
			}
		}
		render_output_add(out, "sni.map", buf_steal(&m), 0644);
	} else {
		buf_printf(&b, "tls_server_sni_maps=\n");
	}
	render_output_add(out, "tls.postconf", buf_steal(&b), 0644);
	return 0;
}
