// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* VIP addresses and link state over rtnetlink, with libmnl: the command
 * socket (the monitoring socket is nlmon.c).
 *
 * Two sockets, as keepalived has: commands (each waits for its own ACK,
 * so an error is the error of that request) and monitoring (multicast
 * groups, read when poll() says so). Mixing both on one socket would let
 * notifications interleave with replies and be lost or misread.
 */
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "rtnl.h"
#include "vip.h"

/* The kernel answers in microseconds; this only bounds a wait that
 * should never happen, so a wedged netlink cannot hang the agent. */
#define NL_REPLY_TIMEOUT_S 5
/* Datagrams read for one request (a dump of ~400 addresses each): a
 * bound on the loop, far above any real interface table. */
#define NL_MAX_READS_PER_REQUEST 4096
/* A dump the kernel marks inconsistent (a change raced it) is retried. */
#define NL_DUMP_ATTEMPTS 3
/* Requests in one datagram of xhb_nl__vip_add_many(): their ACKs (small,
 * NETLINK_CAP_ACK) fit the socket's receive buffer with room to spare. */
#define NL_BATCH XHB_NL_BATCH

struct xhb_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	char errmsg[128];
	char buf[NL_BUF_SIZE];
};


/* ---- addresses as values ---------------------------------------------- */

int xhb_ipaddr_parse(const char *text, struct xhb_ipaddr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, text, &addr->v4) == 1) {
		addr->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &addr->v6) == 1) {
		addr->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

struct in_addr xhb_ipv4_broadcast(struct in_addr addr, unsigned int prefixlen)
{
	struct in_addr brd = {0};

	/* /31 and /32 have no broadcast (RFC 3021); ip(8) sets none either. */
	if (prefixlen > 30)
		return brd;
	brd.s_addr = addr.s_addr | htonl(0xffffffffu >> prefixlen);
	return brd;
}

static unsigned int addr_len(int family)
{
	return family == AF_INET ? sizeof(struct in_addr)
				 : sizeof(struct in6_addr);
}

static unsigned int addr_bits(int family)
{
	return addr_len(family) * 8;
}

static const __u8 *addr_bytes(const struct xhb_ipaddr *addr)
{
	return addr->family == AF_INET ? (const __u8 *)&addr->v4
				       : (const __u8 *)&addr->v6;
}

static bool addr_equal(const struct xhb_ipaddr *a, const struct xhb_ipaddr *b)
{
	return a->family == b->family &&
	       !memcmp(addr_bytes(a), addr_bytes(b), addr_len(a->family));
}

/* Whether the first prefixlen bits of a and b agree. */
static bool prefix_match(const struct xhb_ipaddr *a, const struct xhb_ipaddr *b,
			 unsigned int prefixlen)
{
	const __u8 *pa = addr_bytes(a), *pb = addr_bytes(b);
	unsigned int whole = prefixlen / 8, rest = prefixlen % 8;

	if (a->family != b->family || prefixlen > addr_bits(a->family))
		return false;
	if (memcmp(pa, pb, whole))
		return false;
	if (rest) {
		__u8 mask = (__u8)(0xff << (8 - rest));

		if ((pa[whole] ^ pb[whole]) & mask)
			return false;
	}
	return true;
}

/* ---- command socket ----------------------------------------------------- */

struct nl_request {
	struct xhb_nl *nl;
	mnl_cb_t cb; /* per data message; NULL to ignore them */
	void *data;
};

static int ext_ack_attr_cb(const struct nlattr *attr, void *data)
{
	struct xhb_nl *nl = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s",
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* NLMSG_ERROR is both the ACK (error 0) and the failure; with
 * NETLINK_EXT_ACK it also carries the kernel's reason as text, which the
 * caller can add to its message ("Invalid prefix length", ...). */
static int nl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_request *req = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int offset = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err->error == 0)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* Uncapped, the request is echoed before the TLVs. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			offset += err->msg.nlmsg_len - sizeof(err->msg);
		if (mnl_nlmsg_size(offset) <= nlh->nlmsg_len)
			mnl_attr_parse(nlh, offset, ext_ack_attr_cb, req->nl);
	}
	errno = -err->error;
	return MNL_CB_ERROR;
}

