// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Resource scripts (user/resource.h): exit codes, captured output and its
 * truncation, arguments, timeouts that kill the whole process group, and
 * the environment a script starts in, with the variables it is given. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "resource.h"

static char dir[] = "/tmp/xhb-resource.XXXXXX";

static void setup(void)
{
	cr_assert(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		cr_log_warn("could not remove %s", dir);
}

TestSuite(resource, .init = setup, .fini = teardown, .timeout = 30);

/* dir/name, an executable /bin/sh script with body. */
static const char *script(const char *name, const char *body)
{
	static char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	cr_assert_eq(chmod(path, 0755), 0);
	return path;
}

static double ms(const struct xhb_resource_result *res)
{
	return (double)res->duration_ns / 1e6;
}

/* Gone, or a zombie waiting for init: nothing runs under that pid. */
static bool process_gone_now(pid_t pid)
{
	char path[64], buf[512], *state;
	FILE *f;
	bool gone = true;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f) && (state = strrchr(buf, ')')))
		gone = state[2] == 'Z' || state[2] == 'X';
	fclose(f);
	return gone;
}

/* A SIGKILLed process takes a moment to die once the signal is sent. */
static bool process_gone(pid_t pid)
{
	for (int i = 0; i < 100; i++) {
		if (process_gone_now(pid))
			return true;
		usleep(10000);
	}
	return false;
}

static pid_t read_pid(const char *name)
{
	char path[PATH_MAX];
	int pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	cr_assert(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fscanf(f, "%d", &pid), 1);
	fclose(f);
	return pid;
}

Test(resource, exit_codes)
{
	struct xhb_resource_result res;
	const char *path = script("exit", "exit \"$1\"");
	const char *zero[] = {"0", NULL}, *three[] = {"3", NULL};

	cr_assert_eq(xhb_resource_run(path, zero, NULL, NULL, 5000, &res), 0);
	cr_expect_eq(res.outcome, XHB_RESOURCE_EXITED);
	cr_expect_eq(res.exit_code, 0);
	cr_expect_eq(res.signal, 0);
	cr_expect(xhb_resource_ok(&res));
	cr_expect_str_eq(xhb_resource_outcome_str(res.outcome), "exit");

	cr_assert_eq(xhb_resource_run(path, three, NULL, NULL, 5000, &res), 0);
	cr_expect_eq(res.outcome, XHB_RESOURCE_EXITED);
	cr_expect_eq(res.exit_code, 3);
	cr_expect_not(xhb_resource_ok(&res));
	cr_expect_gt(res.duration_ns, 0);
}

Test(resource, killed_by_signal)
{
	struct xhb_resource_result res;
	char name[16];

	cr_assert_eq(xhb_resource_run(script("sig", "kill -USR1 $$; sleep 5"),
				      NULL, "status", NULL, 5000, &res),
		     0);
	cr_expect_eq(res.outcome, XHB_RESOURCE_SIGNALED);
	cr_expect_eq(res.signal, SIGUSR1);
	cr_expect_eq(res.exit_code, -1);
	cr_expect_str_eq(xhb_resource_outcome_str(res.outcome), "signal");
	xhb_resource_signal_name(res.signal, name, sizeof(name));
	cr_expect_str_eq(name, "SIGUSR1");
}

Test(resource, stdout_and_stderr_captured_in_order)
{
	struct xhb_resource_result res;
	const char *path = script("out", "echo \"starting $1\"\n"
					 "echo 'oops' >&2\n"
					 "echo done");

	cr_assert_eq(xhb_resource_run(path, NULL, "start", NULL, 5000, &res), 0);
	cr_expect_str_eq(res.output, "starting start\noops\ndone\n");
	cr_expect_eq(res.output_len, strlen(res.output));
	cr_expect_not(res.truncated);
}

Test(resource, args_passed_verbatim_then_action)
{
	struct xhb_resource_result res;
	const char *args[] = {"172.16.193.30/16/ens192",
			      "a b",
			      "*",
			      "$HOME",
			      "",
			      "-x",
			      "'q'",
			      NULL};
	const char *path = script("args", "printf '[%s]' \"$0\" \"$@\"");
	char want[PATH_MAX + 128];

	cr_assert_eq(xhb_resource_run(path, args, "stop", NULL, 5000, &res), 0);
	snprintf(
	    want, sizeof(want),
	    "[%s][172.16.193.30/16/ens192][a b][*][$HOME][][-x]['q'][stop]",
	    path);
	cr_expect_str_eq(res.output, want);
}

