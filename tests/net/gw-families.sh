#!/bin/sh
# covers: G1 G4 G6 G7 W7
#
# The four families end to end, 10,000 packets each, zero loss at a
# moderate rate (500 packets/s per flow, four flows at once): IPv4 data
# in an IPv4 tunnel and IPv6 data in an IPv4 tunnel (gw1), IPv6 data in
# an IPv6 tunnel and IPv4 data in an IPv6 tunnel (gw2).  Receivers are
# ordinary sockets with source-specific joins on the gateway's tun; the
# sender numbers its packets, so loss and duplicates are counted exactly.
# The gateways run a new Request cycle every 3 s (keepalive) meanwhile:
# each cycle has a new nonce (G4), and no packet is lost across cycles.
#
#   [src] s0 10.1.0.1 fd01::1          sends 232.1.1.{1,2}, ff3e::8000:{1,2}
#     |
#   up0 [relay] br0 10.2.0.1 fd02::1   amtrelayd -i up0
#                  |-- g0 10.2.0.11 [gw1] amtgwd -R 10.2.0.1  (tun amt0)
#                  |-- g0 10.2.0.12 [gw2] amtgwd -R fd02::1   (tun amt0)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

COUNT=10000
RATE=500

e2e_setup gw-families
e2e_topo 2
NS_GW1=$(e2e_nsname gw1)
NS_GW2=$(e2e_nsname gw2)
e2e_relay "$NS_RELAY" up0 -a "$R4" -a "$R6"
cap_start gw1 "$NS_GW1" g0 udp port 2268
CAP1=$CAP_PID
cap_start gw2 "$NS_GW2" g0 udp port 2268
CAP2=$CAP_PID
e2e_gw "$NS_GW1" gw1 -R "$R4" --keepalive 3
e2e_gw "$NS_GW2" gw2 -R "$R6" --keepalive 3

# name  namespace  group            source
FLOWS="v4in4 $NS_GW1 232.1.1.1 $S4
v6in4 $NS_GW1 ff3e::8000:1 $S6
v6in6 $NS_GW2 ff3e::8000:2 $S6
v4in6 $NS_GW2 232.1.1.2 $S4"

# Receivers first (they stay joined), then a probe per flow proves the
# path before the counted streams start.
set -- $FLOWS
while [ $# -ge 4 ]; do
	e2e_recv "$2" "$1" -g "$3" -s "$4" -n "$COUNT" -w 120
	e2e_probe "$NS_SRC" "$2" "$3" "$4" 30 ||
		FAIL "$1: no data through the tunnel within 30 s"
	e2e_log "$1: path up"
	shift 4
done

# G4 G6: with groups of both families joined, a Request cycle asks for
# both Queries (P=0 and P=1 with one nonce).  Asserted while all four
# receivers are joined: a receiver leaves when it has its COUNT packets,
# and later cycles ask only for what is still joined.  The newest cycle
# in the capture may be half written: poll until one holds.
both_families()
{
	e2e_requests "$LIB_TMP/gw$1.pcap" >"$E2E_TMP/req$1"
	last=$(tail -1 "$E2E_TMP/req$1" | awk '{print $2}')
	ps=$(awk -v n="$last" '$2 == n { print $1 }' "$E2E_TMP/req$1" |
	    sort -u | tr -d '\n')
	[ "$ps" = 01 ]
}
for i in 1 2; do
	e2e_wait 30 both_families "$i" ||
		FAIL "gw$i: newest Request cycle asked P=$ps, not both IGMPv3 and MLDv2"
done

pids=
set -- $FLOWS
while [ $# -ge 4 ]; do
	e2e_send "$NS_SRC" "send-$1" -g "$3" -s "$4" -i s0 -n "$COUNT" \
	    -r "$RATE" -l 1000
	pids="$pids $SEND_PID"
	shift 4
done
for p in $pids; do
	wait "$p" || FAIL "sender $p failed"
done
e2e_log "senders done"

set -- $FLOWS
bad=
while [ $# -ge 4 ]; do
	e2e_wait 30 e2e_stat_ge "$1" unique "$COUNT"
	echo "$1: $(cat "$E2E_TMP/$1.out")"
	[ "$(e2e_stat "$1" unique)" = "$COUNT" ] &&
	    [ "$(e2e_stat "$1" lost)" = 0 ] &&
	    [ "$(e2e_stat "$1" dup)" = 0 ] || bad="$bad $1"
	shift 4
done
if [ -n "$bad" ]; then
	# Where were they lost: sender, veth, relay capture/send, gateway?
	for f in "$E2E_TMP"/send-*.log; do e2e_log "$f: $(cat "$f")"; done
	e2e_log "relay up0: $(ip -s -n "$NS_RELAY" link show up0 | sed -n 4p)"
	e2e_log "softnet drops: $(awk '{ printf "%d ", strtonum("0x" $2) }' \
	    /proc/net/softnet_stat 2>/dev/null)"
	e2e_log "relay: $(e2e_json "$RELAY_SOCK" "show stats" \
	    '{k: v for k, v in j.items() if k.startswith("data-")}')"
	for i in 1 2; do
		e2e_log "gw$i: $(e2e_json "$E2E_TMP/gw$i.sock" "show sessions" \
		    '[(s["relay"], s.get("data-packets")) for s in j["sessions"]]')"
		e2e_log "gw$i: $(e2e_json "$E2E_TMP/gw$i.sock" "show stats" 'j')"
	done
	FAIL "loss or duplicates in:$bad"
fi

# Each gateway has one session, up, with the relay of its family, and the
# relay sees two tunnels.  (Every 3 s a session is "requesting" until the
# Query of its new cycle comes: poll for "up".)
up_with()
{
	_r=$(e2e_json "$E2E_TMP/gw$1.sock" "show sessions" \
	    '[s["relay"] for s in j["sessions"] if s["state"] == "up"]')
	case $_r in *"$2"*) ;; *) return 1 ;; esac
}
e2e_wait 30 up_with 1 "10.2.0.1:2268" || FAIL "gw1 not up with 10.2.0.1"
e2e_wait 30 up_with 2 "fd02::1" || FAIL "gw2 not up with fd02::1"
e2e_wait 30 e2e_ntunnels_is 2 ||
	FAIL "relay has $(e2e_ntunnels) tunnels, not 2"

# G4: every Request cycle with a new nonce.  A cycle is a run of Requests
# with one nonce (retransmissions, or one Request per family P=0 / P=1);
# a nonce must never come back in a later cycle.
cap_stop "$CAP1"; cap_stop "$CAP2"
for i in 1 2; do
	e2e_requests "$LIB_TMP/gw$i.pcap" >"$E2E_TMP/req$i"
	runs=$(awk '$2 != p { n++ } { p = $2 } END { print n + 0 }' "$E2E_TMP/req$i")
	u=$(awk '{print $2}' "$E2E_TMP/req$i" | sort -u | wc -l)
	e2e_log "gw$i: Requests (P nonce): $(tr '\n' ' ' <"$E2E_TMP/req$i")"
	[ "$runs" -ge 3 ] || FAIL "gw$i: $runs Request cycles in the run, keepalive 3 s"
	[ "$u" -eq "$runs" ] || FAIL "gw$i: a nonce came back in a later Request cycle"
done
OK "four families, $COUNT packets each, no loss"
