# DRIAD (RFC 8777): the AMTRELAY record, reverse names, DNS answers and
# candidate order in the library; the c-ares resolver of the gateway
# (gateway/resolve.c) is built here with its test driver too.
dist_noinst_HEADERS += include/amt/driad.h gateway/resolve.h
lib_libamt_la_SOURCES += lib/driad.c lib/driad_name.c lib/driad_msg.c

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_driad
TESTS += tests/unit/test_driad
tests_unit_test_driad_CFLAGS = $(AMT_UNIT_CFLAGS)
tests_unit_test_driad_LDADD = $(AMT_UNIT_LIBS)
endif

FUZZ_TARGETS += tests/fuzz/fuzz_driad
check_PROGRAMS += tests/fuzz/fuzz_driad
tests_fuzz_fuzz_driad_SOURCES = tests/fuzz/fuzz_driad.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_driad_LDADD = lib/libamt.la
tests_fuzz_fuzz_driad_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)

# The look-up driver and its scenario against dnsmasq (with c-ares).
if HAVE_CARES
check_PROGRAMS += tests/net/driad-query
tests_net_driad_query_SOURCES = tests/net/driad-query.c gateway/resolve.c
tests_net_driad_query_CFLAGS = $(AM_CFLAGS) $(CARES_CFLAGS) \
	-I$(top_srcdir)/gateway
tests_net_driad_query_LDADD = lib/libamt.la $(CARES_LIBS) \
	$(LIBEVENT_LIBS) $(LIBSODIUM_LIBS)
TESTS += tests/net/driad-lookup.sh
endif
EXTRA_DIST += tests/net/driad-lookup.sh doc/driad.md
