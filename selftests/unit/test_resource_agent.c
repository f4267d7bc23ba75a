// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * user/resource_agent: the order a name is looked up in (resource.d, OCF,
 * init.d, systemd) over a throwaway tree; the OCF_RESKEY_* names the
 * arguments get (Heartbeat's wrappers' table, KEY=VALUE); the command and
 * environment of each kind; how a status is read; the errors, also as
 * xhb_config_load reports them ("file:line: ..."). Then agents run for
 * real through xhb_resource_run: a fake OCF agent that records what it was
 * given, and resource-agents' own Dummy when it is installed.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "resource.h"
#include "resource_agent.h"

static char root[] = "/tmp/xhb-ra.XXXXXX";
static struct xhb_ra_dirs dirs;
static struct xhb_config *cfg;
static struct xhb_ra_cmd *cmd;
static char err[1024];

/* root/rel, with the directories on the way, mode (0: a directory). */
static const char *make(const char *rel, const char *body, mode_t mode)
{
	static char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	if (!mode) {
		mkdir(path, 0755);
		return path;
	}
	f = fopen(path, "w");
	cr_assert(f, "%s: %s", path, strerror(errno));
	fputs(body, f);
	fclose(f);
	cr_assert_eq(chmod(path, mode), 0);
	return path;
}

static void setup(void)
{
	cr_assert(mkdtemp(root), "mkdtemp: %s", strerror(errno));
	cfg = xhb_config_new();
	cmd = calloc(1, sizeof(*cmd));
	cr_assert(cfg && cmd);
	snprintf(cfg->dir, sizeof(cfg->dir), "%s/etc", root);
	snprintf(cfg->ocf_root, sizeof(cfg->ocf_root), "%s/ocf", root);
	make("etc", NULL, 0);
	make("bin/systemctl", "#!/bin/sh\necho \"$*\"\n", 0755);
	cr_assert_eq(xhb_ra_dirs_default(&dirs, cfg->dir, cfg->ocf_root), 0);
	snprintf(dirs.init_d, sizeof(dirs.init_d), "%s/init.d", root);
	snprintf(dirs.unit_path, sizeof(dirs.unit_path), "%s/units1::%s/units2",
		 root, root);
	snprintf(dirs.systemctl, sizeof(dirs.systemctl), "%s/bin/systemctl",
		 root);
}

static void teardown(void)
{
	char rm[PATH_MAX + 16];

	xhb_config_free(cfg);
	free(cmd);
	snprintf(rm, sizeof(rm), "rm -rf '%s'", root);
	if (system(rm))
		cr_log_warn("could not remove %s", root);
}

TestSuite(resource_agent, .init = setup, .fini = teardown, .timeout = 30);

/* A script resource as haresources gives it: NAME::ARG::ARG... */
static void resource(struct xhb_resource *r, const char *spec)
{
	char buf[XHB_SPEC_MAX], *sep, *args;

	memset(r, 0, sizeof(*r));
	r->kind = XHB_RES_SCRIPT;
	r->line = 1;
	snprintf(r->spec, sizeof(r->spec), "%s", spec);
	snprintf(buf, sizeof(buf), "%s", spec);
	sep = strstr(buf, "::");
	if (sep)
		*sep = '\0';
	cr_assert_lt(strlen(buf), sizeof(r->agent));
	memcpy(r->agent, buf, strlen(buf) + 1);
	for (args = sep ? sep + 2 : NULL; args;) {
		char *arg = args;

		sep = strstr(args, "::");
		if (sep)
			*sep = '\0';
		args = sep ? sep + 2 : NULL;
		if (*arg) {
			cr_assert_lt(strlen(arg), (size_t)XHB_ARG_MAX);
			memcpy(r->args[r->nargs++], arg, strlen(arg) + 1);
		}
	}
}

static int resolve(struct xhb_resource *r, const char *spec)
{
	resource(r, spec);
	err[0] = '\0';
	return xhb_ra_resolve(&dirs, r, err, sizeof(err));
}

/* "@" in a message or path stands for the test's root. */
static const char *expand(const char *text)
{
	static char buf[4096];
	size_t n = 0;

	for (; *text && n + sizeof(root) < sizeof(buf); text++)
		if (*text == '@')
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s",
					      root);
		else
			buf[n++] = *text;
	buf[n] = '\0';
	return buf;
}

