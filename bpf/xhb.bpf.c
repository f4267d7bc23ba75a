// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * xhb's receive path. Every frame on the cluster interface comes here.
 *
 * Contract: a frame that is not UDP to a cluster port (Ethernet, at most
 * one 802.1Q/802.1ad tag, IPv4 with options or IPv6 without extension
 * headers) is returned XDP_PASS untouched. The cluster ports are those of
 * this interface's media (cfg_ports: udpport, an mcast line's own). A
 * frame to one of them is
 * ours: it is either a valid cluster packet, recorded in xhb_peers and
 * dropped (HEARTBEAT, PROBE_REPLY) or answered in place with XDP_TX
 * (PROBE, full or compact: xhb_wire.h), or it is dropped with a named
 * reason. Every frame bumps exactly one counter of xhb_stats.
 *
 * Fencing: while this node's lease has lapsed (its agent stopped renewing
 * it), ARP requests, neighbour solicitations and packets for the VIPs in
 * xhb_vips are dropped, whatever their protocol, and always for a VIP
 * staged here (XHB_VIP_STAGED). A frame to none of them pays a word of
 * the VIP filter (vip_filter, the bits of held and staged VIPs) for it;
 * only a frame that may be to one reads this node's state, the clock the
 * lease needs, or xhb_vips (xhb_fenced_for()).
 *
 * Parsing goes through a cursor (xhb_parse.h); each xhb_parse_* checks its
 * own bounds and returns the next protocol or an XHB_PARSE_* value.
 *
 * What becomes of a frame is an enum xhb_reason, one value per counter of
 * xhb_stats. xhb_xdp() runs the stages in turn (xhb_plainly_not_ours()
 * for the common frame that is not ours, xhb_classify(), then for a frame
 * to our port xhb_handle_cluster()'s); each returns a reason, or
 * XHB_R_NEXT to let the next stage decide. The final reason is counted in
 * one place, xhb_count(), and gives the action, so no path can forget to
 * count or count twice.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xhb_bpf.h"
#include "xhb_wire.h"
#include "xhb_siphash.h"
#include "xhb_maps.h"
#include "xhb_parse.h"

/* Set by the loader between open and load: the UDP ports of this
 * interface's media in network order (the first cfg_nports), the cluster. */
const volatile __be16 cfg_ports[XHB_MAX_PORTS] = {
	__bpf_constant_htons(XHB_DEFAULT_PORT)};
const volatile __u32 cfg_nports = 1;
const volatile __u32 cfg_cluster_id = 0;

/*
 * What became of a frame: one value per counter of xhb_stats, in the order
 * of the XHB_STATS list, so that a reason is its counter's index. The
 * reason also gives the action (xhb_action()).
 */
#define XHB_REASON(name) XHB_R_##name,
enum xhb_reason {
	XHB_STATS(XHB_REASON)
	XHB_NR_REASONS,
	/* Not a verdict: the stage that returns it lets the next one decide. */
	XHB_R_NEXT = XHB_NR_REASONS,
};
#undef XHB_REASON

#define XHB_REASON_IS_INDEX(name)                                             \
	_Static_assert(__builtin_offsetof(struct xhb_stats, name) ==           \
			       XHB_R_##name * sizeof(__u64),                   \
		       "xhb_stats." #name " is not counter XHB_R_" #name);
XHB_STATS(XHB_REASON_IS_INDEX)
#undef XHB_REASON_IS_INDEX
_Static_assert(sizeof(struct xhb_stats) == XHB_NR_REASONS * sizeof(__u64),
	       "one counter per reason, nothing else in xhb_stats");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XHB_MAX_PEERS);
	__type(key, __u32);
	__type(value, struct xhb_peer);
} xhb_peers SEC(".maps");

/* Mappable: the agent renews it every loop with a store, not a syscall. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xhb_self);
} xhb_self SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XHB_MAX_KEYS);
	__type(key, __u32);
	__type(value, struct xhb_key);
} xhb_keys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xhb_stats);
} xhb_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} xhb_news SEC(".maps");


struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XHB_MAX_VIPS);
	__type(key, struct xhb_vip_key);
	__type(value, struct xhb_vip_lease);
} xhb_vips SEC(".maps");

/* Written by the agent (xhb_maps.h, the VIP filter): every VIP of
 * xhb_vips, and those staged (XHB_VIP_STAGED). */
__u64 vip_filter[XHB_VIP_FILTER_WORDS];
__u64 staged_filter[XHB_VIP_FILTER_WORDS];
__u32 staged_any; /* a bit of staged_filter is set */

