// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The interfaces xhb_ifaces_collect() takes for a group's addresses: an
 * address of a group in routing mode (announce route|anycast) lives on lo
 * and adds no VIP interface (it is fenced on the media's interfaces); the
 * same address without the line adds its interface. In a private network
 * namespace with a veth pair (the test's process only).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ifaces.h"
#include "ifaces_cfg.h"

/* ucast xra (the medium), group 0: IPaddr::10.77.0.30/32/xrb. */
static struct xhb_config *config(enum xhb_announce_mode mode)
{
	struct xhb_config *cfg = ifaces_config("xra", 1);

	cfg->ngroups = 1;
	cfg->groups[0].announce.mode = mode;
	cfg->groups[0].resources[0].line = 1;
	snprintf(cfg->groups[0].resources[0].iface,
		 sizeof(cfg->groups[0].resources[0].iface), "xrb");
	return cfg;
}

static void collect(enum xhb_announce_mode mode, const char *want)
{
	struct xhb_config *cfg = config(mode);
	struct xhb_ifaces *fs = calloc(1, sizeof(*fs));
	char err[256] = "", got[64] = "";

	cr_assert(fs);
	cr_assert_eq(xhb_ifaces_collect(fs, cfg, NULL, err, sizeof(err)), 0,
		     "%s", err);
	for (unsigned int i = 0; i < fs->n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? " " : "", fs->at[i].name);
	cr_expect_str_eq(got, want,
			 "announce mode %d: interfaces '%s', want '%s'", mode,
			 got, want);
	free(fs);
	xhb_config_free(cfg);
}

Test(ifaces_routed, routed_addresses_add_no_interface)
{
	if (unshare(CLONE_NEWNET) < 0)
		cr_skip_test("unshare(CLONE_NEWNET): %s (needs root)",
			     strerror(errno));
	cr_assert_eq(system("ip link add xra type veth peer name xrb"), 0);
	collect(XHB_ANNOUNCE_ARP, "xra xrb");
	collect(XHB_ANNOUNCE_ROUTE, "xra");
	collect(XHB_ANNOUNCE_ANYCAST, "xra");
}
