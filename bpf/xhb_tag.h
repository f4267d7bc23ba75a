/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Tags in XDP: a header's under a key (xhb_tag(), to verify), and a probe
 * reply's, most of it hashed once (xhb_reply_tag()). Part of
 * bpf/xhb.bpf.c, apart for its size.
 */
#ifndef XHB_TAG_H
#define XHB_TAG_H

/*
 * The tag of a header under a key. A global (not inlined) function, so the
 * verifier checks its loops once instead of once per path that calls it.
 */
__noinline __u64 xhb_tag(const struct xhb_hdr *h, const struct xhb_key *k)
{
	if (!h || !k)
		return 0;
	if (k->method == XHB_AUTH_CRC)
		return xhb_crc32((const __u8 *)h, XHB_TAGGED_LEN);
	/* h is 8-byte aligned on our stack (xhb_handle_cluster()): a word
	 * at a time, the same tag as byte by byte (little-endian BPF) */
	return xhb_siphash_w((const __u64 *)h, XHB_TAGGED_LEN, k->k0, k->k1);
}

/*
 * A probe reply's first XHB_REPLY_PREFIX_WORDS words (magic to type,
 * state, priority; cluster, node; the prober, key, flags, ping_up; our
 * incarnation) change only when our state or the prober does: the SipHash
 * state after them is kept per CPU with the words and the key it was
 * computed for, and each reply hashes only the rest (6 words of 10).
 */
#define XHB_REPLY_PREFIX_WORDS 4
struct xhb_reply_prefix {
	__u64 words[XHB_REPLY_PREFIX_WORDS];
	__u64 k0, k1;
	struct xhb_sip state;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xhb_reply_prefix);
} xhb_reply_prefix SEC(".maps");

/* The SipHash tag of a reply built on our stack (8-byte aligned). */
__noinline __u64 xhb_reply_tag(const struct xhb_hdr *r, const struct xhb_key *k)
{
	const __u64 *w = (const __u64 *)r;
	struct xhb_reply_prefix *c;
	struct xhb_sip s;
	__u32 zero = 0;

	if (!r || !k)
		return 0;
	c = bpf_map_lookup_elem(&xhb_reply_prefix, &zero);
	if (c && c->k0 == k->k0 && c->k1 == k->k1 && c->words[0] == w[0] &&
	    c->words[1] == w[1] && c->words[2] == w[2] && c->words[3] == w[3]) {
		s = c->state;
	} else {
		xhb_sip_init(&s, k->k0, k->k1);
		xhb_sip_words(&s, w, XHB_REPLY_PREFIX_WORDS);
		if (c) {
			__builtin_memcpy(c->words, w, sizeof(c->words));
			c->k0 = k->k0;
			c->k1 = k->k1;
			c->state = s;
		}
	}
	xhb_sip_words(&s, w + XHB_REPLY_PREFIX_WORDS,
		      XHB_TAGGED_LEN / 8 - XHB_REPLY_PREFIX_WORDS);
	return xhb_sip_final(&s, XHB_TAGGED_LEN);
}

#endif /* XHB_TAG_H */
