// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The xhbd loop. It composes; the rules are in the modules (membership.c
 * judges peers, decide.c owners, groups.c does transitions). One thread;
 * each iteration, in this order:
 *   1. our own gap: a loop that ran late judges nobody dead; a lease that
 *      lapsed meanwhile is let go of (release, listen again) first;
 *   2. judge: each peer from what XDP recorded (peers.c);
 *   3. decide who owns each group (decide.c);
 *   4. publish our state to XDP once (renews the lease; a group about to
 *      be acquired is said held from its first step);
 *   5. speak: heartbeats every keepalive, probes every probe interval;
 *   6. act: releases, then acquires (a VIP leaves one node before it
 *      reaches another); say at once what we now hold;
 *   7. announce what is due (gratuitous ARP / NA);
 *   8. wait in ppoll() for the next deadline, a signal, netlink, the
 *      control socket, XDP's news, a check or a resource script, and
 *      drain what came.
 * Resource scripts run asynchronously (groups.h): a transition takes as
 * many loops as its scripts take, and the lease is renewed every loop at
 * its normal length, so a hung script never hides a hung agent.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "agent_int.h"
#include "announce.h"
#include "clock.h"
#include "control.h"
#include "dataplane.h"
#include "decide.h"
#include "events.h"
#include "groups.h"
#include "kdf.h"
#include "ifaces.h"
#include "loop_time.h"
#include "peers.h"
#include "sender.h"
#include "slice.h"
#include "speak.h"
#include "status.h"
#include "vip.h"
#include "wire.h"

#define CONTROL_TIMEOUT_MS 200
#define LEAVING_HEARTBEATS 3 /* a lost "leaving" would cost a deadtime */
#define GAP_EVENT_EVERY_NS (1000 * XHB_NS_PER_MS) /* unless the gap is long */
#define GAP_EVENT_LONG_NS (100 * XHB_NS_PER_MS)
/* A deadline of ours waits for the probe tick after it when that delays
 * it by at most this share of its interval (loop_time.h): the heartbeat,
 * the addresses' check. */
#define TICK_DELAY_SHARE 16

__u64 probe_period(const struct xhb_agent *a)
{
	struct xhb_member_timers t = xhb_config_timers(a->cfg);

	return xhb_member_probe_period_ns(&t);
}

enum xhb_node_state self_state(const struct xhb_agent *a)
{
	/* Peers take what a leaving node holds at once: we say so only once
	 * nothing of ours may still run here. */
	if (a->leaving && xhb_gset_empty(&a->groups.held))
		return XHB_NODE_LEAVING;
	if (a->fault)
		return XHB_NODE_FAULT;
	return a->init ? XHB_NODE_INIT : XHB_NODE_ACTIVE;
}

void emit_config(struct xhb_agent *a)
{
	xhb_ev_config_loaded(a->ev, a->cfg, probe_period(a));
	for (unsigned int i = 0; i < a->cfg->nnotes; i++)
		xhb_ev_config_note(a->ev, &a->cfg->notes[i]);
}

/* Emit state_change if what we say of ourselves changed since `before`. */
static void state_changed(struct xhb_agent *a, enum xhb_node_state before,
			  enum xhb_state_reason why)
{
	if (self_state(a) != before)
		xhb_ev_state_change(a->ev, before, self_state(a), why);
}

/* ---- our state in XDP, and the lease ------------------------------------ */

/*
 * How long a peer's word that it does not hear us counts: our detection
 * window (at least 1 ms), within which it keeps saying so in every probe
 * while it still judges us dead.
 */
static __u64 unheard_hold_ns(const struct xhb_agent *a)
{
	struct xhb_member_timers t = xhb_config_timers(a->cfg);
	__u64 w = xhb_member_window_ns(&t);

	return w < XHB_NS_PER_MS ? XHB_NS_PER_MS : w;
}

/*
 * How long after this write our replies invite compact probes
 * (xhb_self.compact_ms): our detection window while we run; 0 once we
 * leave. Compact probes say nothing of their sender: only while our agent
 * probes its peers itself (their replies carry their state) may theirs
 * carry none, else the agent that comes next would read their state as
 * it stood when ours stopped.
 */
static __u16 compact_ms(const struct xhb_agent *a)
{
	__u64 ms = unheard_hold_ns(a) / XHB_NS_PER_MS;

	if (self_state(a) == XHB_NODE_LEAVING)
		return 0;
	return ms > UINT16_MAX ? UINT16_MAX : (__u16)ms;
}

