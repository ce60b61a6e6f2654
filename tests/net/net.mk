# Relay scenarios in network namespaces, the message-level test gateway
# (amt-testgw) and the multicast sender they use.  tests/net/lib.sh holds
# the shared helpers (SKIP/FAIL/OK, namespaces, relay start, amtctl).
check_PROGRAMS += tests/net/amt-testgw tests/net/mcsend
tests_net_amt_testgw_SOURCES = tests/net/amt-testgw.c tests/net/testgw.h \
	tests/net/testgw-session.c tests/net/testgw-report.c \
	tests/net/testgw-flow.c tests/net/testgw-attack.c \
	tests/net/testgw-output.c
tests_net_amt_testgw_LDADD = lib/libamt.la
tests_net_mcsend_SOURCES = tests/net/mcsend.c
tests_net_mcsend_LDADD = lib/libamt.la

RELAY_SCENARIOS = tests/net/relay-protocol.sh tests/net/relay-data.sh \
	tests/net/relay-scale.sh tests/net/relay-hostile.sh \
	tests/net/relay-rotation.sh tests/net/relay-abuse.sh
TESTS += $(RELAY_SCENARIOS)
EXTRA_DIST += tests/net/lib.sh $(RELAY_SCENARIOS)
