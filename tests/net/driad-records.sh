#!/bin/sh
# covers: D1
#
# Malformed AMTRELAY RDATA served by a real DNS server (dnsmasq) to
# amtgwd --driad: every truncation of a type 1 record, truncated type 2
# and type 3 records, a type 3 name with a compression pointer (RFC 8777
# 4.2.4: never compressed), a type 3 name without its root label, a
# type 1 record with an extra octet, and an undefined type.  The
# gateway rejects each record cleanly and stays up:
#   S1 10.1.0.1: only bad records      -> no-relay, nothing served
#   S2 10.1.0.3: the bad ones and 20 1 1 10.2.0.1 -> served by r1, data
# Topology: tests/net/driad-lib.sh.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"
. "$top_srcdir/tests/net/driad-lib.sh"

S1=10.1.0.1 G1=232.1.3.1
S2=10.1.0.3 G2=232.1.3.2
driad_setup driad-records
driad_topo
GOOD=$(driad_rr 10 1 1 $DRIAD_R1)		# 0a810a020001
# name: "relay.example." in wire form
NAME=0572656c6179076578616d706c6500
BAD="0a 0a81 0a810a 0a810a02 0a810a0200
0a820a0200 0a82fd0200000000000000000000000000
0a83 0a8305 0a830572656c6179 0a83${NAME%00}
0a83c00c 0a830572656c6179c01c
0a810a02000101"
UNKNOWN=0a850a020001
rr()
{
	for h in $BAD $UNKNOWN; do
		printf -- '--dns-rr=%s,260,%s\n' "$1" "$h"
	done
}
n_bad=$(echo $BAD | wc -w)
driad_dns $(rr "$(driad_rev $S1)") $(rr "$(driad_rev $S2)") \
    --dns-rr="$(driad_rev $S2),260,$(driad_rr 20 1 1 $DRIAD_R1)"
driad_relay r1 "$NS_R1" -a $DRIAD_R1
e2e_send "$NS_SRC" send2 -g $G2 -s $S2 -i s0 -r 100 -l 200
driad_gw
e2e_recv "$NS_GW" f1 -g $G1 -s $S1
e2e_recv "$NS_GW" f2 -g $G2 -s $S2

e2e_wait 20 e2e_stat_ge f2 unique 20 || { driad_show; FAIL "S2: no data"; }
e2e_wait 20 driad_src_is $S1 no-relay || { driad_show; FAIL "S1 state"; }
driad_src_relay $S2 $DRIAD_R1 || { driad_show; FAIL "S2 not on r1"; }
driad_show
for s in $S1 $S2; do
	grep -q "source $s: $n_bad malformed and 1 unknown AMTRELAY records skipped" \
	    "$E2E_TMP/gw.log" || {
		grep "skipped" "$E2E_TMP/gw.log"
		FAIL "$s: $n_bad malformed and 1 unknown not reported"; }
done
[ "$(e2e_json "$GW_SOCK" "show sessions" 'len(j["sessions"])')" = 2 ] ||
	FAIL "sessions: $(e2e_json "$GW_SOCK" "show sessions" 'j')"
[ "$(e2e_stat f1 unique)" = 0 ] || FAIL "S1 data from nowhere"
driad_gw_alive || FAIL "amtgwd died"

# Shutdown: the DRIAD session leaves r1 at once (RFC 7450 5.2.3.8), and
# amtgwd exits cleanly (under --enable-asan: no leak report).
e2e_stop "$DRIAD_GW_PID"
r1_empty()
{
	[ "$(e2e_json "$E2E_TMP/r1.sock" "show tunnels" 'len(j["tunnels"])')" = 0 ]
}
e2e_wait 20 r1_empty || FAIL "r1 keeps the gateway's tunnel after shutdown"
grep -q "exiting" "$E2E_TMP/gw.log" || FAIL "amtgwd did not exit cleanly"
grep -qi "sanitizer\|runtime error" "$E2E_TMP/gw.log" && FAIL "sanitizer report"
OK "malformed AMTRELAY records rejected, the good one used"
