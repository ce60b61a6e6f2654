# The status pages of both daemons in headless Chromium, and their live
# /metrics through promtool check metrics.
TESTS += tests/net/status-page.sh
EXTRA_DIST += tests/net/status-page.sh
CLEANFILES += tests/net/status-page-relay.png tests/net/status-page-gateway.png
