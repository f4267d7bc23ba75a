/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * speak: what this node sends. Every header carries what we say of
 * ourselves (state, incarnation, holdings), numbered and signed with the
 * key `auth` names: heartbeats on every medium (bcast, mcast, ucast) and
 * probes to every peer on every usable interface, answered by its XDP;
 * a probe to a peer we judged dead says we do not hear it
 * (XHB_FLAG_UNHEARD), so that if it is alive it yields.
 * A send that fails is a medium_error event (the first, then every
 * 1000th), not silence.
 */
#ifndef XHB_SPEAK_H
#define XHB_SPEAK_H

#include <linux/types.h>
#include <linux/bpf.h>

#include "config.h"
#include "gset.h"

struct xhb_events;
struct xhb_ifaces;
struct xhb_peers;
struct xhb_sender;

/* What we say of ourselves in every header. */
struct xhb_said {
	__u32 node_id;
	__u8 state; /* enum xhb_node_state */
	__u64 incarnation;
	__u64 epoch;
	struct xhb_gset held, wanted, refused;
	__u16 ping_up; /* ping.h's xhb_ping_wire() */
	/* probes to a peer judged dead carry XHB_FLAG_UNHEARD: we would act
	 * on that verdict (quorate, or quorum does not stop us) */
	bool tell_unheard;
};

struct xhb_speaker {
	struct xhb_sender *tx;
	const struct xhb_config *cfg;
	struct xhb_events *ev;
	__u64 seq;
	__u64 failures[XHB_CONFIG_MAX_MEDIA]; /* per media line */
	__u64 probe_failures;
	/* pages 1.. of our groups as last sent (xhb_wire.h): one that
	 * changes goes out at once, not at the next keepalive */
	struct xhb_gset sent_held, sent_wanted, sent_refused;
};

/* Pages of groups a configuration of ngroups sends: 1 up to 32 groups. */
static inline unsigned int xhb_group_pages(unsigned int ngroups)
{
	return ngroups > 32 ? (ngroups + 31) / 32 : 1;
}

/* Every page (xhb_group_pages()) on every medium. */
void xhb_speak_heartbeats(struct xhb_speaker *sp, const struct xhb_said *s,
			  __u64 now_ns);
/* The pages >= 1 whose groups changed since sent, on every medium. */
void xhb_speak_changed(struct xhb_speaker *sp, const struct xhb_said *s,
		       __u64 now_ns);
void xhb_speak_probes(struct xhb_speaker *sp, const struct xhb_said *s,
		      const struct xhb_peers *ps, const struct xhb_ifaces *fs,
		      __u64 now_ns);

#endif /* XHB_SPEAK_H */