/* ---- where a name resolves ------------------------------------------- */

enum { IN_RESOURCE_D = 1, IN_OCF = 2, IN_INIT_D = 4, IN_UNITS2 = 8 };

Test(resource_agent, lookup_order)
{
	static const struct {
		const char *spec;
		unsigned int where; /* of the name before "::" */
		int ret;
		enum xhb_ra_kind kind;
		const char *path; /* or the message */
	} cases[] = {
	    {"a1", IN_RESOURCE_D | IN_OCF | IN_INIT_D | IN_UNITS2, 0,
	     XHB_RA_HEARTBEAT, "@/etc/resource.d/a1"},
	    {"a2::k=x", IN_OCF | IN_INIT_D | IN_UNITS2, 0, XHB_RA_OCF,
	     "@/ocf/resource.d/heartbeat/a2"},
	    {"a3::x", IN_INIT_D | IN_UNITS2, 0, XHB_RA_LSB, "@/init.d/a3"},
	    {"a4", IN_UNITS2, 0, XHB_RA_SYSTEMD, "@/bin/systemctl"},
	    {"a5::x", IN_UNITS2, -EINVAL, 0,
	     "a5::x: a5 is the systemd unit a5.service (in @/units2), and a "
	     "unit takes no arguments: write a5 alone"},
	    {"a6::x", 0, -ENOENT, 0,
	     "resource script a6 not found: no executable "
	     "@/etc/resource.d/a6, @/ocf/resource.d/heartbeat/a6 or "
	     "@/init.d/a6, and no systemd unit a6.service"},
	    /* ocf:PROVIDER:NAME goes straight to the provider */
	    {"ocf:heartbeat:a7", IN_RESOURCE_D | IN_OCF, 0, XHB_RA_OCF,
	     "@/ocf/resource.d/heartbeat/a7"},
	    {"ocf:acme:a8", IN_RESOURCE_D | IN_OCF, -ENOENT, 0,
	     "OCF resource agent ocf:acme:a8 not found: no executable "
	     "@/ocf/resource.d/acme/a8"},
	    {"ocf:heartbeat", 0, -EINVAL, 0,
	     "bad resource name 'ocf:heartbeat' in ocf:heartbeat (use NAME "
	     "or ocf:PROVIDER:NAME, without '/')"},
	    {"ocf:a/b:a9", 0, -EINVAL, 0, NULL},
	    {"ocf:heartbeat:..", 0, -EINVAL, 0, NULL},
	    {"..", 0, -EINVAL, 0, NULL},
	    /* an instance of a template unit */
	    {"b1@x", 0, 0, XHB_RA_SYSTEMD, "@/bin/systemctl"},
	};
	struct xhb_resource r;
	char rel[256];

	make("ocf/resource.d/acme/a8", NULL, 0);
	make("units1/b1@.service", "[Service]\n", 0644);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];
		const char *colon = strrchr(cases[i].spec, ':');

		/* the file's name: after ocf:P:, before "::" */
		snprintf(name, sizeof(name), "%s",
			 colon && strncmp(cases[i].spec, "ocf:", 4) == 0
			     ? colon + 1
			     : cases[i].spec);
		name[strcspn(name, ":")] = '\0';
		if (cases[i].where & IN_RESOURCE_D) {
			snprintf(rel, sizeof(rel), "etc/resource.d/%s", name);
			make(rel, "#!/bin/sh\n", 0755);
		}
		if (cases[i].where & IN_OCF) {
			snprintf(rel, sizeof(rel),
				 "ocf/resource.d/heartbeat/%s", name);
			make(rel, "#!/bin/sh\n", 0755);
		}
		if (cases[i].where & IN_INIT_D) {
			snprintf(rel, sizeof(rel), "init.d/%s", name);
			make(rel, "#!/bin/sh\n", 0755);
		}
		if (cases[i].where & IN_UNITS2) {
			snprintf(rel, sizeof(rel), "units2/%s.service", name);
			make(rel, "[Service]\n", 0644);
		}
		cr_expect_eq(resolve(&r, cases[i].spec), cases[i].ret,
			     "%s: %d (%s)", cases[i].spec, cases[i].ret, err);
		if (cases[i].ret == 0) {
			cr_expect_eq(r.ra_kind, cases[i].kind, "%s: kind %s",
				     cases[i].spec,
				     xhb_ra_kind_name(r.ra_kind));
			cr_expect_str_eq(r.path, expand(cases[i].path), "%s",
					 cases[i].spec);
		} else if (cases[i].path) {
			cr_expect_str_eq(err, expand(cases[i].path), "%s",
					 cases[i].spec);
		}
	}
}

