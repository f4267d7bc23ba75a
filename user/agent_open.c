// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The agent's start and end: load the configuration and check it against
 * this node, claim the control socket, open the sockets, attach or adopt
 * XDP on the heartbeat interfaces, adopt the VIPs a previous agent left,
 * set the scheduling policy; and close everything again (pins stay, so
 * the next agent adopts them). The loop is agent.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "agent_int.h"
#include "announce.h"
#include "clock.h"
#include "control.h"
#include "dataplane.h"
#include "events.h"
#include "incarnation.h"
#include "kdf.h"
#include "sender.h"
#include "syslog_client.h"
#include "slice.h"
#include "vip.h"

int xhb_agent_check_config(const char *dir, char *err, size_t errlen)
{
	struct xhb_config *cfg = xhb_config_new();
	int ret;

	if (!cfg)
		return -ENOMEM;
	ret = xhb_config_load_nodes(dir, NULL, cfg, err, errlen);
	if (!ret)
		ret = xhb_ifaces_check(cfg, err, errlen);
	xhb_config_free(cfg);
	return ret;
}

static int open_signals(struct xhb_agent *a)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	a->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	return a->sigfd < 0 ? -errno : 0;
}

void event_sinks(const struct xhb_agent *a, const struct xhb_config *c,
		 struct xhb_event_sinks *s)
{
	*s = (struct xhb_event_sinks){
	    .logfile = c->logfile,
	    .debugfile = c->debugfile,
	    .facility = xhb_syslog_facility(c->logfacility),
	    .syslog_debug = c->debug > 0,
	    .to_stdout = !a->opts.quiet,
	};
}

/* DIR/xhbd.pid beside the control socket (/run/xhb/xhbd.pid): for
 * logrotate's postrotate and init scripts, which signal the agent. */
static void pid_path(const struct xhb_agent *a, char *buf, size_t len)
{
	const char *slash = strrchr(a->control_path, '/');
	int dir = slash ? (int)(slash - a->control_path) : 1;

	snprintf(buf, len, "%.*s/xhbd.pid", dir, slash ? a->control_path : ".");
}

/* Written once the control socket is ours (one agent per socket), never
 * through a symbolic link. */
