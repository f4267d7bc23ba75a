/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * ifaces: the agent's interfaces, one XDP data plane (and TC egress fence)
 * each, written and read as one: our state goes to every one, a peer is
 * the freshest of what each saw, a VIP is fenced on all of them. They are
 * the heartbeat media's interfaces, then those that carry a VIP and no
 * heartbeat (the classic layout: heartbeats on a private link, the VIP on
 * the public NIC), where XDP and TC only fence.
 *
 *   xhb_ifaces_collect()  the distinct interfaces (at most XHB_MAX_MEDIA
 *                         media ones, XHB_MAX_IFACES in all; xhbd -t checks
 *                         it as well)
 *   xhb_ifaces_open()     attach or adopt XDP on each, listening on the
 *                         ports of its media (xhb_iface_ports), and join
 *                         the mcast media's groups (mcast.h); again on
 *                         reload: the program is swapped, the maps are
 *                         kept, groups no longer named are left
 *   xhb_ifaces_close()    close, leave the groups; pins stay for the next
 *                         agent
 */
#ifndef XHB_IFACES_H
#define XHB_IFACES_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "mcast.h"
#include "xhb_maps.h"
#include "xhb_wire.h"
#include "gset.h"

#define XHB_MAX_MEDIA 4	/* interfaces heartbeats go out on */
#define XHB_MAX_IFACES 8 /* with those that only carry VIPs */

struct xhb_config;
struct xhb_dataplane;
struct xhb_events;
struct xhb_nl;

struct xhb_iface {
	char name[IFNAMSIZ];
	int ifindex;
	bool usable; /* carrier and administratively up */
	bool medium; /* heartbeats and probes go out on it */
	bool vip;    /* a VIP of haresources lives on it */
	struct xhb_gset groups; /* group g has a VIP on it */
	/* where the configuration first named it: ha.cf (a medium) or
	 * haresources (a VIP) at this line */
	bool named_in_haresources;
	unsigned int line;
	/* the UDP ports its XDP takes as the cluster's (xhb_iface_ports);
	 * probes to a peer on it go to ports[0], from ports[0] */
	__u16 ports[XHB_MAX_PORTS];
	unsigned int nports;
	struct xhb_dataplane *dp;
	/* what dp was opened with besides ports: a reload that changes none
	 * of it keeps the running program (loading one stalls the loop for
	 * hundreds of ms, past a short lease) */
	__u32 cluster_id;
	enum xhb_xdp_mode mode;
	char pin_dir[sizeof(((struct xhb_config *)0)->pin_dir)];
};

struct xhb_ifaces {
	unsigned int n;
	struct xhb_iface at[XHB_MAX_IFACES];
	struct xhb_mcast mcast; /* the groups joined */
};

/*
 * The UDP ports of the media on interface name, host order, each once:
 * udpport first when a bcast or ucast line names it, then each mcast
 * line's own PORT in ha.cf's order; udpport alone for an interface with no
 * medium (it only fences). ports[0] is where probes go on that interface
 * (and come from: replies come back to it). Returns how many (>= 1).
 */
unsigned int xhb_iface_ports(const struct xhb_config *cfg, const char *name,
			     __u16 ports[XHB_MAX_PORTS]);

/* Where a peer's packets came from on one interface, and to which of its
 * ports (probe it there). */
struct xhb_peer_addr {
	__u8 family; /* 0: not seen there */
	__u8 addr[16];
	__u16 port; /* host order; 0: not known, the interface's first */
	/* its XDP's last reply there said it takes compact probes
	 * (XHB_FLAG_COMPACT), and came at reply_ns (0: none yet) */
	bool compact;
	__u64 reply_ns;
};

/* 0, or -errno with "file:line: ..." in err (an unknown interface, or
 * more than XHB_MAX_IFACES). nl NULL: look names up without it. */
int xhb_ifaces_collect(struct xhb_ifaces *fs, const struct xhb_config *cfg,
		       struct xhb_nl *nl, char *err, size_t errlen);
/* What the files cannot say: whether the interfaces they name (media,
 * and addresses with an interface) exist on this node. xhbd -t runs it
 * too, before anything is touched. 0 or -errno with "file:line: ...". */
