/*
 * account_io.h - the ACME account's blobs (acme/account.h) kept in the
 * repository: struct account_store filled with the store's blob
 * functions.
 */
#ifndef CERTKEEP_STORE_ACCOUNT_IO_H
#define CERTKEEP_STORE_ACCOUNT_IO_H

struct account_store;
struct store;

/* Fills io so the account module reads and writes s (borrowed: keep s
   open while io is used). */
void	 store_account_io(struct store *s, struct account_store *io);

#endif
