// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Membership verdicts (user/membership.h): one table of cases at the edges
 * of warntime, deadtime, the probe window and initdead, plus our own
 * scheduling gaps. */
#include <criterion/criterion.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <string.h>

#include "xhb_wire.h"
#include "membership.h"

#define US(x) ((__u64)(x)*1000ULL)
#define MS(x) ((__u64)(x)*1000000ULL)
#define SEC(x) ((__u64)(x)*1000000000ULL)

/* Times in the table are "how long ago"; 0 stays "never" or "default". */
#define AGO(x) ((x) + 1)

#define START_NS SEC(1000) /* our agent's start */

/* The lab's ha.cf (keepalive 2, warntime 6, deadtime 10, initdead 60),
 * with `probe 1ms 3` or without: W is 4 ms or 10 s. */
static const struct xhb_member_timers lab_timers = {
    .keepalive_ns = SEC(2),
    .warntime_ns = SEC(6),
    .deadtime_ns = SEC(10),
    .initdead_ns = SEC(60),
};

static const struct xhb_member_timers fast_timers = {
    .keepalive_ns = SEC(2),
    .warntime_ns = SEC(6),
    .deadtime_ns = SEC(10),
    .initdead_ns = SEC(60),
    .probe_interval_ns = MS(1),
    .probe_misses = 3,
};

struct member_case {
	const char *name;
	bool fast;		/* probe 1ms 3 */
	__u64 uptime;		/* since our start; 0: 100 s */
	__u64 hb, probe, reply; /* AGO(), 0: never */
	__u32 agent_age_us;
	__u8 advertised;	    /* enum xhb_node_state, 0: ACTIVE */
	__u64 loop;		    /* previous iteration, ago; 0: 500 us */
	__u64 steady;		    /* steady run began, ago; 0: at our start */
	enum xhb_member_state prev; /* entered prev_ago ago; 0: UNKNOWN */
	__u64 prev_ago;
	enum xhb_member_state want;
	__u64 detection; /* AGO() of the expected detection delay; 0: any */
	__u32 lease_ms;	 /* the lease it advertised, ... */
	__u64 lease_seen; /* ... that long ago (AGO()) */
};

