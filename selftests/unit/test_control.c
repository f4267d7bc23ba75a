// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The control socket of user/control.h: round trips, who may use it, its
 * file mode, malformed requests, slow clients, stale socket files; the
 * groups a scope names; and Heartbeat's commands over it (cl_status,
 * hb_standby, hb_takeover: tools/xhbctl_hb.c) on canned answers. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "control.h"

#define NOBODY 65534

static char dir[] = "/tmp/xhb-control.XXXXXX";
static char path[PATH_MAX];

static void setup(void)
{
	cr_assert(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	/* Let an unprivileged client reach the socket; its own mode decides. */
	cr_assert_eq(chmod(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/xhbd.sock", dir);
	/* A client that hangs up must not kill the test. */
	signal(SIGPIPE, SIG_IGN);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		cr_log_warn("could not remove %s", dir);
}

TestSuite(control, .init = setup, .fini = teardown, .timeout = 30);

static int handler_calls;

/* Echo the request, as the agent's status would report its state. */
static json_t *echo_handler(const struct xhb_control_request *req, void *ctx)
{
	handler_calls++;
	return json_pack("{s:s, s:s, s:s, s:b, s:i, s:s}", "node", (const char *)ctx,
			 "cmd", xhb_control_cmd_str(req->cmd), "scope",
			 xhb_control_scope_str(req->scope), "pid_known",
			 req->pid > 0, "group", req->group, "group_name",
			 req->group_name);
}

static json_t *failing_handler(const struct xhb_control_request *req, void *ctx)
{
	(void)req;
	(void)ctx;
	handler_calls++;
	return xhb_control_error("no group to take over");
}

static json_t *null_handler(const struct xhb_control_request *req, void *ctx)
{
	(void)req;
	(void)ctx;
	return NULL;
}

static long long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000LL +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

static bool wait_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, timeout_ms) == 1;
}

/* A client that speaks raw bytes: connected, then whatever the test sends. */
static int raw_connect(void)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	strcpy(sun.sun_path, path);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0,
		     "connect %s: %s", path, strerror(errno));
	return fd;
}

