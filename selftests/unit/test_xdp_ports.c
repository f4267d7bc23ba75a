// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * XDP on an interface whose media use several UDP ports (udpport for a
 * bcast line, an mcast line's own PORT), through BPF_PROG_TEST_RUN: a
 * cluster packet to any of them is taken, the index of its port is
 * recorded (the agent probes the peer there), a probe is answered to the
 * port it came from, and a frame to any other port passes untouched.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/udp.h>
#include <bpf/bpf.h>

#include "clock.h"
#include "dataplane.h"
#include "wire.h"
#include "xdp_peers.h"

#define CLUSTER 0x00c0ffeeU
#define SELF_ID 1000U
#define PEER_ID 2000U
#define KEY_ID 1
#define MCAST_PORT 7694
#define MCAST6_PORT 7695

static struct xhb_dataplane *dp;
static struct xhb_key keys[XHB_MAX_KEYS];
static __u64 seq;

/* The peer's frames: from its address and the port it sends to. */
static struct xhb_frame_spec from_peer(__u16 port)
{
	return (struct xhb_frame_spec){
		.family = AF_INET,
		.src_mac = {0x02, 0, 0, 0, 0, 0x02},
		.dst_mac = {0x02, 0, 0, 0, 0, 0x01},
		.src_ip = {172, 16, 193, 40},
		.dst_ip = {172, 16, 193, 10},
		.src_port = port,
		.dst_port = port,
	};
}

/* The interface carries bcast (udpport 694) and two mcast lines. */
static void setup(void)
{
	struct xhb_dataplane_opts o = {
		.ports = {XHB_DEFAULT_PORT, MCAST_PORT, MCAST6_PORT},
		.nports = 3,
		.cluster_id = CLUSTER,
		.load_only = true,
	};
	struct xhb_self self = {
		.incarnation = 77,
		.agent_epoch = 5,
		.agent_update_ns = xhb_now_ns(),
		.node_id = SELF_ID,
		.state = XHB_NODE_ACTIVE,
		.key_id = KEY_ID,
	};
	char why[256] = "";

	cr_assert_eq(dataplane__open(&o, &dp, why, sizeof(why)), 0, "load: %s", why);
	keys[KEY_ID] = (struct xhb_key){.k0 = 0x0706050403020100ULL,
					.k1 = 0x0f0e0d0c0b0a0908ULL,
					.method = XHB_AUTH_SIPHASH};
	cr_assert_eq(dataplane__set_keys(dp, keys), 0);
	cr_assert_eq(dataplane__write_self(dp, &self), 0);
	cr_assert_eq(dataplane__add_peer(dp, PEER_ID), 0);
	cr_assert_eq(test_confirm_peer(dataplane__prog_fd(dp), PEER_ID, 10), 0);
	seq = 0;
}

static void teardown(void)
{
	dataplane__close(dp);
}

TestSuite(xdp_ports, .init = setup, .fini = teardown);

struct run {
	int verdict;
	__u8 out[256];
	__u32 out_len;
};

static struct run send_type(__u8 type, __u16 port)
{
	struct xhb_frame_spec spec = from_peer(port);
	struct xhb_hdr h;
	__u8 in[256];
	struct run r = {0};
	int len;

	xhb_wire_fill(&h, &(struct xhb_wire_fields){
				  .type = type,
				  .state = XHB_NODE_ACTIVE,
				  .cluster_id = CLUSTER,
				  .node_id = PEER_ID,
				  .dest_node_id = type == XHB_MSG_HEARTBEAT ? 0 : SELF_ID,
				  .incarnation = 10,
				  .seq = ++seq,
				  .timestamp_ns = xhb_now_ns(),
				  .agent_epoch = 9,
			  });
	xhb_wire_sign(&h, KEY_ID, &keys[KEY_ID]);
	len = xhb_frame_build(in, sizeof(in), &spec, &h, sizeof(h));
	cr_assert_gt(len, 0);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = len,
		    .data_out = r.out, .data_size_out = sizeof(r.out));
	cr_assert_eq(bpf_prog_test_run_opts(dataplane__prog_fd(dp), &o), 0,
		     "test_run: %s", strerror(errno));
	r.verdict = o.retval;
	r.out_len = o.data_size_out;
	if (r.verdict == XDP_PASS)
		cr_assert_arr_eq(r.out, in, len, "passed, yet changed");
	return r;
}

