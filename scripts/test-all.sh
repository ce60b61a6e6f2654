#!/bin/sh
# Install what is needed, build with warnings as errors and run the whole
# test suite (unit, fuzz-corpus replay, conformance, network scenarios).
# Ends with "N passed, N failed[, N skipped]".
set -u
cd "$(dirname "$0")/.."
sh scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
build=${BUILD_DIR:-build-test}
./autogen.sh >/dev/null 2>&1 || { echo "autogen failed"; echo "0 passed, 1 failed"; exit 1; }
rm -rf "$build" && mkdir -p "$build"
cd "$build"
../configure --enable-debug --enable-werror >configure.out 2>&1 ||
	{ tail -30 configure.out; echo "0 passed, 1 failed"; exit 1; }
tail -14 configure.out
make -j"$(nproc)" >make.out 2>&1 ||
	{ grep -E 'error|warning' make.out | head -40; echo "0 passed, 1 failed"; exit 1; }
make -j"$(nproc)" check >check.out 2>&1
rc=$?
grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR):' check.out
for f in $(grep -lE '^:test-result: (FAIL|ERROR|XPASS)' $(find . -name '*.trs') 2>/dev/null); do
	log=${f%.trs}.log
	echo "---- $log"; tail -40 "$log"
done
count() { sed -n "s/^# $1: *//p" check.out | head -1; }
pass=$(count PASS); fail=$(count FAIL); skip=$(count SKIP)
err=$(count ERROR); xpass=$(count XPASS); xfail=$(count XFAIL)
pass=$(( ${pass:-0} + ${xfail:-0} ))
fail=$(( ${fail:-0} + ${err:-0} + ${xpass:-0} ))
[ "$rc" -ne 0 ] && [ "$fail" -eq 0 ] && { tail -30 check.out; fail=1; }
if [ "${skip:-0}" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
