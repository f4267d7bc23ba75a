// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The rtnetlink monitoring socket: link up/down and addresses added or
 * removed, read when poll() says so (see vip.h). A second socket, apart
 * from the command socket of vip.c, so that notifications never
 * interleave with the replies to our own requests. */
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rtnl.h"
#include "vip.h"

/* Datagrams read per xhb_nlmon__drain(): the rest waits for the next
 * poll(), so a storm of events cannot starve the heartbeat loop. */
#define NLMON_MAX_DATAGRAMS_PER_DRAIN 64
/* The monitor's receive buffer: a burst of link/address changes (a
 * bond flapping, a flush of many addresses) must not overflow it. */
#define NLMON_RCVBUF_BYTES (1 << 20)

struct link_seen {
	int ifindex;
	bool usable;
};

struct xhb_nlmon {
	struct mnl_socket *sock;
	struct link_seen *links;
	size_t nlinks, links_cap;
	char buf[NL_BUF_SIZE];
};

static struct link_seen *link_seen_find(struct xhb_nlmon *mon, int ifindex)
{
	for (size_t i = 0; i < mon->nlinks; i++)
		if (mon->links[i].ifindex == ifindex)
			return &mon->links[i];
	return NULL;
}

static void link_seen_forget(struct xhb_nlmon *mon, int ifindex)
{
	struct link_seen *seen = link_seen_find(mon, ifindex);

	if (seen)
		*seen = mon->links[--mon->nlinks];
}

/* Records the link's state; returns the previous entry's state through
 * *was_usable and whether there was one. */
static int link_seen_update(struct xhb_nlmon *mon, int ifindex, bool usable,
			    bool *known, bool *was_usable)
{
	struct link_seen *seen = link_seen_find(mon, ifindex);

	*known = seen != NULL;
	if (seen) {
		*was_usable = seen->usable;
		seen->usable = usable;
		return 0;
	}
	if (mon->nlinks == mon->links_cap) {
		size_t cap = mon->links_cap ? mon->links_cap * 2 : 16;
		struct link_seen *links =
		    realloc(mon->links, cap * sizeof(*links));

		if (!links)
			return -ENOMEM;
		mon->links = links;
		mon->links_cap = cap;
	}
	mon->links[mon->nlinks++] =
	    (struct link_seen){.ifindex = ifindex, .usable = usable};
	return 0;
}

static int seed_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct xhb_nlmon *mon = data;
	struct xhb_link_state state;
	bool known, was_usable;

	if (nlh->nlmsg_type != RTM_NEWLINK || xhb_rtnl_link_parse(nlh, &state) < 0)
		return MNL_CB_OK;
	if (link_seen_update(mon, state.ifindex, state.usable, &known,
			     &was_usable) < 0) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static void seed_restart(void *data)
{
	((struct xhb_nlmon *)data)->nlinks = 0;
}

/* Learns every link's state through a command socket, after the
 * subscription, so that a change is either in the dump or queued. */
static int nlmon_seed(struct xhb_nlmon *mon)
{
	char buf[NL_REQ_SIZE] __attribute__((aligned(4))) = {0};
	struct xhb_nl *nl;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int ret = xhb_nl__open(&nl);

	if (ret < 0)
		return ret;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ret = xhb_rtnl_dump(nl, nlh, seed_link_cb, mon, seed_restart);
	xhb_nl__close(nl);
	return ret;
}

