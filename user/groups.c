// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Resource groups and their transitions: see groups.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "clock.h"
#include "events.h"
#include "groups.h"
#include "ifaces.h"
#include "progress.h"
#include "resource.h"
#include "resource_agent.h"

#define SCRIPT_LEASE_NS                                                        \
	((XHB_GROUPS_SCRIPT_TIMEOUT_MS + XHB_RESOURCE_KILL_GRACE_MS + 1000ULL) * \
	 XHB_NS_PER_MS)

bool xhb_groups_lapsed(const struct xhb_groups *gs, __u64 now_ns)
{
	return gs->held && now_ns > gs->lease_renewed_ns + gs->lease_ns;
}

bool xhb_groups_has_scripts(const struct xhb_groups *gs, unsigned int g)
{
	const struct xhb_group *grp = &gs->cfg->groups[g];

	for (unsigned int r = 0; r < grp->nresources; r++)
		if (grp->resources[r].kind == XHB_RES_SCRIPT)
			return true;
	return false;
}

void xhb_group_spec(const struct xhb_group *g, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int r = 0; r < g->nresources && off < len; r++)
		off += snprintf(buf + off, len - off, "%s%s", r ? " " : "",
				g->resources[r].spec);
}

static void group_event(struct xhb_groups *gs, bool acquire, unsigned int g,
			enum xhb_reason reason, __u64 duration_ns)
{
	char spec[1024];

	xhb_group_spec(&gs->cfg->groups[g], spec, sizeof(spec));
	xhb_ev_group(gs->ev, acquire, g, spec, reason, duration_ns);
	xhb_tally_group_event(&gs->g[g].tally, acquire, reason, duration_ns);
}

/* The xhb_vip for an address resource: 0, or -ENOENT/-ENODEV when no
 * interface can carry it. */
static int resolve_vip(struct xhb_groups *gs, const struct xhb_resource *r,
		       struct xhb_vip *vip)
{
	unsigned int prefix = r->prefix_len;
	int ifindex;

	memset(vip, 0, sizeof(*vip));
	vip->addr.family = r->family;
	if (r->family == AF_INET)
		vip->addr.v4 = r->addr.v4;
	else
		vip->addr.v6 = r->addr.v6;
	if (r->iface[0])
		ifindex = xhb_nl__ifindex(gs->nl, r->iface);
	else
		ifindex = xhb_nl__ifindex_for_addr(gs->nl, &vip->addr,
						   prefix ? NULL : &prefix);
	if (ifindex < 0)
		return ifindex;
	if (!prefix)
		prefix = r->family == AF_INET ? 32 : 128;
	vip->ifindex = ifindex;
	vip->prefixlen = prefix;
	vip->label = r->label[0] ? r->label : NULL;
	if (r->family == AF_INET)
		vip->broadcast = r->broadcast.s_addr
					 ? r->broadcast
					 : xhb_ipv4_broadcast(r->addr.v4, prefix);
	return 0;
}

/* Every address of group g is up on this node with our tag. */
static bool addresses_present(struct xhb_groups *gs, unsigned int g)
{
	const struct xhb_group *grp = &gs->cfg->groups[g];
	unsigned int addresses = 0;

	for (unsigned int r = 0; r < grp->nresources; r++) {
		const struct xhb_resource *res = &grp->resources[r];
		struct xhb_addr_info info;
		struct xhb_vip vip;

		if (res->kind != XHB_RES_ADDRESS)
			continue;
		addresses++;
		if (resolve_vip(gs, res, &vip) ||
		    xhb_nl__addr_find(gs->nl, vip.ifindex, &vip.addr, &info) != 1 ||
		    info.proto != XHB_IFA_PROTO)
			return false;
	}
	return addresses > 0;
}

static int run_script(struct xhb_groups *gs, unsigned int g,
		      const struct xhb_resource *res, bool start)
{
	const char *action = start ? "start" : "stop";
	struct xhb_resource_result *out = calloc(1, sizeof(*out));
	struct xhb_ra_cmd *cmd = calloc(1, sizeof(*cmd));
	int ret;

	if (!out || !cmd) {
		free(out);
		free(cmd);
		return -ENOMEM;
	}
	if (gs->cfg->lease_ns < SCRIPT_LEASE_NS && gs->renew && !gs->letting_go)
		gs->renew(gs->renew_ctx, SCRIPT_LEASE_NS);
	ret = xhb_ra_command(gs->cfg, res, start ? XHB_RA_START : XHB_RA_STOP,
			     cmd);
	if (!ret)
		ret = xhb_resource_run(cmd->path, cmd->args, cmd->action,
				       cmd->env, XHB_GROUPS_SCRIPT_TIMEOUT_MS,
				       out);
	if (ret)
		xhb_ev_resource_failed(gs->ev, g, res->spec, action, NULL,
				       "cannot_run", ret, NULL);
	else if (xhb_resource_ok(out))
		xhb_ev_resource_done(gs->ev, g, res->spec, start, out);
	else
		xhb_ev_resource_failed(gs->ev, g, res->spec, action, out, NULL,
				       0, NULL);
	if (!ret && !xhb_resource_ok(out))
		ret = -EIO;
	free(out);
	free(cmd);
	return ret;
}

