// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * user/config: the lab's files load to exactly the expected values; every
 * value syntax; every kind of error gives its "file:line: message"; notes;
 * key derivation and ids against libsodium and fixed golden values (they
 * must never change: nodes of different versions must agree).
 *
 * Each test works on a copy of selftests/fixtures/lab in a mkdtemp
 * directory (authkeys chmod 600 there: git does not keep modes).
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <linux/types.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xhb_siphash.h"
#include "config.h"

#define MS 1000000ULL
#define SEC 1000000000ULL

static char tmpdir[64]; /* "/tmp/xhb-config.XXXXXX" */
static struct xhb_config *cfg;
static char err[1024];

/* ---- fixture plumbing ------------------------------------------------ */

static const char *fixtures_dir(void)
{
	static char dir[2 * PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;

	if (getenv("XHB_FIXTURES"))
		return getenv("XHB_FIXTURES");
	if (access("selftests/fixtures/lab/ha.cf", R_OK) == 0)
		return "selftests/fixtures/lab";
	/* run from elsewhere: build/selftests/unit -> ../../selftests/... */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	cr_assert(n > 0, "readlink /proc/self/exe");
	exe[n] = '\0';
	snprintf(dir, sizeof(dir), "%s/../../selftests/fixtures/lab",
		 dirname(exe));
	return dir;
}

static void write_file(const char *name, const char *content, mode_t mode)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	cr_assert(f, "create %s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(content, 1, strlen(content), f), strlen(content));
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(path, mode), 0);
}

