#!/bin/sh
# covers: D2 D5 G10
#
# Failure handling of amtgwd --driad (RFC 8777 3.3.4, 3.3.5, 3.5):
#
# 1. The DNS server drops every query when the gateway starts: the
#    sources show "backoff N s" and the gateway asks again by itself
#    (1 s .. --driad-dns-max-backoff); once DNS answers, data flows.
# 2. Precedence (D2): S1 has two records, 10 1 1 10.2.0.9 (no relay
#    there: ICMP port unreachable) and 20 1 1 10.2.0.1 (r1).  The better
#    one fails its Requests: it is held down (D5) and S1 moves to r1
#    within the Request back-off (--request-retries 2: < 8 s), and the
#    gateway says why.
# 3. L flag (G10): S2 has 10 1 1 10.2.0.2 (r2, full: --max-tunnels 1,
#    filled by amt-testgw) and 20 1 1 10.2.0.1: r2 answers with L, is
#    held down, S2 is served by r1 and r2 keeps one tunnel.
#    D3, D5 with D = 0: S3 has 10 0 1 10.2.0.22 (a discovery address of
#    r2 that advertises 10.2.0.2) and 20 1 1 10.2.0.1: the relay r2
#    (10.2.0.2) is held down for L, not the discovery address; asked
#    again, that address advertises the held relay and is held down only
#    as long; S3 is served by r1.
# 4. Records change: the DNS server comes back with S1 at fd02::1 (r1
#    over IPv6): at the next look-up (TTL 0: the 30 s floor) S1 moves to
#    a new session there; its flow leaves the IPv4 tunnel.
# Topology: tests/net/driad-lib.sh.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"
. "$top_srcdir/tests/net/driad-lib.sh"

S1=10.1.0.1 G1=232.1.2.1
S2=10.1.0.3 G2=232.1.2.2
S3=10.1.0.4 G3=232.1.2.3
R2_DISC=10.2.0.22
driad_setup driad-failover
driad_topo
check_dep "$TESTGW"
REC1="--dns-rr=$(driad_rev $S1),260,$(driad_rr 10 1 1 $DRIAD_DEAD)
--dns-rr=$(driad_rev $S1),260,$(driad_rr 20 1 1 $DRIAD_R1)"
REC2="--dns-rr=$(driad_rev $S2),260,$(driad_rr 10 1 1 $DRIAD_R2)
--dns-rr=$(driad_rev $S2),260,$(driad_rr 20 1 1 $DRIAD_R1)"
REC3="--dns-rr=$(driad_rev $S3),260,$(driad_rr 10 0 1 $R2_DISC)
--dns-rr=$(driad_rev $S3),260,$(driad_rr 20 1 1 $DRIAD_R1)"
driad_dns $REC1 $REC2 $REC3
ip netns exec "$NS_DNS" nft -f - <<EON || FAIL "nft"
table inet driadfo {
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 53 drop
	}
}
EON

driad_relay r1 "$NS_R1" -a $DRIAD_R1 -a $DRIAD_R1_6
ns_addr "$NS_R2" dn0 $R2_DISC/24
driad_relay r2 "$NS_R2" -a $DRIAD_R2 -D $R2_DISC --max-tunnels 1 \
    --max-tunnels-per-ip 1
R1S=$E2E_TMP/r1.sock
R2S=$E2E_TMP/r2.sock
bg fill "$NS_FILL" "$TESTGW" -r $DRIAD_R2 --join 10.1.0.6,232.9.9.9 -t 300
echo "$BG_PID" >>"$E2E_TMP/e2e.pids"
r2_tunnels() { e2e_json "$R2S" "show tunnels" 'len(j["tunnels"])'; }
r2_full() { [ "$(r2_tunnels)" = 1 ]; }
e2e_wait 20 r2_full || FAIL "amt-testgw did not fill r2"

e2e_send "$NS_SRC" send1 -g $G1 -s $S1 -i s0 -r 100 -l 200
e2e_send "$NS_SRC" send2 -g $G2 -s $S2 -i s0 -r 100 -l 200
e2e_send "$NS_SRC" send3 -g $G3 -s $S3 -i s0 -r 100 -l 200
driad_gw --request-retries 2 --driad-dns-max-backoff 4 \
    --driad-holddown 120
e2e_recv "$NS_GW" f1 -g $G1 -s $S1
e2e_recv "$NS_GW" f2 -g $G2 -s $S2
e2e_recv "$NS_GW" f3 -g $G3 -s $S3

e2e_log "1. DNS unreachable: back-off, shown"
backoff() { driad_src_is $S1 "backoff $1 s"; }
anyback()
{
	e2e_json "$GW_SOCK" "show sources" \
	    '[s["state"] for s in j["sources"]]' | grep -q "backoff [1-4] s"
}
e2e_wait 20 anyback || { driad_show; FAIL "no back-off shown"; }
e2e_wait 20 sh -c "[ \$(grep -c 'DNS .*again in' '$E2E_TMP/gw.log') -ge 4 ]" ||
	FAIL "the gateway does not retry DNS by itself"
awk '/DNS .*again in/ { ms = $(NF - 1); if (ms < 1000 || ms > 4000) {
	print "bad back-off: " $0; bad = 1 } } END { exit bad }' \
    "$E2E_TMP/gw.log" || FAIL "DNS back-off out of 1 s .. 4 s"
