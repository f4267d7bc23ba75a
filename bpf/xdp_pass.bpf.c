// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * XDP_PASS, nothing else. Attached to the far end of a veth whose near end
 * answers with XDP_TX: a veth delivers XDP_TX frames only to a peer that
 * runs XDP itself (on this kernel, GRO on the peer was not enough: the
 * frames were counted as RX drops). Real NICs need nothing of the kind.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
