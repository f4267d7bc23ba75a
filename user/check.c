// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Service checks on the agent's loop: see check.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "events.h"
#include "resource.h"
#include "resource_agent.h"

static const char *phase_name(enum xhb_check_phase p)
{
	switch (p) {
	case XHB_CHECK_CONNECTING:
		return "connecting";
	case XHB_CHECK_SENDING:
		return "sending";
	case XHB_CHECK_RECEIVING:
		return "receiving";
	case XHB_CHECK_EXECUTING:
		return "running";
	default:
		return "idle";
	}
}

const char *xhb_check_state_name(enum xhb_check_state s)
{
	switch (s) {
	case XHB_CHECK_PASSING:
		return "passing";
	case XHB_CHECK_FAILING:
		return "failing";
	default:
		return "unknown";
	}
}

const char *xhb_check_kind_name(enum xhb_check_kind k)
{
	switch (k) {
	case XHB_CHECK_HTTP:
		return "http";
	case XHB_CHECK_TCP:
		return "tcp";
	case XHB_CHECK_EXEC:
		return "exec";
	case XHB_CHECK_RESOURCE:
		return "resource";
	}
	return "unknown";
}

/* End the run under way, if any: nothing of it is judged. */
static void stop_run(struct xhb_check *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	xhb_resource_cancel(c->run);
	c->run = NULL;
	c->phase = XHB_CHECK_IDLE;
}

/* A run's result: counts, and the state that follows from them. */
static void judge(struct xhb_checks *cs, struct xhb_check *c, bool ok,
		  __u64 now)
{
	enum xhb_check_state was = c->state, next = was;

	stop_run(c);
	c->runs++;
	c->failures += !ok;
	c->last_ok = ok;
	c->last_duration_ns = now - c->started_ns;
	if (ok) {
		c->oks++;
		c->fails = 0;
	} else {
		c->fails++;
		c->oks = 0;
	}
	if (was == XHB_CHECK_UNKNOWN && ok)
		next = XHB_CHECK_PASSING;
	else if (was != XHB_CHECK_FAILING && c->fails >= c->cfg.fall)
		next = XHB_CHECK_FAILING;
	else if (was == XHB_CHECK_FAILING && c->oks >= c->cfg.rise)
		next = XHB_CHECK_PASSING;
	if (next == was)
		return;
	c->state = next;
	c->changed_ns = now;
	xhb_ev_check(cs->ev, &c->cfg, xhb_check_state_name(was),
		     xhb_check_state_name(next), c->detail, ok ? c->oks : c->fails);
}

static void fail(struct xhb_checks *cs, struct xhb_check *c, __u64 now,
		 const char *what, int err)
{
	snprintf(c->detail, sizeof(c->detail), "%s: %s", what, strerror(err));
	judge(cs, c, false, now);
}

