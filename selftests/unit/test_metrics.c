// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * user/metrics: the exposition of a fixed snapshot (maps and status
 * document) line for line; label values escaped; a histogram's buckets
 * cumulative, ending with +Inf = _count; the agent down (maps only) and
 * an interface without pins; every sample under its family's HELP and
 * TYPE. The agent's side: the tally of transitions, and the status
 * document that carries it, rendered.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "groups.h"
#include "metrics.h"
#include "peers.h"
#include "status.h"
#include "wire.h"

#define MS(x) ((__u64)(x) * 1000000ULL)
#define SEC(x) ((__u64)(x) * 1000000000ULL)
#define NOW SEC(1000)		     /* CLOCK_BOOTTIME of the snapshot */
#define WALL SEC(1700000000ULL) /* its Unix time */

static struct xhb_metrics_snapshot *snap;

static void setup(void)
{
	snap = calloc(1, sizeof(*snap));
	cr_assert(snap);
}

static void teardown(void)
{
	if (snap)
		json_decref(snap->status);
	free(snap);
}

TestSuite(metrics, .init = setup, .fini = teardown);

static char *render(const struct xhb_metrics_snapshot *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert(f);
	cr_assert_eq(xhb_metrics_render(s, f), 0);
	cr_assert_eq(fclose(f), 0);
	return text;
}

/*
 * The format's rules that hold for any output: every sample's family
 * (its name less _bucket/_sum/_count for a histogram) was introduced by
 * "# HELP" then "# TYPE" lines, once, before its first sample, and its
 * samples are not split by another family's.
 */
static void check_families(const char *text)
{
	char families[64][128], current[128] = "", type[32] = "";
	unsigned int n = 0;
	const char *line = text;

	while (*line) {
		const char *nl = strchr(line, '\n');
		char buf[1024], name[128];
		size_t len;

		cr_assert(nl, "the text ends with a newline");
		len = (size_t)(nl - line);
		cr_assert_lt(len, sizeof(buf));
		memcpy(buf, line, len);
		buf[len] = '\0';
		line = nl + 1;
		if (!strncmp(buf, "# HELP ", 7)) {
			cr_assert_eq(sscanf(buf + 7, "%127s", name), 1);
			for (unsigned int i = 0; i < n; i++)
				cr_assert_str_neq(families[i], name, "%s introduced twice", name);
			cr_assert_lt(n, 64);
			snprintf(families[n++], sizeof(families[0]), "%s", name);
			snprintf(current, sizeof(current), "%s", name);
			type[0] = '\0';
			continue;
		}
		if (!strncmp(buf, "# TYPE ", 7)) {
			cr_assert_eq(sscanf(buf + 7, "%127s %31s", name, type), 2, "%s", buf);
			cr_assert_str_eq(name, current, "TYPE right after HELP: %s", buf);
			continue;
		}
		cr_assert_neq(buf[0], '#', "an unknown comment: %s", buf);
		cr_assert(type[0], "a sample before its TYPE: %s", buf);
		len = strcspn(buf, "{ ");
		if (!strcmp(type, "histogram")) {
			size_t base = strlen(current);

			cr_assert(!strncmp(buf, current, base) &&
					  (!strncmp(buf + base, "_bucket", 7) ||
					   !strncmp(buf + base, "_sum", 4) ||
					   !strncmp(buf + base, "_count", 6)),
				  "%s outside its family %s", buf, current);
		} else {
			cr_assert(len == strlen(current) && !strncmp(buf, current, len),
				  "%s outside its family %s", buf, current);
		}
	}
}

/* ---- a full snapshot, line for line -------------------------------------- */

static void add_name(struct xhb_metrics_snapshot *s, const char *name)
{
	s->names[s->nnames].id = xhb_node_id(name);
	snprintf(s->names[s->nnames].name, XHB_NAME_MAX, "%s", name);
	s->nnames++;
}

