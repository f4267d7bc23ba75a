// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The XDP program and its pinned maps: load, adopt, attach, read, write. */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane.h"
#include "xhb.skel.h"

#include "dataplane_int.h"

static const char *const pinned_maps[PIN_MAPS] = {
	XHB_MAP_PEERS,
	XHB_MAP_SELF,
	XHB_MAP_KEYS,
	XHB_MAP_STATS,
	XHB_MAP_VIPS,
	XHB_MAP_NEWS,
	XHB_MAP_PEER_GROUPS,
};

static bool verbose;

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (!verbose && level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, args);
}

void dataplane__set_verbose(bool on)
{
	verbose = on;
	libbpf_set_print(print_libbpf);
}

static void say(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Make pin_dir a directory on a bpffs. `ip netns exec` remounts /sys, so
 * inside it /sys/fs/bpf is a plain sysfs directory: mount a bpffs there.
 * Elsewhere (a lab's /run/...), mount one on pin_dir itself rather than on
 * a parent that holds other things.
 */
static int prepare_pin_dir(const char *pin_dir, bool *mounted, char *why,
			   size_t whylen)
{
	size_t root_len = strlen(XHB_BPFFS);
	int err;

	if (!strncmp(pin_dir, XHB_BPFFS, root_len) &&
	    (pin_dir[root_len] == '/' || !pin_dir[root_len]) &&
	    !is_bpffs(XHB_BPFFS)) {
		if (mount("bpffs", XHB_BPFFS, "bpf", 0, "mode=0700")) {
			err = -errno;
			say(why, whylen, "cannot mount a bpffs at %s: %s",
			    XHB_BPFFS, strerror(-err));
			return err;
		}
		*mounted = true;
	}
	err = mkdir_p(pin_dir);
	if (err) {
		say(why, whylen, "cannot create the pin directory %s: %s",
		    pin_dir, strerror(-err));
		return err;
	}
	if (!is_bpffs(pin_dir)) {
		if (mount("bpffs", pin_dir, "bpf", 0, "mode=0700")) {
			err = -errno;
			say(why, whylen, "cannot mount a bpffs at %s: %s",
			    pin_dir, strerror(-err));
			return err;
		}
		*mounted = true;
	}
	return 0;
}

static int pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	if (snprintf(buf, len, "%s/%s", dir, name) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

static struct xhb_dataplane *dataplane_alloc(void)
{
	struct xhb_dataplane *dp = calloc(1, sizeof(*dp));

	if (!dp)
		return NULL;
	for (int i = 0; i < PIN_MAPS; i++)
		dp->map_fds[i] = -1;
	dp->link_fd = -1;
	return dp;
}

/*
 * Map xhb_self, so the agent's renewal every loop is a few stores rather
 * than a syscall. Pins from a build without BPF_F_MMAPABLE cannot be
 * mapped: then writes go through bpf_map_update_elem as before.
 */
static void map_self(struct xhb_dataplane *dp)
{
	long page = sysconf(_SC_PAGESIZE);
	void *m;

	dp->self_map_len = (sizeof(struct xhb_self) + page - 1) / page * page;
	m = mmap(NULL, dp->self_map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 dp->map_fds[MAP_SELF], 0);
	dp->self_map = m == MAP_FAILED ? NULL : m;
}

static int count_news(void *ctx, void *data, size_t len)
{
	(void)data;
	(void)len;
	((struct xhb_dataplane *)ctx)->news_seen++;
	return 0;
}

static struct bpf_map *skel_map(struct xhb_bpf *skel, int i)
{
	struct bpf_map *maps[PIN_MAPS] = {
		skel->maps.xhb_peers,
		skel->maps.xhb_self,
		skel->maps.xhb_keys,
		skel->maps.xhb_stats,
		skel->maps.xhb_vips,
		skel->maps.xhb_news,
		skel->maps.xhb_peer_groups,
	};

	return maps[i];
}

/*
 * A map pinned by a build whose layout differs (another value size, key,
 * type, size or flags) cannot be reused: libbpf would refuse to load the
 * program, and the node would stay down until an operator detached it.
 * Unpin it instead, so that a new one is created and pinned: the old
 * program keeps its map until the pinned link gets the new program. What
 * the map held starts afresh (for xhb_peers: the peers are heard again,
 * as after a reload that adds them); said in dataplane_maps_replaced.
 * Returns the stale map's fd (the caller closes it), or -1: the peers'
 * ids are copied from it before the new program is swapped in, or XDP
 * would drop their probes meanwhile and they would judge us dead.
 */
static int drop_stale_pin(struct xhb_dataplane *dp, int i, const char *path)
{
	const struct bpf_map *m = skel_map(dp->skel, i);
	struct bpf_map_info mi;
	__u32 len = sizeof(mi);
	size_t used = strlen(dp->info.replaced);
	int fd = bpf_obj_get(path);
	bool same;

	if (fd < 0)
		return -1;
	memset(&mi, 0, sizeof(mi));
	same = !bpf_obj_get_info_by_fd(fd, &mi, &len) &&
	       mi.type == (__u32)bpf_map__type(m) &&
	       mi.key_size == bpf_map__key_size(m) &&
	       mi.value_size == bpf_map__value_size(m) &&
	       mi.max_entries == bpf_map__max_entries(m) &&
	       mi.map_flags == bpf_map__map_flags(m);
	if (same || unlink(path)) {
		close(fd);
		return -1;
	}
	snprintf(dp->info.replaced + used, sizeof(dp->info.replaced) - used,
		 "%s%s", used ? "," : "", pinned_maps[i]);
	return fd;
}

/* The ids of the peers a replaced xhb_peers knew, as empty entries. */
static void copy_peer_ids(struct xhb_dataplane *dp, int stale_fd)
{
	__u32 key, next;
	bool first = true;

	while (!bpf_map_get_next_key(stale_fd, first ? NULL : &key, &next)) {
		(void)dataplane__add_peer(dp, next);
		key = next;
		first = false;
	}
}

/* Which mode the program on ifindex runs in (for adopted links too), and
 * prog_fd's id. */
static void query_mode(struct xhb_dataplane *dp, int prog_fd)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info pi;
	__u32 len = sizeof(pi);

	if (bpf_xdp_query(dp->info.ifindex, 0, &q) == 0)
		dp->info.generic = q.attach_mode == XDP_ATTACHED_SKB;
	memset(&pi, 0, sizeof(pi));
	if (prog_fd >= 0 && !bpf_obj_get_info_by_fd(prog_fd, &pi, &len))
		dp->info.prog_id = pi.id;
}

/*
 * Replace the program of a pinned link. A link whose interface is gone
 * (ifindex 0) or is another one is stale: unpin it and say so.
 */
static int adopt_link(struct xhb_dataplane *dp, const char *path, int prog_fd,
		      char *why, size_t whylen)
{
	struct bpf_link_info li;
	__u32 len = sizeof(li);
	int fd, err;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -ENOENT;
	memset(&li, 0, sizeof(li));
	if (bpf_obj_get_info_by_fd(fd, &li, &len) || li.type != BPF_LINK_TYPE_XDP ||
	    (int)li.xdp.ifindex != dp->info.ifindex) {
		close(fd);
		unlink(path);
		return -ENOENT;
	}
	err = bpf_link_update(fd, prog_fd, NULL);
	if (err) {
		err = -errno;
		say(why, whylen, "cannot replace the program of the pinned link %s: %s",
		    path, strerror(-err));
		close(fd);
		return err;
	}
	dp->link_fd = fd;
	dp->info.adopted = true;
	return 0;
}

/*
 * The egress fence: xhb_tc_egress at TC egress (a clsact qdisc, created if
 * missing). A filter of ours (this handle and priority) from an earlier
 * agent is replaced, so a restart swaps the program as for XDP. TC filters
 * live with the interface, not with a file descriptor: nothing to pin.
 */
#define EGRESS_HANDLE 0x58 /* 'X', as XHB_IFA_PROTO */
#define EGRESS_PRIORITY 0x58

static int attach_egress(struct xhb_dataplane *dp, const char *ifname,
			 char *why, size_t whylen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = dp->info.ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = EGRESS_HANDLE,
		    .priority = EGRESS_PRIORITY, .flags = BPF_TC_F_REPLACE,
		    .prog_fd = bpf_program__fd(dp->skel->progs.xhb_tc_egress));
	int err = bpf_tc_hook_create(&hook);

	if (err && err != -EEXIST) {
		say(why, whylen, "cannot add a clsact qdisc to %s for the egress fence: %s",
		    ifname, strerror(-err));
		return err;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		say(why, whylen, "cannot attach the egress fence (TC) to %s: %s",
		    ifname, strerror(-err));
	return err;
}

static void detach_egress(struct xhb_dataplane *dp)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = dp->info.ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = EGRESS_HANDLE,
		    .priority = EGRESS_PRIORITY);

	/* the qdisc stays: other programs may use it */
	(void)bpf_tc_detach(&hook, &opts);
}

