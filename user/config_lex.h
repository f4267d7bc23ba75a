/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * config_lex: internal to config*.c, what the readers of ha.cf,
 * haresources and authkeys share (config.h is the public side).
 *
 *   struct loader               the configuration being filled, where the
 *                               error goes, the file being read
 *   cfg_fail(ld, line, e, ...)  writes "file:line: what is wrong" (line 0:
 *                               "file: what is wrong"), returns -e
 *   cfg_note(ld, kind, ...)     records a note about the file being read
 *   cfg_get_listen(ld, line, name, text, out)   ADDRESS:PORT, or fail
 *   cfg_parse_uint, cfg_valid_ifname, cfg_parse_addr, cfg_join_path,
 *   cfg_split, cfg_lowercase, cfg_copy_str, cfg_edit_distance
 *                               values and words, no message
 *   cfg_siphash                 SipHash-2-4 under one of config.h's keys
 *   cfg_open, cfg_next_line, cfg_close        a file, line by line
 *   cfg_hacf_load, cfg_haresources_load, cfg_authkeys_load
 *                               one file each, for xhb_config_load
 */
#ifndef XHB_CONFIG_LEX_H
#define XHB_CONFIG_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

#include "config.h"

#define WHITESPACE " \t\n\r\f"
#define MAX_TOKENS 64
#define NS_PER_SEC 1000000000ULL
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct loader {
	struct xhb_config *cfg;
	char *err;
	size_t errlen;
	const char *path; /* the file being read, as opened */
	/* xhb_config_load_nodes(): apply runtime node changes, these or
	 * (NULL) those of STATE_DIR/nodes */
	bool nodes;
	const struct xhb_node_changes *changes;
	unsigned int cluster_name_line; /* in ha.cf, 0: not given */
};

int __attribute__((format(printf, 4, 5)))
cfg_fail(struct loader *ld, unsigned int line, int errnum, const char *fmt,
	 ...);

/* Beyond XHB_CONFIG_MAX_NOTES, only counted (cfg->notes_dropped). */
void __attribute__((format(printf, 5, 6)))
cfg_note(struct loader *ld, enum xhb_note_kind kind, unsigned int line,
	 const char *directive, const char *fmt, ...);

/* strlcpy: callers have checked lengths where truncation would matter. */
void cfg_copy_str(char *dst, size_t size, const char *src);

/* Strict decimal (no sign, no spaces, no trailing junk) in [min, max]:
 * 0 or -EINVAL. */
int cfg_parse_uint(const char *text, unsigned long long min,
		   unsigned long long max, unsigned long long *out);

/* Linux's rule for an interface name; ':' (an IPv4 label) refused too. */
bool cfg_valid_ifname(const char *name);

/* A literal IPv4 or IPv6 address (no names): 0 or -EINVAL. */
int cfg_parse_addr(const char *text, int *family, union xhb_addr *addr);

/* ADDRESS:PORT, an IPv6 address in brackets ([::1]:9100), into out:
 * 0, or -EINVAL with "file:line: bad NAME '...': what is wrong". */
int cfg_get_listen(struct loader *ld, unsigned int line, const char *name,
		   const char *text, struct xhb_listen *out);

void cfg_lowercase(char *s);

/* Levenshtein distance of two words, 99 when one is over 32 characters. */
size_t cfg_edit_distance(const char *a, const char *b);

/* SipHash-2-4 of data under key, one of config.h's fixed 16-byte keys. */
__u64 cfg_siphash(const char *key, const void *data, size_t len);

/* DIR/file into out (out may be dir): 0 or -ENAMETOOLONG. */
int cfg_join_path(char *out, size_t size, const char *dir, const char *file);

/* Splits s in place on any of delims into tok: the number of words, or -1
 * when there are more than max. */
int cfg_split(char *s, const char *delims, char **tok, int max);

struct reader {
	FILE *f;
	char *buf;
	size_t cap;
	unsigned int line;
};

/* Opens ld->path, a regular file; 0 or -errno, with the message. */
int cfg_open(struct loader *ld, struct reader *r, struct stat *st);
/* 1 with the next line in *line, 0 at the end, or -errno. */
int cfg_next_line(struct loader *ld, struct reader *r, char **line);
/* Wipes the line buffer (secrets went through it); r may be half open. */
void cfg_close(struct reader *r);

/* The readers of the three files, each 0 or -errno with the message. */
int cfg_hacf_load(struct loader *ld);
int cfg_haresources_load(struct loader *ld);
int cfg_authkeys_load(struct loader *ld);
/* ha.cf's check lines (config_check.c): one line's words after the
 * directive, then, once haresources is read, the groups they name. */
struct directive;
int cfg_check_parse(struct loader *ld, const struct directive *d,
		    unsigned int line, char **v, int n);
int cfg_checks_finish(struct loader *ld);
/* ha.cf's no_quorum_policy, votes and weight lines (config_quorum.c),
 * then, once the nodes are known, their values and the default policy. */
int dir_no_quorum_policy(struct loader *ld, const struct directive *d,
			 unsigned int line, char **v, int n);
int dir_votes(struct loader *ld, const struct directive *d, unsigned int line,
	      char **v, int n);
int dir_weight(struct loader *ld, const struct directive *d, unsigned int line,
	       char **v, int n);
int cfg_quorum_finish(struct loader *ld);
/* ha.cf's resource_timeout and stop_failed_policy lines (config_resource.c,
 * handlers of config_hacf.c's table), then, once haresources is read, each
 * script's timeouts. */
int dir_resource_timeout(struct loader *ld, const struct directive *d,
			       unsigned int line, char **v, int n);
int dir_stop_failed_policy(struct loader *ld, const struct directive *d,
				 unsigned int line, char **v, int n);
int cfg_resources_finish(struct loader *ld);
/* config_cluster.c: ha.cf's cluster_name line, then, at the end of ha.cf,
 * the cluster id (cluster_id_line: where cluster_id was given, or 0). */
int dir_cluster_name(struct loader *ld, const struct directive *d,
		     unsigned int line, char **v, int n);
int cfg_cluster_finish(struct loader *ld, unsigned int cluster_id_line);
/* config_nodes.c: the runtime node changes over ha.cf's nodes, once ha.cf is
 * read (state_dir known) and before haresources. */
int cfg_nodes_apply(struct loader *ld);
/* What is wrong with a node name ("an empty name"...), or NULL. */
const char *cfg_node_name_problem(const char *name);
/* ha.cf's announce lines (config_announce.c, a handler of config_hacf.c's
 * table), then, once haresources is read, the groups they name. */
int dir_announce(struct loader *ld, const struct directive *d,
		 unsigned int line, char **v, int n);
int cfg_announces_finish(struct loader *ld);
/* Group g is named by word: its number, one of its addresses, or one of
 * its resources (config_check.c). */
bool cfg_names_group(const struct xhb_group *grp, unsigned int g,
		     const char *word);

#endif /* XHB_CONFIG_LEX_H */
