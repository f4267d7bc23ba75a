// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * cl_status, hb_standby, hb_takeover as Heartbeat 3 has them (its
 * tools/cl_status.c, heartbeat/lib/hb_standby.in, hb_takeover.in), over
 * xhb's control socket: see xhbctl_hb.h.
 *
 * cl_status SUB-COMMAND [OPTIONS] [PARAMETERS]; -m: sentences instead of
 * words. Exit codes: 0 ok (node active/up, link up), 1 "normal" failure
 * (node dead, link dead, no agent), 11 bad parameter, 12 timeout, 13
 * other errors. Words:
 *   nodestatus    active, up (starting: in its initdead), init (never
 *                 heard), dead (silent, stalled, or leaving)
 *   nodetype      normal (xhb does not probe ping nodes: none listed)
 *   hblinkstatus  up, dead
 *   rscstatus     none, local, foreign, all, transition (see
 *                 xhb_hb_rsc_status())
 * hb_standby / hb_takeover [all|foreign|local|failback]: no argument is
 * all; a wrong one prints Heartbeat's usage and exits 1.
 * hb_addnode / hb_delnode NODE...: each node added to (removed from) this
 * node's list in turn, as xhbctl node add|remove; the first refusal stops
 * them, exit 1. Heartbeat told its whole cluster; xhb's lists are each
 * node's own (nodes.h): run them on every node.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "xhbctl_hb.h"

/* ---- the words ----------------------------------------------------------- */

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static bool is(const char *s, const char *word)
{
	return s && !strcmp(s, word);
}

const char *xhb_hb_node_status(const json_t *node)
{
	const char *state = str(node, "state");

	if (json_is_true(json_object_get(node, "self"))) {
		/* this agent: answering, so alive */
		if (is(state, "init"))
			return "up";
		return is(state, "leaving") ? "dead" : "active";
	}
	if (is(state, "up") || is(state, "warn"))
		return is(str(node, "advertised"), "init") ? "up" : "active";
	/* a fault of its own it told us of: alive, talking */
	if (is(state, "fault"))
		return "active";
	if (is(state, "unknown"))
		return "init";
	/* dead, stalled (its agent is silent), leaving */
	return "dead";
}

static bool peer_alive(const json_t *node)
{
	const char *state = str(node, "state");

	return !json_is_true(json_object_get(node, "self")) &&
	       (is(state, "up") || is(state, "warn") || is(state, "stalled") ||
		is(state, "fault"));
}

/*
 * Heartbeat's nodes hold two kinds of resources, their own (local: the
 * groups haresources gives this node) and the others' (foreign), and
 * rscstatus says which kinds this node holds: none, local, foreign, all.
 * A kind with groups is held when we hold any of them. A kind without any
 * is held as Heartbeat holds it: our own while we are active and in
 * standby for nothing, the others' while we are active and no other node
 * is alive (we would have taken theirs). transition: in our initdead, a
 * group of ours starting or stopping (its scripts run), or a group no
 * node holds while we are active (it is moving, or cannot be placed).
 */
const char *xhb_hb_rsc_status(const json_t *status)
{
	static const char *const words[] = {"none", "local", "foreign", "all"};
	const char *self = str(status, "node"), *state = str(status, "state");
	unsigned int nlocal = 0, nforeign = 0, held_local = 0, held_foreign = 0;
	bool active = is(state, "active"), refusing = false, moving = false;
	bool alive = false, local, foreign;
	const json_t *v;
	size_t i;

	if (is(state, "init"))
		return "transition";
	json_array_foreach(json_object_get(status, "groups"), i, v)
	{
		const char *preferred = str(v, "preferred");
		bool held = json_is_true(json_object_get(v, "held"));

		if (self && preferred && !strcasecmp(preferred, self)) {
			nlocal++;
			held_local += held;
		} else {
			nforeign++;
			held_foreign += held;
		}
		refusing |= json_is_true(json_object_get(v, "standby"));
		moving |= !json_is_string(json_object_get(v, "owner")) ||
			   is(str(v, "phase"), "starting") ||
			   is(str(v, "phase"), "stopping");
	}
	if (active && moving)
		return "transition";
	json_array_foreach(json_object_get(status, "nodes"), i, v)
	{
		alive |= peer_alive(v);
	}
	local = nlocal ? held_local > 0 : active && !refusing;
	foreign = nforeign ? held_foreign > 0 : active && !alive;
	return words[local | foreign << 1];
}

/* ---- cl_status ----------------------------------------------------------- */