/* srv1 holds group 0 and hears srv2 on ens192; eth1 has no pins. */
static void lab_snapshot(struct xhb_metrics_snapshot *s)
{
	struct xhb_metrics_iface *fi = &s->ifaces[0];
	struct xhb_peer *p = &fi->peers[0];

	s->now_ns = NOW;
	s->wall_ns = WALL;
	s->version = "1.2.3";
	s->commit = "abc123";
	add_name(s, "srv1");
	add_name(s, "srv2");
	s->nifaces = 2;
	snprintf(fi->name, sizeof(fi->name), "ens192");
	fi->up = true;
	fi->stats.pass_not_ip = 5;
	fi->stats.heartbeat_accepted = 100;
	fi->stats.probe_answered = 7;
	fi->stats.drop_bad_tag = 2;
	fi->stats.drop_fenced_egress = 3;
	fi->self.node_id = xhb_node_id("srv1");
	fi->self.agent_update_ns = NOW - MS(500);
	fi->self.lease_ms = 10000;
	fi->self.groups_held = 1;
	fi->npeers = 1;
	p->node_id = xhb_node_id("srv2");
	p->heartbeats = 100;
	p->last_heartbeat_ns = NOW - MS(250);
	p->replies = 50;
	p->last_reply_ns = NOW - MS(1);
	p->probes = 7; /* last_probe_ns 0: never stamped, left out */
	p->rtt_ns = 123456;
	snprintf(s->ifaces[1].name, IFNAMSIZ, "eth1");
	s->status = json_pack(
	    "{s:s, s:s, s:f, s:[f,f,f], s:[{s:i, s:s, s:s, s:s, s:b, s:s, s:{s:i, s:i},"
	    " s:{s:[i,i,i,i], s:f, s:i}}], s:[{s:s, s:I, s:s, s:f, s:f}],"
	    " s:[{s:s, s:b}, {s:s, s:b, s:[{s:s, s:s}, {s:s, s:s}]}]}",
	    "node", "srv1", "state", "active", "uptime_ms", 60000.0,
	    "takeover_bounds_s", 0.001, 0.01, 1.0, "groups", "group", 0,
	    "resources", "IPaddr::172.16.193.30/16/ens192", "preferred", "srv1",
	    "owner", "srv1", "held", 1, "phase", "started", "transitions",
	    "acquire", 2, "release", 1,
	    "takeover_duration", "buckets", 1, 0, 1, 0, "sum_s", 0.5005, "count", 2,
	    "peers", "name", "srv2", "node_id", (json_int_t)xhb_node_id("srv2"),
	    "state", "up", "window_ms", 4.0, "silent_periods_pct", 1.5, "nodes",
	    "name", "srv1", "self", 1, "name", "srv2", "self", 0, "links",
	    "iface", "ens192", "status", "up", "iface", "eth2", "status", "dead");
	cr_assert(s->status);
}

