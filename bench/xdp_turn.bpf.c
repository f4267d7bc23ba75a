// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The responder benchmark's floor (bench/run.sh dataplane): a UDP frame
 * turned around (Ethernet, IPv4 and UDP source and destination swapped,
 * nothing verified, nothing signed) and sent back with XDP_TX, as the
 * userspace echo returns it. What one of its replies costs the responder's
 * CPU is what the veth and its NAPI cost an XDP_TX answer before any
 * program work: no XDP responder can answer more per CPU-second on this
 * link, so the XDP / userspace echo ratio cannot exceed this floor's.
 * Attached by `ip link ... xdpdrv obj`; never part of the agent.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int xdp_turn(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	unsigned char mac[6];
	__be32 addr;
	__be16 port;

	if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(0x0800) ||
	    ip->ihl != 5 || ip->protocol != 17 /* UDP */)
		return XDP_PASS; /* ARP and the like */
	/* Swapping keeps both checksums: each sums the same words. */
	__builtin_memcpy(mac, eth->h_dest, sizeof(mac));
	__builtin_memcpy(eth->h_dest, eth->h_source, sizeof(mac));
	__builtin_memcpy(eth->h_source, mac, sizeof(mac));
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	port = udp->source;
	udp->source = udp->dest;
	udp->dest = port;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
