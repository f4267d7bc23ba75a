// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Compact probes (xhb_wire.h) through BPF_PROG_TEST_RUN: answered in place
 * with a full reply flagged XHB_FLAG_COMPACT, checked as a full probe is
 * (tag over its 48 bytes, cluster, key, destination, replay), recording
 * that the peer probed us and nothing of its state; and the flag of a
 * peer's reply kept in its entry, which tells our agent to send it
 * compact probes.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/udp.h>
#include <bpf/bpf.h>

#include "clock.h"
#include "dataplane.h"
#include "wire.h"
#include "xdp_fixture.h"

static void setup(void)
{
	struct xhb_self self = xdp_fixture_self();

	self.priority = 7;
	self.lease_ms = 2000;
	self.groups_held = 0x1;
	self.compact_ms = 1000; /* our agent runs: replies invite them */
	xdp_fixture_setup(&self);
}

TestSuite(xdp_compact, .init = setup, .fini = xdp_fixture_teardown);

/* A packet from the peer, as its agent fills it; not signed yet. */
static struct xhb_hdr from_peer(__u8 type, __u8 flags)
{
	struct xhb_wire_fields f = peer_fields(type);
	struct xhb_hdr h;

	f.flags = flags;
	f.priority = 50;
	f.lease_ms = 3000;
	f.groups_held = 0x2;
	xhb_wire_fill(&h, &f);
	return h;
}

/* The peer's compact probe, signed. */
static struct xhb_hdr compact_probe(__u8 flags)
{
	struct xhb_hdr h = from_peer(XHB_MSG_PROBE, flags);

	xhb_wire_compact(&h);
	peer_sign(&h);
	return h;
}

/* Over IPv4 and IPv6: a full reply (version 1) in place, flagged, our
 * state in it, the probe's nonce echoed, its tag right. */
Test(xdp_compact, answered_in_place_with_a_full_reply)
{
	const struct xhb_frame_spec s6 = v6();

	for (int i = 0; i < 2; i++) {
		const struct xhb_frame_spec *spec = i ? &s6 : &v4;
		size_t off = xhb_frame_payload_offset(spec);
		struct xhb_hdr h = compact_probe(0);
		const struct xhb_probe *probe = (const void *)&h;
		struct xhb_stats before = stats();
		struct run r = send_hdr(spec, &h);
		const struct xhb_hdr *reply = (const void *)(r.out + off);

		cr_assert_eq(r.verdict, XDP_TX, "family %d: verdict %d",
			     spec->family, r.verdict);
		assert_one_counter(&before, STAT(probe_answered_compact),
				   "compact probe");
		cr_assert_eq(r.out_len, off + XHB_HDR_LEN);
		cr_assert(xhb_frame_checksums_ok(r.out, r.out_len), "bad checksums");
		cr_assert(xhb_wire_verify(reply, &keys[KEY_SIP]), "bad reply tag");
		cr_assert_eq(reply->version, XHB_VERSION);
		cr_assert_eq(reply->type, XHB_MSG_PROBE_REPLY);
		cr_assert_eq(reply->flags, XHB_FLAG_COMPACT);
		cr_assert_eq(ntohl(reply->node_id), SELF_ID);
		cr_assert_eq(ntohl(reply->dest_node_id), PEER_ID);
		cr_assert_eq(reply->timestamp_ns, probe->timestamp_ns,
			     "nonce not echoed");
		cr_assert_eq(ntohl(reply->echo_incarnation), PEER_INCARNATION);
		cr_assert_eq(be64toh(reply->incarnation), SELF_INCARNATION);
		cr_assert_eq(ntohl(reply->groups_held), 0x1);
		cr_assert_eq(reply->priority, 7);
	}
	cr_assert_eq(peer().probes, 2);
	cr_assert_neq(peer().last_probe_ns, 0);
}

