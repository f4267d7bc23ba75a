// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The links as Heartbeat judged them (xhb_ifaces_judge, user/ifaces.h):
 * one medium down of several is degraded, every medium down or a VIP's
 * interface down is a fault. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "ifaces.h"

struct link_case {
	const char *name;
	/* up to 3 interfaces: "name:mvu" = medium, vip, usable (0/1 each) */
	const char *ifaces[3];
	enum xhb_links_state want;
	unsigned int media, media_up;
	const char *media_down, *vip_down;
	__u32 groups_down; /* the VIP of interface k is group k's */
};

static const struct link_case cases[] = {
    {"seed_link_up", {"ens192:111"}, XHB_LINKS_OK, 1, 1, "", "", 0},
    {"seed_link_down", {"ens192:110"}, XHB_LINKS_FAULT, 1, 0, "ens192",
     "ens192", 1},
    /* two media, the VIP on the first: the second one going is degraded */
    {"second_medium_down_degraded", {"ens192:111", "eth1:100"},
     XHB_LINKS_DEGRADED, 2, 1, "eth1", "", 0},
    /* the VIP's own medium going is a fault for its group alone: the
     * node still hears its peers over eth1 */
    {"vip_medium_down_group_fault", {"ens192:110", "eth1:101"},
     XHB_LINKS_DEGRADED, 2, 1, "ens192", "ens192", 1},
    {"every_medium_down_fault", {"ens192:011", "eth1:100", "eth2:100"},
     XHB_LINKS_FAULT, 2, 0, "eth1,eth2", "", 0},
    /* heartbeats on the private link, the VIP on the public NIC: the
     * public NIC going is a fault for its group, though every medium works */
    {"public_nic_down_group_fault", {"ens192:101", "eth1:010"},
     XHB_LINKS_DEGRADED, 1, 1, "", "eth1", 2},
    /* two public NICs, one group each: one going takes its group alone */
    {"one_of_two_public_nics_down", {"ens192:101", "eth1:010", "eth2:011"},
     XHB_LINKS_DEGRADED, 1, 1, "", "eth1", 2},
    {"public_nic_up_private_down_fault", {"ens192:100", "eth1:011"},
     XHB_LINKS_FAULT, 1, 0, "ens192", "", 0},
    {"three_media_one_down", {"a:101", "b:100", "c:111"}, XHB_LINKS_DEGRADED,
     3, 2, "b", "", 0},
};

Test(links, judged_as_heartbeat_did)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct link_case *c = &cases[i];
		struct xhb_ifaces fs = {0};
		struct xhb_links out;

		for (unsigned int k = 0; k < 3 && c->ifaces[k]; k++) {
			const char *colon = strchr(c->ifaces[k], ':');
			struct xhb_iface *f = &fs.at[fs.n++];

			snprintf(f->name, sizeof(f->name), "%.*s",
				 (int)(colon - c->ifaces[k]), c->ifaces[k]);
			f->medium = colon[1] == '1';
			f->vip = colon[2] == '1';
			f->groups = xhb_gset_of32(f->vip ? 1U << k : 0);
			f->usable = colon[3] == '1';
		}
		xhb_ifaces_judge(&fs, &out);
		cr_expect_eq(out.state, c->want, "%s: %s, want %s", c->name,
			     xhb_links_state_name(out.state),
			     xhb_links_state_name(c->want));
		cr_expect_eq(out.media, c->media, "%s: media", c->name);
		cr_expect_eq(out.media_up, c->media_up, "%s: media up", c->name);
		cr_expect_str_eq(out.media_down, c->media_down, "%s", c->name);
		cr_expect_str_eq(out.vip_down, c->vip_down, "%s", c->name);
		cr_expect_eq(out.groups_down.w[0], c->groups_down, "%s: groups down %#x",
			     c->name, out.groups_down.w[0]);
	}
}

Test(links, state_names)
{
	cr_expect_str_eq(xhb_links_state_name(XHB_LINKS_OK), "ok");
	cr_expect_str_eq(xhb_links_state_name(XHB_LINKS_DEGRADED), "degraded");
	cr_expect_str_eq(xhb_links_state_name(XHB_LINKS_FAULT), "fault");
}
