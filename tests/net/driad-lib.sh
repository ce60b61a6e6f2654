# Helpers of the DRIAD scenarios (tests/net/driad-*.sh), sourced after
# tests/net/lib.sh and tests/net/e2e.sh.  Names start with driad_.
#
#   [src] s0 10.1.0.1 .3 .4 .5 .6 fd01::1 -- brU --+-- up0 [r1] dn0 --+
#                                                  +-- up0 [r2] dn0 --+
#                                                                     |
#   [gw] g0 10.2.0.100 fd02::100 ----------------------------- brD ---+
#   [dns] dn0 10.2.0.53 fd02::53 (also 10.2.0.9: no relay) ---/
#   [fill] f0 10.2.0.200 (amt-testgw, to fill a relay)  -----/
#
#   r1: up0 10.1.0.11, dn0 10.2.0.1 fd02::1
#   r2: up0 10.1.0.12, dn0 10.2.0.2 fd02::2
# Both bridges live in their own namespace (NS_NET), snooping off, so
# both relays see every stream of the source.

DRIAD_R1=10.2.0.1
DRIAD_R1_6=fd02::1
DRIAD_R2=10.2.0.2
DRIAD_R2_6=fd02::2
DRIAD_DNS=10.2.0.53
DRIAD_DEAD=10.2.0.9

# driad_setup NAME: root, tools (dnsmasq), temp dir, cleanup.
driad_setup()
{
	e2e_setup "$1"
	check_dep dnsmasq nft
}

# driad_port NS IF BRIDGE PORTNAME: a veth from NS to a bridge of NS_NET.
driad_port()
{
	ns_link "$1" "$2" "$NS_NET" "$4"
	ip -n "$NS_NET" link set "$4" master "$3" || FAIL "bridge port $4"
}

driad_topo()
{
	NS_NET=$(ns_new net)
	NS_SRC=$(ns_new src)
	NS_R1=$(ns_new r1)
	NS_R2=$(ns_new r2)
	NS_DNS=$(ns_new dns)
	NS_GW=$(ns_new gw)
	NS_FILL=$(ns_new fill)
	for b in brU brD; do
		ns_bridge "$NS_NET" "$b" mcast_snooping 0
	done
	driad_port "$NS_SRC" s0 brU u-src
	driad_port "$NS_R1" up0 brU u-r1
	driad_port "$NS_R2" up0 brU u-r2
	driad_port "$NS_R1" dn0 brD d-r1
	driad_port "$NS_R2" dn0 brD d-r2
	driad_port "$NS_DNS" dn0 brD d-dns
	driad_port "$NS_GW" g0 brD d-gw
	driad_port "$NS_FILL" f0 brD d-fill
	ns_addr "$NS_SRC" s0 10.1.0.1/24 10.1.0.3/24 10.1.0.4/24 10.1.0.5/24 \
	    10.1.0.6/24 fd01::1/64
	ip -n "$NS_SRC" route add 224.0.0.0/4 dev s0
	ns_addr "$NS_R1" up0 10.1.0.11/24 fd01::11/64
	ns_addr "$NS_R2" up0 10.1.0.12/24 fd01::12/64
	ns_addr "$NS_R1" dn0 $DRIAD_R1/24 $DRIAD_R1_6/64
	ns_addr "$NS_R2" dn0 $DRIAD_R2/24 $DRIAD_R2_6/64
	ns_addr "$NS_DNS" dn0 $DRIAD_DNS/24 $DRIAD_DEAD/24 fd02::53/64
	ns_addr "$NS_GW" g0 10.2.0.100/24 fd02::100/64
	ns_addr "$NS_FILL" f0 10.2.0.200/24
}

# driad_rev ADDR: the reverse name (in-addr.arpa / ip6.arpa).
driad_rev()
{
	"$PY" -c 'import ipaddress, sys
print(ipaddress.ip_address(sys.argv[1]).reverse_pointer)' "$1"
}

