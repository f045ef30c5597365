/*
 * manifest.h - the manifest (man/certkeep.yaml.5) as typed structs.
 *
 * manifest_load() parses and validates a whole file; every problem becomes
 * one "FILE:LINE:COL: message" line in the diagnostics list, all of them at
 * once, and nothing is written anywhere. Every path in the structs below is
 * already resolved against the manifest's directory; every default is
 * already applied, so consumers never look at "unset".
 */
#ifndef CERTKEEP_MANIFEST_H
#define CERTKEEP_MANIFEST_H

#include <stddef.h>

#include "acme/key.h"
#include "base/syntax.h"
#include "chall/chall.h"
#include "dns/dns_conf.h"

struct strlist;

/* Size limit for a manifest file; larger ones are refused. */
#define MANIFEST_MAX_BYTES	(64 * 1024 * 1024)

#define LE_DIRECTORY_URL \
	"https://acme-v02.api.letsencrypt.org/directory"
#define LE_STAGING_DIRECTORY_URL \
	"https://acme-staging-v02.api.letsencrypt.org/directory"


enum server_kind {
	SERVER_AXIGEN,
	SERVER_DOVECOT,
	SERVER_POSTFIX,
	SERVER_NGINX,
	SERVER_HAPROXY,
	SERVER__MAX
};
extern const char *const server_kind_names[SERVER__MAX];
int	 server_kind_from_name(const char *name);

enum service_kind {
	SERVICE_WEBMAIL,
	SERVICE_IMAP,
	SERVICE_POP3,
	SERVICE_SMTP_IN,
	SERVICE_WEBMAIL_PROXY,
	SERVICE_IMAP_PROXY,
	SERVICE_POP3_PROXY,
	SERVICE_WEBADMIN,
	SERVICE_HTTPS,		/* nginx, HAProxy: TLS */
	SERVICE_HTTP,		/* nginx, HAProxy: plain, redirects to https */
	SERVICE__MAX
};
extern const char *const service_kind_names[SERVICE__MAX];
int	 service_kind_from_name(const char *name);
/*
 * Whether server offers service: Axigen's names for Axigen, imap/pop3 for
 * Dovecot, smtp-in for Postfix, https/http for nginx and HAProxy (the
 * manifest reads their "webmail" as https, or http with a redirect).
 */
int	 service_kind_fits(enum server_kind server, enum service_kind service);

/* Where a node stood in the manifest, for messages about it later. */
struct mpos {
	int	 line;		/* 1-based */
	int	 col;		/* 1-based */
};

struct mlistener {
	enum server_kind	 server;
	enum service_kind	 service;
	char			*address;	/* as written: "0.0.0.0:443" */
	char			*host;		/* "0.0.0.0", "::" (no brackets) */
	int			 port;
	int			 redirect_to_secure;
	struct mpos		 pos;
};

struct mcert {
	char		*name;		/* safe directory name */
	char		**hostnames;	/* NULL-terminated, lower-case */
	size_t		 nhostnames;
	char		**addresses;	/* NULL-terminated, canonical IPs */
	size_t		 naddresses;
	enum key_type	 key_type;	/* default ec-p256 */
	int		 reuse_key;
	char		*profile;	/* effective: own, else acme.profile,
					   else NULL (no profile) */
	/* The challenge it is validated with (chall/chall.h): its own merged
	   over the default, defaults applied. */
	struct chall_conf challenge;
	struct mpos	 challenge_pos;	/* the challenge key (override or
					   default), or the certificate */
	char		**deploy_hook;	/* NULL-terminated argv, or NULL */
	struct mlistener *listeners;
	size_t		 nlisteners;
	struct mpos	 pos;
};

#define MACME_CONCURRENCY_DEFAULT	8
#define MACME_CONCURRENCY_MAX		64
#define MACME_RETRY_DEADLINE_DEFAULT	600

