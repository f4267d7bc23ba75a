// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Control socket, server and client: see control.h. */
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "control.h"

#define CONTROL_BACKLOG 16
/* While the agent's listen queue is full, the client retries this often. */
#define CONNECT_RETRY_MS 10
/* How long a reply may wait for room in the client's socket buffer once
 * the request's time is up. */
#define REPLY_GRACE_MS 100

struct xhb_control {
	int fd;
	char *path;
	/* The file we bound: close() removes the path only if it is still
	 * this one, not a socket a newer agent put there. */
	dev_t dev;
	ino_t ino;
};

static const char *const cmd_names[] = {
    [XHB_CONTROL_STATUS] = "status",
    [XHB_CONTROL_STANDBY] = "standby",
    [XHB_CONTROL_TAKEOVER] = "takeover",
    [XHB_CONTROL_CLEANUP] = "cleanup",
    [XHB_CONTROL_NODE] = "node",
};

static const char *const scope_names[] = {
    [XHB_SCOPE_ALL] = "all",
    [XHB_SCOPE_FOREIGN] = "foreign",
    [XHB_SCOPE_LOCAL] = "local",
    [XHB_SCOPE_FAILBACK] = "failback",
    [XHB_SCOPE_GROUP] = "group", /* said, not asked: "group" in a request */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *xhb_control_cmd_str(enum xhb_control_cmd cmd)
{
	return (size_t)cmd < ARRAY_SIZE(cmd_names) ? cmd_names[cmd] : "unknown";
}

const char *xhb_control_scope_str(enum xhb_control_scope scope)
{
	return (size_t)scope < ARRAY_SIZE(scope_names) ? scope_names[scope]
						       : "unknown";
}

int xhb_control_scope_parse(const char *word, enum xhb_control_scope *scope)
{
	for (size_t i = 0; word && i < ARRAY_SIZE(scope_names); i++) {
		if (i != XHB_SCOPE_GROUP && !strcmp(word, scope_names[i])) {
			*scope = (enum xhb_control_scope)i;
			return 0;
		}
	}
	return -EINVAL;
}

struct xhb_gset xhb_control_scope_groups(bool standby,
					 enum xhb_control_scope scope,
					 unsigned int ngroups, const int *preferred,
					 int self, const struct xhb_gset *taker_up)
{
	struct xhb_gset mask = {{0}};

	for (unsigned int g = 0; g < ngroups && g < XHB_MAX_GROUPS; g++) {
		bool local = preferred[g] == self;
		bool in;

		switch (scope) {
		case XHB_SCOPE_ALL:
			in = true;
			break;
		case XHB_SCOPE_FOREIGN:
			in = !local;
			break;
		case XHB_SCOPE_LOCAL:
			in = local;
			break;
		case XHB_SCOPE_FAILBACK:
			/* give back what another node prefers and would take;
			 * take back what we prefer */
			in = standby ? !local && preferred[g] >= 0 && xhb_gset_has(taker_up, g)
				     : local;
			break;
		default:
			in = false;
		}
		if (in)
			xhb_gset_add(&mask, g);
	}
	return mask;
}

void xhb_control_set_groups(json_t *reply, const struct xhb_gset *groups,
			    const char *mask_key, const char *list_key)
{
	json_t *list = json_array();

	for (unsigned int g = 0; g < XHB_MAX_GROUPS; g++)
		if (xhb_gset_has(groups, g))
			json_array_append_new(list, json_integer(g));
	json_object_set_new(reply, mask_key, json_integer(groups->w[0]));
	json_object_set_new(reply, list_key, list);
}

static int cmd_parse(const char *word, enum xhb_control_cmd *cmd)
{
	for (size_t i = 0; word && i < ARRAY_SIZE(cmd_names); i++) {
		if (!strcmp(word, cmd_names[i])) {
			*cmd = (enum xhb_control_cmd)i;
			return 0;
		}
	}
	return -EINVAL;
}

int xhb_control_default_path(char *buf, size_t len, const char *instance)
{
	int n;

	if (instance && (!*instance || strchr(instance, '/')))
		return -EINVAL;
	if (instance)
		n = snprintf(buf, len, "/run/xhb/xhbd-%s.sock", instance);
	else
		n = snprintf(buf, len, "%s", XHB_CONTROL_PATH_DEFAULT);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Wait for events on fd until the deadline: 0, or -ETIMEDOUT. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};

	for (;;) {
		uint64_t now = xhb_mono_ns() / XHB_NS_PER_MS;
		int n;

		if (now >= deadline)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, (int)(deadline - now));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int send_all(int fd, const char *buf, size_t len, uint64_t deadline)
{
	while (len > 0) {
		/* MSG_NOSIGNAL: a client that hung up must not SIGPIPE us. */
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		int err;

		if (n >= 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		err = wait_fd(fd, POLLOUT, deadline);
		if (err)
			return err;
	}
	return 0;
}

static int send_line(int fd, json_t *msg, uint64_t deadline)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	size_t len;
	int err;

	if (!text)
		return -ENOMEM;
	len = strlen(text);
	/* Replaces the terminating NUL: the line is sent without it. */
	text[len] = '\n';
	err = send_all(fd, text, len + 1, deadline);
	free(text);
	return err;
}

/*
 * Read one line (without its '\n') into a NUL-terminated *linep. EOF ends
 * a line too, so `printf '{...}' | socat` works; EOF before any byte is
 * -EPROTO.
 */
static int read_line(int fd, uint64_t deadline, char **linep, size_t *lenp,
		     size_t max)
{
	size_t len = 0, cap = 512;
	char *line = malloc(cap), *grown;
	int err = 0;

	if (!line)
		return -ENOMEM;
	for (;;) {
		ssize_t n;
		char *nl;

		if (len + 1 >= cap) {
			if (cap > max) {
				err = -EMSGSIZE;
				break;
			}
			grown = realloc(line, cap * 2);
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			line = grown;
			cap *= 2;
		}
		n = recv(fd, line + len, cap - len - 1, MSG_DONTWAIT);
		if (n > 0) {
			nl = memchr(line + len, '\n', (size_t)n);
			len += (size_t)n;
			if (nl) {
				len = (size_t)(nl - line);
				break;
			}
			continue;
		}
		if (n == 0) {
			if (!len)
				err = -EPROTO;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			err = -errno;
			break;
		}
		err = wait_fd(fd, POLLIN, deadline);
		if (err)
			break;
	}
	if (!err && len > max)
		err = -EMSGSIZE;
	if (err) {
		free(line);
		return err;
	}
	line[len] = '\0';
	*linep = line;
	*lenp = len;
	return 0;
}

static int fill_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (!path || !*path)
		return -EINVAL;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

/* Remove a socket file that no agent listens on any more (the previous
 * agent was killed); never remove anything else. */
static int remove_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, err;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (const struct sockaddr *)sun, sizeof(*sun)))
		err = -EADDRINUSE;
	else if (errno == EAGAIN)
		err = -EADDRINUSE; /* alive, its queue is just full */
	else if (errno == ECONNREFUSED)
		err = unlink(path) && errno != ENOENT ? -errno : 0;
	else
		err = -errno;
	close(fd);
	return err;
}

