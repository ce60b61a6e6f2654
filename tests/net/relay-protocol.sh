#!/bin/sh
# covers: R1 R2 R3 R4 R5 R6 R11 R14 W1 W4 W5 W6 W9 M3 M4 Q1 Q2 Q3 Q4
#
# Every control exchange of amtrelayd, checked by amt-testgw's own
# decoding (nonce, source address and port, lengths, inner query) and on
# the wire (tcpdump on the gateway's side, tshark's AMT dissector):
# Discovery to the unicast and to the anycast addresses, Request ->
# Query without state, Update with a good and a forged MAC, Teardown with
# a wrong and a right MAC, 9-byte Requests, P=0 with MLD content, bursts,
# the Linux P bit and the G flag, the Request rate limit per source IP
# (set in a file, turned off by a reload), the per-tunnel source limit.
#
#   [src] s0 --- r0 [relay] r1 --------------- g0 [gw] amt-testgw
#                  amtrelayd -a R4 -a R6 -D 192.52.193.1 -D 2001:3::1
#                  (anycast addresses on the relay's lo)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"

lib_init relay-protocol
check_dep tcpdump tshark ethtool
topo_relay
# Software checksums on the relay's side so that the capture shows the
# checksums as sent (veth offload leaves them unfinished).
ip netns exec "$NS_RELAY" ethtool -K r1 tx off >/dev/null 2>&1
cap_start wire "$NS_GW" g0 udp port 2268
relay_start -D "$ANY4" -D "$ANY6"
G=232.1.1.1 G6=ff3e::8000:1

# R1 R2: Discovery to each address is answered from that very address and
# port (amt-testgw rejects anything else), with the nonce (W9) and a relay
# address of the Discovery's family.
for d in "$R4 4" "$R6 6" "$ANY4 4" "$ANY6 6"; do
	set -- $d
	gw disc -D "$1" --discover-only ||
		jcheck "$LIB_TMP/disc.json" False "Discovery to $1 not answered"
	jcheck "$LIB_TMP/disc.json" "d['advertisements'] == 1 and \
	    d['adv_bad'] == 0" "R2: Advertisement for $1"
	jcheck "$LIB_TMP/disc.json" "(':' in d['adv_relay']) == ($2 == 6)" \
	    "R2: relay address of the family of the Discovery to $1"
done
log "R2: Discovery to $R4 $R6 $ANY4 $ANY6 answered from there"

# R3 R4 W5 M3: a Request is answered by a Query of 48 (IGMPv3) or 88
# (MLDv2) bytes without G, QQI 125, QRV 2; no tunnel.  Both outer families.
for r in "$R4" "$R6"; do
	for p in "- 48 4" "-P 88 6"; do
		set -- $p
		[ "$1" = - ] && set -- "" "$2" "$3"
		gw query -r "$r" $1 ||
			jcheck "$LIB_TMP/query.json" False "R3: no Query via $r"
		jcheck "$LIB_TMP/query.json" "d['query']['len_min'] == $2 and \
		    d['query']['len_max'] == $2 and d['query_g'] == 0 and \
		    d['query']['family'] == $3" "W5: Query length via $r $1"
		jcheck "$LIB_TMP/query.json" "d['query']['qqi'] == 125 and \
		    d['query']['qrv'] == 2 and d['query']['max_resp_ms'] <= 1000" \
		    "M3: QQIC/QRV/Max Resp Code"
	done
done
[ "$(ntunnels)" = 0 ] || FAIL "R4: a Request created a tunnel"
[ "$(rstat request)" -ge 4 ] && [ "$(rstat membership-query)" -ge 4 ] ||
	FAIL "R3: request/membership-query counters"
log "R3 R4 W5: Queries of 48/88 bytes, no G, no state"

# Q1: VLC's 9-byte Request is answered with the 48-byte Query.
gw vlc -r "$R4" --req9 || FAIL "Q1: 9-byte Request not answered"
jcheck "$LIB_TMP/vlc.json" "d['query']['len_min'] == 48" "Q1: 48-byte Query"

# R5 R6: an Update whose MAC is wrong creates nothing, and is counted.
bad0=$(rstat invalid-mac)
gw forged -r "$R4" -b "$GW4:40010" --join "$S4,$G" --bad-mac -t 1.5
wait_for 20 stat_ge invalid-mac $((bad0 + 1)) ||
	FAIL "R6: invalid-mac not counted"
[ "$(ntunnels)" = 0 ] || FAIL "R6e: an Update with a forged MAC made a tunnel"
log "R6: forged MAC ignored and counted"

