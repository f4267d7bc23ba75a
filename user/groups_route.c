// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Routing mode of a group (`announce GROUP route|anycast`, xhb.conf(5)):
 * its addresses on lo, and a host route for each in a table of its own,
 * which the operator's routing daemon announces. The steps are the
 * transitions' (transition.c): the route after its address is up, the
 * routes first when the group is released (the router stops sending
 * before anything stops serving), with the address otherwise.
 *
 * Takeover preference: a node that takes a group from a holder that may
 * still announce it (judged dead, stalled past its lease, its lease run
 * out) puts takeover_metric on its routes, lower than metric: the daemons
 * carry it as MED, and the router prefers the new holder at once instead
 * of waiting for BFD or the hold timer to drop the old one's path. After
 * takeover_hold the old path is surely gone and the route goes back to
 * metric, so that the next takeover, of this node, wins in turn. The new
 * route is added before the old one is deleted: BIRD's learning kernel
 * protocol announces the lowest metric of the two, never a withdrawal.
 */
#include <errno.h>
#include <stdio.h>

#include "events.h"
#include "groups_int.h"

bool groups_routed(const struct xhb_group *grp)
{
	return grp->announce.mode != XHB_ANNOUNCE_ARP;
}

bool xhb_announce_same(const struct xhb_announce_cfg *a,
		       const struct xhb_announce_cfg *b)
{
	/* field by field (padding), the line aside: it may have moved */
	return a->mode == b->mode && a->table == b->table &&
	       a->proto == b->proto && a->metric == b->metric &&
	       a->takeover_metric == b->takeover_metric &&
	       a->takeover_hold_ns == b->takeover_hold_ns;
}

/* The holder it replaces may still announce the group. */
static bool takeover(enum xhb_reason reason)
{
	return reason == XHB_REASON_PEER_DEAD ||
	       reason == XHB_REASON_PEER_STALLED_HOLDS ||
	       reason == XHB_REASON_LEASE_EXPIRED;
}

static int route_of(struct xhb_groups *gs, unsigned int g,
		    const struct xhb_resource *res, __u32 metric,
		    struct xhb_route *rt)
{
	const struct xhb_announce_cfg *a = &xhb_groups_def(gs, g)->announce;
	struct xhb_vip vip;
	int ret = groups_resolve_vip(gs, g, res, &vip);

	if (ret)
		return ret;
	*rt = (struct xhb_route){.dst = vip.addr,
				 .ifindex = vip.ifindex,
				 .table = a->table,
				 .proto = a->proto,
				 .metric = metric};
	return 0;
}

static void say_failed(struct xhb_groups *gs, unsigned int g,
		       const struct xhb_resource *res, const char *action,
		       const struct xhb_announce_cfg *a, int err)
{
	char why[96];

	snprintf(why, sizeof(why), "host route in table %u, proto %u", a->table,
		 a->proto);
	xhb_ev_resource_failed(gs->ev, g, res->spec, action, NULL, "netlink",
			       err, why);
}

/* Adds rt (said when it was not there); 0 or a negative errno. */
static int add(struct xhb_groups *gs, unsigned int g,
	       const struct xhb_route *rt, const char *reason)
{
	int ret = xhb_nl__route_add(gs->nl, rt);

	if (!ret)
		xhb_ev_route_added(gs->ev, g, rt, reason);
	return ret < 0 ? ret : 0;
}

/* Deletes rt (said when it was there); 0 or a negative errno. */
static int del(struct xhb_groups *gs, unsigned int g,
	       const struct xhb_route *rt)
{
	int ret = xhb_nl__route_del(gs->nl, rt);

	if (!ret)
		xhb_ev_route_removed(gs->ev, g, rt);
	return ret < 0 ? ret : 0;
}

