/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Membership: what one peer is, judged from a copy of its xhb_peers entry
 * (include/xhb_maps.h) at now_ns. Pure: no I/O, no clock, no globals; the
 * caller keeps the previous verdict and its own loop times and passes them
 * in. xhb_agent_gap_check() tells the agent whether its own loop ran often
 * enough to judge anyone dead (and when to emit `agent_gap`);
 * xhb_member_judge() gives the state, why, and the detection delay.
 *
 * Include <linux/types.h> and <linux/bpf.h> before this header.
 */
#ifndef XHB_MEMBERSHIP_H
#define XHB_MEMBERSHIP_H

#include <stdbool.h>

#include "xhb_maps.h"

enum xhb_member_state {
	XHB_MEMBER_UNKNOWN = 0, /* never heard, initdead still running */
	XHB_MEMBER_UP,
	XHB_MEMBER_WARN, /* no heartbeat for warntime, not dead yet */
	XHB_MEMBER_DEAD,
	XHB_MEMBER_STALLED, /* its XDP answers probes, its agent is gone */
	XHB_MEMBER_LEAVING, /* it announced a graceful stop */
	XHB_MEMBER_FAULT,   /* it announced a local fault */
	XHB_MEMBER_STATE_MAX,
};

/* All in nanoseconds, from ha.cf. */
struct xhb_member_timers {
	__u64 keepalive_ns;
	__u64 warntime_ns;
	__u64 deadtime_ns;
	__u64 initdead_ns;
	__u64 probe_interval_ns; /* ignored when probe_misses is 0 */
	__u32 probe_misses;	 /* 0: no `probe` line, deadtime decides */
};

/*
 * The detection window W: silence on every signal for W makes a peer dead.
 * With `probe I M`: (M + 1) * I, the extra interval absorbing the reply's
 * round trip and our loop's phase; never more than deadtime, which stays
 * the upper bound as in Heartbeat. Without it: deadtime.
 */
__u64 xhb_member_window_ns(const struct xhb_member_timers *t);

/* A peer's agent is stalled after this much silence while its XDP still
 * answers: the window, but at least XHB_MEMBER_STALL_MIN_NS (capped at
 * deadtime), so that scheduling jitter is not called a stall. */
#define XHB_MEMBER_STALL_MIN_NS (250ULL * 1000 * 1000)
__u64 xhb_member_stall_window_ns(const struct xhb_member_timers *t);

/* The period of our probes: probe_interval_ns, or keepalive_ns without a
 * `probe` line (probes then still go every keepalive). */
__u64 xhb_member_probe_period_ns(const struct xhb_member_timers *t);

/*
 * R: a peer's probe replies still flow while the newest is younger than
 * this. With `probe`, W; without, two probe periods (one lost reply is not
 * the end of them), within W. An older reply says that its kernel answered
 * once, not that it still answers: no ground for "stalled".
 */
__u64 xhb_member_reply_window_ns(const struct xhb_member_timers *t);

struct xhb_agent_gap {
	__u64 gap_ns;	       /* since the previous loop iteration */
	__u64 steady_since_ns; /* start of the run this iteration belongs to */
	bool gap; /* a probe slot was missed: emit agent_gap with gap_ns */
	bool may_judge; /* steady for one window: deaths may be declared */
};

/*
 * Call once per loop iteration with the previous iteration's time and
 * steady_since_ns (both the agent's start time on the first call), then
 * store now_ns and the returned steady_since_ns for the next call.
 */
struct xhb_agent_gap xhb_agent_gap_check(__u64 last_loop_ns, __u64 now_ns,
					 __u64 steady_since_ns,
					 const struct xhb_member_timers *t);

struct xhb_member_input {
	struct xhb_peer peer;  /* a copy read with BPF_F_LOCK */
	__u64 now_ns;	       /* CLOCK_BOOTTIME, as bpf_ktime_get_boot_ns() */
	__u64 agent_start_ns;  /* initdead runs from it */
	__u64 last_loop_ns;    /* our previous loop iteration */
	__u64 steady_since_ns; /* as kept for xhb_agent_gap_check() */
	/* listening again since then (our link came back, our lease lapsed:
	 * see xhb_member_listen_ns()), 0 when not */
	__u64 listen_since_ns;
	enum xhb_member_state prev_state; /* UNKNOWN on the first call */
	__u64 prev_since_ns;		  /* when prev_state was entered */
	struct xhb_member_timers timers; /* xhb_member_effective() */
};

struct xhb_member_verdict {
	enum xhb_member_state state;
	bool changed;	    /* state != prev_state: emit peer_<state name> */
	__u64 since_ns;	    /* prev_since_ns if unchanged, else now_ns */
	__u64 detection_ns; /* last sign of life (or our start) -> verdict */
	const char *reason; /* static text for the event */
};

struct xhb_member_verdict xhb_member_judge(const struct xhb_member_input *in);
/* When silence alone would make the peer DEAD (rule 3): its last sign of
 * life + the window it is judged on; 0 when silence decides nothing (it
 * said it leaves or has a fault; never heard: initdead decides). The loop
 * wakes then, not at the probe tick after it. */
__u64 xhb_member_silence_deadline_ns(const struct xhb_member_input *in);