static void copy_fixture(const char *name, mode_t mode)
{
	char path[PATH_MAX], buf[4096];
	size_t n;
	FILE *f;

	cr_assert_lt(
	    snprintf(path, sizeof(path), "%s/%s", fixtures_dir(), name),
	    (int)sizeof(path));
	f = fopen(path, "r");
	cr_assert(f, "fixture %s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	write_file(name, buf, mode);
}

static void remove_file(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	cr_assert_eq(unlink(path), 0);
}

static void make_script(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/resource.d", tmpdir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "resource.d/%s", name);
	write_file(path, "#!/bin/sh\nexit 0\n", 0755);
}

static void setup(void)
{
	cr_assert(sodium_init() >= 0);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/xhb-config.XXXXXX");
	cr_assert(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
	copy_fixture("ha.cf", 0644);
	copy_fixture("haresources", 0644);
	copy_fixture("authkeys", 0600);
	cfg = xhb_config_new();
	cr_assert(cfg);
	err[0] = '\0';
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	xhb_config_free(cfg);
	cfg = NULL;
	if (tmpdir[0])
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int load(void)
{
	return xhb_config_load(tmpdir, cfg, err, sizeof(err));
}

static void load_ok(void)
{
	int ret = load();

	cr_assert_eq(ret, 0, "load failed (%d): %s", ret, err);
}

/* What libsodium, an independent SipHash, says the documented
 * derivation gives. */
static __u64 sodium_siphash(const char *msg, size_t len, const char *key16)
{
	__u8 out[8];

	crypto_shorthash_siphash24(out, (const __u8 *)msg, len,
				   (const __u8 *)key16);
	return xhb_load_le64(out);
}

static const struct xhb_config_note *find_note(enum xhb_note_kind kind,
					       const char *directive)
{
	for (unsigned int i = 0; i < cfg->nnotes; i++)
		if (cfg->notes[i].kind == kind &&
		    !strcmp(cfg->notes[i].directive, directive))
			return &cfg->notes[i];
	return NULL;
}

static void addr4(const char *text, struct in_addr *out)
{
	cr_assert_eq(inet_pton(AF_INET, text, out), 1, "%s", text);
}

TestSuite(config, .init = setup, .fini = teardown);

/* ---- the lab --------------------------------------------------------- */

Test(config, lab_files_load_with_expected_values)
{
	struct in_addr vip;
	char path[PATH_MAX];
	const struct xhb_group *g;
	const struct xhb_resource *r;

	load_ok();
	cr_expect_str_eq(cfg->dir, tmpdir);
	snprintf(path, sizeof(path), "%s/ha.cf", tmpdir);
	cr_expect_str_eq(cfg->hacf_path, path);

	/* ha.cf */
	cr_expect_eq(cfg->keepalive_ns, 2 * SEC);
	cr_expect_eq(cfg->deadtime_ns, 10 * SEC);
	cr_expect_eq(cfg->warntime_ns, 6 * SEC);
	cr_expect_eq(cfg->initdead_ns, 60 * SEC);
	cr_expect_eq(cfg->deadping_ns, 10 * SEC);
	cr_expect_eq(cfg->udpport, 694);
	cr_expect_eq(cfg->auto_failback, XHB_FAILBACK_OFF);
	cr_expect_str_eq(cfg->logfile, "/var/log/ha-log");
	cr_expect_str_eq(cfg->debugfile, "/var/log/ha-debug");
	cr_expect_str_eq(cfg->logfacility, "local0");
	cr_expect_eq(cfg->debug, 0);
	cr_assert_eq(cfg->nnodes, 2);
	cr_expect_str_eq(cfg->nodes[0].name, "srv1");
	cr_expect_str_eq(cfg->nodes[1].name, "srv2");
	cr_expect_eq(cfg->nodes[0].line, 10);
	cr_expect_eq(cfg->nodes[0].id, 0x2dfaae60);
	cr_expect_eq(cfg->nodes[1].id, 0xb3cfe2e1);
	cr_assert_eq(cfg->nmedia, 1);
	cr_expect_eq(cfg->media[0].kind, XHB_MEDIUM_BCAST);
	cr_expect_str_eq(cfg->media[0].iface, "ens192");
	cr_expect_eq(cfg->media[0].line, 1);
	cr_expect_eq(cfg->npings, 0);

	/* extensions at their defaults: timing follows Heartbeat's */
	cr_expect_eq(cfg->probe_interval_ns, 2 * SEC);
	cr_expect_eq(cfg->probe_misses, 0);
	cr_expect_eq(cfg->lease_ns, 10 * SEC);
	cr_expect_eq(cfg->garp_count, 5);
	cr_expect_eq(cfg->garp_interval_ns, 200 * MS);
	cr_expect_str_eq(cfg->pin_dir, "");
	cr_expect_eq(cfg->xdp_mode, XHB_XDP_AUTO);
	cr_expect_eq(cfg->metrics_listen.family, 0, "no metrics listener");
	cr_expect_eq(cfg->priority, 100);
	cr_expect_not(cfg->cluster_id_set);
	cr_expect_eq(cfg->cluster_id, 0xc9e96a03);

	/* haresources */
	cr_assert_eq(cfg->ngroups, 1);
	g = &cfg->groups[0];
	cr_expect_str_eq(g->node, "srv1");
	cr_expect_eq(g->node_index, 0);
	cr_expect_eq(g->line, 1);
	cr_assert_eq(g->nresources, 1);
	r = &g->resources[0];
	cr_expect_eq(r->kind, XHB_RES_ADDRESS);
	cr_expect_str_eq(r->spec, "IPaddr::172.16.193.30/16/ens192");
	cr_expect_str_eq(r->agent, "IPaddr");
	cr_expect_eq(r->family, AF_INET);
	addr4("172.16.193.30", &vip);
	cr_expect_eq(r->addr.v4.s_addr, vip.s_addr);
	cr_expect_eq(r->prefix_len, 16);
	cr_expect_str_eq(r->iface, "ens192");
	cr_expect_str_eq(r->label, "ens192:0");
	cr_expect_eq(r->broadcast.s_addr, 0);
	cr_expect_eq(r->line, 1);

	/* authkeys */
	cr_expect_eq(cfg->auth_index, 1);
	cr_expect_eq(cfg->keys[1].method, XHB_AUTH_SIPHASH);
	cr_expect_str_eq(cfg->keys[1].method_name, "md5");
	cr_expect_str_eq(cfg->keys[1].secret, "\"123456\"");
	cr_expect_eq(cfg->keys[1].k0, 0, "derived at start, not here");
	cr_expect_eq(cfg->keys[1].line, 2);
	cr_expect_eq(cfg->keys[2].method, XHB_AUTH_CRC);
	cr_expect_str_eq(cfg->keys[2].method_name, "crc");
	cr_expect_eq(cfg->keys[2].k0, 0);
	for (int i = 3; i < XHB_MAX_KEYS; i++)
		cr_expect_eq(cfg->keys[i].method, XHB_AUTH_NONE, "key %d", i);
	cr_expect_eq(cfg->keys[0].method, XHB_AUTH_NONE);

	/* exactly three notes: md5 became SipHash under a key derived from a
	 * secret too short to resist an offline search, crc authenticates
	 * nothing (debugfile and logfacility are used: no note) */
	cr_assert_eq(cfg->nnotes, 3, "notes: %u, first: %s", cfg->nnotes,
		     cfg->nnotes ? cfg->notes[0].message : "");
	cr_expect_eq(cfg->notes[0].kind, XHB_NOTE_NOTICE);
	cr_expect_str_eq(cfg->notes[0].directive, "md5");
	cr_expect_eq(cfg->notes[0].line, 2);
	snprintf(path, sizeof(path), "%s/authkeys", tmpdir);
	cr_expect_str_eq(cfg->notes[0].file, path);
	cr_expect_eq(cfg->notes[1].kind, XHB_NOTE_WARNING);
	cr_expect_str_eq(cfg->notes[1].directive, "md5");
	cr_expect_eq(cfg->notes[1].line, 2);
	cr_expect_eq(cfg->notes[2].kind, XHB_NOTE_WARNING);
	cr_expect_str_eq(cfg->notes[2].directive, "crc");
	cr_expect_eq(cfg->notes[2].line, 3);
	cr_expect_eq(cfg->notes_dropped, 0);
}

Test(config, lab_loads_twice_identically)
{
	struct xhb_config *again = calloc(1, sizeof(*again));

	cr_assert(again);
	load_ok();
	cr_assert_eq(xhb_config_load(tmpdir, again, err, sizeof(err)), 0);
	cr_expect_eq(memcmp(cfg, again, sizeof(*cfg)), 0);
	free(again);
}

Test(config, lab_with_probe_line)
{
	write_file("ha.cf",
		   "bcast ens192\nkeepalive 2\ndeadtime 10\nwarntime 6\n"
		   "initdead 60\nnode srv1 srv2\nauto_failback off\n"
		   "probe 1ms 3\n",
		   0644);
	load_ok();
	cr_expect_eq(cfg->probe_interval_ns, 1 * MS);
	cr_expect_eq(cfg->probe_misses, 3);
	cr_expect_eq(cfg->keepalive_ns, 2 * SEC);
}

Test(config, trailing_slash_and_default_dir_paths)
{
	char dir[PATH_MAX + 2], want[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s//", tmpdir);
	cr_assert_eq(xhb_config_load(dir, cfg, err, sizeof(err)), 0, "%s", err);
	snprintf(want, sizeof(want), "%s/authkeys", tmpdir);
	cr_expect_str_eq(cfg->authkeys_path, want);
	cr_expect_str_eq(cfg->dir, tmpdir);
}

/* ---- value syntaxes -------------------------------------------------- */

Test(config, time_syntax)
{
	static const struct {
		const char *text;
		int ret;
		__u64 ns;
	} cases[] = {
	    {"2", 0, 2 * SEC},
	    {"10", 0, 10 * SEC},
	    {"1.5", 0, 1500 * MS},
	    {"0.1", 0, 100 * MS},
	    {".5", 0, 500 * MS},
	    {"5.", 0, 5 * SEC},
	    {"0.000000001", 0, 1},
	    {"0.0000000004", 0, 0}, /* below a nanosecond, rounded */
	    {"500ms", 0, 500 * MS},
	    {"1500MS", 0, 1500 * MS},
	    {"2msec", 0, 2 * MS},
	    {"1.5ms", 0, 1500000},
	    {"100000us", 0, 100 * MS},
	    {"501us", 0, 501000}, /* Heartbeat rounded this to 1ms */
	    {"3usec", 0, 3000},
	    {"2s", 0, 2 * SEC},
	    {"86400", 0, 86400 * SEC},
	    {"86401", -EINVAL, 0}, /* more than a day */
	    {"99999999999999999999999", -EINVAL, 0},
	    {"", -EINVAL, 0},
	    {".", -EINVAL, 0},
	    {"ms", -EINVAL, 0},
	    {"-1", -EINVAL, 0},
	    {"+1", -EINVAL, 0},
	    {"1 ms", -EINVAL, 0},
	    {"1m", -EINVAL, 0},
	    {"1min", -EINVAL, 0},
	    {"1ns", -EINVAL, 0},
	    {"1..5", -EINVAL, 0},
	    {"0x10", -EINVAL, 0},
	    {"2ms ", -EINVAL, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		__u64 ns = 12345;
		int ret = xhb_config_parse_time(cases[i].text, &ns);

		cr_expect_eq(ret, cases[i].ret, "'%s': ret %d", cases[i].text,
			     ret);
		if (!cases[i].ret)
			cr_expect_eq(ns, cases[i].ns, "'%s': %llu ns",
				     cases[i].text, (unsigned long long)ns);
		else
			cr_expect_eq(ns, 12345, "'%s': output touched",
				     cases[i].text);
	}
}

Test(config, time_syntax_in_hacf)
{
	write_file("ha.cf",
		   "bcast eth0\nnode a\nkeepalive 500ms\ndeadtime 1.5\n"
		   "warntime 100000us\ninitdead 12000msec\n",
		   0644);
	write_file("haresources", "", 0644);
	load_ok();
	cr_expect_eq(cfg->keepalive_ns, 500 * MS);
	cr_expect_eq(cfg->deadtime_ns, 1500 * MS);
	cr_expect_eq(cfg->warntime_ns, 100 * MS);
	cr_expect_eq(cfg->initdead_ns, 12 * SEC);
}

Test(config, format_time)
{
	static const struct {
		__u64 ns;
		const char *text;
	} cases[] = {
	    {2 * SEC, "2s"}, {1500 * MS, "1500ms"},
	    {1 * MS, "1ms"}, {100000, "100us"},
	    {7, "7ns"},	     {0, "0ns"},
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_str_eq(
		    xhb_config_format_time(cases[i].ns, buf, sizeof(buf)),
		    cases[i].text);
}

Test(config, booleans)
{
	static const struct {
		const char *text;
		int ret;
		bool value;
	} cases[] = {
	    {"on", 0, true},	     {"off", 0, false},
	    {"yes", 0, true},	     {"no", 0, false},
	    {"true", 0, true},	     {"false", 0, false},
	    {"1", 0, true},	     {"0", 0, false},
	    {"ON", 0, true},	     {"False", 0, false},
	    {"y", 0, true},	     {"n", 0, false},
	    {"2", -EINVAL, false},   {"", -EINVAL, false},
	    {"onn", -EINVAL, false}, {"legacy", -EINVAL, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool value = !cases[i].value;
		int ret = xhb_config_parse_bool(cases[i].text, &value);

		cr_expect_eq(ret, cases[i].ret, "'%s'", cases[i].text);
		if (!ret)
			cr_expect_eq(value, cases[i].value, "'%s'",
				     cases[i].text);
	}
}

Test(config, auto_failback_values)
{
	static const struct {
		const char *line;
		enum xhb_auto_failback want;
		bool warned;
	} cases[] = {
	    {"auto_failback on\n", XHB_FAILBACK_ON, false},
	    {"auto_failback yes\n", XHB_FAILBACK_ON, false},
	    {"auto_failback 0\n", XHB_FAILBACK_OFF, false},
	    {"auto_failback legacy\n", XHB_FAILBACK_LEGACY, true},
	    {"", XHB_FAILBACK_LEGACY, true}, /* Heartbeat's default */
	    {"nice_failback on\n", XHB_FAILBACK_OFF, false},
	    {"nice_failback off\n", XHB_FAILBACK_LEGACY, true},
	};
	char text[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "bcast eth0\nnode srv1 srv2\n%s",
			 cases[i].line);
		write_file("ha.cf", text, 0644);
		load_ok();
		cr_expect_eq(cfg->auto_failback, cases[i].want, "%s",
			     cases[i].line);
		cr_expect_eq(find_note(XHB_NOTE_WARNING, "auto_failback") !=
				 NULL,
			     cases[i].warned, "%s", cases[i].line);
	}
}

/* ---- defaults: Heartbeat's rules ------------------------------------- */

Test(config, heartbeat_defaults)
{
	write_file("ha.cf", "bcast eth0\nnode srv1\nnode srv2\n", 0644);
	load_ok();
	cr_expect_eq(cfg->keepalive_ns, 1 * SEC);
	cr_expect_eq(cfg->deadtime_ns, 30 * SEC);
	cr_expect_eq(cfg->warntime_ns, 15 * SEC); /* deadtime / 2 */
	cr_expect_eq(cfg->initdead_ns, 30 * SEC); /* deadtime, > 10s */
	cr_expect_eq(cfg->deadping_ns, 30 * SEC);
	cr_expect_eq(cfg->udpport, 694);
	cr_expect_eq(cfg->probe_interval_ns, 1 * SEC);
	cr_expect_eq(cfg->probe_misses, 0);
	cr_expect_eq(cfg->lease_ns, 30 * SEC);
	cr_expect_eq(cfg->auto_failback, XHB_FAILBACK_LEGACY);
	cr_expect_str_eq(cfg->logfile, "");
	cr_expect_str_eq(cfg->logfacility, "");
}

Test(config, initdead_default_rule)
{
	static const struct {
		const char *deadtime;
		__u64 initdead;
	} cases[] = {
	    {"3", 12 * SEC},			   /* deadtime < 6s: 12s */
	    {"5.9", 12 * SEC},	  {"6", 12 * SEC}, /* 6s..10s: twice deadtime */
	    {"8", 16 * SEC},	  {"10", 20 * SEC},
	    {"10.5", 10500 * MS}, /* > 10s: deadtime itself */
	    {"45", 45 * SEC},
	};
	char text[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 "bcast eth0\nnode srv1 srv2\nkeepalive 1\n"
			 "deadtime %s\n",
			 cases[i].deadtime);
		write_file("ha.cf", text, 0644);
		load_ok();
		cr_expect_eq(cfg->initdead_ns, cases[i].initdead,
			     "deadtime %s: initdead %llu", cases[i].deadtime,
			     (unsigned long long)cfg->initdead_ns);
	}
}

Test(config, extensions)
{
	write_file("ha.cf",
		   "bcast eth0\nnode srv1 srv2\nkeepalive 1\ndeadtime 5\n"
		   "probe 2ms 5\ngarp 3 100ms\npin_dir /run/xhb/pins\n"
		   "lease 4\ncluster_id 4294967295\nxdp_mode generic\n"
		   "priority 0\n",
		   0644);
	load_ok();
	cr_expect_eq(cfg->probe_interval_ns, 2 * MS);
	cr_expect_eq(cfg->probe_misses, 5);
	cr_expect_eq(cfg->garp_count, 3);
	cr_expect_eq(cfg->garp_interval_ns, 100 * MS);
	cr_expect_str_eq(cfg->pin_dir, "/run/xhb/pins");
	cr_expect_eq(cfg->lease_ns, 4 * SEC);
	cr_expect_eq(cfg->cluster_id, 0xffffffffU);
	cr_expect(cfg->cluster_id_set);
	cr_expect_eq(cfg->xdp_mode, XHB_XDP_GENERIC);
	cr_expect_eq(cfg->priority, 0);
}

/* metrics_listen: an IPv4 address or an IPv6 one in brackets, a port;
 * the last line counts (with a warning), as for every directive. */
Test(config, metrics_listen_forms)
{
	static const struct {
		const char *value;
		int family;
		const char *addr;
		__u16 port;
	} cases[] = {
	    {"127.0.0.1:9100", AF_INET, "127.0.0.1", 9100},
	    {"0.0.0.0:1", AF_INET, "0.0.0.0", 1},
	    {"172.16.193.10:65535", AF_INET, "172.16.193.10", 65535},
	    {"[::1]:9100", AF_INET6, "::1", 9100},
	    {"[::]:80", AF_INET6, "::", 80},
	    {"[fd00::10]:9100", AF_INET6, "fd00::10", 9100},
	};
	char text[256], addr[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 "bcast eth0\nnode srv1 srv2\nauto_failback off\n"
			 "metrics_listen %s\n",
			 cases[i].value);
		write_file("ha.cf", text, 0644);
		load_ok();
		cr_expect_eq(cfg->metrics_listen.family, cases[i].family, "%s",
			     cases[i].value);
		cr_expect_eq(cfg->metrics_listen.port, cases[i].port, "%s",
			     cases[i].value);
		cr_expect_eq(cfg->metrics_listen.line, 4, "%s", cases[i].value);
		inet_ntop(cfg->metrics_listen.family, &cfg->metrics_listen.addr,
			  addr, sizeof(addr));
		cr_expect_str_eq(addr, cases[i].addr, "%s", cases[i].value);
	}
	write_file("ha.cf",
		   "bcast eth0\nnode srv1 srv2\nauto_failback off\n"
		   "metrics_listen 127.0.0.1:9100\nmetrics_listen [::1]:9200\n",
		   0644);
	load_ok();
	cr_expect_eq(cfg->metrics_listen.family, AF_INET6);
	cr_expect_eq(cfg->metrics_listen.port, 9200);
	cr_expect_eq(cfg->metrics_listen.line, 5);
	cr_expect(find_note(XHB_NOTE_WARNING, "metrics_listen"));
}

/* Heartbeat's realtime/rtprio: honoured, off by default here. */
Test(config, realtime_and_rtprio)
{
	load_ok();
	cr_expect(!cfg->realtime);
	cr_expect_eq(cfg->rtprio, 50);
	write_file("ha.cf",
		   "bcast eth0\nnode srv1 srv2\nrealtime on\nrtprio 20\n", 0644);
	load_ok();
	cr_expect(cfg->realtime);
	cr_expect_eq(cfg->rtprio, 20);
	write_file("ha.cf", "bcast eth0\nnode srv1 srv2\nrtprio 0\n", 0644);
	cr_expect_neq(xhb_config_load(tmpdir, cfg, err, sizeof(err)), 0);
	cr_expect(strstr(err, "ha.cf:3:") && strstr(err, "rtprio"), "%s", err);
}

/* fenced_standby on|off: off by default; anything else is an error at
 * its line (dir_bool, as realtime's). */
Test(config, fenced_standby)
{
	static const struct {
		const char *value;
		int want; /* 1 on, 0 off, -1 an error */
	} cases[] = {
	    {"on", 1}, {"yes", 1}, {"off", 0}, {"no", 0}, {"maybe", -1}, {"", -1},
	};
	char text[128];

	load_ok();
	cr_expect(!cfg->fenced_standby, "off by default");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 "bcast eth0\nnode srv1 srv2\nfenced_standby %s\n",
			 cases[i].value);
		write_file("ha.cf", text, 0644);
		if (cases[i].want < 0) {
			cr_expect_neq(xhb_config_load(tmpdir, cfg, err, sizeof(err)), 0,
				      "'%s'", cases[i].value);
			cr_expect(strstr(err, "ha.cf:3:") &&
				      strstr(err, "fenced_standby"),
				  "'%s': %s", cases[i].value, err);
			continue;
		}
		load_ok();
		cr_expect_eq(cfg->fenced_standby, cases[i].want == 1, "'%s'",
			     cases[i].value);
	}
	write_file("ha.cf", "bcast eth0\nnode srv1 srv2\nrealtime sometimes\n", 0644);
	cr_expect_neq(xhb_config_load(tmpdir, cfg, err, sizeof(err)), 0);
	cr_expect(strstr(err, "ha.cf:3: bad realtime 'sometimes': use on or off"),
		  "%s", err);
}

Test(config, default_cluster_id_ignores_node_order_and_case)
{
	__u32 lab;

	load_ok();
	lab = cfg->cluster_id;
	write_file("ha.cf", "bcast eth0\nnode SRV2\nnode srv1\n", 0644);
	load_ok();
	cr_expect_eq(cfg->cluster_id, lab);
	write_file("ha.cf", "bcast eth0\nnode srv1\nnode srv3\n", 0644);
	write_file("haresources", "", 0644);
	load_ok();
	cr_expect_neq(cfg->cluster_id, lab);
	cr_expect_neq(cfg->cluster_id, 0);
}

/* ---- multi-value lines, lexing --------------------------------------- */

Test(config, multi_value_lines)
{
	struct in_addr a;

	write_file("ha.cf",
		   "bcast eth0 eth1,eth2\n"
		   "node srv1 srv2,srv3\tsrv4\n"
		   "ping 10.0.0.254 10.0.1.254\n"
		   "ping_group routers 10.0.2.1 10.0.2.2\n"
		   "ping6 2001:db8::fe\n"
		   "mcast eth3 239.0.0.1 694 1 0\n"
		   "mcast6 eth3 ff05::694 695 2 1\n"
		   "ucast eth4 10.0.0.2\n"
		   "ucast eth4 2001:db8::2\n"
		   "ucast6 eth4 2001:db8::3\n",
		   0644);
	load_ok();
	cr_assert_eq(cfg->nnodes, 4);
	cr_expect_str_eq(cfg->nodes[2].name, "srv3");
	cr_expect_str_eq(cfg->nodes[3].name, "srv4");
	cr_assert_eq(cfg->nmedia, 8);
	cr_expect_str_eq(cfg->media[0].iface, "eth0");
	cr_expect_str_eq(cfg->media[1].iface, "eth1");
	cr_expect_str_eq(cfg->media[2].iface, "eth2");
	for (int i = 0; i < 3; i++)
		cr_expect_eq(cfg->media[i].kind, XHB_MEDIUM_BCAST);

	cr_expect_eq(cfg->media[3].kind, XHB_MEDIUM_MCAST);
	cr_expect_eq(cfg->media[3].family, AF_INET);
	addr4("239.0.0.1", &a);
	cr_expect_eq(cfg->media[3].addr.v4.s_addr, a.s_addr);
	cr_expect_eq(cfg->media[3].port, 694);
	cr_expect_eq(cfg->media[3].ttl, 1);
	cr_expect_eq(cfg->media[3].loop, 0);
	cr_expect_eq(cfg->media[4].kind, XHB_MEDIUM_MCAST);
	cr_expect_eq(cfg->media[4].family, AF_INET6);
	cr_expect_eq(cfg->media[4].port, 695);
	cr_expect_eq(cfg->media[4].ttl, 2);
	cr_expect_eq(cfg->media[4].loop, 1);
	cr_expect_eq(cfg->media[5].kind, XHB_MEDIUM_UCAST);
	cr_expect_eq(cfg->media[5].family, AF_INET);
	cr_expect_str_eq(cfg->media[5].iface, "eth4");
	cr_expect_eq(cfg->media[6].family, AF_INET6);
	cr_expect_eq(cfg->media[7].family, AF_INET6);
	cr_expect_eq(cfg->media[7].line, 10);

	cr_assert_eq(cfg->npings, 5);
	cr_expect_str_eq(cfg->pings[0].group, "");
	addr4("10.0.1.254", &a);
	cr_expect_eq(cfg->pings[1].addr.v4.s_addr, a.s_addr);
	cr_expect_str_eq(cfg->pings[2].group, "routers");
	cr_expect_str_eq(cfg->pings[3].group, "routers");
	cr_expect_eq(cfg->pings[4].family, AF_INET6);
}

Test(config, comments_blank_lines_crlf_and_case)
{
	write_file("ha.cf",
		   "# full comment\r\n"
		   "\r\n"
		   "   \t\r\n"
		   "  keepalive 2 # trailing comment\r\n"
		   "deadtime 10#glued comment\r\n"
		   "bcast ens192\r\n"
		   "node SRV1 srv2#srv3\r\n",
		   0644);
	load_ok();
	cr_expect_eq(cfg->keepalive_ns, 2 * SEC);
	cr_expect_eq(cfg->deadtime_ns, 10 * SEC);
	cr_assert_eq(cfg->nnodes, 2);
	cr_expect_str_eq(cfg->nodes[0].name, "srv1"); /* Heartbeat lowercases */
	cr_expect_eq(cfg->nodes[0].line, 7);
	cr_expect_eq(xhb_config_node_index(cfg, "Srv1"), 0);
	cr_expect_eq(xhb_config_node_index(cfg, "srv2"), 1);
	cr_expect_eq(xhb_config_node_index(cfg, "srv3"), -1);
}

Test(config, ignored_directives_are_noted)
{
	static const struct {
		const char *directive;
		unsigned int line;
	} want[] = {
	    {"crm", 3},	     {"respawn", 4},
	    {"apiauth", 5},  {"compression", 6},
	    {"use_logd", 7}, {"serial", 8},
	    {"baud", 9},     {"traditional_compression", 10},
	};

	write_file("ha.cf",
		   "bcast eth0\nnode srv1 srv2\n"
		   "crm off\n"
		   "respawn hacluster /usr/lib/heartbeat/ipfail\n"
		   "apiauth ipfail gid=haclient uid=hacluster\n"
		   "compression bz2\n"
		   "use_logd yes\n"
		   "serial /dev/ttyS0\n"
		   "baud 19200\n"
		   "traditional_compression off\n",
		   0644);
	load_ok();
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct xhb_config_note *n =
		    find_note(XHB_NOTE_IGNORED, want[i].directive);

		cr_assert(n, "no note for %s", want[i].directive);
		cr_expect_eq(n->line, want[i].line, "%s", want[i].directive);
		cr_expect(strstr(n->file, "/ha.cf"), "%s", n->file);
		cr_expect(strstr(n->message, want[i].directive), "%s",
			  n->message);
	}
	cr_expect_str_eq(xhb_note_kind_name(XHB_NOTE_IGNORED), "ignored");
	cr_expect_str_eq(xhb_note_kind_name(XHB_NOTE_NOTICE), "notice");
	cr_expect_str_eq(xhb_note_kind_name(XHB_NOTE_WARNING), "warning");
}

/* Every directive of Heartbeat 3.0.6 (its Directives[], WLdirectives[]
 * and HBcomm plugins), with a value Heartbeat takes, loads. */
Test(config, every_heartbeat_directive_is_accepted)
{
	static const char *const lines[] = {
	    "cluster linux-ha",
	    "quorum_server q1",
	    "node srv3",
	    "hopfudge 1",
	    "keepalive 1",
	    "deadtime 30",
	    "deadping 30",
	    "initdead 120",
	    "warntime 10",
	    "watchdog /dev/watchdog",
	    "baud 19200",
	    "udpport 694",
	    "logfacility daemon",
	    "logfile /var/log/ha-log",
	    "debugfile /var/log/ha-debug",
	    "nice_failback on",
	    "auto_failback legacy",
	    "rtprio 5",
	    "hbgenmethod time",
	    "realtime off",
	    "debug 1",
	    "normalpoll true",
	    "msgfmt classic",
	    "use_logd yes",
	    "conn_logd_time 60",
	    "use_apphbd no",
	    "log_badpack true",
	    "syslogmsgfmt false",
	    "coredumps true",
	    "coreroot /var/lib/heartbeat/cores",
	    "crm_daemon_dir /usr/lib/pacemaker",
	    "crmd_spawns_pengine yes",
	    "crm respawn",
	    "pacemaker off",
	    "autojoin none",
	    "uuidfrom nodename",
	    "compression bz2",
	    "compression_threshold 2",
	    "traditional_compression no",
	    "env HA_X=1",
	    "max_rexmit_delay 250",
	    "record_config_changes on",
	    "record_pengine_inputs on",
	    "enable_config_writes on",
	    "memreserve 6500",
	    "stonith baytech /etc/ha.d/conf/stonith.baytech",
	    "stonith_host * baytech 10.0.0.3 mylogin mysecretpassword",
	    "apiauth ipfail gid=haclient uid=hacluster",
	    "respawn hacluster /usr/lib/heartbeat/ipfail",
	    "failfast hacluster /usr/lib/heartbeat/ccm",
	    "bcast eth1 eth2",
	    "udp eth3",
	    "mcast eth0 225.0.0.1 694 1 0",
	    "mcast6 eth0 ff02::1:694 694 1 0",
	    "ucast eth0 192.168.1.2",
	    "ucast6 eth0 fe80::2",
	    "ping 10.10.10.254",
	    "ping6 2001:db8::fe",
	    "ping_group group1 10.10.10.254 10.10.10.253",
	    "serial /dev/ttyS0",
	    "hbaping fc-card-name",
	    "rds 10.0.0.1",
	};
	char text[256];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(text, sizeof(text), "%s\n%s\n",
			 "bcast ens192\nnode srv1 srv2", lines[i]);
		write_file("ha.cf", text, 0644);
		cr_expect_eq(load(), 0, "'%s': %s", lines[i], err);
	}
}

