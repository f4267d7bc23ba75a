/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The few protocol constants the XDP side needs. vmlinux.h carries the
 * kernel's structs and enums but not its #defines, and the linux/ uapi headers cannot
 * be mixed with it, so they are spelled out once here.
 */
#ifndef XHB_BPF_H
#define XHB_BPF_H

#define ETH_ALEN 6
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_ARP 0x0806
#define ARPOP_REQUEST 1
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define NEXTHDR_ICMPV6 58
#define NDISC_NEIGHBOUR_SOLICITATION 135
#define NDISC_NEIGHBOUR_ADVERTISEMENT 136
#define VLAN_VID_MASK 0x0fff

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff
#define NEXTHDR_FRAGMENT 44

#define AF_INET 2
#define AF_INET6 10

#define XHB_REPLY_TTL 64

#define XHB_INLINE static inline __attribute__((always_inline))

/* Loops over constant bounds unrolled so the verifier sees straight code. */
#define XHB_UNROLL _Pragma("clang loop unroll(full)")

#endif /* XHB_BPF_H */
