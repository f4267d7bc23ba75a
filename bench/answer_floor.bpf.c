// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The floor of a probe answer, for bench/xdp_paths: what any answer that
 * checks a SipHash-2-4 tag, signs its reply and tells its age must do,
 * with none of the rest (no peer, no lock, no replay window, no record),
 * timed in the same run as xhb's answer.
 *
 *  - floor_tags: a compact probe at fixed offsets (untagged IPv4, no
 *    options), its tag checked and its reply's signed by xhb's own code
 *    (bpf/xhb_tag.h: the same kept prefixes, a hit every time, as for a
 *    peer whose state holds), nothing written back: XDP_PASS when the tag is
 *    good, XDP_DROP when not (the bench checks the verdict), so the same
 *    frame can be run again and again.
 *  - floor_clock: the one clock read an answer needs (its reply's age and
 *    lease, xhb_build_reply()), alone.
 *
 * The key is in slot BENCH_KEY_ID of this object's own xhb_keys, written
 * by the bench.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "../bpf/xhb_bpf.h"
#include "xhb_wire.h"
#include "xhb_siphash.h"
#include "xhb_maps.h"
#include "../bpf/xhb_tag.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XHB_MAX_KEYS);
	__type(key, __u32);
	__type(value, struct xhb_key);
} xhb_keys SEC(".maps");

/* Results kept, so that nothing computed is optimised away. */
__u64 floor_out;

/* Ethernet, IPv4 without options, UDP: the payload's offset. */
#define FLOOR_PAYLOAD (14 + 20 + 8)

SEC("xdp")
int floor_tags(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	const struct xhb_probe *p = data + FLOOR_PAYLOAD;
	struct xhb_hdr h __attribute__((aligned(8)));
	struct xhb_key *key;
	__u32 key_id;

	if ((void *)((const __u8 *)p + XHB_HDR_LEN) > end)
		return XDP_ABORTED;
	XHB_UNROLL
	for (int i = 0; i < XHB_HDR_LEN / 8; i++)
		((__u64 *)&h)[i] = ((const __u64 *)p)[i];
	key_id = ((const struct xhb_probe *)&h)->key_id;
	key = key_id < XHB_MAX_KEYS ? bpf_map_lookup_elem(&xhb_keys, &key_id)
				    : NULL;
	if (!key || h.version != XHB_PROBE_VERSION ||
	    xhb_load_le64((const __u8 *)&((const struct xhb_probe *)&h)->tag) !=
		    xhb_verify_tag(&h, key))
		return XDP_DROP;
	/* the reply: the probe's words as a header, signed */
	xhb_probe_expand(&h);
	h.type = XHB_MSG_PROBE_REPLY;
	h.dest_node_id = h.node_id;
	floor_out = xhb_reply_tag(&h, key);
	return XDP_PASS;
}

SEC("xdp")
int floor_clock(struct xdp_md *ctx)
{
	(void)ctx;
	floor_out = bpf_ktime_get_boot_ns();
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