static int make_parent_dir(const char *path)
{
	char *copy = strdup(path);
	int err = 0;

	if (!copy)
		return -ENOMEM;
	/* One level, for /run/xhb on a fresh tmpfs /run. */
	if (mkdir(dirname(copy), 0755) && errno != EEXIST)
		err = -errno;
	free(copy);
	return err;
}

int xhb_control__open(struct xhb_control **ctlp, const char *path)
{
	struct xhb_control *ctl;
	struct sockaddr_un sun;
	struct stat st;
	int err;

	*ctlp = NULL;
	err = fill_addr(&sun, path);
	if (err)
		return err;
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->fd = -1;
	err = make_parent_dir(path);
	err = err ?: remove_stale(path, &sun);
	if (err)
		goto err;
	ctl->fd =
	    socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ctl->fd < 0) {
		err = -errno;
		goto err;
	}
	/* Linux creates the socket file with the socket inode's mode less
	 * the umask: set 0600 before bind, so the file is never open to
	 * others, not even between bind() and chmod(). */
	if (fchmod(ctl->fd, 0600) ||
	    bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = -errno;
		goto err;
	}
	if (chmod(path, 0600) || stat(path, &st) ||
	    listen(ctl->fd, CONTROL_BACKLOG)) {
		err = -errno;
		unlink(path);
		goto err;
	}
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	ctl->path = strdup(path);
	if (!ctl->path) {
		err = -ENOMEM;
		unlink(path);
		goto err;
	}
	*ctlp = ctl;
	return 0;