static int create_link(struct xhb_dataplane *dp, int prog_fd,
		       enum xhb_xdp_mode mode, const char *ifname, char *why,
		       size_t whylen)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	int fd, err;

	lo.flags = mode == XHB_XDP_GENERIC ? XDP_FLAGS_SKB_MODE
					   : XDP_FLAGS_DRV_MODE;
	fd = bpf_link_create(prog_fd, dp->info.ifindex, BPF_XDP, &lo);
	if (fd < 0 && mode == XHB_XDP_AUTO &&
	    (errno == EOPNOTSUPP || errno == EINVAL)) {
		snprintf(dp->info.fallback, sizeof(dp->info.fallback),
			 "native XDP not supported on %s (%s): using generic mode",
			 ifname, strerror(errno));
		lo.flags = XDP_FLAGS_SKB_MODE;
		fd = bpf_link_create(prog_fd, dp->info.ifindex, BPF_XDP, &lo);
	}
	if (fd < 0) {
		err = -errno;
		if (err == -EBUSY || err == -EEXIST)
			say(why, whylen,
			    "another XDP program is attached to %s: remove it (ip link set dev %s xdp off) or detach xhb (xhbctl -i %s detach)",
			    ifname, ifname, ifname);
		else if (mode == XHB_XDP_NATIVE && err == -EOPNOTSUPP)
			say(why, whylen,
			    "native XDP not supported on %s: retry with xdp_mode generic",
			    ifname);
		else
			say(why, whylen, "cannot attach XDP to %s: %s", ifname,
			    strerror(-err));
		return err;
	}
	dp->link_fd = fd;
	return 0;
}