# R6 M4 R11: a good Update (IGMPv3 from 0.0.0.0) creates the tunnel; a
# Teardown with a wrong MAC changes nothing; the right one removes the
# tunnel at once (well before any timer: the default timeout is 260 s).
gw_bg td -r "$R4" -b "$GW4:40011" --report-src 0.0.0.0 --join "$S4,$G" \
    --then --teardown-bad --then --teardown -t 30
TD=$BG_PID
wait_for 20 ntunnels_is 1 || FAIL "R6 M4: Update did not create the tunnel"
ctl show tunnels | jtest "d['tunnels'][0]['gateway'] == '$GW4:40011' and \
    d['tunnels'][0]['groups'] == 1" || FAIL "R7: tunnel key or groups"
ctl show flows | jtest "any(f['source'] == '$S4' and f['group'] == '$G' \
    for f in d['flows'])" || FAIL "R6: no flow ($S4,$G)"
td0=$(rstat teardown)
kill -USR1 $TD
wait_for 20 stat_ge teardown $((td0 + 1)) || FAIL "R11: Teardown not received"
[ "$(ntunnels)" = 1 ] || FAIL "R11: a Teardown with a wrong MAC was obeyed"
kill -USR1 $TD
wait_for 20 ntunnels_is 0 || FAIL "R11: Teardown did not remove the tunnel"
ctl show flows | jtest "len(d['flows']) == 0" ||
	FAIL "R11: flows left after Teardown"
kill -TERM $TD; wait_pid $TD 5
log "R11: wrong-MAC Teardown ignored, good Teardown at once"

# Q3: P=0 (IGMPv3 query asked for) but the Update carries MLDv2 from
# fe80::: the relay goes by the Update's content.
gw_bg q3 -r "$R4" -b "$GW4:40012" --join "$S6,$G6" --then --teardown -t 30
Q3=$BG_PID
wait_for 20 ntunnels_is 1 || FAIL "Q3: MLD Update after a P=0 Request ignored"
ctl show flows | jtest "any(f['group'] == '$G6' for f in d['flows'])" ||
	FAIL "Q3: no flow for $G6"
kill -USR1 $Q3
wait_for 20 ntunnels_is 0 || FAIL "R11: Teardown (IPv6 flow) did not work"
kill -TERM $Q3; wait_pid $Q3 5
log "Q3: MLDv2 Update after P=0 accepted"

# Q4: 20 gateways, each a burst of 4 Requests and the 4 Updates back to
# back, no retransmission: every Request answered, every Update taken.
upd0=$(rstat membership-update)
gw burst -r "$R4" -b "$GW4:40100" -n 20 --burst 4 --retries 0 \
    --join "$S4,$G" -t 3
jcheck "$LIB_TMP/burst.json" "d['queries'] == 80 and d['updates'] == 80" \
    "Q4: a burst of Requests not all answered"
wait_for 20 stat_ge membership-update $((upd0 + 80)) ||
	FAIL "Q4: Updates of a burst lost"
wait_for 20 ntunnels_is 20 || FAIL "Q4: expected 20 tunnels, got $(ntunnels)"
log "Q4: 80 Requests and 80 Updates in bursts all taken"

# Q2: octet 1 = 0x80 is P=0 by default (RFC bits) ...
gw linux -r "$R4" --linux-p || FAIL "Q2: no Query"
jcheck "$LIB_TMP/linux.json" "d['query']['family'] == 4" \
    "Q2: 0x80 taken as P by default"
relay_stop || FAIL "relay did not stop cleanly"

# ... and P=1 with --linux-p-bit.  R3: --advertise-teardown adds G and
# the gateway fields: 66 and 106 bytes (W5).
RATE=20
echo "request-rate $RATE" >"$LIB_TMP/relay.conf"
relay_start -D "$ANY4" --linux-p-bit --advertise-teardown \
    -f "$LIB_TMP/relay.conf" --max-sources 3
gw linux -r "$R4" --linux-p || FAIL "Q2: no Query with --linux-p-bit"
jcheck "$LIB_TMP/linux.json" "d['query']['family'] == 6 and \
    d['query']['len_min'] == 106 and d['query_g'] == 1" \
    "Q2 W5: 0x80 as P with --linux-p-bit, G fields"
gw g4 -r "$R4"
jcheck "$LIB_TMP/g4.json" "d['query']['len_min'] == 66 and d['query_g'] == 1" \
    "W5: IPv4 Query with G is 66 bytes"

# R14: request-rate 20 from the file.  1,600 Requests from one address
# (50 ports, bursts of 32) within milliseconds get about one second's
# worth of Queries; the rest are dropped and counted.  Another address
# still gets its Query.  A reload to 0 turns the limit off.
lim0=$(rstat request-rate-limited) q0=$(rstat membership-query)
gw flood -r "$R4" -b "$GW4:40200" -n 50 --rate 5000 --burst 32 \
    --retries 0 -t 1
