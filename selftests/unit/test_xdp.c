// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The XDP program through BPF_PROG_TEST_RUN on canned frames: every parse,
 * verify and answer path, with the verdict, the output bytes, the peer
 * entry and the exact counter each frame lands in.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf.h>

#include "clock.h"
#include "dataplane.h"
#include "wire.h"
#include "xhb_siphash.h"
#include "xdp_fixture.h"

#define KEY_UNSET 5

static struct xhb_self self;

static void setup(void)
{
	keys[KEY_CRC] = (struct xhb_key){.method = XHB_AUTH_CRC};
	self = xdp_fixture_self();
	self.lease_ms = 5000;
	self.groups_held = 0x1;
	self.priority = 100;
	xdp_fixture_setup(&self);
}

TestSuite(xdp, .init = setup, .fini = xdp_fixture_teardown);

/* The peer's packet of type at incarnation and seq, signed, with what it
 * says of itself (its entry is checked for it). */
static struct xhb_hdr hdr(__u8 type, __u64 incarnation, __u64 seq)
{
	struct xhb_wire_fields f = peer_fields(type);

	f.priority = 50;
	f.lease_ms = 3000;
	f.groups_held = 0x2;
	f.incarnation = incarnation;
	f.seq = seq;
	return peer_hdr(&f);
}

Test(xdp, heartbeat_updates_peer)
{
	struct xhb_stats before = stats();
	struct xhb_hdr h = hdr(XHB_MSG_HEARTBEAT, 10, 1);
	__u64 t0 = xhb_now_ns();
	struct run r = send_hdr(&v4, &h);
	struct xhb_peer p = peer();

	cr_assert_eq(r.verdict, XDP_DROP);
	assert_one_counter(&before, STAT(heartbeat_accepted), "heartbeat");
	cr_assert_eq(p.heartbeats, 1);
	cr_assert_geq(p.last_heartbeat_ns, t0);
	cr_assert_leq(p.last_heartbeat_ns, xhb_now_ns());
	cr_assert_eq(p.agent_replay.incarnation, 10);
	cr_assert_eq(p.agent_replay.seq, 1);
	cr_assert_eq(p.agent_epoch, 9);
	cr_assert_eq(p.state, XHB_NODE_ACTIVE);
	cr_assert_eq(p.priority, 50);
	cr_assert_eq(p.lease_ms, 3000);
	cr_assert_eq(p.groups_held, 0x2);
	cr_assert_eq(p.family, AF_INET);
	cr_assert_arr_eq(p.addr, v4.src_ip, 4);
	cr_assert_arr_eq(p.mac, v4.src_mac, 6);
	cr_assert_eq(p.last_reply_ns, 0);
}

Test(xdp, heartbeat_crc_key_accepted)
{
	struct xhb_hdr h = hdr(XHB_MSG_HEARTBEAT, 10, 1);

	xhb_wire_sign(&h, KEY_CRC, &keys[KEY_CRC]);
	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_DROP);
	cr_assert_eq(peer().heartbeats, 1);
	h.seq = htobe64(2);
	h.tag ^= 1; /* corrupt: CRC no longer matches */
	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_DROP);
	cr_assert_eq(peer().heartbeats, 1);
}

Test(xdp, ipv6_and_vlan_heartbeats)
{
	struct xhb_frame_spec s6 = v6(), vlan4 = v4, vlan6 = v6();
	struct xhb_hdr h;
	struct xhb_peer p;

	vlan4.vlan = 193;
	vlan6.vlan = 194;
	h = hdr(XHB_MSG_HEARTBEAT, 10, 1);
	cr_assert_eq(send_hdr(&s6, &h).verdict, XDP_DROP);
	p = peer();
	cr_assert_eq(p.heartbeats, 1);
	cr_assert_eq(p.family, AF_INET6);
	cr_assert_arr_eq(p.addr, s6.src_ip, 16);

	h = hdr(XHB_MSG_HEARTBEAT, 10, 2);
	cr_assert_eq(send_hdr(&vlan4, &h).verdict, XDP_DROP);
	p = peer();
	cr_assert_eq(p.heartbeats, 2);
	cr_assert_eq(p.vlan, 193);

	h = hdr(XHB_MSG_HEARTBEAT, 10, 3);
	cr_assert_eq(send_hdr(&vlan6, &h).verdict, XDP_DROP);
	cr_assert_eq(peer().heartbeats, 3);
	cr_assert_eq(peer().vlan, 194);
}

/* How a frame is spoiled, and the one counter it must land in. */
struct drop_case {
	const char *name;
	void (*spoil)(struct xhb_hdr *h, struct xhb_frame_spec *s);
	size_t counter;
};

static void bad_tag(struct xhb_hdr *h, struct xhb_frame_spec *s)
{
	(void)s;
	((__u8 *)&h->tag)[3] ^= 0x10;
}
static void tag_over_other_bytes(struct xhb_hdr *h, struct xhb_frame_spec *s)
{
	(void)s;
	h->groups_held = htonl(0xff); /* changed after signing */
}
static void unknown_key(struct xhb_hdr *h, struct xhb_frame_spec *s)
{
	(void)s;
	xhb_wire_sign(h, KEY_UNSET, &keys[KEY_SIP]);
}
static void key_out_of_range(struct xhb_hdr *h, struct xhb_frame_spec *s)
{
	(void)s;
	xhb_wire_sign(h, 200, &keys[KEY_SIP]);
}
static void other_cluster(struct xhb_hdr *h, struct xhb_frame_spec *s)
{
	(void)s;
	h->cluster_id = htonl(CLUSTER + 1);
	peer_sign(h);
}
static void other_version(struct xhb_hdr *h, struct xhb_frame_spec *s)
{
	(void)s;
	h->version = XHB_PROBE_VERSION + 1; /* neither ours nor a compact probe's */
	peer_sign(h);
}
static void bad_magic(struct xhb_hdr *h, struct xhb_frame_spec *s)
{
	(void)s;
	h->magic = htonl(0xdeadbeef);
}
static void bad_type(struct xhb_hdr *h, struct xhb_frame_spec *s)
{
	(void)s;
	h->type = 77;
	peer_sign(h);
}
static void unknown_peer(struct xhb_hdr *h, struct xhb_frame_spec *s)
{
	(void)s;
	h->node_id = htonl(3000);
	peer_sign(h);
}
static void from_self(struct xhb_hdr *h, struct xhb_frame_spec *s)
{
	(void)s;
	h->node_id = htonl(SELF_ID);
	peer_sign(h);
}
static void probe_for_other(struct xhb_hdr *h, struct xhb_frame_spec *s)
{
	(void)s;
	h->type = XHB_MSG_PROBE;
	h->dest_node_id = htonl(4000);
	peer_sign(h);
}
static void probe_broadcast(struct xhb_hdr *h, struct xhb_frame_spec *s)
{
	h->type = XHB_MSG_PROBE;
	h->dest_node_id = htonl(SELF_ID);
	memset(s->dst_mac, 0xff, 6);
	peer_sign(h);
}
static void udp_len_long(struct xhb_hdr *h, struct xhb_frame_spec *s)
{
	(void)h;
	(void)s; /* handled by the caller: payload one byte longer */
}

