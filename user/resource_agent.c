// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* What a haresources script name runs, and how: see resource_agent.h. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resource_agent.h"

/* OCF_NOT_RUNNING, OCF_RUNNING_MASTER: the OCF exit codes a monitor
 * returns for a resource that is stopped, and promoted. */
#define OCF_NOT_RUNNING 7
#define OCF_RUNNING_MASTER 8
#define OCF_PREFIX "ocf:"
#define RESKEY "OCF_RESKEY_"
#define INSTANCE_MAX 64

/*
 * Heartbeat's resource.d wrappers for OCF agents (resource-agents'
 * heartbeat/resource.d, sourcing hto-mapfuncs) gave each positional
 * argument a parameter name. The same names, in the same order, so that a
 * haresources line written for the wrapper means the same to the agent.
 *   SLASH: the one argument is split on '/' over the names (IPaddr2's
 *          ip/netmask/nic/broadcast)
 *   IPV4:  SLASH, and a third field starting with a digit is the
 *          broadcast (ip/netmask/broadcast), as the IPaddr wrappers read it
 *   JOIN:  every argument goes to the one name, space-separated (the
 *          nodes of AudibleAlarm)
 * WAS is missing: its wrapper guessed config or port from the argument;
 * write config= or port=.
 */
enum { SLASH = 1, IPV4 = 2, JOIN = 4 };

static const struct ocf_map {
	const char *type;
	unsigned int flags;
	const char *params[5]; /* NULL-terminated */
} ocf_maps[] = {
    {"AudibleAlarm", JOIN, {"nodelist"}},
    {"Delay", 0, {"startdelay", "stopdelay"}},
    {"Filesystem", 0, {"device", "directory", "fstype", "options"}},
    {"ICP", 0, {"driveid", "device"}},
    {"IPaddr", SLASH | IPV4, {"ip", "cidr_netmask", "nic", "broadcast"}},
    {"IPaddr2", SLASH | IPV4, {"ip", "cidr_netmask", "nic", "broadcast"}},
    {"IPsrcaddr", 0, {"ipaddress"}},
    {"IPv6addr", SLASH, {"ipv6addr", "cidr_netmask", "nic"}},
    {"LVM", 0, {"volgrpname"}},
    {"LinuxSCSI", 0, {"scsi"}},
    {"MailTo", 0, {"email", "subject"}},
    {"Raid1", 0, {"raidconf", "raiddev"}},
    {"SendArp", SLASH, {"ip", "nic"}},
    {"ServeRAID", 0, {"serveraid", "mergegroup"}},
    {"WinPopup", 0, {"hostfile"}},
    {"Xinetd", 0, {"service"}},
    {"apache", 0, {"configfile"}},
    {"db2", 0, {"instance"}},
    {"portblock", 0, {"protocol", "portno", "action"}},
};

/* ---- strings into a command's buffer ---------------------------------- */

struct builder {
	struct xhb_ra_cmd *cmd;
	size_t used;
	unsigned int nenv;
	bool full; /* cannot happen with config.h's limits; refused if so */
};

static const char *__attribute__((format(printf, 2, 3)))
put(struct builder *b, const char *fmt, ...)
{
	size_t room = sizeof(b->cmd->buf) - b->used;
	char *at = b->cmd->buf + b->used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(at, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		b->full = true;
		return "";
	}
	b->used += (size_t)n + 1;
	return at;
}

static void env_add(struct builder *b, const char *name, const char *value,
		    size_t value_len)
{
	const char *s = put(b, "%s=%.*s", name, (int)value_len, value);

	if (b->nenv >= XHB_RA_ENV_MAX) {
		b->full = true;
		return;
	}
	if (!b->full)
		b->cmd->env[b->nenv++] = s;
}

/* ---- names ------------------------------------------------------------ */

static bool valid_component(const char *s, size_t len)
{
	return len && !memchr(s, '/', len) && !(len == 1 && s[0] == '.') &&
	       !(len == 2 && s[0] == '.' && s[1] == '.');
}