/* Not executable, not a regular file, a masked unit: not found there. */
Test(resource_agent, only_executable_files_and_live_units)
{
	struct xhb_resource r;
	char target[PATH_MAX];

	make("etc/resource.d/c1", "#!/bin/sh\n", 0644);
	make("ocf/resource.d/heartbeat/c1", NULL, 0); /* a directory */
	make("init.d/c1", "#!/bin/sh\n", 0755);
	cr_assert_eq(resolve(&r, "c1"), 0, "%s", err);
	cr_expect_eq(r.ra_kind, XHB_RA_LSB);

	make("units1", NULL, 0);
	snprintf(target, sizeof(target), "%s/units1/c2.service", root);
	cr_assert_eq(symlink("/dev/null", target), 0);
	make("units2/c2.service", "[Service]\n", 0644);
	cr_assert_eq(resolve(&r, "c2"), 0, "%s", err);
	cr_expect_eq(r.ra_kind, XHB_RA_SYSTEMD);
	cr_assert_eq(unlink(expand("@/units2/c2.service")), 0);
	cr_expect_eq(resolve(&r, "c2"), -ENOENT);

	/* a unit, but no systemctl to run it */
	make("units2/c3.service", "[Service]\n", 0644);
	snprintf(dirs.systemctl, sizeof(dirs.systemctl), "%s/bin/none", root);
	cr_expect_eq(resolve(&r, "c3"), -EINVAL);
	cr_expect_str_eq(err, expand("c3: c3.service is a systemd unit (in "
				     "@/units2) but there is no @/bin/none to "
				     "run it"));
}

/* ---- OCF parameters -------------------------------------------------- */

/* The OCF_RESKEY_* of the start command, one a line, in order, then
 * "instance=" the instance name. */
static const char *reskeys(const struct xhb_resource *r)
{
	static char buf[4096];
	size_t n = 0;

	buf[0] = '\0';
	cr_assert_eq(xhb_ra_command(cfg, r, XHB_RA_START, cmd), 0);
	for (int i = 0; cmd->env[i]; i++)
		if (!strncmp(cmd->env[i], "OCF_RESKEY_", 11))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\n",
					      cmd->env[i] + 11);
	for (int i = 0; cmd->env[i]; i++)
		if (!strncmp(cmd->env[i], "OCF_RESOURCE_INSTANCE=", 22))
			snprintf(buf + n, sizeof(buf) - n, "instance=%s",
				 cmd->env[i] + 22);
	return buf;
}

