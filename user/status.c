// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The status document: see status.h. */
#include <arpa/inet.h>

#include "clock.h"
#include "control.h"
#include "events.h"
#include "groups.h"
#include "peers.h"
#include "status.h"
#include "wire.h"

/* A group's transitions and its takeover durations (metrics.h), into
 * its object j: the buckets as counted, not cumulative, the last one
 * above every bound of takeover_bounds_s. */
static void tally_json(json_t *j, const struct xhb_group_tally *t)
{
	json_t *buckets = json_array();
	__u64 count = 0;

	for (unsigned int i = 0; i <= XHB_TAKEOVER_BUCKETS; i++) {
		json_array_append_new(buckets, json_integer((json_int_t)t->takeover[i]));
		count += t->takeover[i];
	}
	json_object_set_new(j, "transitions",
			    json_pack("{s:I, s:I}", "acquire",
				      (json_int_t)t->acquired, "release",
				      (json_int_t)t->released));
	json_object_set_new(j, "takeover_duration",
			    json_pack("{s:o, s:f, s:I}", "buckets", buckets,
				      "sum_s", t->takeover_sum_ns / 1e9, "count",
				      (json_int_t)count));
}

static json_t *groups_json(const struct xhb_groups *gs, const struct xhb_peers *ps,
			   __u64 now_ns)
{
	const struct xhb_config *c = gs->cfg;
	json_t *groups = json_array();

	/* A group a reload removed is shown while it stops. */
	for (unsigned int g = 0; g < XHB_MAX_GROUPS; g++) {
		const struct xhb_group_state *s = &gs->g[g];
		const struct xhb_group *grp = xhb_groups_def(gs, g);
		const char *owner = s->held ? c->nodes[ps->self].name : NULL;
		char spec[1024];

		json_t *j;

		if (g >= c->ngroups && s->phase == XHB_GROUP_IDLE)
			continue;
		xhb_group_spec(grp, spec, sizeof(spec));
		for (unsigned int n = 0; !owner && n < c->nnodes; n++)
			if ((int)n != ps->self && ps->v[n].state != XHB_MEMBER_DEAD &&
			    xhb_gset_has(&ps->v[n].held, g))
				owner = c->nodes[n].name;
		j = json_pack("{s:i, s:s, s:s, s:s?, s:b, s:s, s:f, s:b, s:b}",
			      "group", g, "resources", spec, "preferred",
			      grp->node, "owner", owner, "held", s->held, "phase",
			      xhb_group_phase_name(s->phase), "phase_ms",
			      s->phase == XHB_GROUP_IDLE || !s->began_ns
				  ? 0.0
				  : xhb_ms(now_ns - s->began_ns),
			      "standby", xhb_gset_has(&gs->refused, g), "takeover",
			      xhb_gset_has(&gs->wanted, g));
		/* where it stands: the script under way, or the one whose
		 * stop failed */
		if (s->phase == XHB_GROUP_STOP_FAILED)
			json_object_set_new(j, "stop_failed",
					    json_string(grp->resources[s->failed].spec));
		else if (s->run)
			json_object_set_new(
			    j, "running",
			    json_string(grp->resources[s->phase == XHB_GROUP_STARTING
							   ? s->next
							   : s->next - 1]
					    .spec));
		/* fenced_standby: its addresses configured here, fenced */
		json_object_set_new(j, "staged", json_boolean(s->staged != 0));
		tally_json(j, &gs->g[g].tally);
		json_array_append_new(groups, j);
	}
	return groups;
}

static json_t *takeover_bounds_json(void)
{
	json_t *le = json_array();

	for (unsigned int i = 0; i < XHB_TAKEOVER_BUCKETS; i++)
		json_array_append_new(le, json_real(xhb_takeover_bounds_ns[i] / 1e9));
	return le;
}

static double age_ms(__u64 now_ns, __u64 ts_ns)
{
	return ts_ns ? xhb_ms(now_ns - ts_ns) : -1.0;
}

