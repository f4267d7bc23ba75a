// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Acquire and release as state machines (transition.c), on groups of
 * real scripts and no address: each call returns at once, the test
 * drives the machine as the agent's loop does (pollfds, wait, step), and
 * the scripts write what they were asked to a log. Starts go left to
 * right and stops right to left, one script at a time; a release during
 * a start kills it and stops what started; a failed start undoes the
 * group; a failed stop blocks it (stop_failed, held, refused) until a
 * cleanup, or goes on under stop_failed_policy release; the progress
 * record says stop_failed across a restart.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/types.h>
#include <linux/bpf.h>

#include "clock.h"
#include "config.h"
#include "events.h"
#include "groups.h"
#include "progress.h"

static char dir[64];
static struct xhb_config *cfg;
static struct xhb_groups *gs;

#define MS (1000ULL * 1000ULL)

/* A script NAME that logs "NAME ACTION" and then runs body (per action:
 * $1 is start or stop). */
static void script(const char *name, const char *body)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert(f);
	fprintf(f, "#!/bin/sh\necho \"%s $1\" >>%s/log\n%s\nexit 0\n", name, dir,
		body);
	fclose(f);
	chmod(path, 0755);
}

/* Group 0 of the scripts named, each with the timeouts given (ms). */
static void group(const char *const *names, __u64 start_ms, __u64 stop_ms)
{
	struct xhb_group *grp = &cfg->groups[0];

	cfg->ngroups = 1;
	memset(grp, 0, sizeof(*grp));
	snprintf(grp->node, sizeof(grp->node), "srv1");
	for (; *names; names++) {
		struct xhb_resource *r = &grp->resources[grp->nresources++];

		r->kind = XHB_RES_SCRIPT;
		r->ra_kind = XHB_RA_HEARTBEAT; /* DIR/resource.d: NAME ARG... ACTION */
		snprintf(r->agent, sizeof(r->agent), "%s", *names);
		snprintf(r->spec, sizeof(r->spec), "%s", *names);
		snprintf(r->path, sizeof(r->path), "%s/%s", dir, *names);
		r->start_timeout_ns = start_ms * MS;
		r->stop_timeout_ns = stop_ms * MS;
	}
}

