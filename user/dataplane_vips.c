// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* xhb_vips and the program's VIP filters: what XDP and tc egress fence. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "dataplane_int.h"

/* A VIP's bit in vip_filter (xhb_maps.h), and in staged_filter when it is
 * staged, set before it is in xhb_vips as such. */
static void filter_vip(struct xhb_dataplane *dp, const struct xhb_vip_key *key,
		       bool staged)
{
	__u32 bit = xhb_vip_filter_bit(key->addr,
				       key->family == AF_INET ? 4 : 16);

	if (!dp->skel || !dp->skel->bss)
		return;
	__atomic_or_fetch(&dp->skel->bss->vip_filter[bit / 64],
			  1ULL << (bit % 64), __ATOMIC_SEQ_CST);
	if (!staged)
		return;
	__atomic_or_fetch(&dp->skel->bss->staged_filter[bit / 64],
			  1ULL << (bit % 64), __ATOMIC_SEQ_CST);
	__atomic_store_n(&dp->skel->bss->staged_any, 1, __ATOMIC_SEQ_CST);
}

/* The VIPs of an adopted xhb_vips in the filters, before the program runs. */
void dataplane_filter_adopted_vips(struct xhb_dataplane *dp)
{
	/* from a key no VIP has (family 0): the kernel starts at the first */
	struct xhb_vip_key key = {0}, next;
	struct xhb_vip_lease lease;

	while (!bpf_map_get_next_key(dp->map_fds[MAP_VIPS], &key, &next)) {
		int ret = bpf_map_lookup_elem(dp->map_fds[MAP_VIPS], &next, &lease);

		/* one that cannot be read: as staged (a stale bit costs a
		 * lookup, a missing one the fence) */
		filter_vip(dp, &next,
			   ret ? errno != ENOENT : !!(lease.flags & XHB_VIP_STAGED));
		key = next;
	}
}

static struct xhb_vip_key vip_key(int family, const void *addr)
{
	struct xhb_vip_key key = {.family = family};

	memcpy(key.addr, addr, family == AF_INET ? 4 : 16);
	return key;
}

int dataplane__vip_add(struct xhb_dataplane *dp, int family, const void *addr,
		       __u32 group, bool staged)
{
	struct xhb_vip_lease lease = {.group = group,
				      .flags = staged ? XHB_VIP_STAGED : 0};
	struct xhb_vip_key key = vip_key(family, addr);

	filter_vip(dp, &key, staged);
	return dataplane_errno_or(bpf_map_update_elem(dp->map_fds[MAP_VIPS], &key, &lease,
					    BPF_ANY));
}

int dataplane__vip_staged(struct xhb_dataplane *dp, int family,
			  const void *addr)
{
	struct xhb_vip_key key = vip_key(family, addr);
	struct xhb_vip_lease lease;

	if (bpf_map_lookup_elem(dp->map_fds[MAP_VIPS], &key, &lease))
		return -errno;
	return !!(lease.flags & XHB_VIP_STAGED);
}

int dataplane__vip_del(struct xhb_dataplane *dp, int family, const void *addr)
{
	struct xhb_vip_key key = vip_key(family, addr);
	int err = dataplane_errno_or(bpf_map_delete_elem(dp->map_fds[MAP_VIPS], &key));
	return err == -ENOENT ? 0 : err;
}

int dataplane__next_vip(struct xhb_dataplane *dp, struct xhb_vip_key *key,
			struct xhb_vip_lease *lease)
{
	struct xhb_vip_key next;

	while (!bpf_map_get_next_key(dp->map_fds[MAP_VIPS], key, &next)) {
		*key = next;
		if (!bpf_map_lookup_elem(dp->map_fds[MAP_VIPS], &next, lease))
			return 0;
	}
	return -ENOENT;
}
