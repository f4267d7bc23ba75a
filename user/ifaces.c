// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The heartbeat interfaces and their data planes: see ifaces.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dataplane.h"
#include "events.h"
#include "ifaces.h"
#include "vip.h"
#include "wire.h"

bool xhb_ifaces_has(const struct xhb_ifaces *fs, const char *name)
{
	for (unsigned int i = 0; i < fs->n; i++)
		if (!strcmp(fs->at[i].name, name))
			return true;
	return false;
}

_Static_assert(XHB_MAX_PORTS >= XHB_CONFIG_MAX_MEDIA,
	       "a port for every medium on one interface");

static unsigned int add_port(__u16 ports[XHB_MAX_PORTS], unsigned int n,
			     __u16 port)
{
	for (unsigned int i = 0; i < n; i++)
		if (ports[i] == port)
			return n;
	if (n < XHB_MAX_PORTS)
		ports[n++] = port;
	return n;
}

unsigned int xhb_iface_ports(const struct xhb_config *cfg, const char *name,
			     __u16 ports[XHB_MAX_PORTS])
{
	bool plain = false, any = false;
	unsigned int n = 0;

	for (unsigned int m = 0; m < cfg->nmedia; m++)
		if (!strcmp(cfg->media[m].iface, name)) {
			any = true;
			plain |= cfg->media[m].kind != XHB_MEDIUM_MCAST;
		}
	if (plain || !any)
		n = add_port(ports, n, cfg->udpport);
	for (unsigned int m = 0; m < cfg->nmedia; m++)
		if (cfg->media[m].kind == XHB_MEDIUM_MCAST &&
		    !strcmp(cfg->media[m].iface, name))
			n = add_port(ports, n, cfg->media[m].port);
	return n;
}

/*
 * At most XHB_MAX_MEDIA distinct interfaces carry heartbeats: each has
 * its own XDP program and maps, and the agent reads every peer on every
 * one of them each loop. Checked before any name is looked up, so the
 * error is the same on every node.
 */
static int check_media_ifaces(const struct xhb_config *cfg, char *err,
			      size_t errlen)
{
	const char *seen[XHB_MAX_MEDIA];
	unsigned int n = 0;

	for (unsigned int m = 0; m < cfg->nmedia; m++) {
		const struct xhb_medium *md = &cfg->media[m];
		bool known = false;

		for (unsigned int i = 0; i < n; i++)
			known |= !strcmp(seen[i], md->iface);
		if (known)
			continue;
		if (n == XHB_MAX_MEDIA) {
			snprintf(err, errlen,
				 "%s:%u: %s would be a %dth heartbeat interface: at most %d, each with its own XDP program and maps",
				 cfg->hacf_path, md->line, md->iface,
				 XHB_MAX_MEDIA + 1, XHB_MAX_MEDIA);
			return -EINVAL;
		}
		seen[n++] = md->iface;
	}
	return 0;
}

/* Add the interface NAME (defined at file:line) unless it is there. */
static int add_iface(struct xhb_ifaces *fs, const char *name, int ifindex,
		     int group, const char *file, unsigned int line, char *err,
		     size_t errlen)
{
	struct xhb_iface *f = &fs->at[fs->n];
	bool medium = group < 0;

	for (unsigned int i = 0; i < fs->n; i++)
		if (!strcmp(fs->at[i].name, name)) {
			fs->at[i].vip |= !medium;
			if (!medium)
				xhb_gset_add(&fs->at[i].groups, (unsigned int)group);
			return 0;
		}
	if (fs->n == XHB_MAX_IFACES) {
		snprintf(err, errlen,
			 "%s:%u: %s would be a %dth interface (heartbeats and VIPs): at most %d",
			 file, line, name, XHB_MAX_IFACES + 1, XHB_MAX_IFACES);
		return -EINVAL;
	}
	if (ifindex <= 0) {
		snprintf(err, errlen, "%s:%u: no interface %s on this node", file,
			 line, name);
		return -ENODEV;
	}
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->ifindex = ifindex;
	f->medium = medium;
	f->vip = !medium;
	f->named_in_haresources = !medium;
	f->line = line;
	if (!medium)
		xhb_gset_add(&f->groups, (unsigned int)group);
	fs->n++;
	return 0;
}

