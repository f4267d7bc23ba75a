// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* STATE_DIR/nodes read and applied over ha.cf's node lines, for
 * xhb_config_load_nodes(): see nodes.h. Apart from nodes.c (the rules and
 * the writing) so that the configuration's readers link alone (fuzzers). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config_lex.h"
#include "nodes.h"

int xhb_nodes_path(const struct xhb_config *cfg, char *buf, size_t len)
{
	return cfg_join_path(buf, len, cfg->state_dir, XHB_NODES_FILE) < 0
		   ? -ENAMETOOLONG
		   : 0;
}

/* A node line's rule (config_hacf.c): printable, no spaces, short. */
const char *cfg_node_name_problem(const char *name)
{
	if (!*name)
		return "an empty name";
	if (strlen(name) >= XHB_NAME_MAX)
		return "longer than 63 characters";
	for (const char *p = name; *p; p++)
		if (!isgraph((unsigned char)*p))
			return "a space or control character";
	return NULL;
}

/* ---- reading and applying (xhb_config_load_nodes) ------------------------ */

static int parse_line(struct loader *ld, unsigned int line, char *text,
		      struct xhb_node_changes *ch)
{
	char *cut = strchr(text, '#'), *w[3];
	struct xhb_node_change *c;
	const char *why;
	int n;

	if (cut)
		*cut = '\0';
	n = cfg_split(text, WHITESPACE, w, 3);
	if (!n)
		return 0;
	if (n != 2 || (strcmp(w[0], "add") && strcmp(w[0], "remove")))
		return cfg_fail(ld, line, EINVAL,
				"expected 'add NAME' or 'remove NAME' (the file is "
				"xhbd's: xhbctl node add|remove changes it)");
	why = cfg_node_name_problem(w[1]);
	if (why)
		return cfg_fail(ld, line, EINVAL, "node name '%s': %s", w[1], why);
	if (ch->n >= XHB_NODE_CHANGES_MAX)
		return cfg_fail(ld, line, EINVAL, "more than %d lines",
				XHB_NODE_CHANGES_MAX);
	c = &ch->at[ch->n++];
	cfg_copy_str(c->name, sizeof(c->name), w[1]);
	cfg_lowercase(c->name);
	c->add = !strcmp(w[0], "add");
	c->line = line;
	return 0;
}

/* STATE_DIR/nodes into ch; none when there is no such file. */
static int read_changes(struct loader *ld, const char *path,
			struct xhb_node_changes *ch)
{
	struct reader r;
	struct stat st;
	char *text;
	int err;

	ch->n = 0;
	if (stat(path, &st) && errno == ENOENT)
		return 0;
	ld->path = path;
	err = cfg_open(ld, &r, &st);
	while (!err && (err = cfg_next_line(ld, &r, &text)) > 0)
		err = parse_line(ld, r.line, text, ch);
	cfg_close(&r);
	return err;
}

static int apply_one(struct loader *ld, struct xhb_node_change *c)
{
	struct xhb_config *cfg = ld->cfg;
	int at = xhb_config_node_index(cfg, c->name);
	struct xhb_node *node;
	__u32 id;

	if (!c->add) {
		if (at < 0)
			return 0; /* ha.cf no longer lists it */
		c->applied = true;
		memmove(&cfg->nodes[at], &cfg->nodes[at + 1],
			(cfg->nnodes - (unsigned int)at - 1) * sizeof(cfg->nodes[0]));
		cfg->nnodes--;
		return 0;
	}
	if (at >= 0)
		return 0; /* ha.cf lists it now */
	if (cfg->nnodes >= XHB_CONFIG_MAX_NODES)
		return cfg_fail(ld, c->line, EINVAL,
				"add %s: too many nodes (max %d)", c->name,
				XHB_CONFIG_MAX_NODES);
	id = xhb_node_id(c->name);
	for (unsigned int i = 0; i < cfg->nnodes; i++)
		if (cfg->nodes[i].id == id)
			return cfg_fail(ld, c->line, EINVAL,
					"add %s: same node id %u as %s: rename one",
					c->name, id, cfg->nodes[i].name);
	c->applied = true;
	node = &cfg->nodes[cfg->nnodes++];
	*node = (struct xhb_node){.id = id, .line = c->line, .added = true};
	cfg_copy_str(node->name, sizeof(node->name), c->name);
	return 0;
}

int cfg_nodes_apply(struct loader *ld)
{
	struct xhb_config *cfg = ld->cfg;
	char path[XHB_PATH_MAX];
	int err = 0;

	if (!ld->nodes)
		return 0;
	if (xhb_nodes_path(cfg, path, sizeof(path)))
		return cfg_fail(ld, 0, ENAMETOOLONG, "state_dir too long");
	if (ld->changes)
		cfg->node_changes = *ld->changes;
	else
		err = read_changes(ld, path, &cfg->node_changes);
	ld->path = path;
	for (unsigned int i = 0; !err && i < cfg->node_changes.n; i++)
		err = apply_one(ld, &cfg->node_changes.at[i]);
	ld->path = cfg->hacf_path;
	return err;
}

