// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The incarnation counter on disk: see incarnation.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "incarnation.h"

#define COUNTER "incarnation"

/* The counter's value, 0 when there is none yet; -errno on a bad file. */
static int read_counter(const char *path, __u64 *value)
{
	char buf[32], *end;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	*value = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	errno = 0;
	*value = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	return 0;
}

static int write_counter(const char *dir, const char *path, __u64 value)
{
	char tmp[PATH_MAX], text[32];
	int fd, dfd, len, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	len = snprintf(text, sizeof(text), "%" PRIu64 "\n", (uint64_t)value);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != len || fsync(fd))
		ret = errno ? -errno : -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return ret;
	}
	/* the rename itself must survive a crash */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (fsync(dfd))
		ret = -errno;
	close(dfd);
	return ret;
}

int xhb_incarnation_next(const char *state_dir, __u64 floor, __u64 *out,
			 char *err, size_t errlen)
{
	char path[PATH_MAX];
	__u64 last, next;
	int ret;

	if (mkdir(state_dir, 0700) && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "state_dir %s: cannot create it: %s (set state_dir in ha.cf to a writable directory)",
			 state_dir, strerror(-ret));
		return ret;
	}
	if (snprintf(path, sizeof(path), "%s/%s", state_dir, COUNTER) >=
	    (int)sizeof(path) - 8) {
		snprintf(err, errlen, "state_dir %s: path too long", state_dir);
		return -ENAMETOOLONG;
	}
	ret = read_counter(path, &last);
	if (ret) {
		snprintf(err, errlen, "%s: unreadable incarnation counter: %s (remove it: the next start counts from the clock)",
			 path, strerror(-ret));
		return ret;
	}
	next = last ? last + 1 : xhb_real_ns();
	if (next < floor)
		next = floor;
	ret = write_counter(state_dir, path, next);
	if (ret) {
		snprintf(err, errlen, "%s: cannot write the incarnation counter: %s",
			 path, strerror(-ret));
		return ret;
	}
	*out = next;
	return 0;
}
