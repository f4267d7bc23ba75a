/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * config: reads a Heartbeat configuration directory (ha.cf, haresources,
 * authkeys) the way Heartbeat 3.0.6 reads it, plus xhb's own directives,
 * into one struct xhb_config. xhb.conf(5), docs/man/xhb.conf.5.scd, is the
 * user's manual.
 *
 *   xhb_config_load(dir, cfg, err, len)  0, or -errno with err holding
 *                                        "file:line: what is wrong"
 *   xhb_config_load_nodes(dir, ch, ...)  the same, with the nodes added and
 *                                        removed at runtime applied over
 *                                        ha.cf's node lines (nodes.h)
 *   xhb_config_node_index(cfg, name)     index into cfg->nodes, or -1
 *   xhb_node_id(name)                    a node's 32-bit id on the wire
 *   xhb_config_parse_time/_bool          Heartbeat's value syntaxes
 *   xhb_config_format_time               "2s", "500ms": for messages
 *
 * Loading reads the three files and stats resource scripts; it changes
 * nothing on the system and resolves no names. Everything lives in fixed
 * arrays inside the struct, so there is nothing to free; the struct is
 * about 1 MiB: allocate it (calloc or static), do not put it on a stack.
 *
 * What the struct holds, in the order of its fields: where it came from
 * (dir and the three paths), ha.cf timing in nanoseconds (Heartbeat's
 * keepalive/deadtime/warntime/initdead/deadping, then xhb's probe, lease,
 * garp), the cluster's identity (udpport, cluster_id, priority), the data
 * plane (xdp_mode, pin_dir, state_dir), metrics_listen, failback policy,
 * logging, the nodes, the heartbeat media, ping nodes, the resource groups
 * of haresources, the keys of authkeys, and notes: things the agent
 * reports as config_ignored, config_notice and config_warning events.
 */
#ifndef XHB_CONFIG_H
#define XHB_CONFIG_H

#include <linux/types.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "xhb_wire.h"
#include "gset.h"

#define XHB_CONFIG_DEFAULT_DIR "/etc/ha.d"

#define XHB_CONFIG_MAX_NODES 64 /* <= XHB_MAX_PEERS: checked in config.c */
#define XHB_STATE_DIR_DEFAULT "/var/lib/xhb"
#define XHB_CONFIG_MAX_MEDIA 16
#define XHB_CONFIG_MAX_PINGS 16
#define XHB_CONFIG_MAX_GROUP_RESOURCES 16
#define XHB_CONFIG_MAX_ARGS 8
#define XHB_CONFIG_MAX_NOTES 64
#define XHB_CONFIG_MAX_CHECKS 16
#define XHB_CONFIG_MAX_TIMEOUTS 32 /* resource_timeout lines */
#define XHB_NAME_MAX 64 /* node, script and directive names, with NUL */
#define XHB_PATH_MAX 256
#define XHB_SPEC_MAX 256 /* a haresources resource as written */
#define XHB_ARG_MAX 128
#define XHB_NOTE_MAX 192

/* Fixed SipHash keys (16 ASCII bytes each, read as xhb_siphash.h reads a
 * key: k0 = bytes 0..7 little-endian, k1 = bytes 8..15). Changing one
 * changes every node id, cluster id or derived key: never do. */
#define XHB_NODE_ID_KEY "xhb-node-id-key1"
#define XHB_CLUSTER_ID_KEY "xhb-cluster-id-1"
#define XHB_CLUSTER_NAME_KEY "xhb-cluster-nm-1"
#define XHB_GROUP_KEY "xhb-group-place1" /* a group's placement key */

union xhb_addr {
	struct in_addr v4;
	struct in6_addr v6;
};

enum xhb_auto_failback {
	XHB_FAILBACK_OFF = 0,	 /* groups stay where they are */
	XHB_FAILBACK_ON = 1,	 /* groups go back to their preferred node */
	XHB_FAILBACK_LEGACY = 2, /* Heartbeat's default: behaves as ON */
};

enum xhb_xdp_mode {
	XHB_XDP_AUTO = 0, /* native, else generic (and say so) */
	XHB_XDP_NATIVE = 1,
	XHB_XDP_GENERIC = 2,
};

