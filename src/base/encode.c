#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "base/encode.h"
#include "base/mem.h"

char *
b64_encode(const unsigned char *p, size_t n)
{
	char *out;
	int len;

	if (n > (SIZE_MAX / 4) - 4 || n > INT_MAX / 2)
		abort();
	out = xmalloc(4 * ((n + 2) / 3) + 1);
	len = EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	out[len] = '\0';
	return out;
}

char *
b64url_encode(const unsigned char *p, size_t n)
{
	char *s = b64_encode(p, n);
	size_t i, len = strlen(s);

	while (len > 0 && s[len - 1] == '=')
		s[--len] = '\0';
	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			s[i] = '-';
		else if (s[i] == '/')
			s[i] = '_';
	}
	return s;
}

unsigned char *
b64url_decode(const char *s, size_t *outlen)
{
	size_t n = strlen(s), i, padded;
	char *tmp;
	unsigned char *out;
	int len;

	if (n > INT_MAX / 2)
		return NULL;
	padded = (n + 3) / 4 * 4;
	tmp = xmalloc(padded + 1);
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (c == '+' || c == '/' || c == '=') {
			free(tmp);
			return NULL;
		}
		tmp[i] = c;
	}
	for (; i < padded; i++)
		tmp[i] = '=';
	tmp[padded] = '\0';
	if (n % 4 == 1) {
		free(tmp);
		return NULL;
	}
	out = xmalloc(padded / 4 * 3 + 1);
	len = EVP_DecodeBlock(out, (unsigned char *)tmp, (int)padded);
	free(tmp);
	if (len < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes; take them off. */
	len -= (int)(padded - n) ;
	*outlen = (size_t)len;
	return out;
}
