/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * agent_int: what agent.c (the loop) and agent_open.c (start-up and
 * shutdown) share: the agent's state and the few steps both use. Not for
 * other modules: they get what they need as arguments.
 */
#ifndef XHB_AGENT_INT_H
#define XHB_AGENT_INT_H

#include <poll.h>
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "agent.h"
#include "control.h"
#include "decide.h"
#include "check.h"
#include "ping.h"
#include "config.h"
#include "events.h"
#include "groups.h"
#include "ifaces.h"
#include "loop_time.h"
#include "peers.h"
#include "quorum.h"
#include "speak.h"
#include "version.h"

/* The fds the loop always waits on, behind one epoll fd (agent_watch.c). */
#define XHB_AGENT_WATCH_MAX (3 + XHB_MAX_IFACES)
struct xhb_agent_watch {
	int fd; /* the epoll fd, -1: none (the fds polled one by one) */
	unsigned int gen; /* the agent's cfg_gen when it was built */
	unsigned int n;
	int fds[XHB_AGENT_WATCH_MAX];
};

/* pfd's entries for the n fds (at most XHB_AGENT_WATCH_MAX): the epoll
 * fd alone, or the fds themselves; how many were written. gen: the
 * agent's cfg_gen (files may have been reopened when it moved). */
unsigned int xhb_agent_watch_pollfds(struct xhb_agent_watch *w,
				     unsigned int gen, const int *fds,
				     unsigned int n, struct pollfd *pfd);
/* After ppoll(): ready[i], fds[i] has something to read. */
void xhb_agent_watch_ready(struct xhb_agent_watch *w, const struct pollfd *pfd,
			   unsigned int n, bool *ready);
void xhb_agent_watch_close(struct xhb_agent_watch *w);

struct xhb_agent {
	struct xhb_agent_opts opts;
	struct xhb_config *cfg;
	char node[XHB_NAME_MAX];
	int self_index;
	char control_path[256];

	struct xhb_events *ev;
	struct xhb_nl *nl;
	struct xhb_nlmon *mon;
	struct xhb_announce *ann;
	struct xhb_sender *tx;
	struct xhb_control *ctl;
	int sigfd;
	struct xhb_agent_watch watch; /* agent_watch.c */

	struct xhb_ifaces ifaces;
	struct xhb_peers peers;
	struct xhb_groups groups;
	struct xhb_speaker speaker;
	struct xhb_checks checks; /* this node's service checks */
	struct xhb_pinger pinger; /* ping nodes, ipfail's rule */
	bool outreached; /* a live peer reaches more ping nodes */
	/* the groups' placement inputs to decide (preferred node or
	 * XHB_PLACE_AUTO, key, allowed nodes), copied out of the
	 * configuration's group structs (large: reading them every loop
	 * costs a cache miss a group) when cfg_gen moves past place_gen */
	unsigned int cfg_gen, place_gen;
	int place_pref[XHB_MAX_GROUPS];
	__u64 place_key[XHB_MAX_GROUPS], place_allowed[XHB_MAX_GROUPS];
	struct xhb_gset place_anycast; /* announce anycast */
	/* decide's last input and answer: an input equal to the last loop's
	 * (idle: nothing moved) has the same answer, xhb_decide() being a
	 * pure function of it */
	struct {
		bool valid;
		unsigned int cfg_gen;
		int ret;
		struct xhb_decide_input in;
		struct xhb_decide_node nodes[XHB_CONFIG_MAX_NODES];
		struct xhb_decision out[XHB_MAX_GROUPS];
	} decided;
	struct xhb_quorum quorum; /* of our partition, once out of initdead */
	int quorum_said; /* -1: not judged yet, else the last quorate said */
	struct xhb_gset no_healthy_said; /* groups whose no_healthy_node was said */

	__u64 incarnation;
	__u64 epoch;
	__u64 start_ns;
	__u64 last_loop_ns;
	__u64 steady_since_ns;
	__u64 last_gap_event_ns;
	__u64 next_heartbeat_ns;
	__u64 next_probe_ns;
	__u64 next_verify_ns; /* held addresses checked again then */
	struct xhb_lateness late; /* timed wake-ups past their deadline */

