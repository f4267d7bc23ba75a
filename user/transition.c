// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Acquire and release as state machines the agent's loop drives (see
 * groups.h). A group's state says where it stands: its phase, the
 * resource it is at (next), those that are or may be up (up), and the
 * script under way (run). Addresses are handled on the spot, in the
 * order of the haresources line; a script is started and the machine
 * waits: xhb_groups_step() takes in its end and goes on from there.
 *
 *   starting:  next = the resource being started; up = [0, next], the
 *              one under way included (a failed or killed start may have
 *              started part of its service: its stop runs too).
 *   stopping:  [0, next) left to stop, right to left, only those in up.
 *              A release asked while starting kills the start under way
 *              (aborting), then stops from it leftwards.
 *   stop_failed: failed = the resource whose stop failed; the addresses
 *              to its left are removed, the scripts left alone; cleanup
 *              goes on from failed, leftwards.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "events.h"
#include "groups_int.h"
#include "ifaces.h"
#include "resource.h"
#include "resource_agent.h"

const struct xhb_group *xhb_groups_def(const struct xhb_groups *gs,
				       unsigned int g)
{
	return gs->g[g].def ? gs->g[g].def : &gs->cfg->groups[g];
}

const char *xhb_group_phase_name(enum xhb_group_phase phase)
{
	switch (phase) {
	case XHB_GROUP_STARTING:
		return "starting";
	case XHB_GROUP_STARTED:
		return "started";
	case XHB_GROUP_STOPPING:
		return "stopping";
	case XHB_GROUP_STOP_FAILED:
		return "stop_failed";
	default:
		return "idle";
	}
}

static int timeout_ms(const struct xhb_resource *res, bool start)
{
	__u64 ns = start ? res->start_timeout_ns : res->stop_timeout_ns;

	if (!ns)
		ns = XHB_RESOURCE_TIMEOUT_DEFAULT_NS;
	return (int)((ns + XHB_NS_PER_MS - 1) / XHB_NS_PER_MS);
}

/* Start res's start or stop script: 0, or a negative errno when it cannot
 * run (said in resource_failed). */
static int run_script(struct xhb_groups *gs, unsigned int g,
		      const struct xhb_resource *res, bool start)
{
	const char *action = start ? "start" : "stop";
	struct xhb_ra_cmd *cmd = calloc(1, sizeof(*cmd));
	int ret;

	/* how the resource's kind runs it (resource_agent.h): its path,
	 * arguments, action name and environment */
	ret = !cmd ? -ENOMEM
		   : xhb_ra_command(gs->cfg, res,
				    start ? XHB_RA_START : XHB_RA_STOP, cmd);
	if (!ret)
		ret = xhb_resource_start(cmd->path, cmd->args, cmd->action,
					 cmd->env, timeout_ms(res, start),
					 &gs->g[g].run);
	free(cmd);
	if (ret)
		xhb_ev_resource_failed(gs->ev, g, res->spec, action, NULL,
				       "cannot_run", ret, NULL);
	return ret;
}

/* Address resource r of group g was added (ret 0) or not: said; up and
 * announced (the first gratuitous ARP at once, or at the batch's end). */
static int address_added(struct xhb_groups *gs, unsigned int g, unsigned int r,
			 const struct xhb_vip *vip, int ret, __u64 now_ns)
{
	const struct xhb_resource *res = &xhb_groups_def(gs, g)->resources[r];

	if (ret) {
		xhb_ev_resource_failed(gs->ev, g, res->spec, "start", NULL,
				       "netlink", ret == -ENOENT ? 0 : ret,
				       "no interface holds a subnet for this address");
		return ret;
	}
	xhb_ev_vip_added(gs->ev, g, vip, NULL);
	/* Up before it is announced: only what is up is. */
	gs->g[g].up |= XHB_RES_BIT(r);
	if (groups_routed(xhb_groups_def(gs, g)))
		/* its route makes it known beyond the segment: no ARP */
		return groups_route_add(gs, g, res, now_ns);
	/* Tell the segment now, not after the group's slow scripts. */
	groups_schedule_announce(gs, g, now_ns);
	if (!gs->batching)
		xhb_groups_announce(gs, xhb_now_ns());
	return 0;
}

/* In a batch: group g's first announcement now if the burst has room
 * (xhb_groups_batch_end()); the rest after a pause. */
