// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* libFuzzer harness: authkeys. The body is in fuzz_targets.h. */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (xhb_fuzz_run("authkeys", data, size))
		abort(); /* a broken property is a finding, like a crash */
	return 0;
}
