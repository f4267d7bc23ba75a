// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The loop's deadlines on the probe tick, and its lateness (loop_time.h). */
#include <criterion/criterion.h>

#include "loop_time.h"

#define MS 1000000ULL

Test(loop_time, deadlines_move_to_the_next_tick_when_they_may)
{
	static const struct {
		const char *why;
		__u64 deadline, tick, period, max_delay, want;
	} cases[] = {
	    {"on a tick: stays", 2000 * MS + 7, 7, MS, MS, 2000 * MS + 7},
	    {"between ticks: the next one", 2000 * MS + 8, 7, MS, MS,
	     2001 * MS + 7},
	    {"just past a tick: a whole period", 5 * MS + 1, 0, MS, MS, 6 * MS},
	    {"just before a tick", 6 * MS - 1, 0, MS, MS, 6 * MS},
	    {"the tick after the deadline's", 10 * MS, 12 * MS + 300, MS, MS,
	     10 * MS + 300},
	    {"far before the reference tick", 1 * MS, 1000 * MS + 250, MS, MS,
	     1 * MS + 250},
	    {"too far: stays", 2000 * MS + 8, 7, 1000 * MS, 10 * MS,
	     2000 * MS + 8},
	    {"exactly the delay it bears", 10 * MS, 0, 4 * MS, 2 * MS, 12 * MS},
	    {"no tick", 123, 0, 0, MS, 123},
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(xhb_tick_align(cases[i].deadline, cases[i].tick,
					    cases[i].period,
					    cases[i].max_delay),
			     cases[i].want, "%s: %llu, want %llu", cases[i].why,
			     (unsigned long long)xhb_tick_align(
				 cases[i].deadline, cases[i].tick,
				 cases[i].period, cases[i].max_delay),
			     (unsigned long long)cases[i].want);
}

Test(loop_time, lateness_counts_each_bound_passed)
{
	static const struct {
		__u64 late_ns;
		__u64 over[XHB_LATE_BUCKETS];
	} cases[] = {
	    {0, {0, 0, 0, 0, 0}},
	    {200000, {0, 0, 0, 0, 0}}, /* a bound itself is not over it */
	    {200001, {1, 0, 0, 0, 0}},
	    {700000, {1, 1, 0, 0, 0}},
	    {1500000, {1, 1, 1, 0, 0}},
	    {4000001, {1, 1, 1, 1, 1}},
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xhb_lateness l = {0};

		xhb_lateness_add(&l, cases[i].late_ns);
		cr_expect_eq(l.timed_wakes, 1);
		cr_expect_eq(l.max_ns, cases[i].late_ns);
		for (unsigned int b = 0; b < XHB_LATE_BUCKETS; b++)
			cr_expect_eq(l.over[b], cases[i].over[b],
				     "%llu ns late, %s: %llu, want %llu",
				     (unsigned long long)cases[i].late_ns,
				     xhb_late_names[b],
				     (unsigned long long)l.over[b],
				     (unsigned long long)cases[i].over[b]);
	}
}
