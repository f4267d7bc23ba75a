/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * JSON events: every decision and side effect of the agent is one compact
 * JSON object on one line, written to stdout and appended to the logfile
 * and debugfile; syslog gets each as one line for people (event_line.h).
 * The emitter adds the common fields (time, mono_ns, seq, node, event);
 * callers add the per-event fields documented in xhb-events(7)
 * (docs/man/xhb-events.7.scd) and checked by docs/events.schema.json
 * (tools/validate-events.py).
 *
 *   xhb_events__emitf(em, "peer_dead", "{s:s, s:f}", "peer", name,
 *                     "detection_ms", ms);
 *
 * Writing never stops the agent: a failed write is counted and reported
 * once on stderr. Not thread-safe (the agent is one thread). The agent
 * must ignore SIGPIPE, or a closed stdout would kill it.
 */
#ifndef XHB_EVENTS_H
#define XHB_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct xhb_events;
struct xhb_gset;

/*
 * Where events go. JSON lines: stdout and debugfile get every event,
 * logfile those of severity info and above (event_line.c gives each
 * kind's severity: the repeated gratuitous ARPs are debug). Syslog gets
 * one line for people per event of severity info and above (debug too with
 * syslog_debug), with the event's severity and the facility given.
 * Files are created 0640 (before umask), appended to, never opened
 * through a symbolic link (-ELOOP).
 */
struct xhb_event_sinks {
	const char *logfile;	 /* NULL or "": none */
	const char *debugfile;	 /* NULL or "": none */
	int facility;		 /* LOG_LOCAL0...; -1: no syslog */
	bool syslog_debug;	 /* ha.cf: debug 1 or more */
	const char *syslog_path; /* NULL: /dev/log */
	bool to_stdout;
	const char *failed; /* out: the file that could not be opened */
};

int xhb_events__open(struct xhb_events **em, const char *node,
		     struct xhb_event_sinks *sinks);
void xhb_events__close(struct xhb_events *em);

/* Reopen the files by name after logrotate moved them (SIGHUP), with new
 * sinks after a reload (NULL: the same ones). On error the old file stays
 * in use, and the first error is returned (its file in sinks->failed when
 * sinks is given). */
int xhb_events__reopen(struct xhb_events *em, struct xhb_event_sinks *sinks);

/*
 * Hold (true): events are stamped as they come (time, mono_ns, seq) but
 * written only when released (false), in order: a burst of thousands
 * (a takeover of many groups) does not delay the work it reports. At
 * most XHB_EVENTS_HOLD_MAX wait; more writes them all at once.
 */
#define XHB_EVENTS_HOLD_MAX 65536
int xhb_events__hold(struct xhb_events *em, bool hold);

/* A new event object with its "event" field; add fields with jansson. */
json_t *xhb_event_new(const char *event);

/*
 * Stamp and write ev, and release it in every case (it "steals" the
 * reference, like json_object_set_new), so a NULL ev from a failed
 * allocation is fine too. A NULL em discards the event. Returns 0, or the
 * negative errno of a failed write, which callers may ignore.
 */
int xhb_events__emit(struct xhb_events *em, json_t *ev);

/* Build the fields with json_pack(fmt, ...) (fmt may be NULL for none) and
 * emit. "s*" omits a field whose string is NULL (the schema has no
 * nulls). -EINVAL on a bad format. */
int xhb_events__emitf(struct xhb_events *em, const char *event, const char *fmt,
		      ...);

/*
 * One emitter per event kind, with typed arguments: the only places that
 * write an event's fields, so each kind's fields are written once and
 * match docs/events.schema.json (test_events.c checks each against it).
 * They ignore write errors (counted, see xhb_events__write_errors()).
 */
struct xhb_config;
struct xhb_config_note;
struct xhb_resource_result;
struct xhb_vip;

/* Why this node's own state changed (state_change's reason). */
enum xhb_state_reason {
	XHB_STATE_LINK_DOWN,
	XHB_STATE_LINK_UP,
	XHB_STATE_LEASE_EXPIRED,
	XHB_STATE_STOP_REQUESTED,
	XHB_STATE_ALL_PEERS_SEEN,
	XHB_STATE_INITDEAD_EXPIRED,
	XHB_STATE_LISTEN_WINDOW_EXPIRED,
	XHB_STATE_REASON_MAX,
};
const char *xhb_state_reason_name(enum xhb_state_reason reason);

