// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * One bench node's data plane: attach xhb's XDP program to an interface as
 * node `--self` with `--peer` as its only peer, keys and self state
 * written as an agent would, then wait. On the responder (namespace B) it
 * is the XDP probe responder under test; on the prober (namespace A) it
 * counts the replies coming back (reply_accepted) at XDP cost, and being
 * an XDP program on the peer veth it is also what makes B's XDP_TX frames
 * deliverable on veth at all.
 *
 * Maps are pinned in --pin-dir (on a bpffs the caller mounted outside
 * /sys, so pktgen in the other namespace can read the counters live). On
 * SIGINT/SIGTERM, or after --max-seconds whatever happens, it prints its
 * counters as JSON, detaches and removes the pins.
 *
 *   xdp_node --ifname IF --pin-dir DIR --self ID --peer ID
 *            [--ready FILE] [--max-seconds N] [--json FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "bench.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "we");

	if (f)
		fclose(f);
}

/* The counters a bench run reads; the rest summed, so a stray packet shows. */
static json_t *stats_json(const struct xhb_stats *s)
{
	json_t *o = json_object();

#define SET(name, value) json_object_set_new(o, name, json_integer(value))
	SET("probe_answered", s->probe_answered);
	SET("reply_accepted", s->reply_accepted);
	SET("heartbeat_accepted", s->heartbeat_accepted);
	SET("drop_self", s->drop_self);
	SET("drop_replay", s->drop_replay);
	SET("drop_bad_tag", s->drop_bad_tag);
	SET("drop_malformed", s->drop_malformed);
	SET("pass_other", s->pass_not_ip + s->pass_not_udp + s->pass_fragment +
			      s->pass_other_port);
	SET("drop_other", s->drop_bad_magic + s->drop_bad_version +
			      s->drop_bad_type + s->drop_bad_cluster +
			      s->drop_unknown_key + s->drop_unknown_peer +
			      s->drop_old_incarnation +
			      s->drop_probe_not_for_us + s->drop_agent_absent);
#undef SET
	return o;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"ifname", required_argument, NULL, 'i'},
	    {"pin-dir", required_argument, NULL, 'p'},
	    {"self", required_argument, NULL, 's'},
	    {"peer", required_argument, NULL, 'P'},
	    {"ready", required_argument, NULL, 'r'},
	    {"max-seconds", required_argument, NULL, 't'},
	    {"json", required_argument, NULL, 'j'},
	    {"verbose", no_argument, NULL, 'v'},
	    {},
	};
	struct xhb_dataplane_opts o = {
	    .cluster_id = BENCH_CLUSTER,
	    .mode = XHB_XDP_NATIVE, /* veth has native XDP: generic would
				       measure the wrong thing */
	};
	const char *ready = NULL, *json = NULL;
	struct xhb_dataplane *dp = NULL;
	__u32 self_id = 0, peer_id = 0;
	unsigned int max_seconds = 120;
	struct xhb_stats s;
	char why[256] = "";
	json_t *out;
	bool verbose = false;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "i:p:s:P:r:t:j:v", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'i':
			o.ifname = optarg;
			break;
		case 'p':
			o.pin_dir = optarg;
			break;
		case 's':
			self_id = strtoul(optarg, NULL, 0);
			break;
		case 'P':
			peer_id = strtoul(optarg, NULL, 0);
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
		case 'v':
			verbose = true;
			dataplane__set_verbose(true);
			break;
		default:
			fprintf(stderr,
				"usage: xdp_node --ifname IF --pin-dir DIR "
				"--self ID --peer ID [--ready FILE] "
				"[--max-seconds N] [--json FILE]\n");
			return 2;
		}
	}
	if (!o.ifname || !o.pin_dir || !self_id || !peer_id || !max_seconds) {
		fprintf(stderr, "xdp_node: --ifname, --pin-dir, --self, --peer "
				"are required\n");
		return 2;
	}

	if (!verbose)
		dataplane__set_verbose(false); /* libbpf: warnings only */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	err = dataplane__open(&o, &dp, why, sizeof(why));
	if (err) {
		fprintf(stderr, "xdp_node: %s\n", why);
		return 1;
	}
	err = bench_configure_node(dp, self_id, peer_id);
	if (err) {
		fprintf(stderr,
			"xdp_node: cannot write keys, self or peer in %s: %s\n",
			o.pin_dir, strerror(-err));
		goto cleanup;
	}
	if (ready)
		touch(ready);

	/* Bounded even if nobody signals us. */
	for (unsigned int t = 0; !stop && t < max_seconds * 10; t++)
		usleep(100000);

	err = dataplane__stats(dp, &s);
	if (err) {
		fprintf(stderr, "xdp_node: cannot read the stats: %s\n",
			strerror(-err));
		goto cleanup;
	}
	out = json_pack("{s:s, s:I, s:b, s:o}", "ifname", o.ifname, "node_id",
			(json_int_t)self_id, "generic",
			dataplane__info(dp)->generic, "stats", stats_json(&s));
	if (json)
		json_dump_file(out, json, JSON_INDENT(2));
	else
		json_dumpf(out, stdout, JSON_INDENT(2));
	json_decref(out);
cleanup:
	dataplane__detach(dp);
	dataplane__close(dp);
	return err ? 1 : 0;
}
