#!/bin/sh
# covers: G2 G5 G8 G11 R7 R11
#
# Two gateways behind one NAT (nftables masquerade with random ports):
#  - both find the relay by discovery (G2, anycast address on the relay's
#    loopback), both receive one (S,G); the relay keeps two tunnels with
#    one IP and two ports (R7);
#  - the NAT's conntrack table is flushed (netlink, as `conntrack -F`):
#    the gateways' next Requests leave from new public ports; with the
#    keepalive knob (G5, G11) data resumes by itself at both gateways;
#  - the relay advertises Teardown (G flag): each gateway sees its
#    gateway fields change and tears the old tunnel down (G8): the old
#    ports disappear from the relay long before its timeout.
#
#   [src] s0 10.1.0.1 -- up0 [relay] dn0 10.2.0.1, lo 10.255.0.1 (discovery)
#                                 |
#                          o0 10.2.0.2 [nat] br0 10.3.0.1   masquerade
#                                             |-- g0 10.3.0.11 [gw1]
#                                             |-- g0 10.3.0.12 [gw2]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

KEEPALIVE=3
G=232.1.8.1
DISC=10.255.0.1

e2e_setup gw-nat
command -v nft >/dev/null 2>&1 || SKIP "no nft"
NS_SRC=$(e2e_nsname src); NS_RELAY=$(e2e_nsname relay)
NS_NAT=$(e2e_nsname nat)
e2e_ns src; e2e_ns relay; e2e_ns nat
ns_link "$NS_SRC" s0 "$NS_RELAY" up0
ns_addr "$NS_SRC" s0 10.1.0.1/24
ns_addr "$NS_RELAY" up0 10.1.0.2/24
ip -n "$NS_SRC" route add 224.0.0.0/4 dev s0
ns_link "$NS_RELAY" dn0 "$NS_NAT" o0
ns_addr "$NS_RELAY" dn0 10.2.0.1/24
ns_addr "$NS_RELAY" lo "$DISC/32"
ns_addr "$NS_NAT" o0 10.2.0.2/24
ip -n "$NS_NAT" route add "$DISC/32" via 10.2.0.1
ns_bridge "$NS_NAT" br0
ns_addr "$NS_NAT" br0 10.3.0.1/24
ip netns exec "$NS_NAT" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NS_NAT" nft -f - <<EOF || FAIL "nft"
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "o0" masquerade random
	}
}
EOF
for i in 1 2; do
	ns=$(e2e_nsname "gw$i")
	e2e_ns "gw$i"
	ns_link "$ns" g0 "$NS_NAT" "gw$i"
	ip -n "$NS_NAT" link set "gw$i" master br0
	ns_addr "$ns" g0 "10.3.0.1$i/24"
	ip -n "$ns" route add default via 10.3.0.1
done

e2e_relay "$NS_RELAY" up0 -a 10.2.0.1 -D "$DISC" --advertise-teardown
e2e_send "$NS_SRC" send -g "$G" -s "$S4" -i s0 -r 500 -l 200
for i in 1 2; do
	e2e_gw "$(e2e_nsname "gw$i")" "gw$i" -r "$DISC" --keepalive "$KEEPALIVE"
	e2e_recv "$(e2e_nsname "gw$i")" "r$i" -g "$G" -s "$S4"
done
for i in 1 2; do
	e2e_wait 30 e2e_stat_ge "r$i" unique 100 || FAIL "gw$i receives nothing"
	r=$(e2e_json "$E2E_TMP/gw$i.sock" "show sessions" \
	    '" ".join(s["relay"] for s in j["sessions"])')
	case $r in
	*10.2.0.1:2268*) ;;
	*) FAIL "gw$i: session relay '$r', not the advertised 10.2.0.1" ;;
	esac
done

# tunnel_ports: the gateway ports the relay has tunnels for, sorted.
tunnel_ports()
{
	e2e_json "$RELAY_SOCK" "show tunnels" \
	    '" ".join(sorted(t["gateway"].rsplit(":", 1)[1] for t in j["tunnels"] if t["gateway"].startswith("10.2.0.2:")))'
}
old=$(tunnel_ports)
set -- $old
[ $# -eq 2 ] || FAIL "relay tunnels from the NAT: '$old', expected two ports"
e2e_log "two gateways behind one NAT: ports $old"

# Flush the NAT's conntrack table: new bindings, new random ports.
e2e_ctflush()
{
	ip netns exec "$NS_NAT" "$PY" -c '
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
s.bind((0, 0))
# NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE, no attribute: flush
body = struct.pack("=BBH", socket.AF_INET, 0, 0)
s.send(struct.pack("=IHHII", 16 + len(body), 0x102, 5, 1, 0) + body)
r = s.recv(4096)
sys.exit(struct.unpack("=i", r[16:20])[0] != 0)'
}
u1=$(e2e_stat r1 unique); u2=$(e2e_stat r2 unique)
e2e_ctflush || FAIL "conntrack flush"
t0=$(e2e_now)
e2e_log "conntrack flushed"

new_ports()
{
	n=0
	for p in $(tunnel_ports); do
		case " $old " in *" $p "*) ;; *) n=$((n + 1)) ;; esac
	done
	[ "$n" -ge 2 ]
}
e2e_wait 30 new_ports || FAIL "no new tunnels after the rebinding: $(tunnel_ports)"
e2e_log "new bindings after $(e2e_since "$t0") s: $(tunnel_ports)"
e2e_wait 20 e2e_stat_ge r1 unique $((u1 + 1500)) ||
	FAIL "gw1: data did not resume ($u1 -> $(e2e_stat r1 unique))"
e2e_wait 20 e2e_stat_ge r2 unique $((u2 + 1500)) ||
	FAIL "gw2: data did not resume ($u2 -> $(e2e_stat r2 unique))"
e2e_log "data resumed at both gateways after $(e2e_since "$t0") s"

old_gone()
{
	for p in $(tunnel_ports); do
		case " $old " in *" $p "*) return 1 ;; esac
	done
}
e2e_wait 30 old_gone ||
	FAIL "old tunnels not torn down (G8): relay has $(tunnel_ports), old $old"
teardowns_ge() {
	td=$(e2e_json "$RELAY_SOCK" "show stats" 'j["teardown"]')
	[ "$td" -ge "$1" ] 2>/dev/null
}
e2e_wait 20 teardowns_ge 2
e2e_log "relay received $td Teardowns"
[ "$td" -ge 2 ] 2>/dev/null || FAIL "old tunnels gone without a Teardown ($td)"
OK "NAT rebinding: data resumed, old tunnels torn down"