Test(config, first_resource_of_a_line_is_unique)
{
	make_script("httpd");
	write_file("haresources", "srv1 httpd 10.0.0.1\nsrv2 httpd 10.0.0.2\n",
		   0644);
	cr_expect_eq(load(), -EINVAL);
	cr_expect(strstr(err, "/haresources:2: httpd already starts the group "
			      "at line 1: the first resource of each line "
			      "must be unique"),
		  "%s", err);
	/* later in a line is not the group's key: allowed */
	write_file("haresources", "srv1 10.0.0.1 httpd\nsrv2 10.0.0.2 httpd\n",
		   0644);
	load_ok();
}

Test(config, warnings_for_dubious_but_valid_settings)
{
	write_file("ha.cf",
		   "bcast eth0\nnode srv1 srv2\nauto_failback on\n"
		   "keepalive 1\nkeepalive 2\n" /* line 5: the last counts */
		   "deadtime 6\nwarntime 6\ninitdead 8\nprobe 1 10\n"
		   "udp eth1\nudpport 695\n",
		   0644);
	load_ok();
	cr_expect_eq(cfg->keepalive_ns, 2 * SEC);
	cr_expect_eq(find_note(XHB_NOTE_WARNING, "keepalive")->line, 5);
	cr_expect_eq(find_note(XHB_NOTE_WARNING, "warntime")->line, 7);
	cr_expect_eq(find_note(XHB_NOTE_WARNING, "initdead")->line, 8);
	cr_expect_eq(find_note(XHB_NOTE_WARNING, "probe")->line, 9);
	cr_expect_eq(find_note(XHB_NOTE_WARNING, "udp")->line, 10);
	cr_expect_eq(find_note(XHB_NOTE_NOTICE, "udpport")->line, 11);
	cr_expect_eq(cfg->nmedia, 2); /* udp is bcast */
	cr_expect_eq(cfg->udpport, 695);
}

