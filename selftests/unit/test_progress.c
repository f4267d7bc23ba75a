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
	cr_expect_eq(xhb_progress_set(&q, 32, XHB_PROGRESS_HELD), -EINVAL);
	/* every group released: the file stays, empty, and says so */
	cr_assert_eq(xhb_progress_set(&q, 0, XHB_PROGRESS_NONE), 0);
	cr_assert_eq(xhb_progress_set(&q, 31, XHB_PROGRESS_NONE), 0);
	cr_assert_eq(xhb_progress_load(&p, dir), 0);
	cr_expect(p.known);
	cr_expect_eq(p.g[0], XHB_PROGRESS_NONE);
	cr_expect_str_eq(xhb_progress_name(XHB_PROGRESS_HELD), "held");
}
