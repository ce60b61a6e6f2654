#!/bin/sh
# covers: R7 R8 R9 R10 R12 R13 R15 R16 W6 W7
#
# amtrelayd's data path with amt-testgw gateways: IPv4 and IPv6 data in
# IPv4 and IPv6 tunnels (all four), SSM (S,G) and ASM (*,G), EXCLUDE
# sources, two gateways behind one address (R7), upstream joins and
# leaves as tunnels come and go (/proc/net/mcfilter, igmp, mcfilter6,
# igmp6 of the relay's namespace), outer ECN (R15), MTU: fragmentation
# and Too Big (R12),
# tunnel expiry with short timers (R13), shutdown (R16).
#
#   [src] s0 ======= r0 [relay] r1 --------------- g0 [gw] amt-testgw
#   S4 192.0.2.1  (MTU 9000)  R4 198.51.100.1        GW4 198.51.100.2
#   S4B 192.0.2.3             R6 2001:db8:2::1       GW6 2001:db8:2::2
#   S6 2001:db8:1::1
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"

lib_init relay-data
check_dep tcpdump
topo_relay 9000
S4B=192.0.2.3
ns_addr "$NS_SRC" s0 $S4B/24
N=50
RATE=200

# flow FILE S G: packets the gateway got for (S,G).
flow()
{
	jget "sum(f['packets'] for f in d['flows'] \
	    if f['source'] == '$2' and f['group'] == '$3')" <"$1"
}

# expect_flow NAME S G MIN [MAX]: the JSON of gateway NAME counts (S,G).
expect_flow()
{
	n=$(flow "$LIB_TMP/$1.out" "$2" "$3")
	[ "$n" -ge "$4" ] && [ "$n" -le "${5:-$n}" ] ||
		FAIL "$1: ($2,$3): $n packets, expected $4..${5:-any}"
}

# gw_end PID: end a background gateway and keep its JSON.
gw_end()
{
	kill -TERM "$1" 2>/dev/null
	wait_pid "$1" 5
	return 0
}

relay_start

# R10 W7: four families.  gw4 (IPv4 tunnel) and gw6 (IPv6 tunnel) both
# join an IPv4 and an IPv6 SSM flow; one more joins ASM (*,G) of both
# families; one EXCLUDEs S4 from an ASM group (R8).
gw_bg gw4 -r "$R4" -b "$GW4" --join "$S4,232.1.1.1" \
    --join "$S6,ff3e::8000:1" --then --teardown -t 60
GW4P=$BG_PID
gw_bg gw6 -r "$R6" -b "$GW6" -P --join "$S4,232.1.1.1" \
    --join "$S6,ff3e::8000:1" --then --teardown -t 60
GW6P=$BG_PID
gw_bg asm -r "$R4" -b "$GW4" --join "*,233.252.1.1" --join "*,ff0e::1:1" \
    --then --teardown -t 60
ASMP=$BG_PID
gw_bg excl -r "$R4" -b "$GW4" --exclude "$S4,233.252.1.2" \
    --then --teardown -t 60
EXCLP=$BG_PID
wait_for 20 ntunnels_is 4 || FAIL "4 tunnels expected, got $(ntunnels)"
for m in "r0 $S4,232.1.1.1 include" "r0 $S6,ff3e::8000:1 include" \
    "r0 233.252.1.1" "r0 ff0e::1:1"; do
	wait_for 20 has_member "$NS_RELAY" "$m" ||
		FAIL "R9: no upstream membership '$m'"
done
wait_for 20 has_member "$NS_RELAY" "r0 233.252.1.2" ||
	FAIL "R9: no upstream membership for the EXCLUDE group"
send "$NS_SRC" -i s0 -s $S4 -g 232.1.1.1 -n $N -r $RATE >/dev/null &&
send "$NS_SRC" -i s0 -s $S6 -g ff3e::8000:1 -n $N -r $RATE >/dev/null &&
send "$NS_SRC" -i s0 -s $S4 -g 233.252.1.1 -n $N -r $RATE >/dev/null &&
send "$NS_SRC" -i s0 -s $S6 -g ff0e::1:1 -n $N -r $RATE >/dev/null &&
send "$NS_SRC" -i s0 -s $S4 -g 233.252.1.2 -n $N -r $RATE >/dev/null &&
send "$NS_SRC" -i s0 -s $S4B -g 233.252.1.2 -n $N -r $RATE >/dev/null ||
	FAIL "mcsend failed"
# The last packets are in flight: wait for the relay to have sent them.
wait_for 20 stat_ge data-tx-packets $((7 * N)) ||
	FAIL "R10: relay sent $(rstat data-tx-packets) of $((7 * N)) packets"