static void fence(struct xhb_groups *gs, const struct xhb_resource *res,
		  unsigned int g, bool on, int *ret)
{
	int r = xhb_ifaces_fence(gs->ifaces, res->family, &res->addr, g, on);

	if (ret)
		*ret = r;
}

#define RELEASE_ADDRESSES (1U << 0)
#define RELEASE_SCRIPTS (1U << 1)

/* Undo resources [0, upto) of group g, right to left, of the kinds in
 * `what`. */
static void release_resources(struct xhb_groups *gs, unsigned int g,
			      unsigned int upto, unsigned int what)
{
	const struct xhb_group *grp = &gs->cfg->groups[g];

	while (upto-- > 0) {
		const struct xhb_resource *res = &grp->resources[upto];
		struct xhb_vip vip;
		int ret;

		if (!(what & (res->kind == XHB_RES_SCRIPT ? RELEASE_SCRIPTS
							  : RELEASE_ADDRESSES)))
			continue;
		if (res->kind == XHB_RES_SCRIPT) {
			/* a failed stop was said in its event; the release
			 * goes on (see the safety issue for stop_failed) */
			(void)run_script(gs, g, res, false);
			continue;
		}
		ret = resolve_vip(gs, res, &vip);
		if (!ret)
			ret = xhb_nl__vip_del(gs->nl, &vip);
		if (ret) {
			xhb_ev_resource_failed(gs->ev, g, res->spec, "stop", NULL,
					       "netlink", ret, NULL);
			continue;
		}
		/* Gone from the interface: nothing left to fence. */
		fence(gs, res, g, false, NULL);
		xhb_ev_vip_removed(gs->ev, g, &vip);
	}
}

static void schedule_announce(struct xhb_groups *gs, unsigned int g, __u64 now_ns)
{
	gs->g[g].announce_left = gs->cfg->garp_count;
	gs->g[g].announce_next_ns = now_ns;
}

static void announce_group(struct xhb_groups *gs, unsigned int g)
{
	const struct xhb_group *grp = &gs->cfg->groups[g];
	unsigned int packet = gs->cfg->garp_count - gs->g[g].announce_left + 1;

	for (unsigned int r = 0; r < grp->nresources; r++) {
		const struct xhb_resource *res = &grp->resources[r];
		struct xhb_vip vip;
		int ret;

		if (res->kind != XHB_RES_ADDRESS || resolve_vip(gs, res, &vip))
			continue;
		ret = res->family == AF_INET
			      ? xhb_announce__garp(gs->ann, vip.ifindex, vip.addr.v4,
						   XHB_GARP_REQUEST)
			      : xhb_announce__na(gs->ann, vip.ifindex, &vip.addr.v6);
		xhb_ev_garp_sent(gs->ev, g, &vip, packet, ret);
	}
}

void xhb_groups_announce(struct xhb_groups *gs, __u64 now_ns)
{
	/* Never point the segment at a node whose XDP fences the VIP. */
	if (xhb_groups_lapsed(gs, xhb_now_ns()))
		return;
	for (unsigned int g = 0; g < gs->cfg->ngroups; g++) {
		struct xhb_group_state *s = &gs->g[g];

		if (!s->held || !s->announce_left || now_ns < s->announce_next_ns)
			continue;
		announce_group(gs, g);
		s->announce_left--;
		s->announce_next_ns = now_ns + gs->cfg->garp_interval_ns;
	}
}

__u64 xhb_groups_next_announce(const struct xhb_groups *gs)
{
	__u64 next = UINT64_MAX;

	for (unsigned int g = 0; g < gs->cfg->ngroups; g++)
		if (gs->g[g].held && gs->g[g].announce_left &&
		    gs->g[g].announce_next_ns < next)
			next = gs->g[g].announce_next_ns;
	return next;
}

/* Recorded before the transition acts: a restart knows where it stood. */
static void record(struct xhb_groups *gs, unsigned int g, enum xhb_progress state)
{
	int ret = xhb_progress_set(&gs->progress, g, state);

	/* the transition goes on: the record only guides a restart */
	if (ret && !gs->progress_failed) {
		gs->progress_failed = true;
		fprintf(stderr, "xhbd: cannot record group %u %s in %s: %s\n", g,
			xhb_progress_name(state), gs->progress.path, strerror(-ret));
	}
}

