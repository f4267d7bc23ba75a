// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The exposition of a snapshot, and the agent's tally: see metrics.h.
 *
 * The text format (Prometheus' exposition format 0.0.4): a family's
 * samples come together, after its "# HELP" and "# TYPE" lines (written
 * with the first sample, so a family without samples says nothing);
 * label values escape '\\', '"' and newlines; a histogram's buckets are
 * cumulative, in increasing order of le, and end with le="+Inf", which
 * equals its _count. Times are in seconds; when something happened is a
 * Unix timestamp (`time() - x` is its age, also in a file the textfile
 * collector reads a minute later).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/types.h>
#include <linux/bpf.h>

#include "metrics.h"
#include "wire.h"

const __u64 xhb_takeover_bounds_ns[XHB_TAKEOVER_BUCKETS] = {
	500000ULL,	   1000000ULL,	   2000000ULL,	   5000000ULL,
	10000000ULL,	   20000000ULL,	   50000000ULL,	   100000000ULL,
	200000000ULL,	   500000000ULL,   1000000000ULL,  2000000000ULL,
	5000000000ULL,	   10000000000ULL, 30000000000ULL,
};

void xhb_tally_group_event(struct xhb_group_tally *t, bool acquire,
			   enum xhb_reason reason, __u64 duration_ns)
{
	unsigned int i = 0;

	if (!acquire) {
		t->released++;
		return;
	}
	if (reason == XHB_REASON_ADOPTED || reason == XHB_REASON_PARTITION_RESOLVED)
		return;
	while (i < XHB_TAKEOVER_BUCKETS && duration_ns > xhb_takeover_bounds_ns[i])
		i++;
	t->acquired++;
	t->takeover[i]++;
	t->takeover_sum_ns += duration_ns;
}

/* ---- writing the format ------------------------------------------------ */

struct family {
	const char *name, *type, *help;
	bool started; /* HELP and TYPE written */
};

#define FAMILY(var, name, type, help) struct family var = {name, type, help, false}

/* A few labels; the longest value is a group's resources as written
 * (xhb_group_spec's 1 KiB), escaped. */
struct labels {
	char text[4096];
	size_t len;
};

static void put_escaped(FILE *f, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (quote && *s == '"')
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

/* Append name="value", the value escaped; one too long for what is left
 * is cut, never written past the buffer. */
static void label(struct labels *l, const char *name, const char *value)
{
	char *p = l->text + l->len, *end = l->text + sizeof(l->text) - 2;
	int n = snprintf(p, (size_t)(end - p), "%s%s=\"", l->len ? "," : "", name);

	if (n < 0 || n >= end - p)
		return;
	for (p += n; *value && p < end - 2; value++) {
		if (*value == '\\' || *value == '"' || *value == '\n') {
			*p++ = '\\';
			*p++ = *value == '\n' ? 'n' : *value;
		} else {
			*p++ = *value;
		}
	}
	*p++ = '"';
	*p = '\0';
	l->len = (size_t)(p - l->text);
}

static struct labels labels1(const char *n1, const char *v1)
{
	struct labels l = {.len = 0};

	l.text[0] = '\0';
	if (n1)
		label(&l, n1, v1);
	return l;
}

static void header(FILE *f, struct family *fam)
{
	if (fam->started)
		return;
	fam->started = true;
	fprintf(f, "# HELP %s ", fam->name);
	put_escaped(f, fam->help, false);
	fprintf(f, "\n# TYPE %s %s\n", fam->name, fam->type);
}

/* name[suffix]{labels} value */
static void sample(FILE *f, struct family *fam, const char *suffix,
		   const struct labels *l, const char *value)
{
	header(f, fam);
	fprintf(f, "%s%s%s%s%s %s\n", fam->name, suffix ? suffix : "",
		l && l->len ? "{" : "", l && l->len ? l->text : "",
		l && l->len ? "}" : "", value);
}

static void sample_u64(FILE *f, struct family *fam, const struct labels *l,
		       __u64 v)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, (uint64_t)v);
	sample(f, fam, NULL, l, text);
}

static void sample_f(FILE *f, struct family *fam, const struct labels *l, double v)
{
	char text[32];

	snprintf(text, sizeof(text), "%.9g", v);
	sample(f, fam, NULL, l, text);
}

/* Unix time in seconds, to the millisecond. */
static void sample_time(FILE *f, struct family *fam, const struct labels *l,
			double unix_s)
{
	char text[32];

	snprintf(text, sizeof(text), "%.3f", unix_s);
	sample(f, fam, NULL, l, text);
}

