// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Host routes in a table of their own, over rtnetlink (see route.h). */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <string.h>
#include <sys/socket.h>

#include "route.h"
#include "rtnl.h"

static struct nlmsghdr *route_request(char *buf, int type, int flags,
				      const struct xhb_route *rt)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	bool v4 = rt->dst.family == AF_INET;
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = rt->dst.family;
	rtm->rtm_dst_len = v4 ? 32 : 128;
	/* a table above 255 only fits RTA_TABLE; the header says so */
	rtm->rtm_table = rt->table < 256 ? rt->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = rt->proto;
	/* `ip route add X/32 dev lo` makes the same: a link route, no gateway
	 */
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, v4 ? 4 : 16,
		     v4 ? (const void *)&rt->dst.v4
			: (const void *)&rt->dst.v6);
	mnl_attr_put_u32(nlh, RTA_TABLE, rt->table);
	mnl_attr_put_u32(nlh, RTA_OIF, (__u32)rt->ifindex);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, rt->metric);
	return nlh;
}

static int route_check(const struct xhb_route *rt)
{
	if (rt->dst.family != AF_INET && rt->dst.family != AF_INET6)
		return -EAFNOSUPPORT;
	return rt->ifindex > 0 && rt->table ? 0 : -EINVAL;
}

int xhb_nl__route_add(struct xhb_nl *nl, const struct xhb_route *rt)
{
	char buf[NL_REQ_SIZE] __attribute__((aligned(4))) = {0};
	int ret = route_check(rt);

	if (ret)
		return ret;
	/* EXCL: a route of the same table, address and metric is ours
	 * already (a restarted agent's), and kept as it is */
	ret = xhb_rtnl_talk(nl, route_request(buf, RTM_NEWROUTE,
					      NLM_F_CREATE | NLM_F_EXCL, rt));
	return ret == -EEXIST ? 1 : ret;
}

int xhb_nl__route_del(struct xhb_nl *nl, const struct xhb_route *rt)
{
	char buf[NL_REQ_SIZE] __attribute__((aligned(4))) = {0};
	int ret = route_check(rt);

	if (ret)
		return ret;
	/* the kernel matches table, protocol, metric and device: another
	 * daemon's route for the same address is left alone */
	ret = xhb_rtnl_talk(nl, route_request(buf, RTM_DELROUTE, 0, rt));
	return ret == -ESRCH ? 1 : ret;
}
