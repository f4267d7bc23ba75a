// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Ownership decisions (user/decide.h): one table of cases, each with the
 * membership view, the requests and holdings, and the expected owner and
 * action of this node per group; then properties over many inputs (both
 * sides of a healed partition agree, the owner never acquires what a live
 * node holds). */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "xhb_wire.h"
#include "decide.h"

enum { A = 0, B = 1, C = 2 };
#define G0 (1U << 0)
#define G1 (1U << 1)

#define UP XHB_MEMBER_UP
#define WARN XHB_MEMBER_WARN
#define DEAD XHB_MEMBER_DEAD
#define STALLED XHB_MEMBER_STALLED
#define LEAVING XHB_MEMBER_LEAVING
#define FAULT XHB_MEMBER_FAULT
#define UNKNOWN XHB_MEMBER_UNKNOWN

#define NONE XHB_ACTION_NONE
#define ACQUIRE XHB_ACTION_ACQUIRE
#define RELEASE XHB_ACTION_RELEASE
#define KEEP XHB_ACTION_KEEP

#define R(x) XHB_REASON_##x

struct expect {
	int owner;
	enum xhb_action action;
	enum xhb_reason reason;
	bool announce;
};

/* A node of a case: its groups as 32-bit masks, for short tables. */
struct node_case {
	enum xhb_member_state state;
	bool starting;
	bool lease_expired;
	enum xhb_member_return came_back;
	__u32 held, wanted, refused;
};

static struct xhb_decide_node node_of(const struct node_case *n)
{
	return (struct xhb_decide_node){
	    .state = n->state,
	    .starting = n->starting,
	    .lease_expired = n->lease_expired,
	    .came_back = n->came_back,
	    .held = xhb_gset_of32(n->held),
	    .wanted = xhb_gset_of32(n->wanted),
	    .refused = xhb_gset_of32(n->refused),
	};
}

struct decide_case {
	const char *name;
	unsigned int n_nodes;  /* 0: 2 */
	unsigned int n_groups; /* 0: 1 */
	unsigned int self;
	unsigned int flags; /* XHB_SELF_* */
	__u32 unfit; /* groups our service checks fail */
	bool outreached; /* a live peer reaches more ping nodes */
	__u32 ifaces_down; /* groups whose VIP interface is down here */
	enum xhb_auto_failback failback;
	struct node_case nodes[3];
	int preferred[2];
	struct expect want[2];
};

