# (owned by its part of the tree)
# IGMP/MLD (parse and build) and Internet checksums.
lib_libamt_la_SOURCES += lib/mcast.c lib/mrec.c lib/igmp.c lib/mld.c \
	lib/cksum.c lib/mcast_priv.h lib/mrec.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_cksum tests/unit/test_igmp \
	tests/unit/test_mld
TESTS += tests/unit/test_cksum tests/unit/test_igmp tests/unit/test_mld
MCAST_TESTLIB = tests/unit/testlib.c tests/unit/testlib.h \
	tests/fuzz/mcast_fix.c tests/fuzz/mcast_fix.h
tests_unit_test_cksum_SOURCES = tests/unit/test_cksum.c $(MCAST_TESTLIB)
tests_unit_test_cksum_CFLAGS = $(AMT_UNIT_CFLAGS)
tests_unit_test_cksum_LDADD = $(AMT_UNIT_LIBS)
tests_unit_test_igmp_SOURCES = tests/unit/test_igmp.c $(MCAST_TESTLIB)
tests_unit_test_igmp_CFLAGS = $(AMT_UNIT_CFLAGS)
tests_unit_test_igmp_LDADD = $(AMT_UNIT_LIBS)
tests_unit_test_mld_SOURCES = tests/unit/test_mld.c $(MCAST_TESTLIB)
tests_unit_test_mld_CFLAGS = $(AMT_UNIT_CFLAGS)
tests_unit_test_mld_LDADD = $(AMT_UNIT_LIBS)
endif

FUZZ_TARGETS += tests/fuzz/fuzz_report tests/fuzz/fuzz_query
check_PROGRAMS += tests/fuzz/fuzz_report tests/fuzz/fuzz_query
tests_fuzz_fuzz_report_SOURCES = tests/fuzz/fuzz_report.c \
	tests/fuzz/mcast_fix.c tests/fuzz/mcast_fix.h $(FUZZ_DRIVER)
tests_fuzz_fuzz_report_LDADD = lib/libamt.la
tests_fuzz_fuzz_report_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_query_SOURCES = tests/fuzz/fuzz_query.c \
	tests/fuzz/mcast_fix.c tests/fuzz/mcast_fix.h $(FUZZ_DRIVER)
tests_fuzz_fuzz_query_LDADD = lib/libamt.la
tests_fuzz_fuzz_query_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
