// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The xhbd control loop. One thread; each iteration, in this order:
 *   1. note our own scheduling gap (a stalled agent judges nobody);
 *   2. publish our state in xhb_self (epoch, time, lease, held groups);
 *   3. send heartbeats (every keepalive) and probes (every probe interval);
 *   4. read what XDP recorded of each peer and judge it;
 *   5. decide who owns each group and act (release before acquire);
 *   6. send due gratuitous ARPs / NAs;
 *   7. sleep in ppoll() until the next deadline or a signal, netlink or
 *      control-socket event.
 * Transitions are named functions doing their steps in a fixed order and
 * emitting one event each.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "agent.h"
#include "announce.h"
#include "config.h"
#include "control.h"
#include "dataplane.h"
#include "decide.h"
#include "events.h"
#include "membership.h"
#include "resource.h"
#include "slice.h"
#include "sender.h"
#include "vip.h"
#include "wire.h"

#define XHB_VERSION_STRING "0.1.0"
#define MAX_IFACES 4
#define CONTROL_TIMEOUT_MS 200
#define RESOURCE_TIMEOUT_MS 30000
#define SCRIPT_LEASE_NS                                                        \
	((RESOURCE_TIMEOUT_MS + XHB_RESOURCE_KILL_GRACE_MS + 1000ULL) * NS_PER_MS)
#define LEAVING_HEARTBEATS 3 /* a lost "leaving" would cost a deadtime */
#define NS_PER_MS 1000000ULL
/* Junk at our port faster than this is a flood: legitimate packets may
 * wait in the same queues, so nobody is judged dead on a short window. */
#define FLOOD_JUNK_PER_MS 20
#define FLOOD_HOLD_NS (1000 * NS_PER_MS) /* after the last flooded loop */
#define FLOOD_WINDOW_NS (250 * NS_PER_MS) /* the window meanwhile */

struct peer_view {
	int node_index;
	__u32 id;
	enum xhb_member_state state;
	__u64 since_ns;
	struct xhb_peer snap; /* merged over the cluster interfaces */
	struct xhb_member_loss loss; /* how often a probe period stays silent */
	__u64 loss_next_ns; /* when the current probe period ends */
	bool seen; /* snap holds something */
	/* where its packets came from, per cluster interface: probe there */
	struct {
		__u8 family;
		__u8 addr[16];
	} where[MAX_IFACES];
};

struct group_state {
	bool held;
	__u64 changed_ns;
	/* gratuitous ARP / NA still to send after an acquire */
	__u32 announce_left;
	__u64 announce_next_ns;
};

struct cluster_iface {
	char name[IFNAMSIZ];
	int ifindex;
	bool usable;
	struct xhb_dataplane *dp;
};

struct xhb_agent {
	struct xhb_agent_opts opts;
	struct xhb_config *cfg;
	char node[XHB_NAME_MAX];
	int self_index;
	__u32 self_id;
	char control_path[256];

	struct xhb_events *ev;
	struct xhb_nl *nl;
	struct xhb_nlmon *mon;
	struct xhb_announce *ann;
	struct xhb_sender *tx;
	struct xhb_control *ctl;
	int sigfd;

	unsigned int nifaces;
	struct cluster_iface ifaces[MAX_IFACES];

	__u64 incarnation;
	__u64 seq;
	__u64 epoch;
	__u64 start_ns;
	__u64 last_loop_ns;
	__u64 steady_since_ns;
	__u64 next_heartbeat_ns;
	__u64 next_probe_ns;
	__u64 lease_renewed_ns; /* when xhb_self was last written */
	__u64 last_gap_event_ns;
	__u64 junk_seen; /* XDP's junk counter at the previous loop */
	__u64 junk_seen_ns;
	__u64 flood_until_ns; /* judge on FLOOD_WINDOW_NS until then */
	__u64 lease_ns; /* the lease written then */

	bool init; /* initdead running, or recovering from a local fault */
	__u64 init_until_ns; /* when init ends if not every peer was heard */
	__u64 listen_since_ns; /* listen_again(): heard means answered since */
	bool fault; /* a configured interface is down */
	bool leaving;
	bool stop;
	bool reload;
	bool reexec; /* SIGUSR2: hand over to a new binary, keep everything */
	bool peer_back; /* a peer we had not heard is heard again */
	bool peer_back_healed; /* ... and we had judged it dead */
	__u32 held, wanted, refused; /* group bitmaps, as on the wire */

	struct peer_view peers[XHB_CONFIG_MAX_NODES];
	struct group_state groups[XHB_MAX_GROUPS];
};

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static __u64 real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static __u64 max3(__u64 x, __u64 y, __u64 z)
{
	__u64 m = x > y ? x : y;

	return m > z ? m : z;
}

static double ms(__u64 ns)
{
	return ns / 1e6;
}

/* "IPaddr::172.16.193.30/16/ens192 apache": the group as written. */
static void group_spec(const struct xhb_group *g, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int r = 0; r < g->nresources && off < len; r++)
		off += snprintf(buf + off, len - off, "%s%s", r ? " " : "",
				g->resources[r].spec);
}

static void addr_text(int family, const union xhb_addr *addr, char *buf,
		      size_t len)
{
	inet_ntop(family, addr, buf, len);
}

static enum xhb_node_state self_state(const struct xhb_agent *a)
{
	if (a->leaving)
		return XHB_NODE_LEAVING;
	if (a->fault)
		return XHB_NODE_FAULT;
	if (a->init)
		return XHB_NODE_INIT;
	return XHB_NODE_ACTIVE;
}

static const char *self_state_name(enum xhb_node_state s)
{
	switch (s) {
	case XHB_NODE_INIT:
		return "init";
	case XHB_NODE_ACTIVE:
		return "active";
	case XHB_NODE_LEAVING:
		return "leaving";
	case XHB_NODE_FAULT:
		return "fault";
	default:
		return "none";
	}
}

static struct xhb_member_timers timers(const struct xhb_config *cfg)
{
	return (struct xhb_member_timers){
		.keepalive_ns = cfg->keepalive_ns,
		.warntime_ns = cfg->warntime_ns,
		.deadtime_ns = cfg->deadtime_ns,
		.initdead_ns = cfg->initdead_ns,
		.probe_interval_ns = cfg->probe_interval_ns,
		.probe_misses = cfg->probe_misses,
	};
}

/* ---- configuration and start-up ---------------------------------- */

/*
 * What the files cannot say: whether the interfaces they name exist on
 * this node. Checked by xhbd -t too, before anything is touched.
 */
static int check_interfaces(const struct xhb_config *cfg, char *err,
			    size_t errlen)
{
	const char *seen[MAX_IFACES];
	unsigned int nseen = 0;

	for (unsigned int m = 0; m < cfg->nmedia; m++) {
		const char *name = cfg->media[m].iface;
		bool dup = false;

		if (!if_nametoindex(name)) {
			snprintf(err, errlen, "%s:%u: no interface %s on this node",
				 cfg->hacf_path, cfg->media[m].line, name);
			return -ENODEV;
		}
		for (unsigned int i = 0; i < nseen; i++)
			dup |= !strcmp(seen[i], name);
		if (dup)
			continue;
		if (nseen == MAX_IFACES) {
			snprintf(err, errlen,
				 "%s:%u: %s would be a %dth heartbeat interface: at most %d",
				 cfg->hacf_path, cfg->media[m].line, name,
				 MAX_IFACES + 1, MAX_IFACES);
			return -EINVAL;
		}
		seen[nseen++] = name;
	}
	for (unsigned int g = 0; g < cfg->ngroups; g++)
		for (unsigned int r = 0; r < cfg->groups[g].nresources; r++) {
			const struct xhb_resource *res = &cfg->groups[g].resources[r];

			if (res->kind == XHB_RES_ADDRESS && res->iface[0] &&
			    !if_nametoindex(res->iface)) {
				snprintf(err, errlen,
					 "%s:%u: no interface %s on this node",
					 cfg->haresources_path, res->line,
					 res->iface);
				return -ENODEV;
			}
		}
	return 0;
}

int xhb_agent_check_config(const char *dir, char *err, size_t errlen)
{
	struct xhb_config *cfg = calloc(1, sizeof(*cfg));
	int ret;

	if (!cfg)
		return -ENOMEM;
	ret = xhb_config_load(dir, cfg, err, errlen);
	if (!ret)
		ret = check_interfaces(cfg, err, errlen);
	free(cfg);
	return ret;
}

