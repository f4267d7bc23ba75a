// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Placement of `auto` groups (user/place.h) and its use by the decision
 * (user/decide.h): spread, stability when nodes come and go, weights,
 * lists of nodes; and what quorum's flags make a node do. */
#include <criterion/criterion.h>
#include <math.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "xhb_wire.h"
#include "decide.h"
#include "place.h"

#define UP XHB_MEMBER_UP
#define DEAD XHB_MEMBER_DEAD

Test(place, cost_is_minus_log2_u)
{
	/* cost = -log2(u) in 32.32: between 0 and 64, and most pairs cost
	 * about 1/ln 2 on average (the mean of -log2 of a uniform) */
	double sum = 0;

	for (__u64 g = 0; g < 20000; g++) {
		double c = (double)xhb_place_cost(g * 7919, 42) / 4294967296.0;

		cr_assert(c >= 0 && c <= 64, "cost %f", c);
		sum += c;
	}
	cr_expect(fabs(sum / 20000 - 1 / log(2)) < 0.05, "mean %f",
		  sum / 20000);
}

Test(place, spread_and_weights)
{
	struct xhb_place_node n[3] = {{.key = 11, .weight = 1, .candidate = true},
				      {.key = 22, .weight = 1, .candidate = true},
				      {.key = 33, .weight = 2, .candidate = true}};
	unsigned int won[3] = {0};

	for (__u64 g = 0; g < 40000; g++)
		won[xhb_place_pick(g * 0x9e3779b97f4a7c15ULL, n, 3)]++;
	/* shares 1/4, 1/4, 1/2 within 3 % */
	cr_expect(fabs(won[0] / 40000.0 - 0.25) < 0.03, "%u", won[0]);
	cr_expect(fabs(won[1] / 40000.0 - 0.25) < 0.03, "%u", won[1]);
	cr_expect(fabs(won[2] / 40000.0 - 0.50) < 0.03, "%u", won[2]);
}

Test(place, a_node_leaving_moves_only_its_groups)
{
	struct xhb_place_node n[4];
	unsigned int moved = 0, lost = 0;

	for (unsigned int i = 0; i < 4; i++)
		n[i] = (struct xhb_place_node){.key = 100 + i, .candidate = true};
	for (__u64 g = 0; g < 5000; g++) {
		int before, after;

		n[2].candidate = true;
		before = xhb_place_pick(g, n, 4);
		n[2].candidate = false;
		after = xhb_place_pick(g, n, 4);
		lost += before == 2;
		moved += before != after;
		if (before != 2)
			cr_expect_eq(before, after, "group %llu moved",
				     (unsigned long long)g);
	}
	cr_expect_eq(moved, lost);
	cr_expect_gt(lost, 0);
	n[0].candidate = n[1].candidate = n[2].candidate = n[3].candidate = false;
	cr_expect_eq(xhb_place_pick(1, n, 4), -1);
}

/* ---- the decision with auto groups ---- */

#define NG 6
struct cluster {
	struct xhb_decide_node nodes[4];
	int preferred[NG];
	__u64 keys[NG];
	struct xhb_decision out[4][NG];
	int owner[NG];
};

/* The worst case for hashing alone: every group's key ranks node 0 first
 * (then node 1, then node 2) among the n nodes, so that only the bound on
 * each node's share spreads them. */
static void setup(struct cluster *c, unsigned int n)
{
	struct xhb_place_node p[4];
	__u64 key = 0xabc00000ULL;

	memset(c, 0, sizeof(*c));
	for (unsigned int i = 0; i < n; i++) {
		c->nodes[i].state = UP;
		c->nodes[i].key = 0x5eed0000ULL + i * 977;
		c->nodes[i].weight = 1;
		p[i] = (struct xhb_place_node){.key = c->nodes[i].key,
					       .candidate = true};
	}
	for (unsigned int g = 0; g < NG; g++) {
		for (;; key++) {
			p[0].candidate = true;
			if (xhb_place_pick(key, p, n) != 0)
				continue;
			p[0].candidate = false;
			if (xhb_place_pick(key, p, n) == 1)
				break;
		}
		c->preferred[g] = XHB_PLACE_AUTO;
		c->keys[g] = key++;
	}
}

