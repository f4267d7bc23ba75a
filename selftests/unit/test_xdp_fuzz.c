// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Random-packet fuzzing of the XDP program through BPF_PROG_TEST_RUN.
 *
 * Valid frames (HEARTBEAT, PROBE, PROBE_REPLY; SipHash and crc keys;
 * IPv4, IPv4 with options, IPv6, 802.1Q and 802.1ad tags over both) are
 * the seeds. Packets are mutated from them (bit flips, byte changes,
 * header fields set to edge values, truncations, extensions, field swaps,
 * splices, re-encapsulation) or made up (random bytes, random payloads in
 * valid frames, plausible headers tagged under a key we do not have).
 *
 *   xdp_fuzz/no_forgery_accepted    every seed is sent once first, so
 *       what follows is a replay or a forgery: at least 1e6 packets, none
 *       accepted (no heartbeat, reply or probe recorded in the peer
 *       entry, the entry unchanged), never XDP_TX, XDP_PASS frames
 *       untouched, and the counters sum to the packets run.
 *   xdp_fuzz/exactly_one_counter   freshly signed seeds, mutated or not,
 *       one at a time: each frame bumps exactly one counter; a frame is
 *       accepted only when its header is the one signed, where a reference
 *       parser of the program's contract finds it; a frame not ours under
 *       the pass counter that parser names; XDP_TX only for a valid
 *       probe, with a valid reply.
 *
 * XHB_FUZZ_SEED (hex or decimal) replays a run: the seed is printed on
 * stderr and in every failure. XHB_FUZZ_PACKETS sets the count of the
 * first test (default 1000000), spread over two threads.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf.h>

#include "clock.h"
#include "dataplane.h"
#include "wire.h"
#include "xdp_fixture.h"

#define DEFAULT_PACKETS 1000000
#define ORACLE_PACKETS 100000
#define THREADS 2
#define FRAME_MAX 1024
#define MAX_SEEDS 64

static __u64 fuzz_seed;

/* ---- PRNG: xorshift64*, seeded through splitmix64 --------------------- */