enum xhb_medium_kind {
	XHB_MEDIUM_BCAST = 1, /* bcast IFACE */
	XHB_MEDIUM_MCAST = 2, /* mcast / mcast6 IFACE GROUP PORT TTL LOOP */
	XHB_MEDIUM_UCAST = 3, /* ucast / ucast6 IFACE PEER */
};

struct xhb_medium {
	enum xhb_medium_kind kind;
	unsigned int line; /* in ha.cf */
	char iface[IFNAMSIZ];
	int family;	     /* AF_INET or AF_INET6 of addr; 0 for bcast */
	union xhb_addr addr; /* mcast: the group; ucast: the peer */
	__u16 port;	     /* mcast: its own port; others use cfg->udpport */
	__u8 ttl;	     /* mcast: TTL (mcast6: hop limit) */
	__u8 loop;	     /* mcast: 1 = loop back to this host */
};

/* ping HOST..., ping6 HOST..., ping_group NAME HOST...: Heartbeat's ping
 * nodes, for the health checks. A group is up while any member answers. */
struct xhb_ping {
	char group[XHB_NAME_MAX]; /* "" for ping / ping6 */
	int family;
	union xhb_addr addr;
	unsigned int line;
};

struct xhb_node {
	char name[XHB_NAME_MAX]; /* lowercased, as Heartbeat does */
	__u32 id;		 /* xhb_node_id(name) */
	unsigned int line; /* in ha.cf; added: in state_dir/nodes */
	bool added; /* not in ha.cf: added at runtime (xhbctl node add) */
	unsigned int votes; /* votes NAME N: its quorum votes, default 1 */
	__u32 weight;	    /* weight NAME N: its share of auto groups, 1 */
};

/* The nodes added and removed at runtime (xhbctl node add|remove, as
 * Heartbeat's hb_addnode and hb_delnode), in the order they were: kept in
 * STATE_DIR/nodes (nodes.h) and applied over ha.cf's node lines. An entry
 * that ha.cf makes moot (an added node ha.cf now lists) is skipped. */
#define XHB_NODE_CHANGES_MAX (2 * XHB_CONFIG_MAX_NODES)
struct xhb_node_change {
	char name[XHB_NAME_MAX];
	bool add; /* else removed */
	unsigned int line; /* in the file, 0: not read from one */
	bool applied; /* it changed the list (not made moot by ha.cf) */
};

struct xhb_node_changes {
	unsigned int n;
	struct xhb_node_change at[XHB_NODE_CHANGES_MAX];
};

/* A votes or weight line, resolved once every node is known. */
struct xhb_node_attr {
	char node[XHB_NAME_MAX];
	bool weight; /* else votes */
	unsigned int value;
	unsigned int line;
};

/* What a node whose partition lacks quorum does (quorum.h). */
enum xhb_no_quorum_policy {
	XHB_NOQ_STOP = 0,   /* release everything, take nothing */
	XHB_NOQ_FREEZE = 1, /* keep what it holds, take nothing */
	XHB_NOQ_KEEP = 2,   /* as if quorate, as Heartbeat */
};

enum xhb_resource_kind {
	XHB_RES_ADDRESS = 1, /* IPaddr, IPaddr2, a bare address, IPv6addr */
	XHB_RES_SCRIPT = 2,  /* anything else: see resource_agent.h */
};

/* What runs a script resource (resource_agent.h says how). */
enum xhb_ra_kind {
	XHB_RA_HEARTBEAT = 1, /* DIR/resource.d/NAME ARG... start|stop|status */
	XHB_RA_OCF = 2,	      /* OCF_ROOT/resource.d/PROVIDER/NAME, OCF_RESKEY_* */
	XHB_RA_LSB = 3,	      /* /etc/init.d/NAME ARG... start|stop|status */
	XHB_RA_SYSTEMD = 4,   /* systemctl start|stop|status NAME.service */
};