/* A dump ends with NLMSG_DONE, whose payload may carry the dump's error. */
static int nl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	int error = 0;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(error))
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	if (error < 0) {
		errno = -error;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int nl_overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	errno = ENOSPC;
	return MNL_CB_ERROR;
}

static int nl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_request *req = data;

	return req->cb ? req->cb(nlh, req->data) : MNL_CB_OK;
}

/* A reply to an earlier request that timed out would carry an old
 * sequence number and make libmnl reject the next reply: drop it. */
static void nl_discard_stale(struct xhb_nl *nl)
{
	int fd = mnl_socket_get_fd(nl->sock);

	for (int i = 0; i < NL_MAX_READS_PER_REQUEST; i++)
		if (recv(fd, nl->buf, sizeof(nl->buf), MSG_DONTWAIT) <= 0)
			break;
}

/* Sends nlh and reads until its ACK, its error or the end of its dump. */
static int nl_talk(struct xhb_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	struct nl_request req = {.nl = nl, .cb = cb, .data = data};
	/* libmnl runs none of its defaults once a table is given. */
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
	    [NLMSG_ERROR] = nl_error_cb,
	    [NLMSG_DONE] = nl_done_cb,
	    [NLMSG_OVERRUN] = nl_overrun_cb,
	};

	nl->errmsg[0] = '\0';
	nlh->nlmsg_seq = ++nl->seq;
	nl_discard_stale(nl);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (int i = 0; i < NL_MAX_READS_PER_REQUEST; i++) {
		ssize_t len =
		    mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		int ret;

		if (len < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		ret = mnl_cb_run2(nl->buf, len, nlh->nlmsg_seq, nl->portid,
				  nl_data_cb, &req, ctl, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EPROTO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
	return -EOVERFLOW;
}

int xhb_rtnl_talk(struct xhb_nl *nl, struct nlmsghdr *nlh)
{
	return nl_talk(nl, nlh, NULL, NULL);
}

/* A dump that raced a change ends with EINTR (NLM_F_DUMP_INTR): redo it. */
int xhb_rtnl_dump(struct xhb_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		  void *data, void (*restart)(void *data))
{
	int ret = -EINTR;

	for (int i = 0; i < NL_DUMP_ATTEMPTS && ret == -EINTR; i++) {
		if (restart)
			restart(data);
		ret = nl_talk(nl, nlh, cb, data);
	}
	return ret;
}

void xhb_rtnl_set_flag_opt(struct mnl_socket *sock, int opt)
{
	int one = 1;

	/* Each is an improvement (text errors, short ACKs, kernel-side dump
	 * filters), not a need: the code checks and filters on its own. */
	mnl_socket_setsockopt(sock, opt, &one, sizeof(one));
}

int xhb_nl__open(struct xhb_nl **out)
{
	struct timeval timeout = {.tv_sec = NL_REPLY_TIMEOUT_S};
	struct xhb_nl *nl;
	int err;

	*out = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		goto fail;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	if (setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO,
		       &timeout, sizeof(timeout)) < 0)
		goto fail;
	xhb_rtnl_set_flag_opt(nl->sock, NETLINK_CAP_ACK);
	xhb_rtnl_set_flag_opt(nl->sock, NETLINK_EXT_ACK);
	xhb_rtnl_set_flag_opt(nl->sock, NETLINK_GET_STRICT_CHK);
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	*out = nl;
	return 0;
fail:
	err = -errno;
	xhb_nl__close(nl);
	return err;
}

void xhb_nl__close(struct xhb_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
}

const char *xhb_nl__last_error(const struct xhb_nl *nl)
{
	return nl ? nl->errmsg : "";
}

/* ---- links -------------------------------------------------------------- */

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_OK;
		break;
	case IFLA_OPERSTATE:
	case IFLA_CARRIER:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_OK;
		break;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

int xhb_rtnl_link_parse(const struct nlmsghdr *nlh, struct xhb_link_state *state)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {0};
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return -EBADMSG;
	memset(state, 0, sizeof(*state));
	mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, tb);
	state->ifindex = ifi->ifi_index;
	state->flags = ifi->ifi_flags;
	state->operstate = tb[IFLA_OPERSTATE]
			       ? mnl_attr_get_u8(tb[IFLA_OPERSTATE])
			       : IF_OPER_UNKNOWN;
	/* Devices without carrier reporting are treated as having it. */
	state->carrier =
	    tb[IFLA_CARRIER] ? mnl_attr_get_u8(tb[IFLA_CARRIER]) : 1;
	if (tb[IFLA_IFNAME])
		snprintf(state->name, sizeof(state->name), "%s",
			 mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_ADDRESS]) {
		unsigned int len = mnl_attr_get_payload_len(tb[IFLA_ADDRESS]);

		if (len <= sizeof(state->mac)) {
			memcpy(state->mac,
			       mnl_attr_get_payload(tb[IFLA_ADDRESS]), len);
			state->mac_len = len;
		}
	}
	/* IFF_RUNNING is the kernel's RFC 2863 "operationally up": admin up
	 * is not enough, a veth whose peer is down or a NIC without carrier
	 * cannot carry the VIP. */
	state->usable = (state->flags & IFF_UP) && (state->flags & IFF_RUNNING);
	return 0;
}