/* What the scripts logged, one "name action" a line. */
static const char *log_text(void)
{
	static char text[4096];
	char path[96];
	FILE *f;
	size_t n = 0;

	text[0] = '\0';
	snprintf(path, sizeof(path), "%s/log", dir);
	f = fopen(path, "r");
	if (!f)
		return text;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static char *events_text(void)
{
	static char text[65536];
	char path[96];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/events.json", dir);
	f = fopen(path, "r");
	cr_assert(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static int rm_entry(const char *p, const struct stat *st, int f, struct FTW *w)
{
	(void)st, (void)f, (void)w;
	return remove(p);
}

static void setup(void)
{
	struct xhb_event_sinks sinks = {.facility = -1};
	char logfile[96];

	snprintf(dir, sizeof(dir), "/tmp/xhb-transition.XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(logfile, sizeof(logfile), "%s/events.json", dir);
	sinks.logfile = logfile;
	cfg = xhb_config_new();
	gs = calloc(1, sizeof(*gs));
	cr_assert(cfg && gs);
	cfg->stop_failed_policy = XHB_STOP_FAILED_BLOCK;
	gs->cfg = cfg;
	cr_assert_eq(xhb_events__open(&gs->ev, "srv1", &sinks), 0);
	cr_assert_eq(xhb_progress_load(&gs->progress, dir), 0);
}

static void teardown(void)
{
	xhb_groups_close(gs);
	xhb_events__close(gs->ev);
	free(gs);
	xhb_config_free(cfg);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(transition, .init = setup, .fini = teardown, .timeout = 30);

static bool phase_is(enum xhb_group_phase p)
{
	return gs->g[0].phase == p;
}

static bool log_has(const char *line)
{
	return strstr(log_text(), line) != NULL;
}

/* The agent's loop in small: poll the scripts' fds up to their next
 * deadline, step; until done() or max_ms. */
static bool drive_until(bool (*done)(const void *), const void *arg,
			unsigned int max_ms)
{
	__u64 end = xhb_now_ns() + max_ms * MS;

	while (!done(arg)) {
		struct pollfd pfd[2 * XHB_MAX_GROUPS];
		unsigned int n = xhb_groups_pollfds(gs, pfd);
		__u64 wait = xhb_groups_wait_ns(gs), now = xhb_now_ns();

		if (now >= end)
			return false;
		if (wait > 20 * MS)
			wait = 20 * MS;
		poll(pfd, n, (int)(wait / MS) + 1);
		xhb_groups_step(gs, pfd, n, xhb_now_ns());
	}
	return true;
}

static bool in_phase(const void *p)
{
	return phase_is(*(const enum xhb_group_phase *)p);
}

static bool logged(const void *line)
{
	return log_has(line);
}

static bool drive_to(enum xhb_group_phase p, unsigned int max_ms)
{
	return drive_until(in_phase, &p, max_ms);
}

Test(transition, start_left_to_right_stop_right_to_left_without_blocking)
{
	static const char *const names[] = {"a", "b", NULL};
	__u64 t0;

	script("a", "[ \"$1\" = start ] && sleep 0.3");
	script("b", "");
	group(names, 5000, 5000);
	t0 = xhb_now_ns();
	cr_assert_eq(xhb_groups_acquire(gs, 0, XHB_REASON_PREFERRED_NODE, t0), 0);
	/* returned at once: a's start runs, b waits for it */
	cr_expect_lt(xhb_now_ns() - t0, 200 * MS);
	cr_expect(phase_is(XHB_GROUP_STARTING));
	cr_expect(gs->g[0].held && (gs->held.w[0] & 1), "held from the first step");
	cr_expect_eq(xhb_groups_busy(gs).w[0], 1);
	cr_expect_eq(xhb_groups_acquire(gs, 0, XHB_REASON_PREFERRED_NODE, t0),
		     -EBUSY, "one transition of a group at a time");
	cr_assert(drive_to(XHB_GROUP_STARTED, 5000), "never started: %s", log_text());
	cr_expect_str_eq(log_text(), "a start\nb start\n");
	cr_expect_eq(xhb_groups_busy(gs).w[0], 0);
	cr_expect_eq(gs->progress.g[0], XHB_PROGRESS_HELD);

	xhb_groups_release(gs, 0, XHB_REASON_STANDBY_REQUEST, xhb_now_ns());
	cr_expect(phase_is(XHB_GROUP_STOPPING));
	cr_expect(gs->held.w[0] & 1, "held until the last stop is done");
	cr_assert(drive_to(XHB_GROUP_IDLE, 5000));
	cr_expect_str_eq(log_text(), "a start\nb start\nb stop\na stop\n");
	cr_expect_not(gs->held.w[0] & 1);
	cr_expect_eq(gs->progress.g[0], XHB_PROGRESS_NONE);
	cr_expect(strstr(events_text(), "\"event\":\"group_acquire\""));
	cr_expect(strstr(events_text(), "\"event\":\"group_release\""));
}

Test(transition, release_during_a_start_kills_it_and_stops_what_started)
{
	static const char *const names[] = {"a", "slow", "c", NULL};
	__u64 t0;

	script("a", "");
	script("slow", "[ \"$1\" = start ] && sleep 30");
	script("c", "");
	group(names, 60000, 5000);
	cr_assert_eq(xhb_groups_acquire(gs, 0, XHB_REASON_PREFERRED_NODE,
					xhb_now_ns()), 0);
	cr_assert(drive_until(logged, "slow start", 5000));
	t0 = xhb_now_ns();
	xhb_groups_release(gs, 0, XHB_REASON_LOCAL_FAULT, t0);
	cr_expect(phase_is(XHB_GROUP_STOPPING));
	cr_assert(drive_to(XHB_GROUP_IDLE, 5000), "%s", log_text());
	cr_expect_lt(xhb_now_ns() - t0, 3000 * MS, "the slow start was not killed");
	/* slow's stop runs: its start may have begun something; c never */
	cr_expect_str_eq(log_text(), "a start\nslow start\nslow stop\na stop\n");
	cr_expect(strstr(events_text(), "\"reason\":\"aborted\""));
	cr_expect_not(gs->held.w[0] & 1);
}

Test(transition, failed_or_timed_out_start_undoes_the_group)
{
	static const char *const names[] = {"a", "bad", NULL};

	script("a", "");
	script("bad", "[ \"$1\" = start ] && exit 3");
	group(names, 5000, 5000);
	xhb_groups_acquire(gs, 0, XHB_REASON_PREFERRED_NODE, xhb_now_ns());
	cr_assert(drive_to(XHB_GROUP_IDLE, 5000));
	cr_expect_str_eq(log_text(), "a start\nbad start\nbad stop\na stop\n");
	cr_expect(gs->refused.w[0] & 1, "refused, so another node tries");
	cr_expect(strstr(events_text(), "\"reason\":\"resource_failed\""));

	/* a start that hangs past its timeout is killed, then undone */
	{
		char log[96];

		snprintf(log, sizeof(log), "%s/log", dir);
		unlink(log);
	}
	script("bad", "[ \"$1\" = start ] && sleep 30");
	group(names, 200, 5000);
	gs->refused = (struct xhb_gset){{0}};
	xhb_groups_acquire(gs, 0, XHB_REASON_PREFERRED_NODE, xhb_now_ns());
	cr_assert(drive_to(XHB_GROUP_IDLE, 5000), "%s", log_text());
	cr_expect_str_eq(log_text(), "a start\nbad start\nbad stop\na stop\n");
	cr_expect(strstr(events_text(), "\"reason\":\"timeout\""));
}

Test(transition, failed_stop_blocks_until_cleanup)
{
	static const char *const names[] = {"a", "hang", NULL};
	char flag[96], *ev;
	struct xhb_progress_file again;

	snprintf(flag, sizeof(flag), "%s/fixed", dir);
	script("a", "");
	/* its stop hangs until the flag file exists (scripts run in /) */
	{
		char body[256];

		snprintf(body, sizeof(body),
			 "[ \"$1\" = stop ] && [ ! -e %s ] && sleep 30", flag);
		script("hang", body);
	}
	group(names, 5000, 300);
	xhb_groups_acquire(gs, 0, XHB_REASON_PREFERRED_NODE, xhb_now_ns());
	cr_assert(drive_to(XHB_GROUP_STARTED, 5000));
	xhb_groups_release(gs, 0, XHB_REASON_STANDBY_REQUEST, xhb_now_ns());
	cr_assert(drive_to(XHB_GROUP_STOP_FAILED, 5000), "%s", log_text());
	/* still ours on the wire, refused, a left running */
	cr_expect(gs->g[0].held && (gs->held.w[0] & 1));
	cr_expect(gs->blocked.w[0] & 1);
	cr_expect_eq(xhb_groups_busy(gs).w[0], 0);
	cr_expect_str_eq(log_text(), "a start\nhang start\nhang stop\n");
	ev = events_text();
	cr_expect(strstr(ev, "\"event\":\"group_stop_failed\""), "%s", ev);
	cr_expect(strstr(ev, "\"resource\":\"hang\",\"reason\":\"standby_request\""
			     ",\"held\":true"), "%s", ev);
	cr_expect_not(strstr(ev, "\"event\":\"group_release\""));
	/* a restart finds it blocked */
	cr_assert_eq(xhb_progress_load(&again, dir), 0);
	cr_expect_eq(again.g[0], XHB_PROGRESS_STOP_FAILED);
	/* nothing moves it but a cleanup */
	xhb_groups_release(gs, 0, XHB_REASON_LEAVING, xhb_now_ns());
	cr_expect_eq(xhb_groups_acquire(gs, 0, XHB_REASON_PREFERRED_NODE,
					xhb_now_ns()), -EBUSY);
	cr_expect(phase_is(XHB_GROUP_STOP_FAILED));
	cr_expect_eq(xhb_groups_cleanup(gs, xhb_gset_of32(~0U), xhb_now_ns()).w[0], 1);
	cr_assert(drive_to(XHB_GROUP_STOP_FAILED, 5000));
	/* fixed: the cleanup stops it, then what is left of it */
	fclose(fopen(flag, "w"));
	cr_expect_eq(xhb_groups_cleanup(gs, xhb_gset_of32(1), xhb_now_ns()).w[0], 1);
	cr_expect_not(gs->blocked.w[0] & 1);
	cr_assert(drive_to(XHB_GROUP_IDLE, 5000), "%s", log_text());
	cr_expect_str_eq(log_text(),
			 "a start\nhang start\nhang stop\nhang stop\nhang stop\na stop\n");
	cr_expect_not(gs->held.w[0] & 1);
	cr_assert_eq(xhb_progress_load(&again, dir), 0);
	cr_expect_eq(again.g[0], XHB_PROGRESS_NONE);
}

Test(transition, stop_failed_policy_release_goes_on)
{
	static const char *const names[] = {"a", "bad", NULL};

	cfg->stop_failed_policy = XHB_STOP_FAILED_RELEASE;
	script("a", "");
	script("bad", "[ \"$1\" = stop ] && exit 1");
	group(names, 5000, 5000);
	xhb_groups_acquire(gs, 0, XHB_REASON_PREFERRED_NODE, xhb_now_ns());
	cr_assert(drive_to(XHB_GROUP_STARTED, 5000));
	xhb_groups_release(gs, 0, XHB_REASON_STANDBY_REQUEST, xhb_now_ns());
	cr_assert(drive_to(XHB_GROUP_IDLE, 5000));
	cr_expect_str_eq(log_text(), "a start\nbad start\nbad stop\na stop\n");
	cr_expect_not(gs->blocked.w[0]);
	cr_expect_not(strstr(events_text(), "group_stop_failed"));
}

Test(transition, let_go_claims_nothing_while_the_scripts_stop)
{
	static const char *const names[] = {"a", "slowstop", NULL};

	script("a", "");
	script("slowstop", "[ \"$1\" = stop ] && sleep 0.3");
	group(names, 5000, 5000);
	xhb_groups_acquire(gs, 0, XHB_REASON_PREFERRED_NODE, xhb_now_ns());
	cr_assert(drive_to(XHB_GROUP_STARTED, 5000));
	xhb_groups_let_go(gs, xhb_now_ns());
	/* a peer may hold it since our lease lapsed: not claimed, but busy */
	cr_expect_not(gs->held.w[0] & 1);
	cr_expect(phase_is(XHB_GROUP_STOPPING));
	cr_expect_eq(xhb_groups_busy(gs).w[0], 1);
	cr_expect_eq(xhb_groups_acquire(gs, 0, XHB_REASON_PREFERRED_NODE,
					xhb_now_ns()), -EBUSY);
	cr_assert(drive_to(XHB_GROUP_IDLE, 5000));
	cr_expect_str_eq(log_text(), "a start\nslowstop start\nslowstop stop\na stop\n");
	cr_expect(strstr(events_text(), "\"reason\":\"lease_expired\""));
}
