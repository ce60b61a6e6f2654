#!/bin/sh
# covers: R4 R5 R6 R7 R11 R14 W2
#
# amtrelayd under attack while a legitimate gateway receives a stream.
# One amt-testgw process is the legitimate gateway (198.51.100.2:45000)
# and the attacker: 100,000 random messages (every type, versions 0/1),
# 100,000 mutated valid messages of every type (flipped bytes, cut short,
# lengthened; their MAC belongs to another port), 10,000 forged Updates
# leaving the stream and Teardowns naming the legitimate gateway with
# random MACs (half of them from its exact address and port over a raw
# socket), and Requests from 100,000 addresses of 198.18.0.0/15.  A
# second amt-testgw sends, at the same time, Requests from 20,000
# addresses of 2001:2::/48 to the relay's IPv6 address.  Both prefixes
# (the benchmarking ranges) are local routes in the gateway's namespace
# and are routed back there by the relay's namespace, so the Queries
# come back and nothing leaves the test.
#
#   [src] s0 ------- r0 [relay] r1 ----------------- g0 [gw]
#   S4 192.0.2.1   amtrelayd        198.51.100.2 + local 198.18.0.0/15
#                  198.18.0.0/15 via 198.51.100.2
#                  2001:2::/48 via 2001:db8:2::2    + local 2001:2::/48
#
# The relay runs with --request-rate 2000 (R14): its buckets are a fixed
# table, so 120,000 source addresses neither grow it nor, colliding in
# it, cost one another their Query; 20,000 IPv6 Requests from one
# address would get at most about 6,000.
#
# Asserted: the relay is alive; the only tunnel is the legitimate one;
# its resident memory did not grow (R4: Requests create no state); at
# least 90 % of the spoofed IPv6 Requests were answered; the legitimate
# gateway got >= 99.9 % of its stream.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"

lib_init relay-hostile
topo_relay
ip -n "$NS_GW" route add local 198.18.0.0/15 dev lo ||
	FAIL "local route for the spoofed prefix"
ip -n "$NS_RELAY" route add 198.18.0.0/15 via "$GW4" ||
	FAIL "route back to the spoofed prefix"
SPOOF_NET6=2001:2::/48
ip -n "$NS_GW" -6 route add local $SPOOF_NET6 dev lo ||
	FAIL "local route for the spoofed IPv6 prefix"
ip -n "$NS_RELAY" -6 route add $SPOOF_NET6 via "$GW6" ||
	FAIL "route back to the spoofed IPv6 prefix"
relay_start --request-rate 2000
G=232.5.0.1
COUNT=6000
RATE=500
SPOOF=100000
SPOOF6=20000
# The Request count before any gateway starts: the attack begins 2 s
# after the gateway does, and on a loaded machine the waits below can
# take longer than that, so a count taken after them would already hold
# part of the attack.
req0=$(rstat request)

gw_bg legit -r "$R4" -b "$GW4:45000" --join "$S4,$G" --refresh 5 \
    --expect $COUNT -t 90 --attack-delay 2 --attack-rate 25000 \
    --attack-random 100000 --attack-mutate 100000 --attack-forge 10000 \
    --attack-spoof $SPOOF --spoof-net 198.18.0.0/15
LEGIT=$BG_PID
gw_bg spoof6 -r "$R6" -b "[$GW6]:45001" -t 60 --attack-delay 2 \
    --attack-rate 10000 --attack-spoof $SPOOF6 --spoof-net $SPOOF_NET6
SPOOFER6=$BG_PID
wait_for 20 ntunnels_is 1 || FAIL "the legitimate gateway has no tunnel"
wait_for 20 has_member "$NS_RELAY" "r0 $S4,$G include" || FAIL "no upstream join"
rss0=$(relay_rss)
log "relay VmRSS before: $rss0 kB"

send "$NS_SRC" -i s0 -s $S4 -g $G -n $COUNT -r $RATE -l 500 >/dev/null ||
	FAIL "mcsend"
wait_pid $LEGIT 20
wait_pid $SPOOFER6 10
relay_alive || FAIL "amtrelayd died under attack"
rss1=$(relay_rss)
log "relay VmRSS after: $rss1 kB"
log "relay: $(ctl show stats | jget "', '.join('%s %s' % (k, v) \
    for k, v in d.items() if v)")"
log "gateway: $(jget "'%d data, attack sent %d, %d Queries back' % \
    (d['data'], d['attack']['sent'], d['attack']['queries'])" \
    <"$LIB_TMP/legit.out")"
log "IPv6 spoofer: $(jget "'sent %d, %d Queries back' % \
    (d['attack']['sent'], d['attack']['queries'])" <"$LIB_TMP/spoof6.out")"

jcheck "$LIB_TMP/legit.out" "d['attack']['sent'] == 310000" \
    "not every attack message was sent"
ctl show tunnels | jtest "[t['gateway'] for t in d['tunnels']] == \
    ['$GW4:45000']" || FAIL "R4 R6: tunnels other than the legitimate one: \
$(ctl show tunnels | jget "[t['gateway'] for t in d['tunnels']][:5]")"
ctl show flows | jtest "[(f['source'], f['group']) for f in d['flows']] == \
    [('$S4', '$G')]" || FAIL "R6: flows changed by the attack"
# The attack did reach the relay.  The count also holds the few
# thousand random and mutated messages that parse as Requests; the
# IPv6 spoofs are counted exactly by the Queries that came back.
jcheck "$LIB_TMP/spoof6.out" "d['attack']['sent'] == $SPOOF6" \
    "not every spoofed IPv6 Request was sent"
wait_for 30 stat_ge request $((req0 + (SPOOF + SPOOF6) * 9 / 10)) ||
	FAIL "spoofed Requests did not reach the relay"
[ "$(rstat invalid-mac)" -gt 0 ] || FAIL "R5: no invalid-mac counted"
jcheck "$LIB_TMP/legit.out" "d['attack']['queries'] > 0" \
    "no Query came back to a spoofed address"
jcheck "$LIB_TMP/spoof6.out" "d['attack']['queries'] * 10 >= $SPOOF6 * 9" \
    "Queries did not come back to the spoofed IPv6 addresses"
# R4: no state per Request: memory flat (1 MiB or 10 % slack).
slack=$((rss0 / 10)); [ $slack -lt 1024 ] && slack=1024
[ "$rss1" -le $((rss0 + slack)) ] ||
	FAIL "R4: relay VmRSS grew from $rss0 kB to $rss1 kB"
# On a loss, say where: before the relay (its capture ring) or after.
jcheck "$LIB_TMP/legit.out" "sum(f['packets'] for f in d['flows'] \
    if f['group'] == '$G') * 1000 >= $COUNT * 999" \
    "the legitimate gateway got less than 99.9 % of its stream \
(relay captured $(rstat data-rx-packets), sent $(rstat data-tx-packets), \
send errors $(rstat data-send-errors) of $COUNT)"
OK "330,000 hostile messages: one tunnel, flat memory, stream delivered"
