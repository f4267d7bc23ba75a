// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * xhb-flood: hostile traffic for a node's cluster port, as fast as one
 * thread sends it, for a bounded time and a bounded count.
 *
 *   xhb-flood -c CONFIG_DIR -i IFACE --dst-mac MAC --dst-ip IP
 *             [--src-ip IP] [--kind all|KIND[,KIND...]]
 *             [--duration-ms N] [--count N] [--batch N] [--pps N]
 *             [--capture-ms N] [--seed N]
 *
 * It reads a Heartbeat configuration directory (ha.cf, authkeys) for the
 * cluster port, the cluster id, the nodes and the keys, and sends whole
 * Ethernet frames from IFACE (AF_PACKET, PACKET_QDISC_BYPASS, sendmmsg
 * batches) to MAC/IP on the cluster port. Run it inside a network
 * namespace of a lab: it sends nowhere else than the addresses it is given.
 *
 * Kinds, each built so that the receiving XDP program must drop it and
 * count it in exactly one counter of xhb_stats (the JSON's "expect" says
 * how many in which):
 *   forged         a well-formed header under a configured key id, wrong
 *                  tag                                   -> drop_bad_tag
 *   replayed       a genuine packet of another node, captured on IFACE
 *                  first (a broadcast heartbeat), sent again verbatim or
 *                  re-signed with an older seq           -> drop_replay
 *                  or with an older incarnation  -> drop_old_incarnation
 *   malformed      truncated or oversized payloads, UDP lengths and IPv4
 *                  total lengths that lie                -> drop_malformed
 *   wrong_cluster  signed with the right key, another cluster id
 *                                                        -> drop_bad_cluster
 *   unknown_key    a key id that authkeys does not define -> drop_unknown_key
 *   random         random bytes: 88 of them (not the magic) -> drop_bad_magic,
 *                  any other length                      -> drop_malformed
 * "all" is every kind, interleaved one by one.
 *
 * A crc key in authkeys (Heartbeat's "2 crc") is a key anyone can sign
 * with: packets under it are not forgeries but valid packets, so no kind
 * uses it to sign (forged packets under it carry a wrong CRC).
 *
 * Output: one JSON object on stdout: what was sent of each kind, the
 * counters it must land in, the duration and the rate reached. Exit 0, 1
 * on an error (nothing captured for "replayed", a socket error), 2 on bad
 * usage.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "clock.h"
#include "kdf.h"
#include "config.h"
#include "wire.h"
#include "xhb_siphash.h"

#define POOL 256 /* distinct frames per kind */
#define FRAME_MAX 320
#define PAYLOAD_MAX 200
#define BATCH_MAX 1024
#define MAX_DURATION_MS 600000ULL /* a hard bound, whatever is asked */
#define MAX_COUNT 2000000000ULL

enum kind {
	K_FORGED,
	K_REPLAYED,
	K_MALFORMED,
	K_WRONG_CLUSTER,
	K_UNKNOWN_KEY,
	K_RANDOM,
	K_MAX,
};

static const char *const kind_names[K_MAX] = {
	[K_FORGED] = "forged",
	[K_REPLAYED] = "replayed",
	[K_MALFORMED] = "malformed",
	[K_WRONG_CLUSTER] = "wrong_cluster",
	[K_UNKNOWN_KEY] = "unknown_key",
	[K_RANDOM] = "random",
};

/* The xhb_stats counters a flood packet may land in. */
enum counter {
	C_BAD_TAG,
	C_REPLAY,
	C_OLD_INCARNATION,
	C_MALFORMED,
	C_BAD_CLUSTER,
	C_UNKNOWN_KEY,
	C_BAD_MAGIC,
	C_MAX,
};

static const char *const counter_names[C_MAX] = {
	[C_BAD_TAG] = "drop_bad_tag",
	[C_REPLAY] = "drop_replay",
	[C_OLD_INCARNATION] = "drop_old_incarnation",
	[C_MALFORMED] = "drop_malformed",
	[C_BAD_CLUSTER] = "drop_bad_cluster",
	[C_UNKNOWN_KEY] = "drop_unknown_key",
	[C_BAD_MAGIC] = "drop_bad_magic",
};

struct frame {
	__u16 len;
	__u8 counter; /* enum counter */
	__u8 data[FRAME_MAX];
};

struct flood {
	struct xhb_config *cfg;
	struct xhb_key keys[XHB_MAX_KEYS];
	struct xhb_frame_spec spec;
	int ifindex;
	int fd;
	__u64 rng;
	struct frame *pool[K_MAX]; /* POOL frames each */
	bool want[K_MAX];
	/* the genuine packet replayed */
	bool captured;
	struct xhb_hdr genuine;
	char genuine_src[INET6_ADDRSTRLEN];
	/* results */
	__u64 sent, send_errors, by_kind[K_MAX], expect[C_MAX];
};

/* xorshift64*: fast, seedable, good enough for junk. */
static __u64 rnd(struct flood *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 2685821657736338717ULL;
}

static void rnd_bytes(struct flood *f, void *buf, size_t len)
{
	__u8 *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = rnd(f) >> 56;
}

static int parse_mac(const char *s, __u8 mac[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6
		       ? 0
		       : -EINVAL;
}

/* The first address of family on ifname, for the source of our frames. */
static int iface_addr(const char *ifname, int family, __u8 out[16])
{
	struct ifaddrs *ifa, *i;
	int ret = -ENOENT;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != family ||
		    strcmp(i->ifa_name, ifname))
			continue;
		if (family == AF_INET)
			memcpy(out, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		else
			memcpy(out, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		ret = 0;
		break;
	}
	freeifaddrs(ifa);
	return ret;
}

/* A header as a node of this cluster would send it, not yet signed. */
static void plausible_header(struct flood *f, struct xhb_hdr *h)
{
	const struct xhb_config *c = f->cfg;
	__u32 from = c->nodes[rnd(f) % c->nnodes].id;
	__u32 to = c->nodes[rnd(f) % c->nnodes].id;

	__u8 type = 1 + rnd(f) % (XHB_MSG_TYPE_MAX - 1);

	xhb_wire_fill(h, &(struct xhb_wire_fields){
				 .type = type,
				 .state = XHB_NODE_ACTIVE,
				 .priority = c->priority,
				 .cluster_id = c->cluster_id,
				 .node_id = from,
				 .dest_node_id = type == XHB_MSG_HEARTBEAT ? 0 : to,
				 .incarnation = rnd(f),
				 .seq = rnd(f),
				 .timestamp_ns = xhb_mono_ns(),
				 .agent_epoch = rnd(f) >> 20,
				 .lease_ms = rnd(f) % 100000,
				 .groups_held = rnd(f) & 0xffffffff,
				 .groups_wanted = rnd(f) & 0xffffffff,
			 });
	h->key_id = c->auth_index;
}

static bool key_defined(const struct flood *f, unsigned int id)
{
	return id < XHB_MAX_KEYS && f->keys[id].method != XHB_AUTH_NONE;
}

/* A tag that is wrong under every key the receiver could check it with. */
static void wrong_tag(struct flood *f, struct xhb_hdr *h)
{
	do {
		__u8 tag[8];

		rnd_bytes(f, tag, sizeof(tag));
		memcpy(&h->tag, tag, sizeof(tag));
	} while (key_defined(f, h->key_id) &&
		 xhb_wire_verify(h, &f->keys[h->key_id]));
}

static __u16 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* IPv4 header (no options) at l3: fix its checksum after an edit. */
static void ip4_fix_csum(__u8 *l3)
{
	struct iphdr *ip = (struct iphdr *)l3;
	__u32 sum = 0;

	ip->check = 0;
	for (unsigned int i = 0; i < sizeof(*ip); i += 2)
		sum += (__u32)l3[i] << 8 | l3[i + 1];
	ip->check = htons(~fold(sum));
}

/* A frame to the cluster port with payload; counter says where it lands. */
static struct frame *put(struct flood *f, struct frame *fr, const void *payload,
			 size_t len, enum counter counter)
{
	int n = xhb_frame_build(fr->data, sizeof(fr->data), &f->spec, payload,
				len);

	if (n < 0) {
		fprintf(stderr, "xhb-flood: frame too long (%zu)\n", len);
		exit(1);
	}
	fr->len = n;
	fr->counter = counter;
	return fr;
}

static void build_forged(struct flood *f, struct frame *fr)
{
	struct xhb_hdr h;
	unsigned int ids[XHB_MAX_KEYS], n = 0;

	plausible_header(f, &h);
	for (unsigned int i = 0; i < XHB_MAX_KEYS; i++)
		if (key_defined(f, i))
			ids[n++] = i;
	h.key_id = ids[rnd(f) % n];
	wrong_tag(f, &h);
	put(f, fr, &h, sizeof(h), C_BAD_TAG);
}

static void build_wrong_cluster(struct flood *f, struct frame *fr)
{
	const struct xhb_key *k = &f->keys[f->cfg->auth_index];
	struct xhb_hdr h;
	__u32 other;

	plausible_header(f, &h);
	do
		other = rnd(f) >> 32;
	while (other == f->cfg->cluster_id);
	h.cluster_id = htonl(other);
	xhb_wire_sign(&h, f->cfg->auth_index, k);
	put(f, fr, &h, sizeof(h), C_BAD_CLUSTER);
}

static void build_unknown_key(struct flood *f, struct frame *fr)
{
	struct xhb_hdr h;
	unsigned int id;

	plausible_header(f, &h);
	do
		id = rnd(f) % 4 ? rnd(f) % XHB_MAX_KEYS : rnd(f) % 256;
	while (key_defined(f, id));
	h.key_id = id;
	rnd_bytes(f, &h.tag, sizeof(h.tag));
	put(f, fr, &h, sizeof(h), C_UNKNOWN_KEY);
}

static void build_random(struct flood *f, struct frame *fr)
{
	__u8 buf[PAYLOAD_MAX];
	size_t len = rnd(f) % 2 ? XHB_HDR_LEN : rnd(f) % (PAYLOAD_MAX + 1);

	if (len == XHB_HDR_LEN)
		len = rnd(f) % 2 ? XHB_HDR_LEN : XHB_HDR_LEN + 1;
	rnd_bytes(f, buf, len);
	if (len == XHB_HDR_LEN) {
		__be32 magic;

		memcpy(&magic, buf, 4);
		if (magic == htonl(XHB_MAGIC))
			buf[0] ^= 0xff;
		put(f, fr, buf, len, C_BAD_MAGIC);
		return;
	}
	put(f, fr, buf, len, C_MALFORMED);
}

/*
 * Lengths that lie. The payload is a forged header (or part of one), so a
 * receiver that skipped a length check would still have to drop it for
 * its tag, in another counter: the accounting would show it.
 */
static void build_malformed(struct flood *f, struct frame *fr)
{
	__u8 buf[PAYLOAD_MAX];
	struct xhb_hdr h;
	size_t off = xhb_frame_payload_offset(&f->spec);
	struct udphdr *udp;
	unsigned int variant = rnd(f) % (f->spec.family == AF_INET ? 4 : 3);
	size_t len;

	plausible_header(f, &h);
	wrong_tag(f, &h);
	rnd_bytes(f, buf, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	switch (variant) {
	case 0: /* truncated: 0..87 bytes, lengths consistent */
		len = rnd(f) % XHB_HDR_LEN;
		put(f, fr, buf, len, C_MALFORMED);
		break;
	case 1: /* oversized: 89..200 bytes, lengths consistent */
		len = XHB_HDR_LEN + 1 + rnd(f) % (PAYLOAD_MAX - XHB_HDR_LEN);
		put(f, fr, buf, len, C_MALFORMED);
		break;
	case 2: /* 88 bytes, the UDP length says otherwise */
		put(f, fr, buf, XHB_HDR_LEN, C_MALFORMED);
		udp = (struct udphdr *)(fr->data + off - sizeof(*udp));
		do
			len = rnd(f) % 0x10000;
		while (len == sizeof(*udp) + XHB_HDR_LEN);
		udp->len = htons(len);
		break;
	default: /* IPv4: 88 bytes, the total length is too short */
		put(f, fr, buf, XHB_HDR_LEN, C_MALFORMED);
		{
			__u8 *l3 = fr->data + ETH_HLEN;
			struct iphdr *ip = (struct iphdr *)l3;

			ip->tot_len = htons(ntohs(ip->tot_len) - 1 -
					    rnd(f) % XHB_HDR_LEN);
			ip4_fix_csum(l3);
		}
		break;
	}
}

/*
 * The genuine packet again: verbatim (its seq was seen: drop_replay), with
 * a seq more than a window older (drop_replay), or with an older
 * incarnation (drop_old_incarnation), the last two re-signed with the real
 * key, so only the anti-replay state stands between them and acceptance.
 */
static void build_replayed(struct flood *f, struct frame *fr)
{
	struct xhb_hdr h = f->genuine;
	const struct xhb_key *k = &f->keys[h.key_id];
	__u64 seq = be64toh(h.seq), inc = be64toh(h.incarnation);
	unsigned int variant = rnd(f) % 3;

	if (variant == 1 && seq > 64 + 1000) {
		h.seq = htobe64(seq - 64 - rnd(f) % 1000);
		xhb_wire_sign(&h, h.key_id, k);
	} else if (variant == 2 && inc > 1) {
		h.incarnation = htobe64(inc - 1 - rnd(f) % (inc - 1 < 1000000 ? inc - 1 : 1000000));
		xhb_wire_sign(&h, h.key_id, k);
		put(f, fr, &h, sizeof(h), C_OLD_INCARNATION);
		return;
	}
	put(f, fr, &h, sizeof(h), C_REPLAY);
}

/*
 * Wait up to ms for a genuine cluster packet of another node on the
 * interface (a broadcast heartbeat reaches every port of the segment):
 * right port and cluster, a tag that verifies under a configured key, not
 * sent by the target (its own packet would be dropped as drop_self).
 */
static int capture(struct flood *f, const char *ifname, unsigned int ms)
{
	struct sockaddr_ll ll = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_ALL),
				 .sll_ifindex = f->ifindex};
	__u64 end = xhb_mono_ns() + ms * 1000000ULL;
	__u8 buf[2048];
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));

	if (fd < 0 || bind(fd, (struct sockaddr *)&ll, sizeof(ll))) {
		fprintf(stderr, "xhb-flood: capture on %s: %s\n", ifname,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (xhb_mono_ns() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int left = (end - xhb_mono_ns()) / 1000000 + 1;
		const struct udphdr *udp;
		size_t l3 = ETH_HLEN, l4;
		struct xhb_hdr h;
		__u16 proto;
		ssize_t n;

		if (poll(&p, 1, left) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < ETH_HLEN)
			continue;
		proto = ntohs(((struct ethhdr *)buf)->h_proto);
		if (proto == ETH_P_8021Q || proto == ETH_P_8021AD) {
			if (n < ETH_HLEN + 4)
				continue;
			proto = buf[l3 + 2] << 8 | buf[l3 + 3];
			l3 += 4;
		}
		if (proto == ETH_P_IP && f->spec.family == AF_INET) {
			const struct iphdr *ip = (const struct iphdr *)(buf + l3);

			if ((size_t)n < l3 + sizeof(*ip) || ip->protocol != IPPROTO_UDP ||
			    !memcmp(&ip->saddr, f->spec.dst_ip, 4))
				continue;
			l4 = l3 + ip->ihl * 4;
			inet_ntop(AF_INET, &ip->saddr, f->genuine_src,
				  sizeof(f->genuine_src));
		} else if (proto == ETH_P_IPV6 && f->spec.family == AF_INET6) {
			const struct ipv6hdr *ip6 = (const struct ipv6hdr *)(buf + l3);

			if ((size_t)n < l3 + sizeof(*ip6) || ip6->nexthdr != IPPROTO_UDP ||
			    !memcmp(&ip6->saddr, f->spec.dst_ip, 16))
				continue;
			l4 = l3 + sizeof(*ip6);
			inet_ntop(AF_INET6, &ip6->saddr, f->genuine_src,
				  sizeof(f->genuine_src));
		} else {
			continue;
		}
		if ((size_t)n < l4 + sizeof(*udp) + XHB_HDR_LEN)
			continue;
		udp = (const struct udphdr *)(buf + l4);
		if (ntohs(udp->dest) != f->cfg->udpport ||
		    ntohs(udp->len) != sizeof(*udp) + XHB_HDR_LEN)
			continue;
		memcpy(&h, udp + 1, sizeof(h));
		if (h.magic != htonl(XHB_MAGIC) || h.version != XHB_VERSION ||
		    h.cluster_id != htonl(f->cfg->cluster_id) ||
		    !key_defined(f, h.key_id) ||
		    !xhb_wire_verify(&h, &f->keys[h.key_id]))
			continue;
		f->genuine = h;
		f->captured = true;
		close(fd);
		return 0;
	}
	close(fd);
	return -1;
}

static int open_socket(struct flood *f, const char *ifname)
{
	int one = 1, sndbuf = 4 << 20;
	struct sockaddr_ll ll = {.sll_family = AF_PACKET,
				 .sll_ifindex = f->ifindex};
	struct ifreq ifr = {0};

	/* Protocol 0: a socket that only sends, never handed a frame. */
	f->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (f->fd < 0)
		return -errno;
	if (setsockopt(f->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		return -errno;
	setsockopt(f->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (bind(f->fd, (struct sockaddr *)&ll, sizeof(ll)))
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(f->fd, SIOCGIFHWADDR, &ifr))
		return -errno;
	memcpy(f->spec.src_mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int parse_kinds(struct flood *f, char *list)
{
	char *save = NULL;

	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int k;

		if (!strcmp(t, "all")) {
			for (k = 0; k < K_MAX; k++)
				f->want[k] = true;
			continue;
		}
		for (k = 0; k < K_MAX; k++)
			if (!strcmp(t, kind_names[k]))
				break;
		if (k == K_MAX) {
			fprintf(stderr, "xhb-flood: unknown kind '%s'\n", t);
			return -EINVAL;
		}
		f->want[k] = true;
	}
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: xhb-flood -c CONFIG_DIR -i IFACE --dst-mac MAC --dst-ip IP\n"
		"                 [--src-ip IP] [--kind all|KIND[,KIND...]] [--duration-ms N]\n"
		"                 [--count N] [--batch N] [--pps N] [--capture-ms N] [--seed N]\n"
		"kinds: forged replayed malformed wrong_cluster unknown_key random\n"
		"Sends for --duration-ms (default 1000, at most %llu) or --count frames,\n"
		"whichever ends first; prints one JSON object.\n",
		MAX_DURATION_MS);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"iface", required_argument, NULL, 'i'},
		{"dst-mac", required_argument, NULL, 'm'},
		{"dst-ip", required_argument, NULL, 'd'},
		{"src-ip", required_argument, NULL, 's'},
		{"kind", required_argument, NULL, 'k'},
		{"duration-ms", required_argument, NULL, 'D'},
		{"count", required_argument, NULL, 'n'},
		{"batch", required_argument, NULL, 'b'},
		{"pps", required_argument, NULL, 'r'},
		{"capture-ms", required_argument, NULL, 'C'},
		{"seed", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	static struct mmsghdr msgs[BATCH_MAX];
	static struct iovec iov[BATCH_MAX];
	static __u8 slot_counter[BATCH_MAX], slot_kind[BATCH_MAX];
	struct flood f = {.fd = -1};
	const char *dir = NULL, *ifname = NULL, *dst_mac = NULL, *dst_ip = NULL,
		   *src_ip = NULL;
	char kinds_arg[256] = "all", err[512];
	__u64 duration_ms = 1000, count = MAX_COUNT, pps = 0, seed = 0;
	unsigned int batch = 64, capture_ms = 3000, nk = 0;
	enum kind order[K_MAX];
	__u64 start, end, now, idx[K_MAX] = {0};
	int c, ret;

	while ((c = getopt_long(argc, argv, "c:i:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': dir = optarg; break;
		case 'i': ifname = optarg; break;
		case 'm': dst_mac = optarg; break;
		case 'd': dst_ip = optarg; break;
		case 's': src_ip = optarg; break;
		case 'k': snprintf(kinds_arg, sizeof(kinds_arg), "%s", optarg); break;
		case 'D': duration_ms = strtoull(optarg, NULL, 10); break;
		case 'n': count = strtoull(optarg, NULL, 10); break;
		case 'b': batch = strtoul(optarg, NULL, 10); break;
		case 'r': pps = strtoull(optarg, NULL, 10); break;
		case 'C': capture_ms = strtoul(optarg, NULL, 10); break;
		case 'S': seed = strtoull(optarg, NULL, 10); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!dir || !ifname || !dst_mac || !dst_ip || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!duration_ms || duration_ms > MAX_DURATION_MS || !count ||
	    count > MAX_COUNT || !batch || batch > BATCH_MAX || capture_ms > 60000) {
		fprintf(stderr, "xhb-flood: --duration-ms 1..%llu, --count 1..%llu, --batch 1..%d, --capture-ms <= 60000\n",
			MAX_DURATION_MS, MAX_COUNT, BATCH_MAX);
		return 2;
	}
	if (parse_kinds(&f, kinds_arg))
		return 2;

	f.cfg = calloc(1, sizeof(*f.cfg));
	if (!f.cfg)
		return 1;
	ret = xhb_config_load(dir, f.cfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "xhb-flood: %s\n", err);
		return 1;
	}
	ret = xhb_kdf_config(f.cfg, NULL);
	if (ret) {
		fprintf(stderr, "xhb-flood: cannot derive the keys: %s\n", strerror(-ret));
		return 1;
	}
	/* The keys as the agent writes them into xhb_keys. */
	xhb_wire_keys_from_config(f.cfg, f.keys);
	if (!f.cfg->nnodes || !key_defined(&f, f.cfg->auth_index)) {
		fprintf(stderr, "xhb-flood: %s: no nodes or no signing key\n", dir);
		return 1;
	}

	f.spec.family = strchr(dst_ip, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(f.spec.family, dst_ip, f.spec.dst_ip) != 1 ||
	    parse_mac(dst_mac, f.spec.dst_mac)) {
		fprintf(stderr, "xhb-flood: bad --dst-ip or --dst-mac\n");
		return 2;
	}
	if (src_ip ? inet_pton(f.spec.family, src_ip, f.spec.src_ip) != 1
		   : iface_addr(ifname, f.spec.family, f.spec.src_ip) != 0) {
		fprintf(stderr, "xhb-flood: no source address: give --src-ip\n");
		return 2;
	}
	f.spec.src_port = f.spec.dst_port = f.cfg->udpport;
	f.ifindex = if_nametoindex(ifname);
	if (!f.ifindex) {
		fprintf(stderr, "xhb-flood: no interface %s\n", ifname);
		return 1;
	}
	ret = open_socket(&f, ifname);
	if (ret) {
		fprintf(stderr, "xhb-flood: AF_PACKET socket on %s: %s\n", ifname,
			strerror(-ret));
		return 1;
	}
	f.rng = seed ? seed : xhb_mono_ns() ^ ((__u64)getpid() << 32);
	f.rng |= 1;

	if (f.want[K_REPLAYED]) {
		if (capture(&f, ifname, capture_ms)) {
			fprintf(stderr, "xhb-flood: no genuine cluster packet of another node on %s within %u ms: nothing to replay\n",
				ifname, capture_ms);
			return 1;
		}
		/* Let the target's window move past what we captured. */
		usleep(100000);
	}

	for (int k = 0; k < K_MAX; k++) {
		if (!f.want[k])
			continue;
		order[nk++] = k;
		f.pool[k] = calloc(POOL, sizeof(struct frame));
		if (!f.pool[k])
			return 1;
		for (int i = 0; i < POOL; i++) {
			struct frame *fr = &f.pool[k][i];

			switch (k) {
			case K_FORGED: build_forged(&f, fr); break;
			case K_REPLAYED: build_replayed(&f, fr); break;
			case K_MALFORMED: build_malformed(&f, fr); break;
			case K_WRONG_CLUSTER: build_wrong_cluster(&f, fr); break;
			case K_UNKNOWN_KEY: build_unknown_key(&f, fr); break;
			default: build_random(&f, fr); break;
			}
		}
	}

	/* Tells a caller waiting on stderr that the flood begins now. */
	fprintf(stderr, "xhb-flood: sending to %s (%s) port %u from %s for at most %llu ms\n",
		dst_ip, dst_mac, f.cfg->udpport, ifname,
		(unsigned long long)duration_ms);
	start = xhb_mono_ns();
	end = start + duration_ms * 1000000ULL;
	now = start;
	while (f.sent < count && now < end) {
		unsigned int n = batch;
		int sent;

		if (count - f.sent < n)
			n = count - f.sent;
		for (unsigned int i = 0; i < n; i++) {
			enum kind k = order[(f.sent + i) % nk];
			struct frame *fr = &f.pool[k][idx[k]++ % POOL];

			iov[i] = (struct iovec){fr->data, fr->len};
			msgs[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i],
							  .msg_iovlen = 1};
			slot_counter[i] = fr->counter;
			slot_kind[i] = k;
		}
		sent = sendmmsg(f.fd, msgs, n, 0);
		if (sent < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "xhb-flood: sendmmsg: %s\n", strerror(errno));
				break;
			}
			sent = 0;
		}
		if ((unsigned int)sent < n)
			f.send_errors++;
		/* Frames not taken are not counted; their pool slots are skipped. */
		for (int i = 0; i < sent; i++) {
			f.by_kind[slot_kind[i]]++;
			f.expect[slot_counter[i]]++;
		}
		f.sent += sent;
		now = xhb_mono_ns();
		if (pps) { /* paced: wait for the schedule */
			__u64 due = start + f.sent * 1000000000ULL / pps;

			while (now < due && now < end) {
				struct timespec ts = {0, due - now < 1000000 ? due - now : 1000000};

				nanosleep(&ts, NULL);
				now = xhb_mono_ns();
			}
		}
	}
	now = xhb_mono_ns();

	printf("{\"iface\":\"%s\",\"dst_ip\":\"%s\",\"dst_mac\":\"%s\",\"port\":%u,"
	       "\"cluster_id\":%u,\"batch\":%u,\"duration_ms\":%.1f,\"sent\":%llu,"
	       "\"send_errors\":%llu,\"pps\":%.0f,\"kinds\":{",
	       ifname, dst_ip, dst_mac, f.cfg->udpport, f.cfg->cluster_id, batch,
	       (now - start) / 1e6, (unsigned long long)f.sent,
	       (unsigned long long)f.send_errors,
	       now > start ? f.sent * 1e9 / (now - start) : 0.0);
	for (unsigned int i = 0; i < nk; i++)
		printf("%s\"%s\":%llu", i ? "," : "", kind_names[order[i]],
		       (unsigned long long)f.by_kind[order[i]]);
	printf("},\"expect\":{");
	for (int i = 0, first = 1; i < C_MAX; i++) {
		printf("%s\"%s\":%llu", first ? "" : ",", counter_names[i],
		       (unsigned long long)f.expect[i]);
		first = 0;
	}
	printf("},\"replayed_from\":");
	if (f.captured)
		printf("{\"src\":\"%s\",\"node_id\":%u,\"type\":%u,\"incarnation\":%llu,\"seq\":%llu}",
		       f.genuine_src, ntohl(f.genuine.node_id), f.genuine.type,
		       (unsigned long long)be64toh(f.genuine.incarnation),
		       (unsigned long long)be64toh(f.genuine.seq));
	else
		printf("null");
	printf("}\n");
	return 0;
}