/*
 * This node's entry if it holds groups, else NULL: only a holder can be
 * fenced (xhb_self_lapsed(), xhb_self_unheard()), so a node holding
 * nothing never reads the clock for the fence.
 */
XHB_INLINE struct xhb_self *xhb_holder(void)
{
	struct xhb_self *self;
	__u32 zero = 0;

	self = bpf_map_lookup_elem(&xhb_self, &zero);
	return self && (self->groups_held || self->held_more) ? self : NULL;
}

#include "xhb_fence.h" /* xhb_fenced_for(), xhb_maybe_vip() */
#include "xhb_tag.h" /* xhb_verify_tag(), xhb_reply_tag() */

/*
 * Sliding-window anti-replay; call with the peer's lock held. XHB_R_NEXT
 * for a packet not seen before, recorded in the window.
 */
XHB_INLINE enum xhb_reason xhb_replay_check(struct xhb_replay *r,
					    __u64 incarnation, __u64 seq)
{
	__u64 diff;

	if (incarnation < r->incarnation)
		return XHB_R_drop_old_incarnation;
	if (incarnation > r->incarnation) {
		r->incarnation = incarnation;
		r->seq = seq;
		r->window = 1;
		return XHB_R_NEXT;
	}
	if (seq > r->seq) {
		diff = seq - r->seq;
		r->window = diff < 64 ? (r->window << diff) | 1 : 1;
		r->seq = seq;
		return XHB_R_NEXT;
	}
	diff = r->seq - seq;
	if (diff >= 64 || (r->window & (1ULL << diff)))
		return XHB_R_drop_replay;
	r->window |= 1ULL << diff;
	return XHB_R_NEXT;
}

/*
 * Fields every accepted packet refreshes; call with the peer's lock held.
 * True when the peer says something new about itself (see xhb_news).
 *
 * What it says of itself (state, groups, lease) is taken only from a
 * packet at least as recent as the last one that said it, by (incarnation,
 * epoch): a probe queued for seconds behind an unresolved ARP entry and
 * delivered late must not overwrite a fresh reply with old holdings.
 */
XHB_INLINE bool xhb_record_sender(struct xhb_peer *p, const struct xhb_hdr *h,
				  __u64 now)
{
	__u64 epoch = bpf_be64_to_cpu(h->agent_epoch);
	__u64 incarnation = bpf_be64_to_cpu(h->incarnation);
	bool news;

	/* a paged heartbeat's groups are another page's (xhb_record_page) */
	bool page0 = h->type != XHB_MSG_HEARTBEAT || !h->dest_node_id;

	if (incarnation < p->info_incarnation ||
	    (incarnation == p->info_incarnation && epoch < p->agent_epoch))
		return false;
	news = p->state != h->state ||
	       (page0 && (p->groups_held != bpf_ntohl(h->groups_held) ||
			  p->groups_wanted != bpf_ntohl(h->groups_wanted) ||
			  p->groups_refused != bpf_ntohl(h->groups_refused))) ||
	       p->ping_up != bpf_ntohs(h->ping_up);
	if (epoch != p->agent_epoch)
		p->epoch_change_ns = now;
	p->info_incarnation = incarnation;
	p->agent_epoch = epoch;
	p->state = h->state;
	p->priority = h->priority;
	p->lease_ms = bpf_ntohl(h->lease_ms);
	p->lease_seen_ns = now;
	if (page0) {
		p->groups_held = bpf_ntohl(h->groups_held);
		p->groups_wanted = bpf_ntohl(h->groups_wanted);
		p->groups_refused = bpf_ntohl(h->groups_refused);
	}
	p->ping_up = bpf_ntohs(h->ping_up);
	return news;
}

#include "xhb_pages.h" /* xhb_peer_groups, xhb_record_page() */

/* Where its packets come from, and to which of our ports (the agent
 * probes it there); call with the peer's lock held. */
XHB_INLINE void xhb_record_where(struct xhb_peer *p, const struct xhb_frame *f)
{
	p->vlan = f->vlan;
	p->port_index = f->port_index;
	__builtin_memcpy(p->mac, f->eth->h_source, ETH_ALEN);
	if (f->ip4) {
		p->family = AF_INET;
		__builtin_memset(p->addr, 0, sizeof(p->addr));
		__builtin_memcpy(p->addr, &f->ip4->saddr, 4);
	} else if (f->ip6) {
		p->family = AF_INET6;
		__builtin_memcpy(p->addr, &f->ip6->saddr, 16);
	}
}

