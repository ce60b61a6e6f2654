#!/bin/sh
# covers: G1 G6 G7 R8 R9
#
# Local membership on the gateway's tun, as applications make it:
#  1. a join made before amtgwd starts (on a tun that already exists) is
#     learnt through the General Query the gateway injects at start (G1)
#     and is not lost although it came before any Query (G6);
#  2. a join made while the gateway runs;
#  3. a leave: the relay's state drops the group and data stops;
#  4. two receivers on one (S,G), one leaves: the other keeps receiving;
#  5. 50 (S,G) joined at once all receive (Updates in bursts, relay joins
#     beyond one socket's 20 memberships).
#
#   [src] s0 10.1.0.1 -- up0 [relay] br0 10.2.0.1 -- g0 10.2.0.11 [gw1]
#                                              amtgwd -R 10.2.0.1, tun amt0
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

e2e_setup gw-joins
e2e_topo 1
NS_GW=$(e2e_nsname gw1)
GWSOCK=$E2E_TMP/gw1.sock
e2e_relay "$NS_RELAY" up0 -a "$R4"

# gw_data: the data packets the gateway's session has received.
gw_data()
{
	e2e_json "$GWSOCK" "show sessions" \
	    'sum(s.get("data-packets", 0) for s in j["sessions"])'
}

# 1. Join before the gateway starts: the tun exists, without a process.
ip -n "$NS_GW" tuntap add dev "$TUN" mode tun || FAIL "tuntap add"
ip -n "$NS_GW" link set "$TUN" up multicast on
e2e_recv "$NS_GW" early -g 232.1.2.1 -s "$S4"
EARLY_PID=$RECV_PID
e2e_log "joined (10.1.0.1, 232.1.2.1) before amtgwd runs"
e2e_gw "$NS_GW" gw1 -R "$R4"
e2e_wait 20 e2e_relay_wants 232.1.2.1 ||
	FAIL "the join made before the gateway started never reached the relay"
e2e_probe "$NS_SRC" "$NS_GW" 232.1.2.1 "$S4" 20 ||
	FAIL "no data for the early join"
e2e_stop "$EARLY_PID"
e2e_log "1. early join: relay joined, data arrives"

# 2. Join after the gateway is up.
e2e_recv "$NS_GW" late -g 232.1.2.2 -s "$S4"
LATE_PID=$RECV_PID
e2e_send "$NS_SRC" send-late -g 232.1.2.2 -s "$S4" -i s0 -r 500 -l 200
LATE_SEND=$SEND_PID
e2e_wait 20 e2e_stat_ge late unique 100 || FAIL "late join receives nothing"
e2e_log "2. late join: $(cat "$E2E_TMP/late.out")"

# 3. Leave: the receiver exits (the kernel reports the leave on the tun).
e2e_stop "$LATE_PID"
e2e_wait 30 e2e_relay_not_wants 232.1.2.2 ||
	FAIL "relay still forwards 232.1.2.2 after the leave"
e2e_wait 20 e2e_relay_not_wants 232.1.2.1 ||
	FAIL "relay still forwards 232.1.2.1 after the leave"
# The sender keeps sending at 500/s: half a second without a single packet
# at the gateway shows the relay stopped forwarding.
[ "$(gw_data)" -gt 0 ] 2>/dev/null || FAIL "gateway counts no data-packets"
gw_data_still() { a=$(gw_data); sleep 0.5; [ -n "$a" ] && [ "$a" = "$(gw_data)" ]; }
e2e_wait 20 gw_data_still || FAIL "data still reaches the gateway after the leave"
e2e_stop "$LATE_SEND"
e2e_log "3. leave: relay state dropped, data stopped"

# 4. Two receivers on one (S,G); one leaves.
e2e_recv "$NS_GW" twoa -g 232.1.2.3 -s "$S4"
A_PID=$RECV_PID
e2e_recv "$NS_GW" twob -g 232.1.2.3 -s "$S4"
e2e_send "$NS_SRC" send-two -g 232.1.2.3 -s "$S4" -i s0 -r 500 -l 200
TWO_SEND=$SEND_PID
e2e_wait 20 e2e_stat_ge twoa unique 100 || FAIL "receiver A got nothing"
e2e_wait 20 e2e_stat_ge twob unique 100 || FAIL "receiver B got nothing"
e2e_stop "$A_PID"
b0=$(e2e_stat twob unique)
e2e_wait 30 e2e_stat_ge twob unique $((b0 + 2500)) ||
	FAIL "B stopped receiving when A left ($b0 -> $(e2e_stat twob unique))"
e2e_relay_wants 232.1.2.3 || FAIL "relay dropped 232.1.2.3 with B joined"
e2e_log "4. one of two left, the other goes on: $(cat "$E2E_TMP/twob.out")"
e2e_stop "$TWO_SEND"

# 5. 50 (S,G) at once: 232.1.3.1 .. 232.1.3.50, one socket each.
e2e_recv "$NS_GW" fifty -g 232.1.3.1 -c 50 -s "$S4" -n 200
all50()
{
	e2e_relay_wants $(seq -f '232.1.3.%g' 1 50)
}
e2e_wait 30 all50 || FAIL "relay does not list all 50 groups"
e2e_send "$NS_SRC" send-fifty -g 232.1.3.1 -c 50 -s "$S4" -i s0 -n 200 \
    -r 5000 -l 200
wait "$SEND_PID"
e2e_wait 30 e2e_stat_ge fifty groups_complete 50
e2e_log "5. fifty: $(cat "$E2E_TMP/fifty.out")"
e2e_stat_ge fifty groups_complete 50 ||
	FAIL "not every one of the 50 (S,G) received all 200 packets"
OK "joins before and after start, leave, shared (S,G), 50 (S,G)"
