// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The agent's transmit path: UDP from the cluster port, per interface. */
#include <errno.h>
#include <stdbool.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/filter.h>

#include "sender.h"

#define MAX_SOCKETS 32 /* families x interfaces x kinds */

struct tx_socket {
	int family;
	char iface[IFNAMSIZ];
	bool probes; /* unicast probes, apart from heartbeats */
	int fd;
};

struct xhb_sender {
	__u16 port;
	unsigned int n;
	struct tx_socket socks[MAX_SOCKETS];
};

int xhb_sender__open(struct xhb_sender **out, __u16 port)
{
	struct xhb_sender *tx = calloc(1, sizeof(*tx));

	if (!tx)
		return -ENOMEM;
	tx->port = port;
	*out = tx;
	return 0;
}

void xhb_sender__close(struct xhb_sender *tx)
{
	if (!tx)
		return;
	for (unsigned int i = 0; i < tx->n; i++)
		close(tx->socks[i].fd);
	free(tx);
}

static int open_socket(int family, const char *iface, __u16 port)
{
	/* "return 0": accept no byte of anything delivered to this socket. */
	struct sock_filter drop_all[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
	struct sock_fprog prog = {.len = 1, .filter = drop_all};
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	int one = 1, fd, err;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) ||
	    (family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    (iface[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface,
				    strlen(iface) + 1)))
		goto fail;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
	}
	if (bind(fd, (struct sockaddr *)&ss,
		 family == AF_INET ? sizeof(*sin) : sizeof(*sin6)))
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

static int socket_for(struct xhb_sender *tx, int family, const char *iface,
		      bool probes)
{
	struct tx_socket *s;
	int fd;

	for (unsigned int i = 0; i < tx->n; i++)
		if (tx->socks[i].family == family && tx->socks[i].probes == probes &&
		    !strcmp(tx->socks[i].iface, iface))
			return tx->socks[i].fd;
	if (tx->n == MAX_SOCKETS)
		return -ENOSPC;
	fd = open_socket(family, iface, tx->port);
	if (fd < 0)
		return fd;
	s = &tx->socks[tx->n++];
	s->family = family;
	s->probes = probes;
	s->fd = fd;
	strncpy(s->iface, iface, IFNAMSIZ - 1);
	return fd;
}

int xhb_sender__send(struct xhb_sender *tx, const char *iface,
		     const struct sockaddr_storage *addr,
		     const struct xhb_hdr *h, int ttl)
{
	/* A probe to a peer whose address does not resolve (its ARP reply
	 * lost under one-way loss) waits in the neighbour queue, charged to
	 * its socket: on their own socket, probes can never fill the buffer
	 * that heartbeats need. */
	int fd = socket_for(tx, addr->ss_family, iface ? iface : "",
			    h->type == XHB_MSG_PROBE);
	socklen_t len = addr->ss_family == AF_INET ? sizeof(struct sockaddr_in)
						   : sizeof(struct sockaddr_in6);

	if (fd < 0) {
			return fd;
	}
	if (ttl > 0) {
		if (addr->ss_family == AF_INET)
			setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
		else
			setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl,
				   sizeof(ttl));
	}
	if (sendto(fd, h, sizeof(*h), 0, (const struct sockaddr *)addr, len) !=
	    (ssize_t)sizeof(*h)) {
			return -errno;
	}
	return 0;
}