int groups_route_add(struct xhb_groups *gs, unsigned int g,
		     const struct xhb_resource *res, __u64 now_ns)
{
	const struct xhb_announce_cfg *a = &xhb_groups_def(gs, g)->announce;
	struct xhb_group_state *s = &gs->g[g];
	bool taken = a->mode == XHB_ANNOUNCE_ROUTE && takeover(s->reason);
	struct xhb_route rt;
	int ret;

	s->route_metric = taken ? a->takeover_metric : a->metric;
	s->route_demote_ns = taken ? now_ns + a->takeover_hold_ns : 0;
	ret = route_of(gs, g, res, s->route_metric, &rt);
	ret = ret ?: add(gs, g, &rt, taken ? "takeover" : NULL);
	if (ret)
		say_failed(gs, g, res, "start", a, ret);
	return ret;
}

void groups_route_del(struct xhb_groups *gs, unsigned int g,
		      const struct xhb_resource *res)
{
	const struct xhb_announce_cfg *a = &xhb_groups_def(gs, g)->announce;
	struct xhb_route rt;
	int ret;

	if (!groups_routed(xhb_groups_def(gs, g)))
		return;
	/* both metrics: a restarted agent does not know which one it had */
	ret = route_of(gs, g, res, a->metric, &rt);
	ret = ret ?: del(gs, g, &rt);
	if (!ret && a->mode == XHB_ANNOUNCE_ROUTE) {
		rt.metric = a->takeover_metric;
		ret = del(gs, g, &rt);
	}
	if (ret)
		say_failed(gs, g, res, "stop", a, ret);
}

void groups_routes_del(struct xhb_groups *gs, unsigned int g)
{
	const struct xhb_group *grp = xhb_groups_def(gs, g);

	if (!groups_routed(grp))
		return;
	for (unsigned int r = 0; r < grp->nresources; r++)
		if (grp->resources[r].kind == XHB_RES_ADDRESS &&
		    (gs->g[g].up & XHB_RES_BIT(r)))
			groups_route_del(gs, g, &grp->resources[r]);
}

/* Group g's route for res at its metric (put back if it went); once the
 * hold is over, the usual metric first, then the takeover's gone. */
static void verify_route(struct xhb_groups *gs, unsigned int g,
			 const struct xhb_resource *res, bool demote)
{
	const struct xhb_announce_cfg *a = &xhb_groups_def(gs, g)->announce;
	struct xhb_group_state *s = &gs->g[g];
	struct xhb_route rt;
	int ret =
	    route_of(gs, g, res, demote ? a->metric : s->route_metric, &rt);

	ret = ret ?: add(gs, g, &rt, demote ? "takeover_over" : "restored");
	if (!ret && a->mode == XHB_ANNOUNCE_ROUTE && rt.metric == a->metric) {
		rt.metric = a->takeover_metric;
		ret = del(gs, g, &rt);
	}
	if (ret)
		say_failed(gs, g, res, "start", a, ret);
}

void groups_routes_verify(struct xhb_groups *gs, __u64 now_ns)
{
	for (unsigned int g = 0; g < xhb_groups_span(gs); g++) {
		const struct xhb_group *grp = xhb_groups_def(gs, g);
		struct xhb_group_state *s = &gs->g[g];
		bool demote;

		if (!groups_routed(grp) || !s->held ||
		    (s->phase != XHB_GROUP_STARTING &&
		     s->phase != XHB_GROUP_STARTED))
			continue;
		if (!s->route_metric) /* adopted from a previous agent */
			s->route_metric = grp->announce.metric;
		demote = s->route_demote_ns && now_ns >= s->route_demote_ns;
		for (unsigned int r = 0; r < grp->nresources; r++)
			if (grp->resources[r].kind == XHB_RES_ADDRESS &&
			    (s->up & XHB_RES_BIT(r)))
				verify_route(gs, g, &grp->resources[r], demote);
		if (demote) {
			s->route_metric = grp->announce.metric;
			s->route_demote_ns = 0;
		}
	}
}
