// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * authkeys secrets to SipHash keys (user/kdf.h): Argon2id, 3 passes over
 * 64 MiB, salted with the cluster id. The vectors were computed by a
 * separate program calling libsodium's crypto_pwhash with the salt built
 * by hand ("xhb-kdf1", the cluster id big-endian, zeros) and the key read
 * as two little-endian words: every node must derive exactly this.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "config.h"
#include "kdf.h"

#define LAB_CLUSTER 0xc9e96a03U /* the seed lab's default cluster id */

Test(kdf, vectors)
{
	__u64 k0, k1;

	cr_assert_eq(xhb_kdf_derive("\"123456\"", LAB_CLUSTER, &k0, &k1), 0);
	cr_expect_eq(k0, 0x20e24e7ed0f19a05ULL);
	cr_expect_eq(k1, 0x40ae606ef036e0d1ULL);
	/* the same secret in another cluster: another key */
	cr_assert_eq(xhb_kdf_derive("\"123456\"", 1, &k0, &k1), 0);
	cr_expect_eq(k0, 0x9bb2e6b28b72ab81ULL);
	cr_expect_eq(k1, 0x36c6fcfa136c9f7cULL);
}

/* Keys with a secret are derived; raw keys and crc are left alone; a
 * reload reuses what did not change and derives what did. */
Test(kdf, config_keys)
{
	struct xhb_config *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));

	cr_assert(a && b);
	a->cluster_id = LAB_CLUSTER;
	a->keys[1] = (struct xhb_auth_key){.method = XHB_AUTH_SIPHASH};
	strcpy(a->keys[1].secret, "\"123456\"");
	a->keys[2] = (struct xhb_auth_key){.method = XHB_AUTH_SIPHASH, .k0 = 7, .k1 = 8};
	a->keys[3] = (struct xhb_auth_key){.method = XHB_AUTH_CRC};
	cr_assert_eq(xhb_kdf_config(a, NULL), 0);
	cr_expect_eq(a->keys[1].k0, 0x20e24e7ed0f19a05ULL);
	cr_expect_eq(a->keys[2].k0, 7);
	cr_expect_eq(a->keys[3].k0, 0);

	*b = *a;
	b->keys[1].k0 = b->keys[1].k1 = 0;
	a->keys[1].k0 = 42; /* what a reload would reuse */
	cr_assert_eq(xhb_kdf_config(b, a), 0);
	cr_expect_eq(b->keys[1].k0, 42, "unchanged secret and cluster: reused");
	b->keys[1].k0 = 0;
	b->cluster_id = 1;
	cr_assert_eq(xhb_kdf_config(b, a), 0);
	cr_expect_eq(b->keys[1].k0, 0x9bb2e6b28b72ab81ULL, "another cluster");
	free(a);
	free(b);
}