static const struct member_case member_cases[] = {
    /* initdead */
    {"unknown_within_initdead", .uptime = SEC(30), .want = XHB_MEMBER_UNKNOWN},
    {"unknown_just_before_initdead", .uptime = SEC(60) - 1,
     .want = XHB_MEMBER_UNKNOWN},
    {"dead_at_initdead_never_heard", .uptime = SEC(60), .want = XHB_MEMBER_DEAD,
     .detection = AGO(SEC(60))},
    {"heard_during_initdead_is_up", .uptime = SEC(5), .hb = AGO(SEC(1)),
     .want = XHB_MEMBER_UP},

    /* deadtime decides (no probe line); heartbeats only */
    {"up_fresh_heartbeat", .hb = AGO(MS(10)), .prev = XHB_MEMBER_UP,
     .want = XHB_MEMBER_UP},
    {"up_just_before_warntime", .hb = AGO(SEC(6) - 1), .prev = XHB_MEMBER_UP,
     .want = XHB_MEMBER_UP},
    {"warn_at_warntime", .hb = AGO(SEC(6)), .prev = XHB_MEMBER_UP,
     .want = XHB_MEMBER_WARN, .detection = AGO(SEC(6))},
    {"warn_just_before_deadtime", .hb = AGO(SEC(10) - 1),
     .prev = XHB_MEMBER_WARN, .prev_ago = SEC(4), .want = XHB_MEMBER_WARN},
    {"dead_at_deadtime", .hb = AGO(SEC(10)), .prev = XHB_MEMBER_WARN,
     .prev_ago = SEC(4), .want = XHB_MEMBER_DEAD, .detection = AGO(SEC(10))},
    {"up_again_after_dead", .hb = AGO(MS(1)), .prev = XHB_MEMBER_DEAD,
     .prev_ago = SEC(30), .want = XHB_MEMBER_UP},
    {"warn_clears_on_new_heartbeat", .hb = AGO(MS(1)), .prev = XHB_MEMBER_WARN,
     .prev_ago = SEC(1), .want = XHB_MEMBER_UP},

    /* deadtime decides; probe replies still come every keepalive */
    {"replies_keep_warned_peer_alive", .hb = AGO(SEC(9)), .reply = AGO(SEC(1)),
     .agent_age_us = 100, .prev = XHB_MEMBER_WARN, .want = XHB_MEMBER_WARN},
    {"replies_only_for_deadtime_stalled", .hb = AGO(SEC(10)),
     .reply = AGO(SEC(1)), .agent_age_us = 100, .prev = XHB_MEMBER_WARN,
     .want = XHB_MEMBER_STALLED, .detection = AGO(SEC(10))},
    {"replies_with_old_agent_age_stalled", .uptime = SEC(20),
     .reply = AGO(SEC(1)), .agent_age_us = 9000000, .prev = XHB_MEMBER_UP,
     .want = XHB_MEMBER_STALLED, .detection = AGO(SEC(10))},
    {"heartbeat_newer_than_agent_age_wins", .hb = AGO(SEC(3)),
     .reply = AGO(SEC(1)), .agent_age_us = 9000000, .prev = XHB_MEMBER_UP,
     .want = XHB_MEMBER_UP},
    {"replies_flowing_never_dead", .hb = AGO(SEC(300)), .reply = AGO(SEC(2)),
     .agent_age_us = 300000000, .prev = XHB_MEMBER_STALLED,
     .prev_ago = SEC(200), .want = XHB_MEMBER_STALLED},
    {"replies_flow_within_two_keepalives", .hb = AGO(SEC(300)),
     .reply = AGO(SEC(4) - 1), .agent_age_us = 300000000,
     .prev = XHB_MEMBER_STALLED, .prev_ago = SEC(200),
     .want = XHB_MEMBER_STALLED},
    {"replies_stopped_two_keepalives_ago_dead", .hb = AGO(SEC(300)),
     .reply = AGO(SEC(4)), .agent_age_us = 300000000,
     .prev = XHB_MEMBER_STALLED, .prev_ago = SEC(200),
     .want = XHB_MEMBER_DEAD, .detection = AGO(SEC(300))},
    /* The seed's failure: heartbeats stopped 10 s ago, the last reply came
     * 60 ms after the last heartbeat (its agent had written 2 s before).
     * That reply is no kernel still answering: dead, not stalled. */
    {"link_died_reply_after_last_heartbeat_dead", .hb = AGO(SEC(10)),
     .reply = AGO(SEC(10) - MS(60)), .agent_age_us = 2000000,
     .prev = XHB_MEMBER_WARN, .prev_ago = SEC(4), .want = XHB_MEMBER_DEAD,
     .detection = AGO(SEC(10))},
    {"link_died_reply_a_keepalive_after_heartbeat_dead", .hb = AGO(SEC(10)),
     .reply = AGO(SEC(8)), .agent_age_us = 2000000, .prev = XHB_MEMBER_WARN,
     .prev_ago = SEC(4), .want = XHB_MEMBER_DEAD, .detection = AGO(SEC(10))},
    {"replies_stop_too_dead", .hb = AGO(SEC(300)), .reply = AGO(SEC(10)),
     .agent_age_us = 300000000, .prev = XHB_MEMBER_STALLED,
     .prev_ago = SEC(200), .want = XHB_MEMBER_DEAD, .detection = AGO(SEC(10))},
    {"replies_before_first_heartbeat_up", .uptime = SEC(3), .reply = AGO(MS(1)),
     .agent_age_us = 100, .want = XHB_MEMBER_UP},
    {"replies_but_no_heartbeat_since_start_stalled", .uptime = SEC(70),
     .reply = AGO(MS(1)), .agent_age_us = 100, .want = XHB_MEMBER_STALLED,
     .detection = AGO(SEC(70))},
    /* Within initdead, a peer never heard by heartbeat is judged from
     * when its agent last wrote, by its XDP's reply: its first heartbeat
     * came before our probe was answered (dropped, unconfirmed), then it
     * died 7.1 s ago; we started 10 s ago. Warn, not dead ... */
    {"first_heartbeat_unconfirmed_then_died_warn", .uptime = SEC(10),
     .reply = AGO(SEC(7)), .agent_age_us = 100000, .want = XHB_MEMBER_WARN},
    /* ... dead once deadtime has passed since its agent's last write */
    {"first_heartbeat_unconfirmed_then_died_dead", .uptime = SEC(13),
     .reply = AGO(SEC(10)), .agent_age_us = 0, .want = XHB_MEMBER_DEAD,
     .detection = AGO(SEC(10))},
    /* its agent is starting (slowly: under valgrind, a loaded machine) and
     * writes; its XDP answers; no heartbeat yet after our deadtime */
    {"peer_starting_within_initdead_not_stalled", .uptime = SEC(10),
     .reply = AGO(MS(1)), .agent_age_us = 100, .want = XHB_MEMBER_UP},

    /* probe 1ms 3: W = (3 + 1) * 1 ms */
    {"fast_up", .fast = true, .hb = AGO(SEC(1)), .probe = AGO(US(500)),
     .reply = AGO(US(300)), .agent_age_us = 200, .prev = XHB_MEMBER_UP,
     .want = XHB_MEMBER_UP},
    {"fast_up_after_m_intervals", .fast = true, .hb = AGO(SEC(1)),
     .probe = AGO(MS(3)), .reply = AGO(MS(3)), .agent_age_us = 200,
     .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_UP},
    {"fast_up_just_before_window", .fast = true, .hb = AGO(SEC(1)),
     .probe = AGO(MS(4) - 1), .reply = AGO(MS(4) - 1), .agent_age_us = 0,
     .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_UP},
    {"fast_dead_at_window", .fast = true, .hb = AGO(SEC(1)),
     .probe = AGO(MS(4)), .reply = AGO(MS(4)), .agent_age_us = 200,
     .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_DEAD, .detection = AGO(MS(4))},
    {"fast_heartbeat_alone_keeps_alive", .fast = true, .hb = AGO(MS(2)),
     .probe = AGO(MS(50)), .reply = AGO(MS(50)), .prev = XHB_MEMBER_UP,
     .want = XHB_MEMBER_UP},
    /* The stall window is 250 ms, not W: jitter is not a stall. */
    {"fast_agent_late_beyond_window_not_stalled", .fast = true,
     .hb = AGO(SEC(1)), .reply = AGO(US(500)), .agent_age_us = 3500,
     .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_UP},
    {"fast_agent_age_just_below_stall_window", .fast = true,
     .hb = AGO(SEC(1)), .reply = AGO(US(500)), .agent_age_us = 249499,
     .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_UP},
    {"fast_stalled_at_stall_window", .fast = true, .hb = AGO(SEC(1)),
     .reply = AGO(US(500)), .agent_age_us = 249500, .prev = XHB_MEMBER_UP,
     .want = XHB_MEMBER_STALLED, .detection = AGO(MS(250))},
    {"fast_its_probes_prove_agent_alive", .fast = true, .hb = AGO(SEC(1)),
     .probe = AGO(US(100)), .reply = AGO(US(500)), .agent_age_us = 3500,
     .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_UP},
    {"fast_stalled_holds_on_fresh_agent_age", .fast = true, .hb = AGO(SEC(1)),
     .reply = AGO(US(500)), .agent_age_us = 100, .prev = XHB_MEMBER_STALLED,
     .prev_ago = MS(2), .want = XHB_MEMBER_STALLED},
    {"fast_stalled_left_on_agent_packet", .fast = true, .hb = AGO(SEC(1)),
     .probe = AGO(US(100)), .reply = AGO(US(500)), .agent_age_us = 100,
     .prev = XHB_MEMBER_STALLED, .prev_ago = MS(2), .want = XHB_MEMBER_UP},
    {"fast_not_in_probe_protocol_uses_deadtime", .fast = true,
     .hb = AGO(SEC(2)), .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_UP},
    {"fast_not_in_probe_protocol_dead_at_deadtime", .fast = true,
     .hb = AGO(SEC(10)), .prev = XHB_MEMBER_WARN, .want = XHB_MEMBER_DEAD,
     .detection = AGO(SEC(10))},

    /* a death is only as good as its evidence: replies flowing to the end */
    {"replies_to_the_end_holder_dead_at_window", .fast = true,
     .hb = AGO(SEC(1)), .probe = AGO(MS(4)), .reply = AGO(MS(4)),
     .lease_ms = 500, .lease_seen = AGO(MS(4)), .prev = XHB_MEMBER_UP,
     .want = XHB_MEMBER_DEAD, .detection = AGO(MS(4))},
    {"never_answered_holder_waits_for_its_lease", .fast = true,
     .hb = AGO(SEC(1)), .probe = AGO(MS(4)), .lease_ms = 500,
     .lease_seen = AGO(MS(4)), .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_WARN},
    /* lease run out, but its heartbeats (a keepalive apart) may still
     * come: its unicast alone may be cut (one-way loss, its ARP for us) */
    {"never_answered_holder_lease_ran_out_waits_for_deadtime", .fast = true,
     .hb = AGO(SEC(1)), .probe = AGO(MS(502)), .lease_ms = 500,
     .lease_seen = AGO(MS(502)), .prev = XHB_MEMBER_WARN,
     .want = XHB_MEMBER_WARN},
    {"never_answered_holder_dead_at_deadtime_lease_ran_out", .fast = true,
     .hb = AGO(SEC(10)), .probe = AGO(SEC(10)), .lease_ms = 500,
     .lease_seen = AGO(SEC(10)), .prev = XHB_MEMBER_WARN,
     .want = XHB_MEMBER_DEAD, .detection = AGO(SEC(10))},
    {"unicast_cut_holder_waits_for_its_heartbeats", .fast = true,
     .hb = AGO(MS(1500)), .probe = AGO(MS(1200)), .reply = AGO(SEC(3)),
     .lease_ms = 1000, .lease_seen = AGO(MS(1200)), .prev = XHB_MEMBER_WARN,
     .want = XHB_MEMBER_WARN},
    {"replies_stopped_before_agent_holder_waits", .fast = true,
     .hb = AGO(SEC(1)), .probe = AGO(MS(5)), .reply = AGO(MS(100)),
     .lease_ms = 500, .lease_seen = AGO(MS(5)), .prev = XHB_MEMBER_UP,
     .want = XHB_MEMBER_WARN},
    {"never_answered_holding_nothing_dead_at_window", .fast = true,
     .hb = AGO(SEC(1)), .probe = AGO(MS(4)), .prev = XHB_MEMBER_UP,
     .want = XHB_MEMBER_DEAD, .detection = AGO(MS(4))},
    {"never_answered_holder_without_probe_line_waits", .hb = AGO(SEC(10)),
     .probe = AGO(SEC(10)), .lease_ms = 20000, .lease_seen = AGO(SEC(10)),
     .prev = XHB_MEMBER_WARN, .prev_ago = SEC(4), .want = XHB_MEMBER_WARN},

    /* heartbeats arrive, probes and replies stopped (one-way loss: its ARP
     * for us fails): its agent lives, judged on deadtime */
    {"heartbeats_only_judged_on_deadtime", .fast = true, .hb = AGO(MS(500)),
     .probe = AGO(SEC(3)), .reply = AGO(SEC(3)), .prev = XHB_MEMBER_UP,
     .want = XHB_MEMBER_UP},
    {"heartbeats_only_dead_at_deadtime", .fast = true, .hb = AGO(SEC(10)),
     .probe = AGO(SEC(13)), .reply = AGO(SEC(13)), .prev = XHB_MEMBER_WARN,
     .want = XHB_MEMBER_DEAD, .detection = AGO(SEC(10))},
    {"heartbeat_just_after_last_probe_is_not_this", .fast = true,
     .hb = AGO(MS(4)), .probe = AGO(MS(5)), .reply = AGO(MS(5)),
     .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_DEAD, .detection = AGO(MS(4))},

    /* our own scheduling */
    {"gap_suppresses_death", .fast = true, .hb = AGO(SEC(1)),
     .probe = AGO(MS(20)), .reply = AGO(MS(20)), .loop = MS(15),
     .prev = XHB_MEMBER_UP, .prev_ago = SEC(50), .want = XHB_MEMBER_UP},
    {"gap_of_two_periods_is_not_a_gap", .fast = true, .hb = AGO(SEC(1)),
     .probe = AGO(MS(5)), .reply = AGO(MS(5)), .loop = MS(2),
     .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_DEAD},
    {"gap_just_over_two_periods", .fast = true, .hb = AGO(SEC(1)),
     .probe = AGO(MS(5)), .reply = AGO(MS(5)), .loop = MS(2) + 1,
     .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_UP},
    {"steady_less_than_window_suppresses", .fast = true, .hb = AGO(SEC(1)),
     .probe = AGO(MS(5)), .reply = AGO(MS(5)), .steady = MS(4) - 1,
     .prev = XHB_MEMBER_WARN, .want = XHB_MEMBER_WARN},
    {"steady_one_window_may_judge", .fast = true, .hb = AGO(SEC(1)),
     .probe = AGO(MS(5)), .reply = AGO(MS(5)), .steady = MS(4),
     .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_DEAD},
    {"gap_keeps_dead_dead", .hb = AGO(SEC(30)), .loop = SEC(20),
     .prev = XHB_MEMBER_DEAD, .prev_ago = SEC(20), .want = XHB_MEMBER_DEAD},
    {"gap_does_not_hide_stall", .fast = true, .hb = AGO(SEC(1)),
     .reply = AGO(US(100)), .agent_age_us = 300000, .loop = MS(30),
     .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_STALLED},
    {"gap_defers_never_heard", .uptime = SEC(61), .loop = SEC(5),
     .want = XHB_MEMBER_UNKNOWN},

    /* what it says of itself */
    {"leaving_announced", .hb = AGO(MS(1)), .advertised = XHB_NODE_LEAVING,
     .prev = XHB_MEMBER_UP, .want = XHB_MEMBER_LEAVING},
    {"leaving_then_silent_stays_leaving", .hb = AGO(SEC(60)),
     .advertised = XHB_NODE_LEAVING, .prev = XHB_MEMBER_LEAVING,
     .prev_ago = SEC(60), .want = XHB_MEMBER_LEAVING},
    {"fault_announced", .fast = true, .hb = AGO(MS(1)), .reply = AGO(MS(1)),
     .advertised = XHB_NODE_FAULT, .prev = XHB_MEMBER_UP,
     .want = XHB_MEMBER_FAULT},
    {"init_is_up", .hb = AGO(MS(1)), .advertised = XHB_NODE_INIT,
     .want = XHB_MEMBER_UP},
};

