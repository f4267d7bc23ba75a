/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Quorum: may the partition this node is in hold groups? Pure, like
 * decide.c: everything comes in as arguments.
 *
 *   - A partition is the nodes this node counts present: itself and the
 *     peers it hears (UP, WARN, STALLED: a stalled node's kernel answers,
 *     it is on our side of any cut). It is quorate when its votes are more
 *     than half of all configured votes (`votes NODE N`, default 1).
 *   - Exactly half (an even split): of two nodes, see below; of more, the
 *     half holding the lowest-index node with a vote is quorate (ha.cf's
 *     order of `node` names): never both halves.
 *   - Two nodes, one alone (its peer dead, or a cut between them: nobody
 *     can tell which). With ping nodes (ha.cf ping, ping_group) it is
 *     quorate when it reaches at least one of them and no fewer than the
 *     peer said it reached before it went silent: a node cut off from its
 *     network loses, the one that still serves clients wins; on a tie
 *     (equal counts, the usual case when the peer died) both may be, as
 *     Heartbeat with ipfail. Without ping nodes it is not quorate, and
 *     no_quorum_policy keep (the default for two nodes without ping
 *     nodes) keeps Heartbeat's behaviour: each half holds what it can.
 *
 * What a node without quorum does is no_quorum_policy's: stop (release
 * everything, take nothing: the default), freeze (keep what it holds,
 * take nothing), keep (as if quorate: Heartbeat).
 */
#ifndef XHB_QUORUM_H
#define XHB_QUORUM_H

#include <stdbool.h>
#include <linux/types.h>

enum xhb_quorum_why {
	XHB_QUORUM_MAJORITY = 0, /* more than half the votes (or fewer) */
	XHB_QUORUM_TIE_LOWEST,	 /* half, decided by the lowest voting node */
	XHB_QUORUM_PING_NODES,	 /* one of two, decided by the ping nodes */
	XHB_QUORUM_TWO_NODES,	 /* one of two, no ping nodes: not quorate */
};

struct xhb_quorum_input {
	unsigned int n_nodes; /* configured, 1..64 */
	unsigned int self;
	const unsigned int *votes; /* n_nodes; NULL: 1 each */
	const bool *present;	   /* n_nodes; self's is taken as true */
	/* two nodes: ping nodes configured, and the counts on the wire
	 * (ping.h: 0 = not measured, else 1 + reached): ours now, the peer's
	 * as last heard */
	bool pings;
	__u16 self_ping, peer_ping;
};

struct xhb_quorum {
	bool quorate;
	unsigned int votes;  /* present */
	unsigned int total;  /* configured */
	unsigned int needed; /* more than half: total / 2 + 1 */
	enum xhb_quorum_why why;
};

struct xhb_quorum xhb_quorum_compute(const struct xhb_quorum_input *in);
const char *xhb_quorum_why_name(enum xhb_quorum_why why);

#endif /* XHB_QUORUM_H */
