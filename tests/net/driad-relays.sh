#!/bin/sh
# covers: D1 D3 D4 D6
#
# One amtgwd --driad, sources served by two relays at once (D4), each
# found in DNS (dnsmasq) at the reverse name of the source:
#
#   S1 10.1.0.1  G 232.1.1.1  10 1 1 10.2.0.1        type 1, D=1: Request
#   S2 10.1.0.3  G 232.1.1.2  10 0 3 relay2.example. type 3, AAAA only,
#                                                    D=0: Discovery first
#   S3 10.1.0.4  G 232.1.1.3  CNAME -> 4.0-25.0.1.10.in-addr.arpa:
#                             20 1 3 relay1.example. type 3, A only
#   S4 10.1.0.5  G 232.1.1.4  0 0 0 .                type 0: no AMT
#   (*, 232.1.1.5)            fallback-relay 10.2.0.2, never DNS (D6)
#
# S1 and S3 share the session to r1 (10.2.0.1, IPv4); S2 has its own to
# r2 over IPv6 (fd02::2, the relay r2 advertises); the (*,G) join uses
# the default session to r2 over IPv4.  Each relay's tunnel table must
# hold exactly its flows, and every receiver on the gateway's tun gets
# its stream.  show stats adds up the sessions; /metrics has the
# counters of each.  Reloaded with
# fallback-relay 10.2.0.1, the (*,G) join moves to r1 and r2 gets a
# Teardown.  Topology: tests/net/driad-lib.sh.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"
. "$top_srcdir/tests/net/driad-lib.sh"

driad_setup driad-relays
driad_topo
driad_dns \
    --dns-rr="$(driad_rev 10.1.0.1),260,$(driad_rr 10 1 1 $DRIAD_R1)" \
    --dns-rr="$(driad_rev 10.1.0.3),260,$(driad_rr 10 0 3 relay2.example.)" \
    --host-record=relay2.example,$DRIAD_R2_6 \
    --cname="$(driad_rev 10.1.0.4),4.0-25.0.1.10.in-addr.arpa" \
    --dns-rr="4.0-25.0.1.10.in-addr.arpa,260,$(driad_rr 20 1 3 relay1.example.)" \
    --host-record=relay1.example,$DRIAD_R1 \
    --dns-rr="$(driad_rev 10.1.0.5),260,$(driad_rr 0 0 0 .)"
driad_relay r1 "$NS_R1" -a $DRIAD_R1 -a $DRIAD_R1_6
driad_relay r2 "$NS_R2" -a $DRIAD_R2 -a $DRIAD_R2_6
R1S=$E2E_TMP/r1.sock
R2S=$E2E_TMP/r2.sock

# name source group
FLOWS="f1 10.1.0.1 232.1.1.1
f2 10.1.0.3 232.1.1.2
f3 10.1.0.4 232.1.1.3
f4 10.1.0.5 232.1.1.4
f5 10.1.0.1 232.1.1.5"
set -- $FLOWS
while [ $# -ge 3 ]; do
	e2e_send "$NS_SRC" "send-$1" -g "$3" -s "$2" -i s0 -r 100 -l 200
	shift 3
done

# The fallback relay from a file, to change it on reload below.
printf 'fallback-relay %s\nmetrics 127.0.0.1:9464\n' "$DRIAD_R2" \
    >"$E2E_TMP/gw.conf"
driad_gw -f "$E2E_TMP/gw.conf"
set -- $FLOWS
while [ $# -ge 3 ]; do
	if [ "$1" = f5 ]; then
		e2e_recv "$NS_GW" "$1" -g "$3"
	else
		e2e_recv "$NS_GW" "$1" -g "$3" -s "$2"
	fi
	eval "PID_$1=\$RECV_PID"
	shift 3
done

for f in f1 f2 f3 f5; do
	e2e_wait 30 e2e_stat_ge "$f" unique 50 || {
		driad_show; FAIL "$f: no stream through its relay"; }
done
e2e_log "four streams received"
driad_show

e2e_log "D4: each relay forwards exactly the flows of the sources it serves"
e2e_log "r1: $(driad_flows "$R1S"); r2: $(driad_flows "$R2S")"
driad_relay_has "$R1S" 10.1.0.1 232.1.1.1 || FAIL "r1 lacks (S1,G1)"
driad_relay_has "$R1S" 10.1.0.4 232.1.1.3 || FAIL "r1 lacks (S3,G3)"
driad_relay_has "$R2S" 10.1.0.3 232.1.1.2 || FAIL "r2 lacks (S2,G2)"
driad_relay_has "$R2S" '*' 232.1.1.5 || FAIL "r2 lacks (*,G5) (fallback)"
for f in "10.1.0.3,232.1.1.2" "10.1.0.5,232.1.1.4" "\*,232.1.1.5"; do
	case " $(driad_flows "$R1S") " in
	*"($f)"*) FAIL "r1 carries ($f)" ;;
	esac
done
for f in "10.1.0.1,232.1.1.1" "10.1.0.4,232.1.1.3" "10.1.0.5,232.1.1.4"; do
	case " $(driad_flows "$R2S") " in
	*"($f)"*) FAIL "r2 carries ($f)" ;;
	esac