/* What we refuse: the groups an operator put us in standby for, those a
 * failing service check guards (check.h), the stop_failed ones, and all
 * while we leave. One mask on the wire: peers treat them alike, take the
 * group once we no longer hold it, and leave it here when nobody else may
 * hold it. */
static struct xhb_gset refused(const struct xhb_agent *a)
{
	struct xhb_gset r = xhb_gset_or(a->groups.refused, &a->groups.blocked),
			unfit = xhb_checks_unfit(&a->checks),
			all = xhb_gset_first(XHB_MAX_GROUPS);

	r = xhb_gset_or(r, &unfit);
	r = xhb_gset_or(r, &a->links.groups_down);
	return a->outreached || a->leaving ||
			       (quorum_flags(a) & XHB_SELF_NO_QUORUM)
		       ? all
		       : r;
}

void configure_pings(struct xhb_agent *a, const struct xhb_config *c, __u64 now)
{
	int err = xhb_ping_configure(&a->pinger, c, a->ev, now);
	char msg[128];

	if (!err)
		return;
	snprintf(msg, sizeof(msg), "cannot open the ping nodes' ICMP sockets: %s",
		 strerror(-err));
	xhb_ev_config_error(a->ev, msg, "ping nodes not counted");
}

/* ipfail's comparison: the most ping nodes a live peer says it reaches. */
static void compare_pings(struct xhb_agent *a, __u64 now)
{
	__u16 best = 0;

	for (unsigned int n = 0; n < a->cfg->nnodes; n++) {
		const struct xhb_peer_view *p = &a->peers.v[n];

		if ((int)n != a->self_index &&
		    (p->state == XHB_MEMBER_UP || p->state == XHB_MEMBER_WARN) &&
		    p->snap.ping_up > best)
			best = p->snap.ping_up;
	}
	a->outreached = xhb_ping_outreached(&a->pinger, best, now);
}

/*
 * Write our state for XDP, which answers probes with it, on every
 * interface. Writing renews the lease: XDP fences our VIPs once
 * agent_update_ns + lease_ms is past. held: what we say we hold.
 */
void publish(struct xhb_agent *a, __u64 now, struct xhb_gset held,
	     __u64 lease_ns)
{
	const struct xhb_groups *gs = &a->groups;
	struct xhb_gset beyond = held;
	struct xhb_self self = {
		.incarnation = a->incarnation,
		.agent_epoch = ++a->epoch,
		.agent_update_ns = now,
		.node_id = a->cfg->nodes[a->self_index].id,
		.lease_ms = !xhb_gset_empty(&held) ? lease_ns / XHB_NS_PER_MS : 0,
		/* page 0, what probe replies carry; the rest in heartbeats */
		.groups_held = held.w[0],
		.groups_wanted = gs->wanted.w[0],
		.groups_refused = refused(a).w[0],
		.state = self_state(a),
		.priority = a->cfg->priority,
		.key_id = a->cfg->auth_index,
		.unheard_hold_ms = unheard_hold_ns(a) / XHB_NS_PER_MS,
		.ping_up = xhb_ping_wire(&a->pinger),
		.compact_ms = compact_ms(a),
	};
	int ret;

	beyond.w[0] = 0;
	self.held_more = !xhb_gset_empty(&beyond);
	ret = xhb_ifaces_write_self(&a->ifaces, &self);

	/* a peer's word that it does not hear us fences every interface */
	xhb_ifaces_share_unheard(&a->ifaces);
	/* A failed write renews nothing: the lease runs out as it should. */
	if (ret)
		return;
	a->groups.lease_renewed_ns = now;
	a->groups.lease_ns = lease_ns;
}

static struct xhb_said said(const struct xhb_agent *a)
{
	return (struct xhb_said){
		.node_id = a->cfg->nodes[a->self_index].id,
		.state = self_state(a),
		.incarnation = a->incarnation,
		.epoch = a->epoch,
		.held = a->groups.held,
		.wanted = a->groups.wanted,
		.refused = refused(a),
		.ping_up = xhb_ping_wire(&a->pinger),
		.tell_unheard = tell_unheard(a),
	};
}

/* ---- the loop's steps ---------------------------------------------------- */

/*
 * Our stale view of the peers is forgotten (see xhb_member_listen_ns()):
 * nobody is judged dead before a window of steady listening, and nothing
 * is taken until every peer was heard afresh or the listen time is over.
 */
