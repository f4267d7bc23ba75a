// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* xhb_vips and the program's VIP filters: what XDP and tc egress fence. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "dataplane_int.h"

static __u32 filter_bit(const struct xhb_vip_key *key)
{
	return xhb_vip_filter_bit(key->addr, key->family == AF_INET ? 4 : 16);
}

/* A VIP's bit in vip_filter (xhb_maps.h), set before it is in xhb_vips
 * (never cleared: a stale bit costs a clock read). */
static void filter_vip(struct xhb_dataplane *dp, const struct xhb_vip_key *key)
{
	__u32 bit = filter_bit(key);

	if (dp->skel && dp->skel->bss)
		__atomic_or_fetch(&dp->skel->bss->vip_filter[bit / 64],
				  1ULL << (bit % 64), __ATOMIC_SEQ_CST);
}

/* One staged VIP more with key's bit (set before its entry says staged,
 * after its vip_filter bit: XDP's early pass reads vip_filter alone), or
 * one fewer (after its entry no longer does): staged_filter's bit is
 * cleared once no staged VIP has it, so that a VIP taken over pays no
 * lookup for its staged past. */
static void staged_ref(struct xhb_dataplane *dp, const struct xhb_vip_key *key,
		       bool more)
{
	__u32 bit = filter_bit(key);
	__u64 *word;

	if (!dp->skel || !dp->skel->bss)
		return;
	word = &dp->skel->bss->staged_filter[bit / 64];
	if (more) {
		dp->staged_refs[bit]++;
		__atomic_or_fetch(word, 1ULL << (bit % 64), __ATOMIC_SEQ_CST);
		__atomic_store_n(&dp->skel->bss->staged_any, 1, __ATOMIC_SEQ_CST);
	} else if (dp->staged_refs[bit] && !--dp->staged_refs[bit]) {
		__atomic_and_fetch(word, ~(1ULL << (bit % 64)), __ATOMIC_SEQ_CST);
	}
}

/* key's entry: 1 staged, 0 held, -ENOENT absent, another -errno unread. */
static int entry_staged(struct xhb_dataplane *dp, const struct xhb_vip_key *key)
{
	struct xhb_vip_lease lease;

	if (bpf_map_lookup_elem(dp->map_fds[MAP_VIPS], key, &lease))
		return -errno;
	return !!(lease.flags & XHB_VIP_STAGED);
}

/* The VIPs of an adopted xhb_vips in the filters, before the program runs. */
void dataplane_filter_adopted_vips(struct xhb_dataplane *dp)
{
	/* from a key no VIP has (family 0): the kernel starts at the first */
	struct xhb_vip_key key = {0}, next;

	while (!bpf_map_get_next_key(dp->map_fds[MAP_VIPS], &key, &next)) {
		int staged = entry_staged(dp, &next);

		filter_vip(dp, &next);
		/* one that cannot be read: as staged (a stale bit costs a
		 * lookup, a missing one the fence) */
		if (staged == 1 || (staged < 0 && staged != -ENOENT))
			staged_ref(dp, &next, true);
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
	int was = entry_staged(dp, &key), err;

	filter_vip(dp, &key);
	if (staged && was != 1)
		staged_ref(dp, &key, true);
	err = dataplane_errno_or(
	    bpf_map_update_elem(dp->map_fds[MAP_VIPS], &key, &lease, BPF_ANY));
	if (!err && !staged && was == 1)
		staged_ref(dp, &key, false);
	return err;
}

int dataplane__vip_staged(struct xhb_dataplane *dp, int family,
			  const void *addr)
{
	struct xhb_vip_key key = vip_key(family, addr);

	return entry_staged(dp, &key);
}

int dataplane__vip_del(struct xhb_dataplane *dp, int family, const void *addr)
{
	struct xhb_vip_key key = vip_key(family, addr);
	int was = entry_staged(dp, &key);
	int err = dataplane_errno_or(bpf_map_delete_elem(dp->map_fds[MAP_VIPS], &key));

	if (!err && was == 1)
		staged_ref(dp, &key, false);
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
