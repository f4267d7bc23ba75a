/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * For the tests of which interfaces xhbd takes (xhb_ifaces_collect() and
 * the reload's checks): a configuration in memory with heartbeats on one
 * interface (ucast, ha.cf line medium_line) and groups whose one IPv4
 * address, /32, each sits on its interface (haresources line 2g + 2; the
 * caller sets ngroups, up to 2, and each address's iface).
 */
#ifndef XHB_TEST_IFACES_CFG_H
#define XHB_TEST_IFACES_CFG_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"

static inline struct xhb_config *ifaces_config(const char *medium_if,
					       unsigned int medium_line)
{
	struct xhb_config *cfg = xhb_config_new();

	cr_assert(cfg);
	snprintf(cfg->hacf_path, sizeof(cfg->hacf_path), "ha.cf");
	snprintf(cfg->haresources_path, sizeof(cfg->haresources_path),
		 "haresources");
	cfg->udpport = 694;
	cfg->nmedia = 1;
	cfg->media[0] = (struct xhb_medium){
	    .kind = XHB_MEDIUM_UCAST, .family = AF_INET, .line = medium_line};
	snprintf(cfg->media[0].iface, sizeof(cfg->media[0].iface), "%s",
		 medium_if);
	for (unsigned int g = 0; g < 2; g++) {
		struct xhb_resource *res = &cfg->groups[g].resources[0];

		cfg->groups[g].nresources = 1;
		res->kind = XHB_RES_ADDRESS;
		res->family = AF_INET;
		res->prefix_len = 32;
		res->line = 2 * g + 2;
	}
	return cfg;
}

#endif
