/*
 * http01.h - the http-01 responder, shared by the built-in `listen` mode
 * of the challenge (a thread for the length of one run) and by `certkeep
 * serve-http01` (the fleet's long-running responder). It binds every
 * address of its listen specs (both IPv4 and IPv6 for "*:PORT"), polls
 * every connection at once, gives each CHALL_HTTP01_HEAD_MS to send a
 * request head of at most H01_REQ_MAX bytes, holds at most
 * CHALL_HTTP01_CONN_MAX connections (dropping the oldest for a new one),
 * and answers exactly GET/HEAD /.well-known/acme-challenge/<token> with
 * what the lookup gives, 404 for anything else, one request per
 * connection.
 */
#ifndef CERTKEEP_CHALL_HTTP01_H
#define CERTKEEP_CHALL_HTTP01_H

#include <stddef.h>

struct err;

/* A request line and headers larger than this are refused. */
#define H01_REQ_MAX	4096
/* A token longer than this is no ACME token (the store has the same
   bound for published ones): 404. */
#define H01_TOKEN_MAX	255
/* Listening sockets at most (the addresses of every spec). */
#define H01_LISTEN_MAX	16

/*
 * The answer for token (already checked: base64url), asked by the client
 * at peer (a numeric address): the key authorization, malloced (the
 * server frees it), or NULL for 404. Called from the serving thread.
 */
struct h01_lookup {
	char	*(*fn)(void *arg, const char *token, const char *peer);
	void	*arg;
};

struct h01_server;

/*
 * Binds every address of the specs ("host:port", "[v6]:port", "*:port",
 * ":port"), n of them. Returns the server, or NULL with e naming the spec
 * and the address that failed.
 */
struct h01_server *h01_server_open(const char *const *specs, size_t n,
	    const struct h01_lookup *lookup, struct err *e);
/* Serves until stopfd is readable (or poll fails). Returns 0, or -1 and
   e when poll failed. */
int	 h01_server_run(struct h01_server *srv, int stopfd, struct err *e);
/* The addresses bound, one "ADDR:PORT" / "[V6]:PORT" per line; malloced. */
char	*h01_server_addresses(const struct h01_server *srv);
/* Closes the listening sockets and frees srv (NULL is a no-op). */
void	 h01_server_free(struct h01_server *srv);

#endif
