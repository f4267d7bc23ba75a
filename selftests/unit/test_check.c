// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Service checks: ha.cf's `check` lines (config_check.c), a table of lines
 * and what they give or the error they get; and the checks run against
 * real sockets and programs (check.c): fall, rise, timeouts, the groups a
 * failing check makes this node refuse.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "config.h"
#include "cfgdir.h"

#define dir cfgdir.dir
#define cfg cfgdir.cfg
#define err cfgdir.err
#define put cfgdir_put

/* The seed's files plus the lines given, and two groups. */
static int load_with(const char *lines)
{
	static const char *const scripts[] = {"checkme", NULL};

	return cfgdir_load(lines,
			   "srv1 IPaddr::172.16.193.30/16/ens192 checkme\n"
			   "srv2 172.16.193.31\n",
			   scripts);
}

TestSuite(check, .init = cfgdir_setup, .fini = cfgdir_teardown);

struct parse_case {
	const char *line;
	const char *error; /* NULL: loads; else a part of the message */
	enum xhb_check_kind kind;
	const char *addr;
	unsigned int port;
	const char *path;
	__u64 interval_ms, timeout_ms;
	unsigned int fall, rise;
	__u32 groups;
};

#define ERR(l, e) {l, e, 0, NULL, 0, NULL, 0, 0, 0, 0, 0}

static const struct parse_case parse_cases[] = {
    {"check web http http://127.0.0.1/", NULL, XHB_CHECK_HTTP, "127.0.0.1", 80,
     "/", 1000, 1000, 3, 3, 3},
    {"check web http http://localhost:8080/health?x=1 interval 10ms fall 3",
     NULL, XHB_CHECK_HTTP, "127.0.0.1", 8080, "/health?x=1", 10, 10, 3, 3, 3},
    {"check web http http://[::1]:81 timeout 5ms rise 2", NULL, XHB_CHECK_HTTP,
     "::1", 81, "/", 1000, 5, 3, 2, 3},
    {"check db tcp 10.0.0.1:5432 groups 1", NULL, XHB_CHECK_TCP, "10.0.0.1",
     5432, NULL, 1000, 1000, 3, 3, 2},
    {"check db tcp [fe80::1]:22 groups 172.16.193.30", NULL, XHB_CHECK_TCP,
     "fe80::1", 22, NULL, 1000, 1000, 3, 3, 1},
    {"check x exec /bin/true -a b interval 2s groups checkme,1", NULL,
     XHB_CHECK_EXEC, NULL, 0, NULL, 2000, 2000, 3, 3, 3},
    {"check r resource checkme interval 2s", NULL, XHB_CHECK_RESOURCE, NULL, 0,
     NULL, 2000, 2000, 3, 3, 1},
    {"check r resource checkme groups 0,1", NULL, XHB_CHECK_RESOURCE, NULL, 0,
     NULL, 1000, 1000, 3, 3, 3},
    ERR("check r resource apache", "no resource 'apache' in haresources"),
    ERR("check web http https://127.0.0.1/", "https is not supported"),
    ERR("check web http http://www.example.org/", "does not resolve host names"),
    ERR("check web http ftp://127.0.0.1/", "bad URL"),
    ERR("check db tcp 127.0.0.1", "bad tcp target"),
    ERR("check db tcp 127.0.0.1:99999", "bad tcp target"),
    ERR("check web smtp 127.0.0.1:25", "unknown kind 'smtp'"),
    ERR("check web tcp 127.0.0.1:80 interval 0", "bad interval"),
    ERR("check web tcp 127.0.0.1:80 fall 0", "bad fall"),
    ERR("check web tcp 127.0.0.1:80 rise", "rise needs a value"),
    ERR("check web tcp 127.0.0.1:80 every 2s", "unknown option 'every'"),
    ERR("check web tcp 127.0.0.1:80 groups 7", "'7' names no haresources group"),
    ERR("check web tcp 127.0.0.1:80 groups apache",
	"'apache' names no haresources group"),
    ERR("check x exec true", "absolute path"),
    ERR("check x exec /nonexistent/prog", "not an executable"),
    ERR("check a/b tcp 127.0.0.1:80", "bad name"),
    ERR("check web tcp 127.0.0.1:80\ncheck web tcp 127.0.0.1:81",
	"check web given twice"),
    ERR("check web", "missing values"),
};

