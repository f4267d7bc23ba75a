// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * config_cluster: the cluster's identity, the id every packet carries and
 * the salt of the keys derived from authkeys secrets (kdf.h). XDP drops a
 * packet carrying another id, so every node must compute the same one, and
 * must keep computing it while nodes come and go:
 *
 *   cluster_id N       the id itself
 *   cluster_name NAME  SipHash of NAME (XHB_CLUSTER_NAME_KEY): a name the
 *                      operator chose, that no membership change touches
 *   neither            the hash of ha.cf's sorted node names: what every
 *                      version before cluster_name did, kept so that an
 *                      upgrade changes nothing on the wire. Nodes added at
 *                      runtime do not count; a node line added in ha.cf
 *                      does, which a reload refuses (identity check below).
 *
 * Why not derive the default from the authkeys secret and the port, which
 * all members share? One captured packet shows the id: an id that a cheap
 * hash of the secret gives would let anyone test guesses of the secret at
 * hash speed, around the Argon2id cost kdf.h puts on each guess; and two
 * clusters on one segment with the seed's secret would merge.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_lex.h"

__u32 xhb_cluster_id_of_name(const char *name)
{
	__u32 id = (__u32)cfg_siphash(XHB_CLUSTER_NAME_KEY, name, strlen(name));

	return id ? id : 1;
}

const char *xhb_cluster_id_source(const struct xhb_config *cfg)
{
	if (cfg->cluster_name[0])
		return "cluster_name";
	return cfg->cluster_id_set ? "cluster_id" : "node names";
}

int dir_cluster_name(struct loader *ld, const struct directive *d,
		     unsigned int line, char **v, int n)
{
	(void)d;
	(void)n;
	if (strlen(v[0]) >= XHB_NAME_MAX)
		return cfg_fail(ld, line, EINVAL,
				"cluster_name '%s' longer than %d characters",
				v[0], XHB_NAME_MAX - 1);
	for (const char *p = v[0]; *p; p++)
		if (!isgraph((unsigned char)*p))
			return cfg_fail(ld, line, EINVAL,
					"cluster_name '%s' has a control character",
					v[0]);
	cfg_copy_str(ld->cfg->cluster_name, sizeof(ld->cfg->cluster_name), v[0]);
	ld->cluster_name_line = line;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Two clusters on one segment with different node sets get different ids
 * without anyone choosing them. Sorted, so the order of the node lines
 * does not matter. */
static __u32 default_cluster_id(const struct xhb_config *cfg)
{
	const char *names[XHB_CONFIG_MAX_NODES];
	char joined[XHB_CONFIG_MAX_NODES * XHB_NAME_MAX];
	size_t len = 0;
	unsigned int i;
	__u32 id;

	for (i = 0; i < cfg->nnodes; i++)
		names[i] = cfg->nodes[i].name;
	qsort(names, cfg->nnodes, sizeof(names[0]), cmp_names);
	for (i = 0; i < cfg->nnodes; i++) {
		size_t l = strlen(names[i]);

		if (i)
			joined[len++] = '\n';
		memcpy(joined + len, names[i], l);
		len += l;
	}
	id = (__u32)cfg_siphash(XHB_CLUSTER_ID_KEY, joined, len);
	return id ? id : 1;
}

int cfg_cluster_finish(struct loader *ld, unsigned int cluster_id_line)
{
	struct xhb_config *cfg = ld->cfg;
	unsigned int name_line = ld->cluster_name_line;

	if (name_line && cluster_id_line)
		return cfg_fail(ld, name_line > cluster_id_line ? name_line : cluster_id_line,
				EINVAL,
				"cluster_name and cluster_id both given (lines %u "
				"and %u): keep one",
				name_line, cluster_id_line);
	if (name_line) {
		cfg->cluster_id = xhb_cluster_id_of_name(cfg->cluster_name);
		cfg->cluster_id_set = true;
	} else if (!cfg->cluster_id_set) {
		/* ha.cf's nodes only: runtime changes come after this */
		cfg->cluster_id = default_cluster_id(cfg);
	}
	return 0;
}

int xhb_config_identity_check(const struct xhb_config *old,
			      const struct xhb_config *next, char *err,
			      size_t errlen)
{
	/* a cluster_id or cluster_name written on purpose is obeyed */
	if (next->cluster_id_set || next->cluster_id == old->cluster_id)
		return 0;
	snprintf(err, errlen,
		 "%s: the node lines changed, and with them the cluster id, a hash "
		 "of the node names (%u, now %u): the peers still on %u would no "
		 "longer be heard; to keep it, write 'cluster_id %u' on every node "
		 "(nothing changes on the wire), then change the node lines",
		 next->hacf_path, old->cluster_id, next->cluster_id,
		 old->cluster_id, old->cluster_id);
	return -EINVAL;
}
