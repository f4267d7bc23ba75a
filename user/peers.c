// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The view of the other nodes: see peers.h. The rules are membership.c's. */
#include <arpa/inet.h>
#include <string.h>

#include "dataplane.h"
#include "events.h"
#include "peers.h"

static void read_groups(struct xhb_peers *ps, struct xhb_ifaces *fs,
			__u64 now_ns);

/* Pages past 0 are read again at least this often, should a doorbell be
 * lost (its ring full): XDP rings on every change. */
#define PAGES_REREAD_NS (100ULL * 1000 * 1000)

struct xhb_member_timers xhb_config_timers(const struct xhb_config *cfg)
{
	return (struct xhb_member_timers){
		.keepalive_ns = cfg->keepalive_ns,
		.warntime_ns = cfg->warntime_ns,
		.deadtime_ns = cfg->deadtime_ns,
		.initdead_ns = cfg->initdead_ns,
		.probe_interval_ns = cfg->probe_interval_ns,
		.probe_misses = cfg->probe_misses,
	};
}

int xhb_peers_sync(struct xhb_peers *ps, const struct xhb_config *cfg,
		   int self, struct xhb_ifaces *fs, __u64 now_ns)
{
	struct xhb_peer_view old[XHB_CONFIG_MAX_NODES];
	int ret;

	memcpy(old, ps->v, sizeof(old));
	/* nodes no longer configured leave the maps (reload) */
	for (unsigned int o = 0; o < XHB_CONFIG_MAX_NODES; o++) {
		bool kept = false;

		for (unsigned int n = 0; old[o].id && n < cfg->nnodes; n++)
			kept |= (int)n != self && cfg->nodes[n].id == old[o].id;
		if (old[o].id && !kept)
			xhb_ifaces_remove_peer(fs, old[o].id);
	}
	memset(ps->v, 0, sizeof(ps->v));
	ps->cfg = cfg;
	ps->self = self;
	for (unsigned int n = 0; n < cfg->nnodes; n++) {
		struct xhb_peer_view *p = &ps->v[n];

		if ((int)n == self)
			continue;
		for (unsigned int o = 0; o < XHB_CONFIG_MAX_NODES; o++)
			if (old[o].id == cfg->nodes[n].id)
				*p = old[o];
		if (p->id != cfg->nodes[n].id) {
			p->id = cfg->nodes[n].id;
			p->state = XHB_MEMBER_UNKNOWN;
			p->since_ns = now_ns;
		}
		ret = xhb_ifaces_add_peer(fs, p->id);
		if (ret)
			return ret;
	}
	return 0;
}

void xhb_peers_listen_again(struct xhb_peers *ps, __u64 now_ns)
{
	for (unsigned int n = 0; n < ps->cfg->nnodes; n++) {
		if ((int)n == ps->self)
			continue;
		ps->v[n].state = XHB_MEMBER_UNKNOWN;
		ps->v[n].since_ns = now_ns;
	}
	ps->listen_since_ns = now_ns;
}

int xhb_peers_unheard_by(const struct xhb_peers *ps, __u64 now_ns, __u64 hold_ns)
{
	for (unsigned int n = 0; n < ps->cfg->nnodes; n++) {
		const struct xhb_peer_view *p = &ps->v[n];

		if ((int)n == ps->self || !p->snap.unheard_ns ||
		    (p->state != XHB_MEMBER_UP && p->state != XHB_MEMBER_WARN &&
		     p->state != XHB_MEMBER_STALLED))
			continue;
		/* Heard again only lately: a partition healing, not one-way
		 * loss. It has not had a window to hear us back; the
		 * partition rule decides who keeps what (decide.c). */
		if (now_ns < p->since_ns + hold_ns)
			continue;
		if (now_ns < p->snap.unheard_ns + hold_ns)
			return (int)n;
	}
	return -1;
}

bool xhb_peers_all_heard(const struct xhb_peers *ps)
{
	for (unsigned int n = 0; n < ps->cfg->nnodes; n++)
		if ((int)n != ps->self && ps->v[n].state == XHB_MEMBER_UNKNOWN)
			return false;
	return true;
}

struct xhb_member_timers xhb_peers_timers(const struct xhb_peers *ps,
					  unsigned int n, __u64 now_ns)
{
	struct xhb_member_timers t = xhb_config_timers(ps->cfg);

	return xhb_member_effective(&t, &ps->v[n].loss,
				    xhb_member_flooded(&ps->flood, now_ns));
}

