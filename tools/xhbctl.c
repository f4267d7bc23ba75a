// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * xhbctl: look at and steer a running xhb node.
 *
 *   xhbctl [-i IFACE | -p PIN_DIR] [--json] stats
 *   xhbctl [-i IFACE | -p PIN_DIR] [--json] peers
 *   xhbctl [-i IFACE | -p PIN_DIR] [--json] self
 *   xhbctl [-i IFACE | -p PIN_DIR] [--json] vips
 *   xhbctl [-s SOCKET] [--json] status
 *   xhbctl [-s SOCKET] standby|takeover [all|foreign|local|failback|group NAME]
 *   xhbctl [-s SOCKET] failback
 *   xhbctl [-s SOCKET] cleanup [GROUP]
 *   xhbctl [-s SOCKET] [--json] node [list] | node add|remove NAME
 *   xhbctl [-i IFACE | -p PIN_DIR] detach
 *   xhbctl [-c CONFIG_DIR] [-s SOCKET] metrics
 *
 * stats and peers read the pinned maps directly, so they work while the
 * agent is down; status, standby, takeover, failback and cleanup ask the
 * agent over
 * its root-only control socket. Run as cl_status, hb_standby or
 * hb_takeover, hb_addnode or hb_delnode (symlinks), it is Heartbeat's
 * command (xhbctl_hb.c).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "clock.h"
#include "control.h"
#include "dataplane.h"
#include "xhbctl_hb.h"
#include "xhbctl_vips.h"
#include "metrics.h"

struct opts {
	const char *ifname;
	const char *pin_dir;
	const char *socket;
	const char *config_dir;
	bool json;
	int argc;    /* the command's arguments, */
	char **argv; /* argv[0] the command itself */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xhbctl [options] COMMAND\n"
		"commands:\n"
		"  stats                 XDP counters (every verdict and drop reason)\n"
		"  peers                 what XDP recorded of each peer\n"
		"  self                  this node as XDP answers for it: state, lease, fencing\n"
		"  vips                  the VIPs XDP fences: held or staged, fenced now\n"
		"  status                the agent's view: node, groups, peers\n"
		"  standby [all|foreign|local|failback]   give resources to the peer (hb_standby)\n"
		"  takeover [all|foreign|local|failback]  take resources from the peer (hb_takeover)\n"
		"  standby|takeover group NAME            one group: its number, an address or a resource\n"
		"  failback              give back the groups whose preferred node is up\n"
		"                        (standby failback)\n"
		"  cleanup [GROUP]       run the failed stop of stop_failed groups again,\n"
		"                        clear failed resource checks\n"
		"  node [list]           this node's list of the cluster's nodes\n"
		"  node add|remove NAME  change it while the cluster runs (hb_addnode,\n"
		"                        hb_delnode); run it on every node\n"
		"  detach                remove the XDP program and its pins (agent stopped)\n"
		"  metrics               Prometheus text: the pinned maps of every interface, the agent's status\n"
		"options:\n"
		"  -i, --iface IFACE     cluster interface (pins in %s/IFACE)\n"
		"  -p, --pin-dir DIR     pin directory (ha.cf pin_dir)\n"
		"  -s, --socket PATH     agent control socket (default %s)\n"
		"  -c, --config DIR      metrics: the configuration directory (default /etc/ha.d)\n"
		"  -j, --json            one JSON document instead of a table\n",
		XHB_PIN_ROOT, XHB_CONTROL_PATH_DEFAULT);
}

/* The pin directory: given, from the interface, or the only one there is. */
static int find_pin_dir(const struct opts *o, char *buf, size_t len)
{
	struct dirent *de;
	int found = 0;
	DIR *d;

	if (o->pin_dir) {
		snprintf(buf, len, "%s", o->pin_dir);
		return 0;
	}
	if (o->ifname) {
		snprintf(buf, len, "%s/%s", XHB_PIN_ROOT, o->ifname);
		return 0;
	}
	d = opendir(XHB_PIN_ROOT);
	if (!d) {
		fprintf(stderr, "xhbctl: no xhb pins in %s: name the interface (-i) or the pin directory (-p)\n",
			XHB_PIN_ROOT);
		return -ENOENT;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(buf, len, "%s/%s", XHB_PIN_ROOT, de->d_name);
		found++;
	}
	closedir(d);
	if (found != 1) {
		fprintf(stderr, "xhbctl: %s pin directories in %s: name the interface with -i\n",
			found ? "several" : "no", XHB_PIN_ROOT);
		return -ENOENT;
	}
	return 0;
}

