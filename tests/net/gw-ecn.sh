#!/bin/sh
# covers: G2 G4 G7 R15
#
# ECN through the tunnel (RFC 9601 6.1.4, RFC 6040 4.2 at the gateway):
# the source sends an ECT(0) stream and a Not-ECT stream to each of two
# gateways, gw1 in an IPv4 tunnel (IPv4 data, -R) and gw2 in an IPv6
# tunnel (IPv6 data, found through Relay Discovery).  Once the paths are
# up, nftables in each gateway's namespace sets the outer ECN field of
# everything from the relay to CE: the receivers on the tuns see every
# ECT(0) packet as CE, no Not-ECT packet arrives, and the gateways count
# the drops (data-ecn-ce-drops).  On the wire, every Request and Relay
# Discovery of the gateways carries E (G2, G4: RFC 9601 6.1.4.2).
#
#   [src] s0 10.1.0.1 fd01::1      sends 232.1.1.{1,2}, ff3e::8000:{1,2}
#     |
#   up0 [relay] br0 10.2.0.1 fd02::1   amtrelayd -i up0
#                  |-- g0 10.2.0.11 [gw1] amtgwd -R 10.2.0.1   (outer CE)
#                  |-- g0 10.2.0.12 [gw2] amtgwd -r fd02::1    (outer CE)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

COUNT=200
RATE=200

e2e_setup gw-ecn
command -v nft >/dev/null 2>&1 || SKIP "no nft"
e2e_topo 2
NS_GW1=$(e2e_nsname gw1)
NS_GW2=$(e2e_nsname gw2)
e2e_relay "$NS_RELAY" up0 -a "$R4" -a "$R6"
cap_start gw1 "$NS_GW1" g0 udp port 2268
CAP1=$CAP_PID
cap_start gw2 "$NS_GW2" g0 udp port 2268
CAP2=$CAP_PID
e2e_gw "$NS_GW1" gw1 -R "$R4"
e2e_gw "$NS_GW2" gw2 -r "$R6"

# name  namespace  group  source  TOS (DSCP AF41 with the ECN field)
FLOWS="ect4 $NS_GW1 232.1.1.1 $S4 0x8a
not4 $NS_GW1 232.1.1.2 $S4 0x88
ect6 $NS_GW2 ff3e::8000:1 $S6 0x8a
not6 $NS_GW2 ff3e::8000:2 $S6 0x88"

set -- $FLOWS
while [ $# -ge 5 ]; do
	e2e_recv "$2" "$1" -g "$3" -s "$4" -E -w 60
	e2e_probe "$NS_SRC" "$2" "$3" "$4" 30 ||
		FAIL "$1: no data through the tunnel within 30 s"
	e2e_log "$1: path up"
	shift 5
done

# The path relay -> gateway marks CE on the outer header.
for ns in "$NS_GW1" "$NS_GW2"; do
	ip netns exec "$ns" nft -f - <<'NFT' || FAIL "nft: cannot set ECN"
table inet gwecn {
	chain pre {
		type filter hook prerouting priority mangle; policy accept;
		iifname "g0" udp sport 2268 ip ecn set ce
		iifname "g0" udp sport 2268 ip6 ecn set ce
	}
}
NFT
done
e2e_log "outer CE from the relay on"

pids=
set -- $FLOWS
while [ $# -ge 5 ]; do
	e2e_send "$NS_SRC" "send-$1" -g "$3" -s "$4" -i s0 -n "$COUNT" \
	    -r "$RATE" -l 200 -E "$5"
	pids="$pids $SEND_PID"
	shift 5
done
for p in $pids; do
	wait "$p" || FAIL "sender $p failed"
done
e2e_log "senders done"

gw_stat() { e2e_json "$E2E_TMP/$1.sock" "show stats" "j[\"$2\"]"; }
gw_stat_ge() { [ "$(gw_stat "$1" "$2")" -ge "$3" ] 2>/dev/null; }
for f in ect4 ect6; do
	e2e_wait 30 e2e_stat_ge "$f" ecn_ce "$COUNT" ||
		FAIL "$f: not every packet arrived as CE: $(cat "$E2E_TMP/$f.out")"
	e2e_log "$f: $(cat "$E2E_TMP/$f.out")"
	[ "$(e2e_stat "$f" ecn_ect0)" = 0 ] ||
		FAIL "$f: ECT(0) packets passed under an outer CE"
done
for i in 1 2; do
	e2e_wait 20 gw_stat_ge "gw$i" data-ecn-ce-drops "$COUNT" ||
		FAIL "gw$i: data-ecn-ce-drops $(gw_stat gw$i data-ecn-ce-drops) < $COUNT"
	e2e_wait 20 gw_stat_ge "gw$i" data-ecn-ce-marked "$COUNT" ||
		FAIL "gw$i: data-ecn-ce-marked $(gw_stat gw$i data-ecn-ce-marked) < $COUNT"
	m=$(gw_stat "gw$i" data-ecn-ce-marked)
	e2e_log "gw$i: data-ecn-ce-drops $(gw_stat gw$i data-ecn-ce-drops)," \
	    "data-ecn-ce-marked $m"
done
for f in not4 not6; do
	e2e_log "$f: $(cat "$E2E_TMP/$f.out")"
	n=$(($(e2e_stat "$f" ecn_ce) + $(e2e_stat "$f" ecn_not_ect)))
	[ "$n" = 0 ] || FAIL "$f: $n Not-ECT packets passed under an outer CE"
done

# G2, G4 (RFC 9601 6.1.4.2): E in every Request and Relay Discovery.
# amt_count PCAP TYPE MASK VALUE: AMT messages of TYPE to the relay port
# whose octet 1 ANDed with MASK is VALUE (IPv4, or IPv6 without
# extension headers: libpcap has no udp[] for IPv6).
amt_count()
{
	tcpdump -r "$1" -nn "udp dst port 2268 and
	    ((ip and udp[8] == $2 and udp[9] & $3 == $4) or
	     (ip6 and ip6[6] == 17 and ip6[48] == $2 and ip6[49] & $3 == $4))" \
	    2>/dev/null | wc -l
}
cap_stop "$CAP1"; cap_stop "$CAP2"
for i in 1 2; do
	n=$(amt_count "$LIB_TMP/gw$i.pcap" 3 0 0)
	e=$(amt_count "$LIB_TMP/gw$i.pcap" 3 2 2)
	e2e_log "gw$i: $n Requests, $e with E"
	[ "$n" -ge 1 ] || FAIL "gw$i: no Request captured"
	[ "$e" = "$n" ] || FAIL "gw$i: $((n - e)) Requests without E"
done
n=$(amt_count "$LIB_TMP/gw2.pcap" 1 0 0)
e=$(amt_count "$LIB_TMP/gw2.pcap" 1 255 2)
e2e_log "gw2: $n Relay Discoveries, $e with octet 1 = E"
[ "$n" -ge 1 ] || FAIL "gw2: no Relay Discovery captured"
[ "$e" = "$n" ] || FAIL "gw2: a Relay Discovery without E (or other bits)"
OK "outer CE: ECT(0) marked CE, Not-ECT dropped and counted; E on the wire"