int xhb_ifaces_collect(struct xhb_ifaces *fs, const struct xhb_config *cfg,
		       struct xhb_nl *nl, char *err, size_t errlen)
{
	int ret = check_media_ifaces(cfg, err, errlen);

	if (ret)
		return ret;
	fs->n = 0;
	for (unsigned int m = 0; m < cfg->nmedia; m++) {
		const char *name = cfg->media[m].iface;

		ret = add_iface(fs, name,
				nl ? xhb_nl__ifindex(nl, name) : (int)if_nametoindex(name),
				-1, cfg->hacf_path, cfg->media[m].line, err, errlen);
		if (ret)
			return ret;
	}
	if (!fs->n) {
		snprintf(err, errlen,
			 "%s: no heartbeat medium (bcast, mcast or ucast): nothing to listen on",
			 cfg->hacf_path);
		return -EINVAL;
	}
	/* The interfaces of the VIPs: named, or (findif) the one whose subnet
	 * holds the address now; one that no subnet holds is acquired on
	 * whatever interface holds it then, unfenced. */
	for (unsigned int g = 0; g < cfg->ngroups; g++)
		for (unsigned int r = 0; r < cfg->groups[g].nresources; r++) {
			const struct xhb_resource *res = &cfg->groups[g].resources[r];
			struct xhb_ipaddr addr = {.family = res->family};
			char name[IFNAMSIZ];
			int ifindex;

			/* routing mode: on lo, fenced on the media's
			 * interfaces, where its traffic comes in */
			if (res->kind != XHB_RES_ADDRESS ||
			    cfg->groups[g].announce.mode)
				continue;
			if (res->iface[0]) {
				snprintf(name, sizeof(name), "%s", res->iface);
				ifindex = nl ? xhb_nl__ifindex(nl, name)
					     : (int)if_nametoindex(name);
			} else {
				if (!nl)
					continue;
				memcpy(&addr.v6, &res->addr, res->family == AF_INET ? 4 : 16);
				ifindex = xhb_nl__ifindex_for_addr(nl, &addr, NULL);
				if (ifindex <= 0 || !if_indextoname(ifindex, name))
					continue;
			}
			ret = add_iface(fs, name, ifindex, (int)g,
					cfg->haresources_path, res->line, err, errlen);
			if (ret)
				return ret;
		}
	return 0;
}

int xhb_ifaces_check(const struct xhb_config *cfg, char *err, size_t errlen)
{
	struct xhb_ifaces fs = {0};
	int ret = xhb_ifaces_collect(&fs, cfg, NULL, err, errlen);

	for (unsigned int g = 0; !ret && g < cfg->ngroups; g++)
		for (unsigned int r = 0; !ret && r < cfg->groups[g].nresources; r++) {
			const struct xhb_resource *res = &cfg->groups[g].resources[r];

			if (res->kind == XHB_RES_ADDRESS && res->iface[0] &&
			    !if_nametoindex(res->iface)) {
				snprintf(err, errlen, "%s:%u: no interface %s on this node",
					 cfg->haresources_path, res->line, res->iface);
				ret = -ENODEV;
			}
		}
	return ret;
}

/* The interfaces next names, with their roles; NULL on failure. */
static struct xhb_ifaces *collect_next(const struct xhb_config *next,
				       struct xhb_nl *nl, int *ret, char *err,
				       size_t errlen)
{
	struct xhb_ifaces *want = calloc(1, sizeof(*want));

	*ret = want ? xhb_ifaces_collect(want, next, nl, err, errlen) : -ENOMEM;
	if (!want && err)
		snprintf(err, errlen, "cannot read the interfaces: %s",
			 strerror(ENOMEM));
	if (*ret) {
		free(want);
		return NULL;
	}
	return want;
}