/* Every live node decides; they must agree on each owner. */
static void decide_all(struct cluster *c, unsigned int n,
		       enum xhb_auto_failback fb, const __u64 *allowed)
{
	for (unsigned int self = 0; self < n; self++) {
		struct xhb_decide_input in = {
		    .n_nodes = n,
		    .n_groups = NG,
		    .self = self,
		    .auto_failback = fb,
		    .nodes = c->nodes,
		    .preferred = c->preferred,
		    .group_keys = c->keys,
		    .allowed = allowed,
		};

		if (c->nodes[self].state != UP)
			continue;
		cr_assert_eq(xhb_decide(&in, c->out[self]), 0);
	}
	for (unsigned int g = 0; g < NG; g++) {
		int first = -2;

		for (unsigned int self = 0; self < n; self++) {
			if (c->nodes[self].state != UP)
				continue;
			if (first == -2)
				first = c->out[self][g].owner;
			cr_expect_eq(c->out[self][g].owner, first,
				     "g%u: nodes disagree", g);
		}
		c->owner[g] = first;
	}
}

/* Apply the decisions: acquire and release as each node said. */
static void apply(struct cluster *c, unsigned int n)
{
	for (unsigned int self = 0; self < n; self++)
		for (unsigned int g = 0; g < NG; g++) {
			if (c->nodes[self].state != UP)
				continue;
			if (c->out[self][g].action == XHB_ACTION_ACQUIRE)
				xhb_gset_add(&c->nodes[self].held, g);
			if (c->out[self][g].action == XHB_ACTION_RELEASE)
				xhb_gset_del(&c->nodes[self].held, g);
		}
}

static unsigned int held_by(const struct cluster *c, unsigned int i)
{
	return xhb_gset_count(&c->nodes[i].held);
}

Test(place, six_groups_on_three_nodes_two_each)
{
	struct cluster c;

	setup(&c, 3);
	decide_all(&c, 3, XHB_FAILBACK_OFF, NULL);
	apply(&c, 3);
	for (unsigned int i = 0; i < 3; i++)
		cr_expect_eq(held_by(&c, i), 2, "node %u holds %u", i,
			     held_by(&c, i));
	/* stable: deciding again moves nothing */
	decide_all(&c, 3, XHB_FAILBACK_OFF, NULL);
	for (unsigned int i = 0; i < 3; i++)
		for (unsigned int g = 0; g < NG; g++)
			cr_expect_neq(c.out[i][g].action, XHB_ACTION_RELEASE);
}

Test(place, a_dead_node_moves_only_its_groups)
{
	struct cluster c;
	struct xhb_gset before[3];

	setup(&c, 3);
	decide_all(&c, 3, XHB_FAILBACK_OFF, NULL);
	apply(&c, 3);
	for (unsigned int i = 0; i < 3; i++)
		before[i] = c.nodes[i].held;
	c.nodes[2].state = DEAD;
	decide_all(&c, 3, XHB_FAILBACK_OFF, NULL);
	apply(&c, 3);
	/* the survivors keep theirs and take one of the dead node's each */
	for (unsigned int i = 0; i < 2; i++) {
		struct xhb_gset kept = xhb_gset_and(before[i], &c.nodes[i].held);

		cr_expect(xhb_gset_eq(&kept, &before[i]), "node %u lost one", i);
		cr_expect_eq(held_by(&c, i), 3, "node %u holds %u", i,
			     held_by(&c, i));
	}
}

Test(place, a_new_node_takes_nothing_with_failback_off)
{
	struct cluster c;

	setup(&c, 4);
	c.nodes[3].state = DEAD;
	decide_all(&c, 4, XHB_FAILBACK_OFF, NULL);
	apply(&c, 4);
	c.nodes[3].state = UP;
	decide_all(&c, 4, XHB_FAILBACK_OFF, NULL);
	for (unsigned int i = 0; i < 4; i++)
		for (unsigned int g = 0; g < NG; g++)
			cr_expect(c.out[i][g].action != XHB_ACTION_RELEASE &&
				      c.out[i][g].action != XHB_ACTION_ACQUIRE,
				  "node %u g%u: %s", i, g,
				  xhb_action_name(c.out[i][g].action));
}

