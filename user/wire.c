// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Userspace side of the wire format: headers, tags and test frames. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include "config.h"
#include "wire.h"
#include "xhb_siphash.h"

void xhb_wire_keys_from_config(const struct xhb_config *cfg,
			       struct xhb_key keys[XHB_MAX_KEYS])
{
	bool authenticated =
		cfg->keys[cfg->auth_index].method == XHB_AUTH_SIPHASH;

	memset(keys, 0, sizeof(*keys) * XHB_MAX_KEYS);
	for (int i = 0; i < XHB_MAX_KEYS; i++) {
		if (authenticated && cfg->keys[i].method == XHB_AUTH_CRC)
			continue;
		keys[i].method = cfg->keys[i].method;
		keys[i].k0 = cfg->keys[i].k0;
		keys[i].k1 = cfg->keys[i].k1;
	}
}

const char *xhb_node_state_name(int state)
{
	switch (state) {
	case XHB_NODE_INIT:
		return "init";
	case XHB_NODE_ACTIVE:
		return "active";
	case XHB_NODE_LEAVING:
		return "leaving";
	case XHB_NODE_FAULT:
		return "fault";
	default:
		return "none";
	}
}

void xhb_wire_fill(struct xhb_hdr *h, const struct xhb_wire_fields *f)
{
	memset(h, 0, sizeof(*h));
	h->magic = htonl(XHB_MAGIC);
	h->version = XHB_VERSION;
	h->type = f->type;
	h->state = f->state;
	h->priority = f->priority;
	h->cluster_id = htonl(f->cluster_id);
	h->node_id = htonl(f->node_id);
	h->dest_node_id = htonl(f->dest_node_id);
	h->flags = f->flags;
	h->incarnation = htobe64(f->incarnation);
	h->seq = htobe64(f->seq);
	h->timestamp_ns = htobe64(f->timestamp_ns);
	h->agent_epoch = htobe64(f->agent_epoch);
	h->agent_age_us = htonl(f->agent_age_us);
	h->lease_ms = htonl(f->lease_ms);
	h->groups_held = htonl(f->groups_held);
	h->groups_wanted = htonl(f->groups_wanted);
	h->groups_refused = htonl(f->groups_refused);
	h->echo_incarnation = htonl(f->echo_incarnation);
	h->ping_up = htons(f->ping_up);
}

void xhb_wire_compact(struct xhb_hdr *h)
{
	struct xhb_probe p = {
		.magic = h->magic,
		.version = XHB_PROBE_VERSION,
		.type = XHB_MSG_PROBE,
		.key_id = h->key_id,
		.flags = h->flags,
		.cluster_id = h->cluster_id,
		.node_id = h->node_id,
		.dest_node_id = h->dest_node_id,
		.incarnation = h->incarnation,
		.seq = h->seq,
		.timestamp_ns = h->timestamp_ns,
	};

	memset(h, 0, sizeof(*h));
	memcpy(h, &p, sizeof(p));
}

/* A compact probe's tag and key id are elsewhere than a header's. */
static bool compact(const struct xhb_hdr *h)
{
	return h->version == XHB_PROBE_VERSION;
}

static __u8 *tag_of(struct xhb_hdr *h)
{
	return compact(h) ? (__u8 *)&((struct xhb_probe *)h)->tag
			  : (__u8 *)&h->tag;
}

__u64 xhb_wire_tag(const struct xhb_hdr *h, const struct xhb_key *key)
{
	__u32 len = compact(h) ? XHB_PROBE_TAGGED_LEN : XHB_TAGGED_LEN;

	if (key->method == XHB_AUTH_CRC)
		return xhb_crc32((const __u8 *)h, len);
	return xhb_siphash((const __u8 *)h, len, key->k0, key->k1);
}

void xhb_wire_sign(struct xhb_hdr *h, __u8 key_id, const struct xhb_key *key)
{
	if (compact(h))
		((struct xhb_probe *)h)->key_id = key_id;
	else
		h->key_id = key_id;
	xhb_store_le64(tag_of(h), xhb_wire_tag(h, key));
}

bool xhb_wire_verify(const struct xhb_hdr *h, const struct xhb_key *key)
{
	return key->method != XHB_AUTH_NONE &&
	       xhb_load_le64(tag_of((struct xhb_hdr *)h)) ==
		       xhb_wire_tag(h, key);
}

enum xhb_wire_verdict xhb_wire_check(const void *buf, size_t len,
				     __u32 cluster_id,
				     const struct xhb_key keys[XHB_MAX_KEYS],
				     struct xhb_hdr *out)
{
	/* aligned: xhb_probe_expand() writes it a word at a time */
	struct xhb_hdr h __attribute__((aligned(8)));
	__u8 key_id;

