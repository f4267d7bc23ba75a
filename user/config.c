// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * config: Heartbeat's ha.cf, haresources and authkeys into struct
 * xhb_config. The rules are Heartbeat 3.0.6's (heartbeat/config.c,
 * heartbeat/auth.c, ResourceManager, the IPaddr and IPv6addr wrappers),
 * re-implemented; where xhb is stricter or differs, xhb.conf(5)
 * (docs/man/xhb.conf.5.scd) says so under COMPATIBILITY. Errors stop at
 * the first one: the message names the file and line, which is what the
 * operator needs to fix it.
 *
 * This file is the top: xhb_config_load() sets the defaults and reads the
 * three files in Heartbeat's order, one reader each (config_hacf.c,
 * config_authkeys.c, config_haresources.c), over what they share
 * (config_lex.c); and the small public helpers of config.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <strings.h>

#include <linux/bpf.h> /* struct bpf_spin_lock, for xhb_maps.h */
#include <linux/types.h>

#include "xhb_maps.h"
#include "config.h"
#include "config_lex.h"

_Static_assert(XHB_CONFIG_MAX_NODES <= XHB_MAX_PEERS,
	       "every other node needs a slot in the peers map");
_Static_assert(XHB_MAX_GROUPS % 32 == 0, "groups travel in pages of 32");

#define DEFAULT_KEEPALIVE_NS 1000000000ULL    /* Heartbeat: 1000ms */
#define DEFAULT_DEADTIME_NS 30000000000ULL    /* Heartbeat: 30000ms */
#define DEFAULT_GARP_COUNT 5		      /* IPaddr2's arp_count */
#define DEFAULT_GARP_INTERVAL_NS 200000000ULL /* IPaddr2's arp_interval */
#define DEFAULT_RTPRIO 50 /* the middle of SCHED_RR's 1..99 */
#define DEFAULT_PRIORITY 100

/* ---- public ---------------------------------------------------------- */

const char *xhb_note_kind_name(enum xhb_note_kind kind)
{
	switch (kind) {
	case XHB_NOTE_IGNORED:
		return "ignored";
	case XHB_NOTE_NOTICE:
		return "notice";
	case XHB_NOTE_WARNING:
		return "warning";
	}
	return "unknown";
}

int xhb_config_node_index(const struct xhb_config *cfg, const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->nnodes; i++)
		if (!strcasecmp(cfg->nodes[i].name, name))
			return (int)i;
	return -1;
}

__u32 xhb_node_id(const char *name)
{
	char lower[256];
	__u32 id;

	cfg_copy_str(lower, sizeof(lower), name);
	cfg_lowercase(lower);
	id = (__u32)cfg_siphash(XHB_NODE_ID_KEY, lower, strlen(lower));
	return id ? id : 1;
}

static int set_path(struct loader *ld, char *out, const char *file)
{
	if (cfg_join_path(out, XHB_PATH_MAX, ld->cfg->dir, file) < 0)
		return cfg_fail(ld, 0, ENAMETOOLONG,
				"directory name too long (max %d characters)",
				XHB_PATH_MAX - 16);
	return 0;
}

static int load(struct loader ld, const char *dir)
{
	struct xhb_config *cfg = ld.cfg;
	char *err = ld.err;
	size_t errlen = ld.errlen, len;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	/* Loaded before (every load writes dir first): cleared. Fresh from
	 * xhb_config_new(): left alone, its pages untouched (see config.h). */
	if (cfg->dir[0])
		memset(cfg, 0, sizeof(*cfg));
	if (!dir)
		dir = XHB_CONFIG_DEFAULT_DIR;
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--; /* so that messages read DIR/ha.cf, not DIR//ha.cf */
	ld.path = dir;
	if (len >= XHB_PATH_MAX - 16)
		return cfg_fail(&ld, 0, ENAMETOOLONG,
				"directory name too long (max %d characters)",
				XHB_PATH_MAX - 16);
	memcpy(cfg->dir, dir, len);
	cfg->dir[len] = '\0';
	ret = set_path(&ld, cfg->hacf_path, "ha.cf");
	ret = ret ?: set_path(&ld, cfg->haresources_path, "haresources");
	ret = ret ?: set_path(&ld, cfg->authkeys_path, "authkeys");
	if (ret)
		return ret;

	cfg->keepalive_ns = DEFAULT_KEEPALIVE_NS;
	cfg->deadtime_ns = DEFAULT_DEADTIME_NS;
	cfg->udpport = XHB_DEFAULT_PORT;
	cfg->garp_count = DEFAULT_GARP_COUNT;
	cfg->garp_interval_ns = DEFAULT_GARP_INTERVAL_NS;
	cfg->priority = DEFAULT_PRIORITY;
	cfg->realtime = false; /* Heartbeat: on; see xhb.conf(5) */
	cfg->rtprio = DEFAULT_RTPRIO;
	cfg->xdp_mode = XHB_XDP_AUTO;
	cfg->auto_failback = XHB_FAILBACK_LEGACY;
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s",
		 XHB_STATE_DIR_DEFAULT);

	/* Heartbeat's order: ha.cf, authkeys, then haresources (which
	 * needs the nodes, those added at runtime too). */
	ret = cfg_hacf_load(&ld);
	ret = ret ?: cfg_nodes_apply(&ld);
	ret = ret ?: cfg_authkeys_load(&ld);
	ret = ret ?: cfg_haresources_load(&ld);
	if (ret)
		return ret;
	ld.path = cfg->hacf_path;
	ret = cfg_quorum_finish(&ld);
	ret = ret ?: cfg_checks_finish(&ld);
	ret = ret ?: cfg_announces_finish(&ld);
	return ret ?: cfg_resources_finish(&ld);
}

struct xhb_config *xhb_config_new(void)
{
	void *p = mmap(NULL, sizeof(struct xhb_config), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void xhb_config_free(struct xhb_config *cfg)
{
	if (cfg)
		munmap(cfg, sizeof(*cfg));
}

int xhb_config_load(const char *dir, struct xhb_config *cfg, char *err,
		    size_t errlen)
{
	return load((struct loader){.cfg = cfg, .err = err, .errlen = errlen}, dir);
}

int xhb_config_load_nodes(const char *dir, const struct xhb_node_changes *ch,
			  struct xhb_config *cfg, char *err, size_t errlen)
{
	return load((struct loader){.cfg = cfg, .err = err, .errlen = errlen,
				    .nodes = true, .changes = ch},
		    dir);
}
