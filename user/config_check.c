// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * config_check: ha.cf's `check` lines, xhb's service checks, in the file's
 * own style (a directive, words, Heartbeat's times):
 *
 *   check NAME http URL       [OPTIONS]
 *   check NAME tcp HOST:PORT  [OPTIONS]
 *   check NAME exec PATH [ARGS...] [OPTIONS]
 *   check NAME resource NAME  [OPTIONS]
 *   OPTIONS: interval T, timeout T, fall N, rise N, groups G[,G...]
 *
 * URL is http://HOST[:PORT][/PATH]; HOST is a literal address (an IPv6
 * one in brackets) or localhost: loading resolves no names, and a check
 * must never wait on a resolver. An exec check's arguments end at the
 * first option word. `groups` names haresources groups by number (as
 * `xhbctl status` shows them), by one of their addresses, or by one of
 * their resources (`apache`); it is resolved once haresources is read
 * (cfg_checks_finish). What a check does at run time: check.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "config_lex.h"

#define DEFAULT_INTERVAL_NS NS_PER_SEC
#define DEFAULT_FALL 3
#define DEFAULT_RISE 3
#define MAX_COUNT 1000

static const char *const option_words[] = {"interval", "timeout", "fall",
					    "rise", "groups"};

static bool is_option(const char *word)
{
	for (size_t i = 0; i < ARRAY_LEN(option_words); i++)
		if (!strcmp(word, option_words[i]))
			return true;
	return false;
}

/* HOST or [HOST6]: a literal address, or localhost. */
static int parse_host(const char *text, size_t len, struct xhb_check_cfg *c)
{
	char host[64];

	if (len && text[0] == '[') {
		if (len < 3 || text[len - 1] != ']')
			return -EINVAL;
		text++;
		len -= 2;
		if (len >= sizeof(host))
			return -EINVAL;
		memcpy(host, text, len);
		host[len] = '\0';
		if (cfg_parse_addr(host, &c->family, &c->addr) ||
		    c->family != AF_INET6)
			return -EINVAL;
		return 0;
	}
	if (!len || len >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, len);
	host[len] = '\0';
	if (!strcasecmp(host, "localhost"))
		cfg_copy_str(host, sizeof(host), "127.0.0.1");
	if (cfg_parse_addr(host, &c->family, &c->addr) ||
	    c->family != AF_INET)
		return -EINVAL;
	return 0;
}

/* HOST:PORT or [HOST6]:PORT; port 0 means "none given" when optional. */
static int parse_host_port(const char *text, bool port_optional,
			   struct xhb_check_cfg *c)
{
	const char *colon = text[0] == '[' ? strchr(text, ']') : strrchr(text, ':');
	unsigned long long port;
	size_t hostlen;

	if (text[0] == '[') {
		if (!colon)
			return -EINVAL;
		colon = colon[1] == ':' ? colon + 1 : colon[1] ? NULL : colon + 1;
		if (!colon)
			return -EINVAL;
	}
	if (!colon || !*colon) {
		if (!port_optional)
			return -EINVAL;
		return parse_host(text, strlen(text), c);
	}
	hostlen = (size_t)(colon - text);
	if (parse_host(text, hostlen, c))
		return -EINVAL;
	if (!colon[1] && port_optional)
		return 0;
	if (cfg_parse_uint(colon + 1, 1, 65535, &port))
		return -EINVAL;
	c->port = (__u16)port;
	return 0;
}

static int parse_url(struct loader *ld, unsigned int line,
		     struct xhb_check_cfg *c, const char *url)
{
	const char *hostpart, *slash;
	char authority[XHB_NAME_MAX];
	size_t len;