static void listen_again(struct xhb_agent *a, __u64 now)
{
	struct xhb_member_timers t = xhb_config_timers(a->cfg);

	xhb_peers_listen_again(&a->peers, now);
	a->steady_since_ns = now;
	a->init = true;
	a->init_until_ns = now + xhb_member_listen_ns(&t);
}

static void check_own_gap(struct xhb_agent *a, __u64 now)
{
	struct xhb_member_timers t = xhb_config_timers(a->cfg);
	struct xhb_agent_gap gap =
	    xhb_agent_gap_check(a->last_loop_ns, now, a->steady_since_ns, &t);

	/* Gaps shorter than the detection window change nothing: say only
	 * those that suspend judging, at most one a second unless long. */
	if (gap.gap && gap.gap_ns >= xhb_member_window_ns(&t) &&
	    (now - a->last_gap_event_ns >= GAP_EVENT_EVERY_NS ||
	     gap.gap_ns >= GAP_EVENT_LONG_NS)) {
		a->last_gap_event_ns = now;
		xhb_ev_agent_gap(a->ev, gap.gap_ns, probe_period(a));
	}
	a->steady_since_ns = gap.steady_since_ns;
	/* We were stopped, hung or starved past our lease: XDP has been
	 * fencing our VIPs and a peer may have them. Let go before renewing;
	 * hear the peers before taking anything back. */
	if (xhb_groups_lapsed(&a->groups, now)) {
		enum xhb_node_state before = self_state(a);

		xhb_ev_lease_expired(a->ev, a->groups.lease_ns,
				     now - a->groups.lease_renewed_ns -
					 a->groups.lease_ns);
		xhb_groups_let_go(&a->groups, now);
		listen_again(a, now);
		state_changed(a, before, XHB_STATE_LEASE_EXPIRED);
	}
}

/*
 * One-way loss. A peer we hear says it does not hear us: it judged us dead
 * and takes our groups, and our XDP already fences our VIPs; yield (say
 * so once). A peer we just judged dead is told at once, before anything
 * is acquired in this loop: probe now (its probes carry XHB_FLAG_UNHEARD).
 */
static void check_heard(struct xhb_agent *a, __u64 now)
{
	int by = xhb_peers_unheard_by(&a->peers, now, unheard_hold_ns(a));

	if (by >= 0 && a->unheard_by < 0)
		xhb_ev_unheard(a->ev, a->cfg->nodes[by].name, unheard_hold_ns(a));
	a->unheard_by = by;
	for (unsigned int n = 0; n < a->cfg->nnodes; n++)
		if ((int)n != a->self_index &&
		    a->peers.v[n].state == XHB_MEMBER_DEAD &&
		    a->peers.v[n].since_ns == now)
			a->next_probe_ns = now;
}

/* initdead ends when every peer was heard from, or when it runs out. */
static void check_init(struct xhb_agent *a, __u64 now)
{
	bool all = xhb_peers_all_heard(&a->peers);

	if (!a->init || (!all && now < a->init_until_ns))
		return;
	a->init = false;
	a->peers.listen_since_ns = 0;
	xhb_ev_state_change(a->ev, XHB_NODE_INIT, self_state(a),
			    all ? XHB_STATE_ALL_PEERS_SEEN
			    : now - a->start_ns >= a->cfg->initdead_ns
				? XHB_STATE_INITDEAD_EXPIRED
				: XHB_STATE_LISTEN_WINDOW_EXPIRED);
}