	if (len != XHB_HDR_LEN)
		return XHB_WIRE_MALFORMED;
	memcpy(&h, buf, sizeof(h)); /* buf may be unaligned */
	if (h.magic != htonl(XHB_MAGIC))
		return XHB_WIRE_BAD_MAGIC;
	if (compact(&h)) {
		if (h.type != XHB_MSG_PROBE)
			return XHB_WIRE_BAD_TYPE;
	} else if (h.version != XHB_VERSION) {
		return XHB_WIRE_BAD_VERSION;
	}
	if (h.type == 0 || h.type >= XHB_MSG_TYPE_MAX)
		return XHB_WIRE_BAD_TYPE;
	if (h.cluster_id != htonl(cluster_id))
		return XHB_WIRE_BAD_CLUSTER;
	key_id = compact(&h) ? ((struct xhb_probe *)&h)->key_id : h.key_id;
	if (key_id >= XHB_MAX_KEYS || keys[key_id].method == XHB_AUTH_NONE)
		return XHB_WIRE_UNKNOWN_KEY;
	if (!xhb_wire_verify(&h, &keys[key_id]))
		return XHB_WIRE_BAD_TAG;
	if (compact(&h))
		xhb_probe_expand(&h);
	if (out)
		*out = h;
	return XHB_WIRE_OK;
}

void xhb_wire_set_page(struct xhb_wire_fields *f, const struct xhb_gset *held,
		       const struct xhb_gset *wanted,
		       const struct xhb_gset *refused, unsigned int page)
{
	if (page >= XHB_GROUP_PAGES || f->type != XHB_MSG_HEARTBEAT)
		page = 0;
	if (f->type == XHB_MSG_HEARTBEAT)
		f->dest_node_id = page;
	f->groups_held = held->w[page];
	f->groups_wanted = wanted->w[page];
	f->groups_refused = refused->w[page];
}

const char *xhb_wire_verdict_name(enum xhb_wire_verdict v)
{
	static const char *const names[] = {
	    [XHB_WIRE_OK] = "ok",
	    [XHB_WIRE_MALFORMED] = "malformed",
	    [XHB_WIRE_BAD_MAGIC] = "bad_magic",
	    [XHB_WIRE_BAD_VERSION] = "bad_version",
	    [XHB_WIRE_BAD_TYPE] = "bad_type",
	    [XHB_WIRE_BAD_CLUSTER] = "bad_cluster",
	    [XHB_WIRE_UNKNOWN_KEY] = "unknown_key",
	    [XHB_WIRE_BAD_TAG] = "bad_tag",
	};

	if ((unsigned int)v < sizeof(names) / sizeof(names[0]))
		return names[v];
	return "unknown";
}

static __u32 sum16(const void *data, size_t len, __u32 sum)
{
	const __u8 *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	return sum;
}

static __u16 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* UDP checksum (host order result) over pseudo-header, header, payload. */
static __u16 udp_checksum(int family, const __u8 *src, const __u8 *dst,
			  const void *udp, size_t udp_len)
{
	__u8 tail[4] = {0, 0, 0, IPPROTO_UDP};
	__u32 sum = 0, len32 = htonl(udp_len);
	__u16 len16 = htons(udp_len), c;

	if (family == AF_INET) {
		sum = sum16(src, 4, sum);
		sum = sum16(dst, 4, sum);
		sum = sum16(tail + 2, 2, sum);
		sum = sum16(&len16, 2, sum);
	} else {
		sum = sum16(src, 16, sum);
		sum = sum16(dst, 16, sum);
		sum = sum16(&len32, 4, sum);
		sum = sum16(tail, 4, sum);
	}
	sum = sum16(udp, udp_len, sum);
	c = ~fold(sum);
	return c ? c : 0xffff;
}

size_t xhb_frame_payload_offset(const struct xhb_frame_spec *spec)
{
	size_t off = ETH_HLEN + (spec->vlan ? 4 : 0);

	if (spec->family == AF_INET)
		off += sizeof(struct iphdr) + spec->ip_options;
	else
		off += sizeof(struct ipv6hdr);
	return off + sizeof(struct udphdr);
}

