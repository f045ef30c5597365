/*
 * render_haproxy.c - haproxy/<address>.crt-list per bind address: one line
 * per certificate, "<combined.pem> <SNI names>", the first line being the
 * default when the client sends no (or an unknown) SNI name. HAProxy wants
 * key, leaf and intermediates in one PEM: that is the repository's
 * combined.pem (0600, written by the store with the same atomic rules).
 * The admin's frontend gets one line:
 *
 *   bind 0.0.0.0:443 ssl crt-list /var/opt/certkeep/fragments/haproxy/0.0.0.0-443.crt-list
 *
 * A crt-list serves one certificate as well as several, so the line never
 * changes when a certificate is added.
 *
 * Listeners of service http (redirect_to_secure) go to haproxy/redirect.cfg:
 * one frontend per address answering 301 to https, loaded after the
 * admin's configuration (whose defaults section applies):
 *
 *   haproxy -f /etc/haproxy/haproxy.cfg -f .../fragments/haproxy/redirect.cfg
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "manifest/manifest.h"
#include "render/render.h"

/* "0.0.0.0-443", "__-443" for "[::]:443": a file name, no '/' or ':'. */
static char *
addr_file(const struct mlistener *l)
{
	char *h, *s;

	h = xstrdup(l->host);
	for (s = h; *s != '\0'; s++)
		if (*s == ':' || *s == '/' || *s == '%')
			*s = '_';
	s = xasprintf("%s-%d.crt-list", h, l->port);
	free(h);
	return s;
}

/* The TLS port of the certificate an http listener redirects for. */
static int
tls_port(const struct render_input *in, const struct render_cert *c)
{
	size_t i;

	for (i = 0; i < in->nlisteners; i++)
		if (in->listeners[i].cert == c &&
		    !in->listeners[i].lst->redirect_to_secure)
			return in->listeners[i].lst->port;
	return 443;
}

/* haproxy/redirect.cfg when some listener redirects; nothing otherwise. */
static void
render_haproxy_redirects(const struct render_input *in,
    struct render_output *out)
{
	struct buf b;
	size_t i, j;
	char *addr, *fe;
	int port, n = 0;

	buf_init(&b);
	render_header(&b, "#", in);
	buf_printf(&b, "# Plain-HTTP listeners that redirect to https. Load it "
	    "after your configuration\n# (its defaults section applies):\n"
	    "#   haproxy -f /etc/haproxy/haproxy.cfg -f %s/redirect.cfg\n",
	    in->dir);
	for (i = 0; i < in->nlisteners; i++) {
		const struct mlistener *l = in->listeners[i].lst;

		if (!l->redirect_to_secure)
			continue;
		for (j = 0; j < i; j++) {
			const struct mlistener *o = in->listeners[j].lst;

			if (o->redirect_to_secure && o->port == l->port &&
			    strcmp(o->host, l->host) == 0)
				break;
		}
		if (j < i)
			continue;
		addr = render_addr(l);
		fe = addr_file(l);
		fe[strlen(fe) - strlen(".crt-list")] = '\0';
		port = tls_port(in, in->listeners[i].cert);
		buf_printf(&b, "\n# http %s - certificate %s\n"
		    "frontend certkeep-http-%s\n    mode http\n"
		    "    bind %s\n", addr, in->listeners[i].cert->name, fe,
		    addr);
		if (port == 443)
			buf_puts(&b, "    http-request redirect scheme https "
			    "code 301\n");
		else
			buf_printf(&b, "    http-request redirect location "
			    "https://%%[req.hdr(host),field(1,:)]:%d"
			    "%%[capture.req.uri] code 301\n", port);
		free(fe);
		free(addr);
		n++;
	}
	if (n > 0)
		render_output_add(out, "redirect.cfg", buf_steal(&b), 0644);
	else
		buf_clear(&b);
}

int
render_haproxy(const struct render_input *in, struct render_output *out,
    struct err *e)
{
	struct buf b;
	size_t i, j, k;
	char *name, *addr;
	int dup;

	(void)e;
	for (i = 0; i < in->nlisteners; i++) {
		const struct mlistener *l = in->listeners[i].lst;

		if (l->redirect_to_secure)
			continue;
		/* One file per address: skip addresses already done. */
		dup = 0;
		for (j = 0; j < i; j++) {
			const struct mlistener *o = in->listeners[j].lst;

			if (!o->redirect_to_secure && o->port == l->port &&
			    strcmp(o->host, l->host) == 0)
				dup = 1;
		}
		if (dup)
			continue;
		name = addr_file(l);
		addr = render_addr(l);
		buf_init(&b);
		render_header(&b, "#", in);
		buf_printf(&b, "# In the frontend:\n#   bind %s ssl crt-list "
		    "%s/%s\n", addr, in->dir, name);
		for (k = 0; k < in->ncerts; k++) {
			const struct render_cert *c = &in->certs[k];

			/* Only certificates with a listener here. */
			for (j = 0; j < in->nlisteners; j++) {
				const struct mlistener *o =
				    in->listeners[j].lst;

				if (in->listeners[j].cert == c &&
				    !o->redirect_to_secure &&
				    o->port == l->port &&
				    strcmp(o->host, l->host) == 0)
					break;
			}
			if (j == in->nlisteners)
				continue;
			buf_printf(&b, "%s", c->combined);
			for (j = 0; c->hostnames[j] != NULL; j++)
				buf_printf(&b, " %s", c->hostnames[j]);
			buf_puts(&b, "\n");
		}
		render_output_add(out, name, buf_steal(&b), 0644);
		free(name);
		free(addr);
	}
	render_haproxy_redirects(in, out);
	return 0;
}
