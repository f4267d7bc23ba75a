/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * check: this node's service checks (ha.cf `check` lines, config_check.c),
 * run on the agent's loop without ever blocking it: an HTTP/1.1 GET or a
 * TCP connect on a non-blocking socket, or a program run asynchronously
 * (resource.h), each bounded by its timeout and started every interval.
 *
 * A resource check (a haresources script's status, OCF monitor) runs only
 * where its group is held; elsewhere it is idle, and unknown, unless it
 * failed here: then it stays failing, keeping this node off the group (as
 * Pacemaker's fail count does), until xhb_checks_clear() (an operator's
 * cleanup), a restart, or a reload that changes it.
 *
 * A check is unknown until its first result; it is passing after a
 * success, failing after `fall` consecutive failures, passing again after
 * `rise` consecutive successes. A check that is unknown counts as passing:
 * a restarted agent must not drop what it holds before its checks ran.
 * xhb_checks_unfit() is the groups guarded by a failing check: this node
 * refuses them (groups_refused on the wire, as a standby does), so a
 * healthy peer takes them; decide.c keeps them here when no node is
 * healthy. Events: check_passing, check_failing on every change.
 *
 * The agent calls, each loop: xhb_checks_pollfds() into its ppoll() set,
 * xhb_checks_wait_ns() into its timeout, then xhb_checks_step() with the
 * revents. Times are CLOCK_BOOTTIME (clock.h's xhb_now_ns()).
 */
#ifndef XHB_CHECK_H
#define XHB_CHECK_H

#include <poll.h>
#include <stdbool.h>
#include <linux/types.h>

#include "config.h"

struct xhb_events;
struct xhb_resource_run;

enum xhb_check_state {
	XHB_CHECK_UNKNOWN = 0, /* no result yet: counts as passing */
	XHB_CHECK_PASSING,
	XHB_CHECK_FAILING,
};

enum xhb_check_phase {
	XHB_CHECK_IDLE = 0,
	XHB_CHECK_CONNECTING,
	XHB_CHECK_SENDING,
	XHB_CHECK_RECEIVING,
	XHB_CHECK_EXECUTING,
};

struct xhb_check {
	struct xhb_check_cfg cfg; /* a copy: a reload replaces the config */
	enum xhb_check_state state;
	enum xhb_check_phase phase;
	unsigned int oks, fails; /* consecutive results */
	__u64 next_ns;		 /* the next start */
	__u64 started_ns;	 /* the run under way's start */
	__u64 changed_ns;	 /* of state */
	__u64 runs, failures;	 /* totals */
	__u64 last_duration_ns;
	bool last_ok;
	int fd; /* http, tcp: the socket, else -1 */
	struct xhb_resource_run *run; /* exec */
	size_t len, sent; /* http: request bytes / response head bytes */
	char buf[512];
	char detail[128]; /* the last result: "HTTP 200", "timeout", ... */
};

struct xhb_checks {
	struct xhb_events *ev;
	const struct xhb_config *config; /* the one in use: resource checks */
	struct xhb_gset held; /* the groups held here: xhb_checks_set_held() */
	unsigned int n;
	struct xhb_check c[XHB_CONFIG_MAX_CHECKS];
};

/* Start from cfg's checks: those whose definition is unchanged keep their
 * state and any run under way; the others start unknown, their first run
 * now. Use it at start (cs zeroed) and on every reload. */
void xhb_checks_configure(struct xhb_checks *cs, const struct xhb_config *cfg,
			  struct xhb_events *ev, __u64 now_ns);
/* Stop every run (sockets closed, programs killed and reaped). */
void xhb_checks_close(struct xhb_checks *cs);

/* Fill pfd (room for at least 2 per check): the number of entries. */
unsigned int xhb_checks_pollfds(const struct xhb_checks *cs, struct pollfd *pfd);
/* How long the agent may sleep before xhb_checks_step() is due. */
__u64 xhb_checks_wait_ns(const struct xhb_checks *cs, __u64 now_ns);
/* Take in what is ready, time out what is late, start what is due. pfd:
 * what xhb_checks_pollfds() filled, with revents (NULL: none ready). */
void xhb_checks_step(struct xhb_checks *cs, const struct pollfd *pfd,
		     unsigned int n, __u64 now_ns);

/* The groups this node holds now: a resource check runs only where its
 * group is held (the agent says so every loop). */
static inline void xhb_checks_set_held(struct xhb_checks *cs,
				       struct xhb_gset held)
{
	cs->held = held;
}

/* An operator's cleanup: resource checks of groups that failed here
 * become unknown. Returns the groups cleared so. */
struct xhb_gset xhb_checks_clear(struct xhb_checks *cs,
				 struct xhb_gset groups, __u64 now);

/* The groups a failing check guards. */
struct xhb_gset xhb_checks_unfit(const struct xhb_checks *cs);

/* Each check for `xhbctl status`: state, last result, counts. */
#include <jansson.h>
json_t *xhb_checks_json(const struct xhb_checks *cs, __u64 now_ns);

const char *xhb_check_state_name(enum xhb_check_state s);
const char *xhb_check_kind_name(enum xhb_check_kind k);

#endif /* XHB_CHECK_H */
