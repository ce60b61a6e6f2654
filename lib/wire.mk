# The AMT message codec (lib/wire.c) and its tests.
lib_libamt_la_SOURCES += lib/wire.c

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_buf tests/unit/test_wire \
	tests/unit/test_captures
TESTS += tests/unit/test_buf tests/unit/test_wire tests/unit/test_captures
tests_unit_test_buf_SOURCES = tests/unit/test_buf.c
tests_unit_test_buf_CFLAGS = $(AMT_UNIT_CFLAGS)
tests_unit_test_buf_LDADD = $(AMT_UNIT_LIBS)
tests_unit_test_wire_SOURCES = tests/unit/test_wire.c
tests_unit_test_wire_CFLAGS = $(AMT_UNIT_CFLAGS)
tests_unit_test_wire_LDADD = $(AMT_UNIT_LIBS)
tests_unit_test_captures_SOURCES = tests/unit/test_captures.c \
	tests/unit/pcap.c tests/unit/pcap.h
tests_unit_test_captures_CFLAGS = $(AMT_UNIT_CFLAGS) \
	-DCAPTURE_DIR='"$(abs_top_srcdir)/tests/data/captures"'
tests_unit_test_captures_LDADD = $(AMT_UNIT_LIBS)
endif
EXTRA_DIST += tests/data/captures

FUZZ_TARGETS += tests/fuzz/fuzz_wire
check_PROGRAMS += tests/fuzz/fuzz_wire
tests_fuzz_fuzz_wire_SOURCES = tests/fuzz/fuzz_wire.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_wire_LDADD = lib/libamt.la
tests_fuzz_fuzz_wire_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)

# Q6: tshark's AMT dissector over every message the library encodes.
check_PROGRAMS += tests/conformance/mkpcap
tests_conformance_mkpcap_SOURCES = tests/conformance/mkpcap.c
tests_conformance_mkpcap_LDADD = lib/libamt.la
TESTS += tests/conformance/tshark.sh
EXTRA_DIST += tests/conformance/tshark.sh
tests/conformance/tshark.log: tests/conformance/mkpcap$(EXEEXT)