struct xhb_resource {
	enum xhb_resource_kind kind;
	unsigned int line;	  /* physical line in haresources */
	char spec[XHB_SPEC_MAX];  /* as written:
				     "IPaddr::172.16.193.30/16/ens192" */
	char agent[XHB_NAME_MAX]; /* "IPaddr", "IPaddr2", "IPv6addr", or the
				     script */
	/* XHB_RES_ADDRESS */
	int family; /* AF_INET or AF_INET6 */
	union xhb_addr addr;
	__u8 prefix_len;      /* 0: not given; the agent takes the prefix of the
				 interface whose subnet holds addr (IPaddr's findif)
			       */
	char iface[IFNAMSIZ]; /* "": the agent picks the interface whose
				 subnet holds addr */
	char label[IFNAMSIZ]; /* IPv4 with iface: "ens192:0"...; else "" */
	struct in_addr broadcast; /* IPv4; 0.0.0.0 = derived from the prefix */
	/* XHB_RES_SCRIPT */
	enum xhb_ra_kind ra_kind;
	char path[XHB_PATH_MAX]; /* the executable: the script, the OCF agent,
				    or systemctl for a unit */
	unsigned int nargs;
	/* how long its start and its stop may run (then SIGTERM to its
	 * process group, SIGKILL a second later): ha.cf's resource_timeout
	 * lines, resolved once haresources is read (config_resource.c) */
	__u64 start_timeout_ns, stop_timeout_ns;
	char args[XHB_CONFIG_MAX_ARGS][XHB_ARG_MAX]; /* NAME::a::b gives a, b */
};

/* check NAME http URL|tcp HOST:PORT|exec PATH [ARGS] [options]: a service
 * check of this node (config_check.c; xhb.conf(5) CHECKS). */
enum xhb_check_kind {
	XHB_CHECK_HTTP = 1, /* an HTTP/1.1 GET, judged on its status code */
	XHB_CHECK_TCP = 2,  /* a TCP connection accepted */
	XHB_CHECK_EXEC = 3, /* a program that exits 0 */
	/* a haresources script's status (OCF: monitor) says running; only
	 * where its group is held */
	XHB_CHECK_RESOURCE = 4,
};

struct xhb_check_cfg {
	char name[XHB_NAME_MAX];
	enum xhb_check_kind kind;
	unsigned int line; /* in ha.cf */
	char target[XHB_SPEC_MAX]; /* the URL, HOST:PORT or PATH as written */
	/* http, tcp: where to connect (literal addresses: no resolver) */
	int family;
	union xhb_addr addr;
	__u16 port;
	char host[XHB_NAME_MAX]; /* http: the Host header (the URL's host) */
	char path[XHB_PATH_MAX]; /* http: the request target, "/" by default */
	/* resource: the group and resource of haresources, resolved once it
	 * is read */
	int res_group, res_index;
	/* exec: the program and its arguments */
	unsigned int nargs;
	char args[XHB_CONFIG_MAX_ARGS][XHB_ARG_MAX];
	__u64 interval_ns; /* between starts; default 1s */
	__u64 timeout_ns;  /* a run longer fails; default the interval */
	unsigned int fall; /* consecutive failures that make it fail; 3 */
	unsigned int rise; /* consecutive successes that make it pass; 3 */
	/* the groups it guards (bit g: group g); every group by default.
	 * groups_spec is the option as written, resolved once haresources
	 * is read */
	struct xhb_gset groups;
	char groups_spec[XHB_SPEC_MAX];
};

/* resource_timeout [NAME] [start|stop] TIME (config_resource.c): for the
 * scripts named NAME ("": every script), what this line and those before
 * it set (0: not set). */
#define XHB_RESOURCE_TIMEOUT_DEFAULT_NS (60ULL * 1000000000ULL)
struct xhb_resource_timeout {
	char agent[XHB_NAME_MAX];
	__u64 start_ns, stop_ns;
	unsigned int line; /* the first line that names it */
};

/* What a failed stop leaves (stop_failed_policy; xhb.conf(5)). */
enum xhb_stop_failed_policy {
	/* the group stays held here, blocked, its addresses removed, until
	 * `xhbctl cleanup` stops it: no other node starts it meanwhile */
	XHB_STOP_FAILED_BLOCK = 0,
	/* the release goes on as if the stop had worked, as xhb did before
	 * this policy existed */
	XHB_STOP_FAILED_RELEASE = 1,
};

/* One haresources line: started left to right, stopped right to left. */
/* announce GROUP route|anycast ... (config_announce.c): how a group's
 * addresses reach clients beyond their segment. ARP (no line): on their
 * interface, announced by gratuitous ARP / NA. ROUTE: the holder puts each
 * address on lo as a host address and a host route for it in `table`
 * with protocol `proto`, which a routing daemon (BIRD, FRR) announces.
 * ANYCAST: the same on every node whose checks pass. */
