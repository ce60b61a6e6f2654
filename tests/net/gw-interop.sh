#!/bin/sh
# covers: G2 G4 G6 G7 G10 Q2 W7
#
# amtgwd against the relays deployed in the field, each played by
# relay-quirks (tests/net/relay-quirks.c), one gateway per behaviour, all
# at once.  Every gateway runs with default options (but for the short
# hold-down of "limit", so that its rediscovery is seen), its receivers
# join (S,G) on the tun, and the data must reach them:
#
#   name    relay (in [relay])     behaviour                    data
#   old6    10.2.0.2               ignores P: MLDv2 Queries,    v4 v6 in v4
#                                  no Router Alert, zero fields
#   old4    fd02::2                ignores P: IGMPv3 Queries,   v4 v6 in v6
#                                  no Router Alert, zero fields
#   linux4  10.2.0.3               Linux layout: P at 0x80,     v6 in v4,
#                                  drops other reserved bits    then v4
#   linux6  fd02::3                the same                     v6 in v6, v4
#   limit   10.2.0.4 (discovery)   L in its first Query         v4 v6 in v4
#   stale   fd02::4                a stale-nonce Query before   v4 v6 in v6
#                                  each answer
#   advert  10.2.0.5 (discovery)   advertises fd02::5           v4 v6 in v6
#
#   [src] s0 10.1.0.1 fd01::1      gwtest-send: 232.1.1.1-7, ff3e::8000:1-7
#     |
#   up0 [relay] br0 10.2.0.1-5 fd02::1-5   seven relay-quirks, capturing up0
#                  |-- g0 10.2.0.11 fd02::11 [gw1] amtgwd ... tun amt0
#                  ...
#                  |-- g0 10.2.0.17 fd02::17 [gw7]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

QUIRKS=$top_builddir/tests/net/relay-quirks
PORT=5001
WANT=20			# packets each receiver must get

e2e_setup gw-interop
check_dep "$QUIRKS"
e2e_topo 7
for i in 2 3 4 5; do
	ns_addr "$NS_RELAY" br0 "10.2.0.$i/24" "fd02::$i/64"
done

# i name relay-listen gateway-peer relay-options (commas for spaces)
SCEN="1 old6 10.2.0.2 -R,10.2.0.2 --ignore-p,6,--no-router-alert,--zero-fields
2 old4 fd02::2 -R,fd02::2 --ignore-p,4,--no-router-alert,--zero-fields
3 linux4 10.2.0.3 -R,10.2.0.3 --linux-p-bit,--drop-reserved,--qqi,3
4 linux6 fd02::3 -R,fd02::3 --linux-p-bit,--drop-reserved,--qqi,3
5 limit 10.2.0.4 -r,10.2.0.4,--holddown,2 --set-l,1
6 stale fd02::4 -R,fd02::4 --stale-nonce,--qqi,3
7 advert 10.2.0.5,fd02::5 -r,10.2.0.5 --advertise,fd02::5"

while read -r i name listen peer opts; do
	a=$(echo "$listen" | sed 's/^/-a /; s/,/ -a /g')
	e2e_start "$NS_RELAY" "rq-$name" "$QUIRKS" -i up0 $a \
	    $(echo "$opts" | tr , ' ')
	echo "$E2E_PID" >>"$E2E_TMP/rq.pids"
done <<EOF
$SCEN
EOF
for name in old6 old4 linux4 linux6 limit stale advert; do
	e2e_wait 20 grep -q '^ready' "$E2E_TMP/rq-$name.log" ||
		FAIL "relay-quirks $name: $(cat "$E2E_TMP/rq-$name.log")"
done

while read -r i name listen peer opts; do
	e2e_gw "$(e2e_nsname "gw$i")" "$name" $(echo "$peer" | tr , ' ')
done <<EOF
$SCEN
EOF