/*
 * Its agent speaks (heartbeats or probes within R) but its XDP has not
 * answered our probes for R, though we have probed it that long: replies
 * are lost on the path (or its driver drops XDP_TX frames). Its death
 * then waits for its lease (see rule 3); say so once (peer_unanswered).
 */
bool xhb_member_unanswered(const struct xhb_peer *p, __u64 now_ns,
			   __u64 probing_since_ns,
			   const struct xhb_member_timers *t);

/*
 * How lossy the path to a peer is, learned as we go: the share of probe
 * periods after which nothing new had come from it for two periods (an
 * EWMA over ~256 periods, in parts per million). With `probe I M`, M misses are enough on a clean
 * link but not at 30% loss, where a live peer is silent for 4 periods in a
 * row every few seconds. xhb_member_misses() gives the misses to wait so
 * that a live peer looks dead about once in 1e9 windows: M on a clean
 * link, ~11 at 30% loss each way, never a window longer than deadtime.
 */
struct xhb_member_loss {
	__u64 last_sign_ns; /* newest sign of life, one period ago */
	__u64 prev_sign_ns; /* ... and two periods ago */
	__u64 next_ns; /* when the current probe period ends */
	__u32 silent_ppm; /* periods with nothing new over the last two */
	__u32 streak; /* silent periods not learnt from yet */
};

/* Once per probe period, with the newest sign of life of the peer. */
void xhb_member_loss_update(struct xhb_member_loss *l, __u64 last_sign_ns);
/*
 * Every loop with the fresh view of a peer: at each probe period's end,
 * xhb_member_loss_update() with its newest sign of life, if we think it
 * alive (a dead or unknown peer teaches nothing about the path).
 */
void xhb_member_loss_observe(struct xhb_member_loss *l,
			     const struct xhb_peer *p,
			     enum xhb_member_state state, __u64 now_ns,
			     const struct xhb_member_timers *t);
/* t->probe_misses adapted to the loss seen (t->probe_misses if 0). */
__u32 xhb_member_misses(const struct xhb_member_loss *l,
			const struct xhb_member_timers *t);

/*
 * A flood at our port: XDP drops junk (forged, replayed, malformed) faster
 * than XHB_MEMBER_FLOOD_JUNK_PER_MS. The peers' genuine packets then wait
 * in the same saturated queues for more than a millisecond window, so
 * while it lasts, and XHB_MEMBER_FLOOD_HOLD_NS after, peers are judged on
 * XHB_MEMBER_FLOOD_WINDOW_NS (within deadtime): an attacker can delay a
 * death verdict, never cause one.
 */
#define XHB_MEMBER_FLOOD_JUNK_PER_MS 20
#define XHB_MEMBER_FLOOD_HOLD_NS (1000ULL * 1000 * 1000)
#define XHB_MEMBER_FLOOD_WINDOW_NS (250ULL * 1000 * 1000)

struct xhb_member_flood {
	__u64 junk;	/* XDP's junk counter at the previous call */
	__u64 seen_ns;	/* ... read then; 0 before the first call */
	__u64 until_ns; /* flooded until then */
};

/* Once per loop with XDP's junk counter: true when a flood begins (say
 * so), with its rate in *junk_pps. */
bool xhb_member_flood_update(struct xhb_member_flood *f, __u64 junk,
			     __u64 now_ns, double *junk_pps);
bool xhb_member_flooded(const struct xhb_member_flood *f, __u64 now_ns);

/* The timers a peer is judged with: misses adapted to the loss seen on
 * its path, and during a flood a window of XHB_MEMBER_FLOOD_WINDOW_NS. */
struct xhb_member_timers
xhb_member_effective(const struct xhb_member_timers *t,
		     const struct xhb_member_loss *l, bool flooded);

/*
 * Listening again: after a local fault or a lapsed lease, what we knew of
 * the peers is stale and one may be taking our groups right now. Every
 * peer goes back to UNKNOWN, and we take nothing for this long (two
 * keepalives, at least a window, within deadtime) unless every peer is
 * heard afresh first; heard means a reply to a probe sent since (its
 * heartbeats may have waited behind an unresolved ARP entry and say what
 * it held then), see xhb_member_judge().
 */
__u64 xhb_member_listen_ns(const struct xhb_member_timers *t);

/*
 * A stalled peer's hold on its groups counts until its lease has surely
 * run out: the remaining lease it last advertised, from when that reached
 * us, plus its RTT and one probe period. A reply saying 0 left came from
 * an XDP that was fencing already. Never advertised: nothing can expire.
 */
bool xhb_member_lease_expired(const struct xhb_peer *p, __u64 now_ns,
			      const struct xhb_member_timers *t);

/* Whether a peer came back in a verdict, for decide's announce rule. */
enum xhb_member_return {
	XHB_MEMBER_STAYED = 0,
	XHB_MEMBER_HEARD,  /* unknown -> up/warn: heard (again) */
	XHB_MEMBER_HEALED, /* dead -> up/warn: a partition healed */
};
enum xhb_member_return xhb_member_came_back(enum xhb_member_state from,
					    enum xhb_member_state to);

/* "up", "warn", "dead", "stalled", "leaving", "fault", "unknown". */
const char *xhb_member_state_name(enum xhb_member_state state);

#endif /* XHB_MEMBERSHIP_H */
