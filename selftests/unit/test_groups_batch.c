// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A takeover of many groups in one batch (xhb_groups_batch_begin/end,
 * transition.c), against the real kernel in a network namespace of its
 * own: every address added, each group held and recorded, its first
 * gratuitous ARP sent, the events written only once that is done; then
 * every group released in one batch. With fenced_standby, the same
 * groups staged first: the takeover and the release send no netlink
 * request, the addresses stay, and a stop removes them.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/types.h>
#include <linux/bpf.h>

#include "announce.h"
#include "clock.h"
#include "config.h"
#include "events.h"
#include "groups.h"
#include "ifaces.h"
#include "progress.h"
#include "vip.h"

#define N 300 /* groups: five netlink datagrams, two announcement bursts */

static char dir[64];
static struct xhb_config *cfg;
static struct xhb_groups *gs;
static struct xhb_ifaces ifaces; /* none: nothing to fence in XDP here */

static int rm_entry(const char *p, const struct stat *st, int f, struct FTW *w)
{
	(void)st, (void)f, (void)w;
	return remove(p);
}

static void setup(void)
{
	struct xhb_event_sinks sinks = {.facility = -1};
	char logfile[96];

	if (unshare(CLONE_NEWNET) < 0)
		cr_skip_test("unshare(CLONE_NEWNET): %s (needs root)", strerror(errno));
	cr_assert_eq(system("ip link set lo up && ip link add va type veth peer name vb"
			    " && ip link set va up && ip link set vb up"),
		     0);
	snprintf(dir, sizeof(dir), "/tmp/xhb-batch.XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(logfile, sizeof(logfile), "%s/events.json", dir);
	sinks.logfile = logfile;
	cfg = xhb_config_new();
	gs = calloc(1, sizeof(*gs));
	cr_assert(cfg && gs);
	cfg->garp_count = 1;
	cfg->garp_interval_ns = 1000ULL * 1000 * 1000;
	cfg->stop_failed_policy = XHB_STOP_FAILED_BLOCK;
	cfg->ngroups = N;
	for (unsigned int g = 0; g < N; g++) {
		struct xhb_group *grp = &cfg->groups[g];
		struct xhb_resource *r = &grp->resources[0];

		snprintf(grp->node, sizeof(grp->node), "srv1");
		grp->nresources = 1;
		r->kind = XHB_RES_ADDRESS;
		r->family = AF_INET;
		r->addr.v4.s_addr = htonl(0x0a4f0000 | (g + 1)); /* 10.79.x.y */
		r->prefix_len = 16;
		snprintf(r->iface, sizeof(r->iface), "va");
		snprintf(r->spec, sizeof(r->spec), "IPaddr::10.79.%u.%u/16/va",
			 (g + 1) >> 8, (g + 1) & 255);
	}
	gs->cfg = cfg;
	gs->ifaces = &ifaces;
	gs->lease_renewed_ns = xhb_now_ns();
	gs->lease_ns = 60ULL * 1000 * 1000 * 1000;
	cr_assert_eq(xhb_nl__open(&gs->nl), 0);
	cr_assert_eq(xhb_announce__open(&gs->ann), 0);
	cr_assert_eq(xhb_events__open(&gs->ev, "srv1", &sinks), 0);
	cr_assert_eq(xhb_progress_load(&gs->progress, dir), 0);
}

static void teardown(void)
{
	if (!gs)
		return;
	xhb_groups_close(gs);
	xhb_events__close(gs->ev);
	xhb_announce__close(gs->ann);
	xhb_nl__close(gs->nl);
	free(gs);
	xhb_config_free(cfg);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(groups_batch, .init = setup, .fini = teardown, .timeout = 60);

/* Lines of DIR/NAME containing what. */
static int count_in(const char *name, const char *what)
{
	char path[128], line[1024];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += !!strstr(line, what);
	fclose(f);
	return n;
}

/* The nth line (from 1) of events.json containing what (its number,
 * from 1), or 0. */
static int nth_line_of(const char *what, int nth)
{
	char path[128], line[1024];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events.json", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, what) && --nth == 0) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	return 0;
}

static int line_of(const char *what)
{
	return nth_line_of(what, 1);
}

static int addresses_on_va(void)
{
	FILE *p = popen("ip -o -4 addr show dev va | grep -c ' inet 10\\.79\\.'", "r");
	int n = -1;

	cr_assert(p);
	cr_assert_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

/* The announcements after the first burst, as the loop would send them,
 * until every group's group_acquire is written (at most 5 s). */
static void announce_all(void)
{
	__u64 t = xhb_now_ns();

	while (count_in("events.json", "\"group_acquire\"") < N &&
	       xhb_now_ns() - t < 5ULL * 1000 * 1000 * 1000) {
		xhb_groups_announce(gs, xhb_now_ns());
		usleep(200);
	}
}

Test(groups_batch, takeover_and_release_of_many_groups)
{
	__u64 now = xhb_now_ns();

	xhb_groups_batch_begin(gs);
	for (unsigned int g = 0; g < N; g++)
		cr_assert_eq(xhb_groups_acquire(gs, g, XHB_REASON_PEER_DEAD, now), 0);
	/* held (said on the wire) from the first step, nothing added yet */
	cr_expect_eq(xhb_gset_count(&gs->held), N);
	cr_expect_eq(addresses_on_va(), 0, "queued, not added one by one");
	cr_expect_eq(count_in("groups", "acquiring"), 0, "recorded at the batch's end");
	xhb_groups_batch_end(gs, now);
	cr_expect_eq(addresses_on_va(), N);
	cr_expect_eq(count_in("groups", " held"), N, "one record a group, written once");
	for (unsigned int g = 0; g < N; g++)
		cr_expect_eq(gs->g[g].phase, XHB_GROUP_STARTED, "group %u", g);
	/* a burst of 256 went out; the rest after XHB_ANNOUNCE_PAUSE_NS
	 * (which the batch's own work may outlast), and the events only once
	 * every first announcement is out */
	if (count_in("events.json", "\"garp_sent\"") < N)
		cr_expect_eq(count_in("events.json", "\"vip_added\""), 0,
			     "events held until the announcements are out");
	announce_all();
	cr_expect_eq(count_in("events.json", "\"vip_added\""), N);
	cr_expect_eq(count_in("events.json", "\"group_acquire\""), N);
	cr_expect_eq(count_in("events.json", "\"garp_sent\""), N, "one first GARP a group");
	/* the first GARPs before the rest of the transitions: the groups
	 * started (their records, scripts, group_acquire) after them */
	cr_expect_lt(line_of("\"garp_sent\""), line_of("\"group_acquire\""),
		     "the first GARP is sent before the groups go on");
	cr_expect_lt(line_of("\"garp_sent\""), nth_line_of("\"vip_added\"", 2),
		     "each group's first GARP at once, not after every address is said");

	/* every group released in one batch */
	xhb_groups_batch_begin(gs);
	for (unsigned int g = 0; g < N; g++)
		xhb_groups_release(gs, g, XHB_REASON_STANDBY_REQUEST, xhb_now_ns());
	cr_expect_eq(addresses_on_va(), N, "queued, not removed one by one");
	xhb_groups_batch_end(gs, xhb_now_ns());
	cr_expect_eq(addresses_on_va(), 0);
	cr_expect(xhb_gset_empty(&gs->held));
	cr_expect_eq(count_in("groups", "held"), 0);
	cr_expect_eq(count_in("events.json", "\"group_release\""), N);
	cr_expect_eq(count_in("events.json", "\"vip_removed\""), N);
}

/* fenced_standby: staged (configured, their entries flagged: here no XDP,
 * xdp's unit tests check the fence), taken over and released without a
 * netlink request, removed at the end. */
Test(groups_batch, staged_takeover_and_release_send_no_netlink)
{
	unsigned int sent;

	cfg->fenced_standby = true;
	xhb_groups_stage(gs);
	cr_expect_eq(addresses_on_va(), N, "staged: configured");
	cr_expect_eq(count_in("events.json", "\"vip_staged\""), N);
	for (unsigned int g = 0; g < N; g++)
		cr_expect_eq(gs->g[g].staged, 1u, "group %u staged", g);
	xhb_groups_stage(gs);
	cr_expect_eq(count_in("events.json", "\"vip_staged\""), N,
		     "staged once");

	sent = xhb_nl__requests(gs->nl);
	xhb_groups_batch_begin(gs);
	for (unsigned int g = 0; g < N; g++)
		cr_assert_eq(xhb_groups_acquire(gs, g, XHB_REASON_PEER_DEAD,
						xhb_now_ns()),
			     0);
	xhb_groups_batch_end(gs, xhb_now_ns());
	cr_expect_eq(xhb_nl__requests(gs->nl), sent,
		     "a staged takeover is a map write: no netlink request");
	announce_all();
	cr_expect_eq(count_in("events.json", "\"vip_added\""), N);
	cr_expect_eq(count_in("events.json", "\"garp_sent\""), N, "one first GARP a group");
	cr_expect_lt(line_of("\"garp_sent\""), line_of("\"group_acquire\""),
		     "the first GARP is sent before the groups go on");
	for (unsigned int g = 0; g < N; g++) {
		cr_expect_eq(gs->g[g].phase, XHB_GROUP_STARTED, "group %u", g);
		cr_expect_eq(gs->g[g].staged, 0u, "group %u no longer staged", g);
	}

	xhb_groups_batch_begin(gs);
	for (unsigned int g = 0; g < N; g++)
		xhb_groups_release(gs, g, XHB_REASON_STANDBY_REQUEST, xhb_now_ns());
	xhb_groups_batch_end(gs, xhb_now_ns());
	cr_expect_eq(xhb_nl__requests(gs->nl), sent,
		     "a staged release is a map write: no netlink request");
	cr_expect_eq(addresses_on_va(), N, "released: still configured, staged");
	cr_expect(xhb_gset_empty(&gs->held));
	cr_expect_eq(count_in("events.json", "\"vip_removed\""), N);
	cr_expect_eq(count_in("events.json", "\"vip_staged\""), 2 * N);
	for (unsigned int g = 0; g < N; g++)
		cr_expect_eq(gs->g[g].staged, 1u, "group %u staged again", g);

	xhb_groups_unstage_all(gs);
	cr_expect_eq(addresses_on_va(), 0, "unstaged: removed");
	cr_expect_eq(count_in("events.json", "\"vip_unstaged\""), N);
	for (unsigned int g = 0; g < N; g++)
		cr_expect_eq(gs->g[g].staged, 0u, "group %u", g);
}
