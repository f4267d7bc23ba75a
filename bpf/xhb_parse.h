/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Parsing a frame through a cursor, for bpf/xhb.bpf.c (include it after
 * vmlinux.h and bpf/bpf_endian.h). Each xhb_parse_* checks the bounds of
 * the header it reads, records where it is in struct xhb_frame, moves the
 * cursor past it and returns the next protocol, or an XHB_PARSE_* value.
 */
#ifndef XHB_PARSE_H
#define XHB_PARSE_H

#include "xhb_bpf.h"
#include "xhb_wire.h"

struct xhb_cursor {
	void *start;
	void *pos;
	void *end;
};

/* Where the parsed headers of one frame are. */
struct xhb_frame {
	struct ethhdr *eth;
	struct iphdr *ip4; /* one of ip4, ip6 */
	struct ipv6hdr *ip6;
	struct udphdr *udp;
	struct xhb_hdr *wire;
	__u16 vlan;
	__u8 port_index; /* which cluster port (cfg_ports) it came to */
};

/*
 * What follows struct arphdr in Ethernet/IPv4 ARP (ar_hln 6, ar_pln 4).
 * vmlinux.h has no such struct: the kernel's struct arphdr ends where the
 * addresses, whose sizes vary with the hardware and protocol, begin.
 */
struct xhb_arp_ipv4 {
	__u8 sender_mac[ETH_ALEN];
	__be32 sender_ip;
	__u8 target_mac[ETH_ALEN];
	__be32 target_ip;
} __attribute__((packed));

_Static_assert(sizeof(struct xhb_arp_ipv4) == 20, "ARP Ethernet/IPv4 body");
_Static_assert(__builtin_offsetof(struct xhb_arp_ipv4, target_ip) == 16,
	       "ARP target IP");

/* What an xhb_parse_* returns instead of the next protocol. */
enum {
	XHB_PARSE_MALFORMED = -1, /* truncated or not the header it claims */
	XHB_PARSE_FRAGMENT = -2,  /* an IP fragment: no L4 header to read */
};

/* Returns the EtherType after at most one VLAN tag, in network order. */
XHB_INLINE int xhb_parse_eth(struct xhb_cursor *c, struct xhb_frame *f,
			     __be16 *proto)
{
	struct ethhdr *eth = c->pos;
	struct vlan_hdr *vlan;

	if ((void *)(eth + 1) > c->end)
		return XHB_PARSE_MALFORMED;
	f->eth = eth;
	*proto = eth->h_proto;
	c->pos = eth + 1;
	if (*proto == bpf_htons(ETH_P_8021Q) ||
	    *proto == bpf_htons(ETH_P_8021AD)) {
		vlan = c->pos;
		if ((void *)(vlan + 1) > c->end)
			return XHB_PARSE_MALFORMED;
		f->vlan = bpf_ntohs(vlan->h_vlan_TCI) & VLAN_VID_MASK;
		*proto = vlan->h_vlan_encapsulated_proto;
		c->pos = vlan + 1;
	}
	return 0;
}

/* The next protocol of an IPv4 packet, or an XHB_PARSE_* value. */
XHB_INLINE int xhb_parse_ip4(struct xhb_cursor *c, struct xhb_frame *f)
{
	struct iphdr *ip = c->pos;
	__u32 hdr_len;

	if ((void *)(ip + 1) > c->end)
		return XHB_PARSE_MALFORMED;
	hdr_len = ip->ihl * 4;
	if (ip->version != 4 || hdr_len < sizeof(*ip))
		return XHB_PARSE_MALFORMED;
	if (c->pos + hdr_len > c->end)
		return XHB_PARSE_MALFORMED;
	f->ip4 = ip;
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return XHB_PARSE_FRAGMENT;
	c->pos += hdr_len;
	return ip->protocol;
}

XHB_INLINE int xhb_parse_ip6(struct xhb_cursor *c, struct xhb_frame *f)
{
	struct ipv6hdr *ip6 = c->pos;

	if ((void *)(ip6 + 1) > c->end)
		return XHB_PARSE_MALFORMED;
	if (ip6->version != 6)
		return XHB_PARSE_MALFORMED;
	f->ip6 = ip6;
	if (ip6->nexthdr == NEXTHDR_FRAGMENT)
		return XHB_PARSE_FRAGMENT;
	c->pos = ip6 + 1;
	return ip6->nexthdr;
}

/*
 * Which of the first n of ports[] (n at most XHB_MAX_PORTS) port is
 * (both in network order), or -1. An interface's media have a port or
 * two: a frame to another port costs n compares. A bounded loop, not
 * unrolled (clang cannot, with volatile reads): with n in frozen .rodata
 * the verifier follows it n times.
 */
XHB_INLINE int xhb_port_index(__be16 port, const volatile __be16 *ports,
			      __u32 n)
{
	for (__u32 i = 0; i < XHB_MAX_PORTS; i++) {
		if (i >= n)
			return -1;
		if (ports[i] == port)
			return (int)i;
	}
	return -1;
}

#endif /* XHB_PARSE_H */
