/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * agent: the xhbd control loop. It ties the modules together: it writes
 * this node's state into the XDP maps, sends heartbeats and probes, reads
 * what XDP recorded of each peer, judges membership, decides who owns each
 * resource group, moves the VIPs and runs resource scripts, answers the
 * control socket, and says everything as JSON events.
 *
 *   xhb_agent__open()   load the configuration, attach or adopt XDP,
 *                       adopt the VIPs a previous agent left up
 *   xhb_agent__run()    loop until SIGTERM/SIGINT (release, leave),
 *                       SIGUSR2 (re-execute, keep everything) or a fatal
 *                       error; SIGHUP reloads the configuration
 *   xhb_agent__close()  free; pins stay so the next agent adopts them
 */
#ifndef XHB_AGENT_H
#define XHB_AGENT_H

#include <stdbool.h>
#include <stddef.h>

struct xhb_agent_opts {
	const char *config_dir; /* NULL: /etc/ha.d */
	const char *node; /* NULL: uname -n */
	const char *control_path; /* NULL: the default socket */
	bool quiet; /* no events on stdout (logfile only) */
	bool verbose; /* libbpf's messages on stderr */
};

struct xhb_agent;

/* 0, or a negative errno with a sentence in err ("file:line: ..." for
 * configuration errors). Nothing on the system is changed on error. */
int xhb_agent__open(struct xhb_agent **agent, const struct xhb_agent_opts *o,
		    char *err, size_t errlen);
/*
 * 0 after a clean stop (SIGTERM/SIGINT: groups released, peers told);
 * XHB_AGENT_REEXEC after SIGUSR2: nothing was released, the caller closes
 * the agent and executes the (possibly upgraded) binary, which adopts
 * everything; else a negative errno.
 */
#define XHB_AGENT_REEXEC 1
int xhb_agent__run(struct xhb_agent *agent);
void xhb_agent__close(struct xhb_agent *agent);

/* Only check the configuration (xhbd -t): 0 or -errno with err set. */
int xhb_agent_check_config(const char *dir, char *err, size_t errlen);

#endif /* XHB_AGENT_H */