struct cl {
	const struct xhb_hb_io *io;
	json_t *status; /* NULL: the agent did not answer */
	int ask_err;	/* then why: -errno, or -EPROTO for a refusal */
	const char *why;
	bool human; /* -m */
};

/* As Heartbeat's cl_log() to stderr. */
static void __attribute__((format(printf, 2, 3)))
cl_log(const struct cl *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(c->io->err, "cl_status: ERROR: ");
	va_start(ap, fmt);
	vfprintf(c->io->err, fmt, ap);
	va_end(ap);
	fputc('\n', c->io->err);
}

/*
 * Options as cl_status parses them: getopt over the arguments after the
 * sub-command, in any order among the parameters. Returns the index of
 * the first parameter in argv, or -1 after a message for an option not
 * in optstr (hbstatus: said, then ignored).
 */
static int cl_options(struct cl *c, int argc, char **argv, const char *optstr,
		      bool *verbose, bool *ping_only, bool *normal_only)
{
	/* hbstatus reads on past an option it does not know */
	bool lenient = !strcmp(argv[1], "hbstatus");
	int ch;

	/* 0: glibc starts afresh (a test runs several commands) */
	optind = 0;
	opterr = 0;
	while ((ch = getopt(argc - 1, argv + 1, optstr)) != -1) {
		switch (ch) {
		case 'm':
			c->human = true;
			break;
		case 'v':
			*verbose = true;
			break;
		case 'p':
			*ping_only = true;
			break;
		case 'n':
			*normal_only = true;
			break;
		default:
			fprintf(c->io->err, "%s: invalid option -- '%c'\n",
				argv[1], optopt);
			if (!lenient)
				return -1;
		}
	}
	return optind + 1;
}

static const json_t *find_node(const struct cl *c, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(c->status, "nodes"), i, v)
	{
		const char *n = str(v, "name");

		if (n && !strcasecmp(n, name))
			return v;
	}
	return NULL;
}

static const char *node_type(const json_t *node)
{
	return str(node, "type") ?: "normal";
}

static void list_links(const struct cl *c, const json_t *node, bool verbose)
{
	const json_t *v;
	size_t i;

	if (c->human)
		fprintf(c->io->out,
			"\tthis node has the following heartbeat links:\n");
	json_array_foreach(json_object_get(node, "links"), i, v)
	{
		if (verbose)
			fprintf(c->io->out, "\t%s\t%s\n",
				str(v, "iface") ?: "?",
				str(v, "status") ?: "dead");
		else
			fprintf(c->io->out, "\t%s\n", str(v, "iface") ?: "?");
	}
}

static void list_nodes(const struct cl *c, bool normal_only, bool ping_only,
		       bool verbose)
{
	const json_t *v;
	size_t i;

	if (normal_only && ping_only)
		normal_only = ping_only = false;
	if (c->human)
		fprintf(c->io->out, "The nodes are as follow:\n");
	json_array_foreach(json_object_get(c->status, "nodes"), i, v)
	{
		const char *type = node_type(v), *name = str(v, "name") ?: "?";

		if ((normal_only && !is(type, "normal")) ||
		    (ping_only && !is(type, "ping")))
			continue;
		if (!verbose) {
			fprintf(c->io->out, "%s\n", name);
			continue;
		}
		fprintf(c->io->out, "\n%s\t%s\t(nodetype: %s)\n", name,
			xhb_hb_node_status(v), type);
		list_links(c, v, true);
	}
}

static int cl_hbstatus(struct cl *c, int argc, char **argv)
{
	bool verbose = false, unused = false;
	const char *version;

	(void)cl_options(c, argc, argv, "mv", &verbose, &unused, &unused);
	if (!c->status) {
		if (c->ask_err == -ENOENT || c->ask_err == -ECONNREFUSED) {
			fprintf(c->io->out,
				"Heartbeat is stopped on this machine.\n");
			return XHB_HB_FAIL;
		}
		/* one line, as scripts grep for it */
		fprintf(c->io->out,
			"Heartbeat is apparently running on this machine, but refuses my connection\n");
		if (verbose && c->why)
			fprintf(c->io->out, "(%s)\n", c->why);
		return XHB_HB_OK;
	}
	if (!verbose) {
		fprintf(c->io->out, "Heartbeat is running on this machine.\n");
		return XHB_HB_OK;
	}
	version = str(c->status, "version");
	if (c->human) {
		if (version)
			fprintf(c->io->out, "xhb version %s\n", version);
		else
			fprintf(c->io->out,
				"Heartbeat is running on this machine.\n");
		fprintf(c->io->out,
			"Resources controlled by \"haresources\"\n");
	} else {
		fprintf(c->io->out, "version:\t%s%s\n", version ? "xhb " : "",
			version ?: "unknown");
		fprintf(c->io->out, "managed by:\t\"haresources\"\n");
	}
	list_nodes(c, false, false, true);
	return XHB_HB_OK;
}

