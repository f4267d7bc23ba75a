/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * route: the host routes of routing mode (`announce GROUP route|anycast`),
 * over vip.c's command socket. A VIP in routing mode sits on lo; its host
 * route (/32, /128, `dev lo`) goes into a dedicated kernel table with our
 * protocol number, where the operator's routing daemon learns it (BIRD's
 * `protocol kernel { kernel table N; learn; }`, FRR's `ip import-table N`)
 * and announces it by BGP. Table, protocol and metric together name one
 * route: two metrics of the same address are two routes.
 */
#ifndef XHB_ROUTE_H
#define XHB_ROUTE_H

#include "vip.h"

struct xhb_route {
	struct xhb_ipaddr dst; /* the host route's address */
	int ifindex;	       /* lo's */
	__u32 table;
	__u8 proto;
	__u32 metric;
};

/* Idempotent, as the agent wants them: 0 when added / deleted, 1 when it
 * was there already / gone already, or the kernel's negative errno. */
int xhb_nl__route_add(struct xhb_nl *nl, const struct xhb_route *rt);
int xhb_nl__route_del(struct xhb_nl *nl, const struct xhb_route *rt);

#endif /* XHB_ROUTE_H */