static void announce_first(struct xhb_groups *gs, unsigned int g)
{
	unsigned int before = gs->burst;

	gs->burst += groups_announce_first(gs, g, XHB_ANNOUNCE_BURST - gs->burst,
					   xhb_now_ns());
	if (before < XHB_ANNOUNCE_BURST && gs->burst >= XHB_ANNOUNCE_BURST)
		/* the rest after a pause, as xhb_groups_announce() */
		gs->announce_resume_ns = xhb_now_ns() + XHB_ANNOUNCE_PAUSE_NS;
}

/* Address resource r of group g up: fenced, added, announced; 0 or a
 * negative errno (said); 1 when it waits in the batch (queued). */
static int add_address(struct xhb_groups *gs, unsigned int g, unsigned int r,
		       __u64 now_ns)
{
	const struct xhb_resource *res = &xhb_groups_def(gs, g)->resources[r];
	struct xhb_vip vip;
	int ret = groups_resolve_vip(gs, g, res, &vip);

	if (gs->g[g].staged & XHB_RES_BIT(r)) {
		/* Staged: configured already, its entry's flag the fence. The
		 * takeover is this map write and the announcement, no RTNL. */
		gs->g[g].staged &= ~XHB_RES_BIT(r);
		if (!ret)
			ret = xhb_ifaces_fence(gs->ifaces, res->family, &res->addr,
					       g, XHB_FENCE_HELD);
		ret = address_added(gs, g, r, &vip, ret, now_ns);
		if (!ret && gs->batching)
			announce_first(gs, g);
		return ret;
	}
	/* Fenced before it is up: never an unleased VIP. */
	if (!ret)
		ret = xhb_ifaces_fence(gs->ifaces, res->family, &res->addr, g,
				       XHB_FENCE_HELD);
	if (!ret && gs->batching && gs->nqueued < XHB_MAX_GROUPS) {
		gs->queued[gs->nqueued++] =
		    (struct xhb_group_queued){.g = g, .r = r, .vip = vip};
		return 1;
	}
	if (!ret)
		ret = xhb_nl__vip_add(gs->nl, &vip);
	return address_added(gs, g, r, &vip, ret, now_ns);
}

/* Address res of group g was removed (ret 0) or not: said, unfenced. */
static void address_removed(struct xhb_groups *gs, unsigned int g,
			    const struct xhb_resource *res,
			    const struct xhb_vip *vip, int ret)
{
	if (ret) {
		xhb_ev_resource_failed(gs->ev, g, res->spec, "stop", NULL,
				       "netlink", ret, NULL);
		return;
	}
	/* Gone from the interface: nothing left to fence. */
	xhb_ifaces_fence(gs->ifaces, res->family, &res->addr, g, XHB_FENCE_NONE);
	xhb_ev_vip_removed(gs->ev, g, vip);
}

void groups_remove_address(struct xhb_groups *gs, unsigned int g,
			   const struct xhb_resource *res)
{
	struct xhb_vip vip;
	int ret = groups_resolve_vip(gs, g, res, &vip);

	/* No route to an address that is gone: the route first. */
	groups_route_del(gs, g, res);
	if (!ret)
		ret = xhb_nl__vip_del(gs->nl, &vip);
	address_removed(gs, g, res, &vip, ret);
}

/* Address resource r of group g no longer served here: staged
 * (fenced_standby: its entry's flag fences it at once) or removed. */
static void drop_address(struct xhb_groups *gs, unsigned int g, unsigned int r)
{
	if (!groups_stage_up(gs, g, r))
		groups_remove_address(gs, g, &xhb_groups_def(gs, g)->resources[r]);
}

/* ---- the end of a transition --------------------------------------------- */

static void started(struct xhb_groups *gs, unsigned int g)
{
	struct xhb_group_state *s = &gs->g[g];

	s->phase = XHB_GROUP_STARTED;
	xhb_gset_del(&gs->wanted, g);
	groups_record(gs, g, XHB_PROGRESS_HELD);
	groups_event(gs, true, g, s->reason, xhb_now_ns() - s->began_ns);
}

static void released(struct xhb_groups *gs, unsigned int g, __u64 now_ns)
{
	struct xhb_group_state *s = &gs->g[g];

	s->phase = XHB_GROUP_IDLE;
	s->up = 0;
	s->next = 0;
	if (s->held)
		groups_set_held(gs, g, false, now_ns);
	groups_record(gs, g, XHB_PROGRESS_NONE);
	groups_event(gs, false, g, s->reason, xhb_now_ns() - s->began_ns);
	if (s->def && s->staged)
		groups_unstage(gs, g); /* under the definition it staged */
	groups_forget_def(gs, g);
}

