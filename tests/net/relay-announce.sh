#!/bin/sh
# covers: R14 R16
#
# One relay of a pool and its discovery interface (config file
# `discovery-interface amtdisc0`): the discovery addresses are on it
# only while the relay should get new gateways.  They are withdrawn at
# max-tunnels (R14) and announced again when a tunnel goes; withdrawn
# while the upstream interface is down and back when it is up; withdrawn
# by `amtctl drain` and back by `amtctl undrain`; a drain ends the
# tunnels left after drain-time.  Each change is logged
# with its reason, counted, and shown as `announced` in `amtctl show
# stats` and /metrics; the status page tells the drain's progress.  SIGKILL: the interface goes with the process.
#
#   [src] s0 10.1.0.1 -- up0 [relay] br0 10.2.0.1 --|-- g0 10.2.0.11 [gw1]
#             amtdisc0: 192.52.193.1/32 2001:3::1/128
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

ANY4=192.52.193.1
ANY6=2001:3::1
G=232.1.41.1

e2e_setup relay-announce
e2e_topo 1
NS_GW=$(e2e_nsname gw1)
cat >"$E2E_TMP/relay.conf" <<EOF
discovery-address $ANY4
discovery-address $ANY6
discovery-interface amtdisc0
max-tunnels 1
max-tunnels-per-ip 1
drain-time 2
metrics 127.0.0.1:9768
EOF
e2e_relay "$NS_RELAY" up0 -a "$R4" -f "$E2E_TMP/relay.conf"

stat() { e2e_json "$RELAY_SOCK" "show stats" "j[\"$1\"]"; }
metric()
{
	ip netns exec "$NS_RELAY" curl -fsS http://127.0.0.1:9768/metrics |
	    awk -v m="$1" '$1 == m { print $2 }'
}
# on_if: both discovery addresses are on amtdisc0.
on_if()
{
	a=$(ip -n "$NS_RELAY" addr show dev amtdisc0 2>/dev/null)
	echo "$a" | grep -q "inet $ANY4/32" && echo "$a" | grep -q "inet6 $ANY6/128"
}
off_if() { ip -n "$NS_RELAY" link show amtdisc0 >/dev/null 2>&1 && ! on_if; }
logged() { grep -q "$1" "$E2E_TMP/relay.log"; }

# announced 0|1 WHY: the addresses, the counters, the log and /metrics
# agree on it (WHY: the reason logged for a withdrawal); the time since
# T0 (the change that causes it) until the addresses followed is logged.
NW=0
NA=0
T0=$(e2e_now)
announced()
{
	if [ "$1" = 1 ]; then
		NA=$((NA + 1))
		e2e_wait 5 on_if || FAIL "not announced after $2"
	else
		NW=$((NW + 1))
		e2e_wait 5 off_if || FAIL "not withdrawn: $2"
		logged "withdrawn from amtdisc0: $2" ||
			FAIL "withdrawal not logged: $2"
	fi
	dt=$(e2e_since "$T0")
	[ "$(stat announced)" = "$1" ] || FAIL "show stats: announced != $1 ($2)"
	[ "$(metric amt_relay_announced)" = "$1" ] ||
		FAIL "/metrics: announced != $1 ($2)"
	[ "$(stat discovery-withdrawals)" = "$NW" ] &&
	    [ "$(stat discovery-announcements)" = "$NA" ] ||
		FAIL "counters after $2: $(stat discovery-withdrawals)" \
		    "withdrawals, $(stat discovery-announcements) announcements"
	e2e_log "announced $1 in $dt s: $2"
}

announced 1 "start"
logged "discovery addresses announced on amtdisc0" ||
	FAIL "announcement not logged"

# R14: at max-tunnels, no new gateways from discovery.
e2e_send "$NS_SRC" send -g "$G" -s "$S4" -i s0 -r 100 -l 100
e2e_gw "$NS_GW" gw1 -R "$R4"
e2e_recv "$NS_GW" r1 -g "$G" -s "$S4"
GW1=$GW_PID
e2e_wait 20 e2e_stat_ge r1 unique 20 || FAIL "gw1 receives nothing"
T0=$(e2e_now)
announced 0 "at max-tunnels"
T0=$(e2e_now)
kill -TERM "$GW1"
e2e_wait 20 e2e_ntunnels_is 0 || FAIL "gw1's tunnel did not go"
announced 1 "a tunnel went"

# The upstream link: no data to give, no new gateways.
T0=$(e2e_now)
ip -n "$NS_RELAY" link set up0 down
announced 0 "upstream interface down"
T0=$(e2e_now)
ip -n "$NS_RELAY" link set up0 up
announced 1 "the upstream interface is up"

# amtctl drain / undrain.
T0=$(e2e_now)
"$AMTCTL" -S "$RELAY_SOCK" drain >/dev/null || FAIL "amtctl drain"
announced 0 "draining"
T0=$(e2e_now)
"$AMTCTL" -S "$RELAY_SOCK" undrain >/dev/null || FAIL "amtctl undrain"
[ "$(stat draining)" = 0 ] || FAIL "still draining after undrain"
announced 1 "undrain"

# The drain's end: after drain-time the tunnels left are ended.
e2e_gw "$NS_GW" gw1b -R "$R4"
e2e_recv "$NS_GW" r2 -g "$G" -s "$S4"
e2e_wait 20 e2e_stat_ge r2 unique 20 || FAIL "gw1 receives nothing again"
"$AMTCTL" -S "$RELAY_SOCK" drain >/dev/null || FAIL "amtctl drain"
T0=$(e2e_now)
[ "$(stat drain-tunnels-left)" = 1 ] && [ "$(stat drain-seconds-left)" -ge 1 ] ||
	FAIL "drain progress: $(stat drain-tunnels-left) tunnels," \
	    "$(stat drain-seconds-left) s left"
page() { ip netns exec "$NS_RELAY" curl -fsS http://127.0.0.1:9768/; }
page | grep -q "amtdisc0 withdrawn: draining; draining: 1 tunnels end in" ||
	FAIL "status page: no drain in progress"
e2e_wait 10 e2e_ntunnels_is 0 || FAIL "the drain did not end the tunnel"
DT=$(e2e_since "$T0")
e2e_log "the drain ended the tunnel after $DT s"
awk -v t="$DT" 'BEGIN { exit !(t >= 1.5) }' ||
	FAIL "the drain ended the tunnel before drain-time (2 s)"
[ "$(stat drain-tunnels-ended)" = 1 ] || FAIL "drain-tunnels-ended != 1"
page | grep -q "drained, 1 tunnels ended" || FAIL "status page: drain not done"

# The interface lives only as long as the process.
t0=$(e2e_now)
kill -KILL "$RELAY_PID"
e2e_wait 5 e2e_gone "$RELAY_PID" || FAIL "relay survives SIGKILL"
gone() { ! ip -n "$NS_RELAY" link show amtdisc0 >/dev/null 2>&1; }
e2e_wait 5 gone || FAIL "amtdisc0 outlives the relay"
OK "withdrawn at max-tunnels, upstream down, drain; back after each;" \
    "amtdisc0 gone $(e2e_since "$t0") s after SIGKILL"
