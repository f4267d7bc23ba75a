// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Groups past 31 through BPF_PROG_TEST_RUN: a paged heartbeat (xhb_wire.h)
 * lands in xhb_peer_groups under (node, page), never in xhb_peers' page-0
 * masks; a node's burst of pages and probes fits the replay window; a late
 * page does not overwrite a newer one; a page out of range is malformed;
 * a change of a page rings the news doorbell; xhb_self.held_more fences.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>

#include "clock.h"
#include "dataplane.h"
#include "wire.h"
#include "xdp_fixture.h"

static void setup(void)
{
	struct xhb_self self = xdp_fixture_self();

	self.lease_ms = 5000;
	xdp_fixture_setup(&self);
}

TestSuite(xdp_pages, .init = setup, .fini = xdp_fixture_teardown);

/* The peer's heartbeat of page `page` of these sets (as speak.c sends
 * it), or a probe to us, at agent epoch `epoch`. */
static struct xhb_hdr hdr(__u8 type, unsigned int page, __u64 epoch,
			  const struct xhb_gset *held)
{
	struct xhb_gset none = {{0}};
	struct xhb_wire_fields f = peer_fields(type);

	f.agent_epoch = epoch;
	f.lease_ms = 3000;
	xhb_wire_set_page(&f, held, &none, &none, page);
	return peer_hdr(&f);
}

/* The peer's frame of h over IPv4: the verdict. */
static int run(const struct xhb_hdr *h)
{
	return send_hdr(&v4, h).verdict;
}

/* What xhb_peer_groups holds of the peer, as the agent reads it (one
 * batched read, peers.c), put together with page 0 from xhb_peers. */
static struct xhb_gset recorded(unsigned int *entries)
{
	enum { MAX = XHB_MAX_PEERS * (XHB_GROUP_PAGES - 1) };
	static struct xhb_page_key k[MAX];
	static struct xhb_peer_page v[MAX];
	struct xhb_gset s = xhb_gset_of32(peer().groups_held);
	int n = dataplane__peer_pages(dp, k, v, MAX);

	cr_assert_geq(n, 0, "read: %s", strerror(-n));
	for (int i = 0; i < n; i++) {
		cr_assert_eq(k[i].node_id, PEER_ID);
		cr_assert(k[i].page >= 1 && k[i].page < XHB_GROUP_PAGES);
		cr_assert_eq(v[i].incarnation, 10);
		s.w[k[i].page] = v[i].held;
	}
	if (entries)
		*entries = (unsigned int)n;
	return s;
}

static struct xhb_gset sample(void)
{
	struct xhb_gset s = {{0}};

	for (unsigned int g = 0; g < XHB_MAX_GROUPS; g += 3)
		xhb_gset_add(&s, g);
	xhb_gset_add(&s, XHB_MAX_GROUPS - 1);
	return s;
}

/* Every page of a keepalive, probes between them: all accepted (the
 * replay window is 64 wide, a burst is 32 pages), put together again. */
Test(xdp_pages, burst_of_pages_recorded_by_page)
{
	struct xhb_gset held = sample(), got;
	struct xhb_stats before = stats(), after;
	unsigned int entries;

	for (unsigned int p = 0; p < XHB_GROUP_PAGES; p++) {
		struct xhb_hdr h = hdr(XHB_MSG_HEARTBEAT, p, 9, &held);

		cr_assert_eq(run(&h), XDP_DROP);
		if (p % 4 == 0) {
			h = hdr(XHB_MSG_PROBE, 0, 9, &held);
			cr_assert_eq(run(&h), XDP_TX, "probe after page %u", p);
		}
	}
	after = stats();
	cr_assert_eq(after.heartbeat_accepted - before.heartbeat_accepted,
		     XHB_GROUP_PAGES);
	cr_assert_eq(after.drop_replay, before.drop_replay);
	got = recorded(&entries);
	cr_assert_eq(entries, XHB_GROUP_PAGES - 1, "one entry a page past 0");
	cr_assert(xhb_gset_eq(&got, &held), "the pages put together");
	/* page 0 is xhb_peers' as before, paged heartbeats left it alone */
	cr_assert_eq(peer().groups_held, held.w[0]);
	cr_assert_eq(peer().heartbeats, XHB_GROUP_PAGES);
}

/* Pages delivered out of order within the window are all taken; a page
 * from an older agent epoch does not overwrite what a newer one said. */
Test(xdp_pages, late_page_does_not_overwrite_a_newer_one)
{
	struct xhb_gset a = {{0}}, b = {{0}}, got;
	struct xhb_hdr late, fresh;

	xhb_gset_add(&a, 100); /* page 3 */
	xhb_gset_add(&b, 101);
	late = hdr(XHB_MSG_HEARTBEAT, 3, 9, &a);
	fresh = hdr(XHB_MSG_HEARTBEAT, 3, 10, &b);
	cr_assert_eq(run(&fresh), XDP_DROP);
	cr_assert_eq(run(&late), XDP_DROP); /* older seq, in the window */
	cr_assert_eq(peer().heartbeats, 2, "both accepted");
	got = recorded(NULL);
	cr_assert(xhb_gset_has(&got, 101) && !xhb_gset_has(&got, 100),
		  "the newer page stays");
}

/* A page past the last is malformed; nothing recorded. */
Test(xdp_pages, page_out_of_range_malformed)
{
	struct xhb_gset held = sample();
	struct xhb_stats before = stats(), after;
	struct xhb_hdr h = hdr(XHB_MSG_HEARTBEAT, 0, 9, &held);
	unsigned int entries;

	h.dest_node_id = htonl(XHB_GROUP_PAGES);
	peer_sign(&h);
	cr_assert_eq(run(&h), XDP_DROP);
	after = stats();
	cr_assert_eq(after.drop_malformed, before.drop_malformed + 1);
	cr_assert_eq(peer().heartbeats, 0);
	(void)recorded(&entries);
	cr_assert_eq(entries, 0);
}

/* A page that changes rings the doorbell; the same page again does not. */
Test(xdp_pages, changed_page_rings_the_news)
{
	struct xhb_gset held = {{0}};
	struct xhb_hdr h;

	h = hdr(XHB_MSG_HEARTBEAT, 0, 9, &held);
	cr_assert_eq(run(&h), XDP_DROP);
	(void)dataplane__news_drain(dp);
	xhb_gset_add(&held, 700);
	h = hdr(XHB_MSG_HEARTBEAT, 700 / 32, 9, &held);
	cr_assert_eq(run(&h), XDP_DROP);
	cr_assert_eq(dataplane__news_drain(dp), 1, "a new page: news");
	h = hdr(XHB_MSG_HEARTBEAT, 700 / 32, 9, &held);
	cr_assert_eq(run(&h), XDP_DROP);
	cr_assert_eq(dataplane__news_drain(dp), 0, "the same page: none");
}

/* A node that holds only groups past 31 is fenced once its lease lapses,
 * as one holding group 0 is: held_more counts as holding. */
Test(xdp_pages, held_more_alone_is_fenced_when_lapsed)
{
	struct xhb_self s = {.node_id = SELF_ID, .agent_update_ns = 1000,
			     .lease_ms = 1};

	cr_assert_not(xhb_self_lapsed(&s, 1000 + 5000000ULL), "holds nothing");
	s.held_more = 1;
	cr_assert(xhb_self_lapsed(&s, 1000 + 5000000ULL));
	cr_assert_not(xhb_self_lapsed(&s, 1000));
}
