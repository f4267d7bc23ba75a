// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * httpprobe: what a web client of the VIP sees, one request every
 * millisecond, for the service-crash benchmark (bench/service_crash.sh).
 * vipcheck's UDP echo lives on when the web server dies; this prober asks
 * the web server itself.
 *
 *   httpprobe ADDR [--port 80] [--interval-us 1000] [--duration-ms N]
 *             [--timeout-ms 500] [--ready FILE]
 *
 * Every interval: a new non-blocking TCP connection to ADDR:PORT, once
 * connected `GET / HTTP/1.0`, then read to the end (the server closes).
 * A request is answered when the status is 200 and the page says
 * "IT WORKS NAME": NAME is the server that answered. Anything else fails,
 * with its reason: refused, reset, unreachable, timeout (no full answer
 * within --timeout-ms of the connect), closed (the connection ended before
 * a byte of answer: a server that died after accepting it), http_error
 * (another status), bad_page, other, skipped (too many requests in
 * flight). Sockets close
 * with a reset (SO_LINGER 0): a request a millisecond leaves no TIME_WAIT
 * or half-closed connection behind.
 *
 * Prints one JSON object (times on CLOCK_MONOTONIC, the agents' mono_ns;
 * "clock" pairs it with CLOCK_REALTIME, read together at the start): the
 * counts, per server the answers and the first and last of them, the moves
 * (answers switching server, in send order), the answer latency, and every
 * gap: a run of failed requests, with the last request answered before it
 * and the first answered after it. Its outage, as vipcheck's, runs from the
 * send of the last request answered before the gap to the send of the
 * first answered after it; a gap still open when the window ends has no
 * end. --ready: FILE is created at the first answer.
 *
 * Bounded: at most 600 s of requests, MAX_INFLIGHT connections at once,
 * each closed at its timeout; the window ends with the last timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "clock.h"
#include "slice.h"

#define MAX_REQUESTS 600000 /* 10 minutes at 1 ms */
#define MAX_INFLIGHT 1024
#define MAX_SERVERS 8
#define MAX_GAPS 256
#define NAME_LEN 32
#define ANSWER_MAX 2048 /* headers and the page: a few hundred bytes */
#define PAGE_PREFIX "IT WORKS "

enum result {
	RES_PENDING,
	RES_OK,
	RES_REFUSED,
	RES_RESET,
	RES_UNREACHABLE,
	RES_TIMEOUT,
	RES_CLOSED,
	RES_HTTP_ERROR,
	RES_BAD_PAGE,
	RES_OTHER,
	RES_SKIPPED,
	RES_COUNT,
};

static const char *const result_names[RES_COUNT] = {
    [RES_PENDING] = "pending",	       [RES_OK] = "ok",
    [RES_REFUSED] = "refused",	       [RES_RESET] = "reset",
    [RES_UNREACHABLE] = "unreachable", [RES_TIMEOUT] = "timeout",
    [RES_CLOSED] = "closed",	       [RES_HTTP_ERROR] = "http_error",
    [RES_BAD_PAGE] = "bad_page",       [RES_OTHER] = "other",
    [RES_SKIPPED] = "skipped",
};

struct request {
	uint64_t sent_ns; /* connect() called */
	uint64_t done_ns; /* answer read to its end, or the failure */
	int8_t server;	  /* index into names, -1: none */
	uint8_t result;	  /* enum result */
};

enum conn_state { C_FREE, C_CONNECTING, C_READING };

struct conn {
	int fd;
	enum conn_state state;
	uint32_t req;
	size_t got;
	char buf[ANSWER_MAX];
};

struct probe {
	struct sockaddr_in to;
	char get[160];
	size_t get_len;
	uint64_t timeout_ns;
	struct request *reqs;
	struct conn conns[MAX_INFLIGHT];
	unsigned int inflight;
	char names[MAX_SERVERS][NAME_LEN];
	int nnames;
	const char *ready;
};

