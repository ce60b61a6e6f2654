#!/usr/bin/env python3
# hostile-relay: an AMT relay (RFC 7450) that speaks the protocol
# correctly (Discovery -> Advertisement, Request -> Query with an IGMPv3
# General Query, Updates accepted) and, once the gateway's Update joins
# (SOURCE, GROUP), sends Multicast Data with chosen inner packets: the
# joined (S,G) and every class a gateway must not deliver to its host
# (gw-hostile.sh).  Prints to stdout, one line each:
#   joined            the Update with (SOURCE, GROUP) in INCLUDE came
#   any-source GROUP  an Update put GROUP in EXCLUDE mode
#   sent N            N Data messages sent, the whole battery
#
# usage: hostile-relay.py ADDR SOURCE GROUP
import socket
import struct
import sys

PORT = 2268
MAC = b"\x11\x22\x33\x44\x55\x66"
LL6 = "fe80::99"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def a4(s):
    return socket.inet_pton(socket.AF_INET, s)


def a6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def ip4(src, dst, proto, payload, ttl=64, ra=False, ihl=None):
    opts = b"\x94\x04\0\0" if ra else b""
    hl = 20 + len(opts)
    vihl = 0x40 | ((ihl if ihl is not None else hl) // 4)
    h = struct.pack("!BBHHHBBH4s4s", vihl, 0xc0 if ra else 0,
                    hl + len(payload), 0, 0, ttl, proto, 0, a4(src),
                    a4(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def igmp(typ, code, rest):
    m = struct.pack("!BBH", typ, code, 0) + rest
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def ip6(src, dst, nh, payload, hlim=255, exthdr=b""):
    return struct.pack("!IHBB16s16s", 0x60000000, len(exthdr) + len(payload),
                       nh if not exthdr else 0, hlim, a6(src),
                       a6(dst)) + exthdr + payload


def l4_6(src, dst, proto, msg, cko):
    ph = a6(src) + a6(dst) + struct.pack("!IxxxB", len(msg), proto)
    c = csum(ph + msg)
    return msg[:cko] + struct.pack("!H", c) + msg[cko + 2:]


def icmp6(src, dst, typ, code, body, hlim=255, hbh=False):
    m = l4_6(src, dst, 58, struct.pack("!BBH", typ, code, 0) + body, 2)
    ext = b"\x3a\x00\x05\x02\x00\x00\x01\x00" if hbh else b""
    return ip6(src, dst, 58, m, hlim, ext)


def udp4(src, dst, port, tag):
    m = struct.pack("!HHHH", 40000, port, 8 + len(tag), 0) + tag
    return ip4(src, dst, 17, m)


def udp6(src, dst, port, tag):
    m = struct.pack("!HHHH", 40000, port, 8 + len(tag), 0) + tag
    return ip6(src, dst, 17, l4_6(src, dst, 17, m, 6))


def gq():
    """An IGMPv3 General Query from us to 224.0.0.1 (RFC 3376 4.1)."""
    return ip4(RELAY, "224.0.0.1", 2, igmp(0x11, 10, b"\0" * 4 +
               struct.pack("!BBH", 2, 125, 0)), ttl=1, ra=True)


def battery(src, group):
    """(tag, inner packet): the joined (S,G) first, then what must not pass."""
    ra = struct.pack("!BBHII", 64, 0x08, 1800, 0, 0) + struct.pack(
        "!BBBBIII16s", 3, 4, 64, 0xc0, 86400, 86400, 0, a6("2001:db8:bad::"))
    ns = struct.pack("!I16s", 0, a6("fd02::11"))
    mld1 = struct.pack("!HH16s", 1000, 0, bytes(16))
    mld2 = mld1 + struct.pack("!BBH", 2, 125, 0)
    bad6 = ip6("2001:db8::1", "ff3e::8000:99", 60, b"\x11\x04" + b"\0" * 6)
    return [
        (b"good", udp4(src, group, 5001, b"good")),
        (b"ll4-all-hosts", udp4(src, "224.0.0.1", 5001, b"ll4-all-hosts")),
        (b"ll4-echo", udp4("10.9.9.9", "224.0.0.1", 7, b"ll4-echo")),
        (b"ll4-mdns", udp4(src, "224.0.0.251", 5353, b"ll4-mdns")),
        (b"ll6-all-nodes", udp6(LL6, "ff02::1", 5001, b"ll6-all-nodes")),
        (b"ll6-mdns", udp6(LL6, "ff02::fb", 5353, b"ll6-mdns")),
        (b"ll6-node-local", udp6(LL6, "ff01::1", 5001, b"ll6-node-local")),
        (b"ra", icmp6(LL6, "ff02::1", 134, 0, ra)),
        (b"ns", icmp6(LL6, "ff02::1:ff00:11", 135, 0, ns)),
        (b"redirect", icmp6(LL6, "ff02::1", 137, 0, ns + a6("fe80::98"))),
        (b"echo6", icmp6(LL6, "ff3e::8000:1", 128, 0, b"\0\1\0\1")),
        (b"igmpv1-query", ip4(RELAY, "224.0.0.1", 2, igmp(0x11, 0, b"\0" * 4),
                              ttl=1)),
        (b"igmpv2-query", ip4(RELAY, "224.0.0.1", 2,
                              igmp(0x11, 100, b"\0" * 4), ttl=1, ra=True)),
        (b"igmpv2-gsq", ip4(RELAY, group, 2, igmp(0x11, 100, a4(group)),
                            ttl=1, ra=True)),
        (b"igmpv3-query", gq()),
        (b"mldv1-query", icmp6(LL6, "ff02::1", 130, 0, mld1, 1, True)),
        (b"mldv2-query", icmp6(LL6, "ff02::1", 130, 0, mld2, 1, True)),
        (b"not-joined4", udp4(src, "232.1.1.2", 5001, b"not-joined4")),
        (b"not-joined6", udp6("fd01::1", "ff3e::8000:2", 5001,
                              b"not-joined6")),
        (b"other-source", udp4("10.1.0.99", group, 5001, b"other-source")),
        (b"unicast", udp4(src, "10.2.0.11", 5001, b"unicast")),
        (b"bad-ext6", bad6),
        (b"bad-ihl", ip4(src, group, 17, b"\0" * 8, ihl=60)),
    ]


def report_groups(inner):
    """(record type, group, sources) of an IGMPv3 report in an Update."""
    if len(inner) < 20 or inner[0] >> 4 != 4:
        return []
    hl = (inner[0] & 15) * 4
    m = inner[hl:]
    if len(m) < 8 or m[0] != 0x22:
        return []
    n, off, out = struct.unpack("!H", m[6:8])[0], 8, []
    for _ in range(n):
        t, aux, ns = struct.unpack("!BBH", m[off:off + 4])
        g = socket.inet_ntop(socket.AF_INET, m[off + 4:off + 8])
        srcs = [socket.inet_ntop(socket.AF_INET, m[off + 8 + 4 * i:
                off + 12 + 4 * i]) for i in range(ns)]
        out.append((t, g, srcs))
        off += 8 + 4 * ns + 4 * aux
    return out


def main():
    global RELAY
    RELAY, src, group = sys.argv[1:4]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((RELAY, PORT))
    sent = False
    while True:
        msg, peer = s.recvfrom(65535)
        if not msg:
            continue
        t = msg[0] & 15
        if t == 1 and len(msg) >= 8:
            s.sendto(b"\x02\0\0\0" + msg[4:8] + a4(RELAY), peer)
        elif t == 3 and len(msg) >= 8:
            s.sendto(b"\x04\0" + MAC + msg[4:8] + gq(), peer)
        elif t == 5 and len(msg) >= 12:
            for rt, g, srcs in report_groups(msg[12:]):
                if g == group and rt in (2, 4):
                    print("any-source", g, flush=True)
                if g == group and rt in (1, 3, 5) and src in srcs \
                        and not sent:
                    print("joined", flush=True)
                    n = 0
                    for _ in range(3):
                        for tag, p in battery(src, group):
                            s.sendto(b"\x06\0" + p, peer)
                            n += 1
                    sent = True
                    print("sent", n, flush=True)


if __name__ == "__main__":
    main()