Test(resource, long_output_keeps_head_and_tail)
{
	struct xhb_resource_result res;
	/* 1 MiB: the script must never block on a full pipe. */
	const char *path =
	    script("long", "printf BEGIN\n"
			   "head -c 1048576 /dev/zero | tr '\\0' x\n"
			   "printf 'END\\n'\n"
			   "exit 7");
	size_t total = 5 + 1048576 + 4;
	char marker[64];

	cr_assert_eq(xhb_resource_run(path, NULL, "start", NULL, 10000, &res), 0);
	cr_expect_eq(res.exit_code, 7);
	cr_expect(res.truncated);
	cr_expect_eq(strncmp(res.output, "BEGINxxx", 8), 0);
	cr_expect_str_eq(res.output + res.output_len - 8, "xxxxEND\n");
	snprintf(marker, sizeof(marker),
		 "\n[xhb: %zu bytes of output dropped]\n",
		 total - XHB_RESOURCE_OUTPUT_MAX);
	cr_expect(strstr(res.output, marker), "no marker %s", marker);
	cr_expect_eq(res.output_len, XHB_RESOURCE_OUTPUT_MAX + strlen(marker));
	cr_expect_eq(strlen(res.output), res.output_len);
}

Test(resource, output_is_valid_utf8_for_the_event)
{
	struct xhb_resource_result res;
	json_t *s;

	/* Invalid bytes and a NUL become '?'; valid UTF-8 stays. */
	cr_assert_eq(
	    xhb_resource_run(
		script("bytes", "printf 'ok\\377\\000x \\303\\251\\n'"), NULL,
		NULL, NULL, 5000, &res),
	    0);
	cr_expect_str_eq(res.output, "ok??x \xc3\xa9\n");
	s = json_string(res.output);
	cr_expect(s, "jansson refuses the output");
	json_decref(s);
}

Test(resource, timeout_kills_the_whole_group)
{
	struct xhb_resource_result res;
	char body[PATH_MAX + 64];
	pid_t child;

	/* A child in the background, the script itself in the foreground. */
	snprintf(body, sizeof(body),
		 "sleep 60 &\necho $! > '%s/child'\necho waiting\nsleep 60",
		 dir);
	cr_assert_eq(
	    xhb_resource_run(script("hang", body), NULL, "start", NULL, 300, &res),
	    0);
	cr_expect_eq(res.outcome, XHB_RESOURCE_TIMEOUT);
	cr_expect_str_eq(xhb_resource_outcome_str(res.outcome), "timeout");
	cr_expect_eq(res.signal, SIGTERM);
	cr_expect_str_eq(res.output, "waiting\n");
	cr_expect_geq(ms(&res), 300);
	cr_expect_lt(ms(&res), 300 + XHB_RESOURCE_KILL_GRACE_MS, "%.1f ms",
		     ms(&res));
	child = read_pid("child");
	cr_expect(process_gone(child), "the script's child %d survived",
		  (int)child);
}

Test(resource, sigterm_ignored_then_sigkill)
{
	struct xhb_resource_result res;
	char body[PATH_MAX + 64];
	pid_t child;

	/* Ignored signals are inherited: the child ignores SIGTERM too. */
	snprintf(body, sizeof(body),
		 "trap '' TERM\nsleep 60 &\necho $! > '%s/child'\n"
		 "while :; do sleep 0.05; done",
		 dir);
	cr_assert_eq(
	    xhb_resource_run(script("stubborn", body), NULL, "stop", NULL, 200, &res),
	    0);
	cr_expect_eq(res.outcome, XHB_RESOURCE_TIMEOUT);
	cr_expect_eq(res.signal, SIGKILL);
	cr_expect_geq(ms(&res), 200 + XHB_RESOURCE_KILL_GRACE_MS);
	cr_expect_lt(ms(&res), 200 + XHB_RESOURCE_KILL_GRACE_MS + 1000,
		     "%.1f ms", ms(&res));
	child = read_pid("child");
	cr_expect(process_gone(child), "the script's child %d survived",
		  (int)child);
}

/* A start script may leave a daemon that keeps the output pipe open: the
 * run ends when the script exits, and the daemon is left alone. */
