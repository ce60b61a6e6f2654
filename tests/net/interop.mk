# amtgwd against the relays deployed in the field (gw-interop.sh) and the
# relay that plays them, built from the library's encoders.
check_PROGRAMS += tests/net/relay-quirks
tests_net_relay_quirks_SOURCES = tests/net/relay-quirks.c
tests_net_relay_quirks_LDADD = lib/libamt.la

TESTS += tests/net/gw-interop.sh
EXTRA_DIST += tests/net/gw-interop.sh
