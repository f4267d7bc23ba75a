#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""A hypervisor's steal, roughly emulated: a SCHED_FIFO busy burst on one
CPU every so often, alternating CPUs. Nothing else runs on that CPU during
a burst: no agent, no ksoftirqd; a veth NAPI queued there when the burst
begins waits with every frame through that veth (for the lab's nodes, a
partition of the burst's length). Unlike a real steal, a burst cannot stop
a softirq already running, so that last part is rare here. Bounded: it
stops by itself after SECONDS.

    selftests/steal.py SECONDS [BURST_MS [EVERY_MS]]   (10 ms every 200 ms)
"""
import os
import sys
import time


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    total = float(sys.argv[1])
    burst = float(sys.argv[2]) / 1000 if len(sys.argv) > 2 else 0.010
    every = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.200
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(50))
    end = time.monotonic() + total
    n = 0
    while time.monotonic() < end:
        os.sched_setaffinity(0, {cpus[n % len(cpus)]})
        n += 1
        stop = time.monotonic() + burst
        while time.monotonic() < stop:
            pass
        time.sleep(every)


if __name__ == "__main__":
    main()
