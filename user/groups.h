/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * groups: the resource groups this node holds, and the transitions that
 * change that. A transition is a state machine the agent's loop drives: it
 * never blocks the loop, so heartbeats, probes, judging and lease renewals
 * go on at their pace while a script runs (transition.c):
 *
 *   acquire   mark held (peers see it from the first step), then left to
 *             right: an address is fenced in XDP, added and announced at
 *             once (netlink is fast); a script's start runs asynchronously,
 *             one at a time, each within its resource_timeout. A failed
 *             step undoes the group (release, its failed start included).
 *   release   right to left: a script's stop runs asynchronously, an
 *             address is removed (then no longer fenced); mark not held
 *             once the last is done. A release asked while the group
 *             starts kills the start under way, then stops what started.
 *   stop_failed  a stop failed (stop_failed_policy block): the group stays
 *             held, blocked, its addresses removed, until `xhbctl cleanup`
 *             runs the stop again; peers never take it meanwhile.
 *   adopt     at start: a group whose addresses a previous agent left up
 *             is still ours while that agent's lease runs.
 *
 * Phases: idle -> starting -> started -> stopping -> idle, and stopping ->
 * stop_failed -> (cleanup) stopping. One transition of a group at a time:
 * an acquire asked while it stops waits for the stop to end.
 *
 * The agent calls, each loop: xhb_groups_pollfds() into its ppoll() set,
 * xhb_groups_wait_ns() into its timeout, then xhb_groups_step() with the
 * revents.
 *
 * It also keeps our lease: the time the agent last wrote xhb_self and for
 * how long, because what we hold is only ours while that lease runs (XDP
 * fences the VIPs once it lapses).
 */
#ifndef XHB_GROUPS_H
#define XHB_GROUPS_H

#include <poll.h>
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
struct xhb_resource_run;

enum xhb_group_phase {
	XHB_GROUP_IDLE = 0,	/* not held */
	XHB_GROUP_STARTING,	/* acquiring: resources left to right */
	XHB_GROUP_STARTED,	/* held, everything started */
	XHB_GROUP_STOPPING,	/* releasing: resources right to left */
	XHB_GROUP_STOP_FAILED,	/* a stop failed: blocked until cleanup */
};

struct xhb_group_state {
	/* claimed: bit g of groups_held on the wire. From the first step of
	 * an acquire to the last of a release, and while stop_failed, except
	 * once our lease lapsed (xhb_groups_let_go()): a peer may hold it */
	bool held;
	enum xhb_group_phase phase;
	__u64 changed_ns; /* of held */
	__u32 announce_left; /* gratuitous ARPs / NAs still to send */
	__u64 announce_next_ns;
	struct xhb_group_tally tally; /* transitions, for the metrics */
	/* the transition under way, or the last one */
	enum xhb_reason reason;
	__u64 began_ns;
	/* starting: the resource being started; stopping: resources
	 * [0, next) are left to stop */
	unsigned int next;
	__u32 up; /* bit r: resource r is (or may be) started */
	struct xhb_resource_run *run; /* the script under way, or NULL */
	bool aborting; /* run is a start killed for a release */
	unsigned int failed; /* stop_failed: the resource whose stop failed */
	/* routing mode (announce route): the metric of its host routes, and
	 * when a takeover's metric goes back to the usual one (0: never) */
	__u32 route_metric;
	__u64 route_demote_ns;
	/* the group as it was when a reload changed it: its transitions end
	 * under it (NULL: the configuration's) */
	struct xhb_group *def;
	/* fenced_standby: bit r: address resource r is staged here
	 * (configured, its entry XHB_VIP_STAGED: groups_stage.c); one that
	 * could not be staged (said once) */
	__u32 staged, stage_failed;
};