static int server_index(struct probe *p, const char *name)
{
	for (int i = 0; i < p->nnames; i++)
		if (!strncmp(p->names[i], name, NAME_LEN))
			return i;
	if (p->nnames == MAX_SERVERS)
		return MAX_SERVERS - 1;
	snprintf(p->names[p->nnames], NAME_LEN, "%.*s", NAME_LEN - 1, name);
	return p->nnames++;
}

static enum result errno_result(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return RES_REFUSED;
	case ECONNRESET:
	case EPIPE:
		return RES_RESET;
	case EHOSTUNREACH:
	case ENETUNREACH:
		return RES_UNREACHABLE;
	case ETIMEDOUT:
		return RES_TIMEOUT;
	default:
		return RES_OTHER;
	}
}

static void conn_end(struct probe *p, struct conn *c, enum result r, int server)
{
	struct request *q = &p->reqs[c->req];

	q->done_ns = xhb_mono_ns();
	q->result = r;
	q->server = server;
	close(c->fd);
	c->state = C_FREE;
	p->inflight--;
	if (r == RES_OK && p->ready) {
		FILE *f = fopen(p->ready, "w");

		if (f)
			fclose(f);
		p->ready = NULL;
	}
}

/* The whole answer is in: a 200 whose page names the server, or a failure. */
static void conn_answered(struct probe *p, struct conn *c)
{
	char name[NAME_LEN];
	const char *body, *page;
	size_t n = 0;

	c->buf[c->got < ANSWER_MAX ? c->got : ANSWER_MAX - 1] = '\0';
	if (!c->got) {
		conn_end(p, c, RES_CLOSED, -1);
		return;
	}
	if (strncmp(c->buf, "HTTP/1.", 7) || strlen(c->buf) < 12 ||
	    strncmp(c->buf + 9, "200", 3)) {
		conn_end(p, c, RES_HTTP_ERROR, -1);
		return;
	}
	body = strstr(c->buf, "\r\n\r\n");
	page = body ? body + 4 : NULL;
	if (!page || strncmp(page, PAGE_PREFIX, strlen(PAGE_PREFIX))) {
		conn_end(p, c, RES_BAD_PAGE, -1);
		return;
	}
	page += strlen(PAGE_PREFIX);
	while (n < NAME_LEN - 1 && page[n] && page[n] != '\n' &&
	       page[n] != '\r' && page[n] != ' ')
		n++;
	memcpy(name, page, n);
	name[n] = '\0';
	conn_end(p, c, n ? RES_OK : RES_BAD_PAGE,
		 n ? server_index(p, name) : -1);
}

static void start_request(struct probe *p, uint32_t i)
{
	struct request *q = &p->reqs[i];
	struct linger abort_close = {.l_onoff = 1, .l_linger = 0};
	struct conn *c = NULL;
	int fd;

	q->sent_ns = xhb_mono_ns();
	q->server = -1;
	for (unsigned int k = 0; k < MAX_INFLIGHT; k++) {
		if (p->conns[k].state == C_FREE) {
			c = &p->conns[k];
			break;
		}
	}
	if (!c) {
		q->result = RES_SKIPPED;
		q->done_ns = q->sent_ns;
		return;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		q->result = RES_OTHER;
		q->done_ns = q->sent_ns;
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_close,
		   sizeof(abort_close));
	*c = (struct conn){.fd = fd, .state = C_CONNECTING, .req = i};
	p->inflight++;
	if (connect(fd, (struct sockaddr *)&p->to, sizeof(p->to)) &&
	    errno != EINPROGRESS)
		conn_end(p, c, errno_result(errno), -1);
}

