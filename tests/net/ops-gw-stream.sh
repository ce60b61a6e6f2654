#!/bin/sh
# covers: G5 G7 G11
#
# amtgwd under a stream: privileges dropped to nobody with no capability
# left, the data path still works; /metrics scraped during the stream
# (counters rise, the text passes a strict parser); the configuration
# reloaded three times while 8,000 numbered packets flow (SIGHUP with
# a shorter keepalive, a broken file that is rejected with FILE:LINE and
# changes nothing, "amtctl reload" back to a longer keepalive): zero
# loss, the session never restarts (its counters only grow, no
# Teardown, one tunnel on the relay) and the Request cycles follow the
# keepalive in force.  log-level and show config on the control socket.
#
#   [src] s0 10.1.0.1 -- up0 [relay] br0 10.2.0.1 -- g0 10.2.0.11 [gw1]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"
. "$top_srcdir/tests/net/ops-gw-lib.sh"

COUNT=8000
RATE=400

e2e_setup ops-gw-stream
check_dep curl
e2e_topo 1
NS_GW=$(e2e_nsname gw1)
e2e_relay "$NS_RELAY" up0 -a "$R4"
SOCK=$E2E_TMP/gw1.sock
CONF=$E2E_TMP/amtgwd.conf
# nobody must read the file again on reload.
chmod 755 "$E2E_TMP"
cat >"$CONF" <<EOF
relay $R4
keepalive 20
user nobody
metrics 127.0.0.1:9464
EOF
chmod 644 "$CONF"
e2e_gw "$NS_GW" gw1 -f "$CONF"
e2e_wait 20 e2e_gw_up "$SOCK" || FAIL "session not up"

# --- privilege drop: uid nobody, no capability at all
e2e_wait 20 grep -q "running as uid 65534" "$E2E_TMP/gw1.log" ||
	FAIL "no privilege drop logged"
[ "$(ops_status_field "$GW_PID" Uid | tr -s '\t ' ' ')" = \
    "65534 65534 65534 65534" ] || FAIL "uid: $(ops_status_field "$GW_PID" Uid)"
for c in CapPrm CapEff CapInh CapAmb; do
	[ "$(ops_status_field "$GW_PID" $c)" = 0000000000000000 ] ||
		FAIL "$c: $(ops_status_field "$GW_PID" $c)"
done
URL=http://$(sed -n 's|^metrics on http://\([^/]*\)/metrics$|\1|p' \
    "$E2E_TMP/gw1.log" | head -n 1)/metrics
