// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The agent's side of a node list changed while it runs (nodes.h has the
 * rules and the file): xhbctl node list|add|remove over the control
 * socket, and node_added / node_removed events whenever the list changes
 * (a control request, a reload, a start with STATE_DIR/nodes).
 *
 * A change is made as a reload is: the configuration read again with the
 * new list (so haresources is checked against it; other edits of the
 * files are taken too, as a reload takes them), the file written, then
 * apply_config(): the peers map of every interface gains or loses the
 * node's entry at once (xhb_peers_sync). The XDP program is not loaded
 * again (that would stall the loop): a change of the files that needs it
 * (media, port, keys) is refused until a reload. Nothing else moves: the
 * groups' owners are decided from the same views as before.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_int.h"
#include "nodes.h"

static const char *source_name(enum xhb_nodes_source s)
{
	return s == XHB_NODES_BY_START ? "start"
	       : s == XHB_NODES_BY_RELOAD ? "reload"
					  : "control";
}

void say_node_changes(struct xhb_agent *a, const struct xhb_config *old,
		      enum xhb_nodes_source source)
{
	const struct xhb_config *c = a->cfg;
	const char *by = source_name(source);

	if (!old) {
		for (unsigned int i = 0; i < c->node_changes.n; i++) {
			const struct xhb_node_change *ch = &c->node_changes.at[i];

			if (ch->applied)
				xhb_ev_node_change(a->ev, ch->add, ch->name,
						   xhb_node_id(ch->name), by, c->nnodes);
		}
		return;
	}
	for (unsigned int i = 0; i < old->nnodes; i++)
		if (xhb_config_node_index(c, old->nodes[i].name) < 0)
			xhb_ev_node_change(a->ev, false, old->nodes[i].name,
					   old->nodes[i].id, by, c->nnodes);
	for (unsigned int i = 0; i < c->nnodes; i++)
		if (xhb_config_node_index(old, c->nodes[i].name) < 0)
			xhb_ev_node_change(a->ev, true, c->nodes[i].name,
					   c->nodes[i].id, by, c->nnodes);
}

/* This node's list: each node, where it comes from, what we see of it. */
static json_t *list_json(const struct xhb_agent *a)
{
	const struct xhb_config *c = a->cfg;
	json_t *nodes = json_array();
	char path[XHB_PATH_MAX] = "";

	for (unsigned int n = 0; n < c->nnodes; n++) {
		bool self = (int)n == a->self_index;

		json_array_append_new(
		    nodes, json_pack("{s:s, s:I, s:s, s:b, s:s}", "name",
				     c->nodes[n].name, "node_id",
				     (json_int_t)c->nodes[n].id, "source",
				     c->nodes[n].added ? "added" : "ha.cf", "self", self,
				     "state",
				     self ? "self"
					  : xhb_member_state_name(a->peers.v[n].state)));
	}
	(void)xhb_nodes_path(c, path, sizeof(path));
	return json_pack("{s:I, s:s, s:s*, s:s, s:o}", "cluster_id",
			 (json_int_t)c->cluster_id, "cluster_id_source",
			 xhb_cluster_id_source(c), "cluster_name",
			 c->cluster_name[0] ? c->cluster_name : NULL, "state_file",
			 path, "nodes", nodes);
}

/* What the XDP programs and the sockets are loaded with is the same in
 * both: apply_config() may then leave them be. */
static bool dataplane_same(const struct xhb_config *a, const struct xhb_config *b)
{
	return a->cluster_id == b->cluster_id && a->udpport == b->udpport &&
	       a->xdp_mode == b->xdp_mode && !strcmp(a->pin_dir, b->pin_dir) &&
	       a->nmedia == b->nmedia &&
	       !memcmp(a->media, b->media, sizeof(a->media)) &&
	       a->auth_index == b->auth_index &&
	       !memcmp(a->keys, b->keys, sizeof(a->keys));
}

/* What we see of node n, for xhb_nodes_check_remove(). */
static struct xhb_node_seen seen_of(const struct xhb_agent *a, unsigned int n)
{
	const struct xhb_peer_view *v = &a->peers.v[n];

	return (struct xhb_node_seen){
	    .self = (int)n == a->self_index,
	    .unknown = v->state == XHB_MEMBER_UNKNOWN,
	    .dead = v->state == XHB_MEMBER_DEAD,
	    .left = v->state == XHB_MEMBER_LEAVING,
	    .groups_held = xhb_gset_count(&v->held), /* every page */
	};
}

json_t *node_request(struct xhb_agent *a, const struct xhb_control_request *req)
{
	bool add = req->node_op == XHB_NODE_OP_ADD;
	struct xhb_node_changes *ch = NULL;
	struct xhb_config *next = NULL;
	char err[768], path[XHB_PATH_MAX];
	json_t *reply = NULL;
	int n, ret;

	if (req->node_op == XHB_NODE_OP_LIST)
		return list_json(a);
	n = xhb_config_node_index(a->cfg, req->node_name);
	if (add) {
		ret = xhb_nodes_check_add(a->cfg, req->node_name, err, sizeof(err));
	} else if (n < 0) {
		snprintf(err, sizeof(err), "%.64s is not a node", req->node_name);
		ret = -ENOENT;
	} else {
		struct xhb_node_seen seen = seen_of(a, (unsigned int)n);

		ret = xhb_nodes_check_remove(a->cfg, (unsigned int)n, &seen, err,
					     sizeof(err));
	}
	if (ret)
		return xhb_control_error("%s", err);
	ch = calloc(1, sizeof(*ch));
	next = xhb_config_new();
	if (!ch || !next) {
		reply = xhb_control_error("out of memory");
		goto out;
	}
	xhb_nodes_edit(a->cfg, req->node_name, add, ch);
	/* as a reload reads it, with the new list: haresources, this node */
	ret = load_next(a, ch, next, err, sizeof(err));
	if (!ret && !dataplane_same(a->cfg, next)) {
		snprintf(err, sizeof(err),
			 "the files changed the media, port, keys or data plane "
			 "since they were read: reload first (SIGHUP), then retry");
		ret = -EAGAIN;
	}
	if (!ret && (ret = xhb_nodes_path(next, path, sizeof(path))) == 0 &&
	    (ret = xhb_nodes_write(path, ch)))
		snprintf(err, sizeof(err), "cannot write %s: %s", path, strerror(-ret));
	if (ret) {
		reply = xhb_control_error("%s: nothing changed", err);
		goto out;
	}
	apply_config(a, next, XHB_NODES_BY_CONTROL);
	next = NULL; /* a->cfg now */
	reply = list_json(a);
	json_object_set_new(reply, "op", json_string(add ? "add" : "remove"));
	json_object_set_new(reply, "name", json_string(req->node_name));
out:
	xhb_config_free(next);
	free(ch);
	return reply;
}