/* A full probe's reply is flagged too: that is how a prober learns it. */
Test(xdp_compact, full_probe_answered_flagged)
{
	struct xhb_hdr h = from_peer(XHB_MSG_PROBE, 0);
	size_t off = xhb_frame_payload_offset(&v4);

	struct xhb_hdr reply;
	struct run r;

	peer_sign(&h);
	r = send_hdr(&v4, &h);
	cr_assert_eq(r.verdict, XDP_TX);
	memcpy(&reply, r.out + off, sizeof(reply));
	cr_assert_eq(reply.flags, XHB_FLAG_COMPACT);
}

/* Replies invite compact probes only while our agent runs: it wrote
 * xhb_self within compact_ms (stopped, stalled or restarting, it does not
 * probe its peers, and their probes must bring their state), and not
 * once it leaves (compact_ms 0). */
Test(xdp_compact, invited_only_while_our_agent_runs)
{
	size_t off = xhb_frame_payload_offset(&v4);
	struct xhb_self self;
	const struct {
		__u64 written_ago_ms;
		__u16 compact_ms;
		__u8 flags;
		const char *why;
	} cases[] = {
		{0, 1000, XHB_FLAG_COMPACT, "written now, 1 s window"},
		{900, 1000, XHB_FLAG_COMPACT, "written 900 ms ago"},
		{1100, 1000, 0, "written 1.1 s ago: stopped or stalled"},
		{0, 0, 0, "leaving (or an agent from before)"},
	};

	cr_assert_eq(dataplane__read_self(dp, &self), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xhb_hdr h = compact_probe(0), reply;
		struct run r;

		self.agent_update_ns = xhb_now_ns() - cases[i].written_ago_ms * 1000000;
		self.compact_ms = cases[i].compact_ms;
		cr_assert_eq(dataplane__write_self(dp, &self), 0);
		r = send_hdr(&v4, &h);
		cr_assert_eq(r.verdict, XDP_TX, "%s: verdict %d", cases[i].why,
			     r.verdict);
		memcpy(&reply, r.out + off, sizeof(reply));
		cr_assert_eq(reply.flags, cases[i].flags, "%s: flags %u",
			     cases[i].why, reply.flags);
		cr_assert(xhb_wire_verify(&reply, &keys[KEY_SIP]),
			  "%s: bad tag", cases[i].why);
	}
}

/* A compact probe carries nothing of its sender: its zeros are not a
 * state. Before anything else of its life (nothing said yet, which the
 * guard by agent epoch would not catch) and after a heartbeat (what it
 * said stays). */
Test(xdp_compact, says_nothing_of_its_sender)
{
	struct xhb_hdr hb, h = compact_probe(0);
	struct xhb_peer before, after;

	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_TX);
	after = peer();
	cr_assert_eq(after.probes, 1);
	cr_assert_eq(after.info_incarnation, 0, "its state taken from a compact probe");
	cr_assert_eq(after.lease_seen_ns, 0, "its lease taken from a compact probe");
	hb = from_peer(XHB_MSG_HEARTBEAT, 0);
	peer_sign(&hb);
	cr_assert_eq(send_hdr(&v4, &hb).verdict, XDP_DROP);
	before = peer();
	cr_assert_eq(before.heartbeats, 1);
	h = compact_probe(0);
	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_TX);
	after = peer();
	cr_assert_eq(after.probes, 2);
	cr_assert_eq(after.state, XHB_NODE_ACTIVE);
	cr_assert_eq(after.priority, 50);
	cr_assert_eq(after.groups_held, 0x2);
	cr_assert_eq(after.lease_ms, 3000);
	cr_assert_eq(after.agent_epoch, 9);
	cr_assert_eq(after.lease_seen_ns, before.lease_seen_ns);
	cr_assert_eq(after.info_incarnation, before.info_incarnation);
}

/* The one-way loss flag is a compact probe's too. */
Test(xdp_compact, unheard_flag_taken)
{
	struct xhb_hdr h = compact_probe(XHB_FLAG_UNHEARD);

	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_TX);
	cr_assert_neq(peer().unheard_ns, 0, "XHB_FLAG_UNHEARD not recorded");
}