static const struct decide_case decide_cases[] = {
    /* preferred node, and simultaneous start seen from both sides */
    {"start_preferred_acquires", .self = A,
     .nodes = {{.state = UP}, {.state = UP}}, .preferred = {A},
     .want = {{A, ACQUIRE, R(PREFERRED_NODE)}}},
    {"start_other_waits", .self = B, .nodes = {{.state = UP}, {.state = UP}},
     .preferred = {A}, .want = {{A, NONE, R(PREFERRED_NODE)}}},
    {"preferred_keeps", .self = A,
     .nodes = {{.state = UP, .held = G0}, {.state = UP}}, .preferred = {A},
     .want = {{A, KEEP, R(PREFERRED_NODE)}}},
    {"no_preference_lowest_index", .self = B,
     .nodes = {{.state = UP}, {.state = UP}}, .preferred = {-1},
     .want = {{A, NONE, R(LOWEST_INDEX)}}},
    {"alone_takes_preferred_of_dead", .self = B,
     .nodes = {{.state = DEAD}, {.state = UP}}, .preferred = {A},
     .want = {{B, ACQUIRE, R(PEER_DEAD)}}},

    /* auto_failback after the preferred node A comes back; B holds */
    {"failback_off_returner_waits", .self = A,
     .nodes = {{.state = UP}, {.state = UP, .held = G0}}, .preferred = {A},
     .want = {{B, NONE, R(CURRENT_OWNER)}}},
    {"failback_off_holder_keeps", .self = B,
     .nodes = {{.state = UP}, {.state = UP, .held = G0}}, .preferred = {A},
     .want = {{B, KEEP, R(CURRENT_OWNER)}}},
    {"failback_on_holder_releases", .self = B, .failback = XHB_FAILBACK_ON,
     .nodes = {{.state = UP}, {.state = UP, .held = G0}}, .preferred = {A},
     .want = {{A, RELEASE, R(AUTO_FAILBACK)}}},
    {"failback_on_returner_waits_release", .self = A,
     .failback = XHB_FAILBACK_ON,
     .nodes = {{.state = UP}, {.state = UP, .held = G0}}, .preferred = {A},
     .want = {{A, NONE, R(WAIT_RELEASE)}}},
    {"failback_on_returner_acquires", .self = A, .failback = XHB_FAILBACK_ON,
     .nodes = {{.state = UP}, {.state = UP}}, .preferred = {A},
     .want = {{A, ACQUIRE, R(AUTO_FAILBACK)}}},
    {"failback_legacy_is_on", .self = B, .failback = XHB_FAILBACK_LEGACY,
     .nodes = {{.state = UP}, {.state = UP, .held = G0}}, .preferred = {A},
     .want = {{A, RELEASE, R(AUTO_FAILBACK)}}},
    {"failback_waits_for_starting_node", .self = B, .failback = XHB_FAILBACK_ON,
     .nodes = {{.state = UP, .starting = true}, {.state = UP, .held = G0}},
     .preferred = {A}, .want = {{B, KEEP, R(CURRENT_OWNER)}}},

    /* standby (hb_standby all|foreign|local) as refused bitmaps; groups
     * g0 preferred A, g1 preferred B */
    {"standby_all_releases", .self = A, .n_groups = 2,
     .nodes = {{.state = UP, .held = G0 | G1, .refused = G0 | G1},
	       {.state = UP}},
     .preferred = {A, B},
     .want = {{B, RELEASE, R(STANDBY_REQUEST)},
	      {B, RELEASE, R(STANDBY_REQUEST)}}},
    {"standby_all_peer_waits_release", .self = B, .n_groups = 2,
     .nodes = {{.state = UP, .held = G0 | G1, .refused = G0 | G1},
	       {.state = UP}},
     .preferred = {A, B},
     .want = {{B, NONE, R(WAIT_RELEASE)}, {B, NONE, R(WAIT_RELEASE)}}},
    {"standby_all_peer_takes_after_release", .self = B, .n_groups = 2,
     .nodes = {{.state = UP, .refused = G0 | G1}, {.state = UP}},
     .preferred = {A, B},
     .want = {{B, ACQUIRE, R(STANDBY_REQUEST)},
	      {B, ACQUIRE, R(PREFERRED_NODE)}}},
    {"standby_foreign_gives_back", .self = B, .n_groups = 2,
     .nodes = {{.state = UP}, {.state = UP, .held = G0 | G1, .refused = G0}},
     .preferred = {A, B},
     .want = {{A, RELEASE, R(STANDBY_REQUEST)}, {B, KEEP, R(PREFERRED_NODE)}}},
    {"standby_local_gives_own", .self = A, .n_groups = 2,
     .nodes = {{.state = UP, .held = G0 | G1, .refused = G0}, {.state = UP}},
     .preferred = {A, B},
     .want = {{B, RELEASE, R(STANDBY_REQUEST)}, {A, KEEP, R(CURRENT_OWNER)}}},
    {"standby_refused_when_peer_dead", .self = A,
     .nodes = {{.state = UP, .held = G0, .refused = G0}, {.state = DEAD}},
     .preferred = {A}, .want = {{A, KEEP, R(STANDBY_OVERRIDDEN)}}},
    {"standby_everyone_refuses", .self = B,
     .nodes = {{.state = UP, .refused = G0}, {.state = UP, .refused = G0}},
     .preferred = {A}, .want = {{A, NONE, R(STANDBY_OVERRIDDEN)}}},

    /* service checks: a failing check refuses the groups it guards, as a
     * standby does (the peer sees one refusal mask on the wire); with
     * nobody healthy, the group stays where it is */
    {"check_failing_holder_releases", .self = A, .unfit = G0,
     .nodes = {{.state = UP, .held = G0}, {.state = UP}}, .preferred = {A},
     .want = {{B, RELEASE, R(CHECK_FAILED)}}},
    {"check_failing_peer_waits_release", .self = B,
     .nodes = {{.state = UP, .held = G0, .refused = G0}, {.state = UP}},
     .preferred = {A}, .want = {{B, NONE, R(WAIT_RELEASE)}}},
    {"check_failing_peer_released_taken", .self = B,
     .nodes = {{.state = UP, .refused = G0}, {.state = UP}},
     .preferred = {A}, .want = {{B, ACQUIRE, R(STANDBY_REQUEST)}}},
    {"check_failing_guards_only_its_groups", .self = A, .unfit = G1,
     .n_groups = 2,
     .nodes = {{.state = UP, .held = G0 | G1}, {.state = UP}},
     .preferred = {A, A},
     .want = {{A, KEEP, R(PREFERRED_NODE)}, {B, RELEASE, R(CHECK_FAILED)}}},
    {"check_failing_nobody_healthy_keeps", .self = A, .unfit = G0,
     .nodes = {{.state = UP, .held = G0}, {.state = UP, .refused = G0}},
     .preferred = {A}, .want = {{A, KEEP, R(NO_HEALTHY_NODE)}}},
    {"check_failing_peer_dead_keeps", .self = A, .unfit = G0,
     .nodes = {{.state = UP, .held = G0}, {.state = DEAD}},
     .preferred = {A}, .want = {{A, KEEP, R(NO_HEALTHY_NODE)}}},
    {"check_failing_unhealthy_standby_never_takes", .self = B, .unfit = G0,
     .nodes = {{.state = DEAD}, {.state = UP}, {.state = UP}}, .n_nodes = 3,
     .preferred = {A}, .want = {{C, NONE, R(PEER_DEAD)}}},
    {"check_failing_holder_back_to_health_failback_off", .self = A,
     .nodes = {{.state = UP}, {.state = UP, .held = G0}}, .preferred = {A},
     .want = {{B, NONE, R(CURRENT_OWNER)}}},

    /* a VIP's interface down: a fault for that group alone */
    {"vip_iface_down_releases_its_group_only", .self = A, .ifaces_down = G1,
     .n_groups = 2, .nodes = {{.state = UP, .held = G0 | G1}, {.state = UP}},
     .preferred = {A, A},
     .want = {{A, KEEP, R(PREFERRED_NODE)}, {B, RELEASE, R(LOCAL_FAULT)}}},
    {"vip_iface_down_peer_dead_keeps", .self = A, .ifaces_down = G0,
     .nodes = {{.state = UP, .held = G0}, {.state = DEAD}}, .preferred = {A},
     .want = {{A, KEEP, R(NO_HEALTHY_NODE)}}},

    /* ping nodes (ipfail): the node that reaches fewer yields everything */
    {"ping_fewer_holder_releases_all", .self = A, .outreached = true,
     .n_groups = 2, .nodes = {{.state = UP, .held = G0 | G1}, {.state = UP}},
     .preferred = {A, B},
     .want = {{B, RELEASE, R(FEWER_PING_NODES)}, {B, RELEASE, R(FEWER_PING_NODES)}}},
    {"ping_fewer_takes_nothing", .self = A, .outreached = true,
     .nodes = {{.state = UP}, {.state = UP}}, .preferred = {A},
     .want = {{B, NONE, R(FEWER_PING_NODES)}}},
    {"ping_fewer_alone_keeps", .self = A, .outreached = true,
     .nodes = {{.state = UP, .held = G0}, {.state = DEAD}}, .preferred = {A},
     .want = {{A, KEEP, R(NO_HEALTHY_NODE)}}},

    /* takeover (hb_takeover) on B while A holds */
    {"takeover_waits_release", .self = B,
     .nodes = {{.state = UP, .held = G0}, {.state = UP, .wanted = G0}},
     .preferred = {A}, .want = {{B, NONE, R(WAIT_RELEASE)}}},
    {"takeover_holder_releases", .self = A,
     .nodes = {{.state = UP, .held = G0}, {.state = UP, .wanted = G0}},
     .preferred = {A}, .want = {{B, RELEASE, R(TAKEOVER_REQUEST)}}},
    {"takeover_acquires", .self = B,
     .nodes = {{.state = UP}, {.state = UP, .wanted = G0}}, .preferred = {A},
     .want = {{B, ACQUIRE, R(TAKEOVER_REQUEST)}}},
    {"takeover_both_want_preferred_wins", .self = B,
     .nodes = {{.state = UP, .wanted = G0}, {.state = UP, .wanted = G0}},
     .preferred = {B}, .want = {{B, ACQUIRE, R(TAKEOVER_REQUEST)}}},
    {"takeover_beats_failback", .self = A, .failback = XHB_FAILBACK_ON,
     .nodes = {{.state = UP, .held = G0}, {.state = UP, .wanted = G0}},
     .preferred = {A}, .want = {{B, RELEASE, R(TAKEOVER_REQUEST)}}},

    /* local link down (FAULT), and as the peer sees it */
    {"local_fault_releases", .self = A, .flags = XHB_SELF_FAULT,
     .nodes = {{.state = UP, .held = G0}, {.state = UP}}, .preferred = {A},
     .want = {{B, RELEASE, R(LOCAL_FAULT)}}},
    {"local_fault_acquires_nothing", .self = A, .flags = XHB_SELF_FAULT,
     .nodes = {{.state = UP}, {.state = DEAD}}, .preferred = {A},
     .want = {{-1, NONE, R(LOCAL_FAULT)}}},
    {"peer_fault_takeover", .self = B,
     .nodes = {{.state = FAULT, .held = G0}, {.state = UP}}, .preferred = {A},
     .want = {{B, ACQUIRE, R(PEER_FAULT)}}},

    /* dead, stalled, leases, leaving */
    {"peer_dead_takeover", .self = B,
     .nodes = {{.state = DEAD, .held = G0}, {.state = UP}}, .preferred = {A},
     .want = {{B, ACQUIRE, R(PEER_DEAD)}}},
    {"peer_unknown_after_initdead_is_dead", .self = B,
     .nodes = {{.state = UNKNOWN}, {.state = UP}}, .preferred = {A},
     .want = {{B, ACQUIRE, R(PEER_DEAD)}}},
    {"peer_warn_still_owns", .self = B,
     .nodes = {{.state = WARN, .held = G0}, {.state = UP}}, .preferred = {A},
     .want = {{A, NONE, R(PREFERRED_NODE)}}},
    {"peer_stalled_no_takeover", .self = B,
     .nodes = {{.state = STALLED, .held = G0}, {.state = UP}}, .preferred = {A},
     .want = {{A, NONE, R(PEER_STALLED_HOLDS)}}},
    {"peer_stalled_beats_failback_and_takeover", .self = B,
     .failback = XHB_FAILBACK_ON,
     .nodes = {{.state = STALLED, .held = G0}, {.state = UP, .wanted = G0}},
     .preferred = {B}, .want = {{A, NONE, R(PEER_STALLED_HOLDS)}}},
    {"peer_stalled_vs_our_hold_we_release", .self = B,
     .nodes = {{.state = STALLED, .held = G0}, {.state = UP, .held = G0}},
     .preferred = {B}, .want = {{A, RELEASE, R(PEER_STALLED_HOLDS)}}},
    {"peer_stalled_lease_expired_takeover", .self = B,
     .nodes = {{.state = STALLED, .lease_expired = true, .held = G0},
	       {.state = UP}},
     .preferred = {A}, .want = {{B, ACQUIRE, R(LEASE_EXPIRED)}}},
    {"peer_stalled_takes_nothing", .self = B,
     .nodes = {{.state = STALLED, .wanted = G0}, {.state = UP}},
     .preferred = {A}, .want = {{B, ACQUIRE, R(PEER_STALLED)}}},
    {"peer_leaving_takeover_at_once", .self = B,
     .nodes = {{.state = LEAVING, .held = G0}, {.state = UP}}, .preferred = {A},
     .want = {{B, ACQUIRE, R(PEER_LEAVING)}}},
    {"self_leaving_releases", .self = A, .flags = XHB_SELF_LEAVING,
     .nodes = {{.state = UP, .held = G0}, {.state = UP}}, .preferred = {A},
     .want = {{B, RELEASE, R(LEAVING)}}},
    {"peer_up_lease_flag_ignored", .self = B,
     .nodes = {{.state = UP, .lease_expired = true, .held = G0}, {.state = UP}},
     .preferred = {B}, .want = {{A, NONE, R(CURRENT_OWNER)}}},
    {"peer_woke_both_hold_partition_rule", .self = B,
     .nodes = {{.state = UP, .held = G0}, {.state = UP, .held = G0}},
     .preferred = {A}, .want = {{A, RELEASE, R(PARTITION_RESOLVED)}}},

    /* both hold after a partition healed */
    {"partition_preferred_keeps", .self = A,
     .nodes = {{.state = UP, .held = G0}, {.state = UP, .held = G0}},
     .preferred = {A}, .want = {{A, KEEP, R(PARTITION_RESOLVED), true}}},
    {"partition_other_releases", .self = B,
     .nodes = {{.state = UP, .held = G0}, {.state = UP, .held = G0}},
     .preferred = {A}, .want = {{A, RELEASE, R(PARTITION_RESOLVED)}}},
    {"partition_no_preference_lowest_keeps", .self = B,
     .nodes = {{.state = UP, .held = G0}, {.state = UP, .held = G0}},
     .preferred = {-1}, .want = {{A, RELEASE, R(PARTITION_RESOLVED)}}},

    /* one-way loss: a peer we hear does not hear us, it takes over */
    {"unheard_holder_releases", .self = A, .flags = XHB_SELF_UNHEARD,
     .nodes = {{.state = UP, .held = G0}, {.state = UP}}, .preferred = {A},
     .want = {{A, RELEASE, R(UNHEARD)}}},
    {"unheard_takes_nothing", .self = A, .flags = XHB_SELF_UNHEARD,
     .nodes = {{.state = UP}, {.state = DEAD}}, .preferred = {A},
     .want = {{A, NONE, R(UNHEARD)}}},
    {"unheard_peer_side_takes_dead_holder", .self = B,
     .nodes = {{.state = DEAD, .held = G0}, {.state = UP}}, .preferred = {A},
     .want = {{B, ACQUIRE, R(PEER_DEAD)}}},

    /* a peer came back in this loop: the keeper announces again */
    {"peer_heard_again_keeper_announces", .self = B,
     .nodes = {{.state = UP, .came_back = XHB_MEMBER_HEARD},
	       {.state = UP, .held = G0}},
     .preferred = {A}, .want = {{B, KEEP, R(CURRENT_OWNER), true}}},
    {"peer_healed_keeper_resolves_partition", .self = B,
     .nodes = {{.state = UP, .came_back = XHB_MEMBER_HEALED},
	       {.state = UP, .held = G0}},
     .preferred = {A}, .want = {{B, KEEP, R(PARTITION_RESOLVED), true}}},
    {"peer_back_nothing_held_nothing_announced", .self = A,
     .nodes = {{.state = UP}, {.state = UP, .came_back = XHB_MEMBER_HEALED,
			       .held = G0}},
     .preferred = {A}, .want = {{B, NONE, R(CURRENT_OWNER)}}},
    {"peer_back_not_holding_keeper_announces", .self = A,
     .nodes = {{.state = UP, .held = G0},
	       {.state = UP, .came_back = XHB_MEMBER_HEALED}},
     .preferred = {A}, .want = {{A, KEEP, R(PARTITION_RESOLVED), true}}},
    {"own_return_flag_ignored", .self = A,
     .nodes = {{.state = UP, .held = G0, .came_back = XHB_MEMBER_HEALED},
	       {.state = UP}},
     .preferred = {A}, .want = {{A, KEEP, R(PREFERRED_NODE)}}},

    /* active/active: each node preferred for one group */
    {"active_active_a", .self = A, .n_groups = 2,
     .nodes = {{.state = UP}, {.state = UP}}, .preferred = {A, B},
     .want = {{A, ACQUIRE, R(PREFERRED_NODE)}, {B, NONE, R(PREFERRED_NODE)}}},
    {"active_active_b", .self = B, .n_groups = 2,
     .nodes = {{.state = UP}, {.state = UP}}, .preferred = {A, B},
     .want = {{A, NONE, R(PREFERRED_NODE)}, {B, ACQUIRE, R(PREFERRED_NODE)}}},
    {"active_active_a_alone_holds_both", .self = A, .n_groups = 2,
     .nodes = {{.state = UP, .held = G0}, {.state = DEAD, .held = G1}},
     .preferred = {A, B},
     .want = {{A, KEEP, R(PREFERRED_NODE)}, {A, ACQUIRE, R(PEER_DEAD)}}},

    /* initdead */
    {"initdead_acquires_nothing", .self = A, .flags = XHB_SELF_INIT,
     .nodes = {{.state = UP}, {.state = UNKNOWN}}, .preferred = {A},
     .want = {{A, NONE, R(INITDEAD)}}},
    {"initdead_alone_waits", .self = A, .flags = XHB_SELF_INIT,
     .nodes = {{.state = UP}, {.state = DEAD}}, .preferred = {A},
     .want = {{A, NONE, R(INITDEAD)}}},
    {"initdead_peer_holds", .self = A, .flags = XHB_SELF_INIT,
     .nodes = {{.state = UP}, {.state = UP, .held = G0}}, .preferred = {A},
     .want = {{B, NONE, R(CURRENT_OWNER)}}},
    {"initdead_readopted_kept_from_unheard", .self = A, .flags = XHB_SELF_INIT,
     .failback = XHB_FAILBACK_ON,
     .nodes = {{.state = UP, .held = G0}, {.state = UNKNOWN}}, .preferred = {B},
     .want = {{B, KEEP, R(INITDEAD)}}},
    {"initdead_readopted_given_to_heard", .self = A, .flags = XHB_SELF_INIT,
     .failback = XHB_FAILBACK_ON,
     .nodes = {{.state = UP, .held = G0}, {.state = UP}}, .preferred = {B},
     .want = {{B, RELEASE, R(AUTO_FAILBACK)}}},
    /* Nobody holds it and its preferred node is still starting: wait
     * for it rather than race it (both would acquire). */
    {"peer_starting_we_wait", .self = B,
     .nodes = {{.state = UP, .starting = true}, {.state = UP}},
     .preferred = {A}, .want = {{A, NONE, R(PREFERRED_NODE)}}},
    {"starting_preferred_acquires_once_out", .self = A,
     .nodes = {{.state = UP}, {.state = UP}},
     .preferred = {A}, .want = {{A, ACQUIRE, R(PREFERRED_NODE)}}},
    {"peer_starting_not_preferred_we_take", .self = B,
     .nodes = {{.state = UP, .starting = true}, {.state = UP}},
     .preferred = {B}, .want = {{B, ACQUIRE, R(PREFERRED_NODE)}}},

    /* three nodes: A preferred and dead, B and C up */
    {"three_b_takes", .n_nodes = 3, .self = B,
     .nodes = {{.state = DEAD, .held = G0}, {.state = UP}, {.state = UP}},
     .preferred = {A}, .want = {{B, ACQUIRE, R(PEER_DEAD)}}},
    {"three_c_leaves_it_to_b", .n_nodes = 3, .self = C,
     .nodes = {{.state = DEAD, .held = G0}, {.state = UP}, {.state = UP}},
     .preferred = {A}, .want = {{B, NONE, R(PEER_DEAD)}}},
    {"three_c_takeover", .n_nodes = 3, .self = C,
     .nodes = {{.state = DEAD, .held = G0},
	       {.state = UP},
	       {.state = UP, .wanted = G0}},
     .preferred = {A}, .want = {{C, ACQUIRE, R(TAKEOVER_REQUEST)}}},
    {"three_partition_b_keeps", .n_nodes = 3, .self = B,
     .nodes = {{.state = UP},
	       {.state = UP, .held = G0},
	       {.state = UP, .held = G0}},
     .preferred = {A}, .want = {{B, KEEP, R(PARTITION_RESOLVED), true}}},
    {"three_partition_c_releases", .n_nodes = 3, .self = C,
     .nodes = {{.state = UP},
	       {.state = UP, .held = G0},
	       {.state = UP, .held = G0}},
     .preferred = {A}, .want = {{B, RELEASE, R(PARTITION_RESOLVED)}}},
    {"three_preferred_among_holders", .n_nodes = 3, .self = B,
     .nodes = {{.state = UP},
	       {.state = UP, .held = G0},
	       {.state = UP, .held = G0}},
     .preferred = {C}, .want = {{C, RELEASE, R(PARTITION_RESOLVED)}}},
};

