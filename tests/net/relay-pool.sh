#!/bin/sh
# covers: R2 R14 R16 G9 G10
#
# A pool of three relays behind one anycast discovery address, carried
# by BGP (BIRD 2) with equal-cost multipath, as RFC 7450 7 intends.
#
#   [src] brup 10.1.0.1 (a bridge: the shared upstream LAN)
#     |-- up0 10.1.0.1N [relayN] c0 10.3.N.2 fd03:N::2 -- c1..3 [core]
#              amtrelayd --discovery-interface amtdisc0     brgw 10.40.0.1
#              (192.52.193.1/32, 2001:3::1/128), BIRD:       |-- gwK
#              direct on amtdisc0, BGP to the core           10.40.0.(10+K)
#   [core] BIRD: BGP to the three relays, kernel `merge paths on`, L4
#          multipath hash; every gateway runs amtgwd -r 192.52.193.1
#          (the last ones -r 2001:3::1) and a receiver on its tun.
#
# Checks: every relay carries tunnels; SIGKILL a relay: its route leaves
# the core within 1 s (the tun vanishes with the process, BIRD withdraws)
# and its gateways stream again through the others within 3 s; `amtctl
# drain` a second relay: the same within --drain-time + 3 s, with a
# bounded number of Requests per gateway (G10: L sends them to
# discovery); restart the killed relay: announced again, new gateways
# reach it; SIGTERM the third (R16): withdrawn first thing.  Each event
# prints the longest outage any gateway saw.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

e2e_setup relay-pool
. "$top_srcdir/tests/net/pool-lib.sh"
check_dep bird birdc
RATE=200
NGW=15		# gateways 1-11 discover over IPv4, 12-15 over IPv6
NGW6=4
DRAIN=3

topo()
{
	pool_topo 3
	for n in 1 2 3; do pool_example bird-relay.conf "$n"; done
}

gw_requests()
{
	e2e_json "$E2E_TMP/gw$1.sock" "show sessions" \
	    'sum(s["request"] for s in j["sessions"])'
}

# EV: the current event's number; its receivers are evEV-gwK.
EV=0
# ev_start: a new receiver per gateway (the join stays held: the old
# receiver ends once the new one is in), ready with data.
ev_start()
{
	EV=$((EV + 1))
	for k in $GWS; do
		e2e_recv "$(e2e_nsname "gw$k")" "ev$EV-gw$k" -g $G -s $S4
		old=$(eval echo "\$RECV$((EV - 1))_$k")
		eval "RECV${EV}_$k=$RECV_PID"
		e2e_stop "$old"
	done
	for k in $GWS; do
		e2e_wait 10 e2e_stat_ge "ev$EV-gw$k" unique 20 ||
			FAIL "event $EV: gw$k receives nothing before it"
	done
}

# ev_streams K: gateway K has received 1 s of data since MARK_K.
ev_streams()
{
	e2e_stat_ge "ev$EV-gw$1" unique \
	    $(($(eval echo "\$MARK_$1") + RATE))
}
ev_mark()
{
	for k in $GWS; do
		eval "MARK_$k=$(e2e_stat "ev$EV-gw$k" unique)"
	done
}

# ev_outage: the longest gap (s) of this event's receivers.
ev_outage()
{
	m=0
	for k in $GWS; do
		[ -e "$E2E_TMP/ev$EV-gw$k.out" ] || continue
		g=$(e2e_stat "ev$EV-gw$k" maxgap)
		[ "${g:-0}" -gt "$m" ] && m=$g
	done
	awk -v g="$m" -v r=$RATE 'BEGIN { printf "%.2f", g / r }'
}

# moved_off N: every gateway that was on relay N is up on another.
moved_off()
{
	for k in $1; do
		r=$(gw_relay "$k")
		[ "$r" != 0 ] && [ "$r" != "$2" ] || return 1
		ev_streams "$k" || return 1
	done
}

on_relay() { for k in $GWS; do [ "$(gw_relay "$k")" = "$1" ] && echo "$k"; done; }

