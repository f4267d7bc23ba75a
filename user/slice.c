// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/sched.h>

#include "slice.h"

/* The kernel's struct sched_attr, first version (48 bytes): glibc 2.36 has
 * no sched_setattr(), and <linux/sched/types.h> clashes with <sched.h>. */
struct xhb_sched_attr {
	__u32 size;
	__u32 sched_policy;
	__u64 sched_flags;
	__s32 sched_nice;
	__u32 sched_priority;
	__u64 sched_runtime; /* for SCHED_NORMAL: the requested slice */
	__u64 sched_deadline;
	__u64 sched_period;
};

int xhb_sched_short_slice(__u64 slice_ns)
{
	struct xhb_sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = SCHED_NORMAL,
		.sched_flags = SCHED_FLAG_RESET_ON_FORK,
		.sched_runtime = slice_ns,
	};

	return syscall(SYS_sched_setattr, 0, &attr, 0) ? -errno : 0;
}

/*
 * Heartbeat's `realtime on`: SCHED_RR, so that a machine busy with other
 * work cannot starve the agent past its lease.
 *
 * Otherwise (the default) a fair-scheduler task that asks for a short
 * slice. The loop wakes every probe period for tens of microseconds, and
 * EEVDF lets a woken task preempt the one running on its CPU only when its
 * deadline comes first: with the default slice, a 1 ms loop sharing a CPU
 * with any busy process (a test's python, a compiler) woke 3-5 ms late
 * several times a second, and a verdict due then came that late
 * (bench/results/agent-gaps-*.md). A 100 us slice (see slice.h) makes it
 * preempt at wake-up and still take only its fair share of the CPU, so
 * unlike SCHED_RR it never starves the softirq threads that bring the
 * peers' packets in.
 *
 * Either way resource scripts go back to the defaults (reset on fork).
 */
void xhb_sched_apply(bool realtime, unsigned int rtprio)
{
	struct sched_param sp = {.sched_priority = (int)rtprio};
	int ret;

	if (!realtime) {
		ret = xhb_sched_short_slice(XHB_SCHED_SLICE_NS);
		if (ret)
			fprintf(stderr,
				"xhbd: a short scheduler slice was refused (%s): the loop may wake late while other work runs on its CPU\n",
				strerror(-ret));
		return;
	}
	if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp))
		fprintf(stderr,
			"xhbd: realtime scheduling refused (%s): running at normal priority; a busy machine may delay the agent past its lease\n",
			strerror(errno));
}