static const char lab_text[] =
    "# HELP xhb_build_info The version of xhb that serves these metrics and the commit it was built from (always 1)\n"
    "# TYPE xhb_build_info gauge\n"
    "xhb_build_info{version=\"1.2.3\",commit=\"abc123\"} 1\n"
    "# HELP xhb_agent_up 1 when the agent answered on its control socket for this scrape, else 0\n"
    "# TYPE xhb_agent_up gauge\n"
    "xhb_agent_up 1\n"
    "# HELP xhb_dataplane_up 1 when the pinned maps of the interface's XDP program could be read, else 0\n"
    "# TYPE xhb_dataplane_up gauge\n"
    "xhb_dataplane_up{iface=\"ens192\"} 1\n"
    "xhb_dataplane_up{iface=\"eth1\"} 0\n"
    "# HELP xhb_xdp_packets_total Packets the XDP program handled, by verdict or drop reason (each packet counts once)\n"
    "# TYPE xhb_xdp_packets_total counter\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"pass_not_ip\"} 5\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"pass_not_udp\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"pass_fragment\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"pass_other_port\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"heartbeat_accepted\"} 100\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"probe_answered\"} 7\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"probe_answered_compact\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"reply_accepted\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_malformed\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_bad_magic\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_bad_version\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_bad_type\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_bad_cluster\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_unknown_key\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_bad_tag\"} 2\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_unknown_peer\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_self\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_old_incarnation\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_replay\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_unconfirmed\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_stale_reply\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_incarnation_jump\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_probe_not_for_us\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_agent_absent\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_fenced_arp\"} 0\n"
    "xhb_xdp_packets_total{iface=\"ens192\",verdict=\"drop_fenced_ip\"} 0\n"
    "# HELP xhb_tc_egress_dropped_packets_total Frames from a fenced VIP (IP from it, ARP naming it) that the TC egress program dropped\n"
    "# TYPE xhb_tc_egress_dropped_packets_total counter\n"
    "xhb_tc_egress_dropped_packets_total{iface=\"ens192\"} 3\n"
    "# HELP xhb_fenced 1 while XDP fences this node's VIPs: its lease lapsed, or a peer said it does not hear it\n"
    "# TYPE xhb_fenced gauge\n"
    "xhb_fenced{iface=\"ens192\"} 0\n"
    "# HELP xhb_lease_remaining_seconds What is left of the lease the agent last wrote into XDP; 0 when it lapsed or nothing is held\n"
    "# TYPE xhb_lease_remaining_seconds gauge\n"
    "xhb_lease_remaining_seconds{iface=\"ens192\"} 9.5\n"
    "# HELP xhb_agent_last_update_timestamp_seconds When the agent last wrote this node's state into XDP (a hung agent stops it)\n"
    "# TYPE xhb_agent_last_update_timestamp_seconds gauge\n"
    "xhb_agent_last_update_timestamp_seconds{iface=\"ens192\"} 1699999999.500\n"
    "# HELP xhb_peer_packets_total Valid packets XDP accepted from the peer: heartbeats, replies to our probes, its probes it answered\n"
    "# TYPE xhb_peer_packets_total counter\n"
    "xhb_peer_packets_total{iface=\"ens192\",peer=\"srv2\",kind=\"heartbeat\"} 100\n"
    "xhb_peer_packets_total{iface=\"ens192\",peer=\"srv2\",kind=\"probe_reply\"} 50\n"
    "xhb_peer_packets_total{iface=\"ens192\",peer=\"srv2\",kind=\"probe\"} 7\n"
    "# HELP xhb_peer_last_heard_timestamp_seconds When XDP last accepted a packet of this kind from the peer\n"
    "# TYPE xhb_peer_last_heard_timestamp_seconds gauge\n"
    "xhb_peer_last_heard_timestamp_seconds{iface=\"ens192\",peer=\"srv2\",kind=\"heartbeat\"} 1699999999.750\n"
    "xhb_peer_last_heard_timestamp_seconds{iface=\"ens192\",peer=\"srv2\",kind=\"probe_reply\"} 1699999999.999\n"
    "# HELP xhb_peer_rtt_seconds Round trip of the peer's last reply to our probes\n"
    "# TYPE xhb_peer_rtt_seconds gauge\n"
    "xhb_peer_rtt_seconds{iface=\"ens192\",peer=\"srv2\"} 0.000123456\n"
    "# HELP xhb_node_state This node's state as its agent says it: 1 for the current one\n"
    "# TYPE xhb_node_state gauge\n"
    "xhb_node_state{state=\"init\"} 0\n"
    "xhb_node_state{state=\"active\"} 1\n"
    "xhb_node_state{state=\"leaving\"} 0\n"
    "xhb_node_state{state=\"fault\"} 0\n"
    "# HELP xhb_agent_start_time_seconds When the running agent started\n"
    "# TYPE xhb_agent_start_time_seconds gauge\n"
    "xhb_agent_start_time_seconds 1699999940.000\n"
    "# HELP xhb_peer_state The agent's verdict on the peer: 1 for the current one\n"
    "# TYPE xhb_peer_state gauge\n"
    "xhb_peer_state{peer=\"srv2\",state=\"unknown\"} 0\n"
    "xhb_peer_state{peer=\"srv2\",state=\"up\"} 1\n"
    "xhb_peer_state{peer=\"srv2\",state=\"warn\"} 0\n"
    "xhb_peer_state{peer=\"srv2\",state=\"dead\"} 0\n"
    "xhb_peer_state{peer=\"srv2\",state=\"stalled\"} 0\n"
    "xhb_peer_state{peer=\"srv2\",state=\"leaving\"} 0\n"
    "xhb_peer_state{peer=\"srv2\",state=\"fault\"} 0\n"
    "# HELP xhb_peer_detection_window_seconds Silence on every signal for this long makes the peer dead (its window now, widened by loss or a flood)\n"
    "# TYPE xhb_peer_detection_window_seconds gauge\n"
    "xhb_peer_detection_window_seconds{peer=\"srv2\"} 0.004\n"
    "# HELP xhb_peer_silent_periods_ratio Share of recent probe periods in which nothing new came from the peer (its path's loss, as learnt)\n"
    "# TYPE xhb_peer_silent_periods_ratio gauge\n"
    "xhb_peer_silent_periods_ratio{peer=\"srv2\"} 0.015\n"
    "# HELP xhb_peer_link_up 1 while something of the peer came on this heartbeat interface within its detection window (cl_status hblinkstatus)\n"
    "# TYPE xhb_peer_link_up gauge\n"
    "xhb_peer_link_up{peer=\"srv2\",iface=\"ens192\"} 1\n"
    "xhb_peer_link_up{peer=\"srv2\",iface=\"eth2\"} 0\n"
    "# HELP xhb_group_info A resource group (a haresources line): its resources and preferred node (always 1)\n"
    "# TYPE xhb_group_info gauge\n"
    "xhb_group_info{group=\"0\",resources=\"IPaddr::172.16.193.30/16/ens192\",preferred=\"srv1\"} 1\n"
    "# HELP xhb_group_held 1 while this node holds the group\n"
    "# TYPE xhb_group_held gauge\n"
    "xhb_group_held{group=\"0\"} 1\n"
    "# HELP xhb_group_phase The group's phase on this node (idle, starting, started, stopping, stop_failed): 1 for the current one\n"
    "# TYPE xhb_group_phase gauge\n"
    "xhb_group_phase{group=\"0\",phase=\"idle\"} 0\n"
    "xhb_group_phase{group=\"0\",phase=\"starting\"} 0\n"
    "xhb_group_phase{group=\"0\",phase=\"started\"} 1\n"
    "xhb_group_phase{group=\"0\",phase=\"stopping\"} 0\n"
    "xhb_group_phase{group=\"0\",phase=\"stop_failed\"} 0\n"
    "# HELP xhb_group_owner The group's holder as this node's agent sees it: 1 for that node, 0 for the others\n"
    "# TYPE xhb_group_owner gauge\n"
    "xhb_group_owner{group=\"0\",node=\"srv1\"} 1\n"
    "xhb_group_owner{group=\"0\",node=\"srv2\"} 0\n"
    "# HELP xhb_group_transitions_total The group's transitions on this node since its agent started (acquisitions completed, releases)\n"
    "# TYPE xhb_group_transitions_total counter\n"
    "xhb_group_transitions_total{group=\"0\",transition=\"acquire\"} 2\n"
    "xhb_group_transitions_total{group=\"0\",transition=\"release\"} 1\n"
    "# HELP xhb_takeover_duration_seconds Time an acquisition of the group took: addresses up, first announcement sent, start scripts done\n"
    "# TYPE xhb_takeover_duration_seconds histogram\n"
    "xhb_takeover_duration_seconds_bucket{group=\"0\",le=\"0.001\"} 1\n"
    "xhb_takeover_duration_seconds_bucket{group=\"0\",le=\"0.01\"} 1\n"
    "xhb_takeover_duration_seconds_bucket{group=\"0\",le=\"1\"} 2\n"
    "xhb_takeover_duration_seconds_bucket{group=\"0\",le=\"+Inf\"} 2\n"
    "xhb_takeover_duration_seconds_sum{group=\"0\"} 0.5005\n"
    "xhb_takeover_duration_seconds_count{group=\"0\"} 2\n";