/*
 * Which life of the peer a packet is from (replay across resets); call
 * with its lock held. A reply counts only as the answer to a fresh probe
 * of this life of ours: it echoes our incarnation and a timestamp of our
 * own clock less than XHB_REPLY_MAX_AGE_NS old. Its incarnation is then
 * proved live and becomes the peer's confirmed one (moving by at most
 * XHB_MAX_INCARNATION_JUMP at once). The peer's agent packets count only
 * in its confirmed incarnation: older ones are replays (after our reboot
 * too, when the entry is new), newer ones (it restarted) wait for such a
 * reply, one probe period.
 */
XHB_INLINE enum xhb_reason xhb_confirm(struct xhb_peer *p,
				       const struct xhb_self *self,
				       const struct xhb_hdr *h, __u64 now)
{
	__u64 incarnation = bpf_be64_to_cpu(h->incarnation);
	__u64 echoed;

	if (h->type == XHB_MSG_PROBE_REPLY) {
		echoed = bpf_be64_to_cpu(h->timestamp_ns);
		if (bpf_ntohl(h->echo_incarnation) != (__u32)self->incarnation ||
		    echoed > now || now - echoed >= XHB_REPLY_MAX_AGE_NS)
			return XHB_R_drop_stale_reply;
		if (incarnation < p->confirmed_incarnation)
			return XHB_R_drop_old_incarnation;
		if (p->confirmed_incarnation &&
		    incarnation - p->confirmed_incarnation > XHB_MAX_INCARNATION_JUMP)
			return XHB_R_drop_incarnation_jump;
		p->confirmed_incarnation = incarnation;
		return XHB_R_NEXT;
	}
	if (incarnation < p->confirmed_incarnation)
		return XHB_R_drop_old_incarnation;
	if (incarnation > p->confirmed_incarnation)
		return XHB_R_drop_unconfirmed;
	return XHB_R_NEXT;
}

#include "xhb_csum.h" /* xhb_udp6_csum(), xhb_ip4_csum_replace() */

/*
 * Turn the probe in place into the reply: swap MACs, addresses and ports,
 * reset the TTL, write the new header and the checksums. Over IPv4 the
 * reply carries no UDP checksum (0: none, RFC 768): the tag covers the
 * payload (a flipped bit is a bad tag), the prober's XDP checks the
 * lengths and ports, and summing 88 bytes was ~5% of the answer's cost.
 * IPv6 requires one (RFC 8200): summed.
 */
XHB_INLINE void xhb_rewrite_as_reply(struct xhb_frame *f,
				     const struct xhb_hdr *reply)
{
	__u8 mac[ETH_ALEN];
	__be16 port;

	__builtin_memcpy(mac, f->eth->h_dest, ETH_ALEN);
	__builtin_memcpy(f->eth->h_dest, f->eth->h_source, ETH_ALEN);
	__builtin_memcpy(f->eth->h_source, mac, ETH_ALEN);

	if (f->ip4) {
		__be32 addr = f->ip4->saddr;
		__u16 old_ttl_word = *(__u16 *)&f->ip4->ttl;

		/* Swapping the addresses keeps the header sum: no update. */
		f->ip4->saddr = f->ip4->daddr;
		f->ip4->daddr = addr;
		f->ip4->ttl = XHB_REPLY_TTL;
		xhb_ip4_csum_replace(f->ip4, old_ttl_word,
				     *(__u16 *)&f->ip4->ttl);
	} else if (f->ip6) {
		struct in6_addr addr = f->ip6->saddr;

		f->ip6->saddr = f->ip6->daddr;
		f->ip6->daddr = addr;
		f->ip6->hop_limit = XHB_REPLY_TTL;
	}

	port = f->udp->source;
	f->udp->source = f->udp->dest;
	f->udp->dest = port;
	__builtin_memcpy(f->wire, reply, sizeof(*reply));
	f->udp->check = 0;
	if (f->ip6)
		f->udp->check = xhb_udp6_csum(f, reply);
}

/*
 * Turn an authenticated probe (on the stack) into the reply, built from
 * this node's own state; only the prober's id and timestamp are kept.
 */