/* The stop of resource r failed, and the policy is block: whatever may
 * still run here keeps the group ours; no client is sent to it. */
static void block(struct xhb_groups *gs, unsigned int g, unsigned int r)
{
	const struct xhb_group *grp = xhb_groups_def(gs, g);
	struct xhb_group_state *s = &gs->g[g];
	char spec[XHB_SPEC_MAX * 2];

	s->phase = XHB_GROUP_STOP_FAILED;
	s->failed = r;
	for (unsigned int i = r; i-- > 0;) {
		if (grp->resources[i].kind != XHB_RES_ADDRESS ||
		    !(s->up & XHB_RES_BIT(i)))
			continue;
		drop_address(gs, g, i);
		s->up &= ~XHB_RES_BIT(i);
	}
	xhb_gset_add(&gs->blocked, g);
	groups_record(gs, g, XHB_PROGRESS_STOP_FAILED);
	xhb_group_spec(grp, spec, sizeof(spec));
	xhb_ev_group_stop_failed(gs->ev, g, spec, grp->resources[r].spec,
				 s->reason, s->held);
}

/* The stop of resource r failed (said): true when the group is blocked,
 * false when the release goes on (stop_failed_policy release). */
static bool stop_failed(struct xhb_groups *gs, unsigned int g, unsigned int r)
{
	struct xhb_group_state *s = &gs->g[g];

	if (gs->cfg->stop_failed_policy == XHB_STOP_FAILED_RELEASE) {
		s->up &= ~XHB_RES_BIT(r);
		s->next = r;
		return false;
	}
	block(gs, g, r);
	return true;
}

/* ---- the machine --------------------------------------------------------- */

/* Right to left from next: addresses at once, a script's stop started
 * (then wait for it); released when nothing is left. */
static void advance_stop(struct xhb_groups *gs, unsigned int g, __u64 now_ns)
{
	const struct xhb_group *grp = xhb_groups_def(gs, g);
	struct xhb_group_state *s = &gs->g[g];

	if (s->run)
		return;
	while (s->next > 0) {
		unsigned int r = s->next - 1;
		const struct xhb_resource *res = &grp->resources[r];

		if (!(s->up & XHB_RES_BIT(r)) ||
		    (res->kind == XHB_RES_ADDRESS && groups_stage_up(gs, g, r))) {
			s->up &= ~XHB_RES_BIT(r);
			s->next = r;
			continue;
		}
		if (res->kind == XHB_RES_ADDRESS && gs->batching &&
		    gs->nqueued < XHB_MAX_GROUPS) {
			struct xhb_vip vip;

			if (!groups_resolve_vip(gs, g, res, &vip)) {
				/* xhb_groups_batch_end() goes on */
				gs->queued[gs->nqueued++] = (struct xhb_group_queued){
				    .g = g, .r = r, .del = true, .vip = vip};
				return;
			}
		}
		if (res->kind == XHB_RES_ADDRESS) {
			groups_remove_address(gs, g, res);
			s->up &= ~XHB_RES_BIT(r);
			s->next = r;
			continue;
		}
		if (!run_script(gs, g, res, false))
			return;
		if (stop_failed(gs, g, r))
			return;
	}
	released(gs, g, now_ns);
}

static void begin_stop(struct xhb_groups *gs, unsigned int g, __u64 now_ns)
{
	gs->g[g].phase = XHB_GROUP_STOPPING;
	groups_record(gs, g, XHB_PROGRESS_RELEASING);
	/* Routing mode: the router stops sending here before anything
	 * here stops serving. */
	groups_routes_del(gs, g);
	advance_stop(gs, g, now_ns);
}

/* Half a group serves nobody: undo it, and let another node try. */
static void fail_start(struct xhb_groups *gs, unsigned int g, __u64 now_ns)
{
	struct xhb_group_state *s = &gs->g[g];

	xhb_gset_add(&gs->refused, g);
	s->reason = XHB_REASON_RESOURCE_FAILED;
	s->next = xhb_groups_def(gs, g)->nresources;
	begin_stop(gs, g, now_ns);
}

/* Left to right from next: addresses at once, a script's start started
 * (then wait for it); started when nothing is left. */
