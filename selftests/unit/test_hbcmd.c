// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Heartbeat's commands (tools/xhbctl_hb.c): cl_status's words, sentences
 * (-m) and exit codes, hb_standby / hb_takeover's arguments, on canned
 * answers of the agent; and the link rule behind hblinkstatus
 * (user/status_nodes.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "xhb_maps.h"
#include "status.h"
#include "../../tools/xhbctl_hb.h"

/* The lab seen from srv1: it holds group 0, srv2 is up; heartbeats on
 * ens192 (up) and eth1 (dead from srv2). */
static const char *const lab_status =
    "{\"ok\":true,\"node\":\"srv1\",\"version\":\"0.1.0\",\"state\":\"active\","
    "\"groups\":[{\"group\":0,\"preferred\":\"srv1\",\"owner\":\"srv1\","
    "\"held\":true,\"standby\":false,\"takeover\":false}],"
    "\"nodes\":["
    "{\"name\":\"srv1\",\"type\":\"normal\",\"self\":true,\"state\":\"active\","
    "\"links\":[{\"iface\":\"ens192\",\"status\":\"up\"},"
    "{\"iface\":\"eth1\",\"status\":\"up\"}]},"
    "{\"name\":\"srv2\",\"type\":\"normal\",\"self\":false,\"state\":\"up\","
    "\"advertised\":\"active\","
    "\"links\":[{\"iface\":\"ens192\",\"status\":\"up\"},"
    "{\"iface\":\"eth1\",\"status\":\"dead\"}]}]}";

/* What the fake agent answers, and what it was asked. */
static const char *answer;
static int answer_err;
static int asked;
static char last_request[256];

static int fake_ask(void *ctx, json_t *req, json_t **reply)
{
	char *text = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	json_error_t jerr;

	(void)ctx;
	asked++;
	snprintf(last_request, sizeof(last_request), "%s", text);
	free(text);
	if (answer_err)
		return answer_err;
	*reply = json_loads(answer, 0, &jerr);
	cr_assert(*reply, "canned answer is not JSON: %s", jerr.text);
	return 0;
}

struct result {
	int rc;
	char *out, *err;
};

static char out_buf[4096], err_buf[4096];

/* Run argv (argv[0] names the command) against the fake agent. */
static struct result run_argv(int argc, char **argv)
{
	char *out = NULL, *err = NULL;
	size_t out_len = 0, err_len = 0;
	struct xhb_hb_io io = {
	    .ask = fake_ask,
	    .socket = "/run/xhb/xhbd.sock",
	};
	struct result r;

	io.out = open_memstream(&out, &out_len);
	io.err = open_memstream(&err, &err_len);
	cr_assert(io.out && io.err);
	r.rc = xhb_hb_main(argc, argv, &io);
	fclose(io.out);
	fclose(io.err);
	snprintf(out_buf, sizeof(out_buf), "%s", out);
	snprintf(err_buf, sizeof(err_buf), "%s", err);
	free(out);
	free(err);
	r.out = out_buf;
	r.err = err_buf;
	return r;
}

#define RUN(...)                                                              \
	({                                                                    \
		char *argv_[] = {__VA_ARGS__, NULL};                          \
		run_argv((int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_); \
	})

static void agent(const char *doc, int err)
{
	answer = doc;
	answer_err = err;
	asked = 0;
	last_request[0] = '\0';
}

TestSuite(hbcmd, .timeout = 10);

Test(hbcmd, hbstatus_running_stopped_refused)
{
	struct result r;

	agent(lab_status, 0);
	r = RUN("/usr/bin/cl_status", "hbstatus");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "Heartbeat is running on this machine.\n");
	cr_expect_str_eq(last_request, "{\"cmd\":\"status\"}");

	agent(NULL, -ENOENT);
	r = RUN("cl_status", "hbstatus");
	cr_expect_eq(r.rc, 1);
	cr_expect_str_eq(r.out, "Heartbeat is stopped on this machine.\n");
	/* a socket left by a killed agent */
	agent(NULL, -ECONNREFUSED);
	r = RUN("cl_status", "hbstatus");
	cr_expect_eq(r.rc, 1);
	cr_expect_str_eq(r.out, "Heartbeat is stopped on this machine.\n");

	/* not root: Heartbeat's words for a daemon that refuses us */
	agent(NULL, -EACCES);
	r = RUN("cl_status", "hbstatus");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "Heartbeat is apparently running on this "
				"machine, but refuses my connection\n");
	agent("{\"ok\":false,\"error\":\"permission denied: uid 65534 is not "
	      "root\"}",
	      0);
	r = RUN("cl_status", "hbstatus", "-v");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(
	    r.out,
	    "Heartbeat is apparently running on this machine, but refuses my "
	    "connection\n"
	    "(the agent refused: permission denied: uid 65534 is not root)\n");

	/* cl_status gives up after 5 s */
	agent(NULL, -ETIMEDOUT);
	r = RUN("cl_status", "hbstatus");
	cr_expect_eq(r.rc, 12);
	r = RUN("cl_status", "nodestatus", "srv2");
	cr_expect_eq(r.rc, 12);
}

