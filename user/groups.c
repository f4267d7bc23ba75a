// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Resource groups: their bookkeeping, adoption, reloads, announcements
 * and lost addresses; the transitions are transition.c's. See groups.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "clock.h"
#include "events.h"
#include "groups_int.h"
#include "ifaces.h"
#include "progress.h"
#include "rtnl.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

bool xhb_groups_lapsed(const struct xhb_groups *gs, __u64 now_ns)
{
	return !xhb_gset_empty(&gs->held) &&
	       now_ns > gs->lease_renewed_ns + gs->lease_ns;
}

void xhb_group_spec(const struct xhb_group *g, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int r = 0; r < g->nresources && off < len; r++)
		off += snprintf(buf + off, len - off, "%s%s", r ? " " : "",
				g->resources[r].spec);
}

void groups_event(struct xhb_groups *gs, bool acquire, unsigned int g,
		  enum xhb_reason reason, __u64 duration_ns)
{
	char spec[1024];

	xhb_group_spec(xhb_groups_def(gs, g), spec, sizeof(spec));
	xhb_ev_group(gs->ev, acquire, g, spec, reason, duration_ns);
	xhb_tally_group_event(&gs->g[g].tally, acquire, reason, duration_ns);
}

/* The interface's index: from the cache while a batch or a round of
 * announcements runs (an interface renumbered meanwhile fails the add,
 * said, as any). */
static int iface_index(struct xhb_groups *gs, const char *name)
{
	int ifindex;

	for (unsigned int i = 0; gs->names_cached && i < gs->nifcache; i++)
		if (!strcmp(gs->ifcache[i].name, name))
			return gs->ifcache[i].ifindex;
	ifindex = xhb_nl__ifindex(gs->nl, name);
	if (gs->names_cached && ifindex > 0 && gs->nifcache < 8) {
		snprintf(gs->ifcache[gs->nifcache].name, IFNAMSIZ, "%s", name);
		gs->ifcache[gs->nifcache++].ifindex = ifindex;
	}
	return ifindex;
}

int groups_resolve_vip(struct xhb_groups *gs, unsigned int g,
		       const struct xhb_resource *r, struct xhb_vip *vip)
{
	unsigned int prefix = r->prefix_len;
	int ifindex;

	memset(vip, 0, sizeof(*vip));
	vip->addr.family = r->family;
	if (r->family == AF_INET)
		vip->addr.v4 = r->addr.v4;
	else
		vip->addr.v6 = r->addr.v6;
	if (groups_routed(xhb_groups_def(gs, g))) {
		/* routing mode: a host address on lo, no label or broadcast
		 * of the line's interface, its route announced */
		ifindex = xhb_nl__ifindex(gs->nl, "lo");
		vip->ifindex = ifindex;
		vip->prefixlen = r->family == AF_INET ? 32 : 128;
		return ifindex < 0 ? ifindex : 0;
	}
	if (r->iface[0])
		ifindex = iface_index(gs, r->iface);
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
	/* held or staged alike: a release stages it without netlink */
	vip->deprecated = gs->cfg->fenced_standby && r->family == AF_INET6;
	if (r->family == AF_INET)
		vip->broadcast = r->broadcast.s_addr
					 ? r->broadcast
					 : xhb_ipv4_broadcast(r->addr.v4, prefix);
	return 0;
}

enum addr_state { ADDR_ABSENT, ADDR_UP, ADDR_STAGED };

/* Address resource res is up on this node with our tag, and staged or
 * not (its entry says so: a previous agent staged it, groups_stage.c). */
static enum addr_state address_state(struct xhb_groups *gs, unsigned int g,
				     const struct xhb_resource *res)
{
	struct xhb_addr_info info;
	struct xhb_vip vip;

	if (groups_resolve_vip(gs, g, res, &vip) ||
	    xhb_nl__addr_find(gs->nl, vip.ifindex, &vip.addr, &info) != 1 ||
	    info.proto != XHB_IFA_PROTO)
		return ADDR_ABSENT;
	return xhb_ifaces_staged(gs->ifaces, res->family, &res->addr) ? ADDR_STAGED
									: ADDR_UP;
}

/* Every address of group g is up on this node with our tag, not staged
 * (any: one). The staged ones are noted in the group's staged. */
