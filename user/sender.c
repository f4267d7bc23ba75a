// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The agent's transmit path: UDP from the port it goes to, per interface. */
#include <errno.h>
#include <stdbool.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/filter.h>

#include "sender.h"

/* Heartbeats: one socket a (family, interface, port) of the media, at
 * most one a medium (16); probes: one a peer and (family, interface,
 * port) it is probed on (64 peers, each on a few media). */
#define MAX_SOCKETS 512

struct tx_socket {
	int family;
	char iface[IFNAMSIZ];
	__u16 port; /* bound to, and sends to */
	bool probes; /* unicast probes, apart from heartbeats */
	__u32 peer;  /* probes: the node probed (its own socket) */
	int fd;
};

struct xhb_sender {
	unsigned int n;
	struct tx_socket socks[MAX_SOCKETS];
};

int xhb_sender__open(struct xhb_sender **out)
{
	struct xhb_sender *tx = calloc(1, sizeof(*tx));

	if (!tx)
		return -ENOMEM;
	*out = tx;
	return 0;
}

void xhb_sender__reset(struct xhb_sender *tx)
{
	for (unsigned int i = 0; i < tx->n; i++)
		close(tx->socks[i].fd);
	tx->n = 0;
}

void xhb_sender__close(struct xhb_sender *tx)
{
	if (!tx)
		return;
	xhb_sender__reset(tx);
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
		      __u16 port, bool probes, __u32 peer)
{
	struct tx_socket *s;
	int fd;

	for (unsigned int i = 0; i < tx->n; i++)
		if (tx->socks[i].family == family && tx->socks[i].probes == probes &&
		    tx->socks[i].peer == peer && tx->socks[i].port == port &&
		    !strcmp(tx->socks[i].iface, iface))
			return tx->socks[i].fd;
	if (tx->n == MAX_SOCKETS)
		return -ENOSPC;
	fd = open_socket(family, iface, port);
	if (fd < 0)
		return fd;
	s = &tx->socks[tx->n++];
	s->family = family;
	s->port = port;
	s->probes = probes;
	s->peer = peer;
	s->fd = fd;
	strncpy(s->iface, iface, IFNAMSIZ - 1);
	return fd;
}

/* ha.cf's TTL and LOOP for a send to a group; the socket may be shared
 * by several mcast lines, so they are set before each send. */
static int set_mcast(int fd, int family, const struct xhb_mcast_opts *mc)
{
	int ttl = mc->ttl > 0 ? mc->ttl : 1, loop = !!mc->loop;

	if (family == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ||
		       setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop))
			   ? -errno
			   : 0;
	return setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl)) ||
	       setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof(loop))
		   ? -errno
		   : 0;
}

static __u16 port_of(const struct sockaddr_storage *addr)
{
	return ntohs(addr->ss_family == AF_INET
			 ? ((const struct sockaddr_in *)addr)->sin_port
			 : ((const struct sockaddr_in6 *)addr)->sin6_port);
}

int xhb_sender__send(struct xhb_sender *tx, const char *iface,
		     const struct sockaddr_storage *addr,
		     const struct xhb_hdr *h, const struct xhb_mcast_opts *mc)
{
	/* A probe to a peer whose address does not resolve (it is down, or
	 * its ARP reply lost under one-way loss) waits in the neighbour
	 * queue, charged to its socket: each peer's probes on their own
	 * socket can fill neither the buffer that heartbeats need nor the
	 * one that probes to the live peers need (with one socket for all,
	 * a dead peer of three made the live ones look dead). */
	bool probe = h->type == XHB_MSG_PROBE;
	int fd = socket_for(tx, addr->ss_family, iface ? iface : "",
			    port_of(addr), probe,
			    probe ? ntohl(h->dest_node_id) : 0);
	socklen_t len = addr->ss_family == AF_INET ? sizeof(struct sockaddr_in)
						   : sizeof(struct sockaddr_in6);
	int err;

	if (fd < 0)
		return fd;
	if (mc) {
		err = set_mcast(fd, addr->ss_family, mc);
		if (err)
			return err;
	}
	if (sendto(fd, h, sizeof(*h), 0, (const struct sockaddr *)addr, len) !=
	    (ssize_t)sizeof(*h))
		return -errno;
	return 0;
}
