/*
 * render_nginx.c - nginx/<certificate>.conf: one server block per https
 * listener (listen ADDR ssl; server_name; ssl_certificate = full chain,
 * leaf first; ssl_certificate_key = the key), and for an http listener
 * (always redirect_to_secure) a plain server block that answers 301 to
 * the certificate's https port. Include them in http {}:
 *
 *   include /var/opt/certkeep/fragments/nginx/[*].conf;
 *
 * Also nginx/<certificate>.ssl.inc with only the two ssl_ lines, for
 * admins who keep their own server blocks (the name does not match
 * the .conf glob, so the include above skips it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "manifest/manifest.h"
#include "render/render.h"

/* The TLS port of the same certificate a redirect goes to (its
   listeners: from i, linked by next); 443 if none. */
static int
tls_port(const struct render_input *in, size_t i, const size_t *next)
{
	for (; i != SIZE_MAX; i = next[i])
		if (!in->listeners[i].lst->redirect_to_secure)
			return in->listeners[i].lst->port;
	return 443;
}

static void
server_names(struct buf *b, const struct render_cert *c)
{
	size_t j;

	buf_puts(b, "    server_name");
	for (j = 0; c->hostnames[j] != NULL; j++) {
		buf_puts(b, " ");
		buf_puts(b, c->hostnames[j]);
	}
	buf_puts(b, ";\n");
}

int
render_nginx(const struct render_input *in, struct render_output *out,
    struct err *e)
{
	struct buf b;
	size_t i, k, *first, *next;
	char *addr, *name;
	int port;

	(void)e;
	/* Each certificate's listeners in order, found in one pass (not
	   certificates x listeners: a shared listener may serve 10,000). */
	first = xcalloc(in->ncerts + 1, sizeof(*first));
	next = xcalloc(in->nlisteners + 1, sizeof(*next));
	for (k = 0; k <= in->ncerts; k++)
		first[k] = SIZE_MAX;
	for (i = in->nlisteners; i-- > 0;) {
		k = (size_t)(in->listeners[i].cert - in->certs);
		if (k >= in->ncerts)
			continue;
		next[i] = first[k];
		first[k] = i;
	}
	for (k = 0; k < in->ncerts; k++) {
		const struct render_cert *c = &in->certs[k];

		buf_init(&b);
		render_header(&b, "#", in);
		/* No printf: this runs for every certificate. */
		buf_cat(&b, "# Certificate ", c->name,
		    ". Include in http {}:\n#   include ", in->dir,
		    "/*.conf;\n", NULL);
		for (i = first[k]; i != SIZE_MAX; i = next[i]) {
			const struct mlistener *l = in->listeners[i].lst;

			addr = render_addr(l);
			if (l->redirect_to_secure) {
				port = tls_port(in, first[k], next);
				buf_printf(&b, "\n# %s %s: redirect to https\n"
				    "server {\n    listen %s;\n",
				    service_kind_names[l->service], addr,
				    addr);
				server_names(&b, c);
				if (port == 443)
					buf_puts(&b, "    return 301 "
					    "https://$host$request_uri;\n}\n");
				else
					buf_printf(&b, "    return 301 "
					    "https://$host:%d$request_uri;\n}\n",
					    port);
			} else {
				buf_cat(&b, "\n# ",
				    service_kind_names[l->service], " ", addr,
				    "\nserver {\n    listen ", addr, " ssl;\n",
				    NULL);
				server_names(&b, c);
				buf_cat(&b, "    ssl_certificate ",
				    c->fullchain, ";\n    ssl_certificate_key ",
				    c->key, ";\n}\n", NULL);
			}
			free(addr);
		}
		name = xstrcat(c->name, ".conf", NULL);
		render_output_add(out, name, buf_steal(&b), 0644);
		free(name);

		buf_init(&b);
		render_header(&b, "#", in);
		buf_cat(&b, "# Certificate ", c->name,
		    ", for your own server block:\n#   include ", in->dir, "/",
		    c->name, ".ssl.inc;\nssl_certificate ", c->fullchain,
		    ";\nssl_certificate_key ", c->key, ";\n", NULL);
		name = xstrcat(c->name, ".ssl.inc", NULL);
		render_output_add(out, name, buf_steal(&b), 0644);
		free(name);
	}
	free(first);
	free(next);
	return 0;
}