static void advance_start(struct xhb_groups *gs, unsigned int g, __u64 now_ns)
{
	const struct xhb_group *grp = xhb_groups_def(gs, g);
	struct xhb_group_state *s = &gs->g[g];

	for (; s->next < grp->nresources; s->next++) {
		const struct xhb_resource *res = &grp->resources[s->next];

		if (res->kind == XHB_RES_SCRIPT) {
			if (run_script(gs, g, res, true))
				return fail_start(gs, g, now_ns);
			s->up |= XHB_RES_BIT(s->next);
			return;
		}
		switch (add_address(gs, g, s->next, now_ns)) {
		case 0:
			break;
		case 1: /* xhb_groups_batch_end() goes on */
			return;
		default:
			return fail_start(gs, g, now_ns);
		}
	}
	started(gs, g);
}

/* The script under way ended (out: its result). */
static void script_done(struct xhb_groups *gs, unsigned int g,
			const struct xhb_resource_result *out, __u64 now_ns)
{
	const struct xhb_group *grp = xhb_groups_def(gs, g);
	struct xhb_group_state *s = &gs->g[g];
	bool starting = s->phase == XHB_GROUP_STARTING;
	unsigned int r = starting ? s->next : s->next - 1;
	const struct xhb_resource *res = &grp->resources[r];
	char why[96];

	if (s->aborting) {
		/* Its stop comes next: it may have started something. */
		s->aborting = false;
		snprintf(why, sizeof(why), "killed: the group is released (%s)",
			 xhb_reason_name(s->reason));
		xhb_ev_resource_failed(gs->ev, g, res->spec, "start", NULL,
				       "aborted", 0, why);
		return advance_stop(gs, g, now_ns);
	}
	if (!xhb_resource_ok(out)) {
		xhb_ev_resource_failed(gs->ev, g, res->spec,
				       starting ? "start" : "stop", out, NULL, 0,
				       NULL);
		if (starting)
			return fail_start(gs, g, now_ns);
		if (!stop_failed(gs, g, r))
			advance_stop(gs, g, now_ns);
		return;
	}
	xhb_ev_resource_done(gs->ev, g, res->spec, starting, out);
	if (starting) {
		s->next++;
		return advance_start(gs, g, now_ns);
	}
	s->up &= ~XHB_RES_BIT(r);
	s->next = r;
	advance_stop(gs, g, now_ns);
}

/* ---- what the loop and the decisions ask --------------------------------- */

void xhb_groups_batch_begin(struct xhb_groups *gs)
{
	gs->batching = true;
	gs->nqueued = 0;
	gs->burst = 0;
	gs->nifcache = 0;
	gs->names_cached = true;
	/* its events are written once the addresses are up and announced
	 * (xhb_groups_announce() lets them go) */
	(void)xhb_events__hold(gs->ev, true);
	gs->events_held = true;
}

/* The batch's records on disk (said once when they cannot be). */
static void flush_records(struct xhb_groups *gs)
{
	if (xhb_progress_flush(&gs->progress) && !gs->progress_failed) {
		gs->progress_failed = true;
		fprintf(stderr, "xhbd: cannot record the groups in %s\n",
			gs->progress.path);
	}
}

