#!/bin/sh
# covers: D1 D2 D5
# (and the RFC 8777 3.2.2 DNS query rate limit)
# DRIAD look-ups (RFC 8777) through the gateway's resolver
# (gateway/resolve.c, driven by tests/net/driad-query) against a real DNS
# server: dnsmasq serving AMTRELAY records (type 260) at reverse names.
#
#   [dns] d0 ------------------------- c0 [client]
#         198.18.53.1                     198.18.53.2
#         fd53::1                         fd53::2
#         dnsmasq :53                     driad-query
#
# Sources (only names: no traffic goes to them) and their records:
#   192.0.2.1      10 0 1 198.51.100.1                       D1 type 1
#   2001:db8:5::1  10 1 2 2001:db8:2::1                      D1 type 2
#   192.0.2.2      20 0 1 198.51.100.21, 10 1 1 198.51.100.20  D2
#   192.0.2.3      30 1 3 relay.example (A + AAAA)           D1 type 3
#   192.0.2.4      0 0 0 . and 10 0 1 198.51.100.4           D1 type 0
#   192.0.2.5      CNAME to an RFC 2317 name with 10 0 1 .5  D1 CNAME
#   192.0.2.6      CNAME to relay.example (no AMTRELAY there) D1 re-query
#   192.0.2.7      type 5, a broken type 1, and 10 0 1 .7    D1 skips
#   192.0.2.8      10 0 1 .81 and 10 0 1 .82                 D2 random
#   192.0.2.9      nothing (NXDOMAIN)
# Then the server drops DNS: a timeout says "retry"; with -R the query
# backs off (D5: 1 s .. 2^n s) and succeeds by itself once DNS is back.

. "$top_srcdir/tests/net/lib.sh"
DQ=$top_builddir/tests/net/driad-query

lib_init driad-lookup
check_dep dnsmasq nft "$DQ"

NS_DNS=$(ns_new dns)
NS_CL=$(ns_new client)
ns_link "$NS_DNS" d0 "$NS_CL" c0
ns_addr "$NS_DNS" d0 198.18.53.1/24 fd53::1/64
ns_addr "$NS_CL" c0 198.18.53.2/24 fd53::2/64
DNS4=198.18.53.1
REV6=1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.5.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa

# dnsmasq answers only from these records (--local: NXDOMAIN for the
# rest of the reverse trees), in the foreground so that its pid is ours.
bg dnsmasq "$NS_DNS" dnsmasq -k --no-resolv --no-hosts --port 53 \
    --bind-interfaces --listen-address "$DNS4" --listen-address fd53::1 \
    --pid-file="$LIB_TMP/dnsmasq.pid" --log-queries \
    --log-facility="$LIB_TMP/dnsmasq.log" \
    --local=/in-addr.arpa/ --local=/ip6.arpa/ --local=/example/ \
    --dns-rr=1.2.0.192.in-addr.arpa,260,0a01c6336401 \
    --dns-rr=$REV6,260,0a8220010db8000200000000000000000001 \
    --dns-rr=2.2.0.192.in-addr.arpa,260,1401c6336415 \
    --dns-rr=2.2.0.192.in-addr.arpa,260,0a81c6336414 \
    --dns-rr=3.2.0.192.in-addr.arpa,260,1e830572656c6179076578616d706c6500 \
    --host-record=relay.example,198.51.100.30,2001:db8:2::30 \
    --dns-rr=4.2.0.192.in-addr.arpa,260,0000 \
    --dns-rr=4.2.0.192.in-addr.arpa,260,0a01c6336404 \
    --dns-rr=5.0-25.2.0.192.in-addr.arpa,260,0a01c6336405 \
    --cname=5.2.0.192.in-addr.arpa,5.0-25.2.0.192.in-addr.arpa \
    --cname=6.2.0.192.in-addr.arpa,relay.example \
    --dns-rr=7.2.0.192.in-addr.arpa,260,0a050102 \
    --dns-rr=7.2.0.192.in-addr.arpa,260,0a01c63364 \
    --dns-rr=7.2.0.192.in-addr.arpa,260,0a01c6336407 \
    --dns-rr=8.2.0.192.in-addr.arpa,260,0a01c6336451 \
    --dns-rr=8.2.0.192.in-addr.arpa,260,0a01c6336452