static int write_pidfile(const struct xhb_agent *a)
{
	char path[sizeof(a->control_path) + 16], text[32];
	int fd, n, err = 0;

	pid_path(a, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	n = snprintf(text, sizeof(text), "%d\n", (int)getpid());
	if (write(fd, text, (size_t)n) != n)
		err = -EIO;
	close(fd);
	return err;
}

/* Removed on the way out, unless another agent wrote it since. */
static void remove_pidfile(const struct xhb_agent *a)
{
	char path[sizeof(a->control_path) + 16], text[32] = "";
	FILE *f;

	pid_path(a, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(text, sizeof(text), f) && atoi(text) == (int)getpid())
		unlink(path);
	fclose(f);
}

static int open_sockets(struct xhb_agent *a, char *err, size_t errlen)
{
	struct xhb_event_sinks sinks;
	int ret = xhb_control__open(&a->ctl, a->control_path);

	/* The control socket first: a second agent stops here, before it
	 * touches the data plane or any address. */
	if (ret) {
		snprintf(err, errlen, "control socket %s: %s%s", a->control_path,
			 strerror(-ret),
			 ret == -EADDRINUSE ? " (another xhbd is running)" : "");
		return ret;
	}
	ret = write_pidfile(a);
	if (ret) {
		pid_path(a, err, errlen);
		snprintf(err + strlen(err), errlen - strlen(err), ": %s",
			 strerror(-ret));
		return ret;
	}
	event_sinks(a, a->cfg, &sinks);
	ret = xhb_events__open(&a->ev, a->node, &sinks);
	if (ret) {
		snprintf(err, errlen, "%s: %s", sinks.failed ? sinks.failed : "syslog",
			 ret == -ELOOP ? "a symbolic link: xhbd does not write through one"
				       : strerror(-ret));
		return ret;
	}
	ret = xhb_nl__open(&a->nl);
	if (!ret)
		ret = xhb_nlmon__open(&a->mon);
	if (!ret)
		ret = xhb_announce__open(&a->ann);
	if (!ret)
		ret = xhb_sender__open(&a->tx);
	if (!ret)
		ret = open_signals(a);
	if (ret)
		snprintf(err, errlen, "cannot open sockets: %s", strerror(-ret));
	return ret;
}

static int node_name(struct xhb_agent *a, char *err, size_t errlen)
{
	struct utsname uts;

	if (a->opts.node)
		snprintf(a->node, sizeof(a->node), "%s", a->opts.node);
	else if (!uname(&uts))
		snprintf(a->node, sizeof(a->node), "%.*s", (int)sizeof(a->node) - 1,
			 uts.nodename);
	for (char *c = a->node; *c; c++)
		*c = (*c >= 'A' && *c <= 'Z') ? *c - 'A' + 'a' : *c;
	a->self_index = xhb_config_node_index(a->cfg, a->node);
	if (a->self_index >= 0)
		return 0;
	snprintf(err, errlen,
		 "%s: this node's name '%s' is not a node line: add 'node %s' or start with --node NAME",
		 a->cfg->hacf_path, a->node, a->node);
	return -EINVAL;
}

int xhb_agent__open(struct xhb_agent **out, const struct xhb_agent_opts *o,
		    char *err, size_t errlen)
{
	struct xhb_agent *a = calloc(1, sizeof(*a));
	struct xhb_self old;
	bool adopted;
	int ret;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->opts = *o;
	a->sigfd = -1;
	a->watch.fd = -1;
	a->unheard_by = -1;
	a->quorum_said = -1;
	a->cfg_gen = 1; /* the placement inputs are read at the first loop */
	a->cfg = xhb_config_new();
	if (!a->cfg) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = xhb_config_load_nodes(o->config_dir, NULL, a->cfg, err, errlen);
	if (!ret)
		ret = xhb_ifaces_check(a->cfg, err, errlen);
	if (!ret && (ret = xhb_kdf_config(a->cfg, NULL)))
		snprintf(err, errlen, "%s: cannot derive the keys from the secrets: %s",
			 a->cfg->authkeys_path, strerror(-ret));
	if (!ret)
		ret = node_name(a, err, errlen);
	if (ret)
		goto fail;
	snprintf(a->control_path, sizeof(a->control_path), "%s",
		 o->control_path ? o->control_path : XHB_CONTROL_PATH_DEFAULT);
	ret = open_sockets(a, err, errlen);
	if (!ret)
		ret = xhb_ifaces_collect(&a->ifaces, a->cfg, a->nl, err, errlen);
	if (ret)
		goto fail;
	dataplane__set_verbose(o->verbose);
	ret = xhb_ifaces_open(&a->ifaces, a->cfg, a->ev, err, errlen);
	if (ret)
		goto fail;
	/* A restarted agent's incarnation must exceed its predecessor's. */
	adopted = !xhb_ifaces_read_self(&a->ifaces, &old);
	ret = xhb_incarnation_next(a->cfg->state_dir,
				   adopted ? old.incarnation + 1 : 0,
				   &a->incarnation, err, errlen);
	if (ret)
		goto fail;
	xhb_ev_agent_start(a->ev, XHB_VERSION_STRING, a->incarnation, getpid(),
			   a->control_path);
	emit_config(a);
	say_node_changes(a, NULL, XHB_NODES_BY_START);
	/* We listen from now on: initdead and our first loop count from here,
	 * not from before loading the program. */
	a->start_ns = xhb_now_ns();
	ret = xhb_peers_sync(&a->peers, a->cfg, a->self_index, &a->ifaces,
			     a->start_ns);
	if (ret) {
		snprintf(err, errlen, "cannot add peers to the XDP maps: %s",
			 strerror(-ret));
		goto fail;
	}
	a->speaker = (struct xhb_speaker){.tx = a->tx, .cfg = a->cfg, .ev = a->ev};
	a->groups = (struct xhb_groups){
		.cfg = a->cfg, .ev = a->ev, .nl = a->nl, .ann = a->ann,
		.ifaces = &a->ifaces,
	};
	a->init = true;
	a->init_until_ns = a->start_ns + a->cfg->initdead_ns;
	a->last_loop_ns = a->steady_since_ns = a->start_ns;
	a->next_heartbeat_ns = a->next_probe_ns = a->start_ns;
	refresh_links(a);
	xhb_checks_configure(&a->checks, a->cfg, a->ev, a->start_ns);
	configure_pings(a, a->cfg, a->start_ns);
	xhb_groups_adopt(&a->groups, adopted ? &old : NULL, a->start_ns);
	xhb_sched_apply(a->cfg->realtime, a->cfg->rtprio);
	*out = a;
	return 0;
fail:
	xhb_agent__close(a);
	return ret;
}

void xhb_agent__close(struct xhb_agent *a)
{
	if (!a)
		return;
	if (a->ev && a->cfg)
		xhb_ev_agent_stop(a->ev,
				  a->leaving  ? "signal"
				  : a->reexec ? "reexec"
					      : "error",
				  a->incarnation);
	xhb_checks_close(&a->checks);
	xhb_ping_close(&a->pinger);
	xhb_groups_close(&a->groups);
	xhb_ifaces_close(&a->ifaces);
	if (a->ctl)
		remove_pidfile(a);
	xhb_control__close(a->ctl);
	xhb_sender__close(a->tx);
	xhb_announce__close(a->ann);
	xhb_nlmon__close(a->mon);
	xhb_nl__close(a->nl);
	xhb_events__close(a->ev);
	if (a->sigfd >= 0)
		close(a->sigfd);
	xhb_agent_watch_close(&a->watch);
	xhb_config_free(a->cfg);
	free(a);
}