void xhb_groups_batch_end(struct xhb_groups *gs, __u64 now_ns)
{
	static struct xhb_group_queued q[XHB_MAX_GROUPS];
	static struct xhb_vip add[XHB_MAX_GROUPS], del[XHB_MAX_GROUPS];
	static int add_res[XHB_MAX_GROUPS], del_res[XHB_MAX_GROUPS];
	static bool failed[XHB_MAX_GROUPS]; /* q[i]'s address was not added */

	/* a group's next address is queued again: a round per address of
	 * the groups, bounded by XHB_CONFIG_MAX_GROUP_RESOURCES */
	while (gs->nqueued) {
		unsigned int n = gs->nqueued, nadd = 0, ndel = 0;

		memcpy(q, gs->queued, n * sizeof(q[0]));
		gs->nqueued = 0;
		for (unsigned int i = 0; i < n; i++) {
			if (q[i].del)
				del[ndel++] = q[i].vip;
			else
				add[nadd++] = q[i].vip;
		}
		/* A release is recorded before its address leaves. An
		 * acquire's record can wait for its addresses and first
		 * announcements: a restart that finds an address of ours up
		 * and the group recorded none undoes it, as it undoes one
		 * recorded acquiring (xhb_groups_adopt()); and it is written
		 * below, before any script of the group starts. Without a
		 * record file yet (known false), an address up would be
		 * adopted as held: then first. */
		if (ndel || !gs->progress.known)
			flush_records(gs);
		/* a VIP leaves before any other arrives */
		(void)xhb_nl__vip_del_many(gs->nl, del, ndel, del_res);
		/* Each address up is said and its group's first announcement
		 * sent at once, a datagram of adds at a time, group after
		 * group, within a burst: the clients wait for their GARP, not
		 * for the other groups' addresses and events, the records or
		 * the groups' scripts (forks). */
		for (unsigned int from = 0, i = 0; from < nadd; from += XHB_NL_BATCH) {
			unsigned int k = nadd - from < XHB_NL_BATCH ? nadd - from
								   : XHB_NL_BATCH;

			(void)xhb_nl__vip_add_many(gs->nl, add + from, k, add_res + from);
			for (unsigned int a = from; a < from + k; i++) {
				if (q[i].del)
					continue;
				failed[i] = address_added(gs, q[i].g, q[i].r, &add[a],
							  add_res[a], now_ns) != 0;
				a++;
				if (!failed[i])
					announce_first(gs, q[i].g);
			}
		}
		if (nadd)
			xhb_groups_announce(gs, xhb_now_ns());
		flush_records(gs);
		ndel = 0;
		for (unsigned int i = 0; i < n; i++) {
			unsigned int g = q[i].g, r = q[i].r;
			struct xhb_group_state *s = &gs->g[g];

			if (q[i].del) {
				address_removed(gs, g, &xhb_groups_def(gs, g)->resources[r],
						&del[ndel], del_res[ndel]);
				ndel++;
				s->up &= ~XHB_RES_BIT(r);
				s->next = r;
				advance_stop(gs, g, now_ns);
				continue;
			}
			if (failed[i]) {
				fail_start(gs, g, now_ns);
				continue;
			}
			s->next++;
			advance_start(gs, g, now_ns);
		}
	}
	gs->batching = false;
	gs->names_cached = false;
	(void)xhb_progress_flush(&gs->progress);
	xhb_groups_announce(gs, xhb_now_ns());
}

int xhb_groups_acquire(struct xhb_groups *gs, unsigned int g,
		       enum xhb_reason reason, __u64 now_ns)
{
	struct xhb_group_state *s = &gs->g[g];

	if (s->phase != XHB_GROUP_IDLE)
		return -EBUSY;
	/* Held from the first step: the loop has told XDP and the peers. */
	groups_record(gs, g, XHB_PROGRESS_ACQUIRING);
	groups_set_held(gs, g, true, now_ns);
	s->phase = XHB_GROUP_STARTING;
	s->reason = reason;
	s->began_ns = now_ns;
	s->next = 0;
	s->up = 0;
	advance_start(gs, g, now_ns);
	return 0;
}

void xhb_groups_release(struct xhb_groups *gs, unsigned int g,
			enum xhb_reason reason, __u64 now_ns)
{
	struct xhb_group_state *s = &gs->g[g];

	if (s->phase == XHB_GROUP_STARTED) {
		s->next = xhb_groups_def(gs, g)->nresources;
	} else if (s->phase == XHB_GROUP_STARTING) {
		/* Never two transitions at once: the start under way is
		 * killed, and the stop goes on from it. */
		s->next++;
		if (s->run) {
			xhb_resource_kill(s->run);
			s->aborting = true;
		}
	} else {
		return;
	}
	s->reason = reason;
	s->began_ns = now_ns;
	begin_stop(gs, g, now_ns);
}

void xhb_groups_let_go(struct xhb_groups *gs, __u64 now_ns)
{
	/* Every address first, then nothing claimed: a peer may have taken
	 * the groups since our lease lapsed. */
	for (unsigned int g = 0; g < xhb_groups_span(gs); g++) {
		const struct xhb_group *grp;
		struct xhb_group_state *s = &gs->g[g];

		if (s->phase == XHB_GROUP_IDLE)
			continue;
		grp = xhb_groups_def(gs, g);
		for (unsigned int r = grp->nresources; r-- > 0;) {
			if (grp->resources[r].kind != XHB_RES_ADDRESS ||
			    !(s->up & XHB_RES_BIT(r)))
				continue;
			drop_address(gs, g, r);
			s->up &= ~XHB_RES_BIT(r);
		}
		if (s->held)
			groups_set_held(gs, g, false, now_ns);
	}
	for (unsigned int g = 0; g < xhb_groups_span(gs); g++)
		xhb_groups_release(gs, g, XHB_REASON_LEASE_EXPIRED, now_ns);
}

