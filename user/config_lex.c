// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * config_lex: what the three readers of config share. The loader and its
 * "file:line: what is wrong" error (cfg_fail) and notes (cfg_note); the
 * value syntaxes (Heartbeat's times and booleans, strict integers,
 * interface names, literal addresses, paths); SipHash under config.h's
 * fixed keys; splitting a line into words; reading a file line by line.
 * config_lex.h lists them.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "xhb_siphash.h"
#include "config_lex.h"

/* A day: no sane timer is longer, and products of times stay exact. */
#define MAX_TIME_NS (86400ULL * NS_PER_SEC)

void cfg_copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

int cfg_fail(struct loader *ld, unsigned int line, int errnum, const char *fmt,
	     ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ld->err && ld->errlen) {
		if (line)
			snprintf(ld->err, ld->errlen, "%s:%u: %s", ld->path,
				 line, msg);
		else
			snprintf(ld->err, ld->errlen, "%s: %s", ld->path, msg);
	}
	return -errnum;
}

void cfg_note(struct loader *ld, enum xhb_note_kind kind, unsigned int line,
	      const char *directive, const char *fmt, ...)
{
	struct xhb_config *cfg = ld->cfg;
	struct xhb_config_note *n;
	va_list ap;

	if (cfg->nnotes >= XHB_CONFIG_MAX_NOTES) {
		cfg->notes_dropped++;
		return;
	}
	n = &cfg->notes[cfg->nnotes++];
	n->kind = kind;
	cfg_copy_str(n->file, sizeof(n->file), ld->path);
	n->line = line;
	cfg_copy_str(n->directive, sizeof(n->directive), directive);
	va_start(ap, fmt);
	vsnprintf(n->message, sizeof(n->message), fmt, ap);
	va_end(ap);
}

/* ---- values ---------------------------------------------------------- */

int xhb_config_parse_time(const char *text, __u64 *ns)
{
	static const struct {
		const char *suffix;
		__u64 ns;
	} units[] = {
	    {"", NS_PER_SEC},  {"s", NS_PER_SEC}, {"ms", 1000000},
	    {"msec", 1000000}, {"us", 1000},	  {"usec", 1000},
	};
	const char *p = text;
	__u64 whole = 0, frac = 0, frac_scale = 1, unit = 0;
	bool too_big = false;
	int digits = 0;
	size_t i;

	while (isdigit((unsigned char)*p)) {
		if (whole > MAX_TIME_NS)
			too_big = true; /* stop growing: it cannot overflow */
		else
			whole = whole * 10 + (__u64)(*p - '0');
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			/* Digits beyond a nanosecond of the largest unit
			 * cannot matter: drop them rather than overflow. */
			if (frac_scale < NS_PER_SEC) {
				frac = frac * 10 + (__u64)(*p - '0');
				frac_scale *= 10;
			}
			p++;
			digits++;
		}
	}
	if (!digits)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(p, units[i].suffix) == 0)
			unit = units[i].ns;
	if (!unit || too_big || whole > MAX_TIME_NS / unit)
		return -EINVAL;
	/* frac < frac_scale <= 1e9 and unit <= 1e9: the product fits. */
	*ns = whole * unit + (frac * unit + frac_scale / 2) / frac_scale;
	if (*ns > MAX_TIME_NS)
		return -EINVAL;
	return 0;
}

int xhb_config_parse_bool(const char *text, bool *value)
{
	static const char *const yes[] = {"on", "yes", "true", "y", "1"};
	static const char *const no[] = {"off", "no", "false", "n", "0"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*value = true;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*value = false;
			return 0;
		}
	}
	return -EINVAL;
}

const char *xhb_config_format_time(__u64 ns, char *buf, size_t len)
{
	if (ns && ns % NS_PER_SEC == 0)
		snprintf(buf, len, "%llus",
			 (unsigned long long)(ns / NS_PER_SEC));
	else if (ns && ns % 1000000 == 0)
		snprintf(buf, len, "%llums",
			 (unsigned long long)(ns / 1000000));
	else if (ns && ns % 1000 == 0)
		snprintf(buf, len, "%lluus", (unsigned long long)(ns / 1000));
	else
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	return buf;
}

/* Strict decimal (no sign, no spaces, no trailing junk) in [min, max]. */
int cfg_parse_uint(const char *text, unsigned long long min,
		   unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0, digit;
	const char *p = text;

	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		digit = (unsigned long long)(*p - '0');
		if (digit > max || v > (max - digit) / 10)
			return -EINVAL; /* v * 10 + digit > max */
		v = v * 10 + digit;
	}
	if (v < min)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Linux's rule (dev_valid_name): 1..15 bytes, not "." or "..", no '/',
 * ':' or white space. ':' is also what separates an IPv4 label. */