static void flip_tagged(struct xhb_hdr *h)
{
	((__u8 *)h)[XHB_PROBE_TAGGED_LEN - 1] ^= 1; /* the timestamp's last byte */
}
static void as_heartbeat(struct xhb_hdr *h)
{
	h->type = XHB_MSG_HEARTBEAT;
	peer_sign(h);
}
static void other_cluster(struct xhb_hdr *h)
{
	h->cluster_id = htonl(CLUSTER + 1);
	peer_sign(h);
}
static void unknown_key(struct xhb_hdr *h)
{
	xhb_wire_sign(h, 3, &keys[KEY_SIP]);
}
static void for_other_node(struct xhb_hdr *h)
{
	h->dest_node_id = htonl(SELF_ID + 1);
	peer_sign(h);
}
/* A full probe's tag (over 80 bytes) with the version byte changed; its
 * state byte, a compact probe's key id, names our key. */
static void full_tag(struct xhb_hdr *h)
{
	*h = from_peer(XHB_MSG_PROBE, 0);
	h->state = KEY_SIP;
	peer_sign(h);
	h->version = XHB_PROBE_VERSION;
}

static const struct {
	const char *name;
	void (*spoil)(struct xhb_hdr *h);
	size_t counter;
} drops[] = {
	{"a tagged byte changed", flip_tagged, STAT(drop_bad_tag)},
	{"a compact heartbeat", as_heartbeat, STAT(drop_bad_type)},
	{"another cluster", other_cluster, STAT(drop_bad_cluster)},
	{"a key we do not hold", unknown_key, STAT(drop_unknown_key)},
	{"for another node", for_other_node, STAT(drop_probe_not_for_us)},
	{"a full probe's tag", full_tag, STAT(drop_bad_tag)},
};

Test(xdp_compact, forged_and_foreign_dropped)
{
	for (size_t i = 0; i < sizeof(drops) / sizeof(drops[0]); i++) {
		struct xhb_hdr h = compact_probe(0);
		struct xhb_stats before = stats();
		struct run r;

		drops[i].spoil(&h);
		r = send_hdr(&v4, &h);
		cr_assert_eq(r.verdict, XDP_DROP, "%s: verdict %d", drops[i].name,
			     r.verdict);
		assert_one_counter(&before, drops[i].counter, drops[i].name);
	}
	cr_assert_eq(peer().probes, 0);
}

/* Past the tag is padding, read by no one: changing it changes nothing. */
Test(xdp_compact, padding_not_tagged)
{
	struct xhb_hdr h = compact_probe(0);

	((__u8 *)&h)[XHB_HDR_LEN - 1] = 0xff;
	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_TX);
}

/* The same compact probe twice, or a full one's sequence number again:
 * the agent's one window. */
Test(xdp_compact, replay_dropped)
{
	struct xhb_hdr h = compact_probe(0), full;
	__u64 compact_seq = peer_seq;
	struct xhb_stats before;

	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_TX);
	before = stats();
	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_DROP);
	assert_one_counter(&before, STAT(drop_replay), "the same compact probe");
	full = from_peer(XHB_MSG_PROBE, 0);
	full.seq = htobe64(compact_seq);
	peer_sign(&full);
	before = stats();
	cr_assert_eq(send_hdr(&v4, &full).verdict, XDP_DROP);
	assert_one_counter(&before, STAT(drop_replay), "a full probe, same seq");
	cr_assert_eq(peer().probes, 1);
}

/* A peer's reply says whether its XDP takes compact probes; the entry
 * follows the last one (a rollback clears it). */
Test(xdp_compact, reply_flag_kept_in_the_entry)
{
	static const __u8 flags[] = {XHB_FLAG_COMPACT, 0, XHB_FLAG_COMPACT};

	cr_assert_eq(peer().compact, 0, "no reply yet");
	for (size_t i = 0; i < sizeof(flags); i++) {
		struct xhb_hdr h = from_peer(XHB_MSG_PROBE_REPLY, flags[i]);

		peer_sign(&h);
		cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_DROP);
		cr_assert_eq(peer().replies, i + 1, "reply %zu not taken", i);
		cr_assert_eq(peer().compact, flags[i] ? 1 : 0, "reply %zu", i);
	}
}
