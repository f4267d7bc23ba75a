// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Events as lines for people (syslog): see event_line.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "event_line.h"

/*
 * A line's template:
 *   {field}     the field's value: a string as is, a number (reals keep
 *               three significant digits: 5.2, 0.26, 8312), a boolean
 *               yes/no; "?" when the field is missing
 *   {field~}    a word with underscores read as spaces (peer_dead -> peer dead)
 *   [...]       written only when every field named inside is present
 *   [?field ...] written only when the field is true
 * Brackets do not nest.
 */
struct line_kind {
	const char *event;
	int severity;
	const char *tmpl;
	/* A severity that depends on the fields; NULL: always severity. */
	int (*severity_of)(const json_t *ev, int severity);
};

static bool is_true(const json_t *v)
{
	return json_is_true(v) || (json_is_integer(v) && json_integer_value(v));
}

/* Entering fault is an error; other changes of our state are notices. */
static int state_severity(const json_t *ev, int severity)
{
	const char *to = json_string_value(json_object_get(ev, "to"));

	return to && !strcmp(to, "fault") ? LOG_ERR : severity;
}

/* The first announcement says the VIP moved (info); the repeats are
 * debug; a failed one is a warning. */
static int garp_severity(const json_t *ev, int severity)
{
	if (json_object_get(ev, "error"))
		return LOG_WARNING;
	return json_integer_value(json_object_get(ev, "packet")) == 1 ? LOG_INFO
								       : severity;
}

