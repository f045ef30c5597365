/*
 * render.c - the table of renderers and what they share (output list,
 * header, address form). Writing the files is render_write.c.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/syntax.h"
#include "manifest/manifest.h"
#include "render/render.h"

const struct renderer render_table[SERVER__MAX] = {
	[SERVER_AXIGEN] = { "axigen", render_axigen },
	[SERVER_DOVECOT] = { "dovecot", render_dovecot },
	[SERVER_POSTFIX] = { "postfix", render_postfix },
	[SERVER_NGINX] = { "nginx", render_nginx },
	[SERVER_HAPROXY] = { "haproxy", render_haproxy },
};

const char *const render_action_names[RENDER__MAX] = { "write", "remove" };

void
render_output_init(struct render_output *o)
{
	memset(o, 0, sizeof(*o));
}

void
render_output_clear(struct render_output *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		FREE_ALL(o->files[i].name, o->files[i].content);
	free(o->files);
	render_output_init(o);
}

void
render_output_add(struct render_output *o, const char *name, char *content,
    mode_t mode)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 4;
		o->files = xrealloc(o->files, o->cap * sizeof(*o->files));
	}
	o->files[o->n].name = xstrdup(name);
	o->files[o->n].content = content;
	o->files[o->n].mode = mode;
	o->n++;
}

void
render_header(struct buf *b, const char *comment,
    const struct render_input *in)
{
	/* Once per fragment, thousands of times a run: no printf. */
	buf_puts(b, comment);
	buf_puts(b, " " RENDER_MARK);
	buf_puts(b, in->manifest);
	buf_puts(b, ".\n");
	buf_puts(b, comment);
	buf_puts(b, " Do not edit: `certkeep render` and `certkeep apply` "
	    "overwrite it.\n");
}

char *
render_addr(const struct mlistener *l)
{
	return hostport_join(l->host, l->port);
}

void
render_listeners_comment(struct buf *b, const char *comment,
    const struct render_input *in)
{
	size_t i;
	char *addr;

	for (i = 0; i < in->nlisteners; i++) {
		addr = render_addr(in->listeners[i].lst);
		buf_printf(b, "%s   %s %s - certificate %s\n", comment,
		    service_kind_names[in->listeners[i].lst->service], addr,
		    in->listeners[i].cert->name);
		free(addr);
	}
}

int
render_host_seen(const struct render_input *in, size_t upto,
    const char *host)
{
	size_t i, j;

	for (i = 0; i < upto; i++)
		for (j = 0; in->certs[i].hostnames[j] != NULL; j++)
			if (strcmp(in->certs[i].hostnames[j], host) == 0)
				return 1;
	return 0;
}

char *
render_manifest_path(const struct manifest *m)
{
	const char *base;

	base = strrchr(m->path, '/');
	base = base != NULL ? base + 1 : m->path;
	if (m->path[0] == '/')
		return xstrdup(m->path);
	return path_join(m->dir, base);
}

