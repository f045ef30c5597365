/*
 * mload.h - internal to src/manifest/ (nothing else includes it): the
 * state of one load and its diagnostics (manifest.c), the typed getters
 * (get.c), and the section parsers the top level calls (challenge.c,
 * settings.c, cert.c).
 */
#ifndef CERTKEEP_MLOAD_H
#define CERTKEEP_MLOAD_H

#include <stddef.h>

#include "manifest/manifest.h"

struct ynode;

/* The longest key path in a message ("certificates[3].listeners[0]..."). */
#define MPATH_MAX		256

/* One problem, kept until all are known so they can be sorted. */
struct mdiag {
	int	 line;
	int	 col;
	size_t	 seq;
	char	*msg;
};

/* The state of one load: where messages go and what was reported. */
struct mload {
	const char	*name;		/* the manifest as given */
	const char	*dir;		/* absolute directory */
	struct mdiag	*d;
	size_t		 nd;
	size_t		 cap;
	size_t		 dropped;
	int		 def_http_reported;
	int		 def_dns_reported;
};

/* One key a mapping may hold, and what was found for it. */
struct mfield {
	const char		*key;
	const struct ynode	*k;	/* the key node, NULL when absent */
	const struct ynode	*v;
};

/* The challenge blocks as written, before merging. */
struct rawchall {
	const struct ynode	*key;	/* the "challenge" key, or NULL */
	int			 type_set;
	enum chall_type		 type;
	const struct ynode	*http;	/* the "http-01" key, or NULL */
	char			*webroot;
	char			*listen;
	int			 publish;
	const struct ynode	*dns;	/* the "dns-01" key, or NULL */
	char			*server;
	char			*tsig_name;
	char			*tsig_algorithm;
	char			*tsig_secret_file;
	long long		 propagation_timeout;	/* 0: unset */
};

/* manifest.c: diagnostics and names */
void	 mdiag(struct mload *L, int line, int col, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
#define NDIAG(L, n, ...) mdiag((L), (n)->line, (n)->col, __VA_ARGS__)
/* "PATH: "VALUE": why" at the value. */
void	 mdiag_val(struct mload *L, const struct ynode *n, const char *path,
	    const char *why);

/* get.c: key paths (out is of MPATH_MAX; a path too long is cut) */
void	 mpath_key(char *out, const char *base, const char *key);
void	 mpath_idx(char *out, const char *base, size_t i);
/* "a list", "a mapping", "a single value". */
const char *ytype_name(const struct ynode *n);
/*
 * Matches the pairs of a mapping against the known keys. Unknown keys,
 * non-scalar keys and duplicates are reported. A null value counts as an
 * empty mapping. Returns -1 when n is not a mapping (reported).
 */
int	 map_fields(struct mload *L, const struct ynode *n, const char *path,
	    struct mfield *f, size_t nf);
/* A scalar as a malloced string; a null value leaves *out NULL. */
int	 get_str(struct mload *L, const struct ynode *n, const char *path,
	    char **out);
int	 get_bool(struct mload *L, const struct ynode *n, const char *path,
	    int *out);
/*
 * A list of non-empty scalars as a malloced NULL-terminated array (an
 * empty array for a null value). Returns -1 on a wrong type (reported).
 */
int	 get_strv(struct mload *L, const struct ynode *n, const char *path,
	    char ***out, size_t *nout);
/* A duration ("25d", "12h", "30m", "90s"; a bare number is seconds). */
int	 get_duration(struct mload *L, const struct ynode *n, const char *path,
	    long long *out);
/* A path value resolved against the manifest directory, or NULL. */
void	 get_path(struct mload *L, const struct ynode *n, const char *path,
	    char **out);
/* An argv list: at least one non-empty element. */
void	 get_argv(struct mload *L, const struct ynode *n, const char *path,
	    char ***out);
/* A non-empty token (profile names): printable ASCII, no spaces. */
int	 token_ok(const char *s);
/* The position of n (1:1 for NULL). */
struct mpos node_pos(const struct ynode *n);
/*
 * Reports each later copy among keys[0..n) (NULL: not compared), item i
 * being the kid orig[i] of the list node list (orig NULL: kid i) at
 * "<base>[k]", or at its map member "<base>[k].<member>" when member is
 * not NULL: "duplicate <what> (first at line N)".
 */
void	 list_dups_report(struct mload *L, const struct ynode *list,
	    const char *const *keys, size_t n, const int *orig,
	    const char *base, const char *member, const char *what);

/* challenge.c */
void	 rawchall_clear(struct rawchall *r);
/* A challenge block (top level or a certificate's override). */
void	 parse_challenge(struct mload *L, const struct ynode *k,
	    const struct ynode *v, const char *path, struct rawchall *r);
/*
 * The effective challenge of a certificate: the override (ov, may be
 * NULL) over the default. cpath/cnode name the certificate for messages
 * (cnode NULL: the top-level default, checked per use).
 */
void	 merge_challenge(struct mload *L, const struct rawchall *def,
	    const struct rawchall *ov, const char *cpath,
	    const struct ynode *cnode, struct chall_conf *c, struct mpos *pos);

/* settings.c: the top-level sections */
void	 parse_acme(struct mload *L, const struct ynode *k,
	    const struct ynode *v, struct macme *a);
void	 parse_renew_before(struct mload *L, const struct ynode *n,
	    struct mrenew *r);
void	 parse_dns(struct mload *L, const struct ynode *v,
	    struct dns_conf *d);
void	 parse_notify(struct mload *L, const struct ynode *k,
	    const struct ynode *v, struct mnotify *nt);
void	 parse_fragments(struct mload *L, const struct ynode *v,
	    struct mfragments *fr);

/* cert.c */
/* One item of certificates: (def: the top-level challenge, acme_profile:
   acme.profile or NULL). */
void	 parse_cert(struct mload *L, const struct ynode *n, const char *path,
	    const struct rawchall *def, const char *acme_profile,
	    struct mcert *c);

#endif