Test(check, parse_table)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		char lines[512];
		int ret;

		snprintf(lines, sizeof(lines), "%s\n", c->line);
		ret = load_with(lines);
		if (c->error) {
			cr_expect_neq(ret, 0, "%s: loaded", c->line);
			cr_expect(strstr(err, c->error), "%s: '%s', want '%s'",
				  c->line, err, c->error);
			/* file:line: the line of the check (line 8) */
			cr_expect(strstr(err, "/ha.cf:8: ") || strstr(err, "/ha.cf:9: "),
				  "%s: no file:line in '%s'", c->line, err);
			continue;
		}
		cr_assert_eq(ret, 0, "%s: %s", c->line, err);
		cr_assert_eq(cfg->nchecks, 1, "%s", c->line);
		const struct xhb_check_cfg *k = &cfg->checks[0];
		cr_expect_eq(k->kind, c->kind, "%s", c->line);
		if (c->addr) {
			char text[64];

			inet_ntop(k->family, &k->addr, text, sizeof(text));
			cr_expect_str_eq(text, c->addr, "%s", c->line);
			cr_expect_eq(k->port, c->port, "%s", c->line);
		}
		if (c->path)
			cr_expect_str_eq(k->path, c->path, "%s", c->line);
		cr_expect_eq(k->interval_ns, c->interval_ms * 1000000ULL, "%s",
			     c->line);
		cr_expect_eq(k->timeout_ns, c->timeout_ms * 1000000ULL, "%s",
			     c->line);
		cr_expect_eq(k->fall, c->fall, "%s", c->line);
		cr_expect_eq(k->rise, c->rise, "%s", c->line);
		cr_expect_eq(k->groups.w[0], c->groups, "%s: groups %#x", c->line,
			     k->groups.w[0]);
	}
}

Test(check, exec_arguments_end_at_the_first_option)
{
	cr_assert_eq(load_with("check x exec /bin/test -n yes timeout 20ms\n"), 0,
		     "%s", err);
	cr_expect_eq(cfg->checks[0].nargs, 2);
	cr_expect_str_eq(cfg->checks[0].args[0], "-n");
	cr_expect_str_eq(cfg->checks[0].args[1], "yes");
	cr_expect_eq(cfg->checks[0].timeout_ns, 20000000ULL);
}

/* ---- running them ---------------------------------------------------- */

/* A one-thread HTTP server on 127.0.0.1: answers every request with the
 * status in `status` (0: closes without answering). */
struct server {
	int fd;
	unsigned short port;
	volatile int status;
	volatile bool stop;
	pthread_t thread;
};

static void *serve(void *arg)
{
	struct server *s = arg;

	while (!s->stop) {
		char buf[1024], resp[256];
		int c = accept(s->fd, NULL, NULL);

		if (c < 0)
			continue;
		if (recv(c, buf, sizeof(buf), 0) > 0 && s->status) {
			int n = snprintf(resp, sizeof(resp),
					 "HTTP/1.1 %d X\r\nContent-Length: 2\r\n"
					 "Connection: close\r\n\r\nok",
					 s->status);
			send(c, resp, (size_t)n, MSG_NOSIGNAL);
		}
		close(c);
	}
	return NULL;
}