Test(resource_agent, ocf_parameters)
{
	static const struct {
		const char *spec;
		int ret;
		const char *want; /* reskeys(), or the message */
	} cases[] = {
	    /* Heartbeat's wrappers' names */
	    {"Filesystem::/dev/sdb1::/data::ext4", 0,
	     "device=/dev/sdb1\ndirectory=/data\nfstype=ext4\n"
	     "instance=Filesystem_dev_sdb1"},
	    {"Filesystem::/dev/sdb1::/data::ext4::noatime,ro", 0,
	     "device=/dev/sdb1\ndirectory=/data\nfstype=ext4\n"
	     "options=noatime,ro\ninstance=Filesystem_dev_sdb1"},
	    {"Filesystem::/dev/sdb1::/data::ext4::ro::x", -EINVAL,
	     "Filesystem::/dev/sdb1::/data::ext4::ro::x: too many arguments "
	     "for Filesystem: it takes device, directory, fstype, options, "
	     "then NAME=VALUE"},
	    {"IPaddr2::10.0.0.1/24/eth0/10.0.0.255", 0,
	     "ip=10.0.0.1\ncidr_netmask=24\nnic=eth0\nbroadcast=10.0.0.255\n"
	     "instance=IPaddr2_10.0.0.1"},
	    {"IPaddr2::10.0.0.1/24/10.0.0.255", 0,
	     "ip=10.0.0.1\ncidr_netmask=24\nbroadcast=10.0.0.255\n"
	     "instance=IPaddr2_10.0.0.1"},
	    {"IPaddr2::10.0.0.1::lvs_support=true", 0,
	     "ip=10.0.0.1\nlvs_support=true\ninstance=IPaddr2_10.0.0.1"},
	    {"IPaddr2::10.0.0.1/24/eth0/10.0.0.255/x", -EINVAL,
	     "IPaddr2::10.0.0.1/24/eth0/10.0.0.255/x: too many '/' fields "
	     "for IPaddr2 (10.0.0.1/24/eth0/10.0.0.255/x)"},
	    {"IPaddr2::10.0.0.1::10.0.0.2", -EINVAL,
	     "IPaddr2::10.0.0.1::10.0.0.2: IPaddr2 takes one argument (ip, "
	     "cidr_netmask, nic, broadcast, '/'-separated) and NAME=VALUE"},
	    {"IPv6addr::2001:db8:0:0:0:0:0:1/64/eth0", 0,
	     "ipv6addr=2001:db8:0:0:0:0:0:1\ncidr_netmask=64\nnic=eth0\n"
	     "instance=IPv6addr_2001_db8_0_0_0_0_0_1"},
	    {"apache::/etc/apache2/apache2.conf", 0,
	     "configfile=/etc/apache2/apache2.conf\n"
	     "instance=apache_etc_apache2_apache2.conf"},
	    {"IPsrcaddr::10.0.0.1", 0,
	     "ipaddress=10.0.0.1\ninstance=IPsrcaddr_10.0.0.1"},
	    {"AudibleAlarm::srv1::srv2", 0,
	     "nodelist=srv1 srv2\ninstance=AudibleAlarm_srv1_srv2"},
	    {"portblock::tcp::80::block", 0,
	     "protocol=tcp\nportno=80\naction=block\n"
	     "instance=portblock_tcp"},
	    /* KEY=VALUE for any agent, positional only where a name is known */
	    {"Dummy", 0, "instance=Dummy"},
	    {"Dummy::state=/run/x.state::fake=a b", 0,
	     "state=/run/x.state\nfake=a b\ninstance=Dummy_run_x.state"},
	    {"Dummy::op=a=b::_x=", 0, "op=a=b\ninstance=Dummy_a_b"},
	    {"Dummy::x", -EINVAL,
	     "Dummy::x: OCF agent Dummy has no parameter name for 'x': give "
	     "it as NAME=VALUE (it becomes OCF_RESKEY_NAME)"},
	    {"Dummy::9a=1", -EINVAL, NULL}, /* not a name: positional */
	    {"Dummy::a=1::a=2", -EINVAL,
	     "Dummy::a=1::a=2: OCF parameter a given twice"},
	    {"Filesystem::/dev/sdb1::device=/dev/sdc", -EINVAL,
	     "Filesystem::/dev/sdb1::device=/dev/sdc: OCF parameter device "
	     "given twice"},
	    {"Delay::5::7", 0, "startdelay=5\nstopdelay=7\ninstance=Delay_5"},
	};
	struct xhb_resource r;
	char rel[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s", cases[i].spec);
		name[strcspn(name, ":")] = '\0';
		snprintf(rel, sizeof(rel), "ocf/resource.d/heartbeat/%s", name);
		make(rel, "#!/bin/sh\n", 0755);
		cr_expect_eq(resolve(&r, cases[i].spec), cases[i].ret,
			     "%s (%s)", cases[i].spec, err);
		if (cases[i].ret)
			cr_expect(!cases[i].want || !strcmp(err, cases[i].want),
				  "%s:\n  got  %s\n  want %s", cases[i].spec,
				  err, cases[i].want);
		else
			cr_expect_str_eq(reskeys(&r), cases[i].want, "%s",
					 cases[i].spec);
	}
}

/* ---- the command of each kind ---------------------------------------- */

static const char *env_of(const char *name)
{
	size_t len = strlen(name);

	for (int i = 0; cmd->env[i]; i++)
		if (!strncmp(cmd->env[i], name, len) && cmd->env[i][len] == '=')
			return cmd->env[i] + len + 1;
	return NULL;
}