static bool addresses_present(struct xhb_groups *gs, unsigned int g, bool any)
{
	const struct xhb_group *grp = xhb_groups_def(gs, g);
	unsigned int addresses = 0, present = 0;

	for (unsigned int r = 0; r < grp->nresources; r++) {
		enum addr_state st;

		if (grp->resources[r].kind != XHB_RES_ADDRESS)
			continue;
		addresses++;
		st = address_state(gs, g, &grp->resources[r]);
		present += st == ADDR_UP;
		if (st == ADDR_STAGED)
			gs->g[g].staged |= XHB_RES_BIT(r);
	}
	return any ? present > 0 : addresses > 0 && present == addresses;
}

/* Its addresses are up and ours to announce and keep: claimed, and
 * starting or started (a stopping group's go soon). */
static bool serving(const struct xhb_group_state *s)
{
	return s->held &&
	       (s->phase == XHB_GROUP_STARTING || s->phase == XHB_GROUP_STARTED);
}

void groups_schedule_announce(struct xhb_groups *gs, unsigned int g,
			      __u64 now_ns)
{
	gs->announcing += !gs->g[g].announce_left;
	gs->g[g].announce_left = gs->cfg->garp_count;
	gs->announcing -= !gs->g[g].announce_left; /* garp 0 */
	gs->g[g].announce_next_ns = now_ns;
}

/* Its addresses' announcements: how many were sent. */
static unsigned int announce_group(struct xhb_groups *gs, unsigned int g)
{
	const struct xhb_group *grp = xhb_groups_def(gs, g);
	unsigned int packet = gs->cfg->garp_count - gs->g[g].announce_left + 1;
	unsigned int sent = 0;

	if (groups_routed(grp)) /* on lo: its route is its announcement */
		return 0;

	for (unsigned int r = 0; r < grp->nresources; r++) {
		const struct xhb_resource *res = &grp->resources[r];
		struct xhb_vip vip;
		int ret;

		if (res->kind != XHB_RES_ADDRESS || !(gs->g[g].up & XHB_RES_BIT(r)) ||
		    groups_resolve_vip(gs, g, res, &vip))
			continue;
		ret = res->family == AF_INET
			      ? xhb_announce__garp(gs->ann, vip.ifindex, vip.addr.v4,
						   XHB_GARP_REQUEST)
			      : xhb_announce__na(gs->ann, vip.ifindex, &vip.addr.v6);
		xhb_ev_garp_sent(gs->ev, g, &vip, packet, ret);
		sent++;
	}
	return sent;
}

/* A batch's held events, written (see events_held). */
static void let_events_go(struct xhb_groups *gs)
{
	if (!gs->events_held)
		return;
	gs->events_held = false;
	(void)xhb_events__hold(gs->ev, false);
}

/* Group g's due announcement, sent and counted. */
static unsigned int announce_due(struct xhb_groups *gs, unsigned int g,
				 __u64 now_ns)
{
	struct xhb_group_state *s = &gs->g[g];
	unsigned int sent = announce_group(gs, g);

	s->announce_left--;
	gs->announcing -= !s->announce_left;
	s->announce_next_ns = now_ns + gs->cfg->garp_interval_ns;
	return sent;
}

unsigned int groups_announce_first(struct xhb_groups *gs, unsigned int g,
				   unsigned int room, __u64 now_ns)
{
	const struct xhb_group_state *s = &gs->g[g];

	if (!room || now_ns < gs->announce_resume_ns || !serving(s) ||
	    !s->announce_left || s->announce_left != gs->cfg->garp_count ||
	    xhb_groups_lapsed(gs, xhb_now_ns()))
		return 0;
	return announce_due(gs, g, now_ns);
}

