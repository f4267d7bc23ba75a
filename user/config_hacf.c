// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * config_hacf: reads DIR/ha.cf as Heartbeat's config.c does: one
 * directive a line, '#' starting a comment anywhere, values split on white
 * space and ','. The table directives[] is where each directive is
 * defined (name, handler, number of values, usage); Heartbeat's
 * directives that xhb has no use for are accepted and noted. At the end,
 * Heartbeat's defaults that depend on other values and its timing checks
 * (init_config), then xhb's. Offers cfg_hacf_load() (config_lex.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <linux/types.h>

#include "config_lex.h"
#include "syslog_client.h"

#define DELIMS ", \t\n\r\f" /* Heartbeat also splits option values on ',' */

/* The values that one line sets, Heartbeat keeping the last: the line
 * that set each (0: the default applies) for hacf_finish(), and so that a
 * repeat can be warned of. SEEN_NONE: a directive that may come again
 * (node, bcast...); SEEN_FAILBACK: auto_failback and nice_failback. */
/* clang-format off */
enum seen {
	SEEN_NONE, SEEN_KEEPALIVE, SEEN_DEADTIME, SEEN_WARNTIME, SEEN_INITDEAD,
	SEEN_DEADPING, SEEN_UDPPORT, SEEN_FAILBACK, SEEN_LOGFILE,
	SEEN_DEBUGFILE, SEEN_LOGFACILITY, SEEN_DEBUG, SEEN_REALTIME,
	SEEN_RTPRIO, SEEN_PROBE, SEEN_GARP, SEEN_PIN_DIR, SEEN_STATE_DIR, SEEN_LEASE,
	SEEN_CLUSTER_ID, SEEN_CLUSTER_NAME, SEEN_XDP_MODE, SEEN_PRIORITY, SEEN_METRICS, SEEN_FENCED_STANDBY,
	SEEN_COUNT
};
/* clang-format on */

struct directive {
	const char *name;
	int (*parse)(struct loader *ld, const struct directive *d,
		     unsigned int line, char **v, int n);
	int min, max; /* number of values; max -1: any */
	const char *usage;
	/* The rest as needed, by designator. */
	bool whole_line; /* values split on white space only, as Heartbeat's
			    whole-line media plugins do */
	enum seen seen;
	enum xhb_note_kind note_kind; /* a note each time it is read */
	const char *note;
	/* For the handlers that serve several directives (dir_time, dir_uint,
	 * dir_path): the field of struct xhb_config the value goes to, an
	 * integer's range and its name in messages when not the directive's.
	 */
	size_t value, size;
	unsigned long long lo, hi;
	const char *what;
	int family; /* an address's, AF_INET or AF_INET6; 0: either */
};

#define VALUE(field)                                 \
	.value = offsetof(struct xhb_config, field), \
	.size = sizeof(((struct xhb_config *)0)->field)
/* clang-format off */
/* clang-format on */
#define IGNORED(why) .note_kind = XHB_NOTE_IGNORED, .note = (why)

static void *value_of(struct loader *ld, const struct directive *d)
{
	return (char *)ld->cfg + d->value;
}

/* A directive given twice: Heartbeat keeps the last; say so. */
static void set_line(struct loader *ld, const struct directive *d,
		     unsigned int *where, unsigned int line)
{
	if (*where)
		cfg_note(
		    ld, XHB_NOTE_WARNING, line, d->name,
		    "%s given again (first at line %u): the last one counts, "
		    "as in Heartbeat",
		    d->name, *where);
	*where = line;
}

static int get_time(struct loader *ld, unsigned int line, const char *name,
		    const char *value, __u64 *ns)
{
	if (xhb_config_parse_time(value, ns) < 0)
		return cfg_fail(
		    ld, line, EINVAL,
		    "bad time '%s' for %s: use seconds (2, 1.5) or a unit "
		    "(500ms, 100000us)",
		    value, name);
	if (*ns == 0)
		return cfg_fail(ld, line, EINVAL, "%s must be greater than 0",
				name);
	return 0;
}

static int get_uint(struct loader *ld, unsigned int line, const char *what,
		    const char *value, unsigned long long min,
		    unsigned long long max, unsigned long long *out)
{
	if (cfg_parse_uint(value, min, max, out) < 0)
		return cfg_fail(
		    ld, line, EINVAL,
		    "bad %s '%s': expected an integer in %llu..%llu", what,
		    value, min, max);
	return 0;
}

static int dir_time(struct loader *ld, const struct directive *d,
		    unsigned int line, char **v, int n)
{
	(void)n;
	return get_time(ld, line, d->name, v[0], value_of(ld, d));
}

