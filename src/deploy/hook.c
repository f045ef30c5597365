/*
 * hook.c - runs deploy hooks and server reloads: fork + execve with an
 * argv array (never a shell, never a command line split again), output
 * captured through one pipe and logged escaped, a timeout enforced on the
 * hook's own process group.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/str.h"
#include "base/time.h"
#include "deploy/hook.h"

extern char **environ;

#define HOOK_LINE_MAX	4096

/* Builds the child's environment: environ minus names set in env and
 * minus the backup passphrase, plus env. Returns a malloced array of
 * borrowed strings (free the array only). */
static char **
env_build(char *const *env)
{
	size_t n = 0, ne = 0, i, j, k = 0;
	char **v;

	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		n++;
	for (i = 0; env != NULL && env[i] != NULL; i++)
		ne++;
	v = xcalloc(n + ne + 1, sizeof(*v));
	for (i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq != NULL ? (size_t)(eq - environ[i]) + 1 :
		    strlen(environ[i]);
		int replaced = 0;

		if (strncmp(environ[i], "CERTKEEP_PASSPHRASE=", 20) == 0)
			continue;
		for (j = 0; j < ne; j++)
			if (strncmp(env[j], environ[i], len) == 0)
				replaced = 1;
		if (!replaced)
			v[k++] = environ[i];
	}
	for (j = 0; j < ne; j++)
		v[k++] = env[j];
	v[k] = NULL;
	return v;
}

/* The file execve() gets for argv0: as is with a '/', else from PATH.
 * Malloced, caller frees; NULL when not found. */
static char *
program_find(const char *argv0)
{
	const char *path, *p, *colon;
	char *dir, *cand;
	struct stat st;

	if (strchr(argv0, '/') != NULL)
		return xstrdup(argv0);
	path = getenv("PATH");
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:"
		    "/usr/sbin:/sbin";
	for (p = path; ; p = colon + 1) {
		colon = strchr(p, ':');
		dir = colon != NULL ? xstrndup(p, (size_t)(colon - p)) :
		    xstrdup(p);
		cand = path_join(*dir != '\0' ? dir : ".", argv0);
		free(dir);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(cand, X_OK) == 0)
			return cand;
		free(cand);
		if (colon == NULL)
			return NULL;
	}
}

/* Logs one line of output, unless it belongs to a private key. */
static void
output_line(const char *line, size_t len, struct log_pem_filter *pf,
    const char *label, const struct log *log)
{
	char *esc;
	int was_in = pf->in_key;

	if (log_pem_withhold(pf, line, len)) {
		if (!was_in)
			log_info(log, "%s: (a private key, withheld)", label);
		return;
	}
	esc = str_escape_n(line, len);
	log_info(log, "%s: %s", label, esc);
	free(esc);
}

/* Logs the complete lines in b (and, with flush, the rest). */
static void
output_lines(struct buf *b, int flush, struct log_pem_filter *pf,
    const char *label, const struct log *log)
{
	char *start = b->data, *nl;
	size_t rest;

	if (b->len == 0)
		return;
	for (;;) {
		nl = memchr(start, '\n', b->len - (size_t)(start - b->data));
		if (nl == NULL)
			break;
		output_line(start, (size_t)(nl - start), pf, label, log);
		start = nl + 1;
	}
	rest = b->len - (size_t)(start - b->data);
	if (rest > 0 && (flush || rest >= HOOK_LINE_MAX)) {
		output_line(start, rest, pf, label, log);
		rest = 0;
		start = b->data + b->len;
	}
	memmove(b->data, start, rest);
	b->len = rest;
	b->data[rest] = '\0';
}

/*
 * In the child between fork and exec: closes every descriptor above 2, so
 * a hook inherits none of ours (libcurl's sockets are not close-on-exec).
 * Only async-signal-safe calls: other threads may hold malloc's lock.
 */
static void
child_close_fds(long open_max)
{
	char dbuf[4096];
	long n, pos, fd;
	int dfd;

	if (close_range(3, ~0U, 0) == 0)
		return;
	/* Kernels before 5.9: the open descriptors, from /proc. */
	dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd != -1) {
		while ((n = syscall(SYS_getdents64, dfd, dbuf,
		    sizeof(dbuf))) > 0) {
			for (pos = 0; pos < n; ) {
				struct dirent64 *d = (struct dirent64 *)
				    (void *)(dbuf + pos);
				const char *s = d->d_name;

				pos += d->d_reclen;
				for (fd = 0; *s >= '0' && *s <= '9'; s++)
					fd = fd * 10 + (*s - '0');
				if (*s == '\0' && s != d->d_name && fd > 2 &&
				    fd != dfd)
					close((int)fd);
			}
		}
		close(dfd);
		if (n == 0)
			return;
	}
	for (fd = 3; fd < open_max; fd++)
		close((int)fd);
}

/* Waits for pid up to ms milliseconds (-1: forever). 1 reaped, 0 not,
   -1 gone without a status (ECHILD: someone else reaped it). */
static int
reap(pid_t pid, int *wstatus, long long ms)
{
	long long until = mono_ms() + ms;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	pid_t r;

	for (;;) {
		r = waitpid(pid, wstatus, ms < 0 ? 0 : WNOHANG);
		if (r == pid)
			return 1;
		if (r == -1 && errno != EINTR)
			return -1;
		if (ms >= 0 && mono_ms() >= until)
			return 0;
		if (r == 0)
			nanosleep(&ts, NULL);
	}
}

