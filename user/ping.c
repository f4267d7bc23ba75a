// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Ping nodes, as ipfail used them: see ping.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/types.h>

/* <linux/icmp.h>'s, which clashes with glibc's headers: the raw socket
 * option that keeps all but echo replies out. */
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
struct icmp_filter {
	__u32 data;
};
#endif

#include "events.h"
#include "ping.h"

#define MIN_PERIOD_NS 1000000ULL /* 1 ms */
#define HOLD_PERIODS 2

static bool same_addr(const struct xhb_ping *a, const struct xhb_ping *b)
{
	return a->family == b->family &&
	       !memcmp(&a->addr, &b->addr,
		       a->family == AF_INET ? sizeof(a->addr.v4) : sizeof(a->addr.v6));
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int open_v4(void)
{
	struct icmp_filter filter = {.data = ~(1U << ICMP_ECHOREPLY)};
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			IPPROTO_ICMP);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof(filter))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int open_v6(void)
{
	struct icmp6_filter filter;
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			IPPROTO_ICMPV6);

	if (fd < 0)
		return -errno;
	ICMP6_FILTER_SETBLOCKALL(&filter);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Single addresses count one each; a group once. */
static unsigned int count_units(const struct xhb_pinger *p, bool reached_only,
				__u64 now)
{
	unsigned int units = 0;

	for (unsigned int i = 0; i < p->n; i++) {
		const struct xhb_ping_target *t = &p->t[i];
		bool first = true, any = false;

		if (t->cfg.group[0]) {
			/* the group's first member counts it, for all */
			for (unsigned int k = 0; k < i && first; k++)
				first = strcmp(p->t[k].cfg.group, t->cfg.group) != 0;
			if (!first)
				continue;
			for (unsigned int k = i; k < p->n; k++)
				if (!strcmp(p->t[k].cfg.group, t->cfg.group))
					any |= p->t[k].last_reply_ns &&
					       now - p->t[k].last_reply_ns < p->deadping_ns;
		} else {
			any = t->last_reply_ns &&
			      now - t->last_reply_ns < p->deadping_ns;
		}
		units += reached_only ? any : 1;
	}
	return units;
}

int xhb_ping_configure(struct xhb_pinger *p, const struct xhb_config *cfg,
		       struct xhb_events *ev, __u64 now)
{
	struct xhb_ping_target old[XHB_CONFIG_MAX_PINGS];
	unsigned int nold = p->n;
	bool v4 = false, v6 = false;
	int err = 0;

	if (!p->ev) { /* first time */
		p->fd4 = p->fd6 = -1;
		p->start_ns = now;
		if (getrandom(&p->ident, sizeof(p->ident), GRND_NONBLOCK) !=
		    sizeof(p->ident))
			p->ident = (__u16)getpid();
	}
	p->ev = ev;
	memcpy(old, p->t, sizeof(old));
	p->n = cfg->npings;
	for (unsigned int i = 0; i < p->n; i++) {
		struct xhb_ping_target *t = &p->t[i];

		memset(t, 0, sizeof(*t));
		t->cfg = cfg->pings[i];
		for (unsigned int o = 0; o < nold; o++)
			if (same_addr(&old[o].cfg, &t->cfg)) {
				t->last_reply_ns = old[o].last_reply_ns;
				t->up = old[o].up;
				t->said = old[o].said;
			}
		v4 |= t->cfg.family == AF_INET;
		v6 |= t->cfg.family == AF_INET6;
	}
	p->deadping_ns = cfg->deadping_ns;
	p->period_ns = cfg->keepalive_ns;
	if (p->period_ns > p->deadping_ns / 4)
		p->period_ns = p->deadping_ns / 4;
	if (p->period_ns < MIN_PERIOD_NS)
		p->period_ns = MIN_PERIOD_NS;
	p->next_ns = now;
	p->units = count_units(p, false, now);
	if (!v4)
		close_fd(&p->fd4);
	else if (p->fd4 < 0 && (p->fd4 = open_v4()) < 0)
		err = p->fd4;
	if (!v6)
		close_fd(&p->fd6);
	else if (p->fd6 < 0 && (p->fd6 = open_v6()) < 0)
		err = err ?: p->fd6;
	if (p->fd4 < 0)
		p->fd4 = -1;
	if (p->fd6 < 0)
		p->fd6 = -1;
	return err;
}