/* nodes: room for the case's three */
static struct xhb_decide_input input_of(const struct decide_case *c,
					struct xhb_decide_node *nodes)
{
	for (unsigned int i = 0; i < 3; i++)
		nodes[i] = node_of(&c->nodes[i]);
	return (struct xhb_decide_input){
	    .n_nodes = c->n_nodes ? c->n_nodes : 2,
	    .n_groups = c->n_groups ? c->n_groups : 1,
	    .self = c->self,
	    .self_flags = c->flags,
	    .self_unfit = xhb_gset_of32(c->unfit),
	    .self_outreached = c->outreached,
	    .self_ifaces_down = xhb_gset_of32(c->ifaces_down),
	    .auto_failback = c->failback,
	    .nodes = nodes,
	    .preferred = c->preferred,
	};
}

Test(decide, table)
{
	for (size_t i = 0; i < sizeof(decide_cases) / sizeof(decide_cases[0]);
	     i++) {
		const struct decide_case *c = &decide_cases[i];
		struct xhb_decide_node nodes[3];
		struct xhb_decide_input in = input_of(c, nodes);
		struct xhb_decision out[2];

		cr_assert_eq(xhb_decide(&in, out), 0, "%s", c->name);
		for (unsigned int g = 0; g < in.n_groups; g++) {
			const struct expect *w = &c->want[g];

			cr_expect_eq(out[g].owner, w->owner,
				     "%s g%u: owner %d != %d", c->name, g,
				     out[g].owner, w->owner);
			cr_expect_eq(out[g].action, w->action,
				     "%s g%u: %s != %s (%s)", c->name, g,
				     xhb_action_name(out[g].action),
				     xhb_action_name(w->action),
				     xhb_reason_name(out[g].reason));
			cr_expect_eq(out[g].reason, w->reason,
				     "%s g%u: %s != %s", c->name, g,
				     xhb_reason_name(out[g].reason),
				     xhb_reason_name(w->reason));
			cr_expect_eq(out[g].announce, w->announce,
				     "%s g%u: announce", c->name, g);
		}
	}
}