static struct xhb_member_input input_of(const struct member_case *c)
{
	__u64 now = START_NS + (c->uptime ? c->uptime : SEC(100));
	struct xhb_member_input in = {
	    .now_ns = now,
	    .agent_start_ns = START_NS,
	    .last_loop_ns = now - (c->loop ? c->loop : US(500)),
	    .steady_since_ns = c->steady ? now - c->steady : START_NS,
	    .prev_state = c->prev,
	    .prev_since_ns = now - (c->prev_ago ? c->prev_ago : SEC(10)),
	    .timers = c->fast ? fast_timers : lab_timers,
	};
	struct xhb_peer *p = &in.peer;

	p->node_id = 2;
	p->last_heartbeat_ns = c->hb ? now - (c->hb - 1) : 0;
	p->last_probe_ns = c->probe ? now - (c->probe - 1) : 0;
	p->last_reply_ns = c->reply ? now - (c->reply - 1) : 0;
	p->heartbeats = !!c->hb;
	p->probes = !!c->probe;
	p->replies = !!c->reply;
	p->agent_age_us = c->agent_age_us;
	p->state = c->advertised ? c->advertised : XHB_NODE_ACTIVE;
	p->lease_ms = c->lease_ms;
	p->lease_seen_ns = c->lease_seen ? now - (c->lease_seen - 1) : 0;
	return in;
}