int dataplane__open(const struct xhb_dataplane_opts *opts,
		    struct xhb_dataplane **out, char *why, size_t whylen)
{
	char path[PATH_MAX];
	struct xhb_dataplane *dp;
	bool attach = !opts->load_only;
	int err, prog_fd, stale_peers = -1;

	*out = NULL;
	dp = dataplane_alloc();
	if (!dp)
		return -ENOMEM;

	if (attach) {
		dp->info.ifindex = if_nametoindex(opts->ifname ? opts->ifname : "");
		if (!dp->info.ifindex) {
			err = -ENODEV;
			say(why, whylen, "no interface %s", opts->ifname ? opts->ifname : "(none)");
			goto fail;
		}
		if (opts->pin_dir && opts->pin_dir[0])
			snprintf(dp->info.pin_dir, sizeof(dp->info.pin_dir),
				 "%s", opts->pin_dir);
		else
			snprintf(dp->info.pin_dir, sizeof(dp->info.pin_dir),
				 "%s/%s", XHB_PIN_ROOT, opts->ifname);
		err = prepare_pin_dir(dp->info.pin_dir, &dp->info.mounted_bpffs,
				      why, whylen);
		if (err)
			goto fail;
	}

	dp->skel = xhb_bpf__open();
	if (!dp->skel) {
		err = -errno;
		say(why, whylen, "cannot open the BPF object: %s", strerror(-err));
		goto fail;
	}
	if (opts->nports > XHB_MAX_PORTS) {
		err = -EINVAL;
		say(why, whylen, "%u UDP ports for XDP: at most %d", opts->nports,
		    XHB_MAX_PORTS);
		goto fail;
	}
	for (unsigned int i = 0; i < opts->nports; i++)
		dp->skel->rodata->cfg_ports[i] = htons(opts->ports[i]);
	if (opts->nports)
		dp->skel->rodata->cfg_nports = opts->nports;
	dp->skel->rodata->cfg_cluster_id = opts->cluster_id;
	for (int i = 0; attach && i < PIN_MAPS; i++) {
		err = pin_path(path, sizeof(path), dp->info.pin_dir, pinned_maps[i]);
		if (!err) {
			int stale = drop_stale_pin(dp, i, path);

			if (i == MAP_PEERS && stale >= 0)
				stale_peers = stale;
			else if (stale >= 0)
				close(stale);
			err = bpf_map__set_pin_path(skel_map(dp->skel, i), path);
		}
		if (err) {
			say(why, whylen, "cannot pin %s in %s: %s", pinned_maps[i],
			    dp->info.pin_dir, strerror(-err));
			goto fail;
		}
	}
	err = xhb_bpf__load(dp->skel);
	if (err) {
		say(why, whylen,
		    "cannot load the XDP program: %s%s (run with -v for the verifier log)",
		    strerror(-err),
		    attach ? "; if maps pinned by another xhb version are in the way, detach it first (xhbctl detach)"
			   : "");
		goto fail;
	}
	for (int i = 0; i < PIN_MAPS; i++)
		dp->map_fds[i] = bpf_map__fd(skel_map(dp->skel, i));
	if (stale_peers >= 0) {
		copy_peer_ids(dp, stale_peers);
		close(stale_peers);
		stale_peers = -1;
	}
	map_self(dp);
	dataplane_filter_adopted_vips(dp);
	dp->news = ring_buffer__new(dp->map_fds[MAP_NEWS], count_news, dp, NULL);
	if (!dp->news) {
		err = -errno;
		say(why, whylen, "cannot read XDP's news ring: %s", strerror(-err));
		goto fail;
	}
	if (!attach) {
		*out = dp;
		return 0;
	}

