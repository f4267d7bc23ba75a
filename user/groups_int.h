/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * groups_int: what groups.c (the groups' bookkeeping: adoption, reloads,
 * announcements, addresses lost) and transition.c (acquire and release,
 * the state machine the loop drives) share. Not for other modules:
 * groups.h is their side.
 */
#ifndef XHB_GROUPS_INT_H
#define XHB_GROUPS_INT_H

#include "groups.h"
#include "route.h"

#define XHB_RES_BIT(r) (1U << (r))

/* The xhb_vip for an address resource: 0, or -ENOENT/-ENODEV when no
 * interface can carry it. */
int groups_resolve_vip(struct xhb_groups *gs, unsigned int g,
		       const struct xhb_resource *r, struct xhb_vip *vip);
/* Recorded before the transition acts: a restart knows where it stood. */
void groups_record(struct xhb_groups *gs, unsigned int g, enum xhb_progress state);
/* Claimed on the wire or not (gs->held, the group's held). */
void groups_set_held(struct xhb_groups *gs, unsigned int g, bool held,
		     __u64 now_ns);
/* group_acquire / group_release, counted for the metrics. */
void groups_event(struct xhb_groups *gs, bool acquire, unsigned int g,
		  enum xhb_reason reason, __u64 duration_ns);
/* Group g's first announcement now, as xhb_groups_announce() would send
 * it, if room (announcements left in the burst) allows: how many were
 * sent (0: it waits for xhb_groups_announce()). */
unsigned int groups_announce_first(struct xhb_groups *gs, unsigned int g,
				   unsigned int room, __u64 now_ns);
void groups_schedule_announce(struct xhb_groups *gs, unsigned int g,
			      __u64 now_ns);
/* Address resource res of group g off its interface, then no longer
 * fenced; vip_removed, or resource_failed (netlink). */
void groups_remove_address(struct xhb_groups *gs, unsigned int g,
			   const struct xhb_resource *res);
/* A previous agent left group g stop_failed (its record): blocked again,
 * every script possibly up, any address of it removed. */
void groups_adopt_blocked(struct xhb_groups *gs, unsigned int g, __u64 now_ns);
/* The reload is done with group g's old definition (it is idle). */
void groups_forget_def(struct xhb_groups *gs, unsigned int g);

/* ---- staged addresses (groups_stage.c, fenced_standby) ---- */
/* Group g's addresses are staged while another node holds it. */
bool groups_stages(const struct xhb_groups *gs, unsigned int g);
/* Address resource r of group g, up until now, staged instead of removed:
 * its entry XHB_VIP_STAGED (fenced at once), the address left; said as
 * vip_removed and vip_staged. False when it must be removed. */
bool groups_stage_up(struct xhb_groups *gs, unsigned int g, unsigned int r);
/* Group g's staged addresses removed (a reload changed it). */
void groups_unstage(struct xhb_groups *gs, unsigned int g);

/* ---- routing mode (groups_route.c) ---- */
/* The group's addresses go on lo with host routes (announce route|anycast). */
bool groups_routed(const struct xhb_group *grp);
/* Two announce lines say the same (a reload changes nothing of it). */
bool xhb_announce_same(const struct xhb_announce_cfg *a,
		       const struct xhb_announce_cfg *b);
/* The host route of address resource res of group g, the address being
 * up: its metric chosen by the transition's reason (a takeover's is
 * lower); 0 or a negative errno (said). */
int groups_route_add(struct xhb_groups *gs, unsigned int g,
		     const struct xhb_resource *res, __u64 now_ns);
/* The host route of address resource res withdrawn (every metric of it);
 * said when it fails. */
void groups_route_del(struct xhb_groups *gs, unsigned int g,
		      const struct xhb_resource *res);
/* Every host route of group g withdrawn: a release's first step. */
void groups_routes_del(struct xhb_groups *gs, unsigned int g);
/* Each routed group we serve: its routes put back if gone, a takeover's
 * metric back to the usual one once takeover_hold has passed. */
void groups_routes_verify(struct xhb_groups *gs, __u64 now_ns);

#endif /* XHB_GROUPS_INT_H */
