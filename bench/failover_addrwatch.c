// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * failover_addrwatch: who holds the VIP, as `ip addr` in each node's
 * network namespace says, polled every few milliseconds, for the failover
 * benchmark (bench/failover.sh). One netlink socket per namespace (made
 * inside it with setns, then used from here), one RTM_GETADDR dump per
 * node per poll: no fork per poll, so polling every 5 ms costs little.
 *
 *   failover_addrwatch --addr A.B.C.D --node NAME=NETNS[:PIN_DIR] (x2..4)
 *                      [--interval-us N] [--duration-ms N]
 *
 * PIN_DIR (xhb only): the directory of the node's pinned xhb maps. The node
 * then counts as holding the VIP only while the address is present AND its
 * XDP does not fence it (staged there by fenced_standby, or held and
 * xhb_self_fenced(): lease lapsed or unheard, as `xhbctl vips` says it).
 *
 * Prints one JSON object: the raw transitions (CLOCK_REALTIME ns, so the
 * driver can place them against the fault it injected with `date +%s%N`),
 * and per node the time it held the address, raw and effective.
 * Bounded: at most 600 s, and stops on SIGTERM/SIGINT (prints what it has).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <sys/socket.h>

#include "clock.h"
#include "xhb_maps.h"
#include "dataplane.h"

#define MAX_NODES 4
#define MAX_EVENTS 20000
#define MAX_DURATION_MS 600000

struct node {
	char name[32];
	char netns[64];
	char pin_dir[512];
	int fd; /* netlink socket inside the namespace */
	struct xhb_dataplane *dp; /* opened lazily: pins appear with the agent */
	bool present, fenced, known;
	uint64_t since_ns; /* realtime of the last change */
	uint64_t raw_ns, eff_ns; /* time held, raw and effective */
	unsigned int acquisitions; /* effective holder transitions to yes */
};

struct event {
	uint64_t t_ns;
	int node;
	bool present, fenced;
};

static volatile sig_atomic_t stop;
static struct event events[MAX_EVENTS];
static unsigned int nevents, dropped_events;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int netns_socket(const char *netns)
{
	char path[128];
	int self, target, fd = -1;

	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || target < 0 || setns(target, CLONE_NEWNET)) {
		fprintf(stderr, "addrwatch: enter %s: %s\n", path, strerror(errno));
		goto out;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (setns(self, CLONE_NEWNET)) {
		fprintf(stderr, "addrwatch: back to our netns: %s\n", strerror(errno));
		exit(1);
	}
out:
	if (self >= 0)
		close(self);
	if (target >= 0)
		close(target);
	return fd;
}

/* Is addr (network order) on any interface of the socket's namespace?
 * -1 when the dump failed. */
static int has_addr(int fd, __be32 addr)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
	} req = {
		.nh = {.nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETADDR,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
		.ifa = {.ifa_family = AF_INET},
	};
	static char buf[32768];
	int found = 0;

	if (send(fd, &req, sizeof(req), 0) < 0)
		return -1;
	for (int rounds = 0; rounds < 64; rounds++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (n < 0)
			return -1;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			struct ifaddrmsg *ifa;
			struct rtattr *rta;
			int len;

			if (nh->nlmsg_type == NLMSG_DONE)
				return found;
			if (nh->nlmsg_type == NLMSG_ERROR)
				return -1;
			if (nh->nlmsg_type != RTM_NEWADDR)
				continue;
			ifa = NLMSG_DATA(nh);
			len = IFA_PAYLOAD(nh);
			for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
				if ((rta->rta_type == IFA_LOCAL || rta->rta_type == IFA_ADDRESS) &&
				    RTA_PAYLOAD(rta) == 4 && !memcmp(RTA_DATA(rta), &addr, 4))
					found = 1;
		}
	}
	return -1;
}

/* As XDP decides it (and `xhbctl vips`): the VIP staged here
 * (fenced_standby), or held and xhb_self_fenced(). */
static bool is_fenced(struct node *nd, struct in_addr addr)
{
	struct xhb_self s;
	char why[256];

	if (!nd->pin_dir[0])
		return false;
	if (!nd->dp && dataplane__open_pinned(nd->pin_dir, &nd->dp, why, sizeof(why)))
		return false; /* no pins (yet, or any more): nothing fences */
	if (dataplane__vip_staged(nd->dp, AF_INET, &addr) == 1)
		return true;
	if (dataplane__read_self(nd->dp, &s))
		return false;
	return xhb_self_fenced(&s, xhb_now_ns());
}