/* Our decision for each group, in a->decided.out. */
static int decide(struct xhb_agent *a, __u64 now)
{
	/* Zeroed, then written member by member: compared byte for byte with
	 * the last loop's below, padding included. Only the nnodes entries:
	 * with 1024 groups an entry is 400 bytes, and the loop runs every
	 * probe period. */
	struct xhb_decide_node nodes[XHB_CONFIG_MAX_NODES];
	struct xhb_decide_input in;

	memset(&in, 0, sizeof(in));
	in.n_nodes = a->cfg->nnodes;
	in.n_groups = a->cfg->ngroups;
	in.self = a->self_index;
	in.self_flags = (a->init ? XHB_SELF_INIT : 0) |
			(a->fault ? XHB_SELF_FAULT : 0) |
			(a->leaving ? XHB_SELF_LEAVING : 0) |
			(a->unheard_by >= 0 ? XHB_SELF_UNHEARD : 0) |
			quorum_flags(a);
	in.auto_failback = a->cfg->auto_failback;
	in.self_unfit = xhb_checks_unfit(&a->checks);
	in.self_outreached = a->outreached;
	in.self_ifaces_down = a->links.groups_down;
	in.nodes = nodes;
	in.preferred = a->place_pref;
	in.group_keys = a->place_key;
	in.allowed = a->place_allowed;
	memset(nodes, 0, a->cfg->nnodes * sizeof(nodes[0]));
	for (unsigned int n = 0; n < a->cfg->nnodes; n++) {
		const struct xhb_peer_view *p = &a->peers.v[n];
		struct xhb_decide_node *d = &nodes[n];
		struct xhb_member_timers t;

		d->key = a->cfg->nodes[n].id;
		d->weight = a->cfg->nodes[n].weight;
		if ((int)n == a->self_index) {
			d->held = a->groups.held;
			d->wanted = a->groups.wanted;
			d->refused = a->groups.refused;
			continue;
		}
		t = xhb_peers_timers(&a->peers, n, now);
		d->state = p->state;
		d->starting = p->snap.state == XHB_NODE_INIT;
		d->lease_expired = xhb_member_lease_expired(&p->snap, now, &t);
		d->came_back = p->came_back;
		d->held = p->held;
		d->wanted = p->wanted;
		d->refused = p->refused;
	}
	for (unsigned int g = 0; a->place_gen != a->cfg_gen && g < a->cfg->ngroups;
	     g++) {
		const struct xhb_group *grp = &a->cfg->groups[g];

		a->place_pref[g] = grp->placed ? XHB_PLACE_AUTO : grp->node_index;
		a->place_key[g] = grp->place_key;
		a->place_allowed[g] = grp->allowed;
		if (grp->announce.mode == XHB_ANNOUNCE_ANYCAST)
			xhb_gset_add(&a->place_anycast, g);
		else
			xhb_gset_del(&a->place_anycast, g);
	}
	a->place_gen = a->cfg_gen;
	in.anycast = a->place_anycast;
	/* Compared byte for byte: a field added to the input is compared
	 * too. The placement arrays behind the pointers change with cfg_gen
	 * alone. */
	if (a->decided.valid && a->decided.cfg_gen == a->cfg_gen &&
	    !memcmp(&in, &a->decided.in, sizeof(in)) &&
	    !memcmp(nodes, a->decided.nodes, in.n_nodes * sizeof(nodes[0])))
		return a->decided.ret;
	a->decided.ret = xhb_decide(&in, a->decided.out);
	a->decided.in = in;
	memcpy(a->decided.nodes, nodes, in.n_nodes * sizeof(nodes[0]));
	a->decided.cfg_gen = a->cfg_gen;
	a->decided.valid = true;
	return a->decided.ret;
}

/* When to wake for a deadline of ours with that interval: the probe
 * tick after it if it can wait for it. The ticks are those of the next
 * probe as it now stands (a late loop moves them). */
static __u64 on_tick(const struct xhb_agent *a, __u64 deadline,
		     __u64 interval_ns)
{
	return xhb_tick_align(deadline, a->next_probe_ns, probe_period(a),
			      interval_ns / TICK_DELAY_SHARE);
}

static void speak(struct xhb_agent *a, __u64 now)
{
	struct xhb_said s = said(a);

	if (now >= a->next_heartbeat_ns) {
		xhb_speak_heartbeats(&a->speaker, &s, now);
		a->next_heartbeat_ns = now + a->cfg->keepalive_ns;
	} else {
		xhb_speak_changed(&a->speaker, &s, now);
	}
	if (now >= a->next_probe_ns) {
		xhb_speak_probes(&a->speaker, &s, &a->peers, &a->ifaces, now);
		a->next_probe_ns += probe_period(a);
		if (a->next_probe_ns <= now)
			a->next_probe_ns = now + probe_period(a);
	}
}

/* Pages of our groups past the first that changed since sent: now. */
static void speak_changed(struct xhb_agent *a)
{
	struct xhb_said s = said(a);

	xhb_speak_changed(&a->speaker, &s, xhb_now_ns());
}

/* A group our checks fail that nobody healthy can take stays here: say so
 * once per episode. */
static void say_unhealthy_kept(struct xhb_agent *a, const struct xhb_decision *out)
{
	struct xhb_gset now_kept = {{0}};

	for (unsigned int g = 0; g < a->cfg->ngroups; g++) {
		char spec[XHB_SPEC_MAX * 2];

		if (out[g].reason != XHB_REASON_NO_HEALTHY_NODE)
			continue;
		xhb_gset_add(&now_kept, g);
		if (xhb_gset_has(&a->no_healthy_said, g))
			continue;
		xhb_group_spec(&a->cfg->groups[g], spec, sizeof(spec));
		xhb_ev_no_healthy_node(a->ev, g, spec,
				       xhb_gset_has(&a->groups.held, g));
	}
	a->no_healthy_said = now_kept;
}