bool cfg_valid_ifname(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= IFNAMSIZ || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (; *name; name++)
		if (*name == '/' || *name == ':' ||
		    isspace((unsigned char)*name) ||
		    !isprint((unsigned char)*name))
			return false;
	return true;
}

int cfg_parse_addr(const char *text, int *family, union xhb_addr *addr)
{
	if (inet_pton(AF_INET, text, &addr->v4) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &addr->v6) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int cfg_get_listen(struct loader *ld, unsigned int line, const char *name,
		   const char *text, struct xhb_listen *out)
{
	bool v6 = text[0] == '[';
	const char *host = text + v6, *end, *port;
	char addr[INET6_ADDRSTRLEN];
	unsigned long long number;
	size_t len;

	end = v6 ? strchr(text, ']') : strrchr(text, ':');
	port = end && (!v6 || end[1] == ':') ? end + 1 + v6 : NULL;
	if (!port || !*port || end == host)
		return cfg_fail(ld, line, EINVAL,
				"bad %s '%s': use ADDRESS:PORT, an IPv6 address "
				"in brackets (127.0.0.1:9100, [::1]:9100)",
				name, text);
	len = (size_t)(end - host);
	if (len < sizeof(addr)) {
		memcpy(addr, host, len);
		addr[len] = '\0';
	}
	if (len >= sizeof(addr) ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, addr, &out->addr) != 1)
		return cfg_fail(ld, line, EINVAL,
				"bad %s '%s': '%.*s' is not an %s address%s", name,
				text, (int)len, host, v6 ? "IPv6" : "IPv4",
				v6 ? "" : " (an IPv6 one goes in brackets: [::1]:9100)");
	if (cfg_parse_uint(port, 1, 65535, &number) < 0)
		return cfg_fail(ld, line, EINVAL,
				"bad %s '%s': port '%s' is not an integer in 1..65535",
				name, text, port);
	out->family = v6 ? AF_INET6 : AF_INET;
	out->port = (__u16)number;
	out->line = line;
	return 0;
}

__u64 cfg_siphash(const char *key, const void *data, size_t len)
{
	const __u8 *k = (const __u8 *)key;

	return xhb_siphash((const __u8 *)data, (__u32)len, xhb_load_le64(k),
			   xhb_load_le64(k + 8));
}

void cfg_lowercase(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

size_t cfg_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[33];

	if (la > 32 || lb > 32)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], up;

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = diag + (a[i - 1] != b[j - 1]);

			up = row[j];
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* DIR/file without doubling the slash when DIR is "/". */
int cfg_join_path(char *out, size_t size, const char *dir, const char *file)
{
	size_t dl = strlen(dir), fl = strlen(file);
	size_t slash = dl && dir[dl - 1] == '/' ? 0 : 1;

	if (dl + slash + fl >= size)
		return -ENAMETOOLONG;
	memmove(out, dir, dl); /* out may be dir */
	if (slash)
		out[dl] = '/';
	memcpy(out + dl + slash, file, fl + 1);
	return 0;
}

/* Splits s in place on any of delims; -1 when there are more than max. */
int cfg_split(char *s, const char *delims, char **tok, int max)
{
	int n = 0;

	for (;;) {
		s += strspn(s, delims);
		if (!*s)
			return n;
		if (n == max)
			return -1;
		tok[n++] = s;
		s += strcspn(s, delims);
		if (*s)
			*s++ = '\0';
	}
}

/* ---- files ----------------------------------------------------------- */

int cfg_open(struct loader *ld, struct reader *r, struct stat *st)
{
	memset(r, 0, sizeof(*r));
	r->f = fopen(ld->path, "re");
	if (!r->f) {
		int e = errno;

		return cfg_fail(ld, 0, e, "cannot open: %s", strerror(e));
	}
	if (fstat(fileno(r->f), st) < 0) {
		int e = errno;

		return cfg_fail(ld, 0, e, "cannot stat: %s", strerror(e));
	}
	if (!S_ISREG(st->st_mode))
		return cfg_fail(ld, 0, EINVAL, "not a regular file");
	return 0;
}

/* 1 with the next line in *line, 0 at the end, or -errno. */
int cfg_next_line(struct loader *ld, struct reader *r, char **line)
{
	ssize_t n;

	n = getline(&r->buf, &r->cap, r->f);
	if (n < 0) {
		int e = errno;

		if (ferror(r->f))
			return cfg_fail(ld, r->line + 1, e, "read error: %s",
					strerror(e));
		return 0;
	}
	r->line++;
	if (memchr(r->buf, '\0', (size_t)n))
		return cfg_fail(ld, r->line, EINVAL, "NUL byte in line");
	*line = r->buf;
	return 1;
}

/* Secrets went through the buffer: wipe it before giving it back. */
void cfg_close(struct reader *r)
{
	if (r->buf) {
		explicit_bzero(r->buf, r->cap);
		free(r->buf);
	}
	if (r->f)
		fclose(r->f);
	memset(r, 0, sizeof(*r));
}