Test(membership, table)
{
	for (size_t i = 0; i < sizeof(member_cases) / sizeof(member_cases[0]);
	     i++) {
		const struct member_case *c = &member_cases[i];
		struct xhb_member_input in = input_of(c);
		struct xhb_member_verdict v = xhb_member_judge(&in);

		cr_expect_eq(v.state, c->want, "%s: %s != %s (%s)", c->name,
			     xhb_member_state_name(v.state),
			     xhb_member_state_name(c->want), v.reason);
		cr_expect_not_null(v.reason, "%s: no reason", c->name);
		cr_expect_eq(v.changed, c->want != c->prev, "%s: changed",
			     c->name);
		cr_expect_eq(v.since_ns,
			     v.changed ? in.now_ns : in.prev_since_ns,
			     "%s: since", c->name);
		if (c->detection)
			cr_expect_eq(v.detection_ns, c->detection - 1,
				     "%s: detection %llu != %llu", c->name,
				     (unsigned long long)v.detection_ns,
				     (unsigned long long)(c->detection - 1));
	}
}

/* XDP may stamp a packet after we read the clock: fresh, not ancient. */
Test(membership, timestamp_after_clock_read)
{
	struct member_case c = {
	    .fast = true, .hb = AGO(SEC(1)), .prev = XHB_MEMBER_UP};
	struct xhb_member_input in = input_of(&c);
	struct xhb_member_verdict v;

	in.peer.last_reply_ns = in.now_ns + US(3);
	in.peer.replies = 1;
	in.peer.agent_age_us = 100;
	v = xhb_member_judge(&in);
	cr_expect_eq(v.state, XHB_MEMBER_UP, "%s (%s)",
		     xhb_member_state_name(v.state), v.reason);
}

/* A silent peer, judged every 100 us while time passes: one transition to
 * dead, at the window, and no flapping around it. */
Test(membership, no_flap_across_window)
{
	struct member_case c = {.fast = true,
				.hb = AGO(SEC(1)),
				.probe = AGO(0),
				.reply = AGO(0),
				.agent_age_us = 100,
				.prev = XHB_MEMBER_UP};
	struct xhb_member_input in = input_of(&c);
	__u64 last_sign = in.now_ns;
	int transitions = 0;

	for (int step = 0; step < 100; step++) {
		struct xhb_member_verdict v;

		in.last_loop_ns = in.now_ns;
		in.now_ns += US(100);
		v = xhb_member_judge(&in);
		if (v.changed) {
			transitions++;
			cr_expect_eq(v.state, XHB_MEMBER_DEAD);
			cr_expect_eq(in.now_ns - last_sign, MS(4));
			cr_expect_eq(v.detection_ns, MS(4));
		}
		in.prev_state = v.state;
		in.prev_since_ns = v.since_ns;
	}
	cr_expect_eq(transitions, 1);
	cr_expect_eq(in.prev_state, XHB_MEMBER_DEAD);
}

/* A stalled agent whose age reading hovers around W does not flap. */
Test(membership, stalled_does_not_flap_on_agent_age)
{
	static const __u32 ages_us[] = {250100, 260000, 255000, 100, 270000, 50};
	struct member_case c = {.fast = true,
				.hb = AGO(SEC(1)),
				.reply = AGO(US(300)),
				.prev = XHB_MEMBER_UP};
	struct xhb_member_input in = input_of(&c);
	int transitions = 0;

	for (size_t i = 0; i < sizeof(ages_us) / sizeof(ages_us[0]); i++) {
		struct xhb_member_verdict v;

		in.last_loop_ns = in.now_ns;
		in.now_ns += US(500);
		in.peer.last_reply_ns = in.now_ns - US(300);
		in.peer.agent_age_us = ages_us[i];
		v = xhb_member_judge(&in);
		transitions += v.changed;
		in.prev_state = v.state;
		in.prev_since_ns = v.since_ns;
	}
	cr_expect_eq(in.prev_state, XHB_MEMBER_STALLED);
	cr_expect_eq(transitions, 1);

	/* Its agent sends a probe: back to up at once. */
	in.last_loop_ns = in.now_ns;
	in.now_ns += US(500);
	in.peer.last_probe_ns = in.now_ns - US(10);
	in.peer.probes = 1;
	cr_expect_eq(xhb_member_judge(&in).state, XHB_MEMBER_UP);
}

/*
 * A node dies with its link: its heartbeats stop at t = 0 and its XDP's
 * replies up to one probe period later (a probe answered just after the
 * last heartbeat). Judged every `step` from then on, with every phase of
 * the last reply, the verdicts go up -> warn -> dead (with a probe line:
 * up -> dead within W of the last reply); never stalled, and dead no
 * sooner than deadtime (W) after the last heartbeat (reply).
 */
struct death_case {
	const char *name;
	bool fast;
	__u64 reply_after; /* last reply, after the last agent packet */
	__u32 agent_age_us; /* what that reply said */
	__u64 step;	    /* we judge this often */
	__u64 dead_from, dead_by; /* dead verdict in [from, by] after t = 0 */
	bool warns;		  /* a warn comes before dead */
};

static const struct death_case death_cases[] = {
    {"heartbeat_timing_reply_with_heartbeat", false, 0, 0, MS(10), SEC(10),
     SEC(10) + MS(10), true},
    {"heartbeat_timing_reply_60ms_after", false, MS(60), 2000000, MS(10),
     SEC(10), SEC(10) + MS(10), true},
    {"heartbeat_timing_reply_1s_after", false, SEC(1), 1000000, MS(10),
     SEC(10), SEC(10) + MS(10), true},
    {"heartbeat_timing_reply_a_keepalive_after", false, SEC(2) - 1, 1999999,
     MS(10), SEC(10), SEC(10) + MS(10), true},
    {"heartbeat_timing_judged_every_keepalive", false, MS(60), 2000000,
     SEC(2), SEC(10), SEC(12), true},
    {"probe_1ms_3_reply_with_probe", true, 0, 100, US(100), MS(4),
     MS(4) + US(100), false},
    {"probe_1ms_3_reply_a_period_after", true, MS(1) - 1, 999, US(100),
     MS(5) - 1, MS(5) + US(100), false},
};

