// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The loop's deadlines on the probe tick, and its lateness: loop_time.h. */
#include "loop_time.h"

const __u64 xhb_late_bounds_ns[XHB_LATE_BUCKETS] = {
    200000ULL, 500000ULL, 1000000ULL, 2000000ULL, 4000000ULL,
};
const char *const xhb_late_names[XHB_LATE_BUCKETS] = {
    "over_0_2ms", "over_0_5ms", "over_1ms", "over_2ms", "over_4ms",
};

__u64 xhb_tick_align(__u64 deadline, __u64 tick, __u64 period,
		     __u64 max_delay_ns)
{
	__u64 off, delay;

	if (!period)
		return deadline;
	/* how far past the last tick at or before it the deadline falls */
	off = deadline >= tick ? (deadline - tick) % period
			       : (period - (tick - deadline) % period) % period;
	delay = off ? period - off : 0;
	return delay <= max_delay_ns ? deadline + delay : deadline;
}

void xhb_lateness_add(struct xhb_lateness *l, __u64 late_ns)
{
	l->timed_wakes++;
	for (unsigned int i = 0; i < XHB_LATE_BUCKETS; i++)
		if (late_ns > xhb_late_bounds_ns[i])
			l->over[i]++;
	if (late_ns > l->max_ns)
		l->max_ns = late_ns;
}