static void conn_event(struct probe *p, struct conn *c, short revents)
{
	int err = 0;
	socklen_t len = sizeof(err);
	ssize_t n;

	if (c->state == C_CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) ||
		    err) {
			conn_end(p, c, errno_result(err ? err : errno), -1);
			return;
		}
		if (!(revents & POLLOUT)) {
			if (revents & (POLLHUP | POLLERR))
				conn_end(p, c, RES_OTHER, -1);
			return;
		}
		n = send(c->fd, p->get, p->get_len,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n != (ssize_t)p->get_len) {
			conn_end(p, c, n < 0 ? errno_result(errno) : RES_OTHER,
				 -1);
			return;
		}
		c->state = C_READING;
		return;
	}
	for (;;) {
		if (c->got >=
		    ANSWER_MAX - 1) { /* more than any page of the lab */
			conn_answered(p, c);
			return;
		}
		n = recv(c->fd, c->buf + c->got, ANSWER_MAX - 1 - c->got,
			 MSG_DONTWAIT);
		if (n > 0) {
			c->got += n;
			continue;
		}
		if (n == 0) {
			conn_answered(p, c);
			return;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		conn_end(p, c, errno_result(errno), -1);
		return;
	}
}

/* Wait for the sockets until `until` (or the first readiness), then act. */
static void poll_conns(struct probe *p, uint64_t until)
{
	static struct pollfd pfd[MAX_INFLIGHT];
	static unsigned int slot[MAX_INFLIGHT];
	uint64_t now = xhb_mono_ns(), deadline = until;
	unsigned int n = 0;

	for (unsigned int k = 0; k < MAX_INFLIGHT; k++) {
		struct conn *c = &p->conns[k];
		uint64_t expires;

		if (c->state == C_FREE)
			continue;
		expires = p->reqs[c->req].sent_ns + p->timeout_ns;
		if (now >= expires) {
			conn_end(p, c, RES_TIMEOUT, -1);
			continue;
		}
		if (expires < deadline)
			deadline = expires;
		pfd[n] = (struct pollfd){
		    .fd = c->fd,
		    .events = c->state == C_CONNECTING ? POLLOUT : POLLIN};
		slot[n++] = k;
	}
	if (deadline > now) {
		struct timespec ts = {
		    .tv_sec = (deadline - now) / XHB_NS_PER_SEC,
		    .tv_nsec = (deadline - now) % XHB_NS_PER_SEC};

		/* ns precision: poll()'s ms would spin below 1 ms */
		if (ppoll(pfd, n, &ts, NULL) <= 0)
			return;
	} else if (poll(pfd, n, 0) <= 0) {
		return;
	}
	for (unsigned int i = 0; i < n; i++)
		if (pfd[i].revents)
			conn_event(p, &p->conns[slot[i]], pfd[i].revents);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void print_gap(const struct probe *p, uint64_t count, int64_t before,
		      uint64_t first, int64_t after, bool *sep)
{
	uint64_t reasons[RES_COUNT] = {0};
	const struct request *r = p->reqs;
	uint64_t last = after >= 0 ? (uint64_t)after : count;

	for (uint64_t i = first; i < last; i++)
		reasons[r[i].result]++;
	printf("%s{\"failed\":%llu,\"first_failed_sent_ns\":%llu,\"before_sent_"
	       "ns\":%llu,"
	       "\"before\":\"%s\",\"after_sent_ns\":%llu,\"after_answer_ns\":%"
	       "llu,\"after\":\"%s\","
	       "\"outage_ms\":%.3f,\"reasons\":{",
	       *sep ? "," : "", (unsigned long long)(last - first),
	       (unsigned long long)r[first].sent_ns,
	       before >= 0 ? (unsigned long long)r[before].sent_ns : 0ULL,
	       before >= 0 ? p->names[r[before].server] : "",
	       after >= 0 ? (unsigned long long)r[after].sent_ns : 0ULL,
	       after >= 0 ? (unsigned long long)r[after].done_ns : 0ULL,
	       after >= 0 ? p->names[r[after].server] : "",
	       after >= 0 && before >= 0
		   ? (r[after].sent_ns - r[before].sent_ns) / 1e6
		   : -1.0);
	for (int k = 0, s = 0; k < RES_COUNT; k++) {
		if (!reasons[k])
			continue;
		printf("%s\"%s\":%llu", s++ ? "," : "", result_names[k],
		       (unsigned long long)reasons[k]);
	}
	printf("}}");
	*sep = true;
}

static void report(const struct probe *p, uint64_t count, uint64_t interval_ns,
		   uint64_t start_ns, uint64_t real0_ns)
{
	const struct request *r = p->reqs;
	uint64_t results[RES_COUNT] = {0}, answers[MAX_SERVERS] = {0};
	uint64_t first_ns[MAX_SERVERS] = {0}, last_ns[MAX_SERVERS] = {0};
	uint64_t answered = 0, moves = 0, worst_ns = 0, worst_start = 0,
		 worst_end = 0;
	uint64_t *lat = calloc(count ? count : 1, sizeof(*lat)), nlat = 0,
		 gaps = 0;
	int64_t last_ok = -1, gap_first = -1;
	int prev_server = -1;
	bool sep = false;

	for (uint64_t i = 0; i < count; i++)
		results[r[i].result]++;
	printf("{\"requests\":%llu,\"interval_us\":%.0f,\"timeout_ms\":%.0f,"
	       "\"duration_ms\":%.1f,\"clock\":{\"mono_ns\":%llu,\"real_ns\":%"
	       "llu},"
	       "\"results\":{",
	       (unsigned long long)count, interval_ns / 1e3,
	       p->timeout_ns / 1e6, (xhb_mono_ns() - start_ns) / 1e6,
	       (unsigned long long)start_ns, (unsigned long long)real0_ns);
	for (int k = RES_OK, s = 0; k < RES_COUNT; k++)
		printf("%s\"%s\":%llu", s++ ? "," : "", result_names[k],
		       (unsigned long long)results[k]);
	printf("},\"gaps\":[");
	for (uint64_t i = 0; i < count; i++) {
		if (r[i].result != RES_OK) {
			if (gap_first < 0)
				gap_first = i;
			continue;
		}
		answered++;
		answers[r[i].server]++;
		if (!first_ns[r[i].server])
			first_ns[r[i].server] = r[i].done_ns;
		if (r[i].done_ns > last_ns[r[i].server])
			last_ns[r[i].server] = r[i].done_ns;
		if (lat)
			lat[nlat++] = r[i].done_ns - r[i].sent_ns;
		if (prev_server >= 0 && r[i].server != prev_server)
			moves++;
		prev_server = r[i].server;
		if (gap_first >= 0) {
			if (gaps++ < MAX_GAPS)
				print_gap(p, count, last_ok, gap_first, i,
					  &sep);
			if (last_ok >= 0 &&
			    r[i].sent_ns - r[last_ok].sent_ns > worst_ns) {
				worst_ns = r[i].sent_ns - r[last_ok].sent_ns;
				worst_start = r[last_ok + 1].sent_ns;
				worst_end = r[i].done_ns;
			}
			gap_first = -1;
		}
		last_ok = i;
	}
	if (gap_first >= 0 && gaps++ < MAX_GAPS) /* still open at the end */
		print_gap(p, count, last_ok, gap_first, -1, &sep);
	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	printf("],\"gaps_total\":%llu,\"answered\":%llu,\"failed\":%llu,"
	       "\"moves\":%llu,"
	       "\"outage_ms\":%.3f,\"outage_start_ns\":%llu,\"outage_end_ns\":%"
	       "llu,"
	       "\"latency_us\":{\"median\":%.1f,\"p99\":%.1f,\"max\":%.1f},"
	       "\"servers\":[",
	       (unsigned long long)gaps, (unsigned long long)answered,
	       (unsigned long long)(count - answered),
	       (unsigned long long)moves, worst_ns / 1e6,
	       (unsigned long long)worst_start, (unsigned long long)worst_end,
	       nlat ? lat[nlat / 2] / 1e3 : 0,
	       nlat ? lat[nlat * 99 / 100] / 1e3 : 0,
	       nlat ? lat[nlat - 1] / 1e3 : 0);
	for (int i = 0; i < p->nnames; i++)
		printf("%s\"%s\"", i ? "," : "", p->names[i]);
	printf("],\"answers\":{");
	for (int i = 0; i < p->nnames; i++)
		printf("%s\"%s\":%llu", i ? "," : "", p->names[i],
		       (unsigned long long)answers[i]);
	printf("},\"first_answer_ns\":{");
	for (int i = 0; i < p->nnames; i++)
		printf("%s\"%s\":%llu", i ? "," : "", p->names[i],
		       (unsigned long long)first_ns[i]);
	printf("},\"last_answer_ns\":{");
	for (int i = 0; i < p->nnames; i++)
		printf("%s\"%s\":%llu", i ? "," : "", p->names[i],
		       (unsigned long long)last_ns[i]);
	printf("}}\n");
	free(lat);
}

static int run(struct probe *p, uint64_t interval_ns, uint64_t duration_ns)
{
	uint64_t count = duration_ns / interval_ns, sent = 0, start, next,
		 real0;

	if (count > MAX_REQUESTS)
		count = MAX_REQUESTS;
	p->reqs = calloc(count ? count : 1, sizeof(*p->reqs));
	if (!p->reqs) {
		perror("httpprobe");
		return 1;
	}
	real0 = xhb_real_ns();
	start = next = xhb_mono_ns();
	while (sent < count || p->inflight) {
		uint64_t now = xhb_mono_ns();

		if (sent < count && now >= next) {
			start_request(p, sent++);
			next += interval_ns;
		}
		poll_conns(p, sent < count ? next : now + p->timeout_ns);
	}
	report(p, count, interval_ns, start, real0);
	free(p->reqs);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
	    {"port", required_argument, NULL, 'p'},
	    {"interval-us", required_argument, NULL, 'i'},
	    {"duration-ms", required_argument, NULL, 'd'},
	    {"timeout-ms", required_argument, NULL, 't'},
	    {"ready", required_argument, NULL, 'r'},
	    {0},
	};
	static struct probe probe;
	uint64_t interval_us = 1000, duration_ms = 3000, timeout_ms = 500;
	int port = 80, c;

	while ((c = getopt_long(argc, argv, "p:i:d:t:r:", long_opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'i':
			interval_us = strtoull(optarg, NULL, 10);
			break;
		case 'd':
			duration_ms = strtoull(optarg, NULL, 10);
			break;
		case 't':
			timeout_ms = strtoull(optarg, NULL, 10);
			break;
		case 'r':
			probe.ready = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 ||
	    inet_pton(AF_INET, argv[optind], &probe.to.sin_addr) != 1) {
		fprintf(stderr,
			"usage: httpprobe A.B.C.D [--port P] [--interval-us N] "
			"[--duration-ms N]\n"
			"                 [--timeout-ms N] [--ready FILE]\n");
		return 2;
	}
	if (!interval_us || !duration_ms || duration_ms > 600000 ||
	    !timeout_ms || timeout_ms > 10000 || port <= 0 || port > 65535) {
		fprintf(
		    stderr,
		    "httpprobe: interval, duration (<= 600000 ms) and timeout "
		    "(<= 10000 ms) must be positive, port 1..65535\n");
		return 2;
	}
	probe.to.sin_family = AF_INET;
	probe.to.sin_port = htons(port);
	probe.timeout_ns = timeout_ms * XHB_NS_PER_MS;
	probe.get_len = snprintf(
	    probe.get, sizeof(probe.get),
	    "GET / HTTP/1.0\r\nHost: %s\r\nUser-Agent: xhb-httpprobe\r\n\r\n",
	    argv[optind]);
	/* best effort: the figures are only noisier without it */
	xhb_sched_short_slice(XHB_SCHED_SLICE_NS);
	return run(&probe, interval_us * XHB_NS_PER_US,
		   duration_ms * XHB_NS_PER_MS);
}