static int link_one_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (xhb_rtnl_link_parse(nlh, data) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *link_request(char *buf, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	/* ACK after the reply: a uniform end for every request. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

/* By SIOCGIFINDEX, not RTM_GETLINK: the kernel answers it under RCU,
 * while RTM_GETLINK waits for RTNL, which any other user of the lock
 * (a netdev being deleted anywhere on the host, in any namespace) may
 * hold for tens of milliseconds, and a takeover resolves its interface
 * first. The socket's namespace is the agent's, as for every request. */
int xhb_nl__ifindex(struct xhb_nl *nl, const char *ifname)
{
	struct ifreq ifr = {0};

	if (!ifname || !ifname[0] || strlen(ifname) >= IFNAMSIZ)
		return -ENODEV;
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(mnl_socket_get_fd(nl->sock), SIOCGIFINDEX, &ifr) < 0)
		return errno == ENODEV ? -ENODEV : -errno;
	return ifr.ifr_ifindex > 0 ? ifr.ifr_ifindex : -ENODEV;
}

int xhb_nl__link_state(struct xhb_nl *nl, int ifindex,
		       struct xhb_link_state *state)
{
	char buf[NL_REQ_SIZE] __attribute__((aligned(4))) = {0};
	int ret;

	if (ifindex <= 0)
		return -ENODEV;
	memset(state, 0, sizeof(*state));
	ret = nl_talk(nl, link_request(buf, ifindex), link_one_cb, state);
	if (ret < 0)
		return ret;
	return state->ifindex == ifindex ? 0 : -ENODEV;
}

/* ---- addresses ---------------------------------------------------------- */

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case IFA_LABEL:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_OK;
		break;
	case IFA_FLAGS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_OK;
		break;
	case IFA_PROTO:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_OK;
		break;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static bool attr_to_addr(const struct nlattr *attr, int family,
			 struct xhb_ipaddr *addr)
{
	if (!attr || mnl_attr_get_payload_len(attr) != addr_len(family))
		return false;
	memset(addr, 0, sizeof(*addr));
	addr->family = family;
	memcpy(family == AF_INET ? (void *)&addr->v4 : (void *)&addr->v6,
	       mnl_attr_get_payload(attr), addr_len(family));
	return true;
}

/* One RTM_NEWADDR/RTM_DELADDR: the address itself (IFA_LOCAL, which on
 * point-to-point links differs from IFA_ADDRESS, the peer) and the
 * prefix address (IFA_ADDRESS) whose subnet is connected. */
int xhb_rtnl_addr_parse(const struct nlmsghdr *nlh, struct xhb_ipaddr *local,
			struct xhb_ipaddr *prefix, struct xhb_addr_info *info)
{
	const struct nlattr *tb[IFA_MAX + 1] = {0};
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *local_attr, *prefix_attr;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return -EBADMSG;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -EAFNOSUPPORT;
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb);
	local_attr = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	prefix_attr = tb[IFA_ADDRESS] ? tb[IFA_ADDRESS] : tb[IFA_LOCAL];
	if (!attr_to_addr(local_attr, ifa->ifa_family, local))
		return -EBADMSG;
	if (prefix && !attr_to_addr(prefix_attr, ifa->ifa_family, prefix))
		return -EBADMSG;
	memset(info, 0, sizeof(*info));
	info->ifindex = ifa->ifa_index;
	info->prefixlen = ifa->ifa_prefixlen;
	info->scope = ifa->ifa_scope;
	/* IFA_FLAGS, when present, is the full set; ifa_flags only 8 bits. */
	info->flags =
	    tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	info->proto = tb[IFA_PROTO] ? mnl_attr_get_u8(tb[IFA_PROTO]) : 0;
	if (tb[IFA_LABEL])
		snprintf(info->label, sizeof(info->label), "%s",
			 mnl_attr_get_str(tb[IFA_LABEL]));
	return 0;
}