err:
	if (ctl->fd >= 0)
		close(ctl->fd);
	free(ctl);
	return err;
}

void xhb_control__close(struct xhb_control *ctl)
{
	struct stat st;

	if (!ctl)
		return;
	if (!lstat(ctl->path, &st) && st.st_dev == ctl->dev &&
	    st.st_ino == ctl->ino)
		unlink(ctl->path);
	close(ctl->fd);
	free(ctl->path);
	free(ctl);
}

int xhb_control__fd(const struct xhb_control *ctl)
{
	return ctl->fd;
}

json_t *xhb_control_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

/* node: "op" list (the default), add or remove, the latter two with a
 * "name" string. */
static int parse_node(json_t *json, struct xhb_control_request *req,
		      json_t **reply)
{
	const char *op = json_string_value(json_object_get(json, "op"));

	if (!op || !strcmp(op, "list"))
		req->node_op = XHB_NODE_OP_LIST;
	else if (!strcmp(op, "add"))
		req->node_op = XHB_NODE_OP_ADD;
	else if (!strcmp(op, "remove"))
		req->node_op = XHB_NODE_OP_REMOVE;
	else {
		*reply = xhb_control_error("bad op for node: expected list, add or remove");
		return -EINVAL;
	}
	if (req->node_op == XHB_NODE_OP_LIST)
		return 0;
	req->node_name = json_string_value(json_object_get(json, "name"));
	if (!req->node_name) {
		*reply = xhb_control_error("node %s: no \"name\" string", op);
		return -EINVAL;
	}
	return 0;
}

/* Check the request and fill req; on error, *reply is the refusal. */
static int parse_request(const char *line, size_t len,
			 struct xhb_control_request *req, json_t **reply)
{
	const char *cmd, *scope;
	json_error_t jerr;
	json_t *json;

	json = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json) {
		*reply = xhb_control_error("malformed request: %s", jerr.text);
		return -EPROTO;
	}
	req->json = json;
	if (!json_is_object(json)) {
		*reply = xhb_control_error("malformed request: not an object");
		return -EPROTO;
	}
	cmd = json_string_value(json_object_get(json, "cmd"));
	if (!cmd) {
		*reply =
		    xhb_control_error("malformed request: no \"cmd\" string");
		return -EPROTO;
	}
	if (cmd_parse(cmd, &req->cmd)) {
		*reply = xhb_control_error("unknown command \"%.64s\"", cmd);
		return -EINVAL;
	}
	req->scope = XHB_SCOPE_ALL;
	req->group = -1;
	if (req->cmd == XHB_CONTROL_CLEANUP) {
		json_t *group = json_object_get(json, "group");

		if (!group)
			return 0;
		if (!json_is_integer(group) || json_integer_value(group) < 0 ||
		    json_integer_value(group) >= XHB_MAX_GROUPS) {
			*reply = xhb_control_error(
			    "bad group for cleanup: a group number, 0..%d",
			    XHB_MAX_GROUPS - 1);
			return -EINVAL;
		}
		req->group = (int)json_integer_value(group);
		return 0;
	}
	if (req->cmd == XHB_CONTROL_NODE)
		return parse_node(json, req, reply);
	if ((req->cmd == XHB_CONTROL_STANDBY || req->cmd == XHB_CONTROL_TAKEOVER) &&
	    json_object_get(json, "group")) {
		json_t *group = json_object_get(json, "group");

		if (json_is_integer(group))
			snprintf(req->group_name, sizeof(req->group_name), "%lld",
				 (long long)json_integer_value(group));
		else if (json_is_string(group) && *json_string_value(group) &&
			 strlen(json_string_value(group)) < sizeof(req->group_name))
			snprintf(req->group_name, sizeof(req->group_name), "%s",
				 json_string_value(group));
		if (!req->group_name[0] || json_object_get(json, "scope")) {
			*reply = xhb_control_error(
			    "bad group for %s: one word (a group's number, one of "
			    "its addresses or resources), without a scope",
			    cmd);
			return -EINVAL;
		}
		req->scope = XHB_SCOPE_GROUP;
		return 0;
	}
	if (req->cmd == XHB_CONTROL_STATUS || !json_object_get(json, "scope"))
		return 0;
	scope = json_string_value(json_object_get(json, "scope"));
	if (xhb_control_scope_parse(scope, &req->scope)) {
		*reply = xhb_control_error(
		    "bad scope for %s: expected all, foreign, local or failback",
		    cmd);
		return -EINVAL;
	}
	return 0;
}

