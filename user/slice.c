// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
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
