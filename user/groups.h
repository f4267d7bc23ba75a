/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * groups: the resource groups this node holds, and the transitions that
 * change that, each a named function doing its steps in a fixed order and
 * saying so in events:
 *
 *   acquire   mark held (peers see it from the first step), then left to
 *             right: fence the address in XDP, add it, announce it; run
 *             start scripts. A failed step undoes the group (release).
 *   release   right to left: stop scripts, remove addresses (then stop
 *             fencing them); mark not held.
 *   adopt     at start: a group whose addresses a previous agent left up
 *             is still ours while that agent's lease runs.
 *
 * It also keeps our lease: the time the agent last wrote xhb_self and for
 * how long, because what we hold is only ours while that lease runs (XDP
 * fences the VIPs once it lapses).
 */
#ifndef XHB_GROUPS_H
#define XHB_GROUPS_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "config.h"
#include "decide.h"
#include "metrics.h"
#include "progress.h"
#include "vip.h"

struct xhb_announce;
struct xhb_events;
struct xhb_ifaces;
struct xhb_nl;

struct xhb_group_state {
	bool held;
	__u64 changed_ns;
	__u32 announce_left; /* gratuitous ARPs / NAs still to send */
	__u64 announce_next_ns;
	struct xhb_group_tally tally; /* transitions, for the metrics */
};

struct xhb_groups {
	const struct xhb_config *cfg;
	struct xhb_events *ev;
	struct xhb_nl *nl;
	struct xhb_announce *ann;
	struct xhb_ifaces *ifaces;
	__u32 held, wanted, refused; /* bitmaps, as on the wire */
	__u64 lease_renewed_ns;	     /* when xhb_self was last written */
	__u64 lease_ns;		     /* the lease written then */
	/*
	 * Scripts run synchronously, and the loop waits: before one runs,
	 * the lease is renewed over its longest run through this hook (the
	 * agent's publish), or XDP would fence our VIPs and a peer take them
	 * meanwhile. Peers see our agent stalled, not dead, until we are back.
	 */
	void (*renew)(void *ctx, __u64 lease_ns);
	void *renew_ctx;
	bool letting_go; /* in xhb_groups_let_go(): never renew */
	struct xhb_progress_file progress; /* loaded by xhb_groups_adopt() */
	bool progress_failed; /* a record could not be written (said once) */
	struct xhb_group_state g[XHB_MAX_GROUPS];
};

/* A script's longest run (timeout + kill grace), and the lease over it. */
#define XHB_GROUPS_SCRIPT_TIMEOUT_MS 30000

/* We hold something and our lease ran out before we renewed it (we were
 * stopped, hung or starved): XDP fences our VIPs, a peer may have them. */
bool xhb_groups_lapsed(const struct xhb_groups *gs, __u64 now_ns);
/* Does group g run scripts (its transitions take seconds, not us)? */
bool xhb_groups_has_scripts(const struct xhb_groups *gs, unsigned int g);

int xhb_groups_acquire(struct xhb_groups *gs, unsigned int g,
		       enum xhb_reason reason, __u64 now_ns);
void xhb_groups_release(struct xhb_groups *gs, unsigned int g,
			enum xhb_reason reason, __u64 now_ns);
void xhb_groups_release_all(struct xhb_groups *gs, enum xhb_reason reason,
			    __u64 now_ns);
/*
 * After our lease lapsed (we were stopped, hung or starved): XDP fences
 * our VIPs and a peer may hold them now. Every address of every group we
 * held goes first, then the scripts stop, right to left; nothing renews
 * the lease meanwhile, since a renewal would lift the fence on addresses
 * still up (a peer would then see us as a stalled holder with a live
 * lease and let go of what it just took). Events: group_release with
 * reason lease_expired.
 */
void xhb_groups_let_go(struct xhb_groups *gs, __u64 now_ns);
/* Kept after a partition or a peer's return: announce again, once per
 * episode; partition_resolved when it healed (decide's reason). */
void xhb_groups_keep(struct xhb_groups *gs, unsigned int g,
		     const struct xhb_decision *d, __u64 now_ns);
/*
 * Adopt what a previous agent left (old: its xhb_self, NULL if none):
 * groups it recorded held (see progress.h) whose addresses are up with
 * our tag, under its lease, which runs until our first renewal. A group
 * it left half acquired or half released is undone (group_release, reason
 * interrupted): the decision takes it again if it should. Past that
 * lease, XDP fenced them and a peer may have taken them: release them
 * first. An older agent that kept no record: groups whose addresses are
 * up are adopted.
 */
void xhb_groups_adopt(struct xhb_groups *gs, const struct xhb_self *old,
		      __u64 now_ns);
/* A reload: groups whose definition changed are released under the old
 * one, then next is in use. */
void xhb_groups_reconfigure(struct xhb_groups *gs, const struct xhb_config *next,
			    __u64 now_ns);
/* Gratuitous ARPs / NAs that are due (never while our lease lapsed). */
void xhb_groups_announce(struct xhb_groups *gs, __u64 now_ns);
/* The earliest announcement due, or UINT64_MAX. */
__u64 xhb_groups_next_announce(const struct xhb_groups *gs);
/* An address was removed from an interface: if it is a VIP we hold and
 * it is really gone, say so (vip_lost) and put it back. */
void xhb_groups_addr_removed(struct xhb_groups *gs, const struct xhb_ipaddr *addr);
/* The same for every address we hold: run every XHB_GROUPS_VERIFY_NS and
 * when the kernel dropped netlink notices (ENOBUFS), since a removal
 * nobody told us of would leave us advertising a VIP we do not serve. */
#define XHB_GROUPS_VERIFY_NS (1000ULL * 1000 * 1000)
void xhb_groups_verify(struct xhb_groups *gs);
/* "IPaddr::172.16.193.30/16/ens192 apache": the group as written. */
void xhb_group_spec(const struct xhb_group *g, char *buf, size_t len);

#endif /* XHB_GROUPS_H */
