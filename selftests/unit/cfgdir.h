/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A configuration directory of a test's own, for the tests of ha.cf lines
 * that name haresources entries (checks, resource timeouts): the seed's
 * ha.cf plus the lines a case gives, the test's haresources, authkeys,
 * and resource.d scripts that exit 0. One per test (Criterion runs each
 * in its own process): cfgdir_setup() in .init, cfgdir_teardown() in
 * .fini; cfgdir_load() loads it into cfgdir.cfg, the error in cfgdir.err.
 */
#ifndef XHB_TEST_CFGDIR_H
#define XHB_TEST_CFGDIR_H

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"

static struct {
	char dir[64];
	struct xhb_config *cfg;
	char err[512];
} cfgdir;

/* Write DIR/name with text, mode. */
static inline void cfgdir_put(const char *name, const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cfgdir.dir, name);
	f = fopen(path, "w");
	cr_assert(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/*
 * The seed's ha.cf (7 lines: a case's first line is line 8) plus lines,
 * haresources as given, and an exiting-0 resource.d script for each name
 * of scripts (NULL-terminated); then load it.
 */
static inline int cfgdir_load(const char *lines, const char *haresources,
			      const char *const *scripts)
{
	char hacf[2048], path[96];

	snprintf(hacf, sizeof(hacf),
		 "keepalive 2\ndeadtime 10\nudpport 694\nbcast ens192\n"
		 "node srv1\nnode srv2\nauto_failback off\n%s", lines);
	cfgdir_put("ha.cf", hacf, 0644);
	cfgdir_put("haresources", haresources, 0644);
	cfgdir_put("authkeys", "auth 1\n1 sha1 secret\n", 0600);
	for (; scripts && *scripts; scripts++) {
		snprintf(path, sizeof(path), "resource.d/%s", *scripts);
		cfgdir_put(path, "#!/bin/sh\nexit 0\n", 0755);
	}
	return xhb_config_load(cfgdir.dir, cfgdir.cfg, cfgdir.err,
			       sizeof(cfgdir.err));
}

static inline int cfgdir_rm(const char *p, const struct stat *st, int f,
			    struct FTW *w)
{
	(void)st, (void)f, (void)w;
	return remove(p);
}

static inline void cfgdir_setup(void)
{
	char rd[96];

	snprintf(cfgdir.dir, sizeof(cfgdir.dir), "/tmp/xhb-cfgdir.XXXXXX");
	cr_assert(mkdtemp(cfgdir.dir));
	snprintf(rd, sizeof(rd), "%s/resource.d", cfgdir.dir);
	mkdir(rd, 0755);
	cfgdir.cfg = xhb_config_new();
	cr_assert(cfgdir.cfg);
}

static inline void cfgdir_teardown(void)
{
	xhb_config_free(cfgdir.cfg);
	nftw(cfgdir.dir, cfgdir_rm, 8, FTW_DEPTH | FTW_PHYS);
}

#endif /* XHB_TEST_CFGDIR_H */