int xhb_ifaces_check(const struct xhb_config *cfg, char *err, size_t errlen);
/*
 * A reload's interfaces, in two steps. xhb_ifaces_served(): every
 * interface next names (media, VIPs) is one of fs, whose XDP and tc
 * programs were attached at start; else -ENODEV with "file:line: ..." in
 * err and nothing changed (a VIP on an interface without them would
 * answer unfenced). xhb_ifaces_reroute(): each interface's roles (medium,
 * VIPs, their groups) as next says them; one next no longer names keeps
 * its programs and has none. Both look the names up as collect does.
 */
int xhb_ifaces_served(const struct xhb_ifaces *fs, const struct xhb_config *next,
		      struct xhb_nl *nl, char *err, size_t errlen);
int xhb_ifaces_reroute(struct xhb_ifaces *fs, const struct xhb_config *next,
		       struct xhb_nl *nl);
int xhb_ifaces_open(struct xhb_ifaces *fs, const struct xhb_config *cfg,
		    struct xhb_events *ev, char *err, size_t errlen);
void xhb_ifaces_close(struct xhb_ifaces *fs);

/*
 * The links as Heartbeat judged them: a node hears its peers while any
 * medium works, so one medium down of several is DEGRADED, not a fault.
 * FAULT when every medium is down: the node owns nothing. An interface
 * carrying a VIP down (whether or not it carries heartbeats) is a fault
 * for the groups with a VIP on it alone (groups_down: refused, so a peer
 * takes them; the others stay), and DEGRADED for the node.
 */
enum xhb_links_state {
	XHB_LINKS_OK,
	XHB_LINKS_DEGRADED,
	XHB_LINKS_FAULT,
};

struct xhb_links {
	enum xhb_links_state state;
	unsigned int media, media_up;
	/* the media down, then the VIP interfaces down: "eth1,eth2" */
	char media_down[64];
	char vip_down[64];
	/* bit g: group g has a VIP on an interface down: this node is in
	 * fault for g alone, and refuses it */
	struct xhb_gset groups_down;
};

/* Refresh each interface's `usable` from netlink, and judge the links. */
void xhb_ifaces_refresh(struct xhb_ifaces *fs, struct xhb_nl *nl,
			struct xhb_links *out);
/* The rule alone, on the interfaces' `usable`, `medium` and `vip`. */
void xhb_ifaces_judge(const struct xhb_ifaces *fs, struct xhb_links *out);
const char *xhb_links_state_name(enum xhb_links_state s);
bool xhb_ifaces_has(const struct xhb_ifaces *fs, const char *name);

/* Our state for every XDP (renews the lease): 0 or the first -errno. */
int xhb_ifaces_write_self(struct xhb_ifaces *fs, const struct xhb_self *self);
/* What a previous agent left: the highest incarnation over all, the rest
 * from the first interface that has an entry. -ENOENT when none. */
int xhb_ifaces_read_self(struct xhb_ifaces *fs, struct xhb_self *out);
int xhb_ifaces_add_peer(struct xhb_ifaces *fs, __u32 node_id);
void xhb_ifaces_remove_peer(struct xhb_ifaces *fs, __u32 node_id);
/* A peer merged over the interfaces: the newest heartbeat and reply
 * times, the rest from the interface that heard it last; where[i] its
 * address on interface i and the port its packets came to there. False
 * when no interface has an entry. */
bool xhb_ifaces_peer(struct xhb_ifaces *fs, __u32 node_id, struct xhb_peer *out,
		     struct xhb_peer_addr where[XHB_MAX_IFACES]);
/* An address's entry in xhb_vips, on every interface: held (fenced when
 * our lease lapses), staged (fenced always: XHB_VIP_STAGED) or none. */
enum xhb_fence { XHB_FENCE_NONE, XHB_FENCE_HELD, XHB_FENCE_STAGED };
int xhb_ifaces_fence(struct xhb_ifaces *fs, int family, const void *addr,
		     __u32 group, enum xhb_fence how);
/* Staged on some interface (an entry with XHB_VIP_STAGED, as a previous
 * agent left it). */
bool xhb_ifaces_staged(struct xhb_ifaces *fs, int family, const void *addr);
/* A peer's word that it does not hear us reached one interface's XDP
 * (xhb_self.unheard_ns): make every interface fence as that one does. */
void xhb_ifaces_share_unheard(struct xhb_ifaces *fs);
/* XDP's junk counters summed (packets dropped at our port). */
__u64 xhb_ifaces_junk(struct xhb_ifaces *fs);

#endif /* XHB_IFACES_H */