Test(config, too_many_notes_are_counted)
{
	char text[8192] = "bcast eth0\nnode srv1 srv2\nauto_failback on\n";

	for (int i = 0; i < XHB_CONFIG_MAX_NOTES + 5; i++)
		strcat(text, "coredumps true\n");
	write_file("ha.cf", text, 0644);
	load_ok();
	/* 64 slots; the lab's authkeys adds three more notes (md5 derived,
	 * its secret too short, crc) */
	cr_expect_eq(cfg->nnotes, XHB_CONFIG_MAX_NOTES);
	cr_expect_eq(cfg->notes_dropped, 5 + 3);
}

/* ---- haresources ----------------------------------------------------- */

Test(config, haresources_forms)
{
	static const struct {
		const char *spec;
		const char *agent;
		int family;
		const char *addr;
		unsigned int prefix;
		const char *iface, *label, *broadcast;
	} want[] = {
	    {"IPaddr::10.0.0.5", "IPaddr", AF_INET, "10.0.0.5", 0, "", "",
	     NULL},
	    {"10.0.0.6/24/eth0", "IPaddr", AF_INET, "10.0.0.6", 24, "eth0",
	     "eth0:1", NULL}, /* eth0:0 is written out below */
	    {"IPaddr2::10.0.0.7/255.255.255.0/eth0:0", "IPaddr2", AF_INET,
	     "10.0.0.7", 24, "eth0", "eth0:0", NULL},
	    {"IPaddr::10.0.0.8/24/10.0.0.255", "IPaddr", AF_INET, "10.0.0.8",
	     24, "", "", "10.0.0.255"},
	    {"IPaddr::10.0.0.9/24/eth0/10.0.0.255", "IPaddr", AF_INET,
	     "10.0.0.9", 24, "eth0", "eth0:2", "10.0.0.255"},
	    {"IPaddr2::10.1.0.1/16/eth1", "IPaddr2", AF_INET, "10.1.0.1", 16,
	     "eth1", "eth1:0", NULL},
	    {"IPv6addr::2001:db8::10/64/eth0", "IPv6addr", AF_INET6,
	     "2001:db8::10", 64, "eth0", "", NULL},
	    {"IPv6addr::2001:db8::11", "IPv6addr", AF_INET6, "2001:db8::11", 0,
	     "", "", NULL},
	};
	const struct xhb_resource *r;
	char path[PATH_MAX];

	make_script("myapp");
	write_file("haresources",
		   "# two groups, one continued over lines\n"
		   "srv1 IPaddr::10.0.0.5 10.0.0.6/24/eth0 \\\n"
		   "     IPaddr2::10.0.0.7/255.255.255.0/eth0:0 \\\n"
		   "     IPaddr::10.0.0.8/24/10.0.0.255\n"
		   "\n"
		   "SRV2 IPaddr::10.0.0.9/24/eth0/10.0.0.255 "
		   "IPaddr2::10.1.0.1/16/eth1 # comment\n"
		   "srv2 IPv6addr::2001:db8::10/64/eth0 IPv6addr::2001:db8::11 "
		   "myapp::a::b::::c\n",
		   0644);
	load_ok();
	cr_assert_eq(cfg->ngroups, 3);
	cr_expect_eq(cfg->groups[0].line, 2);
	cr_expect_eq(cfg->groups[0].nresources, 4);
	cr_expect_eq(cfg->groups[0].resources[2].line, 3);
	cr_expect_eq(cfg->groups[0].resources[3].line, 4);
	cr_expect_str_eq(cfg->groups[1].node, "srv2");
	cr_expect_eq(cfg->groups[1].node_index, 1);
	cr_expect_eq(cfg->groups[1].line, 6);
	cr_expect_eq(cfg->groups[2].line, 7);

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		union xhb_addr a;
		struct in_addr bcast = {0};

		r = i < 4   ? &cfg->groups[0].resources[i]
		    : i < 6 ? &cfg->groups[1].resources[i - 4]
			    : &cfg->groups[2].resources[i - 6];
		cr_expect_eq(r->kind, XHB_RES_ADDRESS, "%s", want[i].spec);
		cr_expect_str_eq(r->spec, want[i].spec);
		cr_expect_str_eq(r->agent, want[i].agent, "%s", want[i].spec);
		cr_expect_eq(r->family, want[i].family, "%s", want[i].spec);
		cr_assert_eq(inet_pton(want[i].family, want[i].addr, &a), 1);
		cr_expect_eq(
		    memcmp(&r->addr, &a, want[i].family == AF_INET ? 4 : 16), 0,
		    "%s", want[i].spec);
		cr_expect_eq(r->prefix_len, want[i].prefix, "%s", want[i].spec);
		cr_expect_str_eq(r->iface, want[i].iface, "%s", want[i].spec);
		cr_expect_str_eq(r->label, want[i].label, "%s", want[i].spec);
		if (want[i].broadcast)
			addr4(want[i].broadcast, &bcast);
		cr_expect_eq(r->broadcast.s_addr, bcast.s_addr, "%s",
			     want[i].spec);
	}

	r = &cfg->groups[2].resources[2];
	cr_expect_eq(r->kind, XHB_RES_SCRIPT);
	cr_expect_str_eq(r->agent, "myapp");
	snprintf(path, sizeof(path), "%s/resource.d/myapp", tmpdir);
	cr_expect_str_eq(r->path, path);
	cr_assert_eq(r->nargs, 3); /* empty arguments vanish, as in Heartbeat */
	cr_expect_str_eq(r->args[0], "a");
	cr_expect_str_eq(r->args[1], "b");
	cr_expect_str_eq(r->args[2], "c");
}

