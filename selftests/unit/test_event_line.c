// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Events for people (user/event_line.c): each kind's line and severity;
 * and the sinks of user/events.c that use them: syslog through the
 * non-blocking client (user/syslog_client.c), logfile (info and above),
 * debugfile (everything), no symbolic links followed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "event_line.h"
#include "events.h"
#include "syslog_client.h"

static char dir[] = "/tmp/xhb-evline.XXXXXX";

static void setup(void)
{
	cr_assert(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		cr_log_warn("could not remove %s", dir);
}

TestSuite(event_line, .init = setup, .fini = teardown);

struct line_case {
	const char *event; /* the event as JSON */
	int severity;
	const char *line;
};

static const struct line_case cases[] = {
    /* The example: a dead peer, with membership's reason. */
    {"{\"event\":\"peer_dead\",\"peer\":\"srv1\",\"detection_ms\":5.2,"
     "\"reason\":\"no heartbeat, probe or reply\"}",
     LOG_WARNING, "peer srv1 dead after 5.2 ms (no heartbeat, probe or reply)"},
    /* Optional parts go when their field is missing. */
    {"{\"event\":\"peer_dead\",\"peer\":\"srv1\",\"detection_ms\":3.217}",
     LOG_WARNING, "peer srv1 dead after 3.22 ms"},
    /* A takeover is a notice, with the reason as words. */
    {"{\"event\":\"group_acquire\",\"group\":0,\"group_resources\":"
     "\"IPaddr::172.16.193.30/16/ens192\",\"reason\":\"peer_dead\","
     "\"duration_ms\":0.263,\"peer\":\"srv1\"}",
     LOG_NOTICE,
     "took over group 0 (IPaddr::172.16.193.30/16/ens192): peer dead (from "
     "srv1), in 0.263 ms"},
    /* A fault is an error; other state changes are notices. */
    {"{\"event\":\"state_change\",\"from\":\"active\",\"to\":\"fault\","
     "\"reason\":\"link_down\"}",
     LOG_ERR, "state active -> fault (link down)"},
    {"{\"event\":\"state_change\",\"from\":\"init\",\"to\":\"active\","
     "\"reason\":\"all_peers_seen\"}",
     LOG_NOTICE, "state init -> active (all peers seen)"},
    /* routing mode: the host routes */
    {"{\"event\":\"route_added\",\"group\":0,\"vip\":\"10.61.0.30\","
     "\"table\":100,\"proto\":248,\"metric\":100,\"reason\":\"takeover\"}",
     LOG_INFO,
     "host route 10.61.0.30 added to table 100 (proto 248, metric 100) for "
     "group 0 (takeover)"},
    {"{\"event\":\"route_removed\",\"group\":0,\"vip\":\"10.61.0.30\","
     "\"table\":100,\"proto\":248,\"metric\":1000}",
     LOG_INFO, "host route 10.61.0.30 removed from table 100 (metric 1000, group 0)"},
    /* The first announcement says the VIP moved; repeats are debug; a
     * failed one is a warning. */
    {"{\"event\":\"garp_sent\",\"vip\":\"172.16.193.30\",\"iface\":\"ens192\","
     "\"packet\":1,\"count\":5,\"group\":0}",
     LOG_INFO, "announced 172.16.193.30 on ens192, packet 1 of 5"},
    {"{\"event\":\"garp_sent\",\"vip\":\"172.16.193.30\",\"iface\":\"ens192\","
     "\"packet\":2}",
     LOG_DEBUG, "announced 172.16.193.30 on ens192, packet 2"},
    {"{\"event\":\"garp_sent\",\"vip\":\"172.16.193.30\",\"iface\":\"ens192\","
     "\"packet\":2,\"error\":\"Network is down\"}",
     LOG_WARNING,
     "announced 172.16.193.30 on ens192, packet 2: failed: Network is down"},
    /* [?flag ...] only when the flag is true. */
    {"{\"event\":\"dataplane_attached\",\"iface\":\"ens192\",\"mode\":"
     "\"native\",\"adopted\":true,\"prog_id\":12}",
     LOG_INFO,
     "XDP program 12 on ens192, native mode, adopted from the previous agent"},
    {"{\"event\":\"dataplane_attached\",\"iface\":\"ens192\",\"mode\":"
     "\"generic\",\"adopted\":false}",
     LOG_INFO, "XDP program on ens192, generic mode"},
    /* Errors are errors. */
    {"{\"event\":\"vip_lost\",\"vip\":\"172.16.193.30\",\"iface\":\"ens192\","
     "\"group\":0}",
     LOG_ERR, "VIP 172.16.193.30 on ens192 of group 0 was removed behind our back"},
    {"{\"event\":\"resource_failed\",\"group\":0,\"resource\":\"httpd\","
     "\"action\":\"start\",\"reason\":\"exit\",\"exit_code\":1,"
     "\"duration_ms\":12.0}",
     LOG_ERR, "httpd start failed (group 0): exit, exit code 1 after 12 ms"},
    {"{\"event\":\"config_error\",\"message\":\"/etc/ha.d/ha.cf:3: bad "
     "keepalive\",\"action\":\"kept the running configuration\"}",
     LOG_ERR,
     "/etc/ha.d/ha.cf:3: bad keepalive (kept the running configuration)"},
    {"{\"event\":\"lease_expired\",\"lease_ms\":10000.0,\"late_ms\":3.0}",
     LOG_ERR,
     "our lease of 10000 ms ran out 3 ms ago: XDP fences our VIPs until we "
     "renew it"},
    /* One medium of two down: a warning, not a fault. */
    {"{\"event\":\"link_degraded\",\"down\":\"eth1\",\"media_up\":1,"
     "\"media\":2}",
     LOG_WARNING,
     "heartbeat media degraded: 1 of 2 up (eth1 down): peers still heard, "
     "nothing moves"},
    /* Reals keep three significant digits, never an exponent. */
    {"{\"event\":\"agent_gap\",\"gap_ms\":4.728036,\"expected_ms\":1.0}",
     LOG_WARNING, "the agent ran late: 4.73 ms between two passes (expected 1 ms)"},
    {"{\"event\":\"link_up\",\"iface\":\"ens192\",\"duration_ms\":8312.52}",
     LOG_NOTICE, "link up on ens192 after 8313 ms down"},
    /* A failed stop blocks the group: critical, and what to do. */
    {"{\"event\":\"group_stop_failed\",\"group\":0,\"group_resources\":"
     "\"IPaddr::172.16.193.30/16/ens192 slowdb\",\"resource\":\"slowdb\","
     "\"reason\":\"standby_request\",\"held\":true,\"adopted\":false}",
     LOG_CRIT,
     "group 0 (IPaddr::172.16.193.30/16/ens192 slowdb) is stop_failed: the "
     "stop of slowdb failed: blocked, its addresses removed, held here so "
     "that no peer starts it, until xhbctl cleanup"},
    {"{\"event\":\"group_stop_failed\",\"group\":1,\"group_resources\":"
     "\"x\",\"reason\":\"interrupted\",\"held\":false,\"adopted\":true}",
     LOG_CRIT,
     "group 1 (x) is stop_failed (found so at start): blocked, its addresses "
     "removed, until xhbctl cleanup"},
    {"{\"event\":\"cleanup_request\",\"source\":\"control\",\"groups\":[0],"
     "\"group\":0}",
     LOG_NOTICE, "cleanup of group 0 asked by control: failed stops run again"},
    {"{\"event\":\"agent_stop_blocked\",\"groups\":[0]}", LOG_ERR,
     "asked to stop while groups are stop_failed: the agent stays and keeps "
     "them until xhbctl cleanup (killed, it lets a peer take them)"},
    /* An event the table does not know: its fields, never lost. */
    {"{\"time\":\"x\",\"seq\":3,\"node\":\"srv1\",\"event\":\"new_kind\","
     "\"a\":\"b\",\"n\":2}",
     LOG_INFO, "new_kind a=b n=2"},
};

Test(event_line, each_kind_reads_as_a_line_with_its_severity)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_error_t jerr;
		json_t *ev = json_loads(cases[i].event, 0, &jerr);
		char line[512];
		int sev;

		cr_assert(ev, "case %zu: %s", i, jerr.text);
		sev = xhb_event_line(ev, line, sizeof(line));
		cr_expect_str_eq(line, cases[i].line, "case %zu", i);
		cr_expect_eq(sev, cases[i].severity, "case %zu: severity %d, want %d",
			     i, sev, cases[i].severity);
		cr_expect_eq(xhb_event_severity(ev), cases[i].severity, "case %zu", i);
		json_decref(ev);
	}
}