Test(metrics, lab_snapshot_line_for_line)
{
	char *text;

	lab_snapshot(snap);
	text = render(snap);
	cr_expect_str_eq(text, lab_text);
	check_families(text);
	free(text);
}

/* The agent does not answer: the maps' families still come, none of the
 * status document's, and xhb_agent_up says 0. */
Test(metrics, agent_down_keeps_the_maps_metrics)
{
	char *text, *cut;

	lab_snapshot(snap);
	json_decref(snap->status);
	snap->status = NULL;
	text = render(snap);
	check_families(text);
	cr_expect(strstr(text, "\nxhb_agent_up 0\n"), "%s", text);
	/* everything up to the status document's families, unchanged */
	cut = strstr(lab_text, "# HELP xhb_node_state ");
	cr_assert(cut);
	cr_expect_eq(strlen(text), (size_t)(cut - lab_text), "%s", text);
	cr_expect(!strncmp(text, lab_text, 200));
	cr_expect(strstr(text, "xhb_peer_rtt_seconds{iface=\"ens192\",peer=\"srv2\"} 0.000123456\n"));
	cr_expect(!strstr(text, "xhb_group_"), "%s", text);
	cr_expect(!strstr(text, "xhb_peer_state"), "%s", text);
	free(text);
}

/* A peer in the maps that neither the agent nor the configuration names
 * is labelled with its node id; the agent's name wins over the
 * configuration's (a node added since the listener started). */