Test(membership, death_with_link_is_never_stalled)
{
	for (size_t i = 0; i < sizeof(death_cases) / sizeof(death_cases[0]);
	     i++) {
		const struct death_case *c = &death_cases[i];
		const struct xhb_member_timers *t =
		    c->fast ? &fast_timers : &lab_timers;
		struct xhb_member_input in = {
		    .agent_start_ns = START_NS,
		    .prev_state = XHB_MEMBER_UP,
		    .timers = *t,
		};
		__u64 t0 = START_NS + SEC(100), dead_at = 0;
		bool warned = false;

		in.steady_since_ns = START_NS;
		in.prev_since_ns = t0 - SEC(50);
		in.peer.state = XHB_NODE_ACTIVE;
		in.peer.heartbeats = in.peer.replies = 1;
		in.peer.last_heartbeat_ns = c->fast ? t0 - MS(500) : t0;
		if (c->fast) {
			in.peer.probes = 1;
			in.peer.last_probe_ns = t0;
		}
		in.peer.last_reply_ns = t0 + c->reply_after;
		in.peer.agent_age_us = c->agent_age_us;
		in.now_ns = in.last_loop_ns = t0 + c->reply_after;
		while (in.now_ns < t0 + SEC(15) && !dead_at) {
			struct xhb_member_verdict v;

			in.last_loop_ns = in.now_ns;
			in.now_ns += c->step;
			/* judged every keepalive: a gap-free loop at that pace */
			if (c->step > xhb_member_probe_period_ns(t))
				in.last_loop_ns = in.now_ns;
			v = xhb_member_judge(&in);
			cr_assert_neq(v.state, XHB_MEMBER_STALLED,
				      "%s: stalled at +%llu ms (%s)", c->name,
				      (unsigned long long)((in.now_ns - t0) / MS(1)),
				      v.reason);
			warned |= v.state == XHB_MEMBER_WARN;
			if (v.state == XHB_MEMBER_DEAD)
				dead_at = in.now_ns - t0;
			in.prev_state = v.state;
			in.prev_since_ns = v.since_ns;
		}
		cr_expect(dead_at >= c->dead_from && dead_at <= c->dead_by,
			  "%s: dead at +%llu us, expected %llu..%llu us", c->name,
			  (unsigned long long)(dead_at / US(1)),
			  (unsigned long long)(c->dead_from / US(1)),
			  (unsigned long long)(c->dead_by / US(1)));
		cr_expect_eq(warned, c->warns, "%s: warned %d", c->name,
			     warned);
	}
}

/* Its kernel answers on, its agent is silent: stalled, whatever the
 * phase of its replies, and never dead while they come. */
Test(membership, stalled_while_replies_come)
{
	struct member_case c = {.hb = AGO(0), .prev = XHB_MEMBER_UP};
	struct xhb_member_input in = input_of(&c);
	__u64 t0 = in.now_ns;
	bool stalled = false;

	in.peer.replies = 1;
	for (__u64 t = 0; t < SEC(30); t += MS(100)) {
		struct xhb_member_verdict v;

		in.last_loop_ns = in.now_ns;
		in.now_ns = t0 + t;
		/* a reply every keepalive, 1.5 s out of phase */
		in.peer.last_reply_ns =
		    t0 + (t >= MS(1500) ? (t - MS(1500)) / SEC(2) * SEC(2) + MS(1500) : 0);
		in.peer.agent_age_us =
		    (__u32)((in.peer.last_reply_ns - t0) / US(1));
		v = xhb_member_judge(&in);
		cr_assert_neq(v.state, XHB_MEMBER_DEAD, "dead at +%llu ms (%s)",
			      (unsigned long long)(t / MS(1)), v.reason);
		stalled |= v.state == XHB_MEMBER_STALLED;
		in.prev_state = v.state;
		in.prev_since_ns = v.since_ns;
	}
	cr_expect(stalled);
	cr_expect_eq(in.prev_state, XHB_MEMBER_STALLED);
}

Test(membership, reply_window)
{
	cr_expect_eq(xhb_member_reply_window_ns(&fast_timers), MS(4));
	cr_expect_eq(xhb_member_reply_window_ns(&lab_timers), SEC(4));
}

struct gap_case {
	const char *name;
	bool fast;
	__u64 since_last; /* now - last_loop */
	__u64 steady;	  /* now - steady_since */
	bool gap, may_judge;
};

static const struct gap_case gap_cases[] = {
    {"fast_on_time", true, MS(1), MS(10), false, true},
    {"fast_late_two_periods", true, MS(2), MS(10), false, true},
    {"fast_gap", true, MS(2) + 1, MS(10), true, false},
    {"fast_steady_short", true, MS(1), MS(4) - 1, false, false},
    {"fast_steady_window", true, MS(1), MS(4), false, true},
    {"lab_keepalive_period", false, SEC(4), SEC(10), false, true},
    {"lab_gap", false, SEC(4) + 1, SEC(10), true, false},
    {"lab_steady_short", false, SEC(1), SEC(10) - 1, false, false},
    {"clock_read_before_last_loop", true, 0, MS(10), false, true},
};

Test(membership, agent_gap_table)
{
	for (size_t i = 0; i < sizeof(gap_cases) / sizeof(gap_cases[0]); i++) {
		const struct gap_case *c = &gap_cases[i];
		__u64 now = SEC(500);
		struct xhb_agent_gap g = xhb_agent_gap_check(
		    now - c->since_last, now, now - c->steady,
		    c->fast ? &fast_timers : &lab_timers);

		cr_expect_eq(g.gap, c->gap, "%s: gap", c->name);
		cr_expect_eq(g.may_judge, c->may_judge, "%s: may_judge",
			     c->name);
		cr_expect_eq(g.gap_ns, c->since_last, "%s: gap_ns", c->name);
		cr_expect_eq(g.steady_since_ns, c->gap ? now : now - c->steady,
			     "%s: steady_since", c->name);
	}
}

Test(membership, window)
{
	struct xhb_member_timers t = fast_timers;

	cr_expect_eq(xhb_member_window_ns(&fast_timers), MS(4));
	cr_expect_eq(xhb_member_window_ns(&lab_timers), SEC(10));
	cr_expect_eq(xhb_member_probe_period_ns(&fast_timers), MS(1));
	cr_expect_eq(xhb_member_probe_period_ns(&lab_timers), SEC(2));
	t.probe_interval_ns = SEC(5); /* 20 s > deadtime: deadtime bounds it */
	cr_expect_eq(xhb_member_window_ns(&t), SEC(10));
	t.probe_interval_ns = ~0ULL; /* saturates, does not wrap */
	t.probe_misses = ~0U;
	cr_expect_eq(xhb_member_window_ns(&t), SEC(10));
}

