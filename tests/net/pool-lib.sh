# Helpers of the relay pool scenarios (sourced after lib.sh and e2e.sh):
# relay-pool.sh (BIRD 2 on the relay hosts) and relay-pool-frr.sh (FRR).
#
#   [src] brup 10.1.0.1 (a bridge: the shared upstream LAN)
#     |-- up0 10.1.0.1N [relayN] c0 10.3.N.2 fd03:N::2 -- cN [core]
#              amtrelayd --discovery-interface amtdisc0     brgw 10.40.0.1
#              (192.52.193.1/32, 2001:3::1/128)              |-- gwK
#                                                            10.40.0.(10+K)
#   [core] BIRD with doc/examples/bird-router.conf: BGP to each relay
#          host (AS 6500N), one multipath route, L4 multipath hash.
#
#   pool_topo N        the namespaces, links and addresses for N relays
#   pool_example F N   doc/examples/F for relay N: $E2E_TMP/relayN.conf
#   bird_start NS NAME, relay_up N, gw_up K, gw_relay K, rjson N REQ EXPR
#   pool_core          BIRD on the core and a monitor of its routes
#   hops*, route_gone  the core's next hops to the anycast addresses
#
# Sourced after e2e_setup (the namespace names need it).  A scenario
# sets DRAIN (relay_up), NGW and NGW6 (gw_up) before using them.

ANY4=192.52.193.1
ANY6=2001:3::1
S4=10.1.0.1
G=232.1.40.1
NS_SRC=$(e2e_nsname src)
NS_CORE=$(e2e_nsname core)
POOL_EX=$top_srcdir/doc/examples

# bird_start NS NAME: BIRD with $E2E_TMP/NAME.conf, its own socket.
bird_start()
{
	e2e_start "$1" "bird-$2" bird -f -c "$E2E_TMP/$2.conf" \
	    -s "$E2E_TMP/$2.ctl" -P "$E2E_TMP/$2.pid"
	e2e_wait 10 birdc -s "$E2E_TMP/$2.ctl" show status ||
		FAIL "bird $2 did not start"
}

# The routing configurations are the documented examples: the router's
# as it is, relay N's from relay 1's with its addresses and AS.
pool_example()
{
	sed -e "s/10\.3\.1\./10.3.$2./g" -e "s/fd03:1::/fd03:$2::/g" \
	    -e "s/65001/6500$2/" "$POOL_EX/$1" \
	    >"$E2E_TMP/relay$2.conf"
}

pool_topo()
{
	e2e_ns src; e2e_ns core
	ns_bridge "$NS_SRC" brup mcast_snooping 0
	ns_addr "$NS_SRC" brup $S4/24
	ip -n "$NS_SRC" route add 224.0.0.0/4 dev brup
	# No MLD snooping in the way of IPv6 neighbour discovery.
	ns_bridge "$NS_CORE" brgw mcast_snooping 0
	ns_addr "$NS_CORE" brgw 10.40.0.1/24 fd40::1/64
	ip netns exec "$NS_CORE" sh -c '
	    sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.fib_multipath_hash_policy=1 \
		net.ipv6.fib_multipath_hash_policy=1' || FAIL "core sysctls"
	n=1
	while [ "$n" -le "$1" ]; do
		ns=$(e2e_nsname "relay$n")
		e2e_ns "relay$n"
		ns_link "$ns" up0 "$NS_SRC" "up$n"
		ip -n "$NS_SRC" link set "up$n" master brup
		ns_addr "$ns" up0 "10.1.0.1$n/24"
		ns_link "$ns" c0 "$NS_CORE" "c$n"
		ns_addr "$ns" c0 "10.3.$n.2/24" "fd03:$n::2/64"
		ns_addr "$NS_CORE" "c$n" "10.3.$n.1/24" "fd03:$n::1/64"
		ip -n "$ns" route add default via "10.3.$n.1"
		ip -n "$ns" -6 route add default via "fd03:$n::1"
		n=$((n + 1))
	done
	cp "$POOL_EX/bird-router.conf" "$E2E_TMP/core.conf"
}

