/*
 * tcp.c - one DNS exchange over TCP, non-blocking under one deadline: for
 * truncated UDP answers (query.c) and RFC 2136 updates (dnsupdate.c).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/time.h"
#include "dns/dns.h"
#include "dns/dns_impl.h"

static int
wait_fd(int fd, short ev, long long deadline)
{
	struct pollfd p;
	long long left;
	int n;

	for (;;) {
		left = deadline - mono_ms();
		if (left <= 0)
			return 0;
		p.fd = fd;
		p.events = ev;
		n = poll(&p, 1, (int)left);
		if (n == -1 && errno == EINTR)
			continue;
		return n;
	}
}

/* Reads or writes exactly n bytes before deadline. 0, or -1 with errno
   (ETIMEDOUT on the deadline). */
static int
io_full(int fd, void *p, size_t n, int writing, long long deadline)
{
	size_t done = 0;
	ssize_t k;
	int w;

	while (done < n) {
		if (writing)
			k = send(fd, (char *)p + done, n - done, MSG_NOSIGNAL);
		else
			k = recv(fd, (char *)p + done, n - done, 0);
		if (k > 0) {
			done += (size_t)k;
			continue;
		}
		if (k == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		w = wait_fd(fd, writing ? POLLOUT : POLLIN, deadline);
		if (w == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (w < 0)
			return -1;
	}
	return 0;
}

/* One TCP exchange with a server: the answer's bytes or NULL (errno). */
uint8_t *
dns_tcp_exchange(const struct sockaddr_storage *ss, socklen_t sslen,
    const uint8_t *wire, size_t len, long long timeout_ms, size_t *outlen)
{
	long long deadline = mono_ms() + timeout_ms;
	uint8_t hdr[2], *ans = NULL;
	size_t alen;
	int fd, w, soerr = 0, saved;
	socklen_t sl = sizeof(soerr);

	if (len > DNS_MAX_MSG) {
		errno = EMSGSIZE;
		return NULL;
	}
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return NULL;
	if (connect(fd, (const struct sockaddr *)ss, sslen) == -1) {
		if (errno != EINPROGRESS)
			goto fail;
		w = wait_fd(fd, POLLOUT, deadline);
		if (w == 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if (w < 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
			goto fail;
		if (soerr != 0) {
			errno = soerr;
			goto fail;
		}
	}
	hdr[0] = (uint8_t)(len >> 8);
	hdr[1] = (uint8_t)len;
	if (io_full(fd, hdr, 2, 1, deadline) == -1 ||
	    io_full(fd, (void *)wire, len, 1, deadline) == -1 ||
	    io_full(fd, hdr, 2, 0, deadline) == -1)
		goto fail;
	alen = ((size_t)hdr[0] << 8) | hdr[1];
	ans = xmalloc(alen ? alen : 1);
	if (io_full(fd, ans, alen, 0, deadline) == -1)
		goto fail;
	close(fd);
	*outlen = alen;
	return ans;
fail:
	saved = errno;
	free(ans);
	close(fd);
	errno = saved;
	return NULL;
}

ldns_pkt *
dns_exchange_tcp(const char *server, const uint8_t *wire, size_t len,
    long long timeout_ms, uint8_t **answer_wire, size_t *answer_len,
    struct err *e)
{
	struct dns_server sv;
	ldns_pkt *p = NULL;
	uint8_t *ans;
	size_t alen = 0;

	if (dns_parse_server(server, 53, &sv.ss, &sv.len) == -1) {
		err_set(e, "DNS server \"%s\": not an IP address with an "
		    "optional port", server);
		return NULL;
	}
	dns_server_label(&sv);
	ans = dns_tcp_exchange(&sv.ss, sv.len, wire, len, timeout_ms, &alen);
	if (ans == NULL) {
		if (errno == ETIMEDOUT)
			err_set(e, "%s: no answer in %lld ms", sv.label,
			    timeout_ms);
		else
			err_sys(e, "%s", sv.label);
		return NULL;
	}
	if (ldns_wire2pkt(&p, ans, alen) != LDNS_STATUS_OK) {
		err_set(e, "%s: malformed DNS answer", sv.label);
		free(ans);
		return NULL;
	}
	if (answer_wire != NULL) {
		*answer_wire = ans;
		*answer_len = alen;
	} else {
		free(ans);
	}
	return p;
}
