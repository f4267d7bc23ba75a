// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * agent_quorum: the agent's side of quorum.h. Which nodes are in our
 * partition (the peers we hear, ourselves), what it weighs, what we say
 * when that changes, and what no_quorum_policy makes of it for decide.
 */
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "agent_int.h"
#include "decide.h"

static const char *policy_name(enum xhb_no_quorum_policy p)
{
	switch (p) {
	case XHB_NOQ_FREEZE:
		return "freeze";
	case XHB_NOQ_KEEP:
		return "keep";
	default:
		return "stop";
	}
}

static bool present(const struct xhb_peer_view *p)
{
	return p->state == XHB_MEMBER_UP || p->state == XHB_MEMBER_WARN ||
	       p->state == XHB_MEMBER_STALLED;
}

bool judge_quorum(struct xhb_agent *a, __u64 now)
{
	const struct xhb_config *c = a->cfg;
	unsigned int votes[XHB_CONFIG_MAX_NODES];
	bool here[XHB_CONFIG_MAX_NODES] = {false};
	struct xhb_quorum_input in = {
	    .n_nodes = c->nnodes,
	    .self = (unsigned int)a->self_index,
	    .votes = votes,
	    .present = here,
	    .pings = c->npings > 0,
	    .self_ping = xhb_ping_wire(&a->pinger),
	};
	char nodes[XHB_CONFIG_MAX_NODES * XHB_NAME_MAX] = "";
	bool stopped = quorum_flags(a) != 0;
	size_t len = 0;

	(void)now;
	if (a->init)
		return false;
	for (unsigned int n = 0; n < c->nnodes; n++) {
		votes[n] = c->nodes[n].votes;
		if ((int)n == a->self_index)
			continue;
		here[n] = present(&a->peers.v[n]);
		in.peer_ping = a->peers.v[n].snap.ping_up; /* two nodes: the one */
	}
	a->quorum = xhb_quorum_compute(&in);
	if (a->quorum_said == (int)a->quorum.quorate)
		return false;
	a->quorum_said = a->quorum.quorate;
	for (unsigned int n = 0; n < c->nnodes; n++)
		if ((int)n == a->self_index || here[n])
			len += (size_t)snprintf(nodes + len, sizeof(nodes) - len,
						"%s%s", len ? "," : "",
						c->nodes[n].name);
	xhb_ev_quorum(a->ev, a->quorum.quorate, a->quorum.votes,
		      a->quorum.total, a->quorum.needed, nodes,
		      xhb_quorum_why_name(a->quorum.why),
		      policy_name(c->no_quorum_policy));
	/* back from a stop or freeze: what we saw of the others meanwhile
	 * is stale (a peer we judged dead may hold what it held then) */
	return stopped && a->quorum.quorate;
}

bool tell_unheard(const struct xhb_agent *a)
{
	return !quorum_flags(a);
}

unsigned int quorum_flags(const struct xhb_agent *a)
{
	if (a->init || a->quorum_said < 0 || a->quorum.quorate)
		return 0;
	switch (a->cfg->no_quorum_policy) {
	case XHB_NOQ_STOP:
		return XHB_SELF_NO_QUORUM;
	case XHB_NOQ_FREEZE:
		return XHB_SELF_FROZEN;
	default:
		return 0;
	}
}

json_t *quorum_json(const struct xhb_agent *a)
{
	return json_pack("{s:o, s:i, s:i, s:i, s:s, s:s}", "quorate",
			 a->quorum_said < 0 ? json_null()
					    : json_boolean(a->quorum.quorate),
			 "votes", (int)a->quorum.votes, "total",
			 (int)a->quorum.total, "needed", (int)a->quorum.needed,
			 "why", xhb_quorum_why_name(a->quorum.why), "policy",
			 policy_name(a->cfg->no_quorum_policy));
}
