// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* user/vip.c and user/announce.c against the real kernel.
 *
 * Criterion runs each test in its own process; each test first moves
 * that process into a new, empty network namespace (only `lo`, no route
 * anywhere), builds a veth pair there, and everything it made vanishes
 * with the process, whether the test passed or not. `ip` run through
 * system() acts on that namespace too. Nothing touches the host's.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/types.h>

#include "clock.h"
#include "announce.h"
#include "vip.h"

/* Fixed MACs, so frames are checked against literals rather than
 * against what the code under test read from the kernel. */
#define MAC_A "02:58:00:00:00:0a"
#define MAC_B "02:58:00:00:00:0b"
static const __u8 mac_a[ETH_ALEN] = {0x02, 0x58, 0, 0, 0, 0x0a};

/* Addresses from private ranges; traffic never leaves the namespace. */
#define VIP4 "10.77.0.30"
#define VIP6 "fd58::30"

/* Bounds on every wait: events and frames arrive in microseconds, but
 * the kernel's linkwatch may delay an operstate change by up to 1 s. */
#define WAIT_MS 3000
#define POLL_SLICE_MS 100
#define MAX_FRAMES_READ 200

static void enter_netns(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		cr_skip_test("unshare(CLONE_NEWNET): %s (needs root)",
			     strerror(errno));
	cr_assert_eq(system("ip link set lo up"), 0);
}

static void sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	status = system(cmd);
	cr_assert_eq(status, 0, "`%s` exited %d", cmd, status);
}

/* Output of a command, NUL-terminated, truncated to size. */
static void sh_output(char *out, size_t size, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	size_t len = 0;
	FILE *pipe;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	pipe = popen(cmd, "r");
	cr_assert_not_null(pipe, "popen `%s`", cmd);
	while (len + 1 < size) {
		size_t got = fread(out + len, 1, size - 1 - len, pipe);

		if (!got)
			break;
		len += got;
	}
	out[len] = '\0';
	cr_assert_eq(pclose(pipe), 0, "`%s` failed", cmd);
}

/* va (MAC_A) <-> vb (MAC_B), both up. */
/* A veth pair, both ends up and usable before anything looks at them: the
 * carrier comes up through the kernel's linkwatch, which may report it
 * late (a link monitor opened before it would see a link-up event). */
static void make_veth(void)
{
	long long deadline = (long long)(xhb_mono_ns() / XHB_NS_PER_MS) + WAIT_MS;
	char a[512], b[512];

	sh("ip link add va address " MAC_A
	   " type veth peer name vb address " MAC_B);
	sh("ip link set va up && ip link set vb up");
	for (;;) {
		sh_output(a, sizeof(a), "ip -o link show dev va");
		sh_output(b, sizeof(b), "ip -o link show dev vb");
		if (strstr(a, "state UP") && strstr(b, "state UP"))
			return;
		cr_assert_lt((long long)(xhb_mono_ns() / XHB_NS_PER_MS), deadline,
			     "veth pair not usable within %d ms: %s / %s",
			     WAIT_MS, a, b);
		poll(NULL, 0, 10);
	}
}

static struct xhb_ipaddr ip(const char *text)
{
	struct xhb_ipaddr addr;

	cr_assert_eq(xhb_ipaddr_parse(text, &addr), 0, "parse %s", text);
	return addr;
}

static struct xhb_nl *nl_open(void)
{
	struct xhb_nl *nl;
	int ret = xhb_nl__open(&nl);

	cr_assert_eq(ret, 0, "xhb_nl__open: %s", strerror(-ret));
	return nl;
}

static int ifindex(struct xhb_nl *nl, const char *name)
{
	int index = xhb_nl__ifindex(nl, name);

	cr_assert_gt(index, 0, "ifindex of %s: %s", name, strerror(-index));
	cr_assert_eq((unsigned int)index, if_nametoindex(name));
	return index;
}

/* ---- addresses ---------------------------------------------------------- */

