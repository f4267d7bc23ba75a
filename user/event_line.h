/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * One event as one line for people: what syslog gets from `logfacility`,
 * with a severity that makes sense for the event.
 *
 *   {"event":"peer_dead","peer":"srv1","detection_ms":5.2,"reason":"..."}
 *   -> LOG_WARNING, "peer srv1 dead after 5.2 ms (...)"
 *
 * The wording of every event kind lives in one table (event_line.c); an
 * event the table does not know is written as "EVENT key=value ...".
 * Pure: no I/O, no state.
 */
#ifndef XHB_EVENT_LINE_H
#define XHB_EVENT_LINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Write ev's line into buf (always terminated, cut to len - 1 bytes) and
 * return its syslog severity (LOG_ERR ... LOG_DEBUG). */
int xhb_event_line(const json_t *ev, char *buf, size_t len);

/* ev's severity alone: what decides which sinks get it (events.h). */
int xhb_event_severity(const json_t *ev);

/* Whether the table words this event kind (the tests check every kind of
 * docs/events.schema.json). */
bool xhb_event_line_known(const char *event);

#endif /* XHB_EVENT_LINE_H */
