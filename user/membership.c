// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Membership rules. Signals, all arrival times written by XDP:
 *   - agent packets: last_heartbeat_ns and last_probe_ns. Both are sent by
 *     the peer's agent and pass the same replay check, so a probe it sends
 *     us proves its agent alive as well as a heartbeat does (with `probe`,
 *     it comes every interval while heartbeats come every keepalive).
 *   - probe replies: last_reply_ns, written when its XDP answered us; with
 *     agent_age_us, how long its agent had not written xhb_self then.
 *
 * The judgement, first rule that applies:
 *   1. It advertised LEAVING or FAULT: that. Its last word stands until it
 *      says something else, even if it then falls silent.
 *   2. Never heard: UNKNOWN while initdead runs from our start, then DEAD.
 *   3. Silent on every signal for the window W: DEAD. So a node whose
 *      replies arrive is never dead. W is deadtime for a peer outside the
 *      probe protocol, and for one whose heartbeats still arrive after
 *      its probes and replies stopped (heartbeats_only()): it does not
 *      go WARN between two heartbeats. A death is only as good as its
 *      evidence: silence proves it when its probe replies flowed until its
 *      agent fell silent (its kernel went with it). Without that (replies
 *      lost on the path, XDP_TX frames dropped by a driver or a switch,
 *      or its unicast cut while its broadcast heartbeats still come), a
 *      peer that holds VIPs may be alive, or its kernel may still answer
 *      for them: it stays WARN until deadtime has passed without a
 *      heartbeat and the lease it advertised has surely run out, then DEAD.
 *   4. No agent packet for deadtime and its replies no longer flowing
 *      (none within R, see xhb_member_reply_window_ns()): DEAD. Without a
 *      `probe` line W is deadtime, and a node that died with its link sent
 *      its last reply up to a keepalive after its last heartbeat: at
 *      deadtime that reply is old news, not a kernel still answering.
 *   5. Replies flowing (within R), but its agent silent for S (agent_age_us,
 *      or no agent packet at all) or no agent packet for deadtime: STALLED.
 *      S, the stall window, is W but at least XHB_MEMBER_STALL_MIN_NS
 *      (within deadtime): an agent late by a few milliseconds on a busy
 *      machine is not stalled, and calling it so would only be noise, as
 *      takeover from a stalled holder waits for its lease anyway.
 *   6. No agent packet for warntime: WARN.
 *   7. UP.
 * "No agent packet for T" when none ever came counts from our start, or,
 * within initdead, from its agent's last write if a reply says that came
 * later: its first heartbeat can arrive before our probe is answered
 * (XDP drops it, unconfirmed), and a slow-starting agent writes before it
 * sends. Dying between that and its next heartbeat is then judged from
 * its life, not from our start (which came seconds earlier).
 *
 * Hysteresis, and why there is no more of it:
 *   - Thresholds are inclusive (silence >= W is dead) and W includes one
 *     interval of slack, so replies arriving on time never touch it.
 *   - STALLED is left only on a packet from its agent that arrived after
 *     the verdict. agent_age_us is a reading that hovers around W when the
 *     peer's loop is merely late; only its agent sending proves it is back.
 *   - Other verdicts follow the evidence: leaving DEAD or WARN already
 *     takes a new packet, since the old ones only get older.
 *   - A peer that never answered a probe nor sent one (its XDP is not in
 *     the probe protocol) is judged with deadtime, not W: with heartbeats
 *     only every keepalive, a millisecond W would call it dead between
 *     every two heartbeats.
 *
 * A peer that restarts shows replies before its first heartbeat only if
 * its agent publishes xhb_self before sending: it then reads STALLED (keeps
 * what it holds, takes nothing) until that heartbeat, the safe reading.
 * Agents should send their first heartbeat before publishing xhb_self.
 *
 * Our own gaps: the timestamps stay true while our agent sleeps, but no
 * probe left while it slept, so missing replies prove nothing. A death is
 * declared only after one whole window of steady running (no missed probe
 * slot); until then the previous verdict stands.
 *
 * Listening again (listen_since_ns set): a peer in UNKNOWN leaves it only
 * for DEAD, or on a reply to a probe sent since we began listening.
 * Nothing is ever judged back to UNKNOWN: the previous verdict stands.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>

