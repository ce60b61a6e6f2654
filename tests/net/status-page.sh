#!/bin/sh
#
# The status pages (GET / on the metrics listeners) in a real browser,
# and the live /metrics of both daemons through `promtool check metrics`.
# A relay with one tunnel and one (S,G) flow carrying a stream, and the
# gateway of that tunnel: headless Chromium loads each page, and the DOM
# it rendered must show the tunnel (gateway address, the flow, a rate
# above zero), the flow with one tunnel, and on the gateway the session
# up with its relay and method, the joined group and source and a data
# rate above zero.  The screenshots stay in the build tree:
# tests/net/status-page-relay.png and tests/net/status-page-gateway.png.
#
#   [src] s0 10.1.0.1 -- up0 [relay] br0 10.2.0.1 -- g0 10.2.0.11 [gw1]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

e2e_setup status-page
check_dep curl chromium promtool
SHOTS=$(cd "$top_builddir" && pwd)/tests/net
e2e_topo 1
NS_GW=$(e2e_nsname gw1)
# A relay of a pool (a discovery interface), so that /metrics carries
# the pool's series too.
e2e_relay "$NS_RELAY" up0 -a "$R4" --metrics 127.0.0.1:9768 \
    -D 192.52.193.1 --discovery-interface amtdisc0
e2e_gw "$NS_GW" gw1 -R "$R4" --metrics 127.0.0.1:9464
e2e_wait 20 e2e_gw_up "$E2E_TMP/gw1.sock" || FAIL "session not up"
e2e_recv "$NS_GW" rx -g "$G4" -s "$S4" -n 1000000 -w 600
e2e_send "$NS_SRC" send -g "$G4" -s "$S4" -i s0 -n 1000000 -r 200 -l 500
e2e_wait 30 e2e_stat_ge rx unique 600 || FAIL "stream not flowing"

# browse NS URL NAME: the DOM Chromium rendered, and a screenshot.
browse()
{
	_ud=$E2E_TMP/chromium-$3
	ip netns exec "$1" timeout 120 chromium --headless --no-sandbox \
	    --disable-gpu --no-first-run --user-data-dir="$_ud" \
	    --dump-dom "$2" >"$E2E_TMP/$3.dom" 2>"$E2E_TMP/$3.err" ||
		FAIL "chromium --dump-dom $2: $(tail -3 "$E2E_TMP/$3.err")"
	rm -f "$SHOTS/status-page-$3.png"
	ip netns exec "$1" timeout 120 chromium --headless --no-sandbox \
	    --disable-gpu --no-first-run --user-data-dir="$_ud" \
	    --window-size=1200,900 --screenshot="$SHOTS/status-page-$3.png" \
	    "$2" >>"$E2E_TMP/$3.err" 2>&1 ||
		FAIL "chromium --screenshot $2"
	[ -s "$SHOTS/status-page-$3.png" ] || FAIL "no screenshot of $2"
	e2e_log "screenshot: $SHOTS/status-page-$3.png"
}

# dom_check FILE PYTHON-ASSERTIONS: tables by id as lists of rows of
# cell texts (T), the summary list as a dict (D); the assertions run.
dom_check()
{
	"$PY" - "$1" "$2" <<'PYEOF'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.T, s.D, s.tab, s.row, s.cell, s.dt = {}, {}, None, None, None, None
        s.refresh = None
    def handle_starttag(s, tag, a):
        a = dict(a)
        if tag == "meta" and a.get("http-equiv") == "refresh": s.refresh = a.get("content")
        if tag == "table": s.tab = s.T.setdefault(a.get("id"), [])
        if tag == "tr": s.row = []
        if tag in ("td", "dt", "dd"): s.cell = ""
        if tag in ("script", "link", "img", "iframe"): sys.exit("external or script element: " + tag)
    def handle_endtag(s, tag):
        if tag == "td": s.row.append(s.cell.strip()); s.cell = None
        if tag == "tr" and s.row: s.tab.append(s.row)
        if tag == "tr": s.row = None
        if tag == "dt": s.dt = s.cell.strip(); s.cell = None
        if tag == "dd": s.D[s.dt] = s.cell.strip(); s.cell = None
    def handle_data(s, d):
        if s.cell is not None: s.cell += d
p = P(); p.feed(open(sys.argv[1]).read())
T, D = p.T, p.D
def num(v):
    n, _, pfx = v.partition(" ")
    return float(n) * {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}.get(pfx[:1], 1)
assert p.refresh and int(p.refresh) <= 10, "no meta refresh: %r" % p.refresh
exec(sys.argv[2])
PYEOF
}

