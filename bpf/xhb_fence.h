/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The fence's question, for XDP's receive side and tc's send side: is an
 * address one of our VIPs, fenced now (xhb_fenced_for()); what an ARP
 * request or a neighbour solicitation asks of it; the VIP filters that
 * let every other frame skip the question (xhb_maybe_vip()). Part of
 * bpf/xhb.bpf.c, apart for its size: include it after xhb_vips,
 * vip_filter, staged_filter and xhb_holder().
 */
#ifndef XHB_FENCE_H
#define XHB_FENCE_H

/* The bit of addr (len 4 or 16 bytes) in a VIP filter, set or not. */
XHB_INLINE bool xhb_filter_has(const __u64 *filter, const void *addr, int len)
{
	__u32 bit = xhb_vip_filter_bit(addr, len);

	return (((const volatile __u64 *)filter)[bit / 64] >> (bit % 64)) & 1;
}

/* May addr be one of our VIPs, held or staged? When not (the common
 * case: a frame to another address), nothing of the fence applies.
 * vip_filter alone: every staged VIP's bit is in it too (xhb_maps.h). */
XHB_INLINE bool xhb_maybe_vip(const void *addr, int len)
{
	return xhb_filter_has(vip_filter, addr, len);
}

/* addr's entry in xhb_vips, or NULL. */
XHB_INLINE struct xhb_vip_lease *xhb_vip_lookup(const void *addr, int len)
{
	struct xhb_vip_key key = {.family = len == 4 ? AF_INET : AF_INET6};

	__builtin_memcpy(key.addr, addr, len);
	return bpf_map_lookup_elem(&xhb_vips, &key);
}

/*
 * Is addr (len 4 or 16 bytes) one of our VIPs, fenced now? A staged VIP
 * always is (XHB_VIP_STAGED: configured here, held elsewhere); a held one
 * while this node holds groups (xhb_holder()) and is fenced, its lease
 * lapsed or a peer unheard us (xhb_self_fenced()). The filters first: a
 * frame to none of our VIPs pays their two words and nothing else, a
 * frame to no staged VIP no lookup before the clock.
 */
XHB_INLINE bool xhb_fenced_for(const void *addr, int len)
{
	struct xhb_vip_lease *v;
	struct xhb_self *self;

	if (!xhb_maybe_vip(addr, len))
		return false;
	self = xhb_holder();
	if (xhb_filter_has(staged_filter, addr, len)) {
		v = xhb_vip_lookup(addr, len);
		if (!v)
			return false;
		if (v->flags & XHB_VIP_STAGED)
			return true;
		return self && xhb_self_fenced(self, bpf_ktime_get_boot_ns());
	}
	if (!self || !xhb_self_fenced(self, bpf_ktime_get_boot_ns()))
		return false;
	return xhb_vip_lookup(addr, len) != NULL;
}

/* An ARP request (Ethernet/IPv4 ARP only) for one of our VIPs, fenced. */
XHB_INLINE bool xhb_arp_asks_vip(struct xhb_cursor *c)
{
	struct arphdr *arp = c->pos;
	struct xhb_arp_ipv4 *body = (struct xhb_arp_ipv4 *)(arp + 1);

	if ((void *)(body + 1) > c->end ||
	    arp->ar_op != bpf_htons(ARPOP_REQUEST) ||
	    arp->ar_pro != bpf_htons(ETH_P_IP) || arp->ar_hln != ETH_ALEN ||
	    arp->ar_pln != sizeof(body->target_ip))
		return false;
	return xhb_fenced_for(&body->target_ip, 4);
}

/* A neighbour solicitation whose target is one of our VIPs, fenced; or
 * an advertisement of it (the holder's, after its takeover: the kernel
 * would warn that someone advertises its address). */
XHB_INLINE bool xhb_nd_for_vip(struct xhb_cursor *c)
{
	struct icmp6hdr *icmp = c->pos;
	struct in6_addr *target = (struct in6_addr *)(icmp + 1);

	if ((void *)(target + 1) > c->end ||
	    (icmp->icmp6_type != NDISC_NEIGHBOUR_SOLICITATION &&
	     icmp->icmp6_type != NDISC_NEIGHBOUR_ADVERTISEMENT))
		return false;
	return xhb_fenced_for(target, 16);
}

#endif /* XHB_FENCE_H */