static int vip_check(const struct xhb_vip *vip)
{
	if (vip->addr.family != AF_INET && vip->addr.family != AF_INET6)
		return -EAFNOSUPPORT;
	if (vip->prefixlen > addr_bits(vip->addr.family))
		return -EINVAL;
	if (vip->ifindex <= 0)
		return -ENODEV;
	if (vip->label) {
		/* The kernel keeps labels for IPv4 only. */
		if (vip->addr.family != AF_INET)
			return -EINVAL;
		if (!vip->label[0] || strlen(vip->label) >= IFNAMSIZ)
			return -EINVAL;
	}
	return 0;
}

static struct nlmsghdr *addr_request(char *buf, int type, int flags,
				     const struct xhb_vip *vip)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = vip->addr.family;
	ifa->ifa_prefixlen = vip->prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = vip->ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, addr_len(vip->addr.family),
		     addr_bytes(&vip->addr));
	return nlh;
}

/* RTM_NEWADDR for vip in buf (NL_REQ_SIZE bytes, zeroed). */
static struct nlmsghdr *addr_add_request(char *buf, const struct xhb_vip *vip)
{
	struct nlmsghdr *nlh;
	__u32 flags = 0;

	/* EXCL: an address already there is reported, not silently kept. */
	nlh = addr_request(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, vip);
	/* Local and prefix address are the same on a broadcast link, as
	 * ip(8) sends them. */
	mnl_attr_put(nlh, IFA_ADDRESS, addr_len(vip->addr.family),
		     addr_bytes(&vip->addr));
	if (vip->addr.family == AF_INET) {
		if (vip->broadcast.s_addr != INADDR_ANY)
			mnl_attr_put(nlh, IFA_BROADCAST, sizeof(vip->broadcast),
				     &vip->broadcast);
		if (vip->label)
			mnl_attr_put_strz(nlh, IFA_LABEL, vip->label);
	} else {
		/* No Duplicate Address Detection for a VIP: it moves between
		 * nodes and must answer the moment it is added. With DAD the
		 * kernel holds it "tentative" (unusable) for about a second
		 * although the old owner already released it, and a brief
		 * layer-2 overlap during a split would leave it "dadfailed"
		 * for good. The membership protocol is our duplicate check. */
		flags |= IFA_F_NODAD;
		if (vip->deprecated) {
			struct ifa_cacheinfo ci = {
			    .ifa_prefered = 0,
			    .ifa_valid = 0xFFFFFFFFU, /* INFINITY_LIFE_TIME */
			};

			mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
		}
	}
	/* The u8 ifa_flags cannot carry every flag; IFA_FLAGS can. */
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_flags =
	    (__u8)flags;
	mnl_attr_put_u32(nlh, IFA_FLAGS, flags);
	mnl_attr_put_u8(nlh, IFA_PROTO, XHB_IFA_PROTO);
	return nlh;
}

