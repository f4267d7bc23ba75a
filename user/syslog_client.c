// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* A non-blocking syslog client: see syslog_client.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "clock.h"
#include "syslog_client.h"

/* A daemon that is not there is looked for again at most this often. */
#define RECONNECT_NS XHB_NS_PER_SEC
/* RFC 3164 asks for at most 1024 bytes; rsyslog takes 8 KiB by default. */
#define MAX_MESSAGE 2048

struct xhb_syslog {
	struct sockaddr_un addr;
	socklen_t addrlen;
	int fd; /* -1: not connected */
	int facility;
	char ident[32];
	__u64 next_try_ns;
	uint64_t dropped;
};

int xhb_syslog_facility(const char *name)
{
	static const struct {
		const char *name;
		int code;
	} names[] = {
	    {"auth", LOG_AUTH},	    {"authpriv", LOG_AUTHPRIV},
	    {"cron", LOG_CRON},	    {"daemon", LOG_DAEMON},
	    {"ftp", LOG_FTP},	    {"kern", LOG_KERN},
	    {"lpr", LOG_LPR},	    {"mail", LOG_MAIL},
	    {"news", LOG_NEWS},	    {"syslog", LOG_SYSLOG},
	    {"user", LOG_USER},	    {"uucp", LOG_UUCP},
	    {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
	    {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
	    {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
	    {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
	};

	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(name, names[i].name))
			return names[i].code;
	return -1;
}

static void disconnect(struct xhb_syslog *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static int connect_log(struct xhb_syslog *s)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&s->addr, s->addrlen)) {
		int err = -errno;

		close(fd);
		return err;
	}
	s->fd = fd;
	return 0;
}

int xhb_syslog__open(struct xhb_syslog **sp, const char *path, int facility,
		     const char *ident)
{
	struct xhb_syslog *s;

	*sp = NULL;
	if (!path || strlen(path) >= sizeof(s->addr.sun_path) || facility < 0 ||
	    !ident)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = -1;
	s->facility = facility;
	snprintf(s->ident, sizeof(s->ident), "%s", ident);
	s->addr.sun_family = AF_UNIX;
	memcpy(s->addr.sun_path, path, strlen(path) + 1);
	s->addrlen = (socklen_t)sizeof(s->addr);
	connect_log(s); /* no daemon yet is fine: tried again on send */
	*sp = s;
	return 0;
}

void xhb_syslog__close(struct xhb_syslog *s)
{
	if (!s)
		return;
	disconnect(s);
	free(s);
}

/* `<PRI>Mmm dd hh:mm:ss ident[pid]: text`, local time, as syslog(3). */
static size_t format(const struct xhb_syslog *s, int severity,
		     const char *text, char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	int n;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %T", &tm);
	n = snprintf(buf, len, "<%d>%s %s[%d]: %s",
		     s->facility | (severity & LOG_PRIMASK), stamp, s->ident,
		     (int)getpid(), text);
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

int xhb_syslog__send(struct xhb_syslog *s, int severity, const char *text)
{
	char msg[MAX_MESSAGE];
	size_t n;
	__u64 now;
	int err;

	if (!s)
		return 0;
	n = format(s, severity, text, msg, sizeof(msg));
	for (int attempt = 0; attempt < 2; attempt++) {
		if (s->fd < 0) {
			now = xhb_now_ns();
			if (now < s->next_try_ns) {
				err = -ENOTCONN;
				break;
			}
			err = connect_log(s);
			if (err) {
				s->next_try_ns = now + RECONNECT_NS;
				break;
			}
		}
		if (send(s->fd, msg, n, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
			return 0;
		err = -errno;
		/* The daemon restarted (its socket is new) or went away:
		 * connect again, once, now. A full queue is not retried. */
		if (err != -ECONNREFUSED && err != -ENOTCONN && err != -ENOENT)
			break;
		disconnect(s);
	}
	s->dropped++;
	return err;
}

uint64_t xhb_syslog__dropped(const struct xhb_syslog *s)
{
	return s ? s->dropped : 0;
}