Test(vip, ipv4_with_label_add_and_delete, .timeout = 20)
{
	struct xhb_addr_info info;
	struct xhb_nl *nl;
	struct xhb_vip vip;
	char out[4096];
	int index;

	enter_netns();
	make_veth();
	nl = nl_open();
	index = ifindex(nl, "va");
	vip = (struct xhb_vip){
	    .addr = ip(VIP4),
	    .prefixlen = 16,
	    .ifindex = index,
	    .label = "va:0",
	};
	vip.broadcast = xhb_ipv4_broadcast(vip.addr.v4, vip.prefixlen);

	cr_assert_eq(xhb_nl__addr_add(nl, &vip), 0, "add: %s",
		     xhb_nl__last_error(nl));

	/* Seen by a netlink dump... */
	cr_assert_eq(xhb_nl__addr_find(nl, index, &vip.addr, &info), 1);
	cr_expect_eq(info.ifindex, index);
	cr_expect_eq(info.prefixlen, 16);
	cr_expect_str_eq(info.label, "va:0");
	cr_expect_eq(info.proto, XHB_IFA_PROTO, "proto %#x", info.proto);
	cr_expect_eq(info.scope, 0 /* RT_SCOPE_UNIVERSE */);
	cr_assert_eq(xhb_nl__addr_find(nl, 0, &vip.addr, NULL), 1,
		     "found on any interface");
	cr_assert_eq(xhb_nl__addr_find(nl, ifindex(nl, "vb"), &vip.addr, NULL),
		     0, "not on vb");

	/* ...and by ip(8), as an administrator would look. */
	sh_output(out, sizeof(out), "ip -o -4 addr show dev va");
	cr_expect(strstr(out, "inet " VIP4 "/16 brd 10.77.255.255") != NULL,
		  "ip addr: %s", out);
	cr_expect(strstr(out, " va:0") != NULL, "label in: %s", out);
	/* iproute2 >= 6.2 prints the tag ("proto 0x58", or a name given in
	 * rt_addrprotos); older ones drop it, and the dump above checked it. */
	if (strstr(out, " proto "))
		cr_expect(strstr(out, " proto 0x58 ") ||
			      strstr(out, " proto xhb "),
			  "proto tag in: %s", out);
	else
		cr_log_info("this ip(8) does not print IFA_PROTO: %s", out);

	cr_assert_eq(xhb_nl__addr_del(nl, &vip), 0, "del: %s",
		     xhb_nl__last_error(nl));
	cr_assert_eq(xhb_nl__addr_find(nl, index, &vip.addr, NULL), 0);
	sh_output(out, sizeof(out), "ip -o -4 addr show dev va");
	cr_expect(strstr(out, VIP4) == NULL, "still there: %s", out);
	xhb_nl__close(nl);
}

/* fenced_standby's IPv6 VIPs (xhb_vip.deprecated): never the node's own
 * source address. Control: one added preferred, after the node's own
 * address of the prefix, wins the tie and becomes the source (a staged
 * one would: tc egress then drops what the node sends from it). */
Test(vip, ipv6_deprecated_is_never_the_source, .timeout = 20)
{
	struct xhb_nl *nl;
	struct xhb_vip vip;
	char out[4096];

	enter_netns();
	make_veth();
	nl = nl_open();
	sh("ip -6 addr add fd58::99/64 dev va nodad");
	vip = (struct xhb_vip){.addr = ip("fd58::31"),
			       .prefixlen = 64,
			       .ifindex = ifindex(nl, "va")};
	cr_assert_eq(xhb_nl__addr_add(nl, &vip), 0, "add: %s",
		     xhb_nl__last_error(nl));
	sh_output(out, sizeof(out), "ip -6 route get fd58::1");
	cr_assert(strstr(out, "src fd58::31 "),
		  "control: a preferred VIP is not the source here: %s", out);
	cr_assert_eq(xhb_nl__addr_del(nl, &vip), 0);

	vip.addr = ip(VIP6);
	vip.deprecated = true;
	cr_assert_eq(xhb_nl__addr_add(nl, &vip), 0, "add: %s",
		     xhb_nl__last_error(nl));
	sh_output(out, sizeof(out), "ip -o -6 addr show dev va to " VIP6);
	cr_expect(strstr(out, "deprecated") && strstr(out, "nodad"),
		  "not deprecated or not nodad: %s", out);
	cr_expect(strstr(out, "valid_lft forever"), "valid for ever: %s", out);
	sh_output(out, sizeof(out), "ip -6 route get fd58::1");
	cr_expect(strstr(out, "src fd58::99 "), "the VIP is the source: %s", out);
	xhb_nl__close(nl);
}

Test(vip, ipv6_is_usable_at_once_without_dad, .timeout = 20)
{
	struct xhb_addr_info info;
	struct xhb_nl *nl;
	struct xhb_vip vip;
	char out[4096];

	enter_netns();
	make_veth();
	nl = nl_open();
	vip = (struct xhb_vip){
	    .addr = ip(VIP6), .prefixlen = 64, .ifindex = ifindex(nl, "va")};

	/* Control: an address added the usual way starts tentative here,
	 * so the test below could see DAD if the code let it happen. */
	sh("ip -6 addr add fd58::99/64 dev va");
	sh_output(out, sizeof(out), "ip -o -6 addr show dev va to fd58::99");
	cr_assert(strstr(out, "tentative") != NULL,
		  "DAD is off in this namespace, control: %s", out);

	cr_assert_eq(xhb_nl__addr_add(nl, &vip), 0, "add: %s",
		     xhb_nl__last_error(nl));
	sh_output(out, sizeof(out), "ip -o -6 addr show dev va to " VIP6);
	cr_assert(strstr(out, VIP6 "/64") != NULL, "ip addr: %s", out);
	cr_expect(strstr(out, "tentative") == NULL, "tentative: %s", out);
	cr_expect(strstr(out, "nodad") != NULL, "no nodad flag: %s", out);
	cr_assert_eq(xhb_nl__addr_find(nl, vip.ifindex, &vip.addr, &info), 1);
	cr_expect(info.flags & IFA_F_NODAD, "flags %#x", info.flags);
	cr_expect(!(info.flags & IFA_F_TENTATIVE), "flags %#x", info.flags);
	cr_expect_eq(info.proto, XHB_IFA_PROTO);

	/* A label is IPv4's; refused before anything is sent. */
	vip.label = "va:6";
	cr_expect_eq(xhb_nl__addr_add(nl, &vip), -EINVAL);
	vip.label = NULL;

	cr_assert_eq(xhb_nl__addr_del(nl, &vip), 0);
	cr_assert_eq(xhb_nl__addr_find(nl, vip.ifindex, &vip.addr, NULL), 0);
	xhb_nl__close(nl);
}

