#!/bin/sh
# covers: G5 G8 R13
#
# The relay's view of a gateway that goes away:
#  1. amtgwd stopped with SIGTERM: it tears its state down on the way out
#     (Teardown, or an Update deleting all state: G8); the relay's tunnel
#     and flows are gone at once, long before any timer (default timers).
#  2. With short relay timers (query interval 2 s, tunnel timeout 6 s) a
#     live gateway keeps its tunnel beyond the timeout by its Request
#     cycles (G5), and data keeps flowing.
#  3. amtgwd killed with SIGKILL: nothing is sent; the relay drops the
#     tunnel when it times out (R13), and only then.
#
#   [src] s0 10.1.0.1 -- up0 [relay] br0 10.2.0.1 -- g0 10.2.0.11 [gw1]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

e2e_setup gw-kill
e2e_topo 1
NS_GW=$(e2e_nsname gw1)
G=232.1.6.1

e2e_send "$NS_SRC" send -g "$G" -s "$S4" -i s0 -r 200 -l 200

# 1. SIGTERM, relay with default timers (a 260 s tunnel timeout).
e2e_relay "$NS_RELAY" up0 -a "$R4"
e2e_gw "$NS_GW" gw1 -R "$R4"
e2e_recv "$NS_GW" r1 -g "$G" -s "$S4"
e2e_wait 20 e2e_stat_ge r1 unique 50 || FAIL "no data before SIGTERM"
e2e_ntunnels_is 1 || FAIL "relay has $(e2e_ntunnels) tunnels, not 1"
# The receiver stays joined: only the gateway's shutdown can end the state.
t0=$(e2e_now)
kill -TERM "$GW_PID"
e2e_wait 20 e2e_relay_not_wants "$G" ||
	FAIL "relay still forwards $G 20 s after SIGTERM"
e2e_log "1. SIGTERM: flows gone after $(e2e_since "$t0") s"
e2e_wait 20 e2e_ntunnels_is 0 ||
	FAIL "tunnel still there 20 s after SIGTERM: $(e2e_json "$RELAY_SOCK" "show tunnels" 'j')"
e2e_log "1. SIGTERM: tunnel gone after $(e2e_since "$t0") s"
e2e_stop "$RECV_PID"
e2e_wait 5 e2e_gone "$GW_PID" || FAIL "amtgwd did not exit on SIGTERM"
wait "$GW_PID"; rc=$?
[ "$rc" -eq 0 ] || FAIL "amtgwd exited $rc on SIGTERM"
e2e_stop "$RELAY_PID"

# 2. Short timers: a live gateway keeps its tunnel past the timeout.
e2e_relay "$NS_RELAY" up0 -a "$R4" --query-interval 2 \
    --query-response-interval 1 --tunnel-timeout 6
e2e_gw "$NS_GW" gw2 -R "$R4"
e2e_recv "$NS_GW" r2 -g "$G" -s "$S4"
e2e_wait 20 e2e_stat_ge r2 unique 50 || FAIL "no data with short timers"
n0=$(e2e_stat r2 unique)
# Ten seconds is longer than the tunnel timeout: the tunnel must survive.
e2e_wait 30 e2e_stat_ge r2 unique $((n0 + 2000)) ||
	FAIL "data stopped with a live gateway ($n0 -> $(e2e_stat r2 unique))"
e2e_ntunnels_is 1 || FAIL "live gateway lost its tunnel"
e2e_log "2. live gateway kept its tunnel past the 6 s timeout"

# 3. SIGKILL: the tunnel lasts until the timeout, then goes.
kill -KILL "$GW_PID"
t0=$(date +%s)
e2e_ntunnels_is 1 || FAIL "tunnel gone at once after SIGKILL"
e2e_wait 30 e2e_ntunnels_is 0 ||
	FAIL "tunnel not timed out 30 s after SIGKILL (timeout 6 s)"
dt=$(($(date +%s) - t0))
e2e_log "3. SIGKILL: tunnel timed out after ${dt} s"
e2e_wait 20 e2e_relay_not_wants "$G" ||
	FAIL "relay still forwards $G after the timeout"
OK "SIGTERM tears down at once; SIGKILL times out"