static void start_socket(struct xhb_checks *cs, struct xhb_check *c, __u64 now)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;

	c->fd = socket(c->cfg.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return fail(cs, c, now, "socket", errno);
	if (c->cfg.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = c->cfg.addr.v4;
		sin->sin_port = htons(c->cfg.port);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = c->cfg.addr.v6;
		sin6->sin6_port = htons(c->cfg.port);
		len = sizeof(*sin6);
	}
	if (c->cfg.kind == XHB_CHECK_TCP) {
		/* Close with a reset: a connection a millisecond would
		 * otherwise leave thousands in TIME_WAIT on our side. */
		struct linger lg = {.l_onoff = 1, .l_linger = 0};

		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	c->phase = XHB_CHECK_CONNECTING;
	if (connect(c->fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS)
		return fail(cs, c, now, "connect", errno);
}

static void start_exec(struct xhb_checks *cs, struct xhb_check *c, __u64 now)
{
	const char *args[XHB_CONFIG_MAX_ARGS + 1] = {0};
	__u64 ms = (c->cfg.timeout_ns + 999999) / 1000000;
	struct xhb_ra_cmd *cmd = NULL;
	int err;

	for (unsigned int i = 0; i < c->cfg.nargs; i++)
		args[i] = c->cfg.args[i];
	if (c->cfg.kind == XHB_CHECK_RESOURCE) {
		/* the script's status (OCF: monitor), as the group runs it */
		cmd = malloc(sizeof(*cmd));
		err = !cmd ? -ENOMEM
			   : xhb_ra_command(cs->config,
					    &cs->config->groups[c->cfg.res_group]
						 .resources[c->cfg.res_index],
					    XHB_RA_STATUS, cmd);
		if (err) {
			free(cmd);
			return fail(cs, c, now, "cannot run", -err);
		}
	}
	/* The run's own timeout is a backstop: ours cancels it at once. */
	err = cmd ? xhb_resource_start(cmd->path, cmd->args, cmd->action, cmd->env,
				       (int)ms + 1000, &c->run)
		  : xhb_resource_start(c->cfg.target, args, NULL, NULL,
				       (int)ms + 1000, &c->run);
	free(cmd);
	if (err)
		return fail(cs, c, now, "cannot run", -err);
	c->phase = XHB_CHECK_EXECUTING;
}

static void start(struct xhb_checks *cs, struct xhb_check *c, __u64 now)
{
	c->started_ns = now;
	c->next_ns = now + c->cfg.interval_ns;
	c->len = c->sent = 0;
	if (c->cfg.kind == XHB_CHECK_EXEC || c->cfg.kind == XHB_CHECK_RESOURCE)
		start_exec(cs, c, now);
	else
		start_socket(cs, c, now);
}

/* "HTTP/1.1 200 OK": 2xx and 3xx pass. */
static void judge_http(struct xhb_checks *cs, struct xhb_check *c, __u64 now)
{
	unsigned int code = 0;
	char minor;

	c->buf[c->len] = '\0';
	if (sscanf(c->buf, "HTTP/1.%c %3u", &minor, &code) != 2 || code < 100) {
		snprintf(c->detail, sizeof(c->detail), "no HTTP status line%s",
			 c->len ? "" : " (connection closed)");
		return judge(cs, c, false, now);
	}
	snprintf(c->detail, sizeof(c->detail), "HTTP %u", code);
	judge(cs, c, code >= 200 && code < 400, now);
}

static void step_connected(struct xhb_checks *cs, struct xhb_check *c,
			   __u64 now)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == EINPROGRESS || err == EALREADY)
		return;
	if (err)
		return fail(cs, c, now, "connect", err);
	if (c->cfg.kind == XHB_CHECK_TCP) {
		snprintf(c->detail, sizeof(c->detail), "connected");
		return judge(cs, c, true, now);
	}
	char req[sizeof(c->buf)];
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: %s\r\n"
			 "User-Agent: xhb-check/%s\r\n"
			 "Connection: close\r\n\r\n",
			 c->cfg.path, c->cfg.host, c->cfg.name);

	c->len = n < 0 ? 0 : (size_t)n < sizeof(req) ? (size_t)n : sizeof(req) - 1;
	memcpy(c->buf, req, c->len);
	c->sent = 0;
	c->phase = XHB_CHECK_SENDING;
}