enum xhb_announce_mode {
	XHB_ANNOUNCE_ARP = 0,
	XHB_ANNOUNCE_ROUTE,
	XHB_ANNOUNCE_ANYCAST,
};

struct xhb_announce_cfg {
	enum xhb_announce_mode mode;
	__u32 table;  /* kernel routing table, default 100 */
	__u8 proto;   /* the routes' protocol number, default 248 */
	__u32 metric; /* the route's metric (priority), default 1000 */
	/* route: the metric after a takeover from a holder that may still
	 * announce (lower wins), kept for takeover_hold, default 100, 10s */
	__u32 takeover_metric;
	__u64 takeover_hold_ns;
	unsigned int line; /* in ha.cf, 0: no line */
};

struct xhb_group {
	/* the first field: the preferred node, `auto`, or a list of nodes
	 * (NAME,NAME,...) */
	char node[XHB_NAME_MAX];
	int node_index; /* into cfg->nodes; -1 when placed */
	/* `auto` or a list: placed by rendezvous hashing (place.h) over the
	 * nodes of allowed (bit i: cfg->nodes[i]), with place_key */
	bool placed;
	__u64 allowed;
	__u64 place_key;
	struct xhb_announce_cfg announce; /* announce GROUP ... */
	unsigned int line;	 /* where the line starts */
	unsigned int nresources;
	struct xhb_resource resources[XHB_CONFIG_MAX_GROUP_RESOURCES];
};

/* An address and port to listen on (family 0: none given). */
struct xhb_listen {
	int family; /* AF_INET or AF_INET6 */
	union xhb_addr addr;
	__u16 port; /* host order, 1..65535 */
	unsigned int line; /* in ha.cf */
};

/* One authkeys index. Slots never named have method XHB_AUTH_NONE. */
#define XHB_SECRET_MAX 256

struct xhb_auth_key {
	enum xhb_auth_method method; /* what XDP runs: SIPHASH or CRC */
	/* SipHash key: given as 32 hex digits (siphash), or 0 until
	 * xhb_kdf_config() derives it from secret; 0 for crc */
	__u64 k0, k1;
	char secret[XHB_SECRET_MAX]; /* to derive the key from, or "" */
	char method_name[8]; /* as written: "md5", "sha1", "siphash", "crc" */
	unsigned int line;
};

enum xhb_note_kind {
	XHB_NOTE_IGNORED = 1, /* a Heartbeat directive xhb has no use for */
	XHB_NOTE_NOTICE = 2,  /* accepted, but xhb does it differently */
	XHB_NOTE_WARNING = 3, /* accepted, but probably not what was meant */
};

struct xhb_config_note {
	enum xhb_note_kind kind;
	char file[XHB_PATH_MAX]; /* as opened */
	unsigned int line;	 /* 0: about the file as a whole (a default) */
	char directive[XHB_NAME_MAX]; /* ha.cf directive, resource or method */
	char message[XHB_NOTE_MAX];
};

struct xhb_config {
	char dir[XHB_PATH_MAX];	      /* as given, without trailing slashes */
	char hacf_path[XHB_PATH_MAX]; /* DIR/ha.cf, ... as opened */
	char haresources_path[XHB_PATH_MAX];
	char authkeys_path[XHB_PATH_MAX];

	/* Heartbeat's timing. Defaults and checks are Heartbeat's:
	 * keepalive 1s, deadtime 30s, warntime deadtime/2, initdead
	 * deadtime if > 10s, else 12s if deadtime < 6s, else 2 x deadtime;
	 * deadtime > 2 x keepalive, initdead >= deadtime. */
	__u64 keepalive_ns; /* heartbeat interval */
	__u64 deadtime_ns;  /* silence after which a peer is dead */
	__u64 warntime_ns;  /* silence after which a peer is late */
	__u64 initdead_ns;  /* deadtime while the agent starts */
	__u64 deadping_ns;  /* deadtime of ping nodes; default deadtime */
	/* xhb: probe INTERVAL MISSES. Without the line, probes go every
	 * keepalive and misses is 0: deadtime alone declares death. */
	__u64 probe_interval_ns;
	__u32 probe_misses;
	__u64 lease_ns;	  /* lease TIME: VIP lease; default deadtime */
	__u32 garp_count; /* garp COUNT INTERVAL: 5, 200ms like IPaddr2 */
	__u64 garp_interval_ns;