#include "xhb_wire.h"
#include "membership.h"

#define NEVER UINT64_MAX

/* XDP may write a timestamp between our clock read and our map read: such
 * a packet is as fresh as it gets, not a negative age. */
static __u64 age(__u64 now_ns, __u64 ts_ns)
{
	return ts_ns >= now_ns ? 0 : now_ns - ts_ns;
}

static __u64 max_u64(__u64 a, __u64 b)
{
	return a > b ? a : b;
}

static __u64 min_u64(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/* Silly configured values must saturate, not wrap to a short window. */
static __u64 mul_sat(__u64 a, __u64 b)
{
	__u64 r;

	return __builtin_mul_overflow(a, b, &r) ? NEVER : r;
}

__u64 xhb_member_stall_window_ns(const struct xhb_member_timers *t)
{
	__u64 w = xhb_member_window_ns(t);
	__u64 floor = min_u64(XHB_MEMBER_STALL_MIN_NS, t->deadtime_ns);

	return max_u64(w, floor);
}

__u64 xhb_member_window_ns(const struct xhb_member_timers *t)
{
	if (!t->probe_misses)
		return t->deadtime_ns;
	return min_u64(
	    mul_sat(t->probe_interval_ns, (__u64)t->probe_misses + 1),
	    t->deadtime_ns);
}

__u64 xhb_member_probe_period_ns(const struct xhb_member_timers *t)
{
	return t->probe_misses ? t->probe_interval_ns : t->keepalive_ns;
}

__u64 xhb_member_reply_window_ns(const struct xhb_member_timers *t)
{
	__u64 window = xhb_member_window_ns(t);

	if (t->probe_misses)
		return window;
	return min_u64(mul_sat(t->keepalive_ns, 2), window);
}

/*
 * A loop that runs every period is late by less than one period unless it
 * skipped a probe slot, so a gap is more than two periods between
 * iterations. Polling faster than the period is fine.
 */
struct xhb_agent_gap xhb_agent_gap_check(__u64 last_loop_ns, __u64 now_ns,
					 __u64 steady_since_ns,
					 const struct xhb_member_timers *t)
{
	struct xhb_agent_gap g = {.gap_ns = age(now_ns, last_loop_ns)};

	g.gap = g.gap_ns > mul_sat(xhb_member_probe_period_ns(t), 2);
	g.steady_since_ns = g.gap ? now_ns : steady_since_ns;
	g.may_judge =
	    !g.gap && age(now_ns, g.steady_since_ns) >= xhb_member_window_ns(t);
	return g;
}

static struct xhb_member_verdict verdict(const struct xhb_member_input *in,
					 enum xhb_member_state state,
					 __u64 detection_ns, const char *reason)
{
	struct xhb_member_verdict v = {
	    .state = state,
	    .changed = state != in->prev_state,
	    .detection_ns = detection_ns,
	    .reason = reason,
	};

	v.since_ns = v.changed ? in->now_ns : in->prev_since_ns;
	return v;
}

static struct xhb_member_verdict declare_dead(const struct xhb_member_input *in,
					      __u64 detection_ns,
					      const char *reason)
{
	struct xhb_agent_gap g;

	if (in->prev_state == XHB_MEMBER_DEAD)
		return verdict(in, XHB_MEMBER_DEAD, detection_ns, reason);
	g = xhb_agent_gap_check(in->last_loop_ns, in->now_ns,
				in->steady_since_ns, &in->timers);
	if (!g.may_judge)
		return verdict(in, in->prev_state, 0,
			       "deferred: our agent has not run steadily for a "
			       "detection window");
	return verdict(in, XHB_MEMBER_DEAD, detection_ns, reason);
}

static struct xhb_member_verdict judge(const struct xhb_member_input *in);

/*
 * Its heartbeats arrive but neither its probes nor its replies have for R:
 * its agent lives and speaks, the unicast half of the path does not (its
 * ARP for us fails under one-way loss, or a filter drops unicast). Judged
 * on deadtime, as Heartbeat judges, not on the probe window its heartbeats
 * (a keepalive apart) would fall through between any two.
 */
static bool heartbeats_only(const struct xhb_peer *p,
			    const struct xhb_member_timers *t)
{
	__u64 r = xhb_member_reply_window_ns(t);

	return p->last_heartbeat_ns > p->last_probe_ns + r &&
	       p->last_heartbeat_ns > p->last_reply_ns + r;
}

/* Its replies flowed until its agent fell silent: its silence is death. */
static bool replies_to_the_end(const struct xhb_peer *p,
			       const struct xhb_member_timers *t)
{
	__u64 agent_pkt_ns = max_u64(p->last_heartbeat_ns, p->last_probe_ns);

	return p->last_reply_ns &&
	       p->last_reply_ns + xhb_member_reply_window_ns(t) >= agent_pkt_ns;
}

/*
 * Silent: dead, if the evidence allows it (rule 3). Without replies to the
 * end, a holder may be alive with only its unicast cut (its probes wait on
 * a neighbour entry that never resolves): its heartbeats, a keepalive
 * apart, have not had their say until deadtime, and its kernel may answer
 * for the VIPs until its lease has run out. Dead once both have passed.
 */
static struct xhb_member_verdict silent(const struct xhb_member_input *in,
					__u64 detection_ns, const char *reason)
{
	const struct xhb_peer *p = &in->peer;

	if (in->prev_state != XHB_MEMBER_DEAD &&
	    !replies_to_the_end(p, &in->timers) && p->lease_ms &&
	    (detection_ns < in->timers.deadtime_ns ||
	     !xhb_member_lease_expired(p, in->now_ns, &in->timers)))
		return verdict(in, XHB_MEMBER_WARN, detection_ns,
			       "silent, but its probe replies were not "
			       "flowing: dead once deadtime and its lease "
			       "have run out");
	return declare_dead(in, detection_ns, reason);
}

bool xhb_member_unanswered(const struct xhb_peer *p, __u64 now_ns,
			   __u64 probing_since_ns,
			   const struct xhb_member_timers *t)
{
	__u64 r = xhb_member_reply_window_ns(t);
	__u64 agent_pkt_ns = max_u64(p->last_heartbeat_ns, p->last_probe_ns);

	return age(now_ns, probing_since_ns) >= r && agent_pkt_ns &&
	       age(now_ns, agent_pkt_ns) < r &&
	       (!p->last_reply_ns || age(now_ns, p->last_reply_ns) >= r);
}

/* A reply to a probe sent at or after since_ns. */
static bool answered_since(const struct xhb_peer *p, __u64 since_ns)
{
	return p->last_reply_ns && p->last_reply_ns >= p->rtt_ns &&
	       p->last_reply_ns - p->rtt_ns >= since_ns;
}

struct xhb_member_verdict xhb_member_judge(const struct xhb_member_input *in)
{
	struct xhb_member_verdict v = judge(in);

	if (v.changed && v.state == XHB_MEMBER_UNKNOWN)
		return verdict(in, in->prev_state, 0, "no news");
	if (v.changed && in->listen_since_ns &&
	    in->prev_state == XHB_MEMBER_UNKNOWN && v.state != XHB_MEMBER_DEAD &&
	    !answered_since(&in->peer, in->listen_since_ns))
		return verdict(in, in->prev_state, 0,
			       "listening again: no reply to a probe sent "
			       "since");
	return v;
}

/* When its agent last wrote xhb_self, by its newest reply (0: no reply):
 * a duration measured on the peer, so no clock sync is needed. */
static __u64 agent_wrote_ns(const struct xhb_peer *p)
{
	__u64 agent_age_ns = (__u64)p->agent_age_us * 1000;

	return p->last_reply_ns > agent_age_ns ? p->last_reply_ns - agent_age_ns
					       : 0;
}

/* The window silence is judged on (rule 3): W, or deadtime for a peer
 * outside the probe protocol or heard only by its heartbeats. */
static __u64 judged_window(const struct xhb_peer *p,
			   const struct xhb_member_timers *t)
{
	if ((!p->replies && !p->probes) || heartbeats_only(p, t))
		return t->deadtime_ns;
	return xhb_member_window_ns(t);
}

__u64 xhb_member_silence_deadline_ns(const struct xhb_member_input *in)
{
	const struct xhb_peer *p = &in->peer;
	__u64 last_sign_ns = max_u64(max_u64(p->last_heartbeat_ns, p->last_probe_ns),
				     p->last_reply_ns);

	if (!last_sign_ns || p->state == XHB_NODE_LEAVING ||
	    p->state == XHB_NODE_FAULT)
		return 0;
	return last_sign_ns + judged_window(p, &in->timers);
}

static struct xhb_member_verdict judge(const struct xhb_member_input *in)
{
	const struct xhb_peer *p = &in->peer;
	const struct xhb_member_timers *t = &in->timers;
	__u64 now = in->now_ns;
	__u64 agent_pkt_ns = max_u64(p->last_heartbeat_ns, p->last_probe_ns);
	__u64 reply_ns = p->last_reply_ns;
	__u64 last_sign_ns = max_u64(agent_pkt_ns, reply_ns);
	__u64 window;
	__u64 sign_age, agent_pkt_age, agent_silence, stall_window, listen_ns;
	bool replies_flow;

	if (!last_sign_ns) {
		__u64 listening = age(now, in->agent_start_ns);

		if (listening < t->initdead_ns)
			return verdict(in, XHB_MEMBER_UNKNOWN, 0,
				       "not heard yet, initdead running");
		return declare_dead(in, listening,
				    "never heard within initdead");
	}

	sign_age = age(now, last_sign_ns);
	if (p->state == XHB_NODE_LEAVING)
		return verdict(in, XHB_MEMBER_LEAVING, sign_age,
			       "it announced a graceful stop");
	if (p->state == XHB_NODE_FAULT)
		return verdict(in, XHB_MEMBER_FAULT, sign_age,
			       "it announced a local fault");

	window = judged_window(p, t);
	stall_window = xhb_member_stall_window_ns(t);
	if (sign_age >= window)
		return silent(
		    in, sign_age,
		    "no heartbeat, probe or reply for the detection window");

	/*
	 * Never an agent packet: we have been listening since our start.
	 * Within initdead, since its agent last wrote, if its XDP's newest
	 * reply says that came later: its first heartbeat can come before a
	 * reply proved its life (XDP drops it, unconfirmed), or its agent may
	 * still be starting when ours has listened for deadtime; neither is
	 * a silence of deadtime. Past initdead, a peer never heard from is
	 * judged from our start.
	 */
	listen_ns = in->agent_start_ns;
	if (age(now, listen_ns) < t->initdead_ns)
		listen_ns = max_u64(listen_ns, agent_wrote_ns(p));
	agent_pkt_age = age(now, agent_pkt_ns ? agent_pkt_ns : listen_ns);
	agent_silence = agent_pkt_ns ? agent_pkt_age : NEVER;
	replies_flow =
	    reply_ns && age(now, reply_ns) < xhb_member_reply_window_ns(t);
	if (!replies_flow && agent_pkt_age >= t->deadtime_ns)
		return silent(in, agent_pkt_age,
			      "no heartbeat for deadtime, and its probe "
			      "replies stopped");
	if (replies_flow) {
		agent_silence = min_u64(agent_silence, age(now, agent_wrote_ns(p)));
		if (agent_silence >= stall_window)
			return verdict(
			    in, XHB_MEMBER_STALLED, agent_silence,
			    "its XDP answers probes, its agent stopped");
		if (agent_pkt_age >= t->deadtime_ns)
			return verdict(in, XHB_MEMBER_STALLED, agent_pkt_age,
				       "its XDP answers probes, no heartbeat "
				       "for deadtime");
		if (in->prev_state == XHB_MEMBER_STALLED &&
		    agent_pkt_ns <= in->prev_since_ns)
			return verdict(in, XHB_MEMBER_STALLED, agent_silence,
				       "stalled until its agent sends again");
	}

	if (t->warntime_ns && agent_pkt_age >= t->warntime_ns)
		return verdict(in, XHB_MEMBER_WARN, agent_pkt_age,
			       "no heartbeat for warntime");
	return verdict(in, XHB_MEMBER_UP, 0, "alive");
}

#define LOSS_EWMA_SHIFT 8 /* 1/256 of a period's weight: ~256 periods */
#define FALSE_DEATH_ODDS 1e-9 /* a live peer silent for a whole window */

#define LOSS_STREAK_MAX 16 /* longer silences are outages, not loss */

static void loss_ewma(struct xhb_member_loss *l, __u32 silent)
{
	/* integer EWMA: q += (x - q) / 256 */
	l->silent_ppm = (__u32)((__s64)l->silent_ppm +
				(((__s64)silent - (__s64)l->silent_ppm) >>
				 LOSS_EWMA_SHIFT));
}

void xhb_member_loss_update(struct xhb_member_loss *l, __u64 last_sign_ns)
{
	/*
	 * Silent: nothing new for two periods. Over one, a live peer on a
	 * clean link can look silent now and then, by phase alone (its
	 * probe lands just after our read, our reply just after the next).
	 */
	bool silent = last_sign_ns <= l->prev_sign_ns;

	l->prev_sign_ns = l->last_sign_ns;
	l->last_sign_ns = last_sign_ns;
	/*
	 * A silence is learnt from only once it has ended: while it lasts it
	 * may be a death, and learning from it would widen the very window
	 * that is to declare it (the longer the silence, the later the
	 * verdict). A silence longer than LOSS_STREAK_MAX periods was an
	 * outage, not loss, and counts as that many.
	 */
	if (silent) {
		if (l->streak < LOSS_STREAK_MAX)
			l->streak++;
		return;
	}
	for (; l->streak; l->streak--)
		loss_ewma(l, 1000000);
	loss_ewma(l, 0);
}

void xhb_member_loss_observe(struct xhb_member_loss *l,
			     const struct xhb_peer *p,
			     enum xhb_member_state state, __u64 now_ns,
			     const struct xhb_member_timers *t)
{
	__u64 period = xhb_member_probe_period_ns(t);

	if (now_ns < l->next_ns)
		return;
	if (state != XHB_MEMBER_DEAD && state != XHB_MEMBER_UNKNOWN)
		xhb_member_loss_update(
		    l, max_u64(max_u64(p->last_heartbeat_ns, p->last_probe_ns),
			       p->last_reply_ns));
	l->next_ns += period;
	if (l->next_ns <= now_ns)
		l->next_ns = now_ns + period;
}

__u32 xhb_member_misses(const struct xhb_member_loss *l,
			const struct xhb_member_timers *t)
{
	double q = l->silent_ppm / 1e6, odds = 1;
	__u32 misses = 0, max_misses;

	if (!t->probe_misses || !t->probe_interval_ns)
		return t->probe_misses;
	/* the window (misses + 1) * I stays within deadtime */
	max_misses = t->deadtime_ns / t->probe_interval_ns;
	max_misses = max_misses > 1 ? max_misses - 1 : 1;
	if (q >= 0.999) /* silent for ~all of 256 periods: nothing to learn */
		return min_u64(t->probe_misses, max_misses);
	/* q is the odds of two silent periods in a row: count in pairs */
	while (odds > FALSE_DEATH_ODDS && misses < max_misses) {
		odds *= q;
		misses += 2;
	}
	if (misses < t->probe_misses)
		misses = t->probe_misses;
	return min_u64(misses, max_misses);
}

bool xhb_member_flood_update(struct xhb_member_flood *f, __u64 junk,
			     __u64 now_ns, double *junk_pps)
{
	__u64 elapsed = age(now_ns, f->seen_ns);
	bool begins = false;

	if (f->seen_ns && junk > f->junk &&
	    junk - f->junk > XHB_MEMBER_FLOOD_JUNK_PER_MS *
				 (elapsed / (1000 * 1000) + 1)) {
		begins = !xhb_member_flooded(f, now_ns);
		if (junk_pps)
			*junk_pps = (junk - f->junk) * 1e9 / (elapsed ? elapsed : 1);
		f->until_ns = now_ns + XHB_MEMBER_FLOOD_HOLD_NS;
	}
	f->junk = junk;
	f->seen_ns = now_ns;
	return begins;
}

bool xhb_member_flooded(const struct xhb_member_flood *f, __u64 now_ns)
{
	return now_ns < f->until_ns;
}

struct xhb_member_timers
xhb_member_effective(const struct xhb_member_timers *t,
		     const struct xhb_member_loss *l, bool flooded)
{
	struct xhb_member_timers e = *t;

	e.probe_misses = xhb_member_misses(l, t);
	if (flooded && e.probe_misses && e.probe_interval_ns) {
		__u64 w = min_u64(XHB_MEMBER_FLOOD_WINDOW_NS, t->deadtime_ns);
		__u64 flood_misses = w / e.probe_interval_ns;

		flood_misses = flood_misses > 1 ? flood_misses - 1 : 1;
		if (flood_misses > e.probe_misses)
			e.probe_misses = (__u32)flood_misses;
	}
	return e;
}

__u64 xhb_member_listen_ns(const struct xhb_member_timers *t)
{
	__u64 listen = max_u64(mul_sat(t->keepalive_ns, 2),
			       xhb_member_window_ns(t));

	return min_u64(listen, t->deadtime_ns);
}

bool xhb_member_lease_expired(const struct xhb_peer *p, __u64 now_ns,
			      const struct xhb_member_timers *t)
{
	if (!p->lease_seen_ns)
		return false;
	if (!p->lease_ms)
		return true;
	return now_ns > p->lease_seen_ns + (__u64)p->lease_ms * 1000000ULL +
			    p->rtt_ns + xhb_member_probe_period_ns(t);
}

enum xhb_member_return xhb_member_came_back(enum xhb_member_state from,
					    enum xhb_member_state to)
{
	if (to != XHB_MEMBER_UP && to != XHB_MEMBER_WARN)
		return XHB_MEMBER_STAYED;
	if (from == XHB_MEMBER_DEAD)
		return XHB_MEMBER_HEALED;
	return from == XHB_MEMBER_UNKNOWN ? XHB_MEMBER_HEARD : XHB_MEMBER_STAYED;
}

const char *xhb_member_state_name(enum xhb_member_state state)
{
	static const char *const names[XHB_MEMBER_STATE_MAX] = {
	    [XHB_MEMBER_UNKNOWN] = "unknown", [XHB_MEMBER_UP] = "up",
	    [XHB_MEMBER_WARN] = "warn",	      [XHB_MEMBER_DEAD] = "dead",
	    [XHB_MEMBER_STALLED] = "stalled", [XHB_MEMBER_LEAVING] = "leaving",
	    [XHB_MEMBER_FAULT] = "fault",
	};

	if ((unsigned int)state >= XHB_MEMBER_STATE_MAX)
		return "unknown";
	return names[state];
}