Test(config, haresources_script_in_init_d)
{
	static const char *const candidates[] = {"procps", "kmod", "hwclock.sh",
						 "cron",   "dbus", "ssh"};
	const char *found = NULL;
	char text[256], path[PATH_MAX];

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]);
	     i++) {
		snprintf(path, sizeof(path), "/etc/init.d/%s", candidates[i]);
		if (access(path, X_OK) == 0) {
			found = candidates[i];
			break;
		}
	}
	if (!found)
		cr_skip_test("no known script in /etc/init.d on this machine");
	snprintf(text, sizeof(text), "srv1 172.16.193.30 %s\n", found);
	write_file("haresources", text, 0644);
	load_ok();
	cr_expect_str_eq(cfg->groups[0].resources[1].path, path);
	/* resource.d comes first */
	make_script(found);
	load_ok();
	cr_expect(strstr(cfg->groups[0].resources[1].path, "/resource.d/"));
}

Test(config, haresources_backslash_on_last_line_and_empty_file)
{
	write_file("haresources", "srv1 172.16.193.30 \\\n", 0644);
	load_ok();
	cr_expect_eq(cfg->ngroups, 1);
	write_file("haresources", "srv1 172.16.193.30 \\", 0644);
	load_ok();
	cr_expect_eq(cfg->ngroups, 1);
	write_file("haresources", "# nothing\n\n", 0644);
	load_ok();
	cr_expect_eq(cfg->ngroups, 0);
}

/* Up to XHB_MAX_GROUPS haresources lines (groups past 31 travel in pages:
 * xhb_wire.h); one more is an error naming its line, nothing loaded. */
Test(config, max_groups_fit_and_one_more_is_an_error)
{
	static char text[XHB_MAX_GROUPS * 32 + 64];
	char want[512];

	text[0] = '\0';
	for (int i = 0; i < XHB_MAX_GROUPS; i++)
		sprintf(text + strlen(text), "srv%d 10.%d.%d.1\n", 1 + i % 2,
			i / 256, i % 256);
	write_file("haresources", text, 0644);
	load_ok();
	cr_expect_eq(cfg->ngroups, XHB_MAX_GROUPS);
	cr_expect_eq(cfg->groups[31].line, 32);
	cr_expect_eq(cfg->groups[XHB_MAX_GROUPS - 1].line, XHB_MAX_GROUPS);
	cr_expect_eq(cfg->groups[1000].resources[0].addr.v4.s_addr,
		     htonl(0x0a03e801), "10.3.232.1 is line 1001's");
	/* a group named by a word (xhbctl standby group NAME, check groups) */
	{
		struct xhb_gset s;

		cr_expect_eq(xhb_config_groups_named(cfg, "1000", &s), 1);
		cr_expect(xhb_gset_has(&s, 1000));
		cr_expect_eq(xhb_config_groups_named(cfg, "10.3.232.1", &s), 1);
		cr_expect(xhb_gset_has(&s, 1000), "by its address");
		cr_expect_eq(xhb_config_groups_named(cfg, "10.3.232.2", &s), 0);
		cr_expect_eq(xhb_config_groups_named(cfg, "1024", &s), 0);
	}

	strcat(text, "srv1 10.9.9.9\n");
	write_file("haresources", text, 0644);
	cr_expect_eq(load(), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s/haresources:%d: too many resource groups (max %d lines)",
		 tmpdir, XHB_MAX_GROUPS + 1, XHB_MAX_GROUPS);
	cr_expect_str_eq(err, want);
}

/* ---- authkeys -------------------------------------------------------- */

/* md5 and sha1 secrets are kept, as Heartbeat reads them (one word,
 * quotes included), for the KDF (kdf.h) to derive the key at start. */
Test(config, md5_and_sha1_secrets_kept_for_the_kdf)
{
	static const char *const secrets[] = {
	    "\"123456\"", "123456", "HI!", "abc#def",
	    "a-secret-of-16-c",
	};
	char text[256];

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		const char *s = secrets[i];
		const char *m = i % 2 ? "sha1" : "md5";

		snprintf(text, sizeof(text), "auth 3\n3 %s %s\n", m, s);
		write_file("authkeys", text, 0600);
		load_ok();
		cr_expect_eq(cfg->keys[3].method, XHB_AUTH_SIPHASH);
		cr_expect_str_eq(cfg->keys[3].secret, s);
		cr_expect_eq(cfg->keys[3].k0, 0, "not derived by the loader");
		cr_expect(find_note(XHB_NOTE_NOTICE, m));
		/* short secrets are warned of, without quoting them */
		if (strlen(s) < 16) {
			const struct xhb_config_note *n = find_note(XHB_NOTE_WARNING, m);

			cr_expect(n && strstr(n->message, "guessed offline"), "%s", s);
			cr_expect(n && !strstr(n->message, s), "%s", s);
		} else {
			cr_expect_null(find_note(XHB_NOTE_WARNING, m), "%s", s);
		}
	}
}