DNSMASQ_PID=$BG_PID

# dq NAME ARGS...: driad-query in the client; output in $LIB_TMP/NAME.
dq()
{
	dq_name=$1
	shift
	ip netns exec "$NS_CL" "$DQ" "$@" >"$LIB_TMP/$dq_name" \
	    2>"$LIB_TMP/$dq_name.err"
}

# expect NAME LINE: LINE is in the output of driad-query run NAME.
expect()
{
	grep -qxF "$2" "$LIB_TMP/$1" && return 0
	echo "# $1:"; sed 's/^/#   /' "$LIB_TMP/$1"
	FAIL "$1: expected '$2'"
}

dq_ok()
{
	dq ready -t 500 -s $DNS4 192.0.2.1 &&
	    grep -q "^result 192.0.2.1 ok" "$LIB_TMP/ready"
}
wait_for 20 dq_ok || FAIL "dnsmasq does not answer"

log "D1: type 1 and type 2 records"
dq t12 -s $DNS4 192.0.2.1 2001:db8:5::1 || FAIL "driad-query"
expect t12 "relay 192.0.2.1 1 198.51.100.1 precedence 10 d 0"
expect t12 "relay 2001:db8:5::1 1 2001:db8:2::1 precedence 10 d 1"
[ "$(grep -c '^relay' "$LIB_TMP/t12")" = 2 ] || FAIL "extra relays"

log "D1 over IPv6 transport"
dq t6 -s "[fd53::1]:53" 192.0.2.1 || FAIL "driad-query"
expect t6 "relay 192.0.2.1 1 198.51.100.1 precedence 10 d 0"

log "D2: lower precedence first, whatever the order in DNS"
dq prec -s $DNS4 192.0.2.2 || FAIL "driad-query"
expect prec "relay 192.0.2.2 1 198.51.100.20 precedence 10 d 1"
expect prec "relay 192.0.2.2 2 198.51.100.21 precedence 20 d 0"

log "D1: type 3 resolved with A and AAAA, precedence and D inherited"
dq name4 -s $DNS4 -p 4 192.0.2.3 || FAIL "driad-query"
expect name4 "relay 192.0.2.3 1 198.51.100.30 precedence 30 d 1"
expect name4 "relay 192.0.2.3 2 2001:db8:2::30 precedence 30 d 1"
dq name6 -s $DNS4 -p 6 192.0.2.3 || FAIL "driad-query"
expect name6 "relay 192.0.2.3 1 2001:db8:2::30 precedence 30 d 1"
expect name6 "relay 192.0.2.3 2 198.51.100.30 precedence 30 d 1"
log "D2: an unreachable family is no candidate"
dq only4 -s $DNS4 -o 4 192.0.2.3 || FAIL "driad-query"
expect only4 "relay 192.0.2.3 1 198.51.100.30 precedence 30 d 1"
[ "$(grep -c '^relay' "$LIB_TMP/only4")" = 1 ] || FAIL "IPv6 relay kept"

log "D1: type 0 means no AMT for the source"
dq none -s $DNS4 192.0.2.4 || FAIL "driad-query"
expect none "result 192.0.2.4 no-amt ttl 0 unknown 0 bad 0: type 0 record"

log "D1: a CNAME at the reverse name is followed"
dq cname -s $DNS4 192.0.2.5 || FAIL "driad-query"
expect cname "relay 192.0.2.5 1 198.51.100.5 precedence 10 d 0"

log "D1: a CNAME the server did not complete is asked for again"
dq cname2 -s $DNS4 192.0.2.6 || FAIL "driad-query"
expect cname2 \
    "result 192.0.2.6 no-relay ttl 0 unknown 0 bad 0: no AMTRELAY record"
grep -q "query\[AMTRELAY\] relay.example from" "$LIB_TMP/dnsmasq.log" ||
	FAIL "no AMTRELAY query at the CNAME target"