/* Release first: a VIP must leave one node before it reaches another. */
static void act(struct xhb_agent *a, const struct xhb_decision *out, __u64 now)
{
	/* every transition in one batch (groups.h) */
	xhb_groups_batch_begin(&a->groups);
	for (unsigned int g = 0; g < a->cfg->ngroups; g++)
		if (out[g].action == XHB_ACTION_RELEASE)
			xhb_groups_release(&a->groups, g, out[g].reason, now);
	for (unsigned int g = 0; g < a->cfg->ngroups; g++) {
		if (out[g].action == XHB_ACTION_ACQUIRE)
			xhb_groups_acquire(&a->groups, g, out[g].reason, now);
		else if (out[g].action == XHB_ACTION_KEEP)
			xhb_groups_keep(&a->groups, g, &out[g], now);
	}
	xhb_groups_batch_end(&a->groups, now);
}

/* ---- what comes from outside: links, control, signals ------------------- */

void refresh_links(struct xhb_agent *a)
{
	enum xhb_node_state before = self_state(a);
	struct xhb_links was = a->links;
	bool fault;

	xhb_ifaces_refresh(&a->ifaces, a->nl, &a->links);
	fault = a->links.state == XHB_LINKS_FAULT;
	/* Degraded, or degraded differently: say which media still work. */
	if (a->links.state == XHB_LINKS_DEGRADED &&
	    (was.state != XHB_LINKS_DEGRADED ||
	     strcmp(was.media_down, a->links.media_down)))
		xhb_ev_link_degraded(a->ev, a->links.media_down, a->links.media_up,
				     a->links.media);
	if (a->fault && !fault)
		listen_again(a, xhb_now_ns());
	a->fault = fault;
	state_changed(a, before, fault ? XHB_STATE_LINK_DOWN : XHB_STATE_LINK_UP);
}

static bool iface_in_use(const struct xhb_agent *a, const char *name)
{
	if (xhb_ifaces_has(&a->ifaces, name))
		return true;
	for (unsigned int g = 0; g < a->cfg->ngroups; g++)
		for (unsigned int r = 0; r < a->cfg->groups[g].nresources; r++)
			if (!strcmp(a->cfg->groups[g].resources[r].iface, name))
				return true;
	return false;
}

static void on_netlink(const struct xhb_nl_event *e, void *ctx)
{
	struct xhb_agent *a = ctx;

	switch (e->type) {
	case XHB_NL_LINK_UP:
	case XHB_NL_LINK_DOWN:
		if (!iface_in_use(a, e->ifname))
			return;
		xhb_ev_link(a->ev, e->ifname, e->type == XHB_NL_LINK_UP);
		refresh_links(a);
		break;
	case XHB_NL_ADDR_REMOVED:
		xhb_groups_addr_removed(&a->groups, &e->addr);
		break;
	case XHB_NL_RESYNC:
		/* notices were lost: links and addresses read afresh */
		refresh_links(a);
		xhb_groups_verify(&a->groups);
		break;
	default:
		break;
	}
}

static json_t *on_control(const struct xhb_control_request *req, void *ctx)
{
	struct xhb_agent *a = ctx;
	__u64 now = xhb_now_ns();
	struct xhb_status_self self = {
		.node = a->node,
		.version = XHB_VERSION_STRING,
		.state = self_state(a),
		.incarnation = a->incarnation,
		.epoch = a->epoch,
		.uptime_ns = now - a->start_ns,
		.links = xhb_links_state_name(a->links.state),
		.media_down = a->links.media_down,
		.vip_down = a->links.vip_down,
		.loop = &a->late,
	};

	if (req->cmd == XHB_CONTROL_NODE)
		return node_request(a, req);
	if (req->cmd == XHB_CONTROL_STATUS) {
		self.checks = xhb_checks_json(&a->checks, now);
		self.quorum = quorum_json(a);
	}
	if (req->cmd == XHB_CONTROL_CLEANUP)
		self.checks_cleared = xhb_checks_clear(
		    &a->checks, xhb_status_which(req), now);
	return xhb_status_request(req, &self, &a->groups, &a->peers, a->ev, now);
}