void xhb_ping_close(struct xhb_pinger *p)
{
	close_fd(&p->fd4);
	close_fd(&p->fd6);
	p->n = 0;
}

unsigned int xhb_ping_pollfds(const struct xhb_pinger *p, struct pollfd *pfd)
{
	unsigned int n = 0;

	if (p->n && p->fd4 >= 0)
		pfd[n++] = (struct pollfd){.fd = p->fd4, .events = POLLIN};
	if (p->n && p->fd6 >= 0)
		pfd[n++] = (struct pollfd){.fd = p->fd6, .events = POLLIN};
	return n;
}

__u64 xhb_ping_wait_ns(const struct xhb_pinger *p, __u64 now)
{
	if (!p->n)
		return UINT64_MAX;
	return p->next_ns > now ? p->next_ns - now : 0;
}

static __u16 checksum(const void *data, size_t len)
{
	const __u8 *b = data;
	__u32 sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (__u32)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (__u32)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((__u16)~sum);
}

static void send_echo(struct xhb_pinger *p, const struct xhb_ping_target *t)
{
	struct {
		__u8 type, code;
		__u16 sum, id, seq;
		__u8 payload[8];
	} __attribute__((packed)) msg = {
	    .type = t->cfg.family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST,
	    .id = htons(p->ident),
	    .seq = htons(p->seq),
	    .payload = "xhb-ping",
	};
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int fd;

	if (t->cfg.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = t->cfg.addr.v4;
		len = sizeof(*sin);
		msg.sum = checksum(&msg, sizeof(msg));
		fd = p->fd4;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = t->cfg.addr.v6;
		len = sizeof(*sin6);
		fd = p->fd6; /* the kernel sums ICMPv6 */
	}
	/* Unreachable now (no route, link down): it simply stays unreached. */
	if (fd >= 0)
		(void)sendto(fd, &msg, sizeof(msg), MSG_DONTWAIT,
			     (struct sockaddr *)&ss, len);
}

static void reply_from(struct xhb_pinger *p, int family, const void *addr,
		       __u16 id, __u64 now)
{
	if (ntohs(id) != p->ident)
		return; /* another process's echo */
	for (unsigned int i = 0; i < p->n; i++) {
		struct xhb_ping_target *t = &p->t[i];

		if (t->cfg.family == family &&
		    !memcmp(&t->cfg.addr, addr, family == AF_INET ? 4 : 16))
			t->last_reply_ns = now;
	}
}

static void read_replies(struct xhb_pinger *p, int fd, int family, __u64 now)
{
	for (int budget = 256; fd >= 0 && budget > 0; budget--) {
		__u8 buf[256];
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&ss, &len);

		if (n < 0)
			return; /* EAGAIN, or nothing we can do now */
		if (family == AF_INET) {
			const struct iphdr *ip = (const void *)buf;
			size_t hl = (size_t)ip->ihl * 4;
			const struct icmphdr *icmp = (const void *)(buf + hl);

			if ((size_t)n < hl + sizeof(*icmp) ||
			    icmp->type != ICMP_ECHOREPLY)
				continue;
			reply_from(p, AF_INET,
				   &((struct sockaddr_in *)&ss)->sin_addr,
				   icmp->un.echo.id, now);
		} else {
			const struct icmp6_hdr *icmp = (const void *)buf;

			if ((size_t)n < sizeof(*icmp) ||
			    icmp->icmp6_type != ICMP6_ECHO_REPLY)
				continue;
			reply_from(p, AF_INET6,
				   &((struct sockaddr_in6 *)&ss)->sin6_addr,
				   icmp->icmp6_id, now);
		}
	}
}