log "D1: undefined and malformed records skipped, the good one used"
dq skip -s $DNS4 192.0.2.7 || FAIL "driad-query"
expect skip "result 192.0.2.7 ok ttl 0 unknown 1 bad 1: relays found"
expect skip "relay 192.0.2.7 1 198.51.100.7 precedence 10 d 0"

log "NXDOMAIN: no relay known"
dq nx -s $DNS4 192.0.2.9 || FAIL "driad-query"
expect nx "result 192.0.2.9 no-relay ttl 0 unknown 0 bad 0: NXDOMAIN"

log "D2: equal candidates in random order (40 look-ups)"
set --
i=0
while [ $i -lt 40 ]; do set -- "$@" 192.0.2.8; i=$((i + 1)); done
t0=$(date +%s%N)
dq rand -s $DNS4 "$@" || FAIL "driad-query"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
# RFC 8777 3.2.2: at most 10 queries per 100 ms: 40 take 300 ms or more.
log "40 look-ups in $ms ms"
[ "$ms" -ge 300 ] || FAIL "40 queries in $ms ms: not rate-limited"
n81=$(grep -c '^relay 192.0.2.8 1 198.51.100.81 ' "$LIB_TMP/rand")
n82=$(grep -c '^relay 192.0.2.8 1 198.51.100.82 ' "$LIB_TMP/rand")
log "first: .81 $n81 times, .82 $n82 times"
[ $((n81 + n82)) = 40 ] && [ "$n81" -gt 0 ] && [ "$n82" -gt 0 ] ||
	FAIL "ties not randomized (.81 first $n81, .82 first $n82 of 40)"

log "D5: DNS dropped: a timeout means retry later"
ip netns exec "$NS_DNS" nft -f - <<EOF || FAIL "nft"
table inet driadtest {
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 53 drop
	}
}
EOF
dq to -s $DNS4 -t 300 -T 1 192.0.2.1 || FAIL "driad-query"
grep -q "^result 192.0.2.1 retry .*: Timeout" "$LIB_TMP/to" ||
	FAIL "no timeout: $(cat "$LIB_TMP/to")"

log "look-ups abandoned while in flight (cancel, resolver freed)"
dq abandon -s $DNS4 -t 2000 -X 300 192.0.2.1 192.0.2.2 192.0.2.3 \
    192.0.2.4 || FAIL "driad-query -X: $(cat "$LIB_TMP/abandon.err")"
[ "$(grep -c '^abandoned' "$LIB_TMP/abandon")" = 4 ] &&
    ! grep -q '^result' "$LIB_TMP/abandon" ||
	FAIL "abandon: $(cat "$LIB_TMP/abandon")"

log "D5: retries back off and recover once DNS answers again"
bg retry "$NS_CL" "$DQ" -s $DNS4 -t 300 -T 1 -R 20 192.0.2.1
RETRY_PID=$BG_PID
wait_for 20 sh -c "[ \$(grep -c '^attempt' '$LIB_TMP/retry.out') -ge 2 ]" ||
	FAIL "no retries: $(cat "$LIB_TMP/retry.out")"
ip netns exec "$NS_DNS" nft delete table inet driadtest || FAIL "nft"
wait_pid "$RETRY_PID" 30 || FAIL "driad-query -R did not end"
out=$LIB_TMP/retry.out
grep -q "^relay 192.0.2.1 1 198.51.100.1 precedence 10 d 0" "$out" ||
	FAIL "did not recover: $(cat "$out")"
# attempt N failed -> wait in [1 s, 2^(N-1) s].
awk '/^attempt/ { n = $3; ms = $NF; hi = 1000 * 2 ^ (n - 1);
	if (hi > 120000) hi = 120000;
	if (ms < 1000 || ms > hi) { print "bad back-off: " $0; bad = 1 } }
	END { exit bad }' "$out" || FAIL "back-off out of bounds"
log "$(grep -c '^attempt' "$out") failed attempts before success"

kill -0 "$DNSMASQ_PID" 2>/dev/null || FAIL "dnsmasq died"
OK "DRIAD look-ups"