static void step_send(struct xhb_checks *cs, struct xhb_check *c, __u64 now)
{
	while (c->sent < c->len) {
		ssize_t n = send(c->fd, c->buf + c->sent, c->len - c->sent,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			return fail(cs, c, now, "send", errno);
		c->sent += (size_t)n;
	}
	c->len = 0;
	c->phase = XHB_CHECK_RECEIVING;
}

/* Read to the end (the server closes: Connection: close), keeping the
 * head; the body is read and dropped. */
static void step_receive(struct xhb_checks *cs, struct xhb_check *c, __u64 now)
{
	char sink[4096];

	for (;;) {
		bool head = c->len < sizeof(c->buf) - 1;
		ssize_t n = head ? recv(c->fd, c->buf + c->len,
					sizeof(c->buf) - 1 - c->len, 0)
				 : recv(c->fd, sink, sizeof(sink), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0 && !c->len)
			return fail(cs, c, now, "receive", errno);
		if (n <= 0)
			return judge_http(cs, c, now);
		if (head)
			c->len += (size_t)n;
	}
}

static void step_exec(struct xhb_checks *cs, struct xhb_check *c, __u64 now)
{
	struct xhb_resource_result *res = malloc(sizeof(*res));
	bool ok;

	if (!res)
		return; /* tried again next loop */
	if (!xhb_resource_step(c->run, res)) {
		free(res);
		return;
	}
	c->run = NULL;
	ok = xhb_resource_ok(res);
	if (c->cfg.kind == XHB_CHECK_RESOURCE) {
		enum xhb_ra_state st = xhb_ra_status(
		    cs->config->groups[c->cfg.res_group]
			.resources[c->cfg.res_index]
			.ra_kind,
		    res);

		ok = st == XHB_RA_RUNNING;
		snprintf(c->detail, sizeof(c->detail), "%s (exit %d)",
			 st == XHB_RA_RUNNING ? "running"
			 : st == XHB_RA_STOPPED ? "stopped"
						: "failed",
			 res->exit_code);
	} else if (res->outcome == XHB_RESOURCE_EXITED)
		snprintf(c->detail, sizeof(c->detail), "exit %d", res->exit_code);
	else {
		char sig[16];

		xhb_resource_signal_name(res->signal, sig, sizeof(sig));
		snprintf(c->detail, sizeof(c->detail), "killed by %s", sig);
	}
	free(res);
	judge(cs, c, ok, now);
}

static void timed_out(struct xhb_checks *cs, struct xhb_check *c, __u64 now)
{
	/* An answer whose status came but whose body is late still counts. */
	if (c->phase == XHB_CHECK_RECEIVING && c->len)
		return judge_http(cs, c, now);
	snprintf(c->detail, sizeof(c->detail), "timeout after %llu ms (%s)",
		 (unsigned long long)(c->cfg.timeout_ns / 1000000),
		 phase_name(c->phase));
	judge(cs, c, false, now);
}

static bool ready(const struct pollfd *pfd, unsigned int n, int fd)
{
	for (unsigned int i = 0; pfd && i < n; i++)
		if (pfd[i].fd == fd)
			return pfd[i].revents != 0;
	return false;
}

static void progress(struct xhb_checks *cs, struct xhb_check *c,
		     const struct pollfd *pfd, unsigned int n, __u64 now)
{
	if (c->phase == XHB_CHECK_EXECUTING) {
		int fds[2];
		unsigned int k = xhb_resource_fds(c->run, fds);
		bool any = xhb_resource_wait_ns(c->run) == 0;

		for (unsigned int i = 0; i < k; i++)
			any |= ready(pfd, n, fds[i]);
		if (any)
			step_exec(cs, c, now);
		return;
	}
	if (!ready(pfd, n, c->fd))
		return;
	if (c->phase == XHB_CHECK_CONNECTING)
		step_connected(cs, c, now);
	if (c->phase == XHB_CHECK_SENDING)
		step_send(cs, c, now);
	else if (c->phase == XHB_CHECK_RECEIVING)
		step_receive(cs, c, now);
}

/* A resource check runs where its group is held (elsewhere the resource
 * is stopped, as it should be): not held, it is idle. */
static bool dormant(const struct xhb_checks *cs, const struct xhb_check *c)
{
	return c->cfg.kind == XHB_CHECK_RESOURCE &&
	       !xhb_gset_has(&cs->held, (unsigned int)c->cfg.res_group);
}

void xhb_checks_step(struct xhb_checks *cs, const struct pollfd *pfd,
		     unsigned int n, __u64 now)
{
	for (unsigned int i = 0; i < cs->n; i++) {
		struct xhb_check *c = &cs->c[i];

		if (dormant(cs, c)) {
			stop_run(c);
			/* A resource that failed here keeps this node off its
			 * group (as Pacemaker's fail count does) until an
			 * operator clears it: taking it straight back would
			 * undo the failover. Anything else: unknown. */
			if (c->state == XHB_CHECK_PASSING) {
				c->state = XHB_CHECK_UNKNOWN;
				c->oks = c->fails = 0;
				c->changed_ns = now;
				snprintf(c->detail, sizeof(c->detail),
					 "not run: group %d not held here",
					 c->cfg.res_group);
			}
			/* the first run once it is held: after one interval,
			 * its start scripts have run */
			c->next_ns = now + c->cfg.interval_ns;
			continue;
		}

		if (c->phase != XHB_CHECK_IDLE)
			progress(cs, c, pfd, n, now);
		if (c->phase != XHB_CHECK_IDLE &&
		    now >= c->started_ns + c->cfg.timeout_ns)
			timed_out(cs, c, now);
		if (c->phase == XHB_CHECK_IDLE && now >= c->next_ns)
			start(cs, c, now);
	}
}

unsigned int xhb_checks_pollfds(const struct xhb_checks *cs, struct pollfd *pfd)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < cs->n; i++) {
		const struct xhb_check *c = &cs->c[i];

		if (c->phase == XHB_CHECK_EXECUTING) {
			int fds[2];
			unsigned int k = xhb_resource_fds(c->run, fds);

			for (unsigned int j = 0; j < k; j++)
				pfd[n++] = (struct pollfd){.fd = fds[j],
							   .events = POLLIN};
		} else if (c->phase != XHB_CHECK_IDLE) {
			pfd[n++] = (struct pollfd){
			    .fd = c->fd,
			    .events = c->phase == XHB_CHECK_RECEIVING ? POLLIN
								      : POLLOUT};
		}
	}
	return n;
}

__u64 xhb_checks_wait_ns(const struct xhb_checks *cs, __u64 now)
{
	__u64 wait = UINT64_MAX;

	for (unsigned int i = 0; i < cs->n; i++) {
		const struct xhb_check *c = &cs->c[i];

		if (dormant(cs, c))
			continue;
		__u64 due = c->phase == XHB_CHECK_IDLE
				? c->next_ns
				: c->started_ns + c->cfg.timeout_ns;
		__u64 w = due > now ? due - now : 0;

		if (c->phase == XHB_CHECK_EXECUTING &&
		    xhb_resource_wait_ns(c->run) < w)
			w = xhb_resource_wait_ns(c->run);
		if (w < wait)
			wait = w;
	}
	return wait;
}

