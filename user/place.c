// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Weighted rendezvous hashing. The pair's hash h is uniform over 64 bits;
 * u = (h + 1) / 2^64 is in (0, 1]. The classic score is w / -ln(u); since
 * -ln(u) = -log2(u) * ln(2), comparing w_a / -log2(u_a) with
 * w_b / -log2(u_b) orders nodes alike, and needs no floating point:
 * a beats b when w_a * cost_b > w_b * cost_a, with cost = -log2(u) in
 * 32.32 fixed point (at most 64 << 32, so the products fit in 64 bits
 * times a 16-bit weight).
 */
#include "place.h"

static __u64 mix64(__u64 x) /* splitmix64's finaliser */
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* log2(x) for x >= 1 in 32.32 fixed point: the integer part from the
 * leading bit, the fraction bit by bit by squaring the mantissa. */
static __u64 log2_fixed(__u64 x)
{
	unsigned int ip = 63 - (unsigned int)__builtin_clzll(x);
	/* mantissa in [1, 2) as 1.63 fixed point */
	unsigned __int128 m = (unsigned __int128)x << (63 - ip);
	__u64 frac = 0;

	for (int bit = 31; bit >= 0; bit--) {
		m = (m * m) >> 63; /* square: [1, 4) in 1.63 (2.62 bits) */
		if (m >> 64) {
			m >>= 1;
			frac |= 1ULL << bit;
		}
	}
	return ((__u64)ip << 32) | frac;
}

__u64 xhb_place_cost(__u64 group_key, __u64 node_key)
{
	__u64 h = mix64(group_key ^ mix64(node_key + 0x9e3779b97f4a7c15ULL));

	/* u = (h + 1) / 2^64: -log2(u) = 64 - log2(h + 1), h + 1 in 65
	 * bits: the top value (u = 1) costs 0 */
	if (h == ~0ULL)
		return 0;
	return (64ULL << 32) - log2_fixed(h + 1);
}

int xhb_place_pick(__u64 group_key, const struct xhb_place_node *nodes,
		   unsigned int n)
{
	__u64 best_cost = 0, best_w = 0;
	int best = -1;

	for (unsigned int i = 0; i < n; i++) {
		__u64 w = nodes[i].weight ? nodes[i].weight : 1, cost;

		if (!nodes[i].candidate)
			continue;
		if (w > XHB_PLACE_WEIGHT_MAX)
			w = XHB_PLACE_WEIGHT_MAX;
		cost = xhb_place_cost(group_key, nodes[i].key);
		/* w / cost > best_w / best_cost, a cost of 0 winning */
		if (best < 0 ||
		    (unsigned __int128)w * best_cost >
			(unsigned __int128)best_w * cost) {
			best = (int)i;
			best_cost = cost;
			best_w = w;
		}
	}
	return best;
}