/* A line longer than the buffer is cut, never overflows. */
Test(event_line, a_long_line_is_cut)
{
	json_t *ev = json_pack("{s:s, s:s, s:f}", "event", "peer_dead", "peer",
			       "srv1", "detection_ms", 5.2);
	char line[12];

	memset(line, 'x', sizeof(line));
	xhb_event_line(ev, line, 10);
	cr_expect_str_eq(line, "peer srv1");
	cr_expect_eq(line[10], 'x');
	json_decref(ev);
}

/* Every kind of docs/events.schema.json has its own wording. */
Test(event_line, every_schema_kind_has_a_line)
{
	const char *build = getenv("XHB_BUILD");
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *schema, *kind;
	size_t i;
	int kinds = 0;

	snprintf(path, sizeof(path), "docs/events.schema.json");
	if (access(path, R_OK) && build)
		snprintf(path, sizeof(path), "%s/../docs/events.schema.json", build);
	schema = json_load_file(path, 0, &jerr);
	cr_assert(schema, "%s: %s", path, jerr.text);
	json_array_foreach(json_object_get(json_object_get(json_object_get(
					       schema, "properties"), "event"),
					   "enum"),
			   i, kind) {
		kinds++;
		cr_expect(xhb_event_line_known(json_string_value(kind)),
			  "%s has no line", json_string_value(kind));
	}
	cr_expect_gt(kinds, 30);
	json_decref(schema);
}