static void server_start(struct server *s, int status)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sin);
	struct timeval tv = {.tv_usec = 50000};

	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(s->fd >= 0);
	cr_assert_eq(bind(s->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(s->fd, 16), 0);
	getsockname(s->fd, (struct sockaddr *)&sin, &len);
	s->port = ntohs(sin.sin_port);
	/* accept() wakes up now and then to see stop */
	setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	s->status = status;
	s->stop = false;
	cr_assert_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(struct server *s)
{
	s->stop = true;
	pthread_join(s->thread, NULL);
	close(s->fd);
}

/* Run the checks as the agent's loop does until `until` says so, or ms. */
static bool run_until_for(struct xhb_checks *cs,
			  bool (*until)(struct xhb_checks *), unsigned int ms)
{
	__u64 end = xhb_now_ns() + ms * 1000000ULL;

	while (xhb_now_ns() < end) {
		struct pollfd pfd[2 * XHB_CONFIG_MAX_CHECKS];
		unsigned int n = xhb_checks_pollfds(cs, pfd);
		__u64 wait = xhb_checks_wait_ns(cs, xhb_now_ns());

		poll(pfd, n, (int)((wait + 999999) / 1000000));
		xhb_checks_step(cs, pfd, n, xhb_now_ns());
		if (until(cs))
			return true;
	}
	return false;
}

static bool run_until(struct xhb_checks *cs, bool (*until)(struct xhb_checks *))
{
	return run_until_for(cs, until, 5000);
}

static bool judged(struct xhb_checks *cs) { return cs->c[0].state != XHB_CHECK_UNKNOWN; }
static bool failing(struct xhb_checks *cs) { return cs->c[0].state == XHB_CHECK_FAILING; }
static bool passing(struct xhb_checks *cs) { return cs->c[0].state == XHB_CHECK_PASSING; }
static bool ran_once_more(struct xhb_checks *cs) { return cs->c[0].runs >= 2; }

static struct xhb_checks *checks_of(const char *line)
{
	struct xhb_checks *cs = calloc(1, sizeof(*cs));

	cr_assert(cs);
	cr_assert_eq(load_with(line), 0, "%s", err);
	xhb_checks_configure(cs, cfg, NULL, xhb_now_ns());
	xhb_checks_set_held(cs, xhb_gset_of32(~0U));
	return cs;
}

Test(check, http_falls_after_fall_failures_and_rises_after_rise)
{
	struct server s;
	char line[256];
	struct xhb_checks *cs;

	server_start(&s, 200);
	snprintf(line, sizeof(line),
		 "check web http http://127.0.0.1:%u/ interval 5ms timeout 2s fall 3 rise 2 "
		 "groups 0\n", s.port);
	cs = checks_of(line);
	cr_assert(run_until(cs, judged));
	cr_expect_eq(cs->c[0].state, XHB_CHECK_PASSING, "%s", cs->c[0].detail);
	cr_expect_str_eq(cs->c[0].detail, "HTTP 200");
	cr_expect_eq(xhb_checks_unfit(cs).w[0], 0);

	s.status = 500;
	cr_assert(run_until(cs, failing), "never failing: %s", cs->c[0].detail);
	cr_expect_str_eq(cs->c[0].detail, "HTTP 500");
	/* exactly fall failures in a row, no fewer */
	cr_expect_eq(cs->c[0].fails, 3);
	cr_expect_eq(cs->c[0].failures, 3);
	cr_expect_eq(xhb_checks_unfit(cs).w[0], 1U << 0);

	s.status = 200;
	cr_assert(run_until(cs, passing));
	cr_expect_eq(cs->c[0].oks, 2);
	cr_expect_eq(xhb_checks_unfit(cs).w[0], 0);
	xhb_checks_close(cs);
	free(cs);
	server_stop(&s);
}

Test(check, http_without_answer_fails)
{
	struct server s;
	char line[256];
	struct xhb_checks *cs;

	server_start(&s, 0);
	snprintf(line, sizeof(line),
		 "check web http http://127.0.0.1:%u/ interval 5ms timeout 2s fall 1\n", s.port);
	cs = checks_of(line);
	cr_assert(run_until(cs, judged));
	cr_expect_eq(cs->c[0].state, XHB_CHECK_FAILING);
	cr_expect(strstr(cs->c[0].detail, "no HTTP status line"), "%s",
		  cs->c[0].detail);
	cr_expect_eq(xhb_checks_unfit(cs).w[0], 3, "every group by default");
	xhb_checks_close(cs);
	free(cs);
	server_stop(&s);
}

Test(check, tcp_refused_then_accepted)
{
	struct server s;
	char line[256];
	struct xhb_checks *cs;

	server_start(&s, 200);
	server_stop(&s); /* the port is known, nothing listens on it */
	snprintf(line, sizeof(line),
		 "check db tcp 127.0.0.1:%u interval 5ms timeout 2s fall 2 rise 1\n", s.port);
	cs = checks_of(line);
	cr_assert(run_until(cs, failing));
	cr_expect(strstr(cs->c[0].detail, "refused"), "%s", cs->c[0].detail);
	cr_expect_eq(cs->c[0].runs, 2);
	xhb_checks_close(cs);
	free(cs);

	server_start(&s, 200);
	snprintf(line, sizeof(line), "check db tcp 127.0.0.1:%u interval 5ms timeout 2s\n",
		 s.port);
	cs = checks_of(line);
	cr_assert(run_until(cs, judged));
	cr_expect_eq(cs->c[0].state, XHB_CHECK_PASSING, "%s", cs->c[0].detail);
	xhb_checks_close(cs);
	free(cs);
	server_stop(&s);
}

Test(check, exec_exit_status_and_timeout)
{
	struct xhb_checks *cs = checks_of("check t exec /bin/true interval 5ms timeout 2s\n");
	__u64 t0;

	cr_assert(run_until(cs, judged));
	cr_expect_eq(cs->c[0].state, XHB_CHECK_PASSING);
	cr_expect_str_eq(cs->c[0].detail, "exit 0");
	xhb_checks_close(cs);
	free(cs);

	cs = checks_of("check f exec /bin/false interval 5ms timeout 2s fall 2\n");
	cr_assert(run_until(cs, failing));
	cr_expect_str_eq(cs->c[0].detail, "exit 1");
	xhb_checks_close(cs);
	free(cs);

	/* a program that hangs fails at its timeout, not its end */
	cs = checks_of("check s exec /bin/sleep 30 interval 1s timeout 50ms fall 1\n");
	t0 = xhb_now_ns();
	cr_assert(run_until(cs, failing));
	cr_expect_lt(xhb_now_ns() - t0, 1000000000ULL, "took %llu ns",
		     (unsigned long long)(xhb_now_ns() - t0));
	cr_expect(strstr(cs->c[0].detail, "timeout after 50 ms"), "%s",
		  cs->c[0].detail);
	xhb_checks_close(cs);
	free(cs);
}

Test(check, reload_keeps_the_state_of_an_unchanged_check)
{
	struct xhb_checks *cs = checks_of("check f exec /bin/false interval 5ms timeout 2s fall 1\n");

	cr_assert(run_until(cs, failing));
	cr_assert_eq(load_with("check f exec /bin/false interval 5ms timeout 2s fall 1\n"
			       "check t exec /bin/true interval 5ms timeout 2s\n"),
		     0, "%s", err);
	xhb_checks_configure(cs, cfg, NULL, xhb_now_ns());
	cr_expect_eq(cs->n, 2);
	cr_expect_eq(cs->c[0].state, XHB_CHECK_FAILING);
	cr_expect_eq(cs->c[1].state, XHB_CHECK_UNKNOWN);
	cr_assert(run_until(cs, ran_once_more));
	xhb_checks_close(cs);
	free(cs);
}


/* A resource check runs the script's status where its group is held, and
 * reads it as Heartbeat did ("running" / "stopped" in its output). */
Test(check, resource_status_where_held)
{
	char flag[128], script[512];
	struct xhb_checks *cs;

	cs = checks_of("check r resource checkme interval 5ms timeout 2s fall 1 rise 1\n");
	snprintf(flag, sizeof(flag), "%s/up", dir);
	snprintf(script, sizeof(script),
		 "#!/bin/sh\n[ \"$1\" = status ] || exit 0\n"
		 "if [ -e %s ]; then echo running; else echo stopped; fi\n", flag);
	put("resource.d/checkme", script, 0755);
	put("up", "", 0644);

	/* not held: never run, unknown */
	xhb_checks_set_held(cs, xhb_gset_of32(0));
	cr_expect_not(run_until_for(cs, judged, 200), "ran where the group is not held");
	cr_expect_eq(cs->c[0].runs, 0);
	cr_expect_eq(xhb_checks_unfit(cs).w[0], 0);

	xhb_checks_set_held(cs, xhb_gset_of32(1U << 0));
	cr_assert(run_until(cs, judged));
	cr_expect_eq(cs->c[0].state, XHB_CHECK_PASSING, "%s", cs->c[0].detail);
	cr_expect_str_eq(cs->c[0].detail, "running (exit 0)");

	unlink(flag);
	cr_assert(run_until(cs, failing), "%s", cs->c[0].detail);
	cr_expect_str_eq(cs->c[0].detail, "stopped (exit 0)");
	cr_expect_eq(xhb_checks_unfit(cs).w[0], 1U << 0, "guards its own group");

	/* released: not run, but it failed here: still unfit, until cleared */
	xhb_checks_set_held(cs, xhb_gset_of32(0));
	xhb_checks_step(cs, NULL, 0, xhb_now_ns());
	cr_expect_eq(cs->c[0].state, XHB_CHECK_FAILING);
	cr_expect_eq(xhb_checks_unfit(cs).w[0], 1U << 0);
	cr_expect_eq(xhb_checks_clear(cs, xhb_gset_of32(1U << 1), xhb_now_ns()).w[0], 0, "another group");
	cr_expect_eq(xhb_checks_clear(cs, xhb_gset_of32(1U << 0), xhb_now_ns()).w[0], 1U << 0);
	cr_expect_eq(cs->c[0].state, XHB_CHECK_UNKNOWN);
	cr_expect_eq(xhb_checks_unfit(cs).w[0], 0);
	/* passing, then released: unknown */
	put("up", "", 0644);
	xhb_checks_set_held(cs, xhb_gset_of32(1U << 0));
	cr_assert(run_until(cs, passing));
	xhb_checks_set_held(cs, xhb_gset_of32(0));
	xhb_checks_step(cs, NULL, 0, xhb_now_ns());
	cr_expect_eq(cs->c[0].state, XHB_CHECK_UNKNOWN);
	xhb_checks_close(cs);
	free(cs);
}