/* Say once when a peer's agent speaks but its XDP does not answer. */
static void unanswered(struct xhb_peers *ps, struct xhb_events *ev,
		       unsigned int n, const struct xhb_loop_times *t,
		       const struct xhb_member_timers *timers)
{
	struct xhb_peer_view *p = &ps->v[n];
	/* probed for R means probed on time for R: no gap of ours (a late
	 * loop sends no probe, and no reply comes) */
	__u64 since = ps->listen_since_ns > t->start_ns ? ps->listen_since_ns
							: t->start_ns;
	bool now;

	if (t->steady_since_ns > since)
		since = t->steady_since_ns;
	now = xhb_member_unanswered(&p->snap, t->now_ns, since, timers);

	if (now && !p->unanswered)
		xhb_ev_peer_unanswered(ev, ps->cfg->nodes[n].name,
				       p->snap.last_reply_ns
					   ? t->now_ns - p->snap.last_reply_ns
					   : 0,
				       xhb_member_reply_window_ns(timers));
	p->unanswered = now;
}

/* A live peer's silence deadline, if it is the earliest yet and still to
 * come: the loop wakes for it (xhb_peers.next_verdict_ns). */
static void note_deadline(struct xhb_peers *ps, const struct xhb_member_input *in,
			  enum xhb_member_state state)
{
	__u64 d;

	if (state != XHB_MEMBER_UP && state != XHB_MEMBER_WARN &&
	    state != XHB_MEMBER_STALLED)
		return;
	d = xhb_member_silence_deadline_ns(in);
	if (d > in->now_ns && d < ps->next_verdict_ns)
		ps->next_verdict_ns = d;
}

void xhb_peers_judge(struct xhb_peers *ps, struct xhb_ifaces *fs,
		     struct xhb_events *ev, const struct xhb_loop_times *t)
{
	struct xhb_member_timers base = xhb_config_timers(ps->cfg);
	double junk_pps = 0;

	if (xhb_member_flood_update(&ps->flood, xhb_ifaces_junk(fs), t->now_ns,
				    &junk_pps))
		xhb_ev_flood(ev, junk_pps, XHB_MEMBER_FLOOD_WINDOW_NS);
	ps->next_verdict_ns = UINT64_MAX;
	for (unsigned int n = 0; n < ps->cfg->nnodes; n++) {
		struct xhb_peer_view *p = &ps->v[n];
		struct xhb_member_input in = {
			.now_ns = t->now_ns,
			.agent_start_ns = t->start_ns,
			.last_loop_ns = t->last_loop_ns,
			.steady_since_ns = t->steady_since_ns,
			.listen_since_ns = ps->listen_since_ns,
			.prev_state = p->state,
			.prev_since_ns = p->since_ns,
		};
		struct xhb_member_verdict v;

		p->came_back = XHB_MEMBER_STAYED;
		if ((int)n == ps->self || !xhb_ifaces_peer(fs, p->id, &p->snap, p->where))
			continue;
		xhb_member_loss_observe(&p->loss, &p->snap, p->state, t->now_ns, &base);
		in.peer = p->snap;
		in.timers = xhb_peers_timers(ps, n, t->now_ns);
		unanswered(ps, ev, n, t, &in.timers);
		v = xhb_member_judge(&in);
		note_deadline(ps, &in, v.state);
		if (!v.changed)
			continue;
		xhb_ev_peer(ev, ps->cfg->nodes[n].name, p->state, v.state, v.reason,
			    v.detection_ns, p->snap.rtt_ns);
		p->came_back = xhb_member_came_back(p->state, v.state);
		p->state = v.state;
		p->since_ns = v.since_ns;
	}
	read_groups(ps, fs, t->now_ns);
}

/* Each peer's groups: page 0 from its snapshot, every loop; pages 1..
 * from what XDP recorded of its paged heartbeats in its present life,
 * read (one batched lookup an interface) when XDP rang, a peer's life
 * changed, or PAGES_REREAD_NS passed. */
