// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* What this node sends: see speak.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "events.h"
#include "ifaces.h"
#include "peers.h"
#include "sender.h"
#include "speak.h"
#include "wire.h"

#define REPORT_EVERY 1000 /* failed sends between two medium_error events */

/* dest: a probe's node; a heartbeat's page of groups (xhb_wire.h).
 * compact: a probe made a compact probe (xhb_wire.h) before it is signed. */
static void header(struct xhb_speaker *sp, const struct xhb_said *s,
		   struct xhb_hdr *h, __u8 type, __u32 dest, __u8 flags,
		   bool compact, __u64 now_ns)
{
	const struct xhb_config *c = sp->cfg;
	const struct xhb_auth_key *k = &c->keys[c->auth_index];
	struct xhb_key key = {.k0 = k->k0, .k1 = k->k1, .method = k->method};
	struct xhb_wire_fields f = {
		.type = type,
		.flags = flags,
		.state = s->state,
		.priority = c->priority,
		.cluster_id = c->cluster_id,
		.node_id = s->node_id,
		.dest_node_id = dest,
		.incarnation = s->incarnation,
		.seq = ++sp->seq,
		.timestamp_ns = now_ns,
		.agent_epoch = s->epoch,
		.lease_ms = !xhb_gset_empty(&s->held) ? c->lease_ns / XHB_NS_PER_MS
						      : 0,
		.ping_up = s->ping_up,
	};

	xhb_wire_set_page(&f, &s->held, &s->wanted, &s->refused,
			  type == XHB_MSG_HEARTBEAT ? dest : 0);
	xhb_wire_fill(h, &f);
	if (compact)
		xhb_wire_compact(h);
	xhb_wire_sign(h, c->auth_index, &key);
}

static void failed(struct xhb_speaker *sp, __u64 *count, const char *medium,
		   int err)
{
	if ((*count)++ % REPORT_EVERY == 0)
		xhb_ev_medium_error(sp->ev, medium, strerror(-err), *count);
}

/* Page `page` of our groups on every medium. */
static void heartbeat(struct xhb_speaker *sp, const struct xhb_said *s,
		      unsigned int page, __u64 now_ns)
{
	static const __u8 bcast[4] = {255, 255, 255, 255};
	const struct xhb_config *c = sp->cfg;
	struct sockaddr_storage to;
	struct xhb_hdr h;

	header(sp, s, &h, XHB_MSG_HEARTBEAT, page, 0, false, now_ns);
	if (page) {
		sp->sent_held.w[page] = s->held.w[page];
		sp->sent_wanted.w[page] = s->wanted.w[page];
		sp->sent_refused.w[page] = s->refused.w[page];
	}
	for (unsigned int m = 0; m < c->nmedia; m++) {
		const struct xhb_medium *md = &c->media[m];
		const struct xhb_mcast_opts *mc = NULL;
		struct xhb_mcast_opts group;
		const char *kind = "ucast";
		char medium[320];
		int ret;

		switch (md->kind) {
		case XHB_MEDIUM_BCAST:
			kind = "bcast";
			xhb_sockaddr(&to, AF_INET, bcast, c->udpport);
			break;
		case XHB_MEDIUM_MCAST:
			kind = "mcast";
			xhb_sockaddr(&to, md->family, &md->addr,
				     md->port ? md->port : c->udpport);
			group = (struct xhb_mcast_opts){md->ttl, md->loop};
			mc = &group;
			break;
		default:
			xhb_sockaddr(&to, md->family, &md->addr, c->udpport);
			break;
		}
		ret = xhb_sender__send(sp->tx, md->iface, &to, &h, mc);
		if (ret) {
			snprintf(medium, sizeof(medium), "%s %s (%s:%u)", kind,
				 md->iface, c->hacf_path, md->line);
			failed(sp, &sp->failures[m], medium, ret);
		}
	}
}

void xhb_speak_heartbeats(struct xhb_speaker *sp, const struct xhb_said *s,
			  __u64 now_ns)
{
	unsigned int pages = xhb_group_pages(sp->cfg->ngroups);

	for (unsigned int p = 0; p < pages; p++)
		heartbeat(sp, s, p, now_ns);
}

void xhb_speak_changed(struct xhb_speaker *sp, const struct xhb_said *s,
		       __u64 now_ns)
{
	unsigned int pages = xhb_group_pages(sp->cfg->ngroups);

	for (unsigned int p = 1; p < pages; p++)
		if (sp->sent_held.w[p] != s->held.w[p] ||
		    sp->sent_wanted.w[p] != s->wanted.w[p] ||
		    sp->sent_refused.w[p] != s->refused.w[p])
			heartbeat(sp, s, p, now_ns);
}

void xhb_speak_probes(struct xhb_speaker *sp, const struct xhb_said *s,
		      const struct xhb_peers *ps, const struct xhb_ifaces *fs,
		      __u64 now_ns)
{
	const struct xhb_config *c = sp->cfg;
	struct sockaddr_storage to;
	struct xhb_hdr h;

	for (unsigned int n = 0; n < c->nnodes; n++) {
		if ((int)n == ps->self)
			continue;
		for (unsigned int i = 0; i < fs->n; i++) {
			char medium[64];
			int ret;

			if (!fs->at[i].medium || !fs->at[i].usable ||
			    !xhb_peers_probe_target(ps, n, fs, i, &to))
				continue;
			/* A peer we judged dead may only be unheard (one-way
			 * loss): tell it, and its XDP fences its VIPs. */
			header(sp, s, &h, XHB_MSG_PROBE, ps->v[n].id,
			       s->tell_unheard &&
				       ps->v[n].state == XHB_MEMBER_DEAD
				   ? XHB_FLAG_UNHEARD
				   : 0,
			       xhb_peers_compact_probe(ps, n, i, now_ns), now_ns);
			ret = xhb_sender__send(sp->tx, fs->at[i].name, &to, &h, NULL);
			if (ret) {
				snprintf(medium, sizeof(medium), "probes on %s",
					 fs->at[i].name);
				failed(sp, &sp->probe_failures, medium, ret);
			}
		}
	}
}
