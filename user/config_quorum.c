// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * config_quorum: ha.cf's lines about quorum and placement (quorum.h,
 * place.h), handlers of config_hacf.c's table:
 *
 *   no_quorum_policy stop|freeze|keep
 *   votes NODE N      (0..64, default 1: NODE's votes in the quorum)
 *   weight NODE N     (1..65535, default 1: its share of auto groups)
 *
 * NODE is a `node` name, which may come later in the file (Heartbeat's
 * files often end with the node lines): cfg_quorum_finish() resolves the
 * names once the whole of ha.cf is read, and sets the default policy:
 * keep for two nodes without ping nodes (Heartbeat's behaviour: each
 * half holds what it can), stop otherwise.
 */
#include <errno.h>
#include <string.h>

#include "config_lex.h"
#include "place.h"

int dir_no_quorum_policy(struct loader *ld, const struct directive *d,
			 unsigned int line, char **v, int n)
{
	static const char *const names[] = {
	    [XHB_NOQ_STOP] = "stop",
	    [XHB_NOQ_FREEZE] = "freeze",
	    [XHB_NOQ_KEEP] = "keep",
	};

	(void)d;
	(void)n;
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v[0], names[i])) {
			ld->cfg->no_quorum_policy = i;
			ld->cfg->no_quorum_line = line;
			return 0;
		}
	return cfg_fail(ld, line, EINVAL,
			"bad no_quorum_policy '%s': use stop, freeze or keep",
			v[0]);
}

static int node_attr(struct loader *ld, unsigned int line, char **v,
		     bool weight)
{
	struct xhb_config *cfg = ld->cfg;
	unsigned long long value;
	struct xhb_node_attr *a;

	if (strlen(v[0]) >= XHB_NAME_MAX)
		return cfg_fail(ld, line, EINVAL, "node name '%s' too long",
				v[0]);
	if (cfg_parse_uint(v[1], weight ? 1 : 0,
			   weight ? XHB_PLACE_WEIGHT_MAX : XHB_CONFIG_MAX_NODES,
			   &value) < 0)
		return cfg_fail(ld, line, EINVAL,
				weight ? "bad weight '%s': 1 to 65535"
				       : "bad votes '%s': 0 to 64",
				v[1]);
	if (cfg->nnode_attrs >= sizeof(cfg->node_attrs) /
				    sizeof(cfg->node_attrs[0]))
		return cfg_fail(ld, line, EINVAL,
				"too many votes and weight lines (max %zu)",
				sizeof(cfg->node_attrs) /
				    sizeof(cfg->node_attrs[0]));
	a = &cfg->node_attrs[cfg->nnode_attrs++];
	cfg_copy_str(a->node, sizeof(a->node), v[0]);
	cfg_lowercase(a->node);
	a->weight = weight;
	a->value = (unsigned int)value;
	a->line = line;
	return 0;
}

int dir_votes(struct loader *ld, const struct directive *d, unsigned int line,
	      char **v, int n)
{
	(void)d;
	(void)n;
	return node_attr(ld, line, v, false);
}

int dir_weight(struct loader *ld, const struct directive *d, unsigned int line,
	       char **v, int n)
{
	(void)d;
	(void)n;
	return node_attr(ld, line, v, true);
}

int cfg_quorum_finish(struct loader *ld)
{
	struct xhb_config *cfg = ld->cfg;
	unsigned int total = 0;

	for (unsigned int i = 0; i < cfg->nnodes; i++) {
		cfg->nodes[i].votes = 1;
		cfg->nodes[i].weight = 1;
	}
	for (unsigned int i = 0; i < cfg->nnode_attrs; i++) {
		const struct xhb_node_attr *a = &cfg->node_attrs[i];
		int n = xhb_config_node_index(cfg, a->node);

		if (n < 0)
			return cfg_fail(ld, a->line, EINVAL,
					"%s is not a node (declare it with "
					"'node %s')",
					a->node, a->node);
		if (a->weight)
			cfg->nodes[n].weight = a->value;
		else
			cfg->nodes[n].votes = a->value;
	}
	for (unsigned int i = 0; i < cfg->nnodes; i++)
		total += cfg->nodes[i].votes;
	if (!total)
		return cfg_fail(ld, cfg->node_attrs[0].line, EINVAL,
				"no node has a vote: at least one needs votes "
				">= 1");
	if (!cfg->no_quorum_line)
		cfg->no_quorum_policy = cfg->nnodes == 2 && !cfg->npings
					    ? XHB_NOQ_KEEP
					    : XHB_NOQ_STOP;
	return 0;
}
