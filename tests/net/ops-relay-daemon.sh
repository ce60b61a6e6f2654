#!/bin/sh
# covers: R16
# Operations of the relay: daemon life and logging.
# - started through the SysV init script (init/amtrelayd.init) with its
#   settings from a temporary /etc/default/amtrelayd: the pid file
#   appears when ready, `status` works, `reload` reloads, `stop` ends the
#   daemon (leaving every upstream group, R16) and removes the pid file;
# - detached properly: descriptors 0-2 on /dev/null, no inherited
#   descriptor (fd 7 is open in the starting shell), cwd /, umask 027,
#   no controlling terminal, not a session leader;
# - logs to syslog (facility daemon by default, log-facility local3
#   configurable) through a test syslog socket mounted over /dev/log in
#   a private mount namespace; SIGUSR1 logs the statistics;
# - errors before detaching exit non-zero with a clear message on
#   stderr (bad file: FILE:LINE; address that cannot be bound; a second
#   instance on the same pid file), leaving no process and no pid file.
#
#   [src] s0 -------- r0 [relay] r1 -------- g0 [gw] amt-testgw
#
# Mount namespaces (unshare -m, private) hide the test's /etc/default
# and /dev (null, zero, random, urandom bound from the real /dev, plus
# the test syslog socket) from the rest of the host.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"

lib_init ops-relay-daemon
check_dep unshare mount
INIT=$top_builddir/init/amtrelayd.init
if [ ! -f "$INIT" ]; then
	INIT=$LIB_TMP/amtrelayd.init
	sed -e 's|@sbindir[@]|/usr/sbin|g' -e 's|@sysconfdir[@]|/etc|g' \
	    -e 's|@NAME[@]|amtrelayd|g' -e 's|@DESC[@]|AMT relay|g' \
	    "$top_srcdir/init/amt.init.in" >"$INIT" || FAIL "init script"
fi
topo_relay

# The test syslog: one line per datagram in $LIB_TMP/syslog.log.
mkdir "$LIB_TMP/dev" "$LIB_TMP/default" || FAIL mkdir
for n in null zero random urandom; do : >"$LIB_TMP/dev/$n"; done
bg syslog "$NS_RELAY" python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("ready", flush=True)
while True:
    d = s.recv(65536)
    with open(sys.argv[2], "ab") as f:
        f.write(d.rstrip(b"\0\n") + b"\n")
' "$LIB_TMP/dev/log" "$LIB_TMP/syslog.log"
wait_for 20 test -S "$LIB_TMP/dev/log" || FAIL "test syslog socket"

CONF=$LIB_TMP/amtrelayd.conf
PIDF=$LIB_TMP/amtrelayd.pid
MARK=$LIB_TMP/inherited-marker
RELAY_SOCK=$LIB_TMP/relay.sock
: >"$MARK"
cat >"$CONF" <<EOF
# ops-relay-daemon
interface r0
relay-address $R4
relay-address $R6
control-socket $RELAY_SOCK
max-tunnels 500
state-file none
EOF
cat >"$LIB_TMP/default/amtrelayd" <<EOF
DAEMON=$AMTRELAYD
CONF=$CONF
PIDFILE=$PIDF
DAEMON_ARGS=
EOF

# in_mnt CMD...: CMD in the relay namespace, in a private mount
# namespace with the test's /dev and /etc/default; fd 7 open on $MARK.
in_mnt()
{
	unshare -m --propagation private sh -c '
	    t=$1; shift
	    for n in null zero random urandom; do
		mount --bind /dev/$n $t/dev/$n || exit 1
	    done
	    mount --rbind $t/dev /dev && mount --bind $t/default /etc/default ||
		exit 1
	    exec 7<$t/inherited-marker
	    exec ip netns exec "$@"' sh "$LIB_TMP" "$NS_RELAY" "$@"
}

initd()
{
	in_mnt sh "$INIT" "$@"
}

syslog_has()
{
	grep -q -- "$1" "$LIB_TMP/syslog.log"
}

# check_detached PID: the descriptors and the process state of a daemon.
check_detached()
{
	for fd in 0 1 2; do
		[ "$(readlink "/proc/$1/fd/$fd")" = /dev/null ] ||
			FAIL "fd $fd is $(readlink "/proc/$1/fd/$fd"), not /dev/null"
	done
	for f in /proc/$1/fd/*; do
		l=$(readlink "$f")
		case $l in
		/dev/null|socket:*|anon_inode:*|"$PIDF") ;;
		pipe:*)	# libevent's own signal pipe: both ends are ours
			[ "$(ls -l "/proc/$1/fd" | grep -cF "$l")" = 2 ] ||
				FAIL "fd ${f##*/}: a pipe from elsewhere ($l)" ;;
		*) FAIL "descriptor ${f##*/} of the daemon is open on $l" ;;
		esac
	done
	[ "$(readlink "/proc/$1/cwd")" = / ] || FAIL "cwd is not /"
	grep -q '^Umask:[[:space:]]*0027$' "/proc/$1/status" ||
		FAIL "umask: $(grep Umask "/proc/$1/status")"
	# stat after "pid (comm) ": state ppid pgrp session tty_nr
	cd_pid=$1
	set -- $(sed 's/.*) //' "/proc/$1/stat")
	[ "$5" = 0 ] || FAIL "the daemon has a controlling terminal ($5)"
	[ "$4" != "$cd_pid" ] || FAIL "the daemon is a session leader"
}

# 1. Through the init script.
initd start >"$LIB_TMP/init-start.log" 2>&1 ||
	FAIL "init start: $(cat "$LIB_TMP/init-start.log")"
