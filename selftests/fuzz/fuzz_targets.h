/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The bodies of the fuzz targets, shared by the libFuzzer harnesses
 * (selftests/fuzz/fuzz_<target>.c, one per target, built by `make fuzz`)
 * and by the regression replay (selftests/unit/test_fuzz_regress.c), which
 * runs every file of selftests/fuzz/regress/<target>/ through the same
 * code in `make test` and, with the sanitizers, in `make check`.
 *
 *   xhb_fuzz_run(target, data, size)   0, or -1 when a property broke
 *                                      (the harness then aborts)
 *
 * Config targets write the input as one of ha.cf, haresources, authkeys
 * into a private temporary directory next to valid versions of the other
 * two (the lab's files), authkeys mode 600, and load the directory. The
 * wire targets take the input as a UDP payload (wire) or as a frame and
 * the fields of a frame to build (frame). Each checks what the headers
 * promise, not only that nothing crashes.
 */
#ifndef XHB_FUZZ_TARGETS_H
#define XHB_FUZZ_TARGETS_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "config.h"
#include "wire.h"

/* The lab's files (selftests/fixtures/lab), the valid companions. */
#define XHB_FUZZ_HACF                                                          \
	"bcast ens192\ndebugfile /var/log/ha-debug\nlogfile /var/log/ha-log\n" \
	"logfacility local0\nkeepalive 2\ndeadtime 10\nwarntime 6\n"           \
	"initdead 60\nudpport 694\nnode srv1\nnode srv2\n"                     \
	"auto_failback off\n"
#define XHB_FUZZ_HARESOURCES "srv1 IPaddr::172.16.193.30/16/ens192 httpd\n"
#define XHB_FUZZ_AUTHKEYS "auth 1\n1 md5 \"123456\"\n2 crc\n"

/* A resource script, so that haresources lines naming it load. */
#define XHB_FUZZ_SCRIPT "httpd"

#define XHB_FUZZ_CLUSTER 0x00c0ffeeU

struct xhb_fuzz_state {
	char dir[64];
	struct xhb_config *cfg;
	struct xhb_key keys[XHB_MAX_KEYS];
};

static struct xhb_fuzz_state xhb_fuzz;

#define XHB_FUZZ_FAIL(...)                                             \
	do {                                                           \
		fprintf(stderr, "fuzz property broken: " __VA_ARGS__); \
		fputc('\n', stderr);                                   \
		return -1;                                             \
	} while (0)

static inline int xhb_fuzz_write(const char *file, const void *data,
				 size_t size, mode_t mode)
{
	char path[128];
	const char *p = data;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", xhb_fuzz.dir, file);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	while (size) {
		ssize_t n = write(fd, p, size);

		if (n < 0) {
			close(fd);
			return -errno;
		}
		p += n;
		size -= (size_t)n;
	}
	if (fchmod(fd, mode) < 0) {
		close(fd);
		return -errno;
	}
	return close(fd) < 0 ? -errno : 0;
}

static inline void xhb_fuzz_cleanup(void)
{
	static const char *const files[] = {
	    "ha.cf",	  "haresources",
	    "authkeys",	  ("resource.d/" XHB_FUZZ_SCRIPT),
	    "resource.d",
	};
	char path[128];
	size_t i;

	if (!xhb_fuzz.dir[0])
		return;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", xhb_fuzz.dir, files[i]);
		remove(path);
	}
	rmdir(xhb_fuzz.dir);
	xhb_fuzz.dir[0] = '\0';
	free(xhb_fuzz.cfg);
	xhb_fuzz.cfg = NULL;
}

