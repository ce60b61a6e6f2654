#!/bin/sh
# covers: R2 R14 R16 G9
#
# The FRR example of a relay pool, run as it is: two relay hosts, each
# with amtrelayd --discovery-interface amtdisc0 and FRR (zebra and
# bgpd) configured from doc/examples/frr-relay.conf (addresses and AS
# substituted, nothing else), in front of them the core with BIRD and
# doc/examples/bird-router.conf (pool-lib.sh's topology), two gateways
# (amtgwd -r 192.52.193.1 and -r 2001:3::1) with a receiver each.
#
# Checks: both relays' routes reach the core as one multipath route
# (/32 and /128); data flows to both gateways, each on a relay's own
# address (R2); SIGKILL gateway 1's relay: its next hop leaves the core
# within 1 s (zebra sees amtdisc0 vanish, bgpd withdraws) and its
# gateways stream again through the other relay (G9); `amtctl drain`
# the other (R14): its route leaves too; `undrain`: back; the killed
# relay restarted (a new amtdisc0): back; SIGTERM the other (R16):
# withdrawn first thing.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

e2e_setup relay-pool-frr
. "$top_srcdir/tests/net/pool-lib.sh"
check_dep bird birdc
FRR=${FRR_SBIN:-/usr/lib/frr}
[ -x "$FRR/zebra" ] && [ -x "$FRR/bgpd" ] ||
	SKIP "FRR is not installed (no $FRR/zebra, $FRR/bgpd)"
check_dep vtysh
id frr >/dev/null 2>&1 || SKIP "no user frr (FRR's daemons run as frr)"
RATE=100
NGW=2		# gateway 1 discovers over IPv4, gateway 2 over IPv6
NGW6=1
DRAIN=3

frr_vty()
{
	fv_n=$1
	shift
	ip netns exec "$(e2e_nsname "relay$fv_n")" vtysh \
	    --vty_socket "$E2E_TMP/frr$fv_n" --config_dir "$E2E_TMP/frr$fv_n" "$@"
}

# frr_start N: zebra and bgpd in relayN with sockets and pid files in
# $E2E_TMP/frrN (owned by frr, which the daemons run as; no TCP vty,
# nothing in /etc/frr), then relayN.conf applied as frr.conf by
# `vtysh -b`, the way FRR's init script applies the integrated config.
frr_start()
{
	d=$E2E_TMP/frr$1
	mkdir -p "$d"
	cp "$E2E_TMP/relay$1.conf" "$d/frr.conf"
	: >"$d/vtysh.conf"
	: >"$d/none.conf"
	chown -R frr:frr "$d"
	for dm in zebra bgpd; do
		e2e_start "$(e2e_nsname "relay$1")" "$dm-relay$1" "$FRR/$dm" \
		    -f "$d/none.conf" -i "$d/$dm.pid" -z "$d/zserv.api" \
		    --vty_socket "$d" -P 0 --log stdout
		e2e_wait 20 frr_vty "$1" -d "$dm" -c "show version" ||
			FAIL "relay$1: $dm did not start"
	done
	frr_vty "$1" -b >"$E2E_TMP/vtysh-b-relay$1.log" 2>&1 ||
		FAIL "relay$1: vtysh -b failed"
	! grep -i -E 'unknown|error|fail' "$E2E_TMP/vtysh-b-relay$1.log" ||
		FAIL "relay$1: frr.conf did not load"
}

# moved_off N K...: each gateway K is up on a relay other than N and
# has received RATE more packets (1 s) since MARK_K.
moved_off()
{
	mo_from=$1
	shift
	for k in "$@"; do
		r=$(gw_relay "$k")
		[ "$r" != 0 ] && [ "$r" != "$mo_from" ] || return 1
		e2e_stat_ge "ev0-gw$k" unique \
		    $(($(eval echo "\$MARK_$k") + RATE)) || return 1
	done
}

# bgp_routes N AFI: the prefixes in relayN's BGP table.
bgp_routes()
{
	frr_vty "$1" -c "show bgp $2 unicast json" | "$PY" -c '
import json, sys
print(sorted(json.load(sys.stdin).get("routes", {})))'
}

# back N: the core routes both families to relay N again.
back() { hops_with -4 $ANY4 "10.3.$1.2" && hops_with -6 $ANY6 "fd03:$1::2"; }

# A failure's log: the core's routes, what bgpd announced.
diag()
{
	ip -n "$NS_CORE" route show $ANY4
	ip -n "$NS_CORE" -6 route show $ANY6
	birdc -s "$E2E_TMP/core.ctl" show protocols
	for n in 1 2; do
		frr_vty "$n" -c "show bgp summary" -c "show ip route" \
		    -c "show ipv6 route" 2>&1
	done
}

