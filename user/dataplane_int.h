/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* What dataplane.c and dataplane_vips.c share; dataplane.h is the rest's. */
#ifndef XHB_DATAPLANE_INT_H
#define XHB_DATAPLANE_INT_H

#include "dataplane.h"
#include "xhb.skel.h"

#define PIN_MAPS 7

struct xhb_dataplane {
	struct xhb_bpf *skel; /* NULL when opened from pins only */
	int map_fds[PIN_MAPS]; /* indexed like pinned_maps[] */
	int link_fd;
	struct ring_buffer *news; /* xhb_news, when the program is ours */
	__u64 news_seen; /* its records drained */
	struct xhb_self *self_map; /* xhb_self mapped, or NULL */
	size_t self_map_len;
	struct xhb_dataplane_info info;
	/* staged VIPs in xhb_vips by filter bit: staged_filter's bit is
	 * cleared once none has it (dataplane_vips.c) */
	__u16 staged_refs[XHB_VIP_FILTER_WORDS * 64];
};

enum {
	MAP_PEERS,
	MAP_SELF,
	MAP_KEYS,
	MAP_STATS,
	MAP_VIPS,
	MAP_NEWS,
	MAP_PEER_GROUPS,
};

/* -errno when ret (a libbpf call's) is not 0. */
int dataplane_errno_or(int ret);
/* The VIPs of an adopted xhb_vips in the program's filters, before it
 * runs (dataplane_vips.c). */
void dataplane_filter_adopted_vips(struct xhb_dataplane *dp);

#endif /* XHB_DATAPLANE_INT_H */
