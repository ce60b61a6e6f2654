# doc/conformance.md against the tests and the code: every requirement ID
# a test names has a row, every row has a test, every code reference
# names a file and function that exist (tests/conformance/ids.sh).
TESTS += tests/conformance/ids.sh
EXTRA_DIST += tests/conformance/ids.sh doc/conformance.md

# Function lengths, file sizes and circles between files
# (scripts/code-metrics.py --check on this build's objects).
TESTS += tests/conformance/shape.sh
EXTRA_DIST += tests/conformance/shape.sh scripts/code-metrics.py