static struct xhb_iface *iface_named(struct xhb_ifaces *fs, const char *name)
{
	for (unsigned int i = 0; i < fs->n; i++)
		if (!strcmp(fs->at[i].name, name))
			return &fs->at[i];
	return NULL;
}

int xhb_ifaces_served(const struct xhb_ifaces *fs, const struct xhb_config *next,
		      struct xhb_nl *nl, char *err, size_t errlen)
{
	int ret;
	struct xhb_ifaces *want = collect_next(next, nl, &ret, err, errlen);

	for (unsigned int i = 0; want && i < want->n; i++) {
		const struct xhb_iface *w = &want->at[i];

		if (xhb_ifaces_has(fs, w->name))
			continue;
		snprintf(err, errlen,
			 "%s:%u: %s is not one of the interfaces xhbd serves "
			 "(their XDP and tc programs are attached at start): "
			 "restart xhbd to take it",
			 w->named_in_haresources ? next->haresources_path
						 : next->hacf_path,
			 w->line, w->name);
		ret = -ENODEV;
		break;
	}
	free(want);
	return ret;
}

int xhb_ifaces_reroute(struct xhb_ifaces *fs, const struct xhb_config *next,
		       struct xhb_nl *nl)
{
	int ret;
	struct xhb_ifaces *want = collect_next(next, nl, &ret, NULL, 0);

	for (unsigned int i = 0; want && i < fs->n; i++) {
		struct xhb_iface *f = &fs->at[i];
		const struct xhb_iface *w = iface_named(want, f->name);

		f->medium = w && w->medium;
		f->vip = w && w->vip;
		f->groups = w ? w->groups : (struct xhb_gset){{0}};
	}
	free(want);
	return ret;
}

/* f's program was built from what o and cfg say now (a reload that
 * changed none of it): kept. */
static bool same_program(const struct xhb_iface *f,
			 const struct xhb_dataplane_opts *o,
			 const struct xhb_config *cfg)
{
	return f->dp && f->cluster_id == o->cluster_id && f->mode == o->mode &&
	       f->nports == o->nports &&
	       !memcmp(f->ports, o->ports, o->nports * sizeof(o->ports[0])) &&
	       !strcmp(f->pin_dir, cfg->pin_dir);
}

int xhb_ifaces_open(struct xhb_ifaces *fs, const struct xhb_config *cfg,
		    struct xhb_events *ev, char *err, size_t errlen)
{
	struct xhb_key keys[XHB_MAX_KEYS];
	char pin_dir[PATH_MAX];
	int ret;

	xhb_wire_keys_from_config(cfg, keys);
	/* Joined first: a group that cannot be joined changes nothing. */
	ret = xhb_mcast_join(&fs->mcast, cfg, fs, err, errlen);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < fs->n; i++) {
		struct xhb_iface *f = &fs->at[i];
		const struct xhb_dataplane_info *info;
		struct xhb_dataplane *dp;
		struct xhb_dataplane_opts o = {
			.ifname = f->name,
			.cluster_id = cfg->cluster_id,
			.mode = cfg->xdp_mode,
		};

		o.nports = xhb_iface_ports(cfg, f->name, o.ports);

		/* One pin directory per interface, below pin_dir if set. */
		if (cfg->pin_dir[0]) {
			snprintf(pin_dir, sizeof(pin_dir), "%s/%s", cfg->pin_dir,
				 f->name);
			o.pin_dir = pin_dir;
		}
		if (!same_program(f, &o, cfg)) {
			/* On reload the new program replaces the old one on the
			 * pinned link and the maps are kept; if it cannot be
			 * loaded, the old one stays attached and in use. */
			ret = dataplane__open(&o, &dp, err, errlen);
			if (ret)
				return ret;
			dataplane__close(f->dp);
			f->dp = dp;
			memcpy(f->ports, o.ports, sizeof(f->ports));
			f->nports = o.nports;
			f->cluster_id = o.cluster_id;
			f->mode = o.mode;
			snprintf(f->pin_dir, sizeof(f->pin_dir), "%s", cfg->pin_dir);
			info = dataplane__info(f->dp);
			if (info->fallback[0])
				xhb_ev_dataplane_fallback(ev, f->name, info->fallback);
			if (info->replaced[0])
				xhb_ev_dataplane_maps_replaced(ev, f->name, info->replaced);
			xhb_ev_dataplane_attached(ev, f->name, info->generic,
						  info->adopted, info->pin_dir,
						  info->mounted_bpffs, info->prog_id);
		}
		/* the keys (authkeys) every time: written into the maps */
		ret = dataplane__set_keys(f->dp, keys);
		if (ret) {
			snprintf(err, errlen, "cannot write the keys to XDP on %s: %s",
				 f->name, strerror(-ret));
			return ret;
		}
	}
	xhb_mcast_prune(&fs->mcast, cfg, fs);
	return 0;
}

