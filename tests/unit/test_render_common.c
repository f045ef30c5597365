/* Unit tests for what the renderers share in render.c: the listener
 * comment lines and which SNI name an earlier certificate already has. */
#include <string.h>

#include "base/buf.h"
#include "manifest/manifest.h"
#include "render/render.h"

#include "tap.h"

int
main(void)
{
	static char *const ha[] = { "a.example.com", "mail.example.com", NULL };
	static char *const hb[] = { "mail.example.com", "b.example.com", NULL };
	struct render_cert certs[2];
	struct mlistener ls[2];
	struct render_listener rls[2];
	struct render_input in;
	struct buf b;

	memset(certs, 0, sizeof(certs));
	memset(ls, 0, sizeof(ls));
	memset(&in, 0, sizeof(in));
	certs[0].name = "a";
	certs[0].hostnames = ha;
	certs[1].name = "b";
	certs[1].hostnames = hb;
	ls[0].service = SERVICE_IMAP;
	ls[0].host = "0.0.0.0";
	ls[0].port = 993;
	ls[1].service = SERVICE_POP3;
	ls[1].host = "::";
	ls[1].port = 995;
	rls[0].lst = &ls[0];
	rls[0].cert = &certs[0];
	rls[1].lst = &ls[1];
	rls[1].cert = &certs[1];
	in.certs = certs;
	in.ncerts = 2;
	in.listeners = rls;
	in.nlisteners = 2;

	buf_init(&b);
	render_listeners_comment(&b, "#", &in);
	is_str(b.data, "#   imap 0.0.0.0:993 - certificate a\n"
	    "#   pop3 [::]:995 - certificate b\n",
	    "one comment line per listener, IPv6 in brackets");
	buf_clear(&b);

	ok(!render_host_seen(&in, 0, "a.example.com"), "nothing before the "
	    "first certificate");
	ok(render_host_seen(&in, 1, "mail.example.com"), "a name of an "
	    "earlier certificate is seen");
	ok(!render_host_seen(&in, 1, "b.example.com"), "a name only the "
	    "current certificate has is not");
	ok(render_host_seen(&in, 2, "b.example.com"), "upto counts every "
	    "certificate before it");
	return tap_done();
}
