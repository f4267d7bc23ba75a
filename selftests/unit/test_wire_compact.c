// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Compact probes in userspace: what the agent sends (xhb_wire_compact(),
 * signed over 48 bytes), what the decoder makes of one (as XDP reads it),
 * and when the agent sends one rather than a full probe
 * (xhb_peers_compact_probe()).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <endian.h>
#include <string.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "config.h"
#include "peers.h"
#include "wire.h"
#include "xhb_siphash.h"

#define CLUSTER 0x00c0ffeeU
#define KEY_ID 2

static struct xhb_key keys[XHB_MAX_KEYS] = {
	[KEY_ID] = {.k0 = 0x0706050403020100ULL, .k1 = 0x0f0e0d0c0b0a0908ULL,
		    .method = XHB_AUTH_SIPHASH},
};

/* A probe as the agent fills it, with its state, made compact, signed. */
static struct xhb_hdr compact(void)
{
	struct xhb_hdr h;

	xhb_wire_fill(&h, &(struct xhb_wire_fields){
				  .type = XHB_MSG_PROBE,
				  .flags = XHB_FLAG_UNHEARD,
				  .state = XHB_NODE_ACTIVE,
				  .priority = 50,
				  .cluster_id = CLUSTER,
				  .node_id = 1000,
				  .dest_node_id = 2000,
				  .incarnation = 0x1122334455667788ULL,
				  .seq = 42,
				  .timestamp_ns = 123456789,
				  .agent_epoch = 9,
				  .lease_ms = 3000,
				  .groups_held = 0x2,
				  .ping_up = 3,
			  });
	xhb_wire_compact(&h);
	xhb_wire_sign(&h, KEY_ID, &keys[KEY_ID]);
	return h;
}

Test(wire_compact, layout_and_padding)
{
	struct xhb_hdr h = compact();
	const struct xhb_probe *p = (const void *)&h;
	const __u8 *raw = (const void *)&h;

	cr_assert_eq(ntohl(p->magic), XHB_MAGIC);
	cr_assert_eq(p->version, XHB_PROBE_VERSION);
	cr_assert_eq(p->type, XHB_MSG_PROBE);
	cr_assert_eq(p->key_id, KEY_ID);
	cr_assert_eq(p->flags, XHB_FLAG_UNHEARD);
	cr_assert_eq(ntohl(p->cluster_id), CLUSTER);
	cr_assert_eq(ntohl(p->node_id), 1000);
	cr_assert_eq(ntohl(p->dest_node_id), 2000);
	cr_assert_eq(p->zero, 0);
	cr_assert_eq(be64toh(p->incarnation), 0x1122334455667788ULL);
	cr_assert_eq(be64toh(p->seq), 42);
	cr_assert_eq(be64toh(p->timestamp_ns), 123456789);
	for (size_t i = XHB_PROBE_LEN; i < XHB_HDR_LEN; i++)
		cr_assert_eq(raw[i], 0, "byte %zu of the padding is %u", i, raw[i]);
	/* the tag is SipHash-2-4 of the first 48 bytes, under the key */
	cr_assert_eq(le64toh(p->tag),
		     xhb_siphash(raw, XHB_PROBE_TAGGED_LEN, keys[KEY_ID].k0,
				 keys[KEY_ID].k1));
}

/* The decoder takes it and reads it as XDP does: the probe's fields at
 * their places, nothing of the sender's state. */
