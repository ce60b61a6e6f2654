# doc/conformance.md against the tests and the code: every requirement ID
# a test names has a row, every row has a test, every code reference
# names a file and function that exist (tests/conformance/ids.sh).
TESTS += tests/conformance/ids.sh
EXTRA_DIST += tests/conformance/ids.sh doc/conformance.md
