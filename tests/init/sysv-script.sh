#!/bin/sh
# The SysV init script (init/amt.init.in, as made for amtrelayd) driving
# a stand-in daemon: start writes the pid file and passes -P and -f,
# status reports running / dead / stopped with the LSB exit codes,
# reload sends SIGHUP, stop ends the process and removes the pid file,
# restart gives a new process.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
tmp=$(mktemp -d) || exit 99
pid=
cleanup() {
	[ -s "$tmp/d.pid" ] && kill "$(cat "$tmp/d.pid")" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
FAIL() { echo "FAIL: $*"; exit 1; }

script=$top_builddir/init/amtrelayd.init
[ -f "$script" ] || FAIL "$script not built"
sed -e "s|^DAEMON=.*|DAEMON=$top_srcdir/tests/init/stub-daemon.sh|" \
    -e "s|^CONF=.*|CONF=$tmp/d.conf|" -e "s|^PIDFILE=.*|PIDFILE=$tmp/d.pid|" \
    -e "s|/etc/default/|$tmp/default.|g" "$script" >"$tmp/init"
chmod +x "$top_srcdir/tests/init/stub-daemon.sh" 2>/dev/null
echo 'DAEMON_ARGS="-u nobody"' >"$tmp/default.amtrelayd"
: >"$tmp/d.conf"
STUB_LOG=$tmp/log; export STUB_LOG
run() { sh "$tmp/init" "$@"; }

run status >/dev/null; [ $? -eq 3 ] || FAIL "status before start is not 3"
run start || FAIL "start"
[ -s "$tmp/d.pid" ] || FAIL "no pid file after start"
pid=$(cat "$tmp/d.pid")
grep -q "^args: -P $tmp/d.pid -f $tmp/d.conf -u nobody\$" "$tmp/log" ||
	FAIL "daemon arguments: $(cat "$tmp/log")"
kill -0 "$pid" || FAIL "pid $pid not running"
run status | grep -q "running (pid $pid)" || FAIL "status while running"
run start | grep -q "already running" || FAIL "second start"
[ "$(cat "$tmp/d.pid")" = "$pid" ] || FAIL "second start changed the pid"
run reload || FAIL "reload"
i=0; while ! grep -q hup "$tmp/log" 2>/dev/null && [ $i -lt 200 ]; do
	sleep 0.1; i=$((i + 1)); done
grep -q hup "$tmp/log" || FAIL "reload did not send SIGHUP"
run restart || FAIL "restart"
new=$(cat "$tmp/d.pid")
[ "$new" != "$pid" ] || FAIL "restart kept pid $pid"
kill -0 "$pid" 2>/dev/null && FAIL "old pid $pid survived restart"
run stop || FAIL "stop"
[ -e "$tmp/d.pid" ] && FAIL "pid file left after stop"
kill -0 "$new" 2>/dev/null && FAIL "pid $new survived stop"
run stop | grep -q "not running" || FAIL "stop when stopped"
# A pid file naming a dead process: status 1.
sh -c 'exit 0' & dead=$!; wait $dead
echo "$dead" >"$tmp/d.pid"
run status >/dev/null; [ $? -eq 1 ] || FAIL "dead daemon: status is not 1"
rm -f "$tmp/d.pid"
echo "ok: start, status, reload, restart, stop"
