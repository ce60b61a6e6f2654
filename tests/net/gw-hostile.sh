#!/bin/sh
# covers: G7 G12
#
# A hostile relay (hostile-relay.py: correct AMT, then Data with chosen
# inner packets) against amtgwd with default options.  On the gateway
# host, a receiver of (10.1.0.1, 232.1.1.1) bound to 0.0.0.0:5001 and
# listeners on the wildcard addresses (hostile-listen.py).  The relay
# sends the joined (S,G) and link-local UDP (224.0.0.1, 224.0.0.251,
# ff01::1, ff02::1, ff02::fb), a Router Advertisement with a prefix, a
# Neighbor Solicitation, a Redirect, an ICMPv6 echo, IGMPv1/v2/v3 and
# MLDv1/v2 queries, unjoined groups (IPv4, IPv6), an unjoined source of
# the joined group, a unicast destination and malformed headers (G12).
# Only the joined (S,G) reaches the host; routes and addresses of the
# host do not change; the join stays source-specific (gateway state and
# every Update); each class is named by a drop counter.
#
#   [relay] br0 10.2.0.1 (hostile-relay.py) -- g0 10.2.0.11 [gw1]
#                                               amtgwd -R 10.2.0.1, tun amt0
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

HOSTILE=$top_srcdir/tests/net/hostile-relay.py
LISTEN=$top_srcdir/tests/net/hostile-listen.py

e2e_setup gw-hostile
e2e_topo 1
NS_GW=$(e2e_nsname gw1)
GWSOCK=$E2E_TMP/gw1.sock
OUT=$E2E_TMP/listen.out

e2e_start "$NS_RELAY" hostile "$PY" "$HOSTILE" "$R4" "$S4" "$G4"
e2e_gw "$NS_GW" gw1 -R "$R4"
e2e_wait 30 e2e_gw_up "$GWSOCK" || FAIL "session with the relay not up"

# The host's view before anything arrives from the relay.
state() { ip -n "$NS_GW" addr; ip -n "$NS_GW" -4 route; ip -n "$NS_GW" -6 route; }
state >"$E2E_TMP/before"

e2e_start "$NS_GW" listen "$PY" "$LISTEN" "$OUT" 169.254.99.1 "$S4" "$G4"
e2e_wait 20 grep -q '^ready' "$OUT" || FAIL "listeners did not start"
e2e_wait 30 grep -q '^sent' "$E2E_TMP/hostile.log" ||
	FAIL "the relay never saw the join: $(cat "$E2E_TMP/hostile.log")"
e2e_log "relay: $(tr '\n' ' ' <"$E2E_TMP/hostile.log")"

# stat NAME: a counter of show stats.
stat() { e2e_json "$GWSOCK" "show stats" "j.get('$1', -1)"; }
stat_ge() { [ "$(stat "$1")" -ge "$2" ] 2>/dev/null; }

# Each class of the battery, three times each: every counter gets there.
for c in data-link-local:18 data-control-protocol:30 data-not-joined:6 \
    data-source-excluded:3 data-not-multicast:3 data-malformed:3 \
    incomplete-packet:3; do
	e2e_wait 20 stat_ge "${c%:*}" "${c#*:}" ||
		FAIL "${c%:*} is $(stat "${c%:*}"), not ${c#*:} or more"
done
e2e_wait 20 grep -q ' good$' "$OUT" || FAIL "the joined (S,G) never arrived"
e2e_log "stats: $("$AMTCTL" -S "$GWSOCK" show stats | grep -i 'data\|incomplete' | tr -s ' \n' ' ')"

# Only the joined (S,G), on the receiver's port, from its source.
leaked=$(grep -v '^ready' "$OUT" | grep -v "^5001 v4 $S4 good\$")
[ -z "$leaked" ] || FAIL "reached the host: $(e2e_lines "$leaked")"

state >"$E2E_TMP/after"
diff -u "$E2E_TMP/before" "$E2E_TMP/after" >"$E2E_TMP/state.diff" ||
	FAIL "the host's addresses or routes changed: $(cat "$E2E_TMP/state.diff")"

# The join is (S,G) in the gateway and never went any-source.
mode=$(e2e_json "$GWSOCK" "show groups" \
    "[(g['mode'], g['sources']) for g in j['groups'] if g['group'] == '$G4']")
[ "$mode" = "[('include', ['$S4'])]" ] || FAIL "join of $G4 is now $mode"
grep -q any-source "$E2E_TMP/hostile.log" &&
	FAIL "an Update made $G4 any-source"

# The tun's hardening (G12).
for k in ipv4/conf/$TUN/accept_redirects:0 ipv4/conf/$TUN/force_igmp_version:3 \
    ipv6/conf/$TUN/accept_ra:0 ipv6/conf/$TUN/autoconf:0 \
    ipv6/conf/$TUN/accept_redirects:0 ipv6/conf/$TUN/force_mld_version:2; do
	v=$(ip netns exec "$NS_GW" cat "/proc/sys/net/${k%:*}")
	[ "$v" = "${k#*:}" ] || FAIL "${k%:*} is $v, not ${k#*:}"
done
grep -q 'not delivered: control-protocol' "$E2E_TMP/gw1.log" ||
	FAIL "no log line for the dropped control protocol"
kill -0 "$GW_PID" || FAIL "amtgwd died"
OK "only the joined (S,G) reached the host; routes, addresses and the join held"
