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
 * This node: FAULT, leaving or unheard (a peer we hear does not hear us:
 * one-way loss, it is taking our groups) releases everything and takes
 * nothing. The
 * owner acquires only when no other live node still holds g: a takeover,
 * failback or standby moves the group release-first, so two live nodes
 * never answer for the same VIP; the holder computes the same owner and
 * lets go. In initdead we acquire nothing and keep what we hold unless a
 * node we can hear is the owner.
 */
#include <errno.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "xhb_wire.h"
#include "decide.h"

enum eligibility {
	ELIG_NONE = 0,
	ELIG_FULL,	   /* may acquire and keep */
	ELIG_KEEP,	   /* may keep what it holds (starting) */
	ELIG_POSSIBLE,	   /* UNKNOWN during our initdead */
	ELIG_STALLED_KEEP, /* stalled holder with a live lease */
	/* starting, holds nothing: may be named owner when nobody holds the
	 * group, so that the others wait for it instead of racing it; it
	 * acquires once its initdead is over (at once, when it has heard
	 * every peer): two nodes never both take a group at start */
	ELIG_STARTING,
};

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

/* The node as this decision sees it: self's state comes from its flags. */
struct view {
	enum xhb_member_state state;
	bool starting;
	bool lease_expired;
	bool self;
	enum xhb_member_return came_back;
	__u32 held, wanted, refused;
	__u32 unfit; /* self only: refused because a check fails */
	bool outreached; /* self only: refuses all, fewer ping nodes */
	__u32 ifaces_down; /* self only: refused, a VIP's interface is down */
};

struct group_ctx {
	const struct xhb_decide_input *in;
	const struct view *nodes;
	__u32 bit;
	int preferred;
	bool overridden; /* standby refusals ignored for lack of anyone else */
	enum eligibility elig[XHB_DECIDE_MAX_NODES];
};

static bool claims(const struct view *v, __u32 bit)
{
	return v->held & bit;
}

static enum eligibility eligibility(const struct group_ctx *c,
				    const struct view *v, bool with_refusals)
{
	enum eligibility e;

	switch (v->state) {
	case XHB_MEMBER_UP:
	case XHB_MEMBER_WARN:
		if (v->starting)
			e = claims(v, c->bit) ? ELIG_KEEP : ELIG_STARTING;
		else
			e = ELIG_FULL;
		break;
	case XHB_MEMBER_STALLED:
		/* A refusal it cannot act on changes nothing. */
		return claims(v, c->bit) && !v->lease_expired
			   ? ELIG_STALLED_KEEP
			   : ELIG_NONE;
	case XHB_MEMBER_UNKNOWN:
		e = (c->in->self_flags & XHB_SELF_INIT) ? ELIG_POSSIBLE
							: ELIG_NONE;
		break;
	default:
		return ELIG_NONE;
	}
	if (with_refusals && (v->refused & c->bit))
		return ELIG_NONE;
	return e;
}

/* The preferred node if it is in the set, else the lowest index. */
static int pick(const struct group_ctx *c, const bool *set)
{
	unsigned int i;

	if (c->preferred >= 0 && set[c->preferred])
		return c->preferred;
	for (i = 0; i < c->in->n_nodes; i++)
		if (set[i])
			return (int)i;
	return -1;
}

static int owner_of(const struct group_ctx *c, enum rule *rule)
{
	const struct xhb_decide_input *in = c->in;
	bool set[XHB_DECIDE_MAX_NODES];
	unsigned int i, holders = 0;
	int owner;

	for (i = 0; i < in->n_nodes; i++)
		set[i] = c->elig[i] == ELIG_STALLED_KEEP;
	owner = pick(c, set);
	if (owner >= 0) {
		*rule = RULE_STALLED_HOLDS;
		return owner;
	}

	for (i = 0; i < in->n_nodes; i++)
		set[i] = c->elig[i] && c->elig[i] != ELIG_STARTING &&
			 (c->nodes[i].wanted & c->bit);
	owner = pick(c, set);
	if (owner >= 0) {
		*rule = RULE_WANTED;
		return owner;
	}

	/* Failing back to a node still in its initdead would leave the group
	 * unheld until it is out: wait for it to be out. */
	if (in->auto_failback != XHB_FAILBACK_OFF && c->preferred >= 0 &&
	    c->elig[c->preferred] && c->elig[c->preferred] != ELIG_STARTING) {
		*rule = RULE_FAILBACK;
		return c->preferred;
	}

	for (i = 0; i < in->n_nodes; i++) {
		set[i] = c->elig[i] && claims(&c->nodes[i], c->bit);
		holders += set[i];
	}
	owner = pick(c, set);
	if (owner >= 0) {
		*rule = holders > 1 ? RULE_PARTITION : RULE_HOLDER;
		return owner;
	}

	if (c->preferred >= 0 && c->elig[c->preferred]) {
		*rule = RULE_PREFERRED;
		return c->preferred;
	}

	for (i = 0; i < in->n_nodes; i++)
		set[i] = c->elig[i] != ELIG_NONE;
	owner = pick(c, set);
	*rule = owner >= 0 ? RULE_LOWEST : RULE_NONE;
	return owner;
}

