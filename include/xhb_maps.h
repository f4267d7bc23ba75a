/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Map names, keys and values shared by the XDP program, the agent, xhbctl
 * and the tests. Include a type source first; userspace also needs
 * <linux/bpf.h> for struct bpf_spin_lock.
 *
 * Every map is pinned as <pin_dir>/<name> with BTF, so
 *   bpftool map dump pinned /sys/fs/bpf/xhb/ens192/xhb_peers
 * prints these structs with their field names. Times are bpf_ktime_get_boot_ns()
 * values, i.e. CLOCK_BOOTTIME nanoseconds on the node that wrote them.
 */
#ifndef XHB_MAPS_H
#define XHB_MAPS_H

#define XHB_MAP_PEERS "xhb_peers"
#define XHB_MAP_SELF "xhb_self"
#define XHB_MAP_KEYS "xhb_keys"
#define XHB_MAP_STATS "xhb_stats"
#define XHB_MAP_VIPS "xhb_vips"
#define XHB_MAP_NEWS "xhb_news"
#define XHB_MAP_PEER_GROUPS "xhb_peer_groups"
#define XHB_LINK_PIN "xhb_link"
#define XHB_BPFFS "/sys/fs/bpf"
#define XHB_PIN_ROOT XHB_BPFFS "/xhb"

#define XHB_MAX_PEERS 64
/* A reply older than this (by the prober's own clock) answers no fresh
 * probe; a confirmed incarnation moves by at most this much at once. */
#define XHB_REPLY_MAX_AGE_NS (1000ULL * 1000 * 1000)
#define XHB_MAX_INCARNATION_JUMP (1ULL << 48)
/* every group's addresses: 1024 groups of one VIP, or fewer of several */
#define XHB_MAX_VIPS 4096
/* The UDP ports one interface's XDP takes as the cluster's: those of the
 * media on it (udpport, mcast's own PORT), set by the loader in .rodata
 * (cfg_ports, cfg_nports of bpf/xhb.bpf.c). One a medium at most. */
#define XHB_MAX_PORTS 16

/*
 * Sliding anti-replay window (as in IPsec, RFC 4303 section 3.4.3): seq is
 * the highest accepted sequence number of incarnation; bit i of window says
 * whether seq - i was seen.
 */
struct xhb_replay {
	__u64 incarnation;
	__u64 seq;
	__u64 window;
};

/*
 * xhb_peers: one entry per configured peer, keyed by its node id, created
 * by the agent; XDP only updates entries (packets from node ids without an
 * entry are dropped). The lock serialises XDP on several CPUs and the
 * agent's reads (BPF_F_LOCK).
 */
struct xhb_peer {
	struct bpf_spin_lock lock;
	__u32 node_id;
	__u64 last_heartbeat_ns; /* when its last valid HEARTBEAT arrived */
	__u64 last_reply_ns; /* when its XDP last answered one of our probes */
	__u64 last_probe_ns; /* when it last probed us */
	__u64 heartbeats; /* valid HEARTBEATs accepted */
	__u64 replies; /* valid PROBE_REPLYs accepted */
	__u64 probes; /* its PROBEs we answered */
	__u64 rtt_ns; /* round trip of the last reply */
	__u64 info_incarnation; /* incarnation of the state/groups below */
	/* the incarnation a reply to one of our fresh probes proved live:
	 * its agent's packets count only in it (older ones are replays,
	 * newer ones wait for such a reply), see xhb_record() */
	__u64 confirmed_incarnation;
	__u64 agent_epoch; /* last epoch its agent advertised */
	__u64 epoch_change_ns; /* when that epoch last advanced */
	__u64 lease_seen_ns; /* when lease_ms below was received */
	__u64 unheard_ns; /* when it last said it does not hear us */
	struct xhb_replay agent_replay; /* HEARTBEAT and PROBE (agent's seq) */
	struct xhb_replay reply_replay; /* PROBE_REPLY (its XDP's seq) */
	__u32 agent_age_us; /* from its last reply: since its agent wrote */
	__u32 lease_ms; /* remaining lease it advertised */
	/* groups 0..31 (page 0); the other pages are in xhb_peer_groups */
	__u32 groups_held; /* bit i: it holds resource group i */
	__u32 groups_wanted; /* bit i: its operator asked it to take group i */
	__u32 groups_refused; /* bit i: its operator put it in standby for i */
	__u8 state; /* enum xhb_node_state it advertised */
	__u8 priority;
	__u8 family; /* AF_INET or AF_INET6 of addr, 0 = not seen yet */
	__u8 addr[16]; /* source address of its last valid packet */
	__u8 mac[6]; /* source MAC of its last valid packet */
	/* which of this interface's cluster ports (XDP's cfg_ports, in the
	 * agent's order: ifaces.h) its last valid packet came to: a port its
	 * XDP takes too, where the agent probes it; 0 = the first */
	__u8 port_index;
	__u16 vlan; /* its VLAN id, 0 = untagged */
	__u16 ping_up; /* xhb_hdr.ping_up it advertised, with its groups */
	/* 1: its XDP's last reply was flagged XHB_FLAG_COMPACT (it takes
	 * compact probes); 0: it was not, or no reply yet. In what was the
	 * tail pad: the entry's size is unchanged, so an upgrade keeps the
	 * pinned map (a build before it leaves the byte 0). */
	__u8 compact;
};
_Static_assert(sizeof(struct xhb_peer) == 216,
	       "xhb_peers' value size: a pinned map of another is replaced");