static int count_lines_with(const char *text, const char *needle)
{
	int count = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		count++;
	return count;
}

Test(vip, add_and_delete_are_idempotent, .timeout = 20)
{
	const char *vips[] = {VIP4, VIP6};
	struct xhb_nl *nl;
	char out[4096];

	enter_netns();
	make_veth();
	nl = nl_open();
	for (size_t i = 0; i < sizeof(vips) / sizeof(vips[0]); i++) {
		struct xhb_vip vip = {
		    .addr = ip(vips[i]),
		    .ifindex = ifindex(nl, "va"),
		};

		vip.prefixlen = vip.addr.family == AF_INET ? 16 : 64;
		cr_assert_eq(xhb_nl__vip_add(nl, &vip), 0, "%s", vips[i]);
		cr_assert_eq(xhb_nl__vip_add(nl, &vip), 0, "%s again", vips[i]);
		cr_expect_eq(xhb_nl__addr_add(nl, &vip), -EEXIST,
			     "strict add of %s", vips[i]);
		sh_output(out, sizeof(out), "ip -o addr show dev va");
		cr_expect_eq(count_lines_with(out, vips[i]), 1, "%s once: %s",
			     vips[i], out);

		cr_assert_eq(xhb_nl__vip_del(nl, &vip), 0, "del %s", vips[i]);
		cr_assert_eq(xhb_nl__vip_del(nl, &vip), 0, "del %s again",
			     vips[i]);
		cr_expect_eq(xhb_nl__addr_del(nl, &vip), -EADDRNOTAVAIL,
			     "strict del of %s", vips[i]);
		cr_expect_eq(xhb_nl__addr_find(nl, 0, &vip.addr, NULL), 0);
	}
	xhb_nl__close(nl);
}

Test(vip, unknown_interface_is_an_error_without_side_effects, .timeout = 20)
{
	struct xhb_nl *nl;
	struct xhb_vip vip;
	struct xhb_link_state state;
	char before[4096], after[4096];

	enter_netns();
	make_veth();
	nl = nl_open();
	sh_output(before, sizeof(before), "ip -o addr show");

	cr_expect_eq(xhb_nl__ifindex(nl, "nosuch0"), -ENODEV);
	cr_expect_eq(xhb_nl__ifindex(nl, "a-name-far-too-long-for-linux"),
		     -ENODEV);
	cr_expect_eq(xhb_nl__link_state(nl, 9999, &state), -ENODEV);

	vip = (struct xhb_vip){
	    .addr = ip(VIP4), .prefixlen = 16, .ifindex = 9999};
	cr_expect_eq(xhb_nl__addr_add(nl, &vip), -ENODEV);
	cr_expect_eq(xhb_nl__vip_add(nl, &vip), -ENODEV);
	cr_expect_eq(xhb_nl__vip_del(nl, &vip), -ENODEV);
	vip.addr = ip(VIP6);
	vip.prefixlen = 64;
	cr_expect_eq(xhb_nl__addr_add(nl, &vip), -ENODEV);

	/* Bad arguments are refused before the kernel sees them. */
	vip.ifindex = ifindex(nl, "va");
	vip.prefixlen = 129;
	cr_expect_eq(xhb_nl__addr_add(nl, &vip), -EINVAL);
	vip.addr = ip(VIP4);
	vip.prefixlen = 16;
	vip.label = "va:a-label-too-long";
	cr_expect_eq(xhb_nl__addr_add(nl, &vip), -EINVAL);
	vip.label = NULL;
	vip.addr.family = AF_UNIX;
	cr_expect_eq(xhb_nl__addr_add(nl, &vip), -EAFNOSUPPORT);

	sh_output(after, sizeof(after), "ip -o addr show");
	cr_expect_str_eq(after, before, "addresses changed");
	vip.addr = ip(VIP4);
	cr_expect_eq(xhb_nl__addr_find(nl, 0, &vip.addr, NULL), 0);
	xhb_nl__close(nl);
}

