/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The XDP unit tests' fixture, once for test_xdp.c, test_xdp_ports.c,
 * test_xdp_pages.c, test_xdp_compact.c and test_xdp_fuzz.c: the program
 * loaded for BPF_PROG_TEST_RUN (dp) with the SipHash key in KEY_SIP
 * (keys), this node SELF_ID written as by an agent that runs, and one
 * peer PEER_ID whose incarnation PEER_INCARNATION is confirmed; the peer's
 * packets (peer_fields(), peer_hdr()) and frames (v4, v6()); running a
 * frame (run_frame(), send_hdr()); the counters (stats(),
 * assert_one_counter()) and the peer's entry (peer()).
 *
 * A file's .init calls xdp_fixture_setup() (the cluster's port alone) or
 * xdp_fixture_setup_ports(), and sets at that call what is its own: other
 * keys, the fields of xhb_self it tests (lease, groups, priority,
 * compact_ms). What the peer says of itself beyond who it is is the
 * file's too. Its .fini is xdp_fixture_teardown(). The state is each
 * test's own: Criterion runs every test in a process of its own.
 */
#ifndef XHB_TEST_XDP_FIXTURE_H
#define XHB_TEST_XDP_FIXTURE_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "clock.h"
#include "dataplane.h"
#include "wire.h"
#include "xhb_maps.h"

#define CLUSTER 0x00c0ffeeU
#define SELF_ID 1000U
#define PEER_ID 2000U
#define SELF_INCARNATION 77
#define PEER_INCARNATION 10
#define KEY_SIP 1 /* the SipHash key: the peer's packets, our replies */
#define KEY_CRC 2 /* a crc key, for the files that set one */

/* A counter, as assert_one_counter() takes it. */
#define STAT(f) offsetof(struct xhb_stats, f)

static struct xhb_dataplane *dp;
static struct xhb_key keys[XHB_MAX_KEYS];
static __u64 peer_seq; /* the last seq peer_fields() gave */

/* The peer's frames as they reach us: from its MAC and address to ours,
 * at the cluster's port. */
static const struct xhb_frame_spec v4 = {
    .family = AF_INET,
    .src_mac = {0x02, 0, 0, 0, 0, 0x02},
    .dst_mac = {0x02, 0, 0, 0, 0, 0x01},
    .src_ip = {172, 16, 193, 40},
    .dst_ip = {172, 16, 193, 10},
    .src_port = XHB_DEFAULT_PORT,
    .dst_port = XHB_DEFAULT_PORT,
};

/* The same over IPv6. */
static inline struct xhb_frame_spec v6(void)
{
	struct xhb_frame_spec s = v4;

	s.family = AF_INET6;
	inet_pton(AF_INET6, "fd00:193::40", s.src_ip);
	inet_pton(AF_INET6, "fd00:193::10", s.dst_ip);
	return s;
}

/* The program's xhb_peers map, found through the program's map ids. */
static inline int test_peers_map_fd(int prog_fd)
{
	struct bpf_prog_info pi = {0};
	__u32 ids[16], len = sizeof(pi);

	pi.nr_map_ids = 16;
	pi.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &pi, &len))
		return -1;
	for (__u32 i = 0; i < pi.nr_map_ids; i++) {
		struct bpf_map_info mi = {0};
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &mi, &mlen) &&
		    !strcmp(mi.name, XHB_MAP_PEERS))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

/* Set the peer's confirmed incarnation directly, as a reply to one of
 * our probes would, without touching any counter. */
static inline int confirm_peer(__u64 incarnation)
{
	int fd = test_peers_map_fd(dataplane__prog_fd(dp)), err = -1;
	__u32 id = PEER_ID;
	struct xhb_peer p;

	if (fd < 0)
		return -1;
	if (!bpf_map_lookup_elem_flags(fd, &id, &p, BPF_F_LOCK)) {
		p.confirmed_incarnation = incarnation;
		err = bpf_map_update_elem(fd, &id, &p, BPF_F_LOCK);
	}
	close(fd);
	return err;
}

/* This node as every file writes it; a file adds the fields it tests. */
static inline struct xhb_self xdp_fixture_self(void)
{
	return (struct xhb_self){
	    .incarnation = SELF_INCARNATION,
	    .agent_epoch = 5,
	    .node_id = SELF_ID,
	    .state = XHB_NODE_ACTIVE,
	    .key_id = KEY_SIP,
	};
}

/*
 * Load the program for the UDP ports given (host order), set keys[] with
 * the SipHash key put in KEY_SIP, write self with agent_update_ns now (an
 * agent that runs), and add the peer, its incarnation proved live.
 */
