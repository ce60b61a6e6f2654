#!/bin/sh
# covers: G1 G7
#
# The gateway's pseudo-interface (G1): amtgwd creates a tun that is up,
# multicast-capable, with an IPv4 address and an IPv6 link-local address,
# an MTU that fits inside the tunnel (outer IP + UDP + 2 octets of AMT
# header below the path's 1500), and a reverse-path filter that lets the
# decapsulated packets in even when the namespace's conf/all/rp_filter is
# strict (1): data from a source the gateway host has no route to reaches
# a receiver on the tun (G7).  Given a veth instead of a tun, amtgwd exits
# non-zero with a clear message and leaves the veth alone.
#
#   [src] s0 10.1.0.1 fd01::1 -- up0 [relay] br0 10.2.0.1 fd02::1
#                                         |-- g0 10.2.0.11 fd02::11 [gw1]
#                                             amt0 (-R 10.2.0.1), amt1 (-R fd02::1)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

e2e_setup gw-tun
e2e_topo 1
NS_GW=$(e2e_nsname gw1)
# Strict reverse-path filtering, as many distributions ship it.
ip netns exec "$NS_GW" sh -c 'sysctl -qw net.ipv4.conf.all.rp_filter=1
	sysctl -qw net.ipv4.conf.default.rp_filter=1' || FAIL "sysctl"
e2e_relay "$NS_RELAY" up0 -a "$R4" -a "$R6"

# check_tun NAME MAXMTU: the properties G1 asks for.
check_tun()
{
	l=$(ip -d -n "$NS_GW" link show "$1") || FAIL "$1: no such interface"
	e2e_log "$1: $(echo "$l" | head -1)"
	echo "$l" | grep -q 'tun type tun' || FAIL "$1 is not a tun: $l"
	for f in UP MULTICAST LOWER_UP; do
		echo "$l" | head -1 | grep -q "[<,]$f[,>]" || FAIL "$1: no $f flag"
	done
	mtu=$(echo "$l" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p' | head -1)
	[ "$mtu" -ge 1280 ] && [ "$mtu" -le "$2" ] ||
		FAIL "$1: MTU $mtu does not fit the tunnel (1280..$2)"
	ip -4 -n "$NS_GW" addr show dev "$1" | grep -q 'inet ' ||
		FAIL "$1: no IPv4 address"
	ip -6 -n "$NS_GW" addr show dev "$1" scope link | grep -q 'inet6 fe80:' ||
		FAIL "$1: no IPv6 link-local address"
	all=$(ip netns exec "$NS_GW" cat /proc/sys/net/ipv4/conf/all/rp_filter)
	one=$(ip netns exec "$NS_GW" cat "/proc/sys/net/ipv4/conf/$1/rp_filter")
	eff=$all; [ "$one" -gt "$eff" ] && eff=$one
	e2e_log "$1: mtu $mtu, rp_filter all=$all $1=$one (effective $eff)"
	[ "$eff" -ne 1 ] || FAIL "$1: strict rp_filter left in place"
}

# IPv4 tunnel: 1500 - 20 - 8 - 2.
e2e_gw "$NS_GW" gw1 -R "$R4"
check_tun "$TUN" 1470
e2e_probe "$NS_SRC" "$NS_GW" 232.1.10.1 "$S4" 30 ||
	FAIL "IPv4 data from an unrouted source did not reach the tun"
e2e_probe "$NS_SRC" "$NS_GW" ff3e::8000:10 "$S6" 30 ||
	FAIL "IPv6 data did not reach the tun"

# IPv6 tunnel on a second tun: 1500 - 40 - 8 - 2.
TUN=amt1
e2e_gw "$NS_GW" gw2 -R "$R6"
check_tun amt1 1450
e2e_probe "$NS_SRC" "$NS_GW" 232.1.10.2 "$S4" 30 ||
	FAIL "IPv4 data in the IPv6 tunnel did not reach amt1"

# A veth is not a tun.
before=$(ip -n "$NS_GW" addr show dev g0)
ip netns exec "$NS_GW" timeout 10 "$GWD" -d -t g0 -R "$R4" \
    -S "$E2E_TMP/bad.sock" >"$E2E_TMP/bad.log" 2>&1
rc=$?
e2e_log "amtgwd -t g0 (a veth): exit $rc: $(head -3 "$E2E_TMP/bad.log")"
[ "$rc" -ne 0 ] || FAIL "amtgwd accepted a veth as its tun"
[ "$rc" -ne 124 ] || FAIL "amtgwd kept running on a veth"
grep -qi 'tun' "$E2E_TMP/bad.log" && grep -q 'g0' "$E2E_TMP/bad.log" ||
	FAIL "no clear error naming g0 and tun: $(cat "$E2E_TMP/bad.log")"
[ "$(ip -n "$NS_GW" addr show dev g0)" = "$before" ] ||
	FAIL "amtgwd changed the veth"
OK "tun created and configured; veth refused"
