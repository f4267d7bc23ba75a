/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * peers: this node's view of the other nodes, read from what XDP recorded
 * and judged by the membership rules (membership.h), one event per change.
 *
 *   xhb_peers_sync()   one view per configured peer (at start and reload;
 *                      a view whose node id is unchanged is kept)
 *   xhb_peers_judge()  every loop: read each peer merged over the
 *                      interfaces, learn its path's loss, judge it
 *   xhb_peers_listen_again()  forget what we knew (our link came back,
 *                      our lease lapsed): every peer unknown again
 */
#ifndef XHB_PEERS_H
#define XHB_PEERS_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <sys/socket.h>

#include "config.h"
#include "gset.h"
#include "ifaces.h"
#include "membership.h"

struct xhb_events;

struct xhb_peer_view {
	__u32 id; /* 0: this node (no view) */
	enum xhb_member_state state;
	__u64 since_ns;
	/* came back up in the last xhb_peers_judge() (decide announces) */
	enum xhb_member_return came_back;
	bool unanswered; /* see xhb_member_unanswered() */
	struct xhb_peer snap; /* merged over the interfaces */
	/* its groups: page 0 from snap, the others from xhb_peer_groups
	 * (those of snap's incarnation; the newest over the interfaces) */
	struct xhb_gset held, wanted, refused;
	__u64 pages_incarnation; /* snap's when its pages were last read */
	struct xhb_member_loss loss;
	struct xhb_peer_addr where[XHB_MAX_IFACES];
};

struct xhb_peers {
	const struct xhb_config *cfg;
	int self; /* index of this node in cfg->nodes */
	struct xhb_member_flood flood;
	__u64 listen_since_ns; /* listening again since, 0 when not */
	/* pages past 0 of the peers' groups (xhb_peer_groups) are read again
	 * on XDP's news (their count then), or at the latest at this time */
	__u64 pages_news, pages_next_ns;
	/* the earliest time silence alone would make a live peer dead
	 * (xhb_member_silence_deadline_ns()), from the last judgement;
	 * UINT64_MAX: none. The loop wakes then, not at the next tick. */
	__u64 next_verdict_ns;
	struct xhb_peer_view v[XHB_CONFIG_MAX_NODES]; /* by node index */
};

/* Our own loop, as the membership rules need it. */
struct xhb_loop_times {
	__u64 now_ns;
	__u64 start_ns;	       /* the agent's start: initdead */
	__u64 last_loop_ns;    /* the previous iteration */
	__u64 steady_since_ns; /* see xhb_agent_gap_check() */
};

/* The membership timers ha.cf sets. */
struct xhb_member_timers xhb_config_timers(const struct xhb_config *cfg);

/* Views for cfg's nodes; new ones UNKNOWN since now. Entries in every
 * interface's peers map for each; removed nodes' entries go. */
int xhb_peers_sync(struct xhb_peers *ps, const struct xhb_config *cfg,
		   int self, struct xhb_ifaces *fs, __u64 now_ns);
void xhb_peers_judge(struct xhb_peers *ps, struct xhb_ifaces *fs,
		     struct xhb_events *ev, const struct xhb_loop_times *t);
void xhb_peers_listen_again(struct xhb_peers *ps, __u64 now_ns);
/* Every peer heard since we started (or began listening again). */
bool xhb_peers_all_heard(const struct xhb_peers *ps);
/*
 * A peer we hear (up, warn or stalled, for hold_ns at least: one we heard
 * again only lately is a partition healing) said within hold_ns that it
 * does not hear us (one-way loss): it is taking our groups, and our XDP
 * fences our VIPs meanwhile; we must yield. Its index, or -1.
 */
int xhb_peers_unheard_by(const struct xhb_peers *ps, __u64 now_ns, __u64 hold_ns);
/* The timers peer n is judged with now (loss, flood). */
struct xhb_member_timers xhb_peers_timers(const struct xhb_peers *ps,
					  unsigned int n, __u64 now_ns);
/*
 * Whether peer n is probed on interface i with a compact probe
 * (xhb_wire.h): while its XDP's replies there say it takes them and the
 * last came within 1.5 probe periods. One missed (its XDP rolled back to
 * a build that drops them, or any loss) and the next probe is a full one,
 * which every build answers.
 */
bool xhb_peers_compact_probe(const struct xhb_peers *ps, unsigned int n,
			     unsigned int i, __u64 now_ns);
/* Where to probe peer n on interface i: the address its packets came
 * from there and the port they came to, else a ucast line's address and
 * the interface's first medium port (ifaces.h); false when we know none. */
bool xhb_peers_probe_target(const struct xhb_peers *ps, unsigned int n,
			    const struct xhb_ifaces *fs, unsigned int i,
			    struct sockaddr_storage *to);
/* Fill sockaddr with family/address/port. */
void xhb_sockaddr(struct sockaddr_storage *ss, int family, const void *addr,
		  __u16 port);

#endif /* XHB_PEERS_H */
