/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * incarnation: each agent start gets a number greater than every earlier
 * one on this node, from a counter kept on disk (<state_dir>/incarnation),
 * never from the wall clock: a node that reboots with its clock behind is
 * not taken by its peers for an old, replayed self. The counter is written
 * (fsync, rename, fsync) before the number is used.
 */
#ifndef XHB_INCARNATION_H
#define XHB_INCARNATION_H

#include <stddef.h>
#include <linux/types.h>

/*
 * The next incarnation: one more than the counter, and at least floor
 * (the pinned maps' last incarnation + 1, so a counter lost with its disk
 * still moves forward). A node with no counter yet starts from the wall
 * clock's nanoseconds, above what earlier versions used. Creates the
 * directory (0700) if needed. 0, or -errno with a sentence in err.
 */
int xhb_incarnation_next(const char *state_dir, __u64 floor, __u64 *out,
			 char *err, size_t errlen);

#endif /* XHB_INCARNATION_H */