kill -USR1 $GW4P $GW6P $ASMP $EXCLP
wait_for 20 ntunnels_is 0 || FAIL "R11: $(ntunnels) tunnels after Teardowns"
for p in $GW4P $GW6P $ASMP $EXCLP; do gw_end $p; done
expect_flow gw4 $S4 232.1.1.1 $N $N
expect_flow gw4 $S6 ff3e::8000:1 $N $N
expect_flow gw6 $S4 232.1.1.1 $N $N
expect_flow gw6 $S6 ff3e::8000:1 $N $N
expect_flow asm $S4 233.252.1.1 $N $N
expect_flow asm $S6 ff0e::1:1 $N $N
expect_flow asm $S4 232.1.1.1 0 0
expect_flow excl $S4B 233.252.1.2 $N $N
expect_flow excl $S4 233.252.1.2 0 0
for g in gw4 gw6 asm excl; do
	jcheck "$LIB_TMP/$g.out" "d['data_bad'] == 0 and \
	    all(f['bad_csum'] == 0 for f in d['flows'])" \
	    "W6 R10: $g got Data from elsewhere or with bad inner checksums"
done
log "R10 W7: v4/v6 in v4/v6, SSM, ASM, EXCLUDE: exact counts"

# R7 R9: two gateways behind one address, different ports: two tunnels,
# both get the flow.  A third joins and leaves; the upstream membership
# stays until the last tunnel goes (Teardown).  R8: a fourth joins and
# leaves with IGMPv2 / MLDv1 (ASM joins).
gw_bg nat -r "$R4" -b "$GW4:41000" -n 2 --join "$S4,232.1.3.1" \
    --then --teardown -t 60
NATP=$BG_PID
gw_bg jl -r "$R4" -b "$GW4:41010" --join "$S4,232.1.3.1" \
    --join "*,233.252.3.1" --join "$S6,ff3e::8000:3" \
    --then --leave "$S4,232.1.3.1" --leave "*,233.252.3.1" \
    --leave "$S6,ff3e::8000:3" -t 60
JLP=$BG_PID
gw_bg v2 -r "$R4" -b "$GW4:41020" --v2 --join "*,233.252.3.2" \
    --join "*,ff0e::1:3:2" --then --v2 --leave "*,233.252.3.2" \
    --leave "*,ff0e::1:3:2" -t 60
V2P=$BG_PID
wait_for 20 ntunnels_is 4 || FAIL "R7: 4 tunnels expected, got $(ntunnels)"
ctl show tunnels | jtest "sorted(t['gateway'] for t in d['tunnels']) == \
    ['$GW4:41000', '$GW4:41001', '$GW4:41010', '$GW4:41020']" ||
	FAIL "R7: tunnels not keyed by address and port"
for m in "r0 $S4,232.1.3.1 include" "r0 233.252.3.1" \
    "r0 $S6,ff3e::8000:3 include" "r0 233.252.3.2" "r0 ff0e::1:3:2"; do
	wait_for 20 has_member "$NS_RELAY" "$m" ||
		FAIL "R9: no upstream membership '$m'"
done
tx0=$(rstat data-tx-packets)
send "$NS_SRC" -i s0 -s $S4 -g 232.1.3.1 -n $N -r $RATE >/dev/null
wait_for 20 stat_ge data-tx-packets $((tx0 + 3 * N)) ||
	FAIL "R7: $(( $(rstat data-tx-packets) - tx0 )) of $((3 * N)) sent"
send "$NS_SRC" -i s0 -s $S4 -g 233.252.3.2 -n $N -r $RATE >/dev/null &&
send "$NS_SRC" -i s0 -s $S6 -g ff0e::1:3:2 -n $N -r $RATE >/dev/null ||
	FAIL "mcsend"
wait_for 20 stat_ge data-tx-packets $((tx0 + 5 * N)) ||
	FAIL "R8: $(( $(rstat data-tx-packets) - tx0 )) of $((5 * N)) sent"
kill -USR1 $JLP $V2P
for m in "r0 233.252.3.1" "r0 $S6,ff3e::8000:3 include" "r0 233.252.3.2" \
    "r0 ff0e::1:3:2"; do
	wait_for 20 no_member "$NS_RELAY" "$m" ||
		FAIL "R9: upstream membership '$m' stayed after the leave"
done
has_member "$NS_RELAY" "r0 $S4,232.1.3.1 include" ||
	FAIL "R9: left upstream while two tunnels still want the flow"
kill -USR1 $NATP
wait_for 20 no_member "$NS_RELAY" "r0 $S4,232.1.3.1 include" ||
	FAIL "R9: upstream membership stayed after the last tunnel left"
