// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* JSON event emitter: see events.h and xhb-events(7). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "config.h"
#include "decide.h"
#include "event_line.h"
#include "check.h"
#include "events.h"
#include "route.h"
#include "membership.h"
#include "resource.h"
#include "syslog_client.h"
#include "vip.h"
#include "wire.h"

/* Reals (detection_ms, duration_ms) keep microseconds without printing
 * binary noise such as 12.300000000000001. */
#define EVENT_DUMP_FLAGS \
	(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

struct event_sink {
	int fd;
	char *path; /* NULL for stdout */
	/* The first failure is shown on stderr, the others only counted, so
	 * a full disk does not flood the journal once per event. */
	bool reported;
};

struct xhb_events {
	char *node;
	struct event_sink out;	 /* stdout: every event */
	struct event_sink log;	 /* logfile: info and above */
	struct event_sink debug; /* debugfile: every event */
	struct xhb_syslog *syslog;
	int facility;
	bool syslog_debug;
	uint64_t seq;
	uint64_t write_errors;
	json_t *held; /* xhb_events__hold(): stamped events not written yet */
	/* while held: the last interface named (one lookup a batch) */
	int name_index;
	char name[IFNAMSIZ];
};

/* Fields the emitter owns; a caller's value for them is ignored. */
static const char *const common_fields[] = {
    "time", "mono_ns", "seq", "node", "event",
};

/* Appended to, created 0640, and never through a symbolic link: a link
 * planted in a log directory must not make root write elsewhere. */
static int open_logfile(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
		      0640);

	return fd < 0 ? -errno : fd;
}

/* (Re)open a file sink on path (NULL: none). On error the sink keeps its
 * old file. */
static int sink_open(struct event_sink *sink, const char *path)
{
	char *copy = NULL;
	int fd = -1;

	if (path && *path) {
		copy = strdup(path);
		if (!copy)
			return -ENOMEM;
		fd = open_logfile(path);
		if (fd < 0) {
			free(copy);
			return fd;
		}
	}
	if (sink->fd >= 0)
		close(sink->fd);
	free(sink->path);
	sink->fd = fd;
	sink->path = copy;
	/* A new file is a new chance: report its first failure again. */
	sink->reported = false;
	return 0;
}

static void sink_close(struct event_sink *sink)
{
	if (sink->path && sink->fd >= 0)
		close(sink->fd);
	free(sink->path);
	sink->path = NULL;
	sink->fd = -1;
}

/* Syslog with the facility given (-1: none), reconnected when it changes. */
static int syslog_open(struct xhb_events *em, const struct xhb_event_sinks *s)
{
	struct xhb_syslog *next = NULL;
	int err;

	em->syslog_debug = s->syslog_debug;
	if (em->syslog && s->facility == em->facility)
		return 0;
	if (s->facility >= 0) {
		err = xhb_syslog__open(&next, s->syslog_path ? s->syslog_path
							       : XHB_SYSLOG_PATH,
				       s->facility, "xhbd");
		if (err)
			return err;
	}
	xhb_syslog__close(em->syslog);
	em->syslog = next;
	em->facility = s->facility;
	return 0;
}

int xhb_events__open(struct xhb_events **emp, const char *node,
		     struct xhb_event_sinks *s)
{
	struct xhb_events *em;
	int err = -ENOMEM;

	*emp = NULL;
	if (!node || !*node || !s)
		return -EINVAL;
	em = calloc(1, sizeof(*em));
	if (!em)
		return -ENOMEM;
	em->log.fd = em->debug.fd = -1;
	em->out.fd = s->to_stdout ? STDOUT_FILENO : -1;
	em->facility = -1;
	em->node = strdup(node);
	if (!em->node)
		goto err;
	s->failed = NULL;
	err = sink_open(&em->log, s->logfile);
	if (err)
		s->failed = s->logfile;
	else if ((err = sink_open(&em->debug, s->debugfile)))
		s->failed = s->debugfile;
	else
		err = syslog_open(em, s);
	if (err)
		goto err;
	*emp = em;
	return 0;
err:
	xhb_events__close(em);
	return err;
}

void xhb_events__close(struct xhb_events *em)
{
	if (!em)
		return;
	(void)xhb_events__hold(em, false);
	sink_close(&em->log);
	sink_close(&em->debug);
	xhb_syslog__close(em->syslog);
	free(em->node);
	free(em);
}