[ "$(e2e_stat f1 unique)" = 0 ] || FAIL "data without DNS"
ip netns exec "$NS_DNS" nft delete table inet driadfo || FAIL "nft"
t0=$(e2e_now)

e2e_log "2. precedence: the better relay does not answer, the next serves"
e2e_wait 30 e2e_stat_ge f1 unique 20 || { driad_show; FAIL "S1: no data"; }
dt=$(e2e_since "$t0")
e2e_log "S1's data $dt s after DNS came back"
# A DNS try in flight (<= 3 s), its back-off (<= 4 s), then 3 Requests:
# 1 + [1,2] + [1,4] s.
awk -v t="$dt" 'BEGIN { exit !(t < 20) }' || FAIL "fallback took $dt s"
driad_src_relay $S1 $DRIAD_R1 || FAIL "S1 not on r1"
sw()
{
	e2e_json "$GW_SOCK" "show sources" \
	    '[s["why"] for s in j["sources"] if s["source"] == "'"$1"'"][0]'
}
case $(sw $S1) in
*"holddown of $DRIAD_DEAD (no Membership Query)"*) ;;
*) driad_show; FAIL "S1: why: $(sw $S1)" ;;
esac
grep -q "relay $DRIAD_DEAD: no Membership Query: held down for 120 s" \
    "$E2E_TMP/gw.log" || FAIL "no hold-down logged for $DRIAD_DEAD"

e2e_log "3. L flag: r2 is full, held down, S2 on r1"
e2e_wait 20 e2e_stat_ge f2 unique 20 || { driad_show; FAIL "S2: no data"; }
driad_src_relay $S2 $DRIAD_R1 || FAIL "S2 not on r1"
case $(sw $S2) in
*"holddown of $DRIAD_R2 (L flag)"*) ;;
*) driad_show; FAIL "S2: why: $(sw $S2)" ;;
esac
[ "$(r2_tunnels)" = 1 ] || FAIL "r2 has $(r2_tunnels) tunnels"

e2e_log "D=0: the advertised relay held down, its discovery address as long"
e2e_wait 20 e2e_stat_ge f3 unique 20 || { driad_show; FAIL "S3: no data"; }
driad_src_relay $S3 $DRIAD_R1 || FAIL "S3 not on r1"
case $(sw $S3) in
*"holddown of $R2_DISC (advertised $DRIAD_R2: L flag)"*) ;;
*) driad_show; FAIL "S3: why: $(sw $S3)" ;;
esac
holds()
{
	e2e_json "$GW_SOCK" "show sources" "$1"
}
[ "$(holds 'sorted((h["relay"], h["why"]) for h in j["holddown"])')" = \
    "[('$DRIAD_R2', 'L flag'), ('$R2_DISC', 'advertised $DRIAD_R2: L flag'), ('$DRIAD_DEAD', 'no Membership Query')]" ] ||
	{ driad_show; FAIL "hold-downs"; }
[ "$(holds 'abs(sum(h["left"] * (1 if h["relay"] == "'$DRIAD_R2'" else -1)
    for h in j["holddown"] if h["relay"] != "'$DRIAD_DEAD'")) <= 1')" = \
    True ] || { driad_show; FAIL "$R2_DISC not held as long as $DRIAD_R2"; }
driad_relay_has "$R1S" $S1 $G1 && driad_relay_has "$R1S" $S2 $G2 &&
    driad_relay_has "$R1S" $S3 $G3 || FAIL "r1: $(driad_flows "$R1S")"
driad_show

e2e_log "4. records change: S1 moves to fd02::1"
e2e_stop "$DNSMASQ_PID"
: >"$E2E_TMP/dnsmasq.log"
driad_dns --dns-rr="$(driad_rev $S1),260,$(driad_rr 10 1 2 $DRIAD_R1_6)" \
    $REC2 $REC3
t0=$(e2e_now)
e2e_wait 45 driad_src_relay $S1 $DRIAD_R1_6 || {
	driad_show; FAIL "S1 did not move"; }
e2e_log "S1 moved $(e2e_since "$t0") s after the records changed"
v6flow()
{
	[ "$(e2e_json "$R1S" "show tunnels" \
	    '[t["flows"] for t in j["tunnels"] if t["gateway"].startswith("[fd02::100]")]')" \
	    = "['($S1,$G1)']" ]
}
e2e_wait 20 v6flow || FAIL "r1 tunnels: $(e2e_json "$R1S" "show tunnels" 'j')"
v4left()
{
	[ "$(e2e_json "$R1S" "show tunnels" \
	    '[("'"($S1,$G1)"'" in t["flows"], "'"($S2,$G2)"'" in t["flows"])
	    for t in j["tunnels"] if t["gateway"].startswith("10.2.0.100")]')" \
	    = "[(False, True)]" ]
}
e2e_wait 20 v4left || FAIL "S1 still on the IPv4 tunnel: $(driad_flows "$R1S")"
u=$(e2e_stat f1 unique)
e2e_wait 20 e2e_stat_ge f1 unique $((u + 50)) || FAIL "S1's stream stopped"
driad_gw_alive || FAIL "amtgwd died"
OK "DNS back-off, precedence fallback, L hold-down (D=1, D=0), records changed"