done
# D3: S2's session went through Discovery (D=0) and took the advertised
# IPv6 relay; S1's went straight to Requests (D=1); r2 has two tunnels
# from the gateway (IPv6 DRIAD, IPv4 default), r1 one.
[ "$(e2e_json "$R1S" "show tunnels" 'len(j["tunnels"])')" = 1 ] ||
	FAIL "r1 tunnels: $(e2e_json "$R1S" "show tunnels" 'j')"
[ "$(e2e_json "$R2S" "show tunnels" \
    'sorted(t["gateway"].split(":")[0] for t in j["tunnels"])')" = \
    "['10.2.0.100', '[fd02']" ] ||
	FAIL "r2 tunnels: $(e2e_json "$R2S" "show tunnels" 'j')"

sess()
{
	e2e_json "$GW_SOCK" "show sessions" "$1"
}
[ "$(sess 'sorted((s["method"], s["relay"], s.get("d", -1),
    sorted(x["source"] for x in s["sources"])) for s in j["sessions"])')" = \
    "[('configured', '10.2.0.2:2268', -1, []), ('driad', '10.2.0.1:2268', 1, ['10.1.0.1', '10.1.0.4']), ('driad', '[fd02::2]:2268', 0, ['10.1.0.3'])]" ] ||
	FAIL "sessions: $(sess 'j')"
[ "$(sess '[s["relay-discovery"] > 0 for s in j["sessions"] if s["method"] == "driad"]')" = \
    "[False, True]" ] || FAIL "D3: Discovery only for D=0: $(sess 'j')"
[ "$(sess '[x["why"] for s in j["sessions"] for x in s["sources"] if x["source"] == "10.1.0.4"]')" = \
    "['AMTRELAY 20 D=1']" ] || FAIL "S3's why: $(sess 'j')"

e2e_log "show stats: the message counters of every session added up"
# Data keeps coming: the total read between two sums lies between them.
sess_sum()
{
	sess "sum(s[\"$1\"] for s in j[\"sessions\"])"
}
gw_stat()
{
	e2e_json "$GW_SOCK" "show stats" "${2:-j[\"$1\"]}"
}
totals_add_up()
{
	for c in data-packets data-bytes request membership-update; do
		lo=$(sess_sum $c); t=$(gw_stat $c); hi=$(sess_sum $c)
		[ "$lo" -le "$t" ] && [ "$t" -le "$hi" ] || {
			e2e_log "$c: sessions $lo..$hi, show stats $t"
			return 1; }
	done
	# Not the default session's alone: the DRIAD relays' data counts.
	[ "$(gw_stat data-packets)" -gt "$(sess \
	    '[s["data-packets"] for s in j["sessions"]][0]')" ]
}
totals_add_up || FAIL "show stats is not the sum: $(gw_stat "" j)"

e2e_log "/metrics: the counters of every session, labelled with its relay"
M=$E2E_TMP/metrics.txt
ip netns exec "$NS_GW" sh -c ". '$top_srcdir/tests/net/e2e.sh'; \
    . '$top_srcdir/tests/net/ops-gw-lib.sh'; \
    ops_metrics_check http://127.0.0.1:9464/metrics '$M'" ||
	FAIL "/metrics does not parse"
