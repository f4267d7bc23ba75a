/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * status: what the control socket answers. `status`: one JSON document,
 * this node, each group with its owner as we see it, each peer with its
 * verdict, address, RTT, last-heard ages and the misses its path needs.
 * `standby` / `takeover` (hb_standby, hb_takeover): the groups in scope
 * are refused or wanted from now on, with an event; decide does the rest.
 */
#ifndef XHB_STATUS_H
#define XHB_STATUS_H

#include <jansson.h>
#include <linux/types.h>

struct xhb_groups;
struct xhb_peers;

struct xhb_status_self {
	const char *node;
	int state; /* enum xhb_node_state */
	__u64 incarnation;
	__u64 epoch;
	__u64 uptime_ns;
};

struct xhb_control_request;
struct xhb_events;

/* The answer to one control request (status, standby, takeover). */
json_t *xhb_status_request(const struct xhb_control_request *req,
			   const struct xhb_status_self *self,
			   struct xhb_groups *gs, const struct xhb_peers *ps,
			   struct xhb_events *ev, __u64 now_ns);

json_t *xhb_status_json(const struct xhb_status_self *self,
			const struct xhb_groups *gs, const struct xhb_peers *ps,
			__u64 now_ns);

#endif /* XHB_STATUS_H */