struct xhb_gset xhb_checks_unfit(const struct xhb_checks *cs)
{
	struct xhb_gset unfit = {{0}};

	for (unsigned int i = 0; i < cs->n; i++)
		if (cs->c[i].state == XHB_CHECK_FAILING)
			unfit = xhb_gset_or(unfit, &cs->c[i].cfg.groups);
	return unfit;
}

static bool same_check(const struct xhb_check_cfg *a,
		       const struct xhb_check_cfg *b)
{
	struct xhb_check_cfg x = *a, y = *b;

	/* Where it was written is not what it is. */
	x.line = y.line = 0;
	return !memcmp(&x, &y, sizeof(x));
}

void xhb_checks_configure(struct xhb_checks *cs, const struct xhb_config *cfg,
			  struct xhb_events *ev, __u64 now)
{
	struct xhb_check *old = calloc(XHB_CONFIG_MAX_CHECKS, sizeof(*old));
	unsigned int nold = cs->n;
	bool *kept = calloc(XHB_CONFIG_MAX_CHECKS, sizeof(*kept));

	if (!old || !kept) {
		/* Keep what runs: better than checks that silently vanish. */
		free(old);
		free(kept);
		return;
	}
	memcpy(old, cs->c, nold * sizeof(*old));
	cs->ev = ev;
	cs->config = cfg;
	cs->n = 0;
	for (unsigned int k = 0; k < cfg->nchecks; k++) {
		struct xhb_check *c = &cs->c[cs->n++];
		unsigned int o;

		for (o = 0; o < nold; o++)
			if (!kept[o] && same_check(&old[o].cfg, &cfg->checks[k]))
				break;
		if (o < nold) {
			*c = old[o];
			kept[o] = true;
			c->cfg = cfg->checks[k];
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->cfg = cfg->checks[k];
		c->fd = -1;
		c->next_ns = now;
		c->changed_ns = now;
	}
	for (unsigned int o = 0; o < nold; o++)
		if (!kept[o])
			stop_run(&old[o]);
	free(old);
	free(kept);
}

void xhb_checks_close(struct xhb_checks *cs)
{
	for (unsigned int i = 0; i < cs->n; i++)
		stop_run(&cs->c[i]);
	cs->n = 0;
}

json_t *xhb_checks_json(const struct xhb_checks *cs, __u64 now)
{
	json_t *list = json_array();

	for (unsigned int i = 0; i < cs->n; i++) {
		const struct xhb_check *c = &cs->c[i];
		json_t *groups = json_array();

		for (unsigned int g = 0; g < XHB_MAX_GROUPS; g++)
			if (xhb_gset_has(&c->cfg.groups, g))
				json_array_append_new(groups, json_integer(g));
		json_array_append_new(
		    list,
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:i, s:i, s:I, s:I, "
			      "s:f, s:f, s:i, s:i, s:o}",
			      "name", c->cfg.name, "kind",
			      xhb_check_kind_name(c->cfg.kind), "target",
			      c->cfg.target, "state", xhb_check_state_name(c->state),
			      "detail", c->detail, "since_ms",
			      (now - c->changed_ns) / 1e6, "successes", (int)c->oks,
			      "failures_in_a_row", (int)c->fails, "runs",
			      (json_int_t)c->runs, "failures", (json_int_t)c->failures,
			      "interval_ms", c->cfg.interval_ns / 1e6, "timeout_ms",
			      c->cfg.timeout_ns / 1e6, "fall", (int)c->cfg.fall,
			      "rise", (int)c->cfg.rise, "groups", groups));
	}
	return list;
}

struct xhb_gset xhb_checks_clear(struct xhb_checks *cs,
				 struct xhb_gset groups, __u64 now)
{
	struct xhb_gset cleared = {{0}};

	for (unsigned int i = 0; i < cs->n; i++) {
		struct xhb_check *c = &cs->c[i];
		struct xhb_gset mine;

		if (c->cfg.kind != XHB_CHECK_RESOURCE ||
		    c->state != XHB_CHECK_FAILING)
			continue;
		mine = xhb_gset_and(c->cfg.groups, &groups);
		if (xhb_gset_empty(&mine))
			continue;
		stop_run(c);
		c->state = XHB_CHECK_UNKNOWN;
		c->oks = c->fails = 0;
		c->changed_ns = now;
		snprintf(c->detail, sizeof(c->detail), "cleared by an operator");
		cleared = xhb_gset_or(cleared, &mine);
	}
	return cleared;
}
