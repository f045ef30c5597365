/*
 * cmd_serve_http01.c - `certkeep serve-http01 --listen ADDR[,ADDR...]`:
 * the long-running http-01 responder of a fleet. It answers
 * GET/HEAD /.well-known/acme-challenge/<token> with the key authorization
 * that an `apply` with challenge.http-01.publish put into the store (on
 * this host or, with a shared store, on any other), 404 for anything
 * else; the server is the one of the built-in `listen` responder
 * (chall/http01.h), with its limits. It opens only the tokens of the
 * store (store_token_watch_open): a directory store is read on each
 * request (one small file); an etcd store is read once and then watched,
 * requests answered from memory, and its local mirror is left alone.
 * SIGTERM and SIGINT stop it cleanly (exit 0). Logs one line per served
 * challenge.
 */
#include <sys/signalfd.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "chall/http01.h"
#include "cli/cmd.h"
#include "manifest/manifest.h"
#include "store/store.h"

struct serve {
	struct store_token_watch *w;
	const struct log *log;
};

/* The published key authorization of token, or NULL (404). */
static char *
serve_lookup(void *arg, const char *token, const char *peer)
{
	struct serve *sv = arg;
	struct err e;
	char *ka = NULL;
	int r;

	err_clear(&e);
	r = store_token_watch_get(sv->w, token, &ka, &e);
	if (r == 0) {
		log_info(sv->log, "http-01 token %s served to %s", token, peer);
		return ka;
	}
	if (r == -1)
		log_warn(sv->log, "http-01 token %s asked by %s: %s", token,
		    peer, e.msg);
	else
		log_debug(sv->log, "http-01 token %s asked by %s: not "
		    "published", token, peer);
	return NULL;
}

/* Splits "a,b,c" into specs (malloced strings in l); -1 on an empty one. */
static int
serve_split(const char *arg, struct strlist *l)
{
	const char *p = arg, *comma;

	for (;;) {
		comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		char *one;

		if (n == 0)
			return -1;
		one = xstrndup(p, n);
		strlist_add(l, one);
		free(one);
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

int
cmd_serve_http01(struct ctx *ctx, int argc, char **argv)
{
	const char *listen = NULL;
	const struct cmd_opt opts[] = { { "listen", 1, &listen, NULL },
	    { NULL, 0, NULL, NULL } };
	struct manifest *m = NULL;
	struct h01_server *srv = NULL;
	struct serve sv;
	struct strlist pos, specs;
	struct store_etcd_opts eo;
	struct err e;
	sigset_t stop, old;
	char *bound = NULL;
	int sfd = -1, status = EXIT_FAIL, r, masked = 0;

	strlist_init(&pos);
	strlist_init(&specs);
	memset(&sv, 0, sizeof(sv));
	err_clear(&e);
	if (cmd_parse(argv[0], argc, argv, opts, &pos) != 0) {
		status = EXIT_USAGE;
		goto out;
	}
	if (pos.n > 0 || listen == NULL) {
		fprintf(stderr, "usage: certkeep serve-http01 --listen "
		    "ADDR[,ADDR...]\n");
		status = EXIT_USAGE;
		goto out;
	}
	if (serve_split(listen, &specs) == -1) {
		fprintf(stderr, "certkeep serve-http01: --listen %s: an empty "
		    "address\n", listen);
		status = EXIT_USAGE;
		goto out;
	}
	/* The stop signals arrive on a descriptor the server polls: no
	   handler, no global flag. Blocked before any thread starts (the
	   store's, the token watch), so that every thread has them blocked. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stop, &old) == -1 ||
	    (masked = 1, sfd = signalfd(-1, &stop, SFD_CLOEXEC |
	    SFD_NONBLOCK)) == -1) {
		log_error(&ctx->log, "serve-http01: signalfd: %s",
		    strerror(errno));
		goto out;
	}
	/* Only the tokens: the rest of the store is none of its business. */
	if ((r = cmd_open(ctx, NULL, 0, &m, NULL, NULL)) != 0) {
		status = r;
		goto out;
	}
	sv.log = &ctx->log;
	cmd_etcd_opts(m, &eo);
	if ((sv.w = store_token_watch_open(m->store, &eo, &e)) == NULL) {
		log_error(&ctx->log, "serve-http01: %s", e.msg);
		goto out;
	}
	{
		struct h01_lookup lk = { serve_lookup, &sv };

		srv = h01_server_open((const char *const *)specs.v, specs.n,
		    &lk, &e);
	}
	if (srv == NULL) {
		log_error(&ctx->log, "serve-http01: %s", e.msg);
		goto out;
	}
	bound = h01_server_addresses(srv);
	for (char *line = bound, *nl; (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		log_info(&ctx->log, "serve-http01: listening on %s (store %s)",
		    line, m->store);
	}
	if (h01_server_run(srv, sfd, &e) == -1) {
		log_error(&ctx->log, "serve-http01: %s", e.msg);
		goto out;
	}
	{
		/* Taken, so that restoring the mask does not deliver it. */
		struct signalfd_siginfo si;

		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			log_info(&ctx->log, "serve-http01: stopped by %s",
			    si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
	}
	status = EXIT_OK;
out:
	h01_server_free(srv);
	if (sfd != -1)
		close(sfd);
	if (masked)
		sigprocmask(SIG_SETMASK, &old, NULL);
	free(bound);
	strlist_clear(&specs);
	strlist_clear(&pos);
	store_token_watch_close(sv.w);
	manifest_free(m);
	return status;
}