struct xhb_gset xhb_groups_cleanup(struct xhb_groups *gs,
				   struct xhb_gset which, __u64 now_ns)
{
	struct xhb_gset begun = {{0}};

	for (unsigned int g = 0; g < xhb_groups_span(gs); g++) {
		struct xhb_group_state *s = &gs->g[g];

		if (!xhb_gset_has(&which, g) || s->phase != XHB_GROUP_STOP_FAILED)
			continue;
		xhb_gset_del(&gs->blocked, g);
		s->next = s->failed + 1;
		s->began_ns = now_ns;
		xhb_gset_add(&begun, g);
		begin_stop(gs, g, now_ns);
	}
	return begun;
}

void groups_adopt_blocked(struct xhb_groups *gs, unsigned int g, __u64 now_ns)
{
	const struct xhb_group *grp = xhb_groups_def(gs, g);
	struct xhb_group_state *s = &gs->g[g];
	char spec[XHB_SPEC_MAX * 2];

	groups_set_held(gs, g, true, now_ns);
	s->phase = XHB_GROUP_STOP_FAILED;
	s->reason = XHB_REASON_INTERRUPTED;
	s->began_ns = now_ns;
	s->up = 0;
	/* Which stop failed is not recorded: cleanup stops every script. */
	for (unsigned int r = 0; r < grp->nresources; r++)
		if (grp->resources[r].kind == XHB_RES_SCRIPT)
			s->up |= XHB_RES_BIT(r);
	s->failed = grp->nresources ? grp->nresources - 1 : 0;
	xhb_gset_add(&gs->blocked, g);
	xhb_group_spec(grp, spec, sizeof(spec));
	xhb_ev_group_stop_failed(gs->ev, g, spec, NULL, s->reason, true);
}

struct xhb_gset xhb_groups_busy(const struct xhb_groups *gs)
{
	struct xhb_gset busy = {{0}};

	for (unsigned int g = 0; g < xhb_groups_span(gs); g++)
		if (gs->g[g].phase == XHB_GROUP_STARTING ||
		    gs->g[g].phase == XHB_GROUP_STOPPING)
			xhb_gset_add(&busy, g);
	return busy;
}

unsigned int xhb_groups_pollfds(const struct xhb_groups *gs, struct pollfd *pfd)
{
	unsigned int n = 0;

	for (unsigned int g = 0; g < xhb_groups_span(gs); g++) {
		int fds[2];
		unsigned int k;

		if (!gs->g[g].run)
			continue;
		k = xhb_resource_fds(gs->g[g].run, fds);
		for (unsigned int i = 0; i < k; i++)
			pfd[n++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
	}
	return n;
}

__u64 xhb_groups_wait_ns(const struct xhb_groups *gs)
{
	__u64 wait = UINT64_MAX;

	for (unsigned int g = 0; g < xhb_groups_span(gs); g++)
		if (gs->g[g].run && xhb_resource_wait_ns(gs->g[g].run) < wait)
			wait = xhb_resource_wait_ns(gs->g[g].run);
	return wait;
}

static bool ready(const struct pollfd *pfd, unsigned int n, int fd)
{
	for (unsigned int i = 0; pfd && i < n; i++)
		if (pfd[i].fd == fd)
			return pfd[i].revents != 0;
	return false;
}

void xhb_groups_step(struct xhb_groups *gs, const struct pollfd *pfd,
		     unsigned int n, __u64 now_ns)
{
	for (unsigned int g = 0; g < xhb_groups_span(gs); g++) {
		struct xhb_group_state *s = &gs->g[g];
		struct xhb_resource_result *out;
		bool any;
		int fds[2];
		unsigned int k;

		if (!s->run)
			continue;
		k = xhb_resource_fds(s->run, fds);
		any = xhb_resource_wait_ns(s->run) == 0;
		for (unsigned int i = 0; i < k; i++)
			any |= ready(pfd, n, fds[i]);
		if (!any)
			continue;
		/* The result is 4 KiB of output: off the stack. */
		out = malloc(sizeof(*out));
		if (!out)
			continue; /* tried again next loop */
		if (xhb_resource_step(s->run, out)) {
			s->run = NULL;
			script_done(gs, g, out, now_ns);
		}
		free(out);
	}
}

void xhb_groups_close(struct xhb_groups *gs)
{
	for (unsigned int g = 0; g < xhb_groups_span(gs); g++) {
		xhb_resource_cancel(gs->g[g].run);
		gs->g[g].run = NULL;
		free(gs->g[g].def);
		gs->g[g].def = NULL;
	}
}