static void usage(void)
{
	fprintf(stderr, "usage: failover_addrwatch --addr A.B.C.D --node NAME=NETNS[:PIN_DIR]... "
			"[--interval-us N] [--duration-ms N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"addr", required_argument, NULL, 'a'},
		{"node", required_argument, NULL, 'n'},
		{"interval-us", required_argument, NULL, 'i'},
		{"duration-ms", required_argument, NULL, 'd'},
		{0},
	};
	struct node nodes[MAX_NODES];
	int nnodes = 0, c;
	uint64_t interval_us = 5000, duration_ms = 60000, start, end, polls = 0, errors = 0;
	uint64_t both_raw_ns = 0, both_eff_ns = 0, last_poll = 0;
	int prev_raw = 0, prev_eff = 0;
	struct in_addr vip = {0};

	memset(nodes, 0, sizeof(nodes));
	while ((c = getopt_long(argc, argv, "a:n:i:d:", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (inet_pton(AF_INET, optarg, &vip) != 1)
				usage();
			break;
		case 'n': {
			struct node *nd = &nodes[nnodes];
			char *eq = strchr(optarg, '='), *colon;

			if (nnodes == MAX_NODES || !eq)
				usage();
			*eq = '\0';
			colon = strchr(eq + 1, ':');
			if (colon) {
				*colon = '\0';
				snprintf(nd->pin_dir, sizeof(nd->pin_dir), "%s", colon + 1);
			}
			snprintf(nd->name, sizeof(nd->name), "%s", optarg);
			snprintf(nd->netns, sizeof(nd->netns), "%s", eq + 1);
			nnodes++;
			break;
		}
		case 'i':
			interval_us = strtoull(optarg, NULL, 10);
			break;
		case 'd':
			duration_ms = strtoull(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (!vip.s_addr || nnodes < 1 || !interval_us || !duration_ms ||
	    duration_ms > MAX_DURATION_MS)
		usage();
	for (int i = 0; i < nnodes; i++) {
		nodes[i].fd = netns_socket(nodes[i].netns);
		if (nodes[i].fd < 0)
			return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	start = xhb_clock_ns(CLOCK_REALTIME);
	end = xhb_clock_ns(CLOCK_MONOTONIC) + duration_ms * 1000000ULL;
	while (!stop && xhb_clock_ns(CLOCK_MONOTONIC) < end) {
		uint64_t now = xhb_clock_ns(CLOCK_REALTIME);
		int raw_holders = 0, eff_holders = 0;

		for (int i = 0; i < nnodes; i++) {
			struct node *nd = &nodes[i];
			int r = has_addr(nd->fd, vip.s_addr);
			bool present = r > 0, fenced = present && is_fenced(nd, vip);

			if (r < 0)
				errors++;
			if (nd->known && last_poll) {
				/* the state seen at the last poll lasted until now */
				if (nd->present)
					nd->raw_ns += now - last_poll;
				if (nd->present && !nd->fenced)
					nd->eff_ns += now - last_poll;
			}
			if (!nd->known || present != nd->present || fenced != nd->fenced) {
				if (nd->known && present && !fenced && !(nd->present && !nd->fenced))
					nd->acquisitions++;
				nd->present = present;
				nd->fenced = fenced;
				nd->known = true;
				nd->since_ns = now;
				if (nevents < MAX_EVENTS)
					events[nevents++] = (struct event){now, i, present, fenced};
				else
					dropped_events++;
			}
			raw_holders += nd->present;
			eff_holders += nd->present && !nd->fenced;
		}
		/* the overlap seen at the last poll lasted until now */
		if (last_poll) {
			if (prev_raw > 1)
				both_raw_ns += now - last_poll;
			if (prev_eff > 1)
				both_eff_ns += now - last_poll;
		}
		prev_raw = raw_holders;
		prev_eff = eff_holders;
		last_poll = now;
		polls++;
		{
			struct timespec ts = {.tv_sec = interval_us / 1000000,
					      .tv_nsec = (interval_us % 1000000) * 1000};
			nanosleep(&ts, NULL);
		}
	}
	printf("{\"start_ns\":%llu,\"end_ns\":%llu,\"interval_us\":%llu,\"polls\":%llu,"
	       "\"errors\":%llu,\"both_raw_ms\":%.1f,\"both_effective_ms\":%.1f,\"nodes\":{",
	       (unsigned long long)start, (unsigned long long)xhb_clock_ns(CLOCK_REALTIME),
	       (unsigned long long)interval_us, (unsigned long long)polls,
	       (unsigned long long)errors, both_raw_ns / 1e6, both_eff_ns / 1e6);
	for (int i = 0; i < nnodes; i++)
		printf("%s\"%s\":{\"held_raw_ms\":%.1f,\"held_effective_ms\":%.1f,"
		       "\"acquisitions\":%u,\"fence_checked\":%s}",
		       i ? "," : "", nodes[i].name, nodes[i].raw_ns / 1e6, nodes[i].eff_ns / 1e6,
		       nodes[i].acquisitions, nodes[i].pin_dir[0] ? "true" : "false");
	printf("},\"dropped_events\":%u,\"events\":[", dropped_events);
	for (unsigned int e = 0; e < nevents; e++)
		printf("%s{\"t_ns\":%llu,\"node\":\"%s\",\"present\":%s,\"fenced\":%s}",
		       e ? "," : "", (unsigned long long)events[e].t_ns,
		       nodes[events[e].node].name, events[e].present ? "true" : "false",
		       events[e].fenced ? "true" : "false");
	printf("]}\n");
	for (int i = 0; i < nnodes; i++)
		dataplane__close(nodes[i].dp);
	return 0;
}