/* lifecycle */
void xhb_ev_agent_start(struct xhb_events *em, const char *version,
			uint64_t incarnation, int pid, const char *control);
void xhb_ev_agent_stop(struct xhb_events *em, const char *reason,
		       uint64_t incarnation);
void xhb_ev_agent_gap(struct xhb_events *em, uint64_t gap_ns,
		      uint64_t expected_ns);
void xhb_ev_state_change(struct xhb_events *em, int from, int to,
			 enum xhb_state_reason reason); /* enum xhb_node_state */
void xhb_ev_lease_expired(struct xhb_events *em, uint64_t lease_ns,
			  uint64_t late_ns);

/* configuration */
void xhb_ev_config_loaded(struct xhb_events *em, const struct xhb_config *c,
			  uint64_t probe_period_ns);
/* config_ignored, config_notice or config_warning, by the note's kind */
void xhb_ev_config_note(struct xhb_events *em, const struct xhb_config_note *n);
void xhb_ev_config_error(struct xhb_events *em, const char *message,
			 const char *action);
void xhb_ev_reload(struct xhb_events *em, const char *config_dir);

/* data plane and links */
void xhb_ev_dataplane_attached(struct xhb_events *em, const char *iface,
			       bool generic, bool adopted, const char *pin_dir,
			       bool mounted_bpffs, uint32_t prog_id);
/* Maps pinned by an xhb build of another layout were unpinned and made
 * afresh (an upgrade across a map change): what they held starts over. */
void xhb_ev_dataplane_maps_replaced(struct xhb_events *em, const char *iface,
				    const char *maps);
void xhb_ev_dataplane_fallback(struct xhb_events *em, const char *iface,
			       const char *reason);
void xhb_ev_link(struct xhb_events *em, const char *iface, bool up);
/* media down (comma-separated), the ones still working, all of them */
void xhb_ev_link_degraded(struct xhb_events *em, const char *down,
			  unsigned int media_up, unsigned int media);
/* sends on a medium fail: the first failure, then every 1000th */
void xhb_ev_medium_error(struct xhb_events *em, const char *medium,
			 const char *reason, uint64_t count);
void xhb_ev_flood(struct xhb_events *em, double junk_pps, uint64_t window_ns);

/* membership: peer_<to> (enum xhb_member_state from, to) */
void xhb_ev_peer(struct xhb_events *em, const char *peer, int from, int to,
		 const char *reason, uint64_t detection_ns, uint64_t rtt_ns);

/* a peer we hear does not hear us: we yield (one-way loss) */
void xhb_ev_unheard(struct xhb_events *em, const char *peer, uint64_t hold_ns);
/* its XDP does not answer our probes; reply_age_ns 0: it never did */
void xhb_ev_peer_unanswered(struct xhb_events *em, const char *peer,
			    uint64_t reply_age_ns, uint64_t window_ns);

/* groups (reason: enum xhb_reason, see decide.h) */
void xhb_ev_group(struct xhb_events *em, bool acquire, unsigned int group,
		  const char *resources, int reason, uint64_t duration_ns);
/* reason NULL, or "restored" for a VIP put back after someone removed it */
void xhb_ev_vip_added(struct xhb_events *em, unsigned int group,
		      const struct xhb_vip *vip, const char *reason);
void xhb_ev_vip_removed(struct xhb_events *em, unsigned int group,
			const struct xhb_vip *vip);
/* fenced_standby: an address configured here fenced (staged: its
 * takeover a map write) while another node holds its group, or removed. */
void xhb_ev_vip_staged(struct xhb_events *em, unsigned int group,
		       const struct xhb_vip *vip, bool staged);
void xhb_ev_vip_lost(struct xhb_events *em, unsigned int group,
		     const struct xhb_vip *vip);
/* routing mode: a host route of group's added (reason: NULL, "takeover",
 * "takeover_over", "restored") or removed */
