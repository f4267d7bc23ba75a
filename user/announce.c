// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Gratuitous ARP and unsolicited Neighbor Advertisement, as whole
 * Ethernet frames written to one AF_PACKET socket.
 *
 * Whole frames, not the kernel's ARP/NDISC code, because the frames must
 * leave at the moment of takeover, with the VIP as sender, whether or
 * not the kernel would choose to announce on its own; and one socket for
 * both families because it is opened once, before privileges go.
 */
#include <net/if.h>
#include <net/if_arp.h>
#include <net/ethernet.h>
#include <netinet/if_ether.h>
#include <netinet/icmp6.h>
#include <netinet/ip6.h>
#include <netpacket/packet.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/types.h>

#include "announce.h"

/* RFC 4861 7.1.2: a receiver drops ND messages whose hop limit is not
 * 255, the proof that they were not routed from elsewhere. */
#define NDISC_HOP_LIMIT 255
/* RFC 2464 7: IPv6 multicast 33:33 + the group's low 32 bits. */
static const __u8 all_nodes_mac[ETH_ALEN] = {0x33, 0x33, 0, 0, 0, 1};
static const __u8 broadcast_mac[ETH_ALEN] = {0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff};

struct xhb_announce {
	int fd;
};

struct arp_frame {
	struct ether_header eth;
	struct ether_arp arp;
} __attribute__((packed));

struct na_frame {
	struct ether_header eth;
	struct ip6_hdr ip6;
	struct nd_neighbor_advert na;
	struct nd_opt_hdr opt;
	__u8 target_mac[ETH_ALEN]; /* the option's body: RFC 4861 4.6.1 */
} __attribute__((packed));

_Static_assert(sizeof(struct arp_frame) == 42, "Ethernet + ARP for IPv4");
_Static_assert(sizeof(struct na_frame) == 86, "Ethernet + IPv6 + NA + TLLA");
/* The option length counts units of 8 octets. */
_Static_assert((sizeof(struct nd_opt_hdr) + ETH_ALEN) % 8 == 0,
	       "target link-layer option fills whole 8-octet units");

int xhb_announce__open(struct xhb_announce **out)
{
	struct xhb_announce *ann;
	int err;

	*out = NULL;
	ann = calloc(1, sizeof(*ann));
	if (!ann)
		return -ENOMEM;
	/* Protocol 0: the socket sends and never receives, so no frame of
	 * the host's traffic is ever queued to it. */
	ann->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (ann->fd < 0) {
		err = -errno;
		free(ann);
		return err;
	}
	*out = ann;
	return 0;
}

void xhb_announce__close(struct xhb_announce *ann)
{
	if (!ann)
		return;
	close(ann->fd);
	free(ann);
}

/* The interface's name and MAC, read at every call: a bond or an
 * administrator may change the MAC, and the frame must carry the one
 * clients will reach now. */
static int iface_ether(int fd, int ifindex, char name[IFNAMSIZ],
		       __u8 mac[ETH_ALEN])
{
	struct ifreq ifr = {.ifr_ifindex = ifindex};

	if (ifindex <= 0)
		return -ENODEV;
	if (ioctl(fd, SIOCGIFNAME, &ifr) < 0)
		return -errno;
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return -EOPNOTSUPP;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	return 0;
}

static int send_frame(struct xhb_announce *ann, int ifindex, __u16 ethertype,
		      const __u8 dst[ETH_ALEN], const void *frame, size_t len)
{
	struct sockaddr_ll to = {
	    .sll_family = AF_PACKET,
	    .sll_protocol = htons(ethertype),
	    .sll_ifindex = ifindex,
	    .sll_halen = ETH_ALEN,
	};
	ssize_t sent;

	memcpy(to.sll_addr, dst, ETH_ALEN);
	sent =
	    sendto(ann->fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to));
	if (sent < 0)
		return -errno;
	return (size_t)sent == len ? 0 : -EIO;
}

int xhb_announce__garp(struct xhb_announce *ann, int ifindex,
		       struct in_addr vip, enum xhb_garp_form form)
{
	struct arp_frame frame = {0};
	char name[IFNAMSIZ];
	__u8 mac[ETH_ALEN];
	int ret;

	if (form != XHB_GARP_REQUEST && form != XHB_GARP_REPLY)
		return -EINVAL;
	ret = iface_ether(ann->fd, ifindex, name, mac);
	if (ret < 0)
		return ret;
	memcpy(frame.eth.ether_dhost, broadcast_mac, ETH_ALEN);
	memcpy(frame.eth.ether_shost, mac, ETH_ALEN);
	frame.eth.ether_type = htons(ETHERTYPE_ARP);
	frame.arp.arp_hrd = htons(ARPHRD_ETHER);
	frame.arp.arp_pro = htons(ETHERTYPE_IP);
	frame.arp.arp_hln = ETH_ALEN;
	frame.arp.arp_pln = sizeof(struct in_addr);
	memcpy(frame.arp.arp_sha, mac, ETH_ALEN);
	memcpy(frame.arp.arp_spa, &vip, sizeof(vip));
	memcpy(frame.arp.arp_tpa, &vip, sizeof(vip));
	if (form == XHB_GARP_REQUEST) {
		/* RFC 5227 2.3: the target MAC of an announcement is ignored
		 * and SHOULD be zero; the kernel's own announcements agree. */
		frame.arp.arp_op = htons(ARPOP_REQUEST);
	} else {
		/* A reply names its sender as target too, as send_arp and
		 * arping -A do: no host is being asked anything. */
		frame.arp.arp_op = htons(ARPOP_REPLY);
		memcpy(frame.arp.arp_tha, mac, ETH_ALEN);
	}
	return send_frame(ann, ifindex, ETHERTYPE_ARP, broadcast_mac, &frame,
			  sizeof(frame));
}

