/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * slice: ask the fair scheduler for a short slice, so that a task that
 * sleeps most of the time and wakes on a deadline (xhbd's loop, the lab's
 * client prober and echo) preempts whatever runs on its CPU when it wakes,
 * instead of waiting for that task's slice to end (3-5 ms on these
 * machines: bench/results/agent-gaps-*.md). It still takes only its fair
 * share, unlike SCHED_RR. Honoured since Linux 6.12; older kernels ignore
 * the slice.
 */
#ifndef XHB_SLICE_H
#define XHB_SLICE_H

#include <stdbool.h>
#include <linux/types.h>

#define XHB_SCHED_SLICE_NS 100000ULL /* the kernel's smallest custom slice */

/* SCHED_NORMAL with slice_ns, reset on fork (scripts get the defaults).
 * 0 or a negative errno. */
int xhb_sched_short_slice(__u64 slice_ns);

/* xhbd's policy: SCHED_RR at rtprio for Heartbeat's `realtime on`, else
 * the short slice. A refusal is said on stderr; the agent runs on. */
void xhb_sched_apply(bool realtime, unsigned int rtprio);

#endif /* XHB_SLICE_H */