struct xhb_route;
void xhb_ev_route_added(struct xhb_events *em, unsigned int group,
			const struct xhb_route *rt, const char *reason);
void xhb_ev_route_removed(struct xhb_events *em, unsigned int group,
			  const struct xhb_route *rt);
/* packet: 1 for the first; err: 0 or a negative errno */
void xhb_ev_garp_sent(struct xhb_events *em, unsigned int group,
		      const struct xhb_vip *vip, unsigned int packet, int err);
void xhb_ev_resource_done(struct xhb_events *em, unsigned int group,
			  const char *resource, bool start,
			  const struct xhb_resource_result *r);
/* r: the script's result; or NULL with reason ("cannot_run", "netlink")
 * and err, a negative errno, or 0 with error text in detail */
void xhb_ev_resource_failed(struct xhb_events *em, unsigned int group,
			    const char *resource, const char *action,
			    const struct xhb_resource_result *r,
			    const char *reason, int err, const char *detail);

/* A resource's stop failed and stop_failed_policy is block: the group is
 * blocked here until a cleanup. resource: the one whose stop failed (NULL:
 * a restarted agent found the group so); reason: the release's (enum
 * xhb_reason); held: still claimed by this node (not once our lease
 * lapsed: a peer may hold it). */
void xhb_ev_group_stop_failed(struct xhb_events *em, unsigned int group,
			      const char *resources, const char *resource,
			      int reason, bool held);
/* Asked to stop while groups are stop_failed: the agent stays. */
void xhb_ev_agent_stop_blocked(struct xhb_events *em,
			       const struct xhb_gset *groups);

/* operator requests over the control socket */
void xhb_ev_request(struct xhb_events *em, bool standby, const char *scope,
		    const struct xhb_gset *groups);
/* xhbctl cleanup: asked (-1: every group), the groups whose stop runs
 * again */
void xhb_ev_cleanup_request(struct xhb_events *em, int asked,
			    const struct xhb_gset *groups);

/* The node list changed (nodes.h): node_added / node_removed, with where
 * the change came from ("control": xhbctl node, hb_addnode, hb_delnode;
 * "reload": SIGHUP; "start": STATE_DIR/nodes read at start) and how many
 * nodes there are now. */
void xhb_ev_node_change(struct xhb_events *em, bool added, const char *name,
			uint32_t node_id, const char *source,
			unsigned int node_count);

/* Writes that failed (stdout or logfile) since open. */
uint64_t xhb_events__write_errors(const struct xhb_events *em);
/* seq of the last event emitted (0 before the first one). */
uint64_t xhb_events__seq(const struct xhb_events *em);

/* A service check changed state (check.h): check_passing or
 * check_failing, with the result that made it (detail) and how many in a
 * row (count). */
struct xhb_check_cfg;
void xhb_ev_check(struct xhb_events *em, const struct xhb_check_cfg *c,
		  const char *from, const char *to, const char *detail,
		  unsigned int count);
/* Group's checks fail here and no other node is healthy enough to take
 * it: it stays where it is (held: on this node). Once per episode. */
void xhb_ev_no_healthy_node(struct xhb_events *em, unsigned int group,
			    const char *resources, bool held);

/* A ping node (an address, or a ping_group as a whole) became reachable
 * or unreachable: ping_node_up / ping_node_down, with how many of the
 * ping nodes are reached now (ping.h). */
void xhb_ev_ping_node(struct xhb_events *em, const char *target, bool up,
		      unsigned int reached, unsigned int of);
/* ipfail's rule: a live peer reaches more ping nodes than we do (yield:
 * we give our groups up), or no longer does (yield false). */
void xhb_ev_ping_yield(struct xhb_events *em, bool yield, unsigned int reached,
		       unsigned int peer_reached, unsigned int of);
/* Our partition gained or lost quorum (quorum.h): its votes, the total,
 * how many are needed, the present nodes ("srv1,srv2"), why (majority,
 * tie_lowest_node, ping_nodes, two_nodes) and no_quorum_policy. */
void xhb_ev_quorum(struct xhb_events *em, bool quorate, unsigned int votes,
		   unsigned int total, unsigned int needed, const char *nodes,
		   const char *why, const char *policy);

#endif /* XHB_EVENTS_H */
