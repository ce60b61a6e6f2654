#!/bin/sh
# covers: G1 G11
#
# amtgwd run the way operators run it: through the SysV init script
# (init/amtgwd.init, its paths pointed at this build and a temp config)
# and through its daemonized path.  The daemon detaches (descriptors 0-2
# on /dev/null, an inherited descriptor closed, cwd /, umask 027, its own
# session), writes its pid file when ready, logs to syslog (facility
# daemon: a test syslog socket is /dev/log in a private mount namespace),
# reloads on "init reload", stops with "init stop" (pid file removed).
# Errors before detaching give a non-zero exit and a message: a broken
# file (FILE:LINE), a second instance, an interface that is no tun.
# Privilege drop with keep-net-admin keeps exactly CAP_NET_ADMIN.
#
#   up0 [relay] br0 10.2.0.1 --- g0 10.2.0.11 [gw1] amtgwd (init script)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"
. "$top_srcdir/tests/net/ops-gw-lib.sh"

INIT_SRC=$top_builddir/init/amtgwd.init

e2e_setup ops-gw-daemon
check_dep unshare start-stop-daemon "$INIT_SRC"
e2e_topo 1
NS_GW=$(e2e_nsname gw1)
e2e_relay "$NS_RELAY" up0 -a "$R4"
ops_syslog_start

CONF=$E2E_TMP/amtgwd.conf
PIDF=$E2E_TMP/amtgwd.pid
SOCK=$E2E_TMP/gw.sock
cat >"$CONF" <<EOF
# amtgwd.conf of the init script test
relay $R4
tun $TUN
socket $SOCK
keepalive 5
log-facility daemon
EOF
# The script as installed, with this build's paths.
INIT=$E2E_TMP/amtgwd.init
sed -e "s|^DAEMON=.*|DAEMON=$GWD|" -e "s|^CONF=.*|CONF=$CONF|" \
    -e "s|^PIDFILE=.*|PIDFILE=$PIDF|" "$INIT_SRC" >"$INIT"
grep -q "^DAEMON=$GWD\$" "$INIT" || FAIL "cannot point $INIT_SRC at $GWD"

# --- start through the init script, with descriptor 7 inherited
exec 7>"$E2E_TMP/inherited.marker"
ops_devns "$NS_GW" sh "$INIT" start >"$E2E_TMP/init-start.log" 2>&1 ||
	FAIL "init start: $(cat "$E2E_TMP/init-start.log")"
exec 7>&-
PID=$(ops_pid "$PIDF")
[ -n "$PID" ] && kill -0 "$PID" 2>/dev/null ||
	FAIL "no live pid in $PIDF right after start"
echo "$PID" >>"$E2E_TMP/pids"
echo "$PID" >>"$E2E_TMP/e2e.pids"
e2e_log "started, pid $PID"

ops_fd_targets "$PID" >"$E2E_TMP/fds.txt"
for fd in 0 1 2; do
	grep -q "^$fd -> /dev/null\$" "$E2E_TMP/fds.txt" ||
		FAIL "fd $fd is not /dev/null: $(cat "$E2E_TMP/fds.txt")"
done
grep -q "inherited.marker\|init-start.log" "$E2E_TMP/fds.txt" &&
	FAIL "inherited descriptor still open: $(cat "$E2E_TMP/fds.txt")"
# Every other descriptor is one of the daemon's own.
grep -v " -> /dev/null\$\| -> socket:\| -> pipe:\| -> anon_inode:\| -> /dev/net/tun\$\| -> $PIDF\$" \
    "$E2E_TMP/fds.txt" | grep . &&
	FAIL "unexpected descriptors: $(cat "$E2E_TMP/fds.txt")"
[ "$(readlink "/proc/$PID/cwd")" = / ] || FAIL "cwd is not /"
[ "$(ops_status_field "$PID" Umask)" = 0027 ] || FAIL "umask not 027"
sid=$(sed 's/^.*) //' "/proc/$PID/stat" | awk '{ print $4 }')
[ "$sid" != "$(sed 's/^.*) //' /proc/$$/stat | awk '{ print $4 }')" ] ||
	FAIL "daemon still in the test's session"
[ "$(sed 's/^.*) //' "/proc/$PID/stat" | awk '{ print $5 }')" = 0 ] ||
	FAIL "daemon has a controlling terminal"

sh "$INIT" status | grep -q "running (pid $PID)" || FAIL "init status"
e2e_wait 20 e2e_gw_up "$SOCK" || FAIL "session not up after detaching"

# syslog: facility daemon (3), info (6): <30>, with the daemon's pid.
e2e_wait 20 grep -q "^<30>.*amtgwd\[$PID\]: amtgwd .* on $TUN, relay" \
    "$OPS_SYSLOG" || FAIL "no start-up line in syslog: $(cat "$OPS_SYSLOG")"