Test(hbcmd, hbstatus_verbose)
{
	struct result r;

	agent(lab_status, 0);
	r = RUN("cl_status", "hbstatus", "-v");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "version:\txhb 0.1.0\n"
				"managed by:\t\"haresources\"\n"
				"\nsrv1\tactive\t(nodetype: normal)\n"
				"\tens192\tup\n\teth1\tup\n"
				"\nsrv2\tactive\t(nodetype: normal)\n"
				"\tens192\tup\n\teth1\tdead\n");
	/* an option hbstatus does not know is said and ignored: the
	 * options after it still count */
	r = RUN("cl_status", "hbstatus", "-x");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "Heartbeat is running on this machine.\n");
	cr_expect(strstr(r.err, "invalid option"), "%s", r.err);
	r = RUN("cl_status", "hbstatus", "-x", "-v");
	cr_expect_eq(r.rc, 0);
	cr_expect(!strncmp(r.out, "version:\txhb 0.1.0\n", 19), "%s", r.out);
}

Test(hbcmd, listnodes)
{
	struct result r;

	agent(lab_status, 0);
	r = RUN("cl_status", "listnodes");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "srv1\nsrv2\n");
	r = RUN("cl_status", "listnodes", "-m");
	cr_expect_str_eq(r.out, "The nodes are as follow:\nsrv1\nsrv2\n");
	r = RUN("cl_status", "listnodes", "-n");
	cr_expect_str_eq(r.out, "srv1\nsrv2\n");
	/* xhb probes no ping node */
	r = RUN("cl_status", "listnodes", "-p");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "");
	/* both: every node, as Heartbeat */
	r = RUN("cl_status", "listnodes", "-p", "-n");
	cr_expect_str_eq(r.out, "srv1\nsrv2\n");
	r = RUN("cl_status", "listnodes", "-v", "-m");
	cr_expect_str_eq(r.out,
			 "The nodes are as follow:\n"
			 "\nsrv1\tactive\t(nodetype: normal)\n"
			 "\tthis node has the following heartbeat links:\n"
			 "\tens192\tup\n\teth1\tup\n"
			 "\nsrv2\tactive\t(nodetype: normal)\n"
			 "\tthis node has the following heartbeat links:\n"
			 "\tens192\tup\n\teth1\tdead\n");
	r = RUN("cl_status", "listnodes", "-z");
	cr_expect_eq(r.rc, 11);
	cr_expect_str_eq(r.out, "");
	cr_expect(strstr(r.err, "invalid option"), "%s", r.err);
}

