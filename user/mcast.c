// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The multicast groups of the mcast media, joined: see mcast.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ifaces.h"
#include "mcast.h"

static bool same_group(int family, const union xhb_addr *a,
		       const union xhb_addr *b)
{
	return family == AF_INET ? a->v4.s_addr == b->v4.s_addr
				 : !memcmp(&a->v6, &b->v6, sizeof(a->v6));
}

/* The medium's group is joined on its interface at index, or -1. */
static int find(const struct xhb_mcast *m, const struct xhb_medium *md)
{
	for (unsigned int i = 0; i < m->n; i++)
		if (m->at[i].family == md->family &&
		    !strcmp(m->at[i].iface, md->iface) &&
		    same_group(md->family, &m->at[i].group, &md->addr))
			return (int)i;
	return -1;
}

static bool wanted(const struct xhb_medium *md, const struct xhb_ifaces *fs)
{
	return md->kind == XHB_MEDIUM_MCAST &&
	       (!fs || xhb_ifaces_has(fs, md->iface));
}

/* A socket that holds md's membership, or -errno. It is never bound and
 * never read: nothing is delivered to it. */
static int join(const struct xhb_medium *md)
{
	int ifindex = (int)if_nametoindex(md->iface), fd, ret;

	if (!ifindex)
		return -ENODEV;
	fd = socket(md->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (md->family == AF_INET) {
		struct ip_mreqn mr = {.imr_multiaddr = md->addr.v4,
				      .imr_ifindex = ifindex};

		ret = setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
				 sizeof(mr));
	} else {
		struct ipv6_mreq mr = {.ipv6mr_multiaddr = md->addr.v6,
				       .ipv6mr_interface =
					   (unsigned int)ifindex};

		ret = setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr,
				 sizeof(mr));
	}
	if (ret) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int xhb_mcast_join(struct xhb_mcast *m, const struct xhb_config *cfg,
		   const struct xhb_ifaces *fs, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < cfg->nmedia; i++) {
		const struct xhb_medium *md = &cfg->media[i];
		struct xhb_mcast_member *mb;
		char group[INET6_ADDRSTRLEN];
		int fd;

		if (!wanted(md, fs) || find(m, md) >= 0)
			continue;
		/* cannot happen: one membership a medium at most */
		if (m->n == XHB_CONFIG_MAX_MEDIA)
			return -ENOSPC;
		fd = join(md);
		if (fd < 0) {
			inet_ntop(md->family, &md->addr, group, sizeof(group));
			snprintf(err, errlen, "%s:%u: cannot join %s on %s: %s",
				 cfg->hacf_path, md->line, group, md->iface,
				 strerror(-fd));
			return fd;
		}
		mb = &m->at[m->n++];
		mb->family = md->family;
		mb->group = md->addr;
		snprintf(mb->iface, sizeof(mb->iface), "%s", md->iface);
		mb->fd = fd;
	}
	return 0;
}

void xhb_mcast_prune(struct xhb_mcast *m, const struct xhb_config *cfg,
		     const struct xhb_ifaces *fs)
{
	unsigned int kept = 0;

	for (unsigned int i = 0; i < m->n; i++) {
		bool named = false;

		for (unsigned int j = 0; !named && j < cfg->nmedia; j++) {
			const struct xhb_medium *md = &cfg->media[j];

			named =
			    wanted(md, fs) && md->family == m->at[i].family &&
			    !strcmp(md->iface, m->at[i].iface) &&
			    same_group(md->family, &md->addr, &m->at[i].group);
		}
		if (named)
			m->at[kept++] = m->at[i];
		else
			close(m->at[i].fd); /* leaves the group */
	}
	m->n = kept;
}

void xhb_mcast_close(struct xhb_mcast *m)
{
	for (unsigned int i = 0; i < m->n; i++)
		close(m->at[i].fd);
	m->n = 0;
}
