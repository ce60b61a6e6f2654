#!/bin/sh
# covers: G3 G5 G9 G11
#
#  1. Relay absent at start: nothing listens on 10.2.0.1:2268, every
#     Request earns an ICMP port unreachable.  Over 30 s amtgwd must back
#     off (G3, G9): little CPU time (utime + stime from /proc), Requests at
#     least ~1 s apart, not a flood.  When the relay appears, the gateway
#     connects and data flows, without help.
#  2. Relay killed (SIGKILL) and restarted while data flows: the gateway's
#     next Request cycle (keepalive knob, G5 G11) finds the new relay, and
#     data resumes by itself.  The time to recover is printed.
#
#   [src] s0 10.1.0.1 -- up0 [relay] br0 10.2.0.1 -- g0 10.2.0.11 [gw1]
#                                          amtgwd -R 10.2.0.1 --keepalive 5
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

WINDOW=30
KEEPALIVE=5
G=232.1.7.1

e2e_setup gw-restart
command -v tcpdump >/dev/null 2>&1 || SKIP "no tcpdump"
e2e_topo 1
NS_GW=$(e2e_nsname gw1)

# 1. No relay yet.
e2e_start "$NS_GW" tcpdump tcpdump --immediate-mode -U -n -i g0 \
    -w "$E2E_TMP/gw.pcap" udp port 2268
DUMP_PID=$E2E_PID
e2e_wait 20 test -s "$E2E_TMP/gw.pcap" || FAIL "tcpdump did not start"
e2e_gw "$NS_GW" gw1 -R "$R4" --keepalive "$KEEPALIVE" --request-timeout 1
e2e_recv "$NS_GW" r -g "$G" -s "$S4"
e2e_send "$NS_SRC" send -g "$G" -s "$S4" -i s0 -r 500 -l 200
c0=$(e2e_cpu_ticks "$GW_PID")
e2e_log "relay absent: measuring amtgwd for $WINDOW s"
sleep "$WINDOW"		# a measurement window, not a wait for state
e2e_gone "$GW_PID" && FAIL "amtgwd died while the relay was absent"
c1=$(e2e_cpu_ticks "$GW_PID")
e2e_stop "$DUMP_PID"
hz=$(getconf CLK_TCK)
cpu=$((c1 - c0))
e2e_log "amtgwd CPU time over $WINDOW s: $cpu ticks of 1/$hz s"
[ "$cpu" -le $((hz * WINDOW / 100)) ] ||
	FAIL "amtgwd used $cpu/$hz s of CPU in $WINDOW s (busy loop?)"
# Requests (AMT type 3) sent in the window: spacing and count.
tcpdump -r "$E2E_TMP/gw.pcap" -n -tt 'udp dst port 2268 and udp[8] = 3' \
    2>/dev/null | awk '{print $1}' >"$E2E_TMP/req.times"
nreq=$(wc -l <"$E2E_TMP/req.times")
gap=$(awk 'NR > 1 { d = $1 - p; if (m == "" || d < m) m = d } { p = $1 }
    END { printf "%.3f", m == "" ? 99 : m }' "$E2E_TMP/req.times")
e2e_log "$nreq Requests while the relay was absent, smallest gap $gap s"
[ "$nreq" -ge 2 ] || FAIL "gateway stopped trying ($nreq Requests)"
[ "$nreq" -le "$WINDOW" ] || FAIL "$nreq Requests in $WINDOW s: no backoff"
awk -v g="$gap" 'BEGIN { exit !(g >= 0.9) }' ||
	FAIL "Requests $gap s apart: retransmissions must wait >= 1 s (G3)"

e2e_relay "$NS_RELAY" up0 -a "$R4"
t0=$(e2e_now)
e2e_wait 130 e2e_stat_ge r unique 1 ||
	FAIL "no data 130 s after the relay appeared"
e2e_log "1. relay appeared: data after $(e2e_since "$t0") s"

# 2. Kill the relay, start it again.
n0=$(e2e_stat r unique)
e2e_wait 30 e2e_stat_ge r unique $((n0 + 500)) || FAIL "data not steady"
kill -KILL "$RELAY_PID"
e2e_wait 20 e2e_gone "$RELAY_PID"
wait "$RELAY_PID" 2>/dev/null
e2e_relay "$NS_RELAY" up0 -a "$R4"
t0=$(e2e_now)
n1=$(e2e_stat r unique)
e2e_wait 60 e2e_stat_ge r unique $((n1 + 10)) ||
	FAIL "data did not resume within 60 s of the relay's restart"
e2e_log "2. relay restarted: data resumed after $(e2e_since "$t0") s"
e2e_gone "$GW_PID" && FAIL "amtgwd died"
OK "backoff without a relay; recovery after a relay restart"
