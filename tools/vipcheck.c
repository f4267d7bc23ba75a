// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * vipcheck: what a client of the VIP sees, measured every millisecond.
 *
 *   vipcheck serve NAME [PORT]
 *       answer every UDP datagram on PORT (default 7777) with NAME
 *   vipcheck watch ADDR [--port P] [--interval-us N] [--duration-ms N]
 *                       [--ready FILE] [--json]
 *       send one request to ADDR every interval for duration (bounded),
 *       record who answered when, then print the outage: the longest time
 *       without an answer, the answers lost, the moves from one server to
 *       another and the windows where both servers answered (split brain).
 *       --ready: create FILE at the first answer, so a caller can wait for
 *       the measurement to be under way instead of sleeping. The JSON has
 *       CLOCK_MONOTONIC times (the agents' mono_ns) of the outage and of
 *       each server's first and last answer.
 *
 * Requests carry a sequence number and the send time, echoed by serve, so
 * each answer is matched to its request whatever the order. Both sides ask
 * for a short scheduler slice (user/slice.h): a measuring instrument that
 * wakes late adds its own lateness to the outage it measures.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "clock.h"
#include "slice.h"

#define DEFAULT_PORT 7777
#define NAME_LEN 32
#define MAX_REQUESTS 600000 /* 10 minutes at 1 ms: a hard bound */
#define MAX_SERVERS 8

struct msg {
	uint64_t seq;
	uint64_t sent_ns;
	char name[NAME_LEN]; /* filled by the server */
};

struct sample {
	uint64_t sent_ns;
	uint64_t answered_ns; /* 0: no answer */
	int server; /* index into names, -1: none */
	int answers; /* more than 1: answered twice (two servers) */
};

static int serve(const char *name, int port)
{
	struct sockaddr_storage from;
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6,
				    .sin6_port = htons(port)};
	int zero = 0, fd = socket(AF_INET6, SOCK_DGRAM, 0);
	struct msg m;

	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(fd, (struct sockaddr *)&sin6, sizeof(sin6))) {
		perror("vipcheck serve");
		return 1;
	}
	for (;;) {
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, &m, sizeof(m), 0,
				     (struct sockaddr *)&from, &len);

		if (n < (ssize_t)offsetof(struct msg, name))
			continue;
		snprintf(m.name, sizeof(m.name), "%s", name);
		sendto(fd, &m, sizeof(m), 0, (struct sockaddr *)&from, len);
	}
}

static int server_index(char names[][NAME_LEN], int *n, const char *name)
{
	for (int i = 0; i < *n; i++)
		if (!strncmp(names[i], name, NAME_LEN))
			return i;
	if (*n == MAX_SERVERS)
		return MAX_SERVERS - 1;
	snprintf(names[*n], NAME_LEN, "%.*s", NAME_LEN - 1, name);
	return (*n)++;
}

static void drain(int fd, struct sample *s, uint64_t count, char names[][NAME_LEN],
		  int *nnames)
{
	struct msg m;

	for (;;) {
		ssize_t n = recv(fd, &m, sizeof(m), MSG_DONTWAIT);

		if (n != sizeof(m))
			return;
		if (m.seq >= count)
			continue;
		m.name[NAME_LEN - 1] = '\0';
		if (!s[m.seq].answers) {
			s[m.seq].answered_ns = xhb_mono_ns();
			s[m.seq].server = server_index(names, nnames, m.name);
		} else if (s[m.seq].server != server_index(names, nnames, m.name)) {
			s[m.seq].answers++; /* a second server answered it */
			continue;
		}
		s[m.seq].answers++;
	}
}

static void signal_ready(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f)
		fclose(f);
}