/*
 * Every combination of states and holdings that both nodes see alike
 * (each UP to the other, each knowing what the other holds and asks):
 * both compute the same owner, at most one of them ends up holding, and
 * nobody acquires what the other still holds.
 */
Test(decide, both_sides_agree)
{
	static const enum xhb_auto_failback modes[] = {
	    XHB_FAILBACK_OFF, XHB_FAILBACK_ON, XHB_FAILBACK_LEGACY};
	int checked = 0;

	for (size_t m = 0; m < 3; m++)
		for (int pref = -1; pref < 2; pref++)
			for (unsigned int bits = 0; bits < 64; bits++) {
				struct node_case cases[2] = {
				    {.state = UP,
				     .held = bits & 1,
				     .wanted = (bits >> 1) & 1,
				     .refused = (bits >> 2) & 1},
				    {.state = UP,
				     .held = (bits >> 3) & 1,
				     .wanted = (bits >> 4) & 1,
				     .refused = (bits >> 5) & 1},
				};
				struct xhb_decide_node nodes[2] = {
				    node_of(&cases[0]), node_of(&cases[1])};
				struct xhb_decide_input in = {
				    .n_nodes = 2,
				    .n_groups = 1,
				    .auto_failback = modes[m],
				    .nodes = nodes,
				    .preferred = &pref,
				};
				struct xhb_decision side[2];
				int holders_after = 0;

				for (unsigned int self = 0; self < 2; self++) {
					in.self = self;
					cr_assert_eq(
					    xhb_decide(&in, &side[self]), 0);
				}
				cr_expect_eq(side[0].owner, side[1].owner,
					     "mode %zu pref %d bits %#x", m,
					     pref, bits);
				cr_expect_neq(side[0].owner, -1);
				for (unsigned int self = 0; self < 2; self++) {
					enum xhb_action a = side[self].action;
					bool holds = cases[self].held;

					if (a == ACQUIRE)
						cr_expect(!cases[!self].held,
							  "bits %#x: node %u "
							  "acquires what the "
							  "other holds",
							  bits, self);
					holders_after += a == ACQUIRE ||
							 a == KEEP ||
							 (holds && a == NONE);
				}
				cr_expect_leq(holders_after, 1,
					      "mode %zu pref %d bits %#x", m,
					      pref, bits);
				checked++;
			}
	cr_expect_eq(checked, 3 * 3 * 64);
}