for l in 'relay="10.2.0.1:2268",session="driad"' \
    'relay="[fd02::2]:2268",session="driad"' \
    'relay="10.2.0.2:2268",session="default"'; do
	awk -v k="amt_gateway_data_packets_total{$l}" \
	    '$1 == k && $2 > 0 { ok = 1 } END { exit !ok }' "$M" ||
		FAIL "/metrics: no data counted for $l"
done

e2e_log "D1: type 0 is no AMT: shown, no session, no stream"
driad_src_is 10.1.0.5 no-amt || FAIL "S4 not no-amt"
[ "$(e2e_stat f4 unique)" = 0 ] || FAIL "S4's stream arrived"

e2e_log "D6: no AMTRELAY query but for the four sources and the CNAME"
grep 'query\[AMTRELAY\]' "$E2E_TMP/dnsmasq.log" |
    sed 's/.*query\[AMTRELAY\] \([^ ]*\) from.*/\1/' | sort -u >"$E2E_TMP/q"
cat >"$E2E_TMP/q.want" <<EOW
1.0.1.10.in-addr.arpa
3.0.1.10.in-addr.arpa
4.0.1.10.in-addr.arpa
5.0.1.10.in-addr.arpa
EOW
grep -v '^4.0-25' "$E2E_TMP/q" | cmp -s - "$E2E_TMP/q.want" ||
	FAIL "AMTRELAY queries: $(tr '\n' ' ' <"$E2E_TMP/q")"
grep -q 'query\[AAAA\] relay2.example' "$E2E_TMP/dnsmasq.log" &&
    grep -q 'query\[A\] relay1.example' "$E2E_TMP/dnsmasq.log" ||
	FAIL "type 3 names not resolved with A and AAAA"

e2e_log "D4: the last source of a session leaves: the session goes"
gone=$(sess_sum data-packets)
e2e_stop "$PID_f2"
v6gone()
{
	[ "$(e2e_json "$R2S" "show tunnels" \
	    '[t["gateway"] for t in j["tunnels"]]')" = "['10.2.0.100:$(e2e_json \
	    "$R2S" "show tunnels" 'j["tunnels"][0]["gateway"].split(":")[1]')']" ]
}
e2e_wait 20 v6gone || FAIL "r2 keeps the IPv6 tunnel: $(e2e_json "$R2S" "show tunnels" 'j')"
[ "$(sess 'len(j["sessions"])')" = 2 ] || FAIL "session left: $(sess 'j')"
[ "$(gw_stat data-packets)" -ge "$gone" ] ||
	FAIL "show stats lost the counters of the session gone"
e2e_stat_ge f1 unique "$(( $(e2e_stat f1 unique) + 20 ))" 2>/dev/null
u=$(e2e_stat f1 unique)
e2e_wait 20 e2e_stat_ge f1 unique $((u + 50)) || FAIL "S1's stream stopped"

e2e_log "reload: a new fallback relay takes the (*,G) join, Teardown to the old"
printf 'fallback-relay %s\nmetrics 127.0.0.1:9464\n' "$DRIAD_R1" \
    >"$E2E_TMP/gw.conf"
kill -HUP "$DRIAD_GW_PID"
fallback_moved()
{
	driad_relay_has "$R1S" '*' 232.1.1.5 &&
	    ! driad_relay_has "$R2S" '*' 232.1.1.5 &&
	    [ "$(sess '[s["relay"] for s in j["sessions"]][0]')" = \
	    10.2.0.1:2268 ]
}
e2e_wait 20 fallback_moved ||
	FAIL "fallback not moved: r1 $(driad_flows "$R1S"); r2 $(driad_flows "$R2S"); $(sess 'j')"
r2_empty()
{
	[ "$(e2e_json "$R2S" "show tunnels" 'len(j["tunnels"])')" = 0 ]
}
e2e_wait 20 r2_empty ||
	FAIL "r2 keeps a tunnel: $(e2e_json "$R2S" "show tunnels" 'j')"
u=$(e2e_stat f5 unique)
e2e_wait 20 e2e_stat_ge f5 unique $((u + 50)) || FAIL "(*,G5) stopped"
driad_relay_has "$R1S" 10.1.0.1 232.1.1.1 || FAIL "r1 lost (S1,G1)"
driad_gw_alive || FAIL "amtgwd died"
OK "two relays, sources per relay, type 0/1/3, CNAME, D=0/1, (*,G) fallback, fallback changed on reload"
