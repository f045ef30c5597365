/*
 * import.h - certificates another tool issued, read so that certkeep can
 * adopt them without a new order: certbot's configuration directory
 * (live/<name>/{cert,chain,privkey}.pem, symlinks into archive/, and
 * renewal/<name>.conf) and Axigen's letsencrypt/<domain>/ directories
 * (cert.pem, cert_auth.pem, key.pem or cert_priv.key).
 *
 * Only reads. Every file is opened through its real path, which must stay
 * inside the directory given (certbot's live/ links into ../../archive/
 * are inside); a private key that others could read (group/other bits on
 * the file and a directory they may enter) is refused. Each set is
 * verified as the store would verify a new one: the key is the
 * certificate's, the chain parses and issues the leaf, and the key is of
 * a type certkeep makes.
 */
#ifndef CERTKEEP_IMPORT_H
#define CERTKEEP_IMPORT_H

#include <stddef.h>

#include "store/certinfo.h"
#include "store/store.h"

struct buf;
struct err;

enum import_source {
	IMPORT_CERTBOT,
	IMPORT_AXIGEN,
	IMPORT__MAX
};
/* "certbot", "axigen"; indexed by the enum. */
extern const char *const import_source_names[IMPORT__MAX];
int	 import_source_from_name(const char *name);	/* -1 unknown */

/* One certificate found. Members are malloced (or NULL). */
struct import_cert {
	char	*name;		/* certbot lineage or Axigen domain directory */
	char	*path;		/* the directory it was read from */
	struct certset set;	/* cert (leaf), chain, key (PKCS#8) */
	struct certinfo info;	/* of set; status CERTINFO_OK unless problem */
	/* What certbot's renewal configuration says (NULL: not known). */
	char	*authenticator;	/* "webroot", "standalone", "dns-rfc2136"... */
	char	*webroot;	/* webroot: the first webroot_path */
	char	*listen;	/* standalone: "address:port" */
	char	*problem;	/* why it cannot be adopted; NULL: it can */
};

struct import_list {
	struct import_cert *v;
	size_t	 n;
};

/*
 * Reads every certificate under dir (certbot: dir/live/<name>; Axigen:
 * dir/letsencrypt/<domain>, or dir/<domain> when dir is that letsencrypt
 * directory), in name order, into l (appended). A certificate that cannot
 * be adopted is listed with its problem. Returns 0, or -1 when dir itself
 * cannot be read (e says why).
 */
int	 import_scan(enum import_source src, const char *dir,
	    struct import_list *l, struct err *e);
void	 import_list_clear(struct import_list *l);

/*
 * Appends the manifest entry of c to b, as YAML for the list under
 * "certificates:" (two spaces of indent): name, hostnames, key_type, the
 * challenge when certbot's configuration says it, listeners to fill in.
 */
void	 import_entry_yaml(struct buf *b, const struct import_cert *c);
/* The same as a JSON object (caller deletes). */
struct cJSON *import_entry_json(const struct import_cert *c);

#endif