Test(hbcmd, nodestatus_and_nodetype)
{
	struct result r;

	agent(lab_status, 0);
	r = RUN("cl_status", "nodestatus", "srv2");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "active\n");
	/* options anywhere after the sub-command; names as Heartbeat
	 * lowercases them */
	r = RUN("cl_status", "nodestatus", "SRV2", "-m");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "The cluster node SRV2 is active\n");
	r = RUN("cl_status", "nodestatus");
	cr_expect_eq(r.rc, 11);
	cr_expect_str_eq(r.err, "Not enough parameters.\n");
	r = RUN("cl_status", "nodestatus", "srv3");
	cr_expect_eq(r.rc, 11);
	cr_expect_str_eq(r.err, "Error. May be due to incorrect node name\n");
	r = RUN("cl_status", "nodestatus", "-q", "srv2");
	cr_expect_eq(r.rc, 11);

	r = RUN("cl_status", "nodetype", "srv1");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "normal\n");
	r = RUN("cl_status", "nodetype", "-m", "srv2");
	cr_expect_str_eq(r.out, "The node srv2's type: normal\n");
	r = RUN("cl_status", "nodetype");
	cr_expect_eq(r.rc, 11);
	cr_expect_str_eq(r.err, "No enough parameter.\n");
	r = RUN("cl_status", "nodetype", "srv3");
	cr_expect_eq(r.rc, 11);

	/* no agent: signon fails, 1, whatever the parameters */
	agent(NULL, -ENOENT);
	r = RUN("cl_status", "nodestatus", "srv2");
	cr_expect_eq(r.rc, 1);
	cr_expect_str_eq(r.out, "");
	cr_expect(strstr(r.err, "Cannot signon with heartbeat"), "%s", r.err);
	r = RUN("cl_status", "nodestatus");
	cr_expect_eq(r.rc, 1);
}

/* A dead peer: "dead", exit 1; its links too. */
Test(hbcmd, dead_node_and_link)
{
	static const char *const doc =
	    "{\"ok\":true,\"node\":\"srv1\",\"state\":\"active\",\"groups\":[],"
	    "\"nodes\":[{\"name\":\"srv1\",\"self\":true,\"state\":\"active\","
	    "\"links\":[{\"iface\":\"ens192\",\"status\":\"up\"}]},"
	    "{\"name\":\"srv2\",\"self\":false,\"state\":\"dead\","
	    "\"advertised\":\"active\","
	    "\"links\":[{\"iface\":\"ens192\",\"status\":\"dead\"}]}]}";
	struct result r;

	agent(doc, 0);
	r = RUN("cl_status", "nodestatus", "srv2");
	cr_expect_eq(r.rc, 1);
	cr_expect_str_eq(r.out, "dead\n");
	r = RUN("cl_status", "hblinkstatus", "srv2", "ens192");
	cr_expect_eq(r.rc, 1);
	cr_expect_str_eq(r.out, "dead\n");
	r = RUN("cl_status", "hblinkstatus", "srv1", "ens192");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "up\n");
}

Test(hbcmd, links)
{
	struct result r;

	agent(lab_status, 0);
	r = RUN("cl_status", "listhblinks", "srv2");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "\tens192\n\teth1\n");
	r = RUN("cl_status", "listhblinks", "-v", "srv2");
	cr_expect_str_eq(r.out, "\tens192\tup\n\teth1\tdead\n");
	r = RUN("cl_status", "listhblinks", "srv2", "-m");
	cr_expect_str_eq(r.out,
			 "\tthis node has the following heartbeat links:\n"
			 "\tens192\n\teth1\n");
	r = RUN("cl_status", "listhblinks");
	cr_expect_eq(r.rc, 11);
	r = RUN("cl_status", "listhblinks", "srv3");
	cr_expect_eq(r.rc, 13);
	cr_expect(strstr(r.err, "Cannot start heartbeat link interface walk."),
		  "%s", r.err);

	r = RUN("cl_status", "hblinkstatus", "srv2", "ens192");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "up\n");
	r = RUN("cl_status", "hblinkstatus", "srv2", "eth1");
	cr_expect_eq(r.rc, 1);
	cr_expect_str_eq(r.out, "dead\n");
	r = RUN("cl_status", "hblinkstatus", "-m", "srv2", "eth1");
	cr_expect_eq(r.rc, 1);
	cr_expect_str_eq(r.out,
			 "The node srv2's heartbeat link eth1 is dead\n");
	r = RUN("cl_status", "hblinkstatus", "srv2");
	cr_expect_eq(r.rc, 11);
	cr_expect_str_eq(r.err, "No enough parameter.\n");
	r = RUN("cl_status", "hblinkstatus", "srv2", "eth9");
	cr_expect_eq(r.rc, 13);
	cr_expect(strstr(r.err, "Cannot get heartbeat link status"), "%s",
		  r.err);
	r = RUN("cl_status", "hblinkstatus", "srv3", "ens192");
	cr_expect_eq(r.rc, 13);
}