Test(membership, state_names)
{
	static const char *const want[XHB_MEMBER_STATE_MAX] = {
	    [XHB_MEMBER_UNKNOWN] = "unknown", [XHB_MEMBER_UP] = "up",
	    [XHB_MEMBER_WARN] = "warn",	      [XHB_MEMBER_DEAD] = "dead",
	    [XHB_MEMBER_STALLED] = "stalled", [XHB_MEMBER_LEAVING] = "leaving",
	    [XHB_MEMBER_FAULT] = "fault",
	};

	for (int s = 0; s < XHB_MEMBER_STATE_MAX; s++)
		cr_expect_str_eq(xhb_member_state_name(s), want[s]);
	cr_expect_str_eq(xhb_member_state_name(XHB_MEMBER_STATE_MAX),
			 "unknown");
}

/* ---- misses adapted to the loss seen ----------------------------------- */

/* Feed n periods, each silent with probability silent_pct (seeded). */
static struct xhb_member_loss periods(unsigned int n, unsigned int silent_pct)
{
	struct xhb_member_loss l = {0};
	__u64 sign = 1;
	unsigned int seed = 12345;

	for (unsigned int i = 0; i < n; i++) {
		seed = seed * 1103515245 + 12345;
		if ((seed >> 16) % 100 >= silent_pct)
			sign += MS(1);
		xhb_member_loss_update(&l, sign);
	}
	return l;
}

Test(membership, clean_link_keeps_configured_misses)
{
	struct xhb_member_timers t = fast_timers;
	struct xhb_member_loss l = periods(5000, 0);

	cr_expect_eq(l.silent_ppm, 0);
	cr_expect_eq(xhb_member_misses(&l, &t), 3);
}

/* 30% loss each way: a period stays silent when our probe or its reply
 * is lost (51%) and its own probe is lost too (30%): about 15%; two in a
 * row, about 2.3%. */
Test(membership, lossy_link_waits_longer)
{
	struct xhb_member_timers t = fast_timers;
	struct xhb_member_loss l = periods(5000, 15);
	__u32 m = xhb_member_misses(&l, &t);

	cr_expect(l.silent_ppm > 10000 && l.silent_ppm < 40000, "%u ppm",
		  l.silent_ppm);
	cr_expect(m >= 10 && m <= 14, "misses %u", m);
}

Test(membership, misses_never_beyond_deadtime)
{
	struct xhb_member_timers t = fast_timers;
	struct xhb_member_loss l = periods(5000, 90);

	t.deadtime_ns = MS(20);
	cr_expect_leq((xhb_member_misses(&l, &t) + 1) * t.probe_interval_ns,
		      t.deadtime_ns);
	t.probe_misses = 0; /* no probe line: deadtime decides, unchanged */
	cr_expect_eq(xhb_member_misses(&l, &t), 0);
}

/* A death must not widen the window that is to declare it. */
Test(membership, silence_does_not_widen_its_own_window)
{
	struct xhb_member_timers t = fast_timers;
	struct xhb_member_loss l = periods(2000, 0);
	__u64 sign = l.last_sign_ns;

	for (int i = 0; i < 50; i++) {
		xhb_member_loss_update(&l, sign); /* nothing new: the peer died */
		cr_assert_eq(xhb_member_misses(&l, &t), 3, "period %d", i);
	}
	/* It comes back: a 50-period outage counts as 16 silent periods. */
	xhb_member_loss_update(&l, sign + MS(60));
	cr_expect(l.silent_ppm > 0 && l.silent_ppm < 70000, "%u ppm", l.silent_ppm);
}

/* ---- the rules that used to live in the agent's loop --------------------- */

/* Listening again: out of UNKNOWN only on a reply to a probe sent since. */
struct listen_case {
	const char *name;
	__u64 listen_ago;  /* listening began then; 0: not listening */
	__u64 reply, rtt;  /* AGO() of the reply; its round trip */
	__u64 hb;	   /* AGO() of a heartbeat */
	enum xhb_member_state prev, want;
};

static const struct listen_case listen_cases[] = {
    {"not_listening_heartbeat_is_news", 0, 0, 0, AGO(MS(1)), XHB_MEMBER_UNKNOWN,
     XHB_MEMBER_UP},
    {"listening_heartbeat_is_not_news", MS(10), 0, 0, AGO(MS(1)),
     XHB_MEMBER_UNKNOWN, XHB_MEMBER_UNKNOWN},
    {"listening_reply_to_older_probe_is_not_news", MS(10), AGO(MS(9)), MS(2),
     AGO(MS(1)), XHB_MEMBER_UNKNOWN, XHB_MEMBER_UNKNOWN},
    {"listening_reply_to_probe_sent_since", MS(10), AGO(MS(1)), US(100),
     AGO(MS(1)), XHB_MEMBER_UNKNOWN, XHB_MEMBER_UP},
    {"listening_probe_sent_at_listen_start", MS(10), AGO(MS(9)), MS(1),
     AGO(MS(1)), XHB_MEMBER_UNKNOWN, XHB_MEMBER_UP},
    {"listening_other_states_unaffected", MS(10), 0, 0, AGO(MS(1)),
     XHB_MEMBER_WARN, XHB_MEMBER_UP},
    {"listening_dead_is_news", MS(10), 0, 0, AGO(SEC(11)), XHB_MEMBER_UNKNOWN,
     XHB_MEMBER_DEAD},
};

Test(membership, listening_again_table)
{
	for (size_t i = 0; i < sizeof(listen_cases) / sizeof(listen_cases[0]); i++) {
		const struct listen_case *c = &listen_cases[i];
		struct member_case mc = {.fast = true, .hb = c->hb, .reply = c->reply,
					 .agent_age_us = 100, .prev = c->prev};
		struct xhb_member_input in = input_of(&mc);
		struct xhb_member_verdict v;

		in.peer.rtt_ns = c->rtt;
		in.peer.probes = in.peer.replies = 1;
		in.listen_since_ns = c->listen_ago ? in.now_ns - c->listen_ago : 0;
		v = xhb_member_judge(&in);
		cr_expect_eq(v.state, c->want, "%s: %s != %s (%s)", c->name,
			     xhb_member_state_name(v.state),
			     xhb_member_state_name(c->want), v.reason);
		cr_expect_eq(v.changed, c->want != c->prev, "%s: changed", c->name);
	}
}

/* Maps recreated under us (never heard again): no verdict back to UNKNOWN. */
Test(membership, never_judged_back_to_unknown)
{
	struct member_case c = {.uptime = SEC(5), .prev = XHB_MEMBER_UP};
	struct xhb_member_input in = input_of(&c);
	struct xhb_member_verdict v = xhb_member_judge(&in);

	cr_expect_eq(v.state, XHB_MEMBER_UP, "%s", xhb_member_state_name(v.state));
	cr_expect_not(v.changed);
}

