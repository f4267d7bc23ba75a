/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Heartbeat's commands, for the scripts and Nagios checks written for
 * Heartbeat: xhbctl run as cl_status, hb_standby, hb_takeover, hb_addnode
 * or hb_delnode (a symlink; the name is argv[0]'s) takes Heartbeat's arguments, prints
 * Heartbeat's words and exits with Heartbeat's codes, over the agent's
 * control socket. The agent is reached through io->ask, so the commands
 * are tested without one.
 */
#ifndef XHBCTL_HB_H
#define XHBCTL_HB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* cl_status's exit codes (hb_standby and hb_takeover: 0 or 1). */
enum xhb_hb_exit {
	XHB_HB_OK = 0,
	XHB_HB_FAIL = 1,     /* the node or link is down, no agent runs */
	XHB_HB_PARAM = 11,   /* bad sub-command, option, node name */
	XHB_HB_TIMEOUT = 12, /* the agent did not answer in time */
	XHB_HB_UNKNOWN = 13, /* no such link, or an unexpected answer */
};

/* One request: 0 with *reply (an object with "ok"; the caller frees it),
 * or -errno as xhb_control_request(). req is not consumed. */
typedef int (*xhb_hb_ask_fn)(void *ctx, json_t *req, json_t **reply);

struct xhb_hb_io {
	xhb_hb_ask_fn ask;
	void *ctx;
	const char *socket; /* for messages */
	FILE *out, *err;
};

/* Is name (argv[0] without its directory) one of Heartbeat's commands? */
bool xhb_hb_is_command(const char *name);
/* Run the command argv[0] names; returns its exit code. */
int xhb_hb_main(int argc, char **argv, const struct xhb_hb_io *io);

/* Heartbeat's word for a node of the status document's "nodes": active,
 * up (starting), init (never heard), dead. */
const char *xhb_hb_node_status(const json_t *node);
/* What rscstatus says from a status document: none, local, foreign, all,
 * transition. */
const char *xhb_hb_rsc_status(const json_t *status);

#endif /* XHBCTL_HB_H */