Test(wire_compact, checked_and_read_as_xdp_does)
{
	struct xhb_hdr h = compact(), out;

	cr_assert_eq(xhb_wire_check(&h, sizeof(h), CLUSTER, keys, &out),
		     XHB_WIRE_OK);
	cr_assert_eq(out.version, XHB_PROBE_VERSION);
	cr_assert_eq(out.type, XHB_MSG_PROBE);
	cr_assert_eq(out.key_id, KEY_ID);
	cr_assert_eq(out.flags, XHB_FLAG_UNHEARD);
	cr_assert_eq(ntohl(out.node_id), 1000);
	cr_assert_eq(ntohl(out.dest_node_id), 2000);
	cr_assert_eq(be64toh(out.incarnation), 0x1122334455667788ULL);
	cr_assert_eq(be64toh(out.seq), 42);
	cr_assert_eq(be64toh(out.timestamp_ns), 123456789);
	cr_assert_eq(out.state, 0);
	cr_assert_eq(out.priority, 0);
	cr_assert_eq(out.ping_up, 0);
	cr_assert_eq(out.agent_epoch, 0);
	cr_assert_eq(out.lease_ms, 0);
	cr_assert_eq(out.groups_held, 0);
}

Test(wire_compact, refused_as_xdp_refuses)
{
	struct xhb_hdr h;

	for (size_t i = 0; i < XHB_PROBE_TAGGED_LEN; i++) {
		if (i == 4 || i == 5 || i == 6 || (i >= 8 && i < 12))
			continue; /* version, type, key, cluster: below */
		h = compact();
		((__u8 *)&h)[i] ^= 0x10;
		cr_assert_eq(xhb_wire_check(&h, sizeof(h), CLUSTER, keys, NULL),
			     i < 4 ? XHB_WIRE_BAD_MAGIC : XHB_WIRE_BAD_TAG,
			     "byte %zu changed", i);
	}
	h = compact();
	((__u8 *)&h)[XHB_HDR_LEN - 1] = 0xff; /* padding: not tagged */
	cr_assert_eq(xhb_wire_check(&h, sizeof(h), CLUSTER, keys, NULL), XHB_WIRE_OK);
	h = compact();
	h.type = XHB_MSG_HEARTBEAT;
	xhb_wire_sign(&h, KEY_ID, &keys[KEY_ID]);
	cr_assert_eq(xhb_wire_check(&h, sizeof(h), CLUSTER, keys, NULL),
		     XHB_WIRE_BAD_TYPE);
	h = compact();
	h.version = XHB_PROBE_VERSION + 1;
	cr_assert_eq(xhb_wire_check(&h, sizeof(h), CLUSTER, keys, NULL),
		     XHB_WIRE_BAD_VERSION);
	h = compact();
	cr_assert_eq(xhb_wire_check(&h, sizeof(h), CLUSTER + 1, keys, NULL),
		     XHB_WIRE_BAD_CLUSTER);
	h = compact();
	xhb_wire_sign(&h, KEY_ID + 1, &keys[KEY_ID]);
	cr_assert_eq(xhb_wire_check(&h, sizeof(h), CLUSTER, keys, NULL),
		     XHB_WIRE_UNKNOWN_KEY);
}

/* When the agent sends a compact probe: the peer's XDP said it takes them
 * in its last reply on that interface, and that reply is recent. */
Test(wire_compact, sent_while_replies_say_so)
{
	static struct xhb_config cfg = {.probe_interval_ns = 1000000};
	static struct xhb_peers ps = {.cfg = &cfg};
	const __u64 now = 50000000;
	static const struct {
		bool compact;
		__u64 reply_ns;
		bool want;
		const char *why;
	} cases[] = {
		{true, now - 900000, true, "its last reply, a period ago, said so"},
		{true, now - 1500000, true, "1.5 periods: still"},
		{true, now - 1500001, false, "past 1.5 periods: a reply missed"},
		{true, 0, false, "no reply yet"},
		{false, now - 100000, false, "its reply did not say so"},
		{true, now + 1000, false, "a reply from the future"},
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		ps.v[1].where[0] = (struct xhb_peer_addr){
			.compact = cases[c].compact, .reply_ns = cases[c].reply_ns};
		cr_assert_eq(xhb_peers_compact_probe(&ps, 1, 0, now), cases[c].want,
			     "%s", cases[c].why);
		/* another interface's reply says nothing of this one */
		cr_assert_eq(xhb_peers_compact_probe(&ps, 1, 1, now), false);
	}
}