static void set_held(struct xhb_groups *gs, unsigned int g, bool held,
		     __u64 now_ns)
{
	gs->g[g].held = held;
	gs->g[g].changed_ns = now_ns;
	if (held) {
		gs->held |= 1U << g;
	} else {
		gs->held &= ~(1U << g);
		gs->g[g].announce_left = 0;
	}
}

int xhb_groups_acquire(struct xhb_groups *gs, unsigned int g,
		       enum xhb_reason reason, __u64 now_ns)
{
	const struct xhb_group *grp = &gs->cfg->groups[g];
	unsigned int r;
	int ret = 0;

	/* Held from the first step: the loop has told XDP and the peers. */
	record(gs, g, XHB_PROGRESS_ACQUIRING);
	set_held(gs, g, true, now_ns);
	for (r = 0; r < grp->nresources; r++) {
		const struct xhb_resource *res = &grp->resources[r];
		struct xhb_vip vip;

		if (res->kind == XHB_RES_SCRIPT) {
			ret = run_script(gs, g, res, true);
			if (ret)
				break;
			continue;
		}
		/* Fenced before it is up: never an unleased VIP. */
		ret = resolve_vip(gs, res, &vip);
		if (!ret)
			fence(gs, res, g, true, &ret);
		if (!ret)
			ret = xhb_nl__vip_add(gs->nl, &vip);
		if (ret) {
			xhb_ev_resource_failed(
			    gs->ev, g, res->spec, "start", NULL, "netlink",
			    ret == -ENOENT ? 0 : ret,
			    "no interface holds a subnet for this address");
			break;
		}
		xhb_ev_vip_added(gs->ev, g, &vip, NULL);
		/* Tell the segment now, not after the group's slow scripts. */
		schedule_announce(gs, g, now_ns);
		xhb_groups_announce(gs, xhb_now_ns());
	}
	if (ret) {
		/* Half a group serves nobody: undo, and let another node try. */
		release_resources(gs, g, r, RELEASE_ADDRESSES | RELEASE_SCRIPTS);
		set_held(gs, g, false, now_ns);
		record(gs, g, XHB_PROGRESS_NONE);
		gs->refused |= 1U << g;
		group_event(gs, false, g, XHB_REASON_RESOURCE_FAILED,
			    xhb_now_ns() - now_ns);
		return ret;
	}
	gs->wanted &= ~(1U << g);
	record(gs, g, XHB_PROGRESS_HELD);
	group_event(gs, true, g, reason, xhb_now_ns() - now_ns);
	return 0;
}

void xhb_groups_release(struct xhb_groups *gs, unsigned int g,
			enum xhb_reason reason, __u64 now_ns)
{
	record(gs, g, XHB_PROGRESS_RELEASING);
	release_resources(gs, g, gs->cfg->groups[g].nresources,
			  RELEASE_ADDRESSES | RELEASE_SCRIPTS);
	set_held(gs, g, false, now_ns);
	record(gs, g, XHB_PROGRESS_NONE);
	group_event(gs, false, g, reason, xhb_now_ns() - now_ns);
}

void xhb_groups_let_go(struct xhb_groups *gs, __u64 now_ns)
{
	gs->letting_go = true;
	for (unsigned int g = 0; g < gs->cfg->ngroups; g++) {
		if (!gs->g[g].held)
			continue;
		record(gs, g, XHB_PROGRESS_RELEASING);
		release_resources(gs, g, gs->cfg->groups[g].nresources,
				  RELEASE_ADDRESSES);
	}
	for (unsigned int g = 0; g < gs->cfg->ngroups; g++) {
		if (!gs->g[g].held)
			continue;
		release_resources(gs, g, gs->cfg->groups[g].nresources,
				  RELEASE_SCRIPTS);
		set_held(gs, g, false, now_ns);
		record(gs, g, XHB_PROGRESS_NONE);
		group_event(gs, false, g, XHB_REASON_LEASE_EXPIRED,
			    xhb_now_ns() - now_ns);
	}
	gs->letting_go = false;
}

void xhb_groups_release_all(struct xhb_groups *gs, enum xhb_reason reason,
			    __u64 now_ns)
{
	for (unsigned int g = 0; g < gs->cfg->ngroups; g++)
		if (gs->g[g].held)
			xhb_groups_release(gs, g, reason, now_ns);
}

void xhb_groups_keep(struct xhb_groups *gs, unsigned int g,
		     const struct xhb_decision *d, __u64 now_ns)
{
	/* decide says "announce" every loop until the other holder lets go:
	 * once per episode is enough */
	if (!d->announce || gs->g[g].announce_left)
		return;
	schedule_announce(gs, g, now_ns);
	if (d->reason == XHB_REASON_PARTITION_RESOLVED)
		group_event(gs, true, g, XHB_REASON_PARTITION_RESOLVED, 0);
}

