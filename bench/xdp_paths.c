// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * ns per packet for each path of the XDP program, through
 * BPF_PROG_TEST_RUN on canned frames.
 *
 * Two ways of timing, because the program keeps state:
 *
 *  - "repeat": one frame run `repeat` times in one syscall, the
 *    syscall's wall time (CLOCK_MONOTONIC) over `repeat`: a fraction of a
 *    ns, where the kernel's own mean is whole ns (its entry, copies and
 *    set-up, a few us, are < 0.05 ns a run spread over 200000); the best
 *    of REPEAT_TRIALS syscalls, so one preempted does not count. Only
 *    honest for paths that do the same work every time: non-cluster
 *    pass, forged drop, replay drop. A probe or a
 *    heartbeat run twice is a replay the second time, and a probe is
 *    rewritten in place into our own reply, so its repeats would time the
 *    replay or drop_self path instead.
 *  - "distinct": many frames with increasing sequence numbers, each run
 *    once; the kernel's duration of each single run is summed. Each run
 *    also pays one clock read and the loop's set-up that "repeat" spreads
 *    over all its runs; that overhead is measured on the pass path (the
 *    same frame both ways) and reported, and subtracted in the "net" column.
 *
 * Every measurement checks that the stats counter of its path grew by
 * exactly the number of packets run, so a figure cannot silently come
 * from another path.
 *
 * The first row is an empty XDP program (bpf/xdp_pass.bpf.c), the floor
 * every other row is compared with. The last two are a probe answer's own
 * floor on this machine (bench/answer_floor.bpf.c): its two tags with no
 * state, and its one clock read, timed as the answer is. The non-cluster
 * rows are run twice: holding no group, and holding a group and its VIP
 * (the fence's cost: nothing for a frame to another address, the lease's
 * clock read for a frame to the VIP); then with another VIP staged
 * (fenced_standby) as well, and a frame to it. Every later row runs
 * holding.
 *
 * --ports N makes the program take N UDP ports as the cluster's (an
 * interface with mcast media on their own ports): the cluster's frames go
 * to the first, the non-cluster UDP frame to none, so it pays N compares.
 *
 * The whole table is run --rounds times (default 5), one row after the
 * other each time, and each row keeps its best round: a neighbour's burst
 * on this shared machine slows a round, not a row's every figure.
 *
 *   xdp_paths [--repeat N] [--frames N] [--cpu C] [--ports N] [--rounds N]
 *             [--json FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "bench.h"
#include "bench/answer_floor.skel.h"

#define FRAME_MAX 256
#define REPEAT_TRIALS 20

enum method { BY_REPEAT, BY_DISTINCT };

static const char *const method_names[] = {
    [BY_REPEAT] = "repeat",
    [BY_DISTINCT] = "distinct",
};

static const char *const verdict_names[] = {
    [XDP_ABORTED] = "XDP_ABORTED",   [XDP_DROP] = "XDP_DROP",
    [XDP_PASS] = "XDP_PASS",	     [XDP_TX] = "XDP_TX",
    [XDP_REDIRECT] = "XDP_REDIRECT",
};

struct path_result {
	const char *name;
	const char *counter; /* the xhb_stats field every run must land in */
	enum method method;
	int verdict;
	__u64 packets;
	double ns_per_packet;
	double net_ns_per_packet; /* distinct: minus the per-run overhead */
};

struct bench {
	struct xhb_dataplane *dp;
	int prog_fd; /* the program timed: xhb's, or the empty one */
	int floor_fds[2]; /* bench/answer_floor.bpf.c's: tags, clock */
	__u64 seq;	 /* next sequence number of the prober (agent_replay) */
	__u64 reply_seq; /* next one of its XDP's replies (reply_replay) */
	__u64 seq2; /* the second prober's (PROBER2_ID) */
	__u32 turn; /* make_probe_in_turn()'s */
	__u32 repeat;
	__u32 frames;
};

static const struct xhb_frame_spec spec = {
    .family = AF_INET,
    .src_mac = {0x02, 0, 0, 0, 0, 0x0a},
    .dst_mac = {0x02, 0, 0, 0, 0, 0x0b},
    .src_ip = {10, 77, 0, 1},
    .dst_ip = {10, 77, 0, 2},
    .src_port = XHB_DEFAULT_PORT,
    .dst_port = XHB_DEFAULT_PORT,
};

/* A frame from the prober to us, the responder. */
static int cluster_frame(__u8 *buf, __u8 type, __u64 seq, bool forge)
{
	struct xhb_hdr h;

	bench_hdr(&h, type, BENCH_PROBER_ID, BENCH_RESPONDER_ID, BENCH_INCARNATION,
		  seq);
	if (forge)
		((__u8 *)&h.tag)[0] ^= 0x01;
	return xhb_frame_build(buf, FRAME_MAX, &spec, &h, sizeof(h));
}

/* A TCP segment to dst (NULL: to us): parsed as far as the IP protocol,
 * then passed. */
static int tcp_frame_to(__u8 *buf, const __u8 *dst)
{
	struct xhb_frame_spec s = spec;
	__u8 payload[20] = {0};
	int len;

	if (dst)
		memcpy(s.dst_ip, dst, 4);
	len = xhb_frame_build(buf, FRAME_MAX, &s, payload, sizeof(payload));

	if (len > 0)
		((struct iphdr *)(buf + ETH_HLEN))->protocol = IPPROTO_TCP;
	return len;
}

static int tcp_frame(__u8 *buf)
{
	return tcp_frame_to(buf, NULL);
}

/*
 * TCP in the shapes that take the whole parse (xhb_classify()) rather
 * than the early pass of untagged IPv4: under an 802.1Q tag, or IPv6.
 */
static int tcp_frame_tagged(__u8 *buf)
{
	struct xhb_frame_spec s = spec;
	__u8 payload[20] = {0};
	int len;

	s.vlan = 42;
	len = xhb_frame_build(buf, FRAME_MAX, &s, payload, sizeof(payload));
	if (len > 0)
		((struct iphdr *)(buf + ETH_HLEN + 4))->protocol = IPPROTO_TCP;
	return len;
}

static int tcp6_frame(__u8 *buf)
{
	struct xhb_frame_spec s = spec;
	__u8 payload[20] = {0};
	int len;

	s.family = AF_INET6;
	memset(s.src_ip, 0, sizeof(s.src_ip));
	memset(s.dst_ip, 0, sizeof(s.dst_ip));
	s.src_ip[0] = s.dst_ip[0] = 0xfd;
	s.src_ip[15] = 1;
	s.dst_ip[15] = 2;
	len = xhb_frame_build(buf, FRAME_MAX, &s, payload, sizeof(payload));
	if (len > 0)
		buf[ETH_HLEN + 6] = IPPROTO_TCP; /* the IPv6 next header */
	return len;
}

/* UDP to a port not the cluster's (DNS): parsed up to the port check. */
static int udp_frame(__u8 *buf)
{
	struct xhb_frame_spec s = spec;
	__u8 payload[20] = {0};

	s.dst_port = 53;
	return xhb_frame_build(buf, FRAME_MAX, &s, payload, sizeof(payload));
}

static __u64 counter(struct bench *b, const char *name)
{
	struct xhb_stats s;

	if (!name || dataplane__stats(b->dp, &s))
		return 0;
#define FIELD(f)               \
	if (!strcmp(name, #f)) \
		return s.f;
	XHB_STATS(FIELD)
#undef FIELD
	return 0;
}

/* Run one frame `repeat` times; *ns gets the kernel's mean per run. */
static int run(struct bench *b, const __u8 *frame, int len, __u32 repeat,
	       int *verdict, __u32 *ns)
{
	__u8 out[FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out),
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(b->prog_fd, &o))
		return -errno;
	*verdict = o.retval;
	*ns = o.duration;
	return 0;
}

static int check(struct path_result *r, __u64 before, __u64 after, int verdict,
		 int want_verdict)
{
	if (!r->counter) { /* the empty program and the floor count nothing */
		r->verdict = verdict;
		if (verdict == want_verdict)
			return 0;
		fprintf(stderr, "xdp_paths: %s: verdict %d (want %d)\n",
			r->name, verdict, want_verdict);
		return -EPROTO;
	}
	if (after - before != r->packets || verdict != want_verdict) {
		fprintf(stderr,
			"xdp_paths: %s: %s grew by %llu for %llu packets, last "
			"verdict %d (want %d): the figure would time another "
			"path\n",
			r->name, r->counter,
			(unsigned long long)(after - before),
			(unsigned long long)r->packets, verdict, want_verdict);
		return -EPROTO;
	}
	r->verdict = verdict;
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One frame, b->repeat runs in one syscall, the best of REPEAT_TRIALS. */
static int time_repeat(struct bench *b, struct path_result *r,
		       const __u8 *frame, int len, int want_verdict)
{
	__u64 before = counter(b, r->counter);
	double start, per_run;
	int verdict, err;
	__u32 ns;

	r->method = BY_REPEAT;
	r->packets = (__u64)b->repeat * REPEAT_TRIALS;
	r->ns_per_packet = 1e12;
	for (int t = 0; t < REPEAT_TRIALS; t++) {
		start = now_ns();
		err = run(b, frame, len, b->repeat, &verdict, &ns);
		per_run = (now_ns() - start) / b->repeat;
		if (err)
			return err;
		if (per_run < r->ns_per_packet)
			r->ns_per_packet = per_run;
	}
	return check(r, before, counter(b, r->counter), verdict, want_verdict);
}

/*
 * b->frames frames, each run once. make(buf, i) builds frame i; frames
 * are built between runs, outside the kernel's timed section.
 */
static int time_distinct(struct bench *b, struct path_result *r,
			 int (*make)(struct bench *b, __u8 *buf),
			 int want_verdict)
{
	__u64 before = counter(b, r->counter), total_ns = 0;
	int verdict = -1, err, len;
	__u8 frame[FRAME_MAX];
	__u32 ns;

	r->method = BY_DISTINCT;
	r->packets = b->frames;
	for (__u32 i = 0; i < b->frames; i++) {
		len = make(b, frame);
		if (len < 0)
			return len;
		err = run(b, frame, len, 1, &verdict, &ns);
		if (err)
			return err;
		if (verdict != want_verdict)
			break;
		total_ns += ns;
	}
	r->ns_per_packet = (double)total_ns / b->frames;
	return check(r, before, counter(b, r->counter), verdict, want_verdict);
}

static int make_probe(struct bench *b, __u8 *buf)
{
	return cluster_frame(buf, XHB_MSG_PROBE, b->seq++, false);
}

/* A compact probe (xhb_wire.h), as an agent sends to a peer whose XDP
 * takes them. */
static int make_compact_probe(struct bench *b, __u8 *buf)
{
	struct xhb_key keys[XHB_MAX_KEYS];
	struct xhb_hdr h;

	bench_keys(keys);
	bench_hdr(&h, XHB_MSG_PROBE, BENCH_PROBER_ID, BENCH_RESPONDER_ID,
		  BENCH_INCARNATION, b->seq++);
	xhb_wire_compact(&h);
	xhb_wire_sign(&h, BENCH_KEY_ID, &keys[BENCH_KEY_ID]);
	return xhb_frame_build(buf, FRAME_MAX, &spec, &h, sizeof(h));
}

/* A second peer that probes us: in a cluster of three, the probes of the
 * two others come in turn. */
#define PROBER2_ID (BENCH_PROBER_ID + 1)

static int make_probe_in_turn(struct bench *b, __u8 *buf)
{
	struct xhb_hdr h;

	if (!(b->turn++ & 1))
		return make_probe(b, buf);
	bench_hdr(&h, XHB_MSG_PROBE, PROBER2_ID, BENCH_RESPONDER_ID,
		  BENCH_INCARNATION, b->seq2++);
	return xhb_frame_build(buf, FRAME_MAX, &spec, &h, sizeof(h));
}

static int make_heartbeat(struct bench *b, __u8 *buf)
{
	return cluster_frame(buf, XHB_MSG_HEARTBEAT, b->seq++, false);
}

static int make_reply(struct bench *b, __u8 *buf)
{
	return cluster_frame(buf, XHB_MSG_PROBE_REPLY, b->reply_seq++, false);
}

static int make_tcp(struct bench *b, __u8 *buf)
{
	(void)b;
	return tcp_frame(buf);
}

/* The floor: bpf/xdp_pass.bpf.c (empty_fd) on the same frame, the same way. */
static int measure_empty(struct bench *b, int empty_fd, struct path_result *r)
{
	__u8 frame[FRAME_MAX];
	int err, xhb_fd = b->prog_fd;

	*r = (struct path_result){.name = "empty XDP program (floor)"};
	b->prog_fd = empty_fd;
	err = time_repeat(b, r, frame, tcp_frame(frame), XDP_PASS);
	b->prog_fd = xhb_fd;
	return err;
}

/*
 * The floor of a probe answer (bench/answer_floor.bpf.c), timed as the
 * answer is (distinct, one run a frame): a compact probe's tag checked and
 * its reply's signed, with no state; the one clock read an answer needs.
 * Neither counts in xhb_stats: each row checks its verdict (XDP_PASS: the
 * tag was good).
 */
static int measure_floor(struct bench *b, struct path_result *res, int *n)
{
	static const char *const names[] = {
	    "answer floor: the two tags (compact probe)",
	    "answer floor: one clock read",
	};
	int (*const make[])(struct bench *, __u8 *) = {make_compact_probe,
						       make_tcp};
	int err = 0, xhb_fd = b->prog_fd;

	for (int i = 0; !err && i < 2; i++) {
		struct path_result *r = &res[(*n)++];

		*r = (struct path_result){.name = names[i]};
		b->prog_fd = b->floor_fds[i];
		err = time_distinct(b, r, make[i], XDP_PASS);
	}
	b->prog_fd = xhb_fd;
	return err;
}

/*
 * The programs timed parked (attached, native XDP) on the ends of veth
 * pairs, down, in a network namespace of this process's own, which goes
 * with it. BPF_PROG_TEST_RUN of an XDP program that the kernel's XDP
 * dispatcher does not hold rewrites the dispatcher before and after its
 * runs (text patching and an RCU wait, ~20 ms a call: outside the kernel's
 * timed section, inside the syscall's wall time, which "repeat" reads);
 * one that it holds costs no rewrite.
 */
static int park(const int *fds, int n)
{
	char cmd[128], end[IFNAMSIZ];

	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "xdp_paths: a network namespace of its own: %s\n",
			strerror(errno));
		return -errno;
	}
	for (int i = 0; i < n; i++) {
		int err;

		snprintf(cmd, sizeof(cmd),
			 "ip link add xhbpark%d type veth peer name xhbpark%d",
			 i, i + 1);
		if (!(i & 1) && system(cmd)) {
			fprintf(stderr, "xdp_paths: ip link add (veth) failed\n");
			return -EIO;
		}
		snprintf(end, sizeof(end), "xhbpark%d", i);
		err = bpf_xdp_attach((int)if_nametoindex(end), fds[i],
				     XDP_FLAGS_DRV_MODE, NULL);
		if (err) {
			fprintf(stderr, "xdp_paths: XDP on %s: %s\n", end,
				strerror(-err));
			return err;
		}
	}
	return 0;
}

static const __u8 bench_vip[4] = {10, 77, 0, 30};
static const __u8 bench_staged[4] = {10, 77, 0, 40};

/* This node holds group 0 and its VIP, its lease alive; or nothing. */
static int set_holding(struct bench *b, bool hold)
{
	struct xhb_self self;
	int err = dataplane__read_self(b->dp, &self);

	if (err)
		return err;
	self.groups_held = hold ? 0x1 : 0;
	self.lease_ms = hold ? 3600 * 1000 : 0;
	self.agent_update_ns = xhb_now_ns();
	err = dataplane__write_self(b->dp, &self);
	if (err)
		return err;
	return hold ? dataplane__vip_add(b->dp, AF_INET, bench_vip, 0, false)
		    : dataplane__vip_del(b->dp, AF_INET, bench_vip);
}

/* A row timed by repeat, on frame. */
static int repeat_row(struct bench *b, struct path_result *res, int *n,
		      const char *name, const char *counter, const __u8 *frame,
		      int len, int verdict)
{
	struct path_result *r = &res[(*n)++];

	*r = (struct path_result){.name = name, .counter = counter};
	return len < 0 ? len : time_repeat(b, r, frame, len, verdict);
}

/* The rows of the paths that keep state, each frame run once, in this
 * order: replies before heartbeats, as a reply to our probe confirms the
 * peer's life, and only then are its heartbeats accepted (the replay
 * rule). */
static const struct {
	const char *name, *counter;
	int (*make)(struct bench *b, __u8 *buf);
	int verdict;
} distinct_rows[] = {
	{"probe answer", "probe_answered", make_probe, XDP_TX},
	{"probe answer (compact)", "probe_answered_compact", make_compact_probe,
	 XDP_TX},
	{"probe answer, 2 probers in turn", "probe_answered", make_probe_in_turn,
	 XDP_TX},
	{"probe reply accept", "reply_accepted", make_reply, XDP_DROP},
	{"heartbeat accept", "heartbeat_accepted", make_heartbeat, XDP_DROP},
};

/* One round: every row in turn, into res (n rows). */
static int measure(struct bench *b, int empty_fd, struct path_result *res,
		   int *n)
{
	__u8 frame[FRAME_MAX], tcp[FRAME_MAX], udp[FRAME_MAX];
	int tcp_len = tcp_frame(tcp), udp_len = udp_frame(udp);
	struct path_result *r;
	__u32 ns;
	int len, err, verdict;

	*n = 0;
	err = set_holding(b, false); /* a round starts holding nothing */
	if (!err)
		err = measure_empty(b, empty_fd, &res[(*n)++]);
	/* Pass first, both ways: the difference is the per-run overhead. */
	if (!err)
		err = repeat_row(b, res, n, "non-cluster pass (TCP)",
				 "pass_not_udp", tcp, tcp_len, XDP_PASS);
	if (err)
		return err;
	r = &res[(*n)++];
	*r = (struct path_result){.name = "non-cluster pass (TCP)",
				  .counter = "pass_not_udp"};
	err = time_distinct(b, r, make_tcp, XDP_PASS);
	if (!err)
		err = repeat_row(b, res, n, "non-cluster pass (UDP)",
				 "pass_other_port", udp, udp_len, XDP_PASS);
	if (!err)
		err = set_holding(b, true); /* and every row after */
	if (!err)
		err = repeat_row(b, res, n, "non-cluster pass (TCP), holding",
				 "pass_not_udp", tcp, tcp_len, XDP_PASS);
	if (!err)
		err = repeat_row(b, res, n, "non-cluster pass (UDP), holding",
				 "pass_other_port", udp, udp_len, XDP_PASS);
	if (!err)
		err = repeat_row(b, res, n, "non-cluster pass (TCP, 802.1Q), holding",
				 "pass_not_udp", frame, tcp_frame_tagged(frame),
				 XDP_PASS);
	if (!err)
		err = repeat_row(b, res, n, "non-cluster pass (TCP over IPv6), holding",
				 "pass_not_udp", frame, tcp6_frame(frame), XDP_PASS);
	if (!err)
		err = repeat_row(b, res, n, "to a VIP (TCP), holding",
				 "pass_not_udp", frame,
				 tcp_frame_to(frame, bench_vip), XDP_PASS);
	/* fenced_standby: another group's VIP staged here too */
	if (!err)
		err = dataplane__vip_add(b->dp, AF_INET, bench_staged, 1, true);
	if (!err)
		err = repeat_row(b, res, n, "non-cluster pass (TCP), holding and staging",
				 "pass_not_udp", tcp, tcp_len, XDP_PASS);
	if (!err)
		err = repeat_row(b, res, n, "to a staged VIP (TCP): fenced",
				 "drop_fenced_ip", frame,
				 tcp_frame_to(frame, bench_staged), XDP_DROP);
	/* taken over: held now, its staged_filter bit cleared with it */
	if (!err)
		err = dataplane__vip_add(b->dp, AF_INET, bench_staged, 1, false);
	if (!err)
		err = repeat_row(b, res, n, "to a VIP taken over from staged (TCP)",
				 "pass_not_udp", frame,
				 tcp_frame_to(frame, bench_staged), XDP_PASS);
	if (!err)
		err = dataplane__vip_del(b->dp, AF_INET, bench_staged);
	if (err)
		return err;

	r = &res[(*n)++];
	*r = (struct path_result){.name = "forged drop (bad tag)",
				  .counter = "drop_bad_tag"};
	len = cluster_frame(frame, XHB_MSG_HEARTBEAT, b->seq++, true);
	err = time_repeat(b, r, frame, len, XDP_DROP);
	if (err)
		return err;

	/* Accepted once outside the timing, so every timed run is a replay. */
	r = &res[(*n)++];
	*r = (struct path_result){.name = "heartbeat replay drop",
				  .counter = "drop_replay"};
	len = cluster_frame(frame, XHB_MSG_HEARTBEAT, b->seq++, false);
	err = run(b, frame, len, 1, &verdict, &ns);
	if (err)
		return err;
	err = time_repeat(b, r, frame, len, XDP_DROP);
	if (err)
		return err;

	for (size_t i = 0; !err && i < sizeof(distinct_rows) / sizeof(distinct_rows[0]);
	     i++) {
		r = &res[(*n)++];
		*r = (struct path_result){.name = distinct_rows[i].name,
					  .counter = distinct_rows[i].counter};
		err = time_distinct(b, r, distinct_rows[i].make,
				    distinct_rows[i].verdict);
	}
	return err ? err : measure_floor(b, res, n);
}

static void print_table(const struct path_result *res, int n, double overhead)
{
	printf("%-26s %-8s %9s %-8s %8s %8s\n", "path", "method", "packets",
	       "verdict", "ns/pkt", "net");
	for (int i = 0; i < n; i++) {
		const struct path_result *r = &res[i];

		printf("%-26s %-8s %9llu %-8s %8.1f ", r->name,
		       method_names[r->method], (unsigned long long)r->packets,
		       verdict_names[r->verdict] + 4, r->ns_per_packet);
		if (r->method == BY_DISTINCT)
			printf("%8.1f\n", r->net_ns_per_packet);
		else
			printf("%8s\n", "-");
	}
	printf("per-run overhead of \"distinct\" (pass path, distinct - "
	       "repeat): %.1f ns\n",
	       overhead);
}

static int write_json(const char *path, const struct path_result *res, int n,
		      double overhead, const struct bench *b, int cpu,
		      unsigned int rounds)
{
	json_t *root = json_object(), *paths = json_array();
	int err;

	for (int i = 0; i < n; i++) {
		const struct path_result *r = &res[i];
		json_t *o = json_pack(
		    "{s:s, s:s, s:s?, s:s, s:I, s:f}", "path", r->name, "method",
		    method_names[r->method], "counter", r->counter, "verdict",
		    verdict_names[r->verdict], "packets",
		    (json_int_t)r->packets, "ns_per_packet", r->ns_per_packet);

		if (r->method == BY_DISTINCT)
			json_object_set_new(o, "net_ns_per_packet",
					    json_real(r->net_ns_per_packet));
		json_array_append_new(paths, o);
	}
	json_object_set_new(root, "paths", paths);
	json_object_set_new(root, "distinct_overhead_ns", json_real(overhead));
	json_object_set_new(root, "repeat", json_integer(b->repeat));
	json_object_set_new(root, "frames", json_integer(b->frames));
	json_object_set_new(root, "rounds", json_integer(rounds));
	json_object_set_new(root, "cpu", json_integer(cpu));
	err =
	    json_dump_file(root, path, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
	json_decref(root);
	return err ? -EIO : 0;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: xdp_paths [--repeat N] [--frames N] [--cpu C] [--ports N] "
	    "[--rounds N] [--json FILE] [-v]\n"
	    "  --repeat N   runs of one frame per syscall (default 200000; the best of 20 syscalls)\n"
	    "  --frames N   distinct frames for the stateful paths (default "
	    "200000)\n"
	    "  --cpu C      pin to CPU C (default 0; -1: do not pin)\n"
	    "  --ports N    UDP ports the program takes as the cluster's "
	    "(default 1)\n"
	    "  --rounds N   every row N times in turn, the best kept (default "
	    "5)\n"
	    "  --empty FILE the empty XDP program (default: xdp_pass.bpf.o in "
	    "the build directory above this binary)\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"repeat", required_argument, NULL, 'r'},
	    {"frames", required_argument, NULL, 'f'},
	    {"cpu", required_argument, NULL, 'c'},
	    {"ports", required_argument, NULL, 'p'},
	    {"rounds", required_argument, NULL, 'R'},
	    {"json", required_argument, NULL, 'j'},
	    {"empty", required_argument, NULL, 'e'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	struct xhb_dataplane_opts o = {
	    .cluster_id = BENCH_CLUSTER,
	    .load_only = true,
	};
	struct bench b = {
	    .seq = 1, .reply_seq = 1, .seq2 = 1, .repeat = 200000, .frames = 200000};
	struct path_result res[32], round[32];
	unsigned int rounds = 5;
	const char *json = NULL, *empty = NULL;
	struct bpf_object *empty_obj = NULL;
	struct answer_floor_bpf *floor = NULL;
	struct xhb_key keys[XHB_MAX_KEYS];
	__u32 key_id = BENCH_KEY_ID;
	char empty_path[PATH_MAX];
	int empty_fd = -1;
	char why[256] = "";
	double overhead;
	int cpu = 0, n = 0, opt, err;
	bool verbose = false;

	while ((opt = getopt_long(argc, argv, "r:f:c:p:R:j:e:vh", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'R':
			rounds = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			b.repeat = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			b.frames = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'p':
			o.nports = strtoul(optarg, NULL, 0);
			break;
		case 'j':
			json = optarg;
			break;
		case 'e':
			empty = optarg;
			break;
		case 'v':
			verbose = true;
			dataplane__set_verbose(true);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* the cluster's port first, then mcast-like ones: 7694, 7695, ... */
	for (unsigned int i = 0; i < o.nports && i < XHB_MAX_PORTS; i++)
		o.ports[i] = i ? 7693 + i : XHB_DEFAULT_PORT;
	if (!b.repeat || !b.frames || !rounds || o.nports > XHB_MAX_PORTS) {
		usage(stderr);
		return 2;
	}

	if (!verbose)
		dataplane__set_verbose(false); /* libbpf: warnings only */
	/* Per-CPU stats and a warm cache: stay on one CPU. */
	err = bench_pin_cpu(cpu);
	if (err)
		fprintf(stderr,
			"xdp_paths: cannot pin to CPU %d: %s (continuing "
			"unpinned)\n",
			cpu, strerror(-err));
	err = dataplane__open(&o, &b.dp, why, sizeof(why));
	if (err) {
		fprintf(stderr, "xdp_paths: %s\n", why);
		return 1;
	}
	err = bench_configure_node(b.dp, BENCH_RESPONDER_ID, BENCH_PROBER_ID);
	if (!err)
		err = dataplane__add_peer(b.dp, PROBER2_ID);
	if (err) {
		fprintf(stderr,
			"xdp_paths: cannot write keys, self or peer: %s\n",
			strerror(-err));
		goto cleanup;
	}
	if (!empty) { /* build/bench/xdp_paths -> build/xdp_pass.bpf.o */
		snprintf(empty_path, sizeof(empty_path), "%s", argv[0]);
		snprintf(strrchr(empty_path, '/') ? strrchr(empty_path, '/') + 1
						  : empty_path,
			 sizeof(empty_path) / 2, "../xdp_pass.bpf.o");
		empty = empty_path;
	}
	b.prog_fd = dataplane__prog_fd(b.dp);
	empty_obj = bpf_object__open_file(empty, NULL);
	if (!empty_obj || bpf_object__load(empty_obj)) {
		fprintf(stderr, "xdp_paths: cannot load %s\n", empty);
		err = -ENOENT;
		goto cleanup;
	}
	empty_fd = bpf_program__fd(bpf_object__next_program(empty_obj, NULL));
	floor = answer_floor_bpf__open_and_load();
	bench_keys(keys);
	if (!floor || bpf_map__update_elem(floor->maps.xhb_keys, &key_id,
					   sizeof(key_id), &keys[key_id],
					   sizeof(keys[key_id]), BPF_ANY)) {
		fprintf(stderr, "xdp_paths: cannot load answer_floor\n");
		err = -ENOENT;
		goto cleanup;
	}
	b.floor_fds[0] = bpf_program__fd(floor->progs.floor_tags);
	b.floor_fds[1] = bpf_program__fd(floor->progs.floor_clock);
	err = park((const int[]){b.prog_fd, empty_fd, b.floor_fds[0],
				 b.floor_fds[1]},
		   4);
	if (err)
		goto cleanup;
	for (unsigned int k = 0; k < rounds; k++) {
		err = measure(&b, empty_fd, k ? round : res, &n);
		if (err) {
			if (err != -EPROTO)
				fprintf(stderr,
					"xdp_paths: BPF_PROG_TEST_RUN: %s\n",
					strerror(-err));
			goto cleanup;
		}
		for (int i = 0; k && i < n; i++) {
			res[i].packets += round[i].packets;
			if (round[i].ns_per_packet < res[i].ns_per_packet)
				res[i].ns_per_packet = round[i].ns_per_packet;
		}
	}

	overhead = res[2].ns_per_packet - res[1].ns_per_packet;
	for (int i = 0; i < n; i++)
		res[i].net_ns_per_packet = res[i].ns_per_packet - overhead;
	print_table(res, n, overhead);
	if (json) {
		err = write_json(json, res, n, overhead, &b, cpu, rounds);
		if (err)
			fprintf(stderr, "xdp_paths: cannot write %s\n", json);
	}
cleanup:
	answer_floor_bpf__destroy(floor);
	bpf_object__close(empty_obj);
	dataplane__close(b.dp);
	return err ? 1 : 0;
}
