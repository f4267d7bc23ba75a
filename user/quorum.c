// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Quorum of this node's partition: the rules are in quorum.h. */
#include "quorum.h"

static unsigned int votes_of(const struct xhb_quorum_input *in, unsigned int i)
{
	return in->votes ? in->votes[i] : 1;
}

static bool present(const struct xhb_quorum_input *in, unsigned int i)
{
	return i == in->self || (in->present && in->present[i]);
}

struct xhb_quorum xhb_quorum_compute(const struct xhb_quorum_input *in)
{
	struct xhb_quorum q = {.why = XHB_QUORUM_MAJORITY};

	for (unsigned int i = 0; i < in->n_nodes; i++) {
		q.total += votes_of(in, i);
		if (present(in, i))
			q.votes += votes_of(in, i);
	}
	q.needed = q.total / 2 + 1;
	if (q.votes * 2 != q.total) {
		q.quorate = q.votes >= q.needed;
		return q;
	}
	if (in->n_nodes == 2) {
		if (!in->pings) {
			q.why = XHB_QUORUM_TWO_NODES;
			return q;
		}
		q.why = XHB_QUORUM_PING_NODES;
		q.quorate = in->self_ping >= 2 && in->self_ping >= in->peer_ping;
		return q;
	}
	q.why = XHB_QUORUM_TIE_LOWEST;
	for (unsigned int i = 0; i < in->n_nodes; i++)
		if (votes_of(in, i)) {
			q.quorate = present(in, i);
			break;
		}
	return q;
}

const char *xhb_quorum_why_name(enum xhb_quorum_why why)
{
	switch (why) {
	case XHB_QUORUM_MAJORITY:
		return "majority";
	case XHB_QUORUM_TIE_LOWEST:
		return "tie_lowest_node";
	case XHB_QUORUM_PING_NODES:
		return "ping_nodes";
	case XHB_QUORUM_TWO_NODES:
		return "two_nodes";
	}
	return "unknown";
}
