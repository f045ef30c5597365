/* Placeholder until the manifest loader lands (issue 2). */
#include <string.h>

#include "manifest.h"
#include "util.h"

const char *const key_type_names[KEY__MAX] = {
	"ec-p256", "ec-p384", "rsa-2048", "rsa-3072", "rsa-4096",
};
const char *const chall_type_names[CHALL__MAX] = { "http-01", "dns-01" };
const char *const server_kind_names[SERVER__MAX] = {
	"axigen", "dovecot", "postfix", "nginx", "haproxy",
};
const char *const service_kind_names[SERVICE__MAX] = {
	"webmail", "imap", "pop3", "smtp-in", "webmail-proxy", "imap-proxy",
	"pop3-proxy", "webadmin",
};

struct manifest *
manifest_load(const char *path, struct strlist *diags)
{
	strlist_addf(diags, "%s: manifest loader not built yet", path);
	return NULL;
}

void
manifest_free(struct manifest *m)
{
	(void)m;
}