# Two rate samples (2 s each) under the stream before the first look.
e2e_wait 20 e2e_stat_ge rx unique 1400 || FAIL "stream stalled"
browse "$NS_RELAY" http://127.0.0.1:9768/ relay
dom_check "$E2E_TMP/relay.dom" '
tun = [r for r in T["tunnels"] if r[0].startswith("10.2.0.11:")]
assert len(tun) == 1, "tunnel of 10.2.0.11 not on the page: %r" % T["tunnels"]
assert "(10.1.0.1,232.1.1.1)" in tun[0][3], "flow not on the tunnel: %r" % tun
assert num(tun[0][4]) > 0 and num(tun[0][5]) > 0, "tunnel rate zero: %r" % tun
assert ["10.1.0.1", "232.1.1.1", "1"] in T["flows"], "flow: %r" % T["flows"]
assert D["tunnels"] == "1" and D["flows"] == "1", "summary: %r" % D
assert D["pool"] == "amtdisc0 announced", "pool: %r" % D
assert num(D["output"].split(" packets")[0]) > 0, "output rate: %r" % D
assert "uptime" in D, D
' || FAIL "relay page: DOM check failed"
e2e_log "relay page: tunnel, flow and rate rendered"

browse "$NS_GW" http://127.0.0.1:9464/ gateway
dom_check "$E2E_TMP/gateway.dom" '
s = T["sessions"]
assert len(s) == 1 and s[0][0] == "10.2.0.1:2268", "sessions: %r" % s
assert s[0][1:4] == ["default", "configured relay", "up"], "session: %r" % s
assert s[0][4].endswith("UTC"), "since: %r" % s
assert ["232.1.1.1", "include", "10.1.0.1"] in T["groups"], "groups: %r" % T["groups"]
assert num(D["data"].split(" packets")[0]) > 0, "data rate: %r" % D
assert "last error" in D, D
' || FAIL "gateway page: DOM check failed"
e2e_log "gateway page: session, group and rate rendered"

# The page is HTML with no cache, HEAD has no body, 404 stays 404.
ip netns exec "$NS_RELAY" curl -fsS -D "$E2E_TMP/h" -o /dev/null \
    http://127.0.0.1:9768/ || FAIL "GET /"
grep -qi '^content-type: text/html' "$E2E_TMP/h" || FAIL "not text/html"
[ "$(ip netns exec "$NS_RELAY" curl -s -o /dev/null -w '%{http_code}' \
    http://127.0.0.1:9768/nothing)" = 404 ] || FAIL "/nothing is not 404"

# promtool check metrics: no naming problems in either daemon's /metrics.
for m in "$NS_RELAY 9768 relay" "$NS_GW 9464 gateway"; do
	set -- $m
	ip netns exec "$1" curl -fsS "http://127.0.0.1:$2/metrics" \
	    >"$E2E_TMP/$3.prom" || FAIL "GET /metrics of the $3"
	promtool check metrics <"$E2E_TMP/$3.prom" >"$E2E_TMP/$3.lint" 2>&1 ||
		FAIL "promtool check metrics ($3): $(cat "$E2E_TMP/$3.lint")"
	e2e_log "promtool check metrics ($3): clean"
done

# The dashboard's panels and the rules query only names exported here,
# and that check can fail: a panel with a misspelt name is caught.
DASH=$top_srcdir/doc/grafana/amt-dashboard.json
RULES=$top_srcdir/doc/prometheus/amt-rules.yml
NAMES=$top_srcdir/tests/monitoring/names.py
"$PY" "$NAMES" "$DASH" "$RULES" "$E2E_TMP/relay.prom" \
    "$E2E_TMP/gateway.prom" >"$E2E_TMP/names.out" ||
	FAIL "dashboard or rules: $(cat "$E2E_TMP/names.out")"
e2e_log "$(tail -n 1 "$E2E_TMP/names.out")"
sed 's/amt_relay_flows{/amt_relay_flow{/' "$DASH" >"$E2E_TMP/mutant.json"
"$PY" "$NAMES" "$E2E_TMP/mutant.json" "$RULES" "$E2E_TMP/relay.prom" \
    "$E2E_TMP/gateway.prom" >"$E2E_TMP/names.out" &&
	FAIL "a panel querying amt_relay_flow passes the name check"
grep -q "queries amt_relay_flow," "$E2E_TMP/names.out" ||
	FAIL "mutant: $(cat "$E2E_TMP/names.out")"
e2e_stop "$SEND_PID" "$RECV_PID"
OK "status pages rendered by Chromium, /metrics names clean, dashboard names exported"
