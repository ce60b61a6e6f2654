#!/bin/sh
#
# The Debian packages, built, installed, run and purged on this host.
# Installs the build dependencies (apt-get build-dep on debian/control,
# lintian), builds amtrelayd, amtgwd and amt-tools with
# `dpkg-buildpackage -us -uc -b` from a copy of the source tree (the
# tree itself stays clean), runs lintian on them (no error; its output
# is kept in the build tree as tests/pkg/lintian.txt), installs them and
# checks: `amtrelayd -n` and `amtgwd -n` accept the installed
# configuration in /etc/amt, `systemd-analyze verify` accepts the
# installed units, the user amt exists, and each daemon started as its
# unit starts it runs as amt with no capability but the unit's.  There is
# no systemd running here to start the units, so the unit is read and
# its ExecStart run the way systemd would: User=, Group=,
# AmbientCapabilities=, CapabilityBoundingSet= and NoNewPrivileges= by
# setpriv(1), RuntimeDirectory= and StateDirectory= made and owned by the
# user, in a network namespace whose interface and addresses are those
# of the installed configuration, and a mount namespace whose
# /dev/net/tun is mode 0666 as Debian's udev makes it (containers may
# have it 0600, which no unprivileged gateway could open).  Then the packages are purged, and no
# file of theirs, no /etc/amt and no /var/lib/amt may be left.  Skips
# (77) without root, apt-get or dpkg-buildpackage, or when the packages
# cannot be installed (no network for apt-get).
#
#   [pkg namespace] eth0 192.0.2.1/24 (the relay-address of the config)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/net/lib.sh"

lib_init deb
check_dep apt-get dpkg-buildpackage setpriv systemd-analyze unshare mknod
OUT=$(cd "$top_builddir" && pwd)/tests/pkg
mkdir -p "$OUT"
APT="apt-get -o DPkg::Lock::Timeout=600 -y -q"
export DEBIAN_FRONTEND=noninteractive
for p in amtrelayd amtgwd amt-tools; do
	dpkg -s "$p" >/dev/null 2>&1 && SKIP "package $p is installed already"
done

# The build outside $LIB_TMP: lib_cleanup greps that for sanitizer
# reports, and the sources name them.
BLD=$(mktemp -d "${TMPDIR:-/tmp}/deb-build.XXXXXX") || FAIL "mktemp"
deb_cleanup()
{
	rc=$?
	[ -n "${PURGE:-}" ] && $APT purge amtrelayd amtgwd amt-tools \
	    >/dev/null 2>&1
	rm -rf "$BLD"
	(exit $rc)
	lib_cleanup
}
trap deb_cleanup EXIT

# --- a copy of the tree: what git tracks (with local changes), or all
SRC=$BLD/amt
mkdir -p "$SRC"
if git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top_srcdir" && git ls-files -z --cached --others \
	    --exclude-standard | xargs -0 tar cf - 2>/dev/null) |
	    tar xf - -C "$SRC" || FAIL "copy of the tree"
else
	(cd "$top_srcdir" && tar cf - --exclude='./build*' .) |
	    tar xf - -C "$SRC" || FAIL "copy of the tree"
fi

# --- build dependencies, then the packages
$APT build-dep "$SRC" >"$LIB_TMP/apt.log" 2>&1 &&
	$APT install --no-install-recommends lintian >>"$LIB_TMP/apt.log" 2>&1 ||
	SKIP "cannot install the build dependencies: $(tail -1 "$LIB_TMP/apt.log")"
t0=$(date +%s)
(cd "$SRC" && DEB_BUILD_OPTIONS="parallel=$(nproc)" \
    dpkg-buildpackage -us -uc -b) >"$LIB_TMP/build.log" 2>&1 ||
	FAIL "dpkg-buildpackage: $(grep -m3 -iE 'error|dh_[a-z]*:' \
	    "$LIB_TMP/build.log")"
