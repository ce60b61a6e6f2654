#!/bin/sh
# covers: R10 R14
# Operations of the relay: reload under traffic, privilege drop, /metrics,
# management commands.
# - amtrelayd -u nobody: /proc/PID/status shows uid/gid nobody and no
#   capability at all (permitted, effective, inheritable, ambient), and
#   the data path still works (R10);
# - a stream of N packets flows while the configuration is reloaded
#   three times (SIGHUP, `amtctl reload`, and a broken file): the gateway
#   gets exactly N packets (no loss), its tunnel stays up;
# - the new limits apply at once (max-tunnels 1: a second gateway is
#   refused, R14), new timers show in `show config`; a changed port is
#   logged as "needs restart" and keeps its value; a broken file is
#   rejected with FILE:LINE and the running configuration kept;
# - `amtctl log-level`, `verbose` change the log; debug lines appear;
# - /metrics (curl) during the stream: counters rise between scrapes,
#   per-tunnel series carry the gateway's address and port, and the
#   whole text passes a strict parser of the Prometheus text format.
#
#   [src] s0 -------- r0 [relay] r1 -------- g0 [gw] amt-testgw
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"

lib_init ops-relay-reload
check_dep curl
id nobody >/dev/null 2>&1 || SKIP "no user nobody"
topo_relay
N=3000
CONF=$LIB_TMP/amtrelayd.conf
PIDF=$LIB_TMP/relay.pid
METRICS=http://127.0.0.1:9768/metrics

# conf EXTRA-LINES: the configuration file.
conf()
{
	cat >"$CONF" <<EOF
interface r0
relay-address $R4
control-socket $RELAY_SOCK
metrics 127.0.0.1
max-tunnels 100
max-tunnels-per-ip 10
state-file none
$1
EOF
}

relay_has()
{
	grep -q -- "$1" "$LIB_TMP/relay.err"
}

scrape()
{
	ip netns exec "$NS_RELAY" curl -sf "$METRICS" >"$LIB_TMP/$1.prom" ||
		FAIL "curl $METRICS"
}

# metric FILE NAME-WITH-LABELS: one sample's value.
metric()
{
	awk -v m="$2" '$1 == m { print $2 }' "$1"
}

conf ""
# After the drop the daemon reads the file as nobody (reloads).
chmod 711 "$LIB_TMP"
chmod 644 "$CONF"
bg relay "$NS_RELAY" "$AMTRELAYD" -d -f "$CONF" -u nobody -P "$PIDF"
RELAY_PID=$BG_PID
wait_for 20 ctl show stats || FAIL "amtrelayd did not start"
wait_for 20 test -s "$PIDF" || FAIL "no pid file"
[ "$(cat "$PIDF")" = "$RELAY_PID" ] || FAIL "pid file: $(cat "$PIDF")"

# Privilege drop: ids and capability sets.
ST=/proc/$RELAY_PID/status
NOBODY=$(id -u nobody) NOGROUP=$(id -g nobody)
grep -q "^Uid:[[:space:]]*$NOBODY[[:space:]]*$NOBODY[[:space:]]*$NOBODY[[:space:]]*$NOBODY$" "$ST" ||
	FAIL "uid: $(grep Uid "$ST")"
grep -q "^Gid:[[:space:]]*$NOGROUP[[:space:]]*$NOGROUP[[:space:]]*$NOGROUP[[:space:]]*$NOGROUP$" "$ST" ||
	FAIL "gid: $(grep Gid "$ST")"
for c in CapInh CapPrm CapEff CapAmb; do
	grep -q "^$c:[[:space:]]*0000000000000000$" "$ST" ||
		FAIL "$(grep "^$c" "$ST"): capabilities kept"
done
relay_has "running as nobody, no capabilities" || FAIL "no privilege log"
log "privileges: uid $NOBODY, gid $NOGROUP, no capabilities"

