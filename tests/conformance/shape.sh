#!/bin/sh
# The code's shape stays as doc/conformance.md's readers expect it: no
# function of lib/, relay/, gateway/ or tools/ over 60 lines, no file
# over 600, no two files in a circle of calls or includes
# (scripts/code-metrics.py, read from the object files of this build).
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${top_builddir:-$top}
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
command -v nm >/dev/null 2>&1 || { echo "SKIP: no nm"; exit 77; }
python3 "$top/scripts/code-metrics.py" --check "$build" ||
	{ echo "FAIL: the code is out of shape (above)"; exit 1; }