Test(metrics, peer_names_from_status_then_config_then_id)
{
	char *text;

	lab_snapshot(snap);
	snap->nnames = 0;
	snap->ifaces[0].npeers = 2;
	snap->ifaces[0].peers[1].node_id = 42;
	text = render(snap);
	cr_expect(strstr(text, "xhb_peer_packets_total{iface=\"ens192\",peer=\"srv2\",kind=\"heartbeat\"} 100\n"),
		  "%s", text);
	cr_expect(strstr(text, "xhb_peer_packets_total{iface=\"ens192\",peer=\"42\",kind=\"probe\"} 0\n"),
		  "%s", text);
	/* never replied: no RTT, no timestamps */
	cr_expect(!strstr(text, "peer=\"42\"} "), "%s", text);
	cr_expect(!strstr(text, "xhb_peer_last_heard_timestamp_seconds{iface=\"ens192\",peer=\"42\""));
	free(text);
	json_decref(snap->status);
	snap->status = NULL;
	add_name(snap, "srv2");
	text = render(snap);
	cr_expect(strstr(text, "xhb_peer_packets_total{iface=\"ens192\",peer=\"srv2\",kind=\"heartbeat\"} 100\n"),
		  "%s", text);
	free(text);
}

/* A lapsed lease: fenced, 0 left. */
Test(metrics, lapsed_lease_is_fenced_with_nothing_left)
{
	char *text;

	lab_snapshot(snap);
	snap->ifaces[0].self.agent_update_ns = NOW - SEC(11);
	text = render(snap);
	cr_expect(strstr(text, "\nxhb_fenced{iface=\"ens192\"} 1\n"), "%s", text);
	cr_expect(strstr(text, "\nxhb_lease_remaining_seconds{iface=\"ens192\"} 0\n"), "%s", text);
	free(text);
}

/* ---- label values ------------------------------------------------------- */

Test(metrics, label_values_are_escaped)
{
	char *text;

	snap->now_ns = NOW;
	snap->wall_ns = WALL;
	snap->version = "1\"2";
	snap->commit = "a\\b\nc";
	snap->status = json_pack(
	    "{s:s, s:s, s:[{s:i, s:s, s:s, s:n, s:b}], s:[{s:s, s:s}]}", "node",
	    "n\"1", "state", "active", "groups", "group", 3, "resources",
	    "run::a\\b \"q\"", "preferred", "x\ny", "owner", "held", 0, "peers",
	    "name", "p\\2", "state", "dead");
	cr_assert(snap->status);
	text = render(snap);
	check_families(text);
	cr_expect(strstr(text, "\nxhb_build_info{version=\"1\\\"2\",commit=\"a\\\\b\\nc\"} 1\n"),
		  "%s", text);
	cr_expect(strstr(text, "\nxhb_group_info{group=\"3\",resources=\"run::a\\\\b \\\"q\\\"\","
			       "preferred=\"x\\ny\"} 1\n"),
		  "%s", text);
	cr_expect(strstr(text, "\nxhb_group_owner{group=\"3\",node=\"n\\\"1\"} 0\n"), "%s", text);
	cr_expect(strstr(text, "\nxhb_group_owner{group=\"3\",node=\"p\\\\2\"} 0\n"), "%s", text);
	cr_expect(strstr(text, "\nxhb_peer_state{peer=\"p\\\\2\",state=\"dead\"} 1\n"), "%s", text);
	/* no raw newline inside a sample: every line starts a sample or a comment */
	for (const char *l = text; *l; l = strchr(l, '\n') + 1)
		cr_expect(*l == '#' || !strncmp(l, "xhb_", 4), "a broken line: %.40s", l);
	free(text);
}

/* A value longer than the label buffer (4 KiB) is cut, the line still
 * well formed. */
Test(metrics, a_long_label_value_is_cut_not_overrun)
{
	char *resources = malloc(6001), *text, *line, *nl;

	cr_assert(resources);
	for (int i = 0; i < 6000; i++)
		resources[i] = i % 3 ? 'r' : '"';
	resources[6000] = '\0';
	snap->status = json_pack("{s:s, s:[{s:i, s:s, s:s}]}", "node", "srv1",
				 "groups", "group", 0, "resources", resources,
				 "preferred", "srv1");
	free(resources);
	text = render(snap);
	line = strstr(text, "\nxhb_group_info{group=\"0\",resources=\"");
	cr_assert(line, "%s", text);
	nl = strchr(line + 1, '\n');
	cr_assert(nl);
	cr_expect_lt(nl - line, 4200);
	cr_expect(!strncmp(nl - 4, "\"} 1", 4), "%.*s", (int)(nl - line), line);
	cr_expect_neq(nl[-5], '\\', "not cut inside an escape");
	free(text);
}