static inline void xdp_fixture_setup_ports(struct xhb_self *self,
					   const __u16 *ports,
					   unsigned int nports)
{
	struct xhb_dataplane_opts o = {
	    .nports = nports,
	    .cluster_id = CLUSTER,
	    .load_only = true,
	};
	char why[256] = "";

	cr_assert_leq(nports, XHB_MAX_PORTS);
	memcpy(o.ports, ports, nports * sizeof(*ports));
	cr_assert_eq(dataplane__open(&o, &dp, why, sizeof(why)), 0, "load: %s",
		     why);
	keys[KEY_SIP] = (struct xhb_key){.k0 = 0x0706050403020100ULL,
					 .k1 = 0x0f0e0d0c0b0a0908ULL,
					 .method = XHB_AUTH_SIPHASH};
	cr_assert_eq(dataplane__set_keys(dp, keys), 0);
	self->agent_update_ns = xhb_now_ns();
	cr_assert_eq(dataplane__write_self(dp, self), 0);
	cr_assert_eq(dataplane__add_peer(dp, PEER_ID), 0);
	cr_assert_eq(confirm_peer(PEER_INCARNATION), 0);
	peer_seq = 0;
}

/* The same at the cluster's port alone. */
static inline void xdp_fixture_setup(struct xhb_self *self)
{
	static const __u16 port[] = {XHB_DEFAULT_PORT};

	xdp_fixture_setup_ports(self, port, 1);
}

static inline void xdp_fixture_teardown(void)
{
	dataplane__close(dp);
}

/*
 * A packet of type from the peer's agent: who sends it to whom (a
 * heartbeat to all, the rest to us), its confirmed incarnation, the next
 * seq, now, its agent epoch 9, active; a reply answers one of our probes.
 */
static inline struct xhb_wire_fields peer_fields(__u8 type)
{
	return (struct xhb_wire_fields){
	    .type = type,
	    .state = XHB_NODE_ACTIVE,
	    .cluster_id = CLUSTER,
	    .node_id = PEER_ID,
	    .dest_node_id = type == XHB_MSG_HEARTBEAT ? 0 : SELF_ID,
	    .incarnation = PEER_INCARNATION,
	    .seq = ++peer_seq,
	    .timestamp_ns = xhb_now_ns(),
	    .agent_epoch = 9,
	    .echo_incarnation =
		type == XHB_MSG_PROBE_REPLY ? SELF_INCARNATION : 0,
	};
}

/* Sign h as the peer does: with the SipHash key, after any change. */
static inline void peer_sign(struct xhb_hdr *h)
{
	xhb_wire_sign(h, KEY_SIP, &keys[KEY_SIP]);
}

/* The peer's header of fields f, signed. */
static inline struct xhb_hdr peer_hdr(const struct xhb_wire_fields *f)
{
	struct xhb_hdr h;

	xhb_wire_fill(&h, f);
	peer_sign(&h);
	return h;
}

/* What the program did with a frame: verdict and the frame it left. */
struct run {
	int verdict;
	__u8 out[256];
	__u32 out_len;
};

/* Run frame through the program; a run that fails fails the test. */
static inline struct run run_frame(const void *frame, __u32 len)
{
	struct run r = {0};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
		    .data_out = r.out, .data_size_out = sizeof(r.out));
	int err = bpf_prog_test_run_opts(dataplane__prog_fd(dp), &o);

	cr_assert_eq(err, 0, "test_run: %s", strerror(errno));
	r.verdict = o.retval;
	r.out_len = o.data_size_out;
	return r;
}

/* The frame of h as spec says into buf (256 bytes); its length. */
static inline int build(__u8 *buf, const struct xhb_frame_spec *spec,
			const struct xhb_hdr *h)
{
	int len = xhb_frame_build(buf, 256, spec, h, sizeof(*h));

	cr_assert_gt(len, 0);
	return len;
}

/* h in a frame as spec says, run. */
static inline struct run send_hdr(const struct xhb_frame_spec *spec,
				  const struct xhb_hdr *h)
{
	__u8 buf[256];

	return run_frame(buf, build(buf, spec, h));
}

static inline struct xhb_stats stats(void)
{
	struct xhb_stats s;

	cr_assert_eq(dataplane__stats(dp, &s), 0);
	return s;
}

/* The peer's entry. */
static inline struct xhb_peer peer(void)
{
	struct xhb_peer p;

	cr_assert_eq(dataplane__peer(dp, PEER_ID, &p), 0);
	return p;
}

/* The counters now differ from before in exactly one field, by one. */
static inline void assert_one_counter(const struct xhb_stats *before,
				      size_t field, const char *what)
{
	struct xhb_stats after = stats();
	const __u64 *b = (const __u64 *)before, *a = (const __u64 *)&after;

	for (size_t i = 0; i < sizeof(after) / sizeof(__u64); i++) {
		__u64 want = b[i] + (i * sizeof(__u64) == field ? 1 : 0);

		cr_assert_eq(
		    a[i], want, "%s: counter #%zu is %llu, expected %llu", what,
		    i, (unsigned long long)a[i], (unsigned long long)want);
	}
}

#endif /* XHB_TEST_XDP_FIXTURE_H */