/* Once per process: the directory, the valid files, the keys. */
static inline int xhb_fuzz_setup(void)
{
	char path[128];

	if (xhb_fuzz.dir[0])
		return 0;
	snprintf(xhb_fuzz.dir, sizeof(xhb_fuzz.dir), "/tmp/xhb-fuzz.XXXXXX");
	if (!mkdtemp(xhb_fuzz.dir)) {
		xhb_fuzz.dir[0] = '\0';
		return -errno;
	}
	xhb_fuzz.cfg = calloc(1, sizeof(*xhb_fuzz.cfg));
	if (!xhb_fuzz.cfg)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/resource.d", xhb_fuzz.dir);
	if (mkdir(path, 0755) < 0)
		return -errno;
	if (xhb_fuzz_write("resource.d/" XHB_FUZZ_SCRIPT, "#!/bin/sh\n", 10,
			   0755) < 0 ||
	    xhb_fuzz_write("ha.cf", XHB_FUZZ_HACF, strlen(XHB_FUZZ_HACF),
			   0644) < 0 ||
	    xhb_fuzz_write("haresources", XHB_FUZZ_HARESOURCES,
			   strlen(XHB_FUZZ_HARESOURCES), 0644) < 0 ||
	    xhb_fuzz_write("authkeys", XHB_FUZZ_AUTHKEYS,
			   strlen(XHB_FUZZ_AUTHKEYS), 0600) < 0)
		return -EIO;
	atexit(xhb_fuzz_cleanup);

	xhb_fuzz.keys[1] = (struct xhb_key){.k0 = 0x0706050403020100ULL,
					    .k1 = 0x0f0e0d0c0b0a0908ULL,
					    .method = XHB_AUTH_SIPHASH};
	xhb_fuzz.keys[2] = (struct xhb_key){.method = XHB_AUTH_CRC};
	return 0;
}

static inline bool xhb_fuzz_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

#define XHB_FUZZ_STR(s) xhb_fuzz_terminated((s), sizeof(s))