static int nargs(void)
{
	int n = 0;

	while (cmd->args[n])
		n++;
	return n;
}

Test(resource_agent, commands)
{
	struct xhb_resource r;

	make("etc/resource.d/hb", "#!/bin/sh\n", 0755);
	make("ocf/resource.d/heartbeat/Filesystem", "#!/bin/sh\n", 0755);
	make("init.d/lsb", "#!/bin/sh\n", 0755);
	make("units1/unit.service", "[Service]\n", 0644);

	/* Heartbeat's: ARG... ACTION, HA_* */
	cr_assert_eq(resolve(&r, "hb::a::b"), 0, "%s", err);
	cr_assert_eq(xhb_ra_command(cfg, &r, XHB_RA_STATUS, cmd), 0);
	cr_expect_str_eq(cmd->path, expand("@/etc/resource.d/hb"));
	cr_assert_eq(nargs(), 2);
	cr_expect_str_eq(cmd->args[0], "a");
	cr_expect_str_eq(cmd->args[1], "b");
	cr_expect_str_eq(cmd->action, "status");
	cr_expect_str_eq(env_of("HA_DIR"), expand("@/etc"));
	cr_expect_str_eq(env_of("HA_debug"), "0");
	cr_expect_null(env_of("HA_FUNCS")); /* no DIR/shellfuncs */
	cr_expect_null(env_of("HA_LOGFACILITY"));
	cr_expect_null(env_of("OCF_ROOT"));

	/* HA_LOGFACILITY and HA_debug from ha.cf, HA_FUNCS when it exists */
	snprintf(cfg->logfacility, sizeof(cfg->logfacility), "local0");
	cfg->debug = 2;
	make("etc/shellfuncs", "", 0644);
	cr_assert_eq(xhb_ra_command(cfg, &r, XHB_RA_START, cmd), 0);
	cr_expect_str_eq(cmd->action, "start");
	cr_expect_str_eq(env_of("HA_LOGFACILITY"), "local0");
	cr_expect_str_eq(env_of("HA_debug"), "2");
	cr_expect_str_eq(env_of("HA_FUNCS"), expand("@/etc/shellfuncs"));
	snprintf(cfg->logfacility, sizeof(cfg->logfacility), "none");
	cr_assert_eq(xhb_ra_command(cfg, &r, XHB_RA_STOP, cmd), 0);
	cr_expect_str_eq(cmd->action, "stop");
	cr_expect_null(env_of("HA_LOGFACILITY"));

	/* OCF: no argument, monitor for status, OCF_* */
	cr_assert_eq(resolve(&r, "Filesystem::/dev/sdb1::/data::ext4"), 0, "%s",
		     err);
	cr_assert_eq(xhb_ra_command(cfg, &r, XHB_RA_STATUS, cmd), 0);
	cr_expect_str_eq(cmd->path,
			 expand("@/ocf/resource.d/heartbeat/Filesystem"));
	cr_expect_eq(nargs(), 0);
	cr_expect_str_eq(cmd->action, "monitor");
	cr_expect_str_eq(env_of("OCF_ROOT"), expand("@/ocf"));
	cr_expect_str_eq(env_of("OCF_RA_VERSION_MAJOR"), "1");
	cr_expect_str_eq(env_of("OCF_RA_VERSION_MINOR"), "0");
	cr_expect_str_eq(env_of("OCF_RESOURCE_TYPE"), "Filesystem");
	cr_expect_str_eq(env_of("OCF_RESOURCE_PROVIDER"), "heartbeat");
	cr_expect_str_eq(env_of("OCF_RESOURCE_INSTANCE"),
			 "Filesystem_dev_sdb1");
	cr_expect_str_eq(env_of("OCF_RESKEY_fstype"), "ext4");
	cr_expect_str_eq(env_of("HA_DIR"), expand("@/etc"));
	cr_assert_eq(xhb_ra_command(cfg, &r, XHB_RA_START, cmd), 0);
	cr_expect_str_eq(cmd->action, "start");

	/* LSB: as Heartbeat's */
	cr_assert_eq(resolve(&r, "lsb::x"), 0, "%s", err);
	cr_assert_eq(xhb_ra_command(cfg, &r, XHB_RA_STATUS, cmd), 0);
	cr_expect_str_eq(cmd->path, expand("@/init.d/lsb"));
	cr_expect_eq(nargs(), 1);
	cr_expect_str_eq(cmd->action, "status");
	cr_expect_str_eq(env_of("HA_DIR"), expand("@/etc"));

	/* systemd: systemctl ACTION NAME.service, nothing after */
	cr_assert_eq(resolve(&r, "unit"), 0, "%s", err);
	cr_assert_eq(xhb_ra_command(cfg, &r, XHB_RA_STOP, cmd), 0);
	cr_expect_str_eq(cmd->path, expand("@/bin/systemctl"));
	cr_assert_eq(nargs(), 2);
	cr_expect_str_eq(cmd->args[0], "stop");
	cr_expect_str_eq(cmd->args[1], "unit.service");
	cr_expect_null(cmd->action);
	cr_expect_null(cmd->env[0]);

	/* not a resolved script */
	r.kind = XHB_RES_ADDRESS;
	cr_expect_eq(xhb_ra_command(cfg, &r, XHB_RA_START, cmd), -EINVAL);
}

