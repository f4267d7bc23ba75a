// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A reload's interfaces (xhb_ifaces_served(), xhb_ifaces_reroute()): a
 * configuration that names an interface xhbd did not attach its programs
 * to at start is refused with file:line, and changes nothing; one that
 * moves a VIP or a medium between served interfaces gives each its new
 * roles. In a private network namespace with three veth ends (the test's
 * process only).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ifaces.h"
#include "ifaces_cfg.h"

/* Heartbeats on medium_if (ha.cf line 3), group 0's address on vip_if
 * (haresources line 2), group 1's on vip1_if (line 4) unless NULL. */
static struct xhb_config *config(const char *medium_if, const char *vip_if,
				 const char *vip1_if)
{
	struct xhb_config *cfg = ifaces_config(medium_if, 3);

	cfg->ngroups = vip1_if ? 2 : 1;
	for (unsigned int g = 0; g < cfg->ngroups; g++)
		snprintf(cfg->groups[g].resources[0].iface,
			 sizeof(cfg->groups[g].resources[0].iface), "%s",
			 g ? vip1_if : vip_if);
	return cfg;
}

static struct xhb_iface *find(struct xhb_ifaces *fs, const char *name)
{
	for (unsigned int i = 0; i < fs->n; i++)
		if (!strcmp(fs->at[i].name, name))
			return &fs->at[i];
	cr_assert_fail("no interface %s", name);
	return NULL;
}

static void netns(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		cr_skip_test("unshare(CLONE_NEWNET): %s (needs root)",
			     strerror(errno));
	cr_assert_eq(system("ip link add xia type veth peer name xib && "
			    "ip link add xic type veth peer name xid"),
		     0);
}

/* Started with the medium on xia, group 0 on xib, group 1 on xia. */
static struct xhb_ifaces *started(void)
{
	struct xhb_config *cfg = config("xia", "xib", "xia");
	struct xhb_ifaces *fs = calloc(1, sizeof(*fs));
	char err[256] = "";

	cr_assert(fs);
	cr_assert_eq(xhb_ifaces_collect(fs, cfg, NULL, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(fs->n, 2);
	xhb_config_free(cfg);
	return fs;
}

Test(ifaces_reload, an_interface_not_served_is_refused_with_its_line)
{
	static const struct {
		const char *medium, *vip, *vip1, *want;
	} cases[] = {
	    {"xia", "xib", "xic", "haresources:4: xic is not one of the interfaces"},
	    {"xia", "xic", "xia", "haresources:2: xic is not one of the interfaces"},
	    {"xic", "xib", "xia", "ha.cf:3: xic is not one of the interfaces"},
	    {"xia", "xib", "xid", "haresources:4: xid is not one of the interfaces"},
	};

	netns();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xhb_ifaces *fs = started(), before;
		struct xhb_config *next =
		    config(cases[i].medium, cases[i].vip, cases[i].vip1);
		char err[256] = "";

		before = *fs;
		cr_expect_eq(xhb_ifaces_served(fs, next, NULL, err, sizeof(err)),
			     -ENODEV, "case %zu", i);
		cr_expect(strstr(err, cases[i].want), "case %zu: '%s', want '%s'",
			  i, err, cases[i].want);
		cr_expect(strstr(err, "restart xhbd"), "case %zu: %s", i, err);
		cr_expect_eq(memcmp(&before, fs, sizeof(before)), 0,
			     "case %zu: the interfaces changed", i);
		xhb_config_free(next);
		free(fs);
	}
}

Test(ifaces_reload, served_interfaces_take_their_new_roles)
{
	struct xhb_ifaces *fs;
	struct xhb_config *next;
	struct xhb_iface *a, *b;
	char err[256] = "";

	netns();
	fs = started();
	a = find(fs, "xia");
	b = find(fs, "xib");
	cr_assert(a->medium && a->vip && xhb_gset_has(&a->groups, 1));
	cr_assert(!b->medium && b->vip && xhb_gset_has(&b->groups, 0));

	/* Group 0 moves to xia, group 1 goes: xib serves nothing. */
	next = config("xia", "xia", NULL);
	cr_assert_eq(xhb_ifaces_served(fs, next, NULL, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(xhb_ifaces_reroute(fs, next, NULL), 0);
	cr_expect(a->medium && a->vip);
	cr_expect(xhb_gset_has(&a->groups, 0) && !xhb_gset_has(&a->groups, 1));
	cr_expect(!b->medium && !b->vip && !xhb_gset_has(&b->groups, 0),
		  "xib keeps a role it no longer has");
	cr_expect_eq(fs->n, 2, "an interface left is kept (its programs too)");
	xhb_config_free(next);

	/* Heartbeats move to xib, both groups to xia. */
	next = config("xib", "xia", "xia");
	cr_assert_eq(xhb_ifaces_served(fs, next, NULL, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(xhb_ifaces_reroute(fs, next, NULL), 0);
	cr_expect(!a->medium && a->vip && xhb_gset_has(&a->groups, 0) &&
		  xhb_gset_has(&a->groups, 1));
	cr_expect(b->medium && !b->vip, "xib is the medium now");
	xhb_config_free(next);
	free(fs);
}
