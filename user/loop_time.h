/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * loop_time: the loop's deadlines on the probe tick, and how late it woke.
 *
 * The loop wakes every probe period. A deadline of its own that falls
 * between two ticks (the next heartbeat, the next check of our addresses)
 * would cost a wake-up of its own, and the tick just after it another: it
 * is moved to the tick, when that delays it by no more than it can bear.
 * How late each timed wake-up came past the deadline it slept for is
 * counted, for `xhbctl status` ("loop") and the benchmarks.
 */
#ifndef XHB_LOOP_TIME_H
#define XHB_LOOP_TIME_H

#include <stdbool.h>
#include <linux/types.h>

/*
 * The first tick (tick + k * period, any integer k) at or after deadline,
 * if it is at most max_delay_ns later than deadline; else deadline itself.
 * period 0: no tick, deadline.
 */
__u64 xhb_tick_align(__u64 deadline, __u64 tick, __u64 period,
		     __u64 max_delay_ns);

/* Lateness, counted over these bounds (ns): 0.2, 0.5, 1, 2 and 4 ms. */
#define XHB_LATE_BUCKETS 5
extern const __u64 xhb_late_bounds_ns[XHB_LATE_BUCKETS];
extern const char *const xhb_late_names[XHB_LATE_BUCKETS];

struct xhb_lateness {
	__u64 timed_wakes; /* wake-ups for the deadline, no news before it */
	__u64 over[XHB_LATE_BUCKETS]; /* of them, later than each bound */
	__u64 max_ns;
};

/* One timed wake-up, late_ns past its deadline (0 when on time). */
void xhb_lateness_add(struct xhb_lateness *l, __u64 late_ns);

#endif /* XHB_LOOP_TIME_H */