static __u64 splitmix64(__u64 x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static __u64 rnd(__u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static __u32 below(__u64 *s, __u32 n)
{
	return (__u32)((rnd(s) >> 32) % n);
}

static void random_bytes(__u64 *s, __u8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (__u8)(rnd(s) >> 56);
}

static __u64 pick_seed(void)
{
	const char *env = getenv("XHB_FUZZ_SEED");
	struct timespec ts;

	if (env && *env)
		return strtoull(env, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return splitmix64((__u64)ts.tv_nsec ^ (__u64)ts.tv_sec << 30 ^
			  (__u64)getpid());
}

static __u64 packets_wanted(void)
{
	const char *env = getenv("XHB_FUZZ_PACKETS");

	return env && *env ? strtoull(env, NULL, 0) : DEFAULT_PACKETS;
}

/* ---- seeds ------------------------------------------------------------ */

struct encap {
	const char *name;
	int family;
	__u16 vlan;
	bool qinq; /* the tag's EtherType is 802.1ad */
	__u8 ip_options;
};

static const struct encap encaps[] = {
    {"ipv4", AF_INET, 0, false, 0},
    {"ipv4+options", AF_INET, 0, false, 12},
    {"ipv6", AF_INET6, 0, false, 0},
    {"vlan/ipv4", AF_INET, 193, false, 0},
    {"vlan/ipv6", AF_INET6, 194, false, 0},
    {"802.1ad/ipv4", AF_INET, 195, true, 4},
    {"802.1ad/ipv6", AF_INET6, 196, true, 0},
};

struct seed {
	struct xhb_frame_spec spec;
	bool qinq;
	struct xhb_hdr hdr; /* as signed */
	__u8 frame[FRAME_MAX];
	int len;
	size_t payload_off;
	char what[64];
};

static struct seed seeds[MAX_SEEDS];
static int nseeds;
static __u64 agent_seq, reply_seq; /* the peer's two replay windows */

static struct xhb_frame_spec spec_of(const struct encap *e)
{
	struct xhb_frame_spec s = e->family == AF_INET6 ? v6() : v4;

	s.vlan = e->vlan;
	s.ip_options = e->ip_options;
	return s;
}

/* Sign sd->hdr with the next sequence number of its replay window and
 * build its frame. */
static __u64 run_start_ns; /* the test's start, for replies' echoes */

static void seed_sign(struct seed *sd, __u8 key_id)
{
	__u64 seq =
	    sd->hdr.type == XHB_MSG_PROBE_REPLY ? ++reply_seq : ++agent_seq;
	int len;

	sd->hdr.seq = htobe64(seq);
	/* Not the clock: a seed's bytes change only with the run's start. A
	 * reply answers one of our fresh probes (XDP checks): it echoes our
	 * incarnation and a time of this run. */
	sd->hdr.timestamp_ns = htobe64(run_start_ns + seq * 1000);
	if (sd->hdr.type == XHB_MSG_PROBE_REPLY)
		sd->hdr.echo_incarnation = htonl(77);
	xhb_wire_sign(&sd->hdr, key_id, &keys[key_id]);
	len = xhb_frame_build(sd->frame, sizeof(sd->frame), &sd->spec, &sd->hdr,
			      sizeof(sd->hdr));
	cr_assert_gt(len, 0, "frame_build %s", sd->what);
	if (sd->qinq) {
		struct ethhdr *eth = (struct ethhdr *)sd->frame;

		eth->h_proto = htons(ETH_P_8021AD);
	}
	sd->len = len;
	sd->payload_off = xhb_frame_payload_offset(&sd->spec);
}

/* A compact probe (xhb_wire.h) is a seed of type XHB_MSG_PROBE too. */
static bool compact_seed(const struct seed *sd)
{
	return sd->hdr.version == XHB_PROBE_VERSION;
}

/* The bytes at p are the seed's as signed: a compact probe's up to its
 * tag, the padding after it being neither tagged nor read. */
static bool signed_as(const __u8 *p, const struct seed *sd)
{
	return !memcmp(p, &sd->hdr, compact_seed(sd) ? XHB_PROBE_LEN : XHB_HDR_LEN);
}

static __u8 seed_key_id(const struct seed *sd)
{
	return compact_seed(sd) ? ((const struct xhb_probe *)&sd->hdr)->key_id
				: sd->hdr.key_id;
}

static void make_seeds(void)
{
	static const struct {
		__u8 type;
		bool compact;
	} kinds[] = {{XHB_MSG_HEARTBEAT, false},
		     {XHB_MSG_PROBE, false},
		     {XHB_MSG_PROBE_REPLY, false},
		     {XHB_MSG_PROBE, true}};
	static const __u8 key_ids[] = {KEY_SIP, KEY_CRC};

	nseeds = 0;
	for (size_t e = 0; e < sizeof(encaps) / sizeof(encaps[0]); e++)
		for (size_t t = 0; t < sizeof(kinds) / sizeof(kinds[0]); t++)
			for (size_t k = 0; k < sizeof(key_ids); k++) {
				struct seed *sd = &seeds[nseeds++];
				struct xhb_hdr *h = &sd->hdr;

				cr_assert_leq(nseeds, MAX_SEEDS);
				memset(sd, 0, sizeof(*sd));
				sd->spec = spec_of(&encaps[e]);
				sd->qinq = encaps[e].qinq;
				snprintf(sd->what, sizeof(sd->what),
					 "%s type %u%s key %u", encaps[e].name,
					 kinds[t].type,
					 kinds[t].compact ? " compact" : "",
					 key_ids[k]);
				xhb_wire_fill(h, &(struct xhb_wire_fields){
					.type = kinds[t].type,
					.state = XHB_NODE_ACTIVE,
					.priority = 50,
					.cluster_id = CLUSTER,
					.node_id = PEER_ID,
					.dest_node_id = kinds[t].type ==
								XHB_MSG_HEARTBEAT
							    ? 0
							    : SELF_ID,
					.incarnation = 10,
					.agent_epoch = 9,
					.lease_ms = 3000,
					.groups_held = 0x2,
				});
				if (kinds[t].compact)
					xhb_wire_compact(h);
				seed_sign(sd, key_ids[k]);
			}
}

static void setup(void)
{
	struct xhb_self self = xdp_fixture_self();

	self.lease_ms = 600000;
	self.priority = 100;
	keys[KEY_CRC] = (struct xhb_key){.method = XHB_AUTH_CRC};
	xdp_fixture_setup(&self);
	run_start_ns = xhb_now_ns();
	agent_seq = reply_seq = 0;
	fuzz_seed = pick_seed();
	fprintf(stderr,
		"xdp_fuzz: seed 0x%016llx (XHB_FUZZ_SEED=0x%llx replays it)\n",
		(unsigned long long)fuzz_seed, (unsigned long long)fuzz_seed);
	make_seeds();
}

TestSuite(xdp_fuzz, .init = setup, .fini = xdp_fixture_teardown,
	  .timeout = 300);

/* ---- running frames ----------------------------------------------------- */

struct result {
	int err;
	__u32 verdict;
	__u32 out_len;
	__u8 out[FRAME_MAX + 64];
};

static void run(const __u8 *frame, __u32 len, struct result *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
		    .data_out = r->out, .data_size_out = sizeof(r->out));

	r->err = bpf_prog_test_run_opts(dataplane__prog_fd(dp), &o) ? errno : 0;
	r->verdict = o.retval;
	r->out_len = o.data_size_out;
}

#define NCOUNTERS (sizeof(struct xhb_stats) / sizeof(__u64))
#define COUNTER(f) (offsetof(struct xhb_stats, f) / sizeof(__u64))

#define XHB_STAT_NAME(name) #name,
static const char *const counter_names[] = {XHB_STATS(XHB_STAT_NAME)};
#undef XHB_STAT_NAME

_Static_assert(sizeof(counter_names) / sizeof(counter_names[0]) == NCOUNTERS,
	       "a name for every counter");

static const char *counter_name(size_t i)
{
	return i < NCOUNTERS ? counter_names[i] : "?";
}

static __u64 counter(const struct xhb_stats *s, size_t i)
{
	return ((const __u64 *)s)[i];
}

static __u64 counters_sum(const struct xhb_stats *s)
{
	__u64 sum = 0;

	for (size_t i = 0; i < NCOUNTERS; i++)
		sum += counter(s, i);
	return sum;
}

static void hex(char *buf, size_t size, const __u8 *p, size_t len)
{
	size_t off = 0;

	for (size_t i = 0; i < len && off + 3 < size; i++)
		off += snprintf(buf + off, size - off, "%02x", p[i]);
}

/* ---- mutations ---------------------------------------------------------- */

/* Offsets and sizes of the fields the program looks at, in a seed. */
struct field {
	size_t off;
	__u8 size;
};

static int fields_of(const struct seed *sd, struct field *f)
{
	size_t l3 = ETH_HLEN + (sd->spec.vlan ? 4 : 0),
	       l4 = sd->payload_off - 8;
	size_t w = sd->payload_off;
	int n = 0;

	f[n++] = (struct field){12, 2}; /* EtherType */
	if (sd->spec.vlan) {
		f[n++] = (struct field){14, 2}; /* TCI */
		f[n++] = (struct field){16, 2}; /* inner EtherType */
	}
	if (sd->spec.family == AF_INET) {
		f[n++] = (struct field){l3, 1};	     /* version, ihl */
		f[n++] = (struct field){l3 + 2, 2};  /* tot_len */
		f[n++] = (struct field){l3 + 6, 2};  /* frag_off */
		f[n++] = (struct field){l3 + 9, 1};  /* protocol */
		f[n++] = (struct field){l3 + 12, 4}; /* saddr */
	} else {
		f[n++] = (struct field){l3, 1};	    /* version */
		f[n++] = (struct field){l3 + 4, 2}; /* payload_len */
		f[n++] = (struct field){l3 + 6, 1}; /* nexthdr */
	}
	f[n++] = (struct field){l4, 2};	    /* source port */
	f[n++] = (struct field){l4 + 2, 2}; /* dest port */
	f[n++] = (struct field){l4 + 4, 2}; /* length */
	f[n++] = (struct field){l4 + 6, 2}; /* checksum */
	f[n++] = (struct field){w + offsetof(struct xhb_hdr, magic), 4};
	f[n++] = (struct field){w + offsetof(struct xhb_hdr, version), 1};
	f[n++] = (struct field){w + offsetof(struct xhb_hdr, type), 1};
	f[n++] = (struct field){w + offsetof(struct xhb_hdr, cluster_id), 4};
	f[n++] = (struct field){w + offsetof(struct xhb_hdr, node_id), 4};
	f[n++] = (struct field){w + offsetof(struct xhb_hdr, dest_node_id), 4};
	f[n++] = (struct field){w + offsetof(struct xhb_hdr, incarnation), 8};
	f[n++] = (struct field){w + offsetof(struct xhb_hdr, seq), 8};
	if (compact_seed(sd)) {
		f[n++] = (struct field){w + offsetof(struct xhb_probe, key_id), 1};
		f[n++] = (struct field){w + offsetof(struct xhb_probe, flags), 1};
		f[n++] = (struct field){w + offsetof(struct xhb_probe, tag), 8};
	} else {
		f[n++] = (struct field){w + offsetof(struct xhb_hdr, key_id), 1};
		f[n++] = (struct field){w + offsetof(struct xhb_hdr, tag), 8};
	}
	return n;
}

static __u64 edge_value(__u64 *s, __u8 size, __u64 old)
{
	static const __u64 interesting[] = {
	    0,
	    1,
	    2,
	    3,
	    4,
	    5,
	    6,
	    0x7f,
	    0x80,
	    0xff,
	    0x45,
	    0x46,
	    0x4f,
	    0x60,
	    0x11,
	    0x06,
	    44,
	    58,
	    60,
	    96,
	    0x0800,
	    0x86dd,
	    0x8100,
	    0x88a8,
	    0x0806,
	    XHB_DEFAULT_PORT,
	    0x2000,
	    0x4000,
	    0x1fff,
	    0xffff,
	    0x7fffffff,
	    0x80000000ULL,
	    0xffffffffULL,
	    XHB_MAGIC,
	    CLUSTER,
	    SELF_ID,
	    PEER_ID,
	    ~0ULL,
	};
	__u64 mask = size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;

	switch (below(s, 5)) {
	case 0:
		return rnd(s) & mask;
	case 1:
		return (old + 1) & mask;
	case 2:
		return (old - 1) & mask;
	case 3:
		return old ^ (1ULL << below(s, size * 8));
	default:
		return interesting[below(s, sizeof(interesting) /
						sizeof(interesting[0]))] &
		       mask;
	}
}

/* Big-endian read and write of a 1..8-byte field. */
static __u64 get_be(const __u8 *p, __u8 size)
{
	__u64 v = 0;

	for (__u8 i = 0; i < size; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be(__u8 *p, __u8 size, __u64 v)
{
	for (int i = size - 1; i >= 0; i--, v >>= 8)
		p[i] = (__u8)v;
}

enum mutation {
	M_BIT_FLIP,
	M_BYTE,
	M_FIELD,
	M_TRUNCATE,
	M_EXTEND,
	M_SWAP,
	M_SPLICE,
	M_REENCAP,
	M_MAX,
};

/* One mutation of frame (len bytes, FRAME_MAX room); the new length. */
static size_t mutate(__u64 *s, const struct seed *sd, __u8 *frame, size_t len)
{
	struct field f[32];
	int nf = fields_of(sd, f), i;
	size_t a, b, n;
	__u8 tmp[8];

	switch (below(s, M_MAX)) {
	case M_BIT_FLIP: /* half of them in the headers, half anywhere */
		a = below(s, 2) ? below(s, (__u32)(sd->payload_off < len
						       ? sd->payload_off
						       : len))
				: below(s, (__u32)len);
		frame[a] ^= (__u8)(1u << below(s, 8));
		return len;
	case M_BYTE:
		frame[below(s, (__u32)len)] = (__u8)edge_value(s, 1, rnd(s));
		return len;
	case M_FIELD:
		i = (int)below(s, (__u32)nf);
		if (f[i].off + f[i].size > len)
			return len;
		put_be(frame + f[i].off, f[i].size,
		       edge_value(s, f[i].size,
				  get_be(frame + f[i].off, f[i].size)));
		return len;
	case M_TRUNCATE: /* BPF_PROG_TEST_RUN wants an Ethernet header */
		return len > ETH_HLEN
			   ? ETH_HLEN + below(s, (__u32)(len - ETH_HLEN))
			   : len;
	case M_EXTEND:
		n = 1 + below(s, 128);
		if (len + n > FRAME_MAX)
			return len;
		random_bytes(s, frame + len, n);
		return len + n;
	case M_SWAP: /* two fields of the same size, or two random spans */
		i = (int)below(s, (__u32)nf);
		for (int j = 0; j < nf; j++) {
			int k = (i + 1 + j) % nf;

			if (f[k].size == f[i].size &&
			    f[k].off + f[k].size <= len &&
			    f[i].off + f[i].size <= len) {
				memcpy(tmp, frame + f[i].off, f[i].size);
				memcpy(frame + f[i].off, frame + f[k].off,
				       f[i].size);
				memcpy(frame + f[k].off, tmp, f[i].size);
				return len;
			}
		}
		n = 1 + below(s, 8);
		if (len < 2 * n)
			return len;
		a = below(s, (__u32)(len - n + 1));
		b = below(s, (__u32)(len - n + 1));
		memcpy(tmp, frame + a, n);
		memmove(frame + a, frame + b, n);
		memcpy(frame + b, tmp, n);
		return len;
	case M_SPLICE: { /* this frame's headers, another seed's tail */
		const struct seed *o = &seeds[below(s, (__u32)nseeds)];

		a = below(s, (__u32)len + 1);
		b = below(s, (__u32)o->len);
		n = (size_t)o->len - b;
		if (a + n > FRAME_MAX)
			n = FRAME_MAX - a;
		memcpy(frame + a, o->frame + b, n);
		return a + n;
	}
	default: { /* the payload in another encapsulation */
		struct xhb_frame_spec spec = spec_of(
		    &encaps[below(s, sizeof(encaps) / sizeof(encaps[0]))]);
		__u8 payload[FRAME_MAX];
		int built;

		if (len <= sd->payload_off)
			return len;
		n = len - sd->payload_off;
		memcpy(payload, frame + sd->payload_off, n);
		if (below(s, 4) == 0)
			spec.dst_port = (__u16)rnd(s);
		if (below(s, 4) == 0)
			spec.src_port = (__u16)rnd(s);
		if (below(s, 8) == 0)
			spec.dst_mac[0] |= 1; /* multicast */
		built = xhb_frame_build(frame, FRAME_MAX, &spec, payload, n);
		return built > 0 ? (size_t)built : len;
	}
	}
}

enum made {
	MADE_MUTATED,
	MADE_RANDOM,	 /* random bytes */
	MADE_RANDOM_UDP, /* random payload to the cluster port */
	MADE_FORGED,	 /* a plausible header tagged under a guessed key */
};

/* A packet from seed sd: mutated (most) or made up. */
static size_t make_packet(__u64 *s, const struct seed *sd, __u8 *frame,
			  enum made *made, bool may_make_up)
{
	struct xhb_frame_spec spec = sd->spec;
	__u8 payload[256];
	struct xhb_key guess;
	struct xhb_hdr h;
	size_t len;
	int n;

	switch (may_make_up ? below(s, 10) : 9) {
	case 0: /* random bytes, sometimes behind a plausible EtherType */
		*made = MADE_RANDOM;
		len = ETH_HLEN + below(s, 400);
		random_bytes(s, frame, len);
		if (below(s, 2))
			put_be(frame + 12, 2, below(s, 2) ? 0x0800 : 0x86dd);
		return len;
	case 1:
		*made = MADE_RANDOM_UDP;
		n = below(s, 4) ? XHB_HDR_LEN : (int)below(s, sizeof(payload));
		random_bytes(s, payload, (size_t)n);
		if (below(s, 2)) /* magic to key_id right: up to the tag */
			memcpy(payload, &sd->hdr, n < 24 ? (size_t)n : 24);
		n = xhb_frame_build(frame, FRAME_MAX, &spec, payload,
				    (size_t)n);
		return n > 0 ? (size_t)n : ETH_HLEN;
	case 2:
		*made = MADE_FORGED;
		h = sd->hdr;
		h.seq = htobe64(rnd(s) >> below(s, 64));
		h.incarnation =
		    htobe64(below(s, 2) ? be64toh(h.incarnation) + 1 : rnd(s));
		h.groups_held = htonl(~0U);
		guess = keys[KEY_SIP];
		guess.k0 = rnd(s);
		guess.k1 = below(s, 2) ? keys[KEY_SIP].k1 : rnd(s);
		xhb_wire_sign(&h, below(s, 2) ? KEY_SIP : (__u8)below(s, 256),
			      &guess);
		n = xhb_frame_build(frame, FRAME_MAX, &spec, &h, sizeof(h));
		if (sd->qinq)
			put_be(frame + 12, 2, ETH_P_8021AD);
		return n > 0 ? (size_t)n : ETH_HLEN;
	default:
		*made = MADE_MUTATED;
		memcpy(frame, sd->frame, (size_t)sd->len);
		len = (size_t)sd->len;
		for (int i = 1 + (int)below(s, 4); i > 0; i--)
			len = mutate(s, sd, frame, len);
		/* BPF_PROG_TEST_RUN refuses less than an Ethernet header */
		return len < ETH_HLEN ? ETH_HLEN : len;
	}
}

/*
 * A window of the frame that the program would accept were its replay
 * state fresh, and that is not a header we signed: a CRC32 matched by
 * chance (1 in 2^32, and crc is integrity only) or a SipHash forgery.
 * Such a frame is not sent but counted: "without the key" means this.
 */
static bool forged_by_chance(const __u8 *frame, size_t len)
{
	for (size_t off = ETH_HLEN; off + XHB_HDR_LEN <= len; off++) {
		if (get_be(frame + off, 4) != XHB_MAGIC)
			continue;
		if (xhb_wire_check(frame + off, XHB_HDR_LEN, CLUSTER, keys,
				   NULL) != XHB_WIRE_OK)
			continue;
		/* the bytes we signed (not what the decoder reads a compact
		 * probe as) */
		for (int i = 0; i < nseeds; i++)
			if (signed_as(frame + off, &seeds[i]))
				goto signed_by_us;
		return true;
	signed_by_us:;
	}
	return false;
}

/* ---- the replay/forgery run ------------------------------------------- */

struct worker {
	pthread_t thread;
	__u64 rng;
	__u64 packets, sent, by_chance;
	__u64 made[4];
	__u8 *frame;
	struct result *r;
	char failure[1024]; /* first failure, "" if none */
};

static void *fuzz_worker(void *arg)
{
	struct worker *w = arg;

	for (__u64 i = 0; i < w->packets; i++) {
		const struct seed *sd = &seeds[below(&w->rng, (__u32)nseeds)];
		enum made made;
		size_t len = make_packet(&w->rng, sd, w->frame, &made, true);
		char bytes[2 * 96 + 1] = "";

		if (forged_by_chance(w->frame, len)) {
			w->by_chance++;
			continue;
		}
		w->made[made]++;
		run(w->frame, (__u32)len, w->r);
		w->sent++;
		if (!w->r->err &&
		    (w->r->verdict == XDP_DROP ||
		     (w->r->verdict == XDP_PASS && w->r->out_len == len &&
		      !memcmp(w->r->out, w->frame, len))))
			continue;
		hex(bytes, sizeof(bytes), w->frame, len < 96 ? len : 96);
		snprintf(w->failure, sizeof(w->failure),
			 "packet %llu (from %s, kind %d, %zu bytes): err %d "
			 "verdict %u out_len %u%s; frame %s",
			 (unsigned long long)i, sd->what, made, len, w->r->err,
			 w->r->verdict, w->r->out_len,
			 w->r->verdict == XDP_PASS ? " (PASS changed the frame)"
						   : "",
			 bytes);
		break;
	}
	return NULL;
}

Test(xdp_fuzz, no_forgery_accepted)
{
	/* Verdicts the fuzzed packets must reach (the rest need a tag). */
	static const size_t reached[] = {
	    COUNTER(pass_not_ip),	    COUNTER(pass_not_udp),
	    COUNTER(pass_fragment),	    COUNTER(pass_other_port),
	    COUNTER(drop_malformed),	    COUNTER(drop_bad_magic),
	    COUNTER(drop_bad_version),	    COUNTER(drop_bad_type),
	    COUNTER(drop_bad_cluster),	    COUNTER(drop_unknown_key),
	    COUNTER(drop_bad_tag),	    COUNTER(drop_replay),
	    COUNTER(drop_probe_not_for_us),
	};
	__u64 wanted = packets_wanted(), sent = 0, by_chance = 0, made[4] = {0};
	struct xhb_stats primed, after;
	struct xhb_peer p0, p1;
	struct worker w[THREADS];
	__u64 t0;

	/* Every seed once: each is valid (accepted or answered), and from
	 * now on it is a replay. */
	for (int i = 0; i < nseeds; i++) {
		struct result r;

		run(seeds[i].frame, (__u32)seeds[i].len, &r);
		cr_assert_eq(r.err, 0, "test_run: %s", strerror(r.err));
		cr_assert_eq(r.verdict,
			     seeds[i].hdr.type == XHB_MSG_PROBE ? XDP_TX
								: XDP_DROP,
			     "seed %s: verdict %u", seeds[i].what, r.verdict);
	}
	primed = stats();
	cr_assert_eq(counter(&primed, COUNTER(heartbeat_accepted)) +
			 counter(&primed, COUNTER(reply_accepted)) +
			 counter(&primed, COUNTER(probe_answered)) +
			 counter(&primed, COUNTER(probe_answered_compact)),
		     (__u64)nseeds, "a seed was not accepted");
	p0 = peer();

	t0 = xhb_now_ns();
	for (int t = 0; t < THREADS; t++) {
		memset(&w[t], 0, sizeof(w[t]));
		w[t].rng = splitmix64(fuzz_seed + (__u64)t) | 1;
		w[t].packets =
		    wanted / THREADS + (t == 0 ? wanted % THREADS : 0);
		w[t].frame = calloc(1, FRAME_MAX);
		w[t].r = calloc(1, sizeof(*w[t].r));
		cr_assert(w[t].frame && w[t].r);
		cr_assert_eq(
		    pthread_create(&w[t].thread, NULL, fuzz_worker, &w[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		pthread_join(w[t].thread, NULL);
		sent += w[t].sent;
		by_chance += w[t].by_chance;
		for (int k = 0; k < 4; k++)
			made[k] += w[t].made[k];
		free(w[t].frame);
		free(w[t].r);
	}
	for (int t = 0; t < THREADS; t++)
		cr_assert_eq(w[t].failure[0], '\0',
			     "seed 0x%llx, thread %d: %s",
			     (unsigned long long)fuzz_seed, t, w[t].failure);

	after = stats();
	p1 = peer();
	fprintf(stderr,
		"xdp_fuzz: %llu packets in %.1f s (mutated %llu, random %llu, "
		"random payload %llu, forged %llu; %llu valid by chance, not "
		"sent)\n",
		(unsigned long long)sent, (xhb_now_ns() - t0) / 1e9,
		(unsigned long long)made[MADE_MUTATED],
		(unsigned long long)made[MADE_RANDOM],
		(unsigned long long)made[MADE_RANDOM_UDP],
		(unsigned long long)made[MADE_FORGED],
		(unsigned long long)by_chance);
	fprintf(stderr, "xdp_fuzz: counters:");
	for (size_t i = 0; i < NCOUNTERS; i++) {
		fprintf(stderr, " %s=%llu", counter_name(i),
			(unsigned long long)(counter(&after, i) -
					     counter(&primed, i)));
	}
	fputc('\n', stderr);

	cr_assert_geq(sent, wanted - by_chance);
	cr_assert_eq(
	    counters_sum(&after) - counters_sum(&primed), sent,
	    "seed 0x%llx: counters sum to %llu for %llu packets",
	    (unsigned long long)fuzz_seed,
	    (unsigned long long)(counters_sum(&after) - counters_sum(&primed)),
	    (unsigned long long)sent);
	cr_assert_eq(counter(&after, COUNTER(heartbeat_accepted)),
		     counter(&primed, COUNTER(heartbeat_accepted)),
		     "seed 0x%llx: forged heartbeat accepted",
		     (unsigned long long)fuzz_seed);
	cr_assert_eq(counter(&after, COUNTER(reply_accepted)),
		     counter(&primed, COUNTER(reply_accepted)),
		     "seed 0x%llx: forged reply accepted",
		     (unsigned long long)fuzz_seed);
	cr_assert_eq(counter(&after, COUNTER(probe_answered)),
		     counter(&primed, COUNTER(probe_answered)),
		     "seed 0x%llx: forged probe answered",
		     (unsigned long long)fuzz_seed);
	cr_assert_eq(p1.heartbeats, p0.heartbeats);
	cr_assert_eq(p1.replies, p0.replies);
	cr_assert_eq(p1.probes, p0.probes);
	/* Nothing of the entry moved: times, replay windows, addresses. */
	cr_assert_arr_eq((const __u8 *)&p1 + offsetof(struct xhb_peer, node_id),
			 (const __u8 *)&p0 + offsetof(struct xhb_peer, node_id),
			 sizeof(p0) - offsetof(struct xhb_peer, node_id),
			 "seed 0x%llx: the peer entry changed",
			 (unsigned long long)fuzz_seed);
	/* The packets reached every layer of the program. */
	for (size_t i = 0; i < sizeof(reached) / sizeof(reached[0]); i++) {
		cr_assert_gt(counter(&after, reached[i]) -
				 counter(&primed, reached[i]),
			     0, "seed 0x%llx: no packet reached %s",
			     (unsigned long long)fuzz_seed,
			     counter_name(reached[i]));
	}
}

/* ---- one packet at a time, against a reference ---------------------- */

/*
 * What the program's contract (the top of bpf/xhb.bpf.c) says of a frame,
 * with no VIP configured: Ethernet, at most one 802.1Q/802.1ad tag, IPv4
 * (options, not a fragment) or IPv6 (no extension header), UDP to the
 * cluster port is ours (NCOUNTERS, *off set to the payload); anything else
 * is passed untouched, under the counter returned: malformed IP is not IP
 * (the stack's business), a fragment a fragment, then not UDP, then UDP
 * to another port. Written from the contract, not from the program, which
 * decides most frames twice over (xhb_plainly_not_ours(), xhb_classify()).
 */
static size_t ref_classify(const __u8 *f, size_t len, size_t *off)
{
	size_t l3 = ETH_HLEN, l4, ihl;
	__u64 proto;

	proto = get_be(f + 12, 2);
	if (proto == ETH_P_8021Q || proto == ETH_P_8021AD) {
		if (len < l3 + 4)
			return COUNTER(pass_not_ip);
		proto = get_be(f + 16, 2);
		l3 += 4;
	}
	if (proto == ETH_P_IP) {
		if (len < l3 + 20 || f[l3] >> 4 != 4)
			return COUNTER(pass_not_ip);
		ihl = (size_t)(f[l3] & 0xf) * 4;
		if (ihl < 20 || len < l3 + ihl)
			return COUNTER(pass_not_ip);
		if (get_be(f + l3 + 6, 2) & 0x3fff)
			return COUNTER(pass_fragment);
		if (f[l3 + 9] != IPPROTO_UDP)
			return COUNTER(pass_not_udp);
		l4 = l3 + ihl;
	} else if (proto == ETH_P_IPV6) {
		if (len < l3 + 40 || f[l3] >> 4 != 6)
			return COUNTER(pass_not_ip);
		if (f[l3 + 6] == 44) /* a fragment header */
			return COUNTER(pass_fragment);
		if (f[l3 + 6] != IPPROTO_UDP)
			return COUNTER(pass_not_udp);
		l4 = l3 + 40;
	} else {
		return COUNTER(pass_not_ip);
	}
	if (len < l4 + 8)
		return COUNTER(pass_not_udp);
	if (get_be(f + l4 + 2, 2) != XHB_DEFAULT_PORT)
		return COUNTER(pass_other_port);
	*off = l4 + 8;
	return NCOUNTERS;
}

/* The seed whose current (signed) header sits at off, or NULL. */
static const struct seed *signed_header_at(const __u8 *f, size_t len,
					   size_t off)
{
	if (off + XHB_HDR_LEN > len)
		return NULL;
	for (int i = 0; i < nseeds; i++)
		if (signed_as(f + off, &seeds[i]))
			return &seeds[i];
	return NULL;
}

static bool ip4_header_sum_ok(const __u8 *f, size_t len)
{
	size_t l3 = get_be(f + 12, 2) == ETH_P_IP ? ETH_HLEN : ETH_HLEN + 4,
	       ihl;
	__u32 sum = 0;

	if (len < l3 + 20 || f[l3] >> 4 != 4)
		return true; /* IPv6: no header checksum */
	ihl = (size_t)(f[l3] & 0xf) * 4;
	for (size_t i = 0; i + 1 < ihl; i += 2)
		sum += (__u32)get_be(f + l3 + i, 2);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

#define ORACLE_FAIL(...)                                                  \
	cr_assert_fail("seed 0x%llx, packet %llu (from %s, kind %d, %zu " \
		       "bytes, frame %s): " __VA_ARGS__)

Test(xdp_fuzz, exactly_one_counter)
{
	__u64 rng = splitmix64(fuzz_seed ^ 0x5eed) | 1, accepted[3] = {0};
	struct xhb_stats before = stats(), after;
	static __u8 frame[FRAME_MAX];
	static struct result r;
	struct xhb_peer p;

	for (__u64 i = 0; i < ORACLE_PACKETS; i++) {
		struct seed *sd = &seeds[below(&rng, (__u32)nseeds)];
		const struct seed *sig;
		size_t len, off = 0, moved = NCOUNTERS, ref;
		char bytes[2 * 96 + 1] = "";
		enum made made;
		bool ours;

		seed_sign(sd, seed_key_id(sd)); /* fresh: acceptable as is */
		if (below(&rng, 4) == 0) {
			made = MADE_MUTATED;
			memcpy(frame, sd->frame, (size_t)sd->len);
			len = (size_t)sd->len;
		} else {
			len = make_packet(&rng, sd, frame, &made, true);
		}
		if (forged_by_chance(frame, len))
			continue;
		run(frame, (__u32)len, &r);
		cr_assert_eq(r.err, 0, "test_run: %s", strerror(r.err));
		after = stats();
		hex(bytes, sizeof(bytes), frame, len < 96 ? len : 96);
#define CTX                                                                   \
	(unsigned long long)fuzz_seed, (unsigned long long)i, sd->what, made, \
	    len, bytes

		for (size_t c = 0; c < NCOUNTERS; c++) {
			__u64 d = counter(&after, c) - counter(&before, c);

			if (d == 0)
				continue;
			if (d != 1 || moved != NCOUNTERS)
				ORACLE_FAIL(
				    "counter %s moved by %llu (and #%zu)", CTX,
				    counter_name(c),
				    (unsigned long long)d, moved);
			moved = c;
		}
		if (moved == NCOUNTERS)
			ORACLE_FAIL("no counter moved", CTX);
		before = after;

		ref = ref_classify(frame, len, &off);
		ours = ref == NCOUNTERS;
		if (!ours && (r.verdict != XDP_PASS || r.out_len != len ||
			      memcmp(r.out, frame, len)))
			ORACLE_FAIL(
			    "not to the cluster port, yet verdict %u (or "
			    "changed)",
			    CTX, r.verdict);
		if (!ours && moved != ref)
			ORACLE_FAIL("not ours, counted %s where the contract "
				    "says %s",
				    CTX, counter_name(moved), counter_name(ref));
		if (ours && r.verdict != XDP_DROP && r.verdict != XDP_TX)
			ORACLE_FAIL("to the cluster port, yet verdict %u", CTX,
				    r.verdict);
		if ((r.verdict == XDP_TX) !=
		    (moved == COUNTER(probe_answered) ||
		     moved == COUNTER(probe_answered_compact)))
			ORACLE_FAIL("verdict %u with counter %s", CTX,
				    r.verdict,
				    counter_name(moved));
		if (moved != COUNTER(heartbeat_accepted) &&
		    moved != COUNTER(reply_accepted) &&
		    moved != COUNTER(probe_answered) &&
		    moved != COUNTER(probe_answered_compact))
			continue;

		/* Accepted: the header is one we signed, where it belongs. */
		sig = ours ? signed_header_at(frame, len, off) : NULL;
		if (!sig)
			ORACLE_FAIL("accepted (%s) without a header we signed "
				    "at the payload offset",
				    CTX,
				    counter_name(moved));
		if ((sig->hdr.type == XHB_MSG_HEARTBEAT) !=
			(moved == COUNTER(heartbeat_accepted)) ||
		    (sig->hdr.type == XHB_MSG_PROBE_REPLY) !=
			(moved == COUNTER(reply_accepted)))
			ORACLE_FAIL("type %u counted as %s", CTX, sig->hdr.type,
				    counter_name(moved));
		if (r.verdict == XDP_TX &&
		    compact_seed(sig) != (moved == COUNTER(probe_answered_compact)))
			ORACLE_FAIL("%s probe counted as %s", CTX,
				    compact_seed(sig) ? "a compact" : "a full",
				    counter_name(moved));
		accepted[sig->hdr.type - 1]++;
		if (r.verdict == XDP_TX) {
			struct xhb_hdr reply;
			enum xhb_wire_verdict v;

			v = xhb_wire_check(r.out + off, XHB_HDR_LEN, CLUSTER,
					   keys, &reply);
			if (r.out_len != len || v != XHB_WIRE_OK ||
			    reply.type != XHB_MSG_PROBE_REPLY ||
			    ntohl(reply.node_id) != SELF_ID ||
			    reply.dest_node_id != sig->hdr.node_id ||
			    reply.timestamp_ns != sig->hdr.timestamp_ns)
				ORACLE_FAIL("bad reply: %s, type %u", CTX,
					    xhb_wire_verdict_name(v),
					    reply.type);
			if (memcmp(r.out, frame + 6, 6) ||
			    memcmp(r.out + 6, frame, 6))
				ORACLE_FAIL("reply MACs not swapped", CTX);
			if (ip4_header_sum_ok(frame, len) &&
			    !xhb_frame_checksums_ok(r.out, r.out_len))
				ORACLE_FAIL("reply checksums wrong", CTX);
		}
#undef CTX
	}
	fprintf(stderr,
		"xdp_fuzz: %d packets one at a time: %llu heartbeats, %llu "
		"probes, %llu replies accepted, each with a header we signed\n",
		ORACLE_PACKETS, (unsigned long long)accepted[0],
		(unsigned long long)accepted[1],
		(unsigned long long)accepted[2]);
	cr_assert_gt(accepted[0], 0);
	cr_assert_gt(accepted[1], 0);
	cr_assert_gt(accepted[2], 0);
	p = peer();
	cr_assert_eq(p.heartbeats,
		     counter(&after, COUNTER(heartbeat_accepted)));
	cr_assert_eq(p.replies, counter(&after, COUNTER(reply_accepted)));
	cr_assert_eq(p.probes, counter(&after, COUNTER(probe_answered)) +
				       counter(&after, COUNTER(probe_answered_compact)));
	cr_assert_gt(counter(&after, COUNTER(probe_answered_compact)), 0,
		     "no compact probe answered");
}