chmod 711 "$E2E_TMP"	# the daemons (user frr) reach their directories
pool_topo 2
for n in 1 2; do
	pool_example frr-relay.conf "$n"
	relay_up "$n"
	frr_start "$n"
done
pool_core
T0=$(e2e_now)
e2e_wait 30 hops_n -4 $ANY4 2 && e2e_wait 10 hops_n -6 $ANY6 2 || {
	diag
	FAIL "no 2-way multipath route for $ANY4 and $ANY6 at the core"
}
# The route maps let nothing else in and out: bgpd has the anycast
# routes only (match interface amtdisc0), and so has the core.
for n in 1 2; do
	[ "$(bgp_routes "$n" ipv4)" = "['$ANY4/32']" ] &&
	    [ "$(bgp_routes "$n" ipv6)" = "['$ANY6/128']" ] || {
		diag
		FAIL "relay$n: bgpd has other routes than the anycast ones"
	}
done
[ "$(ip -n "$NS_CORE" route show proto bird)" = "$(ip -n "$NS_CORE" \
    route show $ANY4 proto bird)" ] &&
    [ "$(ip -n "$NS_CORE" -6 route show proto bird)" = "$(ip -n \
    "$NS_CORE" -6 route show $ANY6 proto bird)" ] || {
	diag
	FAIL "the core learnt more than the anycast routes"
}
e2e_log "core: $(ip -n "$NS_CORE" route show $ANY4 | tr -s '\n\t' '  ')" \
    "($(e2e_since "$T0") s after BIRD started)"

e2e_send "$NS_SRC" send -g $G -s $S4 -i brup -r $RATE -l 100
for k in 1 2; do gw_up "$k"; done
for k in 1 2; do
	e2e_wait 30 e2e_stat_ge "ev0-gw$k" unique 20 ||
		FAIL "gw$k: no data through the pool"
	[ "$(gw_relay "$k")" != 0 ] ||
		FAIL "R2: gw$k's relay is not a relay's own address"
done
e2e_log "gw1 on relay$(gw_relay 1), gw2 on relay$(gw_relay 2)"

# 1. SIGKILL gateway 1's relay: the kernel removes amtdisc0.
K=$(gw_relay 1)
O=$((3 - K))
AFFECTED=
for k in 1 2; do
	[ "$(gw_relay "$k")" = "$K" ] && AFFECTED="$AFFECTED $k"
	eval "MARK_$k=$(e2e_stat "ev0-gw$k" unique)"
done
T0=$(e2e_now)
kill -KILL "$(eval echo "\$RELAY${K}_PID")"
route_gone "$T0" "$K" kill
e2e_log "kill relay$K: route gone from the core in $GONE s"
awk -v t="$GONE" 'BEGIN { exit !(t <= 1.0) }' || {
	diag
	FAIL "kill: relay$K's route withdrawn after $GONE s (more than 1 s)"
}
back "$O" || FAIL "kill: relay$O's route went too"
e2e_wait 15 moved_off "$K" $AFFECTED || {
	diag
	FAIL "G9: gateways$AFFECTED did not move from relay$K to relay$O"
}
e2e_log "kill: gateways$AFFECTED stream through relay$O" \
    "$(e2e_since "$T0") s after the kill"

# 2. Drain the other (R14): withdrawn; undrain: announced again.
T0=$(e2e_now)
"$AMTCTL" -S "$E2E_TMP/relay$O.sock" drain >/dev/null || FAIL "amtctl drain"
route_gone "$T0" "$O" drain
[ "$(rjson "$O" "show stats" 'j["announced"]')" = 0 ] ||
	FAIL "R14: relay$O drained and still announced"
e2e_log "drain relay$O: route gone from the core in $GONE s"
T0=$(e2e_now)
"$AMTCTL" -S "$E2E_TMP/relay$O.sock" undrain >/dev/null ||
	FAIL "amtctl undrain"
e2e_wait 10 back "$O" || { diag; FAIL "undrain: relay$O not announced"; }
BACK=$(e2e_since "$T0")
e2e_log "undrain relay$O: route back at the core in $BACK s"

# 3. The killed relay returns (a new amtdisc0): announced again.
T0=$(e2e_now)
relay_up "$K"
e2e_wait 10 back "$K" || { diag; FAIL "return: relay$K not announced"; }
e2e_log "restart relay$K: route back at the core in $(e2e_since "$T0") s"

# 4. R16: a relay that shuts down withdraws before anything else.
T0=$(e2e_now)
kill -TERM "$(eval echo "\$RELAY${O}_PID")"
route_gone "$T0" "$O" shutdown
grep -q "withdrawn from amtdisc0: shutting down" "$E2E_TMP/relay$O.log" ||
	FAIL "R16: no withdrawal logged"
e2e_log "shutdown relay$O: route gone in $GONE s"
OK "FRR relay hosts: withdrawn in $GONE s after SIGTERM, back in $BACK s"