void xhb_ifaces_close(struct xhb_ifaces *fs)
{
	xhb_mcast_close(&fs->mcast);
	for (unsigned int i = 0; i < fs->n; i++) {
		dataplane__close(fs->at[i].dp);
		fs->at[i].dp = NULL;
	}
}

/* Append name to a comma list, cut rather than overflow. */
static void list_add(char *list, size_t len, const char *name)
{
	size_t used = strlen(list);

	snprintf(list + used, len - used, "%s%s", used ? "," : "", name);
}

void xhb_ifaces_judge(const struct xhb_ifaces *fs, struct xhb_links *out)
{
	*out = (struct xhb_links){.state = XHB_LINKS_OK};
	for (unsigned int i = 0; i < fs->n; i++) {
		const struct xhb_iface *f = &fs->at[i];

		if (f->medium) {
			out->media++;
			out->media_up += f->usable;
			if (!f->usable)
				list_add(out->media_down, sizeof(out->media_down), f->name);
		}
		if (f->vip && !f->usable) {
			list_add(out->vip_down, sizeof(out->vip_down), f->name);
			out->groups_down = xhb_gset_or(out->groups_down, &f->groups);
		}
	}
	/* A fault of the node when it hears nobody; of its groups whose VIP
	 * cannot be served from here: those it refuses, the others it keeps. */
	if (!out->media_up)
		out->state = XHB_LINKS_FAULT;
	else if (out->media_up < out->media || out->vip_down[0])
		out->state = XHB_LINKS_DEGRADED;
}

void xhb_ifaces_refresh(struct xhb_ifaces *fs, struct xhb_nl *nl,
			struct xhb_links *out)
{
	for (unsigned int i = 0; i < fs->n; i++) {
		struct xhb_link_state ls;

		fs->at[i].usable = !xhb_nl__link_state(nl, fs->at[i].ifindex, &ls) &&
				   ls.usable;
	}
	xhb_ifaces_judge(fs, out);
}

const char *xhb_links_state_name(enum xhb_links_state s)
{
	static const char *const names[] = {
	    [XHB_LINKS_OK] = "ok",
	    [XHB_LINKS_DEGRADED] = "degraded",
	    [XHB_LINKS_FAULT] = "fault",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) ? names[s]
								  : "unknown";
}

int xhb_ifaces_write_self(struct xhb_ifaces *fs, const struct xhb_self *self)
{
	int ret = 0;

	for (unsigned int i = 0; i < fs->n; i++) {
		int r = dataplane__write_self(fs->at[i].dp, self);

		if (r && !ret)
			ret = r;
	}
	return ret;
}

int xhb_ifaces_read_self(struct xhb_ifaces *fs, struct xhb_self *out)
{
	__u64 incarnation = 0;
	bool found = false;

	for (unsigned int i = 0; i < fs->n; i++) {
		struct xhb_self s;

		if (dataplane__read_self(fs->at[i].dp, &s))
			continue;
		if (!found)
			*out = s;
		found = true;
		if (s.incarnation > incarnation)
			incarnation = s.incarnation;
	}
	if (!found)
		return -ENOENT;
	out->incarnation = incarnation;
	return 0;
}