static void emit_config(struct xhb_agent *a)
{
	const struct xhb_config *c = a->cfg;
	struct xhb_member_timers t = timers(c);
	char buf[64];

	xhb_events__emitf(a->ev, "config_loaded",
			  "{s:s, s:i, s:i, s:f, s:f, s:f, s:f, s:f, s:i, s:f, s:i, s:I, s:s}",
			  "config_dir", c->dir, "node_count", (int)c->nnodes,
			  "group_count", (int)c->ngroups, "keepalive_ms", ms(c->keepalive_ns),
			  "deadtime_ms", ms(c->deadtime_ns), "warntime_ms",
			  ms(c->warntime_ns), "initdead_ms", ms(c->initdead_ns),
			  "probe_interval_ms",
			  ms(xhb_member_probe_period_ns(&t)),
			  "probe_misses", (int)c->probe_misses, "lease_ms",
			  ms(c->lease_ns), "udpport", c->udpport, "cluster_id",
			  (json_int_t)c->cluster_id, "auto_failback",
			  c->auto_failback == XHB_FAILBACK_OFF ? "off"
			  : c->auto_failback == XHB_FAILBACK_ON ? "on"
								 : "legacy");
	for (unsigned int i = 0; i < c->nnotes; i++) {
		const struct xhb_config_note *n = &c->notes[i];

		snprintf(buf, sizeof(buf), "config_%s", xhb_note_kind_name(n->kind));
		xhb_events__emitf(a->ev, buf, "{s:s, s:i, s:s, s:s}", "file",
				  n->file, "line", (int)n->line, "directive",
				  n->directive, "message", n->message);
	}
}

/* The interfaces the heartbeat media use: XDP goes on each of them. */
static int collect_ifaces(struct xhb_agent *a, char *err, size_t errlen)
{
	a->nifaces = 0;
	for (unsigned int m = 0; m < a->cfg->nmedia; m++) {
		const char *name = a->cfg->media[m].iface;
		bool dup = false;

		for (unsigned int i = 0; i < a->nifaces; i++)
			dup |= !strcmp(a->ifaces[i].name, name);
		if (dup)
			continue;
		if (a->nifaces == MAX_IFACES) {
			snprintf(err, errlen, "%s:%u: more than %d cluster interfaces",
				 a->cfg->hacf_path, a->cfg->media[m].line, MAX_IFACES);
			return -EINVAL;
		}
		snprintf(a->ifaces[a->nifaces].name, IFNAMSIZ, "%s", name);
		a->ifaces[a->nifaces].ifindex = xhb_nl__ifindex(a->nl, name);
		if (a->ifaces[a->nifaces].ifindex < 0) {
			snprintf(err, errlen, "%s:%u: no interface %s on this node",
				 a->cfg->hacf_path, a->cfg->media[m].line, name);
			return -ENODEV;
		}
		a->nifaces++;
	}
	if (!a->nifaces) {
		snprintf(err, errlen,
			 "%s: no heartbeat medium (bcast, mcast or ucast): nothing to listen on",
			 a->cfg->hacf_path);
		return -EINVAL;
	}
	return 0;
}

static void write_keys(struct xhb_agent *a)
{
	struct xhb_key keys[XHB_MAX_KEYS];

	xhb_wire_keys_from_config(a->cfg, keys);
	for (unsigned int i = 0; i < a->nifaces; i++)
		dataplane__set_keys(a->ifaces[i].dp, keys);
}

static int open_dataplanes(struct xhb_agent *a, char *err, size_t errlen)
{
	char pin_dir[PATH_MAX];

	for (unsigned int i = 0; i < a->nifaces; i++) {
		struct cluster_iface *ifc = &a->ifaces[i];
		const struct xhb_dataplane_info *info;
		struct xhb_dataplane_opts o = {
			.ifname = ifc->name,
			.port = a->cfg->udpport,
			.cluster_id = a->cfg->cluster_id,
			.mode = a->cfg->xdp_mode,
		};
		char why[512];
		int ret;

		/* One pin directory per interface, below pin_dir if set. */
		if (a->cfg->pin_dir[0]) {
			snprintf(pin_dir, sizeof(pin_dir), "%s/%s", a->cfg->pin_dir,
				 ifc->name);
			o.pin_dir = pin_dir;
		}
		if (ifc->dp) { /* reload: swap the program, keep the maps */
			dataplane__close(ifc->dp);
			ifc->dp = NULL;
		}
		ret = dataplane__open(&o, &ifc->dp, why, sizeof(why));
		if (ret) {
			snprintf(err, errlen, "%s", why);
			return ret;
		}
		info = dataplane__info(ifc->dp);
		if (info->fallback[0])
			xhb_events__emitf(a->ev, "dataplane_fallback",
					  "{s:s, s:s}", "iface", ifc->name,
					  "reason", info->fallback);
		xhb_events__emitf(a->ev, "dataplane_attached",
				  "{s:s, s:s, s:b, s:s, s:b, s:I}", "iface",
				  ifc->name, "mode",
				  info->generic ? "generic" : "native", "adopted",
				  info->adopted, "pin_dir", info->pin_dir,
				  "mounted_bpffs", info->mounted_bpffs, "prog_id",
				  (json_int_t)info->prog_id);
	}
	write_keys(a);
	return 0;
}