	__u16 udpport;	  /* default 694 */
	/* never 0: cluster_id N, or the hash of cluster_name NAME
	 * (xhb_cluster_id_of_name), else the hash of ha.cf's sorted node
	 * names (the default before cluster_name existed, kept so that an
	 * upgrade changes no id; nodes added at runtime do not count) */
	__u32 cluster_id;
	bool cluster_id_set; /* given by cluster_id or cluster_name in ha.cf */
	char cluster_name[XHB_NAME_MAX]; /* cluster_name NAME, or "" */
	__u8 priority;	     /* priority 0..255; default 100 */
	/* realtime on|off, rtprio N: Heartbeat's; default off, 50. On: the
	 * agent runs SCHED_RR, so a busy machine cannot starve it past its
	 * lease */
	bool realtime;
	unsigned int rtprio;
	/* fenced_standby on|off, default off. On: a group's addresses stay
	 * configured on a node that does not hold it, staged (fenced by its
	 * XDP and tc egress, XHB_VIP_STAGED), so that a takeover is a map
	 * write and a GARP, not an address add waiting on RTNL (routing
	 * mode's groups excepted: their address is on lo) */
	bool fenced_standby;
	enum xhb_xdp_mode xdp_mode;
	/* Pins go to <pin_dir>/<ifname>; "" stands for XHB_PIN_ROOT. */
	char pin_dir[XHB_PATH_MAX];
	/* What must outlive the agent and the pins: the incarnation counter;
	 * default XHB_STATE_DIR_DEFAULT. */
	char state_dir[XHB_PATH_MAX];
	/* metrics_listen ADDR:PORT: where xhb-metrics serves /metrics; off
	 * by default. The agent itself never reads it. */
	struct xhb_listen metrics_listen;
	enum xhb_auto_failback auto_failback;

	char logfile[XHB_PATH_MAX]; /* "" when not set */
	char debugfile[XHB_PATH_MAX];
	char logfacility[16]; /* syslog facility name, "none", or "" */
	unsigned int debug;   /* debug 0..255 */
	/* OCF_ROOT of the agent's environment when haresources was read, else
	 * /usr/lib/ocf: where OCF resource agents are found */
	char ocf_root[XHB_PATH_MAX];

	/* The nodes: ha.cf's node lines, then those node_changes adds, less
	 * those it removes. The one list of the cluster's nodes: whoever
	 * counts them (quorum, placement) reads it. */
	unsigned int nnodes;
	struct xhb_node nodes[XHB_CONFIG_MAX_NODES];
	struct xhb_node_changes node_changes; /* as read from state_dir */
	unsigned int nmedia;
	struct xhb_medium media[XHB_CONFIG_MAX_MEDIA];
	unsigned int npings;
	struct xhb_ping pings[XHB_CONFIG_MAX_PINGS];

	unsigned int nchecks;
	struct xhb_check_cfg checks[XHB_CONFIG_MAX_CHECKS];

	unsigned int ntimeouts;
	struct xhb_resource_timeout timeouts[XHB_CONFIG_MAX_TIMEOUTS];
	enum xhb_stop_failed_policy stop_failed_policy;

	/* no_quorum_policy; without the line: keep for two nodes without
	 * ping nodes (Heartbeat's way), else stop */
	enum xhb_no_quorum_policy no_quorum_policy;
	unsigned int no_quorum_line; /* 0: the default */
	unsigned int nnode_attrs;
	struct xhb_node_attr node_attrs[2 * XHB_CONFIG_MAX_NODES];
	/* announce lines as read, applied to groups once haresources is */
	unsigned int nannounces;
	struct xhb_announce_line {
		char group[XHB_SPEC_MAX]; /* as written */
		struct xhb_announce_cfg cfg;
	} announces[XHB_MAX_GROUPS];

	unsigned int ngroups; /* group i is bit i of groups_held on the wire */
	struct xhb_group groups[XHB_MAX_GROUPS];

