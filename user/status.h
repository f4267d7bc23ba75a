/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * status: what the control socket answers. `status`: one JSON document,
 * this node and what is left of its lease, each group with its owner as
 * we see it, its transitions and takeover durations (a histogram over
 * takeover_bounds_s, see metrics.h), each peer with its verdict, address,
 * RTT, last-heard ages, the misses its path needs and its detection
 * window.
 * Each group also says its phase (idle, starting, started, stopping,
 * stop_failed), since when, and the script under way or whose stop failed.
 * `standby` / `takeover` (hb_standby, hb_takeover): the groups in scope
 * are refused or wanted from now on, with an event; decide does the rest.
 * `cleanup` (xhbctl cleanup): stop_failed groups run their stop again.
 * `nodes`: each node with its links, what cl_status reports.
 */
#ifndef XHB_STATUS_H
#define XHB_STATUS_H

#include <jansson.h>
#include <stdbool.h>
#include <linux/types.h>

#include "xhb_wire.h"
#include "gset.h"
#include "loop_time.h"

struct xhb_groups;
struct xhb_peer;
struct xhb_peers;

struct xhb_status_self {
	const char *node;
	const char *version; /* the agent's; NULL: not said */
	int state; /* enum xhb_node_state */
	__u64 incarnation;
	__u64 epoch;
	__u64 uptime_ns;
	/* "ok", "degraded" or "fault" (ifaces.h), and the interfaces down;
	 * NULL: not said */
	const char *links;
	const char *media_down, *vip_down;
	json_t *checks; /* xhb_checks_json(), stolen; NULL: none */
	json_t *quorum; /* {"quorate", "votes", ...}, stolen; NULL: none */
	/* cleanup: the groups whose failed resource checks were cleared
	 * (xhb_checks_clear()), a cleanup of their own */
	struct xhb_gset checks_cleared;
	/* the loop's timed wake-ups and their lateness; NULL: not said */
	const struct xhb_lateness *loop;
};

struct xhb_control_request;
struct xhb_events;

/* The answer to one control request (status, standby, takeover). */
json_t *xhb_status_request(const struct xhb_control_request *req,
			   const struct xhb_status_self *self,
			   struct xhb_groups *gs, const struct xhb_peers *ps,
			   struct xhb_events *ev, __u64 now_ns);

/* The groups a control request names: its group, or every group. */
struct xhb_control_request;
struct xhb_gset xhb_status_which(const struct xhb_control_request *req);

json_t *xhb_status_json(const struct xhb_status_self *self,
			const struct xhb_groups *gs, const struct xhb_peers *ps,
			__u64 now_ns);

/* status_nodes.c: every node in ha.cf's order, this one included, with
 * its state and each heartbeat interface's link: "nodes" in status. */
json_t *xhb_status_nodes(const struct xhb_status_self *self,
			 const struct xhb_groups *gs, const struct xhb_peers *ps,
			 __u64 now_ns);
/* Bit g: group g's preferred node is a peer that is up (not starting) and
 * not in standby for g: it would take g back (failback). */
struct xhb_gset xhb_status_takers(const struct xhb_groups *gs,
				  const struct xhb_peers *ps);
/* A peer's link is up: something of it (seen: its entry in that
 * interface's XDP) came within window_ns of now_ns. */
bool xhb_status_link_up(const struct xhb_peer *seen, __u64 now_ns,
			__u64 window_ns);

#endif /* XHB_STATUS_H */