/* Why a node refuses bit: its check fails, it reaches fewer ping nodes
 * than a peer (self only: peers' reasons are one mask on the wire), or an
 * operator's standby. */
static enum xhb_reason unfit_reason(const struct view *v, __u32 bit)
{
	if (v->ifaces_down & bit)
		return XHB_REASON_LOCAL_FAULT;
	if (v->unfit & bit)
		return XHB_REASON_CHECK_FAILED;
	if (v->outreached)
		return XHB_REASON_FEWER_PING_NODES;
	return XHB_REASON_STANDBY_REQUEST;
}

/* Why node v cannot own the group (it held it, or it is preferred). */
static enum xhb_reason why_not(const struct group_ctx *c, const struct view *v)
{
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
	if ((v->refused & c->bit) && !c->overridden)
		return unfit_reason(v, c->bit);
	if (v->starting)
		return v->self ? XHB_REASON_INITDEAD : XHB_REASON_PEER_STARTING;
	return XHB_REASON_CURRENT_OWNER;
}

/* Why the owner owns the group. */
static enum xhb_reason cause(const struct group_ctx *c, int owner,
			     enum rule rule)
{
	unsigned int i;

	if (rule == RULE_NONE)
		return XHB_REASON_NO_ELIGIBLE_NODE;
	if (rule == RULE_STALLED_HOLDS)
		return XHB_REASON_PEER_STALLED_HOLDS;
	if (c->overridden && (c->nodes[owner].refused & c->bit))
		return ((c->nodes[owner].unfit | c->nodes[owner].ifaces_down) &
			c->bit) ||
			       c->nodes[owner].outreached
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
	for (i = 0; i < c->in->n_nodes; i++)
		if ((int)i != owner && (c->nodes[i].held & c->bit))
			return why_not(c, &c->nodes[i]);
	if (rule == RULE_PREFERRED)
		return XHB_REASON_PREFERRED_NODE;
	if (c->preferred >= 0)
		return why_not(c, &c->nodes[c->preferred]);
	return XHB_REASON_LOWEST_INDEX;
}

/* Another node that can still answer for the VIP. A stalled holder with
 * a live lease is the owner by rule 0, so only UP and WARN nodes matter. */
static bool live_holder_elsewhere(const struct group_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->in->n_nodes; i++) {
		const struct view *v = &c->nodes[i];

		if (v->self || !claims(v, c->bit))
			continue;
		if (v->state == XHB_MEMBER_UP || v->state == XHB_MEMBER_WARN)
			return true;
	}
	return false;
}

/* The strongest return among the other nodes in this loop. */
static enum xhb_member_return came_back(const struct group_ctx *c)
{
	enum xhb_member_return back = XHB_MEMBER_STAYED;

	for (unsigned int i = 0; i < c->in->n_nodes; i++)
		if (!c->nodes[i].self && c->nodes[i].came_back > back)
			back = c->nodes[i].came_back;
	return back;
}

/*
 * Anycast (announce anycast): every node announces the group it does not
 * refuse, and routers spread flows over them; nobody is elected. This node
 * holds g unless it is in fault, leaving, or refuses g (a failing check, a
 * VIP interface down, fewer ping nodes than a peer, standby): then it
 * releases, whoever else holds g. The peers' views play no part, so one-way
 * loss and initdead change nothing either. owner: self when it holds or
 * takes g, else -1.
 */
static struct xhb_decision decide_anycast(const struct group_ctx *c)
{
	const struct view *self = &c->nodes[c->in->self];
	bool holds = self->held & c->bit;
	bool down = c->in->self_flags & (XHB_SELF_FAULT | XHB_SELF_LEAVING);
	struct xhb_decision d = {.owner = -1, .reason = XHB_REASON_ANYCAST};

	if (down || (self->refused & c->bit)) {
		d.action = holds ? XHB_ACTION_RELEASE : XHB_ACTION_NONE;
		if (c->in->self_flags & XHB_SELF_FAULT)
			d.reason = XHB_REASON_LOCAL_FAULT;
		else if (c->in->self_flags & XHB_SELF_LEAVING)
			d.reason = XHB_REASON_LEAVING;
		else if (self->unfit & c->bit)
			d.reason = XHB_REASON_CHECK_FAILED;
		else if (self->ifaces_down & c->bit)
			d.reason = XHB_REASON_LOCAL_FAULT;
		else if (self->outreached)
			d.reason = XHB_REASON_FEWER_PING_NODES;
		else
			d.reason = XHB_REASON_STANDBY_REQUEST;
		return d;
	}
	d.owner = (int)c->in->self;
	d.action = holds ? XHB_ACTION_KEEP : XHB_ACTION_ACQUIRE;
	return d;
}

