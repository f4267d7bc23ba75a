// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The JSON event emitter of user/events.h: line format, common fields,
 * logfile append and reopen, write errors; and what it emits validates
 * against docs/events.schema.json (tools/validate-events.py). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <signal.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "config.h"
#include "decide.h"
#include "events.h"
#include "route.h"
#include "membership.h"
#include "resource.h"
#include "vip.h"
#include "xhb_wire.h"

#define TIME_RE \
	"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$"

static char dir[] = "/tmp/xhb-events.XXXXXX";
static char logpath[PATH_MAX];

static void setup(void)
{
	cr_assert(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	snprintf(logpath, sizeof(logpath), "%s/ha-log", dir);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		cr_log_warn("could not remove %s", dir);
}

TestSuite(events, .init = setup, .fini = teardown);

/* An emitter with a logfile (or none) and stdout, as most tests want. */
static int open_events(struct xhb_events **em, const char *node,
		       const char *logfile, bool to_stdout)
{
	struct xhb_event_sinks sinks = {
	    .logfile = logfile, .facility = -1, .to_stdout = to_stdout};

	return xhb_events__open(em, node, &sinks);
}

/* The whole file; *len is its size. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;

	cr_assert(f, "open %s: %s", path, strerror(errno));
	cr_assert(getdelim(&buf, &cap, '\0', f) >= 0 || feof(f));
	*len = buf ? strlen(buf) : 0;
	fclose(f);
	return buf ? buf : strdup("");
}

/* Split a file into its lines, each of which must end with '\n'. */
static int read_lines(const char *path, char ***linesp)
{
	size_t len;
	char *buf = slurp(path, &len), *p = buf, *nl;
	char **lines = NULL;
	int n = 0;

	cr_assert(len == 0 || buf[len - 1] == '\n',
		  "%s does not end with a newline", path);
	while ((nl = strchr(p, '\n'))) {
		lines = realloc(lines, sizeof(*lines) * (n + 1));
		lines[n++] = strndup(p, (size_t)(nl - p));
		p = nl + 1;
	}
	free(buf);
	*linesp = lines;
	return n;
}

static void free_lines(char **lines, int n)
{
	for (int i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* Parse one line and check every common field and its type. */
static json_t *check_line(const char *line, const char *node,
			  long long want_seq)
{
	static const char *const order[] = {"time", "mono_ns", "seq", "node",
					    "event"};
	json_error_t jerr;
	json_t *ev = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	regex_t re;
	struct tm tm = {0};
	const char *time_str, *key;
	void *it;
	int i = 0;

	cr_assert(ev, "not JSON (%s): %s", jerr.text, line);
	cr_assert(json_is_object(ev), "not an object: %s", line);
	cr_assert(!strchr(line, '\n'));
	/* Compact: no space outside strings would have to be there. */
	cr_assert(!strstr(line, "\": ") && !strstr(line, ", \""),
		  "not compact: %s", line);
	for (it = json_object_iter(ev); it && i < 5;
	     it = json_object_iter_next(ev, it), i++) {
		key = json_object_iter_key(it);
		cr_expect_str_eq(key, order[i], "field %d is %s, not %s", i,
				 key, order[i]);
	}
	time_str = json_string_value(json_object_get(ev, "time"));
	cr_assert(time_str, "time is not a string: %s", line);
	cr_assert_eq(regcomp(&re, TIME_RE, REG_EXTENDED | REG_NOSUB), 0);
	cr_expect_eq(regexec(&re, time_str, 0, NULL, 0), 0,
		     "time %s is not RFC 3339 UTC with microseconds", time_str);
	regfree(&re);
	/* And it is now, in UTC. */
	cr_assert(strptime(time_str, "%Y-%m-%dT%H:%M:%S", &tm));
	cr_expect(llabs((long long)(timegm(&tm) - time(NULL))) <= 5,
		  "time %s is not now", time_str);
	cr_expect(json_is_integer(json_object_get(ev, "mono_ns")));
	cr_expect_gt(json_integer_value(json_object_get(ev, "mono_ns")), 0);
	cr_expect(json_is_integer(json_object_get(ev, "seq")));
	cr_expect_eq(json_integer_value(json_object_get(ev, "seq")), want_seq);
	cr_expect_str_eq(json_string_value(json_object_get(ev, "node")), node);
	cr_expect(json_is_string(json_object_get(ev, "event")));
	return ev;
}

static struct timespec mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

Test(events, lines_parse_back_with_common_fields)
{
	struct xhb_events *em;
	struct timespec before = mono_now(), after;
	json_t *ev, *fields;
	long long last_mono = 0;
	char **lines;
	int n;

	cr_assert_eq(open_events(&em, "srv2", logpath, false), 0);
	cr_assert_eq(xhb_events__emitf(em, "peer_dead", "{s:s, s:f}", "peer",
				       "srv1", "detection_ms", 3.25),
		     0);
	ev = xhb_event_new("vip_added");
	json_object_set_new(ev, "vip", json_string("172.16.193.30"));
	json_object_set_new(ev, "prefix", json_integer(16));
	/* The emitter owns the common fields: these are ignored. */
	json_object_set_new(ev, "node", json_string("impostor"));
	json_object_set_new(ev, "seq", json_integer(99));
	cr_assert_eq(xhb_events__emit(em, ev), 0);
	cr_assert_eq(xhb_events__emitf(em, "agent_gap", NULL), 0);
	cr_assert_eq(xhb_events__seq(em), 3);
	xhb_events__close(em);
	after = mono_now();

	n = read_lines(logpath, &lines);
	cr_assert_eq(n, 3, "%d lines", n);
	for (int i = 0; i < n; i++) {
		long long mono;

		ev = check_line(lines[i], "srv2", i + 1);
		mono = json_integer_value(json_object_get(ev, "mono_ns"));
		cr_expect_geq(mono, last_mono);
		cr_expect_geq(mono,
			      before.tv_sec * 1000000000LL + before.tv_nsec);
		cr_expect_leq(mono,
			      after.tv_sec * 1000000000LL + after.tv_nsec);
		last_mono = mono;
		fields = ev;
		if (i == 0) {
			cr_expect_str_eq(
			    json_string_value(json_object_get(fields, "event")),
			    "peer_dead");
			cr_expect_str_eq(
			    json_string_value(json_object_get(fields, "peer")),
			    "srv1");
			cr_expect(json_is_real(
			    json_object_get(fields, "detection_ms")));
			/* Printed without binary noise. */
			cr_expect(strstr(lines[i], "\"detection_ms\":3.25}"),
				  "%s", lines[i]);
		} else if (i == 1) {
			cr_expect_str_eq(
			    json_string_value(json_object_get(fields, "vip")),
			    "172.16.193.30");
			cr_expect_eq(json_integer_value(
					 json_object_get(fields, "prefix")),
				     16);
		} else {
			cr_expect_eq(json_object_size(fields), 5);
		}
		json_decref(ev);
	}
	free_lines(lines, n);
}

Test(events, stdout_one_object_per_line)
{
	char outpath[PATH_MAX];
	struct xhb_events *em;
	int saved, fd;
	char **lines;
	int n;

	snprintf(outpath, sizeof(outpath), "%s/stdout", dir);
	fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	cr_assert_eq(open_events(&em, "srv1", NULL, true), 0);
	for (int i = 0; i < 50; i++)
		xhb_events__emitf(em, "peer_up", "{s:s, s:s}", "peer", "srv2",
				  "addr", "172.16.193.40");
	/* Written at once, not when a stdio buffer fills. */
	n = read_lines(outpath, &lines);
	xhb_events__close(em);
	dup2(saved, STDOUT_FILENO);
	close(saved);

	cr_assert_eq(n, 50);
	for (int i = 0; i < n; i++)
		json_decref(check_line(lines[i], "srv1", i + 1));
	free_lines(lines, n);
}

Test(events, logfile_appended_and_created_0640)
{
	struct xhb_events *em;
	struct stat st;
	char **lines;
	int n, fd;

	umask(022);
	cr_assert_eq(open_events(&em, "srv1", logpath, false), 0);
	xhb_events__emitf(em, "agent_start", "{s:s, s:i}", "version", "0.1",
			  "pid", (int)getpid());
	xhb_events__close(em);
	cr_assert_eq(stat(logpath, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0640, "mode %o",
		     (unsigned)(st.st_mode & 07777));
	/* Someone else appends too (logger, a previous run). */
	fd = open(logpath, O_WRONLY | O_APPEND);
	cr_assert(write(fd, "{\"other\":1}\n", 12) == 12);
	close(fd);
	cr_assert_eq(open_events(&em, "srv1", logpath, false), 0);
	xhb_events__emitf(em, "agent_start", "{s:s, s:i}", "version", "0.1",
			  "pid", (int)getpid());
	xhb_events__close(em);

	n = read_lines(logpath, &lines);
	cr_assert_eq(n, 3);
	json_decref(check_line(lines[0], "srv1", 1));
	cr_expect_str_eq(lines[1], "{\"other\":1}");
	/* A new run starts again at seq 1. */
	json_decref(check_line(lines[2], "srv1", 1));
	free_lines(lines, n);

	cr_expect_eq(
	    open_events(&em, "srv1", "/nonexistent/dir/log", false),
	    -ENOENT);
	cr_expect_null(em);
	cr_expect_eq(open_events(&em, "", NULL, true), -EINVAL);
}

/* Held (a takeover of many groups): stamped as they come, written only
 * when released, in order, with their own times and seq. */
Test(events, held_events_stamped_then_written_in_order)
{
	struct xhb_events *em;
	struct timespec before, after;
	struct stat st;
	char **lines;
	int n;

	cr_assert_eq(open_events(&em, "srv2", logpath, false), 0);
	cr_assert_eq(xhb_events__hold(em, true), 0);
	before = mono_now();
	for (int g = 0; g < 3; g++)
		xhb_events__emitf(em, "group_acquire", "{s:i, s:s, s:s, s:f}",
				  "group", g, "group_resources", "x", "reason",
				  "peer_dead", "duration_ms", 0.0);
	after = mono_now();
	cr_assert_eq(stat(logpath, &st), 0);
	cr_expect_eq(st.st_size, 0, "nothing written while held");
	cr_assert_eq(xhb_events__hold(em, false), 0);
	xhb_events__emitf(em, "agent_stop", "{s:s}", "reason", "signal");
	xhb_events__close(em);
	n = read_lines(logpath, &lines);
	cr_assert_eq(n, 4);
	for (int i = 0; i < 3; i++) {
		json_t *ev = check_line(lines[i], "srv2", i + 1);
		long long t = json_integer_value(json_object_get(ev, "mono_ns"));

		cr_expect_eq(json_integer_value(json_object_get(ev, "group")), i);
		cr_expect(t >= before.tv_sec * 1000000000LL + before.tv_nsec &&
			      t <= after.tv_sec * 1000000000LL + after.tv_nsec,
			  "stamped when emitted, not when written");
		json_decref(ev);
	}
	json_decref(check_line(lines[3], "srv2", 4));
	free_lines(lines, n);
}

/* logrotate: rename, then SIGHUP -> reopen. */
Test(events, reopen_after_rename)
{
	char rotated[PATH_MAX + 4];
	struct xhb_events *em;
	char **lines;
	int n;

	snprintf(rotated, sizeof(rotated), "%s.1", logpath);
	cr_assert_eq(open_events(&em, "srv1", logpath, false), 0);
	xhb_events__emitf(em, "link_down", "{s:s}", "iface", "ens192");
	cr_assert_eq(rename(logpath, rotated), 0);
	/* Until the reopen, lines still go to the renamed file. */
	xhb_events__emitf(em, "link_up", "{s:s}", "iface", "ens192");
	cr_assert_eq(xhb_events__reopen(em, NULL), 0);
	xhb_events__emitf(em, "link_down", "{s:s}", "iface", "ens192");
	xhb_events__close(em);

	n = read_lines(rotated, &lines);
	cr_assert_eq(n, 2);
	json_decref(check_line(lines[0], "srv1", 1));
	json_decref(check_line(lines[1], "srv1", 2));
	free_lines(lines, n);
	n = read_lines(logpath, &lines);
	cr_assert_eq(n, 1);
	json_decref(check_line(lines[0], "srv1", 3));
	free_lines(lines, n);
}

Test(events, write_error_counted_and_reported_once)
{
	char errpath[PATH_MAX];
	struct xhb_events *em;
	size_t len;
	char *err, *p;
	int saved, fd, reports = 0;

	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);

	/* Every write to /dev/full fails with ENOSPC, as on a full disk. */
	cr_assert_eq(open_events(&em, "srv1", "/dev/full", false), 0);
	for (int i = 0; i < 3; i++)
		cr_expect_eq(xhb_events__emitf(em, "link_up", "{s:s}", "iface",
					       "ens192"),
			     -ENOSPC);
	cr_expect_eq(xhb_events__write_errors(em), 3);
	cr_expect_eq(xhb_events__seq(em), 3);
	/* A reopened file gets its first failure reported again. */
	cr_expect_eq(xhb_events__reopen(em, NULL), 0);
	xhb_events__emitf(em, "link_up", "{s:s}", "iface", "ens192");
	cr_expect_eq(xhb_events__write_errors(em), 4);
	xhb_events__close(em);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);

	err = slurp(errpath, &len);
	for (p = err; (p = strstr(p, "/dev/full")); p++)
		reports++;
	cr_expect_eq(reports, 2, "stderr: %s", err);
	cr_expect(strstr(err, strerror(ENOSPC)), "stderr: %s", err);
	free(err);
}

Test(events, bad_input_is_refused_not_fatal)
{
	struct xhb_events *em;

	cr_assert_eq(open_events(&em, "srv1", logpath, false), 0);
	/* No emitter: events are discarded (xhbd -t, tools). */
	cr_expect_eq(xhb_events__emit(NULL, xhb_event_new("link_up")), 0);
	cr_expect_eq(xhb_events__emitf(NULL, "link_up", NULL), 0);
	/* A failed allocation upstream. */
	cr_expect_eq(xhb_events__emit(em, NULL), -ENOMEM);
	cr_expect_eq(xhb_events__emit(em, json_object()), -EINVAL);
	cr_expect_eq(xhb_events__emit(em, json_pack("{s:i}", "event", 1)),
		     -EINVAL);
	cr_expect_eq(xhb_events__emitf(em, "peer_up", "{s:s}", "peer", NULL),
		     -EINVAL);
	cr_expect_eq(xhb_events__emitf(em, "peer_up", "[s]", "srv2"), -EINVAL);
	cr_expect_eq(xhb_events__emitf(em, NULL, NULL), -EINVAL);
	/* Optional strings with "s*": absent, not null, as the schema wants. */
	cr_expect_eq(xhb_events__emitf(em, "peer_up", "{s:s, s:s*}", "peer",
				       "srv2", "addr", NULL),
		     0);
	cr_expect_eq(xhb_events__seq(em), 1);
	xhb_events__close(em);
	xhb_events__close(NULL);

	char **lines;
	int n = read_lines(logpath, &lines);
	json_t *ev;

	cr_assert_eq(n, 1);
	ev = check_line(lines[0], "srv1", 1);
	cr_expect_str_eq(json_string_value(json_object_get(ev, "peer")),
			 "srv2");
	cr_expect_null(json_object_get(ev, "addr"));
	json_decref(ev);
	free_lines(lines, n);
}

/* ---- against the schema, with tools/validate-events.py ---- */

/* tools/validate-events.py from the repository root (where run.sh runs
 * us), or next to $XHB_BUILD. */
static bool find_validator(char *path, size_t len)
{
	const char *build = getenv("XHB_BUILD");

	snprintf(path, len, "tools/validate-events.py");
	if (!access(path, X_OK))
		return true;
	if (build) {
		snprintf(path, len, "%s/../tools/validate-events.py", build);
		if (!access(path, X_OK))
			return true;
	}
	return false;
}

/* Run the validator with args; its exit status, output in *out. */
static int run_validator(const char *args, char **out)
{
	char validator[PATH_MAX], cmd[3 * PATH_MAX];
	size_t cap = 0, len = 0;
	char buf[4096];
	FILE *p;
	int status;

	if (!find_validator(validator, sizeof(validator)))
		cr_skip("tools/validate-events.py not found from %s",
			getcwd(buf, sizeof(buf)));
	snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", validator, args);
	p = popen(cmd, "r");
	cr_assert(p, "popen: %s", strerror(errno));
	*out = NULL;
	for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			*out = realloc(*out, cap);
		}
		memcpy(*out + len, buf, n);
		len += n;
	}
	if (!*out)
		*out = calloc(1, 1);
	(*out)[len] = '\0';
	status = pclose(p);
	cr_assert(WIFEXITED(status), "validator did not exit: %s", *out);
	if (WEXITSTATUS(status) == 77)
		cr_skip("python3-jsonschema is not installed: apt-get install "
			"python3-jsonschema");
	return WEXITSTATUS(status);
}

