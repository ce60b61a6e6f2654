#!/bin/sh
# The Prometheus rules and the Grafana dashboard of doc/: `promtool
# check rules`, `promtool test rules` (each alert fires on a broken
# series and stays quiet on a healthy one), a mutated threshold that the
# tests must catch, and the dashboard's structure (tests/monitoring/
# names.py; tests/net/status-page.sh checks its metric names against the
# live /metrics of both daemons).  Skips (77) without promtool.
set -u
top_srcdir=${top_srcdir:-.}
RULES=$top_srcdir/doc/prometheus/amt-rules.yml
TEST=$top_srcdir/doc/prometheus/amt-rules.test.yml
DASH=$top_srcdir/doc/grafana/amt-dashboard.json
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
fail=0
FAIL() { echo "FAIL: $*"; fail=1; }

"$PY" "$top_srcdir/tests/monitoring/names.py" "$DASH" "$RULES" ||
	FAIL "dashboard $DASH"
if ! command -v promtool >/dev/null 2>&1; then
	echo "SKIP: promtool not installed (Debian package prometheus)"
	[ $fail -eq 0 ] && exit 77
	exit 1
fi
promtool check rules "$RULES" || FAIL "promtool check rules"
promtool test rules "$TEST" || FAIL "promtool test rules"
# The tests can fail: with a threshold of 100/s the drop alert must not
# fire where they expect it.
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
sed 's/amt_relay_drops:rate1m > 10$/amt_relay_drops:rate1m > 100/' "$RULES" \
    >"$tmp/amt-rules.yml"
cmp -s "$RULES" "$tmp/amt-rules.yml" && FAIL "threshold not found to mutate"
cp "$TEST" "$tmp/"
promtool test rules "$tmp/amt-rules.test.yml" >"$tmp/out" 2>&1 &&
	FAIL "promtool test rules passes with a wrong threshold"
grep -q AMTRelayDropRateHigh "$tmp/out" || FAIL "mutant: $(cat "$tmp/out")"
[ $fail -eq 0 ] && echo "ok: rules checked and tested, dashboard parsed"
exit $fail
