/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * resource_agent: what a haresources script name runs, and how. The rule
 * lives here alone: config_haresources.c resolves each NAME::ARG::... at
 * load time, groups.c asks for the command of each start and stop, and a
 * status check asks how to read its result.
 *
 * A NAME is looked up in this order; the first executable file wins:
 *   1. DIR/resource.d/NAME   Heartbeat's scripts and wrappers, run as
 *                            ResourceManager ran them: PATH ARG... ACTION
 *                            (start, stop, status)
 *   2. OCF_ROOT/resource.d/heartbeat/NAME   an OCF resource agent: PATH
 *                            ACTION (start, stop, monitor), no positional
 *                            argument; the arguments become OCF_RESKEY_*
 *                            as Heartbeat's resource.d wrappers mapped them
 *                            (Filesystem::DEV::DIR::FSTYPE gives device,
 *                            directory, fstype), and KEY=VALUE gives
 *                            OCF_RESKEY_KEY=VALUE for any agent
 *   3. /etc/init.d/NAME      an LSB init script: PATH ARG... ACTION
 *   4. NAME.service          a systemd unit: systemctl ACTION NAME.service,
 *                            no argument allowed
 * ocf:PROVIDER:NAME names OCF_ROOT/resource.d/PROVIDER/NAME directly.
 * OCF_ROOT is xhbd's environment variable, else /usr/lib/ocf.
 *
 * Every kind but systemd's also gets Heartbeat's HA_* variables that mean
 * something here (HA_DIR, HA_FUNCS, HA_debug, HA_LOGFACILITY); the rest of
 * the environment is xhbd's own.
 *
 *   xhb_ra_ocf_root(buf, len)             $OCF_ROOT or /usr/lib/ocf
 *   xhb_ra_dirs_default(dirs, dir, root)  where to look: the defaults
 *   xhb_ra_resolve(dirs, r, err, len)     kind and path of r, arguments
 *                                         checked; err says what is wrong
 *   xhb_ra_command(cfg, r, action, cmd)   path, argv and environment of
 *                                         one action of a resolved r
 *   xhb_ra_status(kind, result)           running / stopped / failed from
 *                                         a status action's result
 */
#ifndef XHB_RESOURCE_AGENT_H
#define XHB_RESOURCE_AGENT_H

#include <stddef.h>

#include "config.h"
#include "resource.h"

#define XHB_RA_OCF_ROOT_DEFAULT "/usr/lib/ocf"
#define XHB_RA_OCF_PROVIDER "heartbeat"
#define XHB_RA_INIT_DIR "/etc/init.d"
/* systemd's unit search path for the system manager, as systemd-analyze
 * unit-paths lists it on Debian 12 (without the transient and attached
 * directories, which hold no unit of a package). */
#define XHB_RA_UNIT_PATH                                                  \
	"/etc/systemd/system:/run/systemd/system:/run/systemd/generator:" \
	"/usr/local/lib/systemd/system:/usr/lib/systemd/system:"          \
	"/lib/systemd/system"
#define XHB_RA_SYSTEMCTL "/usr/bin/systemctl"
#define XHB_RA_ENV_MAX 32

/* Where names are looked up: the defaults, or a test's directories. */
struct xhb_ra_dirs {
	char resource_d[XHB_PATH_MAX]; /* DIR/resource.d */
	char ocf_root[XHB_PATH_MAX];
	char init_d[XHB_PATH_MAX];
	char unit_path[1024]; /* ':'-separated directories of unit files */
	char systemctl[XHB_PATH_MAX];
};

enum xhb_ra_action {
	XHB_RA_START,
	XHB_RA_STOP,
	XHB_RA_STATUS, /* OCF: monitor */
};

enum xhb_ra_state {
	XHB_RA_RUNNING,
	XHB_RA_STOPPED,
	XHB_RA_FAILED, /* neither: the check failed, or the resource did */
};

/* One action, ready for xhb_resource_run(path, args, action, env, ...).
 * The strings live in buf. */
struct xhb_ra_cmd {
	const char *path;
	const char *args[XHB_CONFIG_MAX_ARGS + 3]; /* NULL-terminated */
	const char *action; /* the last argument, or NULL (systemd) */
	const char *env[XHB_RA_ENV_MAX + 1]; /* "NAME=VALUE", NULL-ended */
	char buf[8192];
};

/* OCF_ROOT of the environment, else XHB_RA_OCF_ROOT_DEFAULT, into buf:
 * 0, -EINVAL when it is not an absolute path, -ENAMETOOLONG. */
int xhb_ra_ocf_root(char *buf, size_t len);

/* The default directories for configuration directory config_dir and
 * OCF root ocf_root; SYSTEMD_UNIT_PATH of the environment replaces the
 * unit path as it does for systemctl (an empty last component appends the
 * default). 0 or -ENAMETOOLONG. */
int xhb_ra_dirs_default(struct xhb_ra_dirs *dirs, const char *config_dir,
			const char *ocf_root);

/*
 * Resolves r (r->agent, r->args, r->nargs as haresources gave them): sets
 * r->ra_kind and r->path (systemctl for a unit). 0; -ENOENT when nothing
 * has the name; -EINVAL for a bad name or arguments the kind refuses
 * (a unit's, a positional argument an OCF agent has no name for); err
 * holds the message, without file and line.
 */
int xhb_ra_resolve(const struct xhb_ra_dirs *dirs, struct xhb_resource *r,
		   char *err, size_t errlen);

/* The command of action for resolved r; cfg gives HA_* and OCF_ROOT.
 * 0, or -EINVAL when r is not a resolved script resource. */
int xhb_ra_command(const struct xhb_config *cfg, const struct xhb_resource *r,
		   enum xhb_ra_action action, struct xhb_ra_cmd *cmd);

/*
 * What a status action (XHB_RA_STATUS) said. OCF monitor: 0 running, 7
 * (OCF_NOT_RUNNING) stopped, 8 running as master. LSB and systemctl
 * status: 0 running, 1..3 stopped (dead, or not running). Heartbeat's
 * scripts are read as ResourceManager read them, by their output:
 * "not ... running" stopped, "running" or "OK" running, anything else
 * stopped. A timeout or a signal is always a failure.
 */
enum xhb_ra_state xhb_ra_status(enum xhb_ra_kind kind,
				const struct xhb_resource_result *res);

/* "heartbeat", "ocf", "lsb", "systemd": for messages and events. */
const char *xhb_ra_kind_name(enum xhb_ra_kind kind);

#endif /* XHB_RESOURCE_AGENT_H */