/* "ocf:PROVIDER:TYPE" into provider (and *type into name): 1; a plain name
 * (*type = name): 0; -EINVAL for a bad one. */
static int split_name(const char *name, char *provider, size_t len,
		      const char **type)
{
	const char *colon;
	size_t plen;

	*type = name;
	snprintf(provider, len, "%s", XHB_RA_OCF_PROVIDER);
	if (strncmp(name, OCF_PREFIX, strlen(OCF_PREFIX)))
		return valid_component(name, strlen(name)) ? 0 : -EINVAL;
	name += strlen(OCF_PREFIX);
	colon = strchr(name, ':');
	if (!colon)
		return -EINVAL;
	plen = (size_t)(colon - name);
	if (!valid_component(name, plen) || plen >= len ||
	    !valid_component(colon + 1, strlen(colon + 1)) ||
	    strchr(colon + 1, ':'))
		return -EINVAL;
	snprintf(provider, len, "%.*s", (int)plen, name);
	*type = colon + 1;
	return 1;
}

static bool executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       (st.st_mode & 0111);
}

static bool regular_file(const char *path)
{
	struct stat st;

	/* A masked unit is a link to /dev/null: not a unit to run. */
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- OCF parameters ---------------------------------------------------- */

/* Length of NAME in "NAME=VALUE" (a shell variable name), else 0. */
static size_t key_len(const char *arg)
{
	size_t n = 0;

	if (!isalpha((unsigned char)arg[0]) && arg[0] != '_')
		return 0;
	while (isalnum((unsigned char)arg[n]) || arg[n] == '_')
		n++;
	return arg[n] == '=' ? n : 0;
}

static const struct ocf_map *ocf_map_of(const char *type)
{
	for (size_t i = 0; i < sizeof(ocf_maps) / sizeof(ocf_maps[0]); i++)
		if (!strcmp(ocf_maps[i].type, type))
			return &ocf_maps[i];
	return NULL;
}

struct reskeys {
	struct builder *b;
	const struct xhb_resource *r;
	const char *type;
	char *err;
	size_t errlen;
	const char *first; /* value of the first parameter: the instance */
	size_t first_len;
};

static int __attribute__((format(printf, 2, 3)))
reskey_fail(struct reskeys *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->err, k->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int reskey(struct reskeys *k, const char *key, size_t klen,
		  const char *value, size_t vlen)
{
	char name[XHB_NAME_MAX + sizeof(RESKEY)];
	size_t nlen;

	if (!vlen)
		return 0; /* as the wrappers: an empty field sets nothing */
	if (klen >= XHB_NAME_MAX)
		return reskey_fail(k, "%s: parameter name %.*s... too long",
				   k->r->spec, 16, key);
	nlen =
	    (size_t)snprintf(name, sizeof(name), RESKEY "%.*s", (int)klen, key);
	for (unsigned int i = 0; i < k->b->nenv; i++)
		if (!strncmp(k->b->cmd->env[i], name, nlen) &&
		    k->b->cmd->env[i][nlen] == '=')
			return reskey_fail(k,
					   "%s: OCF parameter %.*s given twice",
					   k->r->spec, (int)klen, key);
	env_add(k->b, name, value, vlen);
	if (!k->first && !k->b->full) {
		/* the copy: value may be the caller's temporary */
		k->first = k->b->cmd->env[k->b->nenv - 1] + nlen + 1;
		k->first_len = vlen;
	}
	return 0;
}

static void list_params(const struct ocf_map *map, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; map->params[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? ", " : "", map->params[i]);
}

/* ip/netmask/nic/broadcast and friends over map's names. */
static int reskeys_split(struct reskeys *k, const struct ocf_map *map,
			 const char *arg)
{
	const char *field[5];
	size_t flen[5];
	int n = 0, nparams = 0;

	while (map->params[nparams])
		nparams++;
	for (const char *s = arg;; n++) {
		const char *slash = strchr(s, '/');

		if (n == nparams)
			return reskey_fail(k,
					   "%s: too many '/' fields for %s "
					   "(%s)",
					   k->r->spec, k->type, arg);
		field[n] = s;
		flen[n] = slash ? (size_t)(slash - s) : strlen(s);
		if (!slash) {
			n++;
			break;
		}
		s = slash + 1;
	}
	if ((map->flags & IPV4) && n == 3 &&
	    isdigit((unsigned char)field[2][0])) {
		field[3] = field[2], flen[3] = flen[2];
		flen[2] = 0;
		n = 4;
	}
	for (int i = 0; i < n; i++) {
		int err = reskey(k, map->params[i], strlen(map->params[i]),
				 field[i], flen[i]);

		if (err)
			return err;
	}
	return 0;
}

/* OCF_RESKEY_* of r's arguments into k->b. */
static int reskeys_build(struct reskeys *k)
{
	const struct ocf_map *map = ocf_map_of(k->type);
	char joined[XHB_CONFIG_MAX_ARGS * XHB_ARG_MAX] = "", names[128];
	unsigned int positional = 0;
	size_t jlen = 0;
	int err = 0;

	for (unsigned int i = 0; !err && i < k->r->nargs; i++) {
		const char *arg = k->r->args[i], *name;
		size_t klen = key_len(arg);

		if (klen) {
			err = reskey(k, arg, klen, arg + klen + 1,
				     strlen(arg + klen + 1));
			continue;
		}
		if (!map)
			return reskey_fail(
			    k,
			    "%s: OCF agent %s has no parameter name for '%s': "
			    "give it as NAME=VALUE (it becomes "
			    "OCF_RESKEY_NAME)",
			    k->r->spec, k->type, arg);
		if (map->flags & JOIN) {
			jlen += (size_t)snprintf(joined + jlen,
						 sizeof(joined) - jlen, "%s%s",
						 jlen ? " " : "", arg);
			continue;
		}
		list_params(map, names, sizeof(names));
		if ((map->flags & SLASH) && positional)
			return reskey_fail(k,
					   "%s: %s takes one argument (%s, "
					   "'/'-separated) and NAME=VALUE",
					   k->r->spec, k->type, names);
		if (map->flags & SLASH) {
			positional++;
			err = reskeys_split(k, map, arg);
			continue;
		}
		if (!map->params[positional])
			return reskey_fail(k,
					   "%s: too many arguments for %s: "
					   "it takes %s, then NAME=VALUE",
					   k->r->spec, k->type, names);
		name = map->params[positional++];
		err = reskey(k, name, strlen(name), arg, strlen(arg));
	}
	if (!err && jlen)
		err = reskey(k, map->params[0], strlen(map->params[0]), joined,
			     jlen);
	return err;
}

/* TYPE, or TYPE_VALUE of its first parameter, as the wrappers named their
 * instances (Filesystem_/dev/sdb1), cut to characters safe in a file name:
 * agents name their state files after it. */
static void instance_name(const struct reskeys *k, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s", k->type), start = n;
	bool sep = false;

	for (size_t i = 0; k->first && i < k->first_len && n + 2 < len; i++) {
		char c = k->first[i];

		if (!isalnum((unsigned char)c) && c != '.' && c != '-') {
			sep = n > start;
			continue;
		}
		if (n == start || sep)
			buf[n++] = '_';
		sep = false;
		buf[n++] = c;
	}
	buf[n < len ? n : len - 1] = '\0';
}

/* ---- the rule ----------------------------------------------------------- */

int xhb_ra_ocf_root(char *buf, size_t len)
{
	const char *root = getenv("OCF_ROOT");

	if (!root || !*root)
		root = XHB_RA_OCF_ROOT_DEFAULT;
	if (root[0] != '/')
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "%s", root) >= len)
		return -ENAMETOOLONG;
	/* OCF_ROOT/resource.d/..., without a doubled slash */
	for (size_t n = strlen(buf); n > 1 && buf[n - 1] == '/';)
		buf[--n] = '\0';
	return 0;
}