# What the core routes and each relay heard, for a failure's log.
diag()
{
	ip -n "$NS_CORE" route show $ANY4
	ip -n "$NS_CORE" -6 route show $ANY6
	ip -n "$NS_CORE" -6 neigh show dev brgw
	for n in 1 2 3; do
		echo "relay$n: $(rjson $n "show stats" \
		    '[j[x] for x in ("relay-discovery", "relay-advertisement",
		    "request", "tunnels")]')"
	done
	for k in $GWS; do
		echo "gw$k: relay $(gw_relay "$k"); $(e2e_json \
		    "$E2E_TMP/gw$k.sock" "show sessions" '[(s["state"],
		    s["relay-discovery"], s["relay-advertisement"],
		    s["request"]) for s in j["sessions"]]')"
		ip -n "$(e2e_nsname "gw$k")" -6 neigh
	done
}

topo
for n in 1 2 3; do
	relay_up "$n"
	bird_start "$(e2e_nsname "relay$n")" "relay$n"
done
pool_core
e2e_wait 20 hops_n -4 $ANY4 3 || FAIL "no 3-way ECMP route for $ANY4: $(
    ip -n "$NS_CORE" route show $ANY4)"
e2e_wait 20 hops_n -6 $ANY6 3 || FAIL "no 3-way ECMP route for $ANY6: $(
    ip -n "$NS_CORE" -6 route show $ANY6)"
e2e_log "core: $(ip -n "$NS_CORE" route show $ANY4 | tr -s '\n\t' '  ')"
e2e_send "$NS_SRC" send -g $G -s $S4 -i brup -r $RATE -l 100

GWS=
NEXT=1
while [ "$NEXT" -le "$NGW" ]; do
	gw_up "$NEXT"
	GWS="$GWS $NEXT"
	NEXT=$((NEXT + 1))
done
for k in $GWS; do
	e2e_wait 30 e2e_stat_ge "ev0-gw$k" unique 20 ||
		FAIL "gw$k: no data through the pool"
done
# Every relay carries tunnels (R2: each answered Discovery to the
# anycast address with its own address).  The ECMP hash spreads by
# address and port; were one left empty, more gateways come in.
spread() { for n in 1 2 3; do echo "relay$n: $(on_relay $n | wc -l)"; done; }
while on_relay 1 | grep -q . && on_relay 2 | grep -q . &&
    on_relay 3 | grep -q .; [ $? -ne 0 ]; do
	[ "$NEXT" -le $((NGW + 6)) ] || FAIL "a relay has no gateway: $(spread)"
	gw_up "$NEXT"; GWS="$GWS $NEXT"
	e2e_wait 30 e2e_stat_ge "ev0-gw$NEXT" unique 20 ||
		FAIL "gw$NEXT: no data"
	NEXT=$((NEXT + 1))
done
for n in 1 2 3; do
	[ "$(rjson $n "show stats" 'j["tunnels"]')" -ge 1 ] ||
		FAIL "relay$n: no tunnels"
	[ "$(rjson $n "show stats" 'j["announced"]')" = 1 ] ||
		FAIL "relay$n: not announced"
done
e2e_log "gateways per relay: $(spread | tr '\n' ' ')"

# 1. SIGKILL relay 1: the kernel removes amtdisc0, BIRD withdraws.
ev_start
AFFECTED=$(on_relay 1)
ev_mark
T0=$(e2e_now)
kill -KILL "$RELAY1_PID"
wait "$RELAY1_PID" 2>/dev/null
route_gone "$T0" 1 kill
awk -v t="$GONE" 'BEGIN { exit !(t <= 1.0) }' ||
	FAIL "kill: route withdrawn after $GONE s (more than 1 s)"
e2e_wait 15 moved_off "$AFFECTED" 1 || {
	diag
	FAIL "kill: gateways of relay1 did not move ($(spread | tr '\n' ' '))"
}
OUT_KILL=$(ev_outage)
e2e_log "kill: route gone in $GONE s; longest outage $OUT_KILL s" \
    "(gateways $(echo $AFFECTED))"
awk -v o="$OUT_KILL" 'BEGIN { exit !(o <= 3.0) }' || {
	diag
	FAIL "kill: outage $OUT_KILL s, more than 3 s"
}

# 2. Drain relay 2: withdrawn at once, L, tunnels ended after DRAIN s.
ev_start
AFFECTED=$(on_relay 2)
[ -n "$AFFECTED" ] || FAIL "drain: relay2 has no gateway"
ev_mark
for k in $GWS; do eval "REQ_$k=$(gw_requests "$k")"; done
T0=$(e2e_now)
"$AMTCTL" -S "$E2E_TMP/relay2.sock" drain >/dev/null || FAIL "amtctl drain"
route_gone "$T0" 2 drain
[ "$(rjson 2 "show stats" 'j["draining"]')" = 1 ] &&
    [ "$(rjson 2 "show stats" 'j["announced"]')" = 0 ] &&
    [ "$(rjson 2 "show stats" 'j["drain-seconds-left"]')" -ge 1 ] ||
	FAIL "drain: show stats: $(rjson 2 "show stats" 'j')"