/*
 * xhb_peer_groups: what a peer said of its groups past 31, one entry per
 * (node id, page >= 1) from its paged HEARTBEATs (xhb_wire.h), created by
 * XDP for a peer of xhb_peers. It counts only for the incarnation it names
 * (an entry of a previous life says nothing); of two interfaces' entries
 * the higher (incarnation, agent_epoch) wins, as in xhb_peers.
 */
struct xhb_page_key {
	__u32 node_id;
	__u32 page; /* 1 .. XHB_GROUP_PAGES - 1 */
};

struct xhb_peer_page {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 incarnation;
	__u64 agent_epoch;
	__u64 seen_ns; /* when it was last received */
	__u32 held; /* bit i: group 32 * page + i */
	__u32 wanted;
	__u32 refused;
	__u32 pad2;
};

/*
 * xhb_self: one entry (key 0), written by the agent on every loop, read by
 * XDP to answer probes. If agent_update_ns stops advancing, replies show a
 * growing agent_age_us and the peers call this node "stalled".
 */
struct xhb_self {
	__u64 incarnation;
	__u64 agent_epoch;
	__u64 agent_update_ns;
	__u32 node_id; /* 0: the agent has not started, probes are not answered */
	__u32 lease_ms;
	/* groups 0..31 (page 0, what probe replies carry) */
	__u32 groups_held;
	__u32 groups_wanted;
	__u32 groups_refused;
	__u8 state; /* enum xhb_node_state */
	__u8 priority;
	__u8 key_id; /* key used to tag replies */
	/* 1: it holds groups past 31 too (fenced as groups_held; written
	 * with it, and 0 by an agent from before pages: the pad it was) */
	__u8 held_more;
	/* written by XDP only: packets to our port it dropped (forged,
	 * replayed, malformed): a jump means a flood on the link */
	__u64 junk_packets;
	/* written by XDP: when a peer last said it does not hear us
	 * (XHB_FLAG_UNHEARD); our VIPs are fenced for unheard_hold_ms after,
	 * a time the agent writes (its detection window) */
	__u64 unheard_ns;
	__u32 unheard_hold_ms;
	__u16 ping_up; /* as on the wire (xhb_hdr.ping_up): replies carry it */
	/* replies invite compact probes (XHB_FLAG_COMPACT) while
	 * agent_update_ns is younger than this many ms (the agent's detection
	 * window): a node whose agent is stopped, restarting, stalled or
	 * leaving gets full probes, whose sender's state keeps its peers'
	 * entries fresh for the agent that comes back. 0: none (leaving, or
	 * an agent from before compact probes: the pad it was) */
	__u16 compact_ms;
};

/*
 * XDP's fence, the one rule (the XDP program, xhbctl and the benchmark's
 * address watcher call these): a node that holds groups is fenced while
 * its lease has lapsed (agent_update_ns + lease_ms is past: its agent hung,
 * was stopped or starved) or while a peer said lately that it does not
 * hear us (unheard_ns + unheard_hold_ms: that peer is taking our groups).
 * now_ns on CLOCK_BOOTTIME, as the map's times.
 */
static inline __attribute__((always_inline)) _Bool
xhb_self_lapsed(const struct xhb_self *s, __u64 now_ns)
{
	/* >=: the same instant a probe reply starts saying "0 ms left" */
	return (s->groups_held || s->held_more) &&
	       now_ns >= s->agent_update_ns + (__u64)s->lease_ms * 1000000ULL;
}

static inline __attribute__((always_inline)) _Bool
xhb_self_unheard(const struct xhb_self *s, __u64 now_ns)
{
	return (s->groups_held || s->held_more) &&
	       now_ns < s->unheard_ns + (__u64)s->unheard_hold_ms * 1000000ULL;
}

static inline __attribute__((always_inline)) _Bool
xhb_self_fenced(const struct xhb_self *s, __u64 now_ns)
{
	return xhb_self_lapsed(s, now_ns) || xhb_self_unheard(s, now_ns);
}

/*
 * xhb_vips: the addresses of the groups this node holds, written by the
 * agent when it acquires a group and removed when it releases it (with
 * fenced_standby, flagged XHB_VIP_STAGED instead: see below). While
 * the lease in xhb_self has lapsed (agent_update_ns + lease_ms is past:
 * the agent hung, was stopped or starved), or while a peer says it does
 * not hear us (unheard_ns + unheard_hold_ms), XDP stops answering for them:
 * it drops ARP requests and IPv6 neighbour solicitations and
 * advertisements for these addresses and every packet addressed to them. The peer takes over only
 * once that has surely happened, so two nodes never answer at once.
 */
