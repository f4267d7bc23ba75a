/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * wire: the userspace side of include/xhb_wire.h. Fill, tag and check
 * headers (the agent's sender and the tests use the same code), and build
 * whole Ethernet frames around a header for BPF_PROG_TEST_RUN, benchmarks
 * and fuzzing.
 */
#ifndef XHB_USER_WIRE_H
#define XHB_USER_WIRE_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>

#include "xhb_wire.h"
#include "xhb_maps.h"
#include "gset.h"

struct xhb_config;

/*
 * The keys XDP checks received packets with (the xhb_keys map), from
 * authkeys: every key listed, so that a key rollover (`auth N` changed on
 * one node at a time) loses nothing, except that while `auth N` names a
 * key with a secret, crc keys are left out: no downgrade to a key anyone
 * on the link can forge. Heartbeat accepted them; xhb does not.
 */
void xhb_wire_keys_from_config(const struct xhb_config *cfg,
			       struct xhb_key keys[XHB_MAX_KEYS]);

/* A header's fields in host order: everything a sender chooses. */
struct xhb_wire_fields {
	__u8 type; /* enum xhb_msg_type */
	__u8 flags; /* XHB_FLAG_* */
	__u8 state; /* enum xhb_node_state of the sender */
	__u8 priority;
	__u32 cluster_id;
	__u32 node_id;
	__u32 dest_node_id; /* PROBE and PROBE_REPLY: the other end; else 0 */
	__u64 incarnation;
	__u64 seq;
	__u64 timestamp_ns;
	__u64 agent_epoch;
	__u32 agent_age_us;
	__u32 lease_ms;
	__u32 groups_held;
	__u32 groups_wanted;
	__u32 groups_refused;
	__u32 echo_incarnation; /* PROBE_REPLY: the prober's, low 32 bits */
	__u16 ping_up; /* ping nodes reached + 1, 0: none or not measured */
};

/* Write f into h in network order with our magic and version, reserved
 * bytes zero and no tag yet: xhb_wire_sign() comes next. */
void xhb_wire_fill(struct xhb_hdr *h, const struct xhb_wire_fields *f);

/*
 * Page `page` of a node's groups (xhb_wire.h) into f: groups_held, _wanted
 * and _refused are word `page` of the sets, and a heartbeat's dest_node_id
 * names the page (0: the header as before pages existed). Probes keep
 * their dest_node_id and take page 0 only.
 */
void xhb_wire_set_page(struct xhb_wire_fields *f, const struct xhb_gset *held,
		       const struct xhb_gset *wanted,
		       const struct xhb_gset *refused, unsigned int page);

/* "init", "active", "leaving", "fault", "none" (enum xhb_node_state). */
const char *xhb_node_state_name(int state);

/* A filled PROBE header made, in place, the compact probe (xhb_wire.h)
 * saying the same of who asks whom, followed by zeros; sign it next. */
void xhb_wire_compact(struct xhb_hdr *h);

/* The tag of h (a header, or a compact probe in its place) under key
 * (SipHash-2-4 or CRC32 by key->method). */
__u64 xhb_wire_tag(const struct xhb_hdr *h, const struct xhb_key *key);
/* Set h's key_id and tag (a compact probe's where it has them). */
void xhb_wire_sign(struct xhb_hdr *h, __u8 key_id, const struct xhb_key *key);
/* True when h's tag is right under key. */
bool xhb_wire_verify(const struct xhb_hdr *h, const struct xhb_key *key);

/*
 * What a received payload is worth, checked in the XDP program's order:
 * the first reason a packet is refused, or XHB_WIRE_OK. Who sent it (node
 * ids, replay) needs the peers map and is left to the caller.
 */
enum xhb_wire_verdict {
	XHB_WIRE_OK = 0,
	XHB_WIRE_MALFORMED, /* not exactly one header long */
	XHB_WIRE_BAD_MAGIC,
	XHB_WIRE_BAD_VERSION,
	XHB_WIRE_BAD_TYPE,
	XHB_WIRE_BAD_CLUSTER,
	XHB_WIRE_UNKNOWN_KEY, /* key_id out of range or its slot unused */
	XHB_WIRE_BAD_TAG,
};

/*
 * Check the UDP payload buf (len bytes, any alignment) against cluster_id
 * and keys (indexed by key_id, XHB_MAX_KEYS of them). On XHB_WIRE_OK the
 * header is copied to *out (out may be NULL), a compact probe as XDP reads
 * it (xhb_probe_expand(): version XHB_PROBE_VERSION, no sender state).
 */
enum xhb_wire_verdict xhb_wire_check(const void *buf, size_t len,
				     __u32 cluster_id,
				     const struct xhb_key keys[XHB_MAX_KEYS],
				     struct xhb_hdr *out);
/* "ok", "malformed", "bad_magic", ... as the XDP drop counters name them. */
const char *xhb_wire_verdict_name(enum xhb_wire_verdict v);

/* Where a test frame goes: IPv4 or IPv6, with or without a VLAN tag. */
struct xhb_frame_spec {
	int family; /* AF_INET or AF_INET6 */
	__u16 vlan; /* 0: untagged */
	__u8 src_mac[6], dst_mac[6];
	__u8 src_ip[16], dst_ip[16]; /* IPv4 in the first 4 bytes */
	__u16 src_port, dst_port; /* host order */
	__u8 ip_options; /* IPv4 option bytes (multiple of 4, <= 40) */
};

/*
 * Write an Ethernet frame carrying payload (len bytes) as UDP into buf,
 * with valid IP and UDP checksums. Returns the frame length, or -ENOSPC.
 */
int xhb_frame_build(void *buf, size_t size, const struct xhb_frame_spec *spec,
		    const void *payload, size_t len);
/* Check the IPv4 header and UDP checksums of a frame built that way. */
bool xhb_frame_checksums_ok(const void *frame, size_t len);
/* Offset of the UDP payload in a frame built by xhb_frame_build. */
size_t xhb_frame_payload_offset(const struct xhb_frame_spec *spec);

#endif /* XHB_USER_WIRE_H */