/* ---- reading the snapshot ---------------------------------------------- */

/* The Unix time of a CLOCK_BOOTTIME stamp of the maps. */
static double unix_time(const struct xhb_metrics_snapshot *s, __u64 stamp_ns)
{
	__u64 ago = s->now_ns > stamp_ns ? s->now_ns - stamp_ns : 0;

	return (double)(s->wall_ns - ago) / 1e9;
}

/* A node's name from its id: the agent's word first, then the
 * configuration's, else the id itself. */
static const char *node_name(const struct xhb_metrics_snapshot *s, __u32 id,
			     char *buf, size_t len)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(s->status, "peers"), i, p)
	{
		const char *name = json_string_value(json_object_get(p, "name"));

		if (name &&
		    json_integer_value(json_object_get(p, "node_id")) == (json_int_t)id)
			return name;
	}
	for (i = 0; i < s->nnames; i++)
		if (s->names[i].id == id)
			return s->names[i].name;
	snprintf(buf, len, "%u", id);
	return buf;
}

#define STAT_NAME(name) #name,
static const char *const stat_names[] = {XHB_STATS(STAT_NAME)};
#undef STAT_NAME
#define NSTATS (sizeof(stat_names) / sizeof(stat_names[0]))
_Static_assert(NSTATS == sizeof(struct xhb_stats) / sizeof(__u64),
	       "a name for every counter");

/* ---- the families from the pinned maps ---------------------------------- */

static void render_dataplane(FILE *f, const struct xhb_metrics_snapshot *s)
{
	FAMILY(up, "xhb_dataplane_up", "gauge",
	       "1 when the pinned maps of the interface's XDP program could be read, else 0");
	FAMILY(pkts, "xhb_xdp_packets_total", "counter",
	       "Packets the XDP program handled, by verdict or drop reason (each packet counts once)");
	FAMILY(egress, "xhb_tc_egress_dropped_packets_total", "counter",
	       "Frames from a fenced VIP (IP from it, ARP naming it) that the TC egress program dropped");
	FAMILY(fenced, "xhb_fenced", "gauge",
	       "1 while XDP fences this node's VIPs: its lease lapsed, or a peer said it does not hear it");
	FAMILY(lease, "xhb_lease_remaining_seconds", "gauge",
	       "What is left of the lease the agent last wrote into XDP; 0 when it lapsed or nothing is held");
	FAMILY(update, "xhb_agent_last_update_timestamp_seconds", "gauge",
	       "When the agent last wrote this node's state into XDP (a hung agent stops it)");
	unsigned int i;

	for (i = 0; i < s->nifaces; i++) {
		struct labels l = labels1("iface", s->ifaces[i].name);

		sample_u64(f, &up, &l, s->ifaces[i].up);
	}
	for (i = 0; i < s->nifaces; i++) {
		const __u64 *v = (const __u64 *)&s->ifaces[i].stats;

		if (!s->ifaces[i].up)
			continue;
		for (size_t k = 0; k < NSTATS; k++) {
			struct labels l = labels1("iface", s->ifaces[i].name);

			if (!strcmp(stat_names[k], "drop_fenced_egress"))
				continue;
			label(&l, "verdict", stat_names[k]);
			sample_u64(f, &pkts, &l, v[k]);
		}
	}
	for (i = 0; i < s->nifaces; i++) {
		struct labels l = labels1("iface", s->ifaces[i].name);

		if (s->ifaces[i].up)
			sample_u64(f, &egress, &l, s->ifaces[i].stats.drop_fenced_egress);
	}
	for (i = 0; i < s->nifaces; i++) {
		struct labels l = labels1("iface", s->ifaces[i].name);

		if (s->ifaces[i].up)
			sample_u64(f, &fenced, &l,
				   xhb_self_fenced(&s->ifaces[i].self, s->now_ns));
	}
	for (i = 0; i < s->nifaces; i++) {
		const struct xhb_self *self = &s->ifaces[i].self;
		__u64 end = self->agent_update_ns + (__u64)self->lease_ms * 1000000ULL;
		struct labels l = labels1("iface", s->ifaces[i].name);

		if (s->ifaces[i].up)
			sample_f(f, &lease, &l,
				 self->groups_held && !xhb_self_lapsed(self, s->now_ns)
					 ? (double)(end - s->now_ns) / 1e9
					 : 0.0);
	}
	for (i = 0; i < s->nifaces; i++) {
		struct labels l = labels1("iface", s->ifaces[i].name);

		if (s->ifaces[i].up && s->ifaces[i].self.agent_update_ns)
			sample_time(f, &update, &l,
				    unix_time(s, s->ifaces[i].self.agent_update_ns));
	}
}

