// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The incarnation counter on disk (user/incarnation.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/types.h>

#include "clock.h"
#include "incarnation.h"

static char dir[] = "/tmp/xhb-incarnation.XXXXXX";
static char state[256];

static void setup(void)
{
	cr_assert(mkdtemp(dir));
	snprintf(state, sizeof(state), "%s/state", dir);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(incarnation, .init = setup, .fini = teardown);

static __u64 next(__u64 floor)
{
	char err[256] = "";
	__u64 v = 0;

	cr_assert_eq(xhb_incarnation_next(state, floor, &v, err, sizeof(err)), 0,
		     "%s", err);
	return v;
}

static void write_counter(const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/incarnation", state);
	f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
}

Test(incarnation, counts_up_from_the_clock_and_never_back)
{
	__u64 t = xhb_real_ns(), first = next(0), second;
	struct stat st;

	cr_expect_geq(first, t, "the first one starts from the clock");
	cr_assert_eq(stat(state, &st), 0, "the directory is created");
	cr_expect_eq(st.st_mode & 0777, 0700);
	second = next(0);
	cr_expect_eq(second, first + 1);
	/* the clock going back changes nothing: it is read only once */
	write_counter("5\n");
	cr_expect_eq(next(0), 6, "the counter, not the clock");
}

Test(incarnation, floor_from_the_pins_wins)
{
	next(0);
	write_counter("100\n");
	cr_expect_eq(next(5000), 5000, "a counter lost with its disk");
	cr_expect_eq(next(0), 5001);
}

Test(incarnation, bad_counter_is_an_error_that_says_what_to_do)
{
	char err[256] = "";
	__u64 v = 0;

	next(0);
	write_counter("12abc\n");
	cr_expect_eq(xhb_incarnation_next(state, 0, &v, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "unreadable incarnation counter") && strstr(err, "remove it"),
		  "%s", err);
}

Test(incarnation, unusable_directory_is_an_error)
{
	char err[256] = "", path[PATH_MAX];
	__u64 v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/file", dir);
	f = fopen(path, "w");
	cr_assert(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/file/state", dir);
	cr_expect_eq(xhb_incarnation_next(path, 0, &v, err, sizeof(err)), -ENOTDIR);
	cr_expect(strstr(err, "state_dir") != NULL, "%s", err);
}
