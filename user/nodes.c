// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The node list changed at runtime, and STATE_DIR/nodes: see nodes.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_lex.h"
#include "nodes.h"

/* ---- the rules ------------------------------------------------------------ */

int xhb_nodes_check_add(const struct xhb_config *cfg, const char *name,
			char *err, size_t errlen)
{
	const char *why = cfg_node_name_problem(name);
	int at = xhb_config_node_index(cfg, name);

	if (why) {
		snprintf(err, errlen, "bad node name '%s': %s", name, why);
		return -EINVAL;
	}
	if (at >= 0) {
		snprintf(err, errlen, "%s is a node already (%s)", cfg->nodes[at].name,
			 cfg->nodes[at].added ? "added at runtime" : "a node line of ha.cf");
		return -EEXIST;
	}
	if (cfg->nnodes >= XHB_CONFIG_MAX_NODES) {
		snprintf(err, errlen, "the cluster has %u nodes, the most there can be",
			 cfg->nnodes);
		return -ENOSPC;
	}
	if (!cfg->cluster_id_set) {
		snprintf(err, errlen,
			 "this cluster's id %u is a hash of its node names (ha.cf has "
			 "no cluster_name or cluster_id): %s, which lists itself, would "
			 "compute another; first write 'cluster_id %u' in every node's "
			 "ha.cf, and reload each (nothing changes on the wire)",
			 cfg->cluster_id, name, cfg->cluster_id);
		return -EINVAL;
	}
	return 0;
}

int xhb_nodes_check_remove(const struct xhb_config *cfg, unsigned int n,
			   const struct xhb_node_seen *seen, char *err,
			   size_t errlen)
{
	const char *name = cfg->nodes[n].name;

	if (seen->self) {
		snprintf(err, errlen,
			 "%s is this node: stop xhbd here, then remove %s on the "
			 "other nodes", name, name);
		return -EINVAL;
	}
	for (unsigned int g = 0; g < cfg->ngroups; g++)
		if (cfg->groups[g].node_index == (int)n) {
			snprintf(err, errlen,
				 "%s is the preferred node of group %u (%s:%u): give "
				 "the group another node in haresources first",
				 name, g, cfg->haresources_path, cfg->groups[g].line);
			return -EBUSY;
		}
	if (seen->unknown) {
		snprintf(err, errlen,
			 "%s is not judged yet (never heard since this agent started, "
			 "initdead runs): retry once it is judged dead", name);
		return -EBUSY;
	}
	if (!seen->dead && !seen->left) {
		snprintf(err, errlen,
			 "%s is alive: stop xhbd on it first (a node is removed once "
			 "it is dead or has left)", name);
		return -EBUSY;
	}
	if (!seen->dead && seen->groups_held) {
		snprintf(err, errlen,
			 "%s is leaving but still holds %u group%s: wait "
			 "until it has let them go", name, seen->groups_held,
			 seen->groups_held == 1 ? "" : "s");
		return -EBUSY;
	}
	return 0;
}

void xhb_nodes_edit(const struct xhb_config *cfg, const char *name, bool add,
		    struct xhb_node_changes *out)
{
	const struct xhb_node_changes *in = &cfg->node_changes;
	bool undone = false;

	out->n = 0;
	for (unsigned int i = 0; i < in->n; i++) {
		if (!strcasecmp(in->at[i].name, name)) {
			/* the entry that made the list as it is (not one ha.cf
			 * made moot) is what this change undoes */
			undone = in->at[i].add != add && in->at[i].applied;
			continue;
		}
		out->at[out->n++] = in->at[i];
	}
	/* adding back a node line that an entry removed, or removing a node
	 * an entry added: dropping that entry was the change */
	if (undone || out->n >= XHB_NODE_CHANGES_MAX)
		return;
	out->at[out->n] = (struct xhb_node_change){.add = add};
	cfg_copy_str(out->at[out->n].name, sizeof(out->at[0].name), name);
	cfg_lowercase(out->at[out->n].name);
	out->n++;
}

int xhb_nodes_write(const char *path, const struct xhb_node_changes *ch)
{
	char tmp[XHB_PATH_MAX + 8], dir[XHB_PATH_MAX], *slash;
	FILE *f;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (slash && mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	fprintf(f, "# written by xhbd: the nodes added and removed with xhbctl node\n"
		   "# (hb_addnode, hb_delnode) beyond ha.cf's node lines\n");
	for (unsigned int i = 0; i < ch->n; i++)
		fprintf(f, "%s %s\n", ch->at[i].add ? "add" : "remove", ch->at[i].name);
	if (fflush(f) || fsync(fd))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	/* the rename itself must survive a crash */
	fd = slash ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		if (fsync(fd))
			err = -errno;
		close(fd);
	}
	return err;
}