int xhb_ra_dirs_default(struct xhb_ra_dirs *dirs, const char *config_dir,
			const char *ocf_root)
{
	const char *units = getenv("SYSTEMD_UNIT_PATH");
	int n;

	memset(dirs, 0, sizeof(*dirs));
	snprintf(dirs->init_d, sizeof(dirs->init_d), "%s", XHB_RA_INIT_DIR);
	snprintf(dirs->systemctl, sizeof(dirs->systemctl), "%s",
		 XHB_RA_SYSTEMCTL);
	if (!executable_file(dirs->systemctl))
		snprintf(dirs->systemctl, sizeof(dirs->systemctl),
			 "/bin/systemctl");
	if (units && *units && units[strlen(units) - 1] == ':')
		n = snprintf(dirs->unit_path, sizeof(dirs->unit_path), "%s%s",
			     units, XHB_RA_UNIT_PATH);
	else
		n = snprintf(dirs->unit_path, sizeof(dirs->unit_path), "%s",
			     units && *units ? units : XHB_RA_UNIT_PATH);
	if (n < 0 || (size_t)n >= sizeof(dirs->unit_path) ||
	    (size_t)snprintf(dirs->resource_d, sizeof(dirs->resource_d),
			     "%s/resource.d",
			     config_dir) >= sizeof(dirs->resource_d) ||
	    (size_t)snprintf(dirs->ocf_root, sizeof(dirs->ocf_root), "%s",
			     ocf_root) >= sizeof(dirs->ocf_root))
		return -ENAMETOOLONG;
	return 0;
}