static const struct line_kind kinds[] = {
    /* lifecycle */
    {"agent_start", LOG_NOTICE,
     "xhbd {version} started, pid {pid}[, control socket {control}]", NULL},
    {"agent_stop", LOG_NOTICE,
     "xhbd stopped: {reason~}[ ({signal})][, exit code {exit_code}]"
     "[ after {duration_ms} ms of shutdown]", NULL},
    {"agent_gap", LOG_WARNING,
     "the agent ran late: {gap_ms} ms between two passes[ (expected {expected_ms} ms)]", NULL},
    {"agent_stop_blocked", LOG_ERR,
     "asked to stop while groups are stop_failed: the agent stays and keeps "
     "them until xhbctl cleanup (killed, it lets a peer take them)", NULL},
    {"state_change", LOG_NOTICE, "state {from} -> {to}[ ({reason~})]",
     state_severity},
    {"lease_expired", LOG_ERR,
     "our lease of {lease_ms} ms ran out {late_ms} ms ago: XDP fences our VIPs "
     "until we renew it", NULL},
    /* configuration */
    {"config_loaded", LOG_INFO,
     "configuration loaded from {config_dir}[: {node_count} nodes][, "
     "{group_count} groups][, keepalive {keepalive_ms} ms][, deadtime "
     "{deadtime_ms} ms][, probe every {probe_interval_ms} ms][ x {probe_misses}]"
     "[, lease {lease_ms} ms][?reload  (reload)]", NULL},
    {"config_ignored", LOG_NOTICE,
     "{file}:{line}: '{directive}' ignored[: {message}]", NULL},
    {"config_notice", LOG_NOTICE, "[{file}:{line}: ]{message}", NULL},
    {"config_warning", LOG_WARNING, "[{file}:{line}: ]{message}", NULL},
    {"config_error", LOG_ERR, "{message}[ ({action})]", NULL},
    {"reload", LOG_NOTICE, "reloading[ {config_dir}][ on {reason}]", NULL},
    /* data plane and links */
    {"dataplane_attached", LOG_INFO,
     "XDP program[ {prog_id}] on {iface}, {mode} mode[?adopted , adopted "
     "from the previous agent][, maps pinned in {pin_dir}]", NULL},
    {"dataplane_maps_replaced", LOG_WARNING,
     "maps {maps} pinned on {iface} by an xhb of another layout: replaced, "
     "their state starts afresh", NULL},
    {"dataplane_fallback", LOG_WARNING,
     "XDP on {iface}: native mode refused ({reason}): generic mode", NULL},
    {"dataplane_detached", LOG_NOTICE, "XDP program detached from {iface}: {reason}", NULL},
    {"link_down", LOG_ERR, "link down on {iface}[ ({reason})]", NULL},
    {"link_up", LOG_NOTICE, "link up on {iface}[ after {duration_ms} ms down]", NULL},
    {"link_degraded", LOG_WARNING,
     "heartbeat media degraded: {media_up} of {media} up ({down} down): "
     "peers still heard, nothing moves", NULL},
    {"medium_error", LOG_ERR,
     "cannot send heartbeats on {medium}: {reason}[ ({count} failures)]", NULL},
    {"flood", LOG_WARNING,
     "flood: {junk_pps} junk packets/s dropped by XDP[ over {window_ms} ms]", NULL},
    /* membership */
    {"peer_up", LOG_NOTICE, "peer {peer} up[ ({reason})][, rtt {rtt_ms} ms]", NULL},
    {"peer_warn", LOG_WARNING,
     "peer {peer} late: silent for {detection_ms} ms[ ({reason})]", NULL},
    {"peer_dead", LOG_WARNING,
     "peer {peer} dead after {detection_ms} ms[ ({reason})]", NULL},
    {"peer_stalled", LOG_WARNING,
     "peer {peer} stalled after {detection_ms} ms[ ({reason})]", NULL},
    {"peer_leaving", LOG_NOTICE, "peer {peer} is leaving[ ({reason~})]", NULL},
    {"peer_fault", LOG_WARNING, "peer {peer} is in fault[ ({reason~})]", NULL},
    {"peer_unanswered", LOG_WARNING,
     "peer {peer} does not answer our probes[ (last reply {reply_age_ms} ms "
     "ago)]: judged on its heartbeats, over {window_ms} ms", NULL},
    {"unheard", LOG_WARNING,
     "peer {peer} does not hear us: we yield and hold back for {hold_ms} ms", NULL},
    /* groups and what they hold */
    {"group_acquire", LOG_NOTICE,
     "took over group {group} ({group_resources}): {reason~}[ (from {peer})], "
     "in {duration_ms} ms", NULL},
    {"group_release", LOG_NOTICE,
     "released group {group} ({group_resources}): {reason~}[ (to {peer})], "
     "in {duration_ms} ms", NULL},
    {"group_stop_failed", LOG_CRIT,
     "group {group} ({group_resources}) is stop_failed[: the stop of "
     "{resource} failed][?adopted  (found so at start)]: blocked, its "
     "addresses removed[?held , held here so that no peer starts it], until "
     "xhbctl cleanup", NULL},
    {"vip_added", LOG_INFO,
     "VIP {vip}[/{prefix}] added on {iface}[ as {label}][ for group {group}]"
     "[ ({reason})][?adopted  (adopted)]", NULL},
    {"vip_removed", LOG_INFO,
     "VIP {vip}[/{prefix}] removed from {iface}[ (group {group})]", NULL},
    {"vip_staged", LOG_INFO,
     "VIP {vip}[/{prefix}] staged on {iface}[ for group {group}]: "
     "configured, fenced until a takeover", NULL},
    {"vip_unstaged", LOG_INFO,
     "staged VIP {vip}[/{prefix}] removed from {iface}[ (group {group})]",
     NULL},
    {"route_added", LOG_INFO,
     "host route {vip} added to table {table} (proto {proto}, metric "
     "{metric})[ for group {group}][ ({reason})]", NULL},
    {"route_removed", LOG_INFO,
     "host route {vip} removed from table {table} (metric {metric}"
     "[, group {group}])", NULL},
    {"vip_lost", LOG_ERR,
     "VIP {vip}[ on {iface}][ of group {group}] was removed behind our back", NULL},
    {"garp_sent", LOG_DEBUG,
     "announced {vip} on {iface}[ by {proto}], packet {packet}[ of {count}]"
     "[: failed: {error}]",
     garp_severity},
    {"resource_start", LOG_INFO,
     "started {resource} (group {group}): exit code {exit_code} in {duration_ms} ms", NULL},
    {"resource_stop", LOG_INFO,
     "stopped {resource} (group {group}): exit code {exit_code} in {duration_ms} ms", NULL},
    {"resource_failed", LOG_ERR,
     "{resource} {action} failed (group {group}): {reason~}[, exit code "
     "{exit_code}][, signal {signal}][: {error}][ after {duration_ms} ms]", NULL},
    /* service checks */
    {"check_passing", LOG_NOTICE,
     "check {check} ({kind} {target}) passing[ after {count} success(es)]"
     "[: {detail}]", NULL},
    {"check_failing", LOG_ERR,
     "check {check} ({kind} {target}) failing after {count} failure(s): "
     "{detail}[: this node yields groups {groups}]", NULL},
    {"no_healthy_node", LOG_CRIT,
     "group {group} ({group_resources}) fails its checks and no other node "
     "is healthy: it stays where it is", NULL},
    /* ping nodes */
    {"ping_node_up", LOG_NOTICE,
     "ping node {target} reachable ({reached} of {of} reached)", NULL},
    {"ping_node_down", LOG_WARNING,
     "ping node {target} unreachable ({reached} of {of} reached)", NULL},
    {"ping_yield", LOG_WARNING,
     "ping nodes: we reach {reached} of {of}, a peer {peer_reached}"
     "[?yield : we yield our groups to it][!yield : no peer reaches more]", NULL},
    /* quorum */
    {"quorum_gained", LOG_NOTICE,
     "quorum gained: {votes} of {total} votes ({needed} needed: {why}), "
     "nodes {nodes}", NULL},
    {"quorum_lost", LOG_CRIT,
     "quorum lost: {votes} of {total} votes ({needed} needed: {why}), "
     "nodes {nodes}; no_quorum_policy {policy}", NULL},
    /* operators */
    {"standby_request", LOG_NOTICE,
     "standby ({scope}) asked by {source}[ {peer}][, groups {groups}]", NULL},
    {"takeover_request", LOG_NOTICE,
     "takeover ({scope}) asked by {source}[ {peer}][, groups {groups}]", NULL},
    {"cleanup_request", LOG_NOTICE,
     "cleanup[ of group {group}] asked by {source}: failed stops run again",
     NULL},
    {"node_added", LOG_NOTICE,
     "node {name} added (by {source}): {node_count} nodes", NULL},
    {"node_removed", LOG_NOTICE,
     "node {name} removed (by {source}): {node_count} nodes", NULL},
};