[ "$URL" != http:///metrics ] || FAIL "metrics address not logged"

# --- control socket: show config, log-level
[ "$(e2e_json "$SOCK" "show config" 'j["config"]["keepalive"]')" = 20 ] ||
	FAIL "show config"
[ "$(e2e_json "$SOCK" "log-level warning" 'j["log-level"]')" = warning ] ||
	FAIL "log-level warning"
"$AMTCTL" -S "$SOCK" log-level loud 2>"$E2E_TMP/ctl.err" &&
	FAIL "log-level accepts a bad level"
grep -q "debug, info or warning" "$E2E_TMP/ctl.err" ||
	FAIL "log-level loud: $(cat "$E2E_TMP/ctl.err")"
[ "$(e2e_json "$SOCK" "show config" 'j["config"]["log-level"]')" = \
    warning ] || FAIL "log level not in show config"
[ "$(e2e_json "$SOCK" "log-level debug" 'j["log-level"]')" = debug ] ||
	FAIL "log-level debug"

e2e_recv "$NS_GW" rx -g "$G4" -s "$S4" -n "$COUNT" -w 120
e2e_probe "$NS_SRC" "$NS_GW" "$G4" "$S4" 30 || FAIL "no data path as nobody"
e2e_log "data path up as nobody"

ip netns exec "$NS_GW" sh -c ". '$top_srcdir/tests/net/e2e.sh'; \
    . '$top_srcdir/tests/net/ops-gw-lib.sh'; \
    ops_metrics_check '$URL' '$E2E_TMP/m0.txt'" ||
	FAIL "first /metrics scrape does not parse"
req0=$(e2e_json "$SOCK" "show sessions" 'j["sessions"][0]["request"]')
t0=$(e2e_now)
e2e_send "$NS_SRC" send -g "$G4" -s "$S4" -i s0 -n "$COUNT" -r "$RATE" \
    -l 1000
SPID=$SEND_PID
e2e_wait 20 e2e_stat_ge rx unique 400 || FAIL "stream not flowing"

# --- reload 1: SIGHUP, keepalive 20 -> 1
sed -i 's/^keepalive 20/keepalive 1/' "$CONF"
kill -HUP "$GW_PID"
e2e_wait 20 grep -q "keepalive 20 s -> 1 s" "$E2E_TMP/gw1.log" ||
	FAIL "SIGHUP: keepalive change not applied"
req1=$(e2e_json "$SOCK" "show sessions" 'j["sessions"][0]["request"]')
e2e_wait 10 ops_json_ge "$SOCK" "show sessions" \
    'j["sessions"][0]["request"]' $((req1 + 4)) ||
	FAIL "no Request cycle every second after the reload"

# --- reload 2: a broken file is rejected, nothing changes
printf 'relay %s\nkeepalive 3\nkeepalive-typo 5\n' "$R4" >"$CONF"
kill -HUP "$GW_PID"
e2e_wait 20 grep -q "amtgwd.conf:3: unknown key 'keepalive-typo'; the running configuration stays" \
    "$E2E_TMP/gw1.log" || FAIL "broken file not rejected with FILE:LINE"
[ "$(e2e_json "$SOCK" "show config" 'j["config"]["keepalive"]')" = 1 ] ||
	FAIL "broken file changed the keepalive"
"$AMTCTL" -S "$SOCK" reload 2>"$E2E_TMP/ctl.err" &&
	FAIL "amtctl reload accepts the broken file"
grep -q "amtgwd.conf:3: unknown key" "$E2E_TMP/ctl.err" ||
	FAIL "amtctl reload: $(cat "$E2E_TMP/ctl.err")"

# --- /metrics during the stream: counters rise
ip netns exec "$NS_GW" sh -c ". '$top_srcdir/tests/net/e2e.sh'; \
    . '$top_srcdir/tests/net/ops-gw-lib.sh'; \
    ops_metrics_check '$URL' '$E2E_TMP/m1.txt'" ||
	FAIL "/metrics during the stream does not parse"
for m in data_packets data_bytes request membership_query; do
	a=$(ops_metric "$E2E_TMP/m0.txt" "amt_gateway_${m}_total")
	b=$(ops_metric "$E2E_TMP/m1.txt" "amt_gateway_${m}_total")
	[ "$b" -gt "$a" ] || FAIL "amt_gateway_${m}_total did not rise: $a -> $b"
done
grep -Eq "^amt_gateway_session_state\{relay=\"$R4:2268\",session=\"default\",state=\"(up|requesting)\"\} 1\$" \
    "$E2E_TMP/m1.txt" || FAIL "no session state gauge"

# --- reload 3: amtctl reload, keepalive back to 30
printf 'relay %s\nkeepalive 30\nuser nobody\nmetrics 127.0.0.1:9464\n' \
    "$R4" >"$CONF"
[ "$(e2e_json "$SOCK" reload 'j["reload"]')" = ok ] || FAIL "amtctl reload"
[ "$(e2e_json "$SOCK" "show config" 'j["config"]["keepalive"]')" = 30 ] ||
	FAIL "keepalive not 30 after amtctl reload"
e2e_wait 20 ops_json_ge "$SOCK" "show sessions" \
    '1 if j["sessions"][0]["state"] == "up" else 0' 1 || FAIL "not up"
req3=$(e2e_json "$SOCK" "show sessions" 'j["sessions"][0]["request"]')
e2e_wait 3 ops_json_ge "$SOCK" "show sessions" \
    'j["sessions"][0]["request"]' $((req3 + 1)) &&
	FAIL "Request cycles still every second after keepalive 30"

wait "$SPID" || FAIL "sender failed"
e2e_wait 20 e2e_stat_ge rx unique "$COUNT"
e2e_log "rx: $(cat "$E2E_TMP/rx.out") in $(e2e_since "$t0") s"
[ "$(e2e_stat rx unique)" = "$COUNT" ] && [ "$(e2e_stat rx lost)" = 0 ] ||
	FAIL "loss across reloads: $(cat "$E2E_TMP/rx.out")"

# The session was never restarted: counters kept growing, no Teardown,
# no second tunnel on the relay.
req4=$(e2e_json "$SOCK" "show sessions" 'j["sessions"][0]["request"]')
[ "$req4" -ge $((req1 + 4)) ] || FAIL "request counter $req1 -> $req4"
[ "$(e2e_json "$SOCK" "show sessions" 'j["sessions"][0]["teardown"]')" = 0 ] ||
	FAIL "a Teardown was sent"
e2e_ntunnels_is 1 || FAIL "relay has $(e2e_ntunnels) tunnels"
grep -q "new session" "$E2E_TMP/gw1.log" && FAIL "session restarted"

kill -USR1 "$GW_PID"
e2e_wait 20 grep -q "^  data-packets [1-9]" "$E2E_TMP/gw1.log" ||
	FAIL "SIGUSR1 statistics not logged"
OK "reloads under a stream, nobody without capabilities, /metrics"
