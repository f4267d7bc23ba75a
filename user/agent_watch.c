// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The fds the loop always waits on (signals, netlink, the control socket,
 * XDP's news rings) behind one epoll fd: ppoll() then looks at one fd
 * where it looked at each of them every wake-up (each costs the kernel a
 * poll call and a wait queue entry added and removed, about a microsecond
 * on the lab's VM), and only when it is ready does epoll_wait() say which.
 * The set is rebuilt when it changes, and after each reload or change of
 * nodes (gen): a file closed leaves the epoll set by itself, and the fd
 * number of a file opened since could be the same.
 * Without epoll, the fds are polled one by one as before.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "agent_int.h"

static bool same_set(const struct xhb_agent_watch *w, const int *fds,
		     unsigned int n)
{
	return w->n == n && !memcmp(w->fds, fds, n * sizeof(fds[0]));
}

static int rebuild(struct xhb_agent_watch *w, unsigned int gen, const int *fds,
		   unsigned int n)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0)
		return -errno;
	for (unsigned int i = 0; i < n; i++) {
		struct epoll_event e = {.events = EPOLLIN, .data.u32 = i};

		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e)) {
			int err = -errno;

			close(ep);
			return err;
		}
	}
	xhb_agent_watch_close(w);
	w->fd = ep;
	w->gen = gen;
	w->n = n;
	memcpy(w->fds, fds, n * sizeof(fds[0]));
	return 0;
}

unsigned int xhb_agent_watch_pollfds(struct xhb_agent_watch *w,
				     unsigned int gen, const int *fds,
				     unsigned int n, struct pollfd *pfd)
{
	if ((w->fd < 0 || w->gen != gen || !same_set(w, fds, n)) &&
	    rebuild(w, gen, fds, n))
		xhb_agent_watch_close(w); /* one by one, this time */
	if (w->fd >= 0) {
		pfd[0] = (struct pollfd){.fd = w->fd, .events = POLLIN};
		return 1;
	}
	for (unsigned int i = 0; i < n; i++)
		pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
	return n;
}

void xhb_agent_watch_ready(struct xhb_agent_watch *w, const struct pollfd *pfd,
			   unsigned int n, bool *ready)
{
	struct epoll_event ev[XHB_AGENT_WATCH_MAX];
	int got;

	if (w->fd < 0) {
		for (unsigned int i = 0; i < n; i++)
			ready[i] = pfd[i].revents != 0;
		return;
	}
	memset(ready, 0, n * sizeof(ready[0]));
	if (!pfd[0].revents)
		return;
	got = epoll_wait(w->fd, ev, XHB_AGENT_WATCH_MAX, 0);
	for (int i = 0; i < got; i++)
		if (ev[i].data.u32 < n)
			ready[ev[i].data.u32] = true;
}

void xhb_agent_watch_close(struct xhb_agent_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->n = 0;
}