static int dir_uint(struct loader *ld, const struct directive *d,
		    unsigned int line, char **v, int n)
{
	void *field = value_of(ld, d);
	unsigned long long value = 0;
	int err;

	(void)n;
	err =
	    get_uint(ld, line, d->what ?: d->name, v[0], d->lo, d->hi, &value);
	if (err)
		return err;
	if (d->size == sizeof(__u8))
		*(__u8 *)field = (__u8)value;
	else if (d->size == sizeof(__u16))
		*(__u16 *)field = (__u16)value;
	else
		*(__u32 *)field = (__u32)value;
	return 0;
}

static int dir_path(struct loader *ld, const struct directive *d,
		    unsigned int line, char **v, int n)
{
	(void)n;
	if (strlen(v[0]) >= XHB_PATH_MAX)
		return cfg_fail(ld, line, ENAMETOOLONG,
				"%s: path longer than %d characters", d->name,
				XHB_PATH_MAX - 1);
	cfg_copy_str(value_of(ld, d), XHB_PATH_MAX, v[0]);
	return 0;
}

static int dir_udpport(struct loader *ld, const struct directive *d,
		       unsigned int line, char **v, int n)
{
	struct xhb_config *cfg = ld->cfg;
	int err;

	err = dir_uint(ld, d, line, v, n);
	if (err)
		return err;
	/* Heartbeat's bcast and ucast take the port when they are created,
	 * so there a later udpport came too late (and 694 stayed). */
	for (unsigned int i = 0; i < cfg->nmedia; i++) {
		const struct xhb_medium *m = &cfg->media[i];

		if (m->kind != XHB_MEDIUM_MCAST &&
		    cfg->udpport != XHB_DEFAULT_PORT) {
			cfg_note(ld, XHB_NOTE_NOTICE, line, d->name,
				 "udpport after a medium (line %u): Heartbeat "
				 "kept port %d there; xhb uses %u for all "
				 "media",
				 m->line, XHB_DEFAULT_PORT,
				 (unsigned int)cfg->udpport);
			break;
		}
	}
	return 0;
}

static const char *family_name(int family)
{
	return family == AF_INET6  ? "IPv6"
	       : family == AF_INET ? "IPv4"
				   : "IPv4 or IPv6";
}

/* A peer or a ping node: a literal address of d->family. */
static int get_host(struct loader *ld, const struct directive *d,
		    unsigned int line, const char *what, const char *text,
		    int *family, union xhb_addr *addr)
{
	if (cfg_parse_addr(text, family, addr) < 0 ||
	    (d->family && *family != d->family))
		return cfg_fail(ld, line, EINVAL,
				"%s: bad %s '%s' (expected an %s address; xhb "
				"does not resolve host names)",
				d->name, what, text, family_name(d->family));
	return 0;
}

/* The next medium, of kind, on the interface iface; NULL with *err set. */
static struct xhb_medium *
new_medium(struct loader *ld, const struct directive *d, unsigned int line,
	   enum xhb_medium_kind kind, const char *iface, int *err)
{
	struct xhb_config *cfg = ld->cfg;
	struct xhb_medium *m;

	if (cfg->nmedia >= XHB_CONFIG_MAX_MEDIA) {
		*err = cfg_fail(ld, line, EINVAL,
				"%s: too many media (max %d: each interface of "
				"a bcast line and each other media line is one)",
				d->name, XHB_CONFIG_MAX_MEDIA);
		return NULL;
	}
	m = &cfg->media[cfg->nmedia++];
	memset(m, 0, sizeof(*m));
	m->line = line;
	m->kind = kind;
	if (!cfg_valid_ifname(iface)) {
		*err = cfg_fail(ld, line, EINVAL,
				"%s: bad interface name '%s' (1..%d "
				"characters, no '/', ':' or spaces)",
				d->name, iface, IFNAMSIZ - 1);
		return NULL;
	}
	cfg_copy_str(m->iface, sizeof(m->iface), iface);
	return m;
}

/* bcast IFACE..., udp IFACE... */
static int dir_bcast(struct loader *ld, const struct directive *d,
		     unsigned int line, char **v, int n)
{
	struct xhb_config *cfg = ld->cfg;
	int i, err;

	for (i = 0; i < n; i++) {
		unsigned int j;

		for (j = 0; j < cfg->nmedia; j++)
			if (cfg->media[j].kind == XHB_MEDIUM_BCAST &&
			    !strcmp(cfg->media[j].iface, v[i]))
				return cfg_fail(
				    ld, line, EINVAL,
				    "bcast on %s given twice (first "
				    "at line %u)",
				    v[i], cfg->media[j].line);
		if (!new_medium(ld, d, line, XHB_MEDIUM_BCAST, v[i], &err))
			return err;
	}
	return 0;
}