[ -s "$PIDF" ] || FAIL "no pid file after init start returned"
PID=$(cat "$PIDF")
echo "$PID" >>"$LIB_TMP/pids"
kill -0 "$PID" || FAIL "pid file names no process"
ctl show stats >/dev/null || FAIL "control socket does not answer"
check_detached "$PID"
log "init start: pid $PID, detached, fds 0-2 on /dev/null, fd 7 not inherited"
initd status >"$LIB_TMP/status.log" 2>&1 ||
	FAIL "init status: $(cat "$LIB_TMP/status.log")"
grep -q "running (pid $PID)" "$LIB_TMP/status.log" || FAIL "status output"
wait_for 20 syslog_has "<30>.*amtrelayd\[$PID\]: amtrelayd running" ||
	FAIL "no 'running' line at daemon.info in syslog"

# R16 and reload: a gateway joins; reload through the init script
# (SIGHUP) applies a new limit with the tunnel up; stop leaves the group.
gw_bg join -r "$R4" -b "$GW4" --join "$S4,232.1.1.1" -t 60
GWP=$BG_PID
wait_for 20 ntunnels_is 1 || FAIL "no tunnel"
wait_for 20 has_member "$NS_RELAY" "r0 $S4,232.1.1.1 include" ||
	FAIL "no upstream join"
sed -i 's/^max-tunnels 500$/max-tunnels 400/' "$CONF"
initd reload || FAIL "init reload"
wait_for 20 syslog_has "amtrelayd\[$PID\]: reload: max-tunnels 400" ||
	FAIL "reload: no log of the new limit"
ctl show config | jtest "d['config']['max-tunnels'] == '400'" ||
	FAIL "reload: max-tunnels not applied"
[ "$(ntunnels)" = 1 ] || FAIL "reload dropped the tunnel"
kill -USR1 "$PID"
wait_for 20 syslog_has "amtrelayd\[$PID\]: stats {.*\"membership-update\":[1-9]" ||
	FAIL "SIGUSR1: no statistics in the log"
initd stop >/dev/null 2>&1 || FAIL "init stop"
wait_for 20 sh -c "! kill -0 $PID" || FAIL "daemon still running after stop"
[ ! -e "$PIDF" ] || FAIL "pid file left after stop"
no_member "$NS_RELAY" "r0 $S4,232.1.1.1 include" ||
	FAIL "R16: upstream membership left after stop"
wait_for 20 syslog_has "amtrelayd\[$PID\]: amtrelayd stopped" ||
	FAIL "no 'stopped' line in syslog"
initd status >/dev/null 2>&1
[ $? -eq 3 ] || FAIL "init status of a stopped daemon is not 3"
kill -TERM $GWP 2>/dev/null
wait_pid $GWP 5
log "init status/reload/stop: reload applied, R16 groups left, pid file gone"

# 2. The daemonized path directly, facility local3 (local3.info: 158).
in_mnt "$AMTRELAYD" -f "$CONF" -P "$PIDF" --log-facility local3 \
    >"$LIB_TMP/direct.out" 2>"$LIB_TMP/direct.err" ||
	FAIL "direct start: $(cat "$LIB_TMP/direct.err")"
[ -s "$PIDF" ] || FAIL "no pid file when the start returned"
PID=$(cat "$PIDF")
echo "$PID" >>"$LIB_TMP/pids"
check_detached "$PID"
# Start-up messages go to stderr until the daemon detaches, then syslog.
[ ! -s "$LIB_TMP/direct.out" ] && ! grep -q "running" "$LIB_TMP/direct.err" ||
	FAIL "the detached daemon wrote to the starting terminal"
wait_for 20 syslog_has "<158>.*amtrelayd\[$PID\]: amtrelayd running" ||
	FAIL "no 'running' line at local3.info"

# 3. Errors before detaching: non-zero, a clear message, nothing left.
in_mnt "$AMTRELAYD" -f "$CONF" -P "$PIDF" -S "$LIB_TMP/second.sock" \
    2>"$LIB_TMP/second.err"
rc=$?
[ $rc -ne 0 ] && grep -q "already running (pid $PID)" "$LIB_TMP/second.err" ||
	FAIL "second instance: rc $rc, $(cat "$LIB_TMP/second.err")"
kill -TERM "$PID"
wait_for 20 sh -c "! kill -0 $PID" || FAIL "SIGTERM did not end the daemon"
[ ! -e "$PIDF" ] || FAIL "pid file left after SIGTERM"
printf 'interface r0\nrelay-address %s\nqrv 9\n' "$R4" >"$LIB_TMP/bad.conf"
in_mnt "$AMTRELAYD" -f "$LIB_TMP/bad.conf" -P "$PIDF" 2>"$LIB_TMP/bad.err"
rc=$?
[ $rc -ne 0 ] && grep -q "bad.conf:3: qrv: 9 is out of range" \
    "$LIB_TMP/bad.err" || FAIL "bad file: rc $rc, $(cat "$LIB_TMP/bad.err")"
in_mnt "$AMTRELAYD" -i r0 -a 203.0.113.9 -S "$LIB_TMP/c.sock" -P "$PIDF" \
    2>"$LIB_TMP/bind.err"
rc=$?
[ $rc -ne 0 ] && grep -q "bind 203.0.113.9:2268" "$LIB_TMP/bind.err" ||
	FAIL "unbindable address: rc $rc, $(cat "$LIB_TMP/bind.err")"
[ ! -e "$PIDF" ] || FAIL "pid file left by a failed start"
[ ! -e "$LIB_TMP/c.sock" ] || FAIL "control socket left by a failed start"
log "errors before detaching: exit codes, FILE:LINE, nothing left"
OK "init script, detaching, pid file, syslog, SIGUSR1, R16 on stop"
