/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * JSON events: every decision and side effect of the agent is one compact
 * JSON object on one line, written to stdout and appended to the logfile.
 * The emitter adds the common fields (time, mono_ns, seq, node, event);
 * callers add the per-event fields documented in docs/events.md and
 * checked by docs/events.schema.json (tools/validate-events.py).
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

/* logfile may be NULL; it is created 0640 (before umask) and appended to. */
int xhb_events__open(struct xhb_events **em, const char *node,
		     const char *logfile, bool to_stdout);
void xhb_events__close(struct xhb_events *em);

/* Reopen the logfile by name after logrotate moved it (SIGHUP). On error
 * the old file stays in use. */
int xhb_events__reopen(struct xhb_events *em);

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

/* Writes that failed (stdout or logfile) since open. */
uint64_t xhb_events__write_errors(const struct xhb_events *em);
/* seq of the last event emitted (0 before the first one). */
uint64_t xhb_events__seq(const struct xhb_events *em);

#endif /* XHB_EVENTS_H */
