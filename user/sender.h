/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * sender: the agent's transmit path. One UDP socket per family, interface
 * and kind (heartbeats; unicast probes apart, so that probes queued for a
 * peer that does not resolve never block the heartbeats), bound to the
 * cluster port (probe replies come back to that
 * port, where XDP looks for them), with SO_BINDTODEVICE so heartbeats
 * leave on the medium they name. The sockets never read: XDP consumes
 * cluster packets before the stack, and a drop-all socket filter discards
 * what the stack still delivers (our own broadcasts looped back, packets
 * XDP passed), so no receive queue fills up.
 */
#ifndef XHB_SENDER_H
#define XHB_SENDER_H

#include <linux/types.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "xhb_wire.h"

struct xhb_sender;

/* port in host order. Sockets open lazily, per (family, iface). */
int xhb_sender__open(struct xhb_sender **tx, __u16 port);
void xhb_sender__close(struct xhb_sender *tx); /* accepts NULL */

/*
 * Send one header to addr (AF_INET or AF_INET6, port included) out of
 * iface ("" for the routing table's choice). IPv4 broadcast and multicast
 * are allowed; ttl 0 keeps the default. Returns 0 or a negative errno.
 */
int xhb_sender__send(struct xhb_sender *tx, const char *iface,
		     const struct sockaddr_storage *addr,
		     const struct xhb_hdr *h, int ttl);

#endif /* XHB_SENDER_H */