/* What config.h promises of a configuration that loaded. */
static inline int xhb_fuzz_check_config(const struct xhb_config *cfg)
{
	unsigned int i, j;

	if (!cfg->nnodes || cfg->nnodes > XHB_CONFIG_MAX_NODES)
		XHB_FUZZ_FAIL("nnodes %u", cfg->nnodes);
	if (!cfg->nmedia || cfg->nmedia > XHB_CONFIG_MAX_MEDIA)
		XHB_FUZZ_FAIL("nmedia %u", cfg->nmedia);
	if (cfg->npings > XHB_CONFIG_MAX_PINGS)
		XHB_FUZZ_FAIL("npings %u", cfg->npings);
	if (cfg->ngroups > XHB_MAX_GROUPS)
		XHB_FUZZ_FAIL("ngroups %u", cfg->ngroups);
	if (cfg->nnotes > XHB_CONFIG_MAX_NOTES)
		XHB_FUZZ_FAIL("nnotes %u", cfg->nnotes);
	if (!cfg->cluster_id)
		XHB_FUZZ_FAIL("cluster_id 0");
	if (!cfg->udpport)
		XHB_FUZZ_FAIL("udpport 0");
	if (cfg->deadtime_ns <= 2 * cfg->keepalive_ns ||
	    cfg->initdead_ns < cfg->deadtime_ns || !cfg->keepalive_ns ||
	    !cfg->lease_ns || !cfg->probe_interval_ns)
		XHB_FUZZ_FAIL(
		    "timing: keepalive %llu deadtime %llu initdead %llu",
		    (unsigned long long)cfg->keepalive_ns,
		    (unsigned long long)cfg->deadtime_ns,
		    (unsigned long long)cfg->initdead_ns);
	if (cfg->auth_index < 1 || cfg->auth_index >= XHB_MAX_KEYS ||
	    cfg->keys[cfg->auth_index].method == XHB_AUTH_NONE)
		XHB_FUZZ_FAIL("auth index %u has no key", cfg->auth_index);
	if (!XHB_FUZZ_STR(cfg->pin_dir) || !XHB_FUZZ_STR(cfg->logfile) ||
	    !XHB_FUZZ_STR(cfg->debugfile) || !XHB_FUZZ_STR(cfg->logfacility))
		XHB_FUZZ_FAIL("unterminated path");
	for (i = 0; i < cfg->nnodes; i++) {
		if (!XHB_FUZZ_STR(cfg->nodes[i].name) || !cfg->nodes[i].name[0])
			XHB_FUZZ_FAIL("node %u name", i);
		if (cfg->nodes[i].id != xhb_node_id(cfg->nodes[i].name))
			XHB_FUZZ_FAIL("node %s id", cfg->nodes[i].name);
		for (j = 0; j < i; j++)
			if (!strcasecmp(cfg->nodes[i].name,
					cfg->nodes[j].name) ||
			    cfg->nodes[i].id == cfg->nodes[j].id)
				XHB_FUZZ_FAIL("nodes %u and %u alike", j, i);
	}
	for (i = 0; i < cfg->nmedia; i++)
		if (!XHB_FUZZ_STR(cfg->media[i].iface) ||
		    !cfg->media[i].iface[0])
			XHB_FUZZ_FAIL("medium %u iface", i);
	for (i = 0; i < cfg->ngroups; i++) {
		const struct xhb_group *g = &cfg->groups[i];

		if (g->node_index < 0 ||
		    (unsigned int)g->node_index >= cfg->nnodes)
			XHB_FUZZ_FAIL("group %u node_index %d", i,
				      g->node_index);
		if (!g->nresources ||
		    g->nresources > XHB_CONFIG_MAX_GROUP_RESOURCES)
			XHB_FUZZ_FAIL("group %u nresources %u", i,
				      g->nresources);
		for (j = 0; j < g->nresources; j++) {
			const struct xhb_resource *r = &g->resources[j];

			if (!XHB_FUZZ_STR(r->spec) || !XHB_FUZZ_STR(r->agent) ||
			    !XHB_FUZZ_STR(r->iface) ||
			    !XHB_FUZZ_STR(r->label) || !XHB_FUZZ_STR(r->path))
				XHB_FUZZ_FAIL("group %u resource %u strings", i,
					      j);
			if (r->kind == XHB_RES_ADDRESS &&
			    ((r->family != AF_INET && r->family != AF_INET6) ||
			     r->prefix_len > (r->family == AF_INET ? 32 : 128)))
				XHB_FUZZ_FAIL("group %u resource %u address", i,
					      j);
			if (r->kind == XHB_RES_SCRIPT &&
			    (r->nargs > XHB_CONFIG_MAX_ARGS || !r->path[0]))
				XHB_FUZZ_FAIL("group %u resource %u script", i,
					      j);
			if (r->kind != XHB_RES_ADDRESS &&
			    r->kind != XHB_RES_SCRIPT)
				XHB_FUZZ_FAIL("group %u resource %u kind", i,
					      j);
		}
	}
	for (i = 0; i < cfg->nnotes; i++)
		if (!XHB_FUZZ_STR(cfg->notes[i].message) ||
		    !XHB_FUZZ_STR(cfg->notes[i].directive))
			XHB_FUZZ_FAIL("note %u strings", i);
	return 0;
}