Test(resource, daemon_left_running_does_not_block)
{
	struct xhb_resource_result res;
	char body[PATH_MAX + 64];
	pid_t daemon;

	snprintf(body, sizeof(body),
		 "sleep 30 &\necho $! > '%s/daemon'\necho started", dir);
	cr_assert_eq(
	    xhb_resource_run(script("daemon", body), NULL, "start", NULL, 5000, &res),
	    0);
	cr_expect(xhb_resource_ok(&res));
	cr_expect_str_eq(res.output, "started\n");
	cr_expect_lt(ms(&res), 1000, "%.1f ms", ms(&res));
	daemon = read_pid("daemon");
	cr_expect_not(process_gone_now(daemon), "the daemon was killed");
	kill(daemon, SIGKILL);
}

Test(resource, cannot_run)
{
	struct xhb_resource_result res;
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/missing", dir);
	cr_expect_eq(xhb_resource_run(path, NULL, "start", NULL, 1000, &res),
		     -ENOENT);
	snprintf(path, sizeof(path), "%s/not-executable", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	close(fd);
	cr_expect_eq(xhb_resource_run(path, NULL, "start", NULL, 1000, &res),
		     -EACCES);
	cr_expect_eq(
	    xhb_resource_run("relative/script", NULL, "start", NULL, 1000, &res),
	    -EINVAL);
	cr_expect_eq(
	    xhb_resource_run(script("ok", "true"), NULL, "start", NULL, 0, &res),
	    -EINVAL);
	cr_expect_eq(res.output_len, 0);
}

/* stdin /dev/null, own session, cwd /, no inherited fd or ignored signal. */
Test(resource, clean_environment)
{
	struct xhb_resource_result res;
	const char *args[] = {"50", NULL};
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe, old_term;
	const char *path = script(
	    "env", "echo \"stdin=$(readlink /proc/$$/fd/0)\"\n"
		   "sid=$(cut -d' ' -f6 /proc/$$/stat)\n"
		   "[ \"$sid\" = $$ ] && echo session=own\n"
		   "echo \"cwd=$(pwd)\"\n"
		   "[ -e /proc/$$/fd/$1 ] && echo fd=open || echo fd=closed\n"
		   "grep SigIgn /proc/$$/status");
	int fd;

	/* The agent ignores SIGPIPE; its scripts must not. */
	sigaction(SIGPIPE, &ign, &old_pipe);
	sigaction(SIGTERM, &ign, &old_term);
	fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC on purpose */
	cr_assert(fd >= 0);
	cr_assert_eq(dup2(fd, 50), 50);
	close(fd);
	cr_assert_eq(xhb_resource_run(path, args, NULL, NULL, 5000, &res), 0);
	close(50);
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	cr_expect_str_eq(res.output, "stdin=/dev/null\nsession=own\ncwd=/\n"
				     "fd=closed\nSigIgn:\t0000000000000000\n");
}

/* The agent's environment, plus env's variables, which replace the agent's
 * of the same name and nothing else. */
Test(resource, extra_environment)
{
	struct xhb_resource_result res;
	const char *env[] = {"XHB_T_NEW=new value", "XHB_T_OLD=replaced",
			     "XHB_T_EMPTY=", NULL};
	const char *path = script(
	    "env", "env | grep '^XHB_T' | sort");

	setenv("XHB_T_OLD", "agent's", 1);
	setenv("XHB_T_KEPT", "agent's", 1);
	setenv("XHB_T_OLDER", "not a prefix match", 1);
	cr_assert_eq(xhb_resource_run(path, NULL, NULL, env, 5000, &res), 0);
	cr_expect_str_eq(res.output, "XHB_T_EMPTY=\n"
				     "XHB_T_KEPT=agent's\n"
				     "XHB_T_NEW=new value\n"
				     "XHB_T_OLD=replaced\n"
				     "XHB_T_OLDER=not a prefix match\n");
	/* NULL: the agent's environment as it is */
	cr_assert_eq(xhb_resource_run(path, NULL, NULL, NULL, 5000, &res), 0);
	cr_expect_str_eq(res.output, "XHB_T_KEPT=agent's\n"
				     "XHB_T_OLD=agent's\n"
				     "XHB_T_OLDER=not a prefix match\n");
	unsetenv("XHB_T_OLD");
	unsetenv("XHB_T_KEPT");
	unsetenv("XHB_T_OLDER");
}
