// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Quorum (user/quorum.h): one table of partitions and what they weigh. */
#include <criterion/criterion.h>

#include "quorum.h"

struct quorum_case {
	const char *name;
	unsigned int n, self;
	unsigned int votes[6]; /* all 0: 1 each */
	bool present[6];
	bool pings;
	__u16 self_ping, peer_ping;
	bool quorate;
	unsigned int got, total;
	enum xhb_quorum_why why;
};

#define Y true
#define N false

static const struct quorum_case quorum_cases[] = {
    {"three_all", 3, 0, .present = {Y, Y, Y}, .quorate = Y, 3, 3},
    {"three_two", 3, 1, .present = {N, Y, Y}, .quorate = Y, 2, 3},
    {"three_alone", 3, 2, .present = {N, N, Y}, .quorate = N, 1, 3},
    {"five_three_side", 5, 0, .present = {Y, Y, Y, N, N}, .quorate = Y, 3, 5},
    {"five_two_side", 5, 3, .present = {N, N, N, Y, Y}, .quorate = N, 2, 5},
    /* self counts even when the caller says otherwise */
    {"self_always_present", 3, 0, .present = {N, Y, N}, .quorate = Y, 2, 3},
    /* an even split: the half with the first voting node wins, once */
    {"four_half_with_first", 4, 1, .present = {Y, Y, N, N}, .quorate = Y, 2, 4,
     XHB_QUORUM_TIE_LOWEST},
    {"four_half_without_first", 4, 2, .present = {N, N, Y, Y}, .quorate = N,
     2, 4, XHB_QUORUM_TIE_LOWEST},
    {"four_half_first_votes_zero", 4, 1, .votes = {0, 2, 1, 1},
     .present = {Y, Y, N, N}, .quorate = Y, 2, 4, XHB_QUORUM_TIE_LOWEST},
    {"four_half_first_zero_other_side", 4, 2, .votes = {0, 2, 1, 1},
     .present = {Y, N, Y, Y}, .quorate = N, 2, 4, XHB_QUORUM_TIE_LOWEST},
    /* votes */
    {"votes_heavy_alone", 3, 0, .votes = {3, 1, 1}, .present = {Y, N, N},
     .quorate = Y, 3, 5},
    {"votes_light_pair", 3, 1, .votes = {3, 1, 1}, .present = {N, Y, Y},
     .quorate = N, 2, 5},
    {"votes_zero_node_adds_nothing", 3, 2, .votes = {1, 1, 0},
     .present = {N, N, Y}, .quorate = N, 0, 2},
    /* two nodes */
    {"two_both", 2, 0, .present = {Y, Y}, .quorate = Y, 2, 2},
    {"two_alone_no_pings", 2, 0, .present = {Y, N}, .quorate = N, 1, 2,
     XHB_QUORUM_TWO_NODES},
    {"two_alone_reaches_more", 2, 0, .present = {Y, N}, .pings = Y,
     .self_ping = 2, .peer_ping = 1, .quorate = Y, 1, 2,
     XHB_QUORUM_PING_NODES},
    {"two_alone_tie", 2, 1, .present = {N, Y}, .pings = Y, .self_ping = 3,
     .peer_ping = 3, .quorate = Y, 1, 2, XHB_QUORUM_PING_NODES},
    {"two_alone_reaches_fewer", 2, 1, .present = {N, Y}, .pings = Y,
     .self_ping = 2, .peer_ping = 3, .quorate = N, 1, 2,
     XHB_QUORUM_PING_NODES},
    {"two_alone_reaches_none", 2, 0, .present = {Y, N}, .pings = Y,
     .self_ping = 1, .peer_ping = 0, .quorate = N, 1, 2,
     XHB_QUORUM_PING_NODES},
    {"two_alone_not_measured", 2, 0, .present = {Y, N}, .pings = Y,
     .self_ping = 0, .peer_ping = 0, .quorate = N, 1, 2,
     XHB_QUORUM_PING_NODES},
    {"two_weighted_alone", 2, 0, .votes = {2, 1}, .present = {Y, N},
     .quorate = Y, 2, 3},
    {"one_node", 1, 0, .present = {Y}, .quorate = Y, 1, 1},
};

Test(quorum, table)
{
	for (size_t i = 0; i < sizeof(quorum_cases) / sizeof(quorum_cases[0]);
	     i++) {
		const struct quorum_case *c = &quorum_cases[i];
		bool some = false;
		struct xhb_quorum_input in = {
		    .n_nodes = c->n,
		    .self = c->self,
		    .present = c->present,
		    .pings = c->pings,
		    .self_ping = c->self_ping,
		    .peer_ping = c->peer_ping,
		};
		struct xhb_quorum q;

		for (unsigned int k = 0; k < 6; k++)
			some |= c->votes[k] != 0;
		in.votes = some ? c->votes : NULL;
		q = xhb_quorum_compute(&in);
		cr_expect_eq(q.quorate, c->quorate, "%s: quorate %d", c->name,
			     q.quorate);
		cr_expect_eq(q.votes, c->got, "%s: votes %u", c->name, q.votes);
		cr_expect_eq(q.total, c->total, "%s: total %u", c->name,
			     q.total);
		cr_expect_eq(q.needed, c->total / 2 + 1, "%s", c->name);
		cr_expect_eq(q.why, c->why, "%s: why %s", c->name,
			     xhb_quorum_why_name(q.why));
	}
}

/* Every split of five and of four nodes, one vote each or uneven: never
 * are both sides quorate. */
Test(quorum, never_both_sides)
{
	static const unsigned int votes[][5] = {
	    {1, 1, 1, 1, 1}, {2, 1, 1, 1, 1}, {0, 1, 1, 1, 1}, {1, 1, 1, 1, 0}};

	for (unsigned int n = 3; n <= 5; n++)
		for (size_t v = 0; v < 4; v++)
			for (unsigned int side = 0; side < (1U << n); side++) {
				bool a[5], b[5];
				struct xhb_quorum qa, qb;
				int sa = -1, sb = -1;

				for (unsigned int i = 0; i < n; i++) {
					a[i] = (side >> i) & 1;
					b[i] = !a[i];
					if (a[i] && sa < 0)
						sa = (int)i;
					if (b[i] && sb < 0)
						sb = (int)i;
				}
				if (sa < 0 || sb < 0)
					continue;
				qa = xhb_quorum_compute(&(struct xhb_quorum_input){
				    .n_nodes = n, .self = (unsigned int)sa,
				    .votes = votes[v], .present = a});
				qb = xhb_quorum_compute(&(struct xhb_quorum_input){
				    .n_nodes = n, .self = (unsigned int)sb,
				    .votes = votes[v], .present = b});
				cr_expect(!(qa.quorate && qb.quorate),
					  "n %u votes %zu side %#x: both quorate",
					  n, v, side);
			}
}