/* The three kinds of packet XDP records of a peer. */
static const char *const peer_kinds[] = {"heartbeat", "probe_reply", "probe"};

static __u64 peer_count(const struct xhb_peer *p, unsigned int kind)
{
	return kind == 0 ? p->heartbeats : kind == 1 ? p->replies : p->probes;
}

static __u64 peer_last(const struct xhb_peer *p, unsigned int kind)
{
	return kind == 0 ? p->last_heartbeat_ns
			 : kind == 1 ? p->last_reply_ns : p->last_probe_ns;
}

/* One family over every peer of every interface; which: 0 packets,
 * 1 last heard, 2 RTT. */
static void render_peer_family(FILE *f, const struct xhb_metrics_snapshot *s,
			       struct family *fam, int which)
{
	for (unsigned int i = 0; i < s->nifaces; i++) {
		const struct xhb_metrics_iface *fi = &s->ifaces[i];

		for (unsigned int n = 0; n < fi->npeers; n++) {
			const struct xhb_peer *p = &fi->peers[n];
			char idbuf[16];
			struct labels base = labels1("iface", fi->name);

			label(&base, "peer", node_name(s, p->node_id, idbuf, sizeof(idbuf)));
			if (which == 2) {
				if (p->replies)
					sample_f(f, fam, &base, p->rtt_ns / 1e9);
				continue;
			}
			for (unsigned int k = 0; k < 3; k++) {
				struct labels l = base;

				label(&l, "kind", peer_kinds[k]);
				if (which == 0)
					sample_u64(f, fam, &l, peer_count(p, k));
				else if (peer_last(p, k))
					sample_time(f, fam, &l, unix_time(s, peer_last(p, k)));
			}
		}
	}
}

static void render_peers_xdp(FILE *f, const struct xhb_metrics_snapshot *s)
{
	FAMILY(pkts, "xhb_peer_packets_total", "counter",
	       "Valid packets XDP accepted from the peer: heartbeats, replies to our probes, its probes it answered");
	FAMILY(last, "xhb_peer_last_heard_timestamp_seconds", "gauge",
	       "When XDP last accepted a packet of this kind from the peer");
	FAMILY(rtt, "xhb_peer_rtt_seconds", "gauge",
	       "Round trip of the peer's last reply to our probes");

	render_peer_family(f, s, &pkts, 0);
	render_peer_family(f, s, &last, 1);
	render_peer_family(f, s, &rtt, 2);
}

/* ---- the families from the agent's status document ---------------------- */

static const char *str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

static void render_node(FILE *f, const struct xhb_metrics_snapshot *s)
{
	FAMILY(state, "xhb_node_state", "gauge",
	       "This node's state as its agent says it: 1 for the current one");
	FAMILY(start, "xhb_agent_start_time_seconds", "gauge",
	       "When the running agent started");
	json_t *uptime = json_object_get(s->status, "uptime_ms");

	for (int st = XHB_NODE_NONE + 1; st < XHB_NODE_STATE_MAX; st++) {
		struct labels l = labels1("state", xhb_node_state_name(st));

		sample_u64(f, &state, &l,
			   !strcmp(str(s->status, "state"), xhb_node_state_name(st)));
	}
	if (json_is_number(uptime))
		sample_time(f, &start, NULL,
			    s->wall_ns / 1e9 - json_number_value(uptime) / 1e3);
}

