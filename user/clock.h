/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * clock: the one place xhb reads time in userspace.
 *
 * xhb_now_ns() is CLOCK_BOOTTIME, the clock of bpf_ktime_get_boot_ns():
 * the agent's and XDP's, for everything compared with what XDP stamps
 * (leases, last-heard times). Unlike CLOCK_MONOTONIC it runs during
 * suspend, so a node that wakes from it finds its lease lapsed, as it is,
 * instead of answering for its VIPs until its next decision.
 * xhb_mono_ns() is CLOCK_MONOTONIC: the events' mono_ns and the lab's
 * client-side measurements (the same clock in every namespace).
 * xhb_real_ns() is the wall clock, for the events' "time" field only.
 */
#ifndef XHB_CLOCK_H
#define XHB_CLOCK_H

#include <time.h>
#include <linux/types.h>

#define XHB_NS_PER_US 1000ULL
#define XHB_NS_PER_MS 1000000ULL
#define XHB_NS_PER_SEC 1000000000ULL

static inline __u64 xhb_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (__u64)ts.tv_sec * XHB_NS_PER_SEC + (__u64)ts.tv_nsec;
}

static inline __u64 xhb_now_ns(void)
{
	return xhb_clock_ns(CLOCK_BOOTTIME);
}

static inline __u64 xhb_mono_ns(void)
{
	return xhb_clock_ns(CLOCK_MONOTONIC);
}

static inline __u64 xhb_real_ns(void)
{
	return xhb_clock_ns(CLOCK_REALTIME);
}

/* Milliseconds as events print them. */
static inline double xhb_ms(__u64 ns)
{
	return ns / 1e6;
}

#endif /* XHB_CLOCK_H */