Test(hbcmd, subcommands_and_help)
{
	struct result r;

	agent(lab_status, 0);
	r = RUN("cl_status");
	cr_expect_eq(r.rc, 0);
	cr_expect(!strncmp(r.out, "Usage: cl_status <sub-command>", 30), "%s",
		  r.out);
	r = RUN("cl_status", "-h");
	cr_expect_eq(r.rc, 0);
	cr_expect(!strncmp(r.out, "Usage: cl_status <sub-command>", 30), "%s",
		  r.out);
	cr_expect_eq(asked, 0, "help asked the agent");
	r = RUN("cl_status", "bogus");
	cr_expect_eq(r.rc, 11);
	cr_expect(strstr(r.err, "bogus: invalid sub-command."), "%s", r.err);
	r = RUN("cl_status", "hbparameter", "-p", "deadtime");
	cr_expect_eq(r.rc, 11);
	cr_expect(strstr(r.err, "xhb does not provide it"), "%s", r.err);
	/* options before the sub-command are not Heartbeat's syntax */
	r = RUN("cl_status", "-m", "rscstatus");
	cr_expect_eq(r.rc, 11);
	cr_expect_eq(asked, 0, "a bad sub-command asked the agent");
}

/* Heartbeat's words for each state xhb reports. */
Test(hbcmd, node_words)
{
	static const struct {
		const char *node, *word;
	} cases[] = {
	    {"{\"self\":true,\"state\":\"active\"}", "active"},
	    {"{\"self\":true,\"state\":\"fault\"}", "active"},
	    {"{\"self\":true,\"state\":\"init\"}", "up"},
	    {"{\"self\":true,\"state\":\"leaving\"}", "dead"},
	    {"{\"self\":false,\"state\":\"up\",\"advertised\":\"active\"}",
	     "active"},
	    {"{\"self\":false,\"state\":\"warn\",\"advertised\":\"active\"}",
	     "active"},
	    {"{\"self\":false,\"state\":\"up\",\"advertised\":\"init\"}", "up"},
	    {"{\"self\":false,\"state\":\"fault\",\"advertised\":\"fault\"}",
	     "active"},
	    {"{\"self\":false,\"state\":\"unknown\",\"advertised\":\"none\"}",
	     "init"},
	    {"{\"self\":false,\"state\":\"dead\",\"advertised\":\"active\"}",
	     "dead"},
	    {"{\"self\":false,\"state\":\"stalled\",\"advertised\":\"active\"}",
	     "dead"},
	    {"{\"self\":false,\"state\":\"leaving\",\"advertised\":"
	     "\"leaving\"}",
	     "dead"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *node = json_loads(cases[i].node, 0, NULL);

		cr_assert(node);
		cr_expect_str_eq(xhb_hb_node_status(node), cases[i].word, "%s",
				 cases[i].node);
		json_decref(node);
	}
}

/* rscstatus, seen from srv1 with srv2 in state PEER: groups as
 * (preferred, owner, held by us, standby by us). */
static const char *rsc(const char *state, const char *groups, const char *peer)
{
	static char doc[2048];
	json_t *status;

	snprintf(
	    doc, sizeof(doc),
	    "{\"ok\":true,\"node\":\"srv1\",\"state\":\"%s\",\"groups\":[%s],"
	    "\"nodes\":[{\"name\":\"srv1\",\"self\":true,\"state\":\"%s\"},"
	    "{\"name\":\"srv2\",\"self\":false,\"state\":\"%s\"}]}",
	    state, groups, state, peer);
	status = json_loads(doc, 0, NULL);
	cr_assert(status, "%s", doc);
	snprintf(doc, sizeof(doc), "%s", xhb_hb_rsc_status(status));
	json_decref(status);
	return doc;
}

#define G(pref, owner, held, standby)                                \
	"{\"preferred\":" pref ",\"owner\":" owner ",\"held\":" held \
	",\"standby\":" standby "}"

Test(hbcmd, rscstatus_words)
{
	static const struct {
		const char *state, *groups, *peer, *word;
	} cases[] = {
	    /* the lab: srv1 holds its group; srv2 has none of its own */
	    {"active", G("\"srv1\"", "\"srv1\"", "true", "false"), "up",
	     "local"},
	    {"active", G("\"srv1\"", "\"srv1\"", "true", "false"), "dead",
	     "all"},
	    {"active", G("\"srv1\"", "\"srv2\"", "false", "true"), "up",
	     "none"},
	    /* seen from the node without a group of its own */
	    {"active", G("\"srv2\"", "\"srv2\"", "false", "false"), "up",
	     "local"},
	    {"active", G("\"srv2\"", "\"srv1\"", "true", "false"), "dead",
	     "all"},
	    {"active", G("\"srv2\"", "\"srv1\"", "true", "false"), "up", "all"},
	    {"active", G("\"srv2\"", "\"srv2\"", "false", "true"), "up",
	     "none"},
	    /* one group each */
	    {"active",
	     G("\"srv1\"", "\"srv1\"", "true",
	       "false") "," G("\"srv2\"", "\"srv2\"", "false", "false"),
	     "up", "local"},
	    {"active",
	     G("\"srv1\"", "\"srv1\"", "true",
	       "false") "," G("\"srv2\"", "\"srv1\"", "true", "false"),
	     "up", "all"},
	    {"active",
	     G("\"srv1\"", "\"srv2\"", "false",
	       "true") "," G("\"srv2\"", "\"srv1\"", "true", "false"),
	     "up", "foreign"},
	    {"active",
	     G("\"srv1\"", "\"srv2\"", "false",
	       "true") "," G("\"srv2\"", "\"srv2\"", "false", "false"),
	     "up", "none"},
	    /* a group preferring nobody is foreign to everyone */
	    {"active", G("null", "\"srv1\"", "true", "false"), "up", "all"},
	    /* moving, starting */
	    {"active", G("\"srv1\"", "null", "false", "false"), "up",
	     "transition"},
	    {"init", G("\"srv1\"", "null", "false", "false"), "unknown",
	     "transition"},
	    {"init", G("\"srv1\"", "\"srv1\"", "true", "false"), "up",
	     "transition"},
	    /* held, its scripts still starting or stopping */
	    {"active",
	     "{\"preferred\":\"srv1\",\"owner\":\"srv1\",\"held\":true,"
	     "\"standby\":false,\"phase\":\"starting\"}",
	     "up", "transition"},
	    {"active",
	     "{\"preferred\":\"srv1\",\"owner\":\"srv1\",\"held\":true,"
	     "\"standby\":true,\"phase\":\"stopping\"}",
	     "up", "transition"},
	    /* a blocked group is held, not moving */
	    {"active",
	     "{\"preferred\":\"srv1\",\"owner\":\"srv1\",\"held\":true,"
	     "\"standby\":true,\"phase\":\"stop_failed\"}",
	     "up", "local"},
	    /* our link is down: we let go of everything */
	    {"fault", G("\"srv1\"", "null", "false", "false"), "dead", "none"},
	    {"leaving", G("\"srv2\"", "\"srv2\"", "false", "false"), "up",
	     "none"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_str_eq(
		    rsc(cases[i].state, cases[i].groups, cases[i].peer),
		    cases[i].word, "case %zu: %s %s peer %s", i, cases[i].state,
		    cases[i].groups, cases[i].peer);
}

Test(hbcmd, rscstatus_command)
{
	struct result r;

	agent(lab_status, 0);
	r = RUN("cl_status", "rscstatus");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "local\n");
	r = RUN("cl_status", "rscstatus", "-m");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "This node is holding local resources.\n");
	agent(NULL, -ECONNREFUSED);
	r = RUN("cl_status", "rscstatus");
	cr_expect_eq(r.rc, 1);
	cr_expect_str_eq(r.out, "");
}

/* hb_standby / hb_takeover [all|foreign|local|failback]: what reaches the
 * agent, Heartbeat's usage and exit 1 otherwise. */
Test(hbcmd, standby_takeover_arguments)
{
	static const struct {
		const char *prog, *arg, *request;
	} cases[] = {
	    {"hb_standby", NULL, "{\"cmd\":\"standby\",\"scope\":\"all\"}"},
	    {"hb_standby", "all", "{\"cmd\":\"standby\",\"scope\":\"all\"}"},
	    {"hb_standby", "foreign",
	     "{\"cmd\":\"standby\",\"scope\":\"foreign\"}"},
	    {"hb_standby", "local",
	     "{\"cmd\":\"standby\",\"scope\":\"local\"}"},
	    {"hb_standby", "failback",
	     "{\"cmd\":\"standby\",\"scope\":\"failback\"}"},
	    {"/usr/share/heartbeat/hb_takeover", NULL,
	     "{\"cmd\":\"takeover\",\"scope\":\"all\"}"},
	    {"hb_takeover", "foreign",
	     "{\"cmd\":\"takeover\",\"scope\":\"foreign\"}"},
	    {"hb_takeover", "local",
	     "{\"cmd\":\"takeover\",\"scope\":\"local\"}"},
	    {"hb_takeover", "failback",
	     "{\"cmd\":\"takeover\",\"scope\":\"failback\"}"},
	};
	struct result r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *prog = (char *)cases[i].prog, *arg = (char *)cases[i].arg;

		agent("{\"ok\":true,\"scope\":\"all\",\"groups\":1}", 0);
		r = arg ? RUN(prog, arg) : RUN(prog);
		cr_expect_eq(r.rc, 0, "%s %s", prog, arg ?: "");
		cr_expect_str_eq(last_request, cases[i].request, "%s %s", prog,
				 arg ?: "");
		/* silent, as Heartbeat's scripts */
		cr_expect_str_eq(r.out, "");
		cr_expect_str_eq(r.err, "");
	}

	agent("{\"ok\":true}", 0);
	r = RUN("hb_standby", "everything");
	cr_expect_eq(r.rc, 1);
	cr_expect_str_eq(r.out,
			 "hb_standby: wrong resources(everything).\nusage:\n");
	cr_expect_str_eq(r.err, "hb_standby [all|foreign|local|failback]\n");
	r = RUN("/usr/share/heartbeat/hb_takeover", "all", "now");
	cr_expect_eq(r.rc, 1);
	cr_expect_str_eq(
	    r.out,
	    "/usr/share/heartbeat/hb_takeover: too many arguments\nusage:\n");
	cr_expect_str_eq(
	    r.err,
	    "/usr/share/heartbeat/hb_takeover [all|foreign|local|failback]\n");
	r = RUN("hb_takeover", "--help");
	cr_expect_eq(r.rc, 1);
	cr_expect_str_eq(r.out, "usage:\n");
	r = RUN("hb_standby", "--help");
	cr_expect_eq(r.rc, 1);
	cr_expect_eq(asked, 0, "a wrong argument reached the agent");

	agent(NULL, -ENOENT);
	r = RUN("hb_standby");
	cr_expect_eq(r.rc, 1);
	cr_expect(strstr(r.err, "is xhbd running?"), "%s", r.err);
	agent("{\"ok\":false,\"error\":\"permission denied: uid 65534 is not "
	      "root\"}",
	      0);
	r = RUN("hb_takeover");
	cr_expect_eq(r.rc, 1);
	cr_expect(strstr(r.err, "not root"), "%s", r.err);

	cr_expect(xhb_hb_is_command("cl_status"));
	cr_expect(xhb_hb_is_command("hb_standby"));
	cr_expect(xhb_hb_is_command("hb_takeover"));
	cr_expect(!xhb_hb_is_command("xhbctl"));
}