static const struct drop_case drops[] = {
	{"bad tag", bad_tag, STAT(drop_bad_tag)},
	{"field changed after signing", tag_over_other_bytes, STAT(drop_bad_tag)},
	{"unknown key id", unknown_key, STAT(drop_unknown_key)},
	{"key id out of range", key_out_of_range, STAT(drop_unknown_key)},
	{"other cluster", other_cluster, STAT(drop_bad_cluster)},
	{"other version", other_version, STAT(drop_bad_version)},
	{"bad magic", bad_magic, STAT(drop_bad_magic)},
	{"bad type", bad_type, STAT(drop_bad_type)},
	{"unknown peer", unknown_peer, STAT(drop_unknown_peer)},
	{"our own node id", from_self, STAT(drop_self)},
	{"probe for another node", probe_for_other, STAT(drop_probe_not_for_us)},
	{"probe to broadcast MAC", probe_broadcast, STAT(drop_probe_not_for_us)},
	{"udp payload too long", udp_len_long, STAT(drop_malformed)},
};

Test(xdp, forged_and_foreign_dropped_and_counted)
{
	for (size_t i = 0; i < sizeof(drops) / sizeof(drops[0]); i++) {
		struct xhb_frame_spec s = v4;
		struct xhb_hdr h = hdr(XHB_MSG_HEARTBEAT, 10, 100 + i);
		struct xhb_stats before = stats();
		__u8 buf[256], payload[sizeof(h) + 1] = {0};
		struct run r;
		int len;

		drops[i].spoil(&h, &s);
		memcpy(payload, &h, sizeof(h));
		len = xhb_frame_build(buf, sizeof(buf), &s, payload,
				      drops[i].spoil == udp_len_long ? sizeof(h) + 1
								     : sizeof(h));
		r = run_frame(buf, len);
		cr_assert_eq(r.verdict, XDP_DROP, "%s: verdict %d", drops[i].name,
			     r.verdict);
		assert_one_counter(&before, drops[i].counter, drops[i].name);
		cr_assert_eq(peer().heartbeats, 0, "%s accepted", drops[i].name);
	}
}

Test(xdp, replayed_sequence_dropped)
{
	struct xhb_hdr h = hdr(XHB_MSG_HEARTBEAT, 10, 5), older;
	struct xhb_stats before;

	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_DROP);
	before = stats();
	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_DROP); /* same packet again */
	assert_one_counter(&before, STAT(drop_replay), "replay");
	cr_assert_eq(peer().heartbeats, 1);

	/* Reordering inside the window is accepted once, not twice. */
	older = hdr(XHB_MSG_HEARTBEAT, 10, 3);
	cr_assert_eq(send_hdr(&v4, &older).verdict, XDP_DROP);
	cr_assert_eq(peer().heartbeats, 2);
	before = stats();
	send_hdr(&v4, &older);
	assert_one_counter(&before, STAT(drop_replay), "reordered replay");

	/* Far behind the window: refused even if never seen. */
	h = hdr(XHB_MSG_HEARTBEAT, 10, 1000);
	send_hdr(&v4, &h);
	older = hdr(XHB_MSG_HEARTBEAT, 10, 900);
	before = stats();
	send_hdr(&v4, &older);
	assert_one_counter(&before, STAT(drop_replay), "outside window");
	cr_assert_eq(peer().heartbeats, 3);
}

Test(xdp, older_incarnation_dropped)
{
	struct xhb_hdr h = hdr(XHB_MSG_HEARTBEAT, 10, 5);
	struct xhb_stats before;

	send_hdr(&v4, &h);
	h = hdr(XHB_MSG_HEARTBEAT, 9, 500);
	before = stats();
	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_DROP);
	assert_one_counter(&before, STAT(drop_old_incarnation), "old incarnation");
	/* A restarted agent (newer incarnation) counts once a reply to one of
	 * our probes proved it live; then it starts its sequence again. */
	h = hdr(XHB_MSG_HEARTBEAT, 11, 1);
	before = stats();
	send_hdr(&v4, &h);
	assert_one_counter(&before, STAT(drop_unconfirmed), "unconfirmed");
	cr_assert_eq(peer().heartbeats, 1);
	h = hdr(XHB_MSG_PROBE_REPLY, 11, 1);
	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_DROP);
	cr_assert_eq(peer().confirmed_incarnation, 11);
	h = hdr(XHB_MSG_HEARTBEAT, 11, 2);
	send_hdr(&v4, &h);
	cr_assert_eq(peer().heartbeats, 2);
	cr_assert_eq(peer().agent_replay.incarnation, 11);
}

Test(xdp, truncated_never_accepted)
{
	struct xhb_hdr h = hdr(XHB_MSG_PROBE, 10, 1);
	const struct xhb_frame_spec specs[] = {v4, v6()};

	for (size_t s = 0; s < 2; s++) {
		__u8 buf[256];
		int full = build(buf, &specs[s], &h);

		/* BPF_PROG_TEST_RUN refuses frames shorter than an Ethernet
		 * header, as no driver hands XDP one. */
		for (int len = ETH_HLEN; len < full; len++) {
			struct xhb_stats before = stats(), after;
			struct run r = run_frame(buf, len);

			cr_assert_neq(r.verdict, XDP_TX, "len %d answered", len);
			after = stats();
			cr_assert_eq(after.probe_answered, before.probe_answered);
			cr_assert(r.verdict == XDP_PASS || r.verdict == XDP_DROP,
				  "len %d: verdict %d", len, r.verdict);
		}
		/* The full frame, for contrast, is answered. */
		cr_assert_eq(run_frame(buf, full).verdict, XDP_TX);
		h.seq = htobe64(2);
		peer_sign(&h);
	}
	cr_assert_eq(peer().heartbeats, 0);
}

/* Frames that are not ours: PASS with the bytes untouched. */
static int tcp_frame(__u8 *buf)
{
	struct xhb_frame_spec s = v4;
	__u8 payload[20] = {0};
	int len = xhb_frame_build(buf, 256, &s, payload, sizeof(payload));
	struct iphdr *ip = (struct iphdr *)(buf + ETH_HLEN);

	ip->protocol = IPPROTO_TCP;
	return len;
}

static int arp_frame(__u8 *buf)
{
	static const __u8 arp[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 2, 0x08, 0x06,
		0, 1, 0x08, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 2, 172, 16, 193, 40,
		0, 0, 0, 0, 0, 0, 172, 16, 193, 30};

	memcpy(buf, arp, sizeof(arp));
	return sizeof(arp);
}

