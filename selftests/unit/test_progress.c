// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Each group's transition recorded on disk (user/progress.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "progress.h"

static char dir[] = "/tmp/xhb-progress.XXXXXX";

static void setup(void)
{
	cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(progress, .init = setup, .fini = teardown);

Test(progress, missing_file_is_unknown)
{
	struct xhb_progress_file p;

	cr_assert_eq(xhb_progress_load(&p, dir), 0);
	cr_expect_not(p.known);
	for (int g = 0; g < XHB_PROGRESS_GROUPS; g++)
		cr_expect_eq(p.g[g], XHB_PROGRESS_NONE);
}

Test(progress, what_is_set_is_what_a_restart_loads)
{
	struct xhb_progress_file p, q;

	cr_assert_eq(xhb_progress_load(&p, dir), 0);
	cr_assert_eq(xhb_progress_set(&p, 0, XHB_PROGRESS_ACQUIRING), 0);
	cr_assert_eq(xhb_progress_set(&p, 5, XHB_PROGRESS_HELD), 0);
	cr_assert_eq(xhb_progress_set(&p, 31, XHB_PROGRESS_RELEASING), 0);
	cr_assert_eq(xhb_progress_set(&p, 5, XHB_PROGRESS_NONE), 0);
	cr_assert_eq(xhb_progress_set(&p, 7, XHB_PROGRESS_STOP_FAILED), 0);
	cr_assert_eq(xhb_progress_load(&q, dir), 0);
	cr_expect(q.known);
	cr_expect_eq(q.g[0], XHB_PROGRESS_ACQUIRING);
	cr_expect_eq(q.g[5], XHB_PROGRESS_NONE);
	cr_expect_eq(q.g[31], XHB_PROGRESS_RELEASING);
	/* a failed stop survives a restart: the group stays blocked */
	cr_expect_eq(q.g[7], XHB_PROGRESS_STOP_FAILED);
	cr_expect_str_eq(xhb_progress_name(XHB_PROGRESS_STOP_FAILED), "stop_failed");
	cr_expect_eq(xhb_progress_set(&q, XHB_PROGRESS_GROUPS, XHB_PROGRESS_HELD), -EINVAL);
	/* every group released: the file stays, empty, and says so */
	cr_assert_eq(xhb_progress_set(&q, 0, XHB_PROGRESS_NONE), 0);
	cr_assert_eq(xhb_progress_set(&q, 31, XHB_PROGRESS_NONE), 0);
	cr_assert_eq(xhb_progress_load(&p, dir), 0);
	cr_expect(p.known);
	cr_expect_eq(p.g[0], XHB_PROGRESS_NONE);
	cr_expect_str_eq(xhb_progress_name(XHB_PROGRESS_HELD), "held");
}

/* A record written when groups were 32 at most (the same lines, groups
 * 0..31) is read as it is: a restarted or upgraded agent re-adopts what
 * it held; groups past 31 round-trip too. */
Test(progress, record_of_32_groups_read_and_groups_past_31_kept)
{
	struct xhb_progress_file p, q;
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/groups", dir);
	f = fopen(path, "w");
	cr_assert(f);
	/* as the agent of 32 groups wrote it */
	fputs("0 held\n3 acquiring\n17 stop_failed\n31 releasing\n", f);
	fclose(f);
	cr_assert_eq(xhb_progress_load(&p, dir), 0);
	cr_expect(p.known);
	cr_expect_eq(p.g[0], XHB_PROGRESS_HELD);
	cr_expect_eq(p.g[3], XHB_PROGRESS_ACQUIRING);
	cr_expect_eq(p.g[17], XHB_PROGRESS_STOP_FAILED);
	cr_expect_eq(p.g[31], XHB_PROGRESS_RELEASING);
	cr_expect_eq(p.g[1], XHB_PROGRESS_NONE);

	cr_assert_eq(xhb_progress_set(&p, 700, XHB_PROGRESS_HELD), 0);
	cr_assert_eq(xhb_progress_set(&p, 1023, XHB_PROGRESS_STOP_FAILED), 0);
	cr_assert_eq(xhb_progress_load(&q, dir), 0);
	cr_expect_eq(q.g[0], XHB_PROGRESS_HELD, "what was there stays");
	cr_expect_eq(q.g[700], XHB_PROGRESS_HELD);
	cr_expect_eq(q.g[1023], XHB_PROGRESS_STOP_FAILED);
}

/* A batch: noted groups reach the file with one flush, not before. */
Test(progress, noted_then_flushed_at_once)
{
	struct xhb_progress_file p, q;

	cr_assert_eq(xhb_progress_load(&p, dir), 0);
	for (unsigned int g = 0; g < XHB_PROGRESS_GROUPS; g++)
		cr_assert_eq(xhb_progress_note(&p, g, XHB_PROGRESS_STOP_FAILED), 0);
	cr_assert_eq(xhb_progress_load(&q, dir), 0);
	cr_expect_not(q.known, "nothing written before the flush");
	cr_assert_eq(xhb_progress_flush(&p), 0);
	cr_assert_eq(xhb_progress_load(&q, dir), 0);
	for (unsigned int g = 0; g < XHB_PROGRESS_GROUPS; g++)
		cr_expect_eq(q.g[g], XHB_PROGRESS_STOP_FAILED, "group %u", g);
}
