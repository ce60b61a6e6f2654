# amtgwd --driad: relays per source from DNS (RFC 8777), sessions per
# relay; the c-ares resolver (gateway/resolve.c) is linked in, so c-ares
# is required.  Scenarios against dnsmasq in network namespaces.
gateway_amtgwd_SOURCES += gateway/driad.c gateway/driad.h \
	gateway/driad_relay.c gateway/driad_show.c gateway/resolve.c \
	gateway/resolve.h
gateway_amtgwd_CFLAGS = $(AM_CFLAGS) $(CARES_CFLAGS)
gateway_amtgwd_LDADD += $(CARES_LIBS)

# The session unit tests link the gateway's files, this one's included.
if HAVE_CMOCKA
tests_unit_test_session_SOURCES += gateway/driad.c gateway/driad_relay.c \
	gateway/driad_show.c gateway/resolve.c
tests_unit_test_session_CFLAGS += $(CARES_CFLAGS)
tests_unit_test_session_LDADD += $(CARES_LIBS)
endif

DRIAD_SCENARIOS = tests/net/driad-relays.sh tests/net/driad-failover.sh \
	tests/net/driad-records.sh
TESTS += $(DRIAD_SCENARIOS)
EXTRA_DIST += $(DRIAD_SCENARIOS) tests/net/driad-lib.sh