/* ---- the syslog client ---------------------------------------------------- */

/* A syslog daemon's socket at path: a bound datagram socket. */
static int listen_log(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0, "bind %s: %s",
		     path, strerror(errno));
	return fd;
}

static void recv_msg(int fd, char *buf, size_t len)
{
	struct timeval tv = {.tv_sec = 2};
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, buf, len - 1, 0);
	cr_assert(n > 0, "nothing received: %s", strerror(errno));
	buf[n] = '\0';
}

Test(event_line, syslog_messages_carry_facility_severity_and_pid)
{
	struct xhb_syslog *s;
	char path[PATH_MAX], msg[2048], want[64];
	int fd;

	snprintf(path, sizeof(path), "%s/log", dir);
	fd = listen_log(path);
	cr_assert_eq(xhb_syslog__open(&s, path, LOG_LOCAL0, "xhbd"), 0);
	cr_assert_eq(xhb_syslog__send(s, LOG_WARNING, "peer srv1 dead"), 0);
	recv_msg(fd, msg, sizeof(msg));
	/* <PRI> is facility * 8 + severity: local0 (16) warning (4) = 132. */
	cr_expect(!strncmp(msg, "<132>", 5), "%s", msg);
	snprintf(want, sizeof(want), " xhbd[%d]: peer srv1 dead", (int)getpid());
	cr_expect(strstr(msg, want), "%s", msg);
	/* Mmm dd hh:mm:ss between the two, as syslog(3). */
	cr_expect_eq(strlen(msg), 5 + 15 + strlen(want), "%s", msg);
	xhb_syslog__close(s);
	close(fd);
}

/* A daemon that stops reading never blocks the agent: messages beyond its
 * queue are dropped and counted, at once. */
Test(event_line, a_full_syslog_queue_drops_and_never_blocks)
{
	struct xhb_syslog *s;
	struct timespec t0, t1;
	char path[PATH_MAX];
	int fd, i, err = 0;

	snprintf(path, sizeof(path), "%s/log", dir);
	fd = listen_log(path);
	cr_assert_eq(xhb_syslog__open(&s, path, LOG_DAEMON, "xhbd"), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 5000 && !err; i++)
		err = xhb_syslog__send(s, LOG_INFO, "a line nobody reads");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_expect_eq(err, -EAGAIN, "the queue never filled: %s", strerror(-err));
	cr_expect_eq(xhb_syslog__dropped(s), 1);
	cr_expect_lt(t1.tv_sec - t0.tv_sec, 2, "sending blocked");
	xhb_syslog__close(s);
	close(fd);
}

