/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * xhb wire format: one fixed-size header, network byte order, shared by the
 * XDP program and the agent. Include a type source first (vmlinux.h in BPF,
 * <linux/types.h> in userspace).
 *
 * Every cluster packet is a UDP datagram from the cluster port to the
 * cluster port whose payload is XHB_HDR_LEN bytes: one struct xhb_hdr, or
 * a compact probe (struct xhb_probe, below) and zeros. The tag is
 * SipHash-2-4 over the first XHB_TAGGED_LEN bytes (XHB_PROBE_TAGGED_LEN for
 * a compact probe) under the key named by key_id (see xhb_siphash.h); with
 * the crc method it is zlib's CRC32 of the same bytes (integrity only).
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
/*
 * PROBE_REPLY: the XDP program that answered takes compact probes
 * (struct xhb_probe), and invites them: its agent runs (xhb_self's
 * compact_ms). Its prober's agent then sends it those while its replies
 * keep coming so flagged, and full probes again as soon as one is missed
 * or comes unflagged (a rollback to a build without them drops compact
 * probes as bad_version; an agent stopped, restarting or leaving wants
 * full ones, below).
 */
#define XHB_FLAG_COMPACT 0x02

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

/*
 * A compact probe (version XHB_PROBE_VERSION, type PROBE): what a probe
 * needs and nothing else. Who asks whom, in which life, and the nonce the
 * reply echoes; none of the prober's state, which its heartbeats and its
 * XDP's replies to the responder's own probes carry. Its tag covers 48
 * bytes, not 80: the responder's XDP hashes two words past the ones it
 * keeps hashed per sender (bpf/xhb_tag.h), not six. Hence only while the
 * responder's agent runs and probes its peers itself: one stopped,
 * stalled, restarting or leaving gets full probes, whose state keeps its
 * map fresh for the agent that comes back.
 *
 * The fields both headers have sit at the same offsets (cluster_id to
 * timestamp_ns), key_id and flags where struct xhb_hdr has state and
 * priority. On the wire it is followed by zeros up to XHB_HDR_LEN, not
 * tagged and not read: the reply (a struct xhb_hdr, version 1, flagged
 * XHB_FLAG_COMPACT) is written in place, with no change of length.
 *
 * Sent only to a peer whose XDP said it takes them (XHB_FLAG_COMPACT in a
 * recent reply): a node of a build before them drops them as bad_version,
 * so in a rolling upgrade each pair speaks full probes until both ends
 * have the build.
 */
#define XHB_PROBE_VERSION 2

struct xhb_probe {
	__be32 magic;
	__u8 version; /* XHB_PROBE_VERSION */
	__u8 type; /* XHB_MSG_PROBE */
	__u8 key_id;
	__u8 flags; /* XHB_FLAG_UNHEARD */
	__be32 cluster_id;
	__be32 node_id; /* the prober */
	__be32 dest_node_id; /* the node asked to answer */
	__be32 zero; /* 0 */
	__be64 incarnation;
	__be64 seq; /* the prober agent's, as in its heartbeats */
	__be64 timestamp_ns; /* the prober's CLOCK_BOOTTIME: the reply echoes it */
	__be64 tag;
} __attribute__((packed));

#define XHB_PROBE_LEN 56
#define XHB_PROBE_TAGGED_LEN 48

_Static_assert(sizeof(struct xhb_probe) == XHB_PROBE_LEN, "compact probe size");
_Static_assert(__builtin_offsetof(struct xhb_probe, tag) == XHB_PROBE_TAGGED_LEN,
	       "tag is last");
#define XHB_SAME_OFFSET(f)                                                     \
	_Static_assert(__builtin_offsetof(struct xhb_probe, f) ==             \
			       __builtin_offsetof(struct xhb_hdr, f),          \
		       #f " is where struct xhb_hdr has it");
XHB_SAME_OFFSET(magic)
XHB_SAME_OFFSET(version)
XHB_SAME_OFFSET(type)
XHB_SAME_OFFSET(cluster_id)
XHB_SAME_OFFSET(node_id)
XHB_SAME_OFFSET(dest_node_id)
XHB_SAME_OFFSET(incarnation)
XHB_SAME_OFFSET(seq)
XHB_SAME_OFFSET(timestamp_ns)
#undef XHB_SAME_OFFSET

/*
 * A compact probe read as the struct xhb_hdr it stands for, in place (XDP
 * after its tag checked, and the userspace decoder; h 8-byte aligned):
 * key_id and flags moved to their places, what it does not carry zero.
 * version stays XHB_PROBE_VERSION: the reader knows that the sender's
 * state, priority, groups and lease are not in it.
 */
static inline __attribute__((always_inline)) void
xhb_probe_expand(struct xhb_hdr *h)
{
	const struct xhb_probe *p = (const struct xhb_probe *)h;
	__u8 key_id = p->key_id, flags = p->flags;
	void *aligned = h; /* 8-byte aligned: see above */
	__u64 *w = aligned;

	h->state = 0;
	h->priority = 0;
	h->key_id = key_id;
	h->flags = flags;
	h->ping_up = 0;
	for (int i = XHB_PROBE_TAGGED_LEN / 8; i < XHB_HDR_LEN / 8; i++)
		w[i] = 0;
}

#endif /* XHB_WIRE_H */