/* One event of each kind with its required fields, as the agent would
 * send them; JSON texts keep the table short, one event a line. */
/* clang-format off */
static const struct {
	const char *event;
	const char *fields;
} samples[] = {
	{ "agent_start", "{\"version\":\"0.1.0\",\"pid\":4242}" },
	{ "config_loaded", "{\"config_dir\":\"/etc/ha.d\",\"node_count\":2,\"keepalive_ms\":2000,\"auto_failback\":\"off\"}" },
	{ "config_ignored", "{\"file\":\"/etc/ha.d/ha.cf\",\"line\":4,\"directive\":\"logfacility\"}" },
	{ "config_warning", "{\"message\":\"crc authenticates nothing\"}" },
	{ "config_notice", "{\"message\":\"crc authenticates nothing\"}" },
	{ "config_error", "{\"message\":\"ha.cf:3: unknown directive\",\"file\":\"ha.cf\",\"line\":3}" },
	{ "reload", "{\"config_dir\":\"/etc/ha.d\",\"reason\":\"SIGHUP\"}" },
	{ "dataplane_fallback", "{\"iface\":\"ens192\",\"reason\":\"Operation not supported\"}" },
	{ "dataplane_attached", "{\"iface\":\"ens192\",\"mode\":\"generic\",\"adopted\":false}" },
	{ "dataplane_detached", "{\"iface\":\"ens192\",\"reason\":\"detach requested\"}" },
	{ "medium_error", "{\"medium\":\"bcast ens192\",\"reason\":\"Network is unreachable\"}" },
	{ "agent_gap", "{\"gap_ms\":812.5}" },
	{ "peer_up", "{\"peer\":\"srv1\",\"from\":\"unknown\",\"to\":\"up\",\"addr\":\"fe80::1\"}" },
	{ "peer_warn", "{\"peer\":\"srv1\",\"detection_ms\":6000}" },
	{ "peer_dead", "{\"peer\":\"srv1\",\"detection_ms\":3.217,\"reason\":\"probe\"}" },
	{ "peer_stalled", "{\"peer\":\"srv1\",\"detection_ms\":10000}" },
	{ "peer_leaving", "{\"peer\":\"srv1\"}" },
	{ "peer_fault", "{\"peer\":\"srv1\",\"reason\":\"link_down\"}" },
	{ "state_change", "{\"from\":\"init\",\"to\":\"active\"}" },
	{ "vip_added", "{\"vip\":\"172.16.193.30\",\"prefix\":16,\"iface\":\"ens192\",\"label\":\"ens192:0\"}" },
	{ "garp_sent", "{\"vip\":\"172.16.193.30\",\"iface\":\"ens192\",\"packet\":1}" },
	{ "resource_start", "{\"group\":0,\"resource\":\"httpd\",\"exit_code\":0,\"duration_ms\":52.3,\"output\":\"ok\\n\"}" },
	{ "group_acquire", "{\"group\":0,\"group_resources\":\"IPaddr::172.16.193.30/16/ens192 httpd\",\"reason\":\"peer_dead\",\"duration_ms\":0.8}" },
	{ "resource_failed", "{\"group\":0,\"resource\":\"httpd\",\"action\":\"status\",\"reason\":\"timeout\",\"duration_ms\":2001,\"signal\":\"SIGKILL\"}" },
	{ "vip_lost", "{\"vip\":\"2001:db8::30\",\"iface\":\"ens192\"}" },
	{ "link_down", "{\"iface\":\"ens192\"}" },
	{ "link_up", "{\"iface\":\"ens192\",\"duration_ms\":40000}" },
	{ "standby_request", "{\"scope\":\"foreign\",\"source\":\"control\"}" },
	{ "takeover_request", "{\"scope\":\"all\",\"source\":\"peer\",\"peer\":\"srv1\",\"groups\":[0,1]}" },
	{ "resource_stop", "{\"group\":0,\"resource\":\"httpd\",\"exit_code\":0,\"duration_ms\":31.9}" },
	{ "vip_removed", "{\"vip\":\"172.16.193.30\",\"iface\":\"ens192\"}" },
	{ "group_release", "{\"group\":0,\"group_resources\":\"IPaddr::172.16.193.30/16/ens192 httpd\",\"reason\":\"stop\",\"duration_ms\":1.1}" },
	{ "agent_stop", "{\"reason\":\"signal\",\"signal\":\"SIGTERM\",\"exit_code\":0}" },
};
/* clang-format on */

