/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Placement of `auto` groups: weighted rendezvous hashing (Thaler and
 * Ravishankar's highest random weight, with Schindelhauer and Schomaker's
 * weights). Each (group, node) pair gets a score from their keys; the
 * candidate with the highest score runs the group. A node that leaves the
 * candidates loses only the groups it won; every other group keeps its
 * winner. A node of weight 2 wins about twice the groups of one of
 * weight 1.
 *
 * Integer arithmetic only: every node, whatever its CPU or libm, names
 * the same winner.
 */
#ifndef XHB_PLACE_H
#define XHB_PLACE_H

#include <stdbool.h>
#include <linux/types.h>

#define XHB_PLACE_WEIGHT_MAX 65535

struct xhb_place_node {
	__u64 key;	/* stable: the node's id */
	__u32 weight;	/* 1..XHB_PLACE_WEIGHT_MAX; 0 counts as 1 */
	bool candidate; /* may run the group now */
};

/* The winning node's index among nodes[0..n), or -1 when none is a
 * candidate. Equal scores go to the larger hash, then the lowest index. */
int xhb_place_pick(__u64 group_key, const struct xhb_place_node *nodes,
		   unsigned int n);

/* -log2(u) for the pair's uniform u in (0, 1], in 32.32 fixed point: the
 * smaller, the stronger the claim (exposed for the tests). */
__u64 xhb_place_cost(__u64 group_key, __u64 node_key);

#endif /* XHB_PLACE_H */