static json_t *peers_json(const struct xhb_peers *ps, __u64 now_ns)
{
	const struct xhb_config *c = ps->cfg;
	json_t *peers = json_array();

	for (unsigned int n = 0; n < c->nnodes; n++) {
		const struct xhb_peer_view *p = &ps->v[n];
		struct xhb_member_timers t;
		char addr[INET6_ADDRSTRLEN] = "";

		if ((int)n == ps->self)
			continue;
		if (p->snap.family)
			inet_ntop(p->snap.family, p->snap.addr, addr, sizeof(addr));
		t = xhb_peers_timers(ps, n, now_ns);
		json_array_append_new(
		    peers,
		    json_pack("{s:s, s:I, s:s, s:f, s:s, s:f, s:f, s:f, s:I, s:I, s:f, s:i, s:f}",
			      "name", c->nodes[n].name, "node_id", (json_int_t)p->id,
			      "state", xhb_member_state_name(p->state), "since_ms",
			      xhb_ms(now_ns - p->since_ns), "address", addr, "rtt_us",
			      p->snap.rtt_ns / 1e3, "heartbeat_age_ms",
			      age_ms(now_ns, p->snap.last_heartbeat_ns),
			      "reply_age_ms", age_ms(now_ns, p->snap.last_reply_ns),
			      "heartbeats", (json_int_t)p->snap.heartbeats, "replies",
			      (json_int_t)p->snap.replies, "silent_periods_pct",
			      p->loss.silent_ppm / 1e4, "misses", (int)t.probe_misses,
			      "window_ms", xhb_ms(xhb_member_window_ns(&t))));
	}
	return peers;
}

/* What is left of the lease we last wrote: 0 when nothing is held or it
 * lapsed (XDP fences then). */
/* {"timed_wakes": N, "late": {"over_0_2ms": N, ...}, "max_late_ms": x} */
static json_t *loop_json(const struct xhb_lateness *l)
{
	json_t *late = json_object();

	for (unsigned int i = 0; i < XHB_LATE_BUCKETS; i++)
		json_object_set_new(late, xhb_late_names[i],
				    json_integer((json_int_t)l->over[i]));
	return json_pack("{s:I, s:o, s:f}", "timed_wakes",
			 (json_int_t)l->timed_wakes, "late", late, "max_late_ms",
			 xhb_ms(l->max_ns));
}

static double lease_left_ms(const struct xhb_groups *gs, __u64 now_ns)
{
	__u64 end = gs->lease_renewed_ns + gs->lease_ns;

	return !xhb_gset_empty(&gs->held) && now_ns < end ? xhb_ms(end - now_ns) : 0.0;
}

json_t *xhb_status_json(const struct xhb_status_self *self,
			const struct xhb_groups *gs, const struct xhb_peers *ps,
			__u64 now_ns)
{
	json_t *j = json_pack("{s:s, s:s?, s:s, s:s?, s:s*, s:s*, s:I, s:I, s:f, s:f, s:o, s:o, s:o, s:o, s:o, s:o?}",
			 "node", self->node, "version", self->version, "state",
			 xhb_node_state_name(self->state), "links", self->links,
			 "media_down", self->media_down && *self->media_down ? self->media_down : NULL,
			 "vip_ifaces_down", self->vip_down && *self->vip_down ? self->vip_down : NULL,
			 "incarnation",
			 (json_int_t)self->incarnation, "epoch",
			 (json_int_t)self->epoch, "uptime_ms", xhb_ms(self->uptime_ns),
			 "lease_left_ms", lease_left_ms(gs, now_ns),
			 "takeover_bounds_s", takeover_bounds_json(), "groups",
			 groups_json(gs, ps, now_ns), "peers", peers_json(ps, now_ns),
			 "nodes", xhb_status_nodes(self, gs, ps, now_ns),
			 "checks", self->checks ? self->checks : json_array(),
			 "quorum", self->quorum);

	if (j && self->loop)
		json_object_set_new(j, "loop", loop_json(self->loop));
	if (j) {
		json_object_set_new(j, "cluster_id", json_integer(gs->cfg->cluster_id));
		json_object_set_new(j, "cluster_id_source",
				    json_string(xhb_cluster_id_source(gs->cfg)));
	}
	return j;
}