# The stream: N packets at 500/s (6 s); the gateway tears down on USR1.
gw_bg stream -r "$R4" -b "$GW4" --join "$S4,232.1.1.1" --refresh 1 \
    --then --teardown -t 60
GWP=$BG_PID
wait_for 20 ntunnels_is 1 || FAIL "no tunnel"
GWPORT=$(ctl show tunnels | jget "d['tunnels'][0]['gateway'].rsplit(':', 1)[1]")
wait_for 20 has_member "$NS_RELAY" "r0 $S4,232.1.1.1 include" ||
	FAIL "no upstream join"
bg send "$NS_SRC" "$MCSEND" -i s0 -s $S4 -g 232.1.1.1 -n $N -r 500
SENDP=$BG_PID
wait_for 20 stat_ge data-tx-packets 100 || FAIL "R10: no data after drop"
scrape m1

# Reload 1 (SIGHUP): new limits and timers; the port needs a restart.
conf "port 2269
max-tunnels-per-ip 1
qrv 3
query-interval 60
tunnel-timeout 200
key-rotate 10m
log-level debug"
sed -i -e 's/^max-tunnels 100$/max-tunnels 1/' \
    -e '/^max-tunnels-per-ip 10$/d' "$CONF"
kill -HUP "$RELAY_PID"
wait_for 20 relay_has "configuration reloaded" || FAIL "SIGHUP: no reload"
relay_has "reload: max-tunnels 1$" && relay_has "reload: qrv 3$" ||
	FAIL "reload: changes not logged"
relay_has "reload: port changed: needs restart" ||
	FAIL "reload: port change not logged as needing a restart"
ctl show config >"$LIB_TMP/config1.json"
jcheck "$LIB_TMP/config1.json" "d['config']['max-tunnels'] == '1' and \
    d['config']['qrv'] == '3' and d['config']['query-interval'] == '60' \
    and d['config']['key-rotate'] == '600' and \
    d['config']['port'] == '2268' and d['config']['log-level'] == 'debug'" \
    "reload: configuration not applied"
[ "$(ntunnels)" = 1 ] || FAIL "reload: the tunnel went away"
# R14: the new limit applies to the next gateway.
ref0=$(rstat tunnels-refused)
gw refused -r "$R4" -b "$GW4:41000" --join "$S4,232.1.1.2" -t 1.5
wait_for 20 stat_ge tunnels-refused $((ref0 + 1)) ||
	FAIL "R14: max-tunnels 1 after reload did not refuse a second tunnel"
[ "$(ntunnels)" = 1 ] || FAIL "R14: $(ntunnels) tunnels with max-tunnels 1"
log "reload 1: limits and timers applied, port kept, tunnel up"

# Reload 2: a broken file is rejected with FILE:LINE, nothing changes.
echo "max-groups lots" >>"$CONF"
line=$(wc -l <"$CONF")
"$AMTCTL" -S "$RELAY_SOCK" reload >/dev/null 2>"$LIB_TMP/reload2.err" &&
	FAIL "amtctl reload of a broken file succeeded"
grep -q "$CONF:$line: max-groups" "$LIB_TMP/reload2.err" ||
	FAIL "broken file: no FILE:LINE error in the reply"
relay_has "$CONF:$line: max-groups.*keeping the running configuration" ||
	FAIL "broken file: not logged"
ctl show config | jtest "d['config']['max-tunnels'] == '1' and \
    d['config']['max-groups'] == '256'" ||
	FAIL "broken file: configuration changed"

# Reload 3 (amtctl): back to 100 tunnels; log level through amtctl.
conf "log-level info"
"$AMTCTL" -S "$RELAY_SOCK" reload --json | jtest "d['reload'] == 'ok'" ||
	FAIL "amtctl reload"
ctl show config | jtest "d['config']['max-tunnels'] == '100'" ||
	FAIL "amtctl reload: not applied"