static const struct line_kind *find_kind(const char *event)
{
	for (size_t i = 0; event && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].event, event))
			return &kinds[i];
	return NULL;
}

bool xhb_event_line_known(const char *event)
{
	return find_kind(event) != NULL;
}

/* The output cursor: writes past the end are cut, never overflow. */
struct out {
	char *buf;
	size_t len, used;
};

static void put(struct out *o, const char *s, size_t n)
{
	size_t room = o->len - 1 - o->used;

	if (n > room)
		n = room;
	memcpy(o->buf + o->used, s, n);
	o->used += n;
	o->buf[o->used] = '\0';
}

/* Three significant digits, no exponent, no trailing zeros. */
static void put_real(struct out *o, double x)
{
	double a = fabs(x);
	int decimals = a >= 100 || a == 0 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
	char s[64];
	int n = snprintf(s, sizeof(s), "%.*f", decimals, x);

	if (decimals) {
		while (n > 1 && s[n - 1] == '0')
			n--;
		if (s[n - 1] == '.')
			n--;
	}
	put(o, s, (size_t)n);
}

static void put_value(struct out *o, const json_t *v, bool words)
{
	char s[32];

	if (json_is_string(v)) {
		const char *str = json_string_value(v);

		for (; words && *str; str++)
			put(o, *str == '_' ? " " : str, 1);
		if (!words)
			put(o, str, strlen(str));
	} else if (json_is_integer(v)) {
		put(o, s, (size_t)snprintf(s, sizeof(s), "%lld",
					   (long long)json_integer_value(v)));
	} else if (json_is_real(v)) {
		put_real(o, json_real_value(v));
	} else if (json_is_boolean(v)) {
		put(o, json_is_true(v) ? "yes" : "no", json_is_true(v) ? 3 : 2);
	} else {
		put(o, "?", 1);
	}
}