static int other_port_frame(__u8 *buf)
{
	struct xhb_frame_spec s = v4;
	struct xhb_hdr h = hdr(XHB_MSG_PROBE, 10, 1);

	s.dst_port = 695;
	return build(buf, &s, &h);
}

static int fragment_frame(__u8 *buf)
{
	struct xhb_hdr h = hdr(XHB_MSG_PROBE, 10, 1);
	int len = build(buf, &v4, &h);
	struct iphdr *ip = (struct iphdr *)(buf + ETH_HLEN);

	ip->frag_off = htons(0x2000); /* MF: first fragment */
	return len;
}

static int ipv6_fragment_frame(__u8 *buf)
{
	struct xhb_frame_spec s = v6();
	struct xhb_hdr h = hdr(XHB_MSG_PROBE, 10, 1);
	int len = build(buf, &s, &h);
	struct ipv6hdr *ip6 = (struct ipv6hdr *)(buf + ETH_HLEN);

	ip6->nexthdr = 44;
	return len;
}

static const struct {
	const char *name;
	int (*make)(__u8 *buf);
	size_t counter;
} passes[] = {
	{"tcp", tcp_frame, STAT(pass_not_udp)},
	{"arp", arp_frame, STAT(pass_not_ip)},
	{"udp other port", other_port_frame, STAT(pass_other_port)},
	{"ipv4 fragment", fragment_frame, STAT(pass_fragment)},
	{"ipv6 fragment", ipv6_fragment_frame, STAT(pass_fragment)},
};

Test(xdp, non_cluster_traffic_passes_untouched)
{
	for (size_t i = 0; i < sizeof(passes) / sizeof(passes[0]); i++) {
		__u8 buf[256];
		int len = passes[i].make(buf);
		struct xhb_stats before = stats();
		struct run r = run_frame(buf, len);

		cr_assert_eq(r.verdict, XDP_PASS, "%s: verdict %d", passes[i].name,
			     r.verdict);
		cr_assert_eq(r.out_len, (__u32)len, "%s: length changed", passes[i].name);
		cr_assert_arr_eq(r.out, buf, len, "%s: bytes changed", passes[i].name);
		assert_one_counter(&before, passes[i].counter, passes[i].name);
	}
}

/* Check an answered probe: headers swapped, checksums and tag valid, our
 * state in it. */
static void check_reply(const struct xhb_frame_spec *spec, const __u8 *in,
			const struct run *r, const struct xhb_hdr *probe)
{
	size_t off = xhb_frame_payload_offset(spec), ip_off = ETH_HLEN + (spec->vlan ? 4 : 0);
	const struct ethhdr *eth = (const void *)r->out;
	const struct xhb_hdr *reply = (const void *)(r->out + off);
	const struct udphdr *udp = (const void *)(r->out + off - sizeof(*udp));
	__u64 now = xhb_now_ns();

	cr_assert_eq(r->verdict, XDP_TX);
	cr_assert_eq(r->out_len, off + sizeof(struct xhb_hdr));
	cr_assert_arr_eq(eth->h_dest, spec->src_mac, 6);
	cr_assert_arr_eq(eth->h_source, spec->dst_mac, 6);
	if (spec->family == AF_INET) {
		const struct iphdr *ip = (const void *)(r->out + ip_off);

		cr_assert_arr_eq(&ip->saddr, spec->dst_ip, 4);
		cr_assert_arr_eq(&ip->daddr, spec->src_ip, 4);
		cr_assert_eq(ip->ttl, 64);
		cr_assert_arr_eq(r->out + ip_off + sizeof(*ip), in + ip_off + sizeof(*ip),
				 spec->ip_options, "IP options changed");
	} else {
		const struct ipv6hdr *ip6 = (const void *)(r->out + ip_off);

		cr_assert_arr_eq(&ip6->saddr, spec->dst_ip, 16);
		cr_assert_arr_eq(&ip6->daddr, spec->src_ip, 16);
	}
	if (spec->vlan)
		cr_assert_arr_eq(r->out + ETH_HLEN, in + ETH_HLEN, 4, "VLAN tag changed");
	cr_assert_eq(ntohs(udp->source), spec->dst_port);
	cr_assert_eq(ntohs(udp->dest), spec->src_port);
	cr_assert(xhb_frame_checksums_ok(r->out, r->out_len), "bad checksums");
	/* IPv4: no UDP checksum (RFC 768's 0), the tag covers the payload;
	 * IPv6: one, as it requires (checked above) */
	if (spec->family == AF_INET)
		cr_assert_eq(udp->check, 0, "IPv4 reply with a UDP checksum");
	else
		cr_assert_neq(udp->check, 0, "IPv6 reply without a UDP checksum");
	cr_assert(xhb_wire_verify(reply, &keys[self.key_id]), "bad tag");
	cr_assert_eq(reply->key_id, self.key_id);
	cr_assert_eq(ntohl(reply->magic), XHB_MAGIC);
	cr_assert_eq(reply->type, XHB_MSG_PROBE_REPLY);
	cr_assert_eq(ntohl(reply->cluster_id), CLUSTER);
	cr_assert_eq(ntohl(reply->node_id), SELF_ID);
	cr_assert_eq(ntohl(reply->dest_node_id), PEER_ID);
	cr_assert_eq(reply->timestamp_ns, probe->timestamp_ns, "timestamp not echoed");
	cr_assert_eq(be64toh(reply->incarnation), self.incarnation);
	cr_assert_eq(be64toh(reply->agent_epoch), self.agent_epoch);
	cr_assert_eq(reply->state, self.state);
	cr_assert_eq(reply->priority, self.priority);
	cr_assert_eq(ntohl(reply->groups_held), self.groups_held);
	cr_assert_leq(ntohl(reply->agent_age_us), (now - self.agent_update_ns) / 1000 + 1);
	cr_assert_leq(ntohl(reply->lease_ms), self.lease_ms);
	cr_assert_geq(ntohl(reply->lease_ms),
		      self.lease_ms - (now - self.agent_update_ns) / 1000000 - 1);
	cr_assert_leq(be64toh(reply->seq), now);
}

Test(xdp, probe_answered_in_place)
{
	struct xhb_frame_spec s6 = v6(), vlan4 = v4, opts4 = v4, vlan6 = v6();
	const struct xhb_frame_spec *specs[] = {&v4, &s6, &vlan4, &opts4, &vlan6};
	__u64 seq = 1;

	vlan4.vlan = 100;
	vlan6.vlan = 101;
	opts4.ip_options = 8;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct xhb_hdr h = hdr(XHB_MSG_PROBE, 10, seq++);
		struct xhb_stats before = stats();
		__u8 buf[256];
		int len = build(buf, specs[i], &h);
		struct run r = run_frame(buf, len);

		check_reply(specs[i], buf, &r, &h);
		assert_one_counter(&before, STAT(probe_answered), "probe");
	}
	cr_assert_eq(peer().probes, sizeof(specs) / sizeof(specs[0]));
}