e2e_wait $((DRAIN + 10)) moved_off "$AFFECTED" 2 || {
	diag
	FAIL "drain: gateways of relay2 did not move"
}
MOVED=$(e2e_since "$T0")
OUT_DRAIN=$(ev_outage)
MAXREQ=0
for k in $GWS; do
	n=$(($(gw_requests "$k") - $(eval echo "\$REQ_$k")))
	[ "$n" -gt "$MAXREQ" ] && MAXREQ=$n
done
e2e_log "drain: route gone in $GONE s; every gateway moved within" \
    "drain-time $DRAIN s + its outage (longest $OUT_DRAIN s; all seen by" \
    "polling at $MOVED s); at most $MAXREQ Requests per gateway"
# Data flowed until the tunnels ended (DRAIN s): each gateway moved
# within DRAIN s + its outage ("moved in" adds the polling of them all).
awk -v o="$OUT_DRAIN" 'BEGIN { exit !(o <= 3.0) }' || {
	diag
	FAIL "drain: outage $OUT_DRAIN s: not moved within drain-time + 3 s"
}
[ "$MAXREQ" -le 10 ] || FAIL "drain: a gateway sent $MAXREQ Requests"
[ "$(rjson 2 "show stats" 'j["tunnels"]')" = 0 ] ||
	FAIL "drain: relay2 still has tunnels"
[ "$(rjson 2 "show stats" 'j["drain-tunnels-ended"]')" -ge 1 ] ||
	FAIL "drain: no tunnel ended by the drain"
# A shared upstream LAN: each relay joins what its own gateways want,
# and relay2, with none left, no longer (relay1 is down).
RELAY_SOCK=$E2E_TMP/relay2.sock
e2e_wait 10 e2e_relay_not_wants $G || FAIL "drain: relay2 still wants $G"
RELAY_SOCK=$E2E_TMP/relay3.sock
e2e_relay_wants $G || FAIL "drain: relay3, with every gateway, lost $G"

# 3. Relay 1 returns: announced again, and new gateways reach it.
ev_start
T0=$(e2e_now)
relay_up 1
e2e_wait 10 hops_with -4 $ANY4 10.3.1.2 || FAIL "return: not announced"
e2e_wait 10 hops_with -6 $ANY6 fd03:1::2 || FAIL "return: no IPv6 route"
BACK=$(e2e_since "$T0")
first=
while [ -z "$first" ]; do
	[ "$NEXT" -le $((NGW + 16)) ] || FAIL "return: no new gateway on relay1"
	gw_up "$NEXT"; GWS="$GWS $NEXT"
	e2e_wait 30 e2e_stat_ge "ev0-gw$NEXT" unique 20 ||
		FAIL "return: gw$NEXT gets no data"
	r=$(gw_relay "$NEXT")
	e2e_log "return: new gw$NEXT on relay$r"
	[ "$r" = 1 ] && first=$NEXT
	NEXT=$((NEXT + 1))
done
OUT_RETURN=$(ev_outage)
e2e_log "return: announced in $BACK s; gw$first on relay1 after" \
    "$(e2e_stat "ev0-gw$first" first_ms) ms; longest outage $OUT_RETURN s"
[ "$(rjson 1 "show stats" 'j["tunnels"]')" -ge 1 ] ||
	FAIL "return: relay1 has no tunnel"
# 4. R16: a relay that shuts down withdraws before anything else.
T0=$(e2e_now)
kill -TERM "$RELAY3_PID"
route_gone "$T0" 3 shutdown
e2e_wait 10 e2e_gone "$RELAY3_PID" || FAIL "shutdown: relay3 still runs"
grep -q "withdrawn from amtdisc0: shutting down" "$E2E_TMP/relay3.log" ||
	FAIL "shutdown: no withdrawal logged"
e2e_log "shutdown: route gone in $GONE s"
echo "kill $OUT_KILL drain $OUT_DRAIN return $OUT_RETURN" \
    >>"${RELAY_POOL_OUT:-/dev/null}"
OK "outages: kill $OUT_KILL s, drain $OUT_DRAIN s, return $OUT_RETURN s"
