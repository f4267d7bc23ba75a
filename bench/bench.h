/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What the data-plane benchmarks share: the cluster they pretend to be
 * (ids, key), signed headers, CPU pinning and /proc/stat snapshots.
 *
 * Two nodes: the prober (namespace A, pktgen) and the responder (namespace
 * B, xdp_responder or udp_echo). xdp_paths plays the responder too, with
 * the prober as its only peer, so every figure comes from the same packets.
 */
#ifndef XHB_BENCH_H
#define XHB_BENCH_H

#include <endian.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/types.h>

#include "clock.h"
#include "dataplane.h"
#include "wire.h"

#define BENCH_CLUSTER 0x00b0e4c0U
#define BENCH_PROBER_ID 2000U
#define BENCH_RESPONDER_ID 1000U
#define BENCH_KEY_ID 1
/* Every bench node's incarnation: a reply echoes it (its low 32 bits). */
#define BENCH_INCARNATION 1
#define BENCH_MAX_CPUS 64

/* The one SipHash key every bench node uses, in slot BENCH_KEY_ID. */
static inline void bench_keys(struct xhb_key keys[XHB_MAX_KEYS])
{
	memset(keys, 0, sizeof(struct xhb_key) * XHB_MAX_KEYS);
	keys[BENCH_KEY_ID] = (struct xhb_key){.k0 = 0x0706050403020100ULL,
					      .k1 = 0x0f0e0d0c0b0a0908ULL,
					      .method = XHB_AUTH_SIPHASH};
}

/*
 * A signed header from node `from` (HEARTBEAT: to nobody), stamped now on
 * CLOCK_BOOTTIME; a PROBE_REPLY answers a probe of a bench node (it echoes
 * BENCH_INCARNATION), just sent (the stamp), as XDP checks.
 */
static inline void bench_hdr(struct xhb_hdr *h, __u8 type, __u32 from, __u32 to,
			     __u64 incarnation, __u64 seq)
{
	struct xhb_key keys[XHB_MAX_KEYS];

	bench_keys(keys);
	xhb_wire_fill(h, &(struct xhb_wire_fields){
				 .type = type,
				 .state = XHB_NODE_ACTIVE,
				 .priority = 100,
				 .cluster_id = BENCH_CLUSTER,
				 .node_id = from,
				 .dest_node_id = type == XHB_MSG_HEARTBEAT ? 0 : to,
				 .incarnation = incarnation,
				 .seq = seq,
				 .timestamp_ns = xhb_now_ns(),
				 .agent_epoch = 1,
				 .echo_incarnation = type == XHB_MSG_PROBE_REPLY
							 ? BENCH_INCARNATION
							 : 0,
			 });
	xhb_wire_sign(h, BENCH_KEY_ID, &keys[BENCH_KEY_ID]);
}

/*
 * Make a loaded data plane node `self_id` with `peer_id` as its only peer:
 * the state an agent would have written, so probes are answered.
 */
static inline int bench_configure_node(struct xhb_dataplane *dp, __u32 self_id,
				       __u32 peer_id)
{
	struct xhb_key keys[XHB_MAX_KEYS];
	struct xhb_self self = {
	    .incarnation = BENCH_INCARNATION,
	    .agent_epoch = 1,
	    .agent_update_ns = xhb_now_ns(),
	    .node_id = self_id,
	    .state = XHB_NODE_ACTIVE,
	    .priority = 100,
	    .key_id = BENCH_KEY_ID,
	};
	int err;

	bench_keys(keys);
	err = dataplane__set_keys(dp, keys);
	if (!err)
		err = dataplane__write_self(dp, &self);
	if (!err)
		err = dataplane__add_peer(dp, peer_id);
	return err;
}

/* Pin the calling thread; -1 leaves it where the scheduler puts it. */
static inline int bench_pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* One CPU's line of /proc/stat, in USER_HZ ticks. */
struct bench_cpu_ticks {
	unsigned long long user, nice, system, idle, iowait, irq, softirq,
	    steal;
};

/* Snapshot the per-CPU lines; returns how many CPUs were read. */
static inline int bench_cpu_read(struct bench_cpu_ticks *t, int max)
{
	char line[512];
	FILE *f = fopen("/proc/stat", "re");
	int n = 0, cpu;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		struct bench_cpu_ticks c = {0};

		if (sscanf(line,
			   "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu",
			   &cpu, &c.user, &c.nice, &c.system, &c.idle,
			   &c.iowait, &c.irq, &c.softirq, &c.steal) != 9)
			continue;
		if (cpu >= 0 && cpu < max) {
			t[cpu] = c;
			if (cpu + 1 > n)
				n = cpu + 1;
		}
	}
	fclose(f);
	return n;
}

#endif /* XHB_BENCH_H */