/* XDP keeps the SipHash state after a reply's first words (what changes
 * only with our state); each change of them, or of the key, must show in
 * the next reply's tag. */
Test(xdp, reply_tag_follows_state_and_key)
{
	__u64 seq = 1;

	for (int step = 0; step < 7; step++) {
		struct xhb_hdr h = hdr(XHB_MSG_PROBE, 10, seq++);
		__u8 buf[256];
		int len = build(buf, &v4, &h);
		struct run r = run_frame(buf, len);

		check_reply(&v4, buf, &r, &h);
		switch (step) { /* what the next reply says differently */
		case 0:
			self.state = XHB_NODE_LEAVING;
			break;
		case 1:
			self.priority++;
			break;
		case 2:
			self.ping_up = 3;
			break;
		case 3:
			self.incarnation++;
			break;
		case 4:
			self.agent_epoch++; /* past the prefix: hashed each time */
			break;
		case 5:
			keys[KEY_SIP].k0 ^= 0x5a5a;
			cr_assert_eq(dataplane__set_keys(dp, keys), 0);
			break;
		}
		self.agent_update_ns = xhb_now_ns();
		cr_assert_eq(dataplane__write_self(dp, &self), 0);
	}
}

/* XDP keeps the SipHash state after a received header's first words (by
 * sender and type): under new keys, the same words must be hashed anew
 * (a packet under the new key accepted, one under the old key not). */
Test(xdp, verify_follows_key)
{
	struct xhb_hdr h = hdr(XHB_MSG_PROBE, 10, 1);
	struct xhb_key old = keys[KEY_SIP];
	__u8 buf[256];

	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_TX);
	keys[KEY_SIP].k0 ^= 0x5a5a;
	cr_assert_eq(dataplane__set_keys(dp, keys), 0);
	h = hdr(XHB_MSG_PROBE, 10, 2);
	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_TX, "new key refused");
	h = hdr(XHB_MSG_PROBE, 10, 3);
	xhb_wire_sign(&h, KEY_SIP, &old);
	cr_assert_eq(run_frame(buf, build(buf, &v4, &h)).verdict, XDP_DROP,
		     "old key accepted");
	cr_assert_eq(stats().drop_bad_tag, 1);
}

/* A node whose active key is crc signs its replies with CRC32. */
Test(xdp, reply_signed_with_crc_key)
{
	struct xhb_hdr h = hdr(XHB_MSG_PROBE, 10, 1);
	__u8 buf[256];
	int len = build(buf, &v4, &h);
	struct run r;

	self.key_id = KEY_CRC;
	cr_assert_eq(dataplane__write_self(dp, &self), 0);
	r = run_frame(buf, len);
	check_reply(&v4, buf, &r, &h);
}

Test(xdp, probe_signed_with_crc_key_answered_with_active_key)
{
	struct xhb_hdr h = hdr(XHB_MSG_PROBE, 10, 1);
	__u8 buf[256];
	struct run r;

	xhb_wire_sign(&h, KEY_CRC, &keys[KEY_CRC]);
	r = run_frame(buf, build(buf, &v4, &h));
	check_reply(&v4, buf, &r, &h);
}

Test(xdp, probe_not_answered_without_agent)
{
	struct xhb_hdr h = hdr(XHB_MSG_PROBE, 10, 1);
	struct xhb_stats before;
	struct xhb_self absent = {0};

	cr_assert_eq(dataplane__write_self(dp, &absent), 0);
	before = stats();
	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_DROP);
	assert_one_counter(&before, STAT(drop_agent_absent), "no agent");
}

Test(xdp, reply_records_rtt_and_agent_age)
{
	struct xhb_hdr h = hdr(XHB_MSG_PROBE_REPLY, 10, 1);
	__u64 sent = xhb_now_ns() - 1500000; /* the probe left 1.5 ms ago */
	struct xhb_stats before = stats();
	struct xhb_peer p;

	h.timestamp_ns = htobe64(sent);
	h.agent_age_us = htonl(1234);
	peer_sign(&h);
	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_DROP);
	assert_one_counter(&before, STAT(reply_accepted), "reply");
	p = peer();
	cr_assert_eq(p.replies, 1);
	cr_assert_geq(p.rtt_ns, 1500000);
	cr_assert_lt(p.rtt_ns, 1000000000ULL);
	cr_assert_eq(p.agent_age_us, 1234);
	cr_assert_gt(p.last_reply_ns, sent);
	cr_assert_eq(p.reply_replay.seq, 1);
	/* The same reply again is a replay. */
	before = stats();
	send_hdr(&v4, &h);
	assert_one_counter(&before, STAT(drop_replay), "reply replay");
}

/* ---- fencing: a lapsed lease silences the VIPs ------------------------ */

static const __u8 vip4[4] = {172, 16, 193, 30};

static int arp_request_for(__u8 *buf, const __u8 target[4])
{
	int len = arp_frame(buf);

	memcpy(buf + 38, target, 4); /* target protocol address */
	return len;
}

static int udp_to(__u8 *buf, const __u8 *dst, int family)
{
	struct xhb_frame_spec s = family == AF_INET ? v4 : v6();
	__u8 payload[32] = {0};

	memcpy(s.dst_ip, dst, family == AF_INET ? 4 : 16);
	s.dst_port = 80;
	return xhb_frame_build(buf, 256, &s, payload, sizeof(payload));
}

/* An ICMPv6 neighbour discovery message of type for target. */
static int nd_for(__u8 *buf, const struct in6_addr *target, __u8 type)
{
	struct xhb_frame_spec s = v6();
	int len = xhb_frame_build(buf, 256, &s, "01234567890123456789012345678901", 24);
	struct ipv6hdr *ip6 = (struct ipv6hdr *)(buf + ETH_HLEN);
	__u8 *icmp = (__u8 *)(ip6 + 1);

	ip6->nexthdr = 58;
	memset(icmp, 0, 24);
	icmp[0] = type;
	memcpy(icmp + 8, target, 16);
	return len;
}

/* An ICMPv6 neighbour solicitation for target. */
static int ns_for(__u8 *buf, const struct in6_addr *target)
{
	return nd_for(buf, target, 135);
}

/* An ICMPv6 neighbour advertisement of target (another node's). */
static int na_of(__u8 *buf, const struct in6_addr *target)
{
	return nd_for(buf, target, 136);
}

static void set_lease(bool lapsed, __u32 groups)
{
	struct xhb_self s = self;

	s.groups_held = groups;
	s.lease_ms = 100;
	s.agent_update_ns = xhb_now_ns() - (lapsed ? 500000000ULL : 0);
	cr_assert_eq(dataplane__write_self(dp, &s), 0);
}