Test(decide, rejects_bad_input)
{
	struct xhb_decide_node nodes[2] = {{.state = UP}, {.state = UP}};
	int pref = A;
	struct xhb_decision out;
	struct xhb_decide_input in = {
	    .n_nodes = 2, .n_groups = 1, .nodes = nodes, .preferred = &pref};

	cr_expect_eq(xhb_decide(&in, &out), 0);
	in.self = 2;
	cr_expect_eq(xhb_decide(&in, &out), -EINVAL);
	in.self = 0;
	pref = 2;
	cr_expect_eq(xhb_decide(&in, &out), -EINVAL);
	pref = A;
	in.n_groups = XHB_MAX_GROUPS + 1;
	cr_expect_eq(xhb_decide(&in, &out), -EINVAL);
	in.n_groups = 1;
	in.n_nodes = 0;
	cr_expect_eq(xhb_decide(&in, &out), -EINVAL);
	in.n_nodes = 2;
	nodes[1].state = XHB_MEMBER_STATE_MAX;
	cr_expect_eq(xhb_decide(&in, &out), -EINVAL);
	cr_expect_eq(xhb_decide(NULL, &out), -EINVAL);
}

Test(decide, names)
{
	cr_expect_str_eq(xhb_action_name(NONE), "none");
	cr_expect_str_eq(xhb_action_name(ACQUIRE), "acquire");
	cr_expect_str_eq(xhb_action_name(RELEASE), "release");
	cr_expect_str_eq(xhb_action_name(KEEP), "keep");
	cr_expect_str_eq(xhb_reason_name(R(PEER_DEAD)), "peer_dead");
	cr_expect_str_eq(xhb_reason_name(R(PARTITION_RESOLVED)),
			 "partition_resolved");
	for (int r = 0; r < XHB_REASON_MAX; r++) {
		cr_expect_not_null(xhb_reason_name(r));
		for (int s = 0; s < r; s++)
			cr_expect_str_neq(xhb_reason_name(r),
					  xhb_reason_name(s));
	}
}
