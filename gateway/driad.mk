# amtgwd --driad: relays per source from DNS (RFC 8777), sessions per
# relay, plugged into the core through its session hooks; the c-ares
# resolver (gateway/resolve.c) is linked in.  Without c-ares, driad_none.c
# refuses --driad.  Scenarios against dnsmasq in network namespaces.
DRIAD_SOURCES = gateway/driad.c gateway/driad.h gateway/driad_relay.c \
	gateway/driad_show.c gateway/resolve.c gateway/resolve.h
DRIAD_SCENARIOS = tests/net/driad-relays.sh tests/net/driad-failover.sh \
	tests/net/driad-records.sh
if HAVE_CARES
gateway_amtgwd_SOURCES += $(DRIAD_SOURCES)
gateway_amtgwd_CFLAGS = $(AM_CFLAGS) $(CARES_CFLAGS)
gateway_amtgwd_LDADD += $(CARES_LIBS)
EXTRA_DIST += gateway/driad_none.c
TESTS += $(DRIAD_SCENARIOS)
else
gateway_amtgwd_SOURCES += gateway/driad_none.c
EXTRA_DIST += $(DRIAD_SOURCES)
endif
EXTRA_DIST += $(DRIAD_SCENARIOS) tests/net/driad-lib.sh
