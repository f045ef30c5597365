/*
 * acme_conf.c - the manifest's acme block for the ACME layer (see
 * acme_conf.h).
 */
#include <string.h>

#include "acme/acme.h"
#include "manifest/acme_conf.h"
#include "manifest/manifest.h"

void
manifest_acme_conf(const struct macme *cfg, struct acme_conf *out)
{
	memset(out, 0, sizeof(*out));
	out->directory = cfg->directory;
	out->ca_bundle = cfg->ca_bundle;
	out->manifest_dir = cfg->manifest_dir;
	out->contact = cfg->contact;
	out->terms_accepted = cfg->terms_accepted;
	out->account_key = cfg->account_key;
	out->eab_kid = cfg->eab_kid;
	out->eab_hmac_key_file = cfg->eab_hmac_key_file;
}