static void render_peers_agent(FILE *f, const struct xhb_metrics_snapshot *s)
{
	FAMILY(state, "xhb_peer_state", "gauge",
	       "The agent's verdict on the peer: 1 for the current one");
	FAMILY(window, "xhb_peer_detection_window_seconds", "gauge",
	       "Silence on every signal for this long makes the peer dead (its window now, widened by loss or a flood)");
	FAMILY(silent, "xhb_peer_silent_periods_ratio", "gauge",
	       "Share of recent probe periods in which nothing new came from the peer (its path's loss, as learnt)");
	FAMILY(link, "xhb_peer_link_up", "gauge",
	       "1 while something of the peer came on this heartbeat interface within its detection window (cl_status hblinkstatus)");
	json_t *peers = json_object_get(s->status, "peers"), *p, *k;
	size_t i, j;

	json_array_foreach(peers, i, p)
	{
		for (int st = 0; st < XHB_MEMBER_STATE_MAX; st++) {
			struct labels l = labels1("peer", str(p, "name"));
			const char *name = xhb_member_state_name(st);

			label(&l, "state", name);
			sample_u64(f, &state, &l, !strcmp(str(p, "state"), name));
		}
	}
	json_array_foreach(peers, i, p)
	{
		struct labels l = labels1("peer", str(p, "name"));
		json_t *v = json_object_get(p, "window_ms");

		if (json_is_number(v))
			sample_f(f, &window, &l, json_number_value(v) / 1e3);
	}
	json_array_foreach(peers, i, p)
	{
		struct labels l = labels1("peer", str(p, "name"));
		json_t *v = json_object_get(p, "silent_periods_pct");

		if (json_is_number(v))
			sample_f(f, &silent, &l, json_number_value(v) / 100);
	}
	/* the nodes' links, as cl_status reads them: ours are not a peer's */
	json_array_foreach(json_object_get(s->status, "nodes"), i, p)
	{
		if (json_is_true(json_object_get(p, "self")))
			continue;
		json_array_foreach(json_object_get(p, "links"), j, k)
		{
			struct labels l = labels1("peer", str(p, "name"));

			label(&l, "iface", str(k, "iface"));
			sample_u64(f, &link, &l, !strcmp(str(k, "status"), "up"));
		}
	}
}

/* Quorum (quorum.h), from the status document; nothing until judged. */
static void render_quorum(FILE *f, const struct xhb_metrics_snapshot *s)
{
	FAMILY(quorate, "xhb_quorate", "gauge",
	       "1 while this node's partition has quorum");
	FAMILY(votes, "xhb_quorum_votes", "gauge",
	       "Votes of the nodes in this node's partition");
	FAMILY(total, "xhb_quorum_votes_configured", "gauge",
	       "Votes of every configured node");
	json_t *q = json_object_get(s->status, "quorum");
	json_t *is = json_object_get(q, "quorate");

	if (!json_is_boolean(is))
		return;
	sample_u64(f, &quorate, NULL, json_is_true(is));
	sample_u64(f, &votes, NULL,
		   (__u64)json_integer_value(json_object_get(q, "votes")));
	sample_u64(f, &total, NULL,
		   (__u64)json_integer_value(json_object_get(q, "total")));
}

/* Service checks (ha.cf check lines), from the status document. */
static void render_checks(FILE *f, const struct xhb_metrics_snapshot *s)
{
	FAMILY(state, "xhb_check_state", "gauge",
	       "A service check's state: 1 for the current one (unknown, passing, failing)");
	FAMILY(runs, "xhb_check_runs_total", "counter",
	       "Runs of the service check since the agent started");
	FAMILY(fails, "xhb_check_failures_total", "counter",
	       "Failed runs of the service check since the agent started");
	static const char *const states[] = {"unknown", "passing", "failing"};
	json_t *checks = json_object_get(s->status, "checks"), *c;
	size_t i;

	json_array_foreach(checks, i, c)
	{
		for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
			struct labels l = labels1("check", str(c, "name"));

			label(&l, "kind", str(c, "kind"));
			label(&l, "state", states[k]);
			sample_u64(f, &state, &l, !strcmp(str(c, "state"), states[k]));
		}
	}
	json_array_foreach(checks, i, c)
	{
		struct labels l = labels1("check", str(c, "name"));

		sample_u64(f, &runs, &l,
			   (uint64_t)json_integer_value(json_object_get(c, "runs")));
	}
	json_array_foreach(checks, i, c)
	{
		struct labels l = labels1("check", str(c, "name"));

		sample_u64(f, &fails, &l,
			   (uint64_t)json_integer_value(json_object_get(c, "failures")));
	}
}

static struct labels group_labels(json_t *g)
{
	char num[16];

	snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		 json_integer_value(json_object_get(g, "group")));
	return labels1("group", num);
}

/* The takeover histogram of group g: cumulative buckets, +Inf = count. */
static void render_takeover(FILE *f, struct family *fam, json_t *g, json_t *bounds)
{
	json_t *h = json_object_get(g, "takeover_duration");
	json_t *buckets = json_object_get(h, "buckets");
	size_t nb = json_array_size(bounds);
	struct labels l = group_labels(g);
	__u64 cumulative = 0;
	char value[32];

	/* a document of another build, whose buckets we cannot place */
	if (!nb || json_array_size(buckets) != nb + 1)
		return;
	for (size_t i = 0; i <= nb; i++) {
		struct labels le = l;

		cumulative += (__u64)json_integer_value(json_array_get(buckets, i));
		if (i < nb)
			snprintf(value, sizeof(value), "%.9g",
				 json_number_value(json_array_get(bounds, i)));
		label(&le, "le", i < nb ? value : "+Inf");
		snprintf(value, sizeof(value), "%" PRIu64, (uint64_t)cumulative);
		sample(f, fam, "_bucket", &le, value);
	}
	snprintf(value, sizeof(value), "%.9g",
		 json_number_value(json_object_get(h, "sum_s")));
	sample(f, fam, "_sum", &l, value);
	/* the +Inf bucket's count, the same by construction */
	snprintf(value, sizeof(value), "%" PRIu64, (uint64_t)cumulative);
	sample(f, fam, "_count", &l, value);
}

