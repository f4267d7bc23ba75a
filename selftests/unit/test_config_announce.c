// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * ha.cf's announce lines (config_announce.c): a table of lines and what
 * each haresources group gets (mode, table, proto, metrics, hold), or the
 * "ha.cf:LINE: ..." error they get.
 */
#include <criterion/criterion.h>

#include "config.h"
#include "cfgdir.h"

#define dir cfgdir.dir
#define cfg cfgdir.cfg
#define err cfgdir.err

/* The seed's ha.cf (7 lines) plus the lines given; group 0 with an
 * address and apache, group 1 an address alone, group 2 a script alone. */
static int load_with(const char *lines)
{
	static const char *const scripts[] = {"apache", NULL};

	return cfgdir_load(lines,
			   "srv1 IPaddr::10.61.0.30/32 apache\n"
			   "srv2 10.61.0.31\n"
			   "srv1 apache::/etc/apache2/other.conf\n",
			   scripts);
}

TestSuite(config_announce, .init = cfgdir_setup, .fini = cfgdir_teardown);

#define ROUTE XHB_ANNOUNCE_ROUTE
#define ANYCAST XHB_ANNOUNCE_ANYCAST
#define S 1000000000ULL

struct announce_case {
	const char *lines;
	const char *error; /* NULL: loads; else the message after "DIR/" */
	struct xhb_announce_cfg want[2]; /* groups 0 and 1 (line aside) */
};

#define DEF(m)                                    \
	{                                         \
		m, 100, 248, 1000, 100, 10 * S, 0 \
	}

static const struct announce_case cases[] = {
    {"", NULL, {{0}, {0}}},
    {"announce 0 route\n", NULL, {DEF(ROUTE), {0}}},
    /* a group by one of its addresses, or its resource */
    {"announce 10.61.0.31 anycast\n", NULL, {{0}, DEF(ANYCAST)}},
    {"announce IPaddr::10.61.0.30/32 route\n", NULL, {DEF(ROUTE), {0}}},
    {"announce 0 route table 200 proto 99 metric 50 takeover_metric 10 "
     "takeover_hold 2s\n",
     NULL,
     {{ROUTE, 200, 99, 50, 10, 2 * S, 0}, {0}}},
    {"announce 0 route\nannounce 1 anycast metric 7\n",
     NULL,
     {DEF(ROUTE), {ANYCAST, 100, 248, 7, 100, 10 * S, 0}}},
    {"announce 0 route table 70000\n",
     NULL,
     {{ROUTE, 70000, 248, 1000, 100, 10 * S, 0}, {0}}},
    {"announce 0 broadcast\n",
     "ha.cf:8: announce 0: bad mode 'broadcast': route or anycast",
     {}},
    {"announce 0\n",
     "ha.cf:8: announce: missing values (usage: announce GROUP "
     "route|anycast [table N] [proto P] [metric M] [takeover_metric T] "
     "[takeover_hold T])",
     {}},
    {"announce 0 route table\n",
     "ha.cf:8: announce 0: option 'table' has no value",
     {}},
    {"announce 0 route table 254\n",
     "ha.cf:8: announce: bad table '254': a number 1..4294967295, not 253, "
     "254 or 255 (default, main, local)",
     {}},
    {"announce 0 route table 0\n",
     "ha.cf:8: announce: bad table '0': a number 1..4294967295, not 253, "
     "254 or 255 (default, main, local)",
     {}},
    {"announce 0 route proto 2\n",
     "ha.cf:8: announce: bad proto '2': a number 5..255 (0..4 are the "
     "kernel's)",
     {}},
    {"announce 0 route metric -1\n",
     "ha.cf:8: announce: bad metric '-1': a number 0..4294967295",
     {}},
    {"announce 0 route takeover_hold 0\n",
     "ha.cf:8: announce: bad takeover_hold '0': a time above 0 (10s, 500ms)",
     {}},
    {"announce 0 route weight 3\n",
     "ha.cf:8: announce: unknown option 'weight' (table, proto, metric, "
     "takeover_metric, takeover_hold)",
     {}},
    {"announce 0 route metric 100\n",
     "ha.cf:8: announce 0: takeover_metric (100) must be lower than metric "
     "(100): the lower one wins at the router",
     {}},
    {"announce 1 anycast takeover_metric 5\n",
     "ha.cf:8: announce 1 anycast: takeover_metric and takeover_hold are "
     "route's: every node announces an anycast group, nobody takes it over",
     {}},
    {"announce 7 route\n",
     "ha.cf:8: announce 7: names no haresources group (use a group's "
     "number, one of its addresses or resources)",
     {}},
    {"announce 2 route\n",
     "ha.cf:8: announce 2: group 2 has no address to announce",
     {}},
    {"announce 0 route\n\nannounce 10.61.0.30 anycast\n",
     "ha.cf:10: announce 10.61.0.30: group 0 has an announce line already "
     "(line 8)",
     {}},
};

static bool same(const struct xhb_announce_cfg *a,
		 const struct xhb_announce_cfg *b)
{
	return a->mode == b->mode &&
	       (!a->mode || (a->table == b->table && a->proto == b->proto &&
			     a->metric == b->metric &&
			     a->takeover_metric == b->takeover_metric &&
			     a->takeover_hold_ns == b->takeover_hold_ns));
}

Test(config_announce, table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct announce_case *c = &cases[i];
		char want[512];
		int ret = load_with(c->lines);

		if (c->error) {
			snprintf(want, sizeof(want), "%s/%s", dir, c->error);
			cr_expect_eq(ret, -EINVAL,
				     "'%s': loaded, want an error", c->lines);
			cr_expect_str_eq(err, want,
					 "'%s':\n  got  %s\n  want %s",
					 c->lines, err, want);
			continue;
		}
		cr_assert_eq(ret, 0, "'%s': %s", c->lines, err);
		for (unsigned int g = 0; g < 2; g++) {
			const struct xhb_announce_cfg *a =
			    &cfg->groups[g].announce;

			cr_expect(same(a, &c->want[g]),
				  "'%s': group %u: mode %d table %u proto %u "
				  "metric %u takeover %u hold %llu",
				  c->lines, g, a->mode, a->table, a->proto,
				  a->metric, a->takeover_metric,
				  (unsigned long long)a->takeover_hold_ns);
		}
		cr_expect_eq(cfg->groups[2].announce.mode, 0, "'%s'", c->lines);
	}
}
