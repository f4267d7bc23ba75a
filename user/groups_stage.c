// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Staged addresses (fenced_standby on): a group's addresses stay
 * configured on a node that does not hold it, their xhb_vips entries
 * marked XHB_VIP_STAGED, so that XDP answers no ARP or ND for them and
 * takes nothing to them and tc egress sends nothing from them, whatever
 * our lease. A takeover is then a map write and a GARP (transition.c's
 * add_address()), not an address add that waits on RTNL; a release marks
 * the entry staged again and leaves the address.
 *
 * The order keeps the rule "never an unfenced VIP that is not held": the
 * entry is staged before its address is added, and stays until its
 * address is gone. A staged address is never adopted as held at a
 * restart (xhb_groups_adopt() reads the entry) and is removed when the
 * agent stops (xhb_groups_unstage_all()), when a reload turns the option
 * off or changes the group. Routing mode's groups are never staged: their
 * address is on lo, their route is what moves.
 */
#include <errno.h>
#include <string.h>

#include "events.h"
#include "groups_int.h"
#include "ifaces.h"

bool groups_stages(const struct xhb_groups *gs, unsigned int g)
{
	return gs->cfg->fenced_standby && g < gs->cfg->ngroups &&
	       !gs->g[g].def && !groups_routed(&gs->cfg->groups[g]);
}

bool groups_stage_up(struct xhb_groups *gs, unsigned int g, unsigned int r)
{
	const struct xhb_resource *res = &xhb_groups_def(gs, g)->resources[r];
	struct xhb_addr_info info;
	struct xhb_vip vip;

	if (!groups_stages(gs, g) || groups_resolve_vip(gs, g, res, &vip))
		return false;
	/* At start a group left half done is undone: its address may be
	 * gone (removed: harmless), and a staged one must be there. */
	if (gs->adopting &&
	    (xhb_nl__addr_find(gs->nl, vip.ifindex, &vip.addr, &info) != 1 ||
	     info.proto != XHB_IFA_PROTO))
		return false;
	if (xhb_ifaces_fence(gs->ifaces, res->family, &res->addr, g,
			     XHB_FENCE_STAGED))
		return false;
	gs->g[g].staged |= XHB_RES_BIT(r);
	xhb_ev_vip_removed(gs->ev, g, &vip);
	xhb_ev_vip_staged(gs->ev, g, &vip, true);
	return true;
}

/* Address resource r of idle group g staged: its entry first, then the
 * address. Said once when it cannot be. */
static void stage(struct xhb_groups *gs, unsigned int g, unsigned int r)
{
	const struct xhb_resource *res = &gs->cfg->groups[g].resources[r];
	struct xhb_group_state *s = &gs->g[g];
	struct xhb_vip vip;
	int ret = groups_resolve_vip(gs, g, res, &vip);

	if (!ret)
		ret = xhb_ifaces_fence(gs->ifaces, res->family, &res->addr, g,
				       XHB_FENCE_STAGED);
	if (!ret) {
		ret = xhb_nl__vip_add(gs->nl, &vip); /* there already: 0 */
		if (ret)
			xhb_ifaces_fence(gs->ifaces, res->family, &res->addr, g,
					 XHB_FENCE_NONE);
	}
	if (!ret) {
		s->staged |= XHB_RES_BIT(r);
		s->stage_failed &= ~XHB_RES_BIT(r);
		xhb_ev_vip_staged(gs->ev, g, &vip, true);
		return;
	}
	if (s->stage_failed & XHB_RES_BIT(r))
		return;
	s->stage_failed |= XHB_RES_BIT(r);
	xhb_ev_resource_failed(gs->ev, g, res->spec, "stage", NULL, "netlink",
			       ret == -ENOENT ? 0 : ret,
			       "not staged: a takeover adds it");
}

void xhb_groups_stage(struct xhb_groups *gs)
{
	for (unsigned int g = 0; g < gs->cfg->ngroups; g++) {
		const struct xhb_group *grp = &gs->cfg->groups[g];
		const struct xhb_group_state *s = &gs->g[g];

		if (s->staged && !s->def && !groups_stages(gs, g))
			groups_unstage(gs, g); /* turned off (adopted so) */
		if (s->held || s->phase != XHB_GROUP_IDLE || !groups_stages(gs, g))
			continue;
		for (unsigned int r = 0; r < grp->nresources; r++)
			if (grp->resources[r].kind == XHB_RES_ADDRESS &&
			    !(s->staged & XHB_RES_BIT(r)))
				stage(gs, g, r);
	}
}

/* A batch of staged addresses to remove (unstage()). */
struct unstage_batch {
	struct xhb_vip vips[XHB_NL_BATCH];
	int res[XHB_NL_BATCH];
	unsigned int g[XHB_NL_BATCH], r[XHB_NL_BATCH];
	unsigned int n;
};

/* The batch's addresses removed in one datagram; each entry goes once
 * its address is gone (one still up stays fenced, said). */
static void unstage_flush(struct xhb_groups *gs, struct unstage_batch *b)
{
	(void)xhb_nl__vip_del_many(gs->nl, b->vips, b->n, b->res);
	for (unsigned int i = 0; i < b->n; i++) {
		const struct xhb_resource *res =
		    &xhb_groups_def(gs, b->g[i])->resources[b->r[i]];

		if (b->res[i]) {
			xhb_ev_resource_failed(gs->ev, b->g[i], res->spec,
					       "unstage", NULL, "netlink",
					       b->res[i], NULL);
			continue;
		}
		xhb_ifaces_fence(gs->ifaces, res->family, &res->addr, b->g[i],
				 XHB_FENCE_NONE);
		xhb_ev_vip_staged(gs->ev, b->g[i], &b->vips[i], false);
	}
	b->n = 0;
}

/* The staged addresses of the groups in which (NULL: all) removed. */
static void unstage(struct xhb_groups *gs, const struct xhb_gset *which)
{
	static struct unstage_batch b;

	b.n = 0;
	for (unsigned int g = 0; g < xhb_groups_span(gs); g++) {
		const struct xhb_group *grp = xhb_groups_def(gs, g);
		struct xhb_group_state *s = &gs->g[g];

		if (!s->staged || (which && !xhb_gset_has(which, g)))
			continue;
		for (unsigned int r = 0; r < grp->nresources; r++) {
			const struct xhb_resource *res = &grp->resources[r];

			if (!(s->staged & XHB_RES_BIT(r)))
				continue;
			s->staged &= ~XHB_RES_BIT(r);
			if (groups_resolve_vip(gs, g, res, &b.vips[b.n])) {
				/* no interface for it: no address either */
				xhb_ifaces_fence(gs->ifaces, res->family, &res->addr,
						 g, XHB_FENCE_NONE);
				continue;
			}
			b.g[b.n] = g;
			b.r[b.n] = r;
			if (++b.n == XHB_NL_BATCH)
				unstage_flush(gs, &b);
		}
	}
	unstage_flush(gs, &b);
}

void xhb_groups_unstage_all(struct xhb_groups *gs)
{
	unstage(gs, NULL);
}

void groups_unstage(struct xhb_groups *gs, unsigned int g)
{
	struct xhb_gset one = {{0}};

	xhb_gset_add(&one, g);
	unstage(gs, &one);
}
