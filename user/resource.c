// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Resource script runner: see resource.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "resource.h"

#define OUTPUT_HEAD 1024
#define OUTPUT_TAIL (XHB_RESOURCE_OUTPUT_MAX - OUTPUT_HEAD)
/* Without a pidfd (kernel < 5.3) the exit is noticed by polling this often. */
#define EXIT_POLL_MS 10

extern char **environ;

/* The first OUTPUT_HEAD bytes, then a ring of the last OUTPUT_TAIL. */
struct capture {
	char head[OUTPUT_HEAD];
	char tail[OUTPUT_TAIL];
	uint64_t total;
};

struct run {
	pid_t pid;  /* also the process group: the child is a session leader */
	int out_fd; /* read end of the stdout+stderr pipe, -1 at EOF */
	int pid_fd; /* readable when the child exits; -1 if unsupported */
	uint64_t start_ns;
	uint64_t deadline_ns;
	uint64_t kill_ns; /* SIGKILL the group then, once SIGTERM went out */
	bool term_sent;
	struct capture cap;
};

static void capture_add(struct capture *cap, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++, cap->total++) {
		if (cap->total < OUTPUT_HEAD)
			cap->head[cap->total] = buf[i];
		else
			cap->tail[(cap->total - OUTPUT_HEAD) % OUTPUT_TAIL] =
			    buf[i];
	}
}

/* Length of a valid UTF-8 sequence at s (at most len bytes), 0 if none:
 * jansson refuses strings that are not valid UTF-8, and scripts print
 * whatever their locale likes. */
static size_t utf8_valid(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return s[0] ? 1 : 0;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void sanitize(char *buf, size_t len)
{
	unsigned char *s = (unsigned char *)buf;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_valid(s + i, len - i);

		if (n) {
			i += n;
		} else {
			s[i++] = '?';
		}
	}
}

static void capture_finish(const struct capture *cap,
			   struct xhb_resource_result *res)
{
	size_t len;

	if (cap->total <= XHB_RESOURCE_OUTPUT_MAX) {
		size_t head =
		    cap->total < OUTPUT_HEAD ? cap->total : OUTPUT_HEAD;

		memcpy(res->output, cap->head, head);
		memcpy(res->output + head, cap->tail, cap->total - head);
		len = cap->total;
	} else {
		size_t start = (cap->total - OUTPUT_HEAD) % OUTPUT_TAIL;

		memcpy(res->output, cap->head, OUTPUT_HEAD);
		len = OUTPUT_HEAD;
		len += snprintf(
		    res->output + len, sizeof(res->output) - len,
		    "\n[xhb: %llu bytes of output dropped]\n",
		    (unsigned long long)(cap->total - XHB_RESOURCE_OUTPUT_MAX));
		memcpy(res->output + len, cap->tail + start,
		       OUTPUT_TAIL - start);
		memcpy(res->output + len + OUTPUT_TAIL - start, cap->tail,
		       start);
		len += OUTPUT_TAIL;
		res->truncated = true;
	}
	sanitize(res->output, len);
	res->output[len] = '\0';
	res->output_len = len;
}

/* In the child, between fork() and exec: async-signal-safe calls only.
 * Reports a failure as an errno on err_fd and exits. */
static void child_exec(const char *path, char **argv, char **envp, int out_fd,
		       int err_fd)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;
	int err, null_fd;

	/* A new session: the script and everything it starts form one
	 * process group we can kill, without a controlling terminal. */
	if (setsid() < 0)
		goto fail;
	/* Ignored signals survive exec: an agent ignoring SIGPIPE would
	 * hand that to every script. (Not posix_spawn: glibc's leaves its
	 * two internal signals ignored in the child, whatever SETSIGDEF.) */
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	/* glibc's sigaction refuses those two (32, 33), and a parent that
	 * used posix_spawn (make) left them ignored: the system call. */
	for (int sig = __SIGRTMIN; sig < SIGRTMIN; sig++) {
		struct {
			void (*handler)(int);
			unsigned long flags;
			void (*restorer)(void);
			unsigned long mask;
		} kernel_dfl = {.handler = SIG_DFL};

		syscall(SYS_rt_sigaction, sig, &kernel_dfl, NULL,
			sizeof(kernel_dfl.mask));
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* An agent started with stdio closed got its pipes as fds 0..2:
	 * move them out of the way of the dup2()s below. */
	if (out_fd <= STDERR_FILENO)
		out_fd = fcntl(out_fd, F_DUPFD_CLOEXEC, 3);
	if (err_fd <= STDERR_FILENO)
		err_fd = fcntl(err_fd, F_DUPFD_CLOEXEC, 3);
	if (out_fd < 0 || err_fd < 0)
		goto fail;
	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 ||
	    dup2(out_fd, STDOUT_FILENO) < 0 || dup2(out_fd, STDERR_FILENO) < 0)
		goto fail;
	/* Sockets, BPF fds, the logfile: not the script's business,
	 * O_CLOEXEC or not. err_fd is CLOEXEC and must stay for exec. */
	for (int fd = 3; fd < err_fd; fd++)
		close(fd);
	if (close_range((unsigned int)err_fd + 1, ~0U, 0)) /* Linux < 5.9 */
		for (int fd = err_fd + 1; fd < 65536; fd++)
			close(fd);
	/* Do not pin the agent's working directory. */
	if (chdir("/"))
		goto fail;
	execve(path, argv, envp);
