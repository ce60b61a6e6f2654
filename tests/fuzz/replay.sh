#!/bin/sh
# Replay every fuzz target's seed corpus (make check).  Works with the
# standalone driver and with libFuzzer binaries alike.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
[ -n "${FUZZ_TARGETS:-}" ] || { echo "no fuzz targets"; exit 77; }
rc=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT
for t in $FUZZ_TARGETS; do
	name=${t##*/fuzz_}
	corpus="$top_srcdir/tests/fuzz/corpus/$name"
	if [ ! -d "$corpus" ]; then
		echo "FAIL: $t has no corpus at $corpus"; rc=1; continue
	fi
	if "$top_builddir/$t" "$corpus" >/dev/null 2>"$err"; then
		echo "ok: $t over $(ls "$corpus" | wc -l) inputs"
	else
		echo "FAIL: $t"; cat "$err"; rc=1
	fi
done
exit $rc
