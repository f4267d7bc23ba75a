// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The probe generator's kernel half (pktgen --mode live). Not attached to
 * anything: pktgen runs it with BPF_PROG_TEST_RUN and the
 * BPF_F_TEST_XDP_LIVE_FRAMES flag, with the prober's veth as the ingress
 * interface, so every XDP_TX it returns is a frame really transmitted on
 * that veth (through its ndo_xdp_xmit, in bulk, as a driver's XDP_TX):
 * no socket, no skb, no syscall per packet.
 *
 * The kernel hands the program page-pool frames initialised once from
 * the template pktgen passes, then recycled with whatever was last
 * written in them (a responder's XDP rewrites a probe in place into its
 * reply). So each run copies one whole frame, prepared and signed by
 * pktgen in the mmapped `frames` array, into the frame it was given:
 * run i of a call sends frames[i]. The sequence numbers, the signature
 * and the checksums are pktgen's (user/wire.c), the same code as the
 * agent's, whatever the wire format becomes.
 *
 * live_count is the prober's cheap reply counter (pktgen --counter
 * cheap, attached to the prober's veth instead of xhb's program): it
 * counts and drops replies from the responder and echoes of our probes by
 * their header's type and ids, and verifies no tag. xhb's own program
 * verifies each reply with a SipHash and costs the prober's CPU about as
 * much per reply as the XDP responder's CPU: the prober would then be
 * the limit, not the responder.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "live_gen.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, LIVE_GEN_SLOTS);
	__type(key, __u32);
	__type(value, struct live_gen_frame);
} frames SEC(".maps");

/* Reset by pktgen before each call: the next run's slot. */
__u32 next_slot;
/* Frames returned with XDP_TX, and runs that found no frame to send. */
__u64 sent;
__u64 missed;

/*
 * Eight bytes a move (the slot is aligned; x86 takes the frame's
 * unaligned stores): a bytewise copy cost as much as the rest.
 */
static __always_inline void copy_frame(void *dst, const void *src)
{
#pragma clang loop unroll(full)
	for (int i = 0; i < LIVE_GEN_FRAME_LEN / 8; i++)
		((__u64 *)dst)[i] = ((const __u64 *)src)[i];
#pragma clang loop unroll(full)
	for (int i = LIVE_GEN_FRAME_LEN / 8 * 8; i < LIVE_GEN_FRAME_LEN; i++)
		((__u8 *)dst)[i] = ((const __u8 *)src)[i];
}

SEC("xdp")
int live_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 slot = next_slot;
	struct live_gen_frame *f;

	next_slot = slot + 1;
	f = bpf_map_lookup_elem(&frames, &slot);
	/* The template's length: pktgen's frames all have it. */
	if (!f || f->len != LIVE_GEN_FRAME_LEN ||
	    data + LIVE_GEN_FRAME_LEN > end) {
		missed++;
		return XDP_DROP;
	}
	copy_frame(data, f->bytes);
	sent++;
	return XDP_TX;
}

/* Set by pktgen before loading. */
const volatile __u32 prober_id;
const volatile __u32 responder_id;
/* What live_count saw: replies to us, our probes echoed, other
 * cluster-port packets. */
__u64 replies;
__u64 echoes;
__u64 other;

SEC("xdp")
int live_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	struct xhb_hdr *h = (void *)(udp + 1);

	if ((void *)(h + 1) > end || eth->h_proto != bpf_htons(0x0800) ||
	    ip->ihl != 5 || ip->protocol != 17 /* UDP */ ||
	    udp->dest != bpf_htons(XHB_DEFAULT_PORT))
		return XDP_PASS; /* ARP and the like */
	if (h->magic != bpf_htonl(XHB_MAGIC)) {
		other++;
		return XDP_DROP;
	}
	if (h->type == XHB_MSG_PROBE_REPLY &&
	    h->node_id == bpf_htonl(responder_id) &&
	    h->dest_node_id == bpf_htonl(prober_id))
		replies++;
	else if (h->type == XHB_MSG_PROBE && h->node_id == bpf_htonl(prober_id))
		echoes++;
	else
		other++;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
