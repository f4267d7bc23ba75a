// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* JSON event emitter: see events.h and docs/events.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events.h"

/* Reals (detection_ms, duration_ms) keep microseconds without printing
 * binary noise such as 12.300000000000001. */
#define EVENT_DUMP_FLAGS \
	(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

struct event_sink {
	int fd;
	/* The first failure is shown on stderr, the others only counted, so
	 * a full disk does not flood the journal once per event. */
	bool reported;
};

struct xhb_events {
	char *node;
	char *logfile;
	struct event_sink log;
	struct event_sink out;
	uint64_t seq;
	uint64_t write_errors;
};

/* Fields the emitter owns; a caller's value for them is ignored. */
static const char *const common_fields[] = {
    "time", "mono_ns", "seq", "node", "event",
};

static int open_logfile(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

	return fd < 0 ? -errno : fd;
}

int xhb_events__open(struct xhb_events **emp, const char *node,
		     const char *logfile, bool to_stdout)
{
	struct xhb_events *em;
	int err = -ENOMEM;

	*emp = NULL;
	if (!node || !*node)
		return -EINVAL;
	em = calloc(1, sizeof(*em));
	if (!em)
		return -ENOMEM;
	em->log.fd = -1;
	em->out.fd = to_stdout ? STDOUT_FILENO : -1;
	em->node = strdup(node);
	if (!em->node)
		goto err;
	if (logfile) {
		em->logfile = strdup(logfile);
		if (!em->logfile)
			goto err;
		em->log.fd = open_logfile(logfile);
		if (em->log.fd < 0) {
			err = em->log.fd;
			goto err;
		}
	}
	*emp = em;
	return 0;
err:
	xhb_events__close(em);
	return err;
}

void xhb_events__close(struct xhb_events *em)
{
	if (!em)
		return;
	if (em->log.fd >= 0)
		close(em->log.fd);
	free(em->logfile);
	free(em->node);
	free(em);
}

int xhb_events__reopen(struct xhb_events *em)
{
	int fd;

	if (!em || !em->logfile)
		return 0;
	fd = open_logfile(em->logfile);
	if (fd < 0)
		return fd;
	if (em->log.fd >= 0)
		close(em->log.fd);
	em->log.fd = fd;
	/* A new file is a new chance: report its first failure again. */
	em->log.reported = false;
	return 0;
}

json_t *xhb_event_new(const char *event)
{
	return json_pack("{s:s}", "event", event);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int sink_write(struct xhb_events *em, struct event_sink *sink,
		      const char *what, const char *line, size_t len)
{
	int err;

	if (sink->fd < 0)
		return 0;
	err = write_all(sink->fd, line, len);
	if (!err)
		return 0;
	em->write_errors++;
	if (!sink->reported) {
		sink->reported = true;
		fprintf(stderr,
			"xhb: events: cannot write to %s: %s (further failures "
			"are only counted)\n",
			what, strerror(-err));
	}
	return err;
}

/* RFC 3339, UTC, microseconds: 2026-11-24T22:15:21.123456Z */
static void format_time(char *buf, size_t len, const struct timespec *ts)
{
	unsigned int usec = (unsigned int)(ts->tv_nsec / 1000) % 1000000;
	struct tm tm;
	size_t n;

	gmtime_r(&ts->tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06uZ", usec);
}

static bool is_common_field(const char *key)
{
	for (size_t i = 0; i < sizeof(common_fields) / sizeof(common_fields[0]);
	     i++)
		if (!strcmp(key, common_fields[i]))
			return true;
	return false;
}

/* The common fields first, in a fixed order, so lines read alike. */
static json_t *stamp(struct xhb_events *em, json_t *ev, const char *event)
{
	struct timespec wall, mono;
	char time_buf[64];
	json_t *out;

	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	format_time(time_buf, sizeof(time_buf), &wall);
	out = json_pack(
	    "{s:s, s:I, s:I, s:s, s:s}", "time", time_buf, "mono_ns",
	    (json_int_t)mono.tv_sec * 1000000000 + mono.tv_nsec, "seq",
	    (json_int_t)(em->seq + 1), "node", em->node, "event", event);
	if (!out)
		return NULL;
	for (void *it = json_object_iter(ev); it;
	     it = json_object_iter_next(ev, it)) {
		const char *key = json_object_iter_key(it);

		if (is_common_field(key))
			continue;
		if (json_object_set(out, key, json_object_iter_value(it))) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

int xhb_events__emit(struct xhb_events *em, json_t *ev)
{
	const char *event;
	json_t *out = NULL;
	char *line = NULL, *grown;
	size_t len;
	int err = 0, log_err;

	if (!em)
		goto out;
	if (!ev) {
		err = -ENOMEM;
		goto out;
	}
	event = json_string_value(json_object_get(ev, "event"));
	if (!json_is_object(ev) || !event || !*event) {
		err = -EINVAL;
		goto out;
	}
	out = stamp(em, ev, event);
	line = out ? json_dumps(out, EVENT_DUMP_FLAGS) : NULL;
	if (!line) {
		err = -ENOMEM;
		goto out;
	}
	len = strlen(line);
	grown = realloc(line, len + 2);
	if (!grown) {
		err = -ENOMEM;
		goto out;
	}
	line = grown;
	line[len++] = '\n';
	line[len] = '\0';
	/* seq counts events emitted, written or not, so a reader sees a gap
	 * where a line was lost. */
	em->seq++;
	err = sink_write(em, &em->out, "stdout", line, len);
	log_err = sink_write(em, &em->log, em->logfile, line, len);
	if (log_err)
		err = log_err;
out:
	free(line);
	json_decref(out);
	json_decref(ev);
	return err;
}

int xhb_events__emitf(struct xhb_events *em, const char *event, const char *fmt,
		      ...)
{
	json_error_t jerr;
	json_t *ev;
	va_list ap;

	if (!em)
		return 0;
	if (!event || !*event)
		return -EINVAL;
	if (!fmt) {
		ev = json_object();
	} else {
		va_start(ap, fmt);
		ev = json_vpack_ex(&jerr, 0, fmt, ap);
		va_end(ap);
		if (!ev || !json_is_object(ev)) {
			/* A programming error in the caller, worth a message.
			 */
			fprintf(stderr, "xhb: events: bad fields for %s: %s\n",
				event, ev ? "not an object" : jerr.text);
			json_decref(ev);
			return -EINVAL;
		}
	}
	if (!ev || json_object_set_new(ev, "event", json_string(event))) {
		json_decref(ev);
		return -ENOMEM;
	}
	return xhb_events__emit(em, ev);
}

uint64_t xhb_events__write_errors(const struct xhb_events *em)
{
	return em ? em->write_errors : 0;
}

uint64_t xhb_events__seq(const struct xhb_events *em)
{
	return em ? em->seq : 0;
}