int xhb_nl__addr_add(struct xhb_nl *nl, const struct xhb_vip *vip)
{
	char buf[NL_REQ_SIZE] __attribute__((aligned(4))) = {0};
	int ret = vip_check(vip);

	if (ret < 0)
		return ret;
	return nl_talk(nl, addr_add_request(buf, vip), NULL, NULL);
}

/* One chunk of xhb_nl__vip_add_many() (del: _del_many()): its requests
 * in one datagram, then every ACK read (results[i] for vips[i]). */
static int vip_chunk(struct xhb_nl *nl, bool del, const struct xhb_vip *vips,
		     unsigned int n, int *results)
{
	static char req[NL_BATCH * NL_REQ_SIZE] __attribute__((aligned(4)));
	unsigned int at[NL_BATCH], waiting = 0, built;
	__u32 first = nl->seq + 1;
	size_t off = 0;

	memset(req, 0, sizeof(req));
	for (unsigned int i = 0; i < n; i++) {
		struct nlmsghdr *nlh;

		results[i] = vip_check(&vips[i]);
		if (results[i])
			continue;
		nlh = del ? addr_request(req + off, RTM_DELADDR, 0, &vips[i])
			  : addr_add_request(req + off, &vips[i]);
		nlh->nlmsg_seq = ++nl->seq;
		at[nlh->nlmsg_seq - first] = i;
		results[i] = -ETIMEDOUT; /* until its ACK */
		off += NLMSG_ALIGN(nlh->nlmsg_len);
		waiting++;
	}
	if (!waiting)
		return 0;
	built = waiting;
	nl_discard_stale(nl);
	if (mnl_socket_sendto(nl->sock, req, off) < 0)
		return -errno;
	for (int r = 0; waiting && r < NL_MAX_READS_PER_REQUEST; r++) {
		ssize_t len = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->buf;
		int left = (int)len;

		if (len < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
			__u32 k = nlh->nlmsg_seq - first;

			if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != nl->portid ||
			    k >= built || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)) ||
			    results[at[k]] != -ETIMEDOUT)
				continue;
			/* already there (gone) is fine, as xhb_nl__vip_add()
			 * (_del()) has it */
			results[at[k]] = e->error == (del ? -EADDRNOTAVAIL : -EEXIST)
						 ? 0
						 : e->error;
			waiting--;
		}
	}
	return 0;
}

static int vip_many(struct xhb_nl *nl, bool del, const struct xhb_vip *vips,
		    unsigned int n, int *results)
{
	for (unsigned int i = 0; i < n; i += NL_BATCH) {
		unsigned int k = n - i < NL_BATCH ? n - i : NL_BATCH;
		int ret = vip_chunk(nl, del, vips + i, k, results + i);

		if (ret)
			for (unsigned int j = i; j < n; j++)
				if (j >= i + k || results[j] == -ETIMEDOUT)
					results[j] = ret;
		if (ret)
			return ret;
	}
	return 0;
}

int xhb_nl__vip_add_many(struct xhb_nl *nl, const struct xhb_vip *vips,
			 unsigned int n, int *results)
{
	return vip_many(nl, false, vips, n, results);
}

int xhb_nl__vip_del_many(struct xhb_nl *nl, const struct xhb_vip *vips,
			 unsigned int n, int *results)
{
	return vip_many(nl, true, vips, n, results);
}

int xhb_nl__addr_del(struct xhb_nl *nl, const struct xhb_vip *vip)
{
	char buf[NL_REQ_SIZE] __attribute__((aligned(4))) = {0};
	int ret = vip_check(vip);

	if (ret < 0)
		return ret;
	/* IFA_LOCAL alone: IPv4 then matches the address whatever its
	 * label; IPv6 also matches ifa_prefixlen. */
	return nl_talk(nl, addr_request(buf, RTM_DELADDR, 0, vip), NULL, NULL);
}

unsigned int xhb_nl__requests(const struct xhb_nl *nl)
{
	return nl->seq;
}

int xhb_nl__vip_add(struct xhb_nl *nl, const struct xhb_vip *vip)
{
	int ret = xhb_nl__addr_add(nl, vip);

	return ret == -EEXIST ? 0 : ret;
}