static void render_groups(FILE *f, const struct xhb_metrics_snapshot *s)
{
	FAMILY(info, "xhb_group_info", "gauge",
	       "A resource group (a haresources line): its resources and preferred node (always 1)");
	FAMILY(held, "xhb_group_held", "gauge", "1 while this node holds the group");
	FAMILY(phase, "xhb_group_phase", "gauge",
	       "The group's phase on this node (idle, starting, started, stopping, stop_failed): 1 for the current one");
	static const char *const phases[] = {"idle", "starting", "started",
					     "stopping", "stop_failed"};
	FAMILY(owner, "xhb_group_owner", "gauge",
	       "The group's holder as this node's agent sees it: 1 for that node, 0 for the others");
	FAMILY(trans, "xhb_group_transitions_total", "counter",
	       "The group's transitions on this node since its agent started (acquisitions completed, releases)");
	FAMILY(takeover, "xhb_takeover_duration_seconds", "histogram",
	       "Time an acquisition of the group took: addresses up, first announcement sent, start scripts done");
	json_t *groups = json_object_get(s->status, "groups"), *g, *p;
	json_t *peers = json_object_get(s->status, "peers");
	size_t i, k;

	json_array_foreach(groups, i, g)
	{
		struct labels l = group_labels(g);

		label(&l, "resources", str(g, "resources"));
		label(&l, "preferred", str(g, "preferred"));
		sample_u64(f, &info, &l, 1);
	}
	json_array_foreach(groups, i, g)
	{
		struct labels l = group_labels(g);

		sample_u64(f, &held, &l, json_is_true(json_object_get(g, "held")));
	}
	json_array_foreach(groups, i, g)
	{
		/* an agent without phases says none */
		for (k = 0; str(g, "phase")[0] && k < 5; k++) {
			struct labels l = group_labels(g);

			label(&l, "phase", phases[k]);
			sample_u64(f, &phase, &l, !strcmp(str(g, "phase"), phases[k]));
		}
	}
	json_array_foreach(groups, i, g)
	{
		/* this node, then its peers: every node the agent knows */
		struct labels l = group_labels(g);

		label(&l, "node", str(s->status, "node"));
		sample_u64(f, &owner, &l,
			   !strcmp(str(g, "owner"), str(s->status, "node")));
		json_array_foreach(peers, k, p)
		{
			l = group_labels(g);
			label(&l, "node", str(p, "name"));
			sample_u64(f, &owner, &l, !strcmp(str(g, "owner"), str(p, "name")));
		}
	}
	json_array_foreach(groups, i, g)
	{
		static const char *const kinds[] = {"acquire", "release"};
		json_t *t = json_object_get(g, "transitions");

		for (k = 0; t && k < 2; k++) {
			struct labels l = group_labels(g);

			label(&l, "transition", kinds[k]);
			sample_u64(f, &trans, &l,
				   (__u64)json_integer_value(json_object_get(t, kinds[k])));
		}
	}
	json_array_foreach(groups, i, g)
		render_takeover(f, &takeover, g,
				json_object_get(s->status, "takeover_bounds_s"));
}

int xhb_metrics_render(const struct xhb_metrics_snapshot *s, FILE *out)
{
	FAMILY(build, "xhb_build_info", "gauge",
	       "The version of xhb that serves these metrics and the commit it was built from (always 1)");
	FAMILY(agent_up, "xhb_agent_up", "gauge",
	       "1 when the agent answered on its control socket for this scrape, else 0");
	struct labels l = labels1("version", s->version ? s->version : "");

	label(&l, "commit", s->commit ? s->commit : "");
	sample_u64(out, &build, &l, 1);
	sample_u64(out, &agent_up, NULL, s->status != NULL);
	render_dataplane(out, s);
	render_peers_xdp(out, s);
	if (s->status) {
		render_node(out, s);
		render_peers_agent(out, s);
		render_groups(out, s);
		render_checks(out, s);
		render_quorum(out, s);
	}
	fflush(out);
	return ferror(out) ? -EIO : 0;
}