static struct xhb_decision decide_group(struct group_ctx *c)
{
	const struct xhb_decide_input *in = c->in;
	const struct view *self = &c->nodes[in->self];
	bool holds = self->held & c->bit;
	struct xhb_decision d = {.action = XHB_ACTION_NONE};
	bool any = false, any_unrefused = false;
	enum rule rule;
	unsigned int i;

	if (in->anycast & c->bit)
		return decide_anycast(c);
	for (i = 0; i < in->n_nodes; i++) {
		c->elig[i] = eligibility(c, &c->nodes[i], true);
		any_unrefused |= c->elig[i] != ELIG_NONE;
		any |= eligibility(c, &c->nodes[i], false) != ELIG_NONE;
	}
	c->overridden = any && !any_unrefused;
	if (c->overridden)
		for (i = 0; i < in->n_nodes; i++)
			c->elig[i] = eligibility(c, &c->nodes[i], false);

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
	} else if (d.owner == (int)in->self) {
		if (holds) {
			enum xhb_member_return back = came_back(c);

			d.action = XHB_ACTION_KEEP;
			d.announce = rule == RULE_PARTITION || back;
			if (back == XHB_MEMBER_HEALED)
				d.reason = XHB_REASON_PARTITION_RESOLVED;
		} else if (in->self_flags & XHB_SELF_INIT) {
			d.reason = XHB_REASON_INITDEAD;
		} else if (live_holder_elsewhere(c)) {
			d.reason = XHB_REASON_WAIT_RELEASE;
		} else {
			d.action = XHB_ACTION_ACQUIRE;
		}
	} else if (holds) {
		if ((in->self_flags & XHB_SELF_INIT) && d.owner >= 0 &&
		    c->elig[d.owner] == ELIG_POSSIBLE) {
			/* Never give a VIP up to a node we have not heard. */
			d.action = XHB_ACTION_KEEP;
			d.reason = XHB_REASON_INITDEAD;
		} else {
			d.action = XHB_ACTION_RELEASE;
			if ((self->refused & c->bit) && !c->overridden)
				d.reason = unfit_reason(self, c->bit);
		}
	}
	return d;
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
		if (in->preferred[i] < -1 ||
		    in->preferred[i] >= (int)in->n_nodes)
			return false;
	return true;
}

int xhb_decide(const struct xhb_decide_input *in, struct xhb_decision *out)
{
	struct view nodes[XHB_DECIDE_MAX_NODES];
	struct group_ctx c = {.in = in, .nodes = nodes};
	unsigned int i, g;

	if (!valid(in) || (in->n_groups && !out))
		return -EINVAL;
	for (i = 0; i < in->n_nodes; i++) {
		const struct xhb_decide_node *n = &in->nodes[i];

		nodes[i] = (struct view){
		    .state = n->state,
		    .starting = n->starting,
		    .lease_expired = n->lease_expired,
		    .came_back = n->came_back,
		    .held = n->held,
		    .wanted = n->wanted,
		    .refused = n->refused,
		};
	}
	/* We always know we are alive; only our flags say otherwise. */
	nodes[in->self].self = true;
	nodes[in->self].lease_expired = false;
	nodes[in->self].starting = in->self_flags & XHB_SELF_INIT;
	nodes[in->self].unfit = in->self_unfit;
	nodes[in->self].outreached = in->self_outreached;
	nodes[in->self].ifaces_down = in->self_ifaces_down;
	nodes[in->self].refused |= in->self_outreached
				       ? ~0U
				       : in->self_unfit | in->self_ifaces_down;
	if (in->self_flags & XHB_SELF_FAULT)
		nodes[in->self].state = XHB_MEMBER_FAULT;
	else if (in->self_flags & XHB_SELF_LEAVING)
		nodes[in->self].state = XHB_MEMBER_LEAVING;
	else
		nodes[in->self].state = XHB_MEMBER_UP;

	for (g = 0; g < in->n_groups; g++) {
		c.bit = 1U << g;
		c.preferred = in->preferred[g];
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
	    [XHB_REASON_ADOPTED] = "adopted",
	    [XHB_REASON_RESOURCE_FAILED] = "resource_failed",
	    [XHB_REASON_RELOAD] = "reload",
	    [XHB_REASON_INTERRUPTED] = "interrupted",
	    [XHB_REASON_ANYCAST] = "anycast",
	};

	if ((unsigned int)reason >= XHB_REASON_MAX)
		return "unknown";
	return names[reason];
}
