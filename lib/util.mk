# Utility half of the library: addresses, Response MAC and nonces,
# logging, the control socket, the monotonic clock.  Their unit tests and the control-line
# fuzz target.
lib_libamt_la_SOURCES += lib/addr.c lib/mac.c lib/log.c lib/log_limit.c \
	lib/ctl.c \
	lib/clock.c

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_addr tests/unit/test_mac \
	tests/unit/test_ctl tests/unit/test_log
TESTS += tests/unit/test_addr tests/unit/test_mac tests/unit/test_ctl \
	tests/unit/test_log
tests_unit_test_log_CFLAGS = $(AMT_UNIT_CFLAGS)
tests_unit_test_log_LDADD = $(AMT_UNIT_LIBS)
tests_unit_test_addr_CFLAGS = $(AMT_UNIT_CFLAGS)
tests_unit_test_addr_LDADD = $(AMT_UNIT_LIBS)
tests_unit_test_mac_CFLAGS = $(AMT_UNIT_CFLAGS)
tests_unit_test_mac_LDADD = $(AMT_UNIT_LIBS)
tests_unit_test_ctl_CFLAGS = $(AMT_UNIT_CFLAGS) -pthread
tests_unit_test_ctl_LDADD = $(AMT_UNIT_LIBS) -lpthread
endif

FUZZ_TARGETS += tests/fuzz/fuzz_ctl
check_PROGRAMS += tests/fuzz/fuzz_ctl
tests_fuzz_fuzz_ctl_SOURCES = tests/fuzz/fuzz_ctl.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_ctl_LDADD = lib/libamt.la
tests_fuzz_fuzz_ctl_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