/* hb_addnode / hb_delnode NODE...: one request a node, in turn; the first
 * refusal stops them. */
Test(hbcmd, addnode_delnode)
{
	struct result r;

	agent("{\"ok\":true}", 0);
	r = RUN("hb_addnode", "srv4");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(last_request,
			 "{\"cmd\":\"node\",\"name\":\"srv4\",\"op\":\"add\"}");
	cr_expect_str_eq(r.out, "");
	cr_expect_str_eq(r.err, "");
	r = RUN("/usr/share/heartbeat/hb_delnode", "srv4", "srv5");
	cr_expect_eq(r.rc, 0);
	cr_expect_eq(asked, 3);
	cr_expect_str_eq(last_request,
			 "{\"cmd\":\"node\",\"name\":\"srv5\",\"op\":\"remove\"}");

	agent("{\"ok\":false,\"error\":\"srv4 is alive: stop xhbd on it first\"}", 0);
	r = RUN("hb_delnode", "srv4", "srv5");
	cr_expect_eq(r.rc, 1);
	cr_expect_eq(asked, 1, "the first refusal stops them");
	cr_expect_str_eq(r.err, "hb_delnode: srv4: the agent refused: srv4 is alive: "
				"stop xhbd on it first\n");

	r = RUN("hb_addnode");
	cr_expect_eq(r.rc, 1);
	cr_expect_str_eq(r.err, "usage: hb_addnode [--help] node1 [node2 ...]\n");
	r = RUN("hb_addnode", "--help");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "usage: hb_addnode [--help] node1 [node2 ...]\n");
	cr_expect_eq(asked, 1, "usage reached the agent");

	agent(NULL, -ENOENT);
	r = RUN("hb_addnode", "srv4");
	cr_expect_eq(r.rc, 1);
	cr_expect(strstr(r.err, "cannot reach the agent"), "%s", r.err);
	cr_expect(xhb_hb_is_command("hb_addnode"));
	cr_expect(xhb_hb_is_command("hb_delnode"));
}

/* A peer's link is up while something of it came within the window. */
Test(hbcmd, link_rule)
{
	const __u64 now = 1000000000000ULL, window = 4000000; /* 4 ms */
	struct xhb_peer seen = {0};

	cr_expect(!xhb_status_link_up(&seen, now, window), "never heard");
	seen.last_heartbeat_ns = now - 2000000000ULL;
	cr_expect(!xhb_status_link_up(&seen, now, window), "old heartbeat");
	seen.last_reply_ns = now - window;
	cr_expect(xhb_status_link_up(&seen, now, window), "reply at the edge");
	seen.last_reply_ns = now - window - 1;
	cr_expect(!xhb_status_link_up(&seen, now, window),
		  "reply past the edge");
	seen.last_probe_ns = now - 1000;
	cr_expect(xhb_status_link_up(&seen, now, window), "its probe");
	seen.last_probe_ns = 0;
	seen.last_heartbeat_ns = now + 5;
	cr_expect(xhb_status_link_up(&seen, now, window), "stamped after now");
}