static struct xhb_peer peer(void)
{
	struct xhb_peer p;

	cr_assert_eq(dataplane__peer(dp, PEER_ID, &p), 0);
	return p;
}

static __u64 counter(size_t field)
{
	struct xhb_stats s;

	cr_assert_eq(dataplane__stats(dp, &s), 0);
	return *(const __u64 *)((const char *)&s + field);
}

#define STAT(f) offsetof(struct xhb_stats, f)

/* Heartbeats on each medium's port are taken; the port's index is kept. */
Test(xdp_ports, heartbeat_on_every_medium_port)
{
	static const __u16 ports[] = {XHB_DEFAULT_PORT, MCAST_PORT, MCAST6_PORT};

	for (unsigned int i = 0; i < 3; i++) {
		struct run r = send_type(XHB_MSG_HEARTBEAT, ports[i]);
		struct xhb_peer p = peer();

		cr_expect_eq(r.verdict, XDP_DROP, "port %u: verdict %d", ports[i],
			     r.verdict);
		cr_expect_eq(p.heartbeats, i + 1, "port %u: not taken", ports[i]);
		cr_expect_eq(p.port_index, i, "port %u: index %u", ports[i],
			     p.port_index);
	}
	cr_expect_eq(counter(STAT(heartbeat_accepted)), 3);
}

/* A probe to an mcast medium's port is answered from that port to the
 * probe's source port: the reply stays on the medium's port. */
Test(xdp_ports, probe_answered_on_its_port)
{
	size_t off = xhb_frame_payload_offset(&(struct xhb_frame_spec){.family = AF_INET});
	struct run r = send_type(XHB_MSG_PROBE, MCAST_PORT);
	const struct udphdr *udp = (const void *)(r.out + off - sizeof(*udp));
	const struct xhb_hdr *reply = (const void *)(r.out + off);

	cr_assert_eq(r.verdict, XDP_TX);
	cr_assert_eq(ntohs(udp->source), MCAST_PORT);
	cr_assert_eq(ntohs(udp->dest), MCAST_PORT);
	cr_assert_eq(reply->type, XHB_MSG_PROBE_REPLY);
	cr_assert(xhb_frame_checksums_ok(r.out, r.out_len), "bad checksums");
	cr_assert_eq(counter(STAT(probe_answered)), 1);
	cr_assert_eq(peer().port_index, 1);
}

/* A port of no medium here (another mcast line's elsewhere, the next one
 * up) is not ours: passed untouched, nothing recorded. */
Test(xdp_ports, other_ports_pass)
{
	static const __u16 others[] = {693, 695, 7693, 7696, 9694};

	for (unsigned int i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		struct run r = send_type(XHB_MSG_HEARTBEAT, others[i]);

		cr_expect_eq(r.verdict, XDP_PASS, "port %u: verdict %d", others[i],
			     r.verdict);
	}
	cr_expect_eq(counter(STAT(pass_other_port)), 5);
	cr_expect_eq(peer().heartbeats, 0);
}

/* More ports than the program holds: refused with a reason. */
Test(xdp_ports, too_many_ports_refused)
{
	struct xhb_dataplane_opts o = {.nports = XHB_MAX_PORTS + 1,
				       .load_only = true};
	struct xhb_dataplane *other = NULL;
	char why[256] = "";

	cr_assert_eq(dataplane__open(&o, &other, why, sizeof(why)), -EINVAL);
	cr_assert_null(other);
	cr_assert_str_eq(why, "17 UDP ports for XDP: at most 16");
}