/* Load the directory with file holding data; the others stay valid. */
static inline int xhb_fuzz_config(const char *file, const uint8_t *data,
				  size_t size)
{
	static const struct {
		const char *file, *valid;
		mode_t mode;
	} files[] = {
	    {"ha.cf", XHB_FUZZ_HACF, 0644},
	    {"haresources", XHB_FUZZ_HARESOURCES, 0644},
	    {"authkeys", XHB_FUZZ_AUTHKEYS, 0600},
	};
	char err[512];
	size_t i;
	int ret;

	if (xhb_fuzz_setup() < 0)
		XHB_FUZZ_FAIL("setup in /tmp: %s", strerror(errno));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(files[i].file, file) &&
		    xhb_fuzz_write(file, data, size, files[i].mode) < 0)
			XHB_FUZZ_FAIL("cannot write %s", file);
	memset(err, 0x55, sizeof(err)); /* unterminated unless written */
	ret = xhb_config_load(xhb_fuzz.dir, xhb_fuzz.cfg, err, sizeof(err));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(files[i].file, file))
			xhb_fuzz_write(file, files[i].valid,
				       strlen(files[i].valid), files[i].mode);
	if (!xhb_fuzz_terminated(err, sizeof(err)))
		XHB_FUZZ_FAIL("err not terminated (load returned %d)", ret);
	if (ret == 0)
		return xhb_fuzz_check_config(xhb_fuzz.cfg);
	if (ret > 0)
		XHB_FUZZ_FAIL("load returned %d", ret);
	/* "file:line: what" or "file: what", naming a file of the dir. */
	if (strncmp(err, xhb_fuzz.dir, strlen(xhb_fuzz.dir)) ||
	    !strstr(err, ": "))
		XHB_FUZZ_FAIL("load returned %d with message '%s'", ret, err);
	return 0;
}

/*
 * The bytes of a header (or of a compact probe: xhb_wire.h) that its tag
 * covers, the tag included: a compact probe's padding is covered by
 * nothing (the reader zeroes it), so a flipped bit there is no forgery.
 */
static inline unsigned int xhb_fuzz_signed_len(const struct xhb_hdr *h)
{
	return h->version == XHB_PROBE_VERSION
		   ? XHB_PROBE_TAGGED_LEN + sizeof(((struct xhb_probe *)0)->tag)
		   : XHB_HDR_LEN;
}

/*
 * The payload as received, then signed: what xhb_wire_check accepts is
 * exactly a header the key signed (a compact probe: read as XDP reads it,
 * xhb_probe_expand()), with the field checks of the XDP program in front;
 * one flipped bit of what a tag covers is refused.
 */
static inline int xhb_fuzz_wire(const uint8_t *data, size_t size)
{
	struct xhb_hdr h __attribute__((aligned(8))), out;
	enum xhb_wire_verdict v;
	unsigned int bit;
	__u8 key_id;

	if (xhb_fuzz_setup() < 0)
		XHB_FUZZ_FAIL("setup: %s", strerror(errno));
	memset(&out, 0xa5, sizeof(out));
	v = xhb_wire_check(data, size, XHB_FUZZ_CLUSTER, xhb_fuzz.keys, &out);
	if (!xhb_wire_verdict_name(v) ||
	    !strcmp(xhb_wire_verdict_name(v), "unknown"))
		XHB_FUZZ_FAIL("verdict %d has no name", v);
	if (v == XHB_WIRE_OK) {
		if (size != XHB_HDR_LEN || out.key_id >= XHB_MAX_KEYS)
			XHB_FUZZ_FAIL("accepted %zu bytes, key %u", size,
				      out.key_id);
		memcpy(&h, data, sizeof(h));
		if (!xhb_wire_verify(&h, &xhb_fuzz.keys[out.key_id]))
			XHB_FUZZ_FAIL("accepted a header the key did not sign");
		if (h.version == XHB_PROBE_VERSION)
			xhb_probe_expand(&h);
		if (memcmp(&out, &h, sizeof(h)))
			XHB_FUZZ_FAIL("accepted a header, read it otherwise");
	}
	if (size != XHB_HDR_LEN) {
		if (v != XHB_WIRE_MALFORMED)
			XHB_FUZZ_FAIL("%zu bytes not malformed", size);
		return 0;
	}

	/* Sign it with one of the keys (the fuzzer picks by key_id's low
	 * bit), then the verdict can only be an earlier field's. */
	memcpy(&h, data, sizeof(h));
	key_id = (h.key_id & 1) ? 1 : 2;
	xhb_wire_sign(&h, key_id, &xhb_fuzz.keys[key_id]);
	v = xhb_wire_check(&h, sizeof(h), XHB_FUZZ_CLUSTER, xhb_fuzz.keys,
			   &out);
	if (v == XHB_WIRE_UNKNOWN_KEY || v == XHB_WIRE_BAD_TAG ||
	    v == XHB_WIRE_MALFORMED)
		XHB_FUZZ_FAIL("signed header refused: %s",
			      xhb_wire_verdict_name(v));
	if (v != XHB_WIRE_OK)
		return 0;
	/* One bit flipped anywhere the tag covers (chosen by the data):
	 * never OK. */
	bit = (data[0] | (unsigned int)data[1] << 8) %
	      (xhb_fuzz_signed_len(&h) * 8);
	((__u8 *)&h)[bit / 8] ^= (__u8)(1u << (bit % 8));
	v = xhb_wire_check(&h, sizeof(h), XHB_FUZZ_CLUSTER, xhb_fuzz.keys,
			   &out);
	if (v == XHB_WIRE_OK)
		XHB_FUZZ_FAIL("bit %u flipped and still accepted", bit);
	return 0;
}

