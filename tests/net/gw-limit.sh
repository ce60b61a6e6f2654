#!/bin/sh
# covers: G10 G11 R14
#
# A relay at capacity (--max-tunnels 1) answers a second gateway with the
# L flag set (R14).  That gateway must not add its subscriptions there
# (G10): the relay keeps one tunnel and gw1 keeps its data; it holds the
# relay down (--holddown knob, G11) instead of hammering it with
# Requests.  When gw1 leaves and the hold-down ends, gw2 connects.
#
#   [src] s0 10.1.0.1 -- up0 [relay] br0 10.2.0.1 --|-- g0 10.2.0.11 [gw1]
#                          --max-tunnels 1           |-- g0 10.2.0.12 [gw2]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

G=232.1.13.1
HOLD=10

e2e_setup gw-limit
e2e_topo 2
e2e_relay "$NS_RELAY" up0 -a "$R4" --max-tunnels 1 --max-tunnels-per-ip 1
e2e_send "$NS_SRC" send -g "$G" -s "$S4" -i s0 -r 500 -l 200
e2e_gw "$(e2e_nsname gw1)" gw1 -R "$R4"
e2e_recv "$(e2e_nsname gw1)" r1 -g "$G" -s "$S4"
G1_PID=$GW_PID
e2e_wait 20 e2e_stat_ge r1 unique 100 || FAIL "gw1 receives nothing"

e2e_gw "$(e2e_nsname gw2)" gw2 -R "$R4" --holddown "$HOLD"
e2e_recv "$(e2e_nsname gw2)" r2 -g "$G" -s "$S4"
limited()
{
	[ "$(e2e_json "$E2E_TMP/gw2.sock" "show sessions" \
	    'sum(s.get("limited-queries", 0) for s in j["sessions"])')" -ge 1 ] \
	    2>/dev/null
}
e2e_wait 20 limited || FAIL "gw2 counts no Query with L"
q0=$(e2e_json "$RELAY_SOCK" "show stats" 'j["request"]')
u1=$(e2e_stat r1 unique)
sleep 5			# a window in which gw2 must stay away
q1=$(e2e_json "$RELAY_SOCK" "show stats" 'j["request"]')
e2e_log "Requests at the relay in 5 s of hold-down: $((q1 - q0))"
[ $((q1 - q0)) -le 3 ] || FAIL "gw2 kept requesting a relay that sent L"
e2e_ntunnels_is 1 || FAIL "relay has $(e2e_ntunnels) tunnels at capacity 1"
[ "$(e2e_stat r2 unique)" = 0 ] || FAIL "gw2 receives from a full relay"
e2e_wait 20 e2e_stat_ge r1 unique $((u1 + 1500)) || FAIL "gw1 lost its data"

kill -TERM "$G1_PID"
e2e_wait 20 e2e_ntunnels_is 0 || FAIL "gw1's tunnel did not go"
t0=$(e2e_now)
e2e_wait 60 e2e_stat_ge r2 unique 100 ||
	FAIL "gw2 did not connect after gw1 left and the hold-down ended"
e2e_log "gw2 connected $(e2e_since "$t0") s after gw1 left"
OK "L flag: no subscriptions, hold-down, then connected"
