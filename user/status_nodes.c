// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The "nodes" of the status document (see status.h), what cl_status reads:
 * every node of ha.cf in its order, this one included,
 *
 *   {"name":"srv2", "type":"normal", "self":false, "state":"up",
 *    "advertised":"active", "links":[{"iface":"ens192", "status":"up"}]}
 *
 * state is our node state for us, the membership verdict for a peer;
 * advertised, the state a peer last sent. links: one per interface that
 * carries heartbeats. A peer's link is up while something of it (a
 * heartbeat, a probe, a reply) came on that interface within the window
 * that makes a silent peer dead (deadtime, as Heartbeat; with `probe`,
 * the probe window), dead otherwise; our own link is up while the
 * interface is usable (carrier, administratively up).
 */
#include "dataplane.h"
#include "groups.h"
#include "peers.h"
#include "status.h"
#include "wire.h"

bool xhb_status_link_up(const struct xhb_peer *seen, __u64 now_ns,
			__u64 window_ns)
{
	__u64 newest = seen->last_heartbeat_ns;

	if (seen->last_probe_ns > newest)
		newest = seen->last_probe_ns;
	if (seen->last_reply_ns > newest)
		newest = seen->last_reply_ns;
	if (!newest)
		return false;
	/* stamped by XDP after our now was read */
	return newest >= now_ns || now_ns - newest <= window_ns;
}

static json_t *link_json(const char *iface, bool up)
{
	return json_pack("{s:s, s:s}", "iface", iface, "status",
			 up ? "up" : "dead");
}

static json_t *links_json(const struct xhb_ifaces *fs,
			  const struct xhb_peers *ps, unsigned int n,
			  __u64 now_ns)
{
	json_t *links = json_array();
	__u64 window = 0;

	if ((int)n != ps->self) {
		struct xhb_member_timers t = xhb_peers_timers(ps, n, now_ns);

		window = xhb_member_window_ns(&t);
	}
	for (unsigned int i = 0; fs && i < fs->n; i++) {
		const struct xhb_iface *f = &fs->at[i];
		struct xhb_peer seen = {0};
		bool up;

		if (!f->medium)
			continue;
		if ((int)n == ps->self)
			up = f->usable;
		else
			up = !dataplane__peer(f->dp, ps->v[n].id, &seen) &&
			     xhb_status_link_up(&seen, now_ns, window);
		json_array_append_new(links, link_json(f->name, up));
	}
	return links;
}

json_t *xhb_status_nodes(const struct xhb_status_self *self,
			 const struct xhb_groups *gs,
			 const struct xhb_peers *ps, __u64 now_ns)
{
	const struct xhb_config *c = ps->cfg;
	json_t *nodes = json_array();

	for (unsigned int n = 0; n < c->nnodes; n++) {
		const struct xhb_peer_view *p = &ps->v[n];
		json_t *node;

		if ((int)n == ps->self)
			node = json_pack("{s:s, s:s, s:b, s:s}", "name",
					 c->nodes[n].name, "type", "normal",
					 "self", 1, "state",
					 xhb_node_state_name(self->state));
		else
			node = json_pack(
			    "{s:s, s:s, s:b, s:s, s:s}", "name",
			    c->nodes[n].name, "type", "normal", "self", 0,
			    "state", xhb_member_state_name(p->state),
			    "advertised", xhb_node_state_name(p->snap.state));
		json_object_set_new(node, "links",
				    links_json(gs->ifaces, ps, n, now_ns));
		/* not a node line of ha.cf: xhbctl node add (nodes.h) */
		json_object_set_new(node, "added", json_boolean(c->nodes[n].added));
		json_array_append_new(nodes, node);
	}
	return nodes;
}

struct xhb_gset xhb_status_takers(const struct xhb_groups *gs,
				  const struct xhb_peers *ps)
{
	struct xhb_gset takers = {{0}};

	for (unsigned int g = 0; g < gs->cfg->ngroups; g++) {
		int n = gs->cfg->groups[g].node_index;
		const struct xhb_peer_view *p;

		if (n < 0 || n == ps->self)
			continue;
		p = &ps->v[n];
		/* as decide's failback rule: eligible, out of its initdead */
		if ((p->state == XHB_MEMBER_UP ||
		     p->state == XHB_MEMBER_WARN) &&
		    p->snap.state != XHB_NODE_INIT &&
		    !xhb_gset_has(&p->refused, g))
			xhb_gset_add(&takers, g);
	}
	return takers;
}