int xhb_nlmon__open(struct xhb_nlmon **out)
{
	int rcvbuf = NLMON_RCVBUF_BYTES;
	struct xhb_nlmon *mon;
	int err, fd;

	*out = NULL;
	mon = calloc(1, sizeof(*mon));
	if (!mon)
		return -ENOMEM;
	mon->sock =
	    mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!mon->sock)
		goto fail_errno;
	fd = mnl_socket_get_fd(mon->sock);
	/* FORCE passes rmem_max as root; else take what is allowed. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_bind(mon->sock,
			    RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
				RTMGRP_IPV6_IFADDR,
			    MNL_SOCKET_AUTOPID) < 0)
		goto fail_errno;
	err = nlmon_seed(mon);
	if (err < 0)
		goto fail;
	*out = mon;
	return 0;
fail_errno:
	err = -errno;
fail:
	xhb_nlmon__close(mon);
	return err;
}

void xhb_nlmon__close(struct xhb_nlmon *mon)
{
	if (!mon)
		return;
	if (mon->sock)
		mnl_socket_close(mon->sock);
	free(mon->links);
	free(mon);
}

int xhb_nlmon__fd(const struct xhb_nlmon *mon)
{
	return mnl_socket_get_fd(mon->sock);
}

struct nlmon_drain {
	struct xhb_nlmon *mon;
	xhb_nl_event_fn fn;
	void *ctx;
	int reported;
};

static void nlmon_report(struct nlmon_drain *drain,
			 const struct xhb_nl_event *event)
{
	drain->fn(event, drain->ctx);
	drain->reported++;
}

static int nlmon_link(struct nlmon_drain *drain, const struct nlmsghdr *nlh)
{
	struct xhb_nl_event event = {0};
	bool known, was_usable = false;

	if (xhb_rtnl_link_parse(nlh, &event.link) < 0)
		return MNL_CB_OK;
	event.ifindex = event.link.ifindex;
	memcpy(event.ifname, event.link.name, sizeof(event.ifname));
	if (nlh->nlmsg_type == RTM_DELLINK) {
		struct link_seen *seen =
		    link_seen_find(drain->mon, event.ifindex);

		known = seen != NULL;
		was_usable = seen && seen->usable;
		link_seen_forget(drain->mon, event.ifindex);
		event.link.usable = false;
	} else if (link_seen_update(drain->mon, event.ifindex,
				    event.link.usable, &known,
				    &was_usable) < 0) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	/* RTM_NEWLINK also comes for MTU, name, and flag changes that keep
	 * the link usable; only a change of usability is an event. A link
	 * first seen now (created after open) is learned silently. */
	if (!known || was_usable == event.link.usable)
		return MNL_CB_OK;
	event.type = event.link.usable ? XHB_NL_LINK_UP : XHB_NL_LINK_DOWN;
	nlmon_report(drain, &event);
	return MNL_CB_OK;
}

static int nlmon_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlmon_drain *drain = data;
	struct xhb_nl_event event = {0};

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return nlmon_link(drain, nlh);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		if (xhb_rtnl_addr_parse(nlh, &event.addr, NULL, &event.info) < 0)
			return MNL_CB_OK;
		event.type = nlh->nlmsg_type == RTM_NEWADDR
				 ? XHB_NL_ADDR_ADDED
				 : XHB_NL_ADDR_REMOVED;
		event.ifindex = event.info.ifindex;
		nlmon_report(drain, &event);
		return MNL_CB_OK;
	}
	return MNL_CB_OK;
}

int xhb_nlmon__drain(struct xhb_nlmon *mon, xhb_nl_event_fn fn, void *ctx)
{
	struct nlmon_drain drain = {.mon = mon, .fn = fn, .ctx = ctx};

	for (int i = 0; i < NLMON_MAX_DATAGRAMS_PER_DRAIN; i++) {
		ssize_t len =
		    mnl_socket_recvfrom(mon->sock, mon->buf, sizeof(mon->buf));

		if (len < 0 && errno == ENOBUFS) {
			/* Events were lost: what we knew of the links may be
			 * stale, so learn it again and tell the caller to
			 * re-read whatever it depends on. */
			struct xhb_nl_event event = {.type = XHB_NL_RESYNC};
			int ret = nlmon_seed(mon);

			if (ret < 0)
				return ret;
			nlmon_report(&drain, &event);
			continue;
		}
		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -errno;
		}
		/* seq and portid 0: notifications answer nobody's request. */
		if (mnl_cb_run(mon->buf, len, 0, 0, nlmon_cb, &drain) ==
		    MNL_CB_ERROR)
			return -errno;
	}
	return drain.reported;
}