Test(config, siphash_hex_key_and_derived)
{
	__u8 key[16];

	write_file("authkeys",
		   "auth 1\n"
		   "1 siphash 000102030405060708090a0b0c0d0eFF\n"
		   "2 siphash not-hex-so-derived\n",
		   0600);
	load_ok();
	for (int i = 0; i < 16; i++)
		key[i] = (__u8)i;
	key[15] = 0xff;
	cr_expect_eq(cfg->keys[1].k0, xhb_load_le64(key));
	cr_expect_eq(cfg->keys[1].k1, xhb_load_le64(key + 8));
	cr_expect_str_eq(cfg->keys[1].method_name, "siphash");
	cr_expect_str_eq(cfg->keys[1].secret, "", "a raw key: nothing to derive");
	cr_expect_str_eq(cfg->keys[2].secret, "not-hex-so-derived");
	/* authkeys notes only the derived key (18 characters: not too short) */
	cr_assert_eq(cfg->nnotes, 1);
	cr_expect_str_eq(cfg->notes[0].directive, "siphash");
	cr_expect_eq(cfg->notes[0].line, 3);
}

Test(config, authkeys_comments_and_extra_words)
{
	write_file("authkeys",
		   "# comment\n  # indented comment\n\nauth 2\n"
		   "2 sha1 s3cr3t extra\n",
		   0600);
	load_ok();
	cr_expect_eq(cfg->auth_index, 2);
	cr_expect_str_eq(cfg->keys[2].secret, "s3cr3t");
	cr_expect_eq(find_note(XHB_NOTE_WARNING, "sha1")->line, 5);
	/* the secret is never quoted in a note */
	for (unsigned int i = 0; i < cfg->nnotes; i++)
		cr_expect_null(strstr(cfg->notes[i].message, "s3cr3t"));
}

Test(config, authkeys_owner_only_modes_accepted)
{
	static const mode_t modes[] = {0600, 0400, 0700};

	for (size_t i = 0; i < 3; i++) {
		copy_fixture("authkeys", modes[i]);
		load_ok();
	}
}

/* ---- ids ------------------------------------------------------------- */

Test(config, node_id_is_stable)
{
	/* golden values: computed once with libsodium, never to change */
	cr_expect_eq(xhb_node_id("srv1"), 0x2dfaae60);
	cr_expect_eq(xhb_node_id("srv2"), 0xb3cfe2e1);
	cr_expect_eq(xhb_node_id("SRV1"), xhb_node_id("srv1"));
	cr_expect_eq(xhb_node_id("srv1"),
		     (__u32)sodium_siphash("srv1", 4, XHB_NODE_ID_KEY));
	for (int i = 0; i < 1000; i++) {
		char name[16];

		snprintf(name, sizeof(name), "node%d", i);
		cr_assert_neq(xhb_node_id(name), 0);
		cr_assert_eq(xhb_node_id(name), xhb_node_id(name));
	}
}

/* ---- errors: file:line: message --------------------------------------- */

struct error_case {
	const char *name;
	const char *hacf; /* NULL: the lab's file */
	const char *haresources;
	const char *authkeys;
	mode_t authkeys_mode; /* 0: 0600 */
	int ret;
	const char *message; /* '@' stands for the directory */
};

#define HACF_HEAD "bcast ens192\nnode srv1\nnode srv2\n"

