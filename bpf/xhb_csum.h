/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Checksums of a probe reply built in place: IPv6's UDP from scratch,
 * IPv4's header updated (an IPv4 reply has no UDP checksum:
 * xhb_rewrite_as_reply()). Part of bpf/xhb.bpf.c, apart for its size.
 */
#ifndef XHB_CSUM_H
#define XHB_CSUM_H

XHB_INLINE __u16 xhb_csum_fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/*
 * The ones' complement sum (RFC 1071, unfolded; byte order is the
 * memory's, as it is stored back) of n 16-bit words at p. Inline adds: a
 * bpf_csum_diff() call costs more than the few words summed here.
 */
XHB_INLINE __u64 xhb_sum16(const void *p, int n)
{
	const __u16 *w = p;
	__u64 sum = 0;

	XHB_UNROLL
	for (int i = 0; i < n; i++)
		sum += w[i];
	return sum;
}

/*
 * UDP checksum of an IPv6 reply from scratch: pseudo-header, UDP header
 * with a zero checksum, payload. The payload is the header we just built
 * on the stack (8-byte aligned: summed a 32-bit word at a time), so
 * nothing of the probe's bytes is trusted.
 */
XHB_INLINE __u16 xhb_udp6_csum(const struct xhb_frame *f,
			       const struct xhb_hdr *h)
{
	const __u32 *w = (const __u32 *)h;
	__u64 sum = 0;

	XHB_UNROLL
	for (int i = 0; i < XHB_HDR_LEN / 4; i++)
		sum += w[i];
	/* the UDP header, its checksum zero; the pseudo-header's length
	 * is the UDP length (its 32 bits: the same sum) */
	sum += xhb_sum16(f->udp, 4) + f->udp->len + bpf_htons(IPPROTO_UDP);
	/* saddr and daddr are adjacent: 32 bytes */
	sum += xhb_sum16(&f->ip6->saddr, 16);
	sum = (__u16)~xhb_csum_fold(sum);
	return sum ? sum : 0xffff; /* 0 means "no checksum" in UDP */
}

/* RFC 1624 incremental update of the IPv4 header checksum for one word. */
XHB_INLINE void xhb_ip4_csum_replace(struct iphdr *ip, __u16 old, __u16 new)
{
	__u64 sum = (__u16)~ip->check;

	sum += (__u16)~old;
	sum += new;
	ip->check = ~xhb_csum_fold(sum);
}

#endif /* XHB_CSUM_H */