static int add_peers(struct xhb_agent *a)
{
	int ret;

	for (unsigned int n = 0; n < a->cfg->nnodes; n++) {
		struct peer_view *p = &a->peers[n];

		if ((int)n == a->self_index)
			continue;
		if (p->id != a->cfg->nodes[n].id) {
			memset(p, 0, sizeof(*p));
			p->node_index = n;
			p->id = a->cfg->nodes[n].id;
			p->state = XHB_MEMBER_UNKNOWN;
			p->since_ns = mono_ns();
		}
		for (unsigned int i = 0; i < a->nifaces; i++) {
			ret = dataplane__add_peer(a->ifaces[i].dp, p->id);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* ---- our own state, and the lease ------------------------------------ */

/*
 * Write our state for XDP, which answers probes with it. Writing renews
 * the lease: XDP fences our VIPs once agent_update_ns + lease_ms is past.
 */
static void publish_self_lease(struct xhb_agent *a, __u64 now, __u64 lease_ns)
{
	struct xhb_self self = {
		.incarnation = a->incarnation,
		.agent_epoch = ++a->epoch,
		.agent_update_ns = now,
		.node_id = a->self_id,
		.lease_ms = a->held ? lease_ns / NS_PER_MS : 0,
		.groups_held = a->held,
		.groups_wanted = a->wanted,
		.groups_refused = a->refused,
		.state = self_state(a),
		.priority = a->cfg->priority,
		.key_id = a->cfg->auth_index,
	};

	for (unsigned int i = 0; i < a->nifaces; i++)
		dataplane__write_self(a->ifaces[i].dp, &self);
	a->lease_renewed_ns = now;
	a->lease_ns = lease_ns;
}

static void publish_self(struct xhb_agent *a, __u64 now)
{
	publish_self_lease(a, now, a->cfg->lease_ns);
}

/*
 * Did our lease run out before we could renew it (we were stopped, hung
 * or starved)? Then XDP has been fencing our VIPs and the peers may have
 * taken them: let go before renewing, so we never answer for them again
 * beside the new owner. The decision that follows may take them back if
 * nobody else did.
 */
static bool lease_lapsed(const struct xhb_agent *a, __u64 now)
{
	return a->held && now > a->lease_renewed_ns + a->lease_ns;
}

/* ---- addresses of a group ------------------------------------------ */

/* The xhb_vip for an address resource; ifindex < 0 when unresolvable. */
static int resolve_vip(struct xhb_agent *a, const struct xhb_resource *r,
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
		ifindex = xhb_nl__ifindex(a->nl, r->iface);
	else
		ifindex = xhb_nl__ifindex_for_addr(a->nl, &vip->addr,
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

/* Tell every interface's XDP which addresses to fence if our lease lapses. */
static int fence_add(struct xhb_agent *a, const struct xhb_resource *res,
		     unsigned int g)
{
	for (unsigned int i = 0; i < a->nifaces; i++) {
		int ret = dataplane__vip_add(a->ifaces[i].dp, res->family,
					     &res->addr, g);
		if (ret)
			return ret;
	}
	return 0;
}

static void fence_del(struct xhb_agent *a, const struct xhb_resource *res)
{
	for (unsigned int i = 0; i < a->nifaces; i++)
		dataplane__vip_del(a->ifaces[i].dp, res->family, &res->addr);
}

static void vip_iface(int ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IFNAMSIZ, "#%d", ifindex);
}

/* 1 when every address of group g is up on this node with our tag. */
static int group_addresses_present(struct xhb_agent *a, unsigned int g)
{
	const struct xhb_group *grp = &a->cfg->groups[g];
	unsigned int addresses = 0;

	for (unsigned int r = 0; r < grp->nresources; r++) {
		const struct xhb_resource *res = &grp->resources[r];
		struct xhb_addr_info info;
		struct xhb_vip vip;

		if (res->kind != XHB_RES_ADDRESS)
			continue;
		addresses++;
		if (resolve_vip(a, res, &vip) ||
		    xhb_nl__addr_find(a->nl, vip.ifindex, &vip.addr, &info) != 1 ||
		    info.proto != XHB_IFA_PROTO)
			return 0;
	}
	return addresses > 0;
}

static int run_script(struct xhb_agent *a, unsigned int g,
		      const struct xhb_resource *res, const char *action)
{
	const char *args[XHB_CONFIG_MAX_ARGS + 1];
	struct xhb_resource_result *out = calloc(1, sizeof(*out));
	char spec[XHB_SPEC_MAX];
	int ret;

	if (!out)
		return -ENOMEM;
	for (unsigned int i = 0; i < res->nargs; i++)
		args[i] = res->args[i];
	args[res->nargs] = NULL;
	snprintf(spec, sizeof(spec), "%s", res->spec);
	/* The loop waits for the script: stretch the lease over its longest
	 * run, or XDP would fence our VIPs and the peer take them meanwhile.
	 * Peers see our agent stalled, not dead, until we are back. */
	if (a->cfg->lease_ns < SCRIPT_LEASE_NS)
		publish_self_lease(a, mono_ns(), SCRIPT_LEASE_NS);
	ret = xhb_resource_run(res->path, args, action, RESOURCE_TIMEOUT_MS, out);
	if (ret) {
		xhb_events__emitf(a->ev, "resource_failed",
				  "{s:i, s:s, s:s, s:s, s:s}", "group", g,
				  "resource", spec, "action", action, "reason",
				  "cannot_run", "error", strerror(-ret));
		free(out);
		return ret;
	}
	if (xhb_resource_ok(out)) {
		xhb_events__emitf(a->ev,
				  !strcmp(action, "start") ? "resource_start"
							   : "resource_stop",
				  "{s:i, s:s, s:i, s:f, s:s}", "group", g,
				  "resource", spec, "exit_code", out->exit_code,
				  "duration_ms", ms(out->duration_ns), "output",
				  out->output);
		free(out);
		return 0;
	}
	{
		json_t *ev = xhb_event_new("resource_failed");
		char sig[32];

		json_object_set_new(ev, "group", json_integer(g));
		json_object_set_new(ev, "resource", json_string(spec));
		json_object_set_new(ev, "action", json_string(action));
		json_object_set_new(ev, "reason",
				    json_string(xhb_resource_outcome_str(out->outcome)));
		json_object_set_new(ev, "duration_ms", json_real(ms(out->duration_ns)));
		json_object_set_new(ev, "output", json_string(out->output));
		if (out->exit_code >= 0)
			json_object_set_new(ev, "exit_code", json_integer(out->exit_code));
		if (out->signal) {
			xhb_resource_signal_name(out->signal, sig, sizeof(sig));
			json_object_set_new(ev, "signal", json_string(sig));
		}
		xhb_events__emit(a->ev, ev);
	}
	free(out);
	return -EIO;
}

/* Undo resources [0, upto) of group g, right to left. */
static void release_resources(struct xhb_agent *a, unsigned int g,
			      unsigned int upto)
{
	const struct xhb_group *grp = &a->cfg->groups[g];
	char addr[INET6_ADDRSTRLEN], ifname[IFNAMSIZ];

	while (upto-- > 0) {
		const struct xhb_resource *res = &grp->resources[upto];
		struct xhb_vip vip;
		int ret;

		if (res->kind == XHB_RES_SCRIPT) {
			run_script(a, g, res, "stop");
			continue;
		}
		addr_text(res->family, &res->addr, addr, sizeof(addr));
		ret = resolve_vip(a, res, &vip);
		if (!ret)
			ret = xhb_nl__vip_del(a->nl, &vip);
		/* Gone from the interface: nothing left to fence. */
		if (!ret)
			fence_del(a, res);
		vip_iface(vip.ifindex, ifname);
		if (ret)
			xhb_events__emitf(a->ev, "resource_failed",
					  "{s:i, s:s, s:s, s:s, s:s}", "group", g,
					  "resource", res->spec, "action", "stop",
					  "reason", "netlink", "error",
					  strerror(-ret));
		else
			xhb_events__emitf(a->ev, "vip_removed",
					  "{s:i, s:s, s:s}", "group", g, "vip",
					  addr, "iface", ifname);
	}
}

static void announce(struct xhb_agent *a, unsigned int g)
{
	const struct xhb_group *grp = &a->cfg->groups[g];

	for (unsigned int r = 0; r < grp->nresources; r++) {
		const struct xhb_resource *res = &grp->resources[r];
		char addr[INET6_ADDRSTRLEN], ifname[IFNAMSIZ];
		struct xhb_vip vip;
		int ret;

		if (res->kind != XHB_RES_ADDRESS || resolve_vip(a, res, &vip))
			continue;
		ret = res->family == AF_INET
			      ? xhb_announce__garp(a->ann, vip.ifindex, vip.addr.v4,
						   XHB_GARP_REQUEST)
			      : xhb_announce__na(a->ann, vip.ifindex, &vip.addr.v6);
		addr_text(res->family, &res->addr, addr, sizeof(addr));
		vip_iface(vip.ifindex, ifname);
		xhb_events__emitf(a->ev, "garp_sent", "{s:i, s:s, s:s, s:i, s:s*}",
				  "group", g, "vip", addr, "iface", ifname,
				  "packet",
				  (int)(a->cfg->garp_count - a->groups[g].announce_left + 1),
				  "error", ret ? strerror(-ret) : NULL);
	}
}

static void schedule_announce(struct xhb_agent *a, unsigned int g, __u64 now)
{
	a->groups[g].announce_left = a->cfg->garp_count;
	a->groups[g].announce_next_ns = now;
}

static void send_due_announcements(struct xhb_agent *a, __u64 now)
{
	/* Never point the segment at a node whose XDP fences the VIP. */
	if (lease_lapsed(a, mono_ns()))
		return;
	for (unsigned int g = 0; g < a->cfg->ngroups; g++) {
		struct group_state *gs = &a->groups[g];

		if (!gs->held || !gs->announce_left || now < gs->announce_next_ns)
			continue;
		announce(a, g);
		gs->announce_left--;
		gs->announce_next_ns = now + a->cfg->garp_interval_ns;
	}
}

/* ---- transitions ------------------------------------------------------ */

/* Addresses and resources left to right, then announce. */
static int group_acquire(struct xhb_agent *a, unsigned int g,
			 const char *reason, __u64 now)
{
	const struct xhb_group *grp = &a->cfg->groups[g];
	char spec[1024], addr[INET6_ADDRSTRLEN], ifname[IFNAMSIZ];
	unsigned int r;
	int ret = 0;

	group_spec(grp, spec, sizeof(spec));
	/*
	 * Ours from the first step on: as soon as one of its addresses may be
	 * up, peers must see the group held (or a woken peer would take it
	 * beside us while a slow script runs) and our lease must cover it.
	 */
	a->groups[g].held = true;
	a->groups[g].changed_ns = now;
	a->held |= 1U << g;
	publish_self(a, mono_ns());
	for (r = 0; r < grp->nresources; r++) {
		const struct xhb_resource *res = &grp->resources[r];
		struct xhb_vip vip;

		if (res->kind == XHB_RES_SCRIPT) {
			ret = run_script(a, g, res, "start");
			if (ret)
				break;
			continue;
		}
		addr_text(res->family, &res->addr, addr, sizeof(addr));
		/* Fenced before it is up: never an unleased VIP. */
		ret = resolve_vip(a, res, &vip);
		if (!ret)
			ret = fence_add(a, res, g);
		if (!ret)
			ret = xhb_nl__vip_add(a->nl, &vip);
		if (ret) {
			xhb_events__emitf(a->ev, "resource_failed",
					  "{s:i, s:s, s:s, s:s, s:s}", "group", g,
					  "resource", res->spec, "action", "start",
					  "reason", "netlink", "error",
					  ret == -ENOENT ? "no interface holds a subnet for this address"
							 : strerror(-ret));
			break;
		}
		vip_iface(vip.ifindex, ifname);
		xhb_events__emitf(a->ev, "vip_added", "{s:i, s:s, s:s, s:i, s:s*}",
				  "group", g, "vip", addr, "iface", ifname,
				  "prefix", (int)vip.prefixlen, "label", vip.label);
		/* Tell the segment now, not after the group's slow scripts. */
		schedule_announce(a, g, now);
		send_due_announcements(a, mono_ns());
	}
	if (ret) {
		/* Half a group serves nobody: undo, and let another node try. */
		release_resources(a, g, r);
		a->groups[g].held = false;
		a->groups[g].announce_left = 0;
		a->held &= ~(1U << g);
		a->refused |= 1U << g;
		publish_self(a, mono_ns());
		xhb_events__emitf(a->ev, "group_release", "{s:i, s:s, s:s, s:f}",
				  "group", g, "group_resources", spec, "reason",
				  "resource_failed", "duration_ms", ms(mono_ns() - now));
		return ret;
	}
	a->wanted &= ~(1U << g);
	xhb_events__emitf(a->ev, "group_acquire", "{s:i, s:s, s:s, s:f}", "group",
			  g, "group_resources", spec, "reason", reason,
			  "duration_ms", ms(mono_ns() - now));
	return 0;
}

/* Resources right to left, then addresses (they are resources too). */
static void group_release(struct xhb_agent *a, unsigned int g,
			  const char *reason, __u64 now)
{
	char spec[1024];

	group_spec(&a->cfg->groups[g], spec, sizeof(spec));
	release_resources(a, g, a->cfg->groups[g].nresources);
	a->groups[g].held = false;
	a->groups[g].changed_ns = now;
	a->groups[g].announce_left = 0;
	a->held &= ~(1U << g);
	xhb_events__emitf(a->ev, "group_release", "{s:i, s:s, s:s, s:f}", "group",
			  g, "group_resources", spec, "reason", reason,
			  "duration_ms", ms(mono_ns() - now));
}

/*
 * We could not hear the peers for a while (our link was down, or we were
 * stopped long enough for our lease to lapse): what we last knew of them
 * (who is up, what it holds) is stale, and one may be taking our groups
 * right now. Forget it all, judge nobody dead before one detection window
 * of listening, and take nothing until every peer was heard afresh or we
 * listened long enough to hear a live one (ARP, a switch relearning, one
 * heartbeat): two keepalives, within deadtime.
 */
static void listen_again(struct xhb_agent *a, __u64 now)
{
	struct xhb_member_timers t = timers(a->cfg);
	__u64 listen = 2 * a->cfg->keepalive_ns;

	for (unsigned int n = 0; n < a->cfg->nnodes; n++) {
		struct peer_view *p = &a->peers[n];

		if ((int)n != a->self_index) {
			p->state = XHB_MEMBER_UNKNOWN;
			p->since_ns = now;
		}
	}
	if (listen < xhb_member_window_ns(&t))
		listen = xhb_member_window_ns(&t);
	if (listen > a->cfg->deadtime_ns)
		listen = a->cfg->deadtime_ns;
	a->steady_since_ns = now;
	a->init = true;
	a->init_until_ns = now + listen;
	a->listen_since_ns = now;
}

static void release_after_lapse(struct xhb_agent *a, __u64 lapsed_ns,
				__u64 now)
{
	xhb_events__emitf(a->ev, "lease_expired", "{s:f, s:f}", "lease_ms",
			  ms(a->lease_ns), "late_ms", ms(lapsed_ns));
	for (unsigned int g = 0; g < a->cfg->ngroups; g++)
		if (a->groups[g].held)
			group_release(a, g, "lease_expired", now);
}

static void set_state(struct xhb_agent *a, enum xhb_node_state from,
		      const char *reason)
{
	enum xhb_node_state to = self_state(a);

	if (from != to)
		xhb_events__emitf(a->ev, "state_change", "{s:s, s:s, s:s}", "from",
				  self_state_name(from), "to",
				  self_state_name(to), "reason", reason);
}

/* ---- the loop's steps -------------------------------------------------- */


static void fill_header(struct xhb_agent *a, struct xhb_hdr *h, __u8 type,
			__u32 dest, __u64 now)
{
	const struct xhb_auth_key *k = &a->cfg->keys[a->cfg->auth_index];
	struct xhb_key key = {.k0 = k->k0, .k1 = k->k1, .method = k->method};

	memset(h, 0, sizeof(*h));
	h->magic = htonl(XHB_MAGIC);
	h->version = XHB_VERSION;
	h->type = type;
	h->state = self_state(a);
	h->priority = a->cfg->priority;
	h->cluster_id = htonl(a->cfg->cluster_id);
	h->node_id = htonl(a->self_id);
	h->dest_node_id = htonl(dest);
	h->incarnation = htobe64(a->incarnation);
	h->seq = htobe64(++a->seq);
	h->timestamp_ns = htobe64(now);
	h->agent_epoch = htobe64(a->epoch);
	h->lease_ms = htonl(a->held ? a->cfg->lease_ns / NS_PER_MS : 0);
	h->groups_held = htonl(a->held);
	h->groups_wanted = htonl(a->wanted);
	h->groups_refused = htonl(a->refused);
	xhb_wire_sign(h, a->cfg->auth_index, &key);
}

static void sockaddr_of(struct sockaddr_storage *ss, int family,
			const void *addr, __u16 port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr, 16);
	}
}

static void send_heartbeats(struct xhb_agent *a, __u64 now)
{
	static const __u8 bcast[4] = {255, 255, 255, 255};
	struct sockaddr_storage to;
	struct xhb_hdr h;

	fill_header(a, &h, XHB_MSG_HEARTBEAT, 0, now);
	for (unsigned int m = 0; m < a->cfg->nmedia; m++) {
		const struct xhb_medium *md = &a->cfg->media[m];
		int ttl = 0;

		switch (md->kind) {
		case XHB_MEDIUM_BCAST:
			sockaddr_of(&to, AF_INET, bcast, a->cfg->udpport);
			break;
		case XHB_MEDIUM_MCAST:
			sockaddr_of(&to, md->family, &md->addr,
				    md->port ? md->port : a->cfg->udpport);
			ttl = md->ttl;
			break;
		default:
			sockaddr_of(&to, md->family, &md->addr, a->cfg->udpport);
			break;
		}
		xhb_sender__send(a->tx, md->iface, &to, &h, ttl);
	}
}

/* A peer's address on iface: from a ucast line, else learned by XDP. */
static bool probe_target(struct xhb_agent *a, const struct peer_view *p,
			 unsigned int iface, struct sockaddr_storage *to)
{
	const struct cluster_iface *ifc = &a->ifaces[iface];

	if (p->where[iface].family) {
		sockaddr_of(to, p->where[iface].family, p->where[iface].addr,
			    a->cfg->udpport);
		return true;
	}
	for (unsigned int m = 0; m < a->cfg->nmedia; m++) {
		const struct xhb_medium *md = &a->cfg->media[m];

		/* Several peers on ucast lines: we cannot tell which is
		 * which until one speaks; probing them all is harmless
		 * (a probe for another node is dropped by its XDP). */
		if (md->kind == XHB_MEDIUM_UCAST && !strcmp(md->iface, ifc->name)) {
			sockaddr_of(to, md->family, &md->addr, a->cfg->udpport);
			return true;
		}
	}
	return false;
}

static void send_probes(struct xhb_agent *a, __u64 now)
{
	struct sockaddr_storage to;
	struct xhb_hdr h;

	for (unsigned int n = 0; n < a->cfg->nnodes; n++) {
		struct peer_view *p = &a->peers[n];

		if ((int)n == a->self_index)
			continue;
		for (unsigned int i = 0; i < a->nifaces; i++) {
			if (!a->ifaces[i].usable || !probe_target(a, p, i, &to))
				continue;
			fill_header(a, &h, XHB_MSG_PROBE, p->id, now);
			xhb_sender__send(a->tx, a->ifaces[i].name, &to, &h, 0);
		}
	}
}

/* The freshest of what each interface's XDP saw of a peer. */
static bool read_peer(struct xhb_agent *a, struct peer_view *p)
{
	struct xhb_peer s, best;
	bool any = false;

	memset(&best, 0, sizeof(best));
	for (unsigned int i = 0; i < a->nifaces; i++) {
		__u64 last, best_last;

		if (dataplane__peer(a->ifaces[i].dp, p->id, &s))
			continue;
		if (s.family) {
			/* XDP stores AF_INET/AF_INET6 values as the kernel's. */
			p->where[i].family = s.family;
			memcpy(p->where[i].addr, s.addr, sizeof(s.addr));
		}
		last = s.last_heartbeat_ns > s.last_reply_ns ? s.last_heartbeat_ns
							    : s.last_reply_ns;
		best_last = best.last_heartbeat_ns > best.last_reply_ns
				    ? best.last_heartbeat_ns
				    : best.last_reply_ns;
		if (!any || last > best_last) {
			__u64 hb = best.last_heartbeat_ns, rp = best.last_reply_ns;

			best = s;
			if (hb > best.last_heartbeat_ns)
				best.last_heartbeat_ns = hb;
			if (rp > best.last_reply_ns)
				best.last_reply_ns = rp;
		} else {
			if (s.last_heartbeat_ns > best.last_heartbeat_ns)
				best.last_heartbeat_ns = s.last_heartbeat_ns;
			if (s.last_reply_ns > best.last_reply_ns)
				best.last_reply_ns = s.last_reply_ns;
		}
		any = true;
	}
	if (any) {
		p->snap = best;
		p->seen = best.last_heartbeat_ns || best.last_reply_ns;
	}
	return any;
}

/*
 * A flood at our port (XDP drops junk faster than FLOOD_JUNK_PER_MS): the
 * peers' genuine packets wait in the same saturated queues, for more than
 * a millisecond window. Judge on a wider window (within deadtime) while it
 * lasts. An attacker can thus delay a death verdict, never cause one.
 */
static void watch_flood(struct xhb_agent *a, __u64 now)
{
	__u64 junk = 0, elapsed = now - a->junk_seen_ns;

	for (unsigned int i = 0; i < a->nifaces; i++)
		junk += dataplane__junk(a->ifaces[i].dp);
	if (a->junk_seen_ns && junk > a->junk_seen &&
	    junk - a->junk_seen > FLOOD_JUNK_PER_MS * (elapsed / NS_PER_MS + 1)) {
		if (now >= a->flood_until_ns)
			xhb_events__emitf(a->ev, "flood", "{s:f, s:f}", "junk_pps",
					  (junk - a->junk_seen) * 1e9 /
						  (elapsed ? elapsed : 1),
					  "window_ms", ms(FLOOD_WINDOW_NS));
		a->flood_until_ns = now + FLOOD_HOLD_NS;
	}
	a->junk_seen = junk;
	a->junk_seen_ns = now;
}

static void judge_peers(struct xhb_agent *a, __u64 now)
{
	/* With our own link down, silence proves nothing about them. */
	if (a->fault)
		return;
	for (unsigned int n = 0; n < a->cfg->nnodes; n++) {
		struct peer_view *p = &a->peers[n];
		struct xhb_member_input in;
		struct xhb_member_verdict v;

		if ((int)n == a->self_index || !read_peer(a, p))
			continue;
		memset(&in, 0, sizeof(in));
		in.peer = p->snap;
		in.now_ns = now;
		in.agent_start_ns = a->start_ns;
		in.last_loop_ns = a->last_loop_ns;
		in.steady_since_ns = a->steady_since_ns;
		in.prev_state = p->state;
		in.prev_since_ns = p->since_ns;
		in.timers = timers(a->cfg);
		/* Once a probe period, on a fresh read: did the period bring a
		 * sign of life? (Only of a peer we think alive: a dead one
		 * teaches nothing.) */
		if (now >= p->loss_next_ns) {
			__u64 period = xhb_member_probe_period_ns(&in.timers);

			if (p->state != XHB_MEMBER_DEAD &&
			    p->state != XHB_MEMBER_UNKNOWN)
				xhb_member_loss_update(
					&p->loss,
					max3(p->snap.last_heartbeat_ns,
					     p->snap.last_probe_ns,
					     p->snap.last_reply_ns));
			p->loss_next_ns += period;
			if (p->loss_next_ns <= now)
				p->loss_next_ns = now + period;
		}
		/* More misses on a lossy path: no false death at 30% loss. */
		in.timers.probe_misses = xhb_member_misses(&p->loss, &in.timers);
		if (now < a->flood_until_ns && in.timers.probe_misses &&
		    in.timers.probe_interval_ns) {
			__u64 w = FLOOD_WINDOW_NS < a->cfg->deadtime_ns
					  ? FLOOD_WINDOW_NS
					  : a->cfg->deadtime_ns;
			__u32 flood_misses = w / in.timers.probe_interval_ns - 1;

			if (flood_misses > in.timers.probe_misses)
				in.timers.probe_misses = flood_misses;
		}
		v = xhb_member_judge(&in);
		/* Nothing is ever judged back to "unknown": no such event. */
		if (!v.changed || v.state == XHB_MEMBER_UNKNOWN)
			continue;
		/*
		 * Listening again (see listen_again()), only an answer to a probe
		 * we sent since is news of the peer: its heartbeats and probes
		 * may have waited seconds behind an unresolved ARP entry and
		 * say what it held then. Its XDP's reply says what it holds now.
		 */
		if (a->listen_since_ns && p->state == XHB_MEMBER_UNKNOWN &&
		    v.state != XHB_MEMBER_DEAD &&
		    !(p->snap.last_reply_ns &&
		      p->snap.last_reply_ns - p->snap.rtt_ns >= a->listen_since_ns))
			continue;
		{
			char event[32];

			snprintf(event, sizeof(event), "peer_%s",
				 xhb_member_state_name(v.state));
			xhb_events__emitf(a->ev, event,
					  "{s:s, s:s, s:s, s:s*, s:f, s:f}", "peer",
					  a->cfg->nodes[n].name, "from",
					  xhb_member_state_name(p->state), "to",
					  xhb_member_state_name(v.state), "reason",
					  v.reason, "detection_ms",
					  ms(v.detection_ns), "rtt_ms",
					  ms(p->snap.rtt_ns));
		}
		/*
		 * A peer we had lost is back: to us, a healed partition. It
		 * may have taken our groups meanwhile and let them go already,
		 * before we could see it hold them, and the segment's ARP
		 * caches may point at it: what we keep, we announce again.
		 */
		if ((p->state == XHB_MEMBER_DEAD || p->state == XHB_MEMBER_UNKNOWN) &&
		    (v.state == XHB_MEMBER_UP || v.state == XHB_MEMBER_WARN)) {
			a->peer_back = true;
			a->peer_back_healed |= p->state == XHB_MEMBER_DEAD;
		}
		p->state = v.state;
		p->since_ns = v.since_ns;
	}
}

/* initdead ends when every peer was heard from, or when it runs out. */
static void check_init(struct xhb_agent *a, __u64 now)
{
	bool all_seen = true;

	if (!a->init)
		return;
	for (unsigned int n = 0; n < a->cfg->nnodes; n++)
		if ((int)n != a->self_index && a->peers[n].state == XHB_MEMBER_UNKNOWN)
			all_seen = false;
	if (all_seen || now >= a->init_until_ns) {
		a->init = false;
		a->listen_since_ns = 0;
		set_state(a, XHB_NODE_INIT,
			  all_seen			  ? "all_peers_seen"
			  : now - a->start_ns >= a->cfg->initdead_ns ? "initdead_expired"
							  : "listen_window_expired");
	}
}

/* A stalled peer's hold counts until its lease has surely run out. */
static bool lease_expired(const struct xhb_agent *a, const struct peer_view *p,
			  __u64 now)
{
	struct xhb_member_timers t = timers(a->cfg);
	__u64 slack = xhb_member_probe_period_ns(&t);

	if (!p->snap.lease_seen_ns)
		return false; /* never advertised a lease: nothing can expire */
	/* A reply saying 0 left was sent by an XDP that was fencing already. */
	if (!p->snap.lease_ms)
		return true;
	return now > p->snap.lease_seen_ns + p->snap.lease_ms * NS_PER_MS +
			     p->snap.rtt_ns + slack;
}

static void decide_and_act(struct xhb_agent *a, __u64 now)
{
	struct xhb_decide_node nodes[XHB_CONFIG_MAX_NODES];
	struct xhb_decision out[XHB_MAX_GROUPS];
	int preferred[XHB_MAX_GROUPS];
	struct xhb_decide_input in = {
		.n_nodes = a->cfg->nnodes,
		.n_groups = a->cfg->ngroups,
		.self = a->self_index,
		.self_flags = (a->init ? XHB_SELF_INIT : 0) |
			      (a->fault ? XHB_SELF_FAULT : 0) |
			      (a->leaving ? XHB_SELF_LEAVING : 0),
		.auto_failback = a->cfg->auto_failback,
		.nodes = nodes,
		.preferred = preferred,
	};

	memset(nodes, 0, sizeof(nodes));
	for (unsigned int n = 0; n < a->cfg->nnodes; n++) {
		const struct peer_view *p = &a->peers[n];

		if ((int)n == a->self_index) {
			nodes[n].held = a->held;
			nodes[n].wanted = a->wanted;
			nodes[n].refused = a->refused;
			continue;
		}
		nodes[n].state = p->state;
		nodes[n].starting = p->snap.state == XHB_NODE_INIT;
		nodes[n].lease_expired = lease_expired(a, p, now);
		nodes[n].held = p->snap.groups_held;
		nodes[n].wanted = p->snap.groups_wanted;
		nodes[n].refused = p->snap.groups_refused;
	}
	for (unsigned int g = 0; g < a->cfg->ngroups; g++)
		preferred[g] = a->cfg->groups[g].node_index;
	if (xhb_decide(&in, out))
		return;
	/*
	 * We may have been stopped anywhere in this loop, with `now` read
	 * before: if the lease ran out meanwhile, act on nothing; the next
	 * loop releases first (see lease_lapsed()).
	 */
	if (lease_lapsed(a, mono_ns()))
		return;
	/* Release first: a VIP must leave one node before it reaches another. */
	for (unsigned int g = 0; g < a->cfg->ngroups; g++)
		if (out[g].action == XHB_ACTION_RELEASE)
			group_release(a, g, xhb_reason_name(out[g].reason), now);
	for (unsigned int g = 0; g < a->cfg->ngroups; g++) {
		/* decide says "announce" every loop until the other holder lets
		 * go: once per episode is enough */
		bool healed = (out[g].announce && !a->groups[g].announce_left) ||
			      a->peer_back_healed;
		char spec[1024];

		if (out[g].action == XHB_ACTION_ACQUIRE) {
			group_acquire(a, g, xhb_reason_name(out[g].reason), now);
			continue;
		}
		if (out[g].action != XHB_ACTION_KEEP || (!healed && !a->peer_back))
			continue;
		/* Kept after a partition, or a peer is back: see judge_peers() */
		schedule_announce(a, g, now);
		if (!healed)
			continue;
		group_spec(&a->cfg->groups[g], spec, sizeof(spec));
		xhb_events__emitf(a->ev, "group_acquire", "{s:i, s:s, s:s, s:f}",
				  "group", g, "group_resources", spec, "reason",
				  xhb_reason_name(XHB_REASON_PARTITION_RESOLVED),
				  "duration_ms", 0.0);
	}
	a->peer_back = a->peer_back_healed = false;
}

/* ---- events from outside: links, signals, control ------------------- */

static bool iface_in_use(const struct xhb_agent *a, const char *name)
{
	for (unsigned int i = 0; i < a->nifaces; i++)
		if (!strcmp(a->ifaces[i].name, name))
			return true;
	for (unsigned int g = 0; g < a->cfg->ngroups; g++)
		for (unsigned int r = 0; r < a->cfg->groups[g].nresources; r++)
			if (!strcmp(a->cfg->groups[g].resources[r].iface, name))
				return true;
	return false;
}

static void refresh_links(struct xhb_agent *a)
{
	enum xhb_node_state before = self_state(a);
	bool fault = false;

	for (unsigned int i = 0; i < a->nifaces; i++) {
		struct xhb_link_state ls;

		a->ifaces[i].usable = !xhb_nl__link_state(a->nl, a->ifaces[i].ifindex,
							  &ls) &&
				      ls.usable;
		fault |= !a->ifaces[i].usable;
	}
	if (a->fault && !fault)
		listen_again(a, mono_ns());
	a->fault = fault;
	set_state(a, before, fault ? "link_down" : "link_up");
}

static void on_netlink(const struct xhb_nl_event *e, void *ctx)
{
	struct xhb_agent *a = ctx;
	char addr[INET6_ADDRSTRLEN];

	switch (e->type) {
	case XHB_NL_LINK_UP:
	case XHB_NL_LINK_DOWN:
		if (!iface_in_use(a, e->ifname))
			return;
		xhb_events__emitf(a->ev,
				  e->type == XHB_NL_LINK_UP ? "link_up" : "link_down",
				  "{s:s}", "iface", e->ifname);
		refresh_links(a);
		break;
	case XHB_NL_ADDR_REMOVED:
		/* Someone removed a VIP we hold: say so, and put it back. */
		for (unsigned int g = 0; g < a->cfg->ngroups; g++) {
			const struct xhb_group *grp = &a->cfg->groups[g];

			if (!a->groups[g].held)
				continue;
			for (unsigned int r = 0; r < grp->nresources; r++) {
				const struct xhb_resource *res = &grp->resources[r];
				struct xhb_vip vip;

				if (res->kind != XHB_RES_ADDRESS ||
				    res->family != e->addr.family ||
				    memcmp(&res->addr, &e->addr.v6,
					   res->family == AF_INET ? 4 : 16))
					continue;
				/* The news may be older than our own re-add (a
				 * release and a re-acquire in one loop): lost is
				 * what is absent now. */
				if (resolve_vip(a, res, &vip) ||
				    xhb_nl__addr_find(a->nl, vip.ifindex, &vip.addr,
						      NULL) == 1)
					continue;
				addr_text(res->family, &res->addr, addr, sizeof(addr));
				xhb_events__emitf(a->ev, "vip_lost", "{s:i, s:s}",
						  "group", g, "vip", addr);
				if (!xhb_nl__vip_add(a->nl, &vip)) {
					char ifname[IFNAMSIZ];

					vip_iface(vip.ifindex, ifname);
					xhb_events__emitf(a->ev, "vip_added",
							  "{s:i, s:s, s:s, s:i, s:s}",
							  "group", g, "vip", addr,
							  "iface", ifname, "prefix",
							  (int)vip.prefixlen, "reason",
							  "restored");
					schedule_announce(a, g, mono_ns());
				}
			}
		}
		break;
	case XHB_NL_RESYNC:
		refresh_links(a);
		break;
	default:
		break;
	}
}

static bool in_scope(const struct xhb_agent *a, unsigned int g,
		     enum xhb_control_scope scope)
{
	bool local = a->cfg->groups[g].node_index == a->self_index;

	return scope == XHB_SCOPE_ALL || (scope == XHB_SCOPE_LOCAL) == local;
}

static json_t *status_json(struct xhb_agent *a)
{
	json_t *groups = json_array(), *peers = json_array();
	struct xhb_member_timers t = timers(a->cfg);
	__u64 now = mono_ns();

	for (unsigned int g = 0; g < a->cfg->ngroups; g++) {
		char spec[1024];
		const char *owner = a->groups[g].held ? a->node : NULL;

		group_spec(&a->cfg->groups[g], spec, sizeof(spec));
		for (unsigned int n = 0; !owner && n < a->cfg->nnodes; n++)
			if ((int)n != a->self_index &&
			    a->peers[n].state != XHB_MEMBER_DEAD &&
			    (a->peers[n].snap.groups_held & (1U << g)))
				owner = a->cfg->nodes[n].name;
		json_array_append_new(
			groups,
			json_pack("{s:i, s:s, s:s, s:s?, s:b, s:b, s:b}", "group", g,
				  "resources", spec, "preferred",
				  a->cfg->groups[g].node, "owner", owner, "held",
				  a->groups[g].held, "standby",
				  !!(a->refused & (1U << g)), "takeover",
				  !!(a->wanted & (1U << g))));
	}
	for (unsigned int n = 0; n < a->cfg->nnodes; n++) {
		const struct peer_view *p = &a->peers[n];
		char addr[INET6_ADDRSTRLEN] = "";

		if ((int)n == a->self_index)
			continue;
		if (p->snap.family)
			inet_ntop(p->snap.family,
				  p->snap.addr, addr, sizeof(addr));
		json_array_append_new(
			peers,
			json_pack("{s:s, s:I, s:s, s:f, s:s, s:f, s:f, s:f, s:I, s:I, s:f, s:i}",
				  "name", a->cfg->nodes[n].name, "node_id",
				  (json_int_t)p->id, "state",
				  xhb_member_state_name(p->state), "since_ms",
				  ms(now - p->since_ns), "address", addr, "rtt_us",
				  p->snap.rtt_ns / 1e3, "heartbeat_age_ms",
				  p->snap.last_heartbeat_ns
					  ? ms(now - p->snap.last_heartbeat_ns)
					  : -1.0,
				  "reply_age_ms",
				  p->snap.last_reply_ns ? ms(now - p->snap.last_reply_ns)
							: -1.0,
				  "heartbeats", (json_int_t)p->snap.heartbeats,
				  "replies", (json_int_t)p->snap.replies,
				  "silent_periods_pct", p->loss.silent_ppm / 1e4,
				  "misses",
				  (int)xhb_member_misses(&p->loss, &t)));
	}
	return json_pack("{s:s, s:s, s:I, s:I, s:f, s:o, s:o}", "node", a->node,
			 "state", self_state_name(self_state(a)), "incarnation",
			 (json_int_t)a->incarnation, "epoch", (json_int_t)a->epoch,
			 "uptime_ms", ms(now - a->start_ns), "groups", groups,
			 "peers", peers);
}

static json_t *on_control(const struct xhb_control_request *req, void *ctx)
{
	struct xhb_agent *a = ctx;
	__u32 mask = 0;

	if (req->cmd == XHB_CONTROL_STATUS)
		return status_json(a);
	for (unsigned int g = 0; g < a->cfg->ngroups; g++)
		if (in_scope(a, g, req->scope))
			mask |= 1U << g;
	if (req->cmd == XHB_CONTROL_STANDBY) {
		a->refused |= mask;
		a->wanted &= ~mask;
	} else {
		a->wanted |= mask;
		a->refused &= ~mask;
	}
	{
		json_t *list = json_array();

		for (unsigned int g = 0; g < a->cfg->ngroups; g++)
			if (mask & (1U << g))
				json_array_append_new(list, json_integer(g));
		xhb_events__emitf(a->ev,
				  req->cmd == XHB_CONTROL_STANDBY
					  ? "standby_request"
					  : "takeover_request",
				  "{s:s, s:s, s:o}", "scope",
				  xhb_control_scope_str(req->scope), "source",
				  "control", "groups", list);
	}
	return json_pack("{s:s, s:I}", "scope", xhb_control_scope_str(req->scope),
			 "groups", (json_int_t)mask);
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

/* ---- reload ------------------------------------------------------------ */

static bool same_group(const struct xhb_group *x, const struct xhb_group *y)
{
	char sx[1024], sy[1024];

	group_spec(x, sx, sizeof(sx));
	group_spec(y, sy, sizeof(sy));
	return !strcmp(x->node, y->node) && !strcmp(sx, sy);
}

static void do_reload(struct xhb_agent *a)
{
	struct xhb_config *next = calloc(1, sizeof(*next));
	char err[512];
	__u64 now = mono_ns();
	int ret;

	a->reload = false;
	/* SIGHUP is also logrotate's postrotate: write to the new file. */
	ret = xhb_events__reopen(a->ev);
	if (ret)
		fprintf(stderr, "xhbd: cannot reopen logfile %s (%s): still writing to the old one\n",
			a->cfg->logfile, strerror(-ret));
	if (!next)
		return;
	ret = xhb_config_load(a->cfg->dir, next, err, sizeof(err));
	if (!ret && xhb_config_node_index(next, a->node) < 0) {
		snprintf(err, sizeof(err), "%s: this node (%s) is no longer a node",
			 next->hacf_path, a->node);
		ret = -EINVAL;
	}
	if (ret) {
		xhb_events__emitf(a->ev, "config_error", "{s:s, s:s}", "message",
				  err, "action", "kept the running configuration");
		free(next);
		return;
	}
	/* Groups whose definition changed are released under the old one. */
	for (unsigned int g = 0; g < a->cfg->ngroups; g++)
		if (a->groups[g].held &&
		    (g >= next->ngroups || !same_group(&a->cfg->groups[g], &next->groups[g])))
			group_release(a, g, "reload", now);
	free(a->cfg);
	a->cfg = next;
	a->self_index = xhb_config_node_index(a->cfg, a->node);
	a->held &= (a->cfg->ngroups < 32 ? (1U << a->cfg->ngroups) - 1 : ~0U);
	xhb_events__emitf(a->ev, "reload", "{s:s, s:s}", "config_dir", a->cfg->dir,
			  "reason", "SIGHUP");
	emit_config(a);
	if (open_dataplanes(a, err, sizeof(err)) || add_peers(a))
		xhb_events__emitf(a->ev, "config_error", "{s:s, s:s}", "message",
				  err, "action", "data plane not reloaded");
}

/* ---- open, run, close -------------------------------------------------- */

static int open_signals(struct xhb_agent *a)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	a->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	return a->sigfd < 0 ? -errno : 0;
}

/* A restarted agent's incarnation must exceed its predecessor's. */
static __u64 next_incarnation(struct xhb_agent *a)
{
	__u64 inc = real_ns();

	for (unsigned int i = 0; i < a->nifaces; i++) {
		struct xhb_self old;

		if (!dataplane__read_self(a->ifaces[i].dp, &old) &&
		    old.incarnation >= inc)
			inc = old.incarnation + 1;
	}
	return inc;
}

/*
 * Groups whose addresses a previous agent left up are still ours (a crash
 * and restart, or an upgrade), as long as its lease still runs: XDP kept
 * answering for them meanwhile. Past the lease, XDP fenced them and a peer
 * may have taken them: let go first.
 */
static void adopt_groups(struct xhb_agent *a, __u64 now)
{
	struct xhb_self old;
	__u64 expiry = 0;
	char spec[1024];

	if (a->nifaces && !dataplane__read_self(a->ifaces[0].dp, &old) &&
	    old.groups_held)
		expiry = old.agent_update_ns + (__u64)old.lease_ms * NS_PER_MS;
	for (unsigned int g = 0; g < a->cfg->ngroups; g++) {
		if (group_addresses_present(a, g) != 1)
			continue;
		a->groups[g].held = true;
		a->groups[g].changed_ns = now;
		a->held |= 1U << g;
		group_spec(&a->cfg->groups[g], spec, sizeof(spec));
		for (unsigned int r = 0; r < a->cfg->groups[g].nresources; r++)
			if (a->cfg->groups[g].resources[r].kind == XHB_RES_ADDRESS)
				fence_add(a, &a->cfg->groups[g].resources[r], g);
		if (now <= expiry)
			xhb_events__emitf(a->ev, "group_acquire",
					  "{s:i, s:s, s:s, s:f}", "group", g,
					  "group_resources", spec, "reason",
					  "adopted", "duration_ms", 0.0);
	}
	if (a->held && now > expiry) {
		a->lease_renewed_ns = expiry < now ? expiry : now;
		a->lease_ns = 0;
		release_after_lapse(a, now - a->lease_renewed_ns, now);
	} else if (a->held) {
		/* The lease we inherit runs until the first loop renews it. */
		a->lease_renewed_ns = old.agent_update_ns;
		a->lease_ns = (__u64)old.lease_ms * NS_PER_MS;
	}
}

/*
 * Heartbeat's `realtime on`: SCHED_RR, so that a machine busy with other
 * work cannot starve the agent past its lease.
 *
 * Otherwise (the default) a fair-scheduler task that asks for a short
 * slice. The loop wakes every probe period for tens of microseconds, and
 * EEVDF lets a woken task preempt the one running on its CPU only when its
 * deadline comes first: with the default slice, a 1 ms loop sharing a CPU
 * with any busy process (a test's python, a compiler) woke 3-5 ms late
 * several times a second, and a verdict due then came that late
 * (bench/results/agent-gaps-*.md). A 100 us slice (see slice.h) makes it
 * preempt at wake-up and still take only its fair share of the CPU, so
 * unlike SCHED_RR it never starves the softirq threads that bring the
 * peers' packets in.
 *
 * Either way resource scripts go back to the defaults (reset on fork).
 */
static void set_scheduling(struct xhb_agent *a)
{
	struct sched_param sp = {.sched_priority = (int)a->cfg->rtprio};
	int ret;

	if (!a->cfg->realtime) {
		ret = xhb_sched_short_slice(XHB_SCHED_SLICE_NS);
		if (ret)
			fprintf(stderr,
				"xhbd: a short scheduler slice was refused (%s): the loop may wake late while other work runs on its CPU\n",
				strerror(-ret));
		return;
	}
	if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp))
		fprintf(stderr,
			"xhbd: realtime scheduling refused (%s): running at normal priority; a busy machine may delay the agent past its lease\n",
			strerror(errno));
}

