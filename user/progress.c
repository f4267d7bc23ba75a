// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Each group's transition, on disk: see progress.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"

static const char *const names[] = {
	[XHB_PROGRESS_NONE] = "none",
	[XHB_PROGRESS_ACQUIRING] = "acquiring",
	[XHB_PROGRESS_HELD] = "held",
	[XHB_PROGRESS_RELEASING] = "releasing",
	[XHB_PROGRESS_STOP_FAILED] = "stop_failed",
};

const char *xhb_progress_name(enum xhb_progress state)
{
	return (unsigned int)state <= XHB_PROGRESS_STOP_FAILED ? names[state] : "none";
}

int xhb_progress_load(struct xhb_progress_file *p, const char *state_dir)
{
	char word[16];
	unsigned int g;
	FILE *f;

	memset(p, 0, sizeof(*p));
	if (snprintf(p->path, sizeof(p->path), "%s/groups", state_dir) >=
	    (int)sizeof(p->path))
		return -ENAMETOOLONG;
	f = fopen(p->path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	p->known = true;
	while (fscanf(f, "%u %15s", &g, word) == 2) {
		if (g >= XHB_PROGRESS_GROUPS)
			continue;
		for (int s = XHB_PROGRESS_ACQUIRING; s <= XHB_PROGRESS_STOP_FAILED; s++)
			if (!strcmp(word, names[s]))
				p->g[g] = s;
	}
	fclose(f);
	return 0;
}

int xhb_progress_note(struct xhb_progress_file *p, unsigned int g,
		      enum xhb_progress state)
{
	if (g >= XHB_PROGRESS_GROUPS || !p->path[0])
		return -EINVAL;
	p->dirty |= p->g[g] != state;
	p->g[g] = state;
	return 0;
}

int xhb_progress_set(struct xhb_progress_file *p, unsigned int g,
		     enum xhb_progress state)
{
	int ret = xhb_progress_note(p, g, state);

	if (ret)
		return ret;
	p->dirty = true; /* written even when unchanged, as it always was */
	return xhb_progress_flush(p);
}

int xhb_progress_flush(struct xhb_progress_file *p)
{
	/* "1023 stop_failed\n" is 17 bytes */
	static char text[XHB_PROGRESS_GROUPS * 24];
	char tmp[sizeof(p->path) + 8];
	int fd, len = 0, ret = 0;

	if (!p->dirty)
		return 0;
	if (!p->path[0])
		return -EINVAL;
	for (unsigned int i = 0; i < XHB_PROGRESS_GROUPS; i++)
		if (p->g[i] != XHB_PROGRESS_NONE)
			len += snprintf(text + len, sizeof(text) - len, "%u %s\n",
					i, names[p->g[i]]);
	snprintf(tmp, sizeof(tmp), "%s.new", p->path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != len)
		ret = errno ? -errno : -EIO;
	close(fd);
	if (!ret && rename(tmp, p->path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
	} else {
		p->known = true;
		p->dirty = false;
	}
	return ret;
}