Test(events, emitted_lines_validate_against_schema)
{
	struct xhb_events *em;
	char args[PATH_MAX + 32], *out;
	json_error_t jerr;
	int fd;

	cr_assert_eq(open_events(&em, "srv2", logpath, false), 0);
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		json_t *ev = json_loads(samples[i].fields, 0, &jerr);

		cr_assert(ev, "%s: %s", samples[i].event, jerr.text);
		json_object_set_new(ev, "event", json_string(samples[i].event));
		cr_assert_eq(xhb_events__emit(em, ev), 0);
	}
	xhb_events__close(em);

	snprintf(args, sizeof(args), "--check-seq '%s'", logpath);
	cr_expect_eq(run_validator(args, &out), 0, "%s", out);
	free(out);

	/* And it does reject: a peer_dead without detection_ms, line 34. */
	fd = open(logpath, O_WRONLY | O_APPEND);
	dprintf(fd, "{\"time\":\"2026-11-24T22:15:21.123456Z\",\"mono_ns\":1,"
		    "\"seq\":34,\"node\":\"srv2\",\"event\":\"peer_dead\","
		    "\"peer\":\"srv1\"}\n");
	close(fd);
	cr_expect_eq(run_validator(args, &out), 1, "%s", out);
	cr_expect(strstr(out, ":34: peer_dead") && strstr(out, "detection_ms"),
		  "%s", out);
	free(out);
}

