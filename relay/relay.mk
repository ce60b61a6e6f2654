# amtrelayd control plane (the data plane appends its sources in
# relay/data.mk), its man page and the membership unit tests.
sbin_PROGRAMS += relay/amtrelayd
relay_amtrelayd_SOURCES = relay/main.c relay/keys.c relay/conf.c relay/reload.c \
	relay/listen.c relay/message.c relay/tunnel.c relay/membership.c \
	relay/control.c relay/metrics.c relay/ratelimit.c relay/relay.h
relay_amtrelayd_LDADD = lib/libamt.la $(LIBEVENT_LIBS) $(LIBSODIUM_LIBS) \
	$(JANSSON_LIBS)
# dist_man_MANS cannot be appended to across fragments: the page is
# installed as data into man8.
relayman8dir = $(mandir)/man8
dist_relayman8_DATA = doc/amtrelayd.8

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_membership tests/unit/test_relay_msg
TESTS += tests/unit/test_membership tests/unit/test_relay_msg
tests_unit_test_membership_SOURCES = tests/unit/test_membership.c \
	relay/membership.c relay/relay.h
tests_unit_test_membership_CFLAGS = $(AMT_UNIT_CFLAGS) -I$(top_srcdir)/relay
tests_unit_test_membership_LDADD = $(AMT_UNIT_LIBS)
tests_unit_test_relay_msg_SOURCES = tests/unit/test_relay_msg.c \
	relay/message.c relay/listen.c relay/tunnel.c relay/membership.c \
	relay/conf.c relay/ratelimit.c relay/relay.h
tests_unit_test_relay_msg_CFLAGS = $(AMT_UNIT_CFLAGS) -I$(top_srcdir)/relay
tests_unit_test_relay_msg_LDADD = $(AMT_UNIT_LIBS) $(LIBEVENT_LIBS) \
	$(LIBSODIUM_LIBS) $(JANSSON_LIBS)
endif
