// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * xhbd: the xhb agent. Stays in the foreground (systemd style), events on
 * stdout as JSON lines.
 *
 *   xhbd [-c DIR] [--node NAME] [--socket PATH] [-q] [-v]
 *   xhbd -t [-c DIR]        check the configuration and exit
 *
 * Signals: SIGTERM/SIGINT stop (release the groups, tell the peers);
 * SIGHUP reloads the configuration; SIGUSR2 re-executes the binary (an
 * upgrade): the new agent adopts the XDP link, the maps, the VIPs and the
 * lease, so nothing moves and no client packet is lost.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "config.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xhbd [options]\n"
		"  -c, --config DIR    Heartbeat configuration directory (default %s)\n"
		"  -n, --node NAME     this node's name (default: uname -n)\n"
		"  -s, --socket PATH   control socket for xhbctl\n"
		"  -t, --test          check the configuration and exit (0: valid)\n"
		"  -q, --quiet         no events on stdout (logfile only)\n"
		"  -v, --verbose       libbpf's messages on stderr\n",
		XHB_CONFIG_DEFAULT_DIR);
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"node", required_argument, NULL, 'n'},
		{"socket", required_argument, NULL, 's'},
		{"test", no_argument, NULL, 't'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct xhb_agent_opts o = {.config_dir = XHB_CONFIG_DEFAULT_DIR};
	struct xhb_agent *agent = NULL;
	bool check_only = false;
	char err[1024] = "", exe[PATH_MAX];
	ssize_t n;
	int c, ret;

	while ((c = getopt_long(argc, argv, "c:n:s:tqvh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.config_dir = optarg;
			break;
		case 'n':
			o.node = optarg;
			break;
		case 's':
			o.control_path = optarg;
			break;
		case 't':
			check_only = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}

	if (check_only) {
		ret = xhb_agent_check_config(o.config_dir, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "xhbd: %s\n", err);
			return 1;
		}
		printf("xhbd: configuration in %s is valid\n", o.config_dir);
		return 0;
	}

	/* The binary's path now: after an upgrade, /proc/self/exe names the
	 * old, deleted file, and SIGUSR2 must start the new one. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';

	ret = xhb_agent__open(&agent, &o, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "xhbd: %s\n", err);
		return 1;
	}
	ret = xhb_agent__run(agent);
	xhb_agent__close(agent);
	if (ret == XHB_AGENT_REEXEC) {
		fflush(NULL);
		execv(exe, argv);
		fprintf(stderr, "xhbd: cannot execute %s: %s (the VIPs stay until the lease runs out)\n",
			exe, strerror(errno));
		return 1;
	}
	if (ret) {
		fprintf(stderr, "xhbd: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}