static int open_pins(const struct opts *o, struct xhb_dataplane **dp)
{
	char dir[PATH_MAX], why[512];
	int err = find_pin_dir(o, dir, sizeof(dir));

	if (err)
		return err;
	err = dataplane__open_pinned(dir, dp, why, sizeof(why));
	if (err)
		fprintf(stderr, "xhbctl: %s\n", why);
	return err;
}

/* Counter names in struct order: the table and the JSON use the same. */
#define XHB_STAT_NAME(name) #name,
static const char *const stat_names[] = {XHB_STATS(XHB_STAT_NAME)};
#undef XHB_STAT_NAME
_Static_assert(sizeof(stat_names) / sizeof(stat_names[0]) ==
		       sizeof(struct xhb_stats) / sizeof(__u64),
	       "a name for every counter");

static int cmd_stats(const struct opts *o)
{
	struct xhb_dataplane *dp;
	struct xhb_stats s;
	const __u64 *v = (const __u64 *)&s;
	size_t n = sizeof(stat_names) / sizeof(stat_names[0]);
	int err = open_pins(o, &dp);

	if (err)
		return 1;
	err = dataplane__stats(dp, &s);
	dataplane__close(dp);
	if (err) {
		fprintf(stderr, "xhbctl: cannot read %s: %s\n", XHB_MAP_STATS,
			strerror(-err));
		return 1;
	}
	if (o->json) {
		json_t *j = json_object();

		for (size_t i = 0; i < n; i++)
			json_object_set_new(j, stat_names[i], json_integer(v[i]));
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
		return 0;
	}
	printf("%-24s %14s\n", "COUNTER", "PACKETS");
	for (size_t i = 0; i < n; i++)
		printf("%-24s %14llu\n", stat_names[i], (unsigned long long)v[i]);
	return 0;
}

static const char *node_state_name(__u8 state)
{
	static const char *const names[XHB_NODE_STATE_MAX] = {
		[XHB_NODE_NONE] = "none",     [XHB_NODE_INIT] = "init",
		[XHB_NODE_ACTIVE] = "active", [XHB_NODE_LEAVING] = "leaving",
		[XHB_NODE_FAULT] = "fault",
	};

	return state < XHB_NODE_STATE_MAX ? names[state] : "?";
}

static void peer_addr(const struct xhb_peer *p, char *buf, size_t len)
{
	if (p->family == AF_INET || p->family == AF_INET6)
		inet_ntop(p->family == AF_INET ? AF_INET : AF_INET6, p->addr,
			  buf, len);
	else
		snprintf(buf, len, "-");
}

/* Milliseconds since a monotonic stamp, or -1 for never. */
static double age_ms(__u64 stamp, __u64 now)
{
	return stamp ? (double)(now - stamp) / 1e6 : -1;
}

