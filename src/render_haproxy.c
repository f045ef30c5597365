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
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "manifest.h"
#include "render.h"
#include "util.h"

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
	return 0;
}
