#!/bin/sh
# Stand-in daemon for sysv-script.sh: takes -P PIDFILE [-f CONF] [...],
# logs its arguments and signals to $STUB_LOG, detaches, writes the pid
# file when ready and returns; SIGHUP is logged, SIGTERM ends it.
echo "args: $*" >>"$STUB_LOG"
pidfile=
while [ $# -gt 0 ]; do
	case $1 in -P) pidfile=$2; shift ;; esac
	shift
done
[ -n "$pidfile" ] || exit 64
# A shell cannot trap a signal that was ignored when it started (POSIX
# trap): HUP and TERM are set back to their defaults first, as a test
# run under nohup(1) or a harness that ignores them would otherwise
# never see "hup".  The trap runs when the foreground sleep ends.
env --default-signal=HUP,TERM sh -c 'trap "echo hup >>\"$2\"" HUP
	trap "echo term >>\"$2\"; exit 0" TERM
	echo $$ >"$1.tmp" && mv "$1.tmp" "$1"
	i=0
	while [ $i -lt 3000 ]; do sleep 0.2; i=$((i + 1)); done' \
    stub "$pidfile" "$STUB_LOG" </dev/null >/dev/null 2>&1 &
i=0
while [ ! -s "$pidfile" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$pidfile" ]