# (the relay may still be reading the flood when the gateway is done)
wait_for 30 stat_ge request-rate-limited $((lim0 + 1600 - 3 * RATE)) ||
	FAIL "R14: request-rate-limited $(rstat request-rate-limited)"
n=$(($(rstat membership-query) - q0))
[ "$n" -ge 1 ] && [ "$n" -le $((3 * RATE)) ] ||
	FAIL "R14: $n Queries for 1,600 Requests at request-rate $RATE"
ip -n "$NS_GW" addr add 198.51.100.3/24 dev g0 || FAIL "second address"
gw other -r "$R4" -b 198.51.100.3 ||
	FAIL "R14: another address got no Query while $GW4 was limited"
echo "request-rate 0" >"$LIB_TMP/relay.conf"
kill -HUP "$RELAY_PID"
wait_for 20 grep -q "reload: request-rate 0" "$LIB_TMP/relay.err" ||
	FAIL "reload of request-rate not logged"
gw burst2 -r "$R4" -b "$GW4:40300" -n 20 --burst 4 --retries 0 \
    --join "$S4,$G" -t 3
jcheck "$LIB_TMP/burst2.json" "d['queries'] == 80" \
    "R14: Requests still limited after a reload to request-rate 0"
log "R14: $n Queries for 1,600 Requests at request-rate $RATE, none \
limited at 0"

# R14: --max-sources 3.  A gateway joins two sources of $GM, then allows
# three more: the tunnel is kept with three sources, the other additions
# are ignored and counted (limit-ignored), and only three flows exist.
GM=232.1.7.1
ign0=$(rstat limit-ignored)
gw_bg msrc -r "$R4" -b "$GW4:40400" --join "192.0.2.11,$GM" \
    --join "192.0.2.12,$GM" --then \
    --rec "5,$GM,192.0.2.13,192.0.2.14,192.0.2.15" -t 30
MS=$BG_PID
msrc_sources()
{
	ctl show tunnels | jtest "[t['sources'] for t in d['tunnels'] \
	    if t['gateway'] == '$GW4:40400'] == [$1]"
}
wait_for 20 msrc_sources 2 || FAIL "R14: no tunnel with two sources"
kill -USR1 $MS
wait_for 20 stat_ge limit-ignored $((ign0 + 1)) ||
	FAIL "R14: sources beyond --max-sources not counted (limit-ignored)"
wait_for 20 msrc_sources 3 || FAIL "R14: tunnel not kept with 3 sources: \
$(ctl show tunnels | jget "[t for t in d['tunnels'] \
    if t['gateway'] == '$GW4:40400']")"
ctl show flows | jtest "len([f for f in d['flows'] if f['group'] == '$GM']) \
    == 3 and sorted(f['source'] for f in d['flows'] \
    if f['group'] == '$GM')[:2] == ['192.0.2.11', '192.0.2.12']" ||
	FAIL "R14: flows of $GM beyond --max-sources: $(ctl show flows)"
kill -TERM $MS; wait_pid $MS 5
log "R14: --max-sources 3 kept the tunnel, ignored 2 of 5 sources"
relay_stop || FAIL "relay did not stop cleanly"
cap_stop $CAP_PID

# W1 W4 W6: on the wire every relay message is on port 2268, decodes
# without a malformed packet, and has a good non-zero UDP checksum.
pcap=$LIB_TMP/wire.pcap
tshark -r "$pcap" -d udp.port==2268,amt -o udp.check_checksum:TRUE \
    -T fields -e udp.srcport -e amt.type -e udp.checksum \
    -e udp.checksum.status -e _ws.malformed \
    -Y 'udp.srcport == 2268' >"$LIB_TMP/wire.txt" 2>"$LIB_TMP/tshark.err" ||
	FAIL "tshark failed"
python3 - "$LIB_TMP/wire.txt" <<'EOF' || FAIL "W1 W4 W6: relay messages on the wire"
import sys
types = {}
bad = []
for l in open(sys.argv[1]):
    f = l.rstrip("\n").split("\t")
    types[f[1]] = types.get(f[1], 0) + 1
    if f[2] in ("0x0000", "0x00000000", "") or f[3] not in ("1", "Good") \
            or f[4] != "":
        bad.append(l.strip())
print("# relay messages by type:", types)
if bad or "2" not in types or "4" not in types:
    print("# bad:", bad[:10])
    sys.exit(1)
EOF
OK "Discovery, Request, Update, Teardown, Q1-Q4, R14 limits"