/* docs/man/xhb-events.7.scd (the xhb-events(7) page) and the schema
 * name the same events and fields, and every example on the page
 * validates. */
Test(events, docs_agree_with_schema)
{
	char validator[PATH_MAX], args[2 * PATH_MAX], *out, *slash;

	if (!find_validator(validator, sizeof(validator)))
		cr_skip("tools/validate-events.py not found");
	/* tools/validate-events.py -> tools/../docs/man/xhb-events.7.scd */
	slash = strrchr(validator, '/');
	*slash = '\0';
	snprintf(args, sizeof(args),
		 "--check-docs '%s/../docs/man/xhb-events.7.scd'", validator);
	cr_expect_eq(run_validator(args, &out), 0, "%s", out);
	free(out);
}

/*
 * Every emitter once, with the values the agent passes, and the result
 * checked against docs/events.schema.json (which refuses unknown fields
 * and requires each kind's own): an event's fields are written in one
 * place, and that place matches the schema.
 */
Test(events, every_emitter_matches_the_schema)
{
	struct xhb_config *cfg = xhb_config_new();
	struct xhb_config_note note = {.kind = XHB_NOTE_IGNORED, .line = 4};
	struct xhb_resource_result res = {.outcome = XHB_RESOURCE_TIMEOUT,
					  .exit_code = -1, .signal = SIGKILL,
					  .duration_ns = 31000000000ULL};
	struct xhb_vip vip = {.addr = {.family = AF_INET}, .prefixlen = 16,
			      .ifindex = 1, .label = "lo:0"};
	struct xhb_route rt = {.dst = {.family = AF_INET}, .ifindex = 1,
			       .table = 100, .proto = 248, .metric = 100};
	struct xhb_events *em;
	char cmd[PATH_MAX + 128], *text;
	static const char *const kinds[] = {
	    "agent_start", "agent_stop", "agent_gap", "state_change",
	    "lease_expired", "config_loaded", "config_ignored", "config_error",
	    "reload", "dataplane_attached", "dataplane_fallback", "link_down",
	    "link_up", "link_degraded", "medium_error", "flood", "peer_dead", "peer_up",
	    "peer_unanswered", "unheard",
	    "group_acquire", "group_release", "vip_added", "vip_removed",
	    "vip_staged", "vip_unstaged", "vip_lost", "garp_sent", "resource_start", "resource_stop",
	    "resource_failed", "standby_request", "takeover_request",
	    "check_passing", "check_failing", "no_healthy_node",
	    "ping_node_up", "ping_node_down", "ping_yield",
	    "dataplane_maps_replaced",
	    "group_stop_failed", "agent_stop_blocked", "cleanup_request",
	    "quorum_gained", "quorum_lost",
	    "node_added", "node_removed",
	    "route_added", "route_removed",
	};
	size_t len;

	cr_assert(cfg);
	snprintf(cfg->dir, sizeof(cfg->dir), "/etc/ha.d");
	cfg->nnodes = 2;
	cfg->keepalive_ns = 2000000000ULL;
	cfg->udpport = 694;
	snprintf(note.file, sizeof(note.file), "/etc/ha.d/ha.cf");
	snprintf(note.directive, sizeof(note.directive), "logfacility");
	snprintf(note.message, sizeof(note.message), "not used yet");
	inet_pton(AF_INET, "172.16.193.30", &vip.addr.v4);
	rt.dst.v4 = vip.addr.v4;
	snprintf(res.output, sizeof(res.output), "killed");
	cr_assert_eq(open_events(&em, "srv2", logpath, false), 0);

	xhb_ev_agent_start(em, "0.1.0", 7, 42, "/run/xhb/xhbd.sock");
	xhb_ev_agent_stop(em, "signal", 7);
	xhb_ev_agent_gap(em, 5000000, 1000000);
	xhb_ev_state_change(em, XHB_NODE_INIT, XHB_NODE_ACTIVE,
			    XHB_STATE_ALL_PEERS_SEEN);
	xhb_ev_lease_expired(em, 10000000000ULL, 3000000);
	xhb_ev_config_loaded(em, cfg, 1000000);
	xhb_ev_config_note(em, &note);
	xhb_ev_config_error(em, "/etc/ha.d/ha.cf:3: bad", "kept the running configuration");
	xhb_ev_reload(em, "/etc/ha.d");
	xhb_ev_dataplane_attached(em, "ens192", false, true, "/sys/fs/bpf/xhb/ens192",
				  false, 12);
	xhb_ev_dataplane_fallback(em, "ens192", "native XDP not supported");
	xhb_ev_link(em, "ens192", false);
	xhb_ev_link(em, "ens192", true);
	xhb_ev_link_degraded(em, "eth1", 1, 2);
	xhb_ev_medium_error(em, "bcast ens192 (/etc/ha.d/ha.cf:1)",
			    "Network is down", 1);
	xhb_ev_flood(em, 800000.0, 250000000);
	xhb_ev_peer(em, "srv1", XHB_MEMBER_UP, XHB_MEMBER_DEAD,
		    "no heartbeat, probe or reply for the detection window",
		    4100000, 9000);
	xhb_ev_peer(em, "srv1", XHB_MEMBER_DEAD, XHB_MEMBER_UP, "alive", 0, 9000);
	xhb_ev_peer_unanswered(em, "srv1", 0, 4000000);
	xhb_ev_unheard(em, "srv2", 4000000);
	xhb_ev_peer_unanswered(em, "srv1", 7000000, 4000000);
	xhb_ev_group(em, true, 0, "IPaddr::172.16.193.30/16/ens192",
		     XHB_REASON_PEER_DEAD, 170000);
	xhb_ev_group(em, false, 0, "IPaddr::172.16.193.30/16/ens192",
		     XHB_REASON_RESOURCE_FAILED, 170000);
	xhb_ev_vip_added(em, 0, &vip, NULL);
	xhb_ev_vip_added(em, 0, &vip, "restored");
	xhb_ev_vip_removed(em, 0, &vip);
	xhb_ev_vip_staged(em, 0, &vip, true);
	xhb_ev_vip_staged(em, 0, &vip, false);
	xhb_ev_vip_lost(em, 0, &vip);
	xhb_ev_route_added(em, 0, &rt, NULL);
	xhb_ev_route_added(em, 0, &rt, "takeover");
	xhb_ev_route_removed(em, 0, &rt);
	xhb_ev_garp_sent(em, 0, &vip, 1, 0);
	xhb_ev_garp_sent(em, 0, &vip, 2, -ENETDOWN);
	res.exit_code = 0;
	xhb_ev_resource_done(em, 0, "apache", true, &res);
	xhb_ev_resource_done(em, 0, "apache", false, &res);
	res.exit_code = -1;
	xhb_ev_resource_failed(em, 0, "apache", "stop", &res, NULL, 0, NULL);
	xhb_ev_resource_failed(em, 0, "apache", "start", NULL, "cannot_run",
			       -ENOENT, NULL);
	xhb_ev_resource_failed(em, 0, "IPaddr::10.1.1.1", "start", NULL,
			       "netlink", 0, "no interface holds a subnet");
	xhb_ev_request(em, true, "all", &(struct xhb_gset){{0x3}});
	xhb_ev_request(em, false, "local", &(struct xhb_gset){{0x1}});
	{
		struct xhb_check_cfg chk = {.kind = XHB_CHECK_HTTP, .groups = {{0x1}}};

		snprintf(chk.name, sizeof(chk.name), "web");
		snprintf(chk.target, sizeof(chk.target), "http://127.0.0.1/");
		xhb_ev_check(em, &chk, "unknown", "passing", "HTTP 200", 1);
		xhb_ev_check(em, &chk, "passing", "failing", "HTTP 500", 3);
	}
	xhb_ev_no_healthy_node(em, 0, "IPaddr::172.16.193.30/16/ens192", true);
	xhb_ev_ping_node(em, "172.16.193.1", true, 1, 2);
	xhb_ev_ping_node(em, "routers", false, 0, 2);
	xhb_ev_ping_yield(em, true, 0, 1, 2);
	xhb_ev_quorum(em, true, 3, 5, 3, "srv1,srv2,srv3", "majority", "stop");
	xhb_ev_quorum(em, false, 2, 5, 3, "srv4,srv5", "majority", "stop");
	xhb_ev_dataplane_maps_replaced(em, "ens192", "xhb_peers");
	xhb_ev_resource_failed(em, 0, "apache", "start", NULL, "aborted", 0,
			       "killed: the group is released (standby_request)");
	xhb_ev_group_stop_failed(em, 0, "IPaddr::172.16.193.30/16/ens192 apache",
				 "apache", XHB_REASON_STANDBY_REQUEST, true);
	xhb_ev_group_stop_failed(em, 1, "172.16.193.31 apache", NULL,
				 XHB_REASON_INTERRUPTED, false);
	xhb_ev_agent_stop_blocked(em, &(struct xhb_gset){{0x1}});
	xhb_ev_cleanup_request(em, 0, &(struct xhb_gset){{0x1}});
	xhb_ev_cleanup_request(em, -1, &(struct xhb_gset){{0}});
	xhb_ev_node_change(em, true, "srv4", 12345, "control", 4);
	xhb_ev_node_change(em, false, "srv4", 12345, "start", 3);
	xhb_events__close(em);
	xhb_config_free(cfg);

	text = slurp(logpath, &len);
	cr_assert_not_null(text);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "\"event\":\"%s\"", kinds[i]);
		cr_expect_not_null(strstr(text, want), "no %s event", kinds[i]);
	}
	free(text);
	snprintf(cmd, sizeof(cmd), "python3 tools/validate-events.py '%s' >&2", logpath);
	cr_expect_eq(WEXITSTATUS(system(cmd)), 0,
		     "the emitters' events do not match docs/events.schema.json");
}
