/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * nodes: the cluster's node list changed while it runs (xhbctl node
 * add|remove, Heartbeat's hb_addnode and hb_delnode), one node at a time,
 * kept across restarts in STATE_DIR/nodes as Heartbeat kept its hostcache:
 *
 *   # written by xhbd: nodes added and removed beyond ha.cf's node lines
 *   add srv4
 *   remove srv2
 *
 * The file holds what differs from ha.cf; xhb_config_load_nodes() applies
 * it between ha.cf and haresources (cfg_nodes_apply), so that the
 * configuration's node array stays the one list of the cluster's nodes.
 * Each node keeps its own list: the change is made on every node (the
 * agent never reads cluster packets, so there is no channel to pass it
 * on, and a node told by the wire could be told by a forger too).
 *
 *   xhb_nodes_path()          STATE_DIR/nodes
 *   xhb_nodes_check_add()     may NAME be added? (the rules, with why not)
 *   xhb_nodes_check_remove()  may node n be removed, given what we see of it
 *   xhb_nodes_edit()          the changes once NAME is added or removed
 *   xhb_nodes_write()         the file, replaced whole (rename)
 */
#ifndef XHB_NODES_H
#define XHB_NODES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "config.h"

#define XHB_NODES_FILE "nodes"

/* STATE_DIR/nodes of cfg: 0 or -ENAMETOOLONG. */
int xhb_nodes_path(const struct xhb_config *cfg, char *buf, size_t len);

/*
 * NAME may join cfg's nodes: a valid name (as a node line's), not a node
 * already, room left, and a cluster id that does not hang on the node
 * names (cluster_name or cluster_id given: the new node must compute the
 * same id, and it lists itself). 0, or -EINVAL/-EEXIST/-ENOSPC with the
 * reason in err.
 */
int xhb_nodes_check_add(const struct xhb_config *cfg, const char *name,
			char *err, size_t errlen);

/* What this node sees of the node to remove. */
struct xhb_node_seen {
	bool self;	  /* it is this node */
	bool unknown;	  /* not judged yet (never heard, initdead runs) */
	bool dead;	  /* judged dead */
	bool left;	  /* it announced a graceful stop (leaving) */
	unsigned int groups_held; /* how many groups it last said it holds */
};

/*
 * Node n of cfg may be removed: not this node, not a node haresources
 * prefers for a group, and gone: dead, or left holding nothing. A live
 * node would go on sending and holding what it holds while we forget
 * it. 0, or -EINVAL/-EBUSY with the reason in err.
 */
int xhb_nodes_check_remove(const struct xhb_config *cfg, unsigned int n,
			   const struct xhb_node_seen *seen, char *err,
			   size_t errlen);

/*
 * cfg's node changes once NAME is added (add) or removed, into out: an
 * entry that undoes an earlier one replaces it (a node added, then
 * removed, leaves nothing). Call after the check above.
 */
void xhb_nodes_edit(const struct xhb_config *cfg, const char *name, bool add,
		    struct xhb_node_changes *out);

/* Write ch to path through a temporary file renamed over it, synced: a
 * crash leaves the old list or the new one. 0 or -errno. */
int xhb_nodes_write(const char *path, const struct xhb_node_changes *ch);

#endif /* XHB_NODES_H */
