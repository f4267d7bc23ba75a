/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * rtnl: what vip.c (the command socket), route.c (host routes on it) and
 * nlmon.c (the monitoring socket) share: parsing link and address messages, and dumps. Internal
 * to those two; everyone else uses vip.h.
 */
#ifndef XHB_RTNL_H
#define XHB_RTNL_H

#include <libmnl/libmnl.h>

#include "vip.h"

/* Large enough for one datagram of any dump: the kernel fills a dump
 * datagram up to about 32 KiB when the reader offers that much. */
#define NL_BUF_SIZE 32768
/* Room for one address or link request with its attributes. Request
 * buffers start zeroed: libmnl 1.0.4 leaves attribute padding as it
 * finds it, and stack bytes have no business in the kernel (valgrind). */
#define NL_REQ_SIZE 512

/* Sends one request and waits for its ACK: 0 or the kernel's -errno (its
 * extended-ACK text in xhb_nl__last_error()). */
int xhb_rtnl_talk(struct xhb_nl *nl, struct nlmsghdr *nlh);
/* A dump of nlh's request through nl, cb per message; restart(data) before
 * each retry of a dump the kernel marked inconsistent. */
int xhb_rtnl_dump(struct xhb_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		  void *data, void (*restart)(void *data));
int xhb_rtnl_link_parse(const struct nlmsghdr *nlh, struct xhb_link_state *state);
int xhb_rtnl_addr_parse(const struct nlmsghdr *nlh, struct xhb_ipaddr *local,
			struct xhb_ipaddr *prefix, struct xhb_addr_info *info);
/* A socket option that improves things (extended ACKs, strict dumps) but
 * is not needed: failures are ignored. */
void xhb_rtnl_set_flag_opt(struct mnl_socket *sock, int opt);

#endif /* XHB_RTNL_H */
