#!/bin/sh
# covers: G1 G7
#
# A LAN behind the gateway: smcrouted joins (S,G) on the tun (its join is
# an ordinary host report on the tun, G1) and routes them from the tun to
# a veth; a receiver in a further namespace gets the streams (IPv4 and
# IPv6).  The source's TTL/hop limit is above 1 so that the gateway host
# may forward (delivery to local sockets through the tun ignores the
# TTL; forwarding to the LAN does not).
#
#   [src] s0 10.1.0.1 fd01::1 -- up0 [relay] br0 10.2.0.1 -- g0 10.2.0.11 [gw1]
#                                                  tun amt0, smcrouted
#                                                  lan0 10.9.0.1 fd09::1
#                                                    |
#                                          l0 10.9.0.2 fd09::2 [lan] receivers
#
# Needs multicast routing in the kernel (CONFIG_IP_MROUTE and
# CONFIG_IPV6_MROUTE): mroute-probe tries MRT_INIT and MRT6_INIT in the
# gateway's namespace first and the scenario skips, with the reason, on a
# kernel without them.  AMT_TEST_NO_MROUTE=1 simulates such a kernel on
# one that has them (the probe runs with no-mroute.so preloaded, which
# fails both with ENOPROTOOPT), to prove the skip:
#   AMT_TEST_NO_MROUTE=1 make check TESTS=tests/net/gw-lan.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

GL4=232.1.9.1
GL6=ff3e::8000:9

e2e_setup gw-lan
command -v smcrouted >/dev/null 2>&1 || SKIP "no smcrouted"
e2e_topo 1
NS_GW=$(e2e_nsname gw1)
e2e_mroute_probe "$NS_GW"
NS_LAN=$(e2e_nsname lan)
e2e_ns lan
ns_link "$NS_GW" lan0 "$NS_LAN" l0
ns_addr "$NS_GW" lan0 10.9.0.1/24 fd09::1/64
ns_addr "$NS_LAN" l0 10.9.0.2/24 fd09::2/64
ip netns exec "$NS_GW" sysctl -qw net.ipv6.conf.all.forwarding=1

e2e_relay "$NS_RELAY" up0 -a "$R4"
e2e_gw "$NS_GW" gw1 -R "$R4"

cat >"$E2E_TMP/smcroute.conf" <<EOF
phyint $TUN enable
phyint lan0 enable
mgroup from $TUN source $S4 group $GL4
mroute from $TUN source $S4 group $GL4 to lan0
mgroup from $TUN source $S6 group $GL6
mroute from $TUN source $S6 group $GL6 to lan0
EOF
e2e_start "$NS_GW" smcrouted smcrouted -n -N -l debug \
    -f "$E2E_TMP/smcroute.conf" -u "$E2E_TMP/smcroute.sock" \
    -P "$E2E_TMP/smcroute.pid"
e2e_wait 30 test -S "$E2E_TMP/smcroute.sock" || FAIL "smcrouted did not start"

e2e_wait 20 e2e_relay_wants "$GL4" "$GL6" ||
	FAIL "smcrouted's joins on the tun did not reach the relay"
e2e_log "relay forwards $GL4 and $GL6 to the gateway"

e2e_recv "$NS_LAN" lan4 -i l0 -g "$GL4" -s "$S4"
e2e_recv "$NS_LAN" lan6 -i l0 -g "$GL6" -s "$S6"
e2e_send "$NS_SRC" send4 -g "$GL4" -s "$S4" -i s0 -r 500 -l 500 -t 8
e2e_send "$NS_SRC" send6 -g "$GL6" -s "$S6" -i s0 -r 500 -l 500 -t 8
e2e_wait 30 e2e_stat_ge lan4 unique 1000 ||
	FAIL "LAN receiver: IPv4 stream not routed from the tun ($(cat "$E2E_TMP/lan4.out"))"
e2e_wait 30 e2e_stat_ge lan6 unique 1000 ||
	FAIL "LAN receiver: IPv6 stream not routed from the tun ($(cat "$E2E_TMP/lan6.out"))"
e2e_log "lan4: $(cat "$E2E_TMP/lan4.out")"
e2e_log "lan6: $(cat "$E2E_TMP/lan6.out")"
OK "streams routed from the tun to a LAN"