	prog_fd = bpf_program__fd(dp->skel->progs.xhb_xdp);
	err = pin_path(path, sizeof(path), dp->info.pin_dir, XHB_LINK_PIN);
	if (err)
		goto fail;
	err = adopt_link(dp, path, prog_fd, why, whylen);
	if (err == -ENOENT) {
		err = create_link(dp, prog_fd, opts->mode, opts->ifname, why,
				  whylen);
		if (!err && bpf_obj_pin(dp->link_fd, path)) {
			err = -errno;
			say(why, whylen, "cannot pin the XDP link at %s: %s",
			    path, strerror(-err));
		}
	}
	if (!err)
		err = attach_egress(dp, opts->ifname, why, whylen);
	if (err)
		goto fail;
	query_mode(dp, prog_fd);
	*out = dp;
	return 0;
fail:
	if (stale_peers >= 0)
		close(stale_peers);
	dataplane__close(dp);
	return err;
}

int dataplane__open_pinned(const char *pin_dir, struct xhb_dataplane **out,
			   char *why, size_t whylen)
{
	char path[PATH_MAX];
	struct xhb_dataplane *dp;
	struct bpf_link_info li;
	__u32 len = sizeof(li);
	int err;

	*out = NULL;
	dp = dataplane_alloc();
	if (!dp)
		return -ENOMEM;
	snprintf(dp->info.pin_dir, sizeof(dp->info.pin_dir), "%s", pin_dir);
	for (int i = 0; i < PIN_MAPS; i++) {
		err = pin_path(path, sizeof(path), pin_dir, pinned_maps[i]);
		if (err)
			goto fail;
		dp->map_fds[i] = bpf_obj_get(path);
		/* pinned by an agent from before group pages: none */
		if (dp->map_fds[i] < 0 && i == MAP_PEER_GROUPS && errno == ENOENT)
			continue;
		if (dp->map_fds[i] < 0) {
			err = -errno;
			say(why, whylen, "cannot open %s: %s (is xhbd running on this interface, with this pin_dir?)",
			    path, strerror(-err));
			goto fail;
		}
	}
	if (!pin_path(path, sizeof(path), pin_dir, XHB_LINK_PIN)) {
		dp->link_fd = bpf_obj_get(path);
		memset(&li, 0, sizeof(li));
		if (dp->link_fd >= 0 &&
		    !bpf_obj_get_info_by_fd(dp->link_fd, &li, &len)) {
			dp->info.ifindex = li.xdp.ifindex;
			query_mode(dp, -1);
		}
	}
	*out = dp;
	return 0;
fail:
	dataplane__close(dp);
	return err;
}

