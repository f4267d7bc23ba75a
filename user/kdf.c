// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* authkeys secrets to SipHash keys through Argon2id: see kdf.h. */
#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "config.h"
#include "kdf.h"
#include "xhb_siphash.h"

int xhb_kdf_derive(const char *secret, __u32 cluster_id, __u64 *k0, __u64 *k1)
{
	unsigned char salt[crypto_pwhash_SALTBYTES] = XHB_KDF_SALT;
	unsigned char key[16];
	int ret;

	_Static_assert(sizeof(XHB_KDF_SALT) - 1 + 4 <= crypto_pwhash_SALTBYTES,
		       "salt room");
	if (sodium_init() < 0)
		return -EIO;
	salt[8] = cluster_id >> 24;
	salt[9] = cluster_id >> 16;
	salt[10] = cluster_id >> 8;
	salt[11] = cluster_id;
	ret = crypto_pwhash(key, sizeof(key), secret, strlen(secret), salt,
			    XHB_KDF_OPSLIMIT, XHB_KDF_MEMLIMIT,
			    crypto_pwhash_ALG_ARGON2ID13);
	if (ret)
		return -EIO;
	*k0 = xhb_load_le64(key);
	*k1 = xhb_load_le64(key + 8);
	sodium_memzero(key, sizeof(key));
	return 0;
}

int xhb_kdf_config(struct xhb_config *cfg, const struct xhb_config *prev)
{
	for (int i = 1; i < XHB_MAX_KEYS; i++) {
		struct xhb_auth_key *k = &cfg->keys[i];
		const struct xhb_auth_key *old = prev ? &prev->keys[i] : NULL;
		int ret;

		if (!k->secret[0])
			continue;
		if (old && old->secret[0] && !strcmp(old->secret, k->secret) &&
		    prev->cluster_id == cfg->cluster_id) {
			k->k0 = old->k0;
			k->k1 = old->k1;
			continue;
		}
		ret = xhb_kdf_derive(k->secret, cfg->cluster_id, &k->k0, &k->k1);
		if (ret)
			return ret;
	}
	return 0;
}