static int cl_listnodes(struct cl *c, int argc, char **argv)
{
	bool verbose = false, ping_only = false, normal_only = false;

	if (cl_options(c, argc, argv, "mpnv", &verbose, &ping_only,
		       &normal_only) < 0)
		return XHB_HB_PARAM;
	list_nodes(c, normal_only, ping_only, verbose);
	return XHB_HB_OK;
}

/* The node named by the first parameter, or NULL after a message
 * (*rc the exit code). */
static const json_t *node_param(struct cl *c, int argc, char **argv, int *param,
				const char *missing, int *rc)
{
	bool unused = false;
	const json_t *node;

	*param = cl_options(c, argc, argv, "m", &unused, &unused, &unused);
	*rc = XHB_HB_PARAM;
	if (*param < 0)
		return NULL;
	if (argc <= *param) {
		fprintf(c->io->err, "%s\n", missing);
		return NULL;
	}
	node = find_node(c, argv[*param]);
	if (!node)
		fprintf(c->io->err,
			"Error. May be due to incorrect node name\n");
	return node;
}

static int cl_nodestatus(struct cl *c, int argc, char **argv)
{
	const json_t *node;
	const char *word;
	int param, rc;

	node = node_param(c, argc, argv, &param, "Not enough parameters.", &rc);
	if (!node)
		return rc;
	word = xhb_hb_node_status(node);
	if (c->human)
		fprintf(c->io->out, "The cluster node %s is %s\n", argv[param],
			word);
	else
		fprintf(c->io->out, "%s\n", word);
	return is(word, "active") || is(word, "up") || is(word, "ping")
		   ? XHB_HB_OK
		   : XHB_HB_FAIL;
}

static int cl_nodetype(struct cl *c, int argc, char **argv)
{
	const json_t *node;
	int param, rc;

	node = node_param(c, argc, argv, &param, "No enough parameter.", &rc);
	if (!node)
		return rc;
	if (c->human)
		fprintf(c->io->out, "The node %s's type: %s\n", argv[param],
			node_type(node));
	else
		fprintf(c->io->out, "%s\n", node_type(node));
	return XHB_HB_OK;
}

static int cl_listhblinks(struct cl *c, int argc, char **argv)
{
	bool verbose = false, unused = false;
	const json_t *node;
	int param;

	param = cl_options(c, argc, argv, "mv", &verbose, &unused, &unused);
	if (param < 0)
		return XHB_HB_PARAM;
	if (argc <= param) {
		fprintf(c->io->err, "No enough parameter.\n");
		return XHB_HB_PARAM;
	}
	node = find_node(c, argv[param]);
	if (!node) {
		cl_log(c, "Cannot start heartbeat link interface walk.");
		cl_log(c, "REASON: no node %s in ha.cf", argv[param]);
		return XHB_HB_UNKNOWN;
	}
	list_links(c, node, verbose);
	return XHB_HB_OK;
}

static int cl_hblinkstatus(struct cl *c, int argc, char **argv)
{
	bool unused = false;
	const json_t *node, *v, *link = NULL;
	const char *word;
	size_t i;
	int param;

	param = cl_options(c, argc, argv, "m", &unused, &unused, &unused);
	if (param < 0)
		return XHB_HB_PARAM;
	if (argc <= param + 1) {
		fprintf(c->io->err, "No enough parameter.\n");
		return XHB_HB_PARAM;
	}
	node = find_node(c, argv[param]);
	json_array_foreach(json_object_get(node, "links"), i, v)
	{
		if (is(str(v, "iface"), argv[param + 1]))
			link = v;
	}
	if (!link) {
		cl_log(c, "Cannot get heartbeat link status");
		cl_log(c, "REASON: %s",
		       node ? "no such heartbeat link"
			    : "no such node in ha.cf");
		return XHB_HB_UNKNOWN;
	}
	word = str(link, "status") ?: "dead";
	if (c->human)
		fprintf(c->io->out, "The node %s's heartbeat link %s is %s\n",
			argv[param], argv[param + 1], word);
	else
		fprintf(c->io->out, "%s\n", word);
	return is(word, "up") ? XHB_HB_OK : XHB_HB_FAIL;
}

