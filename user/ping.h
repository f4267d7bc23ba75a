/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * ping: Heartbeat's ping nodes (ha.cf `ping`, `ping6`, `ping_group`), acted
 * on as ipfail did. The agent sends an ICMP / ICMPv6 echo request to every
 * ping address every ping period (keepalive, at most deadping / 4) from two
 * raw sockets on its loop, and counts the ping nodes it reaches: an
 * address is reached while an echo reply from it came within deadping; a
 * ping_group counts once, reached while any of its addresses is. That
 * count goes to the peers in every packet (the agent's, and its XDP's
 * replies), and a node whose count stays below a live peer's for the
 * hold time yields its groups to it (xhb_ping_outreached()); equal counts
 * change nothing.
 *
 * Until deadping has passed since the agent started (or every ping node
 * answered) the count is not measured yet, and says so on the wire (0): a
 * starting node neither yields nor makes others yield. On the wire: 0 =
 * no ping nodes or not measured, else 1 + the count.
 */
#ifndef XHB_PING_H
#define XHB_PING_H

#include <poll.h>
#include <stdbool.h>
#include <linux/types.h>

#include "config.h"

struct xhb_events;

struct xhb_ping_target {
	struct xhb_ping cfg;
	__u64 last_reply_ns; /* 0: never */
	bool up, said;	     /* as last said in an event; said at all */
};

struct xhb_pinger {
	struct xhb_events *ev;
	int fd4, fd6; /* -1: none of that family, or not opened */
	__u16 ident;  /* echo identifier: this agent's */
	__u16 seq;
	__u64 start_ns, next_ns, period_ns, deadping_ns;
	unsigned int n;
	struct xhb_ping_target t[XHB_CONFIG_MAX_PINGS];
	unsigned int units;    /* ping nodes: single addresses + groups */
	unsigned int reached;  /* of those, reached now */
	bool measured;
	/* xhb_ping_outreached()'s hysteresis */
	bool outreached;
	__u64 differs_since_ns; /* when the comparison last changed side */
};

/* Open the sockets for cfg's ping nodes (none: nothing to do, every call
 * below is cheap). Returns 0 or -errno (the agent says so and goes on
 * without ping nodes). A reload calls it again: targets are kept by
 * address. */
int xhb_ping_configure(struct xhb_pinger *p, const struct xhb_config *cfg,
		       struct xhb_events *ev, __u64 now_ns);
void xhb_ping_close(struct xhb_pinger *p);

unsigned int xhb_ping_pollfds(const struct xhb_pinger *p, struct pollfd *pfd);
__u64 xhb_ping_wait_ns(const struct xhb_pinger *p, __u64 now_ns);
/* Read the replies poll said are there (pfd: what xhb_ping_pollfds()
 * filled, with revents; NULL: none), send what is due, count; events on
 * changes. */
void xhb_ping_step(struct xhb_pinger *p, const struct pollfd *pfd,
		   unsigned int npfd, __u64 now_ns);

/* What goes on the wire: 0 (none or not measured), else 1 + reached. */
__u16 xhb_ping_wire(const struct xhb_pinger *p);

/*
 * ipfail's rule, with hysteresis: true while some live peer reaches more
 * ping nodes than we do (best_peer: the highest wire value among the
 * peers that are up, 0 if none measured), once that has held for the hold
 * time (two ping periods); false again once no peer reaches more for as
 * long. Not measured, on either side: false.
 */
bool xhb_ping_outreached(struct xhb_pinger *p, __u16 best_peer, __u64 now_ns);

#endif /* XHB_PING_H */
