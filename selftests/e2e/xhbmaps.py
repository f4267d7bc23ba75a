# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""Read xhb's pinned maps with bpf(2) from Python, fast enough to sample
every few milliseconds (xhbctl is a process per read). For the e2e tests.

    fd = obj_get("/run/xhb-lab/bpf/srv1/xhb/ens192/xhb_self")
    s = read_self(fd)   # {"incarnation":..., "agent_update_ns":..., ...}
"""
import ctypes
import os
import platform
import struct
import time

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_NR_BPF = {"x86_64": 321, "aarch64": 280}[platform.machine()]
BPF_MAP_LOOKUP_ELEM, BPF_OBJ_GET = 1, 7
# Any value fits: the kernel writes the map's value size, whatever
# struct xhb_self or xhb_vip_lease grow to.
_VALUE_ROOM = 4096


def boot_to_mono(boot_ns):
    """A time XDP or the agent stamped (CLOCK_BOOTTIME) on CLOCK_MONOTONIC,
    the clock of the events' mono_ns: they differ by the time the machine
    spent suspended."""
    offset = (time.clock_gettime_ns(time.CLOCK_BOOTTIME)
              - time.clock_gettime_ns(time.CLOCK_MONOTONIC))
    return boot_ns - offset


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = _libc.syscall(ctypes.c_long(_NR_BPF), ctypes.c_long(cmd), buf,
                      ctypes.c_long(128))
    return r if r >= 0 else -ctypes.get_errno()


def obj_get(path):
    """fd of a pinned map; raises OSError when it cannot be opened."""
    p = ctypes.create_string_buffer(path.encode())
    fd = bpf(BPF_OBJ_GET, struct.pack("QIIi", ctypes.addressof(p), 0, 0, 0))
    if fd < 0:
        raise OSError(-fd, f"cannot open {path}: {os.strerror(-fd)}")
    return fd


def lookup(fd, key):
    """The value's bytes (with slack after it), or None when absent."""
    k = ctypes.create_string_buffer(key, len(key))
    v = ctypes.create_string_buffer(_VALUE_ROOM)
    r = bpf(BPF_MAP_LOOKUP_ELEM,
            struct.pack("IIQQQ", fd, 0, ctypes.addressof(k),
                        ctypes.addressof(v), 0))
    return v.raw if r == 0 else None


def read_self(fd):
    """struct xhb_self's leading fields (include/xhb_maps.h), or None."""
    v = lookup(fd, struct.pack("I", 0))
    if v is None:
        return None
    inc, epoch, upd, node, lease_ms, held = struct.unpack_from("QQQIII", v)
    return {"incarnation": inc, "agent_epoch": epoch, "agent_update_ns": upd,
            "node_id": node, "lease_ms": lease_ms, "groups_held": held}
