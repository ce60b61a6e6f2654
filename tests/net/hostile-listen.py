#!/usr/bin/env python3
# hostile-listen: what reaches ordinary services of the gateway host
# (gw-hostile.sh).  A receiver of (SOURCE, GROUP) on the tun bound to
# 0.0.0.0:5001 (as the application of a source-specific join usually
# is), and listeners bound to the wildcard addresses on 5001, 7 and 5353
# over IPv4 and IPv6 that join nothing.  Each datagram becomes a line
# "PORT FAMILY FROM PAYLOAD" in FILE; "ready" is its first line.
#
# usage: hostile-listen.py FILE IFADDR SOURCE GROUP
import select
import socket
import struct
import sys

IP_ADD_SOURCE_MEMBERSHIP = 39


def bound(fam, port):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", port))
    return s


def main():
    out, ifaddr, src, group = sys.argv[1:5]
    socks = [bound(f, p) for f in (socket.AF_INET, socket.AF_INET6)
             for p in (5001, 7, 5353)]
    mreq = (socket.inet_aton(group) + socket.inet_aton(ifaddr) +
            socket.inet_aton(src))
    socks[0].setsockopt(socket.IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, mreq)
    with open(out, "a") as f:
        print("ready", file=f, flush=True)
        while True:
            for s in select.select(socks, [], [])[0]:
                data, peer = s.recvfrom(65535)
                print(s.getsockname()[1], "v6" if s.family ==
                      socket.AF_INET6 else "v4", peer[0],
                      data.decode("ascii", "replace"), file=f, flush=True)


if __name__ == "__main__":
    main()
