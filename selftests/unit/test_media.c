// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Every medium Heartbeat reads, as the data plane sees it: the UDP ports
 * an interface's XDP takes as the cluster's (xhb_iface_ports, user/ifaces.h:
 * udpport for bcast and ucast, an mcast line's own PORT, probes to the
 * first), and the limit of heartbeat interfaces (xhb_ifaces_collect).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ifaces.h"

/* "bcast IFACE", "ucast IFACE", "mcast IFACE PORT": one medium each. */
static struct xhb_config *config(__u16 udpport, const char *const *media)
{
	struct xhb_config *cfg = xhb_config_new();

	cr_assert(cfg);
	snprintf(cfg->hacf_path, sizeof(cfg->hacf_path), "ha.cf");
	cfg->udpport = udpport;
	for (; *media; media++) {
		struct xhb_medium *m = &cfg->media[cfg->nmedia];
		char kind[8];
		unsigned int port = 0;

		cr_assert(cfg->nmedia < XHB_CONFIG_MAX_MEDIA);
		cr_assert(sscanf(*media, "%7s %15s %u", kind, m->iface, &port) >= 2,
			  "bad medium '%s'", *media);
		m->kind = !strcmp(kind, "bcast")   ? XHB_MEDIUM_BCAST
			  : !strcmp(kind, "mcast") ? XHB_MEDIUM_MCAST
						   : XHB_MEDIUM_UCAST;
		m->family = m->kind == XHB_MEDIUM_BCAST ? 0 : AF_INET;
		m->port = (__u16)port;
		m->line = ++cfg->nmedia;
	}
	return cfg;
}

struct ports_case {
	const char *name;
	__u16 udpport;
	const char *media[6];
	const char *iface;
	unsigned int n;
	__u16 want[4];
};

static const struct ports_case ports_cases[] = {
    {"bcast: udpport", 694, {"bcast eth0"}, "eth0", 1, {694}},
    {"ucast: udpport", 5000, {"ucast eth0"}, "eth0", 1, {5000}},
    /* the case the medium was deaf to: its own port only */
    {"mcast alone: its own port", 694, {"mcast eth0 7694"}, "eth0", 1, {7694}},
    {"bcast and mcast: both, udpport first", 694,
     {"bcast eth0", "mcast eth0 7694"}, "eth0", 2, {694, 7694}},
    {"udpport first whatever the order", 694,
     {"mcast eth0 7694", "ucast eth0"}, "eth0", 2, {694, 7694}},
    {"mcast on udpport: once", 694, {"bcast eth0", "mcast eth0 694"}, "eth0",
     1, {694}},
    {"mcast lines: ha.cf's order, each port once", 694,
     {"mcast eth0 7695", "mcast eth0 7694", "mcast eth0 7695"}, "eth0", 2,
     {7695, 7694}},
    {"another interface's media do not count", 694,
     {"bcast eth0", "mcast eth1 7694", "mcast eth0 7695"}, "eth1", 1, {7694}},
    {"no medium (VIP only): udpport", 694, {"mcast eth0 7694"}, "eth1", 1,
     {694}},
};

Test(media, ports_of_an_interface)
{
	for (size_t i = 0; i < sizeof(ports_cases) / sizeof(ports_cases[0]); i++) {
		const struct ports_case *c = &ports_cases[i];
		struct xhb_config *cfg = config(c->udpport, c->media);
		__u16 ports[XHB_MAX_PORTS] = {0};
		unsigned int n = xhb_iface_ports(cfg, c->iface, ports);

		cr_expect_eq(n, c->n, "%s: %u ports, want %u", c->name, n, c->n);
		for (unsigned int k = 0; k < c->n && k < n; k++)
			cr_expect_eq(ports[k], c->want[k], "%s: port %u is %u, want %u",
				     c->name, k, ports[k], c->want[k]);
		xhb_config_free(cfg);
	}
}

/* As many ports as media: sixteen mcast lines on one interface, sixteen
 * ports, all of them taken by its XDP. */
Test(media, a_port_for_every_medium)
{
	static char lines[XHB_CONFIG_MAX_MEDIA][32];
	const char *media[XHB_CONFIG_MAX_MEDIA + 1] = {0};
	__u16 ports[XHB_MAX_PORTS];
	struct xhb_config *cfg;

	for (int i = 0; i < XHB_CONFIG_MAX_MEDIA; i++) {
		snprintf(lines[i], sizeof(lines[i]), "mcast eth0 %d", 7000 + i);
		media[i] = lines[i];
	}
	cfg = config(694, media);
	cr_assert_eq(xhb_iface_ports(cfg, "eth0", ports), XHB_CONFIG_MAX_MEDIA);
	for (int i = 0; i < XHB_CONFIG_MAX_MEDIA; i++)
		cr_expect_eq(ports[i], 7000 + i);
	xhb_config_free(cfg);
}

struct limit_case {
	const char *name;
	const char *media[XHB_CONFIG_MAX_MEDIA + 1];
	const char *message;
};

/* Interfaces that do not exist: the limit is said before any lookup. */
static const struct limit_case limit_cases[] = {
    {"a 5th heartbeat interface",
     {"bcast xhbt0", "bcast xhbt1", "mcast xhbt2 7694", "ucast xhbt3",
      "mcast xhbt4 7694"},
     "ha.cf:5: xhbt4 would be a 5th heartbeat interface: at most 4, each "
     "with its own XDP program and maps"},
    {"media again on 4 interfaces are fine",
     {"bcast xhbt0", "mcast xhbt1 7694", "ucast xhbt2", "mcast xhbt3 7694",
      "mcast xhbt0 7695", "ucast xhbt3", "mcast xhbt2 7696"},
     "ha.cf:1: no interface xhbt0 on this node"},
    {"16 media on one interface are fine",
     {"mcast xhbt0 7001", "mcast xhbt0 7002", "mcast xhbt0 7003",
      "mcast xhbt0 7004", "mcast xhbt0 7005", "mcast xhbt0 7006",
      "mcast xhbt0 7007", "mcast xhbt0 7008", "mcast xhbt0 7009",
      "mcast xhbt0 7010", "mcast xhbt0 7011", "mcast xhbt0 7012",
      "mcast xhbt0 7013", "mcast xhbt0 7014", "mcast xhbt0 7015",
      "bcast xhbt0"},
     "ha.cf:1: no interface xhbt0 on this node"},
};

Test(media, heartbeat_interfaces_limit)
{
	for (size_t i = 0; i < sizeof(limit_cases) / sizeof(limit_cases[0]); i++) {
		const struct limit_case *c = &limit_cases[i];
		struct xhb_config *cfg = config(694, c->media);
		struct xhb_ifaces *fs = calloc(1, sizeof(*fs));
		char err[256] = "";
		int ret;

		cr_assert(fs);
		ret = xhb_ifaces_collect(fs, cfg, NULL, err, sizeof(err));
		cr_expect_lt(ret, 0, "%s: accepted", c->name);
		cr_expect_str_eq(err, c->message, "%s", c->name);
		free(fs);
		xhb_config_free(cfg);
	}
}
