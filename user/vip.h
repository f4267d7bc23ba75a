/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* VIP addresses and link state over rtnetlink (libmnl).
 *
 * struct xhb_nl owns the command socket: every request waits for its own
 * ACK and returns 0 or the kernel's negative errno. struct xhb_nlmon owns
 * the monitoring socket: poll() its fd, then xhb_nlmon__drain() reports
 * link up/down, addresses added and addresses removed (by us or by hand).
 * Addresses we add carry IFA_PROTO = XHB_IFA_PROTO, so `ip addr` and a
 * restarted agent can tell them from the administrator's.
 */
#ifndef XHB_VIP_H
#define XHB_VIP_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <linux/types.h>

/* IFA_PROTO value on every address xhb adds. The kernel reserves 0..3
 * (IFAPROT_UNSPEC, _KERNEL_LO, _KERNEL_RA, _KERNEL_LL); 0x58 is 'X', far
 * from those and from small numbers other daemons pick, so a dump (or a
 * restarted agent adopting its VIPs) can say "this one is ours". */
#define XHB_IFA_PROTO 0x58

/* An IPv4 or IPv6 address, without prefix. */
struct xhb_ipaddr {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/* One address to add or delete. */
struct xhb_vip {
	struct xhb_ipaddr addr;
	unsigned int prefixlen;
	int ifindex;
	/* IPv4 only, NULL for none: Heartbeat's "ens192:0", at most
	 * IFNAMSIZ - 1 bytes; by convention it starts with the device name. */
	const char *label;
	/* IPv4 only; INADDR_ANY for none (xhb_ipv4_broadcast() gives the
	 * usual one, as Heartbeat's IPaddr sets it). */
	struct in_addr broadcast;
	/* IPv6 only: added deprecated (preferred lifetime 0, valid for
	 * ever), so that source address selection never picks it; it still
	 * answers and receives as any other. fenced_standby's, whose staged
	 * copy on a standby would otherwise win the tie with the node's own
	 * address of the prefix (the newest is preferred), and its tc egress
	 * program then drops what the node sends from it. */
	bool deprecated;
};

/* What a dump says about one address. */
struct xhb_addr_info {
	int ifindex;
	unsigned int prefixlen;
	__u32 flags; /* IFA_F_* */
	__u8 scope;
	__u8 proto; /* IFA_PROTO, 0 when absent */
	char label[IFNAMSIZ];
};

/* What a link reports; "usable" is what failover cares about. */
struct xhb_link_state {
	int ifindex;
	char name[IFNAMSIZ];
	unsigned int flags; /* IFF_UP, IFF_RUNNING, IFF_LOWER_UP, ... */
	__u8 operstate;	    /* IF_OPER_* (linux/if.h) */
	__u8 carrier;	    /* IFLA_CARRIER, 1 when absent */
	__u8 mac[6];
	unsigned int mac_len;
	bool usable; /* IFF_UP and IFF_RUNNING */
};

/* Parse "10.0.0.1" or "fd00::1" (no prefix); 0 or -EINVAL. */
int xhb_ipaddr_parse(const char *text, struct xhb_ipaddr *addr);
/* Broadcast of addr/prefixlen (host bits set); INADDR_ANY for /31, /32. */
struct in_addr xhb_ipv4_broadcast(struct in_addr addr, unsigned int prefixlen);

struct xhb_nl;

int xhb_nl__open(struct xhb_nl **nl);
void xhb_nl__close(struct xhb_nl *nl); /* accepts NULL */
/* The kernel's extended-ACK text for the last failed request, or "". */
const char *xhb_nl__last_error(const struct xhb_nl *nl);

/* ifindex (> 0) of ifname, or -ENODEV. */
int xhb_nl__ifindex(struct xhb_nl *nl, const char *ifname);
int xhb_nl__link_state(struct xhb_nl *nl, int ifindex,
		       struct xhb_link_state *state);

/* Strict forms: -EEXIST when present, -EADDRNOTAVAIL when absent. */
int xhb_nl__addr_add(struct xhb_nl *nl, const struct xhb_vip *vip);
int xhb_nl__addr_del(struct xhb_nl *nl, const struct xhb_vip *vip);
/* Idempotent forms for the agent: already there / already gone is 0.
 * IPv6 deletion matches the prefix length too, as the kernel does. */
int xhb_nl__vip_add(struct xhb_nl *nl, const struct xhb_vip *vip);
/* Requests sent on nl so far (tests: a staged takeover sends none). */
unsigned int xhb_nl__requests(const struct xhb_nl *nl);
int xhb_nl__vip_del(struct xhb_nl *nl, const struct xhb_vip *vip);
/* xhb_nl__vip_add() of n addresses without a round trip each: up to
 * XHB_NL_BATCH requests in one datagram, then their ACKs; results[i] says
 * vips[i]'s.
 * Returns 0, or the errno that stopped the batch (in results[] too). */
#define XHB_NL_BATCH 64
int xhb_nl__vip_add_many(struct xhb_nl *nl, const struct xhb_vip *vips,
			 unsigned int n, int *results);
/* The same with xhb_nl__vip_del(). */
int xhb_nl__vip_del_many(struct xhb_nl *nl, const struct xhb_vip *vips,
			 unsigned int n, int *results);

/* 1 when addr is on ifindex (any interface when ifindex is 0), filling
 * info if not NULL; 0 when absent; negative errno on failure. */
int xhb_nl__addr_find(struct xhb_nl *nl, int ifindex,
		      const struct xhb_ipaddr *addr,
		      struct xhb_addr_info *info);
/* The interface whose connected subnet holds addr (longest prefix wins),
 * for haresources lines without an interface: ifindex (> 0), and the
 * subnet's prefix length in *prefixlen if not NULL; -ENOENT when none. */
int xhb_nl__ifindex_for_addr(struct xhb_nl *nl, const struct xhb_ipaddr *addr,
			     unsigned int *prefixlen);

enum xhb_nl_event_type {
	XHB_NL_LINK_UP,
	XHB_NL_LINK_DOWN,  /* also when the link is deleted */
	XHB_NL_ADDR_ADDED, /* new, or its flags changed */
	XHB_NL_ADDR_REMOVED,
	XHB_NL_RESYNC, /* the kernel dropped events: re-read state */
};

struct xhb_nl_event {
	enum xhb_nl_event_type type;
	int ifindex;
	char ifname[IFNAMSIZ];	    /* link events */
	struct xhb_link_state link; /* link events */
	struct xhb_ipaddr addr;	    /* address events */
	struct xhb_addr_info info;  /* address events */
};

typedef void (*xhb_nl_event_fn)(const struct xhb_nl_event *event, void *ctx);

struct xhb_nlmon;

/* Link events are transitions of xhb_link_state.usable seen after open. */
int xhb_nlmon__open(struct xhb_nlmon **mon);
void xhb_nlmon__close(struct xhb_nlmon *mon); /* accepts NULL */
int xhb_nlmon__fd(const struct xhb_nlmon *mon);
/* Reads what is queued without blocking, calls fn per event; returns the
 * number of events reported or a negative errno. */
int xhb_nlmon__drain(struct xhb_nlmon *mon, xhb_nl_event_fn fn, void *ctx);

#endif /* XHB_VIP_H */
