// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The keys XDP accepts, as derived from authkeys. */
#include <criterion/criterion.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <string.h>

#include "config.h"
#include "wire.h"

static struct xhb_config *cfg_with(unsigned int auth,
				   enum xhb_auth_method m1,
				   enum xhb_auth_method m2)
{
	static struct xhb_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.auth_index = auth;
	cfg.keys[1] = (struct xhb_auth_key){.method = m1, .k0 = 11, .k1 = 12};
	cfg.keys[2] = (struct xhb_auth_key){.method = m2};
	return &cfg;
}

/* The seed's authkeys: auth 1 (md5 -> SipHash), 2 crc. */
Test(wire, crc_key_dropped_while_signing_with_a_secret)
{
	struct xhb_key keys[XHB_MAX_KEYS];

	xhb_wire_keys_from_config(cfg_with(1, XHB_AUTH_SIPHASH, XHB_AUTH_CRC), keys);
	cr_assert_eq(keys[1].method, XHB_AUTH_SIPHASH);
	cr_assert_eq(keys[1].k0, 11);
	cr_assert_eq(keys[1].k1, 12);
	cr_assert_eq(keys[2].method, XHB_AUTH_NONE, "crc must not be accepted");
	for (int i = 3; i < XHB_MAX_KEYS; i++)
		cr_assert_eq(keys[i].method, XHB_AUTH_NONE);
}

/* A cluster that signs with crc accepts every key listed (rollover). */
Test(wire, every_key_kept_while_signing_with_crc)
{
	struct xhb_key keys[XHB_MAX_KEYS];

	xhb_wire_keys_from_config(cfg_with(2, XHB_AUTH_SIPHASH, XHB_AUTH_CRC), keys);
	cr_assert_eq(keys[1].method, XHB_AUTH_SIPHASH);
	cr_assert_eq(keys[2].method, XHB_AUTH_CRC);
}
