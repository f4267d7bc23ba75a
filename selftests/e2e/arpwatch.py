# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""The client's view of who answers for a VIP, frame by frame (AF_PACKET,
no arping or tcpdump needed). For the fenced-standby tests.

    arpwatch.py watch IFACE VIP OUT READY [PERIOD_MS] [MAX_S]

Run inside the client's namespace. Every PERIOD_MS (5) an ARP request
"who has VIP" goes out on IFACE, each from its own sender address
(172.16.250.ID, ID 1..250 in turn), so that every reply names the request
it answers. One JSON line a frame is appended to OUT, t on CLOCK_MONOTONIC
(the events' mono_ns):
    {"t":..., "k":"req", "id":N}              a request sent
    {"t":..., "k":"rep", "id":N, "mac":M}    a reply to it, from MAC M
    {"t":..., "k":"arp", "op":O, "mac":M}    any other ARP frame whose
                                              sender is the VIP (GARPs,
                                              a node resolving from it)
    {"t":..., "k":"ip", "p":P, "mac":M}      an IPv4 packet from the VIP
Stops at SIGTERM or after MAX_S (120) seconds.

    arpwatch.py report OUT T0 T1 NAME=MAC...

What happened between mono_ns T0 and T1 (T1 0: to the end), as one JSON
object: requests sent, replies by name (a MAC not named is "other"),
requests answered by more than one MAC ("both", with up to 5 examples),
"runs" (the names of the replies in time order, repeats collapsed: one
server at a time means no name twice), the first and last reply of each,
and by name the IPv4 packets from the VIP ("ip"), the ICMP ones among
them ("icmp") and the ARP frames sent as the VIP ("arp").
"""
import json
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL, ETH_P_ARP, ETH_P_IP = 0x0003, 0x0806, 0x0800
PACKET_OUTGOING = 4
NIDS = 250


def mono():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def mac_text(b):
    return ":".join(f"{x:02x}" for x in b)


def sender(i):
    return bytes([172, 16, 250, i])


def watch(iface, vip, out, ready, period_ms=5.0, max_s=120.0):
    vip_b = socket.inet_aton(vip)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    me = s.getsockname()[4][:6]
    f = open(out, "a", buffering=1)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    period = period_ms / 1000.0
    seq, nxt, end = 0, time.monotonic(), time.monotonic() + max_s
    open(ready, "w").close()
    while not stop and time.monotonic() < end:
        now = time.monotonic()
        if now >= nxt:
            i = seq % NIDS + 1
            seq += 1
            arp = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, 1, me,
                              sender(i), bytes(6), vip_b)
            try:
                s.send(b"\xff" * 6 + me + struct.pack("!H", ETH_P_ARP) + arp)
            except OSError:
                break  # the lab is going away
            f.write(json.dumps({"t": mono(), "k": "req", "id": i}) + "\n")
            nxt += period
            if nxt < now:
                nxt = now + period
        if not select.select([s], [], [], max(nxt - time.monotonic(), 0))[0]:
            continue
        frame, addr = s.recvfrom(2048)
        if addr[2] == PACKET_OUTGOING or len(frame) < 14:
            continue
        t = mono()
        src = mac_text(frame[6:12])
        proto = struct.unpack("!H", frame[12:14])[0]
        if proto == ETH_P_ARP and len(frame) >= 42:
            op, sha, spa, tpa = struct.unpack("!6xH6s4s6x4s", frame[14:42])
            if spa != vip_b:
                continue
            if op == 2 and tpa[:3] == bytes([172, 16, 250]):
                f.write(json.dumps({"t": t, "k": "rep", "id": tpa[3],
                                    "mac": mac_text(sha)}) + "\n")
            else:
                f.write(json.dumps({"t": t, "k": "arp", "op": op,
                                    "mac": mac_text(sha)}) + "\n")
        elif proto == ETH_P_IP and len(frame) >= 34 and frame[26:30] == vip_b:
            f.write(json.dumps({"t": t, "k": "ip", "p": frame[23],
                                "mac": src}) + "\n")
    f.close()


def report(out, t0, t1, named):
    names = {mac.lower(): name for name, mac in named}
    name_of = lambda m: names.get(m, "other")
    last_req = {}  # id -> seq of the last request sent with it
    answered = {}  # seq -> set of MACs
    r = {"sent": 0, "replies": {}, "both": 0, "both_examples": [], "runs": [],
         "first": {}, "last": {}, "ip": {}, "icmp": {}, "arp": {}}
    seq = 0
    for line in open(out, errors="replace"):
        try:
            e = json.loads(line)
        except ValueError:
            continue  # the last line, half written
        if e["k"] == "req":
            seq += 1
            last_req[e["id"]] = seq
            if e["t"] >= t0 and (not t1 or e["t"] <= t1):
                r["sent"] += 1
            continue
        if e["t"] < t0 or (t1 and e["t"] > t1):
            continue
        n = name_of(e["mac"])
        if e["k"] == "rep":
            r["replies"][n] = r["replies"].get(n, 0) + 1
            r["first"].setdefault(n, e["t"])
            r["last"][n] = e["t"]
            if not r["runs"] or r["runs"][-1] != n:
                r["runs"].append(n)
            macs = answered.setdefault(last_req.get(e["id"], -e["id"]), set())
            macs.add(e["mac"])
            if len(macs) == 2:
                r["both"] += 1
                if len(r["both_examples"]) < 5:
                    r["both_examples"].append({"t": e["t"], "id": e["id"],
                                               "by": sorted(map(name_of, macs))})
        elif e["k"] == "ip":
            r["ip"][n] = r["ip"].get(n, 0) + 1
            if e["p"] == 1:
                r["icmp"][n] = r["icmp"].get(n, 0) + 1
        elif e["k"] == "arp":
            r["arp"][n] = r["arp"].get(n, 0) + 1
    print(json.dumps(r, sort_keys=True))


def main():
    a = sys.argv[1:]
    if len(a) >= 5 and a[0] == "watch":
        watch(a[1], a[2], a[3], a[4], *(float(x) for x in a[5:7]))
    elif len(a) >= 4 and a[0] == "report":
        report(a[1], int(a[2]), int(a[3]), [x.split("=", 1) for x in a[4:]])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