int xhb_nl__vip_del(struct xhb_nl *nl, const struct xhb_vip *vip)
{
	int ret = xhb_nl__addr_del(nl, vip);

	return ret == -EADDRNOTAVAIL ? 0 : ret;
}

static struct nlmsghdr *addr_dump_request(char *buf, int family, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	/* Filtered by the kernel under NETLINK_GET_STRICT_CHK; by us too. */
	ifa->ifa_index = ifindex;
	return nlh;
}

struct addr_find {
	int ifindex;
	const struct xhb_ipaddr *addr;
	struct xhb_addr_info info;
	bool found;
};

static int addr_find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_find *find = data;
	struct xhb_ipaddr local;
	struct xhb_addr_info info;

	if (nlh->nlmsg_type != RTM_NEWADDR || find->found)
		return MNL_CB_OK;
	if (xhb_rtnl_addr_parse(nlh, &local, NULL, &info) < 0)
		return MNL_CB_OK;
	if (find->ifindex && info.ifindex != find->ifindex)
		return MNL_CB_OK;
	if (!addr_equal(&local, find->addr))
		return MNL_CB_OK;
	find->info = info;
	find->found = true;
	return MNL_CB_OK;
}

static void addr_find_restart(void *data)
{
	((struct addr_find *)data)->found = false;
}

int xhb_nl__addr_find(struct xhb_nl *nl, int ifindex,
		      const struct xhb_ipaddr *addr, struct xhb_addr_info *info)
{
	char buf[NL_REQ_SIZE] __attribute__((aligned(4))) = {0};
	struct addr_find find = {.ifindex = ifindex, .addr = addr};
	int ret;

	if (addr->family != AF_INET && addr->family != AF_INET6)
		return -EAFNOSUPPORT;
	if (ifindex < 0)
		return -ENODEV;
	ret = xhb_rtnl_dump(nl, addr_dump_request(buf, addr->family, ifindex),
		      addr_find_cb, &find, addr_find_restart);
	if (ret < 0)
		return ret;
	if (find.found && info)
		*info = find.info;
	return find.found;
}

struct subnet_find {
	const struct xhb_ipaddr *addr;
	int ifindex;
	unsigned int prefixlen;
};

static int subnet_find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct subnet_find *find = data;
	struct xhb_ipaddr local, prefix;
	struct xhb_addr_info info;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return MNL_CB_OK;
	if (xhb_rtnl_addr_parse(nlh, &local, &prefix, &info) < 0)
		return MNL_CB_OK;
	/* Loopback's host-scope 127/8 and ::1 are not a connected subnet a
	 * VIP could live on; a failed DAD leaves the address unusable. */
	if (info.scope == RT_SCOPE_HOST || (info.flags & IFA_F_DADFAILED))
		return MNL_CB_OK;
	if (info.prefixlen == 0 || info.prefixlen <= find->prefixlen)
		return MNL_CB_OK;
	if (!prefix_match(&prefix, find->addr, info.prefixlen))
		return MNL_CB_OK;
	find->ifindex = info.ifindex;
	find->prefixlen = info.prefixlen;
	return MNL_CB_OK;
}

static void subnet_find_restart(void *data)
{
	struct subnet_find *find = data;

	find->ifindex = 0;
	find->prefixlen = 0;
}

int xhb_nl__ifindex_for_addr(struct xhb_nl *nl, const struct xhb_ipaddr *addr,
			     unsigned int *prefixlen)
{
	char buf[NL_REQ_SIZE] __attribute__((aligned(4))) = {0};
	struct subnet_find find = {.addr = addr};
	int ret;

	if (addr->family != AF_INET && addr->family != AF_INET6)
		return -EAFNOSUPPORT;
	ret = xhb_rtnl_dump(nl, addr_dump_request(buf, addr->family, 0),
		      subnet_find_cb, &find, subnet_find_restart);
	if (ret < 0)
		return ret;
	if (!find.ifindex)
		return -ENOENT;
	if (prefixlen)
		*prefixlen = find.prefixlen;
	return find.ifindex;
}
