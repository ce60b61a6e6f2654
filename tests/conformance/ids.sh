#!/bin/sh
# Keeps doc/conformance.md true.  Its rows are
#   | ID | RFC section | rule | code | tests |
# where code is "path: fn(), fn(); path: fn()" and tests is
# "tests/unit/test_x.c: test_A_*, test_name; tests/net/y.sh".
#
# Fails, saying what is wrong, when
#  (a) a test names an ID that has no row: a unit test's name
#      (test_R6c_...), an ID in a comment of a C file under tests/, or in
#      a shell script's "# covers:" line or an ID list that leads one of
#      its comments or messages ("# Q4: ...", FAIL "R14: ...");
#  (b) a row's ID is named by no test that make check runs
#      (tests/unit/test_*.c, tests/{net,conformance,fuzz,init}/*.sh);
#  (c) a code reference names a file that does not exist, or a function
#      not defined (at the start of a line) in that file;
#  (d) a test listed in a row does not exist, or does not name the ID.
#
# usage: ids.sh [-l]   (-l: list each ID with the test files naming it)
set -u

top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
doc=$top/doc/conformance.md
[ -r "$doc" ] || { echo "FAIL: $doc missing"; exit 99; }
cd "$top" || exit 99
work=$(mktemp -d "${TMPDIR:-/tmp}/amt-ids.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT INT TERM

# "FILE ID" for every ID that FILE names; "FILE fn NAME" for every unit
# test function.  ID: one letter of a family, a number, a sub-letter.
names() {
	awk '
	function ids(s, why,   t) {
		while (match(s, /[WMRGDQE][0-9]+[a-z]?/)) {
			t = substr(s, RSTART, RLENGTH)
			pre = RSTART > 1 ? substr(s, RSTART - 1, 1) : " "
			post = substr(s, RSTART + RLENGTH, 1)
			if (pre !~ /[A-Za-z0-9_$-]/ && post !~ /[A-Za-z0-9_]/)
				print FILENAME, t, why
			s = substr(s, RSTART + RLENGTH)
		}
	}
	# An ID list leading a shell comment or a quoted message.
	function lead(s,   m) {
		while (match(s, /(#|")[ \t-]*[WMRGDQE][0-9]+[a-z]?([ ,]+[WMRGDQE][0-9]+[a-z]?)*[ ,]*(:|\(|RFC)/)) {
			m = substr(s, RSTART, RLENGTH)
			s = substr(s, RSTART + RLENGTH)
			sub(/RFC$/, "", m)
			ids(m, "comment")
		}
	}
	FNR == 1 { inc = 0; c = FILENAME ~ /\.[ch]$/ }
	c && /^test_[A-Za-z0-9_]+\(/ {
		n = $0; sub(/\(.*/, "", n); print FILENAME, "fn", n
		t = n; sub(/^test_/, "", t)
		while (match(t, /^[WMRGDQE][0-9]+[a-z]?(_|$)/)) {
			print FILENAME, substr(t, 1, RLENGTH - (substr(t, RLENGTH, 1) == "_")), "name"
			t = substr(t, RLENGTH + 1)
		}
	}
	c {	# the text of comments only
		s = $0; out = ""
		while (s != "") {
			if (inc) {
				if ((i = index(s, "*/")) == 0) { out = out s; break }
				out = out substr(s, 1, i - 1); s = substr(s, i + 2); inc = 0
			} else if ((i = index(s, "/*")) > 0) {
				s = substr(s, i + 2); inc = 1
			} else if ((i = index(s, "//")) > 0) {
				out = out substr(s, i + 2); break
			} else
				break
		}
		ids(out, "comment")
		next
	}
	/^# covers:/ { ids(substr($0, 10), "covers"); next }
	{ lead($0) }
	' "$@"
}

find tests -type f \( -name '*.c' -o -name '*.h' -o -name '*.sh' \) \
    ! -path 'tests/data/*' | sort >"$work/files"
# The benchmarks, scripts without an extension, name IDs too.
grep -l '^#!/bin/sh' $(find tests/bench -type f ! -name '*.*' | sort) \
    2>/dev/null >>"$work/files"
grep -vx tests/conformance/ids.sh "$work/files" >"$work/f2"
names $(cat "$work/f2") | sort -u >"$work/named"
grep -v ' fn ' "$work/named" >"$work/ids"
grep ' fn ' "$work/named" >"$work/fns"

# The files whose naming of an ID counts as proof (make check runs them).
awk '$1 ~ /^tests\/unit\/test_[a-z0-9_]+\.c$/ ||
     ($1 ~ /^tests\/(net|conformance|fuzz|init)\/[^\/]+\.sh$/ && $3 == "covers")' \
    "$work/ids" >"$work/proof"

# The document's rows: ID, code cell, tests cell.
awk -F'|' '$2 ~ /^ *[WMRGDQE][0-9]+[a-z]? *$/ {
	id = $2; gsub(/ /, "", id)
	print id "\t" $5 "\t" $6
}' "$doc" >"$work/rows"

if [ "${1:-}" = -l ]; then
	cut -f1 "$work/rows" | while read -r id; do
		printf '%s:' "$id"
		awk -v id="$id" '$2 == id {print " " $1}' "$work/proof" |
		    sort -u | tr -d '\n'
		echo
	done
	exit 0
fi

bad=0
err() { echo "$*"; bad=$((bad + 1)); }

cut -f1 "$work/rows" | sort >"$work/docids"
dups=$(uniq -d "$work/docids")
[ -z "$dups" ] || err "doc/conformance.md: IDs with two rows:" $dups

# (a)
awk '{print $2, $1}' "$work/ids" | sort -u | while read -r id f; do
	grep -qx "$id" "$work/docids" ||
		echo "$f names $id, which doc/conformance.md lacks"
done >"$work/a"

# (b)
while read -r id; do
	awk -v id="$id" '$2 == id {f = 1} END {exit !f}' "$work/proof" ||
		echo "doc/conformance.md: $id is named by no test"
done <"$work/docids" >"$work/b"

# (c), (d)
tab=$(printf '\t')
while IFS=$tab read -r id code tests; do
	echo "$code" | tr ';' '\n' | while IFS= read -r ref; do
		f=$(echo "$ref" | sed -n 's/^ *\([^ :]*\):.*/\1/p')
		[ -n "$f" ] || continue
		f=$(echo "$f" | tr -d '`')
		if [ ! -f "$f" ]; then
			echo "$id: code reference $f: no such file"
			continue
		fi
		for fn in $(echo "$ref" | grep -oE '[A-Za-z_][A-Za-z0-9_]*\(\)' |
		    tr -d '()'); do
			grep -q "^$fn(" "$f" ||
				echo "$id: $f defines no $fn()"
		done
	done
	[ -n "$(echo "$tests" | tr -d ' ')" ] ||
		echo "$id: the row lists no test"
	echo "$tests" | tr ';' '\n' | while IFS= read -r ref; do
		f=$(echo "$ref" | sed 's/^ *//; s/:.*//; s/ *$//' | tr -d '`')
		[ -n "$f" ] || continue
		if [ ! -f "$f" ]; then
			echo "$id: test $f: no such file"
			continue
		fi
		grep -q "^$f $id " "$work/proof" ||
			echo "$id: test $f does not name $id"
		case $ref in *:*) ;; *) continue ;; esac
		for p in $(echo "${ref#*:}" | tr -d '`,'); do
			awk -v f="$f" -v p="$p" '
			    BEGIN { gsub(/\*/, ".*", p); p = "^" p "$" }
			    $1 == f && $3 ~ p { n++ } END { exit !n }' \
			    "$work/fns" || echo "$id: $f has no test $p"
		done
	done
done <"$work/rows" >"$work/cd"

cat "$work/a" "$work/b" "$work/cd"
bad=$((bad + $(cat "$work/a" "$work/b" "$work/cd" | wc -l)))
if [ "$bad" -gt 0 ]; then
	echo "FAIL: doc/conformance.md and the tests disagree ($bad)"
	exit 1
fi
echo "OK: $(wc -l <"$work/rows") IDs, each with a test; every test's ID has a row"
exit 0