/* The first directory of the unit path with NAME.service (or, for an
 * instance foo@bar, foo@.service) into dir: true if there is one. */
static bool find_unit(const struct xhb_ra_dirs *dirs, const char *name,
		      char *dir, size_t len)
{
	char path[XHB_PATH_MAX + XHB_NAME_MAX + 16];
	const char *at = strchr(name, '@');
	const char *s = dirs->unit_path;

	while (*s) {
		size_t dlen = strcspn(s, ":");

		if (dlen) {
			snprintf(path, sizeof(path), "%.*s/%s.service",
				 (int)dlen, s, name);
			if (!regular_file(path) && at)
				snprintf(path, sizeof(path),
					 "%.*s/%.*s@.service", (int)dlen, s,
					 (int)(at - name), name);
			if (regular_file(path)) {
				snprintf(dir, len, "%.*s", (int)dlen, s);
				return true;
			}
		}
		s += dlen + (s[dlen] == ':');
	}
	return false;
}

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int set_path(struct xhb_resource *r, enum xhb_ra_kind kind,
		    const char *path, char *err, size_t errlen)
{
	if (strlen(path) >= sizeof(r->path)) {
		fail(err, errlen, "path of resource script %s too long: %s",
		     r->agent, path);
		return -ENAMETOOLONG;
	}
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->ra_kind = kind;
	return 0;
}

