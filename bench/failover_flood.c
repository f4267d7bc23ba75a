// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * failover_flood: junk and forged cluster packets as fast as one CPU sends
 * them, for the failover benchmark's `flood` fault (bench/failover.sh).
 * Run it inside the lab's client namespace; it sends only to the address
 * it is given (the lab's broadcast or VRRP's multicast group), stops by
 * itself after --duration-ms (at most 120 s) and prints what it sent.
 *
 *   failover_flood udp ADDR PORT [--forge xhb|heartbeat|none] [opts]
 *       UDP from PORT to ADDR:PORT (a broadcast address works): every
 *       other datagram is random junk (1..1200 random bytes), the others
 *       are forged: shaped as the cluster's own packets, claiming a
 *       member's identity, with a wrong authenticator
 *         xhb        an xhb header (magic, version, cluster id, node id of
 *                    srv1 saying LEAVING / srv2 wanting every group), key 1,
 *                    a random SipHash tag
 *         heartbeat  a Heartbeat status message from srv1 or srv2 with an
 *                    md5 `auth=1` line that does not match
 *   failover_flood vrrp GROUP [--vrid N] [--vip A.B.C.D] [--dev IFACE] [opts]
 *       IP protocol 112 to GROUP with TTL 255: random junk, and VRRPv3
 *       adverts for the cluster's VRID at priority 254 with a wrong checksum
 *   opts: --duration-ms N (default 20000) --pps N (0: as fast as it goes)
 *         --xhb-cluster ID --xhb-nodes ID1,ID2 (default: the lab's)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "xhb_wire.h"
#include "clock.h"
#include "wire.h"

#define BATCH 64
#define MAX_LEN 1200
#define MAX_DURATION_MS 120000

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64*: fast, and junk needs no more */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static size_t junk(uint8_t *buf, size_t min, size_t max)
{
	size_t len = min + rnd() % (max - min + 1);

	for (size_t i = 0; i < len; i += 8) {
		uint64_t r = rnd();

		memcpy(buf + i, &r, len - i < 8 ? len - i : 8);
	}
	return len;
}

static uint32_t xhb_cluster = 0xc9e96a03, xhb_nodes[2] = {0x2dfaae60, 0xb3cfe2e1};

static size_t forge_xhb(uint8_t *buf, uint64_t n)
{
	struct xhb_hdr h;
	int who = n & 1;

	xhb_wire_fill(&h, &(struct xhb_wire_fields){
				  .type = XHB_MSG_HEARTBEAT,
				  /* srv1 "leaving" would hand its groups over;
				   * srv2 wants them all */
				  .state = who ? XHB_NODE_ACTIVE : XHB_NODE_LEAVING,
				  .priority = 255,
				  .cluster_id = xhb_cluster,
				  .node_id = xhb_nodes[who],
				  .incarnation = 0x7fffffff00000000ULL + n,
				  .seq = n,
				  .timestamp_ns = xhb_mono_ns(),
				  .agent_epoch = n,
				  .groups_held = who ? 0xffffffff : 0,
				  .groups_wanted = who ? 0xffffffff : 0,
			  });
	h.key_id = 1;
	h.tag = rnd(); /* forged: no key */
	memcpy(buf, &h, sizeof(h));
	return sizeof(h);
}

static size_t forge_heartbeat(uint8_t *buf, uint64_t n)
{
	static const char hex[] = "0123456789abcdef";
	char auth[33];
	int len;

	for (int i = 0; i < 32; i++)
		auth[i] = hex[rnd() & 15];
	auth[32] = '\0';
	len = snprintf((char *)buf, MAX_LEN,
		       ">>>\nt=status\nst=%s\ndt=2710\nprotocol=1\nsrc=%s\nseq=%llx\n"
		       "hg=%llx\nts=%llx\nld=0.00 0.00 0.00 1/100 1\nttl=3\nauth=1 %s\n<<<\n",
		       n & 1 ? "active" : "dead", n & 1 ? "srv2" : "srv1",
		       (unsigned long long)n, (unsigned long long)(0x60000000 + n),
		       (unsigned long long)time(NULL), auth);
	return (size_t)len;
}

static size_t forge_vrrp(uint8_t *buf, int vrid, struct in_addr vip)
{
	buf[0] = 0x31; /* version 3, advertisement */
	buf[1] = (uint8_t)vrid;
	buf[2] = 254; /* priority: would win over both nodes */
	buf[3] = 1; /* one address */
	buf[4] = 0x00; /* max advert interval: 1 centisecond */
	buf[5] = 0x01;
	buf[6] = rnd() & 0xff; /* checksum: wrong (random) */
	buf[7] = rnd() & 0xff;
	memcpy(buf + 8, &vip, 4);
	return 12;
}

static void usage(void)
{
	fprintf(stderr, "usage: failover_flood udp ADDR PORT [--forge xhb|heartbeat|none]\n"
			"       failover_flood vrrp GROUP [--vrid N] [--vip A.B.C.D] [--dev IFACE]\n"
			"       common: [--duration-ms N] [--pps N] [--xhb-cluster ID] [--xhb-nodes ID1,ID2]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"forge", required_argument, NULL, 'f'},
		{"vrid", required_argument, NULL, 'v'},
		{"vip", required_argument, NULL, 'V'},
		{"duration-ms", required_argument, NULL, 'd'},
		{"pps", required_argument, NULL, 'p'},
		{"xhb-cluster", required_argument, NULL, 'c'},
		{"xhb-nodes", required_argument, NULL, 'n'},
		{"dev", required_argument, NULL, 'D'},
		{0},
	};
	static uint8_t bufs[BATCH][MAX_LEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to = {.sin_family = AF_INET};
	struct in_addr vip = {0};
	const char *forge = "none", *dev = "ens192";
	bool vrrp;
	int port = 0, vrid = 51, fd, c, one = 1, ttl = 255;
	uint64_t duration_ms = 20000, pps = 0, sent = 0, errors = 0, forged = 0, n = 0;
	uint64_t start, end, now;

	if (argc < 3)
		usage();
	vrrp = !strcmp(argv[1], "vrrp");
	if (!vrrp && strcmp(argv[1], "udp"))
		usage();
	if (inet_pton(AF_INET, argv[2], &to.sin_addr) != 1)
		usage();
	optind = 3;
	if (!vrrp) {
		if (argc < 4)
			usage();
		port = atoi(argv[3]);
		if (port <= 0 || port > 65535)
			usage();
		to.sin_port = htons(port);
		optind = 4;
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			forge = optarg;
			break;
		case 'v':
			vrid = atoi(optarg);
			break;
		case 'V':
			if (inet_pton(AF_INET, optarg, &vip) != 1)
				usage();
			break;
		case 'd':
			duration_ms = strtoull(optarg, NULL, 10);
			break;
		case 'p':
			pps = strtoull(optarg, NULL, 10);
			break;
		case 'c':
			xhb_cluster = strtoul(optarg, NULL, 0);
			break;
		case 'D':
			dev = optarg;
			break;
		case 'n':
			if (sscanf(optarg, "%i,%i", (int *)&xhb_nodes[0], (int *)&xhb_nodes[1]) != 2)
				usage();
			break;
		default:
			usage();
		}
	}
	if (!duration_ms || duration_ms > MAX_DURATION_MS)
		usage();
	if (strcmp(forge, "none") && strcmp(forge, "xhb") && strcmp(forge, "heartbeat"))
		usage();
	rng_state ^= xhb_mono_ns() ^ ((uint64_t)getpid() << 32);

	if (vrrp) {
		/* the lab has no route for 224.0.0.0/4: name the interface */
		struct ip_mreqn mif = {.imr_ifindex = (int)if_nametoindex(dev)};

		fd = socket(AF_INET, SOCK_RAW, 112);
		if (fd >= 0 &&
		    (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ||
		     setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) ||
		     setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mif, sizeof(mif))))
			fd = -1;
	} else {
		struct sockaddr_in from = {.sin_family = AF_INET, .sin_port = htons(port)};

		fd = socket(AF_INET, SOCK_DGRAM, 0);
		/* from the cluster port: what a member's packet looks like */
		if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) ||
				bind(fd, (struct sockaddr *)&from, sizeof(from))))
			fd = -1;
	}
	if (fd < 0) {
		perror("failover_flood: socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
	}
	start = xhb_mono_ns();
	end = start + duration_ms * 1000000ULL;
	while ((now = xhb_mono_ns()) < end) {
		int r;

		if (pps && sent * 1000000000ULL > (now - start) * pps) {
			struct timespec ts = {0, 100000};

			nanosleep(&ts, NULL);
			continue;
		}
		for (int i = 0; i < BATCH; i++, n++) {
			bool forge_it = (n & 1) && (vrrp || strcmp(forge, "none"));

			if (!forge_it)
				iov[i].iov_len = vrrp ? junk(bufs[i], 8, 64) : junk(bufs[i], 1, MAX_LEN);
			else if (vrrp)
				iov[i].iov_len = forge_vrrp(bufs[i], vrid, vip);
			else if (!strcmp(forge, "xhb"))
				iov[i].iov_len = forge_xhb(bufs[i], n);
			else
				iov[i].iov_len = forge_heartbeat(bufs[i], n);
			forged += forge_it;
		}
		r = sendmmsg(fd, msgs, BATCH, 0);
		if (r < 0) {
			errors++;
			if (errno != ENOBUFS && errno != EAGAIN && errno != EPERM) {
				perror("failover_flood: sendmmsg");
				break;
			}
			continue;
		}
		sent += r;
	}
	now = xhb_mono_ns();
	printf("{\"mode\":\"%s\",\"forge\":\"%s\",\"sent\":%llu,\"forged_built\":%llu,"
	       "\"errors\":%llu,\"seconds\":%.3f,\"pps\":%.0f}\n",
	       vrrp ? "vrrp" : "udp", vrrp ? "vrrp" : forge, (unsigned long long)sent,
	       (unsigned long long)forged, (unsigned long long)errors, (now - start) / 1e9,
	       sent / ((now - start) / 1e9));
	close(fd);
	return 0;
}