int xhb_agent__open(struct xhb_agent **out, const struct xhb_agent_opts *o,
		    char *err, size_t errlen)
{
	struct xhb_agent *a = calloc(1, sizeof(*a));
	struct utsname uts;
	int ret;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->opts = *o;
	a->sigfd = -1;
	a->cfg = calloc(1, sizeof(*a->cfg));
	if (!a->cfg) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = xhb_config_load(o->config_dir, a->cfg, err, errlen);
	if (!ret)
		ret = check_interfaces(a->cfg, err, errlen);
	if (ret)
		goto fail;
	if (o->node)
		snprintf(a->node, sizeof(a->node), "%s", o->node);
	else if (!uname(&uts))
		snprintf(a->node, sizeof(a->node), "%.*s", (int)sizeof(a->node) - 1,
			 uts.nodename);
	for (char *c = a->node; *c; c++)
		*c = (*c >= 'A' && *c <= 'Z') ? *c - 'A' + 'a' : *c;
	a->self_index = xhb_config_node_index(a->cfg, a->node);
	if (a->self_index < 0) {
		snprintf(err, errlen,
			 "%s: this node's name '%s' is not a node line: add 'node %s' or start with --node NAME",
			 a->cfg->hacf_path, a->node, a->node);
		ret = -EINVAL;
		goto fail;
	}
	a->self_id = a->cfg->nodes[a->self_index].id;

	/* Claim the control socket first: a second agent stops here,
	 * before it touches the data plane or any address. */
	if (o->control_path)
		snprintf(a->control_path, sizeof(a->control_path), "%s",
			 o->control_path);
	else
		snprintf(a->control_path, sizeof(a->control_path), "%s",
			 XHB_CONTROL_PATH_DEFAULT);
	ret = xhb_control__open(&a->ctl, a->control_path);
	if (ret) {
		snprintf(err, errlen, "control socket %s: %s%s", a->control_path,
			 strerror(-ret),
			 ret == -EADDRINUSE ? " (another xhbd is running)" : "");
		goto fail;
	}
	ret = xhb_events__open(&a->ev, a->node,
			       a->cfg->logfile[0] ? a->cfg->logfile : NULL,
			       !o->quiet);
	if (ret) {
		snprintf(err, errlen, "logfile %s: %s", a->cfg->logfile,
			 strerror(-ret));
		goto fail;
	}
	ret = xhb_nl__open(&a->nl);
	if (!ret)
		ret = xhb_nlmon__open(&a->mon);
	if (!ret)
		ret = xhb_announce__open(&a->ann);
	if (!ret)
		ret = xhb_sender__open(&a->tx, a->cfg->udpport);
	if (!ret)
		ret = open_signals(a);
	if (ret) {
		snprintf(err, errlen, "cannot open sockets: %s", strerror(-ret));
		goto fail;
	}
	ret = collect_ifaces(a, err, errlen);
	if (ret)
		goto fail;

	dataplane__set_verbose(o->verbose);
	ret = open_dataplanes(a, err, errlen);
	if (ret)
		goto fail;
	a->incarnation = next_incarnation(a);
	xhb_events__emitf(a->ev, "agent_start", "{s:s, s:I, s:i, s:s}", "version",
			  XHB_VERSION_STRING, "incarnation",
			  (json_int_t)a->incarnation, "pid", (int)getpid(),
			  "control", a->control_path);
	emit_config(a);
	ret = add_peers(a);
	if (ret) {
		snprintf(err, errlen, "cannot add peers to the XDP maps: %s",
			 strerror(-ret));
		goto fail;
	}
	/* We listen from now on: initdead and our first loop count from here,
	 * not from before loading the program. */
	a->start_ns = mono_ns();
	a->init = true;
	a->init_until_ns = a->start_ns + a->cfg->initdead_ns;
	a->last_loop_ns = a->steady_since_ns = a->start_ns;
	a->next_heartbeat_ns = a->next_probe_ns = a->start_ns;
	refresh_links(a);
	adopt_groups(a, a->start_ns);
	set_scheduling(a);
	*out = a;
	return 0;
fail:
	xhb_agent__close(a);
	return ret;
}