log "packages built in $(( $(date +%s) - t0 )) s"
DEBS=
for p in amtrelayd amtgwd amt-tools; do
	f=$(ls "$BLD/${p}_"*.deb 2>/dev/null | head -n 1)
	[ -n "$f" ] || FAIL "no package $p"
	DEBS="$DEBS $f"
done
lintian --fail-on error "$BLD"/amt_*.changes >"$OUT/lintian.txt" 2>&1 ||
	FAIL "lintian: $(cat "$OUT/lintian.txt")"
log "lintian: $(wc -l <"$OUT/lintian.txt") lines (tests/pkg/lintian.txt)"

# --- install; what is on the host before, to compare after the purge
leftovers()
{
	find /etc /usr /lib /var /run -xdev \( -name '*amtrelayd*' -o \
	    -name '*amtgwd*' -o -name 'amtctl*' -o -name 'amt-tools*' -o \
	    -path /etc/amt -o -path /var/lib/amt \) -print 2>/dev/null |
	    grep -v '^/var/cache/' | sort
}
leftovers >"$LIB_TMP/before"
PURGE=yes
# shellcheck disable=SC2086
$APT install --no-install-recommends $DEBS >"$LIB_TMP/install.log" 2>&1 ||
	FAIL "install: $(tail -5 "$LIB_TMP/install.log")"
for p in amtrelayd amtgwd amt-tools; do
	dpkg -L "$p" >>"$LIB_TMP/files" || FAIL "dpkg -L $p"
