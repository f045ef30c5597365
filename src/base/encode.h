/*
 * encode.h - base64 and base64url.
 */
#ifndef CERTKEEP_ENCODE_H
#define CERTKEEP_ENCODE_H

#include <stddef.h>

/* base64url without padding. Returns malloced strings/bytes, caller frees. */
char	*b64url_encode(const unsigned char *p, size_t n);
unsigned char *b64url_decode(const char *s, size_t *outlen);
/* Standard base64 with padding, no newlines; malloced, caller frees. */
char	*b64_encode(const unsigned char *p, size_t n);

#endif