static const struct error_case error_cases[] = {
    /* ha.cf */
    {"unknown directive", HACF_HEAD "keepalve 2\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: unknown directive 'keepalve' (did you mean "
		"keepalive?)"},
    {"unknown word", "frobnicate yes\n" HACF_HEAD, .ret = -EINVAL,
     .message = "@/ha.cf:1: unknown directive 'frobnicate'"},
    {"directives are case-sensitive", HACF_HEAD "Keepalive 2\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: unknown directive 'Keepalive' (did you mean "
		"keepalive?)"},
    {"bad time", HACF_HEAD "keepalive 2x\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad time '2x' for keepalive: use seconds (2, "
		"1.5) or a unit (500ms, 100000us)"},
    {"zero time", HACF_HEAD "warntime 0\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: warntime must be greater than 0"},
    {"missing value", HACF_HEAD "deadtime\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: deadtime: missing values (usage: deadtime "
		"TIME)"},
    {"too many values", HACF_HEAD "keepalive 1 2\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: keepalive: too many values (usage: keepalive "
		"TIME)"},
    {"lease not over two probe periods", HACF_HEAD "probe 100ms 3\nlease 200ms\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:5: lease (200ms) must be greater than 2 x the probe "
		"period (100ms): the agent renews it once a period"},
    {"lease within two keepalives without a probe line",
     HACF_HEAD "keepalive 2\nlease 4s\n", .ret = -EINVAL,
     .message = "@/ha.cf:5: lease (4s) must be greater than 2 x the probe "
		"period (2s): the agent renews it once a period"},
    {"deadtime equal to 2 x keepalive", HACF_HEAD "keepalive 2\ndeadtime 4\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:5: deadtime (4s) must be greater than 2 x "
		"keepalive (2s)"},
    {"deadtime below keepalive",
     "bcast ens192\nnode srv1\nkeepalive 2\n"
     "node srv2\nwarntime 1\nbcast eth9\n"
     "deadtime 2\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:7: deadtime (2s) must be greater than 2 x "
		"keepalive (2s)"},
    {"default deadtime vs keepalive", HACF_HEAD "keepalive 15\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: deadtime (30s) must be greater than 2 x "
		"keepalive (15s)"},
    {"initdead below deadtime", HACF_HEAD "deadtime 10\ninitdead 5\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:5: initdead (5s) must be at least deadtime (10s)"},
    {"deadping too small", HACF_HEAD "keepalive 1\ndeadping 1500ms\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:5: deadping (1500ms) must be greater than 2 x "
		"keepalive (1s)"},
    {"port too big", HACF_HEAD "udpport 70000\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad udpport '70000': expected an integer in "
		"1..65535"},
    {"port zero", "udpport 0\n" HACF_HEAD, .ret = -EINVAL,
     .message = "@/ha.cf:1: bad udpport '0': expected an integer in "
		"1..65535"},
    {"port not a number", HACF_HEAD "udpport ha-cluster\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad udpport 'ha-cluster': expected an integer "
		"in 1..65535"},
    {"bad auto_failback", HACF_HEAD "auto_failback maybe\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad auto_failback 'maybe': use on, off or "
		"legacy"},
    {"bad interface name", "bcast eth0/1\nnode srv1 srv2\n", .ret = -EINVAL,
     .message = "@/ha.cf:1: bcast: bad interface name 'eth0/1' (1..15 "
		"characters, no '/', ':' or spaces)"},
    {"interface name too long", "bcast abcdefghijklmnop\nnode srv1 srv2\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:1: bcast: bad interface name 'abcdefghijklmnop' "
		"(1..15 characters, no '/', ':' or spaces)"},
    {"bcast twice", HACF_HEAD "bcast eth1 ens192\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bcast on ens192 given twice (first at line 1)"},
    {"mcast group not multicast", HACF_HEAD "mcast eth0 10.0.0.1 694 1 0\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: mcast: bad multicast group '10.0.0.1' "
		"(expected an IPv4 multicast address, 224.0.0.0/4)"},
    {"mcast6 group not v6", HACF_HEAD "mcast6 eth0 239.0.0.1 694 1 0\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: mcast6: bad multicast group '239.0.0.1' "
		"(expected an IPv6 multicast address, ff00::/8)"},
    {"mcast ttl", HACF_HEAD "mcast eth0 239.0.0.1 694 5 0\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad mcast ttl '5': expected an integer in 0..4"},
    {"mcast loop", HACF_HEAD "mcast eth0 239.0.0.1 694 1 2\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad mcast loop '2': expected an integer in "
		"0..1"},
    {"mcast short", HACF_HEAD "mcast eth0 239.0.0.1 694\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: mcast: missing values (usage: mcast IFACE "
		"GROUP PORT TTL LOOP)"},
    {"mcast port zero", HACF_HEAD "mcast eth0 239.0.0.1 0 1 0\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: bad mcast port '0': expected an integer in "
		"1..65535"},
    {"mcast port too big", HACF_HEAD "mcast eth0 239.0.0.1 65536 1 0\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: bad mcast port '65536': expected an integer in "
		"1..65535"},
    {"mcast6 hops", HACF_HEAD "mcast6 eth0 ff12::1 7694 5 0\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: bad mcast6 hops '5': expected an integer in "
		"0..4"},
    {"mcast too many values", HACF_HEAD "mcast eth0 239.0.0.1 7694 1 0 x\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: mcast: too many values (usage: mcast IFACE "
		"GROUP PORT TTL LOOP)"},
    /* 16 media (one bcast, fifteen on one bcast line), then a 17th */
    {"a 17th medium", HACF_HEAD "bcast e1 e2 e3 e4 e5 e6 e7 e8 e9 e10 e11 "
			 "e12 e13 e14 e15\nmcast e16 239.0.0.1 7694 1 0\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:5: mcast: too many media (max 16: each interface "
		"of a bcast line and each other media line is one)"},
    {"a 17th medium on a bcast line", HACF_HEAD "bcast e1 e2 e3 e4 e5 e6 e7 "
			 "e8 e9 e10 e11 e12 e13 e14 e15 e16\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: bcast: too many media (max 16: each interface "
		"of a bcast line and each other media line is one)"},
    {"ucast host name", HACF_HEAD "ucast eth0 srv2\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: ucast: bad peer address 'srv2' (expected an "
		"IPv4 or IPv6 address; xhb does not resolve host names)"},
    {"ucast6 with v4", HACF_HEAD "ucast6 eth0 10.0.0.2\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: ucast6: bad peer address '10.0.0.2' (expected "
		"an IPv6 address; xhb does not resolve host names)"},
    {"ping host name", HACF_HEAD "ping gateway\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: ping: bad address 'gateway' (expected an IPv4 "
		"or IPv6 address; xhb does not resolve host names)"},
    {"node twice", HACF_HEAD "node SRV1\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: node SRV1 given twice (first at line 2)"},
    {"no nodes", "bcast eth0\n", .ret = -EINVAL,
     .message = "@/ha.cf: no nodes defined: name every cluster node with "
		"'node NAME' (as uname -n prints it)"},
    {"no media", "node srv1 srv2\n", .ret = -EINVAL,
     .message = "@/ha.cf: no heartbeat media defined: add 'bcast IFACE', "
		"'mcast ...' or 'ucast IFACE PEER'"},
    {"bad logfacility", HACF_HEAD "logfacility local9\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad logfacility 'local9': use a syslog "
		"facility (daemon, local0..local7, ...) or none"},
    {"bad debug", HACF_HEAD "debug 256\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad debug level '256': expected an integer in "
		"0..255"},
    {"probe misses zero", HACF_HEAD "probe 1ms 0\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad probe misses '0': expected an integer in "
		"1..1000"},
    {"probe bad interval", HACF_HEAD "probe fast 3\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad time 'fast' for probe interval: use "
		"seconds (2, 1.5) or a unit (500ms, 100000us)"},
    {"garp count", HACF_HEAD "garp 101 200ms\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad garp count '101': expected an integer in "
		"0..100"},
    {"garp interval zero", HACF_HEAD "garp 5 0ms\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: garp interval must be greater than 0"},
    {"pin_dir relative", HACF_HEAD "pin_dir xhb\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: pin_dir 'xhb' must be an absolute path (on a "
		"bpffs mount)"},
    {"lease bad", HACF_HEAD "lease soon\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad time 'soon' for lease: use seconds (2, "
		"1.5) or a unit (500ms, 100000us)"},
    {"cluster_id zero", HACF_HEAD "cluster_id 0\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad cluster_id '0': expected an integer in "
		"1..4294967295"},
    {"cluster_id too big", HACF_HEAD "cluster_id 4294967296\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad cluster_id '4294967296': expected an "
		"integer in 1..4294967295"},
    {"metrics_listen without a port", HACF_HEAD "metrics_listen 127.0.0.1\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: bad metrics_listen '127.0.0.1': use ADDRESS:PORT, "
		"an IPv6 address in brackets (127.0.0.1:9100, [::1]:9100)"},
    {"metrics_listen port alone", HACF_HEAD "metrics_listen :9100\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: bad metrics_listen ':9100': use ADDRESS:PORT, "
		"an IPv6 address in brackets (127.0.0.1:9100, [::1]:9100)"},
    {"metrics_listen IPv6 without brackets", HACF_HEAD "metrics_listen ::1:9100\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: bad metrics_listen '::1:9100': '::1' is not an "
		"IPv4 address (an IPv6 one goes in brackets: [::1]:9100)"},
    {"metrics_listen brackets without a port", HACF_HEAD "metrics_listen [::1]\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: bad metrics_listen '[::1]': use ADDRESS:PORT, "
		"an IPv6 address in brackets (127.0.0.1:9100, [::1]:9100)"},
    {"metrics_listen IPv4 in brackets", HACF_HEAD "metrics_listen [10.0.0.1]:9100\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: bad metrics_listen '[10.0.0.1]:9100': '10.0.0.1' "
		"is not an IPv6 address"},
    {"metrics_listen host name", HACF_HEAD "metrics_listen localhost:9100\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: bad metrics_listen 'localhost:9100': 'localhost' "
		"is not an IPv4 address (an IPv6 one goes in brackets: [::1]:9100)"},
    {"metrics_listen port 0", HACF_HEAD "metrics_listen 10.0.0.1:0\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: bad metrics_listen '10.0.0.1:0': port '0' is not "
		"an integer in 1..65535"},
    {"metrics_listen port by name", HACF_HEAD "metrics_listen [::1]:http\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: bad metrics_listen '[::1]:http': port 'http' is "
		"not an integer in 1..65535"},
    {"metrics_listen port too big", HACF_HEAD "metrics_listen 10.0.0.1:65536\n",
     .ret = -EINVAL,
     .message = "@/ha.cf:4: bad metrics_listen '10.0.0.1:65536': port '65536' "
		"is not an integer in 1..65535"},
    {"metrics_listen twice on a line",
     HACF_HEAD "metrics_listen 10.0.0.1:9100 10.0.0.2:9100\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: metrics_listen: too many values (usage: "
		"metrics_listen ADDRESS:PORT)"},
    {"xdp_mode", HACF_HEAD "xdp_mode offload\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad xdp_mode 'offload': use auto, native or "
		"generic"},
    {"priority", HACF_HEAD "priority 256\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad priority '256': expected an integer in "
		"0..255"},
    {"priority negative", HACF_HEAD "priority -1\n", .ret = -EINVAL,
     .message = "@/ha.cf:4: bad priority '-1': expected an integer in "
		"0..255"},

    /* haresources */
    {"node not in ha.cf", .haresources = "srv3 172.16.193.30\n", .ret = -EINVAL,
     .message = "@/haresources:1: srv3 is not a node of @/ha.cf (declare "
		"it there with 'node srv3')"},
    {"bad IP", .haresources = "srv1 IPaddr::172.16.193.300/16/ens192\n",
     .ret = -EINVAL,
     .message = "@/haresources:1: bad IPv4 address '172.16.193.300' in "
		"IPaddr::172.16.193.300/16/ens192"},
    {"bare address not an address", .haresources = "srv1 1.2.3.4.5\n",
     .ret = -EINVAL,
     .message = "@/haresources:1: bad IPv4 address '1.2.3.4.5' in "
		"1.2.3.4.5"},
    {"not unicast", .haresources = "srv1 IPaddr::224.0.0.1\n", .ret = -EINVAL,
     .message = "@/haresources:1: 224.0.0.1 in IPaddr::224.0.0.1 is not a "
		"unicast address"},
    {"bad prefix", .haresources = "srv1 IPaddr::172.16.193.30/33/ens192\n",
     .ret = -EINVAL,
     .message = "@/haresources:1: bad prefix '33' in "
		"IPaddr::172.16.193.30/33/ens192 (use 1..32 or a netmask "
		"like 255.255.0.0)"},
    {"non-contiguous netmask",
     .haresources = "srv1 IPaddr::172.16.193.30/255.0.255.0\n", .ret = -EINVAL,
     .message = "@/haresources:1: bad prefix '255.0.255.0' in "
		"IPaddr::172.16.193.30/255.0.255.0 (use 1..32 or a netmask "
		"like 255.255.0.0)"},
    {"empty field", .haresources = "srv1 IPaddr::172.16.193.30//ens192\n",
     .ret = -EINVAL,
     .message = "@/haresources:1: IPaddr::172.16.193.30//ens192: empty "
		"field (use ip[/prefix[/iface[/broadcast]]])"},
    {"IPaddr without address", .haresources = "srv1 IPaddr\n", .ret = -EINVAL,
     .message = "@/haresources:1: IPaddr needs an address: "
		"IPaddr::ip[/prefix[/iface[/broadcast]]]"},
    {"IPaddr two arguments", .haresources = "srv1 IPaddr::10.0.0.1::x\n",
     .ret = -EINVAL,
     .message = "@/haresources:1: IPaddr takes one argument: "
		"IPaddr::ip[/prefix[/iface[/broadcast]]]"},
    {"bad IPv6 prefix", .haresources = "srv1 IPv6addr::2001:db8::1/129\n",
     .ret = -EINVAL,
     .message = "@/haresources:1: bad prefix '129' in "
		"IPv6addr::2001:db8::1/129 (use 1..128)"},
    {"bad IPv6 address", .haresources = "srv1 IPv6addr::2001:db8:::1/64\n",
     .ret = -EINVAL,
     .message = "@/haresources:1: bad IPv6 address '2001:db8:::1' in "
		"IPv6addr::2001:db8:::1/64"},
    {"label too long",
     .haresources = "srv1 IPaddr2::10.0.0.1/24/eth0:abcdefghijkl\n",
     .ret = -EINVAL,
     .message = "@/haresources:1: IPaddr2::10.0.0.1/24/eth0:abcdefghijkl: "
		"bad label 'eth0:abcdefghijkl' (iface:label, 15 characters "
		"at most)"},
    {"label twice",
     .haresources = "srv1 IPaddr2::10.0.0.1/24/eth0:a\n"
		    "srv2 IPaddr2::10.0.0.2/24/eth0:a\n",
     .ret = -EINVAL,
     .message = "@/haresources:2: label eth0:a of "
		"IPaddr2::10.0.0.2/24/eth0:a already used by "
		"IPaddr2::10.0.0.1/24/eth0:a (line 1)"},
    {"missing script", .haresources = "srv1 172.16.193.30 nosuchscript\n",
     .ret = -ENOENT,
     .message = "@/haresources:1: resource script nosuchscript not found: "
		"no executable @/resource.d/nosuchscript, "
		"/usr/lib/ocf/resource.d/heartbeat/nosuchscript or "
		"/etc/init.d/nosuchscript, and no systemd unit "
		"nosuchscript.service"},
    {"script name with a slash", .haresources = "srv1 ../../bin/sh::x\n",
     .ret = -EINVAL,
     .message = "@/haresources:1: bad resource name '../../bin/sh' in "
		"../../bin/sh::x (use NAME or ocf:PROVIDER:NAME, without "
		"'/')"},
    {"error on a continuation line",
     .haresources = "srv1 172.16.193.30 \\\n"
		    "   172.16.193.31 \\\n"
		    "   172.16.193.300\n",
     .ret = -EINVAL,
     .message = "@/haresources:3: bad IPv4 address '172.16.193.300' in "
		"172.16.193.300"},
    {"continued node field", .haresources = "# c\n\\\nsrv9 \\\n 10.0.0.1\n",
     .ret = -EINVAL,
     .message = "@/haresources:3: srv9 is not a node of @/ha.cf (declare "
		"it there with 'node srv9')"},
    {"duplicate address",
     .haresources = "srv1 172.16.193.30\nsrv2 IPaddr2::172.16.193.30/16\n",
     .ret = -EINVAL,
     .message = "@/haresources:2: address of IPaddr2::172.16.193.30/16 "
		"already in 172.16.193.30 (line 1)"},
    {"node without resources", .haresources = "srv1\n", .ret = -EINVAL,
     .message = "@/haresources:1: node srv1 has no resources on its line"},
    {"too many resources in a group",
     .haresources = "srv1 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 \\\n"
		    " 10.0.0.5 10.0.0.6 10.0.0.7 10.0.0.8 10.0.0.9 \\\n"
		    " 10.0.0.10 10.0.0.11 10.0.0.12 10.0.0.13 \\\n"
		    " 10.0.0.14 10.0.0.15 10.0.0.16 \\\n"
		    " 10.0.0.17\n",
     .ret = -EINVAL,
     .message = "@/haresources:5: too many resources in one group (max "
		"16)"},
    {"missing haresources", .haresources = "-", .ret = -ENOENT,
     .message = "@/haresources: cannot open: No such file or directory"},

    /* authkeys */
    {"authkeys mode 0644", .authkeys_mode = 0644, .ret = -EACCES,
     .message = "@/authkeys: bad permissions 0644: group and others must "
		"have no access to the keys, 600 recommended (chmod 600 "
		"@/authkeys)"},
    {"authkeys mode 0640", .authkeys_mode = 0640, .ret = -EACCES,
     .message = "@/authkeys: bad permissions 0640: group and others must "
		"have no access to the keys, 600 recommended (chmod 600 "
		"@/authkeys)"},
    {"authkeys mode 0602", .authkeys_mode = 0602, .ret = -EACCES,
     .message = "@/authkeys: bad permissions 0602: group and others must "
		"have no access to the keys, 600 recommended (chmod 600 "
		"@/authkeys)"},
    {"auth index missing", .authkeys = "auth 3\n1 md5 \"123456\"\n2 crc\n",
     .ret = -EINVAL,
     .message = "@/authkeys:1: auth 3: key 3 not found in the file"},
    {"no auth line", .authkeys = "1 md5 x\n", .ret = -EINVAL,
     .message = "@/authkeys: missing auth directive: add 'auth N' naming "
		"the key to sign with"},
    {"auth twice", .authkeys = "auth 1\n1 crc\nauth 1\n", .ret = -EINVAL,
     .message = "@/authkeys:3: auth given twice (first at line 1): exactly "
		"one auth line picks the key"},
    {"auth index out of range", .authkeys = "auth 16\n1 crc\n", .ret = -EINVAL,
     .message = "@/authkeys:1: bad auth line: use 'auth N' with N in "
		"1..15"},
    {"bad method", .authkeys = "auth 1\n1 des secret\n", .ret = -EINVAL,
     .message = "@/authkeys:2: bad method 'des' for key 1: use md5, sha1, "
		"siphash or crc"},
    {"md5 without secret", .authkeys = "auth 1\n1 md5\n", .ret = -EINVAL,
     .message = "@/authkeys:2: method md5 requires a secret (key 1)"},
    {"crc with secret", .authkeys = "auth 1\n1 crc secret\n", .ret = -EINVAL,
     .message = "@/authkeys:2: method crc takes no secret (key 1)"},
    {"key index 0", .authkeys = "auth 1\n0 crc\n1 crc\n", .ret = -EINVAL,
     .message = "@/authkeys:2: key index 0 out of range 1..15"},
    {"key index 16", .authkeys = "auth 1\n16 crc\n", .ret = -EINVAL,
     .message = "@/authkeys:2: key index 16 out of range 1..15"},
    {"key twice", .authkeys = "auth 1\n1 crc\n1 md5 x\n", .ret = -EINVAL,
     .message = "@/authkeys:3: key 1 given twice (first at line 2)"},
    {"garbage line", .authkeys = "auth 1\n1 crc\nhello world\n", .ret = -EINVAL,
     .message = "@/authkeys:3: bad key line: 'hello' is neither 'auth' nor "
		"a key index"},
    {"missing authkeys", .authkeys = "-", .ret = -ENOENT,
     .message = "@/authkeys: cannot open: No such file or directory"},

    /* whole files */
    {"missing ha.cf", .hacf = "-", .ret = -ENOENT,
     .message = "@/ha.cf: cannot open: No such file or directory"},
};