Test(vip, interface_found_by_connected_subnet, .timeout = 20)
{
	struct xhb_nl *nl;
	struct xhb_ipaddr addr;
	unsigned int prefixlen = 0;
	int va, vb;

	enter_netns();
	make_veth();
	sh("ip addr add 10.77.0.10/16 dev va");
	sh("ip addr add 10.88.1.1/24 dev vb");
	sh("ip addr add 10.77.5.1/24 dev vb"); /* a longer prefix inside */
	sh("ip -6 addr add fd58::10/64 dev va nodad");
	nl = nl_open();
	va = ifindex(nl, "va");
	vb = ifindex(nl, "vb");

	addr = ip(VIP4);
	cr_expect_eq(xhb_nl__ifindex_for_addr(nl, &addr, &prefixlen), va);
	cr_expect_eq(prefixlen, 16);
	addr = ip("10.88.1.200");
	cr_expect_eq(xhb_nl__ifindex_for_addr(nl, &addr, &prefixlen), vb);
	cr_expect_eq(prefixlen, 24);
	addr = ip("10.77.5.9");
	cr_expect_eq(xhb_nl__ifindex_for_addr(nl, &addr, &prefixlen), vb,
		     "longest prefix wins");
	cr_expect_eq(prefixlen, 24);
	addr = ip(VIP6);
	cr_expect_eq(xhb_nl__ifindex_for_addr(nl, &addr, &prefixlen), va);
	cr_expect_eq(prefixlen, 64);

	addr = ip("10.99.0.1");
	cr_expect_eq(xhb_nl__ifindex_for_addr(nl, &addr, NULL), -ENOENT);
	addr = ip("127.0.0.2"); /* lo's 127/8 is host scope, not a subnet */
	cr_expect_eq(xhb_nl__ifindex_for_addr(nl, &addr, NULL), -ENOENT);
	addr = ip("fd59::1");
	cr_expect_eq(xhb_nl__ifindex_for_addr(nl, &addr, NULL), -ENOENT);
	xhb_nl__close(nl);
}

Test(vip, link_state_follows_carrier, .timeout = 20)
{
	struct xhb_link_state state;
	struct xhb_nl *nl;
	int va;

	enter_netns();
	make_veth();
	nl = nl_open();
	va = ifindex(nl, "va");
	cr_assert_eq(xhb_nl__link_state(nl, va, &state), 0);
	cr_expect_str_eq(state.name, "va");
	cr_expect(state.usable);
	cr_expect(state.flags & IFF_UP);
	cr_expect_eq(state.carrier, 1);
	cr_expect_eq(state.mac_len, ETH_ALEN);
	cr_expect_arr_eq(state.mac, mac_a, ETH_ALEN);

	/* va stays admin up, but its peer going down takes its carrier. */
	sh("ip link set vb down");
	cr_assert_eq(xhb_nl__link_state(nl, va, &state), 0);
	cr_expect(state.flags & IFF_UP);
	cr_expect_eq(state.carrier, 0);
	cr_expect(!(state.flags & IFF_RUNNING), "flags %#x", state.flags);
	cr_expect(!state.usable);
	xhb_nl__close(nl);
}

/* ---- monitoring --------------------------------------------------------- */

#define MAX_EVENTS 64

struct events {
	struct xhb_nl_event list[MAX_EVENTS];
	int count;
};

static void record_event(const struct xhb_nl_event *event, void *ctx)
{
	struct events *events = ctx;

	if (events->count < MAX_EVENTS)
		events->list[events->count++] = *event;
}

static const struct xhb_nl_event *find_event(const struct events *events,
					     enum xhb_nl_event_type type,
					     int ifindex,
					     const struct xhb_ipaddr *addr)
{
	for (int i = 0; i < events->count; i++) {
		const struct xhb_nl_event *event = &events->list[i];

		if (event->type != type || event->ifindex != ifindex)
			continue;
		if (addr && (event->addr.family != addr->family ||
			     memcmp(&event->addr.v6, &addr->v6,
				    addr->family == AF_INET ? 4 : 16)))
			continue;
		return event;
	}
	return NULL;
}

/* poll() and drain until the event shows up or WAIT_MS pass. */
static const struct xhb_nl_event *wait_event(struct xhb_nlmon *mon,
					     struct events *events,
					     enum xhb_nl_event_type type,
					     int ifindex,
					     const struct xhb_ipaddr *addr)
{
	long long deadline = (long long)(xhb_mono_ns() / XHB_NS_PER_MS) + WAIT_MS;
	const struct xhb_nl_event *event;

	while (!(event = find_event(events, type, ifindex, addr)) &&
	       (long long)(xhb_mono_ns() / XHB_NS_PER_MS) < deadline) {
		struct pollfd pfd = {.fd = xhb_nlmon__fd(mon),
				     .events = POLLIN};
		int ret;

		if (poll(&pfd, 1, POLL_SLICE_MS) <= 0)
			continue;
		ret = xhb_nlmon__drain(mon, record_event, events);
		cr_assert_geq(ret, 0, "drain: %s", strerror(-ret));
	}
	return event;
}