static void expect(const char *what, __u8 *buf, int len, int verdict,
		   size_t counter)
{
	struct xhb_stats before = stats();
	struct run r = run_frame(buf, len);

	cr_assert_eq(r.verdict, verdict, "%s: verdict %d, expected %d", what,
		     r.verdict, verdict);
	assert_one_counter(&before, counter, what);
}

Test(xdp, lapsed_lease_fences_vips)
{
	struct in6_addr vip6, other6;
	__u8 buf[256];
	const __u8 other4[4] = {172, 16, 193, 40};

	inet_pton(AF_INET6, "fd00:193::30", &vip6);
	inet_pton(AF_INET6, "fd00:193::40", &other6);
	cr_assert_eq(dataplane__vip_add(dp, AF_INET, vip4, 0, false), 0);
	cr_assert_eq(dataplane__vip_add(dp, AF_INET6, &vip6, 0, false), 0);

	/* Lease alive: the VIPs are served. */
	set_lease(false, 0x1);
	expect("na of vip6, lease alive", buf, na_of(buf, &vip6), XDP_PASS,
	       STAT(pass_not_udp));
	expect("arp, lease alive", buf, arp_request_for(buf, vip4), XDP_PASS,
	       STAT(pass_not_ip));
	expect("udp to vip, lease alive", buf, udp_to(buf, vip4, AF_INET),
	       XDP_PASS, STAT(pass_other_port));

	/* Lease lapsed: ARP, NS and traffic for the VIPs are dropped. */
	set_lease(true, 0x1);
	expect("arp for vip", buf, arp_request_for(buf, vip4), XDP_DROP,
	       STAT(drop_fenced_arp));
	expect("arp for another address", buf, arp_request_for(buf, other4),
	       XDP_PASS, STAT(pass_not_ip));
	expect("udp to vip", buf, udp_to(buf, vip4, AF_INET), XDP_DROP,
	       STAT(drop_fenced_ip));
	expect("tcp to another address", buf, tcp_frame(buf), XDP_PASS,
	       STAT(pass_not_udp));
	expect("udp to another address", buf, udp_to(buf, other4, AF_INET),
	       XDP_PASS, STAT(pass_other_port));
	expect("udp to vip6", buf, udp_to(buf, (const __u8 *)&vip6, AF_INET6),
	       XDP_DROP, STAT(drop_fenced_ip));
	expect("ns for vip6", buf, ns_for(buf, &vip6), XDP_DROP,
	       STAT(drop_fenced_arp));
	expect("ns for another address", buf, ns_for(buf, &other6), XDP_PASS,
	       STAT(pass_not_udp));
	expect("na of vip6 (the new holder's)", buf, na_of(buf, &vip6), XDP_DROP,
	       STAT(drop_fenced_arp));
	expect("na of another address", buf, na_of(buf, &other6), XDP_PASS,
	       STAT(pass_not_udp));

	/* Holding nothing, a node fences nothing. */
	set_lease(true, 0);
	expect("arp for vip, no group held", buf, arp_request_for(buf, vip4),
	       XDP_PASS, STAT(pass_not_ip));

	/* A released VIP is not fenced either. */
	set_lease(true, 0x1);
	cr_assert_eq(dataplane__vip_del(dp, AF_INET, vip4), 0);
	expect("arp for released vip", buf, arp_request_for(buf, vip4), XDP_PASS,
	       STAT(pass_not_ip));
}

/* A packet queued behind an unresolved ARP entry and delivered late (a
 * later seq, an older epoch) still proves liveness, but its old state and
 * holdings must not overwrite what a fresher packet said. */
Test(xdp, late_packet_does_not_overwrite_newer_state)
{
	struct xhb_hdr fresh = hdr(XHB_MSG_HEARTBEAT, 10, 1), late;
	struct xhb_peer p;

	fresh.agent_epoch = htobe64(500);
	fresh.groups_held = htonl(0x1);
	peer_sign(&fresh);
	send_hdr(&v4, &fresh);

	late = hdr(XHB_MSG_PROBE, 10, 2);
	late.agent_epoch = htobe64(400);
	late.groups_held = htonl(0);
	late.state = XHB_NODE_INIT;
	peer_sign(&late);
	cr_assert_eq(send_hdr(&v4, &late).verdict, XDP_TX, "still answered");

	p = peer();
	cr_assert_eq(p.probes, 1, "its liveness counts");
	cr_assert_eq(p.groups_held, 0x1, "old holdings overwrote newer ones");
	cr_assert_eq(p.state, XHB_NODE_ACTIVE);
	cr_assert_eq(p.agent_epoch, 500);

	/* A new incarnation (restarted agent, proved live by a reply to our
	 * probe) starts its epochs again. */
	late = hdr(XHB_MSG_PROBE_REPLY, 11, 1);
	late.groups_held = htonl(0x1);
	late.agent_epoch = htobe64(1);
	peer_sign(&late);
	send_hdr(&v4, &late);
	late = hdr(XHB_MSG_HEARTBEAT, 11, 1);
	late.agent_epoch = htobe64(1);
	late.groups_held = htonl(0);
	peer_sign(&late);
	send_hdr(&v4, &late);
	cr_assert_eq(peer().groups_held, 0, "a restarted agent's word counts");
}

/*
 * The news ring is a doorbell: it rings when a peer says something new
 * about itself (state, holdings), once, and not for a heartbeat that says
 * the same again.
 */
Test(xdp, news_rings_on_what_changed)
{
	struct xhb_hdr h = hdr(XHB_MSG_HEARTBEAT, 10, 1);

	dataplane__news_drain(dp);
	send_hdr(&v4, &h); /* first word from it: new */
	cr_expect_eq(dataplane__news_drain(dp), 1, "first heartbeat");
	h = hdr(XHB_MSG_HEARTBEAT, 10, 2); /* the same again */
	send_hdr(&v4, &h);
	cr_expect_eq(dataplane__news_drain(dp), 0, "same state and holdings");
	h = hdr(XHB_MSG_HEARTBEAT, 10, 3);
	h.state = XHB_NODE_LEAVING;
	peer_sign(&h);
	send_hdr(&v4, &h);
	cr_expect_eq(dataplane__news_drain(dp), 1, "leaving");
	h = hdr(XHB_MSG_HEARTBEAT, 10, 4);
	h.groups_held = htonl(0x3);
	peer_sign(&h);
	send_hdr(&v4, &h);
	cr_expect_eq(dataplane__news_drain(dp), 1, "holdings");
	h.seq = htobe64(4); /* replayed: dropped, no news */
	send_hdr(&v4, &h);
	cr_expect_eq(dataplane__news_drain(dp), 0, "replayed");
}