void xhb_groups_announce(struct xhb_groups *gs, __u64 now_ns)
{
	bool cached = gs->names_cached;
	unsigned int sent = 0;

	/* Never point the segment at a node whose XDP fences the VIP. */
	if (xhb_groups_lapsed(gs, xhb_now_ns())) {
		let_events_go(gs);
		return;
	}
	if (!gs->announcing) {
		let_events_go(gs);
		return;
	}
	if (now_ns < gs->announce_resume_ns)
		return;
	if (!cached) {
		gs->names_cached = true;
		gs->nifcache = 0;
	}
	for (unsigned int g = 0; g < xhb_groups_span(gs); g++) {
		struct xhb_group_state *s = &gs->g[g];

		if (!serving(s) || !s->announce_left || now_ns < s->announce_next_ns)
			continue;
		if (sent >= XHB_ANNOUNCE_BURST) {
			/* the rest after a pause: they stay due */
			gs->announce_resume_ns = now_ns + XHB_ANNOUNCE_PAUSE_NS;
			gs->names_cached = cached;
			return;
		}
		sent += announce_due(gs, g, now_ns);
	}
	gs->names_cached = cached;
	let_events_go(gs); /* every due announcement is out */
}

__u64 xhb_groups_next_announce(const struct xhb_groups *gs)
{
	__u64 next = UINT64_MAX;

	if (!gs->announcing)
		return next;
	for (unsigned int g = 0; g < xhb_groups_span(gs); g++)
		if (serving(&gs->g[g]) && gs->g[g].announce_left &&
		    gs->g[g].announce_next_ns < next)
			next = gs->g[g].announce_next_ns;
	return next < gs->announce_resume_ns ? gs->announce_resume_ns : next;
}

void groups_record(struct xhb_groups *gs, unsigned int g, enum xhb_progress state)
{
	int ret = gs->batching ? xhb_progress_note(&gs->progress, g, state)
			      : xhb_progress_set(&gs->progress, g, state);

	/* the transition goes on: the record only guides a restart */
	if (ret && !gs->progress_failed) {
		gs->progress_failed = true;
		fprintf(stderr, "xhbd: cannot record group %u %s in %s: %s\n", g,
			xhb_progress_name(state), gs->progress.path, strerror(-ret));
	}
}

void groups_set_held(struct xhb_groups *gs, unsigned int g, bool held,
		     __u64 now_ns)
{
	gs->g[g].held = held;
	gs->g[g].changed_ns = now_ns;
	if (held) {
		xhb_gset_add(&gs->held, g);
	} else {
		xhb_gset_del(&gs->held, g);
		gs->announcing -= !!gs->g[g].announce_left;
		gs->g[g].announce_left = 0;
	}
}

void xhb_groups_keep(struct xhb_groups *gs, unsigned int g,
		     const struct xhb_decision *d, __u64 now_ns)
{
	/* decide says "announce" every loop until the other holder lets go:
	 * once per episode is enough */
	if (!d->announce || gs->g[g].announce_left || !serving(&gs->g[g]))
		return;
	groups_schedule_announce(gs, g, now_ns);
	if (d->reason == XHB_REASON_PARTITION_RESOLVED)
		groups_event(gs, true, g, XHB_REASON_PARTITION_RESOLVED, 0);
}

/* Every resource of group g up, as a previous agent left it. */
static __u32 all_up(const struct xhb_group *grp)
{
	return grp->nresources >= 32 ? ~0U : (1U << grp->nresources) - 1;
}