/* Are r's arguments what an OCF agent of this type accepts? */
static int check_reskeys(const struct xhb_resource *r, const char *type,
			 char *err, size_t errlen)
{
	struct xhb_ra_cmd *cmd = calloc(1, sizeof(*cmd));
	struct builder b = {.cmd = cmd};
	struct reskeys k = {&b, r, type, err, errlen, NULL, 0};
	int ret;

	if (!cmd) {
		fail(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = reskeys_build(&k);
	free(cmd);
	return ret;
}

int xhb_ra_resolve(const struct xhb_ra_dirs *dirs, struct xhb_resource *r,
		   char *err, size_t errlen)
{
	char provider[XHB_NAME_MAX], path[3 * XHB_PATH_MAX], dir[XHB_PATH_MAX];
	const char *type;
	int explicit_ocf =
	    split_name(r->agent, provider, sizeof(provider), &type);
	int ret;

	if (explicit_ocf < 0)
		return fail(err, errlen,
			    "bad resource name '%s' in %s (use NAME or "
			    "ocf:PROVIDER:NAME, without '/')",
			    r->agent, r->spec);
	if (!explicit_ocf) {
		snprintf(path, sizeof(path), "%s/%s", dirs->resource_d, type);
		if (executable_file(path))
			return set_path(r, XHB_RA_HEARTBEAT, path, err, errlen);
	}
	snprintf(path, sizeof(path), "%s/resource.d/%s/%s", dirs->ocf_root,
		 provider, type);
	if (executable_file(path)) {
		ret = check_reskeys(r, type, err, errlen);
		return ret ?: set_path(r, XHB_RA_OCF, path, err, errlen);
	}
	if (explicit_ocf) {
		fail(err, errlen,
		     "OCF resource agent %s not found: no executable %s",
		     r->agent, path);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/%s", dirs->init_d, type);
	if (executable_file(path))
		return set_path(r, XHB_RA_LSB, path, err, errlen);
	if (find_unit(dirs, type, dir, sizeof(dir))) {
		if (r->nargs)
			return fail(err, errlen,
				    "%s: %s is the systemd unit %s.service "
				    "(in %s), and a unit takes no arguments: "
				    "write %s alone",
				    r->spec, type, type, dir, type);
		if (!executable_file(dirs->systemctl))
			return fail(err, errlen,
				    "%s: %s.service is a systemd unit (in %s) "
				    "but there is no %s to run it",
				    r->spec, type, dir, dirs->systemctl);
		return set_path(r, XHB_RA_SYSTEMD, dirs->systemctl, err,
				errlen);
	}
	fail(err, errlen,
	     "resource script %s not found: no executable %s/%s, "
	     "%s/resource.d/%s/%s or %s/%s, and no systemd unit %s.service",
	     type, dirs->resource_d, type, dirs->ocf_root, provider, type,
	     dirs->init_d, type, type);
	return -ENOENT;
}

static const char *action_name(enum xhb_ra_kind kind, enum xhb_ra_action action)
{
	switch (action) {
	case XHB_RA_START:
		return "start";
	case XHB_RA_STOP:
		return "stop";
	case XHB_RA_STATUS:
		break;
	}
	return kind == XHB_RA_OCF ? "monitor" : "status";
}

/* Heartbeat's variables that mean something here. Not HA_LOGFILE nor
 * HA_DEBUGLOG: xhb's logfile and debugfile hold JSON lines, where the
 * scripts' text would not belong. */
static void ha_env(struct builder *b, const struct xhb_config *cfg)
{
	char funcs[XHB_PATH_MAX + 16], debug[16];

	env_add(b, "HA_DIR", cfg->dir, strlen(cfg->dir));
	snprintf(funcs, sizeof(funcs), "%s/shellfuncs", cfg->dir);
	if (regular_file(funcs)) /* Heartbeat's package has it, xhb not */
		env_add(b, "HA_FUNCS", funcs, strlen(funcs));
	snprintf(debug, sizeof(debug), "%u", cfg->debug);
	env_add(b, "HA_debug", debug, strlen(debug));
	if (cfg->logfacility[0] && strcmp(cfg->logfacility, "none"))
		env_add(b, "HA_LOGFACILITY", cfg->logfacility,
			strlen(cfg->logfacility));
}

int xhb_ra_command(const struct xhb_config *cfg, const struct xhb_resource *r,
		   enum xhb_ra_action action, struct xhb_ra_cmd *cmd)
{
	struct builder b = {.cmd = cmd};
	char provider[XHB_NAME_MAX], instance[INSTANCE_MAX], err[256];
	const char *type, *act = action_name(r->ra_kind, action);
	unsigned int argc = 0;

	memset(cmd, 0, sizeof(*cmd));
	if (r->kind != XHB_RES_SCRIPT || !r->path[0] ||
	    split_name(r->agent, provider, sizeof(provider), &type) < 0)
		return -EINVAL;
	cmd->path = r->path;
	switch (r->ra_kind) {
	case XHB_RA_HEARTBEAT:
	case XHB_RA_LSB:
		for (unsigned int i = 0; i < r->nargs; i++)
			cmd->args[argc++] = r->args[i];
		cmd->action = act;
		ha_env(&b, cfg);
		break;
	case XHB_RA_OCF: {
		struct reskeys k = {&b, r, type, err, sizeof(err), NULL, 0};

		cmd->action = act;
		ha_env(&b, cfg);
		env_add(&b, "OCF_ROOT", cfg->ocf_root, strlen(cfg->ocf_root));
		env_add(&b, "OCF_RA_VERSION_MAJOR", "1", 1);
		env_add(&b, "OCF_RA_VERSION_MINOR", "0", 1);
		env_add(&b, "OCF_RESOURCE_TYPE", type, strlen(type));
		env_add(&b, "OCF_RESOURCE_PROVIDER", provider,
			strlen(provider));
		if (reskeys_build(&k))
			return -EINVAL; /* resolve said so at load time */
		instance_name(&k, instance, sizeof(instance));
		env_add(&b, "OCF_RESOURCE_INSTANCE", instance,
			strlen(instance));
		break;
	}
	case XHB_RA_SYSTEMD:
		cmd->args[argc++] = act;
		cmd->args[argc++] = put(&b, "%s.service", type);
		break;
	default:
		return -EINVAL;
	}
	cmd->args[argc] = NULL;
	cmd->env[b.nenv] = NULL;
	return b.full ? -E2BIG : 0;
}

/* ResourceManager's we_own_resource: *[Nn][Oo][Tt]\ *[Rr]unning* is
 * stopped, *[Rr]unning* or *OK* running, anything else stopped. */
static enum xhb_ra_state heartbeat_status(const char *out)
{
	const char *not = strcasestr(out, "not ");
	const char *running = strcasestr(out, "running");

	if (not &&strcasestr(not +4, "running"))
		return XHB_RA_STOPPED;
	return running || strstr(out, "OK") ? XHB_RA_RUNNING : XHB_RA_STOPPED;
}

enum xhb_ra_state xhb_ra_status(enum xhb_ra_kind kind,
				const struct xhb_resource_result *res)
{
	if (res->outcome != XHB_RESOURCE_EXITED)
		return XHB_RA_FAILED;
	switch (kind) {
	case XHB_RA_HEARTBEAT:
		return heartbeat_status(res->output);
	case XHB_RA_OCF:
		if (res->exit_code == 0 || res->exit_code == OCF_RUNNING_MASTER)
			return XHB_RA_RUNNING;
		return res->exit_code == OCF_NOT_RUNNING ? XHB_RA_STOPPED
							 : XHB_RA_FAILED;
	case XHB_RA_LSB:
	case XHB_RA_SYSTEMD:
		/* LSB's status codes: 1 dead with a pid file, 2 dead with a
		 * lock file, 3 not running, 4 unknown */
		if (res->exit_code == 0)
			return XHB_RA_RUNNING;
		return res->exit_code >= 1 && res->exit_code <= 3
			   ? XHB_RA_STOPPED
			   : XHB_RA_FAILED;
	}
	return XHB_RA_FAILED;
}

const char *xhb_ra_kind_name(enum xhb_ra_kind kind)
{
	switch (kind) {
	case XHB_RA_HEARTBEAT:
		return "heartbeat";
	case XHB_RA_OCF:
		return "ocf";
	case XHB_RA_LSB:
		return "lsb";
	case XHB_RA_SYSTEMD:
		return "systemd";
	}
	return "unknown";
}
