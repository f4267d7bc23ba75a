/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * sender: the agent's transmit path. One UDP socket per family, interface,
 * port and kind (heartbeats; unicast probes apart, so that probes queued
 * for a peer that does not resolve never block the heartbeats), with
 * SO_BINDTODEVICE so packets leave on the medium they name. A socket is
 * bound to the port it sends to, so every packet leaves from the port it
 * goes to: a medium's traffic stays on its port (udpport, or an mcast
 * line's own), and a probe's reply, which XDP sends back to the probe's
 * source port, comes to a port our XDP takes as the cluster's. The sockets
 * never read: XDP consumes cluster packets before the stack, and a
 * drop-all socket filter discards what the stack still delivers (our own
 * broadcasts looped back, packets XDP passed), so no receive queue fills.
 */
#ifndef XHB_SENDER_H
#define XHB_SENDER_H

#include <linux/types.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "xhb_wire.h"

struct xhb_sender;

/* Sockets open lazily, per (family, iface, port, kind). */
int xhb_sender__open(struct xhb_sender **tx);
void xhb_sender__close(struct xhb_sender *tx); /* accepts NULL */
/* Close every socket (a reload: ports may have changed); the next sends
 * open what they need. */
void xhb_sender__reset(struct xhb_sender *tx);

/* For a send to a multicast group: ha.cf's TTL (hop limit) and LOOP. */
struct xhb_mcast_opts {
	int ttl;  /* 0: the default, 1 */
	int loop; /* 1: our own host receives it too */
};

/*
 * Send one header to addr (AF_INET or AF_INET6, port included) out of
 * iface ("" for the routing table's choice), from addr's port. IPv4
 * broadcast is allowed; mc NULL for anything but a multicast group.
 * Returns 0 or a negative errno.
 */
int xhb_sender__send(struct xhb_sender *tx, const char *iface,
		     const struct sockaddr_storage *addr,
		     const struct xhb_hdr *h, const struct xhb_mcast_opts *mc);

#endif /* XHB_SENDER_H */
