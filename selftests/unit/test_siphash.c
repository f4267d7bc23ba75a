// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* SipHash-2-4 and CRC32 of include/xhb_siphash.h against the reference
 * vectors, libsodium and zlib. */
#include <criterion/criterion.h>
#include <linux/types.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "xhb_siphash.h"

/* Key 00 01 .. 0f, message 00 01 .. (len-1): vectors from the SipHash
 * reference implementation (vectors.h, vectors_sip64), as 64-bit values. */
static const struct {
	unsigned len;
	__u64 out;
} reference[] = {
	{0, 0x726fdb47dd0e0e31ULL},
	{1, 0x74f839c593dc67fdULL},
	{15, 0xa129ca6149be45e5ULL},
};

static void reference_key(__u8 key[16])
{
	for (int i = 0; i < 16; i++)
		key[i] = i;
}

Test(siphash, reference_vectors)
{
	__u8 key[16], msg[64];

	reference_key(key);
	for (int i = 0; i < 64; i++)
		msg[i] = i;
	for (size_t i = 0; i < sizeof(reference) / sizeof(reference[0]); i++) {
		__u64 got = xhb_siphash(msg, reference[i].len, xhb_load_le64(key),
					xhb_load_le64(key + 8));
		cr_expect_eq(got, reference[i].out, "len %u: %016llx != %016llx",
			     reference[i].len, (unsigned long long)got,
			     (unsigned long long)reference[i].out);
	}
}

/* libsodium's crypto_shorthash_siphash24 is an independent implementation;
 * agree on every length 0..128 and on random keys and messages. */
Test(siphash, matches_libsodium)
{
	__u8 key[16], msg[129], want[8], got[8];

	cr_assert(sodium_init() >= 0);
	for (int round = 0; round < 2000; round++) {
		unsigned len = round < 129 ? (unsigned)round : randombytes_uniform(129);

		randombytes_buf(key, sizeof(key));
		randombytes_buf(msg, len);
		crypto_shorthash_siphash24(want, msg, len, key);
		xhb_store_le64(got, xhb_siphash(msg, len, xhb_load_le64(key),
						 xhb_load_le64(key + 8)));
		cr_assert_arr_eq(got, want, 8, "round %d len %u", round, len);
	}
}

/* The word-at-a-time steps (what XDP tags with) are the same function. */
Test(siphash, words_match_libsodium)
{
	__u64 words[16];
	__u8 key[16], want[8], got[8];
	struct xhb_sip s;

	cr_assert(sodium_init() >= 0);
	for (int round = 0; round < 2000; round++) {
		unsigned len = 8 * randombytes_uniform(17);

		randombytes_buf(key, sizeof(key));
		randombytes_buf(words, len);
		crypto_shorthash_siphash24(want, (const __u8 *)words, len, key);
		xhb_sip_init(&s, xhb_load_le64(key), xhb_load_le64(key + 8));
		xhb_sip_words(&s, words, len / 8);
		xhb_store_le64(got, xhb_sip_final(&s, len));
		cr_assert_arr_eq(got, want, 8, "round %d len %u", round, len);
	}
}

Test(crc32, matches_zlib)
{
	__u8 msg[256];

	cr_assert(sodium_init() >= 0);
	cr_expect_eq(xhb_crc32((const __u8 *)"123456789", 9), 0xcbf43926U);
	for (int round = 0; round < 500; round++) {
		unsigned len = randombytes_uniform(sizeof(msg) + 1);

		randombytes_buf(msg, len);
		cr_assert_eq(xhb_crc32(msg, len), (__u32)crc32(0, msg, len),
			     "len %u", len);
	}
}
