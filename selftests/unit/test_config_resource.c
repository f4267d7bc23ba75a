// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * ha.cf's resource_timeout and stop_failed_policy lines
 * (config_resource.c): a table of lines and the timeouts each script of
 * haresources gets, or the "ha.cf:LINE: ..." error they get.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "cfgdir.h"

#define dir cfgdir.dir
#define cfg cfgdir.cfg
#define err cfgdir.err

/* The seed's ha.cf (7 lines) plus the lines given; two groups running
 * apache (twice) and Filesystem. */
static int load_with(const char *lines)
{
	static const char *const scripts[] = {"apache", "Filesystem", NULL};

	return cfgdir_load(
	    lines,
	    "srv1 IPaddr::172.16.193.30/16/ens192 Filesystem::/dev/sda1::/data apache\n"
	    "srv2 172.16.193.31 apache::/etc/apache2/other.conf\n",
	    scripts);
}

TestSuite(config_resource, .init = cfgdir_setup, .fini = cfgdir_teardown);

#define S 1000ULL /* ms */

struct timeout_case {
	const char *lines;
	const char *error; /* NULL: loads; else the message after "DIR/" */
	/* ms: Filesystem start/stop, apache start/stop (both groups) */
	__u64 fs_start, fs_stop, apache_start, apache_stop;
	enum xhb_stop_failed_policy policy;
};

#define OK(l, fa, fo, aa, ao) {l, NULL, fa, fo, aa, ao, XHB_STOP_FAILED_BLOCK}
#define ERR(l, e) {l, e, 0, 0, 0, 0, 0}

static const struct timeout_case cases[] = {
    /* nothing said: 60 s each, blocked on a failed stop */
    OK("", 60 * S, 60 * S, 60 * S, 60 * S),
    OK("resource_timeout 90\n", 90 * S, 90 * S, 90 * S, 90 * S),
    OK("resource_timeout stop 2s\n", 60 * S, 2 * S, 60 * S, 2 * S),
    OK("resource_timeout start 500ms\n", 500, 60 * S, 500, 60 * S),
    OK("resource_timeout apache 120\n", 60 * S, 60 * S, 120 * S, 120 * S),
    OK("resource_timeout apache stop 1.5\n", 60 * S, 60 * S, 60 * S, 1500),
    /* a named script wins over the default, before or after it */
    OK("resource_timeout apache stop 5\nresource_timeout 30\n", 30 * S,
       30 * S, 30 * S, 5 * S),
    OK("resource_timeout 30\nresource_timeout apache stop 5\n", 30 * S,
       30 * S, 30 * S, 5 * S),
    /* the last line counts for one script and action; the other stays */
    OK("resource_timeout Filesystem 10\nresource_timeout Filesystem start 20\n",
       20 * S, 10 * S, 60 * S, 60 * S),
    OK("resource_timeout stop 3\nresource_timeout stop 4 # again\n", 60 * S,
       4 * S, 60 * S, 4 * S),
    OK("resource_timeout 100ms\n", 100, 100, 100, 100),
    {"stop_failed_policy release\n", NULL, 60 * S, 60 * S, 60 * S, 60 * S,
     XHB_STOP_FAILED_RELEASE},
    {"stop_failed_policy release\nstop_failed_policy block\n", NULL, 60 * S,
     60 * S, 60 * S, 60 * S, XHB_STOP_FAILED_BLOCK},
    ERR("resource_timeout\n",
	"ha.cf:8: resource_timeout: missing values (usage: resource_timeout "
	"[NAME] [start|stop] TIME)"),
    ERR("resource_timeout apache stop 5 6\n",
	"ha.cf:8: resource_timeout: too many values (usage: resource_timeout "
	"[NAME] [start|stop] TIME)"),
    ERR("resource_timeout 2x\n",
	"ha.cf:8: bad resource_timeout '2x': a time from 100ms to a day, in "
	"seconds (90, 1.5) or with a unit (500ms)"),
    ERR("resource_timeout stop 0\n",
	"ha.cf:8: bad resource_timeout '0': a time from 100ms to a day, in "
	"seconds (90, 1.5) or with a unit (500ms)"),
    ERR("resource_timeout stop 99ms\n",
	"ha.cf:8: bad resource_timeout '99ms': a time from 100ms to a day, in "
	"seconds (90, 1.5) or with a unit (500ms)"),
    ERR("resource_timeout 86401\n",
	"ha.cf:8: bad resource_timeout '86401': a time from 100ms to a day, in "
	"seconds (90, 1.5) or with a unit (500ms)"),
    ERR("resource_timeout apache restart 5\n",
	"ha.cf:8: resource_timeout: 'restart' is neither start nor stop "
	"(usage: resource_timeout [NAME] [start|stop] TIME)"),
    ERR("resource_timeout apache stop\n",
	"ha.cf:8: bad resource_timeout 'stop': a time from 100ms to a day, in "
	"seconds (90, 1.5) or with a unit (500ms)"),
    ERR("resource_timeout a/b 5\n",
	"ha.cf:8: resource_timeout: bad script name 'a/b': a name as "
	"haresources gives it (apache, Filesystem)"),
    ERR("\nresource_timeout apahce stop 5\n",
	"ha.cf:9: resource_timeout: no haresources entry runs a script named "
	"'apahce' (did you mean apache?)"),
    ERR("resource_timeout mysql stop 5\n",
	"ha.cf:8: resource_timeout: no haresources entry runs a script named "
	"'mysql'"),
    ERR("resource_timeout IPaddr 5\n",
	"ha.cf:8: resource_timeout: IPaddr is an address, added and removed "
	"by xhb itself: it runs no script and has no timeout"),
    ERR("stop_failed_policy ignore\n",
	"ha.cf:8: bad stop_failed_policy 'ignore': use block or release"),
    ERR("stop_failed_policy\n",
	"ha.cf:8: stop_failed_policy: missing values (usage: "
	"stop_failed_policy block|release)"),
};