void xhb_groups_adopt(struct xhb_groups *gs, const struct xhb_self *old,
		      __u64 now_ns)
{
	__u64 lease_expiry_ns = 0;

	if (old && old->groups_held)
		lease_expiry_ns = old->agent_update_ns +
				  (__u64)old->lease_ms * XHB_NS_PER_MS;
	(void)xhb_progress_load(&gs->progress, gs->cfg->state_dir);
	for (unsigned int g = 0; g < gs->cfg->ngroups; g++) {
		const struct xhb_group *grp = &gs->cfg->groups[g];
		enum xhb_progress was = gs->progress.g[g];
		bool up = addresses_present(gs, g);

		if (gs->progress.known && !(was == XHB_PROGRESS_HELD && up) &&
		    !(was == XHB_PROGRESS_NONE && !up)) {
			/* Half acquired or released, held without its
			 * addresses, or an address up that nothing holds:
			 * undo it all, as Heartbeat's scripts stop what is
			 * not running. */
			set_held(gs, g, true, now_ns);
			xhb_groups_release(gs, g, XHB_REASON_INTERRUPTED, now_ns);
			continue;
		}
		if (!up)
			continue;
		set_held(gs, g, true, now_ns);
		for (unsigned int r = 0; r < grp->nresources; r++)
			if (grp->resources[r].kind == XHB_RES_ADDRESS)
				fence(gs, &grp->resources[r], g, true, NULL);
		if (now_ns <= lease_expiry_ns)
			group_event(gs, true, g, XHB_REASON_ADOPTED, 0);
	}
	if (!gs->held)
		return;
	if (now_ns > lease_expiry_ns) {
		gs->lease_renewed_ns = lease_expiry_ns;
		gs->lease_ns = 0;
		xhb_ev_lease_expired(gs->ev, 0, now_ns - lease_expiry_ns);
		xhb_groups_let_go(gs, now_ns);
		return;
	}
	/* The lease we inherit runs until the first loop renews it. */
	gs->lease_renewed_ns = old->agent_update_ns;
	gs->lease_ns = (__u64)old->lease_ms * XHB_NS_PER_MS;
}

static bool same_group(const struct xhb_group *x, const struct xhb_group *y)
{
	char sx[1024], sy[1024];

	xhb_group_spec(x, sx, sizeof(sx));
	xhb_group_spec(y, sy, sizeof(sy));
	return !strcmp(x->node, y->node) && !strcmp(sx, sy);
}

void xhb_groups_reconfigure(struct xhb_groups *gs, const struct xhb_config *next,
			    __u64 now_ns)
{
	for (unsigned int g = 0; g < gs->cfg->ngroups; g++)
		if (gs->g[g].held &&
		    (g >= next->ngroups ||
		     !same_group(&gs->cfg->groups[g], &next->groups[g])))
			xhb_groups_release(gs, g, XHB_REASON_RELOAD, now_ns);
	gs->cfg = next;
	gs->held &= next->ngroups < 32 ? (1U << next->ngroups) - 1 : ~0U;
}

/* An address of a group we hold that is absent now: say so, put it back
 * and announce it. (A notice of its removal may be older than our own
 * re-add, a release and a re-acquire in one loop: lost is what is absent
 * now.) */
static void restore_if_gone(struct xhb_groups *gs, unsigned int g,
			    const struct xhb_resource *res)
{
	struct xhb_vip vip;

	if (resolve_vip(gs, res, &vip) ||
	    xhb_nl__addr_find(gs->nl, vip.ifindex, &vip.addr, NULL) == 1)
		return;
	xhb_ev_vip_lost(gs->ev, g, &vip);
	if (!xhb_nl__vip_add(gs->nl, &vip)) {
		xhb_ev_vip_added(gs->ev, g, &vip, "restored");
		schedule_announce(gs, g, xhb_now_ns());
	}
}

/* Each address resource of the groups we hold that addr matches (NULL:
 * every one). */
static void check_held(struct xhb_groups *gs, const struct xhb_ipaddr *addr)
{
	for (unsigned int g = 0; g < gs->cfg->ngroups; g++) {
		const struct xhb_group *grp = &gs->cfg->groups[g];

		if (!gs->g[g].held)
			continue;
		for (unsigned int r = 0; r < grp->nresources; r++) {
			const struct xhb_resource *res = &grp->resources[r];

			if (res->kind != XHB_RES_ADDRESS ||
			    (addr && (res->family != addr->family ||
				      memcmp(&res->addr, &addr->v6,
					     res->family == AF_INET ? 4 : 16))))
				continue;
			restore_if_gone(gs, g, res);
		}
	}
}

void xhb_groups_addr_removed(struct xhb_groups *gs, const struct xhb_ipaddr *addr)
{
	check_held(gs, addr);
}

void xhb_groups_verify(struct xhb_groups *gs)
{
	check_held(gs, NULL);
}