/* The field named by "{name}" or "{name~}" at t (t points at '{'); its
 * name's length in *n, the closing brace's offset in *end. */
static const json_t *field_at(const json_t *ev, const char *t, size_t *end,
			      bool *words)
{
	const char *close = strchr(t, '}');
	char name[64];
	size_t n;

	*end = strlen(t) - 1;
	*words = false;
	if (!close)
		return NULL;
	n = (size_t)(close - t - 1);
	*words = n && t[n] == '~';
	if (*words)
		n--;
	*end = (size_t)(close - t);
	if (n >= sizeof(name))
		return NULL;
	memcpy(name, t + 1, n);
	name[n] = '\0';
	return json_object_get(ev, name);
}

static bool present(const json_t *v)
{
	return v && !json_is_null(v) &&
	       !(json_is_string(v) && !*json_string_value(v));
}

/* Expand t[0..n): with check, only test that every field is present. */
static bool expand(struct out *o, const json_t *ev, const char *t, size_t n,
		   bool check)
{
	for (size_t i = 0; i < n; i++) {
		const json_t *v;
		size_t end;
		bool words;

		if (t[i] != '{') {
			if (!check)
				put(o, &t[i], 1);
			continue;
		}
		v = field_at(ev, &t[i], &end, &words);
		if (check && !present(v))
			return false;
		if (!check)
			put_value(o, present(v) ? v : NULL, words);
		i += end;
	}
	return true;
}

static void render(struct out *o, const json_t *ev, const char *t)
{
	while (*t) {
		const char *open = strchr(t, '['), *close, *body;

		if (!open) {
			expand(o, ev, t, strlen(t), false);
			return;
		}
		expand(o, ev, t, (size_t)(open - t), false);
		close = strchr(open, ']');
		if (!close)
			return;
		body = open + 1;
		if (*body == '?') {
			size_t name = strcspn(body + 1, " ,");
			char key[64];

			snprintf(key, sizeof(key), "%.*s", (int)name, body + 1);
			body += 1 + name;
			if (*body == ' ') /* the separator after the name */
				body++;
			if (is_true(json_object_get(ev, key)))
				expand(o, ev, body, (size_t)(close - body), false);
		} else if (expand(o, ev, body, (size_t)(close - body), true)) {
			expand(o, ev, body, (size_t)(close - body), false);
		}
		t = close + 1;
	}
}

/* An event the table does not know: its name and fields, key=value. */
static void render_unknown(struct out *o, const json_t *ev, const char *event)
{
	static const char *const common[] = {"time", "mono_ns", "seq", "node",
					     "event"};
	const char *key;
	json_t *v;

	put(o, event ? event : "event", strlen(event ? event : "event"));
	json_object_foreach((json_t *)ev, key, v) {
		bool skip = false;

		for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
			skip |= !strcmp(key, common[i]);
		if (skip || json_is_object(v) || json_is_array(v))
			continue;
		put(o, " ", 1);
		put(o, key, strlen(key));
		put(o, "=", 1);
		put_value(o, v, false);
	}
}

int xhb_event_severity(const json_t *ev)
{
	const struct line_kind *k =
	    find_kind(json_string_value(json_object_get(ev, "event")));

	if (!k)
		return LOG_INFO;
	return k->severity_of ? k->severity_of(ev, k->severity) : k->severity;
}

int xhb_event_line(const json_t *ev, char *buf, size_t len)
{
	const char *event = json_string_value(json_object_get(ev, "event"));
	const struct line_kind *k = find_kind(event);
	struct out o = {.buf = buf, .len = len};

	if (!len)
		return LOG_INFO;
	buf[0] = '\0';
	if (!k) {
		render_unknown(&o, ev, event);
		return LOG_INFO;
	}
	render(&o, ev, k->tmpl);
	return xhb_event_severity(ev);
}
