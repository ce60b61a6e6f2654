#!/bin/sh
# The init files: `systemd-analyze verify` accepts both units (with the
# daemon paths pointed at stand-ins, since nothing is installed), and
# the SysV scripts parse with `sh -n`, carry complete LSB headers and
# handle every action.  Skips (77) when systemd-analyze is missing.
set -u
top_builddir=${top_builddir:-.}
fail=0
FAIL() { echo "FAIL: $*"; fail=1; }

for n in amtrelayd amtgwd; do
	s=$top_builddir/init/$n.init
	[ -f "$s" ] || { FAIL "$s not built"; continue; }
	sh -n "$s" || FAIL "$s: sh -n"
	sed -n '/^### BEGIN INIT INFO$/,/^### END INIT INFO$/p' "$s" >hdr.$$
	for k in Provides Required-Start Required-Stop Default-Start \
	    Default-Stop Short-Description Description; do
		grep -q "^# $k: *[^ ]" hdr.$$ || FAIL "$s: LSB header lacks $k"
	done
	grep -q "^# Provides: *$n\$" hdr.$$ || FAIL "$s: Provides is not $n"
	rm -f hdr.$$
	for a in start stop restart reload force-reload status; do
		grep -Eq "^(.*\|)?$a(\|.*)?\)" "$s" || FAIL "$s: no $a action"
	done
	grep -q '@[a-zA-Z]*@' "$s" && FAIL "$s: unsubstituted @variable@"
done

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze not installed (package systemd)"
	[ $fail -eq 0 ] && exit 77
	exit 1
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
for n in amtrelayd amtgwd; do
	u=$top_builddir/init/$n.service
	[ -f "$u" ] || { FAIL "$u not built"; continue; }
	# Stand-ins for the daemons where the unit expects them.
	exe=$(sed -n 's|^ExecStart=\([^ ]*\).*|\1|p' "$u")
	cp /bin/true "$tmp/$n"
	sed "s|^ExecStart=$exe|ExecStart=$tmp/$n|" "$u" >"$tmp/$n.service"
	if ! out=$(systemd-analyze verify --man=no "$tmp/$n.service" 2>&1)
	then
		FAIL "systemd-analyze verify $n.service: $out"
	elif [ -n "$out" ]; then
		# Accepted, but any complaint about our unit counts.
		echo "$out" | grep "$n.service" && FAIL "$n.service: warnings"
	fi
	for k in Type=forking User=amt AmbientCapabilities= ExecReload= \
	    Restart=on-failure PIDFile=; do
		grep -q "^$k" "$u" || FAIL "$u: no $k"
	done
done
[ $fail -eq 0 ] && echo "ok: units verified, init scripts checked"
exit $fail
