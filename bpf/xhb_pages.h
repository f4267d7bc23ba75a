/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The pages of a peer's groups past the first 32 (xhb_wire.h: a HEARTBEAT
 * whose dest_node_id names its page), kept by XDP in xhb_peer_groups, one
 * entry a (node, page). Part of bpf/xhb.bpf.c, apart for its size.
 */
#ifndef XHB_PAGES_H
#define XHB_PAGES_H

/* Pages 1.. of the peers' groups (xhb_maps.h); XDP creates the entries. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XHB_MAX_PEERS * (XHB_GROUP_PAGES - 1));
	__type(key, struct xhb_page_key);
	__type(value, struct xhb_peer_page);
} xhb_peer_groups SEC(".maps");

/*
 * A paged heartbeat (page >= 1) accepted from node: its groups go to the
 * page's entry in xhb_peer_groups, created on first use, taken only from
 * a packet at least as recent as the one that wrote it (as
 * xhb_record_sender() takes the rest). True when they changed.
 */
XHB_INLINE bool xhb_record_page(__u32 node, const struct xhb_hdr *h, __u64 now)
{
	struct xhb_page_key k = {.node_id = node, .page = bpf_ntohl(h->dest_node_id)};
	__u64 epoch = bpf_be64_to_cpu(h->agent_epoch);
	__u64 incarnation = bpf_be64_to_cpu(h->incarnation);
	__u32 held = bpf_ntohl(h->groups_held);
	__u32 wanted = bpf_ntohl(h->groups_wanted);
	__u32 refused = bpf_ntohl(h->groups_refused);
	struct xhb_peer_page *pg, fresh = {};
	bool news = false;

	pg = bpf_map_lookup_elem(&xhb_peer_groups, &k);
	if (!pg) {
		/* a full map (cannot be: sized for every peer's pages) or a
		 * race with another CPU creating it: look again either way */
		(void)bpf_map_update_elem(&xhb_peer_groups, &k, &fresh, BPF_NOEXIST);
		pg = bpf_map_lookup_elem(&xhb_peer_groups, &k);
		if (!pg)
			return false;
	}
	bpf_spin_lock(&pg->lock);
	if (incarnation > pg->incarnation ||
	    (incarnation == pg->incarnation && epoch >= pg->agent_epoch)) {
		news = incarnation != pg->incarnation || pg->held != held ||
		       pg->wanted != wanted || pg->refused != refused;
		pg->incarnation = incarnation;
		pg->agent_epoch = epoch;
		pg->seen_ns = now;
		pg->held = held;
		pg->wanted = wanted;
		pg->refused = refused;
	}
	bpf_spin_unlock(&pg->lock);
	return news;
}

#endif /* XHB_PAGES_H */