XHB_INLINE int xhb_build_reply(struct xhb_hdr *r, const struct xhb_self *self,
			       __u64 now)
{
	__be32 prober = r->node_id;
	__be64 echoed = r->timestamp_ns;
	/* the low 32 bits of the prober's incarnation, echoed */
	__be32 echo_incarnation =
	    bpf_htonl((__u32)bpf_be64_to_cpu(r->incarnation));
	__u32 key_id = self->key_id;
	struct xhb_key *key;
	__u64 age_ns, age_us, lease_left_ms = 0;
	__u8 tag[8];

	key = bpf_map_lookup_elem(&xhb_keys, &key_id);
	if (!key || key->method == XHB_AUTH_NONE)
		return -1;

	age_ns = now > self->agent_update_ns ? now - self->agent_update_ns : 0;
	age_us = age_ns / 1000;
	if (self->lease_ms && age_ns / 1000000 < self->lease_ms)
		lease_left_ms = self->lease_ms - age_ns / 1000000;

	__builtin_memset(r, 0, sizeof(*r));
	r->magic = bpf_htonl(XHB_MAGIC);
	r->version = XHB_VERSION;
	r->type = XHB_MSG_PROBE_REPLY;
	r->state = self->state;
	r->priority = self->priority;
	r->cluster_id = bpf_htonl(cfg_cluster_id);
	r->node_id = bpf_htonl(self->node_id);
	r->dest_node_id = prober;
	r->key_id = key_id;
	/* compact probes, while our agent runs (xhb_self.compact_ms) */
	if (age_ns < (__u64)self->compact_ms * 1000000ULL)
		r->flags = XHB_FLAG_COMPACT;
	r->incarnation = bpf_cpu_to_be64(self->incarnation);
	/* Replies are numbered by time: increasing without shared state. */
	r->seq = bpf_cpu_to_be64(now);
	r->timestamp_ns = echoed;
	r->echo_incarnation = echo_incarnation;
	r->agent_epoch = bpf_cpu_to_be64(self->agent_epoch);
	r->agent_age_us = bpf_htonl(age_us > 0xffffffffULL ? 0xffffffffU
							    : (__u32)age_us);
	r->lease_ms = bpf_htonl((__u32)lease_left_ms);
	r->groups_held = bpf_htonl(self->groups_held);
	r->groups_wanted = bpf_htonl(self->groups_wanted);
	r->groups_refused = bpf_htonl(self->groups_refused);
	r->ping_up = bpf_htons(self->ping_up);
	xhb_store_le64(tag, xhb_reply_tag(r, key));
	__builtin_memcpy(&r->tag, tag, sizeof(tag));
	return 0;
}

/* A fenced node answers no ARP request for its VIPs; other ARP passes. */
XHB_INLINE enum xhb_reason xhb_fence_arp(struct xhb_cursor *c)
{
	if (xhb_arp_asks_vip(c))
		return XHB_R_drop_fenced_arp;
	return XHB_R_pass_not_ip;
}

/*
 * A fenced node takes nothing addressed to its VIPs, fragments included,
 * and answers no neighbour solicitation for them.
 */
XHB_INLINE enum xhb_reason xhb_fence_ip(struct xhb_cursor *c,
					const struct xhb_frame *f, int next)
{
	if ((f->ip4 && xhb_fenced_for(&f->ip4->daddr, 4)) ||
	    (f->ip6 && xhb_fenced_for(&f->ip6->daddr, 16)))
		return XHB_R_drop_fenced_ip;
	if (f->ip6 && next == NEXTHDR_ICMPV6 && xhb_nd_for_vip(c))
		return XHB_R_drop_fenced_arp;
	return XHB_R_NEXT;
}

/* UDP to a cluster port: f->udp set, the cursor on the payload. */
XHB_INLINE enum xhb_reason xhb_check_port(struct xhb_cursor *c,
					  struct xhb_frame *f)
{
	struct udphdr *udp = c->pos;
	int port;

	if ((void *)(udp + 1) > c->end)
		return XHB_R_pass_not_udp;
	port = xhb_port_index(udp->dest, cfg_ports, cfg_nports);
	if (port < 0)
		return XHB_R_pass_other_port;
	f->port_index = port;
	f->udp = udp;
	c->pos = udp + 1;
	return XHB_R_NEXT;
}

/*
 * The frame up to its UDP header, in this order: Ethernet and VLAN, the
 * fence for ARP, IP, the fence for IP, UDP. XHB_R_NEXT for a frame to a
 * cluster port; else why it is not ours (pass_*) or fenced (drop_fenced_*).
 */
XHB_INLINE enum xhb_reason xhb_classify(struct xhb_cursor *c,
					struct xhb_frame *f)
{
	enum xhb_reason reason;
	__be16 proto;
	int next;

