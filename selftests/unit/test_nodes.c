// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The cluster's identity and its node list changed at runtime: the
 * cluster_name directive and the default id (config_cluster.c), the
 * STATE_DIR/nodes file read and applied over ha.cf (config_nodes.c), and
 * the rules of xhbctl node add|remove with the file they write (nodes.c).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "nodes.h"

static char dir[64];
static struct xhb_config *cfg;
static char err[1024];

static void put(const char *name, const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* ha.cf: the seed's, its state_dir in the test's directory, plus lines;
 * haresources: srv1's VIP. */
static void files(const char *lines)
{
	char hacf[1024];

	snprintf(hacf, sizeof(hacf),
		 "keepalive 2\ndeadtime 10\nbcast ens192\nnode srv1\nnode srv2\n"
		 "auto_failback off\nstate_dir %s/state\n%s",
		 dir, lines);
	put("ha.cf", hacf, 0644);
	put("haresources", "srv1 IPaddr::172.16.193.30/16/ens192\n", 0644);
	put("authkeys", "auth 1\n1 sha1 secret\n", 0600);
}

static int load_nodes(void)
{
	return xhb_config_load_nodes(dir, NULL, cfg, err, sizeof(err));
}

static void setup(void)
{
	char state[96];

	snprintf(dir, sizeof(dir), "/tmp/xhb-nodes.XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(state, sizeof(state), "%s/state", dir);
	cr_assert(!mkdir(state, 0700));
	cfg = xhb_config_new();
	cr_assert(cfg);
}

static void teardown(void)
{
	char cmd[128];

	xhb_config_free(cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(nodes, .init = setup, .fini = teardown);

static const char *names(const struct xhb_config *c)
{
	static char buf[512];
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < c->nnodes; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s%s", i ? " " : "",
					c->nodes[i].name, c->nodes[i].added ? "+" : "");
	return buf;
}

/* ---- the cluster's identity ----------------------------------------------- */

Test(nodes, default_id_is_the_old_one_and_ignores_runtime_nodes)
{
	files("");
	put("state/nodes", "add srv4\n", 0600);
	cr_assert_eq(load_nodes(), 0, "%s", err);
	cr_expect_str_eq(names(cfg), "srv1 srv2 srv4+");
	/* the value every version before cluster_name computed for the seed's
	 * two nodes (test_config's default): an upgrade changes no id */
	cr_expect_eq(cfg->cluster_id, 0xc9e96a03);
	cr_expect_not(cfg->cluster_id_set);
	cr_expect_str_eq(xhb_cluster_id_source(cfg), "node names");
}

Test(nodes, cluster_name_gives_an_id_independent_of_the_nodes)
{
	__u32 id;

	files("cluster_name web-lab\n");
	cr_assert_eq(xhb_config_load(dir, cfg, err, sizeof(err)), 0, "%s", err);
	id = cfg->cluster_id;
	cr_expect_eq(id, xhb_cluster_id_of_name("web-lab"));
	cr_expect_neq(id, 0xc9e96a03);
	cr_expect(cfg->cluster_id_set);
	cr_expect_str_eq(cfg->cluster_name, "web-lab");
	cr_expect_str_eq(xhb_cluster_id_source(cfg), "cluster_name");
	/* a third node line, and its order: the same id */
	files("node srv3\ncluster_name web-lab\n");
	cr_assert_eq(xhb_config_load(dir, cfg, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(cfg->cluster_id, id);
	/* another name, another id; never the node-name hash of one node of
	 * the same name */
	cr_expect_neq(xhb_cluster_id_of_name("web-lab2"), id);
	files("cluster_name srv1\n");
	cr_assert_eq(xhb_config_load(dir, cfg, err, sizeof(err)), 0, "%s", err);
	put("ha.cf", "bcast ens192\nnode srv1\n", 0644);
	put("haresources", "", 0644);
	cr_assert_eq(xhb_config_load(dir, cfg, err, sizeof(err)), 0, "%s", err);
	cr_expect_neq(cfg->cluster_id, xhb_cluster_id_of_name("srv1"));
}

Test(nodes, cluster_name_errors)
{
	files("cluster_id 7\ncluster_name web\n");
	cr_expect_eq(xhb_config_load(dir, cfg, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "ha.cf:9: cluster_name and cluster_id both given"), "%s", err);
	files("cluster_name a b\n");
	cr_expect_eq(xhb_config_load(dir, cfg, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "ha.cf:8: cluster_name: too many values"), "%s", err);
	files("cluster_name "
	      "a234567890123456789012345678901234567890123456789012345678901234\n");
	cr_expect_eq(xhb_config_load(dir, cfg, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "ha.cf:8: cluster_name 'a2345") &&
		      strstr(err, "longer than 63"),
		  "%s", err);
}

Test(nodes, reload_refuses_an_accidental_id_change)
{
	struct xhb_config *next = xhb_config_new();

	cr_assert(next);
	files("");
	cr_assert_eq(xhb_config_load(dir, cfg, err, sizeof(err)), 0, "%s", err);
	/* a node line added, no cluster_id: the default moves */
	files("node srv3\n");
	cr_assert_eq(xhb_config_load(dir, next, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(xhb_config_identity_check(cfg, next, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "write 'cluster_id 3387517443'"), "%s", err);
	/* the way out: the id written, then the node line */
	files("cluster_id 3387517443\nnode srv3\n");
	cr_assert_eq(xhb_config_load(dir, next, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(next->cluster_id, cfg->cluster_id);
	cr_expect_eq(xhb_config_identity_check(cfg, next, err, sizeof(err)), 0);
	/* an explicit change is obeyed (the operator restarts every node) */
	files("cluster_name other\n");
	cr_assert_eq(xhb_config_load(dir, next, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(xhb_config_identity_check(cfg, next, err, sizeof(err)), 0);
	xhb_config_free(next);
}

/* ---- STATE_DIR/nodes ------------------------------------------------------- */

Test(nodes, state_file_applied_over_hacf)
{
	files("cluster_name lab\nnode srv3\n");
	/* none: ha.cf's nodes */
	cr_assert_eq(load_nodes(), 0, "%s", err);
	cr_expect_str_eq(names(cfg), "srv1 srv2 srv3");
	cr_expect_eq(cfg->node_changes.n, 0);
	put("state/nodes", "# comment\n\nadd SRV4 # trailing\nremove srv3\nadd srv5\n", 0600);
	cr_assert_eq(load_nodes(), 0, "%s", err);
	cr_expect_str_eq(names(cfg), "srv1 srv2 srv4+ srv5+");
	cr_expect_eq(cfg->node_changes.n, 3);
	cr_expect_eq(cfg->nodes[2].id, xhb_node_id("srv4"));
	cr_expect_eq(cfg->nodes[2].line, 3, "the line in the file");
	/* haresources may name an added node; the group's index follows the
	 * final list */
	put("haresources", "srv5 IPaddr::172.16.193.30/16/ens192\n", 0644);
	cr_assert_eq(load_nodes(), 0, "%s", err);
	cr_expect_eq(cfg->groups[0].node_index, 3);
	/* entries ha.cf made moot are skipped: srv4 now a node line, srv3
	 * gone from it */
	files("cluster_name lab\nnode srv4\n");
	cr_assert_eq(load_nodes(), 0, "%s", err);
	cr_expect_str_eq(names(cfg), "srv1 srv2 srv4 srv5+");
	/* the plain loader never reads it */
	cr_assert_eq(xhb_config_load(dir, cfg, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(names(cfg), "srv1 srv2 srv4");
}

Test(nodes, state_file_errors)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
	    {"add\n", "state/nodes:1: expected 'add NAME' or 'remove NAME'"},
	    {"\nplus srv4\n", "state/nodes:2: expected 'add NAME' or 'remove NAME'"},
	    {"add srv4 srv5\n", "state/nodes:1: expected"},
	    {"add "
	     "a234567890123456789012345678901234567890123456789012345678901234\n",
	     "state/nodes:1: node name 'a2345"},
	};

	files("cluster_name lab\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put("state/nodes", cases[i].text, 0600);
		cr_expect_eq(load_nodes(), -EINVAL, "case %zu", i);
		cr_expect(strstr(err, cases[i].message), "case %zu: %s", i, err);
	}
	/* a removed node that haresources still prefers: haresources says */
	put("state/nodes", "remove srv1\n", 0600);
	cr_expect_eq(load_nodes(), -EINVAL);
	cr_expect(strstr(err, "haresources:1:") && strstr(err, "srv1"), "%s", err);
}

Test(nodes, changes_given_replace_the_file)
{
	struct xhb_node_changes ch = {.n = 1, .at = {{.name = "srv9", .add = true}}};

	files("cluster_name lab\n");
	put("state/nodes", "add srv4\n", 0600);
	cr_assert_eq(xhb_config_load_nodes(dir, &ch, cfg, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(names(cfg), "srv1 srv2 srv9+");
}

/* ---- the rules of xhbctl node add|remove ----------------------------------- */

Test(nodes, check_add)
{
	files("cluster_name lab\n");
	put("state/nodes", "add srv3\n", 0600);
	cr_assert_eq(load_nodes(), 0, "%s", err);
	cr_expect_eq(xhb_nodes_check_add(cfg, "srv4", err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(xhb_nodes_check_add(cfg, "SRV2", err, sizeof(err)), -EEXIST);
	cr_expect(strstr(err, "srv2 is a node already (a node line of ha.cf)"), "%s", err);
	cr_expect_eq(xhb_nodes_check_add(cfg, "srv3", err, sizeof(err)), -EEXIST);
	cr_expect(strstr(err, "added at runtime"), "%s", err);
	cr_expect_eq(xhb_nodes_check_add(cfg, "a b", err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "bad node name 'a b'"), "%s", err);
	cr_expect_eq(xhb_nodes_check_add(cfg, "", err, sizeof(err)), -EINVAL);
	/* the default id hangs on the node names: refused, with the way out */
	files("");
	cr_assert_eq(load_nodes(), 0, "%s", err);
	cr_expect_eq(xhb_nodes_check_add(cfg, "srv4", err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "write 'cluster_id 3387517443'"), "%s", err);
	/* full */
	files("cluster_id 5\n");
	cr_assert_eq(load_nodes(), 0, "%s", err);
	cfg->nnodes = XHB_CONFIG_MAX_NODES;
	cr_expect_eq(xhb_nodes_check_add(cfg, "srv4", err, sizeof(err)), -ENOSPC);
}

Test(nodes, check_remove)
{
	static const struct {
		const char *what;
		unsigned int node;
		struct xhb_node_seen seen;
		int ret;
		const char *message;
	} cases[] = {
	    {"a dead node", 2, {.dead = true}, 0, ""},
	    {"a dead node that held groups", 2, {.dead = true, .groups_held = 1}, 0, ""},
	    {"a node that left, holding nothing", 2, {.left = true}, 0, ""},
	    {"a node leaving, still holding", 2, {.left = true, .groups_held = 2},
	     -EBUSY, "srv3 is leaving but still holds 2 groups"},
	    {"a live node", 2, {0}, -EBUSY, "srv3 is alive: stop xhbd on it first"},
	    {"a node never heard, initdead running", 2, {.unknown = true}, -EBUSY,
	     "srv3 is not judged yet"},
	    {"this node", 1, {.self = true}, -EINVAL, "srv2 is this node"},
	    {"the preferred node of a group, dead", 0, {.dead = true}, -EBUSY,
	     "srv1 is the preferred node of group 0 ("},
	};

	files("cluster_name lab\nnode srv3\n");
	cr_assert_eq(load_nodes(), 0, "%s", err);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		cr_expect_eq(xhb_nodes_check_remove(cfg, cases[i].node, &cases[i].seen,
						    err, sizeof(err)),
			     cases[i].ret, "%s", cases[i].what);
		cr_expect(strstr(err, cases[i].message), "%s: %s", cases[i].what, err);
	}
}

Test(nodes, edit_then_write_then_read_back)
{
	struct xhb_node_changes ch;
	char path[128];

	files("cluster_name lab\nnode srv3\n");
	cr_assert_eq(load_nodes(), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/state/nodes", dir);
	/* add srv4 */
	xhb_nodes_edit(cfg, "SRV4", true, &ch);
	cr_assert_eq(xhb_nodes_write(path, &ch), 0);
	cr_assert_eq(load_nodes(), 0, "%s", err);
	cr_expect_str_eq(names(cfg), "srv1 srv2 srv3 srv4+");
	/* remove srv3, a node line */
	xhb_nodes_edit(cfg, "srv3", false, &ch);
	cr_assert_eq(xhb_nodes_write(path, &ch), 0);
	cr_assert_eq(load_nodes(), 0, "%s", err);
	cr_expect_str_eq(names(cfg), "srv1 srv2 srv4+");
	cr_expect_eq(cfg->node_changes.n, 2);
	/* add srv3 back: the removal goes, nothing is added */
	xhb_nodes_edit(cfg, "srv3", true, &ch);
	cr_expect_eq(ch.n, 1);
	cr_assert_eq(xhb_nodes_write(path, &ch), 0);
	cr_assert_eq(load_nodes(), 0, "%s", err);
	cr_expect_str_eq(names(cfg), "srv1 srv2 srv3 srv4+");
	/* remove srv4, added: the file is empty again */
	xhb_nodes_edit(cfg, "srv4", false, &ch);
	cr_expect_eq(ch.n, 0);
	cr_assert_eq(xhb_nodes_write(path, &ch), 0);
	cr_assert_eq(load_nodes(), 0, "%s", err);
	cr_expect_str_eq(names(cfg), "srv1 srv2 srv3");
	/* an entry ha.cf made moot is no undo: srv3 added, then listed by
	 * ha.cf; removing it must write a removal */
	put("state/nodes", "add srv3\n", 0600);
	cr_assert_eq(load_nodes(), 0, "%s", err);
	cr_expect_not(cfg->node_changes.at[0].applied);
	xhb_nodes_edit(cfg, "srv3", false, &ch);
	cr_assert_eq(ch.n, 1);
	cr_expect_not(ch.at[0].add);
	cr_expect_str_eq(ch.at[0].name, "srv3");
	/* no temporary file left behind */
	snprintf(path, sizeof(path), "%s/state/nodes.new", dir);
	cr_expect_neq(access(path, F_OK), 0);
}