grep -q "event QUERY in state requesting -> up" "$OPS_SYSLOG" ||
	FAIL "no transition logged in syslog"

# reload through the init script
sed -i 's/^keepalive 5/keepalive 7/' "$CONF"
sh "$INIT" reload || FAIL "init reload"
e2e_wait 20 grep -q "amtgwd\[$PID\]: configuration reloaded" "$OPS_SYSLOG" ||
	FAIL "reload not logged"
[ "$(e2e_json "$SOCK" "show config" 'j["config"]["keepalive"]')" = 7 ] ||
	FAIL "keepalive not 7 after reload"

sh "$INIT" stop >/dev/null || FAIL "init stop"
e2e_wait 20 e2e_gone "$PID" || FAIL "still running after stop"
[ -e "$PIDF" ] && FAIL "pid file left after stop"
sh "$INIT" status >/dev/null
[ $? -eq 3 ] || FAIL "status of a stopped daemon is not 3"
grep -q "amtgwd\[$PID\]: signal 15: shutting down" "$OPS_SYSLOG" ||
	FAIL "no shutdown line in syslog"
e2e_log "init script: start, status, reload, stop"

# --- errors before detaching: exit code and message on stderr
printf 'relay %s\nkeepalive 5 minutes\n' "$R4" >"$E2E_TMP/bad.conf"
ip netns exec "$NS_GW" "$GWD" -f "$E2E_TMP/bad.conf" -P "$PIDF" \
    2>"$E2E_TMP/bad.err" && FAIL "broken file accepted"
grep -q "bad.conf:2: " "$E2E_TMP/bad.err" ||
	FAIL "no FILE:LINE: $(cat "$E2E_TMP/bad.err")"
printf 'relay %s\nfrobnicate 1\n' "$R4" >"$E2E_TMP/bad.conf"
"$GWD" -n -f "$E2E_TMP/bad.conf" 2>"$E2E_TMP/bad.err" &&
	FAIL "-n accepts an unknown key"
grep -q "bad.conf:2: unknown key 'frobnicate'" "$E2E_TMP/bad.err" ||
	FAIL "unknown key: $(cat "$E2E_TMP/bad.err")"
ip netns exec "$NS_GW" "$GWD" -R "$R4" -t lo -S "$E2E_TMP/x.sock" \
    -P "$PIDF" 2>"$E2E_TMP/lo.err" && FAIL "started on lo"
grep -q "not a tun" "$E2E_TMP/lo.err" || FAIL "lo: $(cat "$E2E_TMP/lo.err")"
ip netns exec "$NS_GW" "$GWD" -R "$R4" -t "$TUN" -S /nonexistent/x.sock \
    -P "$PIDF" 2>"$E2E_TMP/sock.err" && FAIL "started without its socket"
grep -q "control socket /nonexistent/x.sock" "$E2E_TMP/sock.err" ||
	FAIL "socket: $(cat "$E2E_TMP/sock.err")"
[ -e "$PIDF" ] && FAIL "pid file left by a failed start"

# --- the daemonized path directly, privileges dropped to nobody
chmod 755 "$E2E_TMP"
ops_devns "$NS_GW" "$GWD" -f "$CONF" -P "$PIDF" -u nobody \
    --keep-net-admin 2>"$E2E_TMP/direct.err" ||
	FAIL "daemonized start: $(cat "$E2E_TMP/direct.err")"
PID=$(ops_pid "$PIDF")
[ -n "$PID" ] && kill -0 "$PID" || FAIL "no pid after the direct start"
echo "$PID" >>"$E2E_TMP/pids"
echo "$PID" >>"$E2E_TMP/e2e.pids"
ip netns exec "$NS_GW" "$GWD" -f "$CONF" -P "$PIDF" 2>"$E2E_TMP/two.err" &&
	FAIL "a second instance started"
grep -q "already running (pid $PID)" "$E2E_TMP/two.err" ||
	FAIL "second instance: $(cat "$E2E_TMP/two.err")"
[ "$(ops_status_field "$PID" Uid | tr -s '\t ' ' ')" = \
    "65534 65534 65534 65534" ] || FAIL "uid: $(ops_status_field "$PID" Uid)"
# CAP_NET_ADMIN is bit 12.
[ "$(ops_status_field "$PID" CapPrm)" = 0000000000001000 ] &&
    [ "$(ops_status_field "$PID" CapEff)" = 0000000000001000 ] ||
	FAIL "caps: $(grep ^Cap "/proc/$PID/status")"
e2e_wait 20 e2e_gw_up "$SOCK" || FAIL "session not up as nobody"
kill -TERM "$PID"
e2e_wait 20 e2e_gone "$PID" || FAIL "direct daemon did not stop"
[ -s "$PIDF" ] && FAIL "pid file still names a pid after the stop"
grep -q "amtgwd\[$PID\]: exiting" "$OPS_SYSLOG" || FAIL "no exit line"

OK "init script and daemonized path"
