/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * progress: where each group's transition stands, recorded before it acts
 * (<state_dir>/groups), so that an agent restarted in the middle of one
 * (a crash after the address went up and before the service started)
 * undoes it instead of adopting a VIP that serves nothing, and so that a
 * group whose stop failed stays blocked across a restart.
 *
 * Written with write() and rename(): an agent's crash keeps the page
 * cache, and after a crash of the machine no address survives to adopt.
 */
#ifndef XHB_PROGRESS_H
#define XHB_PROGRESS_H

#include <stdbool.h>

enum xhb_progress {
	XHB_PROGRESS_NONE = 0, /* released, or never taken */
	XHB_PROGRESS_ACQUIRING,
	XHB_PROGRESS_HELD,
	XHB_PROGRESS_RELEASING,
	/* a stop failed (stop_failed_policy block): the group stays ours,
	 * blocked, until an operator's cleanup; a restart keeps it so */
	XHB_PROGRESS_STOP_FAILED,
};

/* XHB_MAX_GROUPS. One line a group not NONE: "G STATE"; a file written
 * when groups were 32 at most is read as it is. */
#define XHB_PROGRESS_GROUPS 1024

struct xhb_progress_file {
	char path[4096];
	bool known; /* the file existed when loaded (written by this xhb) */
	bool dirty; /* noted, not written yet (xhb_progress_flush()) */
	enum xhb_progress g[XHB_PROGRESS_GROUPS];
};

/* Load <state_dir>/groups; a missing file is all NONE with known false
 * (an agent of an older version left things: adopt what is up). */
int xhb_progress_load(struct xhb_progress_file *p, const char *state_dir);
/* Record group g's state; 0 or -errno (the transition goes on: the
 * record only guides a restart). */
int xhb_progress_set(struct xhb_progress_file *p, unsigned int g,
		     enum xhb_progress state);
/* A batch of transitions: note each (in memory), then write them all
 * with one flush before acting on any of them. */
int xhb_progress_note(struct xhb_progress_file *p, unsigned int g,
		      enum xhb_progress state);
int xhb_progress_flush(struct xhb_progress_file *p);
const char *xhb_progress_name(enum xhb_progress state);

#endif /* XHB_PROGRESS_H */
