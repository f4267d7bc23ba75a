/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * mcast: the groups of ha.cf's mcast and mcast6 media, joined on their
 * interfaces. A real NIC (and a switch that snoops IGMP/MLD) drops
 * multicast for a group nobody on the host joined before XDP sees it:
 * the agent holds one socket per (group, interface) open for the
 * membership (IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP); it never reads from
 * it. Closing the socket leaves the group.
 *
 *   xhb_mcast_join()    join the groups cfg names that are not joined yet
 *                       (start and reload); 0 or -errno with
 *                       "ha.cf:LINE: cannot join GROUP on IFACE: why"
 *   xhb_mcast_prune()   leave the groups cfg no longer names (reload)
 *   xhb_mcast_close()   leave every group (the agent's end)
 *
 * Only the media on the agent's interfaces (fs: those XDP is attached to)
 * are joined; fs NULL: every medium's.
 */
#ifndef XHB_MCAST_H
#define XHB_MCAST_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct xhb_mcast_member {
	int family; /* AF_INET or AF_INET6 */
	union xhb_addr group;
	char iface[IFNAMSIZ];
	int fd; /* holds the membership */
};

struct xhb_mcast {
	unsigned int n;
	struct xhb_mcast_member at[XHB_CONFIG_MAX_MEDIA];
};

struct xhb_ifaces;

int xhb_mcast_join(struct xhb_mcast *m, const struct xhb_config *cfg,
		   const struct xhb_ifaces *fs, char *err, size_t errlen);
void xhb_mcast_prune(struct xhb_mcast *m, const struct xhb_config *cfg,
		     const struct xhb_ifaces *fs);
void xhb_mcast_close(struct xhb_mcast *m);

#endif /* XHB_MCAST_H */