	if (xhb_parse_eth(c, f, &proto) < 0)
		return XHB_R_pass_not_ip;
	if (proto == bpf_htons(ETH_P_ARP))
		return xhb_fence_arp(c);
	if (proto == bpf_htons(ETH_P_IP))
		next = xhb_parse_ip4(c, f);
	else if (proto == bpf_htons(ETH_P_IPV6))
		next = xhb_parse_ip6(c, f);
	else
		return XHB_R_pass_not_ip;
	/* Malformed IP is the stack's business, as are fragments. */
	if (next == XHB_PARSE_MALFORMED)
		return XHB_R_pass_not_ip;
	reason = xhb_fence_ip(c, f, next);
	if (reason != XHB_R_NEXT)
		return reason;
	if (next == XHB_PARSE_FRAGMENT)
		return XHB_R_pass_fragment;
	if (next != IPPROTO_UDP)
		return XHB_R_pass_not_udp;
	return xhb_check_port(c, f);
}

/*
 * Most frames on a server's interface, decided before parsing them: an
 * IPv4 frame with no VLAN tag, no options and no fragmenting, to an
 * address that is none of our VIPs (xhb_maybe_vip()), is not ours unless
 * it is UDP to a cluster port. The reason is the one xhb_classify() would
 * give such a frame (pass_not_udp, pass_other_port), at fixed offsets,
 * with no cursor; XHB_R_NEXT for every other frame, which xhb_classify()
 * then takes whole. What a frame not ours costs is this and its counter.
 */
XHB_INLINE enum xhb_reason xhb_plainly_not_ours(const struct xhb_cursor *c)
{
	/* Byte offsets, not vmlinux.h's fields (CO-RE relocated: an
	 * instruction more each): EtherType at 12, then the IPv4 header at 14
	 * (version and length 14, fragment bits 20, protocol 23, the last
	 * byte of the destination 33), the UDP destination port at 36. */
	const __u8 *p = c->start;

	if ((void *)(p + sizeof(struct ethhdr) + sizeof(struct iphdr) +
		     sizeof(struct udphdr)) > c->end ||
	    (*(const __u32 *)(p + 12) & bpf_htonl(0xffffff00)) !=
		    bpf_htonl(ETH_P_IP << 16 | 0x45 << 8) /* 4, 20 bytes */ ||
	    (*(const __u16 *)(p + 20) & bpf_htons(IP_MF | IP_OFFSET)) ||
	    xhb_maybe_vip(p + 30, 4))
		return XHB_R_NEXT;
	if (p[23] != IPPROTO_UDP)
		return XHB_R_pass_not_udp;
	if (xhb_port_index(*(const __be16 *)(p + 36), cfg_ports, cfg_nports) >= 0)
		return XHB_R_NEXT;
	return XHB_R_pass_other_port;
}

/*
 * The UDP payload is exactly one header and the IP lengths agree; h is
 * the header copied to the stack, all later stages read.
 */
XHB_INLINE enum xhb_reason xhb_load_header(struct xhb_cursor *c,
					   struct xhb_frame *f,
					   struct xhb_hdr *h)
{
	f->wire = c->pos;
	if ((void *)(f->wire + 1) > c->end ||
	    bpf_ntohs(f->udp->len) != sizeof(struct udphdr) + XHB_HDR_LEN)
		return XHB_R_drop_malformed;
	if (f->ip4 && bpf_ntohs(f->ip4->tot_len) <
			  (__u32)((void *)(f->wire + 1) - (void *)f->ip4))
		return XHB_R_drop_malformed;
	if (f->ip6 && bpf_ntohs(f->ip6->payload_len) <
			  sizeof(struct udphdr) + XHB_HDR_LEN)
		return XHB_R_drop_malformed;
	/* A word at a time into our aligned copy (a packed struct copy would
	 * be 88 byte moves; bpf_xdp_load_bytes() a helper call): the frame's
	 * bounds are checked above, and the words may be unaligned in it. */
	XHB_UNROLL
	for (int i = 0; i < XHB_HDR_LEN / 8; i++)
		((__u64 *)h)[i] = ((const __u64 *)f->wire)[i];
	return XHB_R_NEXT;
}

/* Our protocol, its version, a known type, our cluster. A compact probe
 * (xhb_wire.h) is version XHB_PROBE_VERSION and a probe. */