struct macme {
	char		*directory;	/* https URL (aliases resolved) */
	char		*directory_alias; /* "letsencrypt", ... or NULL */
	char		**contact;	/* NULL-terminated e-mail addresses */
	size_t		 ncontact;
	int		 terms_accepted;
	char		*ca_bundle;	/* absolute path, or NULL (cabundle.h) */
	const char	*manifest_dir;	/* borrowed: where cacert_default.pem
					   is looked for when ca_bundle is NULL */
	enum key_type	 account_key;	/* default ec-p256 */
	char		*eab_kid;	/* NULL when no EAB */
	char		*eab_hmac_key_file;	/* absolute path */
	char		*profile;	/* NULL when unset */
	int		 profile_optional;
	char		**caa_identities;	/* NULL-terminated, may be empty */
	size_t		 ncaa_identities;
	int		 concurrency;	/* orders in flight, 1..64 (8) */
	long long	 retry_deadline;	/* seconds per certificate (600) */
	int		 terms_set;	/* terms_accepted was written */
	/* The terms_accepted key, else the acme key, else 1:1: where to
	 * point "terms_accepted missing" when an account must be made. */
	struct mpos	 terms_pos;
	struct mpos	 pos;		/* the acme key, or 1:1 */
};

struct mrenew {
	int		 set;		/* renew_before given */
	int		 is_percent;
	long long	 seconds;	/* when !is_percent */
	int		 percent;	/* 1..99 when is_percent */
};

struct mnotify {
	int		 enabled;	/* the notify block is present */
	char		*smtp;		/* smtp://, smtps://, smtp+starttls:// */
	char		*from;
	char		*contact;
	char		*auth_file;	/* absolute path or NULL: "user\npass" */
};

struct mfragments {
	char		*dir;		/* absolute; default <manifest dir>/fragments */
	char		**reload[SERVER__MAX];	/* argv per server, or NULL */
	long long	 hook_timeout;	/* seconds; default 300 */
};

/* The etcd: block (store: etcd://...); paths absolute or NULL. */
struct metcd {
	char		*ca_file;
	char		*cert_file;
	char		*key_file;
	char		*auth_file;
	long long	 lock_ttl;	/* seconds; default 60 */
	char		*local_dir;	/* default /var/opt/certkeep */
};

struct manifest {
	char		*path;		/* as given on the command line */
	char		*dir;		/* absolute directory of the manifest */
	int		 version;
	struct macme	 acme;
	char		*store;		/* absolute; default /var/opt/certkeep;
					   or etcd://H:P[,H:P...]/PREFIX */
	int		 store_etcd;	/* store is an etcd:// URL */
	struct metcd	 etcd;
	char		*metrics_textfile; /* absolute, or NULL: no metrics */
	struct mrenew	 renew_before;
	char		**domains;	/* NULL-terminated, lower-case */
	size_t		 ndomains;
	struct dns_conf	 dns;		/* the dns block (dns/dns_conf.h) */
	struct chall_conf challenge;	/* the default for all certificates */
	struct mpos	 challenge_pos;
	struct mnotify	 notify;
	struct mfragments fragments;
	struct mcert	*certs;
	size_t		 ncerts;
};

/*
 * Loads and validates a manifest. On success returns a manifest (free with
 * manifest_free()). On failure returns NULL and adds every problem to diags
 * as "FILE:LINE:COL: message" (FILE as given in path); a file that cannot
 * be read gives one "FILE: message" line.
 */
struct manifest *manifest_load(const char *path, struct strlist *diags);
/* Same, from a buffer; name is used in messages and dir resolves paths. */
struct manifest *manifest_load_buf(const char *name, const char *dir,
	    const char *data, size_t len, struct strlist *diags);
void	 manifest_free(struct manifest *m);

/*
 * manifest/etcd.c: reads store: when it is an etcd:// URL (returns 1 and
 * sets m->store, m->store_etcd; 0 leaves store to the caller) and the
 * etcd: block (key and value nodes, NULL when absent) into m->etcd,
 * reporting each problem through diag. Paths resolve against dir.
 */
struct ynode;
typedef void (*manifest_diag_fn)(void *arg, int line, int col,
	    const char *msg);
int	 manifest_parse_etcd(const struct ynode *store,
	    const struct ynode *ekey, const struct ynode *eval,
	    const char *dir, struct manifest *m, manifest_diag_fn diag,
	    void *arg);
void	 manifest_etcd_clear(struct metcd *e);

/* Returns the certificate with that name, or NULL (borrowed). */
const struct mcert *manifest_find_cert(const struct manifest *m,
	    const char *name);

#endif
