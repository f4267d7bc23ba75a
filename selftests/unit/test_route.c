// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* user/route.c against the real kernel: the host routes of routing mode.
 *
 * Each test (its own process, as Criterion runs them) first moves into a
 * new, empty network namespace (only lo); `ip` run through system() acts
 * on it too, and everything vanishes with the process. Nothing touches
 * the host's.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "vip.h"

#define TABLE 100
#define PROTO 248

static void enter_netns(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		cr_skip_test("unshare(CLONE_NEWNET): %s (needs root)",
			     strerror(errno));
	cr_assert_eq(system("ip link set lo up"), 0);
}

/* `ip ... route show table 100` in the namespace, one line per route. */
static void routes(int family, char *out, size_t size)
{
	char cmd[128];
	size_t len = 0;
	FILE *pipe;

	snprintf(cmd, sizeof(cmd), "ip -%d route show table %d",
		 family == AF_INET ? 4 : 6, TABLE);
	pipe = popen(cmd, "r");
	cr_assert_not_null(pipe);
	while (len + 1 < size) {
		size_t got = fread(out + len, 1, size - 1 - len, pipe);

		if (!got)
			break;
		len += got;
	}
	out[len] = '\0';
	cr_assert_eq(pclose(pipe), 0, "`%s` failed", cmd);
}

/* A line of out says "metric M" (the whole number). */
static bool has_metric(const char *out, unsigned int m)
{
	char word[32];
	size_t n = (size_t)snprintf(word, sizeof(word), "metric %u", m);

	for (const char *p = strstr(out, word); p; p = strstr(p + 1, word))
		if (p[n] == ' ' || p[n] == '\n' || p[n] == '\0')
			return true;
	return false;
}

static struct xhb_route host_route(const char *addr, __u32 metric)
{
	struct xhb_route rt = {.ifindex = (int)if_nametoindex("lo"),
			       .table = TABLE,
			       .proto = PROTO,
			       .metric = metric};

	cr_assert_eq(xhb_ipaddr_parse(addr, &rt.dst), 0);
	cr_assert_gt(rt.ifindex, 0);
	return rt;
}

/* Added as `ip route` shows ours: a /32 or /128 on lo, our protocol, the
 * metric; twice is "there already"; two metrics are two routes; deleting
 * takes the one of its metric, and a deleted one is "gone already". */
static void add_del(const char *addr, int family, const char *shown)
{
	struct xhb_nl *nl;
	struct xhb_route rt = host_route(addr, 1000),
			 low = host_route(addr, 100);
	char out[1024], want[256];

	enter_netns();
	cr_assert_eq(xhb_nl__open(&nl), 0);
	cr_assert_eq(xhb_nl__route_add(nl, &rt), 0, "%s",
		     xhb_nl__last_error(nl));
	routes(family, out, sizeof(out));
	snprintf(want, sizeof(want), "%s metric 1000", shown);
	cr_expect(strstr(out, want), "table %d: '%s', want '%s'", TABLE, out,
		  want);
	cr_expect_eq(xhb_nl__route_add(nl, &rt), 1,
		     "added twice: not 'there already'");

	cr_assert_eq(xhb_nl__route_add(nl, &low), 0, "%s",
		     xhb_nl__last_error(nl));
	routes(family, out, sizeof(out));
	cr_expect(has_metric(out, 100) && has_metric(out, 1000),
		  "two metrics, two routes: '%s'", out);

	cr_expect_eq(xhb_nl__route_del(nl, &low), 0);
	routes(family, out, sizeof(out));
	cr_expect(!has_metric(out, 100) && has_metric(out, 1000),
		  "the metric 100 route alone should be gone: '%s'", out);
	cr_expect_eq(xhb_nl__route_del(nl, &low), 1,
		     "deleted twice: not 'gone already'");
	cr_expect_eq(xhb_nl__route_del(nl, &rt), 0);
	routes(family, out, sizeof(out));
	cr_expect(!strstr(out, addr), "table %d should be empty: '%s'", TABLE,
		  out);
	xhb_nl__close(nl);
}

Test(route, ipv4_host_route)
{
	add_del("10.77.0.30", AF_INET,
		"10.77.0.30 dev lo proto 248 scope link");
}

Test(route, ipv6_host_route)
{
	add_del("fd58::30", AF_INET6, "fd58::30 dev lo proto 248");
}

/* Another daemon's route for the same address (another protocol) is
 * left alone by our delete. */
Test(route, others_left_alone)
{
	struct xhb_nl *nl;
	struct xhb_route rt = host_route("10.77.0.30", 1000);
	char out[1024];

	enter_netns();
	cr_assert_eq(system("ip route add 10.77.0.30/32 dev lo table 100 proto "
			    "static metric 1000"),
		     0);
	cr_assert_eq(xhb_nl__open(&nl), 0);
	cr_expect_eq(xhb_nl__route_del(nl, &rt), 1,
		     "ours is not there: 'gone already'");
	routes(AF_INET, out, sizeof(out));
	cr_expect(strstr(out, "proto static"), "the static route went: '%s'",
		  out);
	xhb_nl__close(nl);
}

/* A table above 255 only fits RTA_TABLE. */
Test(route, large_table)
{
	struct xhb_nl *nl;
	struct xhb_route rt = host_route("10.77.0.30", 7);
	char out[1024];
	FILE *pipe;
	size_t len;

	enter_netns();
	rt.table = 70000;
	cr_assert_eq(xhb_nl__open(&nl), 0);
	cr_assert_eq(xhb_nl__route_add(nl, &rt), 0, "%s",
		     xhb_nl__last_error(nl));
	pipe = popen("ip -4 route show table 70000", "r");
	cr_assert_not_null(pipe);
	len = fread(out, 1, sizeof(out) - 1, pipe);
	out[len] = '\0';
	pclose(pipe);
	cr_expect(strstr(out, "10.77.0.30 dev lo proto 248"),
		  "table 70000: '%s'", out);
	xhb_nl__close(nl);
}