static void adopt(struct xhb_groups *gs, const struct xhb_self *old,
		  __u64 now_ns)
{
	__u64 lease_expiry_ns = 0;
	bool addresses_up = false;

	if (old && (old->groups_held || old->held_more))
		lease_expiry_ns = old->agent_update_ns +
				  (__u64)old->lease_ms * XHB_NS_PER_MS;
	(void)xhb_progress_load(&gs->progress, gs->cfg->state_dir);
	for (unsigned int g = 0; g < gs->cfg->ngroups; g++) {
		const struct xhb_group *grp = &gs->cfg->groups[g];
		struct xhb_group_state *s = &gs->g[g];
		enum xhb_progress was = gs->progress.g[g];
		bool up = addresses_present(gs, g, false);

		addresses_up |= addresses_present(gs, g, true);
		if (gs->progress.known && was == XHB_PROGRESS_STOP_FAILED) {
			/* Its service may still run: blocked as it was, its
			 * addresses gone as the policy has them. */
			for (unsigned int r = 0; r < grp->nresources; r++)
				if (grp->resources[r].kind == XHB_RES_ADDRESS &&
				    address_state(gs, g, &grp->resources[r]) == ADDR_UP)
					groups_remove_address(gs, g, &grp->resources[r]);
			groups_adopt_blocked(gs, g, now_ns);
			continue;
		}
		if (gs->progress.known && !(was == XHB_PROGRESS_HELD && up) &&
		    !(was == XHB_PROGRESS_NONE && !up)) {
			/* Half acquired or released, held without its
			 * addresses, or an address up that nothing holds:
			 * undo it all, as Heartbeat's scripts stop what is
			 * not running. Held meanwhile: its scripts may run. */
			groups_set_held(gs, g, true, now_ns);
			s->phase = XHB_GROUP_STARTED;
			s->up = all_up(grp);
			xhb_groups_release(gs, g, XHB_REASON_INTERRUPTED, now_ns);
			continue;
		}
		if (!up)
			continue;
		groups_set_held(gs, g, true, now_ns);
		s->phase = XHB_GROUP_STARTED;
		s->up = all_up(grp);
		for (unsigned int r = 0; r < grp->nresources; r++)
			if (grp->resources[r].kind == XHB_RES_ADDRESS)
				xhb_ifaces_fence(gs->ifaces, grp->resources[r].family,
						 &grp->resources[r].addr, g,
						 XHB_FENCE_HELD);
		if (now_ns <= lease_expiry_ns)
			groups_event(gs, true, g, XHB_REASON_ADOPTED, 0);
	}
	if (xhb_gset_empty(&gs->held))
		return;
	if (now_ns > lease_expiry_ns && (old || addresses_up)) {
		/* Past the lease, XDP fenced them and a peer may have taken
		 * them: let go of everything before claiming anything. */
		gs->lease_renewed_ns = lease_expiry_ns;
		gs->lease_ns = 0;
		xhb_ev_lease_expired(gs->ev, 0, now_ns - lease_expiry_ns);
		xhb_groups_let_go(gs, now_ns);
		return;
	}
	if (now_ns > lease_expiry_ns) {
		/* No previous agent and no address: only scripts to stop, or
		 * a blocked group. Our own lease starts now. */
		gs->lease_renewed_ns = now_ns;
		gs->lease_ns = gs->cfg->lease_ns;
		return;
	}
	/* The lease we inherit runs until the first loop renews it. */
	gs->lease_renewed_ns = old->agent_update_ns;
	gs->lease_ns = (__u64)old->lease_ms * XHB_NS_PER_MS;
}

void xhb_groups_adopt(struct xhb_groups *gs, const struct xhb_self *old,
		      __u64 now_ns)
{
	gs->adopting = true;
	adopt(gs, old, now_ns);
	gs->adopting = false;
	xhb_groups_stage(gs);
	if (gs->progress.known)
		return;
	/* No record yet (a first start, or an older agent's state): one now,
	 * of what we hold, so that a takeover may write its record after
	 * its addresses (xhb_groups_batch_end()): from here on, an address
	 * of ours up with no record is undone at a restart, not adopted. */
	for (unsigned int g = 0; g < gs->cfg->ngroups; g++)
		if (gs->g[g].held && gs->g[g].phase == XHB_GROUP_STARTED)
			(void)xhb_progress_note(&gs->progress, g, XHB_PROGRESS_HELD);
	gs->progress.dirty = true;
	if (xhb_progress_flush(&gs->progress) && !gs->progress_failed) {
		gs->progress_failed = true;
		fprintf(stderr, "xhbd: cannot record the groups in %s\n",
			gs->progress.path);
	}
}

static bool same_group(const struct xhb_group *x, const struct xhb_group *y)
{
	char sx[1024], sy[1024];

	xhb_group_spec(x, sx, sizeof(sx));
	xhb_group_spec(y, sy, sizeof(sy));
	return !strcmp(x->node, y->node) && !strcmp(sx, sy) &&
	       xhb_announce_same(&x->announce, &y->announce);
}

void groups_forget_def(struct xhb_groups *gs, unsigned int g)
{
	free(gs->g[g].def);
	gs->g[g].def = NULL;
}

