// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * What loading a configuration costs in memory (config.h): struct
 * xhb_config is tens of MB (1024 groups), of which the files use a few
 * pages. A fresh one (xhb_config_new(): its pages mapped on first touch)
 * must not be cleared, by the load or by the allocator, or every start
 * and every reload faults all of it in (the agent's RSS was 31 MB at
 * start, 59 MB after three reloads, and a reload took the loop 24 ms;
 * later 3-14 ms from the fourth reload on, calloc()'s own clearing); one
 * loaded before must be cleared, or a group the new files dropped would
 * linger.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cfgdir.h"

TestSuite(config_memory, .init = cfgdir_setup, .fini = cfgdir_teardown);

/* Pages of cfg resident now (mincore(2)). */
static size_t resident_pages(const struct xhb_config *cfg, size_t *total)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)cfg & ~(uintptr_t)(page - 1);
	size_t len = (uintptr_t)cfg + sizeof(*cfg) - start;
	size_t n = (len + (size_t)page - 1) / (size_t)page, in = 0;
	unsigned char *vec = calloc(n, 1);

	cr_assert(vec);
	cr_assert_eq(mincore((void *)start, len, vec), 0, "mincore: %s",
		     strerror(errno));
	for (size_t i = 0; i < n; i++)
		in += vec[i] & 1;
	free(vec);
	*total = n;
	return in;
}

Test(config_memory, a_fresh_configuration_is_not_touched_beyond_what_is_used)
{
	size_t total, in;

	cr_assert_eq(cfgdir_load("", "srv1 172.16.193.30\nsrv2 172.16.193.31\n",
				 NULL),
		     0, "%s", cfgdir.err);
	in = resident_pages(cfgdir.cfg, &total);
	cr_assert_gt(total, 1000, "struct xhb_config is %zu pages: not worth "
				  "this test any more", total);
	cr_expect_lt(in, total / 10,
		     "%zu of its %zu pages touched by one load", in, total);
}

/*
 * xhbd reads every configuration into a new one (at start, at each reload)
 * and gives the old back: however many came before, a new one's pages are
 * untouched until the load writes them.
 */
Test(config_memory, no_new_configuration_is_cleared)
{
	char err[512];

	cr_assert_eq(cfgdir_load("", "srv1 172.16.193.30\n", NULL), 0, "%s",
		     cfgdir.err);
	for (int i = 0; i < 8; i++) {
		struct xhb_config *cfg = xhb_config_new();
		size_t total, in;

		cr_assert(cfg);
		in = resident_pages(cfg, &total);
		cr_expect_lt(in, total / 10,
			     "configuration %d: %zu of its %zu pages touched "
			     "before its load",
			     i, in, total);
		cr_assert_eq(xhb_config_load(cfgdir.dir, cfg, err, sizeof(err)),
			     0, "%s", err);
		cr_assert_eq(cfg->ngroups, 1);
		xhb_config_free(cfg);
	}
}

Test(config_memory, a_configuration_loaded_before_is_cleared)
{
	static const struct xhb_group zero;

	cr_assert_eq(cfgdir_load("", "srv1 172.16.193.30\nsrv2 172.16.193.31\n",
				 NULL),
		     0, "%s", cfgdir.err);
	cr_assert_eq(cfgdir.cfg->ngroups, 2);
	cr_assert_eq(cfgdir_load("", "srv1 172.16.193.30\n", NULL), 0, "%s",
		     cfgdir.err);
	cr_expect_eq(cfgdir.cfg->ngroups, 1);
	cr_expect_eq(memcmp(&cfgdir.cfg->groups[1], &zero, sizeof(zero)), 0,
		     "the group the new files dropped lingers");
}