static int cl_rscstatus(struct cl *c, int argc, char **argv)
{
	bool unused = false;
	const char *word;

	if (cl_options(c, argc, argv, "m", &unused, &unused, &unused) < 0)
		return XHB_HB_PARAM;
	word = xhb_hb_rsc_status(c->status);
	if (c->human)
		fprintf(c->io->out, "This node is holding %s resources.\n",
			word);
	else
		fprintf(c->io->out, "%s\n", word);
	return XHB_HB_OK;
}

static const struct cl_command {
	const char *name;
	int (*run)(struct cl *c, int argc, char **argv);
	bool needs_agent; /* hbstatus reports a stopped agent itself */
} cl_commands[] = {
    {"hbstatus", cl_hbstatus, false},
    {"listnodes", cl_listnodes, true},
    {"nodestatus", cl_nodestatus, true},
    {"nodetype", cl_nodetype, true},
    {"listhblinks", cl_listhblinks, true},
    {"hblinkstatus", cl_hblinkstatus, true},
    {"rscstatus", cl_rscstatus, true},
};

/* Heartbeat's, about what xhb does not have (API clients, weights,
 * sites, its parameters). */
static const char *const cl_absent[] = {
    "clientstatus", "nodeweight", "nodesite", "hbparameter", "test",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void cl_help(FILE *f)
{
	fprintf(f, "Usage: cl_status <sub-command> [<options>] [<parameters>]\n"
		   "\n"
		   "Sub-commands:\n"
		   "hblinkstatus <node-name> <link-name>\n"
		   "\tShow the status of a heartbeat link\n"
		   "hbstatus\n"
		   "\tIndicate if heartbeat is running on the local system.\n"
		   "\tOptions:\n"
		   "\t\t-v\tverbose: also add \"listnodes -v\" output\n"
		   "listnodes [<option>]\n"
		   "\tList the nodes in the cluster.\n"
		   "\tOptions:\n"
		   "\t\t-p\tlist only 'ping' type nodes\n"
		   "\t\t-n\tlist only 'normal' type nodes\n"
		   "\t\t-v\tverbose: also list type and status,\n"
		   "\t\t\tthen add \"listhblinks -v\" output\n"
		   "listhblinks <node-name>\n"
		   "\tList the network interfaces used as heartbeat links.\n"
		   "\tOptions:\n"
		   "\t\t-v\tverbose: list link status as well\n"
		   "nodestatus <node-name>\n"
		   "\tList the node status.\n"
		   "nodetype <node-name>\n"
		   "\tList the nodes of a given type.\n"
		   "rscstatus\n"
		   "\tShow the status of cluster resources.\n"
		   "Every sub-command takes -m: a sentence instead of a word.\n"
		   "xhb: the agent's control socket answers; clientstatus, "
		   "nodeweight,\n"
		   "nodesite and hbparameter are not provided.\n");
}

/* The agent's status: c->status, or c->ask_err and c->why. */
static void cl_ask(struct cl *c, char *why, size_t len)
{
	json_t *req = json_pack("{s:s}", "cmd", "status"), *reply = NULL;
	int err = req ? c->io->ask(c->io->ctx, req, &reply) : -ENOMEM;

	json_decref(req);
	if (!err && !json_is_true(json_object_get(reply, "ok"))) {
		snprintf(why, len, "the agent refused: %s",
			 str(reply, "error") ?: "no reason given");
		json_decref(reply);
		reply = NULL;
		err = -EPROTO;
	} else if (err) {
		snprintf(why, len, "%s: %s", c->io->socket, strerror(-err));
	}
	c->status = reply;
	c->ask_err = err;
	c->why = err ? why : NULL;
}

static int cl_status(int argc, char **argv, const struct xhb_hb_io *io)
{
	const struct cl_command *cmd = NULL;
	struct cl c = {.io = io};
	char why[256];
	int rc;

	if (argc == 1 || (argc == 2 && !strcmp(argv[1], "-h"))) {
		cl_help(io->out);
		return XHB_HB_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cl_commands); i++)
		if (!strcmp(argv[1], cl_commands[i].name))
			cmd = &cl_commands[i];
	if (!cmd) {
		bool absent = false;

		for (size_t i = 0; i < ARRAY_SIZE(cl_absent); i++)
			absent |= !strcmp(argv[1], cl_absent[i]);
		cl_log(&c, "%s: invalid sub-command.%s", argv[1],
		       absent ? " (xhb does not provide it)" : "");
		return XHB_HB_PARAM;
	}
	/* Heartbeat signs on first, then reads the options. */
	cl_ask(&c, why, sizeof(why));
	if (c.ask_err == -ETIMEDOUT) {
		cl_log(&c, "%s", why);
		return XHB_HB_TIMEOUT;
	}
	if (!c.status && cmd->needs_agent) {
		cl_log(&c, "Cannot signon with heartbeat");
		cl_log(&c, "REASON: %s", why);
		return XHB_HB_FAIL;
	}
	rc = cmd->run(&c, argc, argv);
	json_decref(c.status);
	return rc;
}

