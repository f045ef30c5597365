/*
 * acme_conf.h - the manifest's acme block as the ACME layer's own
 * settings (struct acme_conf): the ACME layer never sees the manifest.
 */
#ifndef CERTKEEP_MANIFEST_ACME_CONF_H
#define CERTKEEP_MANIFEST_ACME_CONF_H

struct acme_conf;
struct macme;

/* Fills out from cfg; the strings are borrowed from cfg. */
void	 manifest_acme_conf(const struct macme *cfg, struct acme_conf *out);

#endif
