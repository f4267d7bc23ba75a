// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The userspace responder the XDP one is compared with: a UDP socket on
 * the cluster port, datagrams in with recvmmsg and out with sendmmsg, in
 * batches, one thread.
 *
 *   --mode echo   send every datagram back as it is: the least a userspace
 *                 responder can do (no authentication), so the fastest
 *                 userspace figure and the one the issue asks for.
 *   --mode reply  most of what the XDP program does: verify the probe's
 *                 tag, answer with a signed PROBE_REPLY carrying our state
 *                 (no replay window, no peer record: still less work).
 *
 * It stops on SIGINT/SIGTERM or after --max-seconds, then prints JSON:
 * datagrams received and sent, the time between the first and the last,
 * and its own CPU time (the kernel's receive path before the socket is
 * not in it: that runs in NAPI, see bench/run.sh).
 *
 *   udp_echo --bind IP [--port N] [--mode echo|reply] [--batch N]
 *            [--cpu C] [--ready FILE] [--max-seconds N] [--json FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <jansson.h>

#include "bench.h"

#define BATCH_MAX 256
#define DGRAM_MAX 2048

enum mode { MODE_ECHO, MODE_REPLY };

struct counts {
	__u64 received;
	__u64 sent;
	__u64 send_dropped; /* sendmmsg refused them (queue full) */
	__u64 rejected;	    /* reply mode: not a valid probe for us */
	__u64 first_ns, last_ns;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * The same answer the XDP program builds (bpf/xhb.bpf.c xhb_build_reply),
 * from the same state; returns false for anything that is not a valid
 * probe addressed to us.
 */
static bool make_reply(__u8 *buf, int len,
		       const struct xhb_key keys[XHB_MAX_KEYS], __u64 *reply_seq)
{
	struct xhb_hdr *h = (struct xhb_hdr *)buf, probe;
	__u32 prober, prober_incarnation;
	__u64 echoed;
	__u64 now;

	/* full or compact (the same checks as XDP's, user/wire.c) */
	if (xhb_wire_check(buf, (size_t)len, BENCH_CLUSTER, keys, &probe) !=
		    XHB_WIRE_OK ||
	    probe.type != XHB_MSG_PROBE || probe.key_id != BENCH_KEY_ID ||
	    probe.dest_node_id != htonl(BENCH_RESPONDER_ID))
		return false;
	prober = ntohl(probe.node_id);
	echoed = be64toh(probe.timestamp_ns);
	prober_incarnation = (__u32)be64toh(probe.incarnation);
	/* Numbered by time as the XDP program numbers its replies, so the
	 * prober's window accepts them after an XDP run on the same pair. */
	now = xhb_now_ns();
	*reply_seq = now > *reply_seq ? now : *reply_seq + 1;
	xhb_wire_fill(h, &(struct xhb_wire_fields){
				 .type = XHB_MSG_PROBE_REPLY,
				 .state = XHB_NODE_ACTIVE,
				 .priority = 100,
				 .cluster_id = BENCH_CLUSTER,
				 .node_id = BENCH_RESPONDER_ID,
				 .dest_node_id = prober,
				 .incarnation = 1,
				 .seq = *reply_seq,
				 .timestamp_ns = echoed,
				 .echo_incarnation = prober_incarnation,
				 .agent_epoch = 1,
			 });
	xhb_wire_sign(h, BENCH_KEY_ID, &keys[BENCH_KEY_ID]);
	return true;
}

static int serve(int fd, enum mode mode, unsigned int batch, __u64 deadline_ns,
		 struct counts *c)
{
	static __u8 bufs[BATCH_MAX][DGRAM_MAX];
	static struct sockaddr_storage peers[BATCH_MAX];
	struct mmsghdr in[BATCH_MAX], out[BATCH_MAX];
	struct iovec in_iov[BATCH_MAX], out_iov[BATCH_MAX];
	struct xhb_key keys[XHB_MAX_KEYS];
	__u64 reply_seq = 0;
	int n, nout, sent;

	bench_keys(keys);
	for (unsigned int i = 0; i < batch; i++) {
		in_iov[i] = (struct iovec){bufs[i], DGRAM_MAX};
		in[i].msg_hdr = (struct msghdr){.msg_name = &peers[i],
						.msg_iov = &in_iov[i],
						.msg_iovlen = 1};
	}
	while (!stop && xhb_mono_ns() < deadline_ns) {
		for (unsigned int i = 0; i < batch; i++)
			in[i].msg_hdr.msg_namelen = sizeof(peers[i]);
		/* Blocks for the first datagram only (SO_RCVTIMEO bounds it).
		 */
		n = recvmmsg(fd, in, batch, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		if (!c->received)
			c->first_ns = xhb_mono_ns();
		c->received += n;
		nout = 0;
		for (int i = 0; i < n; i++) {
			if (mode == MODE_REPLY &&
			    !make_reply(bufs[i], in[i].msg_len, keys,
					&reply_seq)) {
				c->rejected++;
				continue;
			}
			out_iov[nout] = (struct iovec){bufs[i], in[i].msg_len};
			out[nout].msg_hdr = (struct msghdr){
			    .msg_name = &peers[i],
			    .msg_namelen = in[i].msg_hdr.msg_namelen,
			    .msg_iov = &out_iov[nout],
			    .msg_iovlen = 1,
			};
			nout++;
		}
		for (int done = 0; done < nout; done += sent) {
			sent =
			    sendmmsg(fd, out + done, nout - done, MSG_DONTWAIT);
			if (sent <= 0) {
				/* A full queue loses the rest of the batch, as
				 * a full NIC ring would; no retry loop to spin
				 * in. */
				c->send_dropped += nout - done;
				break;
			}
			c->sent += sent;
		}
		c->last_ns = xhb_mono_ns();
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"bind", required_argument, NULL, 'b'},
	    {"port", required_argument, NULL, 'p'},
	    {"mode", required_argument, NULL, 'm'},
	    {"batch", required_argument, NULL, 'B'},
	    {"cpu", required_argument, NULL, 'c'},
	    {"ready", required_argument, NULL, 'r'},
	    {"max-seconds", required_argument, NULL, 't'},
	    {"json", required_argument, NULL, 'j'},
	    {},
	};
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_port = htons(XHB_DEFAULT_PORT)};
	struct timeval rcv_timeout = {.tv_usec = 100000};
	const char *ready = NULL, *json = NULL, *bind_ip = NULL;
	unsigned int batch = 64, max_seconds = 120;
	int cpu = -1, fd, opt, err, rcvbuf = 4 << 20;
	enum mode mode = MODE_ECHO;
	struct counts c = {0};
	struct rusage ru;
	double active_s;
	json_t *out;
	FILE *f;

	while ((opt = getopt_long(argc, argv, "b:p:m:B:c:r:t:j:", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'b':
			bind_ip = optarg;
			break;
		case 'p':
			addr.sin_port = htons(atoi(optarg));
			break;
		case 'm':
			if (!strcmp(optarg, "echo"))
				mode = MODE_ECHO;
			else if (!strcmp(optarg, "reply"))
				mode = MODE_REPLY;
			else
				goto usage;
			break;
		case 'B':
			batch = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'r':
			ready = optarg;
			break;
		case 't':
			max_seconds = strtoul(optarg, NULL, 0);
			break;
		case 'j':
			json = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (!bind_ip || inet_pton(AF_INET, bind_ip, &addr.sin_addr) != 1 ||
	    !batch || batch > BATCH_MAX || !max_seconds)
		goto usage;

	err = bench_pin_cpu(cpu);
	if (err)
		fprintf(stderr,
			"udp_echo: cannot pin to CPU %d: %s (continuing "
			"unpinned)\n",
			cpu, strerror(-err));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rcv_timeout,
		       sizeof(rcv_timeout))) {
		fprintf(stderr, "udp_echo: cannot bind %s:%u: %s\n", bind_ip,
			ntohs(addr.sin_port), strerror(errno));
		return 1;
	}
	/* A deeper queue absorbs bursts; it does not raise the rate. Refused
	 * above rmem_max, which is fine: the default is only less smooth. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (ready && (f = fopen(ready, "we")))
		fclose(f);

	err = serve(fd, mode, batch,
		    xhb_mono_ns() + max_seconds * 1000000000ULL, &c);
	close(fd);
	if (err) {
		fprintf(stderr, "udp_echo: recvmmsg: %s\n", strerror(-err));
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	active_s = c.received ? (c.last_ns - c.first_ns) / 1e9 : 0;
	out = json_pack(
	    "{s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f}", "mode",
	    mode == MODE_ECHO ? "echo" : "reply", "batch", (json_int_t)batch,
	    "received", (json_int_t)c.received, "sent", (json_int_t)c.sent,
	    "send_dropped", (json_int_t)c.send_dropped, "rejected",
	    (json_int_t)c.rejected, "active_s", active_s, "sent_pps",
	    active_s > 0 ? c.sent / active_s : 0.0, "user_s",
	    ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, "sys_s",
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	if (json)
		json_dump_file(out, json, JSON_INDENT(2));
	else
		json_dumpf(out, stdout, JSON_INDENT(2));
	json_decref(out);
	return 0;
usage:
	fprintf(
	    stderr,
	    "usage: udp_echo --bind IP [--port N] [--mode echo|reply] [--batch "
	    "N] [--cpu C] [--ready FILE] [--max-seconds N] [--json FILE]\n");
	return 2;
}