static void leave(struct xhb_agent *a)
{
	enum xhb_node_state before = self_state(a);
	__u64 now = mono_ns();

	a->leaving = true;
	set_state(a, before, "stop_requested");
	for (unsigned int g = 0; g < a->cfg->ngroups; g++)
		if (a->groups[g].held)
			group_release(a, g, "leaving", now);
	/* Tell the peers after letting go, so that they take over at once
	 * and nobody answers for a VIP twice. */
	publish_self(a, mono_ns());
	for (int i = 0; i < LEAVING_HEARTBEATS; i++)
		send_heartbeats(a, mono_ns());
}

static __u64 min_u64(__u64 x, __u64 y)
{
	return x < y ? x : y;
}

int xhb_agent__run(struct xhb_agent *a)
{
	struct xhb_member_timers t = timers(a->cfg);
	__u64 probe_period = xhb_member_probe_period_ns(&t);

	while (!a->stop && !a->reexec) {
		__u64 now = mono_ns(), next;
		struct xhb_agent_gap gap;
		__u32 held;
		struct pollfd pfd[3 + MAX_IFACES] = {
			{.fd = a->sigfd, .events = POLLIN},
			{.fd = xhb_nlmon__fd(a->mon), .events = POLLIN},
			{.fd = xhb_control__fd(a->ctl), .events = POLLIN},
		};
		unsigned int nfds = 3;
		struct timespec ts;

		gap = xhb_agent_gap_check(a->last_loop_ns, now, a->steady_since_ns, &t);
		/* Gaps shorter than the detection window change nothing:
		 * say only those that suspend judging, at most one a second
		 * unless it is long, so a busy machine does not flood. */
		if (gap.gap && gap.gap_ns >= xhb_member_window_ns(&t) &&
		    (now - a->last_gap_event_ns >= 1000 * NS_PER_MS ||
		     gap.gap_ns >= 100 * NS_PER_MS)) {
			a->last_gap_event_ns = now;
			xhb_events__emitf(a->ev, "agent_gap", "{s:f, s:f}", "gap_ms",
					  ms(gap.gap_ns), "expected_ms",
					  ms(probe_period));
		}
		a->steady_since_ns = gap.steady_since_ns;

		if (lease_lapsed(a, now)) {
			enum xhb_node_state before = self_state(a);

			release_after_lapse(a, now - a->lease_renewed_ns - a->lease_ns,
					    now);
			/* A peer may be taking them over right now: hear it
			 * before taking anything back. */
			listen_again(a, now);
			set_state(a, before, "lease_expired");
		}
		publish_self(a, now);
		if (now >= a->next_heartbeat_ns) {
			send_heartbeats(a, now);
			a->next_heartbeat_ns = now + a->cfg->keepalive_ns;
		}
		if (now >= a->next_probe_ns) {
			send_probes(a, now);
			a->next_probe_ns += probe_period;
			if (a->next_probe_ns <= now)
				a->next_probe_ns = now + probe_period;
		}
		watch_flood(a, now);
		judge_peers(a, now);
		check_init(a, now);
		held = a->held;
		decide_and_act(a, now);
		/* Say what we now hold at once, not a loop later. */
		if (a->held != held)
			publish_self(a, mono_ns());
		send_due_announcements(a, now);
		a->last_loop_ns = now;

		next = min_u64(a->next_heartbeat_ns, a->next_probe_ns);
		for (unsigned int g = 0; g < a->cfg->ngroups; g++)
			if (a->groups[g].held && a->groups[g].announce_left)
				next = min_u64(next, a->groups[g].announce_next_ns);
		now = mono_ns();
		next = next > now ? next - now : 0;
		ts.tv_sec = next / 1000000000ULL;
		ts.tv_nsec = next % 1000000000ULL;
		/* XDP's news wakes us: a peer leaving, releasing or taking a
		 * group is acted on now, not at the next probe or keepalive. */
		for (unsigned int i = 0; i < a->nifaces; i++)
			pfd[nfds++] = (struct pollfd){
				.fd = dataplane__news_fd(a->ifaces[i].dp),
				.events = POLLIN};
		if (ppoll(pfd, nfds, &ts, NULL) < 0 && errno != EINTR)
			return -errno;
		for (unsigned int i = 0; i < a->nifaces; i++)
			if (pfd[3 + i].revents)
				dataplane__news_drain(a->ifaces[i].dp);
		if (pfd[0].revents)
			on_signal(a);
		if (pfd[1].revents)
			xhb_nlmon__drain(a->mon, on_netlink, a);
		if (pfd[2].revents)
			xhb_control__serve(a->ctl, on_control, a, CONTROL_TIMEOUT_MS);
		if (a->reload) {
			do_reload(a);
			t = timers(a->cfg);
			probe_period = xhb_member_probe_period_ns(&t);
		}
	}
	if (a->reexec) {
		/* A full lease for the next agent to start in: it adopts the
		 * pins, the VIPs and this lease, and peers wait for it. */
		publish_self(a, mono_ns());
		return XHB_AGENT_REEXEC;
	}
	leave(a);
	return 0;
}

void xhb_agent__close(struct xhb_agent *a)
{
	if (!a)
		return;
	if (a->ev && a->cfg)
		xhb_events__emitf(a->ev, "agent_stop", "{s:s, s:I}", "reason",
				  a->reexec    ? "reexec"
				  : a->leaving ? "signal"
					       : "error",
				  "incarnation", (json_int_t)a->incarnation);
	for (unsigned int i = 0; i < a->nifaces; i++)
		dataplane__close(a->ifaces[i].dp);
	xhb_control__close(a->ctl);
	xhb_sender__close(a->tx);
	xhb_announce__close(a->ann);
	xhb_nlmon__close(a->mon);
	xhb_nl__close(a->nl);
	xhb_events__close(a->ev);
	if (a->sigfd >= 0)
		close(a->sigfd);
	free(a->cfg);
	free(a);
}