int dataplane__detach(struct xhb_dataplane *dp)
{
	char path[PATH_MAX];
	int err = 0;

	if (dp->link_fd >= 0 && bpf_link_detach(dp->link_fd) && errno != EINVAL)
		err = -errno;
	if (dp->info.ifindex)
		detach_egress(dp);
	for (int i = 0; i < PIN_MAPS; i++)
		if (!pin_path(path, sizeof(path), dp->info.pin_dir, pinned_maps[i]))
			unlink(path);
	if (!pin_path(path, sizeof(path), dp->info.pin_dir, XHB_LINK_PIN))
		unlink(path);
	if (dp->info.mounted_bpffs && strcmp(dp->info.pin_dir, XHB_BPFFS))
		umount2(dp->info.pin_dir, MNT_DETACH);
	rmdir(dp->info.pin_dir);
	return err;
}

void dataplane__close(struct xhb_dataplane *dp)
{
	if (!dp)
		return;
	if (dp->self_map)
		munmap(dp->self_map, dp->self_map_len);
	ring_buffer__free(dp->news);
	if (dp->link_fd >= 0)
		close(dp->link_fd);
	if (dp->skel)
		xhb_bpf__destroy(dp->skel); /* closes the map fds too */
	else
		for (int i = 0; i < PIN_MAPS; i++)
			if (dp->map_fds[i] >= 0)
				close(dp->map_fds[i]);
	free(dp);
}

const struct xhb_dataplane_info *dataplane__info(const struct xhb_dataplane *dp)
{
	return &dp->info;
}

int dataplane__prog_fd(const struct xhb_dataplane *dp)
{
	return dp->skel ? bpf_program__fd(dp->skel->progs.xhb_xdp) : -ENOENT;
}

int dataplane__egress_prog_fd(const struct xhb_dataplane *dp)
{
	return dp->skel ? bpf_program__fd(dp->skel->progs.xhb_tc_egress) : -ENOENT;
}

int dataplane_errno_or(int ret)
{
	return ret ? -errno : 0;
}

/*
 * Forget which life of the peer is live and its replay windows: after a
 * key change, what someone who held the old key made the maps believe (a
 * forged incarnation of 2^64 - 1 that locks the real node out) is gone,
 * and the next reply to our probe confirms the real one. Its times stay:
 * nobody is judged on a forgotten entry.
 */
