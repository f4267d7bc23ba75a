// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Load generator: valid PROBEs (signed, increasing seq, the prober's incarnation)
 * from the prober node to the responder, as fast as one thread can send,
 * for a bounded time and a bounded count. Run it in the prober's
 * namespace.
 *
 *   --mode packet  AF_PACKET with PACKET_QDISC_BYPASS and sendmmsg: whole
 *                  frames straight to the veth driver, no IP/UDP stack and
 *                  no qdisc on the way out, so the generator is cheaper
 *                  per packet than either responder.
 *   --mode udp     a connected UDP socket and sendmmsg (the agent's own
 *                  way of sending, slower per packet).
 *
 * Unpaced by default; --rate PPS spaces the batches so a responder that
 * collapses under overload (receive livelock) can be measured at the load
 * it handles best.
 *
 * Replies are not read from a socket: the prober's veth carries xhb's XDP
 * program (bench/xdp_node), which verifies every reply and counts it
 * (reply_accepted; an echo of our own probe lands in drop_self), at XDP
 * cost and in the same way for both responders. pktgen reads those
 * counters from the pins, and the responder's (probe_answered) when it is
 * XDP, at the start and the end of the measured window, after a warm-up;
 * /proc/stat is read at the same instants for each CPU's load, and the
 * on-CPU time (/proc/PID/schedstat, ns) of the threads named with --task
 * (the veths' NAPI threads, the userspace responder) and of pktgen
 * itself. Per-thread time is what the responder cost, whatever else the
 * machine ran meanwhile; the per-CPU figures include everything.
 *
 *   pktgen --src IP --dst IP --a-pins DIR [--b-pins DIR] [--mode packet|udp]
 *          [--ifname IF --dst-mac MAC] [--warmup S] [--duration S]
 *          [--rate PPS] [--max-packets N] [--batch N] [--cpu C] [--label L]
 *          [--task NAME=PID]... [--json FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <jansson.h>

#include "bench.h"

#define BATCH_MAX 256
#define FRAME_MAX 256
#define MAX_SECONDS 60 /* warm-up plus window, whatever is asked */
#define MAX_TASKS 8
#define MAX_LAG_NS 2000000ULL /* paced: catch up at most this much */

enum mode { MODE_PACKET, MODE_UDP };

/* Everything read at one instant: the window is the difference of two. */
struct snapshot {
	__u64 ns;
	__u64 sent;
	struct xhb_stats a, b;
	struct bench_cpu_ticks cpu[BENCH_MAX_CPUS];
	int ncpu;
	__u64 task_ns[MAX_TASKS + 1]; /* the last one is pktgen */
};

/* Threads whose CPU time we account: name=pid from the command line. */
struct task {
	char name[32];
	char path[64]; /* its schedstat */
};

struct gen {
	enum mode mode;
	int fd;
	struct xhb_frame_spec spec; /* packet mode */
	struct sockaddr_ll ll;	    /* packet mode: where frames go */
	unsigned int batch;
	__u64 incarnation; /* the prober node's (BENCH_INCARNATION) */
	__u64 seq;
	__u64 sent, send_errors;
	struct xhb_key key;
	struct xhb_dataplane *a, *b; /* pinned maps; b may be NULL */
	struct task tasks[MAX_TASKS + 1];
	int ntasks;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int parse_mac(const char *s, __u8 mac[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6
		   ? 0
		   : -EINVAL;
}

static int open_packet(struct gen *g, const char *ifname)
{
	int one = 1, ifindex = if_nametoindex(ifname);
	struct ifreq ifr = {0};

	if (!ifindex)
		return -ENODEV;
	/* Protocol 0: this socket sends only, it is never handed a frame. */
	g->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (g->fd < 0)
		return -errno;
	/* Straight to the driver: the qdisc would only add a lock and a
	 * queue in front of veth_xmit. */
	if (setsockopt(g->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
		       sizeof(one)))
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(g->fd, SIOCGIFHWADDR, &ifr))
		return -errno;
	memcpy(g->spec.src_mac, ifr.ifr_hwaddr.sa_data, 6);
	g->ll = (struct sockaddr_ll){
	    .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6};
	memcpy(g->ll.sll_addr, g->spec.dst_mac, 6);
	return 0;
}

static int open_udp(struct gen *g)
{
	struct sockaddr_in src = {.sin_family = AF_INET,
				  .sin_port = htons(g->spec.src_port)};
	struct sockaddr_in dst = {.sin_family = AF_INET,
				  .sin_port = htons(g->spec.dst_port)};

	memcpy(&src.sin_addr, g->spec.src_ip, 4);
	memcpy(&dst.sin_addr, g->spec.dst_ip, 4);
	g->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (g->fd < 0)
		return -errno;
	if (bind(g->fd, (struct sockaddr *)&src, sizeof(src)) ||
	    connect(g->fd, (struct sockaddr *)&dst, sizeof(dst)))
		return -errno;
	return 0;
}

/* One batch of fresh probes, sent; returns how many the kernel took. */
static int send_batch(struct gen *g)
{
	static __u8 bufs[BATCH_MAX][FRAME_MAX];
	struct mmsghdr msgs[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	__u64 now = xhb_now_ns(); /* the clock the prober's XDP checks replies on */
	struct xhb_hdr h;
	int len, n;

	struct xhb_wire_fields f = {
		.type = XHB_MSG_PROBE,
		.state = XHB_NODE_ACTIVE,
		.priority = 100,
		.cluster_id = BENCH_CLUSTER,
		.node_id = BENCH_PROBER_ID,
		.dest_node_id = BENCH_RESPONDER_ID,
		.incarnation = g->incarnation,
		.timestamp_ns = now,
		.agent_epoch = 1,
	};

	for (unsigned int i = 0; i < g->batch; i++) {
		f.seq = g->seq + i;
		xhb_wire_fill(&h, &f);
		xhb_wire_sign(&h, BENCH_KEY_ID, &g->key);
		if (g->mode == MODE_PACKET) {
			len = xhb_frame_build(bufs[i], FRAME_MAX, &g->spec, &h,
					      sizeof(h));
			if (len < 0)
				return len;
		} else {
			memcpy(bufs[i], &h, sizeof(h));
			len = sizeof(h);
		}
		iov[i] = (struct iovec){bufs[i], len};
		msgs[i].msg_hdr = (struct msghdr){
		    .msg_name = g->mode == MODE_PACKET ? &g->ll : NULL,
		    .msg_namelen = g->mode == MODE_PACKET ? sizeof(g->ll) : 0,
		    .msg_iov = &iov[i],
		    .msg_iovlen = 1,
		};
	}
	n = sendmmsg(g->fd, msgs, g->batch, 0);
	if (n < 0) {
		/* ENOBUFS: the veth ring is full (the responder is behind). */
		g->send_errors++;
		return 0;
	}
	/*
	 * Sequence numbers of probes not taken are used again in the next
	 * batch, so the responder sees no gap it would not see on a wire.
	 */
	g->seq += n;
	g->sent += n;
	if ((unsigned int)n < g->batch)
		g->send_errors++;
	return n;
}

/* Nanoseconds the thread has run; 0 if it is gone. */
static __u64 task_ns(const struct task *t)
{
	unsigned long long ns = 0;
	FILE *f = fopen(t->path, "re");

	if (f) {
		if (fscanf(f, "%llu", &ns) != 1)
			ns = 0;
		fclose(f);
	}
	return ns;
}

static int add_task(struct gen *g, const char *name, const char *pid)
{
	struct task *t;

	if (g->ntasks >= MAX_TASKS + 1)
		return -E2BIG;
	t = &g->tasks[g->ntasks++];
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->path, sizeof(t->path), "/proc/%s/schedstat", pid);
	return 0;
}

static int take(struct gen *g, struct snapshot *s)
{
	int err;

	s->ns = xhb_mono_ns();
	s->sent = g->sent;
	for (int i = 0; i < g->ntasks; i++)
		s->task_ns[i] = task_ns(&g->tasks[i]);
	s->ncpu = bench_cpu_read(s->cpu, BENCH_MAX_CPUS);
	err = dataplane__stats(g->a, &s->a);
	if (!err && g->b)
		err = dataplane__stats(g->b, &s->b);
	return err;
}

static json_t *cpu_json(const struct snapshot *s0, const struct snapshot *s1)
{
	json_t *arr = json_array();

	for (int c = 0; c < s1->ncpu && c < s0->ncpu; c++) {
		const struct bench_cpu_ticks *a = &s0->cpu[c], *b = &s1->cpu[c];
		double user = (b->user + b->nice) - (a->user + a->nice);
		double sys = b->system - a->system;
		double soft = (b->softirq + b->irq) - (a->softirq + a->irq);
		double idle = (b->idle + b->iowait) - (a->idle + a->iowait);
		double steal = b->steal - a->steal;
		double total = user + sys + soft + idle + steal;

		if (total <= 0)
			continue;
		json_array_append_new(
		    arr,
		    json_pack("{s:i, s:f, s:f, s:f, s:f, s:f}", "cpu", c,
			      "busy_pct", 100 * (user + sys + soft) / total,
			      "user_pct", 100 * user / total, "system_pct",
			      100 * sys / total, "irq_pct", 100 * soft / total,
			      "steal_pct", 100 * steal / total));
	}
	return arr;
}

static json_t *tasks_json(const struct gen *g, const struct snapshot *s0,
			  const struct snapshot *s1)
{
	double window_ns = s1->ns - s0->ns;
	json_t *obj = json_object();

	for (int i = 0; i < g->ntasks; i++) {
		double ns = s1->task_ns[i] - s0->task_ns[i];

		json_object_set_new(obj, g->tasks[i].name,
				    json_pack("{s:f, s:f}", "cpu_ms", ns / 1e6,
					      "cpu_pct", 100 * ns / window_ns));
	}
	return obj;
}

static void usage(void)
{
	fprintf(stderr, "usage: pktgen --src IP --dst IP --a-pins DIR "
			"[--b-pins DIR] [--mode packet|udp]\n"
			"              [--ifname IF --dst-mac MAC] [--warmup "
			"S] [--duration S]\n"
			"              [--rate PPS] [--max-packets N] [--batch "
			"N] [--cpu C] [--label L]\n"
			"              [--task NAME=PID]... [--json FILE]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"mode", required_argument, NULL, 'm'},
	    {"src", required_argument, NULL, 's'},
	    {"dst", required_argument, NULL, 'd'},
	    {"ifname", required_argument, NULL, 'i'},
	    {"dst-mac", required_argument, NULL, 'M'},
	    {"a-pins", required_argument, NULL, 'a'},
	    {"b-pins", required_argument, NULL, 'b'},
	    {"warmup", required_argument, NULL, 'w'},
	    {"duration", required_argument, NULL, 'D'},
	    {"max-packets", required_argument, NULL, 'n'},
	    {"rate", required_argument, NULL, 'R'},
	    {"batch", required_argument, NULL, 'B'},
	    {"cpu", required_argument, NULL, 'c'},
	    {"label", required_argument, NULL, 'l'},
	    {"json", required_argument, NULL, 'j'},
	    {"task", required_argument, NULL, 'T'},
	    {},
	};
	struct gen g = {
	    .mode = MODE_PACKET,
	    .fd = -1,
	    .batch = 64,
	    .spec = {.family = AF_INET,
		     .src_port = XHB_DEFAULT_PORT,
		     .dst_port = XHB_DEFAULT_PORT},
	};
	const char *ifname = NULL, *a_pins = NULL, *b_pins = NULL, *json = NULL;
	const char *label = "", *src = NULL, *dst = NULL, *dst_mac = NULL;
	double warmup_s = 1, duration_s = 5, window_s, rate = 0;
	__u64 max_packets = 200000000, start, warm_end, end, next_batch,
	      batch_ns = 0;
	static struct snapshot s0, s1;
	__u64 replies, answered;
	struct xhb_key keys[XHB_MAX_KEYS];
	char why[256] = "";
	int cpu = -1, opt, err;
	json_t *out;

	while ((opt = getopt_long(argc, argv,
				  "m:s:d:i:M:a:b:w:D:n:R:B:c:l:j:T:", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (!strcmp(optarg, "packet"))
				g.mode = MODE_PACKET;
			else if (!strcmp(optarg, "udp"))
				g.mode = MODE_UDP;
			else
				goto usage;
			break;
		case 's':
			src = optarg;
			break;
		case 'd':
			dst = optarg;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 'M':
			dst_mac = optarg;
			break;
		case 'a':
			a_pins = optarg;
			break;
		case 'b':
			b_pins = optarg;
			break;
		case 'w':
			warmup_s = atof(optarg);
			break;
		case 'D':
			duration_s = atof(optarg);
			break;
		case 'n':
			max_packets = strtoull(optarg, NULL, 0);
			break;
		case 'R':
			rate = strtod(optarg, NULL);
			break;
		case 'B':
			g.batch = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'l':
			label = optarg;
			break;
		case 'j':
			json = optarg;
			break;
		case 'T': {
			char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg || g.ntasks >= MAX_TASKS)
				goto usage;
			*eq = '\0';
			add_task(&g, optarg, eq + 1);
			break;
		}
		default:
			goto usage;
		}
	}
	if (!src || !dst || !a_pins ||
	    inet_pton(AF_INET, src, g.spec.src_ip) != 1 ||
	    inet_pton(AF_INET, dst, g.spec.dst_ip) != 1 || !g.batch ||
	    g.batch > BATCH_MAX || warmup_s < 0 || duration_s <= 0 ||
	    warmup_s + duration_s > MAX_SECONDS || rate < 0)
		goto usage;
	if (g.mode == MODE_PACKET &&
	    (!ifname || !dst_mac || parse_mac(dst_mac, g.spec.dst_mac)))
		goto usage;

	bench_keys(keys);
	g.key = keys[BENCH_KEY_ID];
	/*
	 * The prober node's incarnation (its XDP accepts only replies that
	 * echo it). The responder's XDP keeps the highest seq it saw from
	 * us: a second run starting again at seq 1 would be all replays, so
	 * each run starts at the clock, above every earlier run.
	 */
	g.incarnation = BENCH_INCARNATION;
	g.seq = xhb_now_ns();
	add_task(&g, "generator", "thread-self");
	err = bench_pin_cpu(cpu);
	if (err)
		fprintf(
		    stderr,
		    "pktgen: cannot pin to CPU %d: %s (continuing unpinned)\n",
		    cpu, strerror(-err));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	dataplane__set_verbose(false);
	err = dataplane__open_pinned(a_pins, &g.a, why, sizeof(why));
	if (!err && b_pins)
		err = dataplane__open_pinned(b_pins, &g.b, why, sizeof(why));
	if (err) {
		fprintf(stderr, "pktgen: %s\n", why);
		goto cleanup;
	}
	err = g.mode == MODE_PACKET ? open_packet(&g, ifname) : open_udp(&g);
	if (err) {
		fprintf(stderr, "pktgen: cannot open the %s socket: %s\n",
			g.mode == MODE_PACKET ? "AF_PACKET" : "UDP",
			strerror(-err));
		goto cleanup;
	}

	if (rate > 0)
		batch_ns = (__u64)(g.batch * 1e9 / rate);
	start = xhb_mono_ns();
	next_batch = start;
	warm_end = start + (__u64)(warmup_s * 1e9);
	end = warm_end + (__u64)(duration_s * 1e9);
	/* Both bounds hold: the window's end and the packet budget. */
	while (!stop && g.sent < max_packets) {
		__u64 now = xhb_mono_ns();

		if (!s0.ns && now >= warm_end) {
			err = take(&g, &s0);
			if (err)
				break;
		}
		if (now >= end)
			break;
		if (batch_ns) {
			/* Absolute schedule, so a late wake-up is made up and
			 * the rate holds over the window; but a long stall
			 * (the CPU was taken) is not made up by a burst. */
			if (now < next_batch) {
				struct timespec ts = {
				    .tv_sec = next_batch / 1000000000ULL,
				    .tv_nsec = next_batch % 1000000000ULL};

				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
						&ts, NULL);
				continue;
			}
			next_batch = now > next_batch + MAX_LAG_NS
					 ? now + batch_ns
					 : next_batch + batch_ns;
		}
		err = send_batch(&g);
		if (err < 0)
			break;
		err = 0;
	}
	if (!err && !s0.ns)
		err = take(&g, &s0); /* stopped during the warm-up */
	if (!err)
		err = take(&g, &s1);
	if (err) {
		fprintf(stderr, "pktgen: %s\n", strerror(-err));
		goto cleanup;
	}

	window_s = (s1.ns - s0.ns) / 1e9;
	replies = (s1.a.reply_accepted + s1.a.drop_self) -
		  (s0.a.reply_accepted + s0.a.drop_self);
	answered = s1.b.probe_answered - s0.b.probe_answered;
	out = json_pack("{s:s, s:s, s:f, s:I, s:f, s:I, s:f, s:I, s:f, s:I}",
			"label", label, "mode",
			g.mode == MODE_PACKET ? "packet" : "udp", "offered_pps",
			rate, "batch", (json_int_t)g.batch, "window_s",
			window_s, "sent", (json_int_t)(s1.sent - s0.sent),
			"sent_pps", (s1.sent - s0.sent) / window_s, "replies",
			(json_int_t)replies, "replies_pps", replies / window_s,
			"send_errors", (json_int_t)g.send_errors);
	json_object_set_new(
	    out, "reply_accepted",
	    json_integer(s1.a.reply_accepted - s0.a.reply_accepted));
	json_object_set_new(out, "echo_drop_self",
			    json_integer(s1.a.drop_self - s0.a.drop_self));
	json_object_set_new(out, "prober_drop_replay",
			    json_integer(s1.a.drop_replay - s0.a.drop_replay));
	if (g.b) {
		json_object_set_new(out, "xdp_answered",
				    json_integer(answered));
		json_object_set_new(out, "xdp_answered_pps",
				    json_real(answered / window_s));
		json_object_set_new(
		    out, "xdp_drop_replay",
		    json_integer(s1.b.drop_replay - s0.b.drop_replay));
	}
	json_object_set_new(out, "cpu", cpu_json(&s0, &s1));
	json_object_set_new(out, "tasks", tasks_json(&g, &s0, &s1));
	if (json)
		err = json_dump_file(out, json,
				     JSON_INDENT(2) | JSON_REAL_PRECISION(8))
			  ? -EIO
			  : 0;
	else
		json_dumpf(out, stdout,
			   JSON_INDENT(2) | JSON_REAL_PRECISION(8));
	json_decref(out);
	printf("%-12s sent %10.0f pps  replies %10.0f pps over %.2f s\n", label,
	       (s1.sent - s0.sent) / window_s, replies / window_s, window_s);
cleanup:
	if (g.fd >= 0)
		close(g.fd);
	dataplane__close(g.a);
	dataplane__close(g.b);
	return err ? 1 : 0;
usage:
	usage();
	return 2;
}
