/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * metrics: one node in Prometheus' text exposition format (0.0.4), for
 * `xhbctl metrics` (node_exporter's textfile collector) and xhb-metrics
 * (the same text over HTTP). Two sources, read at each scrape:
 *
 *   the pinned maps of every interface ha.cf names (XDP's counters, what
 *   it recorded of each peer, our lease and fence): there while the XDP
 *   program is pinned, whether the agent runs or not;
 *   the agent's status document over its control socket (verdicts,
 *   detection windows, groups, transitions, takeover durations): when it
 *   does not answer, xhb_agent_up is 0 and these are left out.
 *
 *   xhb_metrics_collect()  read both into a snapshot (I/O: metrics_collect.c)
 *   xhb_metrics_render()   the text of a snapshot; pure, so the unit
 *                          tests give it exact snapshots
 *   xhb_metrics_text()     both, into a malloc'd buffer
 *
 * The agent's side: struct xhb_group_tally, one group's transitions and
 * takeover durations, kept by groups.c where a transition completes and
 * exported in the status document by status.c.
 *
 * Include <linux/types.h> and <linux/bpf.h> before this header.
 */
#ifndef XHB_METRICS_H
#define XHB_METRICS_H

#include <jansson.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

#include "decide.h"
#include "ifaces.h"
#include "xhb_maps.h"

/* ---- the agent's side: transitions of one group --------------------- */

/* Upper bounds of the takeover histogram's buckets, in nanoseconds: from
 * a bare address (a fraction of a millisecond) to start scripts (their
 * timeout is 30 s). */
#define XHB_TAKEOVER_BUCKETS 15
extern const __u64 xhb_takeover_bounds_ns[XHB_TAKEOVER_BUCKETS];

struct xhb_group_tally {
	__u64 acquired; /* completed acquisitions (adoption is none) */
	__u64 released; /* releases, whatever the reason */
	/* acquisitions by duration: [i] those within bound i and above bound
	 * i - 1 (not cumulative); [XHB_TAKEOVER_BUCKETS] the rest */
	__u64 takeover[XHB_TAKEOVER_BUCKETS + 1];
	__u64 takeover_sum_ns;
};

/*
 * A group_acquire or group_release event, as groups.c emits it. An
 * acquisition counts with its duration, except a restarted agent's
 * adoption and a kept group announced again (no transition happened);
 * every release counts, a failed acquisition's undoing included.
 */
void xhb_tally_group_event(struct xhb_group_tally *t, bool acquire,
			   enum xhb_reason reason, __u64 duration_ns);

/* ---- the scrape -------------------------------------------------------- */

#define XHB_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* How long a scrape waits for the agent's status document. */
#define XHB_METRICS_AGENT_TIMEOUT_MS 1000

struct xhb_metrics_name {
	__u32 id; /* xhb_node_id(name) */
	char name[XHB_NAME_MAX];
};

/* What one interface's pinned maps hold (up false: they could not be
 * read, and the rest is empty). */
struct xhb_metrics_iface {
	char name[IFNAMSIZ];
	bool up;
	struct xhb_stats stats;
	struct xhb_self self;
	unsigned int npeers;
	struct xhb_peer peers[XHB_MAX_PEERS];
};

struct xhb_metrics_snapshot {
	__u64 now_ns; /* CLOCK_BOOTTIME, the maps' clock, when read */
	__u64 wall_ns; /* CLOCK_REALTIME then: timestamps in Unix time */
	const char *version, *commit; /* xhb_build_info's labels */
	/* node names by id, for the maps' peers (the configuration's;
	 * an id without a name is labelled with its number) */
	unsigned int nnames;
	struct xhb_metrics_name names[XHB_CONFIG_MAX_NODES];
	unsigned int nifaces;
	struct xhb_metrics_iface ifaces[XHB_MAX_IFACES];
	json_t *status; /* the agent's status document; NULL: no answer */
};

/*
 * Fill s (allocate it: about 150 KiB) from cfg's interfaces and nodes,
 * their pins under cfg->pin_dir (or XHB_PIN_ROOT), and the agent on
 * control_path, which gets timeout_ms to answer. What cannot be read is
 * marked so (iface up false, status NULL), never an error: 0, or -ENOMEM.
 * xhb_metrics_release() drops the status document.
 */
int xhb_metrics_collect(struct xhb_metrics_snapshot *s,
			const struct xhb_config *cfg, const char *control_path,
			int timeout_ms);
void xhb_metrics_release(struct xhb_metrics_snapshot *s);

/* The exposition of s, every family with HELP and TYPE: 0 or -errno. */
int xhb_metrics_render(const struct xhb_metrics_snapshot *s, FILE *out);

/* Collect and render into *text (malloc'd, *len bytes): 0 or -errno. */
int xhb_metrics_text(const struct xhb_config *cfg, const char *control_path,
		     char **text, size_t *len);

/* `xhbctl metrics`: the configuration in config_dir (NULL: /etc/ha.d),
 * the text on stdout. An exit status, with a message on stderr. */
int xhb_metrics_print(const char *config_dir, const char *control_path);

#endif /* XHB_METRICS_H */