# recv I NAME FAMILY: a receiver of the gateway's (S,G) of that family.
recv()
{
	if [ "$3" = 4 ]; then g=232.1.1.$1 s=$S4; else g=ff3e::8000:$1 s=$S6; fi
	e2e_recv "$(e2e_nsname "gw$1")" "$2-v$3" -g "$g" -s "$s" -p $PORT -w 150
}
for i in 1 2 5 6 7; do
	name=$(echo "$SCEN" | awk -v i=$i '$1 == i { print $2 }')
	recv "$i" "$name" 4
	recv "$i" "$name" 6
done
# The Linux relays: IPv6 alone first, so that a cycle asks P = 1 only.
recv 3 linux4 6
recv 4 linux6 6

e2e_send "$NS_SRC" send4 -g 232.1.1.1 -c 7 -s "$S4" -i s0 -p $PORT -r 140
e2e_send "$NS_SRC" send6 -g ff3e::8000:1 -c 7 -s "$S6" -i s0 -p $PORT -r 140

# sess NAME PYEXPR: over the gateway's only session s.
sess() { e2e_json "$E2E_TMP/$1.sock" "show sessions" "(lambda s: $2)(j['sessions'][0])"; }
sess_true() { [ "$(sess "$1" "$2")" = True ]; }
got() { e2e_stat_ge "$1" unique $WANT; }

# Q2: the Linux relays answer once the Request layout switched.
for name in linux4 linux6; do
	e2e_wait 40 sess_true $name "s['request-layout'] == 'linux' and \
	    s['request-layout-switches'] >= 1 and s['state'] == 'up'" ||
		FAIL "Q2: $name: $(sess $name s)"
	grep -q '^request 80$' "$E2E_TMP/rq-$name.log" ||
		FAIL "Q2: $name: no Request with P at 0x80 reached the relay"
done
recv 3 linux4 4
recv 4 linux6 4

for f in old6-v4 old6-v6 old4-v4 old4-v6 linux4-v6 linux4-v4 linux6-v6 \
    linux6-v4 limit-v4 limit-v6 stale-v4 stale-v6 advert-v4 advert-v6; do
	e2e_wait 60 got "$f" ||
		FAIL "$f: $(cat "$E2E_TMP/$f.out") after 60 s; relay: $(tail -3 \
		    "$E2E_TMP/rq-${f%-*}.log" | tr '\n' ' ')"
	e2e_log "$f: $(cat "$E2E_TMP/$f.out")"
done

# G4: the relay that ignores P answered P = 0 with an MLDv2 Query.
[ "$(sess old6 "s['queries-other-family'] >= 1")" = True ] ||
	FAIL "G4: old6: no Query of the other family counted: $(sess old6 s)"
# G10: L, the hold-down, then a Query without L from a new discovery.
[ "$(sess limit "s['limited-queries'] == 1 and s['state'] in ('up', \
    'requesting')")" = True ] || FAIL "G10: limit: $(sess limit s)"
grep -q 'held down (L flag)' "$E2E_TMP/limit.log" ||
	FAIL "G10: limit: the gateway never waited for the hold-down"
[ "$(grep -c '^query 4 1$' "$E2E_TMP/rq-limit.log")" = 1 ] ||
	FAIL "G10: limit: $(grep -c '^query' "$E2E_TMP/rq-limit.log") Queries"
# G4: stale answers are counted and change nothing (the data flowed).
e2e_wait 20 sess_true stale "s['stale-queries'] >= 1" ||
	FAIL "G4: stale: no stale Query counted: $(sess stale s)"
# G2: discovery over IPv4, the relay over IPv6.
[ "$(sess advert "'fd02::5' in s['relay']")" = True ] ||
	FAIL "G2: advert: relay $(sess advert "s['relay']")"
for name in old6 old4 linux4 linux6 limit stale advert; do
	[ "$(sess $name "s['membership-update'] > 0")" = True ] ||
		FAIL "$name: no Update sent"
done
kill -0 $(cat "$E2E_TMP/rq.pids") || FAIL "a relay-quirks died"
OK "data through every relay behaviour, both families, both tunnel families"