XHB_INLINE enum xhb_reason xhb_check_header(const struct xhb_hdr *h)
{
	if (h->magic != bpf_htonl(XHB_MAGIC))
		return XHB_R_drop_bad_magic;
	if (h->version == XHB_PROBE_VERSION) {
		if (h->type != XHB_MSG_PROBE)
			return XHB_R_drop_bad_type;
	} else if (h->version != XHB_VERSION) {
		return XHB_R_drop_bad_version;
	}
	if (h->type == 0 || h->type >= XHB_MSG_TYPE_MAX)
		return XHB_R_drop_bad_type;
	if (h->cluster_id != bpf_htonl(cfg_cluster_id))
		return XHB_R_drop_bad_cluster;
	/* a heartbeat's page (xhb_wire.h) */
	if (h->type == XHB_MSG_HEARTBEAT &&
	    bpf_ntohl(h->dest_node_id) >= XHB_GROUP_PAGES)
		return XHB_R_drop_malformed;
	return XHB_R_NEXT;
}

/* Tagged under a key we hold; a compact probe then read as a header
 * (xhb_probe_expand()). */
XHB_INLINE enum xhb_reason xhb_authenticate(struct xhb_hdr *h)
{
	const struct xhb_probe *p = (const struct xhb_probe *)h;
	bool compact = h->version == XHB_PROBE_VERSION;
	__u32 key_id = compact ? p->key_id : h->key_id;
	__u64 tag = xhb_load_le64(compact ? (const __u8 *)&p->tag
					  : (const __u8 *)&h->tag);
	struct xhb_key *key;

	key = key_id < XHB_MAX_KEYS ? bpf_map_lookup_elem(&xhb_keys, &key_id)
				    : NULL;
	if (!key || key->method == XHB_AUTH_NONE)
		return XHB_R_drop_unknown_key;
	if (tag != xhb_verify_tag(h, key))
		return XHB_R_drop_bad_tag;
	if (compact)
		xhb_probe_expand(h);
	return XHB_R_NEXT;
}

/*
 * From a peer we know, not from ourselves; a probe or a reply unicast to
 * us. On XHB_R_NEXT, *self and *peer are this node's and the sender's
 * entries.
 */
XHB_INLINE enum xhb_reason xhb_check_sender(const struct xhb_frame *f,
					    const struct xhb_hdr *h,
					    struct xhb_self **self,
					    struct xhb_peer **peer)
{
	__u32 zero = 0, sender = bpf_ntohl(h->node_id);
	struct xhb_self *s;
	struct xhb_peer *p;

	s = bpf_map_lookup_elem(&xhb_self, &zero);
	/* Cannot happen (an array always has key 0), but if it did, the
	 * agent's state would be missing: as before the agent wrote it. */
	if (!s)
		return XHB_R_drop_agent_absent;
	if (s->node_id && sender == s->node_id)
		return XHB_R_drop_self;
	if (h->type != XHB_MSG_HEARTBEAT) {
		/* Probes and replies are unicast to one node: to us. */
		if (!s->node_id)
			return XHB_R_drop_agent_absent;
		if (bpf_ntohl(h->dest_node_id) != s->node_id ||
		    (f->eth->h_dest[0] & 1))
			return XHB_R_drop_probe_not_for_us;
	}
	p = bpf_map_lookup_elem(&xhb_peers, &sender);
	if (!p)
		return XHB_R_drop_unknown_peer;
	*self = s;
	*peer = p;
	return XHB_R_NEXT;
}

/*
 * De-replay, then record in the peer's entry what the packet says, under
 * its lock; tell the agent when the peer says something new of itself.
 * A probe saying that its sender does not hear us fences our VIPs now.
 */