/* rsyslog restarted: a new socket at the same path; the next message
 * reaches it. No daemon at all: dropped and counted. */
Test(event_line, syslog_reconnects_after_a_daemon_restart)
{
	struct xhb_syslog *s;
	char path[PATH_MAX], msg[2048];
	int fd;

	snprintf(path, sizeof(path), "%s/log", dir);
	cr_assert_eq(xhb_syslog__open(&s, path, LOG_LOCAL0, "xhbd"), 0);
	cr_expect_neq(xhb_syslog__send(s, LOG_INFO, "before any daemon"), 0);
	cr_expect_eq(xhb_syslog__dropped(s), 1);
	/* The daemon starts. A client that just failed waits a second
	 * before it looks again: take a new one rather than wait. */
	fd = listen_log(path);
	xhb_syslog__close(s);
	cr_assert_eq(xhb_syslog__open(&s, path, LOG_LOCAL0, "xhbd"), 0);
	cr_expect_eq(xhb_syslog__send(s, LOG_INFO, "one"), 0);
	recv_msg(fd, msg, sizeof(msg));
	close(fd);
	fd = listen_log(path); /* restarted while we were connected */
	cr_expect_eq(xhb_syslog__send(s, LOG_INFO, "two"), 0,
		     "not reconnected to the new socket");
	recv_msg(fd, msg, sizeof(msg));
	cr_expect(strstr(msg, ": two"), "%s", msg);
	xhb_syslog__close(s);
	close(fd);
}

Test(event_line, facility_names)
{
	cr_expect_eq(xhb_syslog_facility("local0"), LOG_LOCAL0);
	cr_expect_eq(xhb_syslog_facility("LOCAL7"), LOG_LOCAL7);
	cr_expect_eq(xhb_syslog_facility("daemon"), LOG_DAEMON);
	cr_expect_eq(xhb_syslog_facility("none"), -1);
	cr_expect_eq(xhb_syslog_facility("local8"), -1);
	cr_expect_eq(xhb_syslog_facility(""), -1);
}

/* ---- the sinks of events.c ------------------------------------------------ */

