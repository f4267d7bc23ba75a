/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * SipHash-2-4 (Aumasson & Bernstein) and CRC32 (zlib's polynomial), usable
 * from BPF and from userspace. Include a type source first.
 *
 * Both read their input byte by byte, so the data may sit anywhere (BPF
 * stack, packet copy, unaligned buffer) and the result does not depend on
 * the host's byte order. Lengths are compile-time constants in BPF so the
 * loops are bounded for the verifier.
 *
 * The key is 16 bytes; k0 is bytes 0..7 little-endian, k1 bytes 8..15, as
 * in the reference implementation. The tag on the wire is the 64-bit
 * result stored little-endian (again as the reference emits it).
 */
#ifndef XHB_SIPHASH_H
#define XHB_SIPHASH_H

#ifndef XHB_INLINE
#define XHB_INLINE static inline __attribute__((always_inline))
#endif
#ifndef XHB_UNROLL
#define XHB_UNROLL
#endif

XHB_INLINE __u64 xhb_rotl64(__u64 x, int b)
{
	return (x << b) | (x >> (64 - b));
}

XHB_INLINE __u64 xhb_load_le64(const __u8 *p)
{
	return (__u64)p[0] | (__u64)p[1] << 8 | (__u64)p[2] << 16 |
	       (__u64)p[3] << 24 | (__u64)p[4] << 32 | (__u64)p[5] << 40 |
	       (__u64)p[6] << 48 | (__u64)p[7] << 56;
}

XHB_INLINE void xhb_store_le64(__u8 *p, __u64 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
	p[4] = v >> 32;
	p[5] = v >> 40;
	p[6] = v >> 48;
	p[7] = v >> 56;
}

#define XHB_SIPROUND(v0, v1, v2, v3)                                           \
	do {                                                                   \
		v0 += v1;                                                      \
		v1 = xhb_rotl64(v1, 13);                                       \
		v1 ^= v0;                                                      \
		v0 = xhb_rotl64(v0, 32);                                       \
		v2 += v3;                                                      \
		v3 = xhb_rotl64(v3, 16);                                       \
		v3 ^= v2;                                                      \
		v0 += v3;                                                      \
		v3 = xhb_rotl64(v3, 21);                                       \
		v3 ^= v0;                                                      \
		v2 += v1;                                                      \
		v1 = xhb_rotl64(v1, 17);                                       \
		v1 ^= v2;                                                      \
		v2 = xhb_rotl64(v2, 32);                                       \
	} while (0)

/*
 * SipHash-2-4 in steps, one place for its rounds: the state after a
 * prefix can be kept and reused (what XDP does for the first words of a
 * header, which change only with its sender's state).
 */
struct xhb_sip {
	__u64 v0, v1, v2, v3;
};

XHB_INLINE void xhb_sip_init(struct xhb_sip *s, __u64 k0, __u64 k1)
{
	s->v0 = 0x736f6d6570736575ULL ^ k0;
	s->v1 = 0x646f72616e646f6dULL ^ k1;
	s->v2 = 0x6c7967656e657261ULL ^ k0;
	s->v3 = 0x7465646279746573ULL ^ k1;
}

/* One 8-byte block m (little-endian) absorbed. */
XHB_INLINE void xhb_sip_block(struct xhb_sip *s, __u64 m)
{
	__u64 v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;

	v3 ^= m;
	XHB_SIPROUND(v0, v1, v2, v3);
	XHB_SIPROUND(v0, v1, v2, v3);
	v0 ^= m;
	*s = (struct xhb_sip){v0, v1, v2, v3};
}

/* The tag, b being the last block: the message's length in its top byte,
 * the bytes past its last whole block below. */
XHB_INLINE __u64 xhb_sip_last(const struct xhb_sip *s, __u64 b)
{
	struct xhb_sip t = *s;
	__u64 v0, v1, v2, v3;

	xhb_sip_block(&t, b);
	v0 = t.v0, v1 = t.v1, v2 = t.v2 ^ 0xff, v3 = t.v3;
	XHB_SIPROUND(v0, v1, v2, v3);
	XHB_SIPROUND(v0, v1, v2, v3);
	XHB_SIPROUND(v0, v1, v2, v3);
	XHB_SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* SipHash-2-4 of len bytes at data under the key (k0, k1). */
XHB_INLINE __u64 xhb_siphash(const __u8 *data, __u32 len, __u64 k0, __u64 k1)
{
	__u32 full = len & ~7U;
	__u64 b = (__u64)len << 56;
	struct xhb_sip s;
	__u32 i;

	xhb_sip_init(&s, k0, k1);
	XHB_UNROLL
	for (i = 0; i < full; i += 8)
		xhb_sip_block(&s, xhb_load_le64(data + i));
	XHB_UNROLL
	for (i = 0; i < (len & 7); i++)
		b |= (__u64)data[full + i] << (8 * i);
	return xhb_sip_last(&s, b);
}

/*
 * Words, 8 bytes each, 8-byte aligned, absorbed a word per load instead
 * of eight byte loads and seven shifts (in BPF, where nothing merges
 * them, most of the hash's cost).
 */
XHB_INLINE void xhb_sip_words(struct xhb_sip *s, const __u64 *w, __u32 n)
{
	XHB_UNROLL
	for (__u32 i = 0; i < n; i++)
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		xhb_sip_block(s, __builtin_bswap64(w[i]));
#else
		xhb_sip_block(s, w[i]);
#endif
}

/* The tag of a message of len bytes (a multiple of 8), all absorbed. */
XHB_INLINE __u64 xhb_sip_final(const struct xhb_sip *s, __u32 len)
{
	return xhb_sip_last(s, (__u64)len << 56);
}

/*
 * CRC-32 (IEEE 802.3, reflected, as zlib's crc32(0, data, len)), four bits
 * at a time from a table of 16: the BPF verifier follows a loop bit by bit
 * with the CRC's exact value, ~300000 instructions a call, and three calls
 * took the XDP program past its million.
 */
XHB_INLINE __u32 xhb_crc32(const __u8 *data, __u32 len)
{
	static const __u32 nibble[16] = {
		0x00000000U, 0x1db71064U, 0x3b6e20c8U, 0x26d930acU,
		0x76dc4190U, 0x6b6b51f4U, 0x4db26158U, 0x5005713cU,
		0xedb88320U, 0xf00f9344U, 0xd6d6a3e8U, 0xcb61b38cU,
		0x9b64c2b0U, 0x86d3d2d4U, 0xa00ae278U, 0xbdbdf21cU,
	};
	__u32 crc = 0xffffffffU;

	for (__u32 i = 0; i < len; i++) {
		crc ^= data[i];
		crc = (crc >> 4) ^ nibble[crc & 15];
		crc = (crc >> 4) ^ nibble[crc & 15];
	}
	return ~crc;
}

#endif /* XHB_SIPHASH_H */