int xhb_frame_build(void *buf, size_t size, const struct xhb_frame_spec *spec,
		    const void *payload, size_t len)
{
	size_t off = xhb_frame_payload_offset(spec);
	__u8 *p = buf, *l3;
	struct ethhdr *eth = buf;
	struct udphdr *udp;
	size_t udp_len = sizeof(*udp) + len;

	if (off + len > size || spec->ip_options > 40 || spec->ip_options % 4)
		return -ENOSPC;
	memset(buf, 0, off);
	memcpy(eth->h_dest, spec->dst_mac, ETH_ALEN);
	memcpy(eth->h_source, spec->src_mac, ETH_ALEN);
	l3 = p + ETH_HLEN;
	if (spec->vlan) {
		eth->h_proto = htons(ETH_P_8021Q);
		l3[0] = spec->vlan >> 8;
		l3[1] = spec->vlan & 0xff;
		*(__be16 *)(l3 + 2) =
			htons(spec->family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
		l3 += 4;
	} else {
		eth->h_proto =
			htons(spec->family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	}
	if (spec->family == AF_INET) {
		struct iphdr *ip = (struct iphdr *)l3;
		size_t hl = sizeof(*ip) + spec->ip_options;

		ip->version = 4;
		ip->ihl = hl / 4;
		ip->tot_len = htons(hl + udp_len);
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		ip->frag_off = htons(0x4000); /* DF */
		memcpy(&ip->saddr, spec->src_ip, 4);
		memcpy(&ip->daddr, spec->dst_ip, 4);
		/* NOP options, then End of Options: still a valid header. */
		memset(l3 + sizeof(*ip), 1, spec->ip_options);
		if (spec->ip_options)
			l3[hl - 1] = 0;
		ip->check = htons(~fold(sum16(ip, hl, 0)));
		udp = (struct udphdr *)(l3 + hl);
	} else {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)l3;

		ip6->version = 6;
		ip6->payload_len = htons(udp_len);
		ip6->nexthdr = IPPROTO_UDP;
		ip6->hop_limit = 64;
		memcpy(&ip6->saddr, spec->src_ip, 16);
		memcpy(&ip6->daddr, spec->dst_ip, 16);
		udp = (struct udphdr *)(ip6 + 1);
	}
	udp->source = htons(spec->src_port);
	udp->dest = htons(spec->dst_port);
	udp->len = htons(udp_len);
	memcpy(udp + 1, payload, len);
	udp->check = htons(udp_checksum(spec->family, spec->src_ip,
					spec->dst_ip, udp, udp_len));
	return off + len;
}

/* Every read is checked against len: fuzzing found the version that
 * trusted the frame's own lengths (selftests/fuzz/regress/frame). */
bool xhb_frame_checksums_ok(const void *frame, size_t len)
{
	const __u8 *p = frame;
	const struct ethhdr *eth = frame;
	size_t l3 = ETH_HLEN, l4;
	const struct udphdr *udp;
	size_t udp_len;
	__u16 proto;

	if (len < ETH_HLEN)
		return false;
	proto = ntohs(eth->h_proto);
	if (proto == ETH_P_8021Q || proto == ETH_P_8021AD) {
		if (len < l3 + 4)
			return false;
		proto = ntohs(*(const __be16 *)(p + l3 + 2));
		l3 += 4;
	}
	if (proto == ETH_P_IP) {
		const struct iphdr *ip = (const struct iphdr *)(p + l3);
		size_t hl;

		if (len < l3 + sizeof(*ip))
			return false;
		hl = ip->ihl * 4;
		l4 = l3 + hl;
		if (hl < sizeof(*ip) || len < l4 + sizeof(*udp) ||
		    fold(sum16(ip, hl, 0)) != 0xffff)
			return false;
		udp = (const struct udphdr *)(p + l4);
		udp_len = ntohs(udp->len);
		if (udp_len < sizeof(*udp) || len - l4 < udp_len)
			return false;
		if (!udp->check)
			return true;
		/* Summing a correct packet including its checksum gives ~0. */
		return fold(sum16(&ip->saddr, 8,
				  sum16(udp, udp_len,
					IPPROTO_UDP + (__u32)udp_len))) == 0xffff;
	}
	if (proto == ETH_P_IPV6) {
		const struct ipv6hdr *ip6 = (const struct ipv6hdr *)(p + l3);

		l4 = l3 + sizeof(*ip6);
		if (len < l4 + sizeof(*udp))
			return false;
		udp = (const struct udphdr *)(p + l4);
		udp_len = ntohs(udp->len);
		if (udp_len < sizeof(*udp) || len - l4 < udp_len || !udp->check)
			return false;
		return fold(sum16(&ip6->saddr, 32,
				  sum16(udp, udp_len,
					IPPROTO_UDP + (__u32)udp_len))) == 0xffff;
	}
	return false;
}
