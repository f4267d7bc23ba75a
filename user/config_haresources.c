// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * config_haresources: reads DIR/haresources as Heartbeat's
 * ResourceManager does: one line (joined by a trailing '\') a group,
 * "NODE RESOURCE...", each resource an address (IPaddr, IPaddr2,
 * IPv6addr, or a bare IPv4 address) or a script resolved by
 * resource_agent.c (resource.d, OCF, init.d, systemd). Addresses get their
 * labels here.
 * Offers cfg_haresources_load() (config_lex.h) to xhb_config_load(),
 * which calls it once ha.cf has named the nodes.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "config_lex.h"
#include "resource_agent.h"

static bool addr_equal(int fa, const union xhb_addr *a, int fb,
		       const union xhb_addr *b)
{
	if (fa != fb)
		return false;
	if (fa == AF_INET)
		return a->v4.s_addr == b->v4.s_addr;
	return !memcmp(&a->v6, &b->v6, sizeof(a->v6));
}

/* Splits an address resource's argument on '/' into field[] (at most max
 * fields, none empty, so field[] holds max + 1) and reads the first two:
 * a unicast address of family and its prefix length (IPv4: or a netmask).
 * The number of fields, or -errno; usage is the form, for the messages. */
static int address_fields(struct loader *ld, struct xhb_resource *r, int family,
			  char *arg, char **field, int max, const char *usage)
{
	int nfields = 0;
	bool unicast;

	while (arg && nfields <= max)
		field[nfields++] = strsep(&arg, "/");
	if (arg || nfields > max)
		return cfg_fail(ld, r->line, EINVAL,
				"%s: too many '/' fields (use %s)", r->spec,
				usage);
	for (int i = 0; i < nfields; i++)
		if (!*field[i])
			return cfg_fail(ld, r->line, EINVAL,
					"%s: empty field (use %s)", r->spec,
					usage);
	r->family = family;
	if (inet_pton(family, field[0], &r->addr) != 1)
		return cfg_fail(
		    ld, r->line, EINVAL, "bad %s address '%s' in %s",
		    family == AF_INET ? "IPv4" : "IPv6", field[0], r->spec);
	if (family == AF_INET) {
		__u32 host = ntohl(r->addr.v4.s_addr);

		unicast = host && (host >> 24) != 127 && host < 0xe0000000U;
	} else {
		unicast = !IN6_IS_ADDR_UNSPECIFIED(&r->addr.v6) &&
			  !IN6_IS_ADDR_LOOPBACK(&r->addr.v6) &&
			  !IN6_IS_ADDR_MULTICAST(&r->addr.v6);
	}
	if (!unicast)
		return cfg_fail(ld, r->line, EINVAL,
				"%s in %s is not a unicast address", field[0],
				r->spec);
	if (nfields > 1) {
		unsigned long long bits = 0;
		struct in_addr mask;
		__u32 m;

		/* Bits, or for IPv4 a netmask: contiguous ones from the top,
		 * at least one. */
		if (cfg_parse_uint(field[1], 1, family == AF_INET ? 32 : 128,
				   &bits) == 0)
			r->prefix_len = (__u8)bits;
		else if (family == AF_INET &&
			 inet_pton(AF_INET, field[1], &mask) == 1 &&
			 (m = ntohl(mask.s_addr)) && !(~m & (~m + 1)))
			r->prefix_len = (__u8)__builtin_popcount(m);
		else
			return cfg_fail(
			    ld, r->line, EINVAL,
			    "bad prefix '%s' in %s (use %s)", field[1], r->spec,
			    family == AF_INET ? "1..32 or a netmask like "
						"255.255.0.0"
					      : "1..128");
	}
	return nfields;
}

static int set_iface(struct loader *ld, struct xhb_resource *r,
		     const char *name)
{
	if (!cfg_valid_ifname(name))
		return cfg_fail(ld, r->line, EINVAL,
				"%s: bad interface name '%s'", r->spec, name);
	cfg_copy_str(r->iface, sizeof(r->iface), name);
	return 0;
}

/* ip[/netmask[/iface[:label]][/broadcast]], netmask as bits or dotted,
 * a third field starting with a digit being the broadcast: the forms
 * Heartbeat's IPaddr and IPaddr2 wrappers split. */
static int parse_ipv4_resource(struct loader *ld, struct xhb_resource *r,
			       char *arg)
{
	char *field[5], *label;
	int nfields, err;

	nfields = address_fields(ld, r, AF_INET, arg, field, 4,
				 "ip[/prefix[/iface[/broadcast]]]");
	if (nfields < 0)
		return nfields;
	if (nfields > 2 && isdigit((unsigned char)field[2][0])) {
		if (nfields > 3)
			return cfg_fail(
			    ld, r->line, EINVAL,
			    "%s: '%s' looks like a broadcast address "
			    "but more follows",
			    r->spec, field[2]);
		field[3] = field[2];
		nfields = 4;
	} else if (nfields > 2) {
		/* iface:label (IPaddr2's form) names the label itself */
		label = strchr(field[2], ':');
		if (label) {
			if (!label[1] || strlen(field[2]) >= IFNAMSIZ)
				return cfg_fail(
				    ld, r->line, EINVAL,
				    "%s: bad label '%s' (iface:label, "
				    "%d characters at most)",
				    r->spec, field[2], IFNAMSIZ - 1);
			cfg_copy_str(r->label, sizeof(r->label), field[2]);
			*label = '\0';
		}
		err = set_iface(ld, r, field[2]);
		if (err)
			return err;
	}
	if (nfields > 3 && inet_pton(AF_INET, field[3], &r->broadcast) != 1)
		return cfg_fail(ld, r->line, EINVAL,
				"bad broadcast address '%s' in %s", field[3],
				r->spec);
	return 0;
}

/* addr[/prefix[/iface]], as Heartbeat's IPv6addr wrapper splits it. */
static int parse_ipv6_resource(struct loader *ld, struct xhb_resource *r,
			       char *arg)
{
	char *field[4];
	int nfields;

	nfields = address_fields(ld, r, AF_INET6, arg, field, 3,
				 "addr[/prefix[/iface]]");
	if (nfields < 0)
		return nfields;
	return nfields > 2 ? set_iface(ld, r, field[2]) : 0;
}

/* NAME::arg1::arg2, resolved by resource_agent.c's rule. */
static int parse_script_resource(struct loader *ld, struct xhb_resource *r,
				 char *args)
{
	struct xhb_config *cfg = ld->cfg;
	struct xhb_ra_dirs dirs;
	char msg[3 * XHB_PATH_MAX];
	int err;

	/* Heartbeat turns '::' into spaces and lets the shell split: empty
	 * arguments vanish. */
	while (args && *args) {
		char *sep = strstr(args, "::"), *arg = args;

		if (sep) {
			*sep = '\0';
			args = sep + 2;
		} else {
			args = NULL;
		}
		if (!*arg)
			continue;
		if (r->nargs >= XHB_CONFIG_MAX_ARGS)
			return cfg_fail(ld, r->line, EINVAL,
					"%s: too many arguments (max %d)",
					r->spec, XHB_CONFIG_MAX_ARGS);
		if (strlen(arg) >= XHB_ARG_MAX)
			return cfg_fail(
			    ld, r->line, EINVAL,
			    "%s: argument longer than %d characters", r->spec,
			    XHB_ARG_MAX - 1);
		cfg_copy_str(r->args[r->nargs++], XHB_ARG_MAX, arg);
	}

	if (xhb_ra_dirs_default(&dirs, cfg->dir, cfg->ocf_root))
		return cfg_fail(ld, r->line, ENAMETOOLONG,
				"path of resource script %s too long",
				r->agent);
	err = xhb_ra_resolve(&dirs, r, msg, sizeof(msg));
	return err ? cfg_fail(ld, r->line, -err, "%s", msg) : 0;
}

/* ResourceManager's isip: [0-9]*.[0-9]*.[0-9]*.[0-9]* as a shell glob. */
static bool looks_like_ipv4(const char *s)
{
	int dots = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		dots += *s == '.';
	return dots >= 3;
}

static int parse_resource(struct loader *ld, struct xhb_resource *r,
			  const char *token, unsigned int line)
{
	char buf[XHB_SPEC_MAX], *sep, *arg = NULL;

	memset(r, 0, sizeof(*r));
	r->line = line;
	if (strlen(token) >= XHB_SPEC_MAX)
		return cfg_fail(ld, line, EINVAL,
				"resource longer than %d characters",
				XHB_SPEC_MAX - 1);
	cfg_copy_str(r->spec, sizeof(r->spec), token);
	cfg_copy_str(buf, sizeof(buf), token);

	sep = strstr(buf, "::");
	if (sep) {
		*sep = '\0';
		arg = sep + 2;
	} else if (looks_like_ipv4(buf)) {
		arg = buf;
		snprintf(r->agent, sizeof(r->agent), "IPaddr");
	}
	if (!r->agent[0]) {
		if (strlen(buf) >= XHB_NAME_MAX)
			return cfg_fail(
			    ld, line, EINVAL,
			    "resource name longer than %d characters "
			    "in %s",
			    XHB_NAME_MAX - 1, r->spec);
		cfg_copy_str(r->agent, sizeof(r->agent), buf);
	}

	if (!strcmp(r->agent, "IPaddr") || !strcmp(r->agent, "IPaddr2")) {
		r->kind = XHB_RES_ADDRESS;
		if (!arg || !*arg)
			return cfg_fail(ld, line, EINVAL,
					"%s needs an address: %s::ip[/prefix"
					"[/iface[/broadcast]]]",
					r->agent, r->agent);
		if (strstr(arg, "::"))
			return cfg_fail(ld, line, EINVAL,
					"%s takes one argument: %s::ip[/prefix"
					"[/iface[/broadcast]]]",
					r->agent, r->agent);
		return parse_ipv4_resource(ld, r, arg);
	}
	if (!strcmp(r->agent, "IPv6addr")) {
		/* Everything after the name, since the address itself may
		 * hold '::'. */
		r->kind = XHB_RES_ADDRESS;
		if (!arg || !*arg)
			return cfg_fail(ld, line, EINVAL,
					"IPv6addr needs an address: "
					"IPv6addr::addr[/prefix[/iface]]");
		return parse_ipv6_resource(ld, r, arg);
	}
	r->kind = XHB_RES_SCRIPT;
	return parse_script_resource(ld, r, arg);
}

/* Address labels like Heartbeat's IPaddr gave them, ens192:0, ens192:1...,
 * numbered per interface in file order, skipping labels written out. */
/* The first resource labelled label, in file order, among those before
 * stop (NULL: among all). */
static const struct xhb_resource *labelled(const struct xhb_config *cfg,
					   const char *label,
					   const struct xhb_resource *stop)
{
	for (unsigned int g = 0; g < cfg->ngroups; g++) {
		for (unsigned int i = 0; i < cfg->groups[g].nresources; i++) {
			const struct xhb_resource *o =
			    &cfg->groups[g].resources[i];

			if (o == stop)
				return NULL;
			if (!strcmp(o->label, label))
				return o;
		}
	}
	return NULL;
}

static int assign_labels(struct loader *ld)
{
	struct xhb_config *cfg = ld->cfg;
	unsigned int g, i;

	/* Written-out labels first: two of them may not collide. */
	for (g = 0; g < cfg->ngroups; g++) {
		for (i = 0; i < cfg->groups[g].nresources; i++) {
			const struct xhb_resource *r =
			    &cfg->groups[g].resources[i];
			const struct xhb_resource *o;

			if (!r->label[0])
				continue;
			o = labelled(cfg, r->label, r);
			if (o)
				return cfg_fail(ld, r->line, EINVAL,
						"label %s of %s already used "
						"by %s (line %u)",
						r->label, r->spec, o->spec,
						o->line);
		}
	}
	for (g = 0; g < cfg->ngroups; g++) {
		for (i = 0; i < cfg->groups[g].nresources; i++) {
			struct xhb_resource *r = &cfg->groups[g].resources[i];
			char label[IFNAMSIZ + 16];
			int number = 0;

			if (r->kind != XHB_RES_ADDRESS ||
			    r->family != AF_INET || !r->iface[0] || r->label[0])
				continue;
			do
				snprintf(label, sizeof(label), "%s:%d",
					 r->iface, number++);
			while (labelled(cfg, label, NULL));
			if (strlen(label) >= IFNAMSIZ)
				return cfg_fail(
				    ld, r->line, EINVAL,
				    "%s: label %s longer than %d "
				    "characters: give a shorter one "
				    "(iface:label)",
				    r->spec, label, IFNAMSIZ - 1);
			cfg_copy_str(r->label, sizeof(r->label), label);
		}
	}
	return 0;
}

/* Nobody may declare the same address twice, nor start two groups with
 * the same resource (Heartbeat uses the first one as the group's key). */
static int check_duplicates(struct loader *ld, const struct xhb_group *grp,
			    const struct xhb_resource *r)
{
	struct xhb_config *cfg = ld->cfg;
	unsigned int g, i;

	for (g = 0; g < cfg->ngroups; g++) {
		const struct xhb_group *other = &cfg->groups[g];

		for (i = 0; i < other->nresources; i++) {
			const struct xhb_resource *o = &other->resources[i];

			if (o == r)
				return 0;
			if (r->kind == XHB_RES_ADDRESS &&
			    o->kind == XHB_RES_ADDRESS &&
			    addr_equal(r->family, &r->addr, o->family,
				       &o->addr))
				return cfg_fail(ld, r->line, EINVAL,
						"address of %s already in %s "
						"(line %u)",
						r->spec, o->spec, o->line);
			if (i == 0 && r == &grp->resources[0] &&
			    !strcmp(r->spec, o->spec))
				return cfg_fail(
				    ld, r->line, EINVAL,
				    "%s already starts the group at "
				    "line %u: the first resource of "
				    "each line must be unique",
				    r->spec, other->line);
		}
	}
	return 0;
}

struct token {
	char *text;
	unsigned int line;
};

/*
 * The node field: a node (the preferred one), `auto` (placed over every
 * node) or a list NAME,NAME,... (placed over those): *allowed gets the
 * nodes that may run the group, *node the preferred one or -1.
 */
static int node_field(struct loader *ld, const struct token *t, char *name,
		      int *node, __u64 *allowed)
{
	struct xhb_config *cfg = ld->cfg;
	char *word[XHB_CONFIG_MAX_NODES + 1], list[XHB_NAME_MAX];
	int n, i;

	if (strlen(t->text) >= XHB_NAME_MAX)
		return cfg_fail(ld, t->line, EINVAL,
				"node field '%s' longer than %d characters",
				t->text, XHB_NAME_MAX - 1);
	cfg_copy_str(name, XHB_NAME_MAX, t->text);
	cfg_lowercase(name); /* ResourceManager lowercases the node field too */
	*node = -1;
	if (!strcmp(name, "auto")) {
		*allowed = cfg->nnodes >= 64 ? ~0ULL
					     : (1ULL << cfg->nnodes) - 1;
		return 0;
	}
	cfg_copy_str(list, sizeof(list), name); /* split in place */
	n = cfg_split(list, ",", word, XHB_CONFIG_MAX_NODES);
	if (n < 1)
		return cfg_fail(ld, t->line, EINVAL,
				"bad node field '%s': a node, auto, or nodes "
				"separated by commas",
				t->text);
	*allowed = 0;
	for (i = 0; i < n; i++) {
		int idx = xhb_config_node_index(cfg, word[i]);

		if (idx < 0)
			return cfg_fail(ld, t->line, EINVAL,
					"%s is not a node of %s (declare it "
					"there with 'node %s')",
					word[i], cfg->hacf_path, word[i]);
		if (*allowed & (1ULL << idx))
			return cfg_fail(ld, t->line, EINVAL,
					"%s named twice in '%s'", word[i],
					t->text);
		*allowed |= 1ULL << idx;
	}
	if (n == 1 && !strchr(name, ',')) { /* Heartbeat's: any node may */
		*node = xhb_config_node_index(cfg, word[0]);
		*allowed = ~0ULL;
	}
	return 0;
}

/* The placement key of a group: its resources as written, so that it
 * stays the same whatever the order of the lines or of the nodes. */
static __u64 place_key(const struct token *tok, int n)
{
	char text[4096];
	size_t len = 0;

	for (int i = 1; i < n && len < sizeof(text) - 1; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s",
					i > 1 ? " " : "", tok[i].text);
	if (len >= sizeof(text))
		len = sizeof(text) - 1;
	return cfg_siphash(XHB_GROUP_KEY, text, len);
}

static int haresources_group(struct loader *ld, struct token *tok, int n,
			     unsigned int overflow_line)
{
	struct xhb_config *cfg = ld->cfg;
	struct xhb_group *grp;
	char name[XHB_NAME_MAX];
	__u64 allowed = 0;
	int i, err, node;

	err = node_field(ld, &tok[0], name, &node, &allowed);
	if (err)
		return err;
	if (n < 2)
		return cfg_fail(ld, tok[0].line, EINVAL,
				"node %s has no resources on its line", name);
	if (cfg->ngroups >= XHB_MAX_GROUPS)
		return cfg_fail(ld, tok[0].line, EINVAL,
				"too many resource groups (max %d lines)",
				XHB_MAX_GROUPS);
	if (overflow_line)
		return cfg_fail(ld, overflow_line, EINVAL,
				"too many resources in one group (max %d)",
				XHB_CONFIG_MAX_GROUP_RESOURCES);

	grp = &cfg->groups[cfg->ngroups++];
	memset(grp, 0, sizeof(*grp));
	cfg_copy_str(grp->node, sizeof(grp->node), name);
	grp->node_index = node;
	grp->placed = node < 0;
	grp->allowed = allowed;
	grp->place_key = place_key(tok, n);
	grp->line = tok[0].line;
	for (i = 1; i < n; i++) {
		struct xhb_resource *r = &grp->resources[grp->nresources++];

		err = parse_resource(ld, r, tok[i].text, tok[i].line);
		err = err ?: check_duplicates(ld, grp, r);
		if (err)
			return err;
	}
	return 0;
}

/* The whole file, NUL-terminated, so that tokens of a logical line can
 * point into it across physical lines. */
static int slurp(struct loader *ld, char **data)
{
	size_t len = 0, cap = 0;
	struct reader r;
	struct stat st;
	char *nul;
	int err;

	*data = NULL;
	err = cfg_open(ld, &r, &st);
	while (!err) {
		size_t got;

		if (cap - len < 4096) {
			char *grown = realloc(*data, cap + 65536);

			if (!grown) {
				err = cfg_fail(ld, 0, ENOMEM, "out of memory");
				break;
			}
			*data = grown;
			cap += 65536;
		}
		got = fread(*data + len, 1, cap - len - 1, r.f);
		len += got;
		if (got == 0) {
			if (ferror(r.f))
				err = cfg_fail(ld, 0, EIO, "read error");
			break;
		}
	}
	cfg_close(&r);
	if (err) {
		free(*data);
		*data = NULL;
		return err;
	}
	if (!*data)
		*data = calloc(1, 1);
	if (!*data)
		return cfg_fail(ld, 0, ENOMEM, "out of memory");
	(*data)[len] = '\0';
	nul = memchr(*data, '\0', len);
	if (nul) {
		unsigned int line = 1;

		for (char *c = *data; c < nul; c++)
			line += *c == '\n';
		free(*data);
		*data = NULL;
		return cfg_fail(ld, line, EINVAL, "NUL byte in line");
	}
	return 0;
}

/*
 * ResourceManager's reading: '#' starts a comment anywhere, a '\' ending a
 * line (once the comment is gone) joins the next one, white space splits
 * fields. Each token keeps its own line so that errors point at it.
 */
int cfg_haresources_load(struct loader *ld)
{
	struct token tok[1 + XHB_CONFIG_MAX_GROUP_RESOURCES];
	unsigned int line = 0, overflow_line = 0;
	char *data, *next, *text;
	bool continued = false;
	int ntok = 0, err;

	ld->path = ld->cfg->haresources_path;
	err = xhb_ra_ocf_root(ld->cfg->ocf_root, sizeof(ld->cfg->ocf_root));
	if (err)
		return cfg_fail(ld, 0, -err,
				"OCF_ROOT in xhbd's environment must be an "
				"absolute path of at most %d characters",
				XHB_PATH_MAX - 1);
	err = slurp(ld, &data);
	if (err)
		return err;
	for (next = data; !err && next; line++) {
		char *word, *cut, *save;
		size_t len;
		bool joins;

		text = next;
		next = strchr(text, '\n');
		if (next)
			*next++ = '\0';
		if (!next && !*text)
			break; /* after the final newline */
		cut = strchr(text, '#');
		if (cut)
			*cut = '\0';
		len = strlen(text);
		/* Heartbeat wants the '\' last; trailing blanks after it are
		 * invisible, so they do not break the continuation here. */
		while (len && strchr(WHITESPACE, text[len - 1]))
			text[--len] = '\0';
		joins = len && text[len - 1] == '\\';
		if (joins)
			text[--len] = '\0';
		if (!continued) {
			ntok = 0;
			overflow_line = 0;
		}
		for (word = strtok_r(text, WHITESPACE, &save); word;
		     word = strtok_r(NULL, WHITESPACE, &save)) {
			if (ntok < (int)ARRAY_LEN(tok))
				tok[ntok++] = (struct token){word, line + 1};
			else if (!overflow_line)
				overflow_line = line + 1;
		}
		continued = joins;
		if (ntok && !continued)
			err = haresources_group(ld, tok, ntok, overflow_line);
	}
	/* A '\' on the last line joins nothing: the line stands. */
	if (!err && continued && ntok)
		err = haresources_group(ld, tok, ntok, overflow_line);
	free(data);
	return err ?: assign_labels(ld);
}
