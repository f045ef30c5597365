/*
 * cmd.h - the commands of certkeep(1). main.c parses the global options
 * and calls one of these with the command's own arguments (argv[0] is the
 * command name). Each returns the process exit status.
 */
#ifndef CERTKEEP_CMD_H
#define CERTKEEP_CMD_H

#include "base/err.h"
#include "base/log.h"
#include "base/str.h"

struct err;
struct manifest;
struct store;
struct strlist;

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_PENDING = 2,	/* plan: changes pending */
	EXIT_USAGE = 64,
	EXIT_DATAERR = 65,	/* invalid manifest */
};

enum out_format {
	OUT_TEXT,
	OUT_JSON,
	OUT_HTML,	/* status only */
};

/* Everything a command gets from the global options. */
struct ctx {
	const char	*manifest_path;	/* -m, $CERTKEEP_MANIFEST, ./certkeep.yaml */
	enum out_format	 out;		/* -o */
	struct log	 log;		/* -v, -q, --log-format */
};

/* One option of a command: --name, --name VALUE or --name=VALUE. */
struct cmd_opt {
	const char	*name;		/* without the dashes */
	int		 has_arg;
	const char	**value;	/* set when has_arg */
	int		*flag;		/* set to 1 when !has_arg */
};

/*
 * Parses argv[1..] against opts (NULL-name terminated; NULL for a
 * command without options); positional
 * arguments go to pos. Returns 0, or EXIT_USAGE after printing a usage
 * error.
 */
int	 cmd_parse(const char *cmd, int argc, char **argv,
	    const struct cmd_opt *opts, struct strlist *pos);
/*
 * Returns 0 when ok; else prints the message (printf-style, with its line
 * end) on stderr and returns EXIT_USAGE: the check of a command's
 * positional arguments, chained with cmd_parse() and cmd_open().
 */
int	 cmd_require(int ok, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Loads the manifest of ctx. On failure prints every problem to stderr
 * and returns NULL: the caller exits EXIT_DATAERR.
 */
struct manifest *cmd_load_manifest(const struct ctx *ctx);
/* How to reach m's etcd store (its etcd: block), for store_open_with()
   and store_token_watch_open(); borrowed from m. */
struct store_etcd_opts;
void	 cmd_etcd_opts(const struct manifest *m, struct store_etcd_opts *eo);
/* The store of m (a directory, or etcd with m's etcd: block); NULL and
   e filled when it cannot be opened. */
struct store *cmd_store_open(const struct manifest *m, int create,
	    struct err *e);
/*
 * What the commands do after cmd_parse(), in this order: loads the
 * manifest into *m; when sel is not NULL, selects the certificates named
 * in pos (all when pos is empty; pos is only read then) into *sel,
 * malloced and indexed like m->certs; when s is not NULL, opens the store
 * into *s (creating it when create). Prints (the store: logs) the problem
 * and returns its exit status: EXIT_DATAERR, EXIT_USAGE for an unknown
 * name, EXIT_FAIL for the store; 0 when all is open. The caller frees
 * what was opened, also after a failure (store_free, free, manifest_free).
 */
int	 cmd_open(const struct ctx *ctx, const struct strlist *pos,
	    int create, struct manifest **m, unsigned char **sel,
	    struct store **s);
/*
 * What a command opens, freed in one place: its positional arguments
 * (for cmd_parse()), and what cmd_open() fills: the manifest, the
 * selection, the store; e holds the problem of the step that failed.
 */
struct cmd_env {
	struct strlist	 pos;
	struct manifest	*m;
	unsigned char	*sel;	/* indexed like m->certs */
	struct store	*s;
	struct err	 e;
};
/* Empties ce; cmd_env_close() frees what was opened into it since. */
void	 cmd_env_init(struct cmd_env *ce);
void	 cmd_env_close(struct cmd_env *ce);
/*
 * How plan and apply start: cmd_parse() with opts (one of which sets
 * *next_run_arg), cmd_parse_next_run() into *next_run, then cmd_open()
 * of the certificates named in ce->pos and the store into ce. Returns 0
 * or the exit status, as those do.
 */
int	 cmd_open_run(const struct ctx *ctx, int argc, char **argv,
	    const struct cmd_opt *opts, const char *const *next_run_arg,
	    long long *next_run, int create, struct cmd_env *ce);
/*
 * Prints msg on stderr at the manifest place of acme.terms_accepted, for
 * an account that needs the CA's terms accepted (the caller exits
 * EXIT_DATAERR: the manifest is what to fix).
 */
void	 cmd_print_terms_error(const struct manifest *m, const char *msg);

/*
 * Prints root, indented, and a line end on stdout: the -o json output of
 * every command. Returns 0, or -1 (nothing printed) when out of memory.
 */
struct cJSON;
int	 cmd_print_json(const struct cJSON *root);

/*
 * --next-run DURATION of plan and apply: how long until the next run
 * (e.g. 24h for a daily timer), so that an ARI instant falling before it
 * renews now. Returns 0 (also when arg is NULL: no option, *secs kept),
 * or EXIT_USAGE after printing a usage error.
 */
int	 cmd_parse_next_run(const char *cmd, const char *arg, long long *secs);
/*
 * Prints, after a plan/status table, one line per selected certificate
 * for which ARI knows something: "  NAME: window A .. B, renew at C, ...".
 * items and states are indexed like m->certs. Prints nothing otherwise.
 */
struct plan_item;
struct certstate;
void	 cmd_print_ari(const struct manifest *m, const struct plan_item *items,
	    const struct certstate *states, const unsigned char *sel);
/*
 * The same in two steps, for status which keeps no array: adds the line
 * of certificate name to lines when ARI knows something (cert_id: its ARI
 * identifier), then prints the lines under their heading (nothing when
 * there are none).
 */
struct ari_state;
void	 cmd_add_ari_line(struct strlist *lines, const char *name,
	    const struct ari_state *st, const char *cert_id);
void	 cmd_print_ari_lines(const struct strlist *lines);

int	 cmd_check(struct ctx *ctx, int argc, char **argv);
int	 cmd_plan(struct ctx *ctx, int argc, char **argv);
int	 cmd_apply(struct ctx *ctx, int argc, char **argv);
int	 cmd_render(struct ctx *ctx, int argc, char **argv);
int	 cmd_status(struct ctx *ctx, int argc, char **argv);
int	 cmd_revoke(struct ctx *ctx, int argc, char **argv);
int	 cmd_backup(struct ctx *ctx, int argc, char **argv);
int	 cmd_restore(struct ctx *ctx, int argc, char **argv);
int	 cmd_store(struct ctx *ctx, int argc, char **argv);
int	 cmd_account(struct ctx *ctx, int argc, char **argv);
int	 cmd_import(struct ctx *ctx, int argc, char **argv);
int	 cmd_serve_http01(struct ctx *ctx, int argc, char **argv);

struct command {
	const char	*name;
	int		(*fn)(struct ctx *, int, char **);
	const char	*usage;
	const char	*help;
};
/* NULL-name terminated; used by main.c and `help`. */
extern const struct command command_table[];
const struct command *command_find(const char *name);

#endif