int xhb_control__serve(struct xhb_control *ctl, xhb_control_handler handler,
		       void *ctx, int timeout_ms)
{
	struct xhb_control_request req = {0};
	uint64_t deadline =
	    xhb_mono_ns() / XHB_NS_PER_MS + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	struct ucred cred;
	socklen_t cred_len = sizeof(cred);
	json_t *reply = NULL;
	char *line = NULL;
	size_t len;
	int fd, err, send_err;

	fd = accept4(ctl->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		/* Nothing queued (another poll() wakeup took it) or the
		 * client already left: not the agent's problem. */
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return 0;
		return -errno;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len)) {
		err = -errno;
		goto out;
	}
	req.pid = cred.pid;
	/* Read before judging: closing a UNIX socket with unread data
	 * resets the connection, and the client would miss the refusal. */
	err = read_line(fd, deadline, &line, &len, XHB_CONTROL_MAX_LINE);
	if (err) {
		if (err == -ETIMEDOUT)
			reply =
			    xhb_control_error("timed out reading the request");
		else if (err == -EMSGSIZE)
			reply =
			    xhb_control_error("request longer than %d bytes",
					      XHB_CONTROL_MAX_LINE);
		else if (err == -EPROTO)
			reply = xhb_control_error("empty request");
		goto out;
	}
	/* Mode 0600 keeps others out; this holds even if someone widened
	 * the mode or the agent's directory. */
	if (cred.uid != 0) {
		reply =
		    xhb_control_error("permission denied: uid %u is not root",
				      (unsigned)cred.uid);
		err = -EPERM;
		goto out;
	}
	err = parse_request(line, len, &req, &reply);
	if (err)
		goto out;
	reply = handler(&req, ctx);
	if (!json_is_object(reply)) {
		json_decref(reply);
		reply = xhb_control_error(
		    "internal error: the agent gave no answer");
		err = -EIO;
	} else if (!json_object_get(reply, "ok")) {
		json_object_set_new(reply, "ok", json_true());
	}
out:
	if (reply) {
		/* Past the deadline a slow client still gets its refusal, if
		 * its socket buffer takes it within REPLY_GRACE_MS. */
		uint64_t now = xhb_mono_ns() / XHB_NS_PER_MS;

		send_err = send_line(fd, reply,
				     (deadline > now ? deadline : now) +
					 REPLY_GRACE_MS);
		err = err ?: send_err;
	}
	json_decref(reply);
	json_decref(req.json);
	free(line);
	close(fd);
	return err;
}

int xhb_control_request(const char *path, json_t *req, json_t **reply,
			int timeout_ms)
{
	uint64_t deadline =
	    xhb_mono_ns() / XHB_NS_PER_MS + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	struct sockaddr_un sun;
	json_error_t jerr;
	json_t *msg;
	char *line = NULL;
	size_t len;
	int fd, err;

	*reply = NULL;
	err = fill_addr(&sun, path);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		/* EAGAIN: the agent's listen queue is full; it is busy, not
		 * gone. */
		if (errno != EAGAIN && errno != EINTR) {
			err = -errno;
			goto out;
		}
		if (xhb_mono_ns() / XHB_NS_PER_MS + CONNECT_RETRY_MS > deadline) {
			err = -ETIMEDOUT;
			goto out;
		}
		poll(NULL, 0, CONNECT_RETRY_MS);
	}
	err = send_line(fd, req, deadline);
	err = err ?: read_line(fd, deadline, &line, &len, XHB_CONTROL_MAX_REPLY);
	if (err)
		goto out;
	msg = json_loadb(line, len, 0, &jerr);
	if (!json_is_object(msg) ||
	    !json_is_boolean(json_object_get(msg, "ok"))) {
		json_decref(msg);
		err = -EPROTO;
		goto out;
	}
	*reply = msg;
out:
	free(line);
	close(fd);
	return err;
}