static void on_signal(struct xhb_agent *a)
{
	struct signalfd_siginfo si;

	while (read(a->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			a->reload = true;
		else if (si.ssi_signo == SIGUSR2)
			a->reexec = true;
		else
			a->stop = true;
	}
}

/* ---- reload (SIGHUP) ------------------------------------------------------ */

/* The log files by name again (logrotate moved them), or those of the
 * configuration next. A failure is said where it can be read: in the
 * events that still go out, and on stderr. */
static void reopen_logs(struct xhb_agent *a, const struct xhb_config *next)
{
	struct xhb_event_sinks sinks;
	char msg[2 * XHB_PATH_MAX];
	int ret;

	event_sinks(a, next ? next : a->cfg, &sinks);
	ret = xhb_events__reopen(a->ev, &sinks);
	if (!ret)
		return;
	snprintf(msg, sizeof(msg), "cannot reopen %s: %s",
		 sinks.failed ? sinks.failed : "the log files",
		 ret == -ELOOP ? "a symbolic link: xhbd does not write through one"
			       : strerror(-ret));
	xhb_ev_config_error(a->ev, msg, "still writing to the old file");
	fprintf(stderr, "xhbd: %s: still writing to the old file\n", msg);
}

static void do_reload(struct xhb_agent *a)
{
	struct xhb_config *next = xhb_config_new();
	char err[512];

	a->reload = false;
	/* SIGHUP is also logrotate's postrotate: write to the new files. */
	reopen_logs(a, NULL);
	if (!next)
		return;
	if (load_next(a, NULL, next, err, sizeof(err))) {
		xhb_ev_config_error(a->ev, err, "kept the running configuration");
		xhb_config_free(next);
		return;
	}
	apply_config(a, next, XHB_NODES_BY_RELOAD);
}

int load_next(struct xhb_agent *a, const struct xhb_node_changes *ch,
	      struct xhb_config *next, char *err, size_t errlen)
{
	int ret = xhb_config_load_nodes(a->cfg->dir, ch, next, err, errlen);

	if (!ret && (ret = xhb_kdf_config(next, a->cfg)))
		snprintf(err, errlen, "%s: cannot derive the keys from the secrets: %s",
			 next->authkeys_path, strerror(-ret));
	if (!ret && xhb_config_node_index(next, a->node) < 0) {
		snprintf(err, errlen, "%s: this node (%s) is no longer a node",
			 next->hacf_path, a->node);
		ret = -EINVAL;
	}
	if (!ret)
		ret = xhb_config_identity_check(a->cfg, next, err, errlen);
	if (!ret)
		ret = xhb_ifaces_served(&a->ifaces, next, a->nl, err, errlen);
	return ret;
}

void apply_config(struct xhb_agent *a, struct xhb_config *next,
		  enum xhb_nodes_source source)
{
	struct xhb_config *old = a->cfg;
	__u64 now = xhb_now_ns();
	char err[512];

	xhb_groups_reconfigure(&a->groups, next, now);
	xhb_checks_configure(&a->checks, next, a->ev, now);
	configure_pings(a, next, now);
	reopen_logs(a, next);
	a->cfg = next;
	a->cfg_gen++; /* decide's placement inputs read again */
	a->speaker.cfg = next;
	a->self_index = xhb_config_node_index(a->cfg, a->node);
	/* load_next() saw every interface served: their roles now (which
	 * groups a link down takes down, where probes go) */
	xhb_ifaces_reroute(&a->ifaces, a->cfg, a->nl);
	refresh_links(a);
	if (source == XHB_NODES_BY_RELOAD)
		xhb_ev_reload(a->ev, a->cfg->dir);
	emit_config(a);
	say_node_changes(a, old, source);
	xhb_config_free(old);
	/* a node added or removed leaves the program as it is (loading one
	 * costs the loop hundreds of ms): its peers map changes below */
	if (source != XHB_NODES_BY_CONTROL) {
		if (xhb_ifaces_open(&a->ifaces, a->cfg, a->ev, err, sizeof(err)))
			xhb_ev_config_error(a->ev, err,
					    "data plane not reloaded: the old program runs on");
		xhb_sender__reset(a->tx); /* sockets bound to the new ports */
	}
	if (xhb_peers_sync(&a->peers, a->cfg, a->self_index, &a->ifaces, now))
		xhb_ev_config_error(a->ev, "cannot add the new peers to the XDP maps",
				    "peers not updated");
}

/* Asked to stop: from now on decide releases everything (the loop runs
 * the releases), and we refuse every group so that peers take each one
 * once we let go of it. */
static void begin_leaving(struct xhb_agent *a)
{
	enum xhb_node_state before = self_state(a);

	a->leaving = true;
	state_changed(a, before, XHB_STATE_STOP_REQUESTED);
	a->leaving_said = self_state(a) == XHB_NODE_LEAVING;
}

/* The loop is over: asked to stop and nothing is held or stopping any
 * more, or asked to re-execute and no transition is under way (one is
 * never left half done on purpose). */
static bool finished(const struct xhb_agent *a)
{
	struct xhb_gset busy = xhb_groups_busy(&a->groups);

	if (!xhb_gset_empty(&busy))
		return false;
	return a->leaving ? xhb_gset_empty(&a->groups.held) : a->reexec;
}

/* Leaving, and a stop_failed group keeps us here, since peers would take
 * it once we are gone: say so once. */
static void say_stop_blocked(struct xhb_agent *a)
{
	struct xhb_gset blocked = xhb_gset_and(a->groups.held, &a->groups.blocked);

	if (!xhb_gset_empty(&blocked) && xhb_gset_empty(&a->stop_blocked_said))
		xhb_ev_agent_stop_blocked(a->ev, &blocked);
	a->stop_blocked_said = blocked;
}

/* Everything is released: tell the peers, so that they take over at once
 * and nobody answers for a VIP twice. No staged address outlives us:
 * nothing would renew what fences it. */
static void leave(struct xhb_agent *a)
{
	struct xhb_said s;

	xhb_groups_unstage_all(&a->groups);
	if (!a->leaving_said)
		xhb_ev_state_change(a->ev,
				    a->fault  ? XHB_NODE_FAULT
				    : a->init ? XHB_NODE_INIT
					      : XHB_NODE_ACTIVE,
				    XHB_NODE_LEAVING, XHB_STATE_STOP_REQUESTED);
	publish(a, xhb_now_ns(), a->groups.held, a->cfg->lease_ns);
	s = said(a);
	for (int i = 0; i < LEAVING_HEARTBEATS; i++)
		xhb_speak_heartbeats(&a->speaker, &s, xhb_now_ns());
}

/* Sleep until the next deadline or news, then take in what came. */
static int wait_and_drain(struct xhb_agent *a)
{
	/* 16 KB: not zeroed every loop, only the nfds entries are written */
	struct pollfd pfd[XHB_AGENT_WATCH_MAX + 2 * XHB_CONFIG_MAX_CHECKS + 2 +
			  2 * XHB_MAX_GROUPS];
	int steady[XHB_AGENT_WATCH_MAX] = {a->sigfd, xhb_nlmon__fd(a->mon),
					   xhb_control__fd(a->ctl)};
	bool news[XHB_AGENT_WATCH_MAX];
	__u64 next = on_tick(a, a->next_heartbeat_ns, a->cfg->keepalive_ns);
	unsigned int nsteady = 3, nfds, first_ping, first_check, first_group;
	__u64 wait, now, announce, verify;
	struct timespec ts;
	int ready;

	if (a->next_probe_ns < next)
		next = a->next_probe_ns;
	/* a verdict the moment a peer's window closes, not at the tick after
	 * (with our own link down, silence is not judged) */
	if (!a->fault && a->peers.next_verdict_ns < next)
		next = a->peers.next_verdict_ns;
	announce = xhb_groups_next_announce(&a->groups);
	if (announce < next)
		next = announce;
	verify = on_tick(a, a->next_verify_ns, XHB_GROUPS_VERIFY_NS);
	if (!xhb_gset_empty(&a->groups.held) && verify < next)
		next = verify;
	now = xhb_now_ns();
	next = next > now ? next - now : 0;
	if (finished(a) || (a->stop && !a->leaving))
		next = 0;
	if ((wait = xhb_checks_wait_ns(&a->checks, now)) < next)
		next = wait;
	if ((wait = xhb_ping_wait_ns(&a->pinger, now)) < next)
		next = wait;
	if ((wait = xhb_groups_wait_ns(&a->groups)) < next)
		next = wait;
	ts.tv_sec = next / XHB_NS_PER_SEC;
	ts.tv_nsec = next % XHB_NS_PER_SEC;
	/*
	 * XDP's news ring is a doorbell: a peer said something new about
	 * itself (leaving, fault, holdings). Waking is all it is for; the
	 * judge reads every peer's entry anyway.
	 */
	for (unsigned int i = 0; i < a->ifaces.n; i++)
		steady[nsteady++] = dataplane__news_fd(a->ifaces.at[i].dp);
	nfds = xhb_agent_watch_pollfds(&a->watch, a->cfg_gen, steady, nsteady,
				       pfd);
	first_ping = nfds;
	nfds += xhb_ping_pollfds(&a->pinger, pfd + nfds);
	first_check = nfds;
	nfds += xhb_checks_pollfds(&a->checks, pfd + nfds);
	first_group = nfds;
	nfds += xhb_groups_pollfds(&a->groups, pfd + nfds);
	ready = ppoll(pfd, nfds, &ts, NULL);
	if (ready < 0 && errno != EINTR)
		return -errno;
	/* woken by the deadline alone: how late (next: the time slept for) */
	if (!ready && next) {
		__u64 woke = xhb_now_ns();

		xhb_lateness_add(&a->late,
				 woke > now + next ? woke - (now + next) : 0);
	}
	xhb_agent_watch_ready(&a->watch, pfd, nsteady, news);
	/* read by resource checks alone: no scan of the groups without one */
	if (a->checks.n)
		xhb_checks_set_held(&a->checks, xhb_groups_started(&a->groups));
	xhb_checks_step(&a->checks, pfd + first_check, first_group - first_check,
			xhb_now_ns());
	xhb_groups_step(&a->groups, pfd + first_group, nfds - first_group,
			xhb_now_ns());
	xhb_ping_step(&a->pinger, pfd + first_ping, first_check - first_ping,
		      xhb_now_ns());
	for (unsigned int i = 0; i < a->ifaces.n; i++)
		if (news[3 + i])
			(void)dataplane__news_drain(a->ifaces.at[i].dp);
	if (news[0])
		on_signal(a);
	if (news[1])
		(void)xhb_nlmon__drain(a->mon, on_netlink, a);
	if (news[2])
		(void)xhb_control__serve(a->ctl, on_control, a, CONTROL_TIMEOUT_MS);
	if (a->reload)
		do_reload(a);
	return 0;
}

int xhb_agent__run(struct xhb_agent *a)
{
	int ret = 0;

	while (!ret) {
		const struct xhb_decision *out = a->decided.out;
		__u64 now = xhb_now_ns();
		struct xhb_gset acquiring = {{0}};
		int decided;

		if (a->stop && !a->leaving)
			begin_leaving(a);
		if (a->leaving)
			say_stop_blocked(a);
		if (finished(a))
			break;

		check_own_gap(a, now);
		/* With our own link down, silence proves nothing about them. */
		if (!a->fault) {
			struct xhb_loop_times t = {now, a->start_ns, a->last_loop_ns,
						   a->steady_since_ns};

			xhb_peers_judge(&a->peers, &a->ifaces, a->ev, &t);
			check_heard(a, now);
			compare_pings(a, now);
		}
		check_init(a, now);
		if (judge_quorum(a, now))
			listen_again(a, now);
		decided = decide(a, now);
		/* A group still stopping (once our lease lapsed) or blocked is
		 * acquired once that is over, not said held before. */
		for (unsigned int g = 0; !decided && g < a->cfg->ngroups; g++)
			if (out[g].action == XHB_ACTION_ACQUIRE &&
			    a->groups.g[g].phase == XHB_GROUP_IDLE)
				xhb_gset_add(&acquiring, g);
		/* We may have been stopped anywhere since `now`: past our lease,
		 * renew nothing and act on nothing; the next loop lets go. */
		if (!xhb_groups_lapsed(&a->groups, xhb_now_ns())) {
			struct xhb_gset held = xhb_gset_or(a->groups.held, &acquiring);

			publish(a, now, held, a->cfg->lease_ns);
			speak(a, now);
			if (!decided) {
				act(a, out, now);
				say_unhealthy_kept(a, out);
			}
			/* Say what we now hold at once, not a loop later. */
			if (!xhb_gset_eq(&a->groups.held, &held)) {
				publish(a, xhb_now_ns(), a->groups.held,
					a->cfg->lease_ns);
				speak_changed(a);
			}
			xhb_groups_announce(&a->groups, now);
			if (now >= a->next_verify_ns) {
				xhb_groups_verify(&a->groups);
				a->next_verify_ns = now + XHB_GROUPS_VERIFY_NS;
			}
		}
		a->last_loop_ns = now;
		ret = wait_and_drain(a);
	}
	if (ret)
		return ret;
	if (!a->leaving) {
		/* A full lease for the next agent to start in: it adopts the
		 * pins, the VIPs and this lease, and peers wait for it. */
		publish(a, xhb_now_ns(), a->groups.held, a->cfg->lease_ns);
		return XHB_AGENT_REEXEC;
	}
	leave(a);
	return 0;
}