/* Service checks, from the status document's "checks". */
Test(metrics, checks_from_status)
{
	char *text;

	snap->status = json_pack(
	    "{s:s, s:[{s:s, s:s, s:s, s:I, s:I}]}", "node", "srv1", "checks",
	    "name", "web", "kind", "http", "state", "failing", "runs", (json_int_t)40,
	    "failures", (json_int_t)3);
	text = render(snap);
	cr_expect(strstr(text, "# TYPE xhb_check_state gauge\n"), "%s", text);
	cr_expect(strstr(text, "xhb_check_state{check=\"web\",kind=\"http\",state=\"failing\"} 1\n"), "%s", text);
	cr_expect(strstr(text, "xhb_check_state{check=\"web\",kind=\"http\",state=\"passing\"} 0\n"), "%s", text);
	cr_expect(strstr(text, "xhb_check_runs_total{check=\"web\"} 40\n"), "%s", text);
	cr_expect(strstr(text, "xhb_check_failures_total{check=\"web\"} 3\n"), "%s", text);
	free(text);
}

/* Quorum, from the status document's "quorum"; none before it is judged. */
Test(metrics, quorum_from_status)
{
	char *text;

	snap->status = json_pack("{s:s, s:{s:b, s:i, s:i, s:i}}", "node", "srv4",
				 "quorum", "quorate", 0, "votes", 2, "total", 5,
				 "needed", 3);
	text = render(snap);
	cr_expect(strstr(text, "# TYPE xhb_quorate gauge\nxhb_quorate 0\n"), "%s", text);
	cr_expect(strstr(text, "\nxhb_quorum_votes 2\n"), "%s", text);
	cr_expect(strstr(text, "\nxhb_quorum_votes_configured 5\n"), "%s", text);
	free(text);
	json_decref(snap->status);
	snap->status = json_pack("{s:s, s:{s:n}}", "node", "srv4", "quorum",
				 "quorate");
	text = render(snap);
	cr_expect(!strstr(text, "xhb_quorate"), "%s", text);
	free(text);
}

/* ---- the histogram ------------------------------------------------------- */

/* The bucket counts, cumulative in the order of le, of group 0's
 * histogram in text; returns how many, with +Inf last. */
static unsigned int read_buckets(const char *text, double le[], __u64 count[],
				 __u64 *total)
{
	const char *key = "xhb_takeover_duration_seconds_bucket{group=\"0\",le=\"";
	const char *p = text;
	unsigned int n = 0;

	while ((p = strstr(p, key))) {
		char bound[32];
		unsigned long long v;

		p += strlen(key);
		cr_assert_eq(sscanf(p, "%31[^\"]\"} %llu", bound, &v), 2);
		le[n] = strcmp(bound, "+Inf") ? strtod(bound, NULL) : 1e300;
		count[n++] = v;
	}
	p = strstr(text, "xhb_takeover_duration_seconds_count{group=\"0\"} ");
	cr_assert(p);
	*total = strtoull(p + strlen("xhb_takeover_duration_seconds_count{group=\"0\"} "),
			  NULL, 10);
	return n;
}

