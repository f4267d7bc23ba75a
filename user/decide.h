/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Decision: who should own each resource group, and what this node does
 * about it (acquire, release, keep, nothing) with a named reason. Pure:
 * everything comes in as arguments, so both nodes of a healed partition,
 * given the same view, compute the same owner. xhb_decide() fills one
 * struct xhb_decision per group; the rules are at the top of decide.c.
 *
 * Include <linux/types.h> and <linux/bpf.h> before this header.
 */
#ifndef XHB_DECIDE_H
#define XHB_DECIDE_H

#include <stdbool.h>

#include "config.h" /* enum xhb_auto_failback: off, on, legacy (= on) */
#include "gset.h"
#include "membership.h"

#define XHB_DECIDE_MAX_NODES 64 /* the nodes: XHB_CONFIG_MAX_NODES */

enum xhb_action {
	XHB_ACTION_NONE = 0,
	XHB_ACTION_ACQUIRE,
	XHB_ACTION_RELEASE,
	XHB_ACTION_KEEP,
	XHB_ACTION_MAX,
};

enum xhb_reason {
	XHB_REASON_PREFERRED_NODE = 0,
	XHB_REASON_AUTO_FAILBACK,
	/* it holds the group and nobody outranks it */
	XHB_REASON_CURRENT_OWNER,
	/* several held it (a healed partition): re-announce if kept */
	XHB_REASON_PARTITION_RESOLVED,
	XHB_REASON_TAKEOVER_REQUEST,
	XHB_REASON_STANDBY_REQUEST,
	/* every eligible node refuses it: held anyway */
	XHB_REASON_STANDBY_OVERRIDDEN,
	XHB_REASON_PEER_DEAD,
	XHB_REASON_PEER_LEAVING,
	XHB_REASON_PEER_FAULT,
	XHB_REASON_PEER_STALLED, /* stalled, holds nothing: takes nothing */
	XHB_REASON_PEER_STALLED_HOLDS,
	XHB_REASON_PEER_STARTING, /* in its initdead, holds nothing */
	XHB_REASON_LEASE_EXPIRED,
	XHB_REASON_LOCAL_FAULT,
	XHB_REASON_LEAVING,
	XHB_REASON_INITDEAD,
	XHB_REASON_WAIT_RELEASE, /* ours, once the live holder has let go */
	XHB_REASON_UNHEARD, /* a peer we hear does not hear us */
	XHB_REASON_LOWEST_INDEX,
	XHB_REASON_NO_ELIGIBLE_NODE,
	XHB_REASON_CHECK_FAILED, /* our service check for it fails */
	/* it fails its checks here and no other node may take it: kept */
	XHB_REASON_NO_HEALTHY_NODE,
	XHB_REASON_FEWER_PING_NODES, /* a peer reaches more ping nodes */
	XHB_REASON_NO_QUORUM, /* our partition lacks quorum */
	XHB_REASON_ANYCAST, /* an anycast group: held by every fit node */
	/* not decide's: why a transition happened outside a decision */
	XHB_REASON_ADOPTED, /* a restarted agent found its VIPs up */
	XHB_REASON_RESOURCE_FAILED, /* a step failed: the group is undone */
	XHB_REASON_RELOAD, /* its definition changed */
	XHB_REASON_INTERRUPTED, /* a restarted agent undoes a half-done one */
	XHB_REASON_MAX,
};

/* Flags describing this node. */
#define XHB_SELF_INIT (1U << 0)	   /* initdead running: acquire nothing */
#define XHB_SELF_FAULT (1U << 1)   /* our link is down: release everything */
#define XHB_SELF_LEAVING (1U << 2) /* stopping: release everything */
/* a peer we hear does not hear us (one-way loss): it takes our groups;
 * release everything, take nothing */
#define XHB_SELF_UNHEARD (1U << 3)
/* our partition lacks quorum, no_quorum_policy stop: release everything,
 * take nothing (quorum.h) */
#define XHB_SELF_NO_QUORUM (1U << 4)
/* lacks quorum, no_quorum_policy freeze: keep what we hold, take nothing */
#define XHB_SELF_FROZEN (1U << 5)

/* preferred[g]: placed by weighted rendezvous hashing (place.h) over the
 * nodes that may run g now: haresources' `auto` or a list of nodes */
#define XHB_PLACE_AUTO (-2)

struct xhb_decide_node {
	enum xhb_member_state state; /* ignored for self: from self_flags */
	bool starting; /* it advertised XHB_NODE_INIT; self: XHB_SELF_INIT */
	/* STALLED only: its lease (remaining + RTT + slack) has surely run
	 * out, so its XDP fences its VIPs: treated as dead. Ignored for other
	 * states and for self. */
	bool lease_expired;
	/* judged back up in this very loop (see xhb_member_came_back()):
	 * HEARD after listening, HEALED after we had judged it dead */
	enum xhb_member_return came_back;
	struct xhb_gset held;	 /* it holds these groups (self: we do) */
	struct xhb_gset wanted;	 /* `takeover` asked on that node */
	struct xhb_gset refused; /* `standby` asked on that node */
	__u64 key;	/* XHB_PLACE_AUTO groups: its stable key (its id) */
	__u32 weight;	/* and its weight, 0 = 1 */
};

struct xhb_decide_input {
	unsigned int n_nodes;	 /* 1..XHB_DECIDE_MAX_NODES */
	unsigned int n_groups;	 /* 0..XHB_MAX_GROUPS */
	unsigned int self;	 /* index of this node in nodes[] */
	unsigned int self_flags; /* XHB_SELF_* */
	enum xhb_auto_failback auto_failback;
	/* groups this node's service checks fail (check.h): refused as a
	 * standby is, named check_failed, and kept here (no_healthy_node)
	 * when no other node may take them */
	struct xhb_gset self_unfit;
	/* a live peer reaches more ping nodes than we do (ping.h): every
	 * group refused, named fewer_ping_nodes */
	bool self_outreached;
	/* groups with a VIP on an interface of ours that is down (ifaces.h):
	 * refused, named local_fault */
	struct xhb_gset self_ifaces_down;
	/* anycast groups (announce anycast): not an owner election, every
	 * node that does not refuse one holds it (decide_anycast()) */
	struct xhb_gset anycast;
	/* n_nodes entries, in the same order on every node */
	const struct xhb_decide_node *nodes;
	/* n_groups: node index, -1 for none, or XHB_PLACE_AUTO */
	const int *preferred;
	/* n_groups, for XHB_PLACE_AUTO groups: their stable keys */
	const __u64 *group_keys;
	/* n_groups, bit i: node i may run the group (haresources' list of
	 * nodes); NULL: every node may run every group */
	const __u64 *allowed;
};

struct xhb_decision {
	int owner; /* node index, -1 when nobody can hold the group */
	enum xhb_action action; /* what this node does */
	/* why (for NONE: why the owner owns it); PARTITION_RESOLVED with
	 * announce: we keep it after a partition healed */
	enum xhb_reason reason;
	/* kept, and the segment may point elsewhere (a partition healed, or
	 * a peer came back that may have held it meanwhile): send gratuitous
	 * ARP/NA */
	bool announce;
};

/* Fills out[0..n_groups). Returns 0, or -EINVAL on a malformed input. */
int xhb_decide(const struct xhb_decide_input *in, struct xhb_decision *out);

/* "none", "acquire", "release", "keep". */
const char *xhb_action_name(enum xhb_action action);
/* "preferred_node", "auto_failback", "peer_dead", ...: event fields. */
const char *xhb_reason_name(enum xhb_reason reason);

#endif /* XHB_DECIDE_H */
