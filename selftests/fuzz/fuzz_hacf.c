// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* libFuzzer harness: ha.cf. The body is in fuzz_targets.h. */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (xhb_fuzz_run("hacf", data, size))
		abort(); /* a broken property is a finding, like a crash */
	return 0;
}