int
hook_run(char *const *argv, char *const *env, long long timeout_s,
    const char *label, const struct log *log, struct hook_result *res,
    struct err *e)
{
	char **envp = NULL, *prog = NULL, *esc = NULL, chunk[4096];
	struct buf out;
	struct log_pem_filter pf = { 0 };
	struct pollfd pfd;
	long long t0, deadline, left;
	int fds[2] = { -1, -1 }, devnull = -1, wstatus = 0, rc = -1;
	int reaped = 0, eof = 0, lost = 0;
	pid_t pid = -1;
	ssize_t n;
	long open_max = sysconf(_SC_OPEN_MAX);

	memset(res, 0, sizeof(*res));
	buf_init(&out);
	t0 = mono_ms();
	if (argv == NULL || argv[0] == NULL) {
		err_set(e, "%s: empty command", label);
		goto out;
	}
	prog = program_find(argv[0]);
	if (prog == NULL) {
		esc = str_escape(argv[0]);
		err_set(e, "%s: cannot run %s: not found in PATH", label, esc);
		goto out;
	}
	envp = env_build(env);
	if (pipe2(fds, O_CLOEXEC) == -1) {
		err_sys(e, "%s: pipe", label);
		goto out;
	}
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull == -1) {
		err_sys(e, "%s: /dev/null", label);
		goto out;
	}
	pid = fork();
	if (pid == -1) {
		err_sys(e, "%s: fork", label);
		goto out;
	}
	if (pid == 0) {
		/* Own process group, so a timeout stops its children too. */
		sigset_t none;

		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(devnull, 0) == -1 || dup2(fds[1], 1) == -1 ||
		    dup2(fds[1], 2) == -1)
			_exit(126);
		child_close_fds(open_max > 0 ? open_max : 65536);
		execve(prog, argv, envp);
		{
			char msg[512];
			int len = snprintf(msg, sizeof(msg), "execve %s: %s\n",
			    prog, strerror(errno));

			if (len > 0 && write(2, msg, (size_t)len) < 0)
				_exit(127);
		}
		_exit(127);
	}
	setpgid(pid, pid);	/* both sides: no race with kill(-pid) */
	res->started = 1;
	close(fds[1]);
	fds[1] = -1;
	deadline = timeout_s > 0 ? t0 + timeout_s * 1000 : -1;

	/* Read output until EOF or exit (a daemon it started may keep the
	   pipe open), or until the deadline. */
	while (!eof && !reaped) {
		left = 200;
		if (deadline >= 0) {
			if (mono_ms() >= deadline)
				break;
			if (deadline - mono_ms() < left)
				left = deadline - mono_ms();
		}
		pfd.fd = fds[0];
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) > 0) {
			n = read(fds[0], chunk, sizeof(chunk));
			if (n > 0) {
				buf_append(&out, chunk, (size_t)n);
				output_lines(&out, 0, &pf, label, log);
			} else if (n == 0 || errno != EINTR) {
				eof = 1;
			}
		}
		if (!eof && waitpid(pid, &wstatus, WNOHANG) == pid)
			reaped = 1;
	}
	if (reaped) {
		/* Drain what the hook wrote before it exited. */
		if (fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0)
			while ((n = read(fds[0], chunk, sizeof(chunk))) > 0)
				buf_append(&out, chunk, (size_t)n);
	}
	if (!reaped) {
		left = deadline >= 0 ? deadline - mono_ms() : -1;
		if (left < 0 && deadline >= 0)
			left = 0;
		reaped = reap(pid, &wstatus, left);
		if (reaped == -1)
			lost = 1;
	}
	if (!reaped) {
		res->timed_out = 1;
		kill(-pid, SIGTERM);
		if (!reap(pid, &wstatus, HOOK_KILL_GRACE * 1000)) {
			kill(-pid, SIGKILL);
			reap(pid, &wstatus, -1);
		}
	}
	output_lines(&out, 1, &pf, label, log);
	res->ms = mono_ms() - t0;
	if (!lost && WIFEXITED(wstatus)) {
		res->exited = !res->timed_out;
		res->status = WEXITSTATUS(wstatus);
	} else if (!lost && WIFSIGNALED(wstatus)) {
		res->signal = WTERMSIG(wstatus);
	}
	if (lost)
		err_set(e, "%s: its exit status was lost (SIGCHLD ignored?)",
		    label);
	else if (res->timed_out)
		err_set(e, "%s: timed out after %llds (stopped)", label,
		    timeout_s);
	else if (res->signal != 0)
		err_set(e, "%s: killed by signal %d", label, res->signal);
	else if (res->status == 127)
		err_set(e, "%s: exit status 127 (could not execute %s?)",
		    label, prog);
	else if (res->status != 0)
		err_set(e, "%s: exit status %d", label, res->status);
	else
		rc = 0;
out:
	if (fds[0] != -1)
		close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	if (devnull != -1)
		close(devnull);
	FREE_ALL(envp, prog, esc);
	buf_clear(&out);
	return rc;
}

void
hook_report_init(struct hook_report *r)
{
	memset(r, 0, sizeof(*r));
	strlist_init(&r->failures);
}

void
hook_report_clear(struct hook_report *r)
{
	strlist_clear(&r->failures);
	for (size_t i = 0; r->cert_why != NULL && i < r->ncerts; i++)
		free(r->cert_why[i]);
	free(r->cert_why);
	free(r->cert_failed);
	hook_report_init(r);
}