void xhb_groups_reconfigure(struct xhb_groups *gs, const struct xhb_config *next,
			    __u64 now_ns)
{
	gs->span = xhb_groups_span(gs); /* the old one's stop under it */
	for (unsigned int g = 0; g < xhb_groups_span(gs); g++) {
		struct xhb_group_state *s = &gs->g[g];

		/* staged under the old definition: removed, staged again
		 * under the new one if it says so (xhb_groups_stage()) */
		if (s->staged && !s->def &&
		    (!next->fenced_standby || g >= next->ngroups ||
		     !same_group(&gs->cfg->groups[g], &next->groups[g])))
			groups_unstage(gs, g);
		if (s->phase == XHB_GROUP_IDLE || s->def ||
		    (g < next->ngroups &&
		     same_group(&gs->cfg->groups[g], &next->groups[g])))
			continue;
		/* What runs, runs under the definition it started with;
		 * without memory for it, the new one does (same indexes). */
		s->def = malloc(sizeof(*s->def));
		if (s->def)
			*s->def = gs->cfg->groups[g];
	}
	gs->cfg = next;
	for (unsigned int g = 0; g < xhb_groups_span(gs); g++)
		if (gs->g[g].def)
			xhb_groups_release(gs, g, XHB_REASON_RELOAD, now_ns);
	xhb_groups_stage(gs);
}

/* An address of a group we hold that is absent now: say so, put it back
 * and announce it. (A notice of its removal may be older than our own
 * re-add, a release and a re-acquire in one loop: lost is what is absent
 * now.) */
static void restore_if_gone(struct xhb_groups *gs, unsigned int g,
			    const struct xhb_resource *res)
{
	struct xhb_vip vip;

	if (groups_resolve_vip(gs, g, res, &vip) ||
	    xhb_nl__addr_find(gs->nl, vip.ifindex, &vip.addr, NULL) == 1)
		return;
	xhb_ev_vip_lost(gs->ev, g, &vip);
	if (!xhb_nl__vip_add(gs->nl, &vip)) {
		xhb_ev_vip_added(gs->ev, g, &vip, "restored");
		groups_schedule_announce(gs, g, xhb_now_ns());
	}
}

static bool same_addr(const struct xhb_resource *res,
		      const struct xhb_ipaddr *addr)
{
	return res->family == addr->family &&
	       !memcmp(&res->addr, &addr->v6, res->family == AF_INET ? 4 : 16);
}

/* Each address resource of the groups we serve that addr matches (NULL:
 * every one), among those already added. */
static void check_held(struct xhb_groups *gs, const struct xhb_ipaddr *addr)
{
	for (unsigned int g = 0; g < xhb_groups_span(gs); g++) {
		const struct xhb_group *grp = xhb_groups_def(gs, g);

		if (!serving(&gs->g[g]))
			continue;
		for (unsigned int r = 0; r < grp->nresources; r++) {
			const struct xhb_resource *res = &grp->resources[r];

			if (res->kind != XHB_RES_ADDRESS ||
			    !(gs->g[g].up & XHB_RES_BIT(r)) ||
			    (addr && !same_addr(res, addr)))
				continue;
			restore_if_gone(gs, g, res);
		}
	}
}

void xhb_groups_addr_removed(struct xhb_groups *gs, const struct xhb_ipaddr *addr)
{
	check_held(gs, addr);
	/* a staged one gone is staged again by the next check */
	for (unsigned int g = 0; g < xhb_groups_span(gs); g++) {
		const struct xhb_group *grp = xhb_groups_def(gs, g);

		for (unsigned int r = 0; gs->g[g].staged && r < grp->nresources; r++)
			if ((gs->g[g].staged & XHB_RES_BIT(r)) &&
			    same_addr(&grp->resources[r], addr) &&
			    address_state(gs, g, &grp->resources[r]) == ADDR_ABSENT)
				gs->g[g].staged &= ~XHB_RES_BIT(r);
	}
}

/* The addresses up on this node, from one dump a family, sorted: the
 * periodic check looks each VIP up in it instead of dumping once a VIP
 * (with 1024 groups, a million entries a second). */
struct up_addr {
	int ifindex;
	struct xhb_ipaddr addr;
};

struct up_list {
	struct up_addr *v;
	size_t n, cap;
	size_t start; /* where the family being dumped began */
	bool failed;
};

