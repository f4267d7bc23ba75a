// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Decision rules, per group g.
 *
 * Eligibility:
 *   - UP or WARN, not refusing g (standby): eligible.
 *   - Starting (in its initdead; self: XHB_SELF_INIT): acquires nothing
 *     yet. It keeps g if it holds it (a restarted agent that re-adopted
 *     its VIPs); holding nothing, it can still be named owner by rules 4
 *     and 5, and the others wait for it instead of racing it (both would
 *     acquire at start). Takeover and failback skip it until it is out.
 *   - STALLED: its agent cannot act, so it keeps g if it holds it, even
 *     against a takeover or auto_failback, until its lease expires; then its
 *     XDP no longer answers for the VIP and it is as good as dead. Holding
 *     nothing, it takes nothing. lease_expired means nothing for other
 *     states: a live node renews its lease or releases by itself.
 *   - UNKNOWN while we are in initdead: possibly alive, eligible (so we
 *     never take what it prefers behind its back). UNKNOWN otherwise, DEAD,
 *     LEAVING, FAULT: not eligible, and what they held is ignored.
 *   - If only standby refusals leave g without an eligible node, the
 *     refusals are ignored: a VIP is never dropped for an operator request
 *     (Heartbeat's hb_standby is refused too when the peer is down).
 *
 * Owner, first rule that applies (ties: the preferred node, else the
 * lowest index, so every node computes the same):
 *   0. a stalled holder (it cannot release; taking over would answer for
 *      the VIP twice);
 *   1. eligible nodes that want g (takeover);
 *   2. auto_failback on/legacy: the preferred node if eligible;
 *   3. eligible holders; several means a healed partition: the winner
 *      keeps and re-announces, the others release;
 *   4. the preferred node;
 *   5. the lowest-index eligible node.
 *
 * Announce: the node that keeps g sends gratuitous ARP/NA again when
 * several held it (a healed partition), or when a peer came back in this
 * loop: it may have taken g while we could not hear it and let go before
 * we saw it hold g, leaving the segment's ARP caches pointing at it. A
 * peer we had judged dead coming back is a healed partition (reason
 * PARTITION_RESOLVED); one we had not heard yet only calls for the ARP.
 *
 * Placement (preferred XHB_PLACE_AUTO: haresources' `auto` or a list of
 * nodes): the preferred node is the rendezvous winner (place.h) among the
 * nodes eligible for g as above, so the rules below treat it as a fixed
 * preferred node, recomputed as nodes come and go: a node's death moves
 * only the groups it held (to their winners among the rest), and
 * auto_failback decides whether a returning node takes its share back.
 * A node outside a group's list is never eligible for it.
 *
 * This node: FAULT, leaving, unheard (a peer we hear does not hear us:
 * one-way loss, it is taking our groups) or without quorum under
 * no_quorum_policy stop releases everything and takes nothing; without
 * quorum under freeze it keeps what it holds and takes nothing. The
 * owner acquires only when no other live node still holds g: a takeover,
 * failback or standby moves the group release-first, so two live nodes
 * never answer for the same VIP; the holder computes the same owner and
 * lets go. In initdead we acquire nothing and keep what we hold unless a
 * node we can hear is the owner.
 *
 * Cost: the nodes' states are read once a call; each group is then a few
 * operations on 64-bit node sets (who holds it, wants it, refuses it, may
 * have it), whatever the number of nodes (bench/decide_cost.c).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "xhb_wire.h"
#include "decide.h"
#include "place.h"

typedef __u64 nodeset; /* bit i: node i */

static nodeset bit(unsigned int i)
{
	return 1ULL << i;
}

static bool has(nodeset s, int i)
{
	return i >= 0 && ((s >> i) & 1);
}

/* The node as this decision sees it: self's state comes from its flags. */
struct view {
	enum xhb_member_state state;
	bool starting;
	bool lease_expired;
	bool self;
	enum xhb_member_return came_back;
};

/* What holds for every group, read once a call. */
struct nodes_ctx {
	const struct xhb_decide_input *in;
	struct view v[XHB_DECIDE_MAX_NODES];
	nodeset all;	  /* the n_nodes */
	nodeset live;	  /* UP or WARN (self: neither fault nor leaving) */
	nodeset starting; /* live and in initdead: acquires nothing yet */
	nodeset stalled;  /* STALLED with a live lease: keeps what it holds */
	nodeset possible; /* UNKNOWN while we are in initdead */
	enum xhb_member_return back; /* the strongest return of another */
	/* per group: who holds, wants, refuses it */
	nodeset held[XHB_MAX_GROUPS], wanted[XHB_MAX_GROUPS];
	nodeset refused[XHB_MAX_GROUPS];
	int preferred[XHB_MAX_GROUPS]; /* placed: a node index, or -1 */
};

/* Who may own one group, as sets:
 *   full: may acquire and keep; keep: starting, holds it, may keep it;
 *   starting: starting, holds nothing: may be named owner when nobody
 *     holds the group, so that the others wait for it instead of racing
 *     it; it acquires once its initdead is over (at once, when it has
 *     heard every peer): two nodes never both take a group at start;
 *   stalled: a stalled holder with a live lease; possible: UNKNOWN during
 *     our initdead. */
struct elig {
	nodeset full, keep, starting, stalled, possible;
	nodeset any; /* the union */
};

struct group_ctx {
	const struct nodes_ctx *n;
	unsigned int g;
	int preferred;
	bool overridden; /* standby refusals ignored for lack of anyone else */
	struct elig e;
};

static bool claims(const struct group_ctx *c, unsigned int i)
{
	return has(c->n->held[c->g], (int)i);
}

static struct elig eligibility(const struct nodes_ctx *n, unsigned int g,
			       bool with_refusals)
{
	const struct xhb_decide_input *in = n->in;
	nodeset ok = n->all & (in->allowed ? in->allowed[g] : ~0ULL);
	nodeset held = n->held[g];
	struct elig e;

	/* A refusal a stalled node cannot act on changes nothing. */
	e.stalled = n->stalled & held & ok;
	if (with_refusals)
		ok &= ~n->refused[g];
	e.full = n->live & ~n->starting & ok;
	e.keep = n->starting & held & ok;
	e.starting = n->starting & ~held & ok;
	e.possible = n->possible & ok;
	e.any = e.full | e.keep | e.starting | e.stalled | e.possible;
	return e;
}

/* Who may own the group (c->e), refusals ignored when they would leave
 * it without anyone (c->overridden). */
static void judge_eligibility(struct group_ctx *c)
{
	struct elig without = eligibility(c->n, c->g, false);

	c->e = eligibility(c->n, c->g, true);
	c->overridden = without.any && !c->e.any;
	if (c->overridden)
		c->e = without;
}

/* The preferred node if it is in the set, else the lowest index. */
static int pick(const struct group_ctx *c, nodeset set)
{
	if (has(set, c->preferred))
		return c->preferred;
	return set ? __builtin_ctzll(set) : -1;
}

enum rule {
	RULE_NONE = 0,
	RULE_STALLED_HOLDS,
	RULE_WANTED,
	RULE_FAILBACK,
	RULE_HOLDER,
	RULE_PARTITION,
	RULE_PREFERRED,
	RULE_LOWEST,
};

static int owner_of(const struct group_ctx *c, enum rule *rule)
{
	const struct elig *e = &c->e;
	nodeset set;

	if (e->stalled) {
		*rule = RULE_STALLED_HOLDS;
		return pick(c, e->stalled);
	}
	set = e->any & ~e->starting & c->n->wanted[c->g];
	if (set) {
		*rule = RULE_WANTED;
		return pick(c, set);
	}
	/* Failing back to a node still in its initdead would leave the group
	 * unheld until it is out: wait for it to be out. */
	if (c->n->in->auto_failback != XHB_FAILBACK_OFF &&
	    has(e->any & ~e->starting, c->preferred)) {
		*rule = RULE_FAILBACK;
		return c->preferred;
	}
	set = e->any & c->n->held[c->g];
	if (set) {
		*rule = set & (set - 1) ? RULE_PARTITION : RULE_HOLDER;
		return pick(c, set);
	}
	if (has(e->any, c->preferred)) {
		*rule = RULE_PREFERRED;
		return c->preferred;
	}
	*rule = e->any ? RULE_LOWEST : RULE_NONE;
	return pick(c, e->any);
}

/* Why node i refuses the group: self's check fails, its VIP's interface
 * is down, it reaches fewer ping nodes than a peer (self only: peers'
 * reasons are one mask on the wire), or an operator's standby. */
static enum xhb_reason unfit_reason(const struct group_ctx *c, unsigned int i)
{
	const struct xhb_decide_input *in = c->n->in;

	if (i == in->self) {
		if (xhb_gset_has(&in->self_ifaces_down, c->g))
			return XHB_REASON_LOCAL_FAULT;
		if (xhb_gset_has(&in->self_unfit, c->g))
			return XHB_REASON_CHECK_FAILED;
		if (in->self_outreached)
			return XHB_REASON_FEWER_PING_NODES;
	}
	return XHB_REASON_STANDBY_REQUEST;
}

/* Node i refuses the group for its health (not an operator's standby). */
static bool unhealthy(const struct group_ctx *c, unsigned int i)
{
	enum xhb_reason r = unfit_reason(c, i);

	return r != XHB_REASON_STANDBY_REQUEST;
}

/* Why node i cannot own the group (it held it, or it is preferred). */
static enum xhb_reason why_not(const struct group_ctx *c, unsigned int i)
{
	const struct view *v = &c->n->v[i];

	switch (v->state) {
	case XHB_MEMBER_DEAD:
	case XHB_MEMBER_UNKNOWN:
		return XHB_REASON_PEER_DEAD;
	case XHB_MEMBER_LEAVING:
		return v->self ? XHB_REASON_LEAVING : XHB_REASON_PEER_LEAVING;
	case XHB_MEMBER_FAULT:
		return v->self ? XHB_REASON_LOCAL_FAULT : XHB_REASON_PEER_FAULT;
	case XHB_MEMBER_STALLED:
		return v->lease_expired ? XHB_REASON_LEASE_EXPIRED
					: XHB_REASON_PEER_STALLED;
	default:
		break;
	}
	if (has(c->n->refused[c->g], (int)i) && !c->overridden)
		return unfit_reason(c, i);
	if (v->starting)
		return v->self ? XHB_REASON_INITDEAD : XHB_REASON_PEER_STARTING;
	return XHB_REASON_CURRENT_OWNER;
}

/* Why the owner owns the group. */
static enum xhb_reason cause(const struct group_ctx *c, int owner,
			     enum rule rule)
{
	nodeset others;

	if (rule == RULE_NONE)
		return XHB_REASON_NO_ELIGIBLE_NODE;
	if (rule == RULE_STALLED_HOLDS)
		return XHB_REASON_PEER_STALLED_HOLDS;
	if (c->overridden && has(c->n->refused[c->g], owner))
		return unhealthy(c, (unsigned int)owner)
			   ? XHB_REASON_NO_HEALTHY_NODE
			   : XHB_REASON_STANDBY_OVERRIDDEN;
	switch (rule) {
	case RULE_WANTED:
		return XHB_REASON_TAKEOVER_REQUEST;
	case RULE_FAILBACK:
		return XHB_REASON_AUTO_FAILBACK;
	case RULE_PARTITION:
		return XHB_REASON_PARTITION_RESOLVED;
	case RULE_HOLDER:
		return owner == c->preferred ? XHB_REASON_PREFERRED_NODE
					     : XHB_REASON_CURRENT_OWNER;
	default:
		break;
	}
	/* Nobody eligible holds it: say what happened to the one who did. */
	others = c->n->held[c->g] & ~bit((unsigned int)owner);
	if (others)
		return why_not(c, (unsigned int)__builtin_ctzll(others));
	if (rule == RULE_PREFERRED)
		return XHB_REASON_PREFERRED_NODE;
	if (c->preferred >= 0)
		return why_not(c, (unsigned int)c->preferred);
	return XHB_REASON_LOWEST_INDEX;
}

/*
 * Anycast (announce anycast): every node announces the group it does not
 * refuse, and routers spread flows over them; nobody is elected. This node
 * holds g unless it is in fault, leaving, without quorum (stop), or
 * refuses g (a failing check, a VIP interface down, fewer ping nodes than
 * a peer, standby): then it releases, whoever else holds g; frozen, it
 * keeps what it holds and takes nothing. The peers' views play no part, so
 * one-way loss and initdead change nothing either. owner: self when it
 * holds or takes g, else -1.
 */
static struct xhb_decision decide_anycast(const struct group_ctx *c)
{
	const struct xhb_decide_input *in = c->n->in;
	bool holds = claims(c, in->self);
	struct xhb_decision d = {.owner = -1, .reason = XHB_REASON_ANYCAST};

	if (in->self_flags & XHB_SELF_FAULT)
		d.reason = XHB_REASON_LOCAL_FAULT;
	else if (in->self_flags & XHB_SELF_LEAVING)
		d.reason = XHB_REASON_LEAVING;
	else if (in->self_flags & XHB_SELF_NO_QUORUM)
		d.reason = XHB_REASON_NO_QUORUM;
	else if (has(c->n->refused[c->g], (int)in->self))
		d.reason = unfit_reason(c, in->self);
	if (d.reason != XHB_REASON_ANYCAST) {
		d.action = holds ? XHB_ACTION_RELEASE : XHB_ACTION_NONE;
		return d;
	}
	if ((in->self_flags & XHB_SELF_FROZEN) && !holds) {
		d.reason = XHB_REASON_NO_QUORUM;
		return d;
	}
	d.owner = (int)in->self;
	d.action = holds ? XHB_ACTION_KEEP : XHB_ACTION_ACQUIRE;
	return d;
}

static struct xhb_decision decide_group(struct group_ctx *c)
{
	const struct nodes_ctx *n = c->n;
	const struct xhb_decide_input *in = n->in;
	bool holds = claims(c, in->self);
	struct xhb_decision d = {.action = XHB_ACTION_NONE};
	enum rule rule;

	if (xhb_gset_has(&in->anycast, c->g))
		return decide_anycast(c);
	judge_eligibility(c);
	d.owner = owner_of(c, &rule);
	d.reason = cause(c, d.owner, rule);

	if (in->self_flags & (XHB_SELF_FAULT | XHB_SELF_LEAVING)) {
		d.action = holds ? XHB_ACTION_RELEASE : XHB_ACTION_NONE;
		d.reason = (in->self_flags & XHB_SELF_FAULT)
			       ? XHB_REASON_LOCAL_FAULT
			       : XHB_REASON_LEAVING;
	} else if (in->self_flags & XHB_SELF_UNHEARD) {
		d.action = holds ? XHB_ACTION_RELEASE : XHB_ACTION_NONE;
		d.reason = XHB_REASON_UNHEARD;
	} else if (in->self_flags & XHB_SELF_NO_QUORUM) {
		d.action = holds ? XHB_ACTION_RELEASE : XHB_ACTION_NONE;
		d.reason = XHB_REASON_NO_QUORUM;
	} else if (in->self_flags & XHB_SELF_FROZEN) {
		/* nobody in this partition may take it: keep it */
		d.action = holds ? XHB_ACTION_KEEP : XHB_ACTION_NONE;
		if (holds || d.owner == (int)in->self)
			d.reason = XHB_REASON_NO_QUORUM;
	} else if (d.owner == (int)in->self) {
		if (holds) {
			d.action = XHB_ACTION_KEEP;
			d.announce = rule == RULE_PARTITION || n->back;
			if (n->back == XHB_MEMBER_HEALED)
				d.reason = XHB_REASON_PARTITION_RESOLVED;
		} else if (in->self_flags & XHB_SELF_INIT) {
			d.reason = XHB_REASON_INITDEAD;
		} else if (n->held[c->g] & n->live & ~bit(in->self)) {
			/* another node can still answer for the VIP (a
			 * stalled holder with a live lease is the owner by
			 * rule 0) */
			d.reason = XHB_REASON_WAIT_RELEASE;
		} else {
			d.action = XHB_ACTION_ACQUIRE;
		}
	} else if (holds) {
		if ((in->self_flags & XHB_SELF_INIT) &&
		    has(c->e.possible, d.owner)) {
			/* Never give a VIP up to a node we have not heard. */
			d.action = XHB_ACTION_KEEP;
			d.reason = XHB_REASON_INITDEAD;
		} else {
			d.action = XHB_ACTION_RELEASE;
			if (has(n->refused[c->g], (int)in->self) &&
			    !c->overridden)
				d.reason = unfit_reason(c, in->self);
		}
	}
	return d;
}

/*
 * Placement of the XHB_PLACE_AUTO groups, all at once, into n->preferred.
 * The candidates of a group are its eligible nodes (a stalled holder is
 * the owner by rule 0 anyway). Each node takes at most its share,
 * ceil(groups x weight / weights), so that N groups spread evenly even
 * where hashing alone would pile them up:
 *   1. auto_failback off: a group an eligible candidate holds stays its
 *      holder's (nothing moves that need not);
 *   2. the others, in order: the rendezvous winner among the candidates
 *      with room left, or among all candidates when none has room.
 * With auto_failback on, step 1 is skipped: the placement is the same
 * whatever is held, and a returning node gets its share back.
 */
static void place_groups(struct nodes_ctx *n)
{
	const struct xhb_decide_input *in = n->in;
	struct xhb_place_node cand[XHB_DECIDE_MAX_NODES];
	unsigned int load[XHB_DECIDE_MAX_NODES] = {0};
	unsigned int share[XHB_DECIDE_MAX_NODES];
	nodeset mask[XHB_MAX_GROUPS], any = 0, left = 0;
	struct group_ctx c = {.n = n, .preferred = -1};
	unsigned int g, i, groups = 0;
	__u64 weights = 0;

	for (g = 0; g < in->n_groups; g++) {
		mask[g] = 0;
		n->preferred[g] = in->preferred[g];
		if (in->preferred[g] != XHB_PLACE_AUTO)
			continue;
		n->preferred[g] = -1;
		c.g = g;
		judge_eligibility(&c);
		mask[g] = c.e.any & ~c.e.stalled;
		groups += mask[g] != 0;
		any |= mask[g];
		if (mask[g])
			left |= 1; /* something to place */
	}
	if (!left)
		return;
	for (i = 0; i < in->n_nodes; i++) {
		cand[i] = (struct xhb_place_node){
		    .key = in->nodes[i].key,
		    .weight = in->nodes[i].weight ? in->nodes[i].weight : 1,
		};
		if (has(any, (int)i))
			weights += cand[i].weight;
	}
	for (i = 0; i < in->n_nodes; i++)
		share[i] = (unsigned int)((groups * cand[i].weight + weights -
					   1) / weights);
	for (g = 0; in->auto_failback == XHB_FAILBACK_OFF && g < in->n_groups;
	     g++) {
		nodeset holders = mask[g] & n->held[g];

		if (!holders)
			continue;
		i = (unsigned int)__builtin_ctzll(holders);
		n->preferred[g] = (int)i;
		load[i]++;
		mask[g] = 0; /* placed */
	}
	for (g = 0; g < in->n_groups; g++) {
		nodeset room = 0;
		int p;

		if (!mask[g])
			continue;
		for (i = 0; i < in->n_nodes; i++)
			if (has(mask[g], (int)i) && load[i] < share[i])
				room |= bit(i);
		for (i = 0; i < in->n_nodes; i++)
			cand[i].candidate = has(room ? room : mask[g], (int)i);
		p = xhb_place_pick(in->group_keys[g], cand, in->n_nodes);
		n->preferred[g] = p;
		if (p >= 0)
			load[p]++;
	}
}

static bool valid(const struct xhb_decide_input *in)
{
	unsigned int i;

	if (!in || !in->nodes || in->n_nodes < 1 ||
	    in->n_nodes > XHB_DECIDE_MAX_NODES || in->self >= in->n_nodes ||
	    in->n_groups > XHB_MAX_GROUPS || (in->n_groups && !in->preferred) ||
	    (in->auto_failback != XHB_FAILBACK_OFF &&
	     in->auto_failback != XHB_FAILBACK_ON &&
	     in->auto_failback != XHB_FAILBACK_LEGACY))
		return false;
	for (i = 0; i < in->n_nodes; i++)
		if ((unsigned int)in->nodes[i].state >= XHB_MEMBER_STATE_MAX)
			return false;
	for (i = 0; i < in->n_groups; i++)
		if ((in->preferred[i] < -1 &&
		     (in->preferred[i] != XHB_PLACE_AUTO || !in->group_keys)) ||
		    in->preferred[i] >= (int)in->n_nodes)
			return false;
	return true;
}

/* Node i's groups of set s into per-group node sets: only set bits cost. */
static void transpose(nodeset *out, const struct xhb_gset *s, unsigned int i,
		      unsigned int n_groups)
{
	for (unsigned int w = 0; w * 32 < n_groups; w++)
		for (__u32 bits = s->w[w]; bits; bits &= bits - 1) {
			unsigned int g = w * 32 + (unsigned int)__builtin_ctz(bits);

			if (g < n_groups)
				out[g] |= bit(i);
		}
}

/* The nodes' states, once; what each holds, wants and refuses, by group. */
static void read_nodes(struct nodes_ctx *n)
{
	const struct xhb_decide_input *in = n->in;
	struct xhb_gset self_refused = in->nodes[in->self].refused;

	memset(n->held, 0, in->n_groups * sizeof(nodeset));
	memset(n->wanted, 0, in->n_groups * sizeof(nodeset));
	memset(n->refused, 0, in->n_groups * sizeof(nodeset));
	n->all = in->n_nodes >= 64 ? ~0ULL : bit(in->n_nodes) - 1;
	for (unsigned int i = 0; i < in->n_nodes; i++) {
		const struct xhb_decide_node *d = &in->nodes[i];
		struct view *v = &n->v[i];

		*v = (struct view){
		    .state = d->state,
		    .starting = d->starting,
		    .lease_expired = d->lease_expired,
		    .came_back = d->came_back,
		};
		if (i == in->self) {
			/* We always know we are alive; only our flags say
			 * otherwise. */
			v->self = true;
			v->lease_expired = false;
			v->starting = in->self_flags & XHB_SELF_INIT;
			v->state = (in->self_flags & XHB_SELF_FAULT) ? XHB_MEMBER_FAULT
				   : (in->self_flags & XHB_SELF_LEAVING)
				       ? XHB_MEMBER_LEAVING
				       : XHB_MEMBER_UP;
		} else if (v->came_back > n->back) {
			n->back = v->came_back;
		}
		switch (v->state) {
		case XHB_MEMBER_UP:
		case XHB_MEMBER_WARN:
			n->live |= bit(i);
			if (v->starting)
				n->starting |= bit(i);
			break;
		case XHB_MEMBER_STALLED:
			if (!v->lease_expired)
				n->stalled |= bit(i);
			break;
		case XHB_MEMBER_UNKNOWN:
			if (in->self_flags & XHB_SELF_INIT)
				n->possible |= bit(i);
			break;
		default:
			break;
		}
		transpose(n->held, &d->held, i, in->n_groups);
		transpose(n->wanted, &d->wanted, i, in->n_groups);
		if (i != in->self)
			transpose(n->refused, &d->refused, i, in->n_groups);
	}
	if (in->self_outreached)
		self_refused = xhb_gset_first(XHB_MAX_GROUPS);
	self_refused = xhb_gset_or(self_refused, &in->self_unfit);
	self_refused = xhb_gset_or(self_refused, &in->self_ifaces_down);
	transpose(n->refused, &self_refused, in->self, in->n_groups);
}

int xhb_decide(const struct xhb_decide_input *in, struct xhb_decision *out)
{
	static __thread struct nodes_ctx n; /* too big for a small stack */
	struct group_ctx c = {.n = &n};

	if (!valid(in) || (in->n_groups && !out))
		return -EINVAL;
	memset(&n, 0, offsetof(struct nodes_ctx, held));
	n.in = in;
	read_nodes(&n);
	place_groups(&n);
	for (unsigned int g = 0; g < in->n_groups; g++) {
		c.g = g;
		c.preferred = n.preferred[g];
		out[g] = decide_group(&c);
	}
	return 0;
}

const char *xhb_action_name(enum xhb_action action)
{
	static const char *const names[XHB_ACTION_MAX] = {
	    [XHB_ACTION_NONE] = "none",
	    [XHB_ACTION_ACQUIRE] = "acquire",
	    [XHB_ACTION_RELEASE] = "release",
	    [XHB_ACTION_KEEP] = "keep",
	};

	if ((unsigned int)action >= XHB_ACTION_MAX)
		return "none";
	return names[action];
}

const char *xhb_reason_name(enum xhb_reason reason)
{
	static const char *const names[XHB_REASON_MAX] = {
	    [XHB_REASON_PREFERRED_NODE] = "preferred_node",
	    [XHB_REASON_AUTO_FAILBACK] = "auto_failback",
	    [XHB_REASON_CURRENT_OWNER] = "current_owner",
	    [XHB_REASON_PARTITION_RESOLVED] = "partition_resolved",
	    [XHB_REASON_TAKEOVER_REQUEST] = "takeover_request",
	    [XHB_REASON_STANDBY_REQUEST] = "standby_request",
	    [XHB_REASON_STANDBY_OVERRIDDEN] = "standby_overridden",
	    [XHB_REASON_PEER_DEAD] = "peer_dead",
	    [XHB_REASON_PEER_LEAVING] = "peer_leaving",
	    [XHB_REASON_PEER_FAULT] = "peer_fault",
	    [XHB_REASON_PEER_STALLED] = "peer_stalled",
	    [XHB_REASON_PEER_STALLED_HOLDS] = "peer_stalled_holds",
	    [XHB_REASON_PEER_STARTING] = "peer_starting",
	    [XHB_REASON_LEASE_EXPIRED] = "lease_expired",
	    [XHB_REASON_LOCAL_FAULT] = "local_fault",
	    [XHB_REASON_LEAVING] = "leaving",
	    [XHB_REASON_INITDEAD] = "initdead",
	    [XHB_REASON_WAIT_RELEASE] = "wait_release",
	    [XHB_REASON_UNHEARD] = "unheard",
	    [XHB_REASON_LOWEST_INDEX] = "lowest_index",
	    [XHB_REASON_NO_ELIGIBLE_NODE] = "no_eligible_node",
	    [XHB_REASON_CHECK_FAILED] = "check_failed",
	    [XHB_REASON_NO_HEALTHY_NODE] = "no_healthy_node",
	    [XHB_REASON_FEWER_PING_NODES] = "fewer_ping_nodes",
	    [XHB_REASON_NO_QUORUM] = "no_quorum",
	    [XHB_REASON_ANYCAST] = "anycast",
	    [XHB_REASON_ADOPTED] = "adopted",
	    [XHB_REASON_RESOURCE_FAILED] = "resource_failed",
	    [XHB_REASON_RELOAD] = "reload",
	    [XHB_REASON_INTERRUPTED] = "interrupted",
	};

	if ((unsigned int)reason >= XHB_REASON_MAX)
		return "unknown";
	return names[reason];
}
