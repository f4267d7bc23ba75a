// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * xhb-metrics: serves this node's metrics (user/metrics.h) to Prometheus.
 *
 *   xhb-metrics [-c DIR] [-s SOCKET] [-t]
 *
 * Listens where ha.cf's `metrics_listen ADDRESS:PORT` says and answers
 * GET (and HEAD) /metrics with the text `xhbctl metrics` prints: 404 for
 * another path, 405 for another method. A process of its own, not a
 * thread of xhbd: a scrape never delays the agent's loop, and the maps'
 * metrics are still served while the agent is down (xhb_agent_up 0).
 *
 * Bounded: libmicrohttpd parses HTTP, one thread serves every connection
 * (a scrape waits at most XHB_METRICS_AGENT_TIMEOUT_MS for the agent),
 * at most MAX_CONNECTIONS at once and PER_IP_CONNECTIONS from one
 * address, each with MEMORY_LIMIT bytes for its request and dropped after
 * IDLE_TIMEOUT_S of silence. SIGTERM or SIGINT: stop, exit 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/types.h>
#include <linux/bpf.h>
#include <microhttpd.h>

#include "config.h"
#include "control.h"
#include "dataplane.h"
#include "metrics.h"
#include "peers.h" /* xhb_sockaddr */

#define MAX_CONNECTIONS 8
#define PER_IP_CONNECTIONS 4
#define MEMORY_LIMIT (16 * 1024) /* a request line and its headers */
#define IDLE_TIMEOUT_S 10
#define LISTEN_BACKLOG 16

struct server {
	const struct xhb_config *cfg;
	const char *control_path;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xhb-metrics [-c DIR] [-s SOCKET] [-t]\n"
		"Serves GET /metrics (Prometheus) where ha.cf's metrics_listen says.\n"
		"  -c, --config DIR   configuration directory (default %s)\n"
		"  -s, --socket PATH  the agent's control socket (default %s)\n"
		"  -t, --test         check the configuration and exit\n",
		XHB_CONFIG_DEFAULT_DIR, XHB_CONTROL_PATH_DEFAULT);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status,
			     char *body, size_t len, enum MHD_ResponseMemoryMode mode,
			     const char *type, const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result plain(struct MHD_Connection *c, unsigned int status,
			     const char *text, const char *allow)
{
	return reply(c, status, (char *)text, strlen(text), MHD_RESPMEM_PERSISTENT,
		     "text/plain; charset=utf-8", allow);
}

/* Answered on the first call, headers read: nothing of ours needs a
 * body, and one sent anyway is dropped with the connection. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	const struct server *srv = cls;
	char *text;
	size_t len;
	int err;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	if (strcmp(url, "/metrics"))
		return plain(c, MHD_HTTP_NOT_FOUND,
			     "not found: xhb-metrics serves /metrics\n", NULL);
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return plain(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			     "method not allowed: GET /metrics\n", "GET, HEAD");
	err = xhb_metrics_text(srv->cfg, srv->control_path, &text, &len);
	if (err) {
		fprintf(stderr, "xhb-metrics: cannot render the metrics: %s\n",
			strerror(-err));
		return plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
			     "xhb-metrics: cannot render the metrics\n", NULL);
	}
	return reply(c, MHD_HTTP_OK, text, len, MHD_RESPMEM_MUST_FREE,
		     XHB_METRICS_CONTENT_TYPE, NULL);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("xhb-metrics: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* "172.16.193.10:9100", "[::1]:9100" */
static void listen_name(const struct xhb_listen *l, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(l->family, &l->addr, addr, sizeof(addr));
	snprintf(buf, len, l->family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr,
		 l->port);
}

/* Our own socket, so that a failure to bind is said exactly. */
static int open_listener(const struct xhb_listen *l)
{
	struct sockaddr_storage ss;
	int fd, on = 1, err;

	xhb_sockaddr(&ss, l->family, &l->addr, l->port);
	fd = socket(l->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a restart binds at once, whatever TIME_WAIT the last one left */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    (l->family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on))) ||
	    bind(fd, (struct sockaddr *)&ss,
		 l->family == AF_INET6 ? sizeof(struct sockaddr_in6)
				       : sizeof(struct sockaddr_in)) ||
	    listen(fd, LISTEN_BACKLOG)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"socket", required_argument, NULL, 's'},
		{"test", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct server srv = {.control_path = XHB_CONTROL_PATH_DEFAULT};
	const char *dir = XHB_CONFIG_DEFAULT_DIR;
	struct xhb_config *cfg = NULL;
	struct MHD_Daemon *d = NULL;
	char err[1024], where[64];
	bool test = false;
	int c, fd, sig, ret = 1;
	sigset_t stop;

	while ((c = getopt_long(argc, argv, "c:s:th", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			dir = optarg;
			break;
		case 's':
			srv.control_path = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	cfg = xhb_config_new();
	if (!cfg) {
		fprintf(stderr, "xhb-metrics: out of memory\n");
		return 1;
	}
	if (xhb_config_load_nodes(dir, NULL, cfg, err, sizeof(err))) {
		fprintf(stderr, "xhb-metrics: %s\n", err);
		goto out;
	}
	if (!cfg->metrics_listen.family) {
		fprintf(stderr,
			"xhb-metrics: %s: no metrics_listen line: nothing to serve "
			"(add one, e.g. 'metrics_listen 127.0.0.1:9100')\n",
			cfg->hacf_path);
		goto out;
	}
	listen_name(&cfg->metrics_listen, where, sizeof(where));
	if (test) {
		printf("%s: metrics_listen %s\n", cfg->hacf_path, where);
		ret = 0;
		goto out;
	}
	srv.cfg = cfg;
	dataplane__set_verbose(false);
	/* Blocked before the server's thread starts, so that it inherits
	 * the mask and the signals wait for sigwait below. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	fd = open_listener(&cfg->metrics_listen);
	if (fd < 0) {
		fprintf(stderr, "xhb-metrics: %s:%u: cannot listen on %s: %s\n",
			cfg->hacf_path, cfg->metrics_listen.line, where, strerror(-fd));
		goto out;
	}
	d = MHD_start_daemon(
	    MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    on_request, &srv,
	    /* first, or MHD says its first words on its own */
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)PER_IP_CONNECTIONS,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)MEMORY_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_TIMEOUT_S,
	    MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "xhb-metrics: cannot start the HTTP server on %s\n",
			where);
		close(fd);
		goto out;
	}
	fprintf(stderr, "xhb-metrics: serving http://%s/metrics\n", where);
	while (sigwait(&stop, &sig) == 0 && sig != SIGTERM && sig != SIGINT)
		;
	fprintf(stderr, "xhb-metrics: %s: stopping\n", strsignal(sig));
	MHD_stop_daemon(d); /* closes the listening socket too */
	ret = 0;
out:
	xhb_config_free(cfg);
	return ret;
}
