// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Ping nodes (user/ping.h): what is counted (an address one, a ping_group
 * once, reached while any member is), when the count is measured, what
 * goes on the wire, and ipfail's comparison with its hysteresis. Replies
 * are set by hand (no socket: fds -1); the ICMP path runs in
 * e2e/ping_nodes.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "ping.h"

#define MS 1000000ULL

/* 10.0.0.1 alone, and group "gw" of 10.0.1.1 and 10.0.1.2 */
static void setup_pinger(struct xhb_pinger *p)
{
	static const char *const addrs[] = {"10.0.0.1", "10.0.1.1", "10.0.1.2"};

	memset(p, 0, sizeof(*p));
	p->fd4 = p->fd6 = -1;
	p->n = 3;
	for (unsigned int i = 0; i < 3; i++) {
		p->t[i].cfg.family = AF_INET;
		inet_pton(AF_INET, addrs[i], &p->t[i].cfg.addr.v4);
		if (i)
			strcpy(p->t[i].cfg.group, "gw");
	}
	p->units = 2;
	p->deadping_ns = 1000 * MS;
	p->period_ns = 250 * MS;
	p->start_ns = 1;
	p->next_ns = UINT64_MAX; /* sends nothing */
}

Test(ping, counts_addresses_and_groups)
{
	struct xhb_pinger p;
	__u64 now = 100 * MS;

	setup_pinger(&p);
	xhb_ping_step(&p, NULL, 0, now);
	cr_expect_eq(p.reached, 0);
	cr_expect_not(p.measured, "nothing answered and deadping not over");
	cr_expect_eq(xhb_ping_wire(&p), 0, "not measured: 0 on the wire");

	p.t[2].last_reply_ns = now; /* one member of gw */
	xhb_ping_step(&p, NULL, 0, now);
	cr_expect_eq(p.reached, 1);
	p.t[1].last_reply_ns = now; /* the other member counts no more */
	xhb_ping_step(&p, NULL, 0, now);
	cr_expect_eq(p.reached, 1);
	p.t[0].last_reply_ns = now;
	xhb_ping_step(&p, NULL, 0, now);
	cr_expect_eq(p.reached, 2);
	cr_expect(p.measured, "every ping node answered: measured at once");
	cr_expect_eq(xhb_ping_wire(&p), 3, "1 + reached");

	/* deadping later, 10.0.0.1 silent: lost; gw still reached */
	now += 1000 * MS;
	p.t[1].last_reply_ns = now;
	xhb_ping_step(&p, NULL, 0, now);
	cr_expect_eq(p.reached, 1);
	cr_expect_eq(xhb_ping_wire(&p), 2);
}

Test(ping, measured_after_deadping_even_unreached)
{
	struct xhb_pinger p;

	setup_pinger(&p);
	xhb_ping_step(&p, NULL, 0, 999 * MS);
	cr_expect_not(p.measured);
	xhb_ping_step(&p, NULL, 0, 1001 * MS);
	cr_expect(p.measured);
	cr_expect_eq(xhb_ping_wire(&p), 1, "measured, nothing reached: 1");
}

Test(ping, yields_to_a_peer_that_reaches_more_after_the_hold)
{
	struct xhb_pinger p;
	__u64 now = 2000 * MS, hold = 2 * 250 * MS;

	setup_pinger(&p);
	p.t[0].last_reply_ns = p.t[1].last_reply_ns = now;
	xhb_ping_step(&p, NULL, 0, now);
	cr_assert_eq(xhb_ping_wire(&p), 3);

	/* equal counts, or a peer not measured: nothing */
	cr_expect_not(xhb_ping_outreached(&p, 3, now));
	cr_expect_not(xhb_ping_outreached(&p, 0, now + hold * 2));
	/* a peer reaching fewer: nothing for us */
	cr_expect_not(xhb_ping_outreached(&p, 2, now + hold * 3));

	/* we lose 10.0.0.1, the peer still reaches both */
	now += 1001 * MS;
	p.t[1].last_reply_ns = now;
	xhb_ping_step(&p, NULL, 0, now);
	cr_assert_eq(xhb_ping_wire(&p), 2);
	cr_expect_not(xhb_ping_outreached(&p, 3, now), "not before the hold");
	cr_expect_not(xhb_ping_outreached(&p, 3, now + hold - 1));
	cr_expect(xhb_ping_outreached(&p, 3, now + hold));
	/* one sample back to equal does not undo it: the hold again */
	cr_expect(xhb_ping_outreached(&p, 2, now + hold + 1));
	cr_expect(xhb_ping_outreached(&p, 3, now + hold + 2), "flapped back");
	cr_expect(xhb_ping_outreached(&p, 2, now + hold + 3));
	cr_expect(xhb_ping_outreached(&p, 2, now + 2 * hold + 2));
	cr_expect_not(xhb_ping_outreached(&p, 2, now + 2 * hold + 3));
}

Test(ping, no_ping_nodes_never_yields)
{
	struct xhb_pinger p;

	memset(&p, 0, sizeof(p));
	p.fd4 = p.fd6 = -1;
	xhb_ping_step(&p, NULL, 0, 5000 * MS);
	cr_expect_eq(xhb_ping_wire(&p), 0);
	cr_expect_not(xhb_ping_outreached(&p, 5, 5000 * MS));
	cr_expect_not(xhb_ping_outreached(&p, 5, 9000 * MS));
}