/* mcast IFACE GROUP PORT TTL LOOP, mcast6 IFACE GROUP PORT HOPS LOOP */
static int dir_mcast(struct loader *ld, const struct directive *d,
		     unsigned int line, char **v, int n)
{
	bool v6 = d->family == AF_INET6;
	unsigned long long port = 0, ttl = 0, loop = 0;
	struct xhb_medium *m;
	int err;

	(void)n;
	m = new_medium(ld, d, line, XHB_MEDIUM_MCAST, v[0], &err);
	if (!m)
		return err;
	if (cfg_parse_addr(v[1], &m->family, &m->addr) < 0 ||
	    m->family != d->family ||
	    (v6 ? !IN6_IS_ADDR_MULTICAST(&m->addr.v6)
		: !IN_MULTICAST(ntohl(m->addr.v4.s_addr))))
		return cfg_fail(ld, line, EINVAL,
				"%s: bad multicast group '%s' (expected an %s "
				"multicast address, %s)",
				d->name, v[1], family_name(d->family),
				v6 ? "ff00::/8" : "224.0.0.0/4");
	err = get_uint(ld, line, "mcast port", v[2], 1, 65535, &port);
	/* Heartbeat refuses a TTL (hop limit) above 4: a heartbeat has no
	 * business crossing more routers than that. */
	err = err
		  ?: get_uint(ld, line, v6 ? "mcast6 hops" : "mcast ttl", v[3],
			      0, 4, &ttl);
	err = err ?: get_uint(ld, line, "mcast loop", v[4], 0, 1, &loop);
	if (err)
		return err;
	m->port = (__u16)port;
	m->ttl = (__u8)ttl;
	m->loop = (__u8)loop;
	return 0;
}

/* ucast IFACE PEER (IPv4 or IPv6), ucast6 IFACE PEER (IPv6) */
static int dir_ucast(struct loader *ld, const struct directive *d,
		     unsigned int line, char **v, int n)
{
	struct xhb_medium *m;
	int err;

	(void)n;
	m = new_medium(ld, d, line, XHB_MEDIUM_UCAST, v[0], &err);
	if (!m)
		return err;
	return get_host(ld, d, line, "peer address", v[1], &m->family,
			&m->addr);
}

static int valid_node_name(struct loader *ld, unsigned int line,
			   const char *dir, const char *name)
{
	const char *p;

	if (strlen(name) >= XHB_NAME_MAX)
		return cfg_fail(ld, line, EINVAL,
				"%s: name '%s' longer than %d characters", dir,
				name, XHB_NAME_MAX - 1);
	for (p = name; *p; p++)
		if (!isgraph((unsigned char)*p))
			return cfg_fail(ld, line, EINVAL,
					"%s: name '%s' has a control character",
					dir, name);
	return 0;
}

static int dir_node(struct loader *ld, const struct directive *d,
		    unsigned int line, char **v, int n)
{
	struct xhb_config *cfg = ld->cfg;
	int i, err;

	for (i = 0; i < n; i++) {
		struct xhb_node *node;
		int dup;

		err = valid_node_name(ld, line, d->name, v[i]);
		if (err)
			return err;
		dup = xhb_config_node_index(cfg, v[i]);
		if (dup >= 0)
			return cfg_fail(
			    ld, line, EINVAL,
			    "node %s given twice (first at line %u)", v[i],
			    cfg->nodes[dup].line);
		if (cfg->nnodes >= XHB_CONFIG_MAX_NODES)
			return cfg_fail(ld, line, EINVAL,
					"too many nodes (max %d)",
					XHB_CONFIG_MAX_NODES);
		node = &cfg->nodes[cfg->nnodes++];
		cfg_copy_str(node->name, sizeof(node->name), v[i]);
		cfg_lowercase(node->name);
		node->id = xhb_node_id(node->name);
		node->line = line;
	}
	return 0;
}

static int dir_auto_failback(struct loader *ld, const struct directive *d,
			     unsigned int line, char **v, int n)
{
	bool on;

	(void)d;
	(void)n;
	if (!strcasecmp(v[0], "legacy"))
		ld->cfg->auto_failback = XHB_FAILBACK_LEGACY;
	else if (xhb_config_parse_bool(v[0], &on) == 0)
		ld->cfg->auto_failback =
		    on ? XHB_FAILBACK_ON : XHB_FAILBACK_OFF;
	else
		return cfg_fail(ld, line, EINVAL,
				"bad auto_failback '%s': use on, off or legacy",
				v[0]);
	return 0;
}