/* ---- hb_standby, hb_takeover --------------------------------------------- */

static int hb_usage(const char *prog, const struct xhb_hb_io *io)
{
	fprintf(io->out, "usage:\n");
	fprintf(io->err, "%s [all|foreign|local|failback]\n", prog);
	return 1;
}

static int hb_request(int argc, char **argv, bool standby,
		      const struct xhb_hb_io *io)
{
	static const char *const scopes[] = {"all", "foreign", "local",
					     "failback"};
	const char *prog = argv[0], *scope = argc >= 2 ? argv[1] : "all";
	json_t *req, *reply = NULL;
	bool known = false;
	int err;

	if (argc >= 3) {
		fprintf(io->out, "%s: too many arguments\n", prog);
		return hb_usage(prog, io);
	}
	if (!strcmp(scope, "--help"))
		return hb_usage(prog, io);
	for (size_t i = 0; i < ARRAY_SIZE(scopes); i++)
		known |= !strcmp(scope, scopes[i]);
	if (!known) {
		fprintf(io->out, "%s: wrong resources(%s).\n", prog, scope);
		return hb_usage(prog, io);
	}
	req = json_pack("{s:s, s:s}", "cmd", standby ? "standby" : "takeover",
			"scope", scope);
	err = req ? io->ask(io->ctx, req, &reply) : -ENOMEM;
	json_decref(req);
	if (err) {
		fprintf(io->err, "%s: cannot reach the agent on %s: %s%s\n",
			prog, io->socket, strerror(-err),
			err == -ENOENT || err == -ECONNREFUSED
			    ? " (is xhbd running?)"
			    : "");
		return 1;
	}
	if (!json_is_true(json_object_get(reply, "ok"))) {
		fprintf(io->err, "%s: the agent refused: %s\n", prog,
			str(reply, "error") ?: "no reason given");
		json_decref(reply);
		return 1;
	}
	json_decref(reply);
	return 0;
}

/* ---- hb_addnode, hb_delnode ----------------------------------------------- */

static int hb_node(int argc, char **argv, bool add, const struct xhb_hb_io *io)
{
	const char *prog = argv[0];

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(argc < 2 ? io->err : io->out, "usage: %s [--help] node1 [node2 ...]\n",
			prog);
		return argc < 2 ? 1 : 0;
	}
	for (int i = 1; i < argc; i++) {
		json_t *req = json_pack("{s:s, s:s, s:s}", "cmd", "node", "op",
					add ? "add" : "remove", "name", argv[i]);
		json_t *reply = NULL;
		int err = req ? io->ask(io->ctx, req, &reply) : -ENOMEM;

		json_decref(req);
		if (err) {
			fprintf(io->err, "%s: cannot reach the agent on %s: %s\n", prog,
				io->socket, strerror(-err));
			return 1;
		}
		if (!json_is_true(json_object_get(reply, "ok"))) {
			fprintf(io->err, "%s: %s: the agent refused: %s\n", prog, argv[i],
				str(reply, "error") ?: "no reason given");
			json_decref(reply);
			return 1;
		}
		json_decref(reply);
	}
	return 0;
}

/* ---- by name ------------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

bool xhb_hb_is_command(const char *name)
{
	return !strcmp(name, "cl_status") || !strcmp(name, "hb_standby") ||
	       !strcmp(name, "hb_takeover") || !strcmp(name, "hb_addnode") ||
	       !strcmp(name, "hb_delnode");
}

int xhb_hb_main(int argc, char **argv, const struct xhb_hb_io *io)
{
	const char *name = base_name(argv[0]);

	if (!strcmp(name, "cl_status"))
		return cl_status(argc, argv, io);
	if (!strcmp(name, "hb_standby"))
		return hb_request(argc, argv, true, io);
	if (!strcmp(name, "hb_takeover"))
		return hb_request(argc, argv, false, io);
	if (!strcmp(name, "hb_addnode") || !strcmp(name, "hb_delnode"))
		return hb_node(argc, argv, !strcmp(name, "hb_addnode"), io);
	fprintf(io->err, "%s: not one of Heartbeat's commands\n", name);
	return XHB_HB_PARAM;
}