	unsigned int auth_index; /* auth N: the key we sign with, 1..15 */
	struct xhb_auth_key keys[XHB_MAX_KEYS]; /* by index; [0] unused */

	unsigned int nnotes;
	unsigned int notes_dropped; /* beyond XHB_CONFIG_MAX_NOTES */
	struct xhb_config_note notes[XHB_CONFIG_MAX_NOTES];
};

/*
 * A configuration, zeroed, or NULL; xhb_config_free() gives it back.
 * Mapped (mmap), not calloc'd: glibc takes a block this size from the
 * heap once one has been freed (its mmap threshold rises to it), and
 * calloc() then clears all of it, 3-14 ms on the agent's loop at every
 * reload after the third. Fresh anonymous pages are zero and are paid
 * for only when touched.
 */
struct xhb_config *xhb_config_new(void);
void xhb_config_free(struct xhb_config *cfg);

/*
 * Reads DIR/ha.cf, DIR/haresources and DIR/authkeys into cfg (DIR NULL:
 * XHB_CONFIG_DEFAULT_DIR). Returns 0, or a negative errno (the open's
 * errno, -EACCES for a readable authkeys, -EINVAL for content) with the
 * first problem in err as "file:line: what is wrong" ("file: what is
 * wrong" for the file as a whole). cfg is unspecified after an error.
 * cfg is fresh (xhb_config_new()) or was loaded before: a fresh one is not cleared
 * again, so that the pages of what the files do not use (the struct is
 * tens of MB: 1024 groups) are never touched, neither mapped nor paid
 * for in the agent's loop at a reload.
 */
int xhb_config_load(const char *dir, struct xhb_config *cfg, char *err,
		    size_t errlen);

/* The groups word names, as check's groups option reads it: a group's
 * number, one of its addresses, or one of its resources (its agent's
 * name, or as written). How many. */
unsigned int xhb_config_groups_named(const struct xhb_config *cfg,
				     const char *word, struct xhb_gset *out);

/*
 * xhb_config_load(), then the runtime node changes applied between ha.cf
 * and haresources (which may name the added nodes): ch, or when ch is NULL
 * those of STATE_DIR/nodes (none if it does not exist). Errors in that
 * file read "STATE_DIR/nodes:line: what is wrong".
 */
int xhb_config_load_nodes(const char *dir, const struct xhb_node_changes *ch,
			  struct xhb_config *cfg, char *err, size_t errlen);

/* The cluster id of cluster_name NAME: SipHash of NAME under
 * XHB_CLUSTER_NAME_KEY, 0 made 1. */
__u32 xhb_cluster_id_of_name(const char *name);
/* Where cfg's cluster id came from: "cluster_name", "cluster_id" or
 * "node names" (the default). */
const char *xhb_cluster_id_source(const struct xhb_config *cfg);
/*
 * A reload from old to next must not change the cluster id by accident:
 * with neither cluster_id nor cluster_name, a node line added or removed
 * in ha.cf changes the default, and the peers still on the old id would
 * no longer be heard (XDP drops their packets). 0, or -EINVAL with what
 * to write in err.
 */
int xhb_config_identity_check(const struct xhb_config *old,
			      const struct xhb_config *next, char *err,
			      size_t errlen);

/* Index of node name in cfg->nodes (compared without case), or -1. */
int xhb_config_node_index(const struct xhb_config *cfg, const char *name);

/* Low 32 bits of SipHash-2-4 of the lowercased name under XHB_NODE_ID_KEY;
 * 0 becomes 1, so 0 can mean "nobody" on the wire. */
__u32 xhb_node_id(const char *name);

/* Heartbeat's time syntax: "2" and "1.5" are seconds; "500ms", "100000us"
 * ("msec", "usec", "s" too, any case). 0 or -EINVAL (also beyond a day). */
int xhb_config_parse_time(const char *text, __u64 *ns);

/* on/off, yes/no, true/false, y/n, 1/0, any case. 0 or -EINVAL. */
int xhb_config_parse_bool(const char *text, bool *value);

/* Shortest exact form of a time: "2s", "1500ms", "100us", "7ns". */
const char *xhb_config_format_time(__u64 ns, char *buf, size_t len);

/* "ignored", "notice", "warning". */
const char *xhb_note_kind_name(enum xhb_note_kind kind);

#endif /* XHB_CONFIG_H */
