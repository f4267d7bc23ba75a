/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A syslog client that never blocks the agent: one non-blocking datagram
 * socket to the local syslog daemon (/dev/log), messages in the format
 * syslog(3) writes (`<PRI>Mmm dd hh:mm:ss xhbd[pid]: text`), so rsyslog
 * and journald read them as any daemon's, with the facility of ha.cf's
 * logfacility.
 *
 * Why not syslog(3): it sends with a blocking send(), so a syslog daemon
 * that stops reading (stalled, restarting, its queue full) would stall the
 * agent's loop, and with it heartbeats and the lease, exactly when
 * something is already wrong. Here a full queue drops the message and
 * counts it; a daemon that went away (restart) is reconnected at most
 * once a second.
 */
#ifndef XHB_SYSLOG_CLIENT_H
#define XHB_SYSLOG_CLIENT_H

#include <stdint.h>

#define XHB_SYSLOG_PATH "/dev/log"

struct xhb_syslog;

/* The facility's code (LOG_LOCAL0, LOG_DAEMON, ...) from its name as
 * ha.cf's logfacility gives it; -1 for "none", "" or an unknown name. */
int xhb_syslog_facility(const char *name);

/* Socket path (XHB_SYSLOG_PATH), facility code, ident ("xhbd"). Succeeds
 * even when no daemon listens yet: it connects on the first message. */
int xhb_syslog__open(struct xhb_syslog **s, const char *path, int facility,
		     const char *ident);
void xhb_syslog__close(struct xhb_syslog *s);

/* Send text at severity (LOG_ERR ...). 0, or -errno when the message was
 * dropped (counted). */
int xhb_syslog__send(struct xhb_syslog *s, int severity, const char *text);

/* Messages dropped since open (no daemon, queue full). */
uint64_t xhb_syslog__dropped(const struct xhb_syslog *s);

#endif /* XHB_SYSLOG_CLIENT_H */