gw_end $NATP
gw_end $JLP
gw_end $V2P
jcheck "$LIB_TMP/nat.out" "d['min_data'] == $N" "R7: each NAT gateway"
expect_flow v2 $S4 233.252.3.2 $N $N
expect_flow v2 $S6 ff0e::1:3:2 $N $N
log "R7 R8 R9: NAT'd gateways; IGMPv2/MLDv1; joins follow the tunnels"

# R15: inner ECN CE (TOS 0x03): the outer ECN field is zero for a
# gateway that did not set E, and zero or the inner value for one that
# did (RFC 9601); the inner datagram keeps its ECN.
cap_start ecn "$NS_GW" g0 udp src port 2268
ECNCAP=$CAP_PID
gw_bg ecn -r "$R4" -b "$GW4:41100" --join "$S4,232.1.5.1" -t 60
ECNP=$BG_PID
gw_bg ecne -r "$R4" -b "$GW4:41101" -E --join "$S4,232.1.5.1" -t 60
ECNEP=$BG_PID
wait_for 20 has_member "$NS_RELAY" "r0 $S4,232.1.5.1 include" ||
	FAIL "R15: no join"
wait_for 20 tunnel_up "$GW4:41100" && wait_for 20 tunnel_up "$GW4:41101" ||
	FAIL "R15: no tunnels"
tx0=$(rstat data-tx-packets)
send "$NS_SRC" -i s0 -s $S4 -g 232.1.5.1 -n 10 -r $RATE -T 0x03 >/dev/null ||
	FAIL "mcsend"