/* A host that forwards IPv6 must say so (Router flag): RFC 4861 7.2.5
 * has neighbors drop it from their default router list otherwise. */
static bool iface_forwards_ipv6(const char *name)
{
	char path[64 + IFNAMSIZ];
	bool forwarding = false;
	FILE *file;
	int value;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/forwarding",
		 name);
	file = fopen(path, "re");
	if (!file)
		return false;
	if (fscanf(file, "%d", &value) == 1)
		forwarding = value != 0;
	fclose(file);
	return forwarding;
}

/* Big-endian 16-bit one's-complement sum of len bytes, not yet folded. */
static __u32 csum_add(__u32 sum, const void *data, size_t len)
{
	const __u8 *byte = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)byte[i] << 8 | byte[i + 1];
	if (len & 1)
		sum += (__u32)byte[len - 1] << 8;
	return sum;
}

/* RFC 4443 2.3: over the IPv6 pseudo-header (RFC 8200 8.1) and the
 * ICMPv6 message. */
static __u16 icmp6_checksum(const struct in6_addr *src,
			    const struct in6_addr *dst, const void *icmp,
			    __u32 len)
{
	__u8 tail[8] = {0};
	__u32 sum = 0;

	tail[0] = len >> 24;
	tail[1] = len >> 16;
	tail[2] = len >> 8;
	tail[3] = len;
	tail[7] = IPPROTO_ICMPV6;
	sum = csum_add(sum, src, sizeof(*src));
	sum = csum_add(sum, dst, sizeof(*dst));
	sum = csum_add(sum, tail, sizeof(tail));
	sum = csum_add(sum, icmp, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((__u16)~sum);
}

int xhb_announce__na(struct xhb_announce *ann, int ifindex,
		     const struct in6_addr *vip)
{
	const __u32 icmp_len = sizeof(struct nd_neighbor_advert) +
			       sizeof(struct nd_opt_hdr) + ETH_ALEN;
	struct in6_addr all_nodes = {0};
	struct na_frame frame = {0};
	char name[IFNAMSIZ];
	__u8 mac[ETH_ALEN];
	__u32 flags;
	__u16 sum;
	int ret;

	ret = iface_ether(ann->fd, ifindex, name, mac);
	if (ret < 0)
		return ret;
	all_nodes.s6_addr[0] = 0xff;
	all_nodes.s6_addr[1] = 0x02;
	all_nodes.s6_addr[15] = 0x01;

	memcpy(frame.eth.ether_dhost, all_nodes_mac, ETH_ALEN);
	memcpy(frame.eth.ether_shost, mac, ETH_ALEN);
	frame.eth.ether_type = htons(ETHERTYPE_IPV6);

	frame.ip6.ip6_flow = htonl(6u << 28); /* version 6, class and flow 0 */
	frame.ip6.ip6_plen = htons(icmp_len);
	frame.ip6.ip6_nxt = IPPROTO_ICMPV6;
	frame.ip6.ip6_hlim = NDISC_HOP_LIMIT;
	/* From the VIP itself: the one address the node surely has on this
	 * link at takeover, and what keepalived and IPv6addr send. */
	memcpy(&frame.ip6.ip6_src, vip, sizeof(*vip));
	memcpy(&frame.ip6.ip6_dst, &all_nodes, sizeof(all_nodes));

	frame.na.nd_na_type = ND_NEIGHBOR_ADVERT;
	frame.na.nd_na_code = 0;
	/* Override: replace the old owner's MAC in every cache (RFC 4861
	 * 7.2.6). Not Solicited: nobody asked. */
	flags = ND_NA_FLAG_OVERRIDE;
	if (iface_forwards_ipv6(name))
		flags |= ND_NA_FLAG_ROUTER;
	memcpy(&frame.na.nd_na_flags_reserved, &flags, sizeof(flags));
	memcpy(&frame.na.nd_na_target, vip, sizeof(*vip));
	frame.opt.nd_opt_type = ND_OPT_TARGET_LINKADDR;
	frame.opt.nd_opt_len = (sizeof(struct nd_opt_hdr) + ETH_ALEN) / 8;
	memcpy(frame.target_mac, mac, ETH_ALEN);

	sum = icmp6_checksum(vip, &all_nodes, &frame.na, icmp_len);
	memcpy(&frame.na.nd_na_cksum, &sum, sizeof(sum));
	return send_frame(ann, ifindex, ETHERTYPE_IPV6, all_nodes_mac, &frame,
			  sizeof(frame));
}
