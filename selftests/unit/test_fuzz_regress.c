// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Replays the fuzzers' inputs through the fuzz targets' own code
 * (selftests/fuzz/fuzz_targets.h): the seed corpus and every input that
 * once crashed a target or broke one of its properties
 * (selftests/fuzz/regress/<target>/). In `make check` the sanitizers
 * watch them, as libFuzzer's build did; here the properties are checked.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../fuzz/fuzz_targets.h"

/* The top of the tree: $XHB_TOP, the working directory (selftests/run.sh
 * runs from there), or up from the binary (build/selftests/unit,
 * build/check/selftests/unit). */
static const char *top(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("XHB_TOP");
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	ssize_t n;

	if (env && *env)
		return env;
	if (access("selftests/fuzz/corpus", F_OK) == 0)
		return ".";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return ".";
	exe[n] = '\0';
	for (int up = 0; up < 5; up++) {
		char *slash = strrchr(exe, '/');

		if (!slash)
			break;
		*slash = '\0';
		snprintf(probe, sizeof(probe), "%s/selftests/fuzz/corpus", exe);
		if (access(probe, F_OK) == 0) {
			snprintf(dir, sizeof(dir), "%s", exe);
			return dir;
		}
	}
	return ".";
}

static __u8 *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	__u8 *data = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		/* Exactly len bytes on the heap: ASan sees a read past them. */
		data = malloc(len ? (size_t)len : 1);
		if (data && fread(data, 1, (size_t)len, f) != (size_t)len) {
			free(data);
			data = NULL;
		}
		*size = (size_t)len;
	}
	fclose(f);
	return data;
}

/* Every file of <top>/selftests/fuzz/<kind>/<target>; the count run. */
static int replay_dir(const char *kind, const char *target)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *de;
	int count = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/selftests/fuzz/%s/%s", top(), kind,
		 target);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		struct stat st;
		size_t size = 0;
		__u8 *data;
		int ret;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) ||
		    !S_ISREG(st.st_mode))
			continue;
		data = slurp(path, &size);
		cr_assert_not_null(data, "cannot read %s", path);
		ret = xhb_fuzz_run(target, data, size);
		free(data);
		cr_assert_eq(ret, 0, "%s: a property broke (see stderr)", path);
		count++;
	}
	closedir(d);
	return count;
}

static void replay(const char *target)
{
	int seeds = replay_dir("corpus", target);
	int regressions = replay_dir("regress", target);

	xhb_fuzz_cleanup();
	cr_assert_geq(seeds, 0, "reading the corpus of %s: %s", target,
		      strerror(-seeds));
	cr_assert_geq(regressions, 0, "reading the regressions of %s: %s",
		      target, strerror(-regressions));
	cr_assert_gt(seeds, 0,
		     "no seed corpus for %s under %s/selftests/fuzz/corpus",
		     target, top());
}

static void fini(void)
{
	xhb_fuzz_cleanup(); /* also after a failed assertion */
}

TestSuite(fuzz_regress, .fini = fini);

Test(fuzz_regress, hacf)
{
	replay("hacf");
}

Test(fuzz_regress, haresources)
{
	replay("haresources");
}

Test(fuzz_regress, authkeys)
{
	replay("authkeys");
}

Test(fuzz_regress, wire)
{
	replay("wire");
}

Test(fuzz_regress, frame)
{
	replay("frame");
}

/* The valid seeds do load: the corpus starts from working files. */
Test(fuzz_regress, valid_seeds_load)
{
	static const struct {
		const char *file, *seed;
	} valid[] = {
	    {"ha.cf", "hacf/lab"},
	    {"ha.cf", "hacf/lab-probe"},
	    {"ha.cf", "hacf/every-directive"},
	    {"haresources", "haresources/lab"},
	    {"haresources", "haresources/many"},
	    {"authkeys", "authkeys/lab"},
	    {"authkeys", "authkeys/all-methods"},
	};
	char path[PATH_MAX], err[512];

	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		size_t size = 0;
		__u8 *data;
		int ret;

		snprintf(path, sizeof(path), "%s/selftests/fuzz/corpus/%s",
			 top(), valid[i].seed);
		data = slurp(path, &size);
		cr_assert_not_null(data, "cannot read %s", path);
		cr_assert_eq(xhb_fuzz_setup(), 0);
		cr_assert_eq(xhb_fuzz_write(valid[i].file, data, size,
					    strcmp(valid[i].file, "authkeys")
						? 0644
						: 0600),
			     0);
		free(data);
		ret = xhb_config_load(xhb_fuzz.dir, xhb_fuzz.cfg, err,
				      sizeof(err));
		cr_assert_eq(ret, 0, "%s: %s", valid[i].seed, err);
		cr_assert_eq(xhb_fuzz_check_config(xhb_fuzz.cfg), 0, "%s",
			     valid[i].seed);
		xhb_fuzz_cleanup();
	}
}

/*
 * Found by fuzz_frame: xhb_frame_checksums_ok read the Ethernet, VLAN, IP
 * and UDP headers of a frame shorter than them. Every truncation of a
 * valid frame, each in a buffer of exactly its length, is now refused
 * without a read past it (ASan watches in `make check`).
 */
Test(fuzz_regress, frame_checksums_truncated)
{
	struct xhb_frame_spec specs[3] = {
	    {.family = AF_INET,
	     .src_port = 694,
	     .dst_port = 694,
	     .ip_options = 8},
	    {.family = AF_INET6, .src_port = 694, .dst_port = 694},
	    {.family = AF_INET, .vlan = 7, .src_port = 694, .dst_port = 694},
	};
	__u8 payload[XHB_HDR_LEN] = {1, 2, 3}, frame[256];

	for (size_t s = 0; s < 3; s++) {
		int full = xhb_frame_build(frame, sizeof(frame), &specs[s],
					   payload, sizeof(payload));

		cr_assert_gt(full, 0);
		for (int len = 0; len <= full; len++) {
			__u8 *copy = malloc(len ? (size_t)len : 1);

			cr_assert_not_null(copy);
			memcpy(copy, frame, (size_t)len);
			cr_assert_eq(xhb_frame_checksums_ok(copy, (size_t)len),
				     len == full, "spec %zu, %d of %d bytes", s,
				     len, full);
			free(copy);
		}
	}
}
