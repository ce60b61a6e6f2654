#!/bin/sh
# covers: R3 R9 R10 R14
#
# amtrelayd at scale: one tunnel joined to 100 (S,G) (the kernel's
# per-socket limits, igmp_max_memberships = 20 and igmp_max_msf = 10,
# must not cap the relay: R9), then 2,000 tunnels (one process of
# amt-testgw, 2,000 ports of one address) on one (S,G).  Every gateway
# gets every packet; no send error (ENOBUFS) in the relay.  Then the
# limits of R14 with small numbers.
#
#   [src] s0 -------- r0 [relay] r1 -------------- g0 [gw]
#   S4 192.0.2.1      amtrelayd --max-tunnels-per-ip 5000    amt-testgw -n 2000
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"

lib_init relay-scale
topo_relay
relay_start --max-tunnels 5000 --max-tunnels-per-ip 5000
N=20

# 100 (S,G): 232.2.0.1 .. 232.2.0.100 from S4, one tunnel.
joins=$(join_list $S4 232.2 100)
gw_bg many -r "$R4" -b "$GW4" $joins --expect $((100 * N)) \
    --teardown-at-exit -t 60
MANY=$BG_PID
wait_for 30 sh -c "[ \$(ip netns exec $NS_RELAY cat /proc/net/mcfilter |
    grep -c ' r0 0xe80200') -eq 100 ]" ||
	FAIL "R9: $(ip netns exec "$NS_RELAY" cat /proc/net/mcfilter |
	    grep -c ' r0 0xe80200') of 100 (S,G) joined upstream"
ctl show tunnels | jtest "d['tunnels'][0]['groups'] == 100" ||
	FAIL "R8: the tunnel does not hold 100 groups"
send "$NS_SRC" -i s0 -s $S4 -g 232.2.0.1 -c 100 -n $N -r 2000 >/dev/null ||
	FAIL "mcsend"
wait_pid $MANY 20
jcheck "$LIB_TMP/many.out" "len(d['flows']) == 100 and \
    all(f['packets'] == $N for f in d['flows'])" \
    "R10: not every one of 100 flows got $N packets"
wait_for 20 ntunnels_is 0 || FAIL "R11: Teardown at exit did not remove the tunnel"
log "100 (S,G) on one tunnel: every packet"

# 2,000 tunnels on one (S,G).
G=232.3.0.1
gw_bg wide -r "$R4" -b "$GW4:43000" -n 2000 --rate 1000 --join "$S4,$G" \
    --expect $N -t 120
WIDE=$BG_PID
wait_for 30 ntunnels_is 2000 || FAIL "2000 tunnels expected, got $(ntunnels)"
ctl show flows | jtest "[f['tunnels'] for f in d['flows'] \
    if f['group'] == '$G'] == [2000]" || FAIL "R8: flow without 2000 tunnels"
tx0=$(rstat data-tx-packets)
send "$NS_SRC" -i s0 -s $S4 -g $G -n $N -r 20 >/dev/null || FAIL "mcsend"
wait_for 30 stat_ge data-tx-packets $((tx0 + 2000 * N)) ||
	FAIL "R10: relay sent $(( $(rstat data-tx-packets) - tx0 )) of $((2000 * N))"
wait_pid $WIDE 20
jcheck "$LIB_TMP/wide.out" "d['gateways'] == 2000 and \
    d['with_query'] == 2000 and d['min_data'] == $N" \
    "R10: a gateway of 2000 missed packets"
[ "$(rstat data-send-errors)" = 0 ] ||
	FAIL "R10: $(rstat data-send-errors) send errors (ENOBUFS?) in the relay"
! grep -qi "no buffer space" "$LIB_TMP/relay.err" ||
	FAIL "R9 R10: ENOBUFS in the relay's log"
relay_alive || FAIL "amtrelayd died"
log "2000 tunnels on one (S,G): every packet, no send error"
relay_stop || FAIL "amtrelayd did not stop cleanly"

# R14: limits.  3 tunnels per address, 4 in all, 2 groups per tunnel.
# At capacity the Query has L and nothing is created; at a
# per-tunnel limit the tunnel stays and the additions are ignored.
ns_addr "$NS_GW" g0 198.51.100.3/24
relay_start --max-tunnels 4 --max-tunnels-per-ip 3 --max-groups 2
gw lim3 -r "$R4" -b "$GW4:47000" -n 3 --join "$S4,232.7.0.1" -t 1.5
wait_for 20 ntunnels_is 3 || FAIL "R14: 3 tunnels expected, got $(ntunnels)"
gw perip -r "$R4" -b "$GW4:47010" --join "$S4,232.7.0.1" -t 1.5
jcheck "$LIB_TMP/perip.json" "d['query_l'] == 1" \
    "R14: no L in the Query at the per-address limit"
[ "$(ntunnels)" = 3 ] || FAIL "R14: per-address limit not kept"
gw other -r "$R4" -b "198.51.100.3:47020" --join "$S4,232.7.0.1" \
    --join "$S4,232.7.0.2" --join "$S4,232.7.0.3" -t 1.5
wait_for 20 ntunnels_is 4 ||
	FAIL "R14: a 4th tunnel from another address refused"
jcheck "$LIB_TMP/other.json" "d['query_l'] == 0" "R14: L below capacity"
ctl show tunnels | jtest "[t['groups'] for t in d['tunnels'] \
    if t['gateway'] == '198.51.100.3:47020'] == [2]" ||
	FAIL "R14: --max-groups 2 not kept"
wait_for 20 stat_ge limit-ignored 1 || FAIL "R14: limit-ignored not counted"
gw full -r "$R6" -b "$GW6" --join "$S4,232.7.0.1" -t 1.5
jcheck "$LIB_TMP/full.json" "d['query_l'] == 1" \
    "R14: no L in the Query at --max-tunnels"
[ "$(ntunnels)" = 4 ] || FAIL "R14: --max-tunnels not kept"
[ "$(rstat tunnels-refused)" -ge 2 ] || FAIL "R14: refusals not counted"
OK "100 (S,G) on one tunnel, 2000 tunnels on one (S,G), no send error, \
limits"
