# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""The client's view of who answers for a VIP, frame by frame (AF_PACKET,
no arping, ndisc6 or tcpdump needed). For the fenced-standby tests.

    arpwatch.py watch IFACE VIP OUT READY [PERIOD_MS] [MAX_S]

Run inside the client's namespace. Every PERIOD_MS (5) a request for VIP
goes out on IFACE, each from its own sender address, so that every reply
names the request it answers:
  IPv4 VIP  an ARP request "who has VIP" from 172.16.250.ID (ID 1..250 in
            turn);
  IPv6 VIP  a neighbour solicitation for VIP to its solicited-node
            multicast address, from the VIP's first 96 bits followed by
            fa00:ID (fd58:193::30 asks from fd58:193::fa00:1 ..
            fd58:193::fa00:fa), with the client's MAC as its source
            link-layer option: a node that owns VIP answers with a
            neighbour advertisement to that address.
One JSON line a frame is appended to OUT, t on CLOCK_MONOTONIC (the
events' mono_ns):
    {"t":..., "k":"req", "id":N}              a request sent
    {"t":..., "k":"rep", "id":N, "mac":M}    a reply to it, from MAC M
    {"t":..., "k":"arp", "op":O, "mac":M}    any other ARP frame whose
                                              sender is the VIP (GARPs,
                                              a node resolving from it);
                                              IPv6: any other neighbour
                                              discovery message from the
                                              VIP or advertising it
                                              (an NA answering the
                                              client's kernel, a node
                                              resolving from it), O its
                                              ICMPv6 type
    {"t":..., "k":"arp", "op":136, "mac":M, "u":1}
                                              IPv6: an unsolicited NA for
                                              the VIP (S flag clear: a
                                              takeover's announcement)
    {"t":..., "k":"ip", "p":P, "mac":M}      an IPv4 packet from the VIP
    {"t":..., "k":"ip", "p":P, "mac":M, "v":6}
                                              an IPv6 packet from the VIP
                                              (other than neighbour
                                              discovery), P its next header
M is the link-layer address the reply carries (ARP's sender, ND's
link-layer option; the frame's source when an ND message has none).
Stops at SIGTERM or after MAX_S (120) seconds.

    arpwatch.py report OUT T0 T1 NAME=MAC...

What happened between mono_ns T0 and T1 (T1 0: to the end), as one JSON
object: requests sent, replies by name (a MAC not named is "other"),
requests answered by more than one MAC ("both", with up to 5 examples),
"runs" (the names of the replies in time order, repeats collapsed: one
server at a time means no name twice), the first and last reply of each,
and by name the IP packets from the VIP ("ip"), the ICMP (IPv6: ICMPv6)
ones among them ("icmp") and the ARP or ND frames sent as the VIP ("arp").
"""
import json
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6 = 0x0003, 0x0806, 0x0800, 0x86DD
PACKET_OUTGOING = 4
NIDS = 250
IPPROTO_ICMPV6 = 58
ND_FIRST, ND_NS, ND_NA, ND_LAST = 133, 135, 136, 137  # RFC 4861 types
ND_OPT_SLLA, ND_OPT_TLLA = 1, 2
ND_NA_SOLICITED = 0x40  # the S flag, in the NA's first flags byte
SOLICITED_NODE = bytes.fromhex("ff0200000000000000000001ff")  # ff02::1:ff00:0/104


def mono():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def mac_text(b):
    return ":".join(f"{x:02x}" for x in b)


def sender(i):
    return bytes([172, 16, 250, i])


class Arp:
    """IPv4: ARP requests, replies tied by their target (our sender)."""

    def __init__(self, vip, me):
        self.vip, self.me = socket.inet_aton(vip), me

    def request(self, i):
        arp = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, 1, self.me,
                          sender(i), bytes(6), self.vip)
        return b"\xff" * 6 + self.me + struct.pack("!H", ETH_P_ARP) + arp

    def classify(self, frame, proto):
        if proto == ETH_P_ARP and len(frame) >= 42:
            op, sha, spa, tpa = struct.unpack("!6xH6s4s6x4s", frame[14:42])
            if spa != self.vip:
                return None
            if op == 2 and tpa[:3] == bytes([172, 16, 250]):
                return {"k": "rep", "id": tpa[3], "mac": mac_text(sha)}
            return {"k": "arp", "op": op, "mac": mac_text(sha)}
        if proto == ETH_P_IP and len(frame) >= 34 and frame[26:30] == self.vip:
            return {"k": "ip", "p": frame[23], "mac": mac_text(frame[6:12])}
        return None


def icmp6_checksum(src, dst, msg):
    """RFC 4443 2.3: over the pseudo-header and the message."""
    data = src + dst + struct.pack("!I3xB", len(msg), IPPROTO_ICMPV6) + msg
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class Nd:
    """IPv6: neighbour solicitations, advertisements tied by their
    destination (our sender)."""

    def __init__(self, vip, me):
        self.vip, self.me = socket.inet_pton(socket.AF_INET6, vip), me
        self.group = SOLICITED_NODE + self.vip[13:]

    def sender(self, i):
        return self.vip[:12] + bytes([0xFA, 0, 0, i])

    def request(self, i):
        src = self.sender(i)
        ns = struct.pack("!BBH4x16sBB6s", ND_NS, 0, 0, self.vip,
                         ND_OPT_SLLA, 1, self.me)
        ns = ns[:2] + struct.pack("!H", icmp6_checksum(src, self.group, ns)) + ns[4:]
        ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(ns), IPPROTO_ICMPV6,
                          255, src, self.group)
        return (b"\x33\x33" + self.group[12:] + self.me +
                struct.pack("!H", ETH_P_IPV6) + ip6 + ns)

    def option_mac(self, msg, want):
        """The link-layer address option `want` of an NS or NA, or None."""
        at = 24
        while at + 8 <= len(msg) and msg[at + 1]:
            if msg[at] == want:
                return msg[at + 2:at + 8]
            at += msg[at + 1] * 8
        return None

    def classify(self, frame, proto):
        if proto != ETH_P_IPV6 or len(frame) < 54:
            return None
        nh, src, dst, msg = frame[20], frame[22:38], frame[38:54], frame[54:]
        if nh == IPPROTO_ICMPV6 and len(msg) >= 4 and ND_FIRST <= msg[0] <= ND_LAST:
            target = msg[8:24] if msg[0] in (ND_NS, ND_NA) and len(msg) >= 24 else None
            if src != self.vip and not (msg[0] == ND_NA and target == self.vip):
                return None
            mac = None
            if target:
                mac = self.option_mac(msg, ND_OPT_TLLA if msg[0] == ND_NA else ND_OPT_SLLA)
            mac = mac_text(mac if mac else frame[6:12])
            if (msg[0] == ND_NA and target == self.vip and dst[:15] == self.sender(0)[:15]
                    and 1 <= dst[15] <= NIDS):
                return {"k": "rep", "id": dst[15], "mac": mac}
            if msg[0] == ND_NA and len(msg) >= 24 and not msg[4] & ND_NA_SOLICITED:
                return {"k": "arp", "op": msg[0], "mac": mac, "u": 1}
            return {"k": "arp", "op": msg[0], "mac": mac}
        if src == self.vip:
            return {"k": "ip", "p": nh, "mac": mac_text(frame[6:12]), "v": 6}
        return None


def watch(iface, vip, out, ready, period_ms=5.0, max_s=120.0):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    me = s.getsockname()[4][:6]
    family = Nd(vip, me) if ":" in vip else Arp(vip, me)
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
            try:
                s.send(family.request(i))
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
        e = family.classify(frame, struct.unpack("!H", frame[12:14])[0])
        if e:
            f.write(json.dumps({"t": t, **e}) + "\n")
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
            if e["p"] == (IPPROTO_ICMPV6 if e.get("v") == 6 else 1):
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