Test(vip, monitor_reports_link_down_and_up, .timeout = 30)
{
	const struct xhb_nl_event *event;
	struct events events = {0};
	struct xhb_nlmon *mon;
	struct xhb_nl *nl;
	int va, vb;

	enter_netns();
	make_veth();
	nl = nl_open();
	va = ifindex(nl, "va");
	vb = ifindex(nl, "vb");
	cr_assert_eq(xhb_nlmon__open(&mon), 0);

	/* Nothing changed yet: no link event. */
	cr_assert_geq(xhb_nlmon__drain(mon, record_event, &events), 0);
	cr_expect_null(find_event(&events, XHB_NL_LINK_DOWN, va, NULL));

	sh("ip link set va down");
	event = wait_event(mon, &events, XHB_NL_LINK_DOWN, va, NULL);
	cr_assert_not_null(event, "no link-down event for va");
	cr_expect_str_eq(event->ifname, "va");
	cr_expect(!event->link.usable);
	/* The peer lost its carrier: down too, though admin up. */
	event = wait_event(mon, &events, XHB_NL_LINK_DOWN, vb, NULL);
	cr_assert_not_null(event, "no link-down event for vb");
	cr_expect(event->link.flags & IFF_UP);
	cr_expect_null(find_event(&events, XHB_NL_LINK_UP, va, NULL));

	sh("ip link set va up");
	event = wait_event(mon, &events, XHB_NL_LINK_UP, va, NULL);
	cr_assert_not_null(event, "no link-up event for va");
	cr_expect(event->link.usable);

	events.count = 0;
	sh("ip link del va");
	cr_expect_not_null(wait_event(mon, &events, XHB_NL_LINK_DOWN, va, NULL),
			   "deleting a usable link is a link-down event");
	xhb_nlmon__close(mon);
	xhb_nl__close(nl);
}

Test(vip, monitor_reports_address_removed_by_hand, .timeout = 30)
{
	const struct xhb_nl_event *event;
	struct events events = {0};
	struct xhb_nlmon *mon;
	struct xhb_nl *nl;
	struct xhb_vip vip4, vip6;

	enter_netns();
	make_veth();
	nl = nl_open();
	cr_assert_eq(xhb_nlmon__open(&mon), 0);
	vip4 = (struct xhb_vip){.addr = ip(VIP4),
				.prefixlen = 16,
				.ifindex = ifindex(nl, "va"),
				.label = "va:0"};
	vip6 = (struct xhb_vip){
	    .addr = ip(VIP6), .prefixlen = 64, .ifindex = vip4.ifindex};
	cr_assert_eq(xhb_nl__vip_add(nl, &vip4), 0);
	cr_assert_eq(xhb_nl__vip_add(nl, &vip6), 0);
	event = wait_event(mon, &events, XHB_NL_ADDR_ADDED, vip4.ifindex,
			   &vip4.addr);
	cr_assert_not_null(event, "no address-added event");
	cr_expect_eq(event->info.proto, XHB_IFA_PROTO);

	sh("ip addr del " VIP4 "/16 dev va");
	event = wait_event(mon, &events, XHB_NL_ADDR_REMOVED, vip4.ifindex,
			   &vip4.addr);
	cr_assert_not_null(event, "no address-removed event for " VIP4);
	cr_expect_eq(event->info.prefixlen, 16);
	cr_expect_str_eq(event->info.label, "va:0");
	cr_expect_eq(event->info.proto, XHB_IFA_PROTO, "ours, by its tag");

	sh("ip -6 addr del " VIP6 "/64 dev va");
	event = wait_event(mon, &events, XHB_NL_ADDR_REMOVED, vip6.ifindex,
			   &vip6.addr);
	cr_assert_not_null(event, "no address-removed event for " VIP6);
	cr_expect_eq(event->info.proto, XHB_IFA_PROTO);
	xhb_nlmon__close(mon);
	xhb_nl__close(nl);
}

/* ---- announcements ------------------------------------------------------ */

/* A socket that sees what arrives on ifname, bound before sending. */
static int capture_open(const char *ifname, __u16 ethertype)
{
	struct timeval timeout = {.tv_usec = POLL_SLICE_MS * 1000};
	struct sockaddr_ll at = {
	    .sll_family = AF_PACKET,
	    .sll_protocol = htons(ethertype),
	    .sll_ifindex = (int)if_nametoindex(ifname),
	};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ethertype));

	cr_assert_geq(fd, 0, "capture socket: %s", strerror(errno));
	cr_assert_eq(bind(fd, (struct sockaddr *)&at, sizeof(at)), 0);
	cr_assert_eq(
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)),
	    0);
	return fd;
}

typedef bool (*frame_match_fn)(const __u8 *frame, size_t len);

/* The first frame arriving on the capture's interface that match()
 * accepts; its length, or 0 when none came within WAIT_MS. */
