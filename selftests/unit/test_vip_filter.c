// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The VIP filter (xhb_maps.h): a holder's fence skips the clock for a
 * frame whose address cannot be a VIP, and must never skip it for one
 * that is. What test_xdp.c cannot see: a program loaded by a new agent
 * (a hitless restart or upgrade) adopts the pinned xhb_vips of the old
 * one, and its own filter starts empty; the VIPs already held must be in
 * it before it runs, or a hung agent would keep answering for them.
 *
 * In a private network namespace (a veth pair, the test's process only)
 * and a pin directory of the test's own, removed at the end.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>

#include "clock.h"
#include "dataplane.h"
#include "wire.h"

static const __u8 vip[4] = {10, 78, 0, 30};
static const __u8 other[4] = {10, 78, 0, 40}; /* another last byte */
static const __u8 staged[4] = {10, 78, 0, 50}; /* fenced_standby's */
static char pins[64];

static struct xhb_dataplane *open_on_veth(void)
{
	struct xhb_dataplane_opts o = {
		.ifname = "xvfa",
		.pin_dir = pins,
		.ports = {XHB_DEFAULT_PORT},
		.nports = 1,
		.cluster_id = 7,
	};
	struct xhb_dataplane *dp = NULL;
	char why[256] = "";

	cr_assert_eq(dataplane__open(&o, &dp, why, sizeof(why)), 0, "open: %s",
		     why);
	return dp;
}

/* UDP to addr, port 80, through dp's program: its verdict. */
static int udp_to(struct xhb_dataplane *dp, const __u8 *addr)
{
	struct xhb_frame_spec s = {
		.family = AF_INET,
		.src_mac = {0x02, 0, 0, 0, 0, 0x02},
		.dst_mac = {0x02, 0, 0, 0, 0, 0x01},
		.src_ip = {10, 78, 0, 2},
		.src_port = 40000,
		.dst_port = 80,
	};
	__u8 buf[128], out[128], payload[16] = {0};
	int len;

	memcpy(s.dst_ip, addr, 4);
	len = xhb_frame_build(buf, sizeof(buf), &s, payload, sizeof(payload));
	cr_assert_gt(len, 0);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out));
	cr_assert_eq(bpf_prog_test_run_opts(dataplane__prog_fd(dp), &o), 0,
		     "test_run: %s", strerror(errno));
	return o.retval;
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", pins);
	if (pins[0])
		(void)!system(cmd);
}

Test(vip_filter, adopted_vips_are_fenced, .fini = cleanup)
{
	struct xhb_self self = {
		.incarnation = 1,
		.agent_epoch = 1,
		.node_id = 1,
		.lease_ms = 1,
		.groups_held = 0x1,
		.state = XHB_NODE_ACTIVE,
	};
	struct xhb_dataplane *old, *new;

	if (unshare(CLONE_NEWNET) < 0)
		cr_skip_test("unshare(CLONE_NEWNET): %s (needs root)",
			     strerror(errno));
	snprintf(pins, sizeof(pins), "/sys/fs/bpf/xhb-unit-vipf-%d", getpid());
	cr_assert_eq(system("ip link add xvfa type veth peer name xvfb && "
			    "ip link set xvfa up && ip link set xvfb up"),
		     0);

	/* The old agent holds the VIP; its lease lapsed long ago. */
	old = open_on_veth();
	cr_assert_eq(dataplane__vip_add(old, AF_INET, vip, 0, false), 0);
	cr_assert_eq(dataplane__vip_add(old, AF_INET, staged, 1, true), 0);
	self.agent_update_ns = xhb_now_ns() - XHB_NS_PER_SEC;
	cr_assert_eq(dataplane__write_self(old, &self), 0);
	cr_assert_eq(udp_to(old, vip), XDP_DROP, "the old program fences");
	cr_assert_eq(udp_to(old, other), XDP_PASS);

	/* The new agent's program adopts the pins: the VIP stays fenced. */
	new = open_on_veth();
	cr_assert_eq(udp_to(new, vip), XDP_DROP,
		     "an adopted VIP is not in the new program's filter");
	cr_assert_eq(udp_to(new, other), XDP_PASS);
	/* Its lease renewed: the held VIP served, the staged one fenced
	 * still (the new program's staged_filter has it). */
	self.lease_ms = 10000;
	self.agent_update_ns = xhb_now_ns();
	cr_assert_eq(dataplane__write_self(new, &self), 0);
	cr_assert_eq(udp_to(new, vip), XDP_PASS);
	cr_assert_eq(udp_to(new, staged), XDP_DROP,
		     "an adopted staged VIP is not in the new program's filter");
	cr_assert_eq(dataplane__detach(new), 0);
	dataplane__close(new);
	dataplane__close(old);
}
