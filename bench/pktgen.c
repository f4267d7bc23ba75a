// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Load generator: valid PROBEs (signed, increasing seq, the prober's
 * incarnation) from the prober node to the responder, as fast as it can
 * send, for a bounded time and a bounded count. Run it in the prober's
 * namespace.
 *
 *   --mode packet  AF_PACKET with PACKET_QDISC_BYPASS and sendmmsg: whole
 *                  frames straight to the veth driver, no IP/UDP stack and
 *                  no qdisc on the way out, so the generator is cheaper
 *                  per packet than either responder.
 *   --mode udp     a connected UDP socket and sendmmsg (the agent's own
 *                  way of sending, slower per packet).
 *   --mode live    no socket: live_gen.bpf.c run by BPF_PROG_TEST_RUN with
 *                  BPF_F_TEST_XDP_LIVE_FRAMES on --ifname, its XDP_TX
 *                  frames transmitted through the veth's ndo_xdp_xmit in
 *                  bulk, as a NIC driver's XDP_TX would be. pktgen
 *                  prepares --batch signed frames in an mmapped map, then
 *                  one syscall sends them all: per probe, the signature
 *                  and a copy, no skb and no socket. The frames reach the
 *                  responder as XDP frames (no skb), as from a NIC; a
 *                  frame the responder's ring has no room for is dropped
 *                  there (ethtool -S: xdp_xmit_errors), counted in the
 *                  JSON as xmit_dropped.
 *                  --park IF: attach the program (native XDP) to IF, an
 *                  idle interface that never receives a frame, while
 *                  pktgen runs. Each BPF_PROG_TEST_RUN of an XDP program
 *                  otherwise adds it to the kernel's XDP dispatcher and
 *                  removes it again, two rewrites of kernel text with
 *                  IPIs and waits (~20 ms a call here, measured); a
 *                  program already attached somewhere is in the
 *                  dispatcher and a call changes nothing there.
 *
 * --compact sends compact probes (include/xhb_wire.h), as two agents of
 * this build send each other once the replies invite them; the default is
 * full probes, as to a peer of an older build.
 *
 * Unpaced by default; --rate PPS spaces the batches so a responder that
 * collapses under overload (receive livelock) can be measured at the load
 * it handles best.
 *
 * Replies are not read from a socket: the prober's veth carries xhb's XDP
 * program (bench/xdp_node), which verifies every reply and counts it
 * (reply_accepted; an echo of our own probe lands in drop_self), at XDP
 * cost and in the same way for both responders; or, with --counter cheap,
 * pktgen attaches live_gen.bpf.c's live_count there instead, which counts
 * replies and echoes by type and ids and verifies nothing (a fifth less
 * of the prober's CPU per reply: most of it is veth's NAPI, not the
 * program). pktgen reads those counters (xhb's from the
 * --a-pins), and the responder's (probe_answered, full and compact) when it is
 * XDP, at the start and the end of the measured window, after a warm-up;
 * /proc/stat is read at the same instants for each CPU's load, and the
 * on-CPU time (/proc/PID/schedstat, ns) of the threads named with --task
 * (the veths' NAPI threads, the userspace responder) and of pktgen
 * itself. Per-thread time is what the responder cost, whatever else the
 * machine ran meanwhile; the per-CPU figures include everything.
 *
 *   pktgen --src IP --dst IP --a-pins DIR [--b-pins DIR]
 *          [--mode packet|udp|live]
 *          [--ifname IF --dst-mac MAC] [--warmup S] [--duration S]
 *          [--rate PPS] [--max-packets N] [--batch N] [--cpu C] [--label L]
 *          [--task NAME=PID]... [--json FILE] [--compact]
 *          [--live-bulk N] [--park IF] [--counter xhb|cheap]
 *   (--counter cheap: no --a-pins; needs --ifname)
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "bench.h"
#include "live_gen.h"
#include "bench/live_gen.skel.h"

#define BATCH_MAX 256
#define LIVE_BATCH_DEFAULT 256 /* frames a call; bulks of --live-bulk */
#define FRAME_MAX 256
#define MAX_SECONDS 60 /* warm-up plus window, whatever is asked */
#define MAX_TASKS 8
#define MAX_LAG_NS 2000000ULL /* paced: catch up at most this much */

enum mode { MODE_PACKET, MODE_UDP, MODE_LIVE };

/* Everything read at one instant: the window is the difference of two. */
struct snapshot {
	__u64 ns;
	__u64 sent;
	__u64 xmit_dropped; /* live: frames the peer's ring refused */
	__u64 cheap_replies, cheap_echoes, cheap_other; /* --counter cheap */
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
	struct xhb_frame_spec spec;    /* packet and live modes */
	struct live_gen_bpf *live;     /* live mode: the program, its maps */
	struct live_gen_frame *frames; /* live: the mmapped frames map */
	size_t frames_size;
	int ifindex;
	int parked_ifindex;	/* live: where the program is parked, or 0 */
	int counter_ifindex;	/* --counter cheap: where live_count is, or 0 */
	unsigned int live_bulk; /* live: frames per ndo_xdp_xmit bulk */
	char ifname[IF_NAMESIZE];
	struct sockaddr_ll ll; /* packet mode: where frames go */
	unsigned int batch;
	__u64 incarnation; /* the prober node's (BENCH_INCARNATION) */
	bool compact;	   /* --compact: compact probes */
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

/* The live_gen object: the live generator and the cheap reply counter. */
static int load_live(struct gen *g)
{
	int err;

	g->live = live_gen_bpf__open();
	if (!g->live)
		return -errno ? -errno : -EINVAL;
	g->live->rodata->prober_id = BENCH_PROBER_ID;
	g->live->rodata->responder_id = BENCH_RESPONDER_ID;
	err = live_gen_bpf__load(g->live);
	return err;
}

/* --counter cheap: live_count counts the replies on the prober's veth. */
static int attach_counter(struct gen *g, const char *ifname)
{
	int idx = if_nametoindex(ifname), err;

	if (!idx)
		return -ENODEV;
	err = bpf_xdp_attach(idx, bpf_program__fd(g->live->progs.live_count),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (!err)
		g->counter_ifindex = idx;
	return err;
}

/*
 * Live mode: the XDP program, its frames map mmapped, and the template
 * every page-pool frame starts from (one probe frame; the program
 * overwrites it whole each run).
 */
static int open_live(struct gen *g, const char *ifname, const char *park)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};
	long page = sysconf(_SC_PAGESIZE);
	void *m;

	g->ifindex = if_nametoindex(ifname);
	if (!g->ifindex || fd < 0) {
		if (fd >= 0)
			close(fd);
		return -ENODEV;
	}
	snprintf(g->ifname, sizeof(g->ifname), "%s", ifname);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		close(fd);
		return -errno;
	}
	close(fd);
	memcpy(g->spec.src_mac, ifr.ifr_hwaddr.sa_data, 6);
	g->frames_size =
	    (sizeof(struct live_gen_frame) * LIVE_GEN_SLOTS + page - 1) &
	    ~(page - 1);
	m = mmap(NULL, g->frames_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 bpf_map__fd(g->live->maps.frames), 0);
	if (m == MAP_FAILED)
		return -errno;
	g->frames = m;
	if (park) {
		int idx = if_nametoindex(park), err;

		if (!idx)
			return -ENODEV;
		err = bpf_xdp_attach(idx,
				     bpf_program__fd(g->live->progs.live_gen),
				     XDP_FLAGS_DRV_MODE, NULL);
		if (err)
			return err;
		g->parked_ifindex = idx;
	}
	return 0;
}

