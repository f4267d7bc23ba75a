// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * config_resource: ha.cf's lines about how resource scripts run, in the
 * file's own style (a directive, words, Heartbeat's times):
 *
 *   resource_timeout [NAME] [start|stop] TIME
 *   stop_failed_policy block|release
 *
 * NAME is a script as haresources names it (apache for apache::args,
 * Filesystem, ...); without it, the line is the default of every script.
 * Without start or stop it sets both. A named script's setting wins over
 * the default's whatever the order; for the same script and action the
 * last line counts, as Heartbeat keeps the last value. TIME is from 100ms
 * to a day; scripts nobody set get XHB_RESOURCE_TIMEOUT_DEFAULT_NS for
 * each. Once haresources is read, cfg_resources_finish() writes each
 * script resource's timeouts and refuses a NAME that no haresources entry
 * runs (a typo would silently keep the default) or that is an address.
 */
#include <errno.h>
#include <string.h>

#include "config_lex.h"

#define MIN_TIMEOUT_NS (100ULL * 1000000ULL)

static const char *const address_agents[] = {"IPaddr", "IPaddr2", "IPv6addr"};

static bool is_action(const char *word)
{
	return !strcmp(word, "start") || !strcmp(word, "stop");
}

/* The entry for agent ("": the default), added if new. */
static struct xhb_resource_timeout *entry(struct loader *ld, unsigned int line,
					  const char *agent)
{
	struct xhb_config *cfg = ld->cfg;
	struct xhb_resource_timeout *t;

	for (unsigned int i = 0; i < cfg->ntimeouts; i++)
		if (!strcmp(cfg->timeouts[i].agent, agent))
			return &cfg->timeouts[i];
	if (cfg->ntimeouts >= XHB_CONFIG_MAX_TIMEOUTS) {
		cfg_fail(ld, line, EINVAL,
			 "resource_timeout: too many scripts named (max %d, "
			 "the default included)",
			 XHB_CONFIG_MAX_TIMEOUTS);
		return NULL;
	}
	t = &cfg->timeouts[cfg->ntimeouts++];
	memset(t, 0, sizeof(*t));
	cfg_copy_str(t->agent, sizeof(t->agent), agent);
	t->line = line;
	return t;
}

int dir_resource_timeout(struct loader *ld, const struct directive *d,
			       unsigned int line, char **v, int n)
{
	const char *agent = "", *action = NULL, *time = v[n - 1];
	struct xhb_resource_timeout *t;
	__u64 ns;

	(void)d;
	if (n == 3) {
		agent = v[0];
		action = v[1];
		if (!is_action(action))
			return cfg_fail(ld, line, EINVAL,
					"resource_timeout: '%s' is neither start "
					"nor stop (usage: resource_timeout "
					"[NAME] [start|stop] TIME)",
					action);
	} else if (n == 2) {
		if (is_action(v[0]))
			action = v[0];
		else
			agent = v[0];
	}
	if (strlen(agent) >= XHB_NAME_MAX || strchr(agent, '/'))
		return cfg_fail(ld, line, EINVAL,
				"resource_timeout: bad script name '%s': a "
				"name as haresources gives it (apache, "
				"Filesystem)",
				agent);
	if (xhb_config_parse_time(time, &ns) || ns < MIN_TIMEOUT_NS)
		return cfg_fail(ld, line, EINVAL,
				"bad resource_timeout '%s': a time from 100ms to "
				"a day, in seconds (90, 1.5) or with a unit "
				"(500ms)",
				time);
	t = entry(ld, line, agent);
	if (!t)
		return -EINVAL;
	if (!action || !strcmp(action, "start"))
		t->start_ns = ns;
	if (!action || !strcmp(action, "stop"))
		t->stop_ns = ns;
	return 0;
}

