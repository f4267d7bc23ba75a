// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* libFuzzer harness: the wire decoder (xhb_wire_check on a UDP payload). The
 * body is in fuzz_targets.h. */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (xhb_fuzz_run("wire", data, size))
		abort(); /* a broken property is a finding, like a crash */
	return 0;
}