fail:
	err = errno;
	if (write(err_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* The agent's environment, but for the names env sets, then env: built
 * before fork(), since the child may not allocate. */
static char **child_environ(const char *const *env)
{
	size_t nenv = 0, nenviron = 0, n = 0;
	char **envp;

	while (env && env[nenv])
		nenv++;
	while (environ && environ[nenviron])
		nenviron++;
	envp = calloc(nenviron + nenv + 1, sizeof(*envp));
	if (!envp)
		return NULL;
	for (size_t i = 0; i < nenviron; i++) {
		size_t len = strcspn(environ[i], "=");
		bool replaced = false;

		for (size_t j = 0; j < nenv && !replaced; j++)
			replaced = !strncmp(env[j], environ[i], len) &&
				   env[j][len] == '=';
		if (!replaced)
			envp[n++] = environ[i];
	}
	for (size_t j = 0; j < nenv; j++)
		envp[n++] = (char *)env[j];
	return envp;
}

static int spawn(struct run *run, const char *path, const char *const *args,
		 const char *action, const char *const *env)
{
	size_t nargs = 0, argc = 0;
	int out[2], status[2], child_errno = 0, err = 0;
	ssize_t n;
	char **argv, **envp;

	while (args && args[nargs])
		nargs++;
	argv = calloc(nargs + 3, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	envp = child_environ(env);
	if (!envp) {
		free(argv);
		return -ENOMEM;
	}
	/* execve() takes char *const[] but does not modify the strings. */
	argv[argc++] = (char *)path;
	for (size_t i = 0; i < nargs; i++)
		argv[argc++] = (char *)args[i];
	if (action)
		argv[argc++] = (char *)action;

	/* status carries the child's errno when exec fails; a successful
	 * exec closes it (CLOEXEC) and the parent reads EOF. */
	if (pipe2(out, O_CLOEXEC)) {
		err = -errno;
		goto out_argv;
	}
	if (pipe2(status, O_CLOEXEC)) {
		err = -errno;
		goto out_pipe;
	}
	run->start_ns = xhb_mono_ns();
	run->pid = fork();
	if (run->pid < 0) {
		err = -errno;
		close(status[0]);
		close(status[1]);
		goto out_pipe;
	}
	if (run->pid == 0)
		child_exec(path, argv, envp, out[1], status[1]);
	close(status[1]);
	while ((n = read(status[0], &child_errno, sizeof(child_errno))) < 0 &&
	       errno == EINTR)
		;
	close(status[0]);
	if (n > 0) {
		while (waitpid(run->pid, NULL, 0) < 0 && errno == EINTR)
			;
		err = -(child_errno ?: EIO);
		goto out_pipe;
	}
	close(out[1]);
	run->out_fd = out[0];
	fcntl(run->out_fd, F_SETFL, O_NONBLOCK);
#ifdef SYS_pidfd_open
	run->pid_fd = (int)syscall(SYS_pidfd_open, run->pid, 0);
#else
	run->pid_fd = -1;
#endif
	free(argv);
	free(envp);
	return 0;
out_pipe:
	close(out[0]);
	close(out[1]);
out_argv:
	free(argv);
	free(envp);
	return err;
}

static void read_output(struct run *run)
{
	char buf[4096];

	while (run->out_fd >= 0) {
		ssize_t n = read(run->out_fd, buf, sizeof(buf));

		if (n > 0) {
			capture_add(&run->cap, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		/* EOF, or an error that will not go away. */
		close(run->out_fd);
		run->out_fd = -1;
	}
}

/* Has the child exited? WNOWAIT leaves it a zombie, which keeps its pid
 * and so its process group id from being reused until we SIGKILL the
 * group and reap it. */
static bool child_exited(pid_t pid)
{
	siginfo_t si = {0};

	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT))
		return false;
	return si.si_pid == pid;
}

/* Signals that are due: SIGTERM to the group at the deadline, SIGKILL
 * after the grace. */
static void send_due_signals(struct run *run, uint64_t now)
{
	if (!run->term_sent && now >= run->deadline_ns) {
		kill(-run->pid, SIGTERM);
		run->term_sent = true;
		run->kill_ns =
		    now + (uint64_t)XHB_RESOURCE_KILL_GRACE_MS * 1000000;
	}
	if (run->term_sent && now >= run->kill_ns) {
		kill(-run->pid, SIGKILL);
		/* Nothing survives SIGKILL: just wait for the exit now. */
		run->kill_ns = UINT64_MAX;
	}
}

static void run_reap(struct run *run, struct xhb_resource_result *res)
{
	int status = 0;

	/* Whatever the script left running after we had to stop it goes
	 * too: its pid, the group id, is still held by the zombie. A script
	 * that exits on its own may leave daemons behind, as start scripts
	 * do. */
	if (run->term_sent)
		kill(-run->pid, SIGKILL);
	/* What the script wrote before exiting; a daemon it started may hold
	 * the pipe open forever, so no waiting for EOF. */
	read_output(run);
	while (waitpid(run->pid, &status, 0) < 0 && errno == EINTR)
		;
	res->duration_ns = xhb_mono_ns() - run->start_ns;
	res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	res->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	if (run->term_sent)
		res->outcome = XHB_RESOURCE_TIMEOUT;
	else if (WIFSIGNALED(status))
		res->outcome = XHB_RESOURCE_SIGNALED;
	else
		res->outcome = XHB_RESOURCE_EXITED;
	capture_finish(&run->cap, res);
	if (run->out_fd >= 0)
		close(run->out_fd);
	if (run->pid_fd >= 0)
		close(run->pid_fd);
}

int xhb_resource_start(const char *path, const char *const *args,
		       const char *action, const char *const *env,
		       int timeout_ms, struct xhb_resource_run **out)
{
	struct run *run;
	int err;

	*out = NULL;
	if (!path || path[0] != '/' || timeout_ms <= 0)
		return -EINVAL;
	/* The capture is 4 KiB: keep it off the caller's stack. */
	run = calloc(1, sizeof(*run));
	if (!run)
		return -ENOMEM;
	err = spawn(run, path, args, action, env);
	if (err) {
		free(run);
		return err;
	}
	run->deadline_ns = run->start_ns + (uint64_t)timeout_ms * 1000000;
	*out = (struct xhb_resource_run *)run;
	return 0;
}

unsigned int xhb_resource_fds(const struct xhb_resource_run *r, int fds[2])
{
	const struct run *run = (const struct run *)r;
	unsigned int n = 0;

	if (run->out_fd >= 0)
		fds[n++] = run->out_fd;
	if (run->pid_fd >= 0)
		fds[n++] = run->pid_fd;
	return n;
}

uint64_t xhb_resource_wait_ns(const struct xhb_resource_run *r)
{
	const struct run *run = (const struct run *)r;
	uint64_t now = xhb_mono_ns();
	uint64_t next = run->term_sent ? run->kill_ns : run->deadline_ns;
	uint64_t wait = next > now ? next - now : 0;

	if (run->pid_fd < 0 && wait > EXIT_POLL_MS * 1000000ULL)
		wait = EXIT_POLL_MS * 1000000ULL;
	return wait;
}

bool xhb_resource_step(struct xhb_resource_run *r,
		       struct xhb_resource_result *res)
{
	struct run *run = (struct run *)r;

	send_due_signals(run, xhb_mono_ns());
	read_output(run);
	if (!child_exited(run->pid))
		return false;
	memset(res, 0, sizeof(*res));
	run_reap(run, res);
	free(run);
	return true;
}

void xhb_resource_cancel(struct xhb_resource_run *r)
{
	struct run *run = (struct run *)r;
	struct xhb_resource_result *res;

	if (!run)
		return;
	kill(-run->pid, SIGKILL);
	run->term_sent = true;
	res = malloc(sizeof(*res));
	if (res) {
		run_reap(run, res);
		free(res);
	} else {
		while (waitpid(run->pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (run->out_fd >= 0)
			close(run->out_fd);
		if (run->pid_fd >= 0)
			close(run->pid_fd);
	}
	free(run);
}

void xhb_resource_kill(struct xhb_resource_run *r)
{
	struct run *run = (struct run *)r;

	kill(-run->pid, SIGKILL);
	run->term_sent = true;
	run->kill_ns = UINT64_MAX;
}

int xhb_resource_run(const char *path, const char *const *args,
		     const char *action, const char *const *env, int timeout_ms,
		     struct xhb_resource_result *res)
{
	struct xhb_resource_run *run;
	int err;

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	err = xhb_resource_start(path, args, action, env, timeout_ms, &run);
	if (err)
		return err;
	while (!xhb_resource_step(run, res)) {
		struct pollfd pfd[2];
		int fds[2];
		unsigned int n = xhb_resource_fds(run, fds);
		uint64_t wait = xhb_resource_wait_ns(run);

		for (unsigned int i = 0; i < n; i++)
			pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		if (poll(pfd, n, (int)((wait + 999999) / 1000000)) < 0 &&
		    errno != EINTR)
			poll(NULL, 0, EXIT_POLL_MS); /* cannot happen; do not spin */
	}
	return 0;
}

bool xhb_resource_ok(const struct xhb_resource_result *res)
{
	return res->outcome == XHB_RESOURCE_EXITED && res->exit_code == 0;
}

const char *xhb_resource_outcome_str(enum xhb_resource_outcome outcome)
{
	switch (outcome) {
	case XHB_RESOURCE_EXITED:
		return "exit";
	case XHB_RESOURCE_SIGNALED:
		return "signal";
	case XHB_RESOURCE_TIMEOUT:
		return "timeout";
	}
	return "unknown";
}

void xhb_resource_signal_name(int sig, char *buf, size_t len)
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "SIG%d", sig);
}
