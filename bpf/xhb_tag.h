/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Tags in XDP: a received header's or compact probe's (xhb_verify_tag()),
 * a probe reply's (xhb_reply_tag()), SipHash's most of each hashed once
 * (xhb_prefixed_tag()), CRC32 whole. Part of bpf/xhb.bpf.c, apart for its
 * size.
 */
#ifndef XHB_TAG_H
#define XHB_TAG_H

/*
 * A header's first XHB_PREFIX_WORDS words (magic to priority; cluster,
 * node; dest, key, flags, ping_up; incarnation) change only when its
 * sender's state does, or for a reply its prober: the SipHash state after
 * them is kept per CPU with the words and the key it was computed for, and
 * a tag then hashes only the rest (6 words of 10; a compact probe's
 * prefix is its four first words too: 2 of 6). The words are compared
 * in full, so a kept state is the one hashing them would give: a forged
 * or replayed packet can only make the next tag cost a full hash.
 * XHB_VERIFY_SLOTS entries for our replies, by prober (a reply's prefix
 * holds its prober's id: in a cluster of three or more, the probers'
 * turns do not evict each other's), and as many for the packets we
 * verify, by sender and type (a peer's heartbeats do not evict its
 * probes).
 */
#define XHB_PREFIX_WORDS 4
#define XHB_VERIFY_SLOTS 64
struct xhb_tag_prefix {
	__u64 words[XHB_PREFIX_WORDS];
	__u64 k0, k1;
	struct xhb_sip state;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XHB_VERIFY_SLOTS);
	__type(key, __u32);
	__type(value, struct xhb_tag_prefix);
} xhb_reply_prefix SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XHB_VERIFY_SLOTS);
	__type(key, __u32);
	__type(value, struct xhb_tag_prefix);
} xhb_verify_prefix SEC(".maps");

/* The SipHash tag of the first `words` words of a header (8-byte
 * aligned), the state after its prefix taken from, or kept in, c (NULL:
 * none). */
XHB_INLINE __u64 xhb_prefixed_tag(const struct xhb_hdr *h,
				  const struct xhb_key *k,
				  struct xhb_tag_prefix *c, __u32 words)
{
	const __u64 *w = (const __u64 *)h;
	struct xhb_sip s;

	if (c && c->k0 == k->k0 && c->k1 == k->k1 && c->words[0] == w[0] &&
	    c->words[1] == w[1] && c->words[2] == w[2] && c->words[3] == w[3]) {
		s = c->state;
	} else {
		xhb_sip_init(&s, k->k0, k->k1);
		xhb_sip_words(&s, w, XHB_PREFIX_WORDS);
		if (c) {
			__builtin_memcpy(c->words, w, sizeof(c->words));
			c->k0 = k->k0;
			c->k1 = k->k1;
			c->state = s;
		}
	}
	xhb_sip_words(&s, w + XHB_PREFIX_WORDS, words - XHB_PREFIX_WORDS);
	return xhb_sip_final(&s, words * 8);
}

/*
 * The tag of a reply built on our stack (8-byte aligned). Global
 * functions (not inlined), so the verifier checks their loops once.
 */
__noinline __u64 xhb_reply_tag(const struct xhb_hdr *r, const struct xhb_key *k)
{
	__u32 slot;

	if (!r || !k)
		return 0;
	if (k->method == XHB_AUTH_CRC)
		return xhb_crc32((const __u8 *)r, XHB_TAGGED_LEN);
	slot = bpf_ntohl(r->dest_node_id) % XHB_VERIFY_SLOTS;
	return xhb_prefixed_tag(r, k,
				bpf_map_lookup_elem(&xhb_reply_prefix, &slot),
				XHB_TAGGED_LEN / 8);
}

/* The tag of a received header or compact probe (on our stack, 8-byte
 * aligned, not expanded yet). A sender's compact probes keep their own
 * slot (type 0's, which no header has): their words are not a full
 * probe's. */
__noinline __u64 xhb_verify_tag(const struct xhb_hdr *h,
				const struct xhb_key *k)
{
	bool compact;
	__u32 slot;

	if (!h || !k)
		return 0;
	compact = h->version == XHB_PROBE_VERSION;
	if (k->method == XHB_AUTH_CRC)
		return compact ? xhb_crc32((const __u8 *)h, XHB_PROBE_TAGGED_LEN)
			       : xhb_crc32((const __u8 *)h, XHB_TAGGED_LEN);
	slot = (bpf_ntohl(h->node_id) * 4 + (compact ? 0 : h->type)) %
	       XHB_VERIFY_SLOTS;
	if (compact)
		return xhb_prefixed_tag(
		    h, k, bpf_map_lookup_elem(&xhb_verify_prefix, &slot),
		    XHB_PROBE_TAGGED_LEN / 8);
	return xhb_prefixed_tag(h, k,
				bpf_map_lookup_elem(&xhb_verify_prefix, &slot),
				XHB_TAGGED_LEN / 8);
}

#endif /* XHB_TAG_H */