static json_t *raw_reply(int fd)
{
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	json_error_t jerr;
	json_t *reply;

	while (len < sizeof(buf) - 1 &&
	       (n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	cr_assert(len > 0 && buf[len - 1] == '\n', "reply not one line: %s",
		  buf);
	cr_assert(!memchr(buf, '\n', len - 1), "more than one line: %s", buf);
	reply = json_loads(buf, 0, &jerr);
	cr_assert(json_is_object(reply), "reply not JSON: %s", buf);
	return reply;
}

/* xhbctl's side: {"cmd":cmd[,"scope":scope]} */
static int request(const char *cmd, const char *scope, json_t **reply,
		   int timeout_ms)
{
	json_t *req = json_pack("{s:s, s:s*}", "cmd", cmd, "scope", scope);
	int err = xhb_control_request(path, req, reply, timeout_ms);

	json_decref(req);
	return err;
}

/* Serve n requests in a child, as the agent's loop would. */
static pid_t serve_in_child(struct xhb_control *ctl, int n,
			    xhb_control_handler handler)
{
	pid_t pid = fork();

	cr_assert(pid >= 0);
	if (pid)
		return pid;
	for (int i = 0; i < n; i++) {
		if (!wait_readable(xhb_control__fd(ctl), 5000) ||
		    xhb_control__serve(ctl, handler, "srv1", 1000))
			_exit(1);
	}
	/* _exit: the parent owns the socket file. */
	_exit(0);
}

static int child_status(pid_t pid)
{
	int status;

	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "child died: status %#x", status);
	return WEXITSTATUS(status);
}

Test(control, round_trip)
{
	struct xhb_control *ctl;
	json_t *reply;
	pid_t server;

	cr_assert_eq(xhb_control__open(&ctl, path), 0);
	server = serve_in_child(ctl, 3, echo_handler);

	cr_assert_eq(request("status", NULL, &reply, 2000), 0);
	cr_expect(json_is_true(json_object_get(reply, "ok")));
	cr_expect_str_eq(json_string_value(json_object_get(reply, "node")),
			 "srv1");
	cr_expect_str_eq(json_string_value(json_object_get(reply, "cmd")),
			 "status");
	cr_expect(json_is_true(json_object_get(reply, "pid_known")));
	json_decref(reply);

	cr_assert_eq(request("standby", "foreign", &reply, 2000), 0);
	cr_expect(json_is_true(json_object_get(reply, "ok")));
	cr_expect_str_eq(json_string_value(json_object_get(reply, "cmd")),
			 "standby");
	cr_expect_str_eq(json_string_value(json_object_get(reply, "scope")),
			 "foreign");
	json_decref(reply);

	/* No scope: all, as hb_takeover without an argument. */
	cr_assert_eq(request("takeover", NULL, &reply, 2000), 0);
	cr_expect_str_eq(json_string_value(json_object_get(reply, "cmd")),
			 "takeover");
	cr_expect_str_eq(json_string_value(json_object_get(reply, "scope")),
			 "all");
	json_decref(reply);

	cr_expect_eq(child_status(server), 0);
	xhb_control__close(ctl);
}

/* standby / takeover of the groups one word names (xhbctl standby group
 * NAME): the word reaches the agent as it was given, a number too. */
Test(control, group_named_by_a_word)
{
	struct xhb_control *ctl;
	json_t *req, *reply;
	pid_t server;

	cr_assert_eq(xhb_control__open(&ctl, path), 0);
	server = serve_in_child(ctl, 2, echo_handler);
	req = json_pack("{s:s, s:s}", "cmd", "standby", "group", "172.16.200.100");
	cr_assert_eq(xhb_control_request(path, req, &reply, 2000), 0);
	json_decref(req);
	cr_expect_str_eq(json_string_value(json_object_get(reply, "scope")), "group");
	cr_expect_str_eq(json_string_value(json_object_get(reply, "group_name")),
			 "172.16.200.100");
	json_decref(reply);
	req = json_pack("{s:s, s:i}", "cmd", "takeover", "group", 40);
	cr_assert_eq(xhb_control_request(path, req, &reply, 2000), 0);
	json_decref(req);
	cr_expect_str_eq(json_string_value(json_object_get(reply, "cmd")), "takeover");
	cr_expect_str_eq(json_string_value(json_object_get(reply, "group_name")), "40");
	json_decref(reply);
	cr_expect_eq(child_status(server), 0);
	xhb_control__close(ctl);
}

Test(control, agent_refusal_and_failure_reach_the_client)
{
	struct xhb_control *ctl;
	json_t *reply;
	pid_t server;

	cr_assert_eq(xhb_control__open(&ctl, path), 0);
	server = serve_in_child(ctl, 1, failing_handler);
	cr_assert_eq(request("takeover", NULL, &reply, 2000), 0);
	cr_expect(json_is_false(json_object_get(reply, "ok")));
	cr_expect_str_eq(json_string_value(json_object_get(reply, "error")),
			 "no group to take over");
	json_decref(reply);
	cr_expect_eq(child_status(server), 0);

	/* A handler that gives nothing back still answers the client. */
	int fd = raw_connect();
	cr_assert(send(fd, "{\"cmd\":\"status\"}\n", 17, 0) == 17);
	cr_expect_eq(xhb_control__serve(ctl, null_handler, NULL, 1000), -EIO);
	reply = raw_reply(fd);
	cr_expect(json_is_false(json_object_get(reply, "ok")));
	cr_expect(json_is_string(json_object_get(reply, "error")));
	json_decref(reply);
	close(fd);
	xhb_control__close(ctl);
}

Test(control, socket_is_0600_root_whatever_the_umask)
{
	struct xhb_control *ctl;
	struct stat st;
	mode_t old = umask(0);

	cr_assert_eq(xhb_control__open(&ctl, path), 0);
	umask(old);
	cr_assert_eq(lstat(path, &st), 0);
	cr_expect(S_ISSOCK(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 0600, "mode %o",
		     (unsigned)(st.st_mode & 07777));
	cr_expect_eq(st.st_uid, 0);
	xhb_control__close(ctl);
	/* Closing removes it. */
	cr_expect_neq(lstat(path, &st), 0);
}

/* As nobody: connect() is refused by the file mode. */
Test(control, non_root_cannot_connect)
{
	struct xhb_control *ctl;
	json_t *reply;
	pid_t pid;

	cr_assert_eq(xhb_control__open(&ctl, path), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(100);
		_exit(-request("standby", NULL, &reply, 2000));
	}
	cr_expect_eq(child_status(pid), EACCES);
	/* Nothing reached the agent. */
	handler_calls = 0;
	cr_expect_eq(xhb_control__serve(ctl, echo_handler, "srv1", 100), 0);
	cr_expect_eq(handler_calls, 0);
	xhb_control__close(ctl);
}

/* Even with the mode widened by mistake, SO_PEERCRED keeps nobody out. */
Test(control, non_root_refused_by_peer_credentials)
{
	struct xhb_control *ctl;
	json_t *reply;
	pid_t pid;

	cr_assert_eq(xhb_control__open(&ctl, path), 0);
	cr_assert_eq(chmod(path, 0666), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		const char *error;
		int err;

		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(100);
		err = request("takeover", NULL, &reply, 3000);
		if (err)
			_exit(101);
		error = json_string_value(json_object_get(reply, "error"));
		if (!json_is_false(json_object_get(reply, "ok")) || !error ||
		    !strstr(error, "not root"))
			_exit(102);
		_exit(0);
	}
	handler_calls = 0;
	cr_assert(wait_readable(xhb_control__fd(ctl), 5000));
	cr_expect_eq(xhb_control__serve(ctl, echo_handler, "srv1", 1000),
		     -EPERM);
	cr_expect_eq(handler_calls, 0, "the agent acted for nobody");
	cr_expect_eq(child_status(pid), 0,
		     "the client did not get the refusal");
	xhb_control__close(ctl);
}

Test(control, malformed_requests_get_error_replies)
{
	static const struct {
		const char *request;
		int err;
		const char *error;
	} cases[] = {
	    {"this is not json\n", -EPROTO, "malformed request"},
	    {"[\"status\"]\n", -EPROTO, "not an object"},
	    {"{\"command\":\"status\"}\n", -EPROTO, "cmd"},
	    {"{\"cmd\":1}\n", -EPROTO, "cmd"},
	    {"{\"cmd\":\"status\",\"cmd\":\"standby\"}\n", -EPROTO,
	     "duplicate"},
	    {"{\"cmd\":\"reboot\"}\n", -EINVAL, "unknown command \"reboot\""},
	    {"{\"cmd\":\"standby\",\"scope\":\"everything\"}\n", -EINVAL,
	     "scope"},
	    {"{\"cmd\":\"takeover\",\"scope\":7}\n", -EINVAL, "scope"},
	    {"{\"cmd\":\"cleanup\",\"group\":1024}\n", -EINVAL,
	     "bad group for cleanup"},
	    {"{\"cmd\":\"cleanup\",\"group\":-1}\n", -EINVAL,
	     "bad group for cleanup"},
	    {"{\"cmd\":\"cleanup\",\"group\":\"0\"}\n", -EINVAL,
	     "bad group for cleanup"},
	    {"{\"cmd\":\"cleanup\",\"group\":1.5}\n", -EINVAL,
	     "bad group for cleanup"},
	    {"{\"cmd\":\"standby\",\"group\":\"\"}\n", -EINVAL,
	     "bad group for standby"},
	    {"{\"cmd\":\"takeover\",\"group\":[1]}\n", -EINVAL,
	     "bad group for takeover"},
	    {"{\"cmd\":\"standby\",\"group\":\"1\",\"scope\":\"all\"}\n",
	     -EINVAL, "without a scope"},
	    {"{\"cmd\":\"standby\",\"scope\":\"group\"}\n", -EINVAL,
	     "scope"},
	    {"\n", -EPROTO, "malformed request"},
	};
	struct xhb_control *ctl;

	cr_assert_eq(xhb_control__open(&ctl, path), 0);
	handler_calls = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd = raw_connect();
		size_t len = strlen(cases[i].request);
		const char *error;
		json_t *reply;

		cr_assert(send(fd, cases[i].request, len, 0) == (ssize_t)len);
		cr_expect_eq(
		    xhb_control__serve(ctl, echo_handler, "srv1", 1000),
		    cases[i].err, "%s", cases[i].request);
		reply = raw_reply(fd);
		error = json_string_value(json_object_get(reply, "error"));
		cr_expect(json_is_false(json_object_get(reply, "ok")), "%s",
			  cases[i].request);
		cr_expect(error && strstr(error, cases[i].error), "%s -> %s",
			  cases[i].request, error);
		json_decref(reply);
		close(fd);
	}
	cr_expect_eq(handler_calls, 0);

	/* A request ended by EOF instead of a newline is fine. */
	int fd = raw_connect();
	cr_assert(send(fd, "{\"cmd\":\"status\"}", 16, 0) == 16);
	shutdown(fd, SHUT_WR);
	cr_expect_eq(xhb_control__serve(ctl, echo_handler, "srv1", 1000), 0);
	json_t *reply = raw_reply(fd);
	cr_expect(json_is_true(json_object_get(reply, "ok")));
	json_decref(reply);
	close(fd);
	xhb_control__close(ctl);
}

Test(control, oversized_request_refused)
{
	struct xhb_control *ctl;
	size_t len = XHB_CONTROL_MAX_LINE + 4096;
	char *big = malloc(len);
	pid_t pid;

	memset(big, ' ', len);
	cr_assert_eq(xhb_control__open(&ctl, path), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int fd = raw_connect();

		/* The server stops reading: a short write is fine. */
		(void)!send(fd, big, len, MSG_NOSIGNAL);
		_exit(0);
	}
	cr_assert(wait_readable(xhb_control__fd(ctl), 5000));
	cr_expect_eq(xhb_control__serve(ctl, echo_handler, "srv1", 2000),
		     -EMSGSIZE);
	child_status(pid);
	free(big);
	xhb_control__close(ctl);
}

/* A client that connects and sends half a line, or nothing, holds the
 * agent no longer than the timeout, and is told why. */
Test(control, slow_client_bounded_by_timeout)
{
	static const char *const partial[] = {"{\"cmd\":", ""};
	struct xhb_control *ctl;
	struct timespec start;

	cr_assert_eq(xhb_control__open(&ctl, path), 0);
	/* Nothing pending: returns at once. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	cr_expect_eq(xhb_control__serve(ctl, echo_handler, "srv1", 1000), 0);
	cr_expect_lt(elapsed_ms(&start), 50);

	for (size_t i = 0; i < 2; i++) {
		int fd = raw_connect();
		long long took;
		json_t *reply;

		if (*partial[i])
			cr_assert(send(fd, partial[i], strlen(partial[i]), 0) >
				  0);
		clock_gettime(CLOCK_MONOTONIC, &start);
		cr_expect_eq(xhb_control__serve(ctl, echo_handler, "srv1", 200),
			     -ETIMEDOUT);
		took = elapsed_ms(&start);
		cr_expect_geq(took, 195, "%lld ms", took);
		cr_expect_lt(took, 700, "%lld ms", took);
		reply = raw_reply(fd);
		cr_expect_str_eq(
		    json_string_value(json_object_get(reply, "error")),
		    "timed out reading the request");
		json_decref(reply);
		close(fd);
	}
	xhb_control__close(ctl);
}

Test(control, client_errors)
{
	struct xhb_control *ctl;
	struct timespec start;
	json_t *reply = (json_t *)1;
	pid_t pid;
	int fd;

	cr_expect_eq(request("status", NULL, &reply, 500), -ENOENT);
	cr_expect_null(reply);

	/* An agent that never answers. */
	cr_assert_eq(xhb_control__open(&ctl, path), 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	cr_expect_eq(request("status", NULL, &reply, 200), -ETIMEDOUT);
	cr_expect_lt(elapsed_ms(&start), 700);
	xhb_control__close(ctl);

	/* Something that is not an agent answers. */
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert_eq(listen(fd, 1), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int conn = accept(fd, NULL, NULL);
		char buf[256];

		(void)!read(conn, buf, sizeof(buf));
		(void)!write(conn, "[1]\n", 4);
		_exit(0);
	}
	cr_expect_eq(request("status", NULL, &reply, 2000), -EPROTO);
	child_status(pid);
	close(fd);
	/* Now a socket file nobody listens on. */
	cr_expect_eq(request("status", NULL, &reply, 500), -ECONNREFUSED);
}

Test(control, stale_socket_replaced_live_one_kept)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct xhb_control *ctl, *second;
	struct stat st;
	char other[PATH_MAX + 8];
	int fd;

	/* Left by a killed agent: bound, nobody listening. */
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	cr_assert_eq(xhb_control__open(&ctl, path), 0);

	/* A second agent on the same path is refused, the first untouched. */
	cr_expect_eq(xhb_control__open(&second, path), -EADDRINUSE);
	cr_expect_null(second);
	cr_expect_eq(lstat(path, &st), 0);

	/* A newer agent replaced our file: closing must not remove it. */
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(xhb_control__open(&second, path), 0);
	xhb_control__close(ctl);
	cr_expect_eq(lstat(path, &st), 0, "closing removed the newer socket");
	xhb_control__close(second);

	/* Not a socket: never removed. */
	snprintf(other, sizeof(other), "%s/file", dir);
	fd = open(other, O_WRONLY | O_CREAT, 0600);
	close(fd);
	cr_expect_eq(xhb_control__open(&ctl, other), -EEXIST);
	cr_expect_eq(lstat(other, &st), 0);
	cr_expect(S_ISREG(st.st_mode));

	/* A missing directory, one level, is created. */
	snprintf(other, sizeof(other), "%s/run/x.sock", dir);
	cr_expect_eq(xhb_control__open(&ctl, other), 0);
	xhb_control__close(ctl);
	xhb_control__close(NULL);
}

Test(control, paths_and_words)
{
	enum xhb_control_scope scope;
	char buf[64];

	cr_expect_eq(xhb_control_default_path(buf, sizeof(buf), NULL), 0);
	cr_expect_str_eq(buf, "/run/xhb/xhbd.sock");
	cr_expect_str_eq(buf, XHB_CONTROL_PATH_DEFAULT);
	cr_expect_eq(xhb_control_default_path(buf, sizeof(buf), "srv1"), 0);
	cr_expect_str_eq(buf, "/run/xhb/xhbd-srv1.sock");
	cr_expect_eq(xhb_control_default_path(buf, sizeof(buf), "../x"),
		     -EINVAL);
	cr_expect_eq(xhb_control_default_path(buf, sizeof(buf), ""), -EINVAL);
	cr_expect_eq(xhb_control_default_path(buf, 10, NULL), -ENAMETOOLONG);

	for (int i = XHB_SCOPE_ALL; i <= XHB_SCOPE_FAILBACK; i++) {
		cr_expect_eq(
		    xhb_control_scope_parse(xhb_control_scope_str(i), &scope),
		    0);
		cr_expect_eq((int)scope, i);
	}
	cr_expect_str_eq(xhb_control_scope_str(XHB_SCOPE_FAILBACK), "failback");
	cr_expect_eq(xhb_control_scope_parse("ALL", &scope), -EINVAL);
	cr_expect_eq(xhb_control_scope_parse(NULL, &scope), -EINVAL);
	cr_expect_str_eq(xhb_control_cmd_str(XHB_CONTROL_TAKEOVER), "takeover");
	cr_expect_str_eq(xhb_control_cmd_str(XHB_CONTROL_CLEANUP), "cleanup");

	char longpath[200];
	struct xhb_control *ctl;
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	cr_expect_eq(xhb_control__open(&ctl, longpath), -ENAMETOOLONG);
}

/* Which groups a standby or takeover names: node 0 is us; group 0 is
 * ours, 1 node 1's, 2 node 2's, 3 nobody's; nodes 1 would take back
 * group 1 (up, not in standby for it), node 2 would not. */
Test(control, scope_groups)
{
	static const int preferred[] = {0, 1, 2, -1};
	static const struct {
		bool standby;
		enum xhb_control_scope scope;
		uint32_t want;
	} cases[] = {
	    {true, XHB_SCOPE_ALL, 0xf},	      {false, XHB_SCOPE_ALL, 0xf},
	    {true, XHB_SCOPE_LOCAL, 0x1},     {false, XHB_SCOPE_LOCAL, 0x1},
	    {true, XHB_SCOPE_FOREIGN, 0xe},   {false, XHB_SCOPE_FOREIGN, 0xe},
	    /* give back only what a live preferred node takes */
	    {true, XHB_SCOPE_FAILBACK, 0x2},
	    /* take back what we prefer (the other node's standby failback) */
	    {false, XHB_SCOPE_FAILBACK, 0x1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(xhb_control_scope_groups(cases[i].standby,
						      cases[i].scope, 4,
						      preferred, 0, &(struct xhb_gset){{0x2}}).w[0],
			     cases[i].want, "%s %s: 0x%x, want 0x%x",
			     cases[i].standby ? "standby" : "takeover",
			     xhb_control_scope_str(cases[i].scope),
			     xhb_control_scope_groups(cases[i].standby,
						      cases[i].scope, 4,
						      preferred, 0, &(struct xhb_gset){{0x2}}).w[0],
			     cases[i].want);
	/* nobody up to take anything back: failback gives nothing */
	cr_expect_eq(xhb_control_scope_groups(true, XHB_SCOPE_FAILBACK, 4,
					      preferred, 0, &(struct xhb_gset){{0}}).w[0],
		     0);
	/* a taker bit for one of our own groups changes nothing */
	cr_expect_eq(xhb_control_scope_groups(true, XHB_SCOPE_FAILBACK, 4,
					      preferred, 0, &(struct xhb_gset){{0xf}}).w[0],
		     0x6);
	/* the same groups seen from node 1 */
	cr_expect_eq(xhb_control_scope_groups(true, XHB_SCOPE_LOCAL, 4,
					      preferred, 1, &(struct xhb_gset){{0}}).w[0],
		     0x2);
	cr_expect_eq(xhb_control_scope_groups(false, XHB_SCOPE_FAILBACK, 4,
					      preferred, 1, &(struct xhb_gset){{0}}).w[0],
		     0x2);
}

/* The agent takes "failback" for standby and takeover alike. */
Test(control, failback_scope_accepted)
{
	struct xhb_control *ctl;
	json_t *reply;
	pid_t server;

	cr_assert_eq(xhb_control__open(&ctl, path), 0);
	server = serve_in_child(ctl, 2, echo_handler);
	cr_assert_eq(request("standby", "failback", &reply, 2000), 0);
	cr_expect(json_is_true(json_object_get(reply, "ok")));
	cr_expect_str_eq(json_string_value(json_object_get(reply, "scope")),
			 "failback");
	json_decref(reply);
	cr_assert_eq(request("takeover", "failback", &reply, 2000), 0);
	cr_expect_str_eq(json_string_value(json_object_get(reply, "cmd")),
			 "takeover");
	cr_expect_str_eq(json_string_value(json_object_get(reply, "scope")),
			 "failback");
	json_decref(reply);
	cr_expect_eq(child_status(server), 0);
	xhb_control__close(ctl);
}

/* cleanup [GROUP]: the group number reaches the agent, -1 without one;
 * standby and takeover carry no group. */
Test(control, cleanup_with_and_without_a_group)
{
	struct xhb_control *ctl;
	json_t *reply, *req;
	pid_t server;

	cr_assert_eq(xhb_control__open(&ctl, path), 0);
	server = serve_in_child(ctl, 3, echo_handler);
	req = json_pack("{s:s, s:i}", "cmd", "cleanup", "group", 3);
	cr_assert_eq(xhb_control_request(path, req, &reply, 2000), 0);
	json_decref(req);
	cr_expect(json_is_true(json_object_get(reply, "ok")));
	cr_expect_str_eq(json_string_value(json_object_get(reply, "cmd")),
			 "cleanup");
	cr_expect_eq(json_integer_value(json_object_get(reply, "group")), 3);
	json_decref(reply);
	cr_assert_eq(request("cleanup", NULL, &reply, 2000), 0);
	cr_expect_str_eq(json_string_value(json_object_get(reply, "cmd")),
			 "cleanup");
	cr_expect_eq(json_integer_value(json_object_get(reply, "group")), -1);
	json_decref(reply);
	cr_assert_eq(request("standby", "all", &reply, 2000), 0);
	cr_expect_eq(json_integer_value(json_object_get(reply, "group")), -1);
	json_decref(reply);
	cr_expect_eq(child_status(server), 0);
	xhb_control__close(ctl);
}

static json_t *node_handler(const struct xhb_control_request *req, void *ctx)
{
	(void)ctx;
	return json_pack("{s:s, s:i, s:s?}", "cmd", xhb_control_cmd_str(req->cmd),
			 "op", (int)req->node_op, "name", req->node_name);
}

/* node [list] | node add|remove NAME: the op and the name reach the
 * agent; a wrong op or a missing name is refused before it. */
Test(control, node_requests)
{
	static const struct {
		const char *req;
		bool ok;
		int op;
		const char *name, *error;
	} cases[] = {
	    {"{\"cmd\":\"node\"}", true, XHB_NODE_OP_LIST, NULL, NULL},
	    {"{\"cmd\":\"node\",\"op\":\"list\"}", true, XHB_NODE_OP_LIST, NULL, NULL},
	    {"{\"cmd\":\"node\",\"op\":\"add\",\"name\":\"srv4\"}", true,
	     XHB_NODE_OP_ADD, "srv4", NULL},
	    {"{\"cmd\":\"node\",\"op\":\"remove\",\"name\":\"srv4\"}", true,
	     XHB_NODE_OP_REMOVE, "srv4", NULL},
	    {"{\"cmd\":\"node\",\"op\":\"add\"}", false, 0, NULL,
	     "node add: no \"name\" string"},
	    {"{\"cmd\":\"node\",\"op\":\"remove\",\"name\":4}", false, 0, NULL,
	     "node remove: no \"name\" string"},
	    {"{\"cmd\":\"node\",\"op\":\"rename\",\"name\":\"srv4\"}", false, 0,
	     NULL, "bad op for node: expected list, add or remove"},
	};
	size_t n = sizeof(cases) / sizeof(cases[0]);
	struct xhb_control *ctl;
	json_error_t jerr;
	json_t *reply, *req;
	pid_t server;

	cr_assert_eq(xhb_control__open(&ctl, path), 0);
	server = fork();
	cr_assert(server >= 0);
	if (!server) {
		/* a refusal is an error of that client's: serve on */
		for (size_t i = 0; i < n; i++)
			if (!wait_readable(xhb_control__fd(ctl), 5000))
				_exit(1);
			else
				(void)xhb_control__serve(ctl, node_handler, NULL, 1000);
		_exit(0);
	}
	for (size_t i = 0; i < n; i++) {
		req = json_loads(cases[i].req, 0, &jerr);
		cr_assert(req);
		cr_assert_eq(xhb_control_request(path, req, &reply, 2000), 0, "%s",
			     cases[i].req);
		json_decref(req);
		cr_expect_eq(json_is_true(json_object_get(reply, "ok")), cases[i].ok,
			     "%s", cases[i].req);
		if (cases[i].ok) {
			cr_expect_eq(json_integer_value(json_object_get(reply, "op")),
				     cases[i].op, "%s", cases[i].req);
			if (cases[i].name)
				cr_expect_str_eq(json_string_value(json_object_get(reply, "name")),
						 cases[i].name);
			else
				cr_expect(json_is_null(json_object_get(reply, "name")) ||
					  !json_object_get(reply, "name"));
		} else {
			cr_expect_str_eq(json_string_value(json_object_get(reply, "error")),
					 cases[i].error);
		}
		json_decref(reply);
	}
	cr_expect_eq(child_status(server), 0);
	xhb_control__close(ctl);
}
