#!/bin/sh
# Run each libFuzzer target for FUZZ_TIME seconds, starting from a copy of
# its seed corpus; print executions per target.
set -u
FUZZ_TIME=${FUZZ_TIME:-120}
rc=0
for t in "$@"; do
	name=${t##*/fuzz_}
	work=$(mktemp -d)
	cp "$top_srcdir/tests/fuzz/corpus/$name/"* "$work/" 2>/dev/null
	echo "== $t for ${FUZZ_TIME}s"
	if ./"$t" -max_total_time="$FUZZ_TIME" -print_final_stats=1 \
	    -max_len=4096 "$work" >"$t.fuzz.log" 2>&1; then
		grep -E 'stat::number_of_executed_units|stat::peak_rss' \
		    "$t.fuzz.log" | sed "s|^|$name: |"
	else
		echo "CRASH in $t:"; tail -40 "$t.fuzz.log"; rc=1
	fi
	rm -rf "$work"
done
exit $rc
