// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * wakeup: how late a 1 ms loop wakes, as xhbd's loop does at `probe 1ms`,
 * under the fair scheduler with its default slice or with the short slice
 * xhbd asks for (user/agent.c: set_scheduling).
 *
 *   wakeup SECONDS [SLICE_NS]
 *
 * Sleeps 1 ms at a time (clock_nanosleep) for SECONDS and prints one JSON
 * object: wake-ups, how many came later than 0.5, 1, 2 and 4 ms past their
 * deadline, the worst and the 99.9th percentile lateness, and how much of
 * it was spent runnable on the guest's run queue (another task held the
 * CPU) according to /proc/self/schedstat. A benchmark: asserts nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>

#include "bench.h"
#include "slice.h"

#define PERIOD_NS 1000000ULL
#define MAX_WAKES 600000

static __u64 run_delay_ns(void)
{
	unsigned long long on_cpu = 0, waited = 0;
	FILE *f = fopen("/proc/self/schedstat", "r");

	if (f) {
		if (fscanf(f, "%llu %llu", &on_cpu, &waited) != 2)
			waited = 0;
		fclose(f);
	}
	return waited;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned int seconds = argc > 1 ? (unsigned int)atoi(argv[1]) : 0;
	__u64 slice = argc > 2 ? strtoull(argv[2], NULL, 10) : 0;
	__u64 *late, n = 0, over[4] = {0}, queued_ns = 0, start, deadline;
	static const __u64 limits[4] = {500000, 1000000, 2000000, 4000000};

	if (!seconds || seconds > 600) {
		fprintf(stderr, "usage: wakeup SECONDS(1..600) [SLICE_NS]\n");
		return 2;
	}
	if (slice && xhb_sched_short_slice(slice)) {
		perror("sched_setattr");
		return 1;
	}
	late = calloc(MAX_WAKES, sizeof(*late));
	if (!late)
		return 1;
	start = deadline = xhb_mono_ns();
	while (n < MAX_WAKES && xhb_mono_ns() - start < seconds * 1000000000ULL) {
		struct timespec ts;
		__u64 now, before = run_delay_ns();

		deadline += PERIOD_NS;
		ts.tv_sec = deadline / 1000000000ULL;
		ts.tv_nsec = deadline % 1000000000ULL;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		now = xhb_mono_ns();
		late[n] = now > deadline ? now - deadline : 0;
		for (int i = 0; i < 4; i++)
			over[i] += late[n] > limits[i];
		if (late[n] > limits[1])
			queued_ns += run_delay_ns() - before;
		if (now > deadline + PERIOD_NS) /* missed slots: resume from now */
			deadline = now;
		n++;
	}
	qsort(late, n, sizeof(*late), cmp_u64);
	printf("{\"slice_ns\":%llu,\"wakes\":%llu,\"late_over_0_5ms\":%llu,"
	       "\"late_over_1ms\":%llu,\"late_over_2ms\":%llu,\"late_over_4ms\":%llu,"
	       "\"p999_late_ms\":%.3f,\"max_late_ms\":%.3f,"
	       "\"queued_ms_in_late_over_1ms\":%.3f}\n",
	       (unsigned long long)slice, (unsigned long long)n,
	       (unsigned long long)over[0], (unsigned long long)over[1],
	       (unsigned long long)over[2], (unsigned long long)over[3],
	       late[n * 999 / 1000] / 1e6, late[n - 1] / 1e6, queued_ns / 1e6);
	free(late);
	return 0;
}