static int up_cb(const struct nlmsghdr *nlh, void *data)
{
	struct up_list *l = data;
	struct xhb_addr_info info;
	struct xhb_ipaddr local;

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    xhb_rtnl_addr_parse(nlh, &local, NULL, &info) < 0)
		return MNL_CB_OK;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct up_addr *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->failed = true;
			return MNL_CB_OK;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct up_addr){.ifindex = info.ifindex, .addr = local};
	return MNL_CB_OK;
}

/* A dump redone (it raced a change) starts its family again. */
static void up_restart(void *data)
{
	struct up_list *l = data;

	l->n = l->start;
}

/* By family and address, then interface; ifindex 0 in a key: any. */
static int up_cmp(const struct up_addr *a, const struct up_addr *b)
{
	int d = a->addr.family - b->addr.family;

	if (!d)
		d = memcmp(&a->addr.v6, &b->addr.v6, a->addr.family == AF_INET ? 4 : 16);
	if (!d && a->ifindex && b->ifindex)
		d = a->ifindex - b->ifindex;
	return d;
}

static int up_qsort_cmp(const void *a, const void *b)
{
	const struct up_addr *x = a, *y = b;
	int d = up_cmp(x, y);

	return d ? d : x->ifindex - y->ifindex;
}

static int up_bsearch_cmp(const void *key, const void *elem)
{
	return up_cmp(key, elem);
}

static int dump_family(struct xhb_groups *gs, int family, struct up_list *l)
{
	char buf[NL_REQ_SIZE] __attribute__((aligned(4))) = {0};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	l->start = l->n;
	return xhb_rtnl_dump(gs->nl, nlh, up_cb, l, up_restart);
}

/* Address resource res of grp is in the dump l: on its interface when
 * it names one (looked up once; routing mode: lo); else anywhere, not its
 * subnet's dump once a VIP. */
static bool listed(struct xhb_groups *gs, const struct xhb_group *grp,
		   const struct xhb_resource *res, const struct up_list *l)
{
	struct up_addr key = {.addr.family = res->family};

	memcpy(&key.addr.v6, &res->addr, res->family == AF_INET ? 4 : 16);
	if (groups_routed(grp))
		key.ifindex = iface_index(gs, "lo");
	else if (res->iface[0])
		key.ifindex = iface_index(gs, res->iface);
	return key.ifindex >= 0 &&
	       bsearch(&key, l->v, l->n, sizeof(*l->v), up_bsearch_cmp);
}

void xhb_groups_verify(struct xhb_groups *gs)
{
	struct up_list l = {0};

	if (dump_family(gs, AF_INET, &l) || dump_family(gs, AF_INET6, &l) ||
	    l.failed) {
		free(l.v);
		check_held(gs, NULL); /* one lookup a VIP, as before */
		groups_routes_verify(gs, xhb_now_ns());
		xhb_groups_stage(gs);
		return;
	}
	qsort(l.v, l.n, sizeof(*l.v), up_qsort_cmp);
	gs->names_cached = true;
	gs->nifcache = 0;
	for (unsigned int g = 0; g < xhb_groups_span(gs); g++) {
		const struct xhb_group *grp = xhb_groups_def(gs, g);
		struct xhb_group_state *s = &gs->g[g];
		__u32 check = serving(s) ? s->up : 0;

		for (unsigned int r = 0; r < grp->nresources; r++) {
			const struct xhb_resource *res = &grp->resources[r];

			if (res->kind != XHB_RES_ADDRESS ||
			    !((check | s->staged) & XHB_RES_BIT(r)) ||
			    listed(gs, grp, res, &l))
				continue;
			if (s->staged & XHB_RES_BIT(r))
				/* gone: staged again below */
				s->staged &= ~XHB_RES_BIT(r);
			else
				restore_if_gone(gs, g, res); /* looks again, precisely */
		}
	}
	gs->names_cached = false;
	free(l.v);
	groups_routes_verify(gs, xhb_now_ns());
	xhb_groups_stage(gs);
}

struct xhb_gset xhb_groups_started(const struct xhb_groups *gs)
{
	struct xhb_gset started = {{0}};

	for (unsigned int g = 0; g < xhb_groups_span(gs); g++)
		if (gs->g[g].held && gs->g[g].phase == XHB_GROUP_STARTED)
			xhb_gset_add(&started, g);
	return started;
}
