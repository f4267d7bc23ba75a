/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Resource scripts, run as Heartbeat runs haresources entries:
 * `PATH args... start|stop|status`, no shell, stdin /dev/null, in a new
 * session (its own process group), with the agent's fds closed and signal
 * dispositions reset. stdout and stderr are captured together into a
 * bounded, UTF-8-clean buffer for the event. On timeout the whole group
 * gets SIGTERM, then SIGKILL after XHB_RESOURCE_KILL_GRACE_MS, so a run
 * never takes longer than timeout + grace.
 *
 * Two ways to run: xhb_resource_run() waits for the end (tools and
 * tests); xhb_resource_start() hands the run to the caller's poll() (the
 * agent's transitions and service checks): poll the fds
 * xhb_resource_fds() gives for input, at most xhb_resource_wait_ns(), then
 * xhb_resource_step() until it says the run is over. Several runs may be
 * under way; the caller must not reap children it did not start (no
 * waitpid(-1)).
 */
#ifndef XHB_RESOURCE_H
#define XHB_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Output kept: the first 1 KiB and the last 3 KiB, with a marker saying
 * how much was dropped between them (errors tend to be at the end). */
#define XHB_RESOURCE_OUTPUT_MAX 4096
#define XHB_RESOURCE_KILL_GRACE_MS 1000

enum xhb_resource_outcome {
	XHB_RESOURCE_EXITED,   /* exit_code is set */
	XHB_RESOURCE_SIGNALED, /* died of signal, not sent by us */
	XHB_RESOURCE_TIMEOUT,  /* we killed the group; see exit_code, signal */
};

struct xhb_resource_result {
	enum xhb_resource_outcome outcome;
	int exit_code; /* 0..255 when the script exited, else -1 */
	int signal;    /* the signal that ended it, else 0 */
	uint64_t duration_ns;
	bool truncated;
	size_t output_len;
	char output[XHB_RESOURCE_OUTPUT_MAX + 64]; /* NUL-terminated */
};

/*
 * Run `path args... action` (args NULL-terminated, may be NULL; action may
 * be NULL) with a timeout (> 0). path must be absolute: there is no PATH
 * search. The script's environment is the agent's, with env's "NAME=VALUE"
 * strings (NULL-terminated, may be NULL) added or replacing the agent's
 * of the same NAME. Returns 0 when the script ran, whatever its result
 * (see res), or a negative errno when it could not be started: -ENOENT,
 * -EACCES, -ENOEXEC, -EINVAL.
 */
int xhb_resource_run(const char *path, const char *const *args,
		     const char *action, const char *const *env, int timeout_ms,
		     struct xhb_resource_result *res);

/* An asynchronous run: see above. start: as xhb_resource_run(), the run
 * in *run. step never blocks; true once the script is over (res filled,
 * run freed). cancel: SIGKILL to its group, reap, free (run may be NULL). */
struct xhb_resource_run;
int xhb_resource_start(const char *path, const char *const *args,
		       const char *action, const char *const *env,
		       int timeout_ms, struct xhb_resource_run **run);
unsigned int xhb_resource_fds(const struct xhb_resource_run *run, int fds[2]);
uint64_t xhb_resource_wait_ns(const struct xhb_resource_run *run);
bool xhb_resource_step(struct xhb_resource_run *run,
		       struct xhb_resource_result *res);
void xhb_resource_cancel(struct xhb_resource_run *run);
/* SIGKILL to the run's process group now, without waiting: step on until
 * it says the run is over (outcome XHB_RESOURCE_TIMEOUT). For a caller
 * that must not block, even on a child stuck in the kernel. */
void xhb_resource_kill(struct xhb_resource_run *run);

/* Exited with status 0. */
bool xhb_resource_ok(const struct xhb_resource_result *res);

/* "exit", "signal", "timeout": the resource_failed event's reason. */
const char *xhb_resource_outcome_str(enum xhb_resource_outcome outcome);

/* "SIGTERM" for the resource events' signal field. */
void xhb_resource_signal_name(int sig, char *buf, size_t len);

#endif /* XHB_RESOURCE_H */
