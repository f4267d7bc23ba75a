/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The control socket between xhbctl and xhbd: a UNIX stream socket, mode
 * 0600, that only uid 0 may use (checked again with SO_PEERCRED). One
 * request per connection, one JSON line each way:
 *   {"cmd":"status"}                          -> {"ok":true,...}
 *   {"cmd":"standby","scope":"all|foreign|local|failback"} (default all)
 *   {"cmd":"takeover","scope":"all|foreign|local|failback"}
 *   {"cmd":"standby|takeover","group":"NAME"}  (one group, or the groups
 *                  a word names: a number, an address, a resource)
 *   {"cmd":"cleanup","group":N}  (N 0..1023; without it every group)
 *   {"cmd":"node","op":"list|add|remove","name":"srv4"} (name: not list)
 *   anything wrong                            -> {"ok":false,"error":"..."}
 * Server: poll() xhb_control__fd() with the agent's other fds and call
 * xhb_control__serve() when it is readable; a client gets timeout_ms to
 * send its line, so a stuck xhbctl cannot hold the agent.
 * Client: xhb_control_request().
 */
#ifndef XHB_CONTROL_H
#define XHB_CONTROL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>

#include "xhb_wire.h"
#include "gset.h"

/* One agent per host. Agents sharing a filesystem (the netns lab) use
 * xhb_control_default_path() with an instance name, or any path. */
#define XHB_CONTROL_PATH_DEFAULT "/run/xhb/xhbd.sock"
/* A request or reply longer than this is refused. */
#define XHB_CONTROL_MAX_LINE 65536
/* A reply longer than this is refused by the client: a status of 1024
 * groups is a few hundred KiB. */
#define XHB_CONTROL_MAX_REPLY (8 * 1024 * 1024)

enum xhb_control_cmd {
	XHB_CONTROL_STATUS,
	XHB_CONTROL_STANDBY,
	XHB_CONTROL_TAKEOVER,
	/* stop_failed groups run their failed stop again (xhbctl cleanup) */
	XHB_CONTROL_CLEANUP,
	/* the node list: list, add NAME, remove NAME (xhbctl node) */
	XHB_CONTROL_NODE,
};

enum xhb_control_node_op {
	XHB_NODE_OP_LIST,
	XHB_NODE_OP_ADD,
	XHB_NODE_OP_REMOVE,
};

/* As hb_standby / hb_takeover: every group, the groups whose preferred
 * node is another node, or those whose preferred node is this one.
 * failback: for standby, the groups whose preferred node is another node
 * that is up and would take them (auto_failback's move, on request); for
 * takeover, the groups this node is preferred for (hb_takeover failback
 * is hb_standby failback on the other node). */
enum xhb_control_scope {
	XHB_SCOPE_ALL,
	XHB_SCOPE_FOREIGN,
	XHB_SCOPE_LOCAL,
	XHB_SCOPE_FAILBACK,
	XHB_SCOPE_GROUP, /* the groups a request names ("group") */
};

struct xhb_control_request {
	enum xhb_control_cmd cmd;
	enum xhb_control_scope scope; /* XHB_SCOPE_ALL for status */
	int group; /* cleanup: the group named, -1 for every group */
	/* standby, takeover: the groups this names (xhb_config_groups_named());
	 * "": the scope's */
	char group_name[128];
	enum xhb_control_node_op node_op; /* node */
	const char *node_name; /* node add|remove (borrowed from json) */
	json_t *json;		      /* the request as received (borrowed) */
	pid_t pid;		      /* the client, from SO_PEERCRED */
};

/* Build the reply to req. Return a new object: "ok":true is added unless
 * it has "ok"; xhb_control_error() makes a refusal. NULL means the agent
 * failed, and the client gets an error. */
typedef json_t *(*xhb_control_handler)(const struct xhb_control_request *req,
				       void *ctx);

struct xhb_control;

/* "/run/xhb/xhbd.sock", or "/run/xhb/xhbd-INSTANCE.sock". */
int xhb_control_default_path(char *buf, size_t len, const char *instance);

/*
 * Listen on path; a missing directory (/run/xhb on a fresh /run) is
 * created 0755, one level only. A leftover socket file is removed only if
 * nothing answers on it: -EADDRINUSE if an agent does, -EEXIST if path is
 * not a socket.
 */
int xhb_control__open(struct xhb_control **ctl, const char *path);
/* Also removes the socket file, if it is still ours. */
void xhb_control__close(struct xhb_control *ctl);
int xhb_control__fd(const struct xhb_control *ctl);

/*
 * Accept one pending connection (0 at once if there is none), read its
 * request within timeout_ms, answer it through handler (only for a valid
 * request from root), close it. A negative errno concerns that client
 * alone, which got an error reply: -EPERM not root, -ETIMEDOUT, -EPROTO
 * not a JSON object with a "cmd" string, -EINVAL unknown cmd or scope,
 * -EMSGSIZE, -EIO the handler returned no object. The socket keeps
 * serving.
 */
int xhb_control__serve(struct xhb_control *ctl, xhb_control_handler handler,
		       void *ctx, int timeout_ms);

/* {"ok":false,"error":<printf>} */
json_t *xhb_control_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/*
 * Send req (not consumed) and wait up to timeout_ms for the reply, an object
 * with a boolean "ok" (0 even when ok is false: read it and "error"). -ENOENT /
 * -ECONNREFUSED: no agent; -EACCES: not root; -ETIMEDOUT; -EPROTO: the reply is
 * not a JSON object with "ok".
 */
int xhb_control_request(const char *path, json_t *req, json_t **reply,
			int timeout_ms);

const char *xhb_control_cmd_str(enum xhb_control_cmd cmd);
const char *xhb_control_scope_str(enum xhb_control_scope scope);
/* 0, or -EINVAL for a word that is not a scope. */
int xhb_control_scope_parse(const char *word, enum xhb_control_scope *scope);

/*
 * The groups a standby (standby true) or takeover with this scope names
 * on node self: preferred[g] is group g's preferred node index (-1:
 * none); g in taker_up says that node is another node, up, and not in
 * standby for g (it would take g back).
 */
struct xhb_gset xhb_control_scope_groups(bool standby,
					 enum xhb_control_scope scope,
					 unsigned int ngroups, const int *preferred,
					 int self, const struct xhb_gset *taker_up);
/* A reply's groups: "groups" the mask of groups 0..31 (as before there
 * were more), "group_list" every group's number. */
void xhb_control_set_groups(json_t *reply, const struct xhb_gset *groups,
			    const char *mask_key, const char *list_key);

#endif /* XHB_CONTROL_H */