/* '@' in the expected message stands for the test directory. */
static void expand(const char *pattern, char *out, size_t len)
{
	size_t n = 0;

	for (; *pattern && n + 1 < len; pattern++) {
		if (*pattern == '@')
			n += (size_t)snprintf(out + n, len - n, "%s", tmpdir);
		else
			out[n++] = *pattern;
	}
	out[n < len ? n : len - 1] = '\0';
}

static void put(const char *name, const char *content, mode_t mode)
{
	if (!content)
		copy_fixture(name, mode);
	else if (!strcmp(content, "-"))
		remove_file(name);
	else
		write_file(name, content, mode);
}

Test(config, every_error_names_file_and_line)
{
	char want[1024];

	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]);
	     i++) {
		const struct error_case *c = &error_cases[i];
		int ret;

		put("ha.cf", c->hacf, 0644);
		put("haresources", c->haresources, 0644);
		put("authkeys", c->authkeys,
		    c->authkeys_mode ? c->authkeys_mode : 0600);
		ret = load();
		expand(c->message, want, sizeof(want));
		cr_expect_eq(ret, c->ret, "%s: ret %d, want %d (%s)", c->name,
			     ret, c->ret, err);
		cr_expect_str_eq(err, want, "%s:\n  got  %s\n  want %s",
				 c->name, err, want);
		/* back to the lab for the next case */
		put("ha.cf", NULL, 0644);
		put("haresources", NULL, 0644);
		put("authkeys", NULL, 0600);
	}
}

Test(config, errors_with_null_or_tiny_buffer)
{
	char tiny[8];

	write_file("ha.cf", "keepalve 2\n", 0644);
	cr_expect_eq(xhb_config_load(tmpdir, cfg, NULL, 0), -EINVAL);
	cr_expect_eq(xhb_config_load(tmpdir, cfg, tiny, sizeof(tiny)), -EINVAL);
	cr_expect_eq(strlen(tiny), sizeof(tiny) - 1);
}

Test(config, nul_byte_is_an_error)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/haresources", tmpdir);
	f = fopen(path, "w");
	cr_assert(f);
	fwrite("# ok\nsrv1 10.0.0.1\0\n", 1, 20, f);
	fclose(f);
	cr_expect_eq(load(), -EINVAL);
	cr_expect(strstr(err, "/haresources:2: NUL byte in line"), "%s", err);
}

Test(config, directory_is_not_a_file)
{
	char path[PATH_MAX];

	remove_file("ha.cf");
	snprintf(path, sizeof(path), "%s/ha.cf", tmpdir);
	cr_assert_eq(mkdir(path, 0755), 0);
	cr_expect_eq(load(), -EINVAL);
	cr_expect(strstr(err, "/ha.cf: not a regular file"), "%s", err);
}