static int cmd_peers(const struct opts *o)
{
	struct xhb_dataplane *dp;
	struct xhb_peer p;
	__u32 id = 0;
	json_t *arr = json_array();
	__u64 now;
	int err = open_pins(o, &dp);

	if (err)
		return 1;
	now = xhb_now_ns();
	if (!o->json)
		printf("%-10s %-8s %-26s %10s %10s %10s %12s %10s %8s\n", "NODE_ID",
		       "STATE", "ADDRESS", "HB_AGE_MS", "REPLY_MS", "RTT_US",
		       "AGENT_AGE_MS", "HEARTBEATS", "REPLIES");
	while (dataplane__next_peer(dp, &id) == 0) {
		char addr[INET6_ADDRSTRLEN];

		if (dataplane__peer(dp, id, &p))
			continue;
		peer_addr(&p, addr, sizeof(addr));
		if (o->json) {
			json_array_append_new(
				arr,
				json_pack("{s:I, s:s, s:s, s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:i, s:I, s:I, s:I, s:I, s:b}",
					  "node_id", (json_int_t)id, "state",
					  node_state_name(p.state), "address", addr,
					  "heartbeat_age_ms", age_ms(p.last_heartbeat_ns, now),
					  "reply_age_ms", age_ms(p.last_reply_ns, now),
					  "rtt_us", p.rtt_ns / 1e3, "agent_age_ms",
					  p.agent_age_us / 1e3, "heartbeats",
					  (json_int_t)p.heartbeats, "replies",
					  (json_int_t)p.replies, "probes",
					  (json_int_t)p.probes, "agent_epoch",
					  (json_int_t)p.agent_epoch, "incarnation",
					  (json_int_t)p.agent_replay.incarnation,
					  "priority", p.priority, "lease_ms",
					  (json_int_t)p.lease_ms, "groups_held",
					  (json_int_t)p.groups_held, "groups_wanted",
					  (json_int_t)p.groups_wanted, "groups_refused",
					  (json_int_t)p.groups_refused, "compact",
					  p.compact != 0));
			continue;
		}
		printf("%-10u %-8s %-26s %10.1f %10.1f %10.1f %12.1f %10llu %8llu\n",
		       id, node_state_name(p.state), addr,
		       age_ms(p.last_heartbeat_ns, now),
		       age_ms(p.last_reply_ns, now), p.rtt_ns / 1e3,
		       p.agent_age_us / 1e3, (unsigned long long)p.heartbeats,
		       (unsigned long long)p.replies);
	}
	if (o->json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	json_decref(arr);
	dataplane__close(dp);
	return 0;
}

static int ask_agent(const struct opts *o, json_t *req, json_t **reply)
{
	int err = xhb_control_request(o->socket, req, reply, 5000);

	json_decref(req);
	if (err == -ENOENT || err == -ECONNREFUSED)
		fprintf(stderr, "xhbctl: no agent listens on %s (is xhbd running? -s names its socket)\n",
			o->socket);
	else if (err == -EACCES || err == -EPERM)
		fprintf(stderr, "xhbctl: %s: only root may talk to the agent\n",
			o->socket);
	else if (err)
		fprintf(stderr, "xhbctl: %s: %s\n", o->socket, strerror(-err));
	else if (!json_is_true(json_object_get(*reply, "ok"))) {
		fprintf(stderr, "xhbctl: the agent refused: %s\n",
			json_string_value(json_object_get(*reply, "error")));
		json_decref(*reply);
		return -EINVAL;
	}
	return err;
}

static const char *str_or(json_t *v, const char *dflt)
{
	return json_is_string(v) ? json_string_value(v) : dflt;
}

/* The agent's group object v: idle. */
static bool is_idle(json_t *v)
{
	return !strcmp(str_or(json_object_get(v, "phase"), ""), "idle");
}

static int cmd_status(const struct opts *o)
{
	json_t *reply, *v;
	size_t i;

	if (ask_agent(o, json_pack("{s:s}", "cmd", "status"), &reply))
		return 1;
	json_object_del(reply, "ok");
	if (o->json) {
		json_dumpf(reply, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(reply);
		return 0;
	}
	printf("node %s  state %s  links %s  uptime %.1f s\n",
	       str_or(json_object_get(reply, "node"), "?"),
	       str_or(json_object_get(reply, "state"), "?"),
	       str_or(json_object_get(reply, "links"), "?"),
	       json_number_value(json_object_get(reply, "uptime_ms")) / 1e3);
	if (json_object_get(reply, "media_down"))
		printf("heartbeat media down: %s\n",
		       str_or(json_object_get(reply, "media_down"), "?"));
	if (json_object_get(reply, "vip_ifaces_down"))
		printf("VIP interfaces down: %s\n",
		       str_or(json_object_get(reply, "vip_ifaces_down"), "?"));
	printf("cluster id %lld (%s)  nodes %zu\n",
	       json_integer_value(json_object_get(reply, "cluster_id")),
	       str_or(json_object_get(reply, "cluster_id_source"), "?"),
	       json_array_size(json_object_get(reply, "nodes")));
	if (json_is_object(json_object_get(reply, "quorum"))) {
		json_t *q = json_object_get(reply, "quorum");
		json_t *quorate = json_object_get(q, "quorate");

		printf("Quorum: %s, %lld of %lld votes (%lld needed: %s), "
		       "no_quorum_policy %s\n",
		       json_is_null(quorate)   ? "not judged yet (initdead)"
		       : json_is_true(quorate) ? "yes"
					       : "NO",
		       json_integer_value(json_object_get(q, "votes")),
		       json_integer_value(json_object_get(q, "total")),
		       json_integer_value(json_object_get(q, "needed")),
		       str_or(json_object_get(q, "why"), "?"),
		       str_or(json_object_get(q, "policy"), "?"));
	}
	printf("\n%-5s %-10s %-10s %-11s %-8s %s\n", "GROUP", "PREFERRED",
	       "OWNER", "PHASE", "REQUEST", "RESOURCES");
	json_array_foreach(json_object_get(reply, "groups"), i, v)
	{
		printf("%-5lld %-10s %-10s %-11s %-8s %s\n",
		       json_integer_value(json_object_get(v, "group")),
		       str_or(json_object_get(v, "preferred"), "-"),
		       str_or(json_object_get(v, "owner"), "-"),
		       /* idle, its addresses staged here (fenced_standby) */
		       json_is_true(json_object_get(v, "staged")) &&
			       is_idle(v)
			   ? "staged"
			   : str_or(json_object_get(v, "phase"), "-"),
		       json_is_true(json_object_get(v, "standby"))	? "standby"
		       : json_is_true(json_object_get(v, "takeover")) ? "takeover"
								      : "-",
		       str_or(json_object_get(v, "resources"), ""));
	}
	json_array_foreach(json_object_get(reply, "groups"), i, v)
	{
		if (!json_object_get(v, "stop_failed"))
			continue;
		printf("group %lld is blocked: the stop of %s failed; it stays here, "
		       "its addresses removed:\n  see to the service, then "
		       "xhbctl cleanup %lld\n",
		       json_integer_value(json_object_get(v, "group")),
		       str_or(json_object_get(v, "stop_failed"), "?"),
		       json_integer_value(json_object_get(v, "group")));
	}
	printf("\n%-10s %-8s %-18s %10s %12s %12s\n", "PEER", "STATE", "ADDRESS",
	       "RTT_US", "HB_AGE_MS", "REPLY_AGE_MS");
	json_array_foreach(json_object_get(reply, "peers"), i, v)
	{
		printf("%-10s %-8s %-18s %10.1f %12.1f %12.1f\n",
		       str_or(json_object_get(v, "name"), "?"),
		       str_or(json_object_get(v, "state"), "?"),
		       str_or(json_object_get(v, "address"), "-"),
		       json_number_value(json_object_get(v, "rtt_us")),
		       json_number_value(json_object_get(v, "heartbeat_age_ms")),
		       json_number_value(json_object_get(v, "reply_age_ms")));
	}
	if (json_array_size(json_object_get(reply, "checks")))
		printf("\n%-12s %-5s %-8s %10s %-24s %s\n", "CHECK", "KIND",
		       "STATE", "SINCE_S", "LAST", "TARGET");
	json_array_foreach(json_object_get(reply, "checks"), i, v)
	{
		const char *detail = str_or(json_object_get(v, "detail"), "");

		printf("%-12s %-5s %-8s %10.1f %-24s %s\n",
		       str_or(json_object_get(v, "name"), "?"),
		       str_or(json_object_get(v, "kind"), "?"),
		       str_or(json_object_get(v, "state"), "?"),
		       json_number_value(json_object_get(v, "since_ms")) / 1e3,
		       *detail ? detail : "-",
		       str_or(json_object_get(v, "target"), "?"));
	}
	json_decref(reply);
	return 0;
}

/* standby / takeover [all|foreign|local|failback], as hb_standby /
 * hb_takeover. */
/* "0,1,40": the numbers of a list of groups. */
static const char *list_text(json_t *list, char *buf, size_t len)
{
	size_t off = 0, i;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(list, i, v)
	{
		int n = snprintf(buf + off, len - off, "%s%lld", i ? "," : "",
				 (long long)json_integer_value(v));

		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	return buf;
}

static bool in_list(json_t *list, json_int_t g)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (json_integer_value(v) == g)
			return true;
	return false;
}

/* A reply's groups as before there were more than 32 ("0x3"), or their
 * numbers when one is past 31 (or the agent gave only a list). */
static const char *groups_text(json_t *reply, const char *mask_key,
			       const char *list_key, char *buf, size_t len)
{
	json_t *list = json_object_get(reply, list_key), *v;
	bool past = false;
	size_t i;

	json_array_foreach(list, i, v)
		past |= json_integer_value(v) >= 32;
	if (past || !json_object_get(reply, mask_key))
		return list_text(list, buf, len);
	snprintf(buf, len, "0x%llx",
		 (unsigned long long)json_integer_value(json_object_get(reply, mask_key)));
	return buf;
}

/* scope, or "group" and the word naming the groups (group) */
static int cmd_request(const struct opts *o, const char *cmd, const char *scope,
		       const char *group)
{
	enum xhb_control_scope parsed;
	json_t *reply;

	if (group ? !*group : xhb_control_scope_parse(scope, &parsed)) {
		fprintf(stderr, "xhbctl: %s: scope is all, foreign, local, failback or group NAME, not '%s'\n",
			cmd, scope);
		return 2;
	}
	if (ask_agent(o, group ? json_pack("{s:s, s:s}", "cmd", cmd, "group", group)
			       : json_pack("{s:s, s:s}", "cmd", cmd, "scope", scope),
		      &reply))
		return 1;
	if (o->json) {
		json_dumpf(reply, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		char groups[8192];

		printf("%s %s: requested (groups %s)\n", cmd, scope,
		       groups_text(reply, "groups", "group_list", groups,
				   sizeof(groups)));
	}
	json_decref(reply);
	return 0;
}

/* standby|takeover [SCOPE | group NAME] */
static int request_args(const struct opts *o, const char *cmd)
{
	const char *scope = o->argc > 1 ? o->argv[1] : "all";

	if (!strcmp(scope, "group")) {
		if (o->argc != 3) {
			fprintf(stderr, "xhbctl: %s group: one group's number, address or resource\n",
				cmd);
			return 2;
		}
		return cmd_request(o, cmd, scope, o->argv[2]);
	}
	return cmd_request(o, cmd, scope, NULL);
}

static int cmd_standby(const struct opts *o)
{
	return request_args(o, "standby");
}

static int cmd_takeover(const struct opts *o)
{
	return request_args(o, "takeover");
}

/* What auto_failback would do, once: the groups another node prefers go
 * back to it if it is up and takes them. */
static int cmd_failback(const struct opts *o)
{
	if (o->argc > 1) {
		fprintf(stderr, "xhbctl: failback takes no argument\n");
		return 2;
	}
	return cmd_request(o, "standby", "failback", NULL);
}

/* cleanup [GROUP]: the stop_failed groups (or that one) run their failed
 * stop again; once it works they are released as usual. */
static int cmd_cleanup(const struct opts *o)
{
	unsigned long group = 0;
	json_t *req, *reply;
	char *end;

	if (o->argc > 2) {
		fprintf(stderr, "xhbctl: cleanup takes at most a group number\n");
		return 2;
	}
	req = json_pack("{s:s}", "cmd", "cleanup");
	if (o->argc > 1) {
		errno = 0;
		group = strtoul(o->argv[1], &end, 10);
		if (errno || end == o->argv[1] || *end ||
		    group >= XHB_MAX_GROUPS) {
			fprintf(stderr, "xhbctl: cleanup: a group number 0..%d (as status shows it), not '%s'\n",
				XHB_MAX_GROUPS - 1, o->argv[1]);
			json_decref(req);
			return 2;
		}
		json_object_set_new(req, "group", json_integer((json_int_t)group));
	}
	if (ask_agent(o, req, &reply))
		return 1;
	if (o->json) {
		json_dumpf(reply, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		json_t *all = json_object_get(reply, "group_list");
		json_t *checks = json_object_get(reply, "checks_cleared_list");
		json_t *again = json_array(), *v;
		char text[8192];
		size_t i;

		/* the groups whose stop runs again: all but the checks' */
		json_array_foreach(all, i, v)
			if (!in_list(checks, json_integer_value(v)))
				json_array_append(again, v);
		if (!json_array_size(all))
			printf("cleanup: no group is stop_failed or has a failed resource check\n");
		if (json_array_size(again))
			printf("cleanup: stopping again (groups %s): see xhbctl status\n",
			       list_text(again, text, sizeof(text)));
		if (json_array_size(checks))
			printf("cleanup: resource checks cleared (groups %s): this node may hold them again\n",
			       list_text(checks, text, sizeof(text)));
		json_decref(again);
	}
	json_decref(reply);
	return 0;
}

/* This node's own entry: what XDP answers probes with, and the lease. */
static int cmd_self(const struct opts *o)
{
	struct xhb_dataplane *dp;
	struct xhb_self s;
	__u64 now, age, lease_ns;
	bool lapsed, unheard, holds;
	int err = open_pins(o, &dp);

	if (err)
		return 1;
	err = dataplane__read_self(dp, &s);
	dataplane__close(dp);
	if (err) {
		fprintf(stderr, "xhbctl: cannot read %s: %s\n", XHB_MAP_SELF,
			strerror(-err));
		return 1;
	}
	now = xhb_now_ns();
	age = s.agent_update_ns && now > s.agent_update_ns ? now - s.agent_update_ns : 0;
	lease_ns = (__u64)s.lease_ms * 1000000ULL;
	/* as XDP decides it */
	lapsed = xhb_self_lapsed(&s, now);
	unheard = xhb_self_unheard(&s, now);
	holds = s.groups_held || s.held_more;
	if (o->json) {
		json_t *j = json_pack(
			"{s:I, s:s, s:I, s:I, s:f, s:I, s:f, s:b, s:b, s:I, s:I, s:I, s:b}",
			"node_id", (json_int_t)s.node_id, "state",
			node_state_name(s.state), "incarnation",
			(json_int_t)s.incarnation, "agent_epoch",
			(json_int_t)s.agent_epoch, "agent_age_ms", age / 1e6,
			"lease_ms", (json_int_t)s.lease_ms, "lease_left_ms",
			!holds || lapsed ? 0.0 : (lease_ns - age) / 1e6,
			"fenced", lapsed || unheard, "unheard", unheard,
			"groups_held", (json_int_t)s.groups_held,
			"groups_wanted", (json_int_t)s.groups_wanted,
			"groups_refused", (json_int_t)s.groups_refused,
			"held_more", (bool)s.held_more);

		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
		return 0;
	}
	printf("node_id %u  state %s  incarnation %llu  epoch %llu\n", s.node_id,
	       node_state_name(s.state), (unsigned long long)s.incarnation,
	       (unsigned long long)s.agent_epoch);
	printf("agent wrote %.1f ms ago; groups held 0x%x%s; lease %u ms: %s\n",
	       age / 1e6, s.groups_held, s.held_more ? " and past 31" : "",
	       s.lease_ms,
	       !holds ? "none held"
	       : lapsed       ? "LAPSED, XDP fences the VIPs"
	       : unheard      ? "running; UNHEARD by a peer, XDP fences the VIPs"
			      : "running");
	return 0;
}

static int cmd_detach(const struct opts *o)
{
	struct xhb_dataplane *dp;
	int err = open_pins(o, &dp);

	if (err)
		return 1;
	if (xhbctl_staged_configured(dp)) {
		dataplane__close(dp);
		return 1;
	}
	err = dataplane__detach(dp);
	dataplane__close(dp);
	if (err) {
		fprintf(stderr, "xhbctl: detach: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}

/* Prometheus' text (user/metrics.h): -c names the configuration. */
/* The list as the agent answers node list|add|remove. */
static void print_nodes(json_t *reply)
{
	json_t *v;
	size_t i;

	printf("cluster id %lld (%s%s%s)\n",
	       json_integer_value(json_object_get(reply, "cluster_id")),
	       str_or(json_object_get(reply, "cluster_id_source"), "?"),
	       json_object_get(reply, "cluster_name") ? " " : "",
	       str_or(json_object_get(reply, "cluster_name"), ""));
	printf("%-20s %-10s %-6s %s\n", "NODE", "NODE_ID", "FROM", "STATE");
	json_array_foreach(json_object_get(reply, "nodes"), i, v)
		printf("%-20s %-10lld %-6s %s\n", str_or(json_object_get(v, "name"), "?"),
		       json_integer_value(json_object_get(v, "node_id")),
		       str_or(json_object_get(v, "source"), "?"),
		       str_or(json_object_get(v, "state"), "?"));
}

static int cmd_node(const struct opts *o)
{
	const char *op = o->argc > 1 ? o->argv[1] : "list";
	bool list = !strcmp(op, "list");
	json_t *req, *reply;

	if ((!list && strcmp(op, "add") && strcmp(op, "remove")) ||
	    o->argc != (list ? (o->argc > 1 ? 2 : 1) : 3)) {
		fprintf(stderr, "xhbctl: node [list] | node add NAME | node remove NAME\n");
		return 2;
	}
	req = list ? json_pack("{s:s, s:s}", "cmd", "node", "op", op)
		   : json_pack("{s:s, s:s, s:s}", "cmd", "node", "op", op, "name",
			       o->argv[2]);
	if (ask_agent(o, req, &reply))
		return 1;
	json_object_del(reply, "ok");
	if (o->json) {
		json_dumpf(reply, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		if (!list)
			printf("%s %s: done on this node; run it on every other node too\n",
			       op, o->argv[2]);
		print_nodes(reply);
	}
	json_decref(reply);
	return 0;
}

static int cmd_vips(const struct opts *o)
{
	struct xhb_dataplane *dp;
	int err = open_pins(o, &dp);

	if (err)
		return 1;
	err = xhbctl_vips(dp, o->json);
	dataplane__close(dp);
	return err ? 1 : 0;
}

static int cmd_metrics(const struct opts *o)
{
	return xhb_metrics_print(o->config_dir, o->socket);
}

static const struct command {
	const char *name;
	int (*run)(const struct opts *o);
} commands[] = {
	{"stats", cmd_stats},	  {"peers", cmd_peers},
	{"self", cmd_self},	  {"detach", cmd_detach},
	{"status", cmd_status},	  {"standby", cmd_standby},
	{"takeover", cmd_takeover}, {"failback", cmd_failback},
	{"cleanup", cmd_cleanup},	  {"node", cmd_node},
	{"metrics", cmd_metrics}, {"vips", cmd_vips},
};

/* Heartbeat's commands ask the agent without a word of their own. */
static int hb_ask(void *ctx, json_t *req, json_t **reply)
{
	return xhb_control_request(ctx, req, reply, 5000);
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{"iface", required_argument, NULL, 'i'},
		{"pin-dir", required_argument, NULL, 'p'},
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct opts o = {.socket = XHB_CONTROL_PATH_DEFAULT};
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int c;

	if (xhb_hb_is_command(name)) {
		struct xhb_hb_io io = {
			.ask = hb_ask,
			.ctx = (void *)XHB_CONTROL_PATH_DEFAULT,
			.socket = XHB_CONTROL_PATH_DEFAULT,
			.out = stdout,
			.err = stderr,
		};

		return xhb_hb_main(argc, argv, &io);
	}

	while ((c = getopt_long(argc, argv, "i:p:s:c:jh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.ifname = optarg;
			break;
		case 'p':
			o.pin_dir = optarg;
			break;
		case 's':
			o.socket = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'c':
			o.config_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	dataplane__set_verbose(false);
	o.argc = argc - optind;
	o.argv = argv + optind;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(o.argv[0], commands[i].name))
			return commands[i].run(&o);
	fprintf(stderr, "xhbctl: unknown command '%s'\n", o.argv[0]);
	usage(stderr);
	return 2;
}