/* The stop_failed groups asked run their failed stop again; a group named
 * that is not stop_failed is an error, saying what it is. */
static json_t *cleanup(const struct xhb_control_request *req,
		       const struct xhb_status_self *self, struct xhb_groups *gs,
		       struct xhb_events *ev, __u64 now_ns)
{
	struct xhb_gset mask = xhb_status_which(req), begun, both;
	json_t *reply;

	if (req->group >= 0 && gs->g[req->group].phase != XHB_GROUP_STOP_FAILED &&
	    !xhb_gset_has(&self->checks_cleared, (unsigned int)req->group))
		return xhb_control_error(
		    "group %d is not stop_failed: it is %s", req->group,
		    (unsigned int)req->group >= gs->cfg->ngroups &&
			    gs->g[req->group].phase == XHB_GROUP_IDLE
			? "not a group of haresources"
			: xhb_group_phase_name(gs->g[req->group].phase));
	/* said before its stop runs: the stop's events follow it */
	begun = xhb_gset_and(gs->blocked, &mask);
	both = xhb_gset_or(begun, &self->checks_cleared);
	xhb_ev_cleanup_request(ev, req->group, &both);
	xhb_groups_cleanup(gs, begun, now_ns);
	reply = json_object();
	xhb_control_set_groups(reply, &both, "groups", "group_list");
	xhb_control_set_groups(reply, &self->checks_cleared, "checks_cleared",
			       "checks_cleared_list");
	return reply;
}

struct xhb_gset xhb_status_which(const struct xhb_control_request *req)
{
	struct xhb_gset one = {{0}};

	if (req->group < 0)
		return xhb_gset_first(XHB_MAX_GROUPS);
	xhb_gset_add(&one, (unsigned int)req->group);
	return one;
}

json_t *xhb_status_request(const struct xhb_control_request *req,
			   const struct xhb_status_self *self,
			   struct xhb_groups *gs, const struct xhb_peers *ps,
			   struct xhb_events *ev, __u64 now_ns)
{
	const char *scope = xhb_control_scope_str(req->scope);
	int preferred[XHB_MAX_GROUPS];
	struct xhb_gset mask, takers;
	json_t *reply;

	if (req->cmd == XHB_CONTROL_STATUS)
		return xhb_status_json(self, gs, ps, now_ns);
	if (req->cmd == XHB_CONTROL_CLEANUP)
		return cleanup(req, self, gs, ev, now_ns);
	for (unsigned int g = 0; g < gs->cfg->ngroups; g++)
		preferred[g] = gs->cfg->groups[g].node_index;
	takers = xhb_status_takers(gs, ps);
	mask = xhb_control_scope_groups(req->cmd == XHB_CONTROL_STANDBY, req->scope,
					gs->cfg->ngroups, preferred, ps->self,
					&takers);
	if (req->scope == XHB_SCOPE_GROUP &&
	    !xhb_config_groups_named(gs->cfg, req->group_name, &mask))
		return xhb_control_error(
		    "no haresources group is named '%s' (a group's number, "
		    "one of its addresses or one of its resources)",
		    req->group_name);
	if (req->cmd == XHB_CONTROL_STANDBY) {
		gs->refused = xhb_gset_or(gs->refused, &mask);
		gs->wanted = xhb_gset_minus(gs->wanted, &mask);
	} else {
		gs->wanted = xhb_gset_or(gs->wanted, &mask);
		gs->refused = xhb_gset_minus(gs->refused, &mask);
	}
	xhb_ev_request(ev, req->cmd == XHB_CONTROL_STANDBY, scope, &mask);
	reply = json_pack("{s:s}", "scope", scope);
	xhb_control_set_groups(reply, &mask, "groups", "group_list");
	return reply;
}