	if (!strncasecmp(url, "https://", 8))
		return cfg_fail(ld, line, EINVAL,
				"check %s: https is not supported: check the "
				"service over http on its own address, or use "
				"tcp or exec",
				c->name);
	if (strncasecmp(url, "http://", 7))
		return cfg_fail(ld, line, EINVAL,
				"check %s: bad URL '%s': use http://HOST[:PORT]/PATH",
				c->name, url);
	hostpart = url + 7;
	slash = strchr(hostpart, '/');
	len = slash ? (size_t)(slash - hostpart) : strlen(hostpart);
	if (len >= sizeof(authority))
		return cfg_fail(ld, line, EINVAL, "check %s: host too long in '%s'",
				c->name, url);
	memcpy(authority, hostpart, len);
	authority[len] = '\0';
	c->port = 80;
	if (parse_host_port(authority, true, c))
		return cfg_fail(ld, line, EINVAL,
				"check %s: bad host in '%s': use a literal "
				"address (127.0.0.1, [::1]) or localhost, with "
				"an optional :PORT; xhb does not resolve host names",
				c->name, url);
	cfg_copy_str(c->host, sizeof(c->host), authority);
	if (strlen(slash ? slash : "/") >= sizeof(c->path))
		return cfg_fail(ld, line, EINVAL, "check %s: path too long in '%s'",
				c->name, url);
	cfg_copy_str(c->path, sizeof(c->path), slash ? slash : "/");
	for (const char *p = c->path; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return cfg_fail(ld, line, EINVAL,
					"check %s: the URL's path has a space or "
					"control character: encode it (%%20)",
					c->name);
	return 0;
}

static int parse_exec(struct loader *ld, unsigned int line,
		      struct xhb_check_cfg *c, char **v, int n, int *used)
{
	struct stat st;
	int i;