/* ---- reading a status ------------------------------------------------ */

Test(resource_agent, status)
{
	static const struct {
		enum xhb_ra_kind kind;
		enum xhb_resource_outcome outcome;
		int exit_code;
		const char *output;
		enum xhb_ra_state want;
	} cases[] = {
	    {XHB_RA_OCF, XHB_RESOURCE_EXITED, 0, "", XHB_RA_RUNNING},
	    {XHB_RA_OCF, XHB_RESOURCE_EXITED, 7, "", XHB_RA_STOPPED},
	    {XHB_RA_OCF, XHB_RESOURCE_EXITED, 8, "", XHB_RA_RUNNING},
	    {XHB_RA_OCF, XHB_RESOURCE_EXITED, 1, "", XHB_RA_FAILED},
	    {XHB_RA_OCF, XHB_RESOURCE_EXITED, 3, "", XHB_RA_FAILED},
	    {XHB_RA_OCF, XHB_RESOURCE_EXITED, 9, "", XHB_RA_FAILED},
	    {XHB_RA_OCF, XHB_RESOURCE_TIMEOUT, -1, "", XHB_RA_FAILED},
	    {XHB_RA_LSB, XHB_RESOURCE_EXITED, 0, "", XHB_RA_RUNNING},
	    {XHB_RA_LSB, XHB_RESOURCE_EXITED, 3, "", XHB_RA_STOPPED},
	    {XHB_RA_LSB, XHB_RESOURCE_EXITED, 1, "", XHB_RA_STOPPED},
	    {XHB_RA_LSB, XHB_RESOURCE_EXITED, 4, "", XHB_RA_FAILED},
	    {XHB_RA_LSB, XHB_RESOURCE_EXITED, 7, "", XHB_RA_FAILED},
	    {XHB_RA_SYSTEMD, XHB_RESOURCE_EXITED, 0, "", XHB_RA_RUNNING},
	    {XHB_RA_SYSTEMD, XHB_RESOURCE_EXITED, 3, "", XHB_RA_STOPPED},
	    {XHB_RA_SYSTEMD, XHB_RESOURCE_EXITED, 4, "", XHB_RA_FAILED},
	    {XHB_RA_SYSTEMD, XHB_RESOURCE_SIGNALED, -1, "", XHB_RA_FAILED},
	    /* ResourceManager read Heartbeat's scripts' words, not codes */
	    {XHB_RA_HEARTBEAT, XHB_RESOURCE_EXITED, 0, "httpd is running",
	     XHB_RA_RUNNING},
	    {XHB_RA_HEARTBEAT, XHB_RESOURCE_EXITED, 0, "INFO: Running OK",
	     XHB_RA_RUNNING},
	    {XHB_RA_HEARTBEAT, XHB_RESOURCE_EXITED, 3, "OK", XHB_RA_RUNNING},
	    {XHB_RA_HEARTBEAT, XHB_RESOURCE_EXITED, 0, "httpd is NOT running",
	     XHB_RA_STOPPED},
	    {XHB_RA_HEARTBEAT, XHB_RESOURCE_EXITED, 0,
	     "INFO: Resource is stopped", XHB_RA_STOPPED},
	    {XHB_RA_HEARTBEAT, XHB_RESOURCE_EXITED, 0, "", XHB_RA_STOPPED},
	    {XHB_RA_HEARTBEAT, XHB_RESOURCE_TIMEOUT, -1, "running",
	     XHB_RA_FAILED},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xhb_resource_result res = {
		    .outcome = cases[i].outcome,
		    .exit_code = cases[i].exit_code,
		};

		snprintf(res.output, sizeof(res.output), "%s", cases[i].output);
		cr_expect_eq(xhb_ra_status(cases[i].kind, &res), cases[i].want,
			     "case %zu: %s exit %d '%s'", i,
			     xhb_ra_kind_name(cases[i].kind),
			     cases[i].exit_code, cases[i].output);
	}
}

