/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * dataplane: the XDP program and its pinned maps, seen from userspace.
 *
 * dataplane__open() loads bpf/xhb.bpf.c, reuses the maps pinned in the pin
 * directory (creating and pinning them the first time), and attaches with
 * a bpf_link pinned there too. When a link is already pinned (an agent
 * restart or upgrade) the new program replaces the old one atomically with
 * bpf_link_update and the maps keep their contents: nothing is detached.
 * dataplane__close() leaves everything pinned; dataplane__detach() removes
 * the link and the pins. dataplane__open_pinned() opens the pinned maps
 * only, for xhbctl, which works while the agent is down.
 *
 * Functions return 0 or a negative errno; `why` buffers get a sentence for
 * the operator.
 */
#ifndef XHB_DATAPLANE_H
#define XHB_DATAPLANE_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "xhb_wire.h"
#include "xhb_maps.h"

struct xhb_dataplane_opts {
	const char *ifname; /* interface to attach to (unless load_only) */
	const char *pin_dir; /* NULL or "": XHB_PIN_ROOT/<ifname> */
	/* the UDP ports XDP takes as the cluster's here (its media's), host
	 * order; nports 0: XHB_DEFAULT_PORT alone */
	__u16 ports[XHB_MAX_PORTS];
	unsigned int nports;
	__u32 cluster_id;
	enum xhb_xdp_mode mode; /* from config.h: auto, native, generic */
	bool load_only; /* no attach, no pins: BPF_PROG_TEST_RUN, benchmarks */
};

/* What dataplane__open did, for the agent's dataplane_attached event. */
struct xhb_dataplane_info {
	char pin_dir[256];
	int ifindex;
	bool adopted; /* a pinned link was found and its program replaced */
	bool generic; /* attached in generic (SKB) mode */
	bool mounted_bpffs; /* we mounted a bpffs at pin_dir */
	__u32 prog_id; /* the program now attached (bpftool prog show id N) */
	char fallback[256]; /* why native mode was not used, or "" */
	/* maps pinned by a build whose layout differs, unpinned and created
	 * afresh ("xhb_peers,..."), or "" */
	char replaced[128];
};

struct xhb_dataplane;

int dataplane__open(const struct xhb_dataplane_opts *opts,
		    struct xhb_dataplane **out, char *why, size_t whylen);
int dataplane__open_pinned(const char *pin_dir, struct xhb_dataplane **out,
			   char *why, size_t whylen);
/* Remove the link (the program leaves the interface) and every pin. */
int dataplane__detach(struct xhb_dataplane *dp);
/* Close fds; pins stay. Accepts NULL. */
void dataplane__close(struct xhb_dataplane *dp);

const struct xhb_dataplane_info *dataplane__info(const struct xhb_dataplane *dp);
int dataplane__prog_fd(const struct xhb_dataplane *dp);
/* The TC egress fence (bpf/xhb.bpf.c xhb_tc_egress). */
int dataplane__egress_prog_fd(const struct xhb_dataplane *dp);

/* keys[i] for authkeys index i (0 unused). When they replace different
 * keys, every peer's replay state and confirmed incarnation are reset
 * (its times are kept): see include/xhb_maps.h's confirmed_incarnation. */
int dataplane__set_keys(struct xhb_dataplane *dp,
			const struct xhb_key keys[XHB_MAX_KEYS]);
int dataplane__write_self(struct xhb_dataplane *dp, const struct xhb_self *self);
int dataplane__read_self(struct xhb_dataplane *dp, struct xhb_self *self);
/* Create the peer's entry if absent (an existing one is kept as it is). */
int dataplane__add_peer(struct xhb_dataplane *dp, __u32 node_id);
int dataplane__remove_peer(struct xhb_dataplane *dp, __u32 node_id);
/* A consistent snapshot of one peer (taken under its lock). */
int dataplane__peer(struct xhb_dataplane *dp, __u32 node_id,
		    struct xhb_peer *out);
/* Iterate peers: *node_id = 0 to start; -ENOENT at the end. */
/* Every entry of xhb_peer_groups (up to max): how many, or -errno. */
int dataplane__peer_pages(struct xhb_dataplane *dp, struct xhb_page_key *keys,
			  struct xhb_peer_page *pages, unsigned int max);
int dataplane__next_peer(struct xhb_dataplane *dp, __u32 *node_id);
/* A VIP's entry (family AF_INET/AF_INET6): held (fenced when our lease
 * lapses) or staged (fenced always, XHB_VIP_STAGED); its filter bits first. */
int dataplane__vip_add(struct xhb_dataplane *dp, int family, const void *addr,
		       __u32 group, bool staged);
/* 1: the VIP is staged here (XHB_VIP_STAGED), 0: held, -ENOENT: absent. */
int dataplane__vip_staged(struct xhb_dataplane *dp, int family,
			  const void *addr);
int dataplane__vip_del(struct xhb_dataplane *dp, int family, const void *addr);
/* xhb_vips in turn: key zeroed to start, 0 with the next in *key and its
 * entry in *lease, -ENOENT at the end. */
int dataplane__next_vip(struct xhb_dataplane *dp, struct xhb_vip_key *key,
			struct xhb_vip_lease *lease);
/*
 * XDP's news ring, a doorbell (struct xhb_news: a peer changed state or
 * holdings): an fd to poll() (-1 when not loaded by us), and a drain that
 * empties it and returns how many rings there were.
 */
int dataplane__news_fd(const struct xhb_dataplane *dp);
int dataplane__news_drain(struct xhb_dataplane *dp);
/* The news records drained so far: something changed since a count. */
__u64 dataplane__news_seen(const struct xhb_dataplane *dp);
/* Packets to the cluster port XDP dropped (forged, replayed, malformed),
 * read from the mapped xhb_self without a syscall. */
__u64 dataplane__junk(struct xhb_dataplane *dp);
/* xhb_self.unheard_ns (XDP's: when a peer last said it does not hear
 * us), and raising it to t if it is older, from the mapped xhb_self. */
__u64 dataplane__unheard(struct xhb_dataplane *dp);
void dataplane__raise_unheard(struct xhb_dataplane *dp, __u64 t);
/* The per-CPU counters summed. */
int dataplane__stats(struct xhb_dataplane *dp, struct xhb_stats *sum);

/* Route libbpf's messages to stderr when verbose, else drop them. */
void dataplane__set_verbose(bool verbose);

#endif /* XHB_DATAPLANE_H */