XHB_INLINE enum xhb_reason xhb_record(struct xhb_peer *peer,
				      struct xhb_self *self,
				      const struct xhb_frame *f,
				      const struct xhb_hdr *h, __u64 now)
{
	enum xhb_reason life;
	bool unheard = false;
	__u64 incarnation = bpf_be64_to_cpu(h->incarnation);
	__u64 seq = bpf_be64_to_cpu(h->seq);
	enum xhb_reason reason;
	bool news = false;
	__u64 echoed;

	bpf_spin_lock(&peer->lock);
	life = xhb_confirm(peer, self, h, now);
	/* A packet of a life not confirmed yet is de-replayed too: only a
	 * fresh one tells where to probe its sender (so that its life can be
	 * confirmed); a replay with a rewritten source address cannot
	 * redirect our probes. */
	reason = life;
	if (life == XHB_R_NEXT || life == XHB_R_drop_unconfirmed)
		reason = xhb_replay_check(h->type == XHB_MSG_PROBE_REPLY
					      ? &peer->reply_replay
					      : &peer->agent_replay,
					  incarnation, seq);
	if (reason == XHB_R_NEXT)
		xhb_record_where(peer, f);
	if (reason == XHB_R_NEXT && life == XHB_R_drop_unconfirmed)
		reason = XHB_R_drop_unconfirmed;
	if (reason == XHB_R_NEXT) {
		/* a compact probe carries nothing of its sender's state */
		if (h->version != XHB_PROBE_VERSION)
			news = xhb_record_sender(peer, h, now);
		switch (h->type) {
		case XHB_MSG_HEARTBEAT:
			peer->last_heartbeat_ns = now;
			peer->heartbeats++;
			break;
		case XHB_MSG_PROBE:
			peer->last_probe_ns = now;
			peer->probes++;
			if (h->flags & XHB_FLAG_UNHEARD) {
				peer->unheard_ns = now;
				unheard = true;
			}
			break;
		default: /* XHB_MSG_PROBE_REPLY */
			echoed = bpf_be64_to_cpu(h->timestamp_ns);
			peer->last_reply_ns = now;
			peer->replies++;
			peer->rtt_ns = echoed <= now ? now - echoed : 0;
			peer->agent_age_us = bpf_ntohl(h->agent_age_us);
			peer->compact = !!(h->flags & XHB_FLAG_COMPACT);
			break;
		}
	}
	bpf_spin_unlock(&peer->lock);

	if (unheard) /* read by xhb_fenced() for every frame */
		*(volatile __u64 *)&self->unheard_ns = now;
	/* A probe of a life not confirmed yet is answered all the same
	 * (recording nothing): its answer is how the prober confirms us. */
	if (reason == XHB_R_drop_unconfirmed && h->type == XHB_MSG_PROBE)
		return XHB_R_NEXT;
	if (reason == XHB_R_NEXT && h->type == XHB_MSG_HEARTBEAT &&
	    h->dest_node_id &&
	    xhb_record_page(bpf_ntohl(h->node_id), h, now))
		news = true;
	if (news) { /* no helper calls under the lock: wake the agent now */
		struct xhb_news n = {.ring = 1};

		bpf_ringbuf_output(&xhb_news, &n, sizeof(n), 0);
	}
	return reason;
}

/*
 * A heartbeat or a reply recorded is accepted; a probe is answered in
 * place from this node's state (h becomes the reply).
 */
XHB_INLINE enum xhb_reason xhb_respond(struct xhb_frame *f, struct xhb_hdr *h,
				       const struct xhb_self *self, __u64 now)
{
	bool compact;

	if (h->type == XHB_MSG_HEARTBEAT)
		return XHB_R_heartbeat_accepted;
	if (h->type == XHB_MSG_PROBE_REPLY)
		return XHB_R_reply_accepted;
	/* the reply overwrites h */
	compact = h->version == XHB_PROBE_VERSION;
	if (xhb_build_reply(h, self, now) < 0)
		return XHB_R_drop_agent_absent;
	xhb_rewrite_as_reply(f, h);
	return compact ? XHB_R_probe_answered_compact : XHB_R_probe_answered;
}

/*
 * A frame to a cluster port, in stages: load the header, check it,
 * authenticate it, check its sender, de-replay and record it, act on its
 * type. Each stage returns a drop reason or XHB_R_NEXT; the last one the
 * accepted verdict.
 */
XHB_INLINE enum xhb_reason xhb_handle_cluster(struct xhb_cursor *c,
					      struct xhb_frame *f)
{
	struct xhb_self *self = NULL;
	struct xhb_peer *peer = NULL;
	enum xhb_reason reason;
	struct xhb_hdr h __attribute__((aligned(8)));
	__u64 now;

	reason = xhb_load_header(c, f, &h);
	if (reason != XHB_R_NEXT)
		return reason;
	reason = xhb_check_header(&h);
	if (reason != XHB_R_NEXT)
		return reason;
	reason = xhb_authenticate(&h);
	if (reason != XHB_R_NEXT)
		return reason;
	reason = xhb_check_sender(f, &h, &self, &peer);
	if (reason != XHB_R_NEXT)
		return reason;
	now = bpf_ktime_get_boot_ns();
	reason = xhb_record(peer, self, f, &h, now);
	if (reason != XHB_R_NEXT)
		return reason;
	return xhb_respond(f, &h, self, now);
}