static size_t capture_frame(int fd, const char *ifname, frame_match_fn match,
			    __u8 *frame, size_t size)
{
	long long deadline = (long long)(xhb_mono_ns() / XHB_NS_PER_MS) + WAIT_MS;
	int want = (int)if_nametoindex(ifname);

	for (int i = 0; i < MAX_FRAMES_READ && (long long)(xhb_mono_ns() / XHB_NS_PER_MS) < deadline; i++) {
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);
		ssize_t len = recvfrom(fd, frame, size, 0,
				       (struct sockaddr *)&from, &fromlen);

		if (len <= 0)
			continue;
		if (from.sll_ifindex != want ||
		    from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (match(frame, (size_t)len))
			return (size_t)len;
	}
	return 0;
}

static __u16 be16_at(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

/* Ethernet 0..13; ARP: htype 14, ptype 16, hlen 18, plen 19, op 20,
 * sha 22, spa 28, tha 32, tpa 38 (RFC 826 for Ethernet/IPv4). */
static bool is_arp_for_vip(const __u8 *frame, size_t len)
{
	struct in_addr vip;

	inet_pton(AF_INET, VIP4, &vip);
	return len >= 42 && be16_at(frame + 12) == 0x0806 &&
	       !memcmp(frame + 38, &vip, 4);
}

static void expect_garp(const __u8 *frame, size_t len, __u16 op,
			const __u8 tha[ETH_ALEN])
{
	static const __u8 broadcast[ETH_ALEN] = {0xff, 0xff, 0xff,
						 0xff, 0xff, 0xff};
	struct in_addr vip;

	inet_pton(AF_INET, VIP4, &vip);
	cr_assert_geq(len, 42);
	cr_expect_arr_eq(frame, broadcast, ETH_ALEN, "dst not broadcast");
	cr_expect_arr_eq(frame + 6, mac_a, ETH_ALEN, "src not va's MAC");
	cr_expect_eq(be16_at(frame + 12), 0x0806, "ethertype");
	cr_expect_eq(be16_at(frame + 14), 1, "htype Ethernet");
	cr_expect_eq(be16_at(frame + 16), 0x0800, "ptype IPv4");
	cr_expect_eq(frame[18], 6);
	cr_expect_eq(frame[19], 4);
	cr_expect_eq(be16_at(frame + 20), op, "op");
	cr_expect_arr_eq(frame + 22, mac_a, ETH_ALEN, "sender MAC");
	cr_expect_arr_eq(frame + 28, &vip, 4, "sender IP");
	cr_expect_arr_eq(frame + 32, tha, ETH_ALEN, "target MAC");
	cr_expect_arr_eq(frame + 38, &vip, 4, "target IP");
}

static struct xhb_announce *announce_open(void)
{
	struct xhb_announce *ann;
	int ret = xhb_announce__open(&ann);

	cr_assert_eq(ret, 0, "xhb_announce__open: %s", strerror(-ret));
	return ann;
}

Test(announce, garp_request_goes_out, .timeout = 20)
{
	static const __u8 zero[ETH_ALEN];
	struct xhb_announce *ann;
	struct xhb_ipaddr vip;
	__u8 frame[1600];
	char out[1024];
	size_t len;
	int fd;

	enter_netns();
	make_veth();
	/* vb knows the VIP at another MAC, as clients knew the old owner. */
	sh("ip addr add 10.77.0.2/16 dev vb");
	sh("ip neigh replace " VIP4
	   " lladdr 02:58:00:00:00:99 dev vb nud stale");
	fd = capture_open("vb", ETH_P_ARP);
	ann = announce_open();
	vip = ip(VIP4);

	cr_assert_eq(xhb_announce__garp(ann, (int)if_nametoindex("va"), vip.v4,
					XHB_GARP_REQUEST),
		     0);
	len = capture_frame(fd, "vb", is_arp_for_vip, frame, sizeof(frame));
	cr_assert_gt(len, 0, "no gratuitous ARP arrived on vb");
	expect_garp(frame, len, 1 /* request */, zero);

	/* And the peer's kernel took it: its entry now points at va. */
	sh_output(out, sizeof(out), "ip neigh show " VIP4 " dev vb");
	cr_expect(strstr(out, MAC_A) != NULL, "vb's neighbour entry: %s", out);
	xhb_announce__close(ann);
	close(fd);
}

Test(announce, garp_reply_form_goes_out, .timeout = 20)
{
	struct xhb_announce *ann;
	struct xhb_ipaddr vip;
	__u8 frame[1600];
	size_t len;
	int fd;

	enter_netns();
	make_veth();
	fd = capture_open("vb", ETH_P_ARP);
	ann = announce_open();
	vip = ip(VIP4);
	cr_assert_eq(xhb_announce__garp(ann, (int)if_nametoindex("va"), vip.v4,
					XHB_GARP_REPLY),
		     0);
	len = capture_frame(fd, "vb", is_arp_for_vip, frame, sizeof(frame));
	cr_assert_gt(len, 0, "no ARP reply arrived on vb");
	expect_garp(frame, len, 2 /* reply */, mac_a);
	xhb_announce__close(ann);
	close(fd);
}

/* Ethernet 0..13, IPv6 14..53, ICMPv6 54.. */
#define IP6_OFF 14
#define ICMP6_OFF (IP6_OFF + 40)

static bool is_na_for_vip(const __u8 *frame, size_t len)
{
	struct in6_addr vip;

	inet_pton(AF_INET6, VIP6, &vip);
	return len >= ICMP6_OFF + 24 && be16_at(frame + 12) == 0x86dd &&
	       frame[IP6_OFF + 6] == 58 /* ICMPv6 */ &&
	       frame[ICMP6_OFF] == 136 &&
	       !memcmp(frame + ICMP6_OFF + 8, &vip, 16);
}

/* RFC 1071 the other way round from user/announce.c: native-order 16-bit
 * words of pseudo-header and message, checksum field included; a right
 * checksum makes the folded sum all ones. */
static bool icmp6_checksum_ok(const __u8 *ip6, const __u8 *icmp,
			      size_t icmp_len)
{
	__u16 words[(16 + 16 + 8 + 128) / 2] = {0};
	__u8 *bytes = (__u8 *)words;
	__u64 sum = 0;

	if (icmp_len > 128)
		return false;
	memcpy(bytes, ip6 + 8, 32); /* source and destination */
	bytes[32] = (__u8)(icmp_len >> 24);
	bytes[33] = (__u8)(icmp_len >> 16);
	bytes[34] = (__u8)(icmp_len >> 8);
	bytes[35] = (__u8)icmp_len;
	bytes[39] = 58;
	memcpy(bytes + 40, icmp, icmp_len);
	for (size_t i = 0; i < (40 + icmp_len + 1) / 2; i++)
		sum += words[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static void expect_na(const __u8 *frame, size_t len, bool router)
{
	static const __u8 all_nodes_mac[ETH_ALEN] = {0x33, 0x33, 0, 0, 0, 1};
	struct in6_addr vip, all_nodes;
	const __u8 *icmp = frame + ICMP6_OFF;

	inet_pton(AF_INET6, VIP6, &vip);
	inet_pton(AF_INET6, "ff02::1", &all_nodes);
	cr_assert_geq(len, ICMP6_OFF + 32);
	cr_expect_arr_eq(frame, all_nodes_mac, ETH_ALEN,
			 "dst 33:33:00:00:00:01");
	cr_expect_arr_eq(frame + 6, mac_a, ETH_ALEN, "src not va's MAC");
	cr_expect_eq(be16_at(frame + 12), 0x86dd);
	cr_expect_eq(frame[IP6_OFF] >> 4, 6, "IP version");
	cr_expect_eq(be16_at(frame + IP6_OFF + 4), 32, "payload length");
	cr_expect_eq(frame[IP6_OFF + 6], 58, "next header ICMPv6");
	cr_expect_eq(frame[IP6_OFF + 7], 255, "hop limit");
	cr_expect_arr_eq(frame + IP6_OFF + 8, &vip, 16, "source = VIP");
	cr_expect_arr_eq(frame + IP6_OFF + 24, &all_nodes, 16, "dst ff02::1");
	cr_expect_eq(icmp[0], 136, "type NA");
	cr_expect_eq(icmp[1], 0, "code");
	cr_expect(icmp[4] & 0x20, "Override flag");
	cr_expect(!(icmp[4] & 0x40), "Solicited flag set on unsolicited NA");
	cr_expect_eq(!!(icmp[4] & 0x80), router, "Router flag");
	cr_expect_arr_eq(icmp + 8, &vip, 16, "target = VIP");
	cr_expect_eq(icmp[24], 2, "option: target link-layer address");
	cr_expect_eq(icmp[25], 1, "option length in 8-octet units");
	cr_expect_arr_eq(icmp + 26, mac_a, ETH_ALEN, "option MAC");
	cr_expect(icmp6_checksum_ok(frame + IP6_OFF, icmp,
				    be16_at(frame + IP6_OFF + 4)),
		  "ICMPv6 checksum %02x%02x wrong", icmp[2], icmp[3]);
}

Test(announce, unsolicited_na_goes_out, .timeout = 20)
{
	struct xhb_announce *ann;
	struct xhb_ipaddr vip;
	__u8 frame[1600];
	char out[1024];
	size_t len;
	int fd;

	enter_netns();
	make_veth();
	sh("ip -6 neigh replace " VIP6
	   " lladdr 02:58:00:00:00:99 dev vb nud stale");
	fd = capture_open("vb", ETH_P_IPV6);
	ann = announce_open();
	vip = ip(VIP6);
	cr_assert_eq(xhb_announce__na(ann, (int)if_nametoindex("va"), &vip.v6),
		     0);
	len = capture_frame(fd, "vb", is_na_for_vip, frame, sizeof(frame));
	cr_assert_gt(len, 0, "no Neighbor Advertisement arrived on vb");
	expect_na(frame, len, false);

	/* The peer's kernel (hop limit, checksum, override) accepted it. */
	sh_output(out, sizeof(out), "ip -6 neigh show " VIP6 " dev vb");
	cr_expect(strstr(out, MAC_A) != NULL, "vb's neighbour entry: %s", out);
	xhb_announce__close(ann);
	close(fd);
}

Test(announce, na_sets_router_flag_when_forwarding, .timeout = 20)
{
	struct xhb_announce *ann;
	struct xhb_ipaddr vip;
	__u8 frame[1600];
	size_t len;
	int fd;

	enter_netns();
	make_veth();
	sh("echo 1 > /proc/sys/net/ipv6/conf/va/forwarding");
	fd = capture_open("vb", ETH_P_IPV6);
	ann = announce_open();
	vip = ip(VIP6);
	cr_assert_eq(xhb_announce__na(ann, (int)if_nametoindex("va"), &vip.v6),
		     0);
	len = capture_frame(fd, "vb", is_na_for_vip, frame, sizeof(frame));
	cr_assert_gt(len, 0, "no Neighbor Advertisement arrived on vb");
	expect_na(frame, len, true);
	xhb_announce__close(ann);
	close(fd);
}

Test(announce, errors_name_the_cause, .timeout = 20)
{
	struct xhb_announce *ann;
	struct xhb_ipaddr vip4, vip6;

	enter_netns();
	make_veth();
	ann = announce_open();
	vip4 = ip(VIP4);
	vip6 = ip(VIP6);
	cr_expect_eq(xhb_announce__garp(ann, 9999, vip4.v4, XHB_GARP_REQUEST),
		     -ENODEV);
	cr_expect_eq(xhb_announce__na(ann, 9999, &vip6.v6), -ENODEV);
	cr_expect_eq(xhb_announce__garp(ann, (int)if_nametoindex("lo"), vip4.v4,
					XHB_GARP_REQUEST),
		     -EOPNOTSUPP, "loopback is not Ethernet");
	sh("ip link set va down");
	cr_expect_eq(xhb_announce__garp(ann, (int)if_nametoindex("va"), vip4.v4,
					XHB_GARP_REQUEST),
		     -ENETDOWN);
	cr_expect_eq(xhb_announce__na(ann, (int)if_nametoindex("va"), &vip6.v6),
		     -ENETDOWN);
	xhb_announce__close(ann);
}

/* Many addresses in batches (a takeover of many groups): each one's own
 * result, an address already there is fine, a bad one fails alone. */
Test(vip, many_added_in_batches_each_with_its_result, .timeout = 30)
{
	enum { N = 150 }; /* three datagrams of at most 64 */
	static struct xhb_vip vips[N];
	static char out[65536];
	int results[N];
	struct xhb_nl *nl;
	char text[32];

	enter_netns();
	make_veth();
	nl = nl_open();
	for (int i = 0; i < N; i++) {
		/* the last ten IPv6 (no DAD, as one by one) */
		if (i >= N - 10)
			snprintf(text, sizeof(text), "fd58::1:%x", i);
		else
			snprintf(text, sizeof(text), "10.78.%d.%d", i / 200, 1 + i % 200);
		vips[i] = (struct xhb_vip){.addr = ip(text),
					   .prefixlen = i >= N - 10 ? 64 : 16,
					   .ifindex = ifindex(nl, "va")};
	}
	cr_assert_eq(xhb_nl__vip_add(nl, &vips[70]), 0, "one already there");
	vips[100].ifindex = 0; /* refused before it is sent */
	vips[130].ifindex = 9999; /* refused by the kernel */
	cr_assert_eq(xhb_nl__vip_add_many(nl, vips, N, results), 0);
	sh_output(out, sizeof(out), "ip -o addr show dev va");
	for (int i = 0; i < N; i++) {
		char addr[INET6_ADDRSTRLEN + 2];

		inet_ntop(vips[i].addr.family, &vips[i].addr.v6, addr, INET6_ADDRSTRLEN);
		strcat(addr, "/");
		if (i == 100 || i == 130) {
			cr_expect_eq(results[i], -ENODEV, "%d: %d", i, results[i]);
			cr_expect_not(strstr(out, addr), "%s", addr);
			continue;
		}
		cr_expect_eq(results[i], 0, "%s: %d", addr, results[i]);
		cr_expect(strstr(out, addr), "%s is not on va", addr);
	}
	/* the socket is in step: a single request after the batch works */
	cr_expect_eq(xhb_nl__vip_del(nl, &vips[0]), 0);
	cr_expect_eq(xhb_nl__addr_find(nl, 0, &vips[0].addr, NULL), 0);
	xhb_nl__close(nl);
}