Test(metrics, histogram_buckets_are_cumulative_and_end_with_count)
{
	struct xhb_group_tally t = {0};
	double le[XHB_TAKEOVER_BUCKETS + 1];
	__u64 count[XHB_TAKEOVER_BUCKETS + 1], total;
	json_t *buckets = json_array(), *bounds = json_array();
	/* durations across the range, on bounds and past the last one */
	static const __u64 durations[] = {MS(0), MS(0) + 1, 500000, 500001, MS(3),
					  MS(3), MS(250), SEC(1), SEC(29), SEC(45)};
	unsigned int n;
	char *text;

	for (unsigned int i = 0; i < sizeof(durations) / sizeof(durations[0]); i++)
		xhb_tally_group_event(&t, true, XHB_REASON_PEER_DEAD, durations[i]);
	for (unsigned int i = 0; i <= XHB_TAKEOVER_BUCKETS; i++)
		json_array_append_new(buckets, json_integer((json_int_t)t.takeover[i]));
	for (unsigned int i = 0; i < XHB_TAKEOVER_BUCKETS; i++)
		json_array_append_new(bounds, json_real(xhb_takeover_bounds_ns[i] / 1e9));
	snap->status = json_pack("{s:s, s:s, s:o, s:[{s:i, s:{s:o, s:f}}]}", "node",
				 "srv1", "state", "active", "takeover_bounds_s",
				 bounds, "groups", "group", 0, "takeover_duration",
				 "buckets", buckets, "sum_s", t.takeover_sum_ns / 1e9);
	cr_assert(snap->status);
	text = render(snap);
	check_families(text);
	n = read_buckets(text, le, count, &total);
	cr_assert_eq(n, XHB_TAKEOVER_BUCKETS + 1);
	for (unsigned int i = 1; i < n; i++) {
		cr_expect_lt(le[i - 1], le[i], "le in increasing order");
		cr_expect_leq(count[i - 1], count[i], "cumulative at le=%g", le[i]);
	}
	cr_expect_eq(le[n - 1], 1e300, "the last bucket is +Inf");
	cr_expect_eq(count[n - 1], 10);
	cr_expect_eq(total, 10, "+Inf = _count");
	/* le is inclusive: 0, 1 ns and exactly 0.5 ms in the first bucket */
	cr_expect_eq(count[0], 3);
	cr_expect_eq(count[1], 4); /* 500001 ns <= 1 ms */
	cr_expect_eq(count[3], 6); /* two of 3 ms <= 5 ms */
	cr_expect_eq(count[8], 6); /* le=0.2 */
	cr_expect_eq(count[9], 7); /* 250 ms <= 0.5 s */
	cr_expect_eq(count[10], 8); /* 1 s on its bound */
	cr_expect_eq(count[14], 9); /* 29 s <= 30 s; 45 s only in +Inf */
	cr_expect(strstr(text, "xhb_takeover_duration_seconds_sum{group=\"0\"} 75.257\n"),
		  "%s", text);
	free(text);
}

/* A document whose buckets do not match its bounds (another build's) is
 * left out rather than misplaced. */
Test(metrics, histogram_of_mismatched_shape_is_left_out)
{
	char *text;

	snap->status = json_pack("{s:s, s:[f,f], s:[{s:i, s:{s:[i,i], s:f}}]}", "node",
				 "srv1", "takeover_bounds_s", 0.1, 1.0, "groups",
				 "group", 0, "takeover_duration", "buckets", 1, 2,
				 "sum_s", 0.5);
	text = render(snap);
	cr_expect(!strstr(text, "xhb_takeover_duration_seconds"), "%s", text);
	free(text);
}

/* ---- the agent's tally, through the status document ------------------- */

Test(metrics, tally_counts_transitions_not_adoptions)
{
	struct xhb_group_tally t = {0};

	xhb_tally_group_event(&t, true, XHB_REASON_PREFERRED_NODE, MS(1));
	xhb_tally_group_event(&t, true, XHB_REASON_ADOPTED, 0);
	xhb_tally_group_event(&t, true, XHB_REASON_PARTITION_RESOLVED, 0);
	xhb_tally_group_event(&t, false, XHB_REASON_STANDBY_REQUEST, MS(2));
	xhb_tally_group_event(&t, false, XHB_REASON_RESOURCE_FAILED, MS(3));
	cr_expect_eq(t.acquired, 1);
	cr_expect_eq(t.released, 2);
	cr_expect_eq(t.takeover[1], 1, "1 ms: the bucket le=0.001");
	cr_expect_eq(t.takeover_sum_ns, MS(1));
}

/* Two nodes, probe 1ms 3: srv1 holds group 0, acquired twice, released
 * once; srv2 is up. */