"$AMTCTL" -S "$RELAY_SOCK" log-level warning --json |
    jtest "d['log-level'] == 'warning' and d['verbose'] == 0" ||
	FAIL "amtctl log-level warning"
"$AMTCTL" -S "$RELAY_SOCK" verbose 2 --json | jtest "d['verbose'] == 2" ||
	FAIL "amtctl verbose 2"
"$AMTCTL" -S "$RELAY_SOCK" log-level loud >/dev/null 2>&1 &&
	FAIL "amtctl log-level accepted a bad level"
log "reloads 2, 3: broken file rejected with FILE:LINE; amtctl reload, log-level"

scrape m2
wait_pid $SENDP 30 || FAIL "mcsend failed"
wait_for 20 stat_ge data-tx-packets $N ||
	FAIL "R10: relay sent $(rstat data-tx-packets) of $N"
kill -USR1 $GWP
wait_for 20 ntunnels_is 0 || FAIL "Teardown"
wait_pid $GWP 5
n=$(jget "sum(f['packets'] for f in d['flows'])" <"$LIB_TMP/stream.out")
[ "$n" = "$N" ] || FAIL "reload under traffic: gateway got $n of $N packets"
log "stream: $N of $N packets across three reloads"

# /metrics: counters rose between the scrapes; strict format.
GWL="gateway=\"$GW4\",port=\"$GWPORT\""
for m in amt_relay_data_tx_packets_total amt_relay_membership_update_total \
    "amt_relay_tunnel_data_packets_total{$GWL}"; do
	a=$(metric "$LIB_TMP/m1.prom" "$m") b=$(metric "$LIB_TMP/m2.prom" "$m")
	[ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ] ||
		FAIL "metrics: $m did not rise ('$a' -> '$b')"
done
for f in m1 m2; do
	python3 - "$LIB_TMP/$f.prom" <<'EOF' || FAIL "metrics: $f: bad format"
import re, sys
name = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
lval = r'"(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r'^(' + name + r')(\{[a-zA-Z_][a-zA-Z0-9_]*=' + lval +
    r'(?:,[a-zA-Z_][a-zA-Z0-9_]*=' + lval + r')*\})? (-?[0-9]+(?:\.[0-9]+)?'
    r'(?:e[+-]?[0-9]+)?)$')
helps, types, series, done, cur = {}, {}, set(), set(), None
text = open(sys.argv[1]).read()
assert text.endswith("\n"), "no final newline"
for l in text.splitlines():
    m = re.match(r'^# (HELP|TYPE) (' + name + r') (.+)$', l)
    if m:
        kind, n, rest = m.groups()
        d = helps if kind == "HELP" else types
        assert n not in d, "second %s for %s" % (kind, n)
        if kind == "TYPE":
            assert rest in ("counter", "gauge"), l
        d[n] = rest
        if cur != n:
            assert n not in done, "metric %s split" % n
            if cur: done.add(cur)
            cur = n
        continue
    m = sample.match(l)
    assert m, "bad line: %r" % l
    n = m.group(1)
    assert n == cur and n in types and n in helps, "sample before TYPE: " + l
    assert (m.group(1), m.group(2)) not in series, "duplicate " + l
    series.add((m.group(1), m.group(2)))
    if types[n] == "counter":
        assert n.endswith("_total") and float(m.group(3)) >= 0, l
for n in ("amt_relay_request_total", "amt_relay_relay_discovery_total",
          "amt_relay_membership_query_total", "amt_relay_invalid_mac_total",
          "amt_relay_gateways_timed_out_total", "amt_relay_tunnels",
          "amt_relay_tunnel_data_bytes_total"):
    assert n in types, "missing " + n
EOF
done
log "metrics: counters rose during the stream; strict format parse"

relay_stop || FAIL "amtrelayd did not exit 0 on SIGTERM"
[ ! -s "$PIDF" ] || FAIL "pid file still names the stopped daemon"
OK "privilege drop, reload under traffic (no loss), limits, metrics"