static __u64 ms(__u64 ns)
{
	return ns / 1000000ULL;
}

Test(config_resource, timeout_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct timeout_case *c = &cases[i];
		const struct xhb_resource *fs, *apache0, *apache1;
		char want[512];
		int ret = load_with(c->lines);

		if (c->error) {
			snprintf(want, sizeof(want), "%s/%s", dir, c->error);
			cr_expect_eq(ret, -EINVAL, "'%s': loaded, want an error",
				     c->lines);
			cr_expect_str_eq(err, want, "'%s':\n  got  %s\n  want %s",
					 c->lines, err, want);
			continue;
		}
		cr_assert_eq(ret, 0, "'%s': %s", c->lines, err);
		fs = &cfg->groups[0].resources[1];
		apache0 = &cfg->groups[0].resources[2];
		apache1 = &cfg->groups[1].resources[1];
		cr_expect_eq(ms(fs->start_timeout_ns), c->fs_start, "'%s': %llu",
			     c->lines, ms(fs->start_timeout_ns));
		cr_expect_eq(ms(fs->stop_timeout_ns), c->fs_stop, "'%s': %llu",
			     c->lines, ms(fs->stop_timeout_ns));
		cr_expect_eq(ms(apache0->start_timeout_ns), c->apache_start,
			     "'%s': %llu", c->lines, ms(apache0->start_timeout_ns));
		cr_expect_eq(ms(apache0->stop_timeout_ns), c->apache_stop,
			     "'%s': %llu", c->lines, ms(apache0->stop_timeout_ns));
		/* every entry of a script gets the same, arguments or not */
		cr_expect_eq(apache1->start_timeout_ns, apache0->start_timeout_ns,
			     "'%s'", c->lines);
		cr_expect_eq(apache1->stop_timeout_ns, apache0->stop_timeout_ns,
			     "'%s'", c->lines);
		/* an address has none */
		cr_expect_eq(cfg->groups[0].resources[0].stop_timeout_ns, 0);
		cr_expect_eq(cfg->stop_failed_policy, c->policy, "'%s'", c->lines);
	}
}

/* The 30 s of earlier versions is gone: the default is documented as
 * 60 s for each action, and a reload sees a changed line. */
Test(config_resource, default_is_sixty_seconds_and_reload_sees_changes)
{
	cr_assert_eq(load_with(""), 0, "%s", err);
	cr_expect_eq(cfg->groups[0].resources[2].stop_timeout_ns,
		     XHB_RESOURCE_TIMEOUT_DEFAULT_NS);
	cr_expect_eq(XHB_RESOURCE_TIMEOUT_DEFAULT_NS, 60ULL * 1000000000ULL);
	cr_assert_eq(load_with("resource_timeout apache stop 7\n"), 0, "%s", err);
	cr_expect_eq(ms(cfg->groups[0].resources[2].stop_timeout_ns), 7 * S);
}
