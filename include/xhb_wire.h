/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * xhb wire format: one fixed-size header, network byte order, shared by the
 * XDP program and the agent. Include a type source first (vmlinux.h in BPF,
 * <linux/types.h> in userspace).
 *
 * Every cluster packet is a UDP datagram from the cluster port to the
 * cluster port whose payload is exactly one struct xhb_hdr. The tag is
 * SipHash-2-4 over the first XHB_TAGGED_LEN bytes under the key named by
 * key_id (see xhb_siphash.h); with the crc method it is zlib's CRC32 of the
 * same bytes (integrity only).
 */
#ifndef XHB_WIRE_H
#define XHB_WIRE_H

#define XHB_MAGIC 0x58484221U /* "XHB!" */
#define XHB_VERSION 1
#define XHB_DEFAULT_PORT 694 /* Heartbeat's udpport */
#define XHB_MAX_KEYS 16 /* authkeys indexes 1..15 */
#define XHB_MAX_GROUPS 1024 /* haresources lines, in pages of 32 */
/*
 * Groups travel in pages of 32: page p is groups 32p..32p+31, bit i of
 * groups_held/wanted/refused being group 32p+i. A HEARTBEAT's dest_node_id
 * (0 in heartbeats before pages existed) names its page; probes and replies
 * always carry page 0. A node with 32 groups or fewer sends page 0 alone,
 * as before; one with more sends every page each keepalive, and a page at
 * once when it changes.
 */
#define XHB_GROUP_PAGES (XHB_MAX_GROUPS / 32)

enum xhb_msg_type {
	XHB_MSG_HEARTBEAT = 1, /* agent -> everyone, every keepalive */
	XHB_MSG_PROBE = 2, /* agent -> one peer, answered by the peer's XDP */
	XHB_MSG_PROBE_REPLY = 3, /* peer's XDP -> prober's XDP */
	XHB_MSG_TYPE_MAX,
};

/* What a node says of itself in every packet. */
enum xhb_node_state {
	XHB_NODE_NONE = 0, /* agent never wrote its state */
	XHB_NODE_INIT = 1, /* starting: still within initdead */
	XHB_NODE_ACTIVE = 2, /* running and taking part in decisions */
	XHB_NODE_LEAVING = 3, /* stopping gracefully: take over at once */
	XHB_NODE_FAULT = 4, /* local fault (its link is down): owns nothing */
	XHB_NODE_STATE_MAX,
};

/*
 * PROBE: the sender judged the receiver dead, it does not hear it (one-way
 * loss). The receiver's XDP fences its VIPs at once while such probes
 * keep coming, and its agent yields its groups: one holder, whichever
 * direction is lost. Sent in every probe to a peer judged dead.
 */
#define XHB_FLAG_UNHEARD 0x01

enum xhb_auth_method {
	XHB_AUTH_NONE = 0, /* key slot unused: packets naming it are dropped */
	XHB_AUTH_SIPHASH = 1, /* SipHash-2-4, keyed */
	XHB_AUTH_CRC = 2, /* zlib CRC32: integrity only, no authentication */
};

struct xhb_hdr {
	__be32 magic;
	__u8 version;
	__u8 type; /* enum xhb_msg_type */
	__u8 state; /* enum xhb_node_state of the sender */
	__u8 priority;
	__be32 cluster_id;
	__be32 node_id; /* sender */
	__be32 dest_node_id; /* PROBE: the node asked to answer; HEARTBEAT: page */
	__u8 key_id; /* index into the keys map, 1..15 */
	__u8 flags; /* XHB_FLAG_*, 0 before they existed: no claim */
	/* ping nodes (ha.cf ping, ping_group) the sender reaches, plus 1; 0:
	 * none configured, not measured yet, or a sender from before */
	__be16 ping_up;
	__be64 incarnation; /* changes at each agent start, never goes back */
	__be64 seq; /* increases within an incarnation */
	__be64 timestamp_ns; /* sender's CLOCK_BOOTTIME; PROBE_REPLY: the probe's, echoed (a nonce) */
	__be64 agent_epoch; /* advances on every agent loop */
	__be32 agent_age_us; /* PROBE_REPLY: since the responder's agent last wrote */
	__be32 lease_ms; /* remaining VIP lease of the sender, 0 = holds none */
	/* bit i: group 32 * page + i (page 0 but in paged heartbeats) */
	__be32 groups_held; /* bit i: sender holds resource group i */
	__be32 groups_wanted; /* bit i: its operator asked it to take group i */
	__be32 groups_refused; /* bit i: its operator put it in standby for i */
	/* PROBE_REPLY: the low 32 bits of the prober's incarnation, which
	 * with the echoed timestamp binds a reply to one probe of the
	 * prober's current life; 0 elsewhere */
	__be32 echo_incarnation;
	__be64 tag;
} __attribute__((packed));

#define XHB_HDR_LEN 88
#define XHB_TAGGED_LEN 80 /* bytes covered by the tag: all but the tag */

_Static_assert(sizeof(struct xhb_hdr) == XHB_HDR_LEN, "wire header size");
_Static_assert(__builtin_offsetof(struct xhb_hdr, tag) == XHB_TAGGED_LEN,
	       "tag is last");

#endif /* XHB_WIRE_H */
