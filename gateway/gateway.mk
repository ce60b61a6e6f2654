# amtgwd, the AMT gateway (RFC 7450 5.2), its man page and FSM tests.
sbin_PROGRAMS += gateway/amtgwd
gateway_amtgwd_SOURCES = gateway/main.c gateway/gateway.h gateway/conf.c \
	gateway/tun.c gateway/local.c gateway/membership.c gateway/fsm.c \
	gateway/session.c gateway/session_input.c gateway/sessions.c \
	gateway/update.c gateway/relaysock.c gateway/ecn.c gateway/control.c \
	gateway/reload.c gateway/metrics.c gateway/liveness.c \
	gateway/interop.c gateway/status.c
gateway_amtgwd_LDADD = lib/libamt.la $(LIBEVENT_LIBS) $(LIBSODIUM_LIBS) \
	$(JANSSON_LIBS)
# dist_man_MANS cannot be appended to across fragments: the page is
# installed through its own man8 directory variable.
gwman8dir = $(mandir)/man8
dist_gwman8_DATA = doc/amtgwd.8

if HAVE_CMOCKA
# The core alone, without DRIAD: no session hooks.
check_PROGRAMS += tests/unit/test_session
TESTS += tests/unit/test_session
tests_unit_test_session_SOURCES = tests/unit/test_session.c \
	tests/unit/gwfix.c tests/unit/gwfix.h \
	gateway/conf.c gateway/tun.c gateway/local.c gateway/membership.c \
	gateway/fsm.c gateway/session.c gateway/session_input.c \
	gateway/sessions.c gateway/update.c gateway/relaysock.c gateway/ecn.c \
	gateway/control.c gateway/reload.c gateway/liveness.c gateway/interop.c \
	gateway/gateway.h
tests_unit_test_session_CFLAGS = $(AMT_UNIT_CFLAGS) -I$(top_srcdir)/gateway
tests_unit_test_session_LDADD = $(AMT_UNIT_LIBS) $(LIBEVENT_LIBS) \
	$(LIBSODIUM_LIBS) $(JANSSON_LIBS)
# The session against the relays in the field (amtgwd(8),
# INTEROPERABILITY), with the captured Queries of tests/data/captures.
check_PROGRAMS += tests/unit/test_interop
TESTS += tests/unit/test_interop
tests_unit_test_interop_SOURCES = tests/unit/test_interop.c \
	tests/unit/pcap.c tests/unit/pcap.h $(tests_unit_test_session_SOURCES:tests/unit/test_session.c=)
tests_unit_test_interop_CFLAGS = $(tests_unit_test_session_CFLAGS) \
	-DCAPTURE_DIR='"$(abs_top_srcdir)/tests/data/captures"'
tests_unit_test_interop_LDADD = $(tests_unit_test_session_LDADD)
# RFC 6040 4.2 egress (Figure 4), both families, the checksum update.
check_PROGRAMS += tests/unit/test_ecn
TESTS += tests/unit/test_ecn
tests_unit_test_ecn_SOURCES = tests/unit/test_ecn.c gateway/ecn.c \
	gateway/gateway.h
tests_unit_test_ecn_CFLAGS = $(AMT_UNIT_CFLAGS) -I$(top_srcdir)/gateway
tests_unit_test_ecn_LDADD = $(AMT_UNIT_LIBS) $(LIBEVENT_LIBS)
endif