/* ---- as xhb_config_load reports them --------------------------------- */

static int load(const char *haresources)
{
	char dir[PATH_MAX];

	make("etc/ha.cf", "bcast eth0\nnode srv1\nnode srv2\n", 0644);
	make("etc/authkeys", "auth 1\n1 crc\n", 0600);
	make("etc/haresources", haresources, 0644);
	snprintf(dir, sizeof(dir), "%s/etc", root);
	return xhb_config_load(dir, cfg, err, sizeof(err));
}

Test(resource_agent, config_load)
{
	const struct xhb_resource *r;

	setenv("OCF_ROOT", expand("@/ocf/"), 1);
	setenv("SYSTEMD_UNIT_PATH", expand("@/units1"), 1);
	make("ocf/resource.d/heartbeat/Filesystem", "#!/bin/sh\n", 0755);
	make("units1/d1.service", "[Service]\n", 0644);

	cr_assert_eq(load("srv1 10.0.0.1 Filesystem::/dev/sdb1::/data\n"), 0,
		     "%s", err);
	cr_expect_str_eq(cfg->ocf_root, expand("@/ocf"));
	r = &cfg->groups[0].resources[1];
	cr_expect_eq(r->ra_kind, XHB_RA_OCF);
	cr_expect_str_eq(r->path,
			 expand("@/ocf/resource.d/heartbeat/Filesystem"));

	cr_expect_eq(load("srv1 10.0.0.1\nsrv2 10.0.0.2 d1::x\n"), -EINVAL);
	cr_expect_str_eq(err, expand("@/etc/haresources:2: d1::x: d1 is the "
				     "systemd unit d1.service (in @/units1), "
				     "and a unit takes no arguments: write d1 "
				     "alone"));
	cr_expect_eq(load("srv1 10.0.0.1 \\\n  Filesystem::a::b::c::d::e\n"),
		     -EINVAL);
	cr_expect_str_eq(err, expand("@/etc/haresources:2: "
				     "Filesystem::a::b::c::d::e: too many "
				     "arguments for Filesystem: it takes "
				     "device, directory, fstype, options, "
				     "then NAME=VALUE"));
	cr_expect_eq(load("srv1 10.0.0.1 nothing\n"), -ENOENT);
	cr_expect_str_eq(err, expand("@/etc/haresources:1: resource script "
				     "nothing not found: no executable "
				     "@/etc/resource.d/nothing, "
				     "@/ocf/resource.d/heartbeat/nothing or "
				     "/etc/init.d/nothing, and no systemd unit "
				     "nothing.service"));
	setenv("OCF_ROOT", "relative", 1);
	cr_expect_eq(load("srv1 10.0.0.1\n"), -EINVAL);
	cr_expect_str_eq(err, expand("@/etc/haresources: OCF_ROOT in xhbd's "
				     "environment must be an absolute path "
				     "of at most 255 characters"));
	unsetenv("OCF_ROOT");
	unsetenv("SYSTEMD_UNIT_PATH");
}

/* ---- for real, through the runner ------------------------------------ */

static int run(const struct xhb_resource *r, enum xhb_ra_action action,
	       struct xhb_resource_result *res)
{
	cr_assert_eq(xhb_ra_command(cfg, r, action, cmd), 0);
	return xhb_resource_run(cmd->path, cmd->args, cmd->action, cmd->env,
				10000, res);
}

