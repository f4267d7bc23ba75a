// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Anycast groups in the decision (decide_anycast(), user/decide.c): every
 * node that does not refuse the group holds it, whatever the peers hold or
 * are; one that refuses it, or is in fault or leaving, releases it. A
 * table of cases, then the property that an anycast group's decision never
 * depends on the peers, and that the other groups are decided as before. */
#include <criterion/criterion.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "xhb_wire.h"
#include "decide.h"

#define G0 (1U << 0)
#define G1 (1U << 1)
#define R(x) XHB_REASON_##x

struct anycast_case {
	const char *name;
	unsigned int flags; /* XHB_SELF_* */
	__u32 self_held;    /* groups we hold */
	__u32 peer_held;    /* groups the peer holds */
	enum xhb_member_state peer_state;
	__u32 unfit, ifaces_down, refused;
	bool outreached;
	enum xhb_action action;
	int owner; /* 0: self, -1: none */
	enum xhb_reason reason;
};

static const struct anycast_case cases[] = {
    {"fit_acquires_beside_holder", .peer_held = G0, .peer_state = XHB_MEMBER_UP,
     .action = XHB_ACTION_ACQUIRE, .owner = 0, .reason = R(ANYCAST)},
    {"fit_keeps_beside_holder", .self_held = G0, .peer_held = G0,
     .peer_state = XHB_MEMBER_UP, .action = XHB_ACTION_KEEP, .owner = 0,
     .reason = R(ANYCAST)},
    {"peer_dead_changes_nothing", .self_held = G0, .peer_held = G0,
     .peer_state = XHB_MEMBER_DEAD, .action = XHB_ACTION_KEEP, .owner = 0,
     .reason = R(ANYCAST)},
    {"initdead_acquires", .flags = XHB_SELF_INIT,
     .peer_state = XHB_MEMBER_UNKNOWN, .action = XHB_ACTION_ACQUIRE, .owner = 0,
     .reason = R(ANYCAST)},
    {"unheard_keeps", .flags = XHB_SELF_UNHEARD, .self_held = G0,
     .peer_held = G0, .peer_state = XHB_MEMBER_UP, .action = XHB_ACTION_KEEP,
     .owner = 0, .reason = R(ANYCAST)},
    {"check_failing_releases", .self_held = G0, .peer_held = G0,
     .peer_state = XHB_MEMBER_UP, .unfit = G0, .action = XHB_ACTION_RELEASE,
     .owner = -1, .reason = R(CHECK_FAILED)},
    {"check_failing_alone_releases", .self_held = G0,
     .peer_state = XHB_MEMBER_DEAD, .unfit = G0, .action = XHB_ACTION_RELEASE,
     .owner = -1, .reason = R(CHECK_FAILED)},
    {"check_failing_takes_nothing", .peer_held = G0,
     .peer_state = XHB_MEMBER_UP, .unfit = G0, .action = XHB_ACTION_NONE,
     .owner = -1, .reason = R(CHECK_FAILED)},
    {"iface_down_releases", .self_held = G0, .ifaces_down = G0,
     .peer_state = XHB_MEMBER_UP, .action = XHB_ACTION_RELEASE, .owner = -1,
     .reason = R(LOCAL_FAULT)},
    {"fewer_ping_nodes_releases", .self_held = G0, .outreached = true,
     .peer_state = XHB_MEMBER_UP, .action = XHB_ACTION_RELEASE, .owner = -1,
     .reason = R(FEWER_PING_NODES)},
    {"standby_releases", .self_held = G0, .refused = G0,
     .peer_state = XHB_MEMBER_UP, .action = XHB_ACTION_RELEASE, .owner = -1,
     .reason = R(STANDBY_REQUEST)},
    {"fault_releases", .flags = XHB_SELF_FAULT, .self_held = G0,
     .peer_state = XHB_MEMBER_UP, .action = XHB_ACTION_RELEASE, .owner = -1,
     .reason = R(LOCAL_FAULT)},
    {"leaving_releases", .flags = XHB_SELF_LEAVING, .self_held = G0,
     .peer_state = XHB_MEMBER_UP, .action = XHB_ACTION_RELEASE, .owner = -1,
     .reason = R(LEAVING)},
    {"leaving_takes_nothing", .flags = XHB_SELF_LEAVING,
     .peer_state = XHB_MEMBER_UP, .action = XHB_ACTION_NONE, .owner = -1,
     .reason = R(LEAVING)},
};