int xhb_ifaces_add_peer(struct xhb_ifaces *fs, __u32 node_id)
{
	for (unsigned int i = 0; i < fs->n; i++) {
		int ret = dataplane__add_peer(fs->at[i].dp, node_id);

		if (ret)
			return ret;
	}
	return 0;
}

void xhb_ifaces_remove_peer(struct xhb_ifaces *fs, __u32 node_id)
{
	/* -ENOENT (never added on that interface) is fine */
	for (unsigned int i = 0; i < fs->n; i++)
		(void)dataplane__remove_peer(fs->at[i].dp, node_id);
}

static __u64 last_sign(const struct xhb_peer *p)
{
	return p->last_heartbeat_ns > p->last_reply_ns ? p->last_heartbeat_ns
						       : p->last_reply_ns;
}

bool xhb_ifaces_peer(struct xhb_ifaces *fs, __u32 node_id, struct xhb_peer *out,
		     struct xhb_peer_addr where[XHB_MAX_IFACES])
{
	__u64 heartbeat = 0, reply = 0;
	bool any = false;

	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < fs->n; i++) {
		struct xhb_peer s;

		if (dataplane__peer(fs->at[i].dp, node_id, &s))
			continue;
		where[i].compact = s.compact;
		where[i].reply_ns = s.last_reply_ns;
		if (s.family) {
			/* XDP stores AF_INET/AF_INET6 values as the kernel's. */
			where[i].family = s.family;
			memcpy(where[i].addr, s.addr, sizeof(s.addr));
			/* an index into the ports of the program that recorded
			 * it: past a reload that shrank them, not known */
			where[i].port = s.port_index < fs->at[i].nports
					    ? fs->at[i].ports[s.port_index]
					    : 0;
		}
		if (!any || last_sign(&s) > last_sign(out))
			*out = s;
		if (s.last_heartbeat_ns > heartbeat)
			heartbeat = s.last_heartbeat_ns;
		if (s.last_reply_ns > reply)
			reply = s.last_reply_ns;
		any = true;
	}
	out->last_heartbeat_ns = heartbeat;
	out->last_reply_ns = reply;
	return any;
}

int xhb_ifaces_fence(struct xhb_ifaces *fs, int family, const void *addr,
		     __u32 group, enum xhb_fence how)
{
	for (unsigned int i = 0; i < fs->n; i++) {
		int ret = how != XHB_FENCE_NONE
				  ? dataplane__vip_add(fs->at[i].dp, family, addr,
						       group, how == XHB_FENCE_STAGED)
				  : dataplane__vip_del(fs->at[i].dp, family, addr);

		if (ret && (how != XHB_FENCE_NONE || ret != -ENOENT))
			return ret;
	}
	return 0;
}

bool xhb_ifaces_staged(struct xhb_ifaces *fs, int family, const void *addr)
{
	for (unsigned int i = 0; i < fs->n; i++)
		if (dataplane__vip_staged(fs->at[i].dp, family, addr) == 1)
			return true;
	return false;
}

void xhb_ifaces_share_unheard(struct xhb_ifaces *fs)
{
	__u64 newest = 0;

	for (unsigned int i = 0; i < fs->n; i++) {
		__u64 t = dataplane__unheard(fs->at[i].dp);

		if (t > newest)
			newest = t;
	}
	for (unsigned int i = 0; newest && i < fs->n; i++)
		dataplane__raise_unheard(fs->at[i].dp, newest);
}

__u64 xhb_ifaces_junk(struct xhb_ifaces *fs)
{
	__u64 junk = 0;

	for (unsigned int i = 0; i < fs->n; i++)
		junk += dataplane__junk(fs->at[i].dp);
	return junk;
}