struct flood_case {
	const char *name;
	__u64 junk_delta, elapsed;
	bool flooded_before, begins, flooded_after;
};

static const struct flood_case flood_cases[] = {
    {"quiet", 0, MS(1), false, false, false},
    {"some_junk_is_not_a_flood", 20, MS(1), false, false, false},
    /* the rate over the time since the last read, plus a millisecond:
     * a loop that read just before a burst's end is not fooled */
    {"at_the_rate_plus_a_ms", 40, MS(1), false, false, false},
    {"just_over_the_rate", 41, MS(1), false, true, true},
    {"rate_over_a_long_loop", 200, MS(10), false, false, false},
    {"fast_over_a_long_loop", 300, MS(10), false, true, true},
    {"flood_goes_on_not_begun_again", 1000, MS(1), true, false, true},
    {"held_after_it_stops", 0, MS(1), true, false, true},
};

Test(membership, flood_table)
{
	for (size_t i = 0; i < sizeof(flood_cases) / sizeof(flood_cases[0]); i++) {
		const struct flood_case *c = &flood_cases[i];
		__u64 now = SEC(100);
		struct xhb_member_flood f = {.junk = 1000, .seen_ns = now - c->elapsed,
					     .until_ns = c->flooded_before ? now + MS(500) : 0};
		double pps = 0;
		bool begins = xhb_member_flood_update(&f, 1000 + c->junk_delta, now, &pps);

		cr_expect_eq(begins, c->begins, "%s: begins", c->name);
		cr_expect_eq(xhb_member_flooded(&f, now), c->flooded_after,
			     "%s: flooded", c->name);
		if (c->begins)
			cr_expect_float_eq(pps, c->junk_delta * 1e9 / c->elapsed, 1,
					   "%s: %f pps", c->name, pps);
	}
	/* the first call only takes a reading */
	struct xhb_member_flood first = {0};

	cr_expect_not(xhb_member_flood_update(&first, 1000000, SEC(1), NULL));
	cr_expect_not(xhb_member_flooded(&first, SEC(1)));
	/* the hold ends */
	struct xhb_member_flood held = {.junk = 5, .seen_ns = SEC(1),
					.until_ns = SEC(1) + XHB_MEMBER_FLOOD_HOLD_NS};
	cr_expect(xhb_member_flooded(&held, SEC(1) + XHB_MEMBER_FLOOD_HOLD_NS - 1));
	cr_expect_not(xhb_member_flooded(&held, SEC(1) + XHB_MEMBER_FLOOD_HOLD_NS));
}

Test(membership, effective_timers)
{
	struct xhb_member_loss clean = periods(2000, 0), lossy = periods(5000, 15);
	struct xhb_member_timers e;

	e = xhb_member_effective(&fast_timers, &clean, false);
	cr_expect_eq(e.probe_misses, 3);
	cr_expect_eq(xhb_member_window_ns(&e), MS(4));
	e = xhb_member_effective(&fast_timers, &lossy, false);
	cr_expect(e.probe_misses >= 10 && e.probe_misses <= 14, "%u", e.probe_misses);
	/* a flood: a 250 ms window */
	e = xhb_member_effective(&fast_timers, &clean, true);
	cr_expect_eq(xhb_member_window_ns(&e), MS(250));
	/* no probe line: deadtime decides, flood or not */
	e = xhb_member_effective(&lab_timers, &lossy, true);
	cr_expect_eq(e.probe_misses, 0);
	cr_expect_eq(xhb_member_window_ns(&e), SEC(10));
	/* a short deadtime bounds the flood window */
	struct xhb_member_timers shortdead = fast_timers;

	shortdead.deadtime_ns = MS(100);
	e = xhb_member_effective(&shortdead, &clean, true);
	cr_expect_eq(xhb_member_window_ns(&e), MS(100));
}

/* Once per period; a dead or unknown peer teaches nothing. */
Test(membership, loss_observed_once_per_period)
{
	struct xhb_member_loss l = {0};
	struct xhb_peer p = {.last_reply_ns = SEC(1)};
	__u64 now = SEC(10);

	for (int i = 0; i < 10; i++) /* ten loops within one period */
		xhb_member_loss_observe(&l, &p, XHB_MEMBER_UP, now + US(50) * i,
					&fast_timers);
	cr_expect_eq(l.streak, 0); /* one sample: the first, nothing before */
	cr_expect_eq(l.next_ns, now + MS(1));
	/* silent periods while alive are counted ... */
	for (int i = 1; i <= 3; i++)
		xhb_member_loss_observe(&l, &p, XHB_MEMBER_UP, now + MS(i), &fast_timers);
	cr_expect_eq(l.streak, 2);
	/* ... not while dead */
	for (int i = 4; i <= 8; i++)
		xhb_member_loss_observe(&l, &p, XHB_MEMBER_DEAD, now + MS(i), &fast_timers);
	cr_expect_eq(l.streak, 2);
	/* a loop late by many periods resumes from now */
	xhb_member_loss_observe(&l, &p, XHB_MEMBER_UP, now + MS(50), &fast_timers);
	cr_expect_eq(l.next_ns, now + MS(51));
}

Test(membership, listen_window)
{
	struct xhb_member_timers t = lab_timers;

	cr_expect_eq(xhb_member_listen_ns(&fast_timers), SEC(4)); /* 2 keepalives */
	t.keepalive_ns = SEC(6); /* 12 s: deadtime bounds it */
	cr_expect_eq(xhb_member_listen_ns(&t), SEC(10));
	t = fast_timers;
	t.keepalive_ns = MS(1); /* the window is longer than 2 keepalives */
	cr_expect_eq(xhb_member_listen_ns(&t), MS(4));
}

struct lease_case {
	const char *name;
	__u64 seen_ago; /* 0: never advertised */
	__u32 lease_ms;
	__u64 rtt;
	bool expired;
};

static const struct lease_case lease_cases[] = {
    {"never_advertised", 0, 0, 0, false},
    {"zero_left_is_fencing", MS(1), 0, 0, true},
    {"running", MS(100), 200, US(50), false},
    {"until_lease_rtt_and_a_period", MS(201) + US(50), 200, US(50), false},
    {"past_lease_rtt_and_a_period", MS(201) + US(51), 200, US(50), true},
};

Test(membership, peer_lease_table)
{
	for (size_t i = 0; i < sizeof(lease_cases) / sizeof(lease_cases[0]); i++) {
		const struct lease_case *c = &lease_cases[i];
		__u64 now = SEC(100);
		struct xhb_peer p = {.lease_ms = c->lease_ms, .rtt_ns = c->rtt,
				     .lease_seen_ns = c->seen_ago ? now - c->seen_ago : 0};

		cr_expect_eq(xhb_member_lease_expired(&p, now, &fast_timers),
			     c->expired, "%s", c->name);
	}
}