wait_for 20 stat_ge data-tx-packets $((tx0 + 20)) || FAIL "R15: no data"
gw_end $ECNP
gw_end $ECNEP
cap_stop $ECNCAP
# Data to port 41100 (no E): outer ECN 0, inner ECN 3 (inner TOS at 31).
n=$(tcpdump -n -r "$LIB_TMP/ecn.pcap" 'udp dst port 41100 and
    ip[28] == 6 and ip[1] & 3 == 0 and ip[31] & 3 == 3' 2>/dev/null | wc -l)
[ "$n" -eq 10 ] || FAIL "R15: $n of 10 Data without E have outer ECN 0"
n=$(tcpdump -n -r "$LIB_TMP/ecn.pcap" 'udp dst port 41101 and
    ip[28] == 6 and (ip[1] & 3 == 0 or ip[1] & 3 == 3)' 2>/dev/null | wc -l)
[ "$n" -eq 10 ] || FAIL "R15: $n of 10 Data with E have outer ECN 0 or CE"
log "R15: outer ECN zero (or copied for E), inner ECN kept"

# R12: the tunnel MTU is 1500.  A 2000-byte IPv4 datagram with DF=0
# arrives in fragments; with DF=1, and IPv6, it is dropped with ICMP
# to the source; the outer IPv4 header has DF.
cap_start icmp "$NS_SRC" s0 icmp or icmp6
ICMPCAP=$CAP_PID
cap_start outer "$NS_GW" g0 udp src port 2268
OUTERCAP=$CAP_PID
gw_bg mtu -r "$R4" -b "$GW4" --join "$S4,232.1.9.1" --join "$S4,232.1.9.2" \
    --join "$S6,ff3e::8000:9" -t 60
MTUP=$BG_PID
for m in "r0 $S4,232.1.9.1 include" "r0 $S4,232.1.9.2 include" \
    "r0 $S6,ff3e::8000:9 include"; do
	wait_for 20 has_member "$NS_RELAY" "$m" || FAIL "R12: no join $m"
done
frag0=$(rstat data-fragmented) big0=$(rstat data-too-big)
rx0=$(rstat data-rx-packets)
send "$NS_SRC" -i s0 -s $S4 -g 232.1.9.1 -n 5 -l 2000 -F nodf >/dev/null &&
send "$NS_SRC" -i s0 -s $S4 -g 232.1.9.2 -n 5 -l 2000 -F df >/dev/null &&
send "$NS_SRC" -i s0 -s $S6 -g ff3e::8000:9 -n 5 -l 2000 >/dev/null ||
	FAIL "R12: mcsend"
wait_for 20 stat_ge data-rx-packets $((rx0 + 15)) ||
	FAIL "R12: relay captured $(( $(rstat data-rx-packets) - rx0 )) of 15"
wait_for 20 stat_ge data-too-big $((big0 + 10)) ||
	FAIL "R12: data-too-big $(( $(rstat data-too-big) - big0 )), expected 10"
wait_for 20 stat_ge data-fragmented $((frag0 + 5)) ||
	FAIL "R12: data-fragmented $(( $(rstat data-fragmented) - frag0 ))"
gw_end $MTUP
cap_stop $ICMPCAP
cap_stop $OUTERCAP
jcheck "$LIB_TMP/mtu.out" "[f['fragments'] for f in d['flows'] \
    if f['group'] == '232.1.9.1'] == [10] and d['max_inner'] <= 1470" \
    "R12: DF=0 datagram not fragmented to fit 1500"
expect_flow mtu $S4 232.1.9.2 0 0
expect_flow mtu $S6 ff3e::8000:9 0 0
n=$(tcpdump -n -r "$LIB_TMP/icmp.pcap" \
    'icmp[0] == 3 and icmp[1] == 4' 2>/dev/null | wc -l)
[ "$n" -ge 1 ] || FAIL "R12: no ICMP fragmentation needed to the source"
n=$(tcpdump -n -r "$LIB_TMP/icmp.pcap" 'icmp6 and ip6[40] == 2' \
    2>/dev/null | wc -l)
[ "$n" -ge 1 ] || FAIL "R12: no ICMPv6 Packet Too Big to the source"
n=$(tcpdump -n -r "$LIB_TMP/outer.pcap" 'ip and ip[6] & 0x40 == 0' \
    2>/dev/null | wc -l)
[ "$n" -eq 0 ] || FAIL "R12: $n outer IPv4 packets without DF"
n=$(tcpdump -n -r "$LIB_TMP/outer.pcap" 'ip and ip[6] & 0x40 != 0' \
    2>/dev/null | wc -l)
[ "$n" -ge 5 ] || FAIL "R12: only $n outer IPv4 packets with DF"
log "R12: fragments of 1470 at most, ICMP/ICMPv6 Too Big, outer DF"

# R16: SIGTERM: clean exit, data stops, upstream memberships gone.
gw_bg last -r "$R4" -b "$GW4" --join "$S4,232.1.1.1" --join "*,233.252.1.1" \
    -t 60
LASTP=$BG_PID
wait_for 20 has_member "$NS_RELAY" "r0 233.252.1.1" || FAIL "R16: no join"
cap_start leave "$NS_SRC" s0 igmp
LEAVECAP=$CAP_PID
relay_stop || FAIL "R16: amtrelayd did not exit 0 on SIGTERM"
no_member "$NS_RELAY" "r0 233.252.1.1" &&
	no_member "$NS_RELAY" "r0 $S4,232.1.1.1 include" ||
	FAIL "R16: upstream memberships left after shutdown"
cap_stop $LEAVECAP
n=$(tcpdump -n -r "$LIB_TMP/leave.pcap" -v 2>/dev/null | grep -c "233.252.1.1")
[ "$n" -ge 1 ] || FAIL "R16: no IGMP report leaving 233.252.1.1 upstream"
gw_end $LASTP
log "R16: clean exit, groups left"

# R13: short timers.  A gateway that stops refreshing loses its tunnel
# (and the upstream join) after --tunnel-timeout; one that refreshes
# every 1.5 s keeps it.
relay_start --query-interval 2 --query-response-interval 1 \
    --tunnel-timeout 8
gw_bg keep -r "$R4" -b "$GW4:42000" --join "$S4,232.1.4.1" --refresh 1.5 \
    -t 60
KEEPP=$BG_PID
gw quiet -r "$R4" -b "$GW4:42001" --join "$S4,232.1.4.2" -t 0.5
# (the quiet tunnel lives 8 s, long enough to be seen on a loaded
# machine: its join upstream shows it was made)
wait_for 20 has_member "$NS_RELAY" "r0 $S4,232.1.4.2 include" ||
	FAIL "R13: no upstream join"
wait_for 20 tunnel_up "$GW4:42000" || FAIL "R13: no refreshed tunnel"
wait_for 20 ntunnels_is 1 || FAIL "R13: silent tunnel did not expire"
ctl show tunnels | jtest "d['tunnels'][0]['gateway'] == '$GW4:42000'" ||
	FAIL "R13: the refreshed tunnel expired"
wait_for 20 stat_ge gateways-timed-out 1 ||
	FAIL "R13: gateways-timed-out not counted"
wait_for 20 no_member "$NS_RELAY" "r0 $S4,232.1.4.2 include" ||
	FAIL "R13: upstream join stayed after expiry"
sleep 4	# half a tunnel timeout more: the refreshed tunnel must stay
[ "$(ntunnels)" = 1 ] || FAIL "R13: the refreshed tunnel expired"
gw_end $KEEPP
log "R13: expiry after 8 s without refresh, refreshed tunnel kept"
OK "four families, SSM/ASM/EXCLUDE, R7, R9 joins, R12, R13, R16"
