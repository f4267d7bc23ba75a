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

#include <stdbool.h>

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

static __u64 pair_hash(__u64 group_key, __u64 node_key)
{
	return mix64(group_key ^ mix64(node_key + 0x9e3779b97f4a7c15ULL));
}

/* -log2(u) for u = (h + 1) / 2^64: 64 - log2(h + 1), h + 1 in 65 bits:
 * the top value (u = 1) costs 0. */
static __u64 cost_of(__u64 h)
{
	if (h == ~0ULL)
		return 0;
	return (64ULL << 32) - log2_fixed(h + 1);
}

__u64 xhb_place_cost(__u64 group_key, __u64 node_key)
{
	return cost_of(pair_hash(group_key, node_key));
}

/*
 * a (weight wa, hash ha) beats b: wa / cost_a > wb / cost_b, a cost of 0
 * winning; on a tie of the scores, the larger hash. With equal weights
 * that is the larger hash alone, since the cost falls as the hash grows:
 * no logarithm to compute, the same winner.
 */
int xhb_place_pick(__u64 group_key, const struct xhb_place_node *nodes,
		   unsigned int n)
{
	__u64 best_cost = 0, best_w = 0, best_h = 0;
	bool same_weight = true;
	__u64 w0 = 0;
	int best = -1;

	for (unsigned int i = 0; i < n; i++) {
		__u64 w = nodes[i].weight ? nodes[i].weight : 1;

		if (!nodes[i].candidate)
			continue;
		if (!w0)
			w0 = w;
		same_weight &= w == w0;
	}
	for (unsigned int i = 0; i < n; i++) {
		__u64 w = nodes[i].weight ? nodes[i].weight : 1, h, cost;
		unsigned __int128 mine, theirs;

		if (!nodes[i].candidate)
			continue;
		if (w > XHB_PLACE_WEIGHT_MAX)
			w = XHB_PLACE_WEIGHT_MAX;
		h = pair_hash(group_key, nodes[i].key);
		if (same_weight) {
			if (best < 0 || h > best_h) {
				best = (int)i;
				best_h = h;
			}
			continue;
		}
		cost = cost_of(h);
		mine = (unsigned __int128)w * best_cost;
		theirs = (unsigned __int128)best_w * cost;
		if (best < 0 || mine > theirs || (mine == theirs && h > best_h)) {
			best = (int)i;
			best_cost = cost;
			best_w = w;
			best_h = h;
		}
	}
	return best;
}
