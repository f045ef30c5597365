/*
 * account_io.c - the ACME account's blobs in the repository (see
 * account_io.h).
 */
#include <stddef.h>

#include "acme/account.h"
#include "store/account_io.h"
#include "store/store.h"

static int
io_get(void *arg, const char *name, char **data, size_t *len, struct err *e)
{
	return store_get_blob(arg, name, data, len, e);
}

/* Key material or next to it: owner only. */
static int
io_put(void *arg, const char *name, const char *data, size_t len,
    struct err *e)
{
	return store_put_blob(arg, name, data, len, 0600, e);
}

static int
io_del(void *arg, const char *name, struct err *e)
{
	return store_del_blob(arg, name, e);
}

void
store_account_io(struct store *s, struct account_store *io)
{
	io->get = io_get;
	io->put = io_put;
	io->del = io_del;
	io->arg = s;
}