static void two_nodes(struct xhb_config *c, struct xhb_groups *gs,
		      struct xhb_peers *ps)
{
	c->nnodes = 2;
	snprintf(c->nodes[0].name, XHB_NAME_MAX, "srv1");
	snprintf(c->nodes[1].name, XHB_NAME_MAX, "srv2");
	c->nodes[0].id = xhb_node_id("srv1");
	c->nodes[1].id = xhb_node_id("srv2");
	c->keepalive_ns = SEC(2);
	c->warntime_ns = SEC(6);
	c->deadtime_ns = SEC(10);
	c->initdead_ns = SEC(60);
	c->probe_interval_ns = MS(1);
	c->probe_misses = 3;
	c->ngroups = 1;
	snprintf(c->groups[0].node, XHB_NAME_MAX, "srv1");
	c->groups[0].nresources = 1;
	snprintf(c->groups[0].resources[0].spec, XHB_SPEC_MAX,
		 "IPaddr::172.16.193.30/16/ens192");
	gs->cfg = c;
	gs->held = xhb_gset_of32(1);
	gs->g[0].held = true;
	gs->g[0].phase = XHB_GROUP_STARTED;
	gs->lease_renewed_ns = NOW - MS(2);
	gs->lease_ns = SEC(10);
	xhb_tally_group_event(&gs->g[0].tally, true, XHB_REASON_PREFERRED_NODE, 400000);
	xhb_tally_group_event(&gs->g[0].tally, false, XHB_REASON_STANDBY_REQUEST, MS(1));
	xhb_tally_group_event(&gs->g[0].tally, true, XHB_REASON_TAKEOVER_REQUEST, MS(7));
	ps->cfg = c;
	ps->self = 0;
	ps->v[1].id = c->nodes[1].id;
	ps->v[1].state = XHB_MEMBER_UP;
	ps->v[1].since_ns = NOW - SEC(5);
}

Test(metrics, status_document_carries_the_tally_and_windows)
{
	struct xhb_config *c = calloc(1, sizeof(*c));
	struct xhb_groups gs = {0};
	struct xhb_peers ps = {0};
	struct xhb_status_self self = {.node = "srv1", .state = XHB_NODE_ACTIVE,
				       .uptime_ns = SEC(60)};
	json_t *g, *h;
	char *text;

	cr_assert(c);
	two_nodes(c, &gs, &ps);
	snap->status = xhb_status_json(&self, &gs, &ps, NOW);
	cr_assert(snap->status);
	cr_expect_eq(json_real_value(json_object_get(snap->status, "lease_left_ms")), 9998.0);
	cr_expect_eq(json_array_size(json_object_get(snap->status, "takeover_bounds_s")),
		     XHB_TAKEOVER_BUCKETS);
	g = json_array_get(json_object_get(snap->status, "groups"), 0);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(g, "transitions"), "acquire")), 2);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(g, "transitions"), "release")), 1);
	h = json_object_get(g, "takeover_duration");
	cr_expect_eq(json_array_size(json_object_get(h, "buckets")), XHB_TAKEOVER_BUCKETS + 1);
	cr_expect_eq(json_integer_value(json_object_get(h, "count")), 2);
	cr_expect_eq(json_real_value(json_object_get(json_array_get(
			     json_object_get(snap->status, "peers"), 0), "window_ms")),
		     4.0, "(3 + 1) x 1 ms");
	snap->now_ns = NOW;
	snap->wall_ns = WALL;
	text = render(snap);
	check_families(text);
	cr_expect(strstr(text, "\nxhb_group_transitions_total{group=\"0\",transition=\"acquire\"} 2\n"
			       "xhb_group_transitions_total{group=\"0\",transition=\"release\"} 1\n"),
		  "%s", text);
	cr_expect(strstr(text, "\nxhb_takeover_duration_seconds_bucket{group=\"0\",le=\"0.0005\"} 1\n"
			       "xhb_takeover_duration_seconds_bucket{group=\"0\",le=\"0.001\"} 1\n"
			       "xhb_takeover_duration_seconds_bucket{group=\"0\",le=\"0.002\"} 1\n"
			       "xhb_takeover_duration_seconds_bucket{group=\"0\",le=\"0.005\"} 1\n"
			       "xhb_takeover_duration_seconds_bucket{group=\"0\",le=\"0.01\"} 2\n"),
		  "%s", text);
	cr_expect(strstr(text, "\nxhb_takeover_duration_seconds_bucket{group=\"0\",le=\"30\"} 2\n"
			       "xhb_takeover_duration_seconds_bucket{group=\"0\",le=\"+Inf\"} 2\n"
			       "xhb_takeover_duration_seconds_sum{group=\"0\"} 0.0074\n"
			       "xhb_takeover_duration_seconds_count{group=\"0\"} 2\n"),
		  "%s", text);
	cr_expect(strstr(text, "\nxhb_group_owner{group=\"0\",node=\"srv1\"} 1\n"
			       "xhb_group_owner{group=\"0\",node=\"srv2\"} 0\n"),
		  "%s", text);
	cr_expect(strstr(text, "\nxhb_peer_detection_window_seconds{peer=\"srv2\"} 0.004\n"),
		  "%s", text);
	cr_expect(strstr(text, "\nxhb_peer_state{peer=\"srv2\",state=\"up\"} 1\n"), "%s", text);
	free(text);
	free(c);
}