/*
 * Junk at our port (forged, replayed, malformed) is counted in the mapped
 * xhb_self, where the agent's flood watch reads it; our own accepted
 * packets and other traffic are not.
 */
Test(xdp, junk_counted_for_the_flood_watch)
{
	struct xhb_hdr h = hdr(XHB_MSG_HEARTBEAT, 10, 1);
	struct xhb_frame_spec s = v4;
	__u8 buf[256];
	__u64 junk = dataplane__junk(dp);

	send_hdr(&v4, &h);
	cr_expect_eq(dataplane__junk(dp), junk, "accepted heartbeat");
	send_hdr(&v4, &h); /* replayed */
	cr_expect_eq(dataplane__junk(dp), junk + 1, "replay");
	h = hdr(XHB_MSG_HEARTBEAT, 10, 2);
	bad_tag(&h, &s);
	send_hdr(&s, &h);
	cr_expect_eq(dataplane__junk(dp), junk + 2, "forged");
	run_frame(buf, tcp_frame(buf));
	run_frame(buf, other_port_frame(buf));
	cr_expect_eq(dataplane__junk(dp), junk + 2, "not ours: not junk");
}

/*
 * One-way loss: a probe saying its sender does not hear us fences our VIPs
 * at once, for the hold the agent wrote, with a live lease; a probe
 * without the flag does not; the peer entry records when it said so.
 */
Test(xdp, unheard_probe_fences_vips)
{
	struct xhb_self s = self;
	struct xhb_hdr h;
	__u8 buf[256];

	cr_assert_eq(dataplane__vip_add(dp, AF_INET, vip4, 0, false), 0);
	s.groups_held = 0x1;
	s.lease_ms = 60000;
	s.unheard_hold_ms = 200;
	s.agent_update_ns = xhb_now_ns();
	cr_assert_eq(dataplane__write_self(dp, &s), 0);

	h = hdr(XHB_MSG_PROBE, 10, 1);
	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_TX);
	expect("arp for vip, heard", buf, arp_request_for(buf, vip4), XDP_PASS,
	       STAT(pass_not_ip));
	cr_expect_eq(peer().unheard_ns, 0);

	h = hdr(XHB_MSG_PROBE, 10, 2);
	h.flags = XHB_FLAG_UNHEARD;
	peer_sign(&h);
	cr_assert_eq(send_hdr(&v4, &h).verdict, XDP_TX, "still answered");
	expect("arp for vip, unheard", buf, arp_request_for(buf, vip4), XDP_DROP,
	       STAT(drop_fenced_arp));
	expect("udp to vip, unheard", buf, udp_to(buf, vip4, AF_INET), XDP_DROP,
	       STAT(drop_fenced_ip));
	cr_expect_gt(peer().unheard_ns, 0);

	/* the hold runs out: served again (the agent has released by then) */
	s.unheard_hold_ms = 0;
	cr_assert_eq(dataplane__write_self(dp, &s), 0);
	expect("arp for vip, hold over", buf, arp_request_for(buf, vip4),
	       XDP_PASS, STAT(pass_not_ip));
}

/* The egress fence (TC): while fenced, nothing leaves from a VIP. */
static int run_egress(const void *frame, __u32 len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len);

	cr_assert_eq(bpf_prog_test_run_opts(dataplane__egress_prog_fd(dp), &o), 0,
		     "test_run: %s", strerror(errno));
	return (int)o.retval;
}

static int udp_from(__u8 *buf, const __u8 *src, int family)
{
	struct xhb_frame_spec s = family == AF_INET ? v4 : v6();
	__u8 payload[32] = {0};

	memcpy(s.src_ip, src, family == AF_INET ? 4 : 16);
	s.src_port = 80;
	return xhb_frame_build(buf, 256, &s, payload, sizeof(payload));
}

Test(xdp, egress_fence)
{
	const __u8 other4[4] = {172, 16, 193, 40};
	struct in6_addr vip6;
	__u8 buf[256];
	int len;
	__u64 before;

	inet_pton(AF_INET6, "fd00:193::30", &vip6);
	cr_assert_eq(dataplane__vip_add(dp, AF_INET, vip4, 0, false), 0);
	cr_assert_eq(dataplane__vip_add(dp, AF_INET6, &vip6, 0, false), 0);
	set_lease(false, 0x1);
	cr_expect_eq(run_egress(buf, udp_from(buf, vip4, AF_INET)), 0, "leased: sent");
	len = arp_frame(buf);
	memcpy(buf + 28, vip4, 4); /* sender protocol address */
	cr_expect_eq(run_egress(buf, len), 0, "leased: our ARP sent");

	set_lease(true, 0x1);
	before = stats().drop_fenced_egress;
	cr_expect_eq(run_egress(buf, len), 2, "fenced: ARP from the VIP dropped");
	cr_expect_eq(run_egress(buf, udp_from(buf, vip4, AF_INET)), 2,
		     "fenced: IPv4 from the VIP dropped");
	cr_expect_eq(run_egress(buf, udp_from(buf, (const __u8 *)&vip6, AF_INET6)), 2,
		     "fenced: IPv6 from the VIP dropped");
	cr_expect_eq(stats().drop_fenced_egress, before + 3);
	cr_expect_eq(run_egress(buf, udp_from(buf, other4, AF_INET)), 0,
		     "fenced: from another address, sent");
	cr_expect_eq(run_egress(buf, tcp_frame(buf)), 0, "fenced: not from a VIP");
	set_lease(true, 0);
	cr_expect_eq(run_egress(buf, udp_from(buf, vip4, AF_INET)), 0,
		     "holding nothing: nothing fenced");
}

/*
 * A staged VIP (fenced_standby: configured here, held elsewhere) is
 * fenced whatever our lease: holding nothing, holding another group with
 * a live lease, or lapsed. A held VIP whose last byte it shares (the
 * filters' bit) is served while the lease runs; taking the staged one
 * over (its entry rewritten held) serves it.
 */
