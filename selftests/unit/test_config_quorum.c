// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * ha.cf's no_quorum_policy, votes and weight lines, and haresources' auto
 * and lists of nodes (config_quorum.c, config_haresources.c): values,
 * defaults, and each error with its file:line.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cfgdir.h"

#define cfg cfgdir.cfg
#define err cfgdir.err

TestSuite(config_quorum, .init = cfgdir_setup, .fini = cfgdir_teardown);

static int load(const char *lines, const char *haresources)
{
	return cfgdir_load(lines, haresources ? haresources
					      : "srv1 172.16.193.30\n",
			   NULL);
}

Test(config_quorum, defaults)
{
	cr_assert_eq(load("", NULL), 0, "%s", err);
	cr_expect_eq(cfg->no_quorum_policy, XHB_NOQ_KEEP, "two nodes, no ping");
	cr_expect_eq(cfg->nodes[0].votes, 1);
	cr_expect_eq(cfg->nodes[1].weight, 1);
	cr_assert_eq(load("ping 172.16.193.1\n", NULL), 0, "%s", err);
	cr_expect_eq(cfg->no_quorum_policy, XHB_NOQ_STOP, "two nodes, ping");
	cr_assert_eq(load("node srv3\n", NULL), 0, "%s", err);
	cr_expect_eq(cfg->no_quorum_policy, XHB_NOQ_STOP, "three nodes");
}

Test(config_quorum, values)
{
	/* a node named before its node line */
	cr_assert_eq(load("votes srv3 2\nweight SRV2 5\nno_quorum_policy freeze\n"
			  "node srv3\nvotes srv1 0\n",
			  NULL),
		     0, "%s", err);
	cr_expect_eq(cfg->no_quorum_policy, XHB_NOQ_FREEZE);
	cr_expect_eq(cfg->nodes[2].votes, 2);
	cr_expect_eq(cfg->nodes[0].votes, 0);
	cr_expect_eq(cfg->nodes[1].weight, 5);
	cr_assert_eq(load("no_quorum_policy keep\nnode srv3\n", NULL), 0);
	cr_expect_eq(cfg->no_quorum_policy, XHB_NOQ_KEEP);
}

Test(config_quorum, placed_groups)
{
	cr_assert_eq(load("node srv3\n", "auto 172.16.193.31\n"
					 "srv2,SRV3 172.16.193.32\n"
					 "srv1 172.16.193.33\n"),
		     0, "%s", err);
	cr_expect(cfg->groups[0].placed);
	cr_expect_eq(cfg->groups[0].node_index, -1);
	cr_expect_eq(cfg->groups[0].allowed, 0x7);
	cr_expect(cfg->groups[1].placed);
	cr_expect_eq(cfg->groups[1].allowed, 0x6);
	cr_expect(!cfg->groups[2].placed);
	cr_expect_eq(cfg->groups[2].node_index, 0);
	cr_expect_eq(cfg->groups[2].allowed, ~0ULL, "a preferred node: any");
	cr_expect_neq(cfg->groups[0].place_key, cfg->groups[1].place_key);
}

struct bad {
	const char *lines, *haresources, *message;
};

static const struct bad bad_cases[] = {
    {"no_quorum_policy ignore\n", NULL,
     "ha.cf:8: bad no_quorum_policy 'ignore': use stop, freeze or keep"},
    {"votes srv1 65\n", NULL, "ha.cf:8: bad votes '65': 0 to 64"},
    {"weight srv1 0\n", NULL, "ha.cf:8: bad weight '0': 1 to 65535"},
    {"\nvotes srv9 1\n", NULL,
     "ha.cf:9: srv9 is not a node (declare it with 'node srv9')"},
    {"votes srv1 0\nvotes srv2 0\n", NULL,
     "ha.cf:8: no node has a vote: at least one needs votes >= 1"},
    {"votes srv1\n", NULL, "ha.cf:8:"},
    {"", "srv1,srv9 172.16.193.31\n", "haresources:1: srv9 is not a node"},
    {"", "srv1,srv1 172.16.193.31\n",
     "haresources:1: srv1 named twice in 'srv1,srv1'"},
    {"", "auto\n", "haresources:1: node auto has no resources"},
};

Test(config_quorum, errors_name_file_and_line)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad *b = &bad_cases[i];

		cr_expect_eq(load(b->lines, b->haresources), -EINVAL, "case %zu",
			     i);
		cr_expect(strstr(err, b->message), "case %zu: '%s' not in '%s'",
			  i, b->message, err);
	}
}