int dir_stop_failed_policy(struct loader *ld, const struct directive *d,
				 unsigned int line, char **v, int n)
{
	(void)d;
	(void)n;
	if (!strcmp(v[0], "block"))
		ld->cfg->stop_failed_policy = XHB_STOP_FAILED_BLOCK;
	else if (!strcmp(v[0], "release"))
		ld->cfg->stop_failed_policy = XHB_STOP_FAILED_RELEASE;
	else
		return cfg_fail(ld, line, EINVAL,
				"bad stop_failed_policy '%s': use block or "
				"release",
				v[0]);
	return 0;
}

static const struct xhb_resource_timeout *find(const struct xhb_config *cfg,
					       const char *agent)
{
	for (unsigned int i = 0; i < cfg->ntimeouts; i++)
		if (!strcmp(cfg->timeouts[i].agent, agent))
			return &cfg->timeouts[i];
	return NULL;
}

/* The first of the named script's, the default line's and the built-in
 * value that is set. */
static __u64 pick(const struct xhb_resource_timeout *named,
		  const struct xhb_resource_timeout *dflt, bool start)
{
	__u64 ns = named ? (start ? named->start_ns : named->stop_ns) : 0;

	if (!ns && dflt)
		ns = start ? dflt->start_ns : dflt->stop_ns;
	return ns ? ns : XHB_RESOURCE_TIMEOUT_DEFAULT_NS;
}

/* A NAME that is no script of haresources: the closest one, for the
 * message. */
static const char *closest_script(const struct xhb_config *cfg, const char *name)
{
	const char *best = NULL;
	size_t best_distance = 3;

	for (unsigned int g = 0; g < cfg->ngroups; g++)
		for (unsigned int r = 0; r < cfg->groups[g].nresources; r++) {
			const struct xhb_resource *res = &cfg->groups[g].resources[r];
			size_t dist;

			if (res->kind != XHB_RES_SCRIPT)
				continue;
			dist = cfg_edit_distance(name, res->agent);
			if (dist < best_distance) {
				best = res->agent;
				best_distance = dist;
			}
		}
	return best;
}

int cfg_resources_finish(struct loader *ld)
{
	struct xhb_config *cfg = ld->cfg;
	const struct xhb_resource_timeout *dflt = find(cfg, "");

	for (unsigned int i = 0; i < cfg->ntimeouts; i++) {
		const struct xhb_resource_timeout *t = &cfg->timeouts[i];
		bool used = !t->agent[0];
		const char *best;

		for (size_t a = 0; a < ARRAY_LEN(address_agents); a++)
			if (!strcmp(t->agent, address_agents[a]))
				return cfg_fail(ld, t->line, EINVAL,
						"resource_timeout: %s is an "
						"address, added and removed by "
						"xhb itself: it runs no script "
						"and has no timeout",
						t->agent);
		for (unsigned int g = 0; !used && g < cfg->ngroups; g++)
			for (unsigned int r = 0; r < cfg->groups[g].nresources; r++)
				used |= cfg->groups[g].resources[r].kind ==
						XHB_RES_SCRIPT &&
					!strcmp(cfg->groups[g].resources[r].agent,
						t->agent);
		if (used)
			continue;
		best = closest_script(cfg, t->agent);
		if (best)
			return cfg_fail(ld, t->line, EINVAL,
					"resource_timeout: no haresources entry "
					"runs a script named '%s' (did you mean "
					"%s?)",
					t->agent, best);
		return cfg_fail(ld, t->line, EINVAL,
				"resource_timeout: no haresources entry runs a "
				"script named '%s'",
				t->agent);
	}
	for (unsigned int g = 0; g < cfg->ngroups; g++)
		for (unsigned int r = 0; r < cfg->groups[g].nresources; r++) {
			struct xhb_resource *res = &cfg->groups[g].resources[r];
			const struct xhb_resource_timeout *named;

			if (res->kind != XHB_RES_SCRIPT)
				continue;
			named = find(cfg, res->agent);
			res->start_timeout_ns = pick(named, dflt, true);
			res->stop_timeout_ns = pick(named, dflt, false);
		}
	return 0;
}
