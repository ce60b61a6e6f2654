#!/bin/sh
# covers: G3 G5 G9
#
# Relay restarts seen by a gateway with its default options (-r):
#  1. planned restart: SIGTERM (the relay writes its state file on the
#     way out), then started again at once; it forwards to the restored
#     tunnel at once.  The outage (receiver's longest sequence gap) is
#     printed.
#  2. the relay absent 60 s (SIGKILL, started again without a state
#     file): the gateway probes it without flooding (Requests and
#     Discoveries captured at the relay at least 1 s apart on average,
#     G9) and has data again within 2 s of the relay's return (G5).
#
#   [src] s0 10.1.0.1 -- up0 [relay] br0 10.2.0.1 -- g0 10.2.0.11 [gw1]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

e2e_setup relay-restart
check_dep tcpdump
e2e_topo 1
NS_GW=$(e2e_nsname gw1)
G=232.1.12.1
SF=$E2E_TMP/relay.state
RATE=1000
ABSENT=60

sf_has_tunnel() { [ "$(stat -c %s "$SF" 2>/dev/null || echo 0)" -gt 150 ]; }

e2e_send "$NS_SRC" send -g "$G" -s "$S4" -i s0 -r "$RATE" -l 200
e2e_relay "$NS_RELAY" up0 -a "$R4" --state-file "$SF"
e2e_gw "$NS_GW" gw -r "$R4"
GWPID=$GW_PID
e2e_recv "$NS_GW" r1 -g "$G" -s "$S4"
e2e_wait 30 e2e_stat_ge r1 unique 1000 || FAIL "no data"
e2e_wait 10 sf_has_tunnel || FAIL "no tunnel in the state file"

# 1. Planned restart.
e2e_stop "$RELAY_PID"
e2e_relay "$NS_RELAY" up0 -a "$R4" --state-file "$SF"
n0=$(e2e_stat r1 unique)
e2e_wait 30 e2e_stat_ge r1 unique $((n0 + 2 * RATE)) ||
	FAIL "no data after the planned restart"
out=$(awk -v g="$(e2e_stat r1 maxgap)" -v r=$RATE \
    'BEGIN { printf "%.2f", g / r }')
e2e_log "outage planned-restart: $out s"
echo "planned-restart $out" >>"${RELAY_RESTART_OUT:-/dev/null}"
awk -v o="$out" 'BEGIN { exit !(o <= 3) }' ||
	FAIL "planned restart: outage $out s"
e2e_stop "$RECV_PID"

# 2. Absent for a minute: the gateway's probes, captured at the relay.
e2e_recv "$NS_GW" r2 -g "$G" -s "$S4"
e2e_wait 30 e2e_stat_ge r2 unique 1000 || FAIL "no data before the absence"
cap_start probes "$NS_RELAY" br0 udp dst port 2268
kill -KILL "$RELAY_PID"
wait "$RELAY_PID" 2>/dev/null
rm -f "$SF"
sleep "$ABSENT"
cap_stop "$CAP_PID"
n=$(tcpdump -n -r "$LIB_TMP/probes.pcap" 2>/dev/null | wc -l)
e2e_log "absent ${ABSENT} s: $n Requests and Discoveries"
[ "$n" -ge 5 ] || FAIL "the gateway did not probe the absent relay ($n)"
[ "$n" -le "$ABSENT" ] ||
	FAIL "$n probes in $ABSENT s: less than 1 s apart on average"
n0=$(e2e_stat r2 unique)
e2e_relay "$NS_RELAY" up0 -a "$R4" --state-file none
t0=$(e2e_now)
e2e_wait 20 e2e_stat_ge r2 unique $((n0 + 1)) ||
	FAIL "no data after the relay came back"
back=$(e2e_since "$t0")
e2e_log "data again $back s after the relay's return"
echo "absent-return $back" >>"${RELAY_RESTART_OUT:-/dev/null}"
awk -v b="$back" 'BEGIN { exit !(b <= 2) }' ||
	FAIL "data $back s after the relay's return (more than 2 s)"
[ "$(e2e_json "$E2E_TMP/gw.sock" "show sessions" \
    'j["sessions"][0]["recoveries"]')" -ge 1 ] 2>/dev/null ||
	FAIL "show sessions counts no recovery"
OK "planned restart $out s; absent relay: $n probes in $ABSENT s, back in $back s"
