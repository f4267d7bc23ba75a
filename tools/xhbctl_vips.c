// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* xhbctl vips, and detach's check of the staged VIPs (xhbctl_vips.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "xhbctl_vips.h"

int xhbctl_vips(struct xhb_dataplane *dp, bool json)
{
	struct xhb_vip_key key = {0};
	struct xhb_vip_lease lease;
	char addr[INET6_ADDRSTRLEN];
	json_t *all = json_array();
	struct xhb_self self;
	bool node_fenced;
	size_t i;
	json_t *v;

	/* as XDP decides it: a staged VIP always, a held one while the
	 * node is (xhb_self_fenced()) */
	node_fenced = !dataplane__read_self(dp, &self) &&
		      xhb_self_fenced(&self, xhb_now_ns());
	while (!dataplane__next_vip(dp, &key, &lease)) {
		bool staged = lease.flags & XHB_VIP_STAGED;

		inet_ntop(key.family, key.addr, addr, sizeof(addr));
		json_array_append_new(all, json_pack("{s:s, s:i, s:s, s:b}", "vip", addr,
						     "group", (int)lease.group, "state",
						     staged ? "staged" : "held", "fenced",
						     staged || node_fenced));
	}
	if (json) {
		json_dumpf(all, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		printf("%-40s %-6s %-7s %s\n", "VIP", "GROUP", "STATE", "XDP");
		json_array_foreach(all, i, v)
			printf("%-40s %-6lld %-7s %s\n",
			       json_string_value(json_object_get(v, "vip")),
			       json_integer_value(json_object_get(v, "group")),
			       json_string_value(json_object_get(v, "state")),
			       json_is_true(json_object_get(v, "fenced")) ? "fenced"
									 : "answered");
	}
	json_decref(all);
	return 0;
}

/* The address (an xhb_vips key) is on an interface of this host. */
static bool configured(const struct ifaddrs *all, const struct xhb_vip_key *key)
{
	for (const struct ifaddrs *i = all; i; i = i->ifa_next) {
		const void *a;

		if (!i->ifa_addr || i->ifa_addr->sa_family != (int)key->family)
			continue;
		a = key->family == AF_INET
			    ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
			    : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (!memcmp(a, key->addr, key->family == AF_INET ? 4 : 16))
			return true;
	}
	return false;
}

int xhbctl_staged_configured(struct xhb_dataplane *dp)
{
	struct xhb_vip_key key = {0};
	struct xhb_vip_lease lease;
	char addr[INET6_ADDRSTRLEN];
	struct ifaddrs *all = NULL;
	int n = 0;

	if (getifaddrs(&all))
		all = NULL; /* unknown: every staged VIP counts */
	while (!dataplane__next_vip(dp, &key, &lease)) {
		if (!(lease.flags & XHB_VIP_STAGED) || (all && !configured(all, &key)))
			continue;
		inet_ntop(key.family, key.addr, addr, sizeof(addr));
		fprintf(stderr,
			"xhbctl: detach: VIP %s is staged here (configured, fenced by this program): detached, it would answer; stop xhbd (it removes it) or remove the address first\n",
			addr);
		n++;
	}
	if (all)
		freeifaddrs(all);
	return n;
}
