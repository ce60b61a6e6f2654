# amtctl: the control tool for amtrelayd and amtgwd.
bin_PROGRAMS += tools/amtctl
tools_amtctl_SOURCES = tools/amtctl.c
tools_amtctl_LDADD = lib/libamt.la
# Makefile.am does not initialise dist_man_MANS (automake refuses +=
# on it), so the page goes through its own section variable.
dist_man8_MANS = doc/amtctl.8

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_amtctl
TESTS += tests/unit/test_amtctl
tests_unit_test_amtctl_CFLAGS = $(AMT_UNIT_CFLAGS) \
	-DAMTCTL_BIN='"$(abs_top_builddir)/tools/amtctl"'
tests_unit_test_amtctl_LDADD = $(AMT_UNIT_LIBS)
EXTRA_tests_unit_test_amtctl_DEPENDENCIES = tools/amtctl$(EXEEXT)
endif