# relay_up N: amtrelayd in relayN (socket relayN.sock), RELAYN_PID.
relay_up()
{
	e2e_start "$(e2e_nsname "relay$1")" "relay$1" "$RELAYD" -d -v -i up0 \
	    -S "$E2E_TMP/relay$1.sock" --state-file none -a "10.3.$1.2" \
	    -a "fd03:$1::2" -D $ANY4 -D $ANY6 --discovery-interface amtdisc0 \
	    --drain-time $DRAIN
	eval "RELAY$1_PID=$E2E_PID"
	e2e_wait 30 e2e_ctl_ok "$E2E_TMP/relay$1.sock" ||
		FAIL "relay$1 did not start"
}

# pool_core: BIRD on the core, and `ip -ts -o monitor route` there
# (monitor.log) from before its first route, for route_gone.
pool_core()
{
	e2e_start "$NS_CORE" monitor ip -ts -o monitor route
	bird_start "$NS_CORE" core
}

rjson() { e2e_json "$E2E_TMP/relay$1.sock" "$2" "$3"; }

# gw_up K: gateway K on the core's LAN, its amtgwd and a receiver
# (RECV0_K); gateways NGW - NGW6 + 1 to NGW discover over IPv6.
gw_up()
{
	ns=$(e2e_nsname "gw$1")
	e2e_ns "gw$1"
	ns_link "$ns" g0 "$NS_CORE" "gw$1"
	ip -n "$NS_CORE" link set "gw$1" master brgw
	ns_addr "$ns" g0 "10.40.0.$((10 + $1))/24" "fd40::$((10 + $1))/64"
	ip -n "$ns" route add default via 10.40.0.1
	ip -n "$ns" -6 route add default via fd40::1
	disc=$ANY4
	[ "$1" -gt $((NGW - NGW6)) ] && [ "$1" -le "$NGW" ] && disc=$ANY6
	e2e_gw "$ns" "gw$1" -r "$disc"
	e2e_recv "$ns" "ev0-gw$1" -g $G -s $S4
	eval "RECV0_$1=$RECV_PID"
}

# gw_relay K: the relay gateway K's session is on (the relay address
# of its Advertisement, RFC 7450 5.3.3.2, never the anycast one); 0 if
# none.
gw_relay()
{
	r=$(e2e_json "$E2E_TMP/gw$1.sock" "show sessions" \
	    '[s["relay"] for s in j["sessions"] if s["state"] == "up"][0]')
	case $r in
	10.3.[1-9].2:*) echo "$r" | cut -d. -f3 ;;
	*fd03:[1-9]::2*) echo "$r" | sed 's/.*fd03:\([1-9]\)::2.*/\1/' ;;
	*) echo 0 ;;
	esac
}

# Routes to the anycast address at the core: its next hops, one a line.
hops() { ip -n "$NS_CORE" "$1" route show "$2" | grep -o 'via [^ ]*'; }
hops_without() { ! hops "$1" "$2" | grep -q "$3"; }
hops_with() { hops "$1" "$2" | grep -q "$3"; }
hops_n() { [ "$(hops "$1" "$2" | wc -l)" -eq "$3" ]; }

# route_changed T0 PREFIX: seconds from T0 to the core kernel's first
# notice about PREFIX after T0 (monitor.log, `ip -ts -o monitor route`).
route_changed()
{
	awk -v t0="$1" -v p=" $2 " '
	    !done && index($0, p) {
		c = "date -d " substr($1, 2, length($1) - 2) " +%s.%N"
		c | getline t; close(c)
		if (t + 0 > t0 + 0) { printf "%.2f\n", t - t0; done = 1 }
	    }' "$E2E_TMP/monitor.log"
}

# route_gone T0 N EVENT: the core lost relay N's next hops; GONE: the
# time from T0 to the later of the two families' route changes, taken
# from the kernel's notices rather than from polling, which a loaded
# machine slows.
route_gone()
{
	e2e_wait 5 hops_without -4 $ANY4 "10.3.$2.2" ||
		FAIL "$3: relay$2's IPv4 route still at the core"
	e2e_wait 5 hops_without -6 $ANY6 "fd03:$2::2" ||
		FAIL "$3: relay$2's IPv6 route still at the core"
	t4=$(route_changed "$1" $ANY4)
	t6=$(route_changed "$1" $ANY6)
	[ -n "$t4" ] && [ -n "$t6" ] ||
		FAIL "$3: no route change in the core's monitor log"
	GONE=$(awk -v a="$t4" -v b="$t6" 'BEGIN { print (a > b ? a : b) }')
}