/*
 * The VIP filter, a global of the XDP object (vip_filter, 256 bits): bit
 * b is set for every VIP in xhb_vips whose last address byte is b, before
 * the VIP is added (and may stay set after it is removed: a stale bit
 * costs a clock read, never a missed fence). A frame whose address's bit
 * is clear is not to one of our VIPs: the fence reads neither the clock
 * nor xhb_vips for it. The agent rebuilds it from xhb_vips when it loads
 * the program, before the program runs.
 */
#define XHB_VIP_FILTER_WORDS 4
static inline __attribute__((always_inline)) __u32
xhb_vip_filter_bit(const __u8 *addr, int len)
{
	return addr[len - 1];
}

struct xhb_vip_key {
	__u32 family; /* AF_INET or AF_INET6 */
	__u8 addr[16]; /* IPv4 in the first 4 bytes, the rest zero */
};

struct xhb_vip_lease {
	__u32 group; /* haresources line */
	__u32 flags; /* XHB_VIP_STAGED; 0 from an agent before it (the pad) */
};

/*
 * A staged VIP (fenced_standby on): configured on this node, which does
 * not hold its group, so that a takeover is this map write and a GARP,
 * not an address add waiting on RTNL. XDP and tc egress fence it whatever
 * the lease: no ARP or ND answered, nothing taken in, nothing sent from
 * it. The agent sets its bit in vip_filter, then in staged_filter, before
 * it writes the entry, and the entry before it adds the address: every
 * bit of staged_filter is in vip_filter too (which is never cleared), so
 * vip_filter alone says whether a frame may be to a VIP, held or staged
 * (xhb_maybe_vip()); staged_filter whether it may be to a staged one.
 */
#define XHB_VIP_STAGED 1u

/*
 * xhb_news (ring buffer): a doorbell. XDP rings it when a peer says
 * something new about itself (its state: leaving, fault, out of initdead;
 * the groups it holds, wants or refuses), so that the agent wakes and
 * reads the peers now, not at its next loop (a keepalive later without a
 * `probe` line). It carries nothing: the news is in xhb_peers, which the
 * agent reads in full every loop anyway. Pinned like the rest, so a ring
 * while an upgraded agent starts is not lost.
 */
struct xhb_news {
	__u8 ring; /* 1: a ring buffer record cannot be empty */
};

/* xhb_keys: array indexed by authkeys index (1..15). */
struct xhb_key {
	__u64 k0;
	__u64 k1;
	__u32 method; /* enum xhb_auth_method */
	__u32 pad;
};

/*
 * xhb_stats: per-CPU, one entry (key 0). One counter per verdict and drop
 * reason; every packet the XDP program sees lands in exactly one of them,
 * and the TC egress program counts only what it drops.
 */
#define XHB_STATS(X)                                                           \
	/* not ours: XDP_PASS, untouched */                                    \
	X(pass_not_ip)                                                         \
	X(pass_not_udp)                                                        \
	X(pass_fragment)                                                       \
	X(pass_other_port)                                                     \
	/* ours and fine */                                                    \
	X(heartbeat_accepted)                                                  \
	X(probe_answered) /* XDP_TX */                                         \
	X(probe_answered_compact) /* XDP_TX: a compact probe (xhb_wire.h) */   \
	X(reply_accepted)                                                      \
	/* ours and dropped */                                                 \
	X(drop_malformed) /* truncated, bad lengths, bad IP header */          \
	X(drop_bad_magic)                                                      \
	X(drop_bad_version)                                                    \
	X(drop_bad_type)                                                       \
	X(drop_bad_cluster)                                                    \
	X(drop_unknown_key) /* also crc while we sign with a secret */         \
	X(drop_bad_tag)                                                        \
	X(drop_unknown_peer)                                                   \
	X(drop_self) /* our own node id: a loop or a forgery */                \
	X(drop_old_incarnation)                                                \
	X(drop_replay)                                                         \
	X(drop_unconfirmed) /* a new incarnation before a reply proved it */   \
	X(drop_stale_reply) /* not an answer to a fresh probe of this life */  \
	X(drop_incarnation_jump) /* more than XHB_MAX_INCARNATION_JUMP ahead */\
	X(drop_probe_not_for_us) /* other dest node, or not unicast */         \
	X(drop_agent_absent) /* PROBE before our agent wrote xhb_self */       \
	/* fenced: for a VIP of ours while our lease has lapsed */             \
	X(drop_fenced_arp) /* ARP request / neighbour solicitation, advert */  \
	X(drop_fenced_ip) /* a packet addressed to it */                       \
	/* sent (TC egress, not XDP): from a VIP of ours while fenced */       \
	X(drop_fenced_egress) /* IP from the VIP, ARP with it as sender */

/* One list, so that xhbctl, the tests and the struct never disagree. */
#define XHB_STAT_FIELD(name) __u64 name;
struct xhb_stats {
	XHB_STATS(XHB_STAT_FIELD)
};
#undef XHB_STAT_FIELD


#endif /* XHB_MAPS_H */
