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
#include "xdp_fixture.h"

#define MCAST_PORT 7694
#define MCAST6_PORT 7695

/* The interface carries bcast (udpport 694) and two mcast lines. */
static const __u16 ports[] = {XHB_DEFAULT_PORT, MCAST_PORT, MCAST6_PORT};

static void setup(void)
{
	struct xhb_self self = xdp_fixture_self();

	xdp_fixture_setup_ports(&self, ports, 3);
}

TestSuite(xdp_ports, .init = setup, .fini = xdp_fixture_teardown);

/* The peer's packet of type to port, from that port; a frame passed must
 * be passed untouched. */
static struct run send_type(__u8 type, __u16 port)
{
	struct xhb_frame_spec spec = v4;
	struct xhb_wire_fields f = peer_fields(type);
	struct xhb_hdr h = peer_hdr(&f);
	__u8 in[256];
	struct run r;
	int len;

	spec.src_port = port;
	spec.dst_port = port;
	len = build(in, &spec, &h);
	r = run_frame(in, len);
	if (r.verdict == XDP_PASS)
		cr_assert_arr_eq(r.out, in, len, "passed, yet changed");
	return r;
}

/* Heartbeats on each medium's port are taken; the port's index is kept. */
Test(xdp_ports, heartbeat_on_every_medium_port)
{
	for (unsigned int i = 0; i < 3; i++) {
		struct run r = send_type(XHB_MSG_HEARTBEAT, ports[i]);
		struct xhb_peer p = peer();

		cr_expect_eq(r.verdict, XDP_DROP, "port %u: verdict %d", ports[i],
			     r.verdict);
		cr_expect_eq(p.heartbeats, i + 1, "port %u: not taken", ports[i]);
		cr_expect_eq(p.port_index, i, "port %u: index %u", ports[i],
			     p.port_index);
	}
	cr_expect_eq(stats().heartbeat_accepted, 3);
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
	cr_assert_eq(stats().probe_answered, 1);
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
	cr_expect_eq(stats().pass_other_port, 5);
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