static int count_lines(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !needle || strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* logfile: info and above; debugfile: everything; syslog: one line for
 * people per event of info and above, at the event's severity. */
Test(event_line, each_sink_gets_its_severities)
{
	char log[PATH_MAX], debug[PATH_MAX], sock[PATH_MAX], msg[2048];
	struct xhb_event_sinks sinks = {.logfile = log, .debugfile = debug,
					.facility = LOG_LOCAL0,
					.syslog_path = sock};
	struct xhb_events *em;
	int fd;

	snprintf(log, sizeof(log), "%s/ha-log", dir);
	snprintf(debug, sizeof(debug), "%s/ha-debug", dir);
	snprintf(sock, sizeof(sock), "%s/log", dir);
	fd = listen_log(sock);
	cr_assert_eq(xhb_events__open(&em, "srv2", &sinks), 0);
	xhb_events__emitf(em, "garp_sent", "{s:s, s:s, s:i}", "vip",
			  "172.16.193.30", "iface", "ens192", "packet", 2);
	xhb_events__emitf(em, "peer_dead", "{s:s, s:f, s:s}", "peer", "srv1",
			  "detection_ms", 5.2, "reason", "no heartbeat, probe or reply");
	xhb_events__close(em);

	cr_expect_eq(count_lines(debug, NULL), 2);
	cr_expect_eq(count_lines(debug, "\"garp_sent\""), 1);
	cr_expect_eq(count_lines(log, NULL), 1);
	cr_expect_eq(count_lines(log, "\"peer_dead\""), 1);
	/* syslog: the dead peer only (the repeat announcement is debug). */
	recv_msg(fd, msg, sizeof(msg));
	cr_expect(!strncmp(msg, "<132>", 5), "%s", msg);
	cr_expect(strstr(msg, ": peer srv1 dead after 5.2 ms (no heartbeat, probe or reply)"),
		  "%s", msg);
	cr_expect_eq(recv(fd, msg, sizeof(msg), MSG_DONTWAIT), -1,
		     "a debug event reached syslog: %s", msg);
	close(fd);
}

/* ha.cf debug 1: debug events reach syslog too. */
Test(event_line, debug_events_reach_syslog_with_debug_on)
{
	char sock[PATH_MAX], msg[2048];
	struct xhb_event_sinks sinks = {.facility = LOG_DAEMON,
					.syslog_debug = true,
					.syslog_path = sock};
	struct xhb_events *em;
	int fd;

	snprintf(sock, sizeof(sock), "%s/log", dir);
	fd = listen_log(sock);
	cr_assert_eq(xhb_events__open(&em, "srv2", &sinks), 0);
	xhb_events__emitf(em, "garp_sent", "{s:s, s:s, s:i}", "vip",
			  "172.16.193.30", "iface", "ens192", "packet", 2);
	xhb_events__close(em);
	recv_msg(fd, msg, sizeof(msg));
	/* daemon (3) * 8 + debug (7) = 31 */
	cr_expect(!strncmp(msg, "<31>", 4), "%s", msg);
	close(fd);
}

/* A symbolic link where the logfile should be is refused (ELOOP) and its
 * target left untouched. */
Test(event_line, log_files_never_follow_a_symbolic_link)
{
	char target[PATH_MAX], link_path[PATH_MAX];
	struct xhb_event_sinks sinks = {.facility = -1};
	struct xhb_events *em;

	snprintf(target, sizeof(target), "%s/passwd", dir);
	snprintf(link_path, sizeof(link_path), "%s/ha-log", dir);
	close(open(target, O_WRONLY | O_CREAT, 0600));
	cr_assert_eq(symlink(target, link_path), 0);
	sinks.logfile = link_path;
	cr_expect_eq(xhb_events__open(&em, "srv1", &sinks), -ELOOP);
	cr_expect_str_eq(sinks.failed, link_path);
	sinks.logfile = NULL;
	sinks.debugfile = link_path;
	cr_expect_eq(xhb_events__open(&em, "srv1", &sinks), -ELOOP);
	cr_expect_str_eq(sinks.failed, link_path);
	cr_expect_eq(count_lines(target, NULL), 0);
}

/* SIGHUP after logrotate: both files reopened by name; a reload may name
 * new ones. */
Test(event_line, reopen_follows_logrotate_and_reload)
{
	char log[PATH_MAX], debug[PATH_MAX], rotated[PATH_MAX], other[PATH_MAX];
	struct xhb_event_sinks sinks = {.logfile = log, .debugfile = debug,
					.facility = -1};
	struct xhb_events *em;

	snprintf(log, sizeof(log), "%s/ha-log", dir);
	snprintf(debug, sizeof(debug), "%s/ha-debug", dir);
	snprintf(rotated, sizeof(rotated), "%s/ha-debug.1", dir);
	snprintf(other, sizeof(other), "%s/other-log", dir);
	cr_assert_eq(xhb_events__open(&em, "srv1", &sinks), 0);
	xhb_events__emitf(em, "link_down", "{s:s}", "iface", "ens192");
	cr_assert_eq(rename(debug, rotated), 0);
	cr_assert_eq(xhb_events__reopen(em, NULL), 0);
	xhb_events__emitf(em, "link_up", "{s:s}", "iface", "ens192");
	cr_expect_eq(count_lines(rotated, NULL), 1);
	cr_expect_eq(count_lines(debug, "link_up"), 1);
	sinks.logfile = other;
	cr_assert_eq(xhb_events__reopen(em, &sinks), 0);
	xhb_events__emitf(em, "link_down", "{s:s}", "iface", "ens192");
	cr_expect_eq(count_lines(other, NULL), 1);
	cr_expect_eq(count_lines(log, NULL), 2);
	xhb_events__close(em);
}