/* Obsolete in Heartbeat too, which converts it the same way. */
static int dir_nice_failback(struct loader *ld, const struct directive *d,
			     unsigned int line, char **v, int n)
{
	bool on;

	(void)n;
	if (xhb_config_parse_bool(v[0], &on) < 0)
		return cfg_fail(
		    ld, line, EINVAL,
		    "bad nice_failback '%s': use on or off (better: "
		    "auto_failback on|off)",
		    v[0]);
	ld->cfg->auto_failback = on ? XHB_FAILBACK_OFF : XHB_FAILBACK_LEGACY;
	cfg_note(ld, XHB_NOTE_NOTICE, line, d->name,
		 "nice_failback is obsolete: read as 'auto_failback %s'",
		 on ? "off" : "legacy");
	return 0;
}

static int dir_logfacility(struct loader *ld, const struct directive *d,
			   unsigned int line, char **v, int n)
{
	(void)d;
	(void)n;
	if (strcasecmp(v[0], "none") && xhb_syslog_facility(v[0]) < 0)
		return cfg_fail(ld, line, EINVAL,
				"bad logfacility '%s': use a syslog facility "
				"(daemon, local0..local7, ...) or none",
				v[0]);
	cfg_copy_str(ld->cfg->logfacility, sizeof(ld->cfg->logfacility), v[0]);
	for (char *c = ld->cfg->logfacility; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return 0;
}

/* ping HOST..., ping6 HOST..., ping_group NAME HOST... */
static int dir_ping(struct loader *ld, const struct directive *d,
		    unsigned int line, char **v, int n)
{
	struct xhb_config *cfg = ld->cfg;
	bool grouped = !strcmp(d->name, "ping_group");
	int i, err;

	if (grouped) {
		err = valid_node_name(ld, line, d->name, v[0]);
		if (err)
			return err;
	}
	for (i = grouped; i < n; i++) {
		struct xhb_ping *p;

		if (cfg->npings >= XHB_CONFIG_MAX_PINGS)
			return cfg_fail(ld, line, EINVAL,
					"%s: too many ping nodes (max %d)",
					d->name, XHB_CONFIG_MAX_PINGS);
		p = &cfg->pings[cfg->npings++];
		memset(p, 0, sizeof(*p));
		cfg_copy_str(p->group, sizeof(p->group), grouped ? v[0] : "");
		p->line = line;
		err = get_host(ld, d, line, "address", v[i], &p->family,
			       &p->addr);
		if (err)
			return err;
	}
	return 0;
}

static int dir_probe(struct loader *ld, const struct directive *d,
		     unsigned int line, char **v, int n)
{
	unsigned long long misses = 0;
	int err;

	(void)d;
	(void)n;
	err = get_time(ld, line, "probe interval", v[0],
		       &ld->cfg->probe_interval_ns);
	err = err ?: get_uint(ld, line, "probe misses", v[1], 1, 1000, &misses);
	if (!err)
		ld->cfg->probe_misses = (__u32)misses;
	return err;
}

static int dir_garp(struct loader *ld, const struct directive *d,
		    unsigned int line, char **v, int n)
{
	unsigned long long count = 0;
	int err;

	(void)d;
	(void)n;
	err = get_uint(ld, line, "garp count", v[0], 0, 100, &count);
	err = err
		  ?: get_time(ld, line, "garp interval", v[1],
			      &ld->cfg->garp_interval_ns);
	if (!err)
		ld->cfg->garp_count = (__u32)count;
	return err;
}

static int dir_pin_dir(struct loader *ld, const struct directive *d,
		       unsigned int line, char **v, int n)
{
	(void)n;
	if (v[0][0] != '/')
		return cfg_fail(ld, line, EINVAL,
				"pin_dir '%s' must be an absolute path (on a "
				"bpffs mount)",
				v[0]);
	return dir_path(ld, d, line, v, n);
}

static int dir_state_dir(struct loader *ld, const struct directive *d,
			 unsigned int line, char **v, int n)
{
	(void)n;
	if (v[0][0] != '/')
		return cfg_fail(ld, line, EINVAL,
				"state_dir '%s' must be an absolute path", v[0]);
	return dir_path(ld, d, line, v, n);
}

static int dir_cluster_id(struct loader *ld, const struct directive *d,
			  unsigned int line, char **v, int n)
{
	int err;

	err = dir_uint(ld, d, line, v, n);
	if (!err)
		ld->cfg->cluster_id_set = true;
	return err;
}

static int dir_xdp_mode(struct loader *ld, const struct directive *d,
			unsigned int line, char **v, int n)
{
	(void)d;
	(void)n;
	if (!strcmp(v[0], "auto"))
		ld->cfg->xdp_mode = XHB_XDP_AUTO;
	else if (!strcmp(v[0], "native"))
		ld->cfg->xdp_mode = XHB_XDP_NATIVE;
	else if (!strcmp(v[0], "generic"))
		ld->cfg->xdp_mode = XHB_XDP_GENERIC;
	else
		return cfg_fail(
		    ld, line, EINVAL,
		    "bad xdp_mode '%s': use auto, native or generic", v[0]);
	return 0;
}

static int dir_listen(struct loader *ld, const struct directive *d,
		      unsigned int line, char **v, int n)
{
	(void)n;
	return cfg_get_listen(ld, line, d->name, v[0], value_of(ld, d));
}

/* on or off, into d's bool (realtime, fenced_standby). */
static int dir_bool(struct loader *ld, const struct directive *d,
		    unsigned int line, char **v, int n)
{
	(void)n;
	if (xhb_config_parse_bool(v[0], value_of(ld, d)) < 0)
		return cfg_fail(ld, line, EINVAL, "bad %s '%s': use on or off",
				d->name, v[0]);
	return 0;
}

static const struct directive directives[] = {
    /* Heartbeat's, used */
    {"keepalive", dir_time, 1, 1, .usage = "keepalive TIME",
     .seen = SEEN_KEEPALIVE, VALUE(keepalive_ns)},
    {"deadtime", dir_time, 1, 1, .usage = "deadtime TIME",
     .seen = SEEN_DEADTIME, VALUE(deadtime_ns)},
    {"warntime", dir_time, 1, 1, .usage = "warntime TIME",
     .seen = SEEN_WARNTIME, VALUE(warntime_ns)},
    {"initdead", dir_time, 1, 1, .usage = "initdead TIME",
     .seen = SEEN_INITDEAD, VALUE(initdead_ns)},
    {"deadping", dir_time, 1, 1, .usage = "deadping TIME",
     .seen = SEEN_DEADPING, VALUE(deadping_ns)},
    {"udpport", dir_udpport, 1, 1, .usage = "udpport PORT",
     .seen = SEEN_UDPPORT, VALUE(udpport), .lo = 1, .hi = 65535},
    {"bcast", dir_bcast, 1, -1, .usage = "bcast IFACE..."},
    /* Heartbeat still accepts the old name, with this very warning. */
    {"udp", dir_bcast, 1, -1, .usage = "udp IFACE...",
     .note_kind = XHB_NOTE_WARNING,
     .note = "directive 'udp' replaced by 'bcast'"},
    {"mcast", dir_mcast, 5, 5, .usage = "mcast IFACE GROUP PORT TTL LOOP",
     .whole_line = true, .family = AF_INET},
    {"mcast6", dir_mcast, 5, 5, .usage = "mcast6 IFACE GROUP PORT HOPS LOOP",
     .whole_line = true, .family = AF_INET6},
    {"ucast", dir_ucast, 2, 2, .usage = "ucast IFACE PEER-ADDRESS",
     .whole_line = true},
    {"ucast6", dir_ucast, 2, 2, .usage = "ucast6 IFACE PEER-IPV6-ADDRESS",
     .whole_line = true, .family = AF_INET6},
    {"node", dir_node, 1, -1, .usage = "node NAME..."},
    {"auto_failback", dir_auto_failback, 1, 1,
     .usage = "auto_failback on|off|legacy", .seen = SEEN_FAILBACK},
    {"nice_failback", dir_nice_failback, 1, 1, .usage = "nice_failback on|off",
     .seen = SEEN_FAILBACK},
    {"logfile", dir_path, 1, 1, .usage = "logfile PATH", .seen = SEEN_LOGFILE,
     VALUE(logfile)},
    {"debugfile", dir_path, 1, 1, .usage = "debugfile PATH",
     .seen = SEEN_DEBUGFILE, VALUE(debugfile)},
    {"logfacility", dir_logfacility, 1, 1, .usage = "logfacility FACILITY",
     .seen = SEEN_LOGFACILITY},
    {"debug", dir_uint, 1, 1, .usage = "debug LEVEL", .seen = SEEN_DEBUG,
     VALUE(debug), .lo = 0, .hi = 255, .what = "debug level"},
    {"ping", dir_ping, 1, -1, .usage = "ping ADDRESS..."},
    {"ping6", dir_ping, 1, -1, .usage = "ping6 IPV6-ADDRESS...",
     .family = AF_INET6},
    {"ping_group", dir_ping, 2, -1, .usage = "ping_group NAME ADDRESS...",
     .whole_line = true},
    {"realtime", dir_bool, 1, 1, .usage = "realtime on|off",
     .seen = SEEN_REALTIME, VALUE(realtime)},
    {"rtprio", dir_uint, 1, 1, .usage = "rtprio 1..99", .seen = SEEN_RTPRIO,
     VALUE(rtprio), .lo = 1, .hi = 99},
    /* xhb's */
    {"probe", dir_probe, 2, 2, .usage = "probe INTERVAL MISSES",
     .seen = SEEN_PROBE},
    {"garp", dir_garp, 2, 2, .usage = "garp COUNT INTERVAL", .seen = SEEN_GARP},
    {"fenced_standby", dir_bool, 1, 1, .usage = "fenced_standby on|off",
     .seen = SEEN_FENCED_STANDBY, VALUE(fenced_standby)},
    {"pin_dir", dir_pin_dir, 1, 1, .usage = "pin_dir PATH",
     .seen = SEEN_PIN_DIR, VALUE(pin_dir)},
    {"state_dir", dir_state_dir, 1, 1, .usage = "state_dir PATH",
     .seen = SEEN_STATE_DIR, VALUE(state_dir)},
    {"lease", dir_time, 1, 1, .usage = "lease TIME", .seen = SEEN_LEASE,
     VALUE(lease_ns)},
    {"cluster_id", dir_cluster_id, 1, 1, .usage = "cluster_id 1..4294967295",
     .seen = SEEN_CLUSTER_ID, VALUE(cluster_id), .lo = 1, .hi = 0xffffffff},
    {"cluster_name", dir_cluster_name, 1, 1, .usage = "cluster_name NAME",
     .seen = SEEN_CLUSTER_NAME},
    {"xdp_mode", dir_xdp_mode, 1, 1, .usage = "xdp_mode auto|native|generic",
     .seen = SEEN_XDP_MODE},
    {"priority", dir_uint, 1, 1, .usage = "priority 0..255",
     .seen = SEEN_PRIORITY, VALUE(priority), .lo = 0, .hi = 255},
    {"check", cfg_check_parse, 3, -1, .whole_line = true,
     .usage = "check NAME http URL|tcp HOST:PORT|exec PATH [ARGS...] "
	      "[interval T] [timeout T] [fall N] [rise N] [groups G,...]"},
    {"resource_timeout", dir_resource_timeout, 1, 3,
     .usage = "resource_timeout [NAME] [start|stop] TIME"},
    {"announce", dir_announce, 2, -1, .usage = "announce GROUP route|anycast "
     "[table N] [proto P] [metric M] [takeover_metric T] [takeover_hold T]"},
    {"stop_failed_policy", dir_stop_failed_policy, 1, 1,
     .usage = "stop_failed_policy block|release"},
    {"no_quorum_policy", dir_no_quorum_policy, 1, 1,
     .usage = "no_quorum_policy stop|freeze|keep"},
    {"votes", dir_votes, 2, 2, .usage = "votes NODE 0..64"},
    {"weight", dir_weight, 2, 2, .usage = "weight NODE 1..65535"},
    {"metrics_listen", dir_listen, 1, 1, .usage = "metrics_listen ADDRESS:PORT",
     .seen = SEEN_METRICS, VALUE(metrics_listen)},
};

/* Heartbeat 3.0.6 directives (its Directives[], WLdirectives[] and HBcomm
 * plugins) that have no meaning for xhb: accepted, reported, not read. */
/* clang-format off */
static const char *const ignored_directives[] = {
	/* membership and messaging, which xhb does its own way */
	"cluster", "quorum_server", "hopfudge", "autojoin", "uuidfrom",
	"msgfmt", "hbgenmethod", "max_rexmit_delay", "compression",
	"compression_threshold", "traditional_compression",
	/* media with no XDP path */
	"serial", "baud", "hbaping", "rds",
	/* Heartbeat's own processes, API, fencing and Pacemaker */
	"respawn", "failfast", "apiauth", "env", "stonith", "stonith_host",
	"crm", "pacemaker", "crm_daemon_dir", "crmd_spawns_pengine",
	"record_config_changes", "record_pengine_inputs",
	"enable_config_writes", "use_apphbd", "watchdog",
	/* its process tuning and logging daemon */
	"normalpoll", "memreserve", "coredumps",
	"coreroot", "use_logd", "conn_logd_time", "log_badpack",
	"syslogmsgfmt",
};
/* clang-format on */

static int unknown_directive(struct loader *ld, unsigned int line,
			     const char *word)
{
	const char *best = NULL;
	size_t best_distance = 3, i, dist;

	for (i = 0; i < ARRAY_LEN(directives); i++) {
		dist = cfg_edit_distance(word, directives[i].name);
		if (dist < best_distance) {
			best = directives[i].name;
			best_distance = dist;
		}
	}
	if (best)
		return cfg_fail(ld, line, EINVAL,
				"unknown directive '%s' (did you mean %s?)",
				word, best);
	return cfg_fail(ld, line, EINVAL, "unknown directive '%s'", word);
}

static int hacf_line(struct loader *ld, unsigned int *seen, unsigned int line,
		     char *text)
{
	const struct directive *d = NULL;
	char *cut, *word, *rest, *values[MAX_TOKENS];
	size_t i;
	int n;

	/* Heartbeat cuts at the first '#' wherever it is. */
	cut = strchr(text, '#');
	if (cut)
		*cut = '\0';
	word = text + strspn(text, WHITESPACE);
	if (!*word)
		return 0;
	rest = word + strcspn(word, WHITESPACE);
	if (*rest)
		*rest++ = '\0';

	for (i = 0; i < ARRAY_LEN(ignored_directives); i++) {
		if (!strcmp(word, ignored_directives[i])) {
			cfg_note(ld, XHB_NOTE_IGNORED, line, word,
				 "Heartbeat directive %s has no use in xhb",
				 word);
			return 0;
		}
	}
	for (i = 0; i < ARRAY_LEN(directives); i++)
		if (!strcmp(word, directives[i].name))
			d = &directives[i];
	if (!d)
		return unknown_directive(ld, line, word);

	n = cfg_split(rest, d->whole_line ? WHITESPACE : DELIMS, values,
		      MAX_TOKENS);
	if (n < 0 || n < d->min || (d->max >= 0 && n > d->max))
		return cfg_fail(
		    ld, line, EINVAL, "%s: %s values (usage: %s)", d->name,
		    n < d->min && n >= 0 ? "missing" : "too many", d->usage);
	if (d->seen)
		set_line(ld, d, &seen[d->seen], line);
	if (d->note)
		cfg_note(ld, d->note_kind, line, d->name, "%s", d->note);
	return d->parse(ld, d, line, values, n);
}

/* Heartbeat's rule for deadtime and deadping: more than two heartbeats. */
static int over_two_keepalives(struct loader *ld, unsigned int line,
			       const char *name, __u64 ns)
{
	char a[32], b[32];

	if (ns > 2 * ld->cfg->keepalive_ns)
		return 0;
	return cfg_fail(
	    ld, line, EINVAL, "%s (%s) must be greater than 2 x keepalive (%s)",
	    name, xhb_config_format_time(ns, a, sizeof(a)),
	    xhb_config_format_time(ld->cfg->keepalive_ns, b, sizeof(b)));
}

/* Heartbeat's defaults and cross-checks (init_config), then xhb's. */
static int hacf_finish(struct loader *ld, const unsigned int *seen)
{
	struct xhb_config *cfg = ld->cfg;
	char a[32], b[32];
	unsigned int i, j, line;
	int err;

	if (!cfg->nnodes)
		return cfg_fail(
		    ld, 0, EINVAL,
		    "no nodes defined: name every cluster node with "
		    "'node NAME' (as uname -n prints it)");
	if (!cfg->nmedia)
		return cfg_fail(
		    ld, 0, EINVAL,
		    "no heartbeat media defined: add 'bcast IFACE', "
		    "'mcast ...' or 'ucast IFACE PEER'");
	for (i = 0; i < cfg->nnodes; i++)
		for (j = i + 1; j < cfg->nnodes; j++)
			if (cfg->nodes[i].id == cfg->nodes[j].id)
				return cfg_fail(ld, cfg->nodes[j].line, EINVAL,
						"nodes %s and %s have the same "
						"node id %u: rename one",
						cfg->nodes[i].name,
						cfg->nodes[j].name,
						cfg->nodes[i].id);

	if (!seen[SEEN_WARNTIME])
		cfg->warntime_ns = cfg->deadtime_ns / 2;
	line = seen[SEEN_DEADTIME] ?: seen[SEEN_KEEPALIVE];
	err = over_two_keepalives(ld, line, "deadtime", cfg->deadtime_ns);
	if (err)
		return err;
	if (!seen[SEEN_INITDEAD]) {
		if (cfg->deadtime_ns > 10 * NS_PER_SEC)
			cfg->initdead_ns = cfg->deadtime_ns;
		else if (cfg->deadtime_ns < 6 * NS_PER_SEC)
			cfg->initdead_ns = 12 * NS_PER_SEC;
		else
			cfg->initdead_ns = 2 * cfg->deadtime_ns;
	}
	if (cfg->initdead_ns < cfg->deadtime_ns)
		return cfg_fail(
		    ld, seen[SEEN_INITDEAD] ?: seen[SEEN_DEADTIME], EINVAL,
		    "initdead (%s) must be at least deadtime (%s)",
		    xhb_config_format_time(cfg->initdead_ns, a, sizeof(a)),
		    xhb_config_format_time(cfg->deadtime_ns, b, sizeof(b)));
	if (cfg->initdead_ns < 10 * NS_PER_SEC)
		cfg_note(
		    ld, XHB_NOTE_WARNING, seen[SEEN_INITDEAD], "initdead",
		    "initdead (%s) may be too small: it gives the network "
		    "time to come up after boot; >= 10s is advised",
		    xhb_config_format_time(cfg->initdead_ns, a, sizeof(a)));
	if (!seen[SEEN_DEADPING]) {
		cfg->deadping_ns = cfg->deadtime_ns;
	} else {
		line = seen[SEEN_DEADPING];
		err =
		    over_two_keepalives(ld, line, "deadping", cfg->deadping_ns);
		if (err)
			return err;
	}
	if (cfg->warntime_ns >= cfg->deadtime_ns)
		cfg_note(
		    ld, XHB_NOTE_WARNING, seen[SEEN_WARNTIME], "warntime",
		    "warntime (%s) is not less than deadtime (%s): no "
		    "peer_warn comes before peer_dead",
		    xhb_config_format_time(cfg->warntime_ns, a, sizeof(a)),
		    xhb_config_format_time(cfg->deadtime_ns, b, sizeof(b)));

	if (!seen[SEEN_PROBE]) {
		cfg->probe_interval_ns = cfg->keepalive_ns;
		cfg->probe_misses = 0;
	} else if (cfg->probe_interval_ns * cfg->probe_misses >=
		   cfg->deadtime_ns) {
		cfg_note(
		    ld, XHB_NOTE_WARNING, seen[SEEN_PROBE], "probe",
		    "probe %s x %u misses is not shorter than deadtime (%s): "
		    "deadtime decides first",
		    xhb_config_format_time(cfg->probe_interval_ns, a,
					   sizeof(a)),
		    cfg->probe_misses,
		    xhb_config_format_time(cfg->deadtime_ns, b, sizeof(b)));
	}
	if (!seen[SEEN_LEASE])
		cfg->lease_ns = cfg->deadtime_ns;
	/* The agent renews the lease once a probe period: one that can run
	 * out between two renewals fences the VIPs of a healthy node. */
	if (cfg->lease_ns <= 2 * cfg->probe_interval_ns)
		return cfg_fail(
		    ld, seen[SEEN_LEASE], EINVAL,
		    "lease (%s) must be greater than 2 x the probe period (%s): "
		    "the agent renews it once a period",
		    xhb_config_format_time(cfg->lease_ns, a, sizeof(a)),
		    xhb_config_format_time(cfg->probe_interval_ns, b, sizeof(b)));
	if (cfg->lease_ns > cfg->deadtime_ns)
		cfg_note(ld, XHB_NOTE_WARNING, seen[SEEN_LEASE], "lease",
			 "lease (%s) is longer than deadtime (%s): a stalled "
			 "holder keeps its groups for the whole lease",
			 xhb_config_format_time(cfg->lease_ns, a, sizeof(a)),
			 xhb_config_format_time(cfg->deadtime_ns, b, sizeof(b)));
	err = cfg_cluster_finish(ld, seen[SEEN_CLUSTER_ID]);
	if (err)
		return err;
	if (!seen[SEEN_FAILBACK])
		cfg_note(
		    ld, XHB_NOTE_WARNING, 0, "auto_failback",
		    "no auto_failback: Heartbeat's default 'legacy' applies "
		    "(groups fail back, like 'on'); please set on or off");
	else if (cfg->auto_failback == XHB_FAILBACK_LEGACY)
		cfg_note(ld, XHB_NOTE_WARNING, seen[SEEN_FAILBACK],
			 "auto_failback",
			 "deprecated 'legacy' auto_failback: xhb treats it as "
			 "'on'; please convert to 'auto_failback on'");
	return 0;
}

int cfg_hacf_load(struct loader *ld)
{
	unsigned int seen[SEEN_COUNT] = {0};
	struct reader r;
	struct stat st;
	char *text;
	int err;

	ld->path = ld->cfg->hacf_path;
	err = cfg_open(ld, &r, &st);
	while (!err && (err = cfg_next_line(ld, &r, &text)) > 0)
		err = hacf_line(ld, seen, r.line, text);
	cfg_close(&r);
	return err ?: hacf_finish(ld, seen);
}