	if (v[0][0] != '/')
		return cfg_fail(ld, line, EINVAL,
				"check %s: exec needs an absolute path, not '%s'",
				c->name, v[0]);
	if (stat(v[0], &st) || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return cfg_fail(ld, line, ENOENT,
				"check %s: %s is not an executable file",
				c->name, v[0]);
	for (i = 1; i < n && !is_option(v[i]); i++) {
		if (c->nargs >= XHB_CONFIG_MAX_ARGS)
			return cfg_fail(ld, line, EINVAL,
					"check %s: too many arguments (max %d)",
					c->name, XHB_CONFIG_MAX_ARGS);
		if (strlen(v[i]) >= XHB_ARG_MAX)
			return cfg_fail(ld, line, EINVAL,
					"check %s: argument longer than %d characters",
					c->name, XHB_ARG_MAX - 1);
		cfg_copy_str(c->args[c->nargs++], XHB_ARG_MAX, v[i]);
	}
	*used = i;
	return 0;
}

static int parse_option(struct loader *ld, unsigned int line,
			struct xhb_check_cfg *c, const char *word,
			const char *value)
{
	unsigned long long count;
	__u64 *time = NULL;

	if (!strcmp(word, "interval"))
		time = &c->interval_ns;
	else if (!strcmp(word, "timeout"))
		time = &c->timeout_ns;
	if (time) {
		if (xhb_config_parse_time(value, time) || *time < 1000000ULL ||
		    *time > 3600 * NS_PER_SEC)
			return cfg_fail(ld, line, EINVAL,
					"check %s: bad %s '%s': a time from 1ms "
					"to 1h (500ms, 2s)",
					c->name, word, value);
		return 0;
	}
	if (!strcmp(word, "fall") || !strcmp(word, "rise")) {
		if (cfg_parse_uint(value, 1, MAX_COUNT, &count))
			return cfg_fail(ld, line, EINVAL,
					"check %s: bad %s '%s': expected an "
					"integer in 1..%d",
					c->name, word, value, MAX_COUNT);
		*(word[0] == 'f' ? &c->fall : &c->rise) = (unsigned int)count;
		return 0;
	}
	/* groups */
	if (strlen(value) >= sizeof(c->groups_spec))
		return cfg_fail(ld, line, EINVAL, "check %s: groups too long",
				c->name);
	cfg_copy_str(c->groups_spec, sizeof(c->groups_spec), value);
	return 0;
}

int cfg_check_parse(struct loader *ld, const struct directive *d,
		    unsigned int line, char **v, int n)
{
	struct xhb_config *cfg = ld->cfg;
	struct xhb_check_cfg *c;
	int i, used = 1, err;

	(void)d;
	if (cfg->nchecks >= XHB_CONFIG_MAX_CHECKS)
		return cfg_fail(ld, line, EINVAL, "check: too many checks (max %d)",
				XHB_CONFIG_MAX_CHECKS);
	if (strlen(v[0]) >= XHB_NAME_MAX)
		return cfg_fail(ld, line, EINVAL,
				"check: name '%s' longer than %d characters", v[0],
				XHB_NAME_MAX - 1);
	for (const char *p = v[0]; *p; p++)
		if (!(p[0] >= 'a' && p[0] <= 'z') && !(p[0] >= 'A' && p[0] <= 'Z') &&
		    !(p[0] >= '0' && p[0] <= '9') && !strchr("_-.", p[0]))
			return cfg_fail(ld, line, EINVAL,
					"check: bad name '%s': letters, digits, "
					"'_', '-' and '.' only",
					v[0]);
	for (unsigned int k = 0; k < cfg->nchecks; k++)
		if (!strcmp(cfg->checks[k].name, v[0]))
			return cfg_fail(ld, line, EINVAL,
					"check %s given twice (first at line %u)",
					v[0], cfg->checks[k].line);
	c = &cfg->checks[cfg->nchecks];
	memset(c, 0, sizeof(*c));
	cfg_copy_str(c->name, sizeof(c->name), v[0]);
	c->line = line;
	c->fall = DEFAULT_FALL;
	c->rise = DEFAULT_RISE;
	if (strlen(v[2]) >= sizeof(c->target))
		return cfg_fail(ld, line, EINVAL, "check %s: '%s' too long",
				c->name, v[2]);
	cfg_copy_str(c->target, sizeof(c->target), v[2]);
	if (!strcmp(v[1], "http")) {
		c->kind = XHB_CHECK_HTTP;
		err = parse_url(ld, line, c, v[2]);
	} else if (!strcmp(v[1], "tcp")) {
		c->kind = XHB_CHECK_TCP;
		err = parse_host_port(v[2], false, c)
			  ? cfg_fail(ld, line, EINVAL,
				     "check %s: bad tcp target '%s': use "
				     "ADDRESS:PORT (127.0.0.1:80, [::1]:80); xhb "
				     "does not resolve host names",
				     c->name, v[2])
			  : 0;
	} else if (!strcmp(v[1], "resource")) {
		c->kind = XHB_CHECK_RESOURCE;
		err = 0; /* found once haresources is read */
	} else if (!strcmp(v[1], "exec")) {
		c->kind = XHB_CHECK_EXEC;
		err = parse_exec(ld, line, c, v + 2, n - 2, &used);
	} else {
		return cfg_fail(ld, line, EINVAL,
				"check %s: unknown kind '%s' (use http, tcp, exec or resource)",
				c->name, v[1]);
	}
	if (err)
		return err;
	for (i = 2 + used; i < n; i += 2) {
		if (!is_option(v[i]))
			return cfg_fail(ld, line, EINVAL,
					"check %s: unknown option '%s' (interval, "
					"timeout, fall, rise, groups)",
					c->name, v[i]);
		if (i + 1 >= n)
			return cfg_fail(ld, line, EINVAL,
					"check %s: %s needs a value", c->name, v[i]);
		err = parse_option(ld, line, c, v[i], v[i + 1]);
		if (err)
			return err;
	}
	if (!c->interval_ns)
		c->interval_ns = DEFAULT_INTERVAL_NS;
	if (!c->timeout_ns)
		c->timeout_ns = c->interval_ns;
	cfg->nchecks++;
	return 0;
}

/* Group g is named by word: its number, one of its addresses, or one of
 * its resources (the agent's name, or the resource as written). */
bool cfg_names_group(const struct xhb_group *grp, unsigned int g,
			const char *word)
{
	unsigned long long number;
	union xhb_addr addr;
	int family;

	if (!cfg_parse_uint(word, 0, XHB_MAX_GROUPS - 1, &number))
		return number == g;
	if (!cfg_parse_addr(word, &family, &addr)) {
		for (unsigned int r = 0; r < grp->nresources; r++) {
			const struct xhb_resource *res = &grp->resources[r];

			if (res->kind == XHB_RES_ADDRESS && res->family == family &&
			    !memcmp(&res->addr, &addr,
				    family == AF_INET ? sizeof(addr.v4)
						      : sizeof(addr.v6)))
				return true;
		}
		return false;
	}
	for (unsigned int r = 0; r < grp->nresources; r++)
		if (!strcmp(grp->resources[r].agent, word) ||
		    !strcmp(grp->resources[r].spec, word))
			return true;
	return false;
}

unsigned int xhb_config_groups_named(const struct xhb_config *cfg,
				     const char *word, struct xhb_gset *out)
{
	*out = (struct xhb_gset){{0}};
	for (unsigned int g = 0; g < cfg->ngroups; g++)
		if (cfg_names_group(&cfg->groups[g], g, word))
			xhb_gset_add(out, g);
	return xhb_gset_count(out);
}

/* A resource check's script: the first resource of haresources whose
 * name (or whole spec) is the check's target. */
static int find_resource(struct loader *ld, struct xhb_check_cfg *c)
{
	const struct xhb_config *cfg = ld->cfg;

	for (unsigned int g = 0; g < cfg->ngroups; g++)
		for (unsigned int r = 0; r < cfg->groups[g].nresources; r++) {
			const struct xhb_resource *res = &cfg->groups[g].resources[r];

			if (res->kind == XHB_RES_SCRIPT &&
			    (!strcmp(res->agent, c->target) ||
			     !strcmp(res->spec, c->target))) {
				c->res_group = (int)g;
				c->res_index = (int)r;
				return 0;
			}
		}
	return cfg_fail(ld, c->line, EINVAL,
			"check %s: no resource '%s' in haresources (a script "
			"resource, named as there: apache, or apache::ARGS)",
			c->name, c->target);
}

int cfg_checks_finish(struct loader *ld)
{
	struct xhb_config *cfg = ld->cfg;
	struct xhb_gset all = xhb_gset_first(cfg->ngroups);

	for (unsigned int k = 0; k < cfg->nchecks; k++) {
		struct xhb_check_cfg *c = &cfg->checks[k];
		char spec[XHB_SPEC_MAX], *words[XHB_MAX_GROUPS + 1];
		int n;

		c->res_group = c->res_index = -1;
		if (c->kind == XHB_CHECK_RESOURCE && find_resource(ld, c))
			return -EINVAL;
		if (!c->groups_spec[0]) {
			/* a resource check guards its own group */
			c->groups = all;
			if (c->kind == XHB_CHECK_RESOURCE) {
				c->groups = (struct xhb_gset){{0}};
				xhb_gset_add(&c->groups, (unsigned int)c->res_group);
			}
			continue;
		}
		cfg_copy_str(spec, sizeof(spec), c->groups_spec);
		n = cfg_split(spec, ",", words, XHB_MAX_GROUPS);
		if (n <= 0)
			return cfg_fail(ld, c->line, EINVAL,
					"check %s: bad groups '%s'", c->name,
					c->groups_spec);
		for (int w = 0; w < n; w++) {
			struct xhb_gset found;

			if (!xhb_config_groups_named(cfg, words[w], &found))
				return cfg_fail(
				    ld, c->line, EINVAL,
				    "check %s: groups: '%s' names no haresources "
				    "group (use a group's number, one of its "
				    "addresses or one of its resources)",
				    c->name, words[w]);
			c->groups = xhb_gset_or(c->groups, &found);
		}
	}
	return 0;
}