/* "172.16.193.1", or the group's name. */
static void target_name(const struct xhb_ping_target *t, char *buf, size_t len)
{
	if (t->cfg.group[0])
		snprintf(buf, len, "%s", t->cfg.group);
	else
		inet_ntop(t->cfg.family, &t->cfg.addr, buf, (socklen_t)len);
}

/* ping_node_up / ping_node_down for each ping node whose reachability
 * changed (a group: as a whole). Before the count is measured, only what
 * answered is said: a node not heard yet is not lost yet. */
static void say_changes(struct xhb_pinger *p, __u64 now)
{
	for (unsigned int i = 0; i < p->n; i++) {
		struct xhb_ping_target *t = &p->t[i];
		bool up = false, first = true;
		char name[XHB_NAME_MAX];

		for (unsigned int k = 0; k < p->n; k++) {
			const struct xhb_ping_target *m = &p->t[k];

			if (k != i && !(t->cfg.group[0] &&
					!strcmp(m->cfg.group, t->cfg.group)))
				continue;
			up |= m->last_reply_ns && now - m->last_reply_ns < p->deadping_ns;
			if (k < i)
				first = false;
		}
		if (!first || (!up && !p->measured) || (t->said && up == t->up))
			continue;
		t->up = up;
		t->said = true;
		target_name(t, name, sizeof(name));
		xhb_ev_ping_node(p->ev, name, up, p->reached, p->units);
	}
}

/* Is fd among pfd with something to read? */
static bool readable(const struct pollfd *pfd, unsigned int n, int fd)
{
	for (unsigned int i = 0; pfd && fd >= 0 && i < n; i++)
		if (pfd[i].fd == fd)
			return pfd[i].revents != 0;
	return false;
}

void xhb_ping_step(struct xhb_pinger *p, const struct pollfd *pfd,
		   unsigned int npfd, __u64 now)
{
	if (!p->n)
		return;
	/* no read where poll said nothing came: the loop wakes every probe
	 * period, replies come every ping period */
	if (readable(pfd, npfd, p->fd4))
		read_replies(p, p->fd4, AF_INET, now);
	if (readable(pfd, npfd, p->fd6))
		read_replies(p, p->fd6, AF_INET6, now);
	if (now >= p->next_ns) {
		p->seq++;
		for (unsigned int i = 0; i < p->n; i++)
			send_echo(p, &p->t[i]);
		p->next_ns += p->period_ns;
		if (p->next_ns <= now)
			p->next_ns = now + p->period_ns;
	}
	p->reached = count_units(p, true, now);
	p->measured = p->measured || p->reached == p->units ||
		      now - p->start_ns >= p->deadping_ns;
	say_changes(p, now);
}

__u16 xhb_ping_wire(const struct xhb_pinger *p)
{
	if (!p->n || !p->measured)
		return 0;
	return (__u16)(1 + p->reached);
}

bool xhb_ping_outreached(struct xhb_pinger *p, __u16 best_peer, __u64 now)
{
	__u16 ours = xhb_ping_wire(p);
	bool fewer = ours && best_peer && ours < best_peer;
	__u64 hold = HOLD_PERIODS * p->period_ns;

	if (fewer == p->outreached) {
		p->differs_since_ns = 0;
		return p->outreached;
	}
	if (!p->differs_since_ns)
		p->differs_since_ns = now;
	if (now - p->differs_since_ns < hold)
		return p->outreached;
	p->outreached = fewer;
	p->differs_since_ns = 0;
	xhb_ev_ping_yield(p->ev, fewer, ours ? ours - 1 : 0,
			  best_peer ? best_peer - 1 : 0, p->units);
	return fewer;
}