static int reset_replay(struct xhb_dataplane *dp, __u32 node_id)
{
	struct xhb_peer p;

	if (bpf_map_lookup_elem_flags(dp->map_fds[MAP_PEERS], &node_id, &p, BPF_F_LOCK))
		return -errno;
	memset(&p.agent_replay, 0, sizeof(p.agent_replay));
	memset(&p.reply_replay, 0, sizeof(p.reply_replay));
	p.confirmed_incarnation = 0;
	p.info_incarnation = 0;
	p.agent_epoch = 0;
	return dataplane_errno_or(bpf_map_update_elem(dp->map_fds[MAP_PEERS], &node_id, &p,
					    BPF_F_LOCK | BPF_EXIST));
}

int dataplane__set_keys(struct xhb_dataplane *dp,
			const struct xhb_key keys[XHB_MAX_KEYS])
{
	bool had = false, changed = false;
	__u32 id = 0;
	int err;

	for (__u32 i = 0; i < XHB_MAX_KEYS; i++) {
		struct xhb_key old;

		if (!bpf_map_lookup_elem(dp->map_fds[MAP_KEYS], &i, &old)) {
			had |= old.method != XHB_AUTH_NONE;
			changed |= memcmp(&old, &keys[i], sizeof(old)) != 0;
		}
		err = dataplane_errno_or(bpf_map_update_elem(dp->map_fds[MAP_KEYS], &i,
						   &keys[i], BPF_ANY));
		if (err)
			return err;
	}
	if (!had || !changed)
		return 0;
	while (!dataplane__next_peer(dp, &id)) {
		err = reset_replay(dp, id);
		if (err && err != -ENOENT)
			return err;
	}
	return 0;
}

int dataplane__write_self(struct xhb_dataplane *dp, const struct xhb_self *self)
{
	struct xhb_self *m = dp->self_map;
	__u32 zero = 0;

	if (m) {
		/*
		 * XDP may read while we write. Lease first, held groups last:
		 * a reader sees either no groups held, or groups with a lease
		 * that runs, never groups with a stale or zero lease (which
		 * would fence our VIPs for a moment). Each field is one store.
		 */
		__atomic_store_n(&m->agent_update_ns, self->agent_update_ns,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&m->lease_ms, self->lease_ms, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		m->incarnation = self->incarnation;
		m->agent_epoch = self->agent_epoch;
		m->node_id = self->node_id;
		m->groups_wanted = self->groups_wanted;
		m->groups_refused = self->groups_refused;
		m->state = self->state;
		m->priority = self->priority;
		m->key_id = self->key_id;
		/* not junk_packets nor unheard_ns: XDP writes those */
		m->unheard_hold_ms = self->unheard_hold_ms;
		m->ping_up = self->ping_up;
		m->compact_ms = self->compact_ms;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		__atomic_store_n(&m->held_more, self->held_more,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&m->groups_held, self->groups_held,
				 __ATOMIC_RELAXED);
		return 0;
	}

	return dataplane_errno_or(bpf_map_update_elem(dp->map_fds[MAP_SELF], &zero, self,
					    BPF_ANY));
}

int dataplane__read_self(struct xhb_dataplane *dp, struct xhb_self *self)
{
	__u32 zero = 0;

	return dataplane_errno_or(bpf_map_lookup_elem(dp->map_fds[MAP_SELF], &zero, self));
}

int dataplane__add_peer(struct xhb_dataplane *dp, __u32 node_id)
{
	struct xhb_peer peer;
	int err;

	memset(&peer, 0, sizeof(peer));
	peer.node_id = node_id;
	err = dataplane_errno_or(bpf_map_update_elem(dp->map_fds[MAP_PEERS], &node_id,
					   &peer, BPF_NOEXIST));
	return err == -EEXIST ? 0 : err;
}

int dataplane__remove_peer(struct xhb_dataplane *dp, __u32 node_id)
{
	int err = dataplane_errno_or(bpf_map_delete_elem(dp->map_fds[MAP_PEERS], &node_id));

	for (__u32 p = 1; dp->map_fds[MAP_PEER_GROUPS] >= 0 && p < XHB_GROUP_PAGES; p++) {
		struct xhb_page_key k = {.node_id = node_id, .page = p};

		(void)bpf_map_delete_elem(dp->map_fds[MAP_PEER_GROUPS], &k);
	}

	return err == -ENOENT ? 0 : err;
}

int dataplane__peer(struct xhb_dataplane *dp, __u32 node_id,
		    struct xhb_peer *out)
{
	return dataplane_errno_or(bpf_map_lookup_elem_flags(dp->map_fds[MAP_PEERS],
						  &node_id, out, BPF_F_LOCK));
}

int dataplane__peer_pages(struct xhb_dataplane *dp, struct xhb_page_key *keys,
			  struct xhb_peer_page *pages, unsigned int max)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_F_LOCK);
	int fd = dp->map_fds[MAP_PEER_GROUPS];
	unsigned int total = 0;
	__u32 batch = 0, n;
	bool first = true;

	while (fd >= 0 && total < max) {
		int ret;

		n = max - total;
		ret = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch,
					   keys + total, pages + total, &n, &opts);
		total += n;
		first = false;
		if (ret)
			return errno == ENOENT ? (int)total : -errno;
	}
	return (int)total;
}

