/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * kdf: the SipHash key of an authkeys secret. Heartbeat's md5 and sha1
 * (and siphash with a secret that is not 32 hex digits) take a password;
 * XDP needs a 128-bit key. One captured heartbeat lets anyone test guesses
 * of the secret offline, so the key comes from Argon2id (libsodium's
 * crypto_pwhash) at a cost of about 80 ms of CPU and 64 MiB per guess,
 * salted with the cluster id: the same secret in two clusters gives two
 * keys, and nothing can be computed in advance. The parameters are fixed,
 * since every node must derive the same key from the same files.
 */
#ifndef XHB_KDF_H
#define XHB_KDF_H

#include <linux/types.h>

#define XHB_KDF_OPSLIMIT 3ULL
#define XHB_KDF_MEMLIMIT (64UL << 20)
#define XHB_KDF_SALT "xhb-kdf1" /* 8 bytes, then the cluster id (BE), 0s */

struct xhb_config;

/* 0, or -EIO when libsodium cannot (no memory for the 64 MiB). */
int xhb_kdf_derive(const char *secret, __u32 cluster_id, __u64 *k0, __u64 *k1);
/*
 * Derive every key of cfg that has a secret. A key whose secret and
 * cluster are those of the same key in prev (a reload; prev may be NULL)
 * is taken from it instead: a reload does not stall the loop for nothing.
 */
int xhb_kdf_config(struct xhb_config *cfg, const struct xhb_config *prev);

#endif /* XHB_KDF_H */