Test(membership, came_back_table)
{
	static const struct {
		enum xhb_member_state from, to;
		enum xhb_member_return want;
	} cases[] = {
	    {XHB_MEMBER_DEAD, XHB_MEMBER_UP, XHB_MEMBER_HEALED},
	    {XHB_MEMBER_DEAD, XHB_MEMBER_WARN, XHB_MEMBER_HEALED},
	    {XHB_MEMBER_UNKNOWN, XHB_MEMBER_UP, XHB_MEMBER_HEARD},
	    {XHB_MEMBER_UNKNOWN, XHB_MEMBER_WARN, XHB_MEMBER_HEARD},
	    {XHB_MEMBER_WARN, XHB_MEMBER_UP, XHB_MEMBER_STAYED},
	    {XHB_MEMBER_STALLED, XHB_MEMBER_UP, XHB_MEMBER_STAYED},
	    {XHB_MEMBER_DEAD, XHB_MEMBER_STALLED, XHB_MEMBER_STAYED},
	    {XHB_MEMBER_UNKNOWN, XHB_MEMBER_DEAD, XHB_MEMBER_STAYED},
	    {XHB_MEMBER_LEAVING, XHB_MEMBER_UP, XHB_MEMBER_STAYED},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(xhb_member_came_back(cases[i].from, cases[i].to),
			     cases[i].want, "%s -> %s",
			     xhb_member_state_name(cases[i].from),
			     xhb_member_state_name(cases[i].to));
}

/* Its agent speaks, its XDP does not answer: say so (peer_unanswered). */
struct unanswered_case {
	const char *name;
	__u64 probing;	    /* we have probed it for that long */
	__u64 agent, reply; /* AGO() of its last agent packet and reply */
	bool fast, want;
};

static const struct unanswered_case unanswered_cases[] = {
    {"answers", SEC(10), AGO(MS(1)), AGO(MS(1)), true, false},
    {"never_answered", SEC(10), AGO(MS(1)), 0, true, true},
    {"stopped_answering", SEC(10), AGO(MS(1)), AGO(MS(4)), true, true},
    {"just_within_the_window", SEC(10), AGO(MS(1)), AGO(MS(4) - 1), true, false},
    {"not_probed_long_enough", MS(3), AGO(MS(1)), 0, true, false},
    {"silent_altogether_is_not_this", SEC(10), AGO(MS(4)), 0, true, false},
    {"heartbeat_timing_two_keepalives", SEC(100), AGO(SEC(1)), AGO(SEC(4)),
     false, true},
    {"heartbeat_timing_one_lost_reply", SEC(100), AGO(SEC(1)), AGO(SEC(3)),
     false, false},
};

Test(membership, unanswered_table)
{
	for (size_t i = 0; i < sizeof(unanswered_cases) / sizeof(unanswered_cases[0]); i++) {
		const struct unanswered_case *c = &unanswered_cases[i];
		__u64 now = SEC(1000);
		struct xhb_peer p = {
		    .last_probe_ns = c->agent ? now - (c->agent - 1) : 0,
		    .last_reply_ns = c->reply ? now - (c->reply - 1) : 0,
		};

		cr_expect_eq(xhb_member_unanswered(&p, now, now - c->probing,
						   c->fast ? &fast_timers : &lab_timers),
			     c->want, "%s", c->name);
	}
}

/*
 * The loop wakes at xhb_member_silence_deadline_ns() instead of the probe
 * tick after it: it must be the very moment silence makes the peer dead,
 * not dead 1 ns before, dead at it (the window each peer is judged on:
 * W with probes, deadtime for one heard by its heartbeats alone or
 * outside the probe protocol); none for a peer that said it leaves.
 */
Test(membership, silence_deadline_is_the_verdict)
{
	static const struct {
		struct member_case c;
		__u64 window; /* the deadline: its last sign + window; 0: none */
	} cases[] = {
	    {{"probe_peer_replies_to_the_end", .fast = true, .hb = AGO(MS(900)),
	      .probe = AGO(US(300)), .reply = AGO(US(200)), .agent_age_us = 100,
	      .prev = XHB_MEMBER_UP},
	     MS(4)},
	    {{"probe_peer_its_probes_last", .fast = true, .hb = AGO(MS(900)),
	      .probe = AGO(US(100)), .reply = AGO(US(700)), .agent_age_us = 100,
	      .prev = XHB_MEMBER_UP},
	     MS(4)},
	    {{"heartbeats_only_on_deadtime", .fast = true, .hb = AGO(MS(10)),
	      .probe = AGO(SEC(5)), .reply = AGO(SEC(5)), .agent_age_us = 100,
	      .prev = XHB_MEMBER_UP},
	     SEC(10)},
	    {{"no_probe_line_on_deadtime", .hb = AGO(SEC(1)),
	      .prev = XHB_MEMBER_UP},
	     SEC(10)},
	    {{"leaving_none", .fast = true, .hb = AGO(MS(1)), .reply = AGO(MS(1)),
	      .advertised = XHB_NODE_LEAVING, .prev = XHB_MEMBER_LEAVING},
	     0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct member_case *c = &cases[i].c;
		struct xhb_member_input in = input_of(c);
		__u64 last = in.peer.last_heartbeat_ns, d;
		struct xhb_member_verdict v;

		if (in.peer.last_probe_ns > last)
			last = in.peer.last_probe_ns;
		if (in.peer.last_reply_ns > last)
			last = in.peer.last_reply_ns;
		d = xhb_member_silence_deadline_ns(&in);
		if (!cases[i].window) {
			cr_expect_eq(d, 0, "%s: a deadline", c->name);
			continue;
		}
		cr_expect_eq(d, last + cases[i].window, "%s: deadline %llu ns after its last sign",
			     c->name, (unsigned long long)(d - last));
		in.last_loop_ns = d - 1 - US(500);
		in.now_ns = d - 1;
		v = xhb_member_judge(&in);
		cr_expect_neq(v.state, XHB_MEMBER_DEAD, "%s: dead 1 ns before (%s)",
			      c->name, v.reason);
		in.prev_state = v.state;
		in.prev_since_ns = v.since_ns;
		in.last_loop_ns = d - US(500);
		in.now_ns = d;
		v = xhb_member_judge(&in);
		cr_expect_eq(v.state, XHB_MEMBER_DEAD, "%s: %s at the deadline (%s)",
			     c->name, xhb_member_state_name(v.state), v.reason);
	}
}