struct xhb_groups {
	const struct xhb_config *cfg;
	struct xhb_events *ev;
	struct xhb_nl *nl;
	struct xhb_announce *ann;
	struct xhb_ifaces *ifaces;
	struct xhb_gset held, wanted, refused; /* as on the wire */
	struct xhb_gset blocked; /* stop_failed groups: refused on the wire too */
	__u64 lease_renewed_ns;	     /* when xhb_self was last written */
	__u64 lease_ns;		     /* the lease written then */
	struct xhb_progress_file progress; /* loaded by xhb_groups_adopt() */
	bool progress_failed; /* a record could not be written (said once) */
	struct xhb_group_state g[XHB_MAX_GROUPS];
	/* between xhb_groups_batch_begin() and _end(): records are noted,
	 * written once, and each group's next address waits in queued */
	bool batching;
	unsigned int nqueued;
	struct xhb_group_queued {
		unsigned int g, r;
		bool del; /* a release's removal, else an acquire's add */
		struct xhb_vip vip;
	} queued[XHB_MAX_GROUPS];
	__u64 announce_resume_ns; /* announcements paused until (a burst) */
	unsigned int burst; /* a batch's first announcements sent at once */
	/* in xhb_groups_adopt(): an address up by the records may be gone */
	bool adopting;
	/* groups whose announce_left is not 0: the scans skipped without */
	unsigned int announcing;
	/* a batch's events wait (xhb_events__hold()) until its groups' first
	 * announcements are all out: writing them would delay the next burst */
	bool events_held;
	/* groups [0, span) may be other than idle, with the configuration's:
	 * the most an earlier configuration had (xhb_groups_span()) */
	unsigned int span;
	/* interfaces by name, looked up once a batch or a round of
	 * announcements (not once a group) */
	bool names_cached;
	unsigned int nifcache;
	struct {
		char name[IFNAMSIZ];
		int ifindex;
	} ifcache[8];
};

/*
 * Many transitions at once (a peer died holding many groups, or our link
 * went down under them): between begin and end, xhb_groups_acquire() and
 * _release() record and fence as always but queue each group's address;
 * end writes the releases' records, removes then adds every queued
 * address with one netlink batch each (xhb_nl__vip_del_many(),
 * _add_many()), sends the first gratuitous ARPs / NAs of the addresses
 * added, writes the acquires' records, then each group goes on as after
 * its own step (its scripts; a further address of a group is queued for
 * the next round). A takeover of N groups costs N map writes and a few
 * netlink datagrams, not N round trips and 2N file writes, and its first
 * announcements wait for nothing but the addresses.
 */
void xhb_groups_batch_begin(struct xhb_groups *gs);
void xhb_groups_batch_end(struct xhb_groups *gs, __u64 now_ns);
/* Gratuitous ARPs / NAs sent in one burst at most; the rest follow after
 * XHB_ANNOUNCE_PAUSE_NS, so that a takeover of many groups does not
 * overflow the interface's queue (or the switch's). */
#define XHB_ANNOUNCE_BURST 256
#define XHB_ANNOUNCE_PAUSE_NS (1000ULL * 1000)

/* The groups the loop looks at: the configuration's, and those of an
 * earlier, larger one (a reload releases them under their old definition):
 * a loop over 1024 states each wake-up costs a node of 2 groups nothing. */
static inline unsigned int xhb_groups_span(const struct xhb_groups *gs)
{
	unsigned int n = gs->cfg && gs->cfg->ngroups > gs->span ? gs->cfg->ngroups
								: gs->span;

	return n < XHB_MAX_GROUPS ? n : XHB_MAX_GROUPS;
}

/* We hold something and our lease ran out before we renewed it (we were
 * stopped, hung or starved): XDP fences our VIPs, a peer may have them. */
bool xhb_groups_lapsed(const struct xhb_groups *gs, __u64 now_ns);
/*
 * Begin acquiring group g: 0, or -EBUSY when it is not idle (it stops, or
 * a stop failed: decide asks again once it is over). A group without
 * scripts is acquired before this returns. Event group_acquire once
 * every resource started.
 */
int xhb_groups_acquire(struct xhb_groups *gs, unsigned int g,
		       enum xhb_reason reason, __u64 now_ns);
/* Begin releasing group g: nothing to do when it is idle, stopping or
 * stop_failed; a start under way is killed first. Event group_release
 * once the last resource stopped. */