int dataplane__next_peer(struct xhb_dataplane *dp, __u32 *node_id)
{
	__u32 cur = *node_id;

	return dataplane_errno_or(bpf_map_get_next_key(dp->map_fds[MAP_PEERS],
					     cur ? &cur : NULL, node_id));
}

int dataplane__stats(struct xhb_dataplane *dp, struct xhb_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xhb_stats *percpu;
	__u32 zero = 0;
	int err;

	if (ncpu < 0)
		return ncpu;
	/* Per-CPU values are laid out 8-byte aligned; xhb_stats is all u64. */
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	err = dataplane_errno_or(bpf_map_lookup_elem(dp->map_fds[MAP_STATS], &zero, percpu));
	memset(sum, 0, sizeof(*sum));
	for (int cpu = 0; !err && cpu < ncpu; cpu++) {
		const __u64 *in = (const __u64 *)&percpu[cpu];
		__u64 *acc = (__u64 *)sum;

		for (size_t i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			acc[i] += in[i];
	}
	free(percpu);
	return err;
}

int dataplane__news_fd(const struct xhb_dataplane *dp)
{
	return dp->news ? ring_buffer__epoll_fd(dp->news) : -1;
}

int dataplane__news_drain(struct xhb_dataplane *dp)
{
	return dp->news ? ring_buffer__consume(dp->news) : 0;
}

__u64 dataplane__news_seen(const struct xhb_dataplane *dp)
{
	return dp->news_seen;
}

__u64 dataplane__junk(struct xhb_dataplane *dp)
{
	struct xhb_self self;

	if (dp->self_map)
		return __atomic_load_n(&dp->self_map->junk_packets,
				       __ATOMIC_RELAXED);
	return dataplane__read_self(dp, &self) ? 0 : self.junk_packets;
}

__u64 dataplane__unheard(struct xhb_dataplane *dp)
{
	struct xhb_self self;

	if (dp->self_map)
		return __atomic_load_n(&dp->self_map->unheard_ns, __ATOMIC_RELAXED);
	return dataplane__read_self(dp, &self) ? 0 : self.unheard_ns;
}

void dataplane__raise_unheard(struct xhb_dataplane *dp, __u64 t)
{
	/* XDP may write a newer one meanwhile: a race either way ends with
	 * a notice at most one loop old, within the hold */
	if (dp->self_map && __atomic_load_n(&dp->self_map->unheard_ns,
					    __ATOMIC_RELAXED) < t)
		__atomic_store_n(&dp->self_map->unheard_ns, t, __ATOMIC_RELAXED);
}