	bool init; /* initdead running, or listening again */
	__u64 init_until_ns;
	bool fault; /* every medium down, or a VIP's interface (ifaces.h) */
	struct xhb_links links; /* as last judged */
	bool leaving;	     /* asked to stop: releasing everything */
	bool leaving_said;   /* its state_change was emitted */
	struct xhb_gset stop_blocked_said; /* stop_failed groups that keep us here */
	int unheard_by; /* a peer that does not hear us (-1: none) */
	bool stop, reload, reexec; /* signals: TERM/INT, HUP, USR2 */
};

__u64 probe_period(const struct xhb_agent *a);
enum xhb_node_state self_state(const struct xhb_agent *a);
/* config_loaded and one event per note */
void emit_config(struct xhb_agent *a);
/* Our state to every XDP; renews the lease (held: what we say we hold). */
void publish(struct xhb_agent *a, __u64 now, struct xhb_gset held,
	     __u64 lease_ns);
/* The ping nodes of c (ping.h); a failure is said, and the agent goes on
 * without them. */
void configure_pings(struct xhb_agent *a, const struct xhb_config *c, __u64 now);
/* Quorum judged again (agent_quorum.c): quorum_gained/quorum_lost on a
 * change; not judged in initdead (a restarted agent keeps what it holds
 * until it has heard the others). True when quorum came back after
 * no_quorum_policy stopped or froze us: listen again before acting. */
bool judge_quorum(struct xhb_agent *a, __u64 now);
/* May our probes tell a peer we judged dead that we do not hear it
 * (XHB_FLAG_UNHEARD)? Only when we could act on that verdict: without
 * quorum we take nothing, and the flag would fence a holder that the
 * side with quorum still hears (seen when a 3/2 cut healed). */
bool tell_unheard(const struct xhb_agent *a);
/* XHB_SELF_NO_QUORUM or XHB_SELF_FROZEN as no_quorum_policy says, or 0 */
unsigned int quorum_flags(const struct xhb_agent *a);
/* The quorum in xhbctl status: {"quorate", "votes", ...} */
json_t *quorum_json(const struct xhb_agent *a);
/* Link states read again: fault while a heartbeat interface is down. */
void refresh_links(struct xhb_agent *a);
/* Where a node list change came from (node_added, node_removed). */
enum xhb_nodes_source {
	XHB_NODES_BY_START,   /* STATE_DIR/nodes, read at start */
	XHB_NODES_BY_RELOAD,  /* SIGHUP: ha.cf or STATE_DIR/nodes edited */
	XHB_NODES_BY_CONTROL, /* xhbctl node add|remove, hb_addnode... */
};
/* The configuration as a reload reads it (ch NULL: STATE_DIR/nodes' node
 * changes, else these), checked against this node and the running one:
 * 0, or -errno with the message in err. */
int load_next(struct xhb_agent *a, const struct xhb_node_changes *ch,
	      struct xhb_config *next, char *err, size_t errlen);
/* Run on next (taken; the old one is freed): groups, checks, pings, logs,
 * XDP, sockets, peers; events reload (SIGHUP), config_loaded, and
 * node_added / node_removed for each node that came or went. */
void apply_config(struct xhb_agent *a, struct xhb_config *next,
		  enum xhb_nodes_source source);
/* agent_nodes.c: node_added / node_removed for the nodes of a->cfg that
 * old had not and the reverse (old NULL: those STATE_DIR/nodes changed,
 * at start). */
void say_node_changes(struct xhb_agent *a, const struct xhb_config *old,
		      enum xhb_nodes_source source);
/* agent_nodes.c: xhbctl node list|add|remove NAME. It refuses when the
 * files changed what the data plane runs with since they were read
 * (a reload does that), so that apply_config() may leave XDP alone. */
json_t *node_request(struct xhb_agent *a, const struct xhb_control_request *req);

/* Where c sends events: its logfile, debugfile and logfacility. */
void event_sinks(const struct xhb_agent *a, const struct xhb_config *c,
		 struct xhb_event_sinks *s);

#endif /* XHB_AGENT_INT_H */