void xhb_groups_release(struct xhb_groups *gs, unsigned int g,
			enum xhb_reason reason, __u64 now_ns);
/*
 * After our lease lapsed (we were stopped, hung or starved): XDP fences
 * our VIPs and a peer may hold them now. Every address of every group we
 * held goes at once, and we claim none of them from here on: renewing
 * our lease while saying we hold them would lift the fence (a peer would
 * see us as a live holder and let go of what it just took). Their scripts
 * then stop, right to left, as any release; events group_release with
 * reason lease_expired. A stop_failed group stays blocked, unclaimed.
 */
void xhb_groups_let_go(struct xhb_groups *gs, __u64 now_ns);
/* `xhbctl cleanup`: the stop_failed groups of which run their failed stop
 * again, then the rest of their release. Returns the groups it began. */
struct xhb_gset xhb_groups_cleanup(struct xhb_groups *gs,
				   struct xhb_gset which, __u64 now_ns);
/* Groups in a transition (starting or stopping). */
struct xhb_gset xhb_groups_busy(const struct xhb_groups *gs);
/* Fill pfd (room for 2 per group): the number of entries. */
unsigned int xhb_groups_pollfds(const struct xhb_groups *gs, struct pollfd *pfd);
/* How long the agent may sleep before xhb_groups_step() is due. */
__u64 xhb_groups_wait_ns(const struct xhb_groups *gs);
/* Take in the scripts that ended or timed out, start the next steps.
 * pfd: what xhb_groups_pollfds() filled, with revents. */
void xhb_groups_step(struct xhb_groups *gs, const struct pollfd *pfd,
		     unsigned int n, __u64 now_ns);
/* Scripts still running are killed and reaped (the agent exits). */
void xhb_groups_close(struct xhb_groups *gs);
/* The groups held here with every resource started (phase started):
 * where a resource check may run. */
struct xhb_gset xhb_groups_started(const struct xhb_groups *gs);

/* "idle", "starting", "started", "stopping", "stop_failed". */
const char *xhb_group_phase_name(enum xhb_group_phase phase);
/* The definition group g runs under (see def above). */
const struct xhb_group *xhb_groups_def(const struct xhb_groups *gs,
				       unsigned int g);
/* Kept after a partition or a peer's return: announce again, once per
 * episode; partition_resolved when it healed (decide's reason). */
void xhb_groups_keep(struct xhb_groups *gs, unsigned int g,
		     const struct xhb_decision *d, __u64 now_ns);
/*
 * Adopt what a previous agent left (old: its xhb_self, NULL if none):
 * groups it recorded held (see progress.h) whose addresses are up with
 * our tag, under its lease, which runs until our first renewal. A group
 * it left half acquired or half released is undone (group_release, reason
 * interrupted; held until its scripts stopped): the decision takes it
 * again if it should. A group it left stop_failed stays so (blocked, no
 * address up; group_stop_failed with adopted). Past that lease, XDP
 * fenced them and a peer may have taken them: let go of them first. An
 * older agent that kept no record: groups whose addresses are up are
 * adopted. An address the previous agent staged (its xhb_vips entry says
 * so) is staged still, never taken for held.
 */
void xhb_groups_adopt(struct xhb_groups *gs, const struct xhb_self *old,
		      __u64 now_ns);
/* A reload: next is in use from now on; groups whose definition changed
 * are released under the old one, which they keep until then. */
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
/* fenced_standby (groups_stage.c): each address of the groups we neither
 * hold nor move staged here, those staged already left (at start, after
 * a reload, and from xhb_groups_verify(): one that went is staged
 * again); and every staged address removed (the agent stops, after its
 * releases: no staged address outlives the agent that fences it). */
void xhb_groups_stage(struct xhb_groups *gs);
void xhb_groups_unstage_all(struct xhb_groups *gs);
/* "IPaddr::172.16.193.30/16/ens192 apache": the group as written. */
void xhb_group_spec(const struct xhb_group *g, char *buf, size_t len);

#endif /* XHB_GROUPS_H */
