# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""Stall an agent past its lease, then wake it, and watch what it renews.

    stopcont.py PID PIN_DIR WAKE_AFTER_MS [SAMPLE_MS]

SIGSTOP the agent PID; its lease lapses at E = agent_update_ns + lease_ms
of its pinned xhb_self (PIN_DIR/xhb_self); SIGCONT it at E + WAKE_AFTER_MS.
With SAMPLE_MS, read its xhb_self every 0.2 ms for that long after the
SIGCONT and list every renewal (each new agent_update_ns) with what it
said it held. Prints one JSON object: lease_ms, held, lapse_ns, stop_ns,
cont_ns, renewals [[agent_update_ns, lease_ms, groups_held], ...].
Times are printed on CLOCK_MONOTONIC, the clock of the events' mono_ns;
the maps are stamped on CLOCK_BOOTTIME (xhbmaps.boot_to_mono).
"""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xhbmaps import boot_to_mono, obj_get, read_self  # noqa: E402


def mono():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def stopped(pid):
    """Every thread of pid in state T."""
    try:
        return all(open(f"/proc/{pid}/task/{t}/stat").read().rsplit(")", 1)[1].split()[0] == "T"
                   for t in os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return False


def main():
    pid, pins, wake_ms = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    sample_ms = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    fd = obj_get(f"{pins}/xhb_self")
    t_stop = mono()
    os.kill(pid, signal.SIGSTOP)
    # Stopped for sure (a few microseconds): xhb_self holds its last renewal.
    give_up = t_stop + 1000000000
    while not stopped(pid):
        if mono() > give_up:
            os.kill(pid, signal.SIGCONT)
            sys.exit("the agent was not stopped 1 s after SIGSTOP")
        os.sched_yield()
    me = read_self(fd)
    if me is None:
        os.kill(pid, signal.SIGCONT)
        sys.exit("cannot read xhb_self")
    lapse = boot_to_mono(me["agent_update_ns"] + me["lease_ms"] * 1000000)
    wake = lapse + wake_ms * 1000000
    while mono() < wake:
        time.sleep(max(0.0, (wake - mono()) / 1e9))
    t_cont = mono()
    os.kill(pid, signal.SIGCONT)
    renewals, last = [], me["agent_update_ns"]
    end = t_cont + sample_ms * 1000000
    while mono() < end:
        s = read_self(fd)
        if s and s["agent_update_ns"] != last:
            last = s["agent_update_ns"]
            renewals.append([boot_to_mono(last), s["lease_ms"], s["groups_held"]])
        time.sleep(0.0002)
    print(json.dumps({"lease_ms": me["lease_ms"], "held": me["groups_held"],
                      "lapse_ns": lapse, "stop_ns": t_stop, "cont_ns": t_cont,
                      "renewals": renewals}))


if __name__ == "__main__":
    main()