/* Two nodes, self 0, two groups: G0 anycast, G1 as before (preferred 1). */
static void run(const struct anycast_case *k, struct xhb_decision out[2])
{
	struct xhb_decide_node nodes[2] = {
	    {.held = xhb_gset_of32(k->self_held),
	     .refused = xhb_gset_of32(k->refused)},
	    {.state = k->peer_state, .held = xhb_gset_of32(k->peer_held)},
	};
	int preferred[2] = {0, 1};
	struct xhb_decide_input in = {
	    .n_nodes = 2,
	    .n_groups = 2,
	    .self = 0,
	    .self_flags = k->flags,
	    .self_unfit = xhb_gset_of32(k->unfit),
	    .self_outreached = k->outreached,
	    .self_ifaces_down = xhb_gset_of32(k->ifaces_down),
	    .anycast = xhb_gset_of32(G0),
	    .nodes = nodes,
	    .preferred = preferred,
	};

	cr_assert_eq(xhb_decide(&in, out), 0, "%s: xhb_decide failed", k->name);
}

Test(decide_anycast, table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct anycast_case *k = &cases[i];
		struct xhb_decision out[2];

		run(k, out);
		cr_expect_eq(out[0].action, k->action, "%s: action %s, want %s",
			     k->name, xhb_action_name(out[0].action),
			     xhb_action_name(k->action));
		cr_expect_eq(out[0].owner, k->owner, "%s: owner %d, want %d",
			     k->name, out[0].owner, k->owner);
		cr_expect_eq(out[0].reason, k->reason, "%s: reason %s, want %s",
			     k->name, xhb_reason_name(out[0].reason),
			     xhb_reason_name(k->reason));
		cr_expect_not(out[0].announce,
			      "%s: an anycast group sends no ARP", k->name);
	}
}

/* The peer's state and holdings never change an anycast decision. */
Test(decide_anycast, peers_play_no_part)
{
	static const enum xhb_member_state states[] = {
	    XHB_MEMBER_UP,	XHB_MEMBER_WARN,    XHB_MEMBER_DEAD,
	    XHB_MEMBER_STALLED, XHB_MEMBER_LEAVING, XHB_MEMBER_FAULT,
	    XHB_MEMBER_UNKNOWN};

	for (__u32 mine = 0; mine < 2; mine++)
		for (__u32 unfit = 0; unfit < 2; unfit++) {
			struct anycast_case base = {.name = "base",
						    .self_held = mine,
						    .unfit = unfit,
						    .peer_state =
							XHB_MEMBER_UP};
			struct xhb_decision want[2];

			run(&base, want);
			for (size_t s = 0;
			     s < sizeof(states) / sizeof(states[0]); s++)
				for (__u32 theirs = 0; theirs < 4; theirs++) {
					struct anycast_case k = base;
					struct xhb_decision out[2];

					k.peer_state = states[s];
					k.peer_held = theirs;
					run(&k, out);
					cr_expect_eq(
					    out[0].action, want[0].action,
					    "held %u unfit %u peer %d/%u: %s, "
					    "alone %s",
					    mine, unfit, states[s], theirs,
					    xhb_action_name(out[0].action),
					    xhb_action_name(want[0].action));
				}
		}
}

/* G1, not anycast, is elected as before: the peer (preferred, up)
 * owns it, and we take it only once the peer is dead. */
Test(decide_anycast, other_groups_elected)
{
	struct anycast_case up = {
	    .name = "up", .peer_state = XHB_MEMBER_UP, .peer_held = G1};
	struct anycast_case dead = {
	    .name = "dead", .peer_state = XHB_MEMBER_DEAD, .peer_held = G1};
	struct xhb_decision out[2];

	run(&up, out);
	cr_expect_eq(out[1].owner, 1);
	cr_expect_eq(out[1].action, XHB_ACTION_NONE);
	run(&dead, out);
	cr_expect_eq(out[1].owner, 0);
	cr_expect_eq(out[1].action, XHB_ACTION_ACQUIRE);
	cr_expect_eq(out[1].reason, R(PEER_DEAD));
}