/*
 * The ones' complement sum of n bytes (n even) as native 16-bit words: the
 * sum does not depend on byte order (RFC 1071), so its complement stored
 * as a native word is the checksum's bytes in network order.
 */
static __u32 sum_words(const void *p, size_t n, __u32 sum)
{
	const __u8 *b = p;

	for (size_t i = 0; i < n; i += 2) {
		__u16 w;

		memcpy(&w, b + i, 2);
		sum += w;
	}
	return sum;
}

/*
 * A probe frame for header h from the call's first frame, built by
 * xhb_frame_build: the same Ethernet, IPv4 and UDP headers, h after them,
 * the UDP checksum recomputed. A third of the cost of building each one
 * (checked against it on every call's second frame).
 */
static void live_frame_from(struct live_gen_frame *fr,
			    const struct live_gen_frame *first,
			    const struct xhb_hdr *h)
{
	const size_t l4 = LIVE_GEN_FRAME_LEN - XHB_HDR_LEN - 8;
	__u8 *udp = fr->bytes + l4;
	__u16 check;
	__u32 sum;

	memcpy(fr->bytes, first->bytes, l4 + 8);
	memcpy(udp + 8, h, XHB_HDR_LEN);
	udp[6] = udp[7] = 0;
	/* pseudo-header: addresses, protocol, UDP length; then UDP itself */
	sum = sum_words(fr->bytes + l4 - 8, 8,
			htons(IPPROTO_UDP) + htons(8 + XHB_HDR_LEN));
	sum = sum_words(udp, 8 + XHB_HDR_LEN, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	check = ~sum;
	if (!check)
		check = 0xffff;
	memcpy(udp + 6, &check, 2);
	fr->len = LIVE_GEN_FRAME_LEN;
}

/* The fields of this generator's probes sent at now (seq: the caller's). */
static struct xhb_wire_fields probe_fields(const struct gen *g, __u64 now)
{
	return (struct xhb_wire_fields){
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
}

/* Probe f as this generator sends it: full or compact, signed. */
static void make_probe(const struct gen *g, const struct xhb_wire_fields *f,
		       struct xhb_hdr *h)
{
	xhb_wire_fill(h, f);
	if (g->compact)
		xhb_wire_compact(h);
	xhb_wire_sign(h, BENCH_KEY_ID, &g->key);
}

/*
 * Live mode: prepare g->batch signed probe frames, then transmit them all
 * in one BPF_PROG_TEST_RUN; returns how many the program sent.
 */
static int send_live(struct gen *g)
{
	__u64 now = xhb_now_ns(), before = g->live->bss->sent;
	struct xdp_md ctx = {.data_end = LIVE_GEN_FRAME_LEN,
			     .ingress_ifindex = g->ifindex};
	struct xhb_hdr h;
	int err, len;

	struct xhb_wire_fields f = probe_fields(g, now);

	for (unsigned int i = 0; i < g->batch; i++) {
		struct live_gen_frame *fr = &g->frames[i];

		f.seq = g->seq + i;
		make_probe(g, &f, &h);
		if (i > 1) {
			live_frame_from(fr, &g->frames[0], &h);
			continue;
		}
		len = xhb_frame_build(fr->bytes, sizeof(fr->bytes), &g->spec,
				      &h, sizeof(h));
		if (len != LIVE_GEN_FRAME_LEN)
			return len < 0 ? len : -EINVAL;
		fr->len = len;
		if (i == 1) {
			/* The shortcut, checked against the real thing. */
			struct live_gen_frame check;

			live_frame_from(&check, &g->frames[0], &h);
			if (memcmp(check.bytes, fr->bytes, LIVE_GEN_FRAME_LEN))
				return -EPROTO;
		}
	}
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = g->frames[0].bytes,
		    .data_size_in = LIVE_GEN_FRAME_LEN, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = g->batch,
		    .batch_size = g->live_bulk,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	g->live->bss->next_slot = 0;
	err = bpf_prog_test_run_opts(bpf_program__fd(g->live->progs.live_gen),
				     &opts);
	if (err)
		return err;
	/* Every slot is sent once; the next call starts past them all. */
	g->seq += g->batch;
	g->sent += g->live->bss->sent - before;
	return g->live->bss->sent - before;
}

/*
 * Live mode: frames the veth could not hand to its peer (the peer's ring
 * full), from the driver's own counter (ethtool -S: the tx queues'
 * xdp_xmit_errors). 0 when the counter cannot be read.
 */
static __u64 xmit_errors(const struct gen *g)
{
	struct ethtool_drvinfo info = {.cmd = ETHTOOL_GDRVINFO};
	struct ethtool_gstrings *names = NULL;
	struct ethtool_stats *stats = NULL;
	struct ifreq ifr = {0};
	__u64 total = 0;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	__u32 n;

	if (fd < 0)
		return 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", g->ifname);
	ifr.ifr_data = (void *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr) || !info.n_stats)
		goto out;
	n = info.n_stats;
	names = calloc(1, sizeof(*names) + n * ETH_GSTRING_LEN);
	stats = calloc(1, sizeof(*stats) + n * sizeof(__u64));
	if (!names || !stats)
		goto out;
	*names = (struct ethtool_gstrings){
	    .cmd = ETHTOOL_GSTRINGS, .string_set = ETH_SS_STATS, .len = n};
	*stats = (struct ethtool_stats){.cmd = ETHTOOL_GSTATS, .n_stats = n};
	ifr.ifr_data = (void *)names;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		goto out;
	ifr.ifr_data = (void *)stats;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		goto out;
	for (__u32 i = 0; i < n; i++) {
		static const char suffix[] = "_xdp_xmit_errors";
		const char *name =
		    (const char *)names->data + i * ETH_GSTRING_LEN;
		size_t len = strnlen(name, ETH_GSTRING_LEN),
		       sl = sizeof(suffix) - 1;

		if (!strncmp(name, "tx_queue_", 9) && len > sl &&
		    !strcmp(name + len - sl, suffix))
			total += stats->data[i];
	}
out:
	free(names);
	free(stats);
	close(fd);
	return total;
}

/* One batch of fresh probes, sent; returns how many the kernel took. */
static int send_batch(struct gen *g)
{
	static __u8 bufs[BATCH_MAX][FRAME_MAX];
	struct mmsghdr msgs[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	__u64 now =
	    xhb_now_ns(); /* the clock the prober's XDP checks replies on */
	struct xhb_hdr h;
	int len, n;

	struct xhb_wire_fields f = probe_fields(g, now);

	for (unsigned int i = 0; i < g->batch; i++) {
		f.seq = g->seq + i;
		make_probe(g, &f, &h);
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
	s->xmit_dropped = g->mode == MODE_LIVE ? xmit_errors(g) : 0;
	for (int i = 0; i < g->ntasks; i++)
		s->task_ns[i] = task_ns(&g->tasks[i]);
	s->ncpu = bench_cpu_read(s->cpu, BENCH_MAX_CPUS);
	if (g->counter_ifindex) {
		s->cheap_replies = g->live->bss->replies;
		s->cheap_echoes = g->live->bss->echoes;
		s->cheap_other = g->live->bss->other;
		err = 0;
	} else {
		err = dataplane__stats(g->a, &s->a);
	}
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
			"              [--task NAME=PID]... [--json FILE] "
			"[--live-bulk N] [--park IF]\n"
			"              [--counter xhb|cheap] [--compact]\n");
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
	    {"live-bulk", required_argument, NULL, 'L'},
	    {"park", required_argument, NULL, 'P'},
	    {"counter", required_argument, NULL, 'C'},
	    {"compact", no_argument, NULL, 'k'},
	    {},
	};
	struct gen g = {
	    .mode = MODE_PACKET,
	    .fd = -1,
	    .batch = 0, /* 64; live: LIVE_BATCH_DEFAULT */
	    .live_bulk = 64,
	    .spec = {.family = AF_INET,
		     .src_port = XHB_DEFAULT_PORT,
		     .dst_port = XHB_DEFAULT_PORT},
	};
	const char *ifname = NULL, *a_pins = NULL, *b_pins = NULL, *json = NULL;
	const char *label = "", *src = NULL, *dst = NULL, *dst_mac = NULL;
	const char *park = NULL;
	bool cheap = false;
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
				  "m:s:d:i:M:a:b:w:D:n:R:B:c:l:j:T:L:P:C:k",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			g.compact = true;
			break;
		case 'm':
			if (!strcmp(optarg, "packet"))
				g.mode = MODE_PACKET;
			else if (!strcmp(optarg, "udp"))
				g.mode = MODE_UDP;
			else if (!strcmp(optarg, "live"))
				g.mode = MODE_LIVE;
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
		case 'P':
			park = optarg;
			break;
		case 'C':
			if (!strcmp(optarg, "cheap"))
				cheap = true;
			else if (strcmp(optarg, "xhb"))
				goto usage;
			break;
		case 'L':
			g.live_bulk = strtoul(optarg, NULL, 0);
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
	if (!g.batch)
		g.batch = g.mode == MODE_LIVE ? LIVE_BATCH_DEFAULT : 64;
	if (!src || !dst || (!a_pins && !cheap) || (cheap && !ifname) ||
	    inet_pton(AF_INET, src, g.spec.src_ip) != 1 ||
	    inet_pton(AF_INET, dst, g.spec.dst_ip) != 1 ||
	    g.batch > (g.mode == MODE_LIVE ? LIVE_GEN_SLOTS : BATCH_MAX) ||
	    !g.live_bulk || g.live_bulk > 256 || warmup_s < 0 ||
	    duration_s <= 0 || warmup_s + duration_s > MAX_SECONDS || rate < 0)
		goto usage;
	if (g.mode != MODE_UDP &&
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
	err =
	    cheap ? 0 : dataplane__open_pinned(a_pins, &g.a, why, sizeof(why));
	if (!err && b_pins)
		err = dataplane__open_pinned(b_pins, &g.b, why, sizeof(why));
	if (err) {
		fprintf(stderr, "pktgen: %s\n", why);
		goto cleanup;
	}
	if (g.mode == MODE_LIVE || cheap) {
		err = load_live(&g);
		if (!err && cheap)
			err = attach_counter(&g, ifname);
		if (err) {
			fprintf(stderr,
				"pktgen: cannot load or attach live_gen.bpf.c: "
				"%s\n",
				strerror(-err));
			goto cleanup;
		}
	}
	err = g.mode == MODE_PACKET ? open_packet(&g, ifname)
	      : g.mode == MODE_LIVE ? open_live(&g, ifname, park)
				    : open_udp(&g);
	if (err) {
		fprintf(stderr, "pktgen: cannot open the %s: %s\n",
			g.mode == MODE_PACKET ? "AF_PACKET socket"
			: g.mode == MODE_LIVE ? "live-frames XDP program"
					      : "UDP socket",
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
		err = g.mode == MODE_LIVE ? send_live(&g) : send_batch(&g);
		if (err < 0) {
			fprintf(stderr, "pktgen: cannot send: %s\n",
				strerror(-err));
			break;
		}
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
	if (cheap)
		replies = (s1.cheap_replies + s1.cheap_echoes) -
			  (s0.cheap_replies + s0.cheap_echoes);
	else
		replies = (s1.a.reply_accepted + s1.a.drop_self) -
			  (s0.a.reply_accepted + s0.a.drop_self);
	answered = s1.b.probe_answered + s1.b.probe_answered_compact -
		   s0.b.probe_answered - s0.b.probe_answered_compact;
	out = json_pack("{s:s, s:s, s:f, s:I, s:f, s:I, s:f, s:I, s:f, s:I}",
			"label", label, "mode",
			g.mode == MODE_PACKET ? "packet"
			: g.mode == MODE_LIVE ? "live"
					      : "udp",
			"offered_pps", rate, "batch", (json_int_t)g.batch,
			"window_s", window_s, "sent",
			(json_int_t)(s1.sent - s0.sent), "sent_pps",
			(s1.sent - s0.sent) / window_s, "replies",
			(json_int_t)replies, "replies_pps", replies / window_s,
			"send_errors", (json_int_t)g.send_errors);
	json_object_set_new(out, "probes",
			    json_string(g.compact ? "compact" : "full"));
	if (g.mode == MODE_LIVE) {
		__u64 dropped = s1.xmit_dropped - s0.xmit_dropped;

		/* Sent by the program but refused by the peer's ring. */
		json_object_set_new(out, "xmit_dropped", json_integer(dropped));
		json_object_set_new(out, "live_bulk",
				    json_integer(g.live_bulk));
	}
	json_object_set_new(out, "counter",
			    json_string(cheap ? "cheap" : "xhb"));
	if (cheap) {
		/* Not verified: the type and ids say reply or echo. */
		json_object_set_new(
		    out, "reply_counted",
		    json_integer(s1.cheap_replies - s0.cheap_replies));
		json_object_set_new(
		    out, "echo_counted",
		    json_integer(s1.cheap_echoes - s0.cheap_echoes));
		json_object_set_new(
		    out, "other_counted",
		    json_integer(s1.cheap_other - s0.cheap_other));
	} else {
		json_object_set_new(
		    out, "reply_accepted",
		    json_integer(s1.a.reply_accepted - s0.a.reply_accepted));
		json_object_set_new(
		    out, "echo_drop_self",
		    json_integer(s1.a.drop_self - s0.a.drop_self));
		json_object_set_new(
		    out, "prober_drop_replay",
		    json_integer(s1.a.drop_replay - s0.a.drop_replay));
	}
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
	if (g.frames)
		munmap(g.frames, g.frames_size);
	if (g.parked_ifindex)
		bpf_xdp_detach(g.parked_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (g.counter_ifindex)
		bpf_xdp_detach(g.counter_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	live_gen_bpf__destroy(g.live);
	dataplane__close(g.a);
	dataplane__close(g.b);
	return err ? 1 : 0;
usage:
	usage();
	return 2;
}
