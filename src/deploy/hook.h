/*
 * hook.h - deploy hooks and server reloads (docs/fragments.md): argv run with
 * fork + execve, never a shell, with a timeout (SIGTERM, then SIGKILL 5
 * seconds later, to the hook's whole process group), the inherited
 * environment plus CERTKEEP_* variables, and its output logged line by
 * line, escaped.
 */
#ifndef CERTKEEP_HOOK_H
#define CERTKEEP_HOOK_H

#include <stddef.h>

#include "base/str.h"
#include "manifest/manifest.h"

struct err;
struct log;
struct mcert;
struct render_changes;
struct store;

/* Seconds between SIGTERM and SIGKILL when a hook overruns. */
#define HOOK_KILL_GRACE	5

struct hook_result {
	int		 started;	/* fork/exec succeeded */
	int		 exited;	/* exited normally: status is valid */
	int		 status;	/* exit status */
	int		 signal;	/* terminating signal, or 0 */
	int		 timed_out;
	long long	 ms;		/* wall time */
};

/*
 * Runs argv (argv[0] is looked up in PATH when it has no '/') with the
 * inherited environment, where the "NAME=value" strings of env (may be
 * NULL) are added or replace same-named variables. stdin is /dev/null;
 * stdout and stderr are logged at INFO as "label: line", escaped. Gives
 * up after timeout_s seconds (0: no limit). Fills res. Returns 0 when the
 * hook exited with status 0, else -1 with e saying what happened ("label:
 * exit status 3", "label: timed out after 10s", "label: cannot run X").
 */
int	 hook_run(char *const *argv, char *const *env, long long timeout_s,
	    const char *label, const struct log *log, struct hook_result *res,
	    struct err *e);

/* What hooks_after_apply() ran. */
struct hook_report {
	int		 nrun;
	int		 nfailed;
	struct strlist	 failures;	/* one message per failed hook */
	/* Per certificate (m->certs order, malloced by hooks_after_apply):
	   1 when its deploy_hook, or the reload of a server it is on,
	   failed. */
	unsigned char	*cert_failed;
	/* Per certificate: why its first failed hook failed (malloced), or
	   NULL; for the notification (notify_hooks_failed()). */
	char		**cert_why;
	size_t		 ncerts;
	/* Per server: its reload ran (1) / failed (-1) / did not run (0). */
	int		 reload[SERVER__MAX];
};

void	 hook_report_init(struct hook_report *r);
void	 hook_report_clear(struct hook_report *r);

/*
 * After `apply` (or `render`): runs each server's fragments.reload once
 * when any of its fragments changed (rc->server_changed, rc may be NULL)
 * or a certificate with a listener on it changed (cert_changed[i] for
 * m->certs[i], may be NULL), then each changed certificate's deploy_hook.
 * Reloads get CERTKEEP_SERVER and CERTKEEP_NAMES (the changed certificates
 * on it, space-separated); when exactly one certificate is on the server
 * they also get its CERTKEEP_* variables. A failing hook is logged,
 * counted in rep and does not stop the others; telling the certificates'
 * recipients is the notify step's (notify_hooks_failed()). Returns 0 when
 * every hook that ran succeeded, -1 otherwise (rep says which).
 */
int	 hooks_after_apply(const struct manifest *m, struct store *s,
	    const struct log *log, const struct render_changes *rc,
	    const unsigned char *cert_changed, struct hook_report *rep);

#endif