/*
 * Frames: any bytes through xhb_frame_checksums_ok (it must not read past
 * len), then a frame built from fields the data picks must pass it.
 */
static inline int xhb_fuzz_frame(const uint8_t *data, size_t size)
{
	struct xhb_frame_spec spec = {0};
	__u8 frame[512], *copy;
	size_t payload_len;
	int len;

	/* A heap copy of exactly size bytes: ASan sees any read past it. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	xhb_frame_checksums_ok(copy, size);
	free(copy);

	/* family, vlan, options, MACs, addresses, ports, then payload */
	if (size < 53)
		return 0;
	spec.family = data[0] & 1 ? AF_INET6 : AF_INET;
	spec.vlan =
	    data[1] & 1 ? (__u16)((data[2] << 8 | data[3]) & 0x0fff) : 0;
	spec.ip_options = (__u8)((data[4] % 11) * 4);
	memcpy(spec.src_mac, data + 5, 6);
	memcpy(spec.dst_mac, data + 11, 6);
	memcpy(spec.src_ip, data + 17, 16);
	memcpy(spec.dst_ip, data + 33, 16);
	spec.src_port = (__u16)(data[49] << 8 | data[50]);
	spec.dst_port = (__u16)(data[51] << 8 | data[52]);
	payload_len = size - 53;
	len = xhb_frame_build(frame, sizeof(frame), &spec, data + 53,
			      payload_len);
	if (len == -ENOSPC)
		return 0;
	if (len < 0 ||
	    (size_t)len != xhb_frame_payload_offset(&spec) + payload_len)
		XHB_FUZZ_FAIL("frame_build returned %d", len);
	if (memcmp(frame + xhb_frame_payload_offset(&spec), data + 53,
		   payload_len))
		XHB_FUZZ_FAIL("payload not where payload_offset says");
	if (!xhb_frame_checksums_ok(frame, (size_t)len))
		XHB_FUZZ_FAIL("built frame fails its own checksum check");
	return 0;
}

/* Run one input through a target by name; -EINVAL for an unknown one. */
static inline int xhb_fuzz_run(const char *target, const uint8_t *data,
			       size_t size)
{
	if (!strcmp(target, "hacf"))
		return xhb_fuzz_config("ha.cf", data, size);
	if (!strcmp(target, "haresources"))
		return xhb_fuzz_config("haresources", data, size);
	if (!strcmp(target, "authkeys"))
		return xhb_fuzz_config("authkeys", data, size);
	if (!strcmp(target, "wire"))
		return xhb_fuzz_wire(data, size);
	if (!strcmp(target, "frame"))
		return xhb_fuzz_frame(data, size);
	return -EINVAL;
}

#endif /* XHB_FUZZ_TARGETS_H */