done
id amt >/dev/null 2>&1 || FAIL "no user amt after install"
for f in /etc/amt/amtrelayd.conf /etc/amt/amtgwd.conf; do
	grep -qx "$f" /var/lib/dpkg/info/*.conffiles || FAIL "$f not a conffile"
done
for m in amtrelayd.8 amtrelayd.conf.5 amtgwd.8 amtgwd.conf.5 amtctl.8; do
	grep -q "/$m" "$LIB_TMP/files" || FAIL "no man page $m"
done
UNITS=/lib/systemd/system
# unit_get UNIT KEY: the value of KEY= in the unit ("" if none).
unit_get() { sed -n "s/^$2=//p" "$UNITS/$1.service" | tail -n 1; }
# -n with the configuration the unit passes (-f /etc/amt/NAME.conf).
for u in amtrelayd amtgwd; do
	cmd=$(unit_get "$u" ExecStart)
	case $cmd in
	"/usr/sbin/$u -f /etc/amt/$u.conf "*) ;;
	*) FAIL "$u.service: ExecStart=$cmd" ;;
	esac
	$cmd -n >"$LIB_TMP/n.log" 2>&1 ||
		FAIL "$u -n: $(cat "$LIB_TMP/n.log")"
done
for u in amtrelayd amtgwd; do
	out=$(systemd-analyze verify --man=no "$UNITS/$u.service" 2>&1) ||
		FAIL "systemd-analyze verify $u.service: $out"
	echo "$out" | grep "$u.service" && FAIL "$u.service: warnings: $out"
done
log "installed: -n accepts /etc/amt, units verify, user amt exists"

# run_unit NS UNIT CAP: start UNIT's ExecStart as systemd would, check
# the daemon's user and capabilities, stop it.
run_unit()
{
	u=$2 cap=$3
	user=$(unit_get "$u" User) group=$(unit_get "$u" Group)
	amb=$(unit_get "$u" AmbientCapabilities)
	bnd=$(unit_get "$u" CapabilityBoundingSet)
	[ "$user" = amt ] && [ "$group" = amt ] || FAIL "$u: User=$user"
	[ "$amb" = "$cap" ] && [ "$bnd" = "$cap" ] ||
		FAIL "$u: capabilities $amb / $bnd, expected $cap"
	[ "$(unit_get "$u" NoNewPrivileges)" = yes ] || FAIL "$u: NoNewPrivileges"
	c=$(echo "$cap" | sed 's/^CAP_//' | tr A-Z a-z)
	made=
	for d in $(unit_get "$u" RuntimeDirectory); do
		[ -e "/run/$d" ] && FAIL "/run/$d exists: someone else's"
		install -d -o amt -g amt -m 755 "/run/$d" && made="$made /run/$d"
	done
	for d in $(unit_get "$u" StateDirectory); do
		install -d -o amt -g amt -m 755 "/var/lib/$d"
	done
	pidf=$(unit_get "$u" PIDFile)
	# shellcheck disable=SC2046
	ip netns exec "$1" unshare -m --propagation private sh -c '
	    mount -t tmpfs -o mode=755 none /dev/net &&
	    mknod -m 666 /dev/net/tun c 10 200 && exec "$@"' tun \
	    setpriv --reuid="$user" --regid="$group" \
	    --init-groups --inh-caps=-all,+"$c" --ambient-caps=-all,+"$c" \
	    --bounding-set=-all,+"$c" --no-new-privs -- \
	    $(unit_get "$u" ExecStart) >"$LIB_TMP/$u.log" 2>&1 ||
		FAIL "$u: ExecStart failed: $(cat "$LIB_TMP/$u.log")"
	wait_for 20 test -s "$pidf" || FAIL "$u: no pid file $pidf"
	pid=$(cat "$pidf")
	echo "$pid" >>"$LIB_TMP/pids"
	st=/proc/$pid/status
	want=$(printf '%016x' $((1 << $4)))
	[ "$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "$st")" = \
	    "$(id -u amt)$(id -u amt)$(id -u amt)$(id -u amt)" ] ||
		FAIL "$u: $(grep Uid: "$st")"
	[ "$(awk '/^CapBnd:/ { print $2 }' "$st")" = "$want" ] ||
		FAIL "$u: $(grep CapBnd: "$st"), want $want"
	for k in CapPrm CapEff CapAmb; do
		v=$(awk "/^$k:/ { print \$2 }" "$st")
		[ "$v" = "$want" ] || [ "$v" = 0000000000000000 ] ||
			FAIL "$u: $k $v, only $want allowed"
	done
	/usr/bin/amtctl -S "$(unit_get "$u" ExecStart | sed 's/.*-S //')" \
	    show stats >/dev/null || FAIL "$u: amtctl show stats"
	log "$u runs as amt (pid $pid): $(grep -E '^(CapEff|CapBnd)' "$st" |
	    tr -s '\t\n' '  ')"
	kill -TERM "$pid"
	wait_for 20 sh -c "! kill -0 $pid" || FAIL "$u did not stop"
	# shellcheck disable=SC2086
	rm -rf $made		# systemd removes it at stop
}

NS=$(ns_new pkg)
ip -n "$NS" link add eth0 type veth peer name eth1 || FAIL "veth"
ip -n "$NS" link set eth0 up && ip -n "$NS" link set eth1 up
ip -n "$NS" addr add 192.0.2.1/24 dev eth0
ip -n "$NS" route add default dev eth0
run_unit "$NS" amtrelayd CAP_NET_RAW 13
run_unit "$NS" amtgwd CAP_NET_ADMIN 12

# --- purge: nothing of the packages left
$APT purge amtrelayd amtgwd amt-tools >"$LIB_TMP/purge.log" 2>&1 ||
	FAIL "purge: $(tail -5 "$LIB_TMP/purge.log")"
PURGE=
while read -r f; do
	[ -d "$f" ] && continue		# shared directories (/usr/sbin ...)
	[ -e "$f" ] && FAIL "$f left after purge"
done <"$LIB_TMP/files"
leftovers >"$LIB_TMP/after"
comm -13 "$LIB_TMP/before" "$LIB_TMP/after" >"$LIB_TMP/diff"
[ -s "$LIB_TMP/diff" ] && FAIL "left after purge: $(cat "$LIB_TMP/diff")"
OK "built, lintian clean of errors, installed, ran as amt, purged"