int xhb_events__reopen(struct xhb_events *em, struct xhb_event_sinks *s)
{
	char *log, *debug;
	int err, ret;

	if (!em)
		return 0;
	/* sink_open frees the old path: keep copies while it runs. */
	log = s ? NULL : (em->log.path ? strdup(em->log.path) : NULL);
	debug = s ? NULL : (em->debug.path ? strdup(em->debug.path) : NULL);
	if (s)
		s->failed = NULL;
	err = sink_open(&em->log, s ? s->logfile : log);
	if (err && s)
		s->failed = s->logfile;
	ret = sink_open(&em->debug, s ? s->debugfile : debug);
	if (ret && !err) {
		err = ret;
		if (s)
			s->failed = s->debugfile;
	}
	free(log);
	free(debug);
	if (s && (ret = syslog_open(em, s)) && !err)
		err = ret;
	return err;
}

json_t *xhb_event_new(const char *event)
{
	return json_pack("{s:s}", "event", event);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int sink_write(struct xhb_events *em, struct event_sink *sink,
		      const char *line, size_t len)
{
	int err;

	if (sink->fd < 0)
		return 0;
	err = write_all(sink->fd, line, len);
	if (!err)
		return 0;
	em->write_errors++;
	if (!sink->reported) {
		sink->reported = true;
		fprintf(stderr,
			"xhb: events: cannot write to %s: %s (further failures "
			"are only counted)\n",
			sink->path ? sink->path : "stdout", strerror(-err));
	}
	return err;
}

/* RFC 3339, UTC, microseconds: 2026-11-24T22:15:21.123456Z */
static void format_time(char *buf, size_t len, const struct timespec *ts)
{
	unsigned int usec = (unsigned int)(ts->tv_nsec / 1000) % 1000000;
	struct tm tm;
	size_t n;

	gmtime_r(&ts->tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06uZ", usec);
}

static bool is_common_field(const char *key)
{
	for (size_t i = 0; i < sizeof(common_fields) / sizeof(common_fields[0]);
	     i++)
		if (!strcmp(key, common_fields[i]))
			return true;
	return false;
}

/* The common fields first, in a fixed order, so lines read alike. */
static json_t *stamp(struct xhb_events *em, json_t *ev, const char *event)
{
	struct timespec wall, mono;
	char time_buf[64];
	json_t *out;

	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	format_time(time_buf, sizeof(time_buf), &wall);
	out = json_pack(
	    "{s:s, s:I, s:I, s:s, s:s}", "time", time_buf, "mono_ns",
	    (json_int_t)mono.tv_sec * 1000000000 + mono.tv_nsec, "seq",
	    (json_int_t)(em->seq + 1), "node", em->node, "event", event);
	if (!out)
		return NULL;
	for (void *it = json_object_iter(ev); it;
	     it = json_object_iter_next(ev, it)) {
		const char *key = json_object_iter_key(it);

		if (is_common_field(key))
			continue;
		if (json_object_set(out, key, json_object_iter_value(it))) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* A stamped event to every sink; takes out. */
static int write_out(struct xhb_events *em, json_t *out)
{
	char *line = json_dumps(out, EVENT_DUMP_FLAGS), *grown;
	int err = 0, ret, severity;
	size_t len;

	if (!line) {
		err = -ENOMEM;
		goto out;
	}
	len = strlen(line);
	grown = realloc(line, len + 2);
	if (!grown) {
		err = -ENOMEM;
		goto out;
	}
	line = grown;
	line[len++] = '\n';
	line[len] = '\0';
	severity = xhb_event_severity(out);
	err = sink_write(em, &em->out, line, len);
	if (severity <= LOG_INFO && (ret = sink_write(em, &em->log, line, len)))
		err = ret;
	if ((ret = sink_write(em, &em->debug, line, len)))
		err = ret;
	if (em->syslog && (severity <= LOG_INFO || em->syslog_debug)) {
		char text[1024];

		xhb_event_line(out, text, sizeof(text));
		xhb_syslog__send(em->syslog, severity, text);
	}
out:
	free(line);
	json_decref(out);
	return err;
}

int xhb_events__emit(struct xhb_events *em, json_t *ev)
{
	const char *event;
	json_t *out = NULL;
	int err = 0;

	if (!em)
		goto out;
	if (!ev) {
		err = -ENOMEM;
		goto out;
	}
	event = json_string_value(json_object_get(ev, "event"));
	if (!json_is_object(ev) || !event || !*event) {
		err = -EINVAL;
		goto out;
	}
	out = stamp(em, ev, event);
	if (!out) {
		err = -ENOMEM;
		goto out;
	}
	/* seq counts events emitted, written or not, so a reader sees a gap
	 * where a line was lost. */
	em->seq++;
	if (em->held) {
		/* stamped now, written at xhb_events__hold(em, false) */
		if (json_array_size(em->held) < XHB_EVENTS_HOLD_MAX &&
		    !json_array_append(em->held, out))
			goto out; /* the array has its own reference */
		(void)xhb_events__hold(em, false);
		em->held = json_array();
	}
	err = write_out(em, out);
	out = NULL;
out:
	json_decref(out);
	json_decref(ev);
	return err;
}

int xhb_events__hold(struct xhb_events *em, bool hold)
{
	json_t *held, *out;
	size_t i;
	int err = 0, ret;

	if (!em)
		return 0;
	if (hold) {
		if (!em->held)
			em->held = json_array();
		return em->held ? 0 : -ENOMEM;
	}
	held = em->held;
	em->held = NULL;
	em->name_index = 0;
	json_array_foreach(held, i, out)
		if ((ret = write_out(em, json_incref(out))))
			err = ret;
	json_decref(held);
	return err;
}

int xhb_events__emitf(struct xhb_events *em, const char *event, const char *fmt,
		      ...)
{
	json_error_t jerr;
	json_t *ev;
	va_list ap;

	if (!em)
		return 0;
	if (!event || !*event)
		return -EINVAL;
	if (!fmt) {
		ev = json_object();
	} else {
		va_start(ap, fmt);
		ev = json_vpack_ex(&jerr, 0, fmt, ap);
		va_end(ap);
		if (!ev || !json_is_object(ev)) {
			/* A programming error in the caller, worth a message.
			 */
			fprintf(stderr, "xhb: events: bad fields for %s: %s\n",
				event, ev ? "not an object" : jerr.text);
			json_decref(ev);
			return -EINVAL;
		}
	}
	if (!ev || json_object_set_new(ev, "event", json_string(event))) {
		json_decref(ev);
		return -ENOMEM;
	}
	return xhb_events__emit(em, ev);
}

uint64_t xhb_events__write_errors(const struct xhb_events *em)
{
	return em ? em->write_errors : 0;
}

uint64_t xhb_events__seq(const struct xhb_events *em)
{
	return em ? em->seq : 0;
}

/* ---- one emitter per event kind ------------------------------------------ */

static double ms(uint64_t ns)
{
	return ns / 1e6;
}

const char *xhb_state_reason_name(enum xhb_state_reason reason)
{
	static const char *const names[XHB_STATE_REASON_MAX] = {
	    [XHB_STATE_LINK_DOWN] = "link_down",
	    [XHB_STATE_LINK_UP] = "link_up",
	    [XHB_STATE_LEASE_EXPIRED] = "lease_expired",
	    [XHB_STATE_STOP_REQUESTED] = "stop_requested",
	    [XHB_STATE_ALL_PEERS_SEEN] = "all_peers_seen",
	    [XHB_STATE_INITDEAD_EXPIRED] = "initdead_expired",
	    [XHB_STATE_LISTEN_WINDOW_EXPIRED] = "listen_window_expired",
	};

	if ((unsigned int)reason >= XHB_STATE_REASON_MAX)
		return "unknown";
	return names[reason];
}

void xhb_ev_agent_start(struct xhb_events *em, const char *version,
			uint64_t incarnation, int pid, const char *control)
{
	xhb_events__emitf(em, "agent_start", "{s:s, s:I, s:i, s:s}", "version",
			  version, "incarnation", (json_int_t)incarnation, "pid",
			  pid, "control", control);
}

void xhb_ev_agent_stop(struct xhb_events *em, const char *reason,
		       uint64_t incarnation)
{
	xhb_events__emitf(em, "agent_stop", "{s:s, s:I}", "reason", reason,
			  "incarnation", (json_int_t)incarnation);
}

void xhb_ev_agent_gap(struct xhb_events *em, uint64_t gap_ns,
		      uint64_t expected_ns)
{
	xhb_events__emitf(em, "agent_gap", "{s:f, s:f}", "gap_ms", ms(gap_ns),
			  "expected_ms", ms(expected_ns));
}

void xhb_ev_state_change(struct xhb_events *em, int from, int to,
			 enum xhb_state_reason reason)
{
	xhb_events__emitf(em, "state_change", "{s:s, s:s, s:s}", "from",
			  xhb_node_state_name(from), "to", xhb_node_state_name(to),
			  "reason", xhb_state_reason_name(reason));
}

void xhb_ev_lease_expired(struct xhb_events *em, uint64_t lease_ns,
			  uint64_t late_ns)
{
	xhb_events__emitf(em, "lease_expired", "{s:f, s:f}", "lease_ms",
			  ms(lease_ns), "late_ms", ms(late_ns));
}

void xhb_ev_config_loaded(struct xhb_events *em, const struct xhb_config *c,
			  uint64_t probe_period_ns)
{
	xhb_events__emitf(
	    em, "config_loaded",
	    "{s:s, s:i, s:i, s:f, s:f, s:f, s:f, s:f, s:i, s:f, s:i, s:I, s:s}",
	    "config_dir", c->dir, "node_count", (int)c->nnodes, "group_count",
	    (int)c->ngroups, "keepalive_ms", ms(c->keepalive_ns), "deadtime_ms",
	    ms(c->deadtime_ns), "warntime_ms", ms(c->warntime_ns), "initdead_ms",
	    ms(c->initdead_ns), "probe_interval_ms", ms(probe_period_ns),
	    "probe_misses", (int)c->probe_misses, "lease_ms", ms(c->lease_ns),
	    "udpport", c->udpport, "cluster_id", (json_int_t)c->cluster_id,
	    "auto_failback",
	    c->auto_failback == XHB_FAILBACK_OFF  ? "off"
	    : c->auto_failback == XHB_FAILBACK_ON ? "on"
						  : "legacy");
}

void xhb_ev_config_note(struct xhb_events *em, const struct xhb_config_note *n)
{
	char event[32];

	snprintf(event, sizeof(event), "config_%s", xhb_note_kind_name(n->kind));
	xhb_events__emitf(em, event, "{s:s, s:i, s:s, s:s}", "file", n->file,
			  "line", (int)n->line, "directive", n->directive,
			  "message", n->message);
}

void xhb_ev_config_error(struct xhb_events *em, const char *message,
			 const char *action)
{
	xhb_events__emitf(em, "config_error", "{s:s, s:s}", "message", message,
			  "action", action);
}

void xhb_ev_reload(struct xhb_events *em, const char *config_dir)
{
	xhb_events__emitf(em, "reload", "{s:s, s:s}", "config_dir", config_dir,
			  "reason", "SIGHUP");
}

void xhb_ev_dataplane_attached(struct xhb_events *em, const char *iface,
			       bool generic, bool adopted, const char *pin_dir,
			       bool mounted_bpffs, uint32_t prog_id)
{
	xhb_events__emitf(em, "dataplane_attached",
			  "{s:s, s:s, s:b, s:s, s:b, s:I}", "iface", iface,
			  "mode", generic ? "generic" : "native", "adopted",
			  adopted, "pin_dir", pin_dir, "mounted_bpffs",
			  mounted_bpffs, "prog_id", (json_int_t)prog_id);
}

void xhb_ev_dataplane_maps_replaced(struct xhb_events *em, const char *iface,
				    const char *maps)
{
	xhb_events__emitf(em, "dataplane_maps_replaced", "{s:s, s:s}", "iface",
			  iface, "maps", maps);
}

void xhb_ev_dataplane_fallback(struct xhb_events *em, const char *iface,
			       const char *reason)
{
	xhb_events__emitf(em, "dataplane_fallback", "{s:s, s:s}", "iface",
			  iface, "reason", reason);
}

void xhb_ev_link(struct xhb_events *em, const char *iface, bool up)
{
	xhb_events__emitf(em, up ? "link_up" : "link_down", "{s:s}", "iface",
			  iface);
}

void xhb_ev_link_degraded(struct xhb_events *em, const char *down,
			  unsigned int media_up, unsigned int media)
{
	xhb_events__emitf(em, "link_degraded", "{s:s, s:i, s:i}", "down", down,
			  "media_up", (int)media_up, "media", (int)media);
}

void xhb_ev_medium_error(struct xhb_events *em, const char *medium,
			 const char *reason, uint64_t count)
{
	xhb_events__emitf(em, "medium_error", "{s:s, s:s, s:I}", "medium",
			  medium, "reason", reason, "count", (json_int_t)count);
}

void xhb_ev_flood(struct xhb_events *em, double junk_pps, uint64_t window_ns)
{
	xhb_events__emitf(em, "flood", "{s:f, s:f}", "junk_pps", junk_pps,
			  "window_ms", ms(window_ns));
}

void xhb_ev_peer(struct xhb_events *em, const char *peer, int from, int to,
		 const char *reason, uint64_t detection_ns, uint64_t rtt_ns)
{
	char event[32];

	snprintf(event, sizeof(event), "peer_%s", xhb_member_state_name(to));
	xhb_events__emitf(em, event, "{s:s, s:s, s:s, s:s*, s:f, s:f}", "peer",
			  peer, "from", xhb_member_state_name(from), "to",
			  xhb_member_state_name(to), "reason", reason,
			  "detection_ms", ms(detection_ns), "rtt_ms", ms(rtt_ns));
}

void xhb_ev_unheard(struct xhb_events *em, const char *peer, uint64_t hold_ns)
{
	xhb_events__emitf(em, "unheard", "{s:s, s:f}", "peer", peer, "hold_ms",
			  ms(hold_ns));
}

void xhb_ev_peer_unanswered(struct xhb_events *em, const char *peer,
			    uint64_t reply_age_ns, uint64_t window_ns)
{
	if (!reply_age_ns) {
		xhb_events__emitf(em, "peer_unanswered", "{s:s, s:f}", "peer",
				  peer, "window_ms", ms(window_ns));
		return;
	}
	xhb_events__emitf(em, "peer_unanswered", "{s:s, s:f, s:f}", "peer", peer,
			  "reply_age_ms", ms(reply_age_ns), "window_ms",
			  ms(window_ns));
}

void xhb_ev_group(struct xhb_events *em, bool acquire, unsigned int group,
		  const char *resources, int reason, uint64_t duration_ns)
{
	xhb_events__emitf(em, acquire ? "group_acquire" : "group_release",
			  "{s:i, s:s, s:s, s:f}", "group", (int)group,
			  "group_resources", resources, "reason",
			  xhb_reason_name(reason), "duration_ms", ms(duration_ns));
}

/* The VIP's address and interface name, as events print them; while
 * events are held (a batch), the name is looked up once. */
static void vip_names(struct xhb_events *em, const struct xhb_vip *vip,
		      char addr[INET6_ADDRSTRLEN], char ifname[IFNAMSIZ])
{
	inet_ntop(vip->addr.family, &vip->addr.v6, addr, INET6_ADDRSTRLEN);
	if (em && em->held && em->name_index == vip->ifindex && vip->ifindex) {
		memcpy(ifname, em->name, IFNAMSIZ);
		return;
	}
	if (!if_indextoname(vip->ifindex, ifname)) {
		snprintf(ifname, IFNAMSIZ, "#%d", vip->ifindex);
		return;
	}
	if (em && em->held) {
		em->name_index = vip->ifindex;
		memcpy(em->name, ifname, IFNAMSIZ);
	}
}

void xhb_ev_vip_added(struct xhb_events *em, unsigned int group,
		      const struct xhb_vip *vip, const char *reason)
{
	char addr[INET6_ADDRSTRLEN], ifname[IFNAMSIZ];

	vip_names(em, vip, addr, ifname);
	xhb_events__emitf(em, "vip_added", "{s:i, s:s, s:s, s:i, s:s*, s:s*}",
			  "group", (int)group, "vip", addr, "iface", ifname,
			  "prefix", (int)vip->prefixlen, "label", vip->label,
			  "reason", reason);
}

void xhb_ev_vip_removed(struct xhb_events *em, unsigned int group,
			const struct xhb_vip *vip)
{
	char addr[INET6_ADDRSTRLEN], ifname[IFNAMSIZ];

	vip_names(em, vip, addr, ifname);
	xhb_events__emitf(em, "vip_removed", "{s:i, s:s, s:s}", "group",
			  (int)group, "vip", addr, "iface", ifname);
}

void xhb_ev_vip_staged(struct xhb_events *em, unsigned int group,
		       const struct xhb_vip *vip, bool staged)
{
	char addr[INET6_ADDRSTRLEN], ifname[IFNAMSIZ];

	vip_names(em, vip, addr, ifname);
	xhb_events__emitf(em, staged ? "vip_staged" : "vip_unstaged",
			  "{s:i, s:s, s:s, s:i}", "group", (int)group, "vip", addr,
			  "iface", ifname, "prefix", (int)vip->prefixlen);
}

void xhb_ev_route_added(struct xhb_events *em, unsigned int group,
			const struct xhb_route *rt, const char *reason)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(rt->dst.family, &rt->dst.v6, addr, sizeof(addr));
	xhb_events__emitf(em, "route_added", "{s:i, s:s, s:I, s:i, s:I, s:s*}",
			  "group", (int)group, "vip", addr, "table",
			  (json_int_t)rt->table, "proto", (int)rt->proto,
			  "metric", (json_int_t)rt->metric, "reason", reason);
}

void xhb_ev_route_removed(struct xhb_events *em, unsigned int group,
			  const struct xhb_route *rt)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(rt->dst.family, &rt->dst.v6, addr, sizeof(addr));
	xhb_events__emitf(em, "route_removed", "{s:i, s:s, s:I, s:i, s:I}",
			  "group", (int)group, "vip", addr, "table",
			  (json_int_t)rt->table, "proto", (int)rt->proto,
			  "metric", (json_int_t)rt->metric);
}

void xhb_ev_vip_lost(struct xhb_events *em, unsigned int group,
		     const struct xhb_vip *vip)
{
	char addr[INET6_ADDRSTRLEN], ifname[IFNAMSIZ];

	vip_names(em, vip, addr, ifname);
	xhb_events__emitf(em, "vip_lost", "{s:i, s:s, s:s}", "group", (int)group,
			  "vip", addr, "iface", ifname);
}

void xhb_ev_garp_sent(struct xhb_events *em, unsigned int group,
		      const struct xhb_vip *vip, unsigned int packet, int err)
{
	char addr[INET6_ADDRSTRLEN], ifname[IFNAMSIZ];

	vip_names(em, vip, addr, ifname);
	xhb_events__emitf(em, "garp_sent", "{s:i, s:s, s:s, s:i, s:s*}", "group",
			  (int)group, "vip", addr, "iface", ifname, "packet",
			  (int)packet, "error", err ? strerror(-err) : NULL);
}

void xhb_ev_resource_done(struct xhb_events *em, unsigned int group,
			  const char *resource, bool start,
			  const struct xhb_resource_result *r)
{
	xhb_events__emitf(em, start ? "resource_start" : "resource_stop",
			  "{s:i, s:s, s:i, s:f, s:s}", "group", (int)group,
			  "resource", resource, "exit_code", r->exit_code,
			  "duration_ms", ms(r->duration_ns), "output", r->output);
}

void xhb_ev_resource_failed(struct xhb_events *em, unsigned int group,
			    const char *resource, const char *action,
			    const struct xhb_resource_result *r,
			    const char *reason, int err, const char *detail)
{
	json_t *ev = xhb_event_new("resource_failed");
	char sig[32];

	json_object_set_new(ev, "group", json_integer(group));
	json_object_set_new(ev, "resource", json_string(resource));
	json_object_set_new(ev, "action", json_string(action));
	if (!r) {
		json_object_set_new(ev, "reason", json_string(reason));
		json_object_set_new(ev, "error",
				    json_string(err ? strerror(-err) : detail));
		xhb_events__emit(em, ev);
		return;
	}
	json_object_set_new(ev, "reason",
			    json_string(xhb_resource_outcome_str(r->outcome)));
	json_object_set_new(ev, "duration_ms", json_real(ms(r->duration_ns)));
	json_object_set_new(ev, "output", json_string(r->output));
	if (r->exit_code >= 0)
		json_object_set_new(ev, "exit_code", json_integer(r->exit_code));
	if (r->signal) {
		xhb_resource_signal_name(r->signal, sig, sizeof(sig));
		json_object_set_new(ev, "signal", json_string(sig));
	}
	xhb_events__emit(em, ev);
}

static json_t *group_list(const struct xhb_gset *groups)
{
	json_t *list = json_array();

	for (unsigned int g = 0; g < XHB_MAX_GROUPS; g++)
		if (xhb_gset_has(groups, g))
			json_array_append_new(list, json_integer(g));
	return list;
}

void xhb_ev_request(struct xhb_events *em, bool standby, const char *scope,
		    const struct xhb_gset *groups)
{
	json_t *list = group_list(groups);

	xhb_events__emitf(em, standby ? "standby_request" : "takeover_request",
			  "{s:s, s:s, s:o}", "scope", scope, "source", "control",
			  "groups", list);
}

void xhb_ev_cleanup_request(struct xhb_events *em, int asked,
			    const struct xhb_gset *groups)
{
	xhb_events__emitf(em, "cleanup_request", "{s:s, s:o, s:o*}", "source",
			  "control", "groups", group_list(groups), "group",
			  asked >= 0 ? json_integer(asked) : NULL);
}

void xhb_ev_node_change(struct xhb_events *em, bool added, const char *name,
			uint32_t node_id, const char *source,
			unsigned int node_count)
{
	xhb_events__emitf(em, added ? "node_added" : "node_removed",
			  "{s:s, s:I, s:s, s:i}", "name", name, "node_id",
			  (json_int_t)node_id, "source", source, "node_count",
			  (int)node_count);
}

void xhb_ev_group_stop_failed(struct xhb_events *em, unsigned int group,
			      const char *resources, const char *resource,
			      int reason, bool held)
{
	xhb_events__emitf(em, "group_stop_failed",
			  "{s:i, s:s, s:s*, s:s, s:b, s:b}", "group", (int)group,
			  "group_resources", resources, "resource", resource,
			  "reason", xhb_reason_name(reason), "held", held,
			  "adopted", !resource);
}

void xhb_ev_agent_stop_blocked(struct xhb_events *em,
			       const struct xhb_gset *groups)
{
	xhb_events__emitf(em, "agent_stop_blocked", "{s:o}", "groups",
			  group_list(groups));
}

void xhb_ev_check(struct xhb_events *em, const struct xhb_check_cfg *c,
		  const char *from, const char *to, const char *detail,
		  unsigned int count)
{
	char event[32];

	snprintf(event, sizeof(event), "check_%s", to);
	xhb_events__emitf(em, event, "{s:s, s:s, s:s, s:s, s:s, s:i, s:o}",
			  "check", c->name, "kind", xhb_check_kind_name(c->kind),
			  "target", c->target, "from", from, "detail", detail,
			  "count", (int)count, "groups", group_list(&c->groups));
}

void xhb_ev_no_healthy_node(struct xhb_events *em, unsigned int group,
			    const char *resources, bool held)
{
	xhb_events__emitf(em, "no_healthy_node", "{s:i, s:s, s:b}", "group",
			  (int)group, "group_resources", resources, "held", held);
}

void xhb_ev_ping_node(struct xhb_events *em, const char *target, bool up,
		      unsigned int reached, unsigned int of)
{
	xhb_events__emitf(em, up ? "ping_node_up" : "ping_node_down",
			  "{s:s, s:i, s:i}", "target", target, "reached",
			  (int)reached, "of", (int)of);
}

void xhb_ev_ping_yield(struct xhb_events *em, bool yield, unsigned int reached,
		       unsigned int peer_reached, unsigned int of)
{
	xhb_events__emitf(em, "ping_yield", "{s:b, s:i, s:i, s:i}", "yield",
			  yield, "reached", (int)reached, "peer_reached",
			  (int)peer_reached, "of", (int)of);
}

void xhb_ev_quorum(struct xhb_events *em, bool quorate, unsigned int votes,
		   unsigned int total, unsigned int needed, const char *nodes,
		   const char *why, const char *policy)
{
	xhb_events__emitf(em, quorate ? "quorum_gained" : "quorum_lost",
			  "{s:i, s:i, s:i, s:s, s:s, s:s}", "votes", (int)votes,
			  "total", (int)total, "needed", (int)needed, "nodes",
			  nodes, "why", why, "policy", policy);
}