Test(xdp, staged_vips_fenced_whatever_the_lease)
{
	const __u8 held4[4] = {172, 16, 194, 30}, other4[4] = {172, 16, 195, 30};
	static const struct {
		const char *lease;
		bool lapsed;
		__u32 groups;
	} leases[] = {
	    {"holding nothing", false, 0},
	    {"holding another group, lease alive", false, 0x2},
	    {"holding another group, lease lapsed", true, 0x2},
	};
	struct in6_addr vip6;
	__u8 buf[256];
	char what[128];

	inet_pton(AF_INET6, "fd00:193::30", &vip6);
	cr_assert_eq(dataplane__vip_add(dp, AF_INET, vip4, 0, true), 0);
	cr_assert_eq(dataplane__vip_add(dp, AF_INET6, &vip6, 0, true), 0);
	cr_assert_eq(dataplane__vip_add(dp, AF_INET, held4, 1, false), 0);
	for (size_t i = 0; i < sizeof(leases) / sizeof(leases[0]); i++) {
		__u64 before;
		int len;

		set_lease(leases[i].lapsed, leases[i].groups);
#define WHAT(x) (snprintf(what, sizeof(what), "%s, %s", leases[i].lease, x), what)
		expect(WHAT("arp for staged vip"), buf, arp_request_for(buf, vip4),
		       XDP_DROP, STAT(drop_fenced_arp));
		expect(WHAT("udp to staged vip"), buf, udp_to(buf, vip4, AF_INET),
		       XDP_DROP, STAT(drop_fenced_ip));
		expect(WHAT("udp to staged vip6"), buf,
		       udp_to(buf, (const __u8 *)&vip6, AF_INET6), XDP_DROP,
		       STAT(drop_fenced_ip));
		expect(WHAT("ns for staged vip6"), buf, ns_for(buf, &vip6),
		       XDP_DROP, STAT(drop_fenced_arp));
		expect(WHAT("the holder's na of staged vip6"), buf,
		       na_of(buf, &vip6), XDP_DROP, STAT(drop_fenced_arp));
		expect(WHAT("udp to an address of the same last byte"), buf,
		       udp_to(buf, other4, AF_INET), XDP_PASS,
		       STAT(pass_other_port));
		expect(WHAT("udp to the held vip"), buf, udp_to(buf, held4, AF_INET),
		       leases[i].lapsed ? XDP_DROP : XDP_PASS,
		       leases[i].lapsed ? STAT(drop_fenced_ip)
					: STAT(pass_other_port));
		before = stats().drop_fenced_egress;
		cr_expect_eq(run_egress(buf, udp_from(buf, vip4, AF_INET)), 2,
			     "%s", WHAT("egress: IPv4 from the staged vip dropped"));
		cr_expect_eq(run_egress(buf, udp_from(buf, (const __u8 *)&vip6,
						      AF_INET6)),
			     2, "%s", WHAT("egress: IPv6 from the staged vip dropped"));
		len = arp_frame(buf);
		memcpy(buf + 28, vip4, 4); /* sender protocol address */
		cr_expect_eq(run_egress(buf, len), 2, "%s",
			     WHAT("egress: ARP from the staged vip dropped"));
		cr_expect_eq(stats().drop_fenced_egress, before + 3, "%s",
			     WHAT("egress: counted"));
		cr_expect_eq(run_egress(buf, udp_from(buf, other4, AF_INET)), 0,
			     "%s", WHAT("egress: from another address, sent"));
#undef WHAT
	}
	/* Another staged VIP of the same last byte: the takeover of the
	 * first, then its removal, leave it fenced (staged_filter's bit
	 * stays while a staged VIP has it). */
	cr_assert_eq(dataplane__vip_add(dp, AF_INET, other4, 2, true), 0);
	/* Taken over: the entry written held, served while the lease runs. */
	cr_assert_eq(dataplane__vip_add(dp, AF_INET, vip4, 0, false), 0);
	set_lease(false, 0x1);
	expect("another staged vip of the same byte, after a takeover", buf,
	       udp_to(buf, other4, AF_INET), XDP_DROP, STAT(drop_fenced_ip));
	cr_assert_eq(dataplane__vip_del(dp, AF_INET6, &vip6), 0);
	expect("another staged vip of the same byte, after a removal", buf,
	       udp_to(buf, other4, AF_INET), XDP_DROP, STAT(drop_fenced_ip));
	cr_assert_eq(dataplane__vip_del(dp, AF_INET, other4), 0);
	expect("unstaged: udp to its address passes", buf,
	       udp_to(buf, other4, AF_INET), XDP_PASS, STAT(pass_other_port));
	expect("taken over: arp for the vip", buf, arp_request_for(buf, vip4),
	       XDP_PASS, STAT(pass_not_ip));
	expect("taken over: udp to the vip", buf, udp_to(buf, vip4, AF_INET),
	       XDP_PASS, STAT(pass_other_port));
	cr_expect_eq(run_egress(buf, udp_from(buf, vip4, AF_INET)), 0,
		     "taken over: egress from the vip sent");
	set_lease(true, 0x1);
	expect("taken over, lease lapsed: udp to the vip", buf,
	       udp_to(buf, vip4, AF_INET), XDP_DROP, STAT(drop_fenced_ip));
}

/*
 * A TCP frame over IPv4 to dst (a VLAN tag, IP options, a first fragment
 * if asked): the shape xhb_plainly_not_ours() decides itself, and each
 * way past it to xhb_classify().
 */
static int tcp_to(__u8 *buf, const __u8 dst[4], __u16 vlan, __u8 options,
		  bool fragment)
{
	struct xhb_frame_spec s = v4;
	__u8 payload[20] = {0};
	struct iphdr *ip = (struct iphdr *)(buf + ETH_HLEN + (vlan ? 4 : 0));
	int len;

	memcpy(s.dst_ip, dst, 4);
	s.vlan = vlan;
	s.ip_options = options;
	len = xhb_frame_build(buf, 256, &s, payload, sizeof(payload));
	ip->protocol = IPPROTO_TCP;
	if (fragment)
		ip->frag_off = htons(0x2000); /* MF */
	return len;
}

/*
 * Frames not ours are passed before parsing (xhb_plainly_not_ours()) only
 * when they are to none of our VIPs: a fenced VIP stays fenced for every
 * shape of frame, and an address that shares a VIP's filter bit still
 * passes, through the whole parse, with the same counter.
 */
Test(xdp, fence_holds_past_the_early_pass)
{
	const __u8 staged4[4] = {172, 16, 194, 31};
	const __u8 same_bit4[4] = {10, 1, 2, 30}; /* vip4's last byte */
	const __u8 other4[4] = {172, 16, 193, 41};
	static const struct {
		const char *shape;
		__u16 vlan;
		__u8 options;
		bool fragment;
	} shapes[] = {
	    {"tcp", 0, 0, false},
	    {"tcp, 802.1Q", 42, 0, false},
	    {"tcp, ip options", 0, 8, false},
	    {"tcp, first fragment", 0, 0, true},
	};
	__u8 buf[256];
	char what[128];

	cr_assert_eq(dataplane__vip_add(dp, AF_INET, vip4, 0, false), 0);
	cr_assert_eq(dataplane__vip_add(dp, AF_INET, staged4, 1, true), 0);
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		int pass = shapes[i].fragment ? STAT(pass_fragment)
					      : STAT(pass_not_udp);
#define TCP(dst) \
	tcp_to(buf, dst, shapes[i].vlan, shapes[i].options, shapes[i].fragment)
#define WHAT(x) (snprintf(what, sizeof(what), "%s, %s", shapes[i].shape, x), what)
		set_lease(false, 0x1);
		expect(WHAT("to the vip, lease alive"), buf, TCP(vip4), XDP_PASS,
		       pass);
		expect(WHAT("to the staged vip"), buf, TCP(staged4), XDP_DROP,
		       STAT(drop_fenced_ip));
		expect(WHAT("to another address"), buf, TCP(other4), XDP_PASS,
		       pass);
		set_lease(true, 0x1);
		expect(WHAT("to the vip, lease lapsed"), buf, TCP(vip4),
		       XDP_DROP, STAT(drop_fenced_ip));
		expect(WHAT("to an address of the vip's filter bit"), buf,
		       TCP(same_bit4), XDP_PASS, pass);
		expect(WHAT("to another address, lease lapsed"), buf,
		       TCP(other4), XDP_PASS, pass);
#undef TCP
#undef WHAT
	}
	expect("udp to the lapsed vip", buf, udp_to(buf, vip4, AF_INET),
	       XDP_DROP, STAT(drop_fenced_ip));
	expect("udp to another address", buf, udp_to(buf, other4, AF_INET),
	       XDP_PASS, STAT(pass_other_port));
}

