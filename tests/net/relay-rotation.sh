#!/bin/sh
# covers: R5 R13 Q1
#
# Response MAC key rotation every 2 s (--key-rotate 2; the previous key
# is accepted for 2 x query interval = 4 s after a rotation, and is
# replaced at the next rotation), tunnels expire after 5 s without a
# verified Update:
#   A  refreshes with a new Request cycle every 1.5 s: its tunnel stays
#      (never recreated: its age grows past 10 s) and gets the data;
#   B  sends its first Update 7 s after its Query, a MAC from at least
#      two rotations ago: rejected (R5), no tunnel, invalid-mac counted;
#   C  sends its Update 1.5 s after the Query (same or previous key):
#      accepted;
#   V  behaves like VLC 4 (Q1): a 9-byte Request once, then Updates
#      with its first nonce and MAC every second: its tunnel survives the
#      rotations and gets the data.
#
#   [src] s0 -------- r0 [relay] r1 -------------- g0 [gw] A B C V
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"

lib_init relay-rotation
topo_relay
relay_start --key-rotate 2 --query-interval 2 --query-response-interval 1 \
    --tunnel-timeout 5
N=10

# age_ge PORT SECONDS: the tunnel of gateway port PORT is that old.
age_ge()
{
	ctl show tunnels | jtest "any(t['gateway'] == '$GW4:$1' and \
	    t['age'] >= $2 for t in d['tunnels'])"
}

has_tunnel()
{
	ctl show tunnels | jtest "any(t['gateway'] == '$GW4:$1' \
	    for t in d['tunnels'])"
}

gw_bg a -r "$R4" -b "$GW4:46001" --join "$S4,232.6.0.1" --refresh 1.5 \
    --expect $N -t 60
A=$BG_PID
gw_bg v -r "$R4" -b "$GW4:46004" --req9 --keep-first --refresh 1 \
    --join "$S4,232.6.0.4" --expect $N -t 60
V=$BG_PID
gw_bg b -r "$R4" -b "$GW4:46002" --join "$S4,232.6.0.2" --update-delay 7 \
    -t 8.5
B=$BG_PID
gw_bg c -r "$R4" -b "$GW4:46003" --join "$S4,232.6.0.3" \
    --update-delay 1.5 -t 60
C=$BG_PID
bad0=$(rstat invalid-mac)

wait_for 20 has_tunnel 46003 || FAIL "R5: Update 1.5 s after the Query rejected"
wait_pid $B 15
wait_for 20 stat_ge invalid-mac $((bad0 + 1)) ||
	FAIL "R5: invalid-mac not counted"
has_tunnel 46002 && FAIL "R5: Update with a MAC two rotations old accepted"
jcheck "$LIB_TMP/b.out" "d['updates'] >= 1" "B sent no Update"
log "R5: MAC from two rotations ago rejected, previous key accepted"

wait_for 30 age_ge 46001 11 ||
	FAIL "R5 R13: the refreshed tunnel was lost across key rotations"
wait_for 20 age_ge 46004 10 ||
	FAIL "Q1: the tunnel of a gateway keeping its first MAC was lost"
no_tunnel() { ! has_tunnel "$1"; }
wait_for 20 no_tunnel 46003 ||
	FAIL "R13: C stopped refreshing but its tunnel stayed"
send "$NS_SRC" -i s0 -s $S4 -g 232.6.0.1 -c 4 -n $N -r 100 >/dev/null ||
	FAIL "mcsend"
wait_pid $A 10
wait_pid $V 10
jcheck "$LIB_TMP/a.out" "d['min_data'] == $N" "R5: A got no data after rotations"
jcheck "$LIB_TMP/v.out" "d['min_data'] == $N and d['requests'] == 1" \
    "Q1: the VLC-style gateway got no data after rotations"
kill -TERM $C
wait_pid $C 5
OK "key rotation: refreshed and VLC-style tunnels kept, stale MAC refused"
