/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What pktgen --mode live and its XDP program (live_gen.bpf.c) share: one
 * slot of the frames array, a whole probe frame (Ethernet, IPv4, UDP,
 * struct xhb_hdr) as xhb_frame_build writes it. Include a type source
 * first (vmlinux.h in BPF, <linux/types.h> in userspace).
 */
#ifndef XHB_BENCH_LIVE_GEN_H
#define XHB_BENCH_LIVE_GEN_H

#include "xhb_wire.h"

/* Ethernet, IPv4 without options, UDP, the header. */
#define LIVE_GEN_FRAME_LEN (14 + 20 + 8 + XHB_HDR_LEN)
/* Frames prepared per BPF_PROG_TEST_RUN call, at most. */
#define LIVE_GEN_SLOTS 8192

struct live_gen_frame {
	__u32 len; /* LIVE_GEN_FRAME_LEN once written; 0: empty */
	__u32 pad;
	__u8 bytes[(LIVE_GEN_FRAME_LEN + 7) & ~7];
};

#endif /* XHB_BENCH_LIVE_GEN_H */
