// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The keys XDP accepts, as derived from authkeys. */
#include <criterion/criterion.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <string.h>
#include <arpa/inet.h>

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

/* A heartbeat's page of groups (xhb_wire.h): page 0 of a node with 32
 * groups or fewer is byte for byte the header from before pages (dest 0,
 * the masks as they were); page p carries word p of each set and names
 * itself in dest_node_id; a probe keeps its destination and page 0. */
Test(wire, group_pages_encode)
{
	struct xhb_gset held = {{0}}, wanted = {{0}}, refused = {{0}};
	struct xhb_wire_fields f = {.type = XHB_MSG_HEARTBEAT, .cluster_id = 7,
				    .node_id = 2, .incarnation = 3, .seq = 4};
	struct xhb_wire_fields old = f;
	struct xhb_hdr a, b;

	held.w[0] = 0x5;
	wanted.w[0] = 0x2;
	refused.w[0] = 0x8;
	xhb_wire_set_page(&f, &held, &wanted, &refused, 0);
	old.groups_held = 0x5;
	old.groups_wanted = 0x2;
	old.groups_refused = 0x8;
	xhb_wire_fill(&a, &f);
	xhb_wire_fill(&b, &old);
	cr_assert_arr_eq(&a, &b, sizeof(a), "page 0 is the header from before pages");

	for (unsigned int g = 32; g < XHB_MAX_GROUPS; g += 37)
		xhb_gset_add(&held, g);
	xhb_gset_add(&wanted, 1023);
	xhb_gset_add(&refused, 40);
	for (unsigned int p = 0; p < XHB_GROUP_PAGES; p++) {
		struct xhb_gset back_h = {{0}}, back_w = {{0}}, back_r = {{0}};

		f = (struct xhb_wire_fields){.type = XHB_MSG_HEARTBEAT};
		xhb_wire_set_page(&f, &held, &wanted, &refused, p);
		xhb_wire_fill(&a, &f);
		cr_assert_eq(ntohl(a.dest_node_id), p);
		for (unsigned int i = 0; i < 32; i++) {
			if (ntohl(a.groups_held) >> i & 1)
				xhb_gset_add(&back_h, 32 * p + i);
			if (ntohl(a.groups_wanted) >> i & 1)
				xhb_gset_add(&back_w, 32 * p + i);
			if (ntohl(a.groups_refused) >> i & 1)
				xhb_gset_add(&back_r, 32 * p + i);
		}
		for (unsigned int g = 32 * p; g < 32 * p + 32; g++) {
			cr_assert_eq(xhb_gset_has(&back_h, g), xhb_gset_has(&held, g),
				     "held %u", g);
			cr_assert_eq(xhb_gset_has(&back_w, g), xhb_gset_has(&wanted, g),
				     "wanted %u", g);
			cr_assert_eq(xhb_gset_has(&back_r, g), xhb_gset_has(&refused, g),
				     "refused %u", g);
		}
	}
	/* a probe: its destination stays, page 0 whatever is asked */
	f = (struct xhb_wire_fields){.type = XHB_MSG_PROBE, .dest_node_id = 99};
	xhb_wire_set_page(&f, &held, &wanted, &refused, 3);
	cr_assert_eq(f.dest_node_id, 99);
	cr_assert_eq(f.groups_held, held.w[0]);
	cr_assert_eq(f.groups_refused, refused.w[0]);
}
