// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * config_authkeys: reads DIR/authkeys as Heartbeat's auth.c does: the
 * file must be closed to group and others, "auth N" picks the key to
 * sign with, "N METHOD [SECRET]" defines key N. md5 and sha1 cannot run
 * in XDP, so their secret is kept to derive a SipHash-2-4 key from it
 * (kdf.h, at the agent's start, not here); crc is integrity only. Offers
 * cfg_authkeys_load() (config_lex.h) to xhb_config_load().
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/types.h>

#include "xhb_siphash.h"
#include "config_lex.h"

/* Shorter secrets fall to an offline search even at the KDF's cost. */
#define SECRET_MIN 16

static bool hex_key(const char *text, __u8 key[16])
{
	int i;

	if (strlen(text) != 32)
		return false;
	for (i = 0; i < 32; i++)
		if (!isxdigit((unsigned char)text[i]))
			return false;
	for (i = 0; i < 16; i++) {
		char byte[3] = {text[2 * i], text[2 * i + 1], '\0'};

		key[i] = (__u8)strtoul(byte, NULL, 16);
	}
	return true;
}

static int authkeys_line(struct loader *ld, unsigned int line, char *text,
			 unsigned int *auth_line)
{
	struct xhb_config *cfg = ld->cfg;
	char *tok[MAX_TOKENS];
	struct xhb_auth_key *key;
	unsigned long long index = 0;
	const char *method;
	__u8 raw[16];
	int n;

	/* Heartbeat: a comment is a line starting with '#'; elsewhere '#'
	 * may be part of a secret. */
	text += strspn(text, WHITESPACE);
	if (*text == '#' || !*text)
		return 0;
	n = cfg_split(text, WHITESPACE, tok, MAX_TOKENS);
	if (n < 0)
		return cfg_fail(ld, line, EINVAL, "too many words");

	if (!strcmp(tok[0], "auth")) {
		if (n != 2 ||
		    cfg_parse_uint(tok[1], 1, XHB_MAX_KEYS - 1, &index))
			return cfg_fail(ld, line, EINVAL,
					"bad auth line: use 'auth N' with N in "
					"1..%d",
					XHB_MAX_KEYS - 1);
		if (*auth_line)
			return cfg_fail(ld, line, EINVAL,
					"auth given twice (first at line %u): "
					"exactly one auth line picks the key",
					*auth_line);
		*auth_line = line;
		cfg->auth_index = (unsigned int)index;
		return 0;
	}

	if (n < 2)
		return cfg_fail(ld, line, EINVAL,
				"bad key line: use 'N METHOD [SECRET]'");
	if (cfg_parse_uint(tok[0], 0, ~0ULL, &index) < 0)
		return cfg_fail(
		    ld, line, EINVAL,
		    "bad key line: '%s' is neither 'auth' nor a key "
		    "index",
		    tok[0]);
	/* Heartbeat allows 0; on xhb's wire key_id 0 means no key. */
	if (index < 1 || index >= XHB_MAX_KEYS)
		return cfg_fail(ld, line, EINVAL,
				"key index %llu out of range 1..%d", index,
				XHB_MAX_KEYS - 1);
	key = &cfg->keys[index];
	if (key->line)
		return cfg_fail(ld, line, EINVAL,
				"key %llu given twice (first at line %u)",
				index, key->line);
	method = tok[1];
	if (strcmp(method, "md5") && strcmp(method, "sha1") &&
	    strcmp(method, "siphash") && strcmp(method, "crc"))
		return cfg_fail(ld, line, EINVAL,
				"bad method '%s' for key %llu: use md5, sha1, "
				"siphash or crc",
				method, index);
	if (!strcmp(method, "crc")) {
		if (n > 2)
			return cfg_fail(ld, line, EINVAL,
					"method crc takes no secret (key %llu)",
					index);
	} else if (n < 3) {
		return cfg_fail(ld, line, EINVAL,
				"method %s requires a secret (key %llu)",
				method, index);
	}

	key->line = line;
	cfg_copy_str(key->method_name, sizeof(key->method_name), method);
	if (!strcmp(method, "crc")) {
		key->method = XHB_AUTH_CRC;
		key->k0 = key->k1 = 0;
		cfg_note(
		    ld, XHB_NOTE_WARNING, line, method,
		    "key %llu uses crc: integrity only, anyone on the link "
		    "can forge heartbeats; use siphash",
		    index);
		return 0;
	}
	key->method = XHB_AUTH_SIPHASH;
	/* Never quote the secret in a message: notes end up in logs. */
	if (n > 3)
		cfg_note(ld, XHB_NOTE_WARNING, line, method,
			 "key %llu: words after the secret are ignored, as "
			 "Heartbeat ignores them; the secret is the first word",
			 index);
	if (!strcmp(method, "siphash") && hex_key(tok[2], raw)) {
		key->k0 = xhb_load_le64(raw);
		key->k1 = xhb_load_le64(raw + 8);
		explicit_bzero(raw, sizeof(raw));
		return 0;
	}
	/* The token is taken as Heartbeat takes it, one word, quotes
	 * included. */
	if (strlen(tok[2]) >= sizeof(key->secret))
		return cfg_fail(ld, line, EINVAL,
				"key %llu: secret longer than %zu characters",
				index, sizeof(key->secret) - 1);
	cfg_copy_str(key->secret, sizeof(key->secret), tok[2]);
	if (!strcmp(method, "siphash"))
		cfg_note(
		    ld, XHB_NOTE_NOTICE, line, method,
		    "key %llu: siphash secret is not 32 hex digits; the key "
		    "is derived from it as for md5",
		    index);
	else
		cfg_note(ld, XHB_NOTE_NOTICE, line, method,
			 "key %llu: %s cannot run in XDP; packets are signed "
			 "with SipHash-2-4 under a key derived from the secret",
			 index, method);
	if (strlen(tok[2]) < SECRET_MIN)
		cfg_note(ld, XHB_NOTE_WARNING, line, method,
			 "key %llu: a secret of %zu characters can be guessed "
			 "offline from one captured heartbeat; use at least %d "
			 "random ones (openssl rand -hex 16), or 'siphash' with "
			 "32 hex digits",
			 index, strlen(tok[2]), SECRET_MIN);
	return 0;
}

int cfg_authkeys_load(struct loader *ld)
{
	struct xhb_config *cfg = ld->cfg;
	unsigned int auth_line = 0;
	struct reader r;
	struct stat st;
	char *text;
	int err;

	ld->path = cfg->authkeys_path;
	err = cfg_open(ld, &r, &st);
	if (!err && (st.st_mode & 077))
		err =
		    cfg_fail(ld, 0, EACCES,
			     "bad permissions %04o: group and others must have "
			     "no access to the keys, 600 recommended "
			     "(chmod 600 %s)",
			     (unsigned int)(st.st_mode & 07777), ld->path);
	while (!err && (err = cfg_next_line(ld, &r, &text)) > 0)
		err = authkeys_line(ld, r.line, text, &auth_line);
	cfg_close(&r);
	if (err)
		return err;
	if (!auth_line)
		return cfg_fail(
		    ld, 0, EINVAL,
		    "missing auth directive: add 'auth N' naming the "
		    "key to sign with");
	if (cfg->keys[cfg->auth_index].method == XHB_AUTH_NONE)
		return cfg_fail(ld, auth_line, EINVAL,
				"auth %u: key %u not found in the file",
				cfg->auth_index, cfg->auth_index);
	return 0;
}
