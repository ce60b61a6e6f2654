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
# The wait is a foreground sleep: the shell runs a trap once the sleep
# ends, so a signal that comes at any moment is logged within 0.2 s.
sh -c 'trap "echo hup >>\"$2\"" HUP
	trap "echo term >>\"$2\"; exit 0" TERM
	echo $$ >"$1.tmp" && mv "$1.tmp" "$1"
	i=0
	while [ $i -lt 3000 ]; do sleep 0.2; i=$((i + 1)); done' \
    stub "$pidfile" "$STUB_LOG" </dev/null >/dev/null 2>&1 &
i=0
while [ ! -s "$pidfile" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$pidfile" ]