static int watch(const char *addr, int port, uint64_t interval_ns,
		 uint64_t duration_ns, const char *ready, bool json)
{
	struct sockaddr_storage to;
	struct sockaddr_in *sin = (struct sockaddr_in *)&to;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&to;
	socklen_t tolen;
	char names[MAX_SERVERS][NAME_LEN];
	int nnames = 0, fd;
	uint64_t count = duration_ns / interval_ns, sent = 0, start, next;
	struct sample *s;

	memset(&to, 0, sizeof(to));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		tolen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		tolen = sizeof(*sin6);
	} else {
		fprintf(stderr, "vipcheck: bad address %s\n", addr);
		return 2;
	}
	if (count > MAX_REQUESTS)
		count = MAX_REQUESTS;
	s = calloc(count, sizeof(*s));
	fd = socket(to.ss_family, SOCK_DGRAM, 0);
	if (!s || fd < 0) {
		perror("vipcheck");
		return 1;
	}
	start = next = xhb_mono_ns();
	while (sent < count) {
		uint64_t now = xhb_mono_ns();

		if (now >= next) {
			struct msg m = {.seq = sent, .sent_ns = now};

			s[sent].sent_ns = now;
			s[sent].server = -1;
			sendto(fd, &m, sizeof(m), MSG_DONTWAIT,
			       (struct sockaddr *)&to, tolen);
			sent++;
			next += interval_ns;
		}
		drain(fd, s, count, names, &nnames);
		if (ready && nnames) {
			signal_ready(ready);
			ready = NULL;
		}
		now = xhb_mono_ns();
		if (next > now) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			struct timespec ts = {.tv_sec = (next - now) / 1000000000ULL,
					      .tv_nsec = (next - now) % 1000000000ULL};

			/* ns precision: poll()'s ms would spin below 1 ms */
			ppoll(&p, 1, &ts, NULL);
		}
	}
	/* Late answers: wait a little for the last requests. */
	for (int i = 0; i < 50; i++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		poll(&p, 1, 2);
		drain(fd, s, count, names, &nnames);
	}

	/* The outage: the longest run of unanswered requests, from the last
	 * answered request before it to the first answered after it. */
	uint64_t lost = 0, both = 0, moves = 0, answered = 0;
	uint64_t worst_ns = 0, worst_from = 0, worst_to = 0;
	uint64_t first_ns[MAX_SERVERS] = {0}, last_ns[MAX_SERVERS] = {0};
	int64_t last_ok = -1, prev_server = -1;

	for (uint64_t i = 0; i < count; i++) {
		if (!s[i].answers) {
			lost++;
			continue;
		}
		answered++;
		if (!first_ns[s[i].server])
			first_ns[s[i].server] = s[i].answered_ns;
		if (s[i].answered_ns > last_ns[s[i].server])
			last_ns[s[i].server] = s[i].answered_ns;
		if (s[i].answers > 1)
			both++;
		if (prev_server >= 0 && s[i].server != prev_server)
			moves++;
		prev_server = s[i].server;
		if (last_ok >= 0 && i - last_ok > 1 &&
		    s[i].sent_ns - s[last_ok].sent_ns > worst_ns) {
			worst_ns = s[i].sent_ns - s[last_ok].sent_ns;
			worst_from = last_ok;
			worst_to = i;
		}
		last_ok = i;
	}
	if (json) {
		printf("{\"requests\":%llu,\"answered\":%llu,\"lost\":%llu,"
		       "\"outage_ms\":%.3f,\"outage_from\":\"%s\",\"outage_to\":\"%s\","
		       "\"moves\":%llu,\"both_answered\":%llu,\"interval_us\":%.0f,"
		       "\"duration_ms\":%.1f,\"servers\":[",
		       (unsigned long long)count, (unsigned long long)answered,
		       (unsigned long long)lost, worst_ns / 1e6,
		       worst_ns ? names[s[worst_from].server] : "",
		       worst_ns ? names[s[worst_to].server] : "",
		       (unsigned long long)moves, (unsigned long long)both,
		       interval_ns / 1e3, (xhb_mono_ns() - start) / 1e6);
		for (int i = 0; i < nnames; i++)
			printf("%s\"%s\"", i ? "," : "", names[i]);
		/* the outage runs from the first unanswered request's send to
		 * the first answer after it */
		printf("],\"outage_start_ns\":%llu,\"outage_end_ns\":%llu,"
		       "\"first_answer_ns\":{",
		       worst_ns ? (unsigned long long)s[worst_from + 1].sent_ns : 0ULL,
		       worst_ns ? (unsigned long long)s[worst_to].answered_ns : 0ULL);
		for (int i = 0; i < nnames; i++)
			printf("%s\"%s\":%llu", i ? "," : "", names[i],
			       (unsigned long long)first_ns[i]);
		printf("},\"last_answer_ns\":{");
		for (int i = 0; i < nnames; i++)
			printf("%s\"%s\":%llu", i ? "," : "", names[i],
			       (unsigned long long)last_ns[i]);
		printf("}}\n");
	} else {
		printf("requests %llu, answered %llu, lost %llu, moves %llu, answered by two servers %llu\n",
		       (unsigned long long)count, (unsigned long long)answered,
		       (unsigned long long)lost, (unsigned long long)moves,
		       (unsigned long long)both);
		if (worst_ns)
			printf("longest outage %.3f ms (%s -> %s)\n", worst_ns / 1e6,
			       names[s[worst_from].server], names[s[worst_to].server]);
		else
			printf("no outage\n");
	}
	free(s);
	return answered ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{"port", required_argument, NULL, 'p'},
		{"interval-us", required_argument, NULL, 'i'},
		{"duration-ms", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{"ready", required_argument, NULL, 'r'},
		{0},
	};
	const char *ready = NULL;
	uint64_t interval_us = 1000, duration_ms = 3000;
	int port = DEFAULT_PORT, c;
	bool json = false;

	/* best effort: the figures are only noisier without it */
	xhb_sched_short_slice(XHB_SCHED_SLICE_NS);
	if (argc >= 3 && !strcmp(argv[1], "serve"))
		return serve(argv[2], argc > 3 ? atoi(argv[3]) : DEFAULT_PORT);
	if (argc < 3 || strcmp(argv[1], "watch")) {
		fprintf(stderr,
			"usage: vipcheck serve NAME [PORT]\n"
			"       vipcheck watch ADDR [--port P] [--interval-us N] [--duration-ms N]\n"
			"                      [--ready FILE] [--json]\n");
		return 2;
	}
	optind = 3;
	while ((c = getopt_long(argc, argv, "p:i:d:jr:", long_opts, NULL)) != -1) {
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
		case 'j':
			json = true;
			break;
		case 'r':
			ready = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!interval_us || !duration_ms || duration_ms > 600000) {
		fprintf(stderr, "vipcheck: interval and duration (<= 600000 ms) must be positive\n");
		return 2;
	}
	return watch(argv[2], port, interval_us * 1000, duration_ms * 1000000ULL,
		     ready, json);
}
