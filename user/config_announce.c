// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * config_announce: ha.cf's `announce` lines, how a group's addresses reach
 * clients beyond their own segment:
 *
 *   announce GROUP route   [table N] [proto P] [metric M]
 *                          [takeover_metric T] [takeover_hold TIME]
 *   announce GROUP anycast [table N] [proto P] [metric M]
 *
 * route: the node that holds GROUP puts its addresses on lo (host
 * addresses) and a host route for each in kernel table N with protocol
 * number P and metric M; a routing daemon (BIRD's `protocol kernel {
 * kernel table N; learn; }`, FRR's `ip import-table N`) announces it.
 * A node that takes the group over from a holder that may still announce
 * it (dead, stalled, lease run out) uses metric T instead (lower wins, so
 * the router prefers it before its BFD drops the old path) and goes back
 * to M after takeover_hold. anycast: every node whose checks pass holds
 * the group and announces it, with metric M; routers spread by ECMP.
 *
 * GROUP names a haresources group as `check ... groups` does: its number,
 * one of its addresses or one of its resources; it is resolved once
 * haresources is read (cfg_announces_finish). What the routes do at run
 * time: route.c and transition.c.
 */
#include <errno.h>
#include <string.h>

#include "config_lex.h"

#define DEFAULT_TABLE 100
#define DEFAULT_PROTO 248
#define DEFAULT_METRIC 1000
#define DEFAULT_TAKEOVER_METRIC 100
#define DEFAULT_TAKEOVER_HOLD_NS (10 * NS_PER_SEC)
/* RTPROT_STATIC (4) and below are the kernel's and ip route's own */
#define MIN_PROTO 5

static const char *const modes[] = {
    [XHB_ANNOUNCE_ROUTE] = "route",
    [XHB_ANNOUNCE_ANYCAST] = "anycast",
};

/* Table 0 is "unspecified"; 253, 254 and 255 are default, main and
 * local: a daemon reading those would announce far more than our VIPs. */
static bool reserved_table(unsigned long long t)
{
	return t == 0 || (t >= 253 && t <= 255);
}

static int option(struct loader *ld, unsigned int line,
		  struct xhb_announce_cfg *a, const char *word,
		  const char *value, bool *takeover_given)
{
	unsigned long long v;

	if (!strcmp(word, "table")) {
		if (cfg_parse_uint(value, 1, 0xffffffffULL, &v) ||
		    reserved_table(v))
			return cfg_fail(ld, line, EINVAL,
					"announce: bad table '%s': a number "
					"1..4294967295, not 253, 254 or 255 "
					"(default, main, local)",
					value);
		a->table = (__u32)v;
	} else if (!strcmp(word, "proto")) {
		if (cfg_parse_uint(value, MIN_PROTO, 255, &v))
			return cfg_fail(ld, line, EINVAL,
					"announce: bad proto '%s': a number "
					"%d..255 (0..4 are the kernel's)",
					value, MIN_PROTO);
		a->proto = (__u8)v;
	} else if (!strcmp(word, "metric") ||
		   !strcmp(word, "takeover_metric")) {
		if (cfg_parse_uint(value, 0, 0xffffffffULL, &v))
			return cfg_fail(ld, line, EINVAL,
					"announce: bad %s '%s': a number "
					"0..4294967295",
					word, value);
		if (word[0] == 'm') {
			a->metric = (__u32)v;
		} else {
			a->takeover_metric = (__u32)v;
			*takeover_given = true;
		}
	} else if (!strcmp(word, "takeover_hold")) {
		if (xhb_config_parse_time(value, &a->takeover_hold_ns) ||
		    !a->takeover_hold_ns)
			return cfg_fail(ld, line, EINVAL,
					"announce: bad takeover_hold '%s': a "
					"time above 0 (10s, 500ms)",
					value);
		*takeover_given = true;
	} else {
		return cfg_fail(ld, line, EINVAL,
				"announce: unknown option '%s' (table, proto, "
				"metric, takeover_metric, takeover_hold)",
				word);
	}
	return 0;
}

int dir_announce(struct loader *ld, const struct directive *d,
		 unsigned int line, char **v, int n)
{
	struct xhb_config *cfg = ld->cfg;
	struct xhb_announce_line *l;
	struct xhb_announce_cfg a = {
	    .table = DEFAULT_TABLE,
	    .proto = DEFAULT_PROTO,
	    .metric = DEFAULT_METRIC,
	    .takeover_metric = DEFAULT_TAKEOVER_METRIC,
	    .takeover_hold_ns = DEFAULT_TAKEOVER_HOLD_NS,
	    .line = line,
	};
	bool takeover_given = false;
	int ret;

	(void)d;
	for (size_t m = 1; m < ARRAY_LEN(modes); m++)
		if (!strcmp(v[1], modes[m]))
			a.mode = (enum xhb_announce_mode)m;
	if (!a.mode)
		return cfg_fail(ld, line, EINVAL,
				"announce %s: bad mode '%s': route or anycast",
				v[0], v[1]);
	if ((n - 2) % 2)
		return cfg_fail(ld, line, EINVAL,
				"announce %s: option '%s' has no value", v[0],
				v[n - 1]);
	for (int i = 2; i < n; i += 2)
		if ((ret =
			 option(ld, line, &a, v[i], v[i + 1], &takeover_given)))
			return ret;
	if (a.mode == XHB_ANNOUNCE_ANYCAST && takeover_given)
		return cfg_fail(
		    ld, line, EINVAL,
		    "announce %s anycast: takeover_metric and "
		    "takeover_hold are route's: every node "
		    "announces an anycast group, nobody takes it over",
		    v[0]);
	if (a.mode == XHB_ANNOUNCE_ROUTE && a.takeover_metric >= a.metric)
		return cfg_fail(ld, line, EINVAL,
				"announce %s: takeover_metric (%u) must be "
				"lower than metric (%u): the lower one wins at "
				"the router",
				v[0], a.takeover_metric, a.metric);
	if (strlen(v[0]) >= sizeof(l->group))
		return cfg_fail(ld, line, EINVAL, "announce: group too long");
	if (cfg->nannounces >= ARRAY_LEN(cfg->announces))
		return cfg_fail(ld, line, EINVAL,
				"announce: more than %zu lines",
				ARRAY_LEN(cfg->announces));
	l = &cfg->announces[cfg->nannounces++];
	cfg_copy_str(l->group, sizeof(l->group), v[0]);
	l->cfg = a;
	return 0;
}

static bool has_address(const struct xhb_group *grp)
{
	for (unsigned int r = 0; r < grp->nresources; r++)
		if (grp->resources[r].kind == XHB_RES_ADDRESS)
			return true;
	return false;
}

int cfg_announces_finish(struct loader *ld)
{
	struct xhb_config *cfg = ld->cfg;

	for (unsigned int i = 0; i < cfg->nannounces; i++) {
		const struct xhb_announce_line *l = &cfg->announces[i];
		unsigned int line = l->cfg.line, found = 0;

		for (unsigned int g = 0; g < cfg->ngroups; g++) {
			struct xhb_group *grp = &cfg->groups[g];

			if (!cfg_names_group(grp, g, l->group))
				continue;
			if (grp->announce.mode)
				return cfg_fail(
				    ld, line, EINVAL,
				    "announce %s: group %u has an "
				    "announce line already (line %u)",
				    l->group, g, grp->announce.line);
			if (!has_address(grp))
				return cfg_fail(ld, line, EINVAL,
						"announce %s: group %u has no "
						"address to announce",
						l->group, g);
			grp->announce = l->cfg;
			found++;
		}
		if (!found)
			return cfg_fail(ld, line, EINVAL,
					"announce %s: names no haresources "
					"group (use a group's number, one of "
					"its addresses or resources)",
					l->group);
	}
	return 0;
}
