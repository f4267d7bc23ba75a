// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * decide_cost: what one decision costs the agent's loop (xhb_decide() is
 * run once a probe period), for clusters of N nodes x G groups, in two
 * views: steady (every node up, each group held where it is placed) and
 * a death (one node just judged dead: its groups are placed again).
 * Groups are `auto` (placed by rendezvous hashing, the dearer kind) or
 * fixed (a preferred node each). One JSON line per case on stdout:
 *   {"nodes":N,"groups":G,"kind":"auto","view":"steady","ns":...,
 *    "ns_per_group":...,"iterations":...}
 * The best of five rounds is kept (other work on a shared machine only
 * ever adds time).
 *
 *   decide_cost [MAX_NODES [MAX_GROUPS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "xhb_wire.h"
#include "decide.h"

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

struct cluster {
	unsigned int n, g;
	struct xhb_decide_node nodes[XHB_DECIDE_MAX_NODES];
	int preferred[XHB_MAX_GROUPS];
	__u64 keys[XHB_MAX_GROUPS];
	struct xhb_decision out[XHB_MAX_GROUPS];
};

static struct xhb_decide_input input(struct cluster *c, unsigned int self)
{
	return (struct xhb_decide_input){
	    .n_nodes = c->n,
	    .n_groups = c->g,
	    .self = self,
	    .auto_failback = XHB_FAILBACK_OFF,
	    .nodes = c->nodes,
	    .preferred = c->preferred,
	    .group_keys = c->keys,
	};
}

/* Every node up; groups placed, then held where the decision put them. */
static void setup(struct cluster *c, unsigned int n, unsigned int g,
		  bool placed)
{
	struct xhb_decide_input in;

	memset(c, 0, sizeof(*c));
	c->n = n;
	c->g = g;
	for (unsigned int i = 0; i < n; i++)
		c->nodes[i] = (struct xhb_decide_node){
		    .state = XHB_MEMBER_UP, .key = 0x1000 + i * 7919, .weight = 1};
	for (unsigned int k = 0; k < g; k++) {
		c->preferred[k] = placed ? XHB_PLACE_AUTO : (int)(k % n);
		c->keys[k] = 0xfeed0000ULL + k * 104729;
	}
	in = input(c, 0);
	if (xhb_decide(&in, c->out))
		exit(1);
	for (unsigned int k = 0; k < g; k++)
		if (c->out[k].owner >= 0)
			xhb_gset_add(&c->nodes[c->out[k].owner].held, k);
}

static double best_ns(struct cluster *c, unsigned int self, unsigned int *iters)
{
	struct xhb_decide_input in = input(c, self);
	double best = 1e18;
	unsigned int it = 1;
	__u64 t0, t;

	/* iterations for ~20 ms a round */
	t0 = now_ns();
	if (xhb_decide(&in, c->out))
		exit(1);
	t = now_ns() - t0;
	if (t < 20000000)
		it = (unsigned int)(20000000 / (t ? t : 1));
	if (it < 3)
		it = 3;
	for (int round = 0; round < 5; round++) {
		t0 = now_ns();
		for (unsigned int i = 0; i < it; i++)
			(void)xhb_decide(&in, c->out);
		t = now_ns() - t0;
		if ((double)t / it < best)
			best = (double)t / it;
	}
	*iters = it;
	return best;
}

int main(int argc, char **argv)
{
	static const unsigned int node_counts[] = {2, 3, 5, 16, 64};
	static const unsigned int group_counts[] = {1, 32, 256, 1024};
	unsigned int max_n = argc > 1 ? (unsigned int)atoi(argv[1]) : 64;
	unsigned int max_g = argc > 2 ? (unsigned int)atoi(argv[2]) : 1024;
	struct cluster *c = malloc(sizeof(*c));

	if (!c)
		return 1;
	for (size_t a = 0; a < sizeof(node_counts) / sizeof(node_counts[0]); a++)
		for (size_t b = 0; b < sizeof(group_counts) / sizeof(group_counts[0]); b++)
			for (int placed = 1; placed >= 0; placed--)
				for (int death = 0; death < 2; death++) {
					unsigned int n = node_counts[a], g = group_counts[b], it;
					double ns;

					if (n > max_n || g > max_g || g > XHB_MAX_GROUPS)
						continue;
					setup(c, n, g, placed);
					if (death)
						c->nodes[n - 1].state = XHB_MEMBER_DEAD;
					ns = best_ns(c, 0, &it);
					printf("{\"nodes\":%u,\"groups\":%u,\"kind\":\"%s\","
					       "\"view\":\"%s\",\"ns\":%.0f,\"ns_per_group\":%.1f,"
					       "\"iterations\":%u}\n",
					       n, g, placed ? "auto" : "fixed",
					       death ? "death" : "steady", ns, ns / g, it);
					fflush(stdout);
				}
	free(c);
	return 0;
}