/* A packet to our port that the program took (recorded or answered). */
XHB_INLINE bool xhb_accepted(enum xhb_reason reason)
{
	return reason == XHB_R_heartbeat_accepted ||
	       reason == XHB_R_reply_accepted || reason == XHB_R_probe_answered ||
	       reason == XHB_R_probe_answered_compact;
}

/*
 * Junk at our port: the agent reads the rate from the mapped xhb_self and
 * judges nobody dead on a flooded link.
 */
XHB_INLINE void xhb_count_junk(void)
{
	struct xhb_self *self;
	__u32 zero = 0;

	self = bpf_map_lookup_elem(&xhb_self, &zero);
	if (self)
		__sync_fetch_and_add(&self->junk_packets, 1);
}

/* The one place a frame is counted: the counter named by its reason. */
XHB_INLINE void xhb_count(enum xhb_reason reason)
{
	struct xhb_stats *stats;
	__u32 zero = 0;

	stats = bpf_map_lookup_elem(&xhb_stats, &zero);
	if (stats && reason < XHB_NR_REASONS)
		((__u64 *)stats)[reason]++;
}

/* Not ours: passed untouched; a probe: answered; everything else dropped. */
XHB_INLINE int xhb_action(enum xhb_reason reason)
{
	switch (reason) {
	case XHB_R_pass_not_ip:
	case XHB_R_pass_not_udp:
	case XHB_R_pass_fragment:
	case XHB_R_pass_other_port:
		return XDP_PASS;
	case XHB_R_probe_answered:
	case XHB_R_probe_answered_compact:
		return XDP_TX;
	default:
		return XDP_DROP;
	}
}

SEC("xdp")
int xhb_xdp(struct xdp_md *ctx)
{
	struct xhb_cursor c = {
		.start = (void *)(long)ctx->data,
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	struct xhb_frame f = {};
	enum xhb_reason reason;

	reason = xhb_plainly_not_ours(&c);
	if (reason != XHB_R_NEXT) {
		xhb_count(reason);
		return XDP_PASS;
	}
	reason = xhb_classify(&c, &f);
	if (reason == XHB_R_NEXT) {
		reason = xhb_handle_cluster(&c, &f);
		if (!xhb_accepted(reason))
			xhb_count_junk();
	}
	xhb_count(reason);
	return xhb_action(reason);
}

/*
 * The send side of the fence, attached at TC egress on every interface of
 * the agent's (heartbeat media and VIP interfaces): while this node is
 * fenced (xhb_fenced_for(): its lease lapsed, or the VIP staged here),
 * nothing leaves it from one of its VIPs,
 * neither IP packets (a TCP retransmission, a reply already queued) nor
 * ARP with a VIP as sender (the kernel refreshing its neighbours), which
 * would repoint the segment at a node that must not answer. Everything
 * else passes untouched; a node holding and staging nothing pays one
 * array load and one global's, the others the filters (xhb_fenced_for()).
 */
SEC("tc")
int xhb_tc_egress(struct __sk_buff *skb)
{
	struct xhb_cursor c = {
		.start = (void *)(long)skb->data,
		.pos = (void *)(long)skb->data,
		.end = (void *)(long)skb->data_end,
	};
	struct xhb_frame f = {};
	__be16 proto;
	int next;

	if ((!xhb_holder() && !*(volatile __u32 *)&staged_any) ||
	    xhb_parse_eth(&c, &f, &proto) < 0)
		return TC_ACT_OK;
	if (proto == bpf_htons(ETH_P_ARP)) {
		struct arphdr *arp = c.pos;
		struct xhb_arp_ipv4 *body = (struct xhb_arp_ipv4 *)(arp + 1);

		if ((void *)(body + 1) > c.end ||
		    arp->ar_pro != bpf_htons(ETH_P_IP) ||
		    !xhb_fenced_for(&body->sender_ip, 4))
			return TC_ACT_OK;
	} else if (proto == bpf_htons(ETH_P_IP)) {
		next = xhb_parse_ip4(&c, &f);
		if (next == XHB_PARSE_MALFORMED ||
		    !xhb_fenced_for(&f.ip4->saddr, 4))
			return TC_ACT_OK;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		next = xhb_parse_ip6(&c, &f);
		if (next == XHB_PARSE_MALFORMED ||
		    !xhb_fenced_for(&f.ip6->saddr, 16))
			return TC_ACT_OK;
	} else {
		return TC_ACT_OK;
	}
	xhb_count(XHB_R_drop_fenced_egress);
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