static void read_groups(struct xhb_peers *ps, struct xhb_ifaces *fs,
			__u64 now_ns)
{
	enum { MAX = XHB_MAX_PEERS * (XHB_GROUP_PAGES - 1) };
	static struct xhb_page_key keys[MAX];
	static struct xhb_peer_page pages[MAX];
	__u64 epoch[XHB_CONFIG_MAX_NODES][XHB_GROUP_PAGES]; /* 16 KB: zeroed when read */
	bool paged = ps->cfg->ngroups > 32, due = now_ns >= ps->pages_next_ns;
	__u64 news = 0;

	for (unsigned int i = 0; i < fs->n; i++)
		news += dataplane__news_seen(fs->at[i].dp);
	due |= news != ps->pages_news;
	for (unsigned int n = 0; n < ps->cfg->nnodes; n++) {
		struct xhb_peer_view *p = &ps->v[n];

		if (!paged) { /* (a reload may have had pages) */
			p->held = xhb_gset_of32(p->snap.groups_held);
			p->wanted = xhb_gset_of32(p->snap.groups_wanted);
			p->refused = xhb_gset_of32(p->snap.groups_refused);
			continue;
		}
		p->held.w[0] = p->snap.groups_held;
		p->wanted.w[0] = p->snap.groups_wanted;
		p->refused.w[0] = p->snap.groups_refused;
		due |= p->pages_incarnation != p->snap.info_incarnation;
	}
	if (!paged || !due)
		return;
	ps->pages_news = news;
	ps->pages_next_ns = now_ns + PAGES_REREAD_NS;
	memset(epoch, 0, ps->cfg->nnodes * sizeof(epoch[0]));
	for (unsigned int n = 0; n < ps->cfg->nnodes; n++) {
		struct xhb_peer_view *p = &ps->v[n];

		p->pages_incarnation = p->snap.info_incarnation;
		p->held = xhb_gset_of32(p->snap.groups_held);
		p->wanted = xhb_gset_of32(p->snap.groups_wanted);
		p->refused = xhb_gset_of32(p->snap.groups_refused);
	}
	for (unsigned int i = 0; i < fs->n; i++) {
		int got = dataplane__peer_pages(fs->at[i].dp, keys, pages, MAX);

		for (int e = 0; e < got; e++) {
			const struct xhb_peer_page *pg = &pages[e];
			__u32 page = keys[e].page;

			for (unsigned int n = 0; n < ps->cfg->nnodes; n++) {
				struct xhb_peer_view *p = &ps->v[n];

				if ((int)n == ps->self || p->id != keys[e].node_id ||
				    !page || page >= XHB_GROUP_PAGES ||
				    pg->incarnation != p->snap.info_incarnation ||
				    pg->agent_epoch < epoch[n][page])
					continue;
				epoch[n][page] = pg->agent_epoch;
				p->held.w[page] = pg->held;
				p->wanted.w[page] = pg->wanted;
				p->refused.w[page] = pg->refused;
			}
		}
	}
}

void xhb_sockaddr(struct sockaddr_storage *ss, int family, const void *addr,
		  __u16 port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr, 16);
	}
}

bool xhb_peers_compact_probe(const struct xhb_peers *ps, unsigned int n,
			     unsigned int i, __u64 now_ns)
{
	const struct xhb_peer_addr *w = &ps->v[n].where[i];

	return w->compact && w->reply_ns && now_ns >= w->reply_ns &&
	       now_ns - w->reply_ns <= ps->cfg->probe_interval_ns * 3 / 2;
}

bool xhb_peers_probe_target(const struct xhb_peers *ps, unsigned int n,
			    const struct xhb_ifaces *fs, unsigned int i,
			    struct sockaddr_storage *to)
{
	const struct xhb_config *cfg = ps->cfg;
	const struct xhb_peer_addr *w = &ps->v[n].where[i];
	/* The port its packets come to here: it sent them from there, so its
	 * XDP takes that port too (sender.h), even while the two of us
	 * disagree on the media for a moment (a reload on one node first).
	 * Before it spoke, the interface's first. Our XDP takes the reply,
	 * which comes back to the probe's source port, the same. */
	__u16 port = fs->at[i].nports ? fs->at[i].ports[0] : cfg->udpport;

	if (w->family) {
		xhb_sockaddr(to, w->family, w->addr, w->port ? w->port : port);
		return true;
	}
	for (unsigned int m = 0; m < cfg->nmedia; m++) {
		const struct xhb_medium *md = &cfg->media[m];

		/* Several peers on ucast lines: we cannot tell which is
		 * which until one speaks; probing them all is harmless
		 * (a probe for another node is dropped by its XDP). */
		if (md->kind == XHB_MEDIUM_UCAST && !strcmp(md->iface, fs->at[i].name)) {
			xhb_sockaddr(to, md->family, &md->addr, port);
			return true;
		}
	}
	return false;
}