# driad_rr PREC D TYPE RELAY: RDATA hex of an AMTRELAY record (RFC 8777
# 4.2): precedence, D << 7 | type, relay (address, or a name in wire form).
driad_rr()
{
	"$PY" -c 'import ipaddress, sys
p, d, t, r = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
b = bytes([p, d << 7 | t])
if t in (1, 2):
    b += ipaddress.ip_address(r).packed
elif t == 3:
    for l in r.rstrip(".").split("."):
        b += bytes([len(l)]) + l.encode()
    b += b"\0"
print(b.hex())' "$@"
}

# driad_dns ARGS...: dnsmasq in NS_DNS with these records (--dns-rr ...),
# authoritative for the reverse trees and example. (NXDOMAIN elsewhere);
# its queries logged in $E2E_TMP/dnsmasq.log.
driad_dns()
{
	bg dnsmasq "$NS_DNS" dnsmasq -k --no-resolv --no-hosts --port 53 \
	    --bind-interfaces --listen-address "$DRIAD_DNS" \
	    --listen-address fd02::53 --log-queries \
	    --log-facility="$E2E_TMP/dnsmasq.log" \
	    --local=/in-addr.arpa/ --local=/ip6.arpa/ --local=/example/ "$@"
	DNSMASQ_PID=$BG_PID
	echo "$BG_PID" >>"$E2E_TMP/e2e.pids"
	e2e_wait 20 test -s "$E2E_TMP/dnsmasq.log" ||
		FAIL "dnsmasq did not start"
}

# driad_relay NAME NS ARGS...: amtrelayd on up0, socket $E2E_TMP/NAME.sock
driad_relay()
{
	_n=$1 _ns=$2
	shift 2
	e2e_start "$_ns" "$_n" "$RELAYD" -d -v -i up0 --state-file none -S "$E2E_TMP/$_n.sock" \
	    "$@"
	e2e_wait 20 e2e_ctl_ok "$E2E_TMP/$_n.sock" ||
		FAIL "amtrelayd $_n did not start"
}

# driad_gw ARGS...: amtgwd --driad in NS_GW (socket $E2E_TMP/gw.sock).
driad_gw()
{
	e2e_gw "$NS_GW" gw --driad --resolver "$DRIAD_DNS" "$@"
	DRIAD_GW_PID=$GW_PID
	GW_SOCK=$E2E_TMP/gw.sock
}

# driad_src_is SOURCE STATE: "show sources" says STATE for SOURCE.
driad_src_is()
{
	[ "$(e2e_json "$GW_SOCK" "show sources" \
	    '[s["state"] for s in j["sources"] if s["source"] == "'"$1"'"]')" \
	    = "['$2']" ]
}

# driad_src_relay SOURCE RELAY: SOURCE is served by RELAY.
driad_src_relay()
{
	[ "$(e2e_json "$GW_SOCK" "show sources" \
	    '[s.get("relay") for s in j["sources"] if s["source"] == "'"$1"'"]')" \
	    = "['$2']" ]
}

# driad_flows SOCK: every (S,G) of a relay's tunnels, space separated.
driad_flows()
{
	e2e_json "$1" "show tunnels" '" ".join(t["flows"] for t in j["tunnels"])'
}

# driad_relay_has SOCK S G: the relay forwards (S,G) to a tunnel.
driad_relay_has()
{
	case " $(driad_flows "$1") " in *" ($2,$3) "*) return 0 ;; esac
	return 1
}

# driad_show: the gateway's view, into the test log.
driad_show()
{
	e2e_log "sessions: $("$AMTCTL" -S "$GW_SOCK" show sessions --json)"
	e2e_log "sources: $("$AMTCTL" -S "$GW_SOCK" show sources --json)"
}

# driad_gw_alive: amtgwd still runs.
driad_gw_alive()
{
	kill -0 "$DRIAD_GW_PID" 2>/dev/null && ! e2e_gone "$DRIAD_GW_PID"
}