static const char *slurp(const char *path)
{
	static char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	cr_assert(f, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* A fake OCF agent records its arguments and its OCF_ and HA_ variables;
 * its monitor says "not running". */
Test(resource_agent, ocf_agent_runs_with_its_environment)
{
	struct xhb_resource_result res;
	struct xhb_resource r;
	char body[1024], spec[256];

	snprintf(body, sizeof(body),
		 "#!/bin/sh\n"
		 "{ echo \"args: $*\"; env | grep -E '^(OCF|HA)_' | sort; } "
		 ">'%s/record.'$1\n"
		 "[ \"$1\" = monitor ] && exit 7\n"
		 "exit 0\n",
		 root);
	make("ocf/resource.d/heartbeat/Filesystem", body, 0755);
	snprintf(spec, sizeof(spec),
		 "Filesystem::/dev/fake::/mnt/x::ext4::run_fsck=no");
	cr_assert_eq(resolve(&r, spec), 0, "%s", err);

	cr_assert_eq(run(&r, XHB_RA_START, &res), 0);
	cr_expect(xhb_resource_ok(&res), "exit %d: %s", res.exit_code,
		  res.output);
	cr_expect_str_eq(slurp(expand("@/record.start")),
			 expand("args: start\n"
				"HA_DIR=@/etc\n"
				"HA_debug=0\n"
				"OCF_RA_VERSION_MAJOR=1\n"
				"OCF_RA_VERSION_MINOR=0\n"
				"OCF_RESKEY_device=/dev/fake\n"
				"OCF_RESKEY_directory=/mnt/x\n"
				"OCF_RESKEY_fstype=ext4\n"
				"OCF_RESKEY_run_fsck=no\n"
				"OCF_RESOURCE_INSTANCE=Filesystem_dev_fake\n"
				"OCF_RESOURCE_PROVIDER=heartbeat\n"
				"OCF_RESOURCE_TYPE=Filesystem\n"
				"OCF_ROOT=@/ocf\n"));

	cr_assert_eq(run(&r, XHB_RA_STATUS, &res), 0);
	cr_expect_eq(res.exit_code, 7);
	cr_expect_eq(xhb_ra_status(r.ra_kind, &res), XHB_RA_STOPPED);
	cr_expect(strstr(slurp(expand("@/record.monitor")), "args: monitor\n"));
}

/* resource-agents' Dummy, ocf:heartbeat:Dummy: a state file is all it
 * keeps. Stopping it twice succeeds: the OCF contract. */
Test(resource_agent, real_dummy_agent)
{
	static const struct {
		enum xhb_ra_action action;
		int exit_code;
		enum xhb_ra_state state; /* for XHB_RA_STATUS */
	} steps[] = {
	    {XHB_RA_STATUS, 7, XHB_RA_STOPPED}, {XHB_RA_START, 0, 0},
	    {XHB_RA_STATUS, 0, XHB_RA_RUNNING}, {XHB_RA_STOP, 0, 0},
	    {XHB_RA_STATUS, 7, XHB_RA_STOPPED}, {XHB_RA_STOP, 0, 0},
	};
	struct xhb_resource_result res;
	struct xhb_resource r;
	char spec[256];

	if (access(XHB_RA_OCF_ROOT_DEFAULT "/resource.d/heartbeat/Dummy", X_OK))
		cr_skip_test("resource-agents is not installed (no "
			     "ocf:heartbeat:Dummy)");
	snprintf(cfg->ocf_root, sizeof(cfg->ocf_root), "%s",
		 XHB_RA_OCF_ROOT_DEFAULT);
	snprintf(dirs.ocf_root, sizeof(dirs.ocf_root), "%s",
		 XHB_RA_OCF_ROOT_DEFAULT);
	snprintf(spec, sizeof(spec),
		 "ocf:heartbeat:Dummy::state=%s/dummy.state", root);
	cr_assert_eq(resolve(&r, spec), 0, "%s", err);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		cr_assert_eq(run(&r, steps[i].action, &res), 0);
		cr_expect_eq(res.exit_code, steps[i].exit_code,
			     "step %zu (%s): exit %d: %s", i, cmd->action,
			     res.exit_code, res.output);
		if (steps[i].action == XHB_RA_STATUS)
			cr_expect_eq(xhb_ra_status(r.ra_kind, &res),
				     steps[i].state, "step %zu", i);
	}
	cr_expect_eq(access(expand("@/dummy.state"), F_OK), -1);
}
