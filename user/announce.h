/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Tells the segment where a VIP now lives: gratuitous ARP for IPv4,
 * unsolicited Neighbor Advertisement for IPv6, from one AF_PACKET socket
 * opened once (before any privilege is dropped). One call sends one
 * frame; the agent repeats it as ha.cf's `garp <count> <interval>` says
 * (default 5 x 200 ms, Heartbeat's IPaddr2 arp_count and arp_interval,
 * set in config.c), because a single frame can be lost and switches learn
 * from the first. NA uses the same cadence.
 */
#ifndef XHB_ANNOUNCE_H
#define XHB_ANNOUNCE_H

#include <netinet/in.h>
#include <stdbool.h>

enum xhb_garp_form {
	/* ARP request, sender = target = VIP (RFC 5227 announcement): every
	 * host updates an existing cache entry for the VIP. */
	XHB_GARP_REQUEST,
	/* ARP reply to broadcast, as send_arp -A / arping -A send it, for
	 * the rare stacks that only learn from replies. */
	XHB_GARP_REPLY,
};

struct xhb_announce;

int xhb_announce__open(struct xhb_announce **ann);
void xhb_announce__close(struct xhb_announce *ann); /* accepts NULL */

/* One gratuitous ARP for vip on ifindex, from the interface's MAC.
 * -ENODEV unknown interface, -EOPNOTSUPP not Ethernet, -ENETDOWN down. */
int xhb_announce__garp(struct xhb_announce *ann, int ifindex,
		       struct in_addr vip, enum xhb_garp_form form);
/* One unsolicited Neighbor Advertisement for vip on ifindex, to ff02::1,
 * Override set, Router set when the interface forwards IPv6. */
int xhb_announce__na(struct xhb_announce *ann, int ifindex,
		     const struct in6_addr *vip);

#endif /* XHB_ANNOUNCE_H */