/* ---- replay across resets: which life of the peer a packet is from ----- */

/*
 * After our reboot (its entry is new: no incarnation confirmed), packets
 * recorded earlier and replayed, a LEAVING among them, change nothing:
 * only a reply to one of our fresh probes proves which life is live.
 */
Test(xdp, replayed_packets_after_our_reboot_change_nothing)
{
	struct xhb_hdr h = hdr(XHB_MSG_HEARTBEAT, 10, 7);
	struct xhb_stats before = stats();

	cr_assert_eq(confirm_peer(0), 0);
	h.state = XHB_NODE_LEAVING;
	peer_sign(&h);
	send_hdr(&v4, &h);
	assert_one_counter(&before, STAT(drop_unconfirmed), "recorded LEAVING");
	cr_expect_eq(peer().state, XHB_NODE_NONE, "its word changed nothing");
	cr_expect_eq(peer().heartbeats, 0);
	cr_expect_eq(peer().family, AF_INET, "where to probe it is learnt");
	/* its probe is answered all the same (that is how it confirms us),
	 * and records nothing */
	h = hdr(XHB_MSG_PROBE, 10, 8);
	cr_expect_eq(send_hdr(&v4, &h).verdict, XDP_TX);
	cr_expect_eq(peer().probes, 0);
	/* our probe's answer from its live incarnation 12 */
	h = hdr(XHB_MSG_PROBE_REPLY, 12, 1);
	send_hdr(&v4, &h);
	cr_expect_eq(peer().confirmed_incarnation, 12);
	/* now the recorded packets of incarnation 10 are old */
	h = hdr(XHB_MSG_HEARTBEAT, 10, 9);
	before = stats();
	send_hdr(&v4, &h);
	assert_one_counter(&before, STAT(drop_old_incarnation), "replay, old life");
}

/* A reply counts only as the answer to a fresh probe of our current life. */
Test(xdp, stale_replies_dropped)
{
	struct {
		const char *what;
		__u64 sent_ago_ns; /* 0: in the future */
		__u32 echo;
	} cases[] = {
		{"a second old", 1000000000ULL, 77},
		{"from the future", 0, 77},
		{"to another life of ours", 1000, 76},
		{"from before echoes existed", 1000, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xhb_hdr h = hdr(XHB_MSG_PROBE_REPLY, 10, 10 + i);
		__u64 now = xhb_now_ns();
		struct xhb_stats before = stats();

		h.timestamp_ns = htobe64(cases[i].sent_ago_ns ? now - cases[i].sent_ago_ns
							      : now + 100000000ULL);
		h.echo_incarnation = htonl(cases[i].echo);
		peer_sign(&h);
		cr_expect_eq(send_hdr(&v4, &h).verdict, XDP_DROP, "%s", cases[i].what);
		assert_one_counter(&before, STAT(drop_stale_reply), cases[i].what);
	}
	cr_expect_eq(peer().replies, 0);
}

/* A confirmed life moves forward by a bounded step at once: an
 * incarnation of 2^64 - 1 cannot lock the real node out. */
Test(xdp, incarnation_jump_bounded)
{
	struct xhb_hdr h = hdr(XHB_MSG_PROBE_REPLY, 10 + XHB_MAX_INCARNATION_JUMP + 1, 1);
	struct xhb_stats before = stats();

	send_hdr(&v4, &h);
	assert_one_counter(&before, STAT(drop_incarnation_jump), "jump");
	h = hdr(XHB_MSG_PROBE_REPLY, ~0ULL, 1);
	send_hdr(&v4, &h);
	cr_expect_eq(peer().confirmed_incarnation, 10);
	h = hdr(XHB_MSG_PROBE_REPLY, 10 + XHB_MAX_INCARNATION_JUMP, 1);
	send_hdr(&v4, &h);
	cr_expect_eq(peer().confirmed_incarnation, 10 + XHB_MAX_INCARNATION_JUMP);
}

/* Our reply echoes the prober's incarnation, low 32 bits. */
Test(xdp, reply_echoes_the_probers_incarnation)
{
	struct xhb_hdr h = hdr(XHB_MSG_PROBE, 0x123456789aULL, 1);
	struct run r;

	cr_assert_eq(confirm_peer(0x123456789aULL), 0);
	r = send_hdr(&v4, &h);
	cr_assert_eq(r.verdict, XDP_TX);
	cr_expect_eq(ntohl(((struct xhb_hdr *)(r.out + r.out_len - XHB_HDR_LEN))->echo_incarnation),
		     0x3456789aU);
}

/* New keys forget which life of a peer is live (and its replay windows),
 * not when it was last heard; the same keys again change nothing. */
Test(xdp, key_change_resets_replay_state)
{
	struct xhb_hdr h = hdr(XHB_MSG_HEARTBEAT, 10, 1);
	struct xhb_key other[XHB_MAX_KEYS];
	struct xhb_peer p;

	send_hdr(&v4, &h);
	p = peer();
	cr_assert_eq(p.heartbeats, 1);
	cr_assert_eq(dataplane__set_keys(dp, keys), 0);
	cr_expect_eq(peer().confirmed_incarnation, 10, "same keys: kept");
	memcpy(other, keys, sizeof(other));
	other[KEY_SIP].k0 ^= 1;
	cr_assert_eq(dataplane__set_keys(dp, other), 0);
	cr_expect_eq(peer().confirmed_incarnation, 0);
	cr_expect_eq(peer().agent_replay.incarnation, 0);
	cr_expect_eq(peer().agent_replay.seq, 0);
	cr_expect_eq(peer().last_heartbeat_ns, p.last_heartbeat_ns, "times kept");
	cr_expect_eq(peer().heartbeats, 1);
}