Test(place, a_returning_node_gets_its_share_with_failback_on)
{
	struct cluster c;
	unsigned int rounds = 0;

	setup(&c, 3);
	c.nodes[2].state = DEAD;
	decide_all(&c, 3, XHB_FAILBACK_ON, NULL);
	apply(&c, 3);
	cr_expect_eq(held_by(&c, 2), 0);
	c.nodes[2].state = UP;
	/* release first, then acquire: a few rounds */
	do {
		decide_all(&c, 3, XHB_FAILBACK_ON, NULL);
		apply(&c, 3);
	} while (held_by(&c, 2) < 2 && ++rounds < 4);
	for (unsigned int i = 0; i < 3; i++)
		cr_expect_eq(held_by(&c, i), 2, "node %u holds %u", i,
			     held_by(&c, i));
}

Test(place, a_list_of_nodes_bounds_where_a_group_runs)
{
	struct cluster c;
	__u64 allowed[NG];

	setup(&c, 3);
	for (unsigned int g = 0; g < NG; g++)
		allowed[g] = g < 3 ? 0x6 /* nodes 1 and 2 */ : 0x7;
	decide_all(&c, 3, XHB_FAILBACK_OFF, allowed);
	for (unsigned int g = 0; g < 3; g++)
		cr_expect_neq(c.owner[g], 0, "g%u on node 0", g);
	c.nodes[1].state = DEAD;
	c.nodes[2].state = DEAD;
	decide_all(&c, 3, XHB_FAILBACK_OFF, allowed);
	for (unsigned int g = 0; g < 3; g++) {
		cr_expect_eq(c.owner[g], -1, "g%u", g);
		cr_expect_eq(c.out[0][g].reason, XHB_REASON_NO_ELIGIBLE_NODE);
	}
	for (unsigned int g = 3; g < NG; g++)
		cr_expect_eq(c.owner[g], 0, "g%u", g);
}

/* ---- quorum's flags ---- */

static struct xhb_decision alone(unsigned int flags, bool holds)
{
	struct xhb_decide_node nodes[2] = {{.state = UP}, {.state = DEAD}};
	int pref = 1;
	struct xhb_decide_input in = {
	    .n_nodes = 2, .n_groups = 1, .self = 0, .self_flags = flags,
	    .nodes = nodes, .preferred = &pref};
	struct xhb_decision d;

	if (holds)
		xhb_gset_add(&nodes[0].held, 0);
	cr_assert_eq(xhb_decide(&in, &d), 0);
	return d;
}

Test(place, no_quorum_stop_releases_and_takes_nothing)
{
	struct xhb_decision d = alone(XHB_SELF_NO_QUORUM, true);

	cr_expect_eq(d.action, XHB_ACTION_RELEASE);
	cr_expect_eq(d.reason, XHB_REASON_NO_QUORUM);
	d = alone(XHB_SELF_NO_QUORUM, false);
	cr_expect_eq(d.action, XHB_ACTION_NONE);
	d = alone(0, false); /* quorate: the dead peer's group is taken */
	cr_expect_eq(d.action, XHB_ACTION_ACQUIRE);
	cr_expect_str_eq(xhb_reason_name(XHB_REASON_NO_QUORUM), "no_quorum");
}

Test(place, no_quorum_freeze_keeps_and_takes_nothing)
{
	struct xhb_decision d = alone(XHB_SELF_FROZEN, true);

	cr_expect_eq(d.action, XHB_ACTION_KEEP);
	cr_expect_eq(d.reason, XHB_REASON_NO_QUORUM);
	d = alone(XHB_SELF_FROZEN, false);
	cr_expect_eq(d.action, XHB_ACTION_NONE);
	cr_expect_eq(d.reason, XHB_REASON_NO_QUORUM);
}
