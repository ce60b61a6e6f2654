#!/bin/sh
# Install what is needed, build with warnings as errors and run the whole
# test suite (unit, fuzz-corpus replay, conformance, network scenarios),
# then run the end-to-end network scenarios again on a build with
# AddressSanitizer/LeakSanitizer (a memory check of both daemons over
# start, traffic, reload and shutdown).
# Ends with "N passed, N failed[, N skipped]".
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
PASS=0 FAIL=0 SKIP=0

summary() {
	if [ "$SKIP" -gt 0 ]; then
		echo "$PASS passed, $FAIL failed, $SKIP skipped"
	else
		echo "$PASS passed, $FAIL failed"
	fi
}

die() {
	echo "$1"
	FAIL=$((FAIL + 1))
	summary
	exit 1
}

# build DIR CONFIGURE-FLAGS...: configure and make in DIR.
build() {
	dir=$1; shift
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || return 1
	"$top"/configure "$@" >configure.out 2>&1 ||
		{ tail -30 configure.out; cd "$top"; return 1; }
	tail -14 configure.out
	make -j"$(nproc)" >make.out 2>&1 ||
		{ grep -E 'error|warning' make.out | head -40; cd "$top"; return 1; }
	cd "$top"
}

# check DIR LABEL [TESTS]: run make check in DIR and add up its counts.
check() {
	dir=$1 label=$2; shift 2
	cd "$dir" || return 1
	if [ $# -gt 0 ]; then
		make -j"$(nproc)" check TESTS="$*" >check.out 2>&1
	else
		make -j"$(nproc)" check >check.out 2>&1
	fi
	rc=$?
	grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR):' check.out |
		sed "s|^|$label |"
	for f in $(grep -lE '^:test-result: (FAIL|ERROR|XPASS)' \
	    $(find . -name '*.trs') 2>/dev/null); do
		echo "---- $label ${f%.trs}.log"; tail -60 "${f%.trs}.log"
	done
	count() { sed -n "s/^# $1: *//p" check.out | head -1; }
	p=$(count PASS) f=$(count FAIL) s=$(count SKIP)
	e=$(count ERROR) xp=$(count XPASS) xf=$(count XFAIL)
	f=$(( ${f:-0} + ${e:-0} + ${xp:-0} ))
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && { tail -30 check.out; f=1; }
	PASS=$((PASS + ${p:-0} + ${xf:-0})) FAIL=$((FAIL + f))
	SKIP=$((SKIP + ${s:-0}))
	cd "$top"
}

sh scripts/deps.sh || die "installing packages failed"
./autogen.sh >/dev/null 2>&1 || die "autogen failed"

build build-test --enable-debug --enable-werror || die "build failed"
check build-test ""

# Memory check: the end-to-end scenarios again, daemons under ASan+LSan.
MEMCHECK_TESTS=${MEMCHECK_TESTS-"tests/net/relay-protocol.sh tests/net/relay-abuse.sh
tests/net/relay-data.sh tests/net/relay-fwd.sh tests/net/relay-rotation.sh
tests/net/gw-families.sh tests/net/gw-joins.sh tests/net/gw-kill.sh
tests/net/gw-restart.sh tests/net/gw-nat.sh tests/net/ops-relay-reload.sh
tests/net/ops-gw-stream.sh tests/net/driad-relays.sh tests/net/gw-ecn.sh
tests/net/gw-hostile.sh tests/net/relay-crash.sh tests/net/relay-restart.sh
tests/net/gw-interop.sh tests/net/status-page.sh tests/net/relay-announce.sh
tests/net/relay-pool-frr.sh"}
if [ -n "$MEMCHECK_TESTS" ]; then
	build build-asan --enable-debug --enable-asan ||
		die "ASan build failed"
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=23
	check build-asan "asan:" $MEMCHECK_TESTS
fi
summary
[ "$FAIL" -eq 0 ]
