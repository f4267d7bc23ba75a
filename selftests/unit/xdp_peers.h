/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * For the XDP tests: set a peer's confirmed incarnation directly in the
 * program's xhb_peers map (found through the program's map ids), as a
 * reply to one of our probes would, without touching any counter.
 */
#ifndef XHB_TEST_XDP_PEERS_H
#define XHB_TEST_XDP_PEERS_H

#include <bpf/bpf.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "xhb_maps.h"

static inline int test_peers_map_fd(int prog_fd)
{
	struct bpf_prog_info pi = {0};
	__u32 ids[16], len = sizeof(pi);

	pi.nr_map_ids = 16;
	pi.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &pi, &len))
		return -1;
	for (__u32 i = 0; i < pi.nr_map_ids; i++) {
		struct bpf_map_info mi = {0};
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &mi, &mlen) &&
		    !strcmp(mi.name, XHB_MAP_PEERS))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

static inline int test_confirm_peer(int prog_fd, __u32 id, __u64 incarnation)
{
	int fd = test_peers_map_fd(prog_fd), err = -1;
	struct xhb_peer p;

	if (fd < 0)
		return -1;
	if (!bpf_map_lookup_elem_flags(fd, &id, &p, BPF_F_LOCK)) {
		p.confirmed_incarnation = incarnation;
		err = bpf_map_update_elem(fd, &id, &p, BPF_F_LOCK);
	}
	close(fd);
	return err;
}

#endif /* XHB_TEST_XDP_PEERS_H */
